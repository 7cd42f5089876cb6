//! The labelled derivation every generated input comes from: one seed, and
//! for each value a label naming the op, the case and the field, so that a
//! change in one case changes nothing else (and regeneration is
//! byte-identical: no clock, no machine-dependent value).
//!
//! `bytes(label, n) = SHAKE256("xchat-vectors v1" || u32(len(seed)) || seed || label, n)`
//! with the spec's SHAKE256 (FIPS 202), `u32` big-endian.

use xchat_spec::sha3::shake256;

/// The seed of the committed vectors.
pub const SEED: &[u8] = b"XCHAT-1 conformance vectors, revision 2";

/// A derivation scope: the seed and a label prefix (the op, or the op and
/// the random case number).
#[derive(Clone, Debug)]
pub struct Gen {
    seed: Vec<u8>,
    prefix: String,
}

impl Gen {
    /// The scope `prefix` under `seed`.
    pub fn new(seed: &[u8], prefix: &str) -> Gen {
        Gen {
            seed: seed.to_vec(),
            prefix: prefix.to_string(),
        }
    }

    /// A sub-scope.
    pub fn sub(&self, label: &str) -> Gen {
        Gen::new(&self.seed, &format!("{}/{label}", self.prefix))
    }

    /// `n` bytes for `label` in this scope.
    pub fn bytes(&self, label: &str, n: usize) -> Vec<u8> {
        let mut input = b"xchat-vectors v1".to_vec();
        input.extend_from_slice(&(self.seed.len() as u32).to_be_bytes());
        input.extend_from_slice(&self.seed);
        input.extend_from_slice(self.prefix.as_bytes());
        input.push(b'/');
        input.extend_from_slice(label.as_bytes());
        shake256(&input, n)
    }

    /// `N` bytes as an array.
    pub fn arr<const N: usize>(&self, label: &str) -> [u8; N] {
        let mut out = [0u8; N];
        out.copy_from_slice(&self.bytes(label, N));
        out
    }

    /// A number in `0..bound` (bound > 0), from 8 derived bytes.
    pub fn below(&self, label: &str, bound: u64) -> u64 {
        u64::from_be_bytes(self.arr::<8>(label)) % bound
    }
}
