//! libFuzzer entry point of `robust_account_import`; the logic is
//! `xchat_fuzz_targets::robust_account_import::run` (fuzz/targets/src/robust_account_import.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xchat_fuzz_targets::robust_account_import::run(data));
