//! The ratchet's keys and key derivations (SPEC.md section 9): `KDF_RK_HE`,
//! `KDF_CK` and `MSGKEYS`.
//!
//! Each kind of key is its own type ([`RootKey`], [`ChainKey`],
//! [`HeaderKey`], [`MessageKey`]): not `Copy`, zeroized on drop, redacted in
//! `Debug`, and header keys compared in constant time. A derivation writes
//! its output straight into these types, so no key lives in a plain array
//! that is never wiped, and a root key cannot be passed where a chain key
//! is expected.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::crypto::{ct_eq, hash};
use crate::encoding::{LABEL_MESSAGE_KEY, LABEL_ROOT_RATCHET};
use crate::Error;

use super::header::HEADER_NONCE_LEN;

macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name([u8; 32]);

        impl $name {
            /// The key from its 32 bytes (an import, a handshake output).
            pub fn from_bytes(bytes: &[u8; 32]) -> Self {
                Self(*bytes)
            }

            /// The key's bytes, borrowed (for the export and the primitives).
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// A key of zeros to write a derivation into.
            fn zero() -> Self {
                Self([0u8; 32])
            }

            /// Fills the key from the first 32 bytes of `okm` (a
            /// derivation's output, in a wiped buffer).
            fn fill_from(&mut self, okm: &[u8]) {
                if let Some(src) = okm.get(..32) {
                    self.0.copy_from_slice(src);
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

key_type!(
    /// A root key `RK` (SPEC.md section 9.1).
    RootKey
);
key_type!(
    /// A sending or receiving chain key `CKs`, `CKr` (SPEC.md section 9.1).
    ChainKey
);
key_type!(
    /// A header key `HKs`, `HKr`, `NHKs`, `NHKr` (SPEC.md section 9.1).
    HeaderKey
);
key_type!(
    /// A message key `mk` (SPEC.md section 9.1), one per message.
    MessageKey
);

impl HeaderKey {
    /// Equality in constant time (header keys pick a skipped chain).
    pub fn ct_eq(&self, other: &HeaderKey) -> bool {
        ct_eq(&self.0, &other.0)
    }
}

/// `KDF_RK_HE(rk, dh_out)` (SPEC.md section 9, REQ-RATCHET-001): new root
/// key, chain key, next header key.
pub(super) fn kdf_rk_he(
    rk: &RootKey,
    dh_out: &[u8; 32],
) -> Result<(RootKey, ChainKey, HeaderKey), Error> {
    let mut okm = Zeroizing::new([0u8; 96]);
    // 96 bytes are far below HKDF's 8160-byte limit: this cannot fail.
    hash::hkdf_sha256(&rk.0, dh_out, LABEL_ROOT_RATCHET, okm.as_mut_slice())
        .map_err(|_| Error::Malformed)?;
    let (mut root, mut chain, mut header) = (RootKey::zero(), ChainKey::zero(), HeaderKey::zero());
    root.fill_from(okm.get(..32).unwrap_or_default());
    chain.fill_from(okm.get(32..64).unwrap_or_default());
    header.fill_from(okm.get(64..).unwrap_or_default());
    Ok((root, chain, header))
}

/// `KDF_CK(ck) = (HMAC(ck, 0x02), HMAC(ck, 0x01))`: next chain key and message
/// key (SPEC.md section 9, REQ-RATCHET-001).
pub(super) fn kdf_ck(ck: &ChainKey) -> (ChainKey, MessageKey) {
    let (mut next, mut mk) = (ChainKey::zero(), MessageKey::zero());
    mk.fill_from(&*Zeroizing::new(hash::hmac_sha256(&ck.0, &[0x01])));
    next.fill_from(&*Zeroizing::new(hash::hmac_sha256(&ck.0, &[0x02])));
    (next, mk)
}

/// `MSGKEYS(mk)` (SPEC.md section 9): `HKDF(zeros(32), mk, "XCHAT-1 message
/// key", 76)` split 32 + 12 + 32. One zeroize-on-drop buffer holds all three,
/// so neither the AEAD key nor the hedge key is ever copied out.
pub(super) struct MessageKeys(Zeroizing<[u8; 76]>);

impl MessageKeys {
    pub(super) fn derive(mk: &MessageKey) -> Result<MessageKeys, Error> {
        let mut okm = Zeroizing::new([0u8; 76]);
        hash::hkdf_sha256(&[0u8; 32], &mk.0, LABEL_MESSAGE_KEY, okm.as_mut_slice())
            .map_err(|_| Error::Malformed)?;
        Ok(MessageKeys(okm))
    }

    /// `key = OKM[0..32]`, the message AEAD key.
    pub(super) fn key(&self) -> &[u8; 32] {
        let (key, _) = self
            .0
            .split_first_chunk::<32>()
            .unwrap_or((&[0u8; 32], &[]));
        key
    }

    /// `HEDGE(mk, r, plaintext) = HMAC(hedge_key, r || plaintext)[0..24]`
    /// with `hedge_key = OKM[44..76]`: the header nonce (SPEC.md section 9.3
    /// step 3, REQ-RATCHET-009). A PRF of the plaintext under a key of this
    /// message alone, so a repeated `r`, a restored state, or both, never put
    /// two plaintexts under one (key, nonce).
    pub(super) fn hedge(
        &self,
        r: &[u8; HEADER_NONCE_LEN],
        plaintext: &[u8],
    ) -> [u8; HEADER_NONCE_LEN] {
        let hedge_key = self.0.get(44..).unwrap_or_default();
        let tag = Zeroizing::new(hash::hmac_sha256_parts(hedge_key, &[r, plaintext]));
        let mut nonce = [0u8; HEADER_NONCE_LEN];
        if let Some(src) = tag.get(..HEADER_NONCE_LEN) {
            nonce.copy_from_slice(src);
        }
        nonce
    }

    /// The body nonce `nonce_base XOR nonce[0..12]`, `nonce_base = OKM[32..44]`
    /// (SPEC.md section 9, `ENCRYPT`).
    pub(super) fn body_nonce(&self, header_nonce: &[u8]) -> [u8; 12] {
        let mut out = [0u8; 12];
        if let (Some(base), Some(n)) = (self.0.get(32..44), header_nonce.get(..12)) {
            for ((o, b), x) in out.iter_mut().zip(base).zip(n) {
                *o = b ^ x;
            }
        }
        out
    }
}
