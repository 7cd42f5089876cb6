//! The Double Ratchet with header encryption (SPEC.md section 9): Signal's
//! Double Ratchet specification (revision 1, 2016-11-20), section 4, with
//! the concrete functions of XCHAT-1.
//!
//! Each function below is the one of the same name in Signal's section 4
//! (`KDF_RK_HE` is [`kdf_rk_he`], `DecryptHeader` is [`decrypt_header`], ...),
//! rewritten in the spec's style: the state is passed by shared reference and
//! the new state is returned, so a failed operation leaves the caller's state
//! exactly as it was (REQ-RATCHET-003). Where Signal leaves a choice open,
//! XCHAT-1 fixes it:
//!
//! * bounds are checked before any work: a hostile header number never
//!   triggers more than `MAX_SKIP` chain steps, and never overflows `Nr`;
//! * `MKSKIPPED` is an ordered list, oldest first, capped at
//!   `MAX_SKIPPED_TOTAL` entries by evicting the oldest;
//! * a message that was already decrypted is reported as `Replay`.
//!
//! Trial decryption over `MKSKIPPED` decrypts the header once per header key,
//! not once per entry: entries are appended chain by chain, so the entries of
//! one chain are contiguous and share their header key.

use crate::encoding::{enc_x25519, read_u32, read_u8, read_version, read_x25519, u32_be, VERSION};
use crate::suite::{
    dh, kdf, key_at, public_key, LABEL_HEADER, LABEL_MESSAGE_KEY, LABEL_ROOT_RATCHET,
};
use crate::{chacha20poly1305, hmac, xchacha20poly1305, Error};

/// Most message keys skipped in one chain by one message (SPEC.md
/// REQ-RATCHET-004; Signal section 3.5 `MAX_SKIP`).
pub const MAX_SKIP: u32 = 1000;
/// Most skipped message keys one session stores (SPEC.md REQ-RATCHET-005).
pub const MAX_SKIPPED_TOTAL: usize = 2000;
/// Length of `HEADER(dh, pn, n) = EncX(dh) || u32(pn) || u32(n)` (SPEC.md section 9).
pub const HEADER_LEN: usize = 41;
/// Length of the header nonce of `HENCRYPT` (SPEC.md section 9).
pub const HEADER_NONCE_LEN: usize = 24;
/// Length of `HENCRYPT(hk, header, nonce)`: nonce, header, tag (SPEC.md section 9).
pub const ENC_HEADER_LEN: usize = 81;
/// Length of an AEAD tag, the ciphertext expansion of `ENCRYPT` (RFC 8439 section 2.8).
pub const TAG_LEN: usize = 16;
/// Message type of a prekey message (SPEC.md section 8).
pub const MSG_PREKEY: u8 = 0x01;
/// Message type of a ratchet message (SPEC.md section 9.4).
pub const MSG_RATCHET: u8 = 0x02;

/// One entry of `MKSKIPPED`: the header key of the chain, the message number
/// and its message key (SPEC.md section 9.1; Signal section 4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkippedKey {
    pub hk: [u8; 32],
    pub n: u32,
    pub mk: [u8; 32],
}

/// The state variables of SPEC.md section 9.1 (Signal section 4.3). `None`
/// is the specification's "none".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RatchetState {
    /// `DHs`, our ratchet key pair: secret part.
    pub dhs_secret: [u8; 32],
    /// `DHs`, our ratchet key pair: public part.
    pub dhs_public: [u8; 32],
    pub dhr: Option<[u8; 32]>,
    pub rk: [u8; 32],
    pub cks: Option<[u8; 32]>,
    pub ckr: Option<[u8; 32]>,
    pub hks: Option<[u8; 32]>,
    pub hkr: Option<[u8; 32]>,
    pub nhks: [u8; 32],
    pub nhkr: [u8; 32],
    pub ns: u32,
    pub nr: u32,
    pub pn: u32,
    /// `MKSKIPPED`, oldest first.
    pub mkskipped: Vec<SkippedKey>,
}

/// A decoded `HEADER(dh, pn, n)` (SPEC.md section 9; Signal section 3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub dh: [u8; 32],
    pub pn: u32,
    pub n: u32,
}

/// The output of `KDF_RK_HE`: (new root key, chain key, next header key).
pub type RootKdfOutput = ([u8; 32], [u8; 32], [u8; 32]);

/// `KDF_RK_HE(rk, dh_out)`: HKDF with the root key as salt, giving the new
/// root key, a chain key and the next header key (SPEC.md section 9,
/// REQ-RATCHET-001; Signal section 4.2).
pub fn kdf_rk_he(rk: &[u8; 32], dh_out: &[u8; 32]) -> Result<RootKdfOutput, Error> {
    let okm = kdf(rk, dh_out, LABEL_ROOT_RATCHET, 96)?;
    Ok((key_at(&okm, 0), key_at(&okm, 32), key_at(&okm, 64)))
}

/// `KDF_CK(ck) = (HMAC(ck, 0x02), HMAC(ck, 0x01))`: the next chain key and
/// the message key (SPEC.md section 9, REQ-RATCHET-001; Signal sections 3.1
/// and 5.2).
pub fn kdf_ck(ck: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
    let mk = hmac::hmac_sha256(ck, &[0x01]);
    let next = hmac::hmac_sha256(ck, &[0x02]);
    (next, mk)
}

/// `HEADER(dh, pn, n) = EncX(dh) || u32(pn) || u32(n)` (SPEC.md section 9,
/// REQ-RATCHET-001; Signal section 3.1).
pub fn header(dh: &[u8; 32], pn: u32, n: u32) -> [u8; HEADER_LEN] {
    let mut out = [0u8; HEADER_LEN];
    let key = enc_x25519(dh);
    let pn_bytes = u32_be(pn);
    let n_bytes = u32_be(n);
    for i in 0..33 {
        out[i] = key[i];
    }
    for i in 0..4 {
        out[33 + i] = pn_bytes[i];
        out[37 + i] = n_bytes[i];
    }
    out
}

/// Decodes a header strictly (SPEC.md section 9). `n = 2^32 - 1` does not
/// decode: no sender produces it (section 9.3 step 1), and rejecting it here
/// keeps the receiver's `Nr + 1` in range.
pub fn read_header(bytes: &[u8]) -> Result<Header, Error> {
    let (dh, pos) = read_x25519(bytes, 0)?;
    let (pn, pos) = read_u32(bytes, pos)?;
    let (n, pos) = read_u32(bytes, pos)?;
    crate::encoding::expect_end(bytes, pos)?;
    if n == u32::MAX {
        Err(Error::Malformed)
    } else {
        Ok(Header { dh, pn, n })
    }
}

/// `HENCRYPT(hk, header, nonce) = nonce || XAEAD(hk, nonce, "XCHAT-1 header", header)`
/// (SPEC.md section 9, REQ-RATCHET-001; Signal section 4.2).
pub fn hencrypt(
    hk: &[u8; 32],
    header: &[u8; HEADER_LEN],
    nonce: &[u8; HEADER_NONCE_LEN],
) -> Vec<u8> {
    let mut out = nonce.to_vec();
    out.extend_from_slice(&xchacha20poly1305::seal(hk, nonce, LABEL_HEADER, header));
    out
}

/// `HDECRYPT(hk, enc_header)`: the header, or `None` if `enc_header` is not
/// exactly `ENC_HEADER_LEN = 81` bytes, does not authenticate under `hk`, or
/// does not decode (SPEC.md section 9, REQ-RATCHET-001; Signal section
/// 4.2). A wrong length gives nothing, like a failed open, so that trial
/// decryption treats every foreign input alike.
pub fn hdecrypt(hk: &[u8; 32], enc_header: &[u8]) -> Option<Header> {
    let mut result = None;
    if enc_header.len() == ENC_HEADER_LEN {
        let nonce = header_nonce_of(enc_header);
        let sealed = &enc_header[HEADER_NONCE_LEN..];
        if let Ok(plain) = xchacha20poly1305::open(hk, &nonce, LABEL_HEADER, sealed) {
            if let Ok(h) = read_header(&plain) {
                result = Some(h);
            }
        }
    }
    result
}

/// The header nonce `enc_header[0..24]`, written in clear by `HENCRYPT`
/// (SPEC.md section 9). Bytes past the end read as zero; every caller has
/// checked that `enc_header` is 81 bytes.
pub fn header_nonce_of(enc_header: &[u8]) -> [u8; HEADER_NONCE_LEN] {
    let mut nonce = [0u8; HEADER_NONCE_LEN];
    for i in 0..HEADER_NONCE_LEN {
        if i < enc_header.len() {
            nonce[i] = enc_header[i];
        }
    }
    nonce
}

/// The three outputs of `MSGKEYS(mk)`: the message AEAD key, the 12-byte
/// nonce base and the hedge key.
pub type MessageKeys = ([u8; 32], [u8; 12], [u8; 32]);

/// `MSGKEYS(mk)`: `OKM = HKDF(zeros(32), mk, "XCHAT-1 message key", 76)`
/// split 32 + 12 + 32 into `(key, nonce_base, hedge_key)` (SPEC.md section
/// 9, REQ-RATCHET-001; the KDF of Signal section 5.2, longer by the hedge
/// key).
pub fn msgkeys(mk: &[u8; 32]) -> Result<MessageKeys, Error> {
    let okm = kdf(&[0u8; 32], mk, LABEL_MESSAGE_KEY, 76)?;
    let mut nonce_base = [0u8; 12];
    for i in 0..12 {
        nonce_base[i] = okm[32 + i];
    }
    Ok((key_at(&okm, 0), nonce_base, key_at(&okm, 44)))
}

/// `HEDGE(mk, r, plaintext) = HMAC(hedge_key, r || plaintext)[0..24]`, the
/// header nonce of a message (SPEC.md section 9.3 step 3, REQ-RATCHET-009).
/// `r` is the sender's fresh randomness; the nonce depends on the message
/// key as well, and on the plaintext, so that neither a repeated `r` nor a
/// restored state alone, nor both together with another plaintext, repeat
/// a nonce under one key.
pub fn hedge_nonce(
    mk: &[u8; 32],
    r: &[u8; HEADER_NONCE_LEN],
    plaintext: &[u8],
) -> Result<[u8; HEADER_NONCE_LEN], Error> {
    let (_, _, hedge_key) = msgkeys(mk)?;
    let mut input = r.to_vec();
    input.extend_from_slice(plaintext);
    let tag = hmac::hmac_sha256(&hedge_key, &input);
    let mut nonce = [0u8; HEADER_NONCE_LEN];
    for i in 0..HEADER_NONCE_LEN {
        nonce[i] = tag[i];
    }
    Ok(nonce)
}

/// The body nonce `nonce_base XOR nonce[0..12]` (SPEC.md section 9,
/// REQ-RATCHET-009).
fn body_nonce(nonce_base: &[u8; 12], header_nonce: &[u8; HEADER_NONCE_LEN]) -> [u8; 12] {
    let mut out = [0u8; 12];
    for i in 0..12 {
        out[i] = nonce_base[i] ^ header_nonce[i];
    }
    out
}

/// Precondition of [`encrypt_mk`] (and so of [`encrypt`]): the plaintext
/// length limit of RFC 8439 section 2.8.
pub fn pre_encrypt(plaintext_len: usize) -> bool {
    chacha20poly1305::pre_seal(plaintext_len)
}

/// `ENCRYPT(mk, nonce, plaintext, aad) = AEAD(key, nonce_base XOR nonce[0..12], aad, plaintext)`
/// with `(key, nonce_base, _) = MSGKEYS(mk)` and `nonce` the message's
/// header nonce (SPEC.md section 9, REQ-RATCHET-001, REQ-RATCHET-009;
/// Signal sections 3.1 and 5.2). Named `encrypt_mk` because [`encrypt`] is
/// `RatchetEncrypt`.
#[cfg_attr(hax, hax_lib::requires(pre_encrypt(plaintext.len())))]
pub fn encrypt_mk(
    mk: &[u8; 32],
    nonce: &[u8; HEADER_NONCE_LEN],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, Error> {
    let (key, nonce_base, _) = msgkeys(mk)?;
    Ok(chacha20poly1305::seal(
        &key,
        &body_nonce(&nonce_base, nonce),
        aad,
        plaintext,
    ))
}

/// `DECRYPT(mk, nonce, ciphertext, aad)`, the inverse of [`encrypt_mk`]
/// (SPEC.md section 9; Signal sections 3.1 and 5.2). Any failure is
/// `AuthenticationFailed`.
pub fn decrypt_mk(
    mk: &[u8; 32],
    nonce: &[u8; HEADER_NONCE_LEN],
    ciphertext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, Error> {
    let (key, nonce_base, _) = msgkeys(mk)?;
    match chacha20poly1305::open(&key, &body_nonce(&nonce_base, nonce), aad, ciphertext) {
        Ok(plaintext) => Ok(plaintext),
        Err(_) => Err(Error::AuthenticationFailed),
    }
}

/// The message AEAD's associated data `AD || prefix || enc_header` (SPEC.md
/// sections 9.3 and 9.5; Signal section 4.5 `CONCAT(AD, enc_header)`).
fn associated_data(ad: &[u8; 32], prefix: &[u8], enc_header: &[u8]) -> Vec<u8> {
    let mut out = ad.to_vec();
    out.extend_from_slice(prefix);
    out.extend_from_slice(enc_header);
    out
}

/// `RatchetInitAliceHE` (SPEC.md section 9.2, REQ-RATCHET-007; Signal
/// section 4.4). Fails with `NonContributory` if Bob's ratchet key has
/// small order.
pub fn init_alice(
    sk: &[u8; 32],
    bob_ratchet_pub: &[u8; 32],
    hka: &[u8; 32],
    nhkb: &[u8; 32],
    secret: &[u8; 32],
) -> Result<RatchetState, Error> {
    let (rk, cks, nhks) = kdf_rk_he(sk, &dh(secret, bob_ratchet_pub)?)?;
    Ok(RatchetState {
        dhs_secret: *secret,
        dhs_public: public_key(secret),
        dhr: Some(*bob_ratchet_pub),
        rk,
        cks: Some(cks),
        ckr: None,
        hks: Some(*hka),
        hkr: None,
        nhks,
        nhkr: *nhkb,
        ns: 0,
        nr: 0,
        pn: 0,
        mkskipped: Vec::new(),
    })
}

/// `RatchetInitBobHE` (SPEC.md section 9.2; Signal section 4.4). Bob's
/// ratchet key pair is his signed prekey.
pub fn init_bob(
    sk: &[u8; 32],
    bob_ratchet_secret: &[u8; 32],
    hka: &[u8; 32],
    nhkb: &[u8; 32],
) -> RatchetState {
    RatchetState {
        dhs_secret: *bob_ratchet_secret,
        dhs_public: public_key(bob_ratchet_secret),
        dhr: None,
        rk: *sk,
        cks: None,
        ckr: None,
        hks: None,
        hkr: None,
        nhks: *nhkb,
        nhkr: *hka,
        ns: 0,
        nr: 0,
        pn: 0,
        mkskipped: Vec::new(),
    }
}

/// `RatchetEncryptHE` (SPEC.md section 9.3, REQ-RATCHET-002,
/// REQ-RATCHET-009; Signal section 4.5): returns the new state and
/// `RatchetBody = enc_header || ciphertext`. `r` must be fresh randomness;
/// the header nonce is `HEDGE(mk, r, plaintext)`, so a repeated `r` or a
/// restored state never repeats a (key, nonce) pair for another plaintext.
#[cfg_attr(hax, hax_lib::requires(pre_encrypt(plaintext.len())))]
pub fn encrypt(
    state: &RatchetState,
    ad: &[u8; 32],
    prefix: &[u8],
    plaintext: &[u8],
    r: &[u8; HEADER_NONCE_LEN],
) -> Result<(RatchetState, Vec<u8>), Error> {
    let (cks, hks) = match (state.cks, state.hks) {
        (Some(ck), Some(hk)) => (ck, hk),
        _ => return Err(Error::NoSendingChain),
    };
    if state.ns == u32::MAX {
        return Err(Error::ChainExhausted);
    }
    let (next_ck, mk) = kdf_ck(&cks);
    let nonce = hedge_nonce(&mk, r, plaintext)?;
    let enc_header = hencrypt(&hks, &header(&state.dhs_public, state.pn, state.ns), &nonce);
    let mut next = state.clone();
    next.cks = Some(next_ck);
    next.ns = state.ns + 1;
    let ciphertext = encrypt_mk(
        &mk,
        &nonce,
        plaintext,
        &associated_data(ad, prefix, &enc_header),
    )?;
    let mut body = enc_header;
    body.extend_from_slice(&ciphertext);
    Ok((next, body))
}

/// `TrySkippedMessageKeysHE` (SPEC.md section 9.5 step 1, REQ-RATCHET-008;
/// Signal section 4.6): if the header matches a stored skipped key, decrypts
/// with it and deletes it. `Ok(None)` means no entry matched.
pub fn try_skipped_message_keys_he(
    state: &RatchetState,
    enc_header: &[u8],
    ciphertext: &[u8],
    aad: &[u8],
) -> Result<Option<(RatchetState, Vec<u8>)>, Error> {
    match find_skipped(&state.mkskipped, enc_header) {
        None => Ok(None),
        Some(index) => {
            let plaintext = decrypt_mk(
                &state.mkskipped[index].mk,
                &header_nonce_of(enc_header),
                ciphertext,
                aad,
            )?;
            let mut next = state.clone();
            next.mkskipped = remove_at(&state.mkskipped, index);
            Ok(Some((next, plaintext)))
        }
    }
}

/// Index of the first entry `(hk, n, mk)` with `HDECRYPT(hk, enc_header).n = n`
/// (SPEC.md section 9.5 step 1). The header is decrypted once per run of
/// entries sharing a header key (one chain's entries are contiguous).
fn find_skipped(skipped: &[SkippedKey], enc_header: &[u8]) -> Option<usize> {
    let mut found = None;
    let mut header: Option<Header> = None;
    for i in 0..skipped.len() {
        if found.is_none() {
            if i == 0 || skipped[i].hk != skipped[i - 1].hk {
                header = hdecrypt(&skipped[i].hk, enc_header);
            }
            if let Some(h) = header {
                if h.n == skipped[i].n {
                    found = Some(i);
                }
            }
        }
    }
    found
}

/// Whether `enc_header` decrypts under the header key of any `MKSKIPPED`
/// entry: a message of an old chain (SPEC.md section 9.5 step 3,
/// REQ-RATCHET-006).
fn decrypts_under_skipped(skipped: &[SkippedKey], enc_header: &[u8]) -> bool {
    let mut found = false;
    for i in 0..skipped.len() {
        if !found && (i == 0 || skipped[i].hk != skipped[i - 1].hk) {
            found = hdecrypt(&skipped[i].hk, enc_header).is_some();
        }
    }
    found
}

/// `skipped` without entry `index`.
fn remove_at(skipped: &[SkippedKey], index: usize) -> Vec<SkippedKey> {
    let mut out = Vec::new();
    for i in 0..skipped.len() {
        if i != index {
            out.push(skipped[i]);
        }
    }
    out
}

/// The newest `MAX_SKIPPED_TOTAL` entries of `skipped`: the oldest are
/// evicted first (SPEC.md REQ-RATCHET-005).
pub fn evict_oldest(skipped: &[SkippedKey]) -> Vec<SkippedKey> {
    let excess = skipped.len().saturating_sub(MAX_SKIPPED_TOTAL);
    let mut out = Vec::new();
    for i in excess..skipped.len() {
        out.push(skipped[i]);
    }
    out
}

/// `DecryptHeader` (SPEC.md section 9.5 steps 2 and 3, REQ-RATCHET-006;
/// Signal section 4.6): the header and whether it starts a new receiving
/// chain (a DH ratchet step). A header of the current chain numbered below
/// `Nr` is a `Replay`, as is one of an old chain still in `MKSKIPPED`.
pub fn decrypt_header(state: &RatchetState, enc_header: &[u8]) -> Result<(Header, bool), Error> {
    let current = match state.hkr {
        Some(hk) => hdecrypt(&hk, enc_header),
        None => None,
    };
    match current {
        Some(h) if h.n < state.nr => Err(Error::Replay),
        Some(h) => Ok((h, false)),
        None => match hdecrypt(&state.nhkr, enc_header) {
            Some(h) => Ok((h, true)),
            None if decrypts_under_skipped(&state.mkskipped, enc_header) => Err(Error::Replay),
            None => Err(Error::AuthenticationFailed),
        },
    }
}

/// `SkipMessageKeysHE(state, until)` (SPEC.md section 9.5 "Skipping",
/// REQ-RATCHET-004 and REQ-RATCHET-005; Signal section 4.6). The bound is
/// checked first, in `u64` so that it cannot overflow, and before any chain
/// step: a hostile `until` costs nothing.
pub fn skip_message_keys_he(state: &RatchetState, until: u32) -> Result<RatchetState, Error> {
    if u64::from(state.nr) + u64::from(MAX_SKIP) < u64::from(until) {
        return Err(Error::TooManySkipped);
    }
    let mut next = state.clone();
    if let (Some(ck_start), Some(hk)) = (state.ckr, state.hkr) {
        let mut ck = ck_start;
        for n in state.nr..until {
            let (next_ck, mk) = kdf_ck(&ck);
            ck = next_ck;
            next.mkskipped.push(SkippedKey { hk, n, mk });
        }
        next.ckr = Some(ck);
        if until > state.nr {
            next.nr = until;
        }
        next.mkskipped = evict_oldest(&next.mkskipped);
    }
    Ok(next)
}

/// `DHRatchetHE(state, header)` with our new ratchet secret `secret`
/// (SPEC.md section 9.5 step 3, REQ-RATCHET-007; Signal section 4.6). An
/// all-zero DH output is `NonContributory`.
pub fn dh_ratchet_he(
    state: &RatchetState,
    header: &Header,
    secret: &[u8; 32],
) -> Result<RatchetState, Error> {
    let (rk_recv, ckr, nhkr) = kdf_rk_he(&state.rk, &dh(&state.dhs_secret, &header.dh)?)?;
    let (rk, cks, nhks) = kdf_rk_he(&rk_recv, &dh(secret, &header.dh)?)?;
    let mut next = state.clone();
    next.pn = state.ns;
    next.ns = 0;
    next.nr = 0;
    next.hks = Some(state.nhks);
    next.hkr = Some(state.nhkr);
    next.dhr = Some(header.dh);
    next.ckr = Some(ckr);
    next.nhkr = nhkr;
    next.dhs_secret = *secret;
    next.dhs_public = public_key(secret);
    next.rk = rk;
    next.cks = Some(cks);
    next.nhks = nhks;
    Ok(next)
}

/// One step of the receiving chain: `(CKr, mk) = KDF_CK(CKr)`, `Nr = Nr + 1`
/// (SPEC.md section 9.5 step 4; Signal section 4.6). `CKr` is set whenever
/// a header decrypted (it is set with `HKr`), and `Nr < 2^32 - 1` because a
/// header never carries `n = 2^32 - 1`; both arms are checked anyway.
fn step_receiving_chain(state: &RatchetState) -> Result<(RatchetState, [u8; 32]), Error> {
    match state.ckr {
        Some(ck) if state.nr < u32::MAX => {
            let (next_ck, mk) = kdf_ck(&ck);
            let mut next = state.clone();
            next.ckr = Some(next_ck);
            next.nr = state.nr + 1;
            Ok((next, mk))
        }
        _ => Err(Error::Malformed),
    }
}

/// Splits a `RatchetBody` into `enc_header` and the ciphertext; anything
/// shorter than a header and a tag is `Malformed` (SPEC.md section 9.4).
pub fn split_body(body: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
    if body.len() < ENC_HEADER_LEN + TAG_LEN {
        Err(Error::Malformed)
    } else {
        Ok((
            body[..ENC_HEADER_LEN].to_vec(),
            body[ENC_HEADER_LEN..].to_vec(),
        ))
    }
}

/// `RatchetDecryptHE` (SPEC.md section 9.5, REQ-RATCHET-003; Signal section
/// 4.6) on a `RatchetBody`, with `secret` the fresh ratchet secret used only
/// if a DH ratchet step happens. Returns the new state and the plaintext;
/// on any error the caller keeps `state`.
pub fn decrypt(
    state: &RatchetState,
    ad: &[u8; 32],
    prefix: &[u8],
    body: &[u8],
    secret: &[u8; 32],
) -> Result<(RatchetState, Vec<u8>), Error> {
    let (enc_header, ciphertext) = split_body(body)?;
    let aad = associated_data(ad, prefix, &enc_header);
    match try_skipped_message_keys_he(state, &enc_header, &ciphertext, &aad)? {
        Some(done) => Ok(done),
        None => decrypt_new(state, &enc_header, &ciphertext, &aad, secret),
    }
}

/// Steps 2-4 of SPEC.md section 9.5 (the part of Signal section 4.6 after
/// `TrySkippedMessageKeysHE`): a message of the current or the next chain.
fn decrypt_new(
    state: &RatchetState,
    enc_header: &[u8],
    ciphertext: &[u8],
    aad: &[u8],
    secret: &[u8; 32],
) -> Result<(RatchetState, Vec<u8>), Error> {
    let (header, dh_ratchet) = decrypt_header(state, enc_header)?;
    let chain = if dh_ratchet {
        dh_ratchet_he(&skip_message_keys_he(state, header.pn)?, &header, secret)?
    } else {
        state.clone()
    };
    let skipped = skip_message_keys_he(&chain, header.n)?;
    let (next, mk) = step_receiving_chain(&skipped)?;
    let plaintext = decrypt_mk(&mk, &header_nonce_of(enc_header), ciphertext, aad)?;
    Ok((next, plaintext))
}

/// `RatchetMessage = u8(0x01) || u8(0x02) || RatchetBody`: encrypts with
/// prefix `0x01 0x02` and the sender's fresh randomness `r` (SPEC.md
/// section 9.4, REQ-RATCHET-002).
#[cfg_attr(hax, hax_lib::requires(pre_encrypt(plaintext.len())))]
pub fn encrypt_message(
    state: &RatchetState,
    ad: &[u8; 32],
    plaintext: &[u8],
    r: &[u8; HEADER_NONCE_LEN],
) -> Result<(RatchetState, Vec<u8>), Error> {
    let prefix = [VERSION, MSG_RATCHET];
    let (next, body) = encrypt(state, ad, &prefix, plaintext, r)?;
    let mut message = prefix.to_vec();
    message.extend_from_slice(&body);
    Ok((next, message))
}

/// Decrypts a `RatchetMessage` (SPEC.md section 9.4, REQ-RATCHET-003): a
/// version other than `0x01` is `UnsupportedVersion`, a type other than
/// `0x02` is `Malformed`.
pub fn decrypt_message(
    state: &RatchetState,
    ad: &[u8; 32],
    message: &[u8],
    secret: &[u8; 32],
) -> Result<(RatchetState, Vec<u8>), Error> {
    let pos = read_version(message, 0)?;
    let (kind, pos) = read_u8(message, pos)?;
    if kind != MSG_RATCHET {
        return Err(Error::Malformed);
    }
    decrypt(state, ad, &[VERSION, MSG_RATCHET], &message[pos..], secret)
}
