//! libFuzzer entry point of `robust_account_receive`; the logic is
//! `xchat_fuzz_targets::robust_account_receive::run` (fuzz/targets/src/robust_account_receive.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xchat_fuzz_targets::robust_account_receive::run(data));
