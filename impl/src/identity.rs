//! Identities (SPEC.md section 6): an Ed25519 signing key and an X25519 key,
//! bound to a handle by a signature, and their 147-byte encoding; mirrors
//! `xchat_spec::identity`.
//!
//! [`IdentitySecret`] is the owner's key pair; it caches its
//! [`IdentityPublic`] (the spec recomputes it, with the same bytes).
//! Decoding ([`read_identity`], [`decode`]) only checks the encoding; an
//! identity received from someone else is usable only after [`verify`]
//! has accepted its binding (REQ-ID-001).

use core::fmt;

use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::crypto::{ed25519, random_array, x25519};
use crate::encoding::{enc_ed25519, enc_x25519, Reader, LABEL_IDENTITY_BINDING, VERSION};
use crate::handle::{enc_handle, read_handle, Handle, ENC_HANDLE_LEN};
use crate::Error;

/// Length of `EncIdentity`: 1 + 16 + 33 + 33 + 64 (SPEC.md section 6).
pub const IDENTITY_LEN: usize = 147;

/// Length of [`IdentitySecret::to_bytes`]: `EncHandle || sig_seed || dh_secret`.
pub const IDENTITY_SECRET_LEN: usize = ENC_HANDLE_LEN + 64;

/// The public half of an identity, as carried in bundles, prekey messages
/// and envelopes (SPEC.md section 6).
///
/// A value decoded from the wire is *not* verified; [`verify`] checks the
/// binding (REQ-ID-001). Values returned by [`crate::envelope::open`] and
/// inside a [`crate::bundle::VerifiedBundle`] are verified.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IdentityPublic {
    /// The handle the identity is bound to.
    pub handle: Handle,
    /// `IKsig`, the Ed25519 public key.
    pub sig_pub: [u8; 32],
    /// `IKdh`, the X25519 public key.
    pub dh_pub: [u8; 32],
    /// `SIGN(sig_seed, binding message)`.
    pub binding: [u8; 64],
}

/// The secret half of an identity (SPEC.md section 6): the Ed25519 seed of
/// `IKsig`, the X25519 secret of `IKdh`, and (cached) the public identity.
///
/// Zeroized on drop; `Debug` prints only the public half.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct IdentitySecret {
    sig_seed: [u8; 32],
    dh_secret: [u8; 32],
    #[zeroize(skip)]
    public: IdentityPublic,
}

impl fmt::Debug for IdentitySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentitySecret")
            .field("public", &self.public)
            .field("sig_seed", &"[redacted]")
            .field("dh_secret", &"[redacted]")
            .finish()
    }
}

/// The binding message
/// `"XCHAT-1 identity binding" || EncHandle(handle) || EncEd(sig_pub) || EncX(dh_pub)`
/// (SPEC.md section 6).
pub fn binding_message(handle: &Handle, sig_pub: &[u8; 32], dh_pub: &[u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(LABEL_IDENTITY_BINDING.len() + ENC_HANDLE_LEN + 66);
    m.extend_from_slice(LABEL_IDENTITY_BINDING);
    m.extend_from_slice(&enc_handle(handle));
    m.extend_from_slice(&enc_ed25519(sig_pub));
    m.extend_from_slice(&enc_x25519(dh_pub));
    m
}

impl IdentitySecret {
    /// The identity of `handle` with the given secrets: `sig_pub` from the
    /// seed (RFC 8032 section 5.1.5), `dh_pub = PUB(dh_secret)` and the
    /// binding signature (SPEC.md section 6; the spec's `public_of`).
    pub fn from_secrets(handle: Handle, sig_seed: &[u8; 32], dh_secret: &[u8; 32]) -> Self {
        let sig_pub = ed25519::public_key(sig_seed);
        let dh_pub = x25519::public_key(dh_secret);
        let binding = ed25519::sign(sig_seed, &binding_message(&handle, &sig_pub, &dh_pub));
        Self {
            sig_seed: *sig_seed,
            dh_secret: *dh_secret,
            public: IdentityPublic {
                handle,
                sig_pub,
                dh_pub,
                binding,
            },
        }
    }

    /// The identity from 64 bytes `r`: `sig_seed = r[0..32]`,
    /// `dh_secret = r[32..64]` (SPEC.md section 6; the spec's `generate`
    /// with explicit randomness). Use [`generate`] with a CSPRNG unless the
    /// 64 bytes are themselves a fresh secret.
    pub fn from_randomness(handle: Handle, r: &[u8; 64]) -> Self {
        let (sig_seed, dh_secret) = r.split_at(32);
        let mut seed = Zeroizing::new([0u8; 32]);
        let mut dh = Zeroizing::new([0u8; 32]);
        seed.copy_from_slice(sig_seed);
        dh.copy_from_slice(dh_secret);
        Self::from_secrets(handle, &seed, &dh)
    }

    /// The public identity (SPEC.md section 6).
    pub fn public(&self) -> &IdentityPublic {
        &self.public
    }

    /// The handle the identity is bound to.
    pub fn handle(&self) -> &Handle {
        &self.public.handle
    }

    /// The Ed25519 seed of `IKsig` (signing bundles, SPEC.md section 7).
    pub(crate) fn sig_seed(&self) -> &[u8; 32] {
        &self.sig_seed
    }

    /// The X25519 secret of `IKdh` (handshake and envelopes, SPEC.md
    /// sections 8 and 12).
    pub(crate) fn dh_secret(&self) -> &[u8; 32] {
        &self.dh_secret
    }

    /// Serializes the secret for storage: `EncHandle(handle) || sig_seed ||
    /// dh_secret` (80 bytes). The result is secret and zeroized on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; IDENTITY_SECRET_LEN]> {
        let mut out = Zeroizing::new([0u8; IDENTITY_SECRET_LEN]);
        let (h, keys) = out.split_at_mut(ENC_HANDLE_LEN);
        h.copy_from_slice(&enc_handle(&self.public.handle));
        let (seed, dh) = keys.split_at_mut(32);
        seed.copy_from_slice(&self.sig_seed);
        dh.copy_from_slice(&self.dh_secret);
        out
    }

    /// The inverse of [`IdentitySecret::to_bytes`]; recomputes the public
    /// identity. Any other length or an invalid handle is
    /// [`Error::InvalidState`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes);
        let handle = read_handle(&mut r).map_err(|_| Error::InvalidState)?;
        let seed = Zeroizing::new(r.array::<32>().map_err(|_| Error::InvalidState)?);
        let dh = Zeroizing::new(r.array::<32>().map_err(|_| Error::InvalidState)?);
        r.finish().map_err(|_| Error::InvalidState)?;
        Ok(Self::from_secrets(handle, &seed, &dh))
    }
}

/// Generates an identity for `handle` (SPEC.md section 6).
///
/// Randomness: exactly one draw of 64 bytes `r` from `rng`, which is the
/// spec's `randomness`: `sig_seed = r[0..32]`, `dh_secret = r[32..64]`.
pub fn generate<R: CryptoRng + ?Sized>(handle: Handle, rng: &mut R) -> IdentitySecret {
    let r = random_array::<64, R>(rng);
    IdentitySecret::from_randomness(handle, &r)
}

/// `EncIdentity = u8(0x01) || EncHandle(handle) || EncEd(sig_pub) || EncX(dh_pub) || binding`,
/// 147 bytes (SPEC.md section 6).
pub fn encode(id: &IdentityPublic) -> [u8; IDENTITY_LEN] {
    let mut out = [0u8; IDENTITY_LEN];
    let parts: [&[u8]; 5] = [
        &[VERSION],
        &enc_handle(&id.handle),
        &enc_ed25519(&id.sig_pub),
        &enc_x25519(&id.dh_pub),
        &id.binding,
    ];
    let mut rest: &mut [u8] = &mut out;
    for part in parts {
        let (head, tail) = rest.split_at_mut(part.len());
        head.copy_from_slice(part);
        rest = tail;
    }
    out
}

/// Reads `EncIdentity` strictly, field by field (SPEC.md sections 4 and
/// 6, REQ-ID-002, REQ-ENC-001, REQ-ENC-002, REQ-ENC-003). It does not
/// verify the binding: see [`verify`].
pub fn read_identity(r: &mut Reader<'_>) -> Result<IdentityPublic, Error> {
    r.version()?;
    let handle = read_handle(r)?;
    let sig_pub = r.ed25519()?;
    let dh_pub = r.x25519()?;
    let binding = r.array::<64>()?;
    Ok(IdentityPublic {
        handle,
        sig_pub,
        dh_pub,
        binding,
    })
}

/// Decodes a whole `EncIdentity`: [`read_identity`] then no trailing bytes
/// (SPEC.md section 6, REQ-ID-002, REQ-ENC-003). It does not verify the
/// binding: see [`verify`].
pub fn decode(input: &[u8]) -> Result<IdentityPublic, Error> {
    let mut r = Reader::new(input);
    let id = read_identity(&mut r)?;
    r.finish()?;
    Ok(id)
}

/// Verifies the identity's binding signature under `sig_pub` with the
/// strict Ed25519 policy; failure is [`Error::InvalidSignature`] (SPEC.md
/// section 6, REQ-ID-001, REQ-SUITE-003).
pub fn verify(id: &IdentityPublic) -> Result<(), Error> {
    let message = binding_message(&id.handle, &id.sig_pub, &id.dh_pub);
    ed25519::verify(&id.sig_pub, &message, &id.binding).map_err(|_| Error::InvalidSignature)
}

impl IdentityPublic {
    /// [`decode`] then [`verify`]: an identity from the wire that is
    /// usable (REQ-ID-001, REQ-ID-002).
    pub fn decode_verified(input: &[u8]) -> Result<Self, Error> {
        let id = decode(input)?;
        verify(&id)?;
        Ok(id)
    }
}
