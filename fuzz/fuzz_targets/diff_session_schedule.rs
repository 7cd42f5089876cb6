//! libFuzzer entry point of `diff_session_schedule`; the logic is
//! `xchat_fuzz_targets::diff_session_schedule::run` (fuzz/targets/src/diff_session_schedule.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xchat_fuzz_targets::diff_session_schedule::run(data));
