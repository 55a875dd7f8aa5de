//! Every seed of the fuzz targets, and every input that once crashed one
//! (`fuzz/crashes/<target>/`), run through its target as an ordinary test: none may panic.

use std::cell::Cell;

use coplan_domain::fuzzing::{TARGETS, seeds};

thread_local! {
    static PANICKED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `input` through the target, failing on any panic, even one the code catches:
/// in the browser nothing can catch one, and under the fuzzer neither does anything.
fn runs_clean(name: &str, run: fn(&[u8]), input: &[u8], what: &str) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.with(|p| p.set(true));
            before(info);
        }));
    });
    PANICKED.with(|p| p.set(false));
    let finished = std::panic::catch_unwind(|| run(input)).is_ok();
    assert!(
        finished && !PANICKED.with(Cell::get),
        "{name} panicked on {what}"
    );
}

fn target(name: &str) -> fn(&[u8]) {
    TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no fuzz target named {name}"))
        .1
}

#[test]
fn every_seed_runs_through_its_target() {
    let seeds = seeds();
    for (name, _) in TARGETS {
        let count = seeds.iter().filter(|(n, _)| *n == name).count();
        assert!(count >= 5, "{name} has {count} seeds");
    }
    for (n, (name, input)) in seeds.into_iter().enumerate() {
        runs_clean(name, target(name), &input, &format!("seed {n}"));
    }
}

#[test]
fn every_input_that_once_crashed_a_target_now_runs_through_it() {
    let crashes = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/crashes");
    let mut replayed = 0;
    for (name, run) in TARGETS {
        let folder = crashes.join(name);
        assert!(folder.is_dir(), "{} is missing", folder.display());
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|f| f != ".gitkeep") {
                let input = std::fs::read(&path).unwrap();
                runs_clean(name, run, &input, &path.display().to_string());
                replayed += 1;
            }
        }
    }
    println!("replayed {replayed} inputs that once crashed a fuzz target");
}
