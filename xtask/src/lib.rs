//! Project tasks (`cargo xtask ...`). The library part holds the checks so
//! that they can be tested; `main.rs` only dispatches subcommands.

pub mod speed;
pub mod subset;
pub mod trace;
