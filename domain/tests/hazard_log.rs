//! The hazard log is only as true as its "proved by" column: every file it cites exists,
//! and every test it names after a file is in that file.

use std::path::Path;

#[test]
fn every_test_the_hazard_log_cites_exists_where_it_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let log = std::fs::read_to_string(root.join("docs/clinical-safety/hazard-log.md")).unwrap();
    let mut missing = Vec::new();
    let mut cited = 0;
    for row in log.lines().filter(|l| l.starts_with("| H")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let id = cells[0].trim_start_matches("| ");
        let proved_by = cells[cells.len() - 2];
        let mut file: Option<String> = None;
        for (n, part) in proved_by.split('`').enumerate() {
            if n % 2 == 0 {
                // Between quotes: a semicolon starts the next file's list.
                if part.contains(';') {
                    file = None;
                }
                continue;
            }
            if part.contains('/') && (part.ends_with(".rs") || part.ends_with(".mjs")) {
                let path = root.join(part);
                if !path.exists() {
                    missing.push(format!("{id}: {part} does not exist"));
                }
                file = Some(std::fs::read_to_string(&path).unwrap_or_default());
            } else if let Some(text) = &file {
                cited += 1;
                if !text.contains(part) {
                    missing.push(format!("{id}: `{part}` is not in the file cited before it"));
                }
            }
        }
    }
    assert!(
        cited > 30,
        "only {cited} tests cited: is the table still parsed?"
    );
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
