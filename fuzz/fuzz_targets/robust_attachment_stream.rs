//! libFuzzer entry point of `robust_attachment_stream`; the logic is
//! `xchat_fuzz_targets::robust_attachment_stream::run` (fuzz/targets/src/robust_attachment_stream.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xchat_fuzz_targets::robust_attachment_stream::run(data));
