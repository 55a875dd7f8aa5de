//! The server's reading of a phone's sync request and the envelopes in it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coplan_domain::fuzzing::sync_request(data));
