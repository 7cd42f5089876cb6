//! An RNG that replays given bytes (feature `hazmat`): how the
//! conformance adapter and the fuzz targets hand the impl the spec's
//! explicit randomness. Every impl operation documents which bytes it
//! draws, in which order (its module's "Randomness" table), so replaying the
//! spec's inputs in that order reproduces the spec's outputs byte for byte.
//! Never a source of randomness for anything else.

use std::collections::VecDeque;
use std::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

/// An RNG that hands out exactly the given bytes, in order (then zeros).
pub struct Replay(VecDeque<u8>);

impl Replay {
    /// The RNG replaying `parts`, in order.
    pub fn new(parts: &[&[u8]]) -> Replay {
        Replay(parts.iter().flat_map(|p| p.iter().copied()).collect())
    }

    /// Whether every byte given was drawn.
    pub fn done(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for b in dst {
            *b = self.0.pop_front().unwrap_or(0);
        }
        Ok(())
    }
}

impl TryCryptoRng for Replay {}
