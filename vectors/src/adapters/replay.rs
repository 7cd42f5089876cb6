//! The RNG the impl adapter hands the impl where the impl draws its
//! randomness itself: it replays the request's explicit bytes, in the order
//! the impl documents (the impl's own, feature `hazmat`).

pub use xchat::replay::Replay;
