//! The ops of the conformance interface: names, fields and error kinds.
//! This table is the documentation: each vector file's header and the op
//! tables of `vectors/README.md` are written from it.

/// One op.
pub struct Op {
    /// The op name, as in requests and file names.
    pub name: &'static str,
    /// Standard and SPEC.md section.
    pub section: &'static str,
    /// SPEC.md requirement ids the vectors exercise.
    pub reqs: &'static [&'static str],
    /// What the op computes.
    pub summary: &'static str,
    /// Input fields: name, description (type first).
    pub input: &'static [(&'static str, &'static str)],
    /// Output fields: name, description.
    pub output: &'static [(&'static str, &'static str)],
    /// Error kinds: kind, when (in the order they are checked).
    pub errors: &'static [(&'static str, &'static str)],
}

const BAD_LEN: (&str, &str) = ("InvalidLength", "a fixed-length input has another length");
const DECODE_ID: [(&str, &str); 3] = [
    (
        "Malformed",
        "the identity is cut short or has trailing bytes, or a key tag is wrong",
    ),
    ("UnsupportedVersion", "the version byte is not 0x01"),
    (
        "InvalidHandle",
        "the encoded handle is not canonical (SPEC.md 4.2)",
    ),
];
const STORE: [(&str, &str); 9] = [
    ("handle", "hex: the owner's handle (as for `handle_parse`)"),
    (
        "identity_randomness",
        "hex, 64 bytes: the owner's identity randomness (`identity_generate`)",
    ),
    ("spk_id", "int (u32): signed prekey id"),
    ("spk_secret", "hex, 32 bytes: signed prekey X25519 secret"),
    (
        "opk_id",
        "int (u32), optional: one-time prekey id (absent: no one-time prekey)",
    ),
    (
        "opk_secret",
        "hex, 32 bytes, present iff `opk_id` is: one-time prekey X25519 secret",
    ),
    ("pqpk_id", "int (u32): PQ prekey id"),
    (
        "pqpk_kind",
        "int: PQ prekey kind, 1 one-time, 2 last resort",
    ),
    (
        "pqpk_randomness",
        "hex, 64 bytes: `d || z` of the PQ prekey's ML-KEM KeyGen",
    ),
];
const CONTENT: [(&str, &str); 5] = [
    ("type", "text: `text` or `attachment`"),
    ("text", "hex, present iff type is text: the UTF-8 text"),
    ("kind", "int, attachment only: 1 photo, 2 GIF, 3 file"),
    ("key", "hex, 32 bytes, attachment only: the attachment key"),
    ("length", "int (u64), attachment only: the file length"),
];
const RECEIVE_RESULTS: (&str, &str) = (
    "results",
    "list, one per delivery, in order: `{sender, content}` (sender: hex, the opened sender's EncIdentity; content: object with the fields of `content_decode`), `{identity_changed}` (hex: the offered EncIdentity; nothing changed) or `{error}`",
);

/// Concatenation of field lists (used for the shared store fields).
fn join(
    parts: &[&'static [(&'static str, &'static str)]],
) -> &'static [(&'static str, &'static str)] {
    let v: Vec<(&str, &str)> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    Box::leak(v.into_boxed_slice())
}

fn hash(name: &'static str, section: &'static str, len: &'static str) -> Op {
    Op {
        name,
        section,
        reqs: &[],
        summary: "hash of a message",
        input: &[("msg", "hex: the message (any length)")],
        output: Box::leak(vec![("digest", len)].into_boxed_slice()),
        errors: &[],
    }
}

/// Every op, in the order of SPEC.md (primitives of section 3 first).
pub fn all() -> Vec<Op> {
    let aead = |name: &'static str, nonce: &'static str, seal: bool| Op {
        name,
        section: if nonce.starts_with("hex, 24") {
            "draft-irtf-cfrg-xchacha-03 section 2; SPEC.md section 3"
        } else {
            "RFC 8439 section 2.8; SPEC.md section 3"
        },
        reqs: &[],
        summary: if seal {
            "AEAD encryption"
        } else {
            "AEAD decryption"
        },
        input: if seal {
            Box::leak(
                vec![
                    ("key", "hex, 32 bytes"),
                    ("nonce", nonce),
                    ("aad", "hex: associated data"),
                    ("msg", "hex: plaintext"),
                ]
                .into_boxed_slice(),
            )
        } else {
            Box::leak(
                vec![
                    ("key", "hex, 32 bytes"),
                    ("nonce", nonce),
                    ("aad", "hex: associated data"),
                    ("ct", "hex: ciphertext followed by the 16-byte tag"),
                ]
                .into_boxed_slice(),
            )
        },
        output: if seal {
            &[("ct", "hex: ciphertext followed by the 16-byte tag")]
        } else {
            &[("msg", "hex: plaintext")]
        },
        errors: if seal {
            &[BAD_LEN]
        } else {
            &[
                (
                    "InvalidLength",
                    "key or nonce of another length, or `ct` shorter than 16 bytes",
                ),
                ("AuthenticationFailed", "the tag does not verify"),
            ]
        },
    };
    vec![
        hash("sha256", "FIPS 180-4 section 6.2", "hex, 32 bytes"),
        hash("sha512", "FIPS 180-4 section 6.4", "hex, 64 bytes"),
        hash("sha3_256", "FIPS 202 section 6.1", "hex, 32 bytes"),
        hash("sha3_512", "FIPS 202 section 6.1", "hex, 64 bytes"),
        Op {
            name: "shake128",
            section: "FIPS 202 section 6.2",
            reqs: &[],
            summary: "extendable-output function",
            input: &[("msg", "hex: the message"), ("len", "int: output length in bytes")],
            output: &[("out", "hex, `len` bytes")],
            errors: &[],
        },
        Op {
            name: "shake256",
            section: "FIPS 202 section 6.2",
            reqs: &[],
            summary: "extendable-output function",
            input: &[("msg", "hex: the message"), ("len", "int: output length in bytes")],
            output: &[("out", "hex, `len` bytes")],
            errors: &[],
        },
        Op {
            name: "hmac_sha256",
            section: "RFC 2104; SPEC.md section 3",
            reqs: &[],
            summary: "HMAC-SHA-256",
            input: &[("key", "hex: key (any length)"), ("msg", "hex: message")],
            output: &[("tag", "hex, 32 bytes")],
            errors: &[],
        },
        Op {
            name: "hmac_sha512",
            section: "RFC 2104",
            reqs: &[],
            summary: "HMAC-SHA-512",
            input: &[("key", "hex: key (any length)"), ("msg", "hex: message")],
            output: &[("tag", "hex, 64 bytes")],
            errors: &[],
        },
        Op {
            name: "hkdf_sha256",
            section: "RFC 5869; SPEC.md section 3",
            reqs: &[],
            summary: "HKDF-SHA-256 extract then expand",
            input: &[("salt", "hex (empty: no salt, i.e. HashLen zeros)"), ("ikm", "hex"), ("info", "hex"), ("len", "int: output length")],
            output: &[("okm", "hex, `len` bytes")],
            errors: &[("InvalidLength", "`len` > 255 * 32")],
        },
        Op {
            name: "hkdf_sha512",
            section: "RFC 5869",
            reqs: &[],
            summary: "HKDF-SHA-512 extract then expand",
            input: &[("salt", "hex (empty: no salt)"), ("ikm", "hex"), ("info", "hex"), ("len", "int: output length")],
            output: &[("okm", "hex, `len` bytes")],
            errors: &[("InvalidLength", "`len` > 255 * 64")],
        },
        aead("chacha20poly1305_seal", "hex, 12 bytes", true),
        aead("chacha20poly1305_open", "hex, 12 bytes", false),
        aead("xchacha20poly1305_seal", "hex, 24 bytes", true),
        aead("xchacha20poly1305_open", "hex, 24 bytes", false),
        Op {
            name: "x25519",
            section: "RFC 7748 section 5; SPEC.md section 3",
            reqs: &[],
            summary: "the raw X25519 function (clamping, bit 255 of u masked, no all-zero check: that is the protocol's)",
            input: &[("scalar", "hex, 32 bytes"), ("u", "hex, 32 bytes: u-coordinate")],
            output: &[("shared", "hex, 32 bytes")],
            errors: &[BAD_LEN],
        },
        Op {
            name: "ed25519_public",
            section: "RFC 8032 section 5.1.5",
            reqs: &[],
            summary: "public key of a seed",
            input: &[("seed", "hex, 32 bytes")],
            output: &[("public", "hex, 32 bytes")],
            errors: &[BAD_LEN],
        },
        Op {
            name: "ed25519_sign",
            section: "RFC 8032 section 5.1.6",
            reqs: &[],
            summary: "signature",
            input: &[("seed", "hex, 32 bytes"), ("msg", "hex")],
            output: &[("sig", "hex, 64 bytes: R || S")],
            errors: &[BAD_LEN],
        },
        Op {
            name: "ed25519_verify",
            section: "RFC 8032 section 5.1.7 with the strict policy of SPEC.md section 3.1",
            reqs: &["REQ-SUITE-003"],
            summary: "verification: S < L, canonical A and R, neither of small order, cofactorless equation",
            input: &[("public", "hex, 32 bytes"), ("msg", "hex"), ("sig", "hex, 64 bytes")],
            output: &[("valid", "bool: accepted by the policy")],
            errors: &[("InvalidLength", "`public` not 32 bytes or `sig` not 64 bytes")],
        },
        Op {
            name: "mlkem768_keygen",
            section: "FIPS 203 Algorithm 16 (ML-KEM.KeyGen_internal)",
            reqs: &[],
            summary: "deterministic key generation",
            input: &[("d", "hex, 32 bytes"), ("z", "hex, 32 bytes")],
            output: &[("ek", "hex, 1184 bytes"), ("dk", "hex, 2400 bytes")],
            errors: &[BAD_LEN],
        },
        Op {
            name: "mlkem768_encaps",
            section: "FIPS 203 Algorithm 17 after the section 7.2 checks",
            reqs: &["REQ-SUITE-002"],
            summary: "deterministic encapsulation",
            input: &[("ek", "hex, 1184 bytes"), ("m", "hex, 32 bytes")],
            output: &[("ct", "hex, 1088 bytes"), ("ss", "hex, 32 bytes")],
            errors: &[
                ("InvalidLength", "`ek` not 1184 bytes (type check) or `m` not 32 bytes"),
                ("InvalidEncapsulationKey", "modulus check failed: a coefficient is >= q"),
            ],
        },
        Op {
            name: "mlkem768_decaps",
            section: "FIPS 203 Algorithm 18 after the section 7.3 checks",
            reqs: &[],
            summary: "decapsulation with implicit rejection",
            input: &[("dk", "hex, 2400 bytes"), ("ct", "hex, 1088 bytes")],
            output: &[("ss", "hex, 32 bytes (J(z || ct) for a ciphertext that does not re-encrypt)")],
            errors: &[
                ("InvalidLength", "`ct` not 1088 bytes or `dk` not 2400 bytes (checked in that order)"),
                ("InvalidDecapsulationKey", "hash check failed: H(ek) stored in `dk` differs"),
            ],
        },
        // ---- protocol ----
        Op {
            name: "handle_parse",
            section: "SPEC.md sections 5 and 4.2",
            reqs: &["REQ-HANDLE-001", "REQ-HANDLE-002"],
            summary: "parse a user-supplied handle into its canonical form and EncHandle",
            input: &[("handle", "hex: the input bytes")],
            output: &[("canonical", "hex: the ASCII-lowercase handle"), ("encoded", "hex, 16 bytes: EncHandle")],
            errors: &[("InvalidHandle", "empty, longer than 15 bytes, or a byte outside [A-Za-z0-9_]")],
        },
        Op {
            name: "handle_decode",
            section: "SPEC.md section 4.2",
            reqs: &["REQ-ENC-002"],
            summary: "decode EncHandle strictly (exactly 16 bytes)",
            input: &[("encoded", "hex")],
            output: &[("canonical", "hex: the handle")],
            errors: &[
                ("Malformed", "fewer than 16 bytes, or bytes after the 16"),
                ("InvalidHandle", "length byte 0 or > 15, non-zero padding, or a byte outside [a-z0-9_]"),
            ],
        },
        Op {
            name: "identity_generate",
            section: "SPEC.md section 6",
            reqs: &["REQ-ID-001"],
            summary: "identity from 64 random bytes r: sig_seed = r[0..32], dh_secret = r[32..64]",
            input: &[("handle", "hex: handle (parsed as `handle_parse`)"), ("randomness", "hex, 64 bytes")],
            output: &[
                ("identity", "hex, 147 bytes: EncIdentity"),
                ("sig_pub", "hex, 32 bytes"),
                ("dh_pub", "hex, 32 bytes"),
                ("binding", "hex, 64 bytes: the binding signature"),
            ],
            errors: &[("InvalidHandle", "the handle does not parse")],
        },
        Op {
            name: "identity_decode",
            section: "SPEC.md sections 6 and 4",
            reqs: &["REQ-ID-002", "REQ-ENC-001", "REQ-ENC-003"],
            summary: "decode EncIdentity strictly, without verifying the binding",
            input: &[("identity", "hex")],
            output: &[("handle", "hex: canonical handle"), ("sig_pub", "hex, 32"), ("dh_pub", "hex, 32"), ("binding", "hex, 64")],
            errors: &DECODE_ID,
        },
        Op {
            name: "identity_verify",
            section: "SPEC.md section 6",
            reqs: &["REQ-ID-001", "REQ-SUITE-003"],
            summary: "decode, then verify the binding signature (output is empty on success)",
            input: &[("identity", "hex")],
            output: &[],
            errors: join(&[&DECODE_ID, &[("InvalidSignature", "the binding fails the policy of SPEC.md 3.1")]]),
        },
        Op {
            name: "bundle_make",
            section: "SPEC.md section 7",
            reqs: &[],
            summary: "build, sign and encode the bundle offering the given prekeys",
            input: &STORE,
            output: &[("bundle", "hex: the encoded bundle (1504 bytes, 1541 with a one-time prekey)")],
            errors: &[("InvalidHandle", "the handle does not parse"), ("Malformed", "`pqpk_kind` is not 1 or 2")],
        },
        Op {
            name: "bundle_decode",
            section: "SPEC.md sections 7 and 4",
            reqs: &["REQ-BUNDLE-001", "REQ-ENC-001", "REQ-ENC-003"],
            summary: "decode a bundle strictly, field by field, without verifying it",
            input: &[("bundle", "hex")],
            output: &[
                ("identity", "hex: EncIdentity"),
                ("spk_id", "int"),
                ("spk", "hex, 32"),
                ("spk_sig", "hex, 64"),
                ("has_opk", "bool"),
                ("opk_id", "int, present iff has_opk"),
                ("opk", "hex, 32, present iff has_opk"),
                ("pqpk_id", "int"),
                ("pqpk_kind", "int: 1 or 2"),
                ("pqpk", "hex, 1184"),
                ("pqpk_sig", "hex, 64"),
            ],
            errors: &[
                ("Malformed", "cut short, trailing bytes, wrong key tag, has_opk not 0/1, kind not 1/2"),
                ("UnsupportedVersion", "a version byte (bundle's or identity's) is not 0x01"),
                ("InvalidHandle", "the identity's handle is not canonical"),
            ],
        },
        Op {
            name: "bundle_verify",
            section: "SPEC.md section 7",
            reqs: &["REQ-BUNDLE-002", "REQ-ID-001", "REQ-SUITE-002", "REQ-SUITE-003"],
            summary: "decode, then verify in order: binding, spk_sig, pqpk_sig, PQPK modulus check (empty output on success)",
            input: &[("bundle", "hex")],
            output: &[],
            errors: &[
                ("Malformed", "as `bundle_decode`"),
                ("UnsupportedVersion", "as `bundle_decode`"),
                ("InvalidHandle", "as `bundle_decode`"),
                ("InvalidSignature", "the binding, spk_sig or pqpk_sig fails"),
                ("InvalidKey", "PQPK fails the FIPS 203 section 7.2 modulus check"),
            ],
        },
        Op {
            name: "handshake_initiate",
            section: "SPEC.md section 8 (initiator), 9.2-9.4",
            reqs: &["REQ-HS-001", "REQ-HS-002", "REQ-SUITE-001", "REQ-SUITE-002", "REQ-HS-005"],
            summary: "Alice's side: checks, DH1..DH4, KEM, transcript, keys, ratchet init, and her first prekey message encrypting `plaintext`",
            input: &[
                ("handle", "hex: Alice's handle"),
                ("identity_randomness", "hex, 64 bytes: Alice's identity randomness"),
                ("peer", "hex: the handle Alice looked up"),
                ("bundle", "hex: the bundle the directory returned"),
                ("ek_secret", "hex, 32"),
                ("kem_m", "hex, 32: ML-KEM encapsulation randomness"),
                ("ratchet_secret", "hex, 32: Alice's first ratchet secret"),
                ("header_nonce", "hex, 24: the first message's randomness `r` (its header nonce is HEDGE(mk, r, plaintext))"),
                ("plaintext", "hex: the first message's plaintext (the ratchet layer's input)"),
            ],
            output: &[
                ("ek", "hex, 32: EK"),
                ("dh1", "hex, 32"),
                ("dh2", "hex, 32"),
                ("dh3", "hex, 32"),
                ("dh4", "hex, 32, present iff the bundle has a one-time prekey"),
                ("ss", "hex, 32: ML-KEM shared secret"),
                ("ct", "hex, 1088: ML-KEM ciphertext"),
                ("transcript", "hex: T"),
                ("sk", "hex, 32"),
                ("hka", "hex, 32"),
                ("nhkb", "hex, 32"),
                ("ad", "hex, 32"),
                ("message", "hex: the prekey message"),
            ],
            errors: &[
                ("InvalidHandle", "`peer` does not parse or differs from the bundle's handle (also an unparsable `handle`)"),
                ("Malformed", "the bundle does not decode (also UnsupportedVersion)"),
                ("UnsupportedVersion", "a bundle version byte is not 0x01"),
                ("InvalidSignature", "the bundle's binding, spk_sig or pqpk_sig fails"),
                ("InvalidKey", "PQPK fails the modulus check"),
                ("NonContributory", "DH1, DH2, DH3 or DH4 is all zero (checked in that order)"),
            ],
        },
        Op {
            name: "handshake_respond",
            section: "SPEC.md section 8 (responder)",
            reqs: &["REQ-HS-002", "REQ-HS-003", "REQ-HS-004", "REQ-SUITE-001"],
            summary: "Bob's side on a first prekey message: decode, verify, look up prekeys, DHs, decaps, keys, decrypt, consume",
            input: join(&[
                &STORE,
                &[("message", "hex: the prekey message"), ("ratchet_secret", "hex, 32: Bob's fresh ratchet secret (used in the DH ratchet step)")],
            ]),
            output: &[
                ("initiator", "hex: the initiator's EncIdentity"),
                ("ek", "hex, 32"),
                ("dh1", "hex, 32"),
                ("dh2", "hex, 32"),
                ("dh3", "hex, 32"),
                ("dh4", "hex, 32, present iff the message names a one-time prekey"),
                ("ss", "hex, 32"),
                ("sk", "hex, 32"),
                ("hka", "hex, 32"),
                ("nhkb", "hex, 32"),
                ("ad", "hex, 32"),
                ("plaintext", "hex: the first message's plaintext"),
                ("opk_consumed", "bool: the one-time prekey was deleted"),
                ("pqpk_consumed", "bool: the PQ prekey was deleted (one-time kind)"),
            ],
            errors: &[
                ("Malformed", "the message does not decode (SPEC.md 8: type, has_opk, tags, lengths, body < 97 bytes)"),
                ("UnsupportedVersion", "a version byte is not 0x01"),
                ("InvalidHandle", "the initiator's handle is not canonical"),
                ("InvalidSignature", "the initiator's binding fails"),
                ("UnknownPrekey", "spk_id, opk_id or pqpk_id names no prekey of the store"),
                ("NonContributory", "a DH output is all zero"),
                ("TooManySkipped", "the first ratchet body's message number is above MAX_SKIP (SPEC.md 9.5)"),
                ("AuthenticationFailed", "the first ratchet body does not decrypt"),
            ],
        },
        Op {
            name: "ratchet_kdf_rk",
            section: "SPEC.md section 9 (KDF_RK_HE)",
            reqs: &["REQ-RATCHET-001"],
            summary: "HKDF(salt = rk, ikm = dh_out, info = \"XCHAT-1 root ratchet\", 96) split in three",
            input: &[("rk", "hex, 32"), ("dh_out", "hex, 32")],
            output: &[("root_key", "hex, 32"), ("chain_key", "hex, 32"), ("next_header_key", "hex, 32")],
            errors: &[],
        },
        Op {
            name: "ratchet_kdf_ck",
            section: "SPEC.md section 9 (KDF_CK)",
            reqs: &["REQ-RATCHET-001"],
            summary: "mk = HMAC(ck, 0x01), ck' = HMAC(ck, 0x02)",
            input: &[("ck", "hex, 32")],
            output: &[("chain_key", "hex, 32: ck'"), ("message_key", "hex, 32: mk")],
            errors: &[],
        },
        Op {
            name: "ratchet_hencrypt",
            section: "SPEC.md section 9 (HEADER, HENCRYPT)",
            reqs: &["REQ-RATCHET-001"],
            summary: "nonce || XAEAD(hk, nonce, \"XCHAT-1 header\", EncX(dh) || u32(pn) || u32(n)); in a message, `nonce` is `ratchet_hedge_nonce`'s output",
            input: &[("hk", "hex, 32"), ("dh", "hex, 32"), ("pn", "int (u32)"), ("n", "int (u32)"), ("nonce", "hex, 24: the header nonce")],
            output: &[("enc_header", "hex, 81")],
            errors: &[],
        },
        Op {
            name: "ratchet_hdecrypt",
            section: "SPEC.md section 9 (HDECRYPT)",
            reqs: &["REQ-RATCHET-001"],
            summary: "the header if `enc_header` is exactly 81 bytes, the XAEAD opens and the header decodes strictly (tag 0x01, n < 2^32 - 1), else nothing (not an error), for any other length too",
            input: &[("hk", "hex, 32"), ("enc_header", "hex")],
            output: &[("found", "bool"), ("dh", "hex, 32, iff found"), ("pn", "int, iff found"), ("n", "int, iff found")],
            errors: &[],
        },
        Op {
            name: "ratchet_hedge_nonce",
            section: "SPEC.md section 9 (MSGKEYS, HEDGE), 9.3 step 3",
            reqs: &["REQ-RATCHET-001", "REQ-RATCHET-009"],
            summary: "hedge_key = HKDF(zeros(32), mk, \"XCHAT-1 message key\", 76)[44..76]; nonce = HMAC(hedge_key, r || plaintext)[0..24]",
            input: &[("mk", "hex, 32"), ("r", "hex, 24: the sender's randomness"), ("plaintext", "hex: the padded plaintext")],
            output: &[("nonce", "hex, 24: the header nonce")],
            errors: &[],
        },
        Op {
            name: "ratchet_encrypt_mk",
            section: "SPEC.md section 9 (MSGKEYS, ENCRYPT)",
            reqs: &["REQ-RATCHET-001", "REQ-RATCHET-009"],
            summary: "key || nonce_base || hedge_key = HKDF(zeros(32), mk, \"XCHAT-1 message key\", 76); ChaCha20-Poly1305 under key with nonce nonce_base XOR nonce[0..12]",
            input: &[("mk", "hex, 32"), ("nonce", "hex, 24: the message's header nonce"), ("plaintext", "hex"), ("aad", "hex")],
            output: &[("ciphertext", "hex")],
            errors: &[],
        },
        Op {
            name: "ratchet_decrypt_mk",
            section: "SPEC.md section 9 (DECRYPT)",
            reqs: &["REQ-RATCHET-001"],
            summary: "inverse of `ratchet_encrypt_mk`",
            input: &[("mk", "hex, 32"), ("nonce", "hex, 24: the header nonce, enc_header[0..24]"), ("ciphertext", "hex"), ("aad", "hex")],
            output: &[("plaintext", "hex")],
            errors: &[("AuthenticationFailed", "any failure (tag, wrong nonce, or shorter than a tag)")],
        },
        Op {
            name: "ratchet_session",
            section: "SPEC.md section 9 (9.2-9.5), 16",
            reqs: &["REQ-RATCHET-002", "REQ-RATCHET-003", "REQ-RATCHET-004", "REQ-RATCHET-005", "REQ-RATCHET-006", "REQ-RATCHET-008", "REQ-RATCHET-009"],
            summary: "ratchet steps: Alice = RatchetInitAlice(sk, PUB(bob_secret), hka, nhkb, alice_secret), Bob = RatchetInitBob(sk, bob_secret, hka, nhkb); then `steps` run in order on RatchetMessages (0x01 0x02 || body). Per-step errors are results, not op errors; a failed step changes nothing",
            input: &[
                ("sk", "hex, 32"),
                ("hka", "hex, 32"),
                ("nhkb", "hex, 32"),
                ("ad", "hex, 32"),
                ("alice_secret", "hex, 32: Alice's first ratchet secret"),
                ("bob_secret", "hex, 32: Bob's ratchet secret (his signed prekey)"),
                ("steps", "list of `{action: send, from, plaintext, r}` (RatchetEncrypt with randomness `r`, 24 bytes), `{action: lose, from, count}` (`count` messages of empty plaintext with `r` = zeros(24) are encrypted and lost), `{action: receive, to, message, secret}` (RatchetDecrypt of `message` with the fresh secret `secret`); from/to: `alice` or `bob`"),
            ],
            output: &[("results", "list, one per step: send `{message}`, lose `{}`, receive `{plaintext}`, or `{error}`: NoSendingChain, Replay, TooManySkipped, AuthenticationFailed, Malformed, UnsupportedVersion (NonContributory and ChainExhausted cannot be reached by these steps)")],
            errors: &[],
        },
        Op {
            name: "padme",
            section: "SPEC.md section 10 (Padme, PETS 2019 Algorithm 1)",
            reqs: &["REQ-PAD-001"],
            summary: "padme(L), for L <= 2^63",
            input: &[("len", "int (u64)")],
            output: &[("padded_len", "int")],
            errors: &[("Malformed", "`len` > 2^63")],
        },
        Op {
            name: "padding_pad",
            section: "SPEC.md section 10",
            reqs: &["REQ-PAD-001"],
            summary: "u32(len(c)) || c || zeros, to padme(max(len(c) + 4, 256))",
            input: &[("content", "hex")],
            output: &[("padded", "hex")],
            errors: &[],
        },
        Op {
            name: "padding_unpad",
            section: "SPEC.md section 10",
            reqs: &["REQ-PAD-002"],
            summary: "strict unpadding",
            input: &[("padded", "hex")],
            output: &[("content", "hex")],
            errors: &[("Malformed", "shorter than 4 bytes, length not padme(max(n + 4, 256)), or non-zero fill")],
        },
        Op {
            name: "content_encode",
            section: "SPEC.md section 11",
            reqs: &["REQ-CONTENT-001"],
            summary: "encode a text or attachment pointer",
            input: &CONTENT,
            output: &[("encoded", "hex")],
            errors: &[("Malformed", "text not valid UTF-8 (RFC 3629), kind not 1-3, or length > 2^63")],
        },
        Op {
            name: "content_decode",
            section: "SPEC.md section 11",
            reqs: &["REQ-CONTENT-001"],
            summary: "decode a content strictly",
            input: &[("encoded", "hex")],
            output: &CONTENT,
            errors: &[("Malformed", "unknown tag or kind, invalid UTF-8, text length field mismatch, length > 2^63, missing or trailing bytes")],
        },
        Op {
            name: "envelope_seal",
            section: "SPEC.md section 12 (sealing)",
            reqs: &["REQ-ENV-001", "REQ-ENV-003", "REQ-ENV-005", "REQ-SUITE-001"],
            summary: "seal `payload` from the sender to the recipient's identity key and mailbox",
            input: &[
                ("sender_handle", "hex"),
                ("sender_randomness", "hex, 64: the sender's identity randomness"),
                ("recipient_dh_pub", "hex, 32: IKdh_R"),
                ("mailbox", "hex, 16"),
                ("payload", "hex"),
                ("r", "hex, 32: the sender's randomness (e is its hedge, SPEC.md section 12 step 1)"),
            ],
            output: &[("envelope", "hex")],
            errors: &[
                ("InvalidHandle", "`sender_handle` does not parse (SPEC.md 5), checked before anything else"),
                ("NonContributory", "DHe or DHs is all zero"),
            ],
        },
        Op {
            name: "envelope_open",
            section: "SPEC.md section 12 (opening, steps 1-8 in order)",
            reqs: &["REQ-ENV-001", "REQ-ENV-002", "REQ-ID-001", "REQ-SUITE-001"],
            summary: "open an envelope with the recipient's identity DH secret",
            input: &[("dh_secret", "hex, 32: IKdh_R's secret"), ("mailbox", "hex, 16: the recipient's mailbox"), ("envelope", "hex")],
            output: &[("sender", "hex: the sender's EncIdentity (binding verified)"), ("payload", "hex")],
            errors: &[
                ("UnsupportedVersion", "first byte is not 0x01"),
                ("Malformed", "empty, or too short for mailbox, E, c1 and a 16-byte c2; or the opened identity does not decode"),
                ("WrongRecipient", "the mailbox differs"),
                ("NonContributory", "DHe or DHs is all zero"),
                ("AuthenticationFailed", "c1 or c2 does not open"),
                ("InvalidHandle", "the opened identity's handle is not canonical"),
                ("InvalidSignature", "the opened identity's binding fails"),
            ],
        },
        Op {
            name: "attachment_ciphertext_len",
            section: "SPEC.md section 13",
            reqs: &["REQ-ATT-001"],
            summary: "32 + padme(length) + 16 * max(1, ceil(padme(length) / 65536))",
            input: &[("length", "int (u64)")],
            output: &[("ciphertext_len", "int")],
            errors: &[("Malformed", "`length` > 2^63")],
        },
        Op {
            name: "attachment_keys",
            section: "SPEC.md section 13 step 1",
            reqs: &["REQ-ATT-003"],
            summary: "OKM = HKDF(zeros(32), K, \"XCHAT-1 attachment key\", 64); enc_key = OKM[0..32], commitment = OKM[32..64]",
            input: &[("key", "hex, 32: the pointer key K")],
            output: &[("enc_key", "hex, 32: the chunk key"), ("commitment", "hex, 32: the first 32 bytes of the ciphertext")],
            errors: &[],
        },
        Op {
            name: "attachment_seal_chunk",
            section: "SPEC.md section 13 step 4",
            reqs: &["REQ-ATT-001"],
            summary: "AEAD(enc_key, zeros(3) || u64(index) || u8(last), \"XCHAT-1 attachment chunk\", chunk)",
            input: &[("enc_key", "hex, 32: the chunk key (attachment_keys), not K"), ("index", "int (u64)"), ("last", "bool"), ("chunk", "hex")],
            output: &[("sealed", "hex")],
            errors: &[("Malformed", "a chunk that is not last is not 65536 bytes, or a last chunk is longer")],
        },
        Op {
            name: "attachment_open_chunk",
            section: "SPEC.md section 13",
            reqs: &["REQ-ATT-001"],
            summary: "open one sealed chunk under the chunk key with its index and last flag",
            input: &[("enc_key", "hex, 32: the chunk key (attachment_keys), not K"), ("index", "int"), ("last", "bool"), ("sealed", "hex")],
            output: &[("chunk", "hex")],
            errors: &[
                ("Malformed", "not last and not 65552 bytes, or last and not 16-65552 bytes"),
                ("AuthenticationFailed", "the tag does not verify"),
            ],
        },
        Op {
            name: "attachment_seal",
            section: "SPEC.md section 13",
            reqs: &["REQ-ATT-001", "REQ-ATT-003"],
            summary: "derive enc_key and commitment from K; pad to padme(len), cut into 65536-byte chunks, seal each under enc_key (STREAM); the pointer is K and len(file)",
            input: &[("key", "hex, 32: K"), ("file", "hex")],
            output: &[("ciphertext", "hex: commitment (32) || sealed chunks, 32 + P + 16 n bytes")],
            errors: &[],
        },
        Op {
            name: "attachment_open",
            section: "SPEC.md section 13",
            reqs: &["REQ-ATT-002", "REQ-ATT-003"],
            summary: "check length, key commitment, every chunk, zero fill (in that order)",
            input: &[("key", "hex, 32: the pointer's K"), ("length", "int (u64): the pointer's length"), ("ciphertext", "hex")],
            output: &[("file", "hex")],
            errors: &[
                ("Malformed", "ciphertext length is not ciphertext_len(length), or the fill is not zero"),
                ("AuthenticationFailed", "the first 32 bytes are not K's commitment (e.g. sealed under another key; no chunk is opened), or a chunk does not open at its index and flag"),
            ],
        },
        Op {
            name: "fingerprint",
            section: "SPEC.md section 14",
            reqs: &["REQ-FP-001"],
            summary: "the 30-digit fingerprint of an identity (5200 iterations)",
            input: &[("identity", "hex: EncIdentity (decoded strictly, binding not verified)")],
            output: &[("fingerprint", "text: 30 ASCII digits")],
            errors: &DECODE_ID,
        },
        Op {
            name: "safety_number",
            section: "SPEC.md section 14",
            reqs: &["REQ-FP-001"],
            summary: "the two fingerprints, the smaller first",
            input: &[("a", "hex: EncIdentity"), ("b", "hex: EncIdentity")],
            output: &[("safety_number", "text: 60 ASCII digits")],
            errors: &DECODE_ID,
        },
        Op {
            name: "session_run",
            section: "SPEC.md sections 15 and 16 (spec/src/scenario.rs, the scripted runner)",
            reqs: &["REQ-SESSION-001", "REQ-SESSION-002", "REQ-HS-004", "REQ-HS-005", "REQ-HS-006", "REQ-ENV-004", "REQ-PEER-001", "REQ-PEER-002", "REQ-ROUTE-001", "REQ-ROUTE-002", "REQ-ROUTE-003", "REQ-ROUTE-004", "REQ-PREKEY-001"],
            summary: "a whole multi-party scenario (alice, bob, carol, and mallory, whose identity claims the handle alice) from a seed and a script (see README: the set-up and randomness derivation)",
            input: &[
                ("seed", "hex, 32"),
                ("with_opk", "bool: each party's store holds one-time prekey 7"),
                ("pq_kind", "int: kind of each party's PQ prekey 3"),
                ("events", "list of `{action: start, from, to}`, `{action: send, from, to, text}` (text: hex, UTF-8), `{action: deliver, index}`, `{action: drop, index}`, `{action: duplicate, index}`, `{action: tamper, index, byte, mask}`, `{action: accept_identity, who, of}`, `{action: rotate_prekey, who}`, `{action: snapshot, who}`, `{action: restore, who}`; parties are `alice`, `bob`, `carol`, `mallory`"),
            ],
            output: &[
                ("wire", "list of hex: every envelope sent, by index"),
                ("outcomes", "list, one per event: `{outcome: started, from, to}`, `{outcome: start_failed, from, to, error}`, `{outcome: sent, index, from, to}`, `{outcome: send_failed, from, to, error}`, `{outcome: delivered, index, to, content}`, `{outcome: identity_changed, index, to, offered}` (offered: hex EncIdentity), `{outcome: rejected, index, to, error}`, `{outcome: done}`, `{outcome: ignored}`"),
            ],
            errors: &[],
        },
        Op {
            name: "session_receive_responder",
            section: "SPEC.md section 15 (receiving), passive",
            reqs: &["REQ-SESSION-001", "REQ-SESSION-002", "REQ-HS-003", "REQ-HS-004", "REQ-ENV-004", "REQ-RATCHET-006"],
            summary: "passive vector: Bob's secrets and the envelopes he receives, in order; every delivery is received by Bob's account (SPEC.md 15.2: no contacts at first, this prekey store), which a failed delivery leaves unchanged",
            input: join(&[
                &STORE,
                &[
                    ("mailbox", "hex, 16: Bob's mailbox"),
                    ("deliveries", "list of `{envelope, secret}`: the envelope and the 32-byte fresh ratchet secret of that receive"),
                ],
            ]),
            output: &[RECEIVE_RESULTS],
            errors: &[],
        },
        Op {
            name: "session_receive_initiator",
            section: "SPEC.md section 15 (receiving), passive",
            reqs: &["REQ-SESSION-001", "REQ-SESSION-002", "REQ-HS-005", "REQ-RATCHET-006"],
            summary: "passive vector: Alice's account (an empty prekey store, spk_id 0) starts a session from Bob's bundle (SPEC.md 15.1 `start`), then receives the envelopes in order",
            input: &[
                ("handle", "hex"),
                ("identity_randomness", "hex, 64"),
                ("peer", "hex: Bob's handle"),
                ("bundle", "hex: Bob's bundle"),
                ("ek_secret", "hex, 32"),
                ("kem_m", "hex, 32"),
                ("ratchet_secret", "hex, 32"),
                ("mailbox", "hex, 16: Alice's mailbox"),
                ("deliveries", "list of `{envelope, secret}`"),
            ],
            output: &[RECEIVE_RESULTS],
            errors: &[],
        },
    ]
}

/// The op named `name`.
pub fn find(name: &str) -> Option<Op> {
    all().into_iter().find(|o| o.name == name)
}
