//! Identities (SPEC.md section 6): an Ed25519 signing key and an X25519 key,
//! bound to a handle by a signature, and their 147-byte encoding.
//!
//! Decoding ([`read_identity`], [`decode`]) only checks the encoding; an
//! identity is usable only after [`verify`] has accepted its binding
//! (REQ-ID-001).

use crate::encoding::{
    enc_ed25519, enc_x25519, expect_end, read_array64, read_ed25519, read_version, read_x25519,
    VERSION,
};
use crate::handle::{enc_handle, read_handle, Handle};
use crate::suite::{public_key, LABEL_IDENTITY_BINDING};
use crate::{ed25519, Error};

/// Length of `EncIdentity`: 1 + 16 + 33 + 33 + 64 (SPEC.md section 6).
pub const IDENTITY_LEN: usize = 147;

/// The secret half of an identity (SPEC.md section 6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentitySecret {
    pub handle: Handle,
    /// The Ed25519 seed of `IKsig` (RFC 8032 section 5.1.5).
    pub sig_seed: [u8; 32],
    /// The X25519 secret of `IKdh` (clamped by X25519 itself).
    pub dh_secret: [u8; 32],
}

/// The public half of an identity, as carried in bundles, prekey messages
/// and envelopes (SPEC.md section 6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityPublic {
    pub handle: Handle,
    pub sig_pub: [u8; 32],
    pub dh_pub: [u8; 32],
    /// `SIGN(sig_seed, binding message)`.
    pub binding: [u8; 64],
}

/// The binding message
/// `"XCHAT-1 identity binding" || EncHandle(handle) || EncEd(sig_pub) || EncX(dh_pub)`
/// (SPEC.md section 6).
pub fn binding_message(handle: &Handle, sig_pub: &[u8; 32], dh_pub: &[u8; 32]) -> Vec<u8> {
    let mut m = LABEL_IDENTITY_BINDING.to_vec();
    m.extend_from_slice(&enc_handle(handle));
    m.extend_from_slice(&enc_ed25519(sig_pub));
    m.extend_from_slice(&enc_x25519(dh_pub));
    m
}

/// The public identity of a secret one: `sig_pub` from the seed (RFC 8032
/// section 5.1.5), `dh_pub = PUB(dh_secret)`, and the binding signature
/// (SPEC.md section 6).
pub fn public_of(secret: &IdentitySecret) -> IdentityPublic {
    let sig_pub = ed25519::public_key(&secret.sig_seed);
    let dh_pub = public_key(&secret.dh_secret);
    let binding = ed25519::sign(
        &secret.sig_seed,
        &binding_message(&secret.handle, &sig_pub, &dh_pub),
    );
    IdentityPublic {
        handle: secret.handle,
        sig_pub,
        dh_pub,
        binding,
    }
}

/// Generates an identity for `handle` from 64 random bytes `r`:
/// `sig_seed = r[0..32]`, `dh_secret = r[32..64]` (SPEC.md section 6).
pub fn generate(handle: &Handle, randomness: &[u8; 64]) -> (IdentitySecret, IdentityPublic) {
    let mut sig_seed = [0u8; 32];
    let mut dh_secret = [0u8; 32];
    for i in 0..32 {
        sig_seed[i] = randomness[i];
        dh_secret[i] = randomness[32 + i];
    }
    let secret = IdentitySecret {
        handle: *handle,
        sig_seed,
        dh_secret,
    };
    let public = public_of(&secret);
    (secret, public)
}

/// `EncIdentity = u8(0x01) || EncHandle(handle) || EncEd(sig_pub) || EncX(dh_pub) || binding`,
/// 147 bytes (SPEC.md section 6).
pub fn encode(id: &IdentityPublic) -> Vec<u8> {
    let mut out = vec![VERSION];
    out.extend_from_slice(&enc_handle(&id.handle));
    out.extend_from_slice(&enc_ed25519(&id.sig_pub));
    out.extend_from_slice(&enc_x25519(&id.dh_pub));
    out.extend_from_slice(&id.binding);
    out
}

/// Reads `EncIdentity` at `pos` strictly, field by field (SPEC.md sections
/// 4 and 6, REQ-ID-002, REQ-ENC-001, REQ-ENC-002, REQ-ENC-003). It does
/// not verify the binding: see [`verify`].
pub fn read_identity(input: &[u8], pos: usize) -> Result<(IdentityPublic, usize), Error> {
    let p = read_version(input, pos)?;
    let (handle, p) = read_handle(input, p)?;
    let (sig_pub, p) = read_ed25519(input, p)?;
    let (dh_pub, p) = read_x25519(input, p)?;
    let (binding, p) = read_array64(input, p)?;
    let id = IdentityPublic {
        handle,
        sig_pub,
        dh_pub,
        binding,
    };
    Ok((id, p))
}

/// Decodes a whole `EncIdentity`: [`read_identity`] then no trailing bytes
/// (SPEC.md section 6, REQ-ID-002, REQ-ENC-003). It does not verify the
/// binding: see [`verify`].
pub fn decode(input: &[u8]) -> Result<IdentityPublic, Error> {
    let (id, p) = read_identity(input, 0)?;
    expect_end(input, p)?;
    Ok(id)
}

/// Verifies the identity's binding signature under `sig_pub` with the
/// strict Ed25519 policy; failure is `InvalidSignature` (SPEC.md section 6,
/// REQ-ID-001, REQ-SUITE-003).
pub fn verify(id: &IdentityPublic) -> Result<(), Error> {
    let message = binding_message(&id.handle, &id.sig_pub, &id.dh_pub);
    match ed25519::verify(&id.sig_pub, &message, &id.binding) {
        Ok(()) => Ok(()),
        Err(_) => Err(Error::InvalidSignature),
    }
}
