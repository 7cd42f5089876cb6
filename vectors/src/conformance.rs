//! The one typed interface every implementation answers, [`Conformance`],
//! and everything written once from the list of ops below: the trait (a
//! method per op, typed input and output), the dispatcher from an op name
//! and a wire object to the typed call, the JSON-lines backend's
//! implementation (serde of the same structs), and the op table the
//! documentation and the vector files are generated from.

use crate::fields::Fields;
use crate::gen::Gen;
use crate::ops::build::Case;
use crate::ops::*;
use crate::runner::External;
use crate::wire::{from_obj, to_obj, Answer, Error, Obj};

/// One op: its name, documentation and fields.
pub struct Op {
    /// The op name, as in requests and file names.
    pub name: &'static str,
    /// Standard, requirements, summary, errors, cases.
    pub meta: &'static Meta,
    /// The input fields and their descriptions.
    pub input: fn() -> Vec<(&'static str, &'static str)>,
    /// The output fields and their descriptions.
    pub output: fn() -> Vec<(&'static str, &'static str)>,
}

impl Op {
    /// The inputs of the op's vectors under `g`.
    pub fn cases(&self, g: &Gen) -> Vec<Case> {
        (self.meta.cases)(self.name, g)
    }
}

macro_rules! conformance {
    ($($op:ident: $meta:path, $in:ty => $out:ty;)*) => {
        /// An implementation of the interface: one method per op. An
        /// implementation that covers part of the interface leaves the
        /// other methods to their default, `Unsupported`.
        pub trait Conformance {
            $(
                #[doc = concat!("The op `", stringify!($op), "`.")]
                fn $op(&mut self, input: &$in) -> Answer<$out> {
                    let _ = input;
                    Err(Error::Unsupported)
                }
            )*
        }

        /// Every op, in the order of SPEC.md (primitives of section 3 first).
        pub fn all() -> Vec<Op> {
            vec![$(Op {
                name: stringify!($op),
                meta: &$meta,
                input: <$in as Fields>::fields,
                output: <$out as Fields>::fields,
            },)*]
        }

        /// Answers `op` on the wire object `input` with `backend`: the
        /// input is read into the op's input struct (`BadRequest` if it does
        /// not fit), the output written from its output struct. An unknown
        /// op is `Unsupported`.
        pub fn dispatch(backend: &mut dyn Conformance, op: &str, input: &Obj) -> Answer<Obj> {
            match op {
                $(stringify!($op) => to_obj(&backend.$op(&from_obj::<$in>(input)?)?),)*
                _ => Err(Error::Unsupported),
            }
        }

        /// `input` and `output` of `op` read into the op's structs and
        /// written back: equal to the originals exactly when they are in
        /// the op's form (every field known, lowercase hex, wire order).
        pub fn reencode(op: &str, input: &Obj, output: Option<&Obj>) -> Answer<(Obj, Option<Obj>)> {
            match op {
                $(stringify!($op) => Ok((
                    to_obj(&from_obj::<$in>(input)?)?,
                    output.map(|o| to_obj(&from_obj::<$out>(o)?)).transpose()?,
                )),)*
                _ => Err(Error::Unsupported),
            }
        }

        /// The JSON-lines backend: every op goes through serde of its
        /// input and output structs.
        impl Conformance for External {
            $(
                fn $op(&mut self, input: &$in) -> Answer<$out> {
                    self.typed(stringify!($op), input)
                }
            )*
        }
    };
}

conformance! {
    sha256: hash::SHA256, hash::MsgIn => hash::Digest32;
    sha512: hash::SHA512, hash::MsgIn => hash::Digest64;
    sha3_256: hash::SHA3_256, hash::MsgIn => hash::Digest32;
    sha3_512: hash::SHA3_512, hash::MsgIn => hash::Digest64;
    shake128: hash::SHAKE128, hash::ShakeIn => hash::ShakeOut;
    shake256: hash::SHAKE256, hash::ShakeIn => hash::ShakeOut;
    hmac_sha256: mac_kdf::HMAC_SHA256, mac_kdf::HmacIn => mac_kdf::Tag32;
    hmac_sha512: mac_kdf::HMAC_SHA512, mac_kdf::HmacIn => mac_kdf::Tag64;
    hkdf_sha256: mac_kdf::HKDF_SHA256, mac_kdf::Hkdf256In => mac_kdf::OkmOut;
    hkdf_sha512: mac_kdf::HKDF_SHA512, mac_kdf::Hkdf512In => mac_kdf::OkmOut;
    chacha20poly1305_seal: aead::CHACHA20POLY1305_SEAL, aead::SealIn => aead::CtOut;
    chacha20poly1305_open: aead::CHACHA20POLY1305_OPEN, aead::OpenIn => aead::MsgOut;
    xchacha20poly1305_seal: aead::XCHACHA20POLY1305_SEAL, aead::XSealIn => aead::CtOut;
    xchacha20poly1305_open: aead::XCHACHA20POLY1305_OPEN, aead::XOpenIn => aead::MsgOut;
    x25519: x25519::X25519, x25519::X25519In => x25519::SharedOut;
    ed25519_public: ed25519::ED25519_PUBLIC, ed25519::SeedIn => ed25519::PublicOut;
    ed25519_sign: ed25519::ED25519_SIGN, ed25519::SignIn => ed25519::SigOut;
    ed25519_verify: ed25519::ED25519_VERIFY, ed25519::VerifyIn => ed25519::ValidOut;
    mlkem768_keygen: mlkem::MLKEM768_KEYGEN, mlkem::KeygenIn => mlkem::KeygenOut;
    mlkem768_encaps: mlkem::MLKEM768_ENCAPS, mlkem::EncapsIn => mlkem::EncapsOut;
    mlkem768_decaps: mlkem::MLKEM768_DECAPS, mlkem::DecapsIn => mlkem::DecapsOut;
    aes_encrypt_block: aes::AES_ENCRYPT_BLOCK, aes::BlockIn => aes::BlockOut;
    aes_ctr: aes::AES_CTR, aes::CtrIn => aes::CtrOut;
    aes_gcm_seal: aes::AES_GCM_SEAL, aes::GcmSealIn => aes::GcmSealed;
    aes_gcm_open: aes::AES_GCM_OPEN, aes::GcmOpenIn => aes::GcmOpened;
    sframe_header_encode: sframe::SFRAME_HEADER_ENCODE, sframe::HeaderFields => sframe::HeaderOut;
    sframe_header_decode: sframe::SFRAME_HEADER_DECODE, sframe::DecodeIn => sframe::DecodeOut;
    sframe_derive: sframe::SFRAME_DERIVE, sframe::DeriveIn => sframe::DeriveOut;
    sframe_encrypt: sframe::SFRAME_ENCRYPT, sframe::EncryptIn => sframe::EncryptOut;
    sframe_decrypt: sframe::SFRAME_DECRYPT, sframe::DecryptIn => sframe::DecryptOut;
    handle_parse: handle::HANDLE_PARSE, handle::ParseIn => handle::ParseOut;
    handle_decode: handle::HANDLE_DECODE, handle::DecodeIn => handle::DecodeOut;
    identity_generate: identity::IDENTITY_GENERATE, identity::GenerateIn => identity::GenerateOut;
    identity_decode: identity::IDENTITY_DECODE, identity::IdentityIn => identity::DecodeOut;
    identity_verify: identity::IDENTITY_VERIFY, identity::IdentityIn => identity::Empty;
    bundle_make: bundle::BUNDLE_MAKE, bundle::Store => bundle::MakeOut;
    bundle_decode: bundle::BUNDLE_DECODE, bundle::BundleIn => bundle::DecodeOut;
    bundle_verify: bundle::BUNDLE_VERIFY, bundle::BundleIn => bundle::VerifyOut;
    handshake_initiate: handshake::HANDSHAKE_INITIATE, handshake::InitiateIn => handshake::InitiateOut;
    handshake_respond: handshake::HANDSHAKE_RESPOND, handshake::RespondIn => handshake::RespondOut;
    ratchet_kdf_rk: ratchet::RATCHET_KDF_RK, ratchet::KdfRkIn => ratchet::KdfRkOut;
    ratchet_kdf_ck: ratchet::RATCHET_KDF_CK, ratchet::KdfCkIn => ratchet::KdfCkOut;
    ratchet_hencrypt: ratchet::RATCHET_HENCRYPT, ratchet::HencryptIn => ratchet::HencryptOut;
    ratchet_hdecrypt: ratchet::RATCHET_HDECRYPT, ratchet::HdecryptIn => ratchet::HdecryptOut;
    ratchet_hedge_nonce: ratchet::RATCHET_HEDGE_NONCE, ratchet::HedgeNonceIn => ratchet::HedgeNonceOut;
    ratchet_encrypt_mk: ratchet::RATCHET_ENCRYPT_MK, ratchet::EncryptMkIn => ratchet::EncryptMkOut;
    ratchet_decrypt_mk: ratchet::RATCHET_DECRYPT_MK, ratchet::DecryptMkIn => ratchet::DecryptMkOut;
    ratchet_session: ratchet::RATCHET_SESSION, ratchet::SessionIn => ratchet::SessionOut;
    padme: padding::PADME, padding::PadmeIn => padding::PadmeOut;
    padding_pad: padding::PADDING_PAD, padding::PadIn => padding::PadOut;
    padding_unpad: padding::PADDING_UNPAD, padding::UnpadIn => padding::UnpadOut;
    content_encode: content::CONTENT_ENCODE, content::ContentFields => content::EncodedOut;
    content_decode: content::CONTENT_DECODE, content::EncodedIn => content::ContentFields;
    envelope_seal: envelope::ENVELOPE_SEAL, envelope::SealIn => envelope::SealOut;
    envelope_open: envelope::ENVELOPE_OPEN, envelope::OpenIn => envelope::OpenOut;
    light_envelope_decode: envelope::LIGHT_ENVELOPE_DECODE, envelope::LightIn => envelope::LightOut;
    attachment_ciphertext_len: attachment::ATTACHMENT_CIPHERTEXT_LEN, attachment::CiphertextLenIn => attachment::CiphertextLenOut;
    attachment_keys: attachment::ATTACHMENT_KEYS, attachment::KeysIn => attachment::KeysOut;
    attachment_seal_chunk: attachment::ATTACHMENT_SEAL_CHUNK, attachment::SealChunkIn => attachment::SealChunkOut;
    attachment_open_chunk: attachment::ATTACHMENT_OPEN_CHUNK, attachment::OpenChunkIn => attachment::OpenChunkOut;
    attachment_seal: attachment::ATTACHMENT_SEAL, attachment::SealIn => attachment::SealOut;
    attachment_open: attachment::ATTACHMENT_OPEN, attachment::OpenIn => attachment::OpenOut;
    fingerprint: fingerprint::FINGERPRINT, fingerprint::FingerprintIn => fingerprint::FingerprintOut;
    safety_number: fingerprint::SAFETY_NUMBER, fingerprint::SafetyIn => fingerprint::SafetyOut;
    session_run: session::SESSION_RUN, session::RunIn => session::RunOut;
    session_receive_responder: session::SESSION_RECEIVE_RESPONDER, session::ResponderIn => session::ReceiveOut;
    session_receive_initiator: session::SESSION_RECEIVE_INITIATOR, session::InitiatorIn => session::ReceiveOut;
    call_run: call::CALL_RUN, call::RunIn => call::RunOut;
    call_replay_window: call::CALL_REPLAY_WINDOW, call::WindowIn => call::WindowOut;
}

/// The op named `name`.
pub fn find(name: &str) -> Option<Op> {
    all().into_iter().find(|o| o.name == name)
}
