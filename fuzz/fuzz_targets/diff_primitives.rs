//! libFuzzer entry point of `diff_primitives`; the logic is
//! `xchat_fuzz_targets::diff_primitives::run` (fuzz/targets/src/diff_primitives.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xchat_fuzz_targets::diff_primitives::run(data));
