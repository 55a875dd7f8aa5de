//! `cargo xtask bench`: how long building a section's history takes (issue 15's budget:
//! 10,000 changes by three people in 200 ms at 4× CPU in the browser). This measures the
//! domain's part of it (`plan::history::build`) natively, on this machine's full speed:
//! a floor under the screen's time, not the screen's time. Prints numbers; asserts
//! nothing.

use std::time::Instant;

use coplan_domain::plan::history;
use coplan_domain::plan::{SectionDoc, SectionKind, workload};

const CHANGES: usize = 10_000;

fn main() {
    let kind = SectionKind::SafetyPlan;
    let people = [[1u8; 32], [2; 32], [3; 32]];
    let changes = workload::three_writers(CHANGES);
    let signed = workload::signed(&changes, &people);
    if std::env::var_os("COPLAN_BENCH_PARTS").is_some() {
        let doc = SectionDoc::new(kind, 99);
        let started = Instant::now();
        for change in &changes {
            let _ = doc.apply_update(&change.update);
        }
        let applied = started.elapsed().as_secs_f64() * 1_000.0;
        let started = Instant::now();
        for _ in 0..100 {
            let _ = doc.view();
        }
        let viewed = started.elapsed().as_secs_f64() * 10.0;
        let (a, b) = (doc.view(), doc.view());
        let started = Instant::now();
        for _ in 0..100 {
            let _ = history::differences(kind, &a, &b);
        }
        let compared = started.elapsed().as_secs_f64() * 10.0;
        println!(
            "parts: applying every change {applied:.0} ms; one view {viewed:.2} ms; one comparison {compared:.2} ms"
        );
    }
    let mut times = Vec::new();
    let mut entries = 0;
    for _ in 0..5 {
        let started = Instant::now();
        entries = history::build(kind, None, &signed)
            .expect("a history")
            .len();
        times.push(started.elapsed().as_secs_f64() * 1_000.0);
    }
    times.sort_by(f64::total_cmp);
    // Kept after all but the last 10 changes, then carried on when they arrive.
    // As the app keeps it: older entries in pages beside the kept form, not read here.
    let (_, mut kept) =
        history::build_on(kind, None, None, &signed[..CHANGES - 10]).expect("a history");
    let pages = kept.page_out().len();
    let stored = kept.to_bytes();
    let mut carried = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let kept = history::Kept::from_bytes(kind, &stored).expect("reads back");
        let rest: Vec<_> = signed
            .iter()
            .copied()
            .filter(|c| c.seq > kept.after)
            .collect();
        let (all, _) = history::build_on(kind, Some(&kept), None, &rest).expect("a history");
        assert_eq!(
            all.len() + pages * history::PAGE_ENTRIES,
            entries,
            "with the pages"
        );
        carried.push(started.elapsed().as_secs_f64() * 1_000.0);
    }
    carried.sort_by(f64::total_cmp);
    println!(
        "the same history kept ({} bytes stored: the part's state {} bytes, base64 in it; {} entries, {pages} pages of {} more beside it) and carried on with its last 10 changes: {:.1} ms median natively",
        stored.len(),
        kept.state.len(),
        kept.entries.len(),
        history::PAGE_ENTRIES,
        carried[2]
    );
    let bytes: usize = changes.iter().map(|c| c.update.len()).sum();
    println!(
        "history of a safety plan, {CHANGES} changes by three people ({bytes} bytes of changes, {entries} entries): built natively in {:.0} ms median, {:.0} ms max of 5 (the domain's part only, at full speed; budget 200 ms for the screen at 4x CPU in the browser, measured there next)",
        times[2], times[4]
    );
}
