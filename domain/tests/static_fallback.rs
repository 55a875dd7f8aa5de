//! The crisis lines must be in `index.html` itself, as plain links, so they show while the
//! app loads and stay if it never starts. This test ties that page to the pinned data.

use coplan_domain::CRISIS_LINES;

fn index_html() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../index.html");
    std::fs::read_to_string(path).expect("index.html is at the repository root")
}

#[test]
fn index_html_holds_every_crisis_line_as_a_plain_link() {
    let html = index_html();
    for line in CRISIS_LINES {
        let href = line.href().replace('&', "&amp;");
        assert!(
            html.contains(&format!("href=\"{href}\"")),
            "index.html has no link to {} ({href})",
            line.name
        );
        assert!(
            html.contains(line.display_number()),
            "index.html does not show {}",
            line.display_number()
        );
    }
}

#[test]
fn the_fallback_page_has_no_script_of_its_own_beside_trunks_loader() {
    let html = index_html();
    // The only scripts are the loader Trunk writes in place of the `rel="rust"` link and the
    // small service worker registration loaded from a file; no inline script is ours.
    assert_eq!(
        html.matches("<script").count(),
        1,
        "exactly one script tag: pwa.js"
    );
    assert!(html.contains(r#"<script src="/pwa.js" defer></script>"#));
}
