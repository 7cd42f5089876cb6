//! `cargo test --manifest-path fuzz/Cargo.toml --release`: replays every
//! seed, regression and local corpus file of every target through the same
//! `run` functions the libFuzzer binaries call, without libFuzzer (the
//! logic is `xchat_fuzz_targets::replay`, shared with the root workspace's
//! `fuzz/targets/tests/replay.rs`).

use xchat_fuzz_targets::replay::replay_target;
use xchat_fuzz_targets::TARGETS;

#[test]
fn replay_every_target() {
    for t in TARGETS {
        replay_target(t.name);
    }
}
