//! libFuzzer entry point of `diff_handshake`; the logic is
//! `xchat_fuzz_targets::diff_handshake::run` (fuzz/targets/src/diff_handshake.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xchat_fuzz_targets::diff_handshake::run(data));
