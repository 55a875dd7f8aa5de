//! The browser entry point: Trunk builds this binary to WebAssembly.

fn main() {
    coplan_app::start();
}
