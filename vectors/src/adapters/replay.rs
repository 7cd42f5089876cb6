//! The RNG the impl adapter hands the impl where the impl draws its
//! randomness itself: it replays the request's explicit bytes, in the order
//! the impl documents (the impl's own, feature `low-level`).

pub use xchat::replay::Replay;
