//! A phone checking changes from the server and taking in those that pass.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coplan_domain::fuzzing::remote_changes(data));
