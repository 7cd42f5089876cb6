//! libFuzzer entry point of `diff_decoders`; the logic is
//! `xchat_fuzz_targets::diff_decoders::run` (fuzz/targets/src/diff_decoders.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xchat_fuzz_targets::diff_decoders::run(data));
