//! libFuzzer entry point of `robust_session_import`; the logic is
//! `xchat_fuzz_targets::robust_session_import::run` (fuzz/targets/src/robust_session_import.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xchat_fuzz_targets::robust_session_import::run(data));
