//! libFuzzer entry point of `diff_attachment`; the logic is
//! `xchat_fuzz_targets::diff_attachment::run` (fuzz/targets/src/diff_attachment.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xchat_fuzz_targets::diff_attachment::run(data));
