//! Differential tests of the protocol modules of `xchat` (encoding, handle,
//! identity, bundle, fingerprint, padding, content, envelope, attachment)
//! against the executable specification `xchat_spec`: the same bytes for
//! every output given the same randomness (an RNG that replays the spec's
//! explicit randomness inputs), and the same decision and error kind for
//! every input, valid or mutated.
//!
//! Case counts are moderate so that the suite stays fast; `PROPTEST_CASES`
//! overrides them all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../../spec/tests/common/mod.rs"]
mod common;
mod harness;

use std::convert::Infallible;
use std::fmt::Debug;

use common::Tally;
use harness::{ours, run, theirs};
use proptest::prelude::*;

use xchat::attachment::{testing as att_testing, Tuning};
use xchat::content::{AttachmentPointer, CallKey, CallSignal, Content, MediaKind};
use xchat::error::AttachmentError;
use xchat::{
    attachment, bundle, content, encoding, envelope, fingerprint, handle, identity, padding,
};
use xchat_spec as spec;

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

/// An RNG that hands out exactly the given bytes, in order, and fails the
/// test if asked for more; [`Replay::done`] checks that all were used.
struct Replay {
    bytes: Vec<u8>,
    pos: usize,
}

impl Replay {
    fn new(parts: &[&[u8]]) -> Self {
        Self {
            bytes: parts.concat(),
            pos: 0,
        }
    }

    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

impl rand_core::TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        panic!("the protocol draws bytes only with fill_bytes")
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        panic!("the protocol draws bytes only with fill_bytes")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let end = self.pos + dst.len();
        assert!(
            end <= self.bytes.len(),
            "drew more randomness than the spec uses"
        );
        dst.copy_from_slice(&self.bytes[self.pos..end]);
        self.pos = end;
        Ok(())
    }
}

impl rand_core::TryCryptoRng for Replay {}

fn arr32() -> impl Strategy<Value = [u8; 32]> {
    any::<[u8; 32]>()
}

fn arr64() -> impl Strategy<Value = [u8; 64]> {
    prop::collection::vec(any::<u8>(), 64).prop_map(|v| v.try_into().unwrap())
}

/// A random valid handle (canonical or not).
fn handle_text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_]{1,15}"
}

fn spec_handle(s: &str) -> spec::handle::Handle {
    spec::handle::parse_handle(s.as_bytes()).unwrap()
}

fn our_handle(s: &str) -> handle::Handle {
    handle::parse_handle(s.as_bytes()).unwrap()
}

/// A spec identity and ours from the same handle and 64 random bytes.
fn identities(
    h: &str,
    r: &[u8; 64],
) -> (
    spec::identity::IdentitySecret,
    spec::identity::IdentityPublic,
    identity::IdentitySecret,
) {
    let (s_sec, s_pub) = spec::identity::generate(&spec_handle(h), r);
    let mut rng = Replay::new(&[r]);
    let o_sec = identity::generate(our_handle(h), &mut rng);
    assert!(rng.done());
    (s_sec, s_pub, o_sec)
}

/// A mutation of an encoding: flip bits of one byte, cut it short, extend
/// it, or overwrite one byte.
#[derive(Clone, Debug)]
enum Mutation {
    Flip { pos: usize, mask: u8 },
    Set { pos: usize, value: u8 },
    Truncate { len: usize },
    Extend { extra: Vec<u8> },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..).prop_map(|(pos, mask)| Mutation::Flip { pos, mask }),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(pos, value)| Mutation::Set { pos, value }),
        2 => any::<usize>().prop_map(|len| Mutation::Truncate { len }),
        1 => prop::collection::vec(any::<u8>(), 1..40).prop_map(|extra| Mutation::Extend { extra }),
    ]
}

/// `bytes` mutated; positions are taken modulo the length, so mutations that
/// matter are frequent whatever the structure's size (`focus` biases flips
/// into the first `focus` bytes half of the time, where the tags are).
fn mutate(bytes: &[u8], m: &Mutation, focus: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let pick = |pos: usize| {
        if !out.is_empty() && pos.is_multiple_of(2) && focus > 0 {
            (pos / 2) % focus.min(out.len())
        } else {
            pos % out.len().max(1)
        }
    };
    match m {
        Mutation::Flip { pos, mask } => {
            if !out.is_empty() {
                let p = pick(*pos);
                out[p] ^= mask;
            }
        }
        Mutation::Set { pos, value } => {
            if !out.is_empty() {
                let p = pick(*pos);
                out[p] = *value;
            }
        }
        Mutation::Truncate { len } => out.truncate(len % (bytes.len() + 1)),
        Mutation::Extend { extra } => out.extend_from_slice(extra),
    }
    out
}

// ---------------------------------------------------------------------------
// Encoding and handles
// ---------------------------------------------------------------------------

#[test]
fn diff_labels_and_constants() {
    let mut t = Tally::new("labels and encoding constants");
    assert_eq!(encoding::LABELS.len(), spec::suite::LABELS.len());
    for (a, b) in encoding::LABELS.iter().zip(spec::suite::LABELS.iter()) {
        assert_eq!(a, b);
        t.check();
    }
    assert!(spec::suite::labels_prefix_free(&encoding::LABELS));
    assert_eq!(encoding::VERSION, spec::encoding::VERSION);
    assert_eq!(encoding::ENC_KEM_LEN, spec::encoding::ENC_KEM_LEN);
    assert_eq!(
        [
            encoding::TAG_X25519,
            encoding::TAG_ED25519,
            encoding::TAG_ML_KEM_768
        ],
        [
            spec::encoding::TAG_X25519,
            spec::encoding::TAG_ED25519,
            spec::encoding::TAG_ML_KEM_768
        ]
    );
    assert_eq!(bundle::BUNDLE_LEN_NO_OPK, spec::bundle::BUNDLE_LEN_NO_OPK);
    assert_eq!(bundle::BUNDLE_LEN_OPK, spec::bundle::BUNDLE_LEN_OPK);
    assert_eq!(identity::IDENTITY_LEN, spec::identity::IDENTITY_LEN);
    assert_eq!(envelope::HEADER_LEN, spec::envelope::HEADER_LEN);
    assert_eq!(content::MAX_TEXT_LEN, spec::content::MAX_TEXT_LEN);
    assert_eq!(
        attachment::MAX_ATTACHMENT_LEN,
        spec::attachment::MAX_ATTACHMENT_LEN
    );
    t.finish(12);
}

/// Bytes that are often handle characters, sometimes anything.
fn handle_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        6 => prop::sample::select(b"abcxyzABCXYZ0189_".to_vec()),
        1 => any::<u8>(),
        1 => prop::sample::select(vec![0u8, b' ', b'@', b'-', 0x80, 0xC3, 0xFF, b'`', b'{', b'/', b':', b'[']),
    ]
}

#[test]
fn diff_parse_handle() {
    run(
        "parse_handle (random bytes)",
        2000,
        prop::collection::vec(handle_byte(), 0..18),
        |input| {
            let s =
                theirs(spec::handle::parse_handle(&input)).map(|h| spec::handle::enc_handle(&h));
            let o = ours(handle::parse_handle(&input)).map(|h| handle::enc_handle(&h));
            prop_assert_eq!(&s, &o);
            if let Ok(h) = handle::parse_handle(&input) {
                let sh = spec::handle::parse_handle(&input).unwrap();
                let sb = spec::handle::handle_bytes(&sh);
                prop_assert_eq!(handle::handle_bytes(&h), sb.as_slice());
                prop_assert_eq!(h.as_str().parse::<handle::Handle>().unwrap(), h);
            }
            Ok(())
        },
    );
}

#[test]
fn diff_read_handle() {
    // Encodings: a length byte near the valid range, canonical-ish bytes,
    // padding that is usually zero, and sometimes cut short.
    let strategy = (
        prop_oneof![4 => 0u8..17, 1 => any::<u8>()],
        prop::collection::vec(handle_byte(), 15),
        prop::collection::vec(prop_oneof![8 => Just(0u8), 1 => any::<u8>()], 15),
        0usize..40,
    );
    run(
        "read_handle (random encodings)",
        2000,
        strategy,
        |(len, chars, pad, cut)| {
            // Handle bytes: mostly lowercased (canonical), sometimes as drawn
            // (uppercase and other bytes must be InvalidHandle).
            let mut enc = vec![len];
            for i in 0..15 {
                enc.push(if i < usize::from(len) {
                    if pad[i] == 0 {
                        chars[i].to_ascii_lowercase()
                    } else {
                        chars[i]
                    }
                } else {
                    pad[i]
                });
            }
            if cut < 16 {
                enc.truncate(cut);
            }
            let s = theirs(spec::handle::read_handle(&enc, 0))
                .map(|(h, p)| (spec::handle::enc_handle(&h), p));
            let mut r = encoding::Reader::new(&enc);
            let o = ours(handle::read_handle(&mut r))
                .map(|h| (handle::enc_handle(&h), enc.len() - r.remaining()));
            prop_assert_eq!(s, o);
            Ok(())
        },
    );
}

#[test]
fn diff_reader_primitives() {
    run(
        "encoding readers (random bytes)",
        1000,
        (
            prop::collection::vec(prop_oneof![3 => 0u8..4, 1 => any::<u8>()], 0..40),
            0usize..6,
        ),
        |(input, which)| {
            let mut r = encoding::Reader::new(&input);
            let (s, o): (Result<Vec<u8>, String>, Result<Vec<u8>, String>) = match which {
                0 => (
                    theirs(spec::encoding::read_version(&input, 0).map(|p| vec![p as u8])),
                    ours(
                        r.version()
                            .map(|()| vec![(input.len() - r.remaining()) as u8]),
                    ),
                ),
                1 => (
                    theirs(spec::encoding::read_x25519(&input, 0).map(|(k, _)| k.to_vec())),
                    ours(r.x25519().map(|k| k.to_vec())),
                ),
                2 => (
                    theirs(spec::encoding::read_ed25519(&input, 0).map(|(k, _)| k.to_vec())),
                    ours(r.ed25519().map(|k| k.to_vec())),
                ),
                3 => (
                    theirs(
                        spec::encoding::read_u32(&input, 0).map(|(k, _)| k.to_be_bytes().to_vec()),
                    ),
                    ours(r.u32().map(|k| k.to_be_bytes().to_vec())),
                ),
                4 => (
                    theirs(
                        spec::encoding::read_u64(&input, 0).map(|(k, _)| k.to_be_bytes().to_vec()),
                    ),
                    ours(r.u64().map(|k| k.to_be_bytes().to_vec())),
                ),
                _ => (
                    theirs(spec::encoding::expect_end(&input, 0).map(|()| vec![])),
                    ours(r.clone().finish().map(|()| vec![])),
                ),
            };
            prop_assert_eq!(s, o);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// Identities
// ---------------------------------------------------------------------------

#[test]
fn diff_identity_generate_encode_decode() {
    run(
        "identity generate/encode/decode/verify (same 64 bytes)",
        48,
        (handle_text(), arr64(), prop::collection::vec(mutation(), 4)),
        |(h, r, muts)| {
            let (_, s_pub, o_sec) = identities(&h, &r);
            let s_enc = spec::identity::encode(&s_pub);
            let o_enc = identity::encode(o_sec.public());
            prop_assert_eq!(&s_enc[..], &o_enc[..]);
            prop_assert!(identity::verify(o_sec.public()).is_ok());
            // The secret survives a round trip through storage.
            let back = identity::IdentitySecret::from_bytes(&*o_sec.to_bytes()).unwrap();
            prop_assert_eq!(back.public(), o_sec.public());
            let shown = format!("{:?}", o_sec);
            let prefix = format!("{:?}", &r[..4]);
            prop_assert!(shown.contains("redacted") && !shown.contains(&prefix[1..]));
            for m in &muts {
                let bad = mutate(&s_enc, m, 51);
                let s = theirs(spec::identity::decode(&bad));
                let o = ours(identity::decode(&bad));
                prop_assert_eq!(
                    s.clone().map(|i| spec::identity::encode(&i)),
                    o.clone().map(|i| identity::encode(&i).to_vec())
                );
                if let (Ok(si), Ok(oi)) = (s, o) {
                    prop_assert_eq!(
                        theirs(spec::identity::verify(&si)),
                        ours(identity::verify(&oi))
                    );
                }
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// Bundles
// ---------------------------------------------------------------------------

/// Builds the same store and bundle on both sides from 32 + 32 + 64 random
/// bytes (signed prekey, one-time prekey, PQ prekey).
#[allow(clippy::type_complexity)]
fn bundles(
    h: &str,
    r_id: &[u8; 64],
    spk: &[u8; 32],
    opk: Option<&[u8; 32]>,
    pq: &[u8; 64],
    kind_last_resort: bool,
) -> (
    spec::identity::IdentitySecret,
    spec::bundle::Bundle,
    bundle::Bundle,
    bundle::PrekeyStore,
) {
    let (s_sec, _, o_sec) = identities(h, r_id);
    let (s_kind, o_kind) = if kind_last_resort {
        (spec::bundle::PqKind::LastResort, bundle::PqKind::LastResort)
    } else {
        (spec::bundle::PqKind::OneTime, bundle::PqKind::OneTime)
    };
    let s_store = spec::bundle::PrekeyStore {
        spk_id: 11,
        spk_secret: *spk,
        retired_spks: vec![],
        opks: opk.map(|o| vec![(5u32, *o)]).unwrap_or_default(),
        pqpks: vec![spec::bundle::generate_pq_prekey(9, s_kind, pq)],
    };
    let parts: Vec<&[u8]> = [Some(&spk[..]), opk.map(|o| &o[..]), Some(&pq[..])]
        .into_iter()
        .flatten()
        .collect();
    let mut rng = Replay::new(&parts);
    let mut o_store = bundle::PrekeyStore::generate(11, &mut rng);
    if opk.is_some() {
        o_store.generate_one_time_prekey(5, &mut rng);
    }
    o_store.add_pq_prekey(bundle::generate_pq_prekey(9, o_kind, &mut rng));
    assert!(rng.done());
    let opk_id = opk.map(|_| 5u32);
    let s_b = spec::bundle::make_bundle(&s_sec, &s_store, opk_id, 9).unwrap();
    let o_b = bundle::make_bundle(&o_sec, &o_store, opk_id, 9).unwrap();
    (s_sec, s_b, o_b, o_store)
}

#[test]
fn diff_bundle_build_and_mutate() {
    run(
        "bundle build/encode/decode/verify + 24 mutations each",
        16,
        (
            handle_text(),
            arr64(),
            arr32(),
            prop::option::of(arr32()),
            arr64(),
            any::<bool>(),
            prop::collection::vec(mutation(), 24),
        ),
        |(h, r_id, spk, opk, pq, lr, muts)| {
            let (_, s_b, o_b, o_store) = bundles(&h, &r_id, &spk, opk.as_ref(), &pq, lr);
            let s_enc = spec::bundle::encode(&s_b);
            let o_enc = bundle::encode(&o_b);
            prop_assert_eq!(&s_enc, &o_enc);
            prop_assert_eq!(s_enc.len(), if opk.is_some() { 1541 } else { 1504 });
            prop_assert!(spec::bundle::verify(&s_b).is_ok());
            let verified = o_b.clone().verify().unwrap();
            prop_assert_eq!(verified.bundle(), &o_b);
            // Unknown prekey ids.
            let (s_sec, _, o_sec) = identities(&h, &r_id);
            let s_store = spec::bundle::PrekeyStore {
                spk_id: 1,
                spk_secret: spk,
                retired_spks: vec![],
                opks: vec![],
                pqpks: vec![],
            };
            prop_assert_eq!(
                theirs(spec::bundle::make_bundle(&s_sec, &s_store, Some(77), 9)).map(|_| ()),
                ours(bundle::make_bundle(&o_sec, &o_store, Some(77), 9)).map(|_| ())
            );
            prop_assert_eq!(
                theirs(spec::bundle::make_bundle(&s_sec, &s_store, None, 78)).map(|_| ()),
                ours(bundle::make_bundle(&o_sec, &o_store, None, 78)).map(|_| ())
            );
            // Store persistence round trip.
            let back = bundle::PrekeyStore::from_bytes(&o_store.to_bytes()).unwrap();
            prop_assert_eq!(&*back.to_bytes(), &*o_store.to_bytes());
            for m in &muts {
                // Bias mutations into the first 260 bytes (identity, signed
                // prekey, opk flag, PQ id and kind, KEM tag).
                let bad = mutate(&s_enc, m, 260);
                let s = theirs(spec::bundle::decode(&bad));
                let o = ours(bundle::decode(&bad));
                prop_assert_eq!(
                    s.clone().map(|b| spec::bundle::encode(&b)),
                    o.clone().map(|b| bundle::encode(&b))
                );
                if let (Ok(sb), Ok(ob)) = (s, o) {
                    prop_assert_eq!(
                        theirs(spec::bundle::verify(&sb)),
                        ours(ob.verify().map(|_| ()))
                    );
                }
            }
            Ok(())
        },
    );
}

#[test]
fn diff_bundle_invalid_kem_key() {
    // A PQ prekey with a coefficient >= q, correctly signed: both sides
    // reach the modulus check and report InvalidKey.
    run(
        "bundle with an out-of-range PQ key (signed)",
        4,
        (handle_text(), arr64(), arr32(), arr64(), 0usize..384),
        |(h, r_id, spk, pq, coeff)| {
            let (s_sec, mut s_b, _, _) = bundles(&h, &r_id, &spk, None, &pq, false);
            // Coefficient `coeff` of the first polynomial: 12 bits at 3 bytes per 2.
            let byte = 3 * (coeff / 2);
            if coeff % 2 == 0 {
                s_b.pqpk[byte] = 0xFF;
                s_b.pqpk[byte + 1] |= 0x0F;
            } else {
                s_b.pqpk[byte + 1] |= 0xF0;
                s_b.pqpk[byte + 2] = 0xFF;
            }
            s_b.pqpk_sig = spec::bundle::sign_pqpk(&s_sec, s_b.pqpk_id, s_b.pqpk_kind, &s_b.pqpk);
            let enc = spec::bundle::encode(&s_b);
            let s = theirs(spec::bundle::verify(&spec::bundle::decode(&enc).unwrap()));
            let o = ours(bundle::decode(&enc).unwrap().verify().map(|_| ()));
            prop_assert_eq!(&s, &Err("InvalidKey".to_string()));
            prop_assert_eq!(s, o);
            Ok(())
        },
    );
}

#[test]
fn diff_prekey_store_consume() {
    run(
        "PrekeyStore::consume vs spec consume",
        64,
        (
            prop::collection::vec((0u32..6, arr32()), 0..5),
            prop::collection::vec((0u32..6, any::<bool>()), 0..4),
            prop::option::of(0u32..6),
            0u32..6,
        ),
        |(opks, pqs, opk_id, pq_id)| {
            // PQ keys: reuse one generated key pair for speed; ids and kinds vary.
            let pq_r = [7u8; 64];
            let mut s_store = spec::bundle::PrekeyStore {
                spk_id: 1,
                spk_secret: [1; 32],
                retired_spks: vec![],
                opks: opks.clone(),
                pqpks: vec![],
            };
            let mut o_store = bundle::PrekeyStore::new(1, &[1; 32]);
            for (id, secret) in &opks {
                o_store.add_one_time_prekey(*id, secret);
            }
            let s_pq = spec::bundle::generate_pq_prekey(0, spec::bundle::PqKind::OneTime, &pq_r);
            let o_pq = bundle::PqPrekeySecret::from_randomness(0, bundle::PqKind::OneTime, &pq_r);
            prop_assert_eq!(&s_pq.ek, &o_pq.ek);
            for (id, lr) in &pqs {
                let mut s = s_pq.clone();
                let mut o = o_pq.clone();
                s.id = *id;
                o.id = *id;
                if *lr {
                    s.kind = spec::bundle::PqKind::LastResort;
                    o.kind = bundle::PqKind::LastResort;
                }
                s_store.pqpks.push(s);
                o_store.add_pq_prekey(o);
            }
            s_store = spec::bundle::consume(&s_store, opk_id, pq_id);
            o_store.consume(opk_id, pq_id);
            prop_assert_eq!(
                s_store.opks.iter().map(|o| o.0).collect::<Vec<_>>(),
                o_store.one_time_prekey_ids()
            );
            prop_assert_eq!(
                s_store
                    .pqpks
                    .iter()
                    .map(|p| (p.id, p.kind == spec::bundle::PqKind::LastResort))
                    .collect::<Vec<_>>(),
                o_store
                    .pq_prekey_ids()
                    .into_iter()
                    .map(|(id, k)| (id, k == bundle::PqKind::LastResort))
                    .collect::<Vec<_>>()
            );
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// Fingerprints
// ---------------------------------------------------------------------------

#[test]
fn diff_fingerprint_and_safety_number() {
    run(
        "fingerprint + safety number (random identities)",
        12,
        (handle_text(), arr64(), handle_text(), arr64()),
        |(ha, ra, hb, rb)| {
            let (_, sa, oa) = identities(&ha, &ra);
            let (_, sb, ob) = identities(&hb, &rb);
            prop_assert_eq!(
                spec::fingerprint::fingerprint(&sa),
                fingerprint::fingerprint(oa.public())
            );
            let s = spec::fingerprint::safety_number(&sa, &sb);
            prop_assert_eq!(s, fingerprint::safety_number(oa.public(), ob.public()));
            prop_assert_eq!(s, fingerprint::safety_number(ob.public(), oa.public()));
            let text = fingerprint::safety_number_string(oa.public(), ob.public());
            prop_assert_eq!(text.as_bytes(), &s[..]);
            Ok(())
        },
    );
    run(
        "iterated_hash (few iterations) and digits",
        200,
        (handle_text(), arr64(), 0u32..20, arr32()),
        |(h, r, iters, fp)| {
            let (s_sec, _, _) = identities(&h, &r);
            let s_pub = spec::identity::public_of(&s_sec);
            let o_pub = identity::IdentitySecret::from_randomness(our_handle(&h), &r)
                .public()
                .clone();
            prop_assert_eq!(
                spec::fingerprint::iterated_hash(&s_pub, iters),
                fingerprint::iterated_hash(&o_pub, iters)
            );
            prop_assert_eq!(spec::fingerprint::digits(&fp), fingerprint::digits(&fp));
            let ones = [0xFFu8; 32];
            prop_assert_eq!(
                &fingerprint::digits(&ones),
                b"277752777527775277752777527775"
            );
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// Padding
// ---------------------------------------------------------------------------

#[test]
fn diff_padme() {
    let len = prop_oneof![
        0u64..5000,
        any::<u64>(),
        (0u32..64).prop_flat_map(|b| {
            let base = 1u64 << b;
            (Just(base), 0u64..3).prop_map(|(x, d)| x.wrapping_add(d).wrapping_sub(1))
        }),
    ];
    run("padme (random lengths incl. > 2^63)", 3000, len, |l| {
        prop_assert_eq!(spec::padding::padme(l), padding::padme(l));
        Ok(())
    });
}

#[test]
fn diff_pad_unpad() {
    run(
        "pad/unpad (random contents) + mutations",
        500,
        (prop::collection::vec(any::<u8>(), 0..1500), mutation()),
        |(c, m)| {
            let s = spec::padding::pad(&c);
            let o = padding::pad(&c).unwrap();
            prop_assert_eq!(&s, &o);
            prop_assert_eq!(
                spec::padding::padded_len(c.len()),
                padding::padded_len(c.len())
            );
            prop_assert_eq!(padding::unpad(&o).unwrap(), c);
            // Mutations: flips in the length field or the fill, cuts, extensions.
            let bad = mutate(&s, &m, 4);
            prop_assert_eq!(
                theirs(spec::padding::unpad(&bad)),
                ours(padding::unpad(&bad))
            );
            Ok(())
        },
    );
    run(
        "unpad (random bytes)",
        1000,
        (
            prop::collection::vec(prop_oneof![4 => Just(0u8), 1 => any::<u8>()], 0..600),
            any::<u16>(),
        ),
        |(mut b, n)| {
            // Often a plausible length field.
            if b.len() >= 4 && n % 2 == 0 {
                b[..4].copy_from_slice(&u32::from(n >> 1).to_be_bytes());
            }
            prop_assert_eq!(theirs(spec::padding::unpad(&b)), ours(padding::unpad(&b)));
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------

fn media_kind() -> impl Strategy<Value = (spec::content::MediaKind, MediaKind)> {
    prop::sample::select(vec![
        (spec::content::MediaKind::Photo, MediaKind::Photo),
        (spec::content::MediaKind::Gif, MediaKind::Gif),
        (spec::content::MediaKind::File, MediaKind::File),
    ])
}

fn to_spec_content(c: &Content) -> spec::content::Content {
    match c {
        Content::Text(t) => spec::content::Content::Text(t.as_bytes().to_vec()),
        Content::Attachment(p) => {
            spec::content::Content::Attachment(spec::content::AttachmentPointer {
                kind: match p.kind() {
                    MediaKind::Photo => spec::content::MediaKind::Photo,
                    MediaKind::Gif => spec::content::MediaKind::Gif,
                    MediaKind::File => spec::content::MediaKind::File,
                },
                key: *p.key(),
                length: p.length(),
            })
        }
        Content::MailboxUpdate { serial, mailbox } => spec::content::Content::MailboxUpdate {
            serial: *serial,
            mailbox: *mailbox,
        },
        Content::Call(sig) => spec::content::Content::Call(to_spec_call(sig)),
    }
}

fn to_spec_key(k: &CallKey) -> spec::content::CallKey {
    spec::content::CallKey {
        kid: k.kid(),
        base_key: *k.base_key(),
    }
}

fn to_spec_call(s: &CallSignal) -> spec::content::CallSignal {
    use spec::content::CallSignal as S;
    match s {
        CallSignal::Offer {
            call_id,
            key,
            params,
        } => S::Offer {
            call_id: *call_id,
            key: to_spec_key(key),
            params: params.clone(),
        },
        CallSignal::Answer {
            call_id,
            key,
            params,
        } => S::Answer {
            call_id: *call_id,
            key: to_spec_key(key),
            params: params.clone(),
        },
        CallSignal::Reject { call_id } => S::Reject { call_id: *call_id },
        CallSignal::HangUp { call_id } => S::HangUp { call_id: *call_id },
        CallSignal::KeyUpdate { call_id, key } => S::KeyUpdate {
            call_id: *call_id,
            key: to_spec_key(key),
        },
    }
}

fn call_signal_strategy() -> impl Strategy<Value = CallSignal> {
    let key = || (any::<u64>(), arr32()).prop_map(|(kid, k)| CallKey::new(kid, k));
    let params = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        Just(vec![0xEE; content::MAX_CALL_PARAMS_LEN]),
    ];
    prop_oneof![
        (any::<[u8; 16]>(), key(), params.clone()).prop_map(|(call_id, key, params)| {
            CallSignal::Offer {
                call_id,
                key,
                params,
            }
        }),
        (any::<[u8; 16]>(), key(), params).prop_map(|(call_id, key, params)| {
            CallSignal::Answer {
                call_id,
                key,
                params,
            }
        }),
        any::<[u8; 16]>().prop_map(|call_id| CallSignal::Reject { call_id }),
        any::<[u8; 16]>().prop_map(|call_id| CallSignal::HangUp { call_id }),
        (any::<[u8; 16]>(), key())
            .prop_map(|(call_id, key)| CallSignal::KeyUpdate { call_id, key }),
    ]
}

fn content_strategy() -> impl Strategy<Value = Content> {
    prop_oneof![
        any::<String>().prop_map(Content::Text),
        (
            media_kind(),
            arr32(),
            prop_oneof![any::<u64>().prop_map(|l| l >> 1), Just(1u64 << 63)],
        )
            .prop_map(|((_, k), key, len)| Content::Attachment(
                AttachmentPointer::new(k, key, len).unwrap()
            )),
        (any::<u32>(), any::<[u8; 16]>())
            .prop_map(|(serial, mailbox)| Content::MailboxUpdate { serial, mailbox }),
        call_signal_strategy().prop_map(Content::Call),
    ]
}

#[test]
fn diff_content_encode_decode() {
    run(
        "content encode/decode (random contents) + mutations",
        1000,
        (content_strategy(), mutation()),
        |(c, m)| {
            let s_c = to_spec_content(&c);
            prop_assert!(spec::content::pre_encode(&s_c));
            let s = spec::content::encode(&s_c);
            let o = content::encode(&c).unwrap();
            prop_assert_eq!(&s, &o);
            prop_assert_eq!(content::decode(&o).unwrap(), c.clone());
            let bad = mutate(&s, &m, 6);
            let sd = theirs(spec::content::decode(&bad)).map(|x| spec::content::encode(&x));
            let od = ours(content::decode(&bad))
                .map(|x| to_spec_content(&x))
                .map(|x| spec::content::encode(&x));
            prop_assert_eq!(sd, od);
            Ok(())
        },
    );
    // Attachment lengths around 2^63.
    for (len, ok) in [
        (1u64 << 63, true),
        ((1u64 << 63) + 1, false),
        (u64::MAX, false),
    ] {
        let mut enc = vec![2u8, 3];
        enc.extend_from_slice(&[9; 32]);
        enc.extend_from_slice(&len.to_be_bytes());
        assert_eq!(enc.len(), content::ATTACHMENT_CONTENT_LEN);
        assert_eq!(theirs(spec::content::decode(&enc)).is_ok(), ok);
        assert_eq!(
            ours(content::decode(&enc)).map(|_| ()),
            theirs(spec::content::decode(&enc)).map(|_| ())
        );
        // The old 74-byte layout (a 32-byte digest after the length) is
        // trailing data on both sides.
        let mut old = enc.clone();
        old.extend_from_slice(&[8; 32]);
        assert_eq!(theirs(spec::content::decode(&old)), Err("Malformed".into()));
        assert_eq!(ours(content::decode(&old)), Err("Malformed".into()));
        assert_eq!(
            AttachmentPointer::new(MediaKind::File, [0; 32], len).is_ok(),
            ok
        );
    }
}

/// Bytes that exercise UTF-8: ASCII, lead bytes of every class, tails,
/// and the boundary bytes of the narrowed ranges.
fn utf8ish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            2 => 0u8..0x80,
            3 => 0x80u8..0xC0,
            1 => prop::sample::select(vec![0xC0u8, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0, 0x8F, 0x90]),
        ],
        0..12,
    )
}

#[test]
fn diff_utf8_and_text_decode() {
    run(
        "is_utf8 and text decode (random bytes)",
        5000,
        (utf8ish(), any::<bool>()),
        |(t, lie)| {
            prop_assert_eq!(spec::content::is_utf8(&t), content::is_utf8(&t));
            let mut enc = vec![1u8];
            let n = t.len() as u32 + u32::from(lie);
            enc.extend_from_slice(&n.to_be_bytes());
            enc.extend_from_slice(&t);
            let s = theirs(spec::content::decode(&enc)).map(|x| spec::content::encode(&x));
            let o = ours(content::decode(&enc)).map(|x| content::encode(&x).unwrap());
            prop_assert_eq!(s, o);
            Ok(())
        },
    );
    run(
        "content decode (random bytes)",
        2000,
        prop::collection::vec(prop_oneof![3 => 0u8..4, 1 => any::<u8>()], 0..90),
        |b| {
            let s = theirs(spec::content::decode(&b)).map(|x| spec::content::encode(&x));
            let o = ours(content::decode(&b)).map(|x| content::encode(&x).unwrap());
            prop_assert_eq!(s, o);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------
// Envelopes
// ---------------------------------------------------------------------------

#[test]
fn diff_envelope_seal_open_mutate() {
    run(
        "envelope seal (same e) / open + 12 mutations each",
        32,
        (
            (handle_text(), arr64(), handle_text(), arr64()),
            any::<[u8; 16]>(),
            prop::collection::vec(any::<u8>(), 0..300),
            arr32(),
            prop::collection::vec(mutation(), 12),
        ),
        |((hs, rs, hr, rr), mailbox, payload, e, muts)| {
            let (s_sender, _, o_sender) = identities(&hs, &rs);
            let (s_rcpt, s_rcpt_pub, o_rcpt) = identities(&hr, &rr);
            let s_env = spec::envelope::seal(&s_sender, &s_rcpt_pub.dh_pub, &mailbox, &payload, &e)
                .unwrap();
            let mut rng = Replay::new(&[&e]);
            let o_env = envelope::seal(
                &o_sender,
                &o_rcpt.public().dh_pub,
                &mailbox,
                &payload,
                &mut rng,
            )
            .unwrap();
            prop_assert!(rng.done());
            prop_assert_eq!(&s_env, &o_env);
            prop_assert_eq!(o_env.len(), envelope::envelope_len(payload.len()));
            let (sender, got) = envelope::open(&o_rcpt, &mailbox, &o_env).unwrap();
            prop_assert_eq!(&sender, o_sender.public());
            prop_assert_eq!(&got, &payload);
            let same = |env: &[u8], mb: &[u8; 16]| -> Result<(), TestCaseError> {
                let s = theirs(spec::envelope::open(&s_rcpt, mb, env))
                    .map(|(id, p)| (spec::identity::encode(&id), p));
                let o = ours(envelope::open(&o_rcpt, mb, env))
                    .map(|(id, p)| (identity::encode(&id).to_vec(), p));
                prop_assert_eq!(s, o);
                Ok(())
            };
            // Wrong mailbox; wrong recipient (the sender's own key).
            let mut other = mailbox;
            other[0] ^= 1;
            same(&s_env, &other)?;
            let s = theirs(spec::envelope::open(&s_sender, &mailbox, &s_env)).map(|_| ());
            prop_assert_eq!(&s, &Err("AuthenticationFailed".to_string()));
            prop_assert_eq!(
                s,
                ours(envelope::open(&o_sender, &mailbox, &s_env)).map(|_| ())
            );
            for m in &muts {
                same(&mutate(&s_env, m, 50), &mailbox)?;
            }
            Ok(())
        },
    );
}

/// REQ-ENV-005, both zero-nonce AEADs (`c1`, `c2`): the same sender with the
/// same randomness `r` and a different payload, mailbox or recipient gets
/// a different `E` (so different `k1`, `k2`); identical inputs give the
/// identical envelope. Every envelope equals the spec's.
#[test]
fn envelope_repeated_randomness_hedged() {
    let (s_sender, _, o_sender) = identities("alice", &[1u8; 64]);
    let (_, s_bob, o_bob) = identities("bob", &[2u8; 64]);
    let (_, s_carol, _) = identities("carol", &[3u8; 64]);
    let r = [0x42u8; 32];
    let seal = |rcpt: &[u8; 32], mailbox: &[u8; 16], payload: &[u8]| {
        let mut rng = Replay::new(&[&r]);
        let env = envelope::seal(&o_sender, rcpt, mailbox, payload, &mut rng).unwrap();
        assert!(rng.done());
        assert_eq!(
            env,
            spec::envelope::seal(&s_sender, rcpt, mailbox, payload, &r).unwrap()
        );
        env
    };
    let (p1, p2) = (b"payload number 1".to_vec(), b"payload number 2".to_vec());
    let e1 = seal(&s_bob.dh_pub, &[0; 16], &p1);
    let e2 = seal(&s_bob.dh_pub, &[0; 16], &p2);
    assert_ne!(e1[17..49], e2[17..49]);
    assert_ne!(e1[49..212], e2[49..212]);
    let ct_xor: Vec<u8> = (0..p1.len()).map(|i| e1[212 + i] ^ e2[212 + i]).collect();
    let pt_xor: Vec<u8> = (0..p1.len()).map(|i| p1[i] ^ p2[i]).collect();
    assert_ne!(ct_xor, pt_xor);
    let e3 = seal(&s_bob.dh_pub, &[1; 16], &p1);
    let e4 = seal(&s_carol.dh_pub, &[0; 16], &p1);
    assert_ne!(e1[17..49], e3[17..49]);
    assert_ne!(e1[17..49], e4[17..49]);
    assert_eq!(seal(&s_bob.dh_pub, &[0; 16], &p1), e1);
    assert_eq!(envelope::open(&o_bob, &[0; 16], &e2).unwrap().1, p2);
    assert_ne!(e1[17..49], xchat::crypto::x25519::public_key(&r));
}

#[test]
fn diff_envelope_special_cases() {
    let (s_sender, _, o_sender) = identities("alice", &[1u8; 64]);
    let (s_rcpt, s_rcpt_pub, o_rcpt) = identities("bob", &[2u8; 64]);
    let mut t = Tally::new("envelope special cases");
    // A small-order recipient key: NonContributory on both sides.
    let zero = [0u8; 32];
    let s = theirs(spec::envelope::seal(
        &s_sender, &zero, &[0; 16], b"x", &[3; 32],
    ))
    .map(|_| ());
    let o = ours(envelope::seal(
        &o_sender,
        &zero,
        &[0; 16],
        b"x",
        &mut Replay::new(&[&[3; 32]]),
    ))
    .map(|_| ());
    assert_eq!(s, Err("NonContributory".into()));
    assert_eq!(s, o);
    t.check();
    // A small-order E in an envelope: NonContributory when opening.
    let mut env =
        spec::envelope::seal(&s_sender, &s_rcpt_pub.dh_pub, &[0; 16], b"hello", &[4; 32]).unwrap();
    env[17..49].copy_from_slice(&[0u8; 32]);
    let s = theirs(spec::envelope::open(&s_rcpt, &[0; 16], &env)).map(|_| ());
    assert_eq!(s, Err("NonContributory".into()));
    assert_eq!(s, ours(envelope::open(&o_rcpt, &[0; 16], &env)).map(|_| ()));
    t.check();
    // Every length from 0 to one past the minimum, and a wrong version.
    let env = spec::envelope::seal(&s_sender, &s_rcpt_pub.dh_pub, &[0; 16], b"", &[4; 32]).unwrap();
    for cut in 0..=env.len() {
        let s = theirs(spec::envelope::open(&s_rcpt, &[0; 16], &env[..cut])).map(|(_, p)| p);
        assert_eq!(
            s,
            ours(envelope::open(&o_rcpt, &[0; 16], &env[..cut])).map(|(_, p)| p),
            "cut {cut}"
        );
        t.check();
    }
    for v in [0u8, 2, 0xFF] {
        let mut bad = env.clone();
        bad[0] = v;
        let s = theirs(spec::envelope::open(&s_rcpt, &[0; 16], &bad)).map(|_| ());
        assert_eq!(s, Err("UnsupportedVersion".into()));
        assert_eq!(s, ours(envelope::open(&o_rcpt, &[0; 16], &bad)).map(|_| ()));
        t.check();
    }
    // An envelope whose c1 holds an identity with a bad binding: built with
    // the spec's primitives, so that c1 authenticates.
    let mut bad_sender = spec::identity::public_of(&s_sender);
    bad_sender.binding[0] ^= 1;
    let e = [5u8; 32];
    let mailbox = [6u8; 16];
    let e_pub = spec::suite::public_key(&e);
    let dh_e = spec::suite::dh(&e, &s_rcpt_pub.dh_pub).unwrap();
    let (_, k1) =
        spec::envelope::ephemeral_keys(&dh_e, &mailbox, &e_pub, &s_rcpt_pub.dh_pub).unwrap();
    let mut ad = vec![1u8];
    ad.extend_from_slice(&mailbox);
    ad.extend_from_slice(&e_pub);
    let c1 = spec::chacha20poly1305::seal(&k1, &[0; 12], &ad, &spec::identity::encode(&bad_sender));
    let mut env = ad.clone();
    env.extend_from_slice(&c1);
    env.extend_from_slice(&[0u8; 20]);
    let s = theirs(spec::envelope::open(&s_rcpt, &mailbox, &env)).map(|_| ());
    assert_eq!(s, Err("InvalidSignature".into()));
    assert_eq!(s, ours(envelope::open(&o_rcpt, &mailbox, &env)).map(|_| ()));
    t.check();
    t.finish(10);
}

// ---------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------

const CHUNK: usize = attachment::CHUNK_LEN;
const SEQUENTIAL: Tuning = Tuning {
    parallel_min_chunks: usize::MAX,
    batch_chunks: 3,
};
const PARALLEL: Tuning = Tuning {
    parallel_min_chunks: 1,
    batch_chunks: 5,
};

/// Attachment sizes: empty, tiny, around chunk boundaries, several chunks
/// (enough for the parallel path at the default threshold).
fn att_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        1 => Just(0usize),
        2 => 1usize..3000,
        3 => (1usize..10, 0usize..3).prop_map(|(k, d)| (k * CHUNK + d).saturating_sub(1)),
        2 => 0usize..(9 * CHUNK + 100),
    ]
}

fn spec_pointer(p: &AttachmentPointer) -> spec::content::AttachmentPointer {
    match to_spec_content(&Content::Attachment(p.clone())) {
        spec::content::Content::Attachment(sp) => sp,
        _ => unreachable!(),
    }
}

fn our_pointer(p: &spec::content::AttachmentPointer) -> AttachmentPointer {
    let kind = match p.kind {
        spec::content::MediaKind::Photo => MediaKind::Photo,
        spec::content::MediaKind::Gif => MediaKind::Gif,
        spec::content::MediaKind::File => MediaKind::File,
    };
    AttachmentPointer::new(kind, p.key, p.length).unwrap()
}

/// Opens `ct` under `sp` with the spec and every path of ours (in memory
/// sequential / parallel / default, streaming sequential / parallel /
/// default) and checks they all agree (the writer's output counts only on
/// success).
fn open_all(
    sp: &spec::content::AttachmentPointer,
    ct: &[u8],
) -> Result<Result<Vec<u8>, String>, TestCaseError> {
    let s = theirs(spec::attachment::open(sp, ct));
    let op = our_pointer(sp);
    prop_assert_eq!(&s, &ours(attachment::open(&op, ct)));
    for t in [SEQUENTIAL, PARALLEL] {
        prop_assert_eq!(&s, &ours(att_testing::open(&op, ct, t)));
    }
    let stream = |t: Option<Tuning>| {
        let mut out = Vec::new();
        let r = match t {
            None => attachment::open_from_reader(&op, ct, &mut out),
            Some(t) => att_testing::open_from_reader(&op, ct, &mut out, t),
        };
        ours(r.map(|n| {
            assert_eq!(n as usize, out.len());
            out
        }))
    };
    for t in [None, Some(SEQUENTIAL), Some(PARALLEL)] {
        prop_assert_eq!(&s, &stream(t));
    }
    // Into a reused buffer that holds stale bytes: the same answer, and a
    // failure leaves it empty (never partial or unauthenticated plaintext).
    let mut reused = vec![0xA5u8; ct.len() % 3000 + 17];
    let r = attachment::open_into(&op, ct, &mut reused);
    prop_assert_eq!(&s, &ours(r.map(|()| reused.clone())));
    if s.is_err() {
        prop_assert!(reused.is_empty());
    }
    Ok(s)
}

#[test]
fn diff_attachment_seal_open_paths() {
    run(
        "attachment seal (same key): spec == sequential == parallel == streaming; open all paths",
        48,
        (att_len(), media_kind(), arr32(), any::<u64>()),
        |(len, (sk, ok), key, seed)| {
            let file: Vec<u8> = (0..len)
                .map(|i| (i as u64).wrapping_mul(seed | 1).to_le_bytes()[7])
                .collect();
            let (sp, s_ct) = spec::attachment::seal(sk, &key, &file);
            prop_assert_eq!(
                s_ct.len() as u64,
                spec::attachment::ciphertext_len(len as u64)
            );
            prop_assert_eq!(
                attachment::ciphertext_len(len as u64),
                spec::attachment::ciphertext_len(len as u64)
            );
            let mut rng = Replay::new(&[&key]);
            let (op, o_ct) = attachment::seal(ok, &mut rng, &file).unwrap();
            prop_assert!(rng.done());
            prop_assert_eq!(&s_ct, &o_ct);
            prop_assert_eq!(&spec_pointer(&op), &sp);
            for t in [SEQUENTIAL, PARALLEL] {
                let (p2, c2) = att_testing::seal(ok, &key, &file, t).unwrap();
                prop_assert_eq!(&p2, &op);
                prop_assert_eq!(&c2, &s_ct);
                let mut out = Vec::new();
                let p3 = att_testing::seal_to_writer(ok, &key, &file[..], &mut out, len as u64, t)
                    .unwrap();
                prop_assert_eq!(&p3, &op);
                prop_assert_eq!(&out, &s_ct);
            }
            let mut out = Vec::new();
            let mut rng = Replay::new(&[&key]);
            let p4 =
                attachment::seal_to_writer(ok, &mut rng, &file[..], &mut out, len as u64).unwrap();
            prop_assert!(rng.done());
            prop_assert_eq!(&p4, &op);
            prop_assert_eq!(&out, &s_ct);
            // Into a reused buffer holding stale bytes (shorter and longer
            // than the ciphertext): every byte is overwritten.
            for stale in [len / 2, s_ct.len() + 100] {
                let mut out = vec![0xA5u8; stale];
                let mut rng = Replay::new(&[&key]);
                let p5 = attachment::seal_into(ok, &mut rng, &file, &mut out).unwrap();
                prop_assert!(rng.done());
                prop_assert_eq!(&p5, &op);
                prop_assert_eq!(&out, &s_ct);
            }
            prop_assert_eq!(open_all(&sp, &s_ct)?, Ok(file));
            Ok(())
        },
    );
}

/// How to damage an attachment ciphertext (and possibly its pointer).
#[derive(Clone, Debug)]
enum AttDamage {
    /// Flip a bit anywhere, the commitment included (fails at the
    /// commitment or at the chunk).
    Flip { pos: usize },
    /// Cut at a byte position.
    Truncate { len: usize },
    /// Append bytes.
    Extend { extra: Vec<u8> },
    /// Swap two sealed chunks (the commitment stays in front).
    Swap { a: usize, b: usize },
    /// Drop the last sealed chunk and claim the shorter length (a cut at a
    /// chunk boundary).
    DropLastChunk,
    /// Claim another length with the same ciphertext.
    Relabel { delta: i64 },
    /// Open with a pointer carrying another key (the two-key attack):
    /// fails at the commitment, whatever follows it.
    OtherKey { key: [u8; 32], garbage_chunks: bool },
}

fn att_damage() -> impl Strategy<Value = AttDamage> {
    prop_oneof![
        any::<usize>().prop_map(|pos| AttDamage::Flip { pos }),
        any::<usize>().prop_map(|len| AttDamage::Truncate { len }),
        prop::collection::vec(any::<u8>(), 1..40).prop_map(|extra| AttDamage::Extend { extra }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| AttDamage::Swap { a, b }),
        Just(AttDamage::DropLastChunk),
        (-3i64..4).prop_map(|delta| AttDamage::Relabel { delta }),
        (arr32(), any::<bool>()).prop_map(|(key, garbage_chunks)| AttDamage::OtherKey {
            key,
            garbage_chunks
        }),
    ]
}

const COMMIT: usize = attachment::COMMITMENT_LEN;

#[test]
fn diff_attachment_damage() {
    run(
        "attachment truncation/reorder/extension/flip/relabel/other key: same error on every path",
        160,
        (
            prop_oneof![
                Just(0usize),
                1usize..200,
                (1usize..5).prop_map(|k| k * CHUNK),
                (1usize..4).prop_map(|k| k * CHUNK + 7)
            ],
            arr32(),
            att_damage(),
        ),
        |(len, key, damage)| {
            let file = vec![0x5Au8; len];
            let (sp, ct) = spec::attachment::seal(spec::content::MediaKind::File, &key, &file);
            let mut sp = sp;
            let mut bad = ct.clone();
            let sealed = attachment::SEALED_CHUNK_LEN;
            match &damage {
                AttDamage::Flip { pos } => {
                    let p = pos % bad.len();
                    bad[p] ^= 1u8 << (pos % 8);
                }
                AttDamage::Truncate { len: l } => bad.truncate(l % bad.len()),
                AttDamage::Extend { extra } => bad.extend_from_slice(extra),
                AttDamage::Swap { a, b } => {
                    let n = (bad.len() - COMMIT).div_ceil(sealed);
                    let (a, b) = (a % n, b % n);
                    let chunks: Vec<Vec<u8>> =
                        bad[COMMIT..].chunks(sealed).map(|c| c.to_vec()).collect();
                    if a != b && chunks[a].len() == chunks[b].len() {
                        let mut c2 = chunks.clone();
                        c2.swap(a, b);
                        bad = [ct[..COMMIT].to_vec(), c2.concat()].concat();
                    }
                }
                AttDamage::DropLastChunk => {
                    let n = (bad.len() - COMMIT).div_ceil(sealed);
                    if n > 1 {
                        bad.truncate(COMMIT + (n - 1) * sealed);
                        sp.length = ((n - 1) * CHUNK) as u64;
                    }
                }
                AttDamage::Relabel { delta } => {
                    sp.length = (sp.length as i64 + delta).max(0) as u64;
                }
                AttDamage::OtherKey {
                    key: other,
                    garbage_chunks,
                } => {
                    sp.key = *other;
                    if *garbage_chunks {
                        bad[COMMIT..].fill(0xA5);
                    }
                }
            }
            let r = open_all(&sp, &bad)?;
            if let AttDamage::OtherKey { key: other, .. } = &damage {
                if *other != key {
                    prop_assert_eq!(&r, &Err("AuthenticationFailed".to_string()));
                }
            }
            if bad != ct || sp.length != len as u64 || sp.key != key {
                prop_assert!(
                    r.is_err() || sp.length != len as u64,
                    "damaged attachment opened"
                );
            }
            Ok(())
        },
    );
}

/// REQ-ATT-002, REQ-ATT-003, the two-key attack of the security review: a
/// ciphertext sealed under `K1`, opened with a pointer carrying `K2`, is
/// `AuthenticationFailed` at the commitment on every path, before any
/// chunk is opened. The streaming path shows it: with `K1`'s ciphertext
/// whose last chunk is damaged, `K1` writes the good chunks before failing
/// at the bad one (check 3), while `K2` writes nothing at all (check 2).
/// Under the old design (a SHA-256 digest of the ciphertext in the pointer)
/// the digest check passed for both keys; only the non-committing chunk
/// AEAD stood in the way.
#[test]
fn two_key_attack_rejected_at_commitment() {
    let mut t = Tally::new("attachment two-key attack");
    let (k1, k2) = ([0x11u8; 32], [0x22u8; 32]);
    let (ok1, commit1) = attachment::attachment_keys(&k1).unwrap();
    let (_, commit2) = attachment::attachment_keys(&k2).unwrap();
    assert_ne!(commit1, commit2);
    // Same derivation as the spec.
    let (s_enc, s_commit) = spec::attachment::attachment_keys(&k1);
    assert_eq!((*ok1, commit1), (s_enc, s_commit));
    for len in [0usize, 100, 3 * CHUNK + 5, 40 * CHUNK] {
        let file: Vec<u8> = (0..len).map(|i| (i % 253) as u8 + 1).collect();
        let (p1, ct) = attachment::seal(MediaKind::File, &mut Replay::new(&[&k1]), &file).unwrap();
        assert_eq!(ct[..COMMIT], commit1);
        let p2 = AttachmentPointer::new(MediaKind::File, k2, p1.length()).unwrap();
        assert_eq!(attachment::open(&p1, &ct).unwrap(), file);
        // The error names the check: the commitment, before any chunk.
        assert!(matches!(
            attachment::open(&p2, &ct),
            Err(AttachmentError::Commitment)
        ));
        assert_eq!(
            attachment::open_commitment(&k2, &ct[..COMMIT]).map(|_| ()),
            Err(xchat::Error::AuthenticationFailed)
        );
        // Garbage chunks: K2 still fails at the commitment; K1 passes it and
        // fails at the chunks.
        let mut garbage = ct.clone();
        garbage[COMMIT..].fill(0xA5);
        let r = attachment::open(&p1, &garbage);
        assert!(matches!(r, Err(AttachmentError::Chunk { .. })), "{r:?}");
        let r = attachment::open(&p2, &garbage);
        assert!(matches!(r, Err(AttachmentError::Commitment)), "{r:?}");
        // Streaming: damage the last chunk only.
        let mut late = ct.clone();
        *late.last_mut().unwrap() ^= 1;
        let mut out1 = Vec::new();
        let r1 = attachment::open_from_reader(&p1, &late[..], &mut out1);
        // Only the last chunk fails, and the error names it.
        let last = ((ct.len() - COMMIT).div_ceil(CHUNK + 16) - 1) as u64;
        assert!(
            matches!(r1, Err(AttachmentError::Chunk { index }) if index == last),
            "{r1:?}"
        );
        let r = attachment::open(&p1, &late);
        assert!(
            matches!(r, Err(AttachmentError::Chunk { index }) if index == last),
            "{r:?}"
        );
        let mut out2 = Vec::new();
        let r2 = attachment::open_from_reader(&p2, &late[..], &mut out2);
        assert!(matches!(r2, Err(AttachmentError::Commitment)), "{r2:?}");
        assert!(out2.is_empty(), "no chunk may be opened under K2");
        if len > attachment::STREAM_BATCH_CHUNKS * CHUNK {
            // The chunks of the first batch opened and were written.
            assert_eq!(out1[..], file[..out1.len()]);
            assert!(!out1.is_empty());
        }
        // A wrong commitment on a stream of the wrong length reports the
        // length first (check 1), as the spec does.
        let mut out3 = Vec::new();
        let r = attachment::open_from_reader(&p2, &ct[..ct.len() - 1], &mut out3);
        let (expected, actual) = (ct.len() as u64, ct.len() as u64 - 1);
        assert!(
            matches!(r, Err(AttachmentError::Length { expected: e, actual: a }) if (e, a) == (expected, actual)),
            "{r:?}"
        );
        assert!(out3.is_empty());
        t.check();
    }
    t.finish(4);
}

#[test]
fn diff_attachment_chunk_edges() {
    let mut t = Tally::new(
        "attachment chunk edges (extension, non-zero fill, commitment, open_chunk/seal_chunk)",
    );
    let key = [9u8; 32];
    let (enc_key, commitment) = spec::attachment::attachment_keys(&key);
    // A one-chunk attachment extended by a second chunk that claims to be
    // the last, with the pointer's length adjusted: chunk 0 was sealed as
    // last, so it fails when opened as non-last.
    let (mut sp, ct) =
        spec::attachment::seal(spec::content::MediaKind::Photo, &key, &vec![1u8; CHUNK]);
    let mut ext = ct.clone();
    ext.extend_from_slice(&spec::attachment::seal_chunk(
        &enc_key,
        1,
        true,
        &[0u8; 4096],
    ));
    sp.length = (CHUNK + 4096) as u64;
    assert_eq!(
        spec::attachment::ciphertext_len(sp.length),
        ext.len() as u64
    );
    assert_eq!(
        open_all(&sp, &ext).unwrap(),
        Err("AuthenticationFailed".into())
    );
    t.check();
    // A non-zero fill byte, correctly sealed: Malformed.
    for length in [1usize, 9, 1000, CHUNK + 1] {
        let p = spec::padding::padme(length as u64) as usize;
        let mut padded = vec![7u8; length];
        padded.resize(p, 0);
        *padded.last_mut().unwrap() = 1;
        let n = p.div_ceil(CHUNK).max(1);
        let mut c = commitment.to_vec();
        for i in 0..n {
            let chunk = &padded[i * CHUNK..((i + 1) * CHUNK).min(p)];
            c.extend_from_slice(&spec::attachment::seal_chunk(
                &enc_key,
                i as u64,
                i + 1 == n,
                chunk,
            ));
        }
        let sp = spec::content::AttachmentPointer {
            kind: spec::content::MediaKind::Gif,
            key,
            length: length as u64,
        };
        let expect = if p > length {
            Err("Malformed".to_string())
        } else {
            Ok(padded.clone())
        };
        assert_eq!(open_all(&sp, &c).unwrap(), expect, "length {length}");
        t.check();
    }
    // attachment_keys and open_commitment: same keys, same errors.
    for k in [[0u8; 32], key, [0xFF; 32]] {
        let (o_enc, o_commit) = attachment::attachment_keys(&k).unwrap();
        let (s_enc, s_commit) = spec::attachment::attachment_keys(&k);
        assert_eq!((*o_enc, o_commit), (s_enc, s_commit));
        let mut wrong = s_commit;
        wrong[31] ^= 0x80;
        for c in [
            &s_commit[..],
            &wrong[..],
            &s_commit[..31],
            &[0u8; 33][..],
            &[],
        ] {
            assert_eq!(
                theirs(spec::attachment::open_commitment(&k, c)),
                ours(attachment::open_commitment(&k, c).map(|e| *e))
            );
        }
        t.check();
    }
    // seal_chunk / open_chunk on every interesting length and both flags.
    for len in [0usize, 1, 15, 16, 17, CHUNK - 1, CHUNK, CHUNK + 1] {
        for last in [false, true] {
            let data = vec![3u8; len];
            let pre = spec::attachment::pre_seal_chunk(last, len);
            let o = attachment::seal_chunk(&enc_key, 5, last, &data);
            assert_eq!(o.is_ok(), pre);
            if let Ok(sealed) = &o {
                assert_eq!(
                    sealed,
                    &spec::attachment::seal_chunk(&enc_key, 5, last, &data)
                );
                assert_eq!(
                    attachment::open_chunk(&enc_key, 5, last, sealed).unwrap(),
                    data
                );
                for (k, idx, fl) in [(enc_key, 4u64, last), (enc_key, 5, !last), (key, 5, last)] {
                    assert_eq!(
                        theirs(spec::attachment::open_chunk(&k, idx, fl, sealed)),
                        ours(attachment::open_chunk(&k, idx, fl, sealed))
                    );
                }
            }
            let raw = vec![0u8; len];
            assert_eq!(
                theirs(spec::attachment::open_chunk(&enc_key, 5, last, &raw)),
                ours(attachment::open_chunk(&enc_key, 5, last, &raw))
            );
            t.check();
        }
    }
    // ciphertext_len near and above the limit.
    for l in [
        0u64,
        65536,
        65537,
        1 << 40,
        1 << 63,
        (1 << 63) + 1,
        u64::MAX,
    ] {
        assert_eq!(
            attachment::ciphertext_len(l),
            spec::attachment::ciphertext_len(l)
        );
        t.check();
    }
    assert_eq!(attachment::ciphertext_len(0), 48);
    assert_eq!(attachment::ciphertext_len(65536), 65584);
    assert_eq!(attachment::ciphertext_len(65537), 67648);
    t.finish(31);
}

#[test]
fn attachment_streaming_io_errors_and_redaction() {
    let mut t = Tally::new("attachment streaming I/O errors, pointer redaction");
    // A reader that ends early while sealing: Io(UnexpectedEof).
    let mut out = Vec::new();
    let r = attachment::seal_to_writer(
        MediaKind::File,
        &mut Replay::new(&[&[1; 32]]),
        &[0u8; 10][..],
        &mut out,
        11,
    );
    // The I/O error itself is kept as the source.
    let e = r.unwrap_err();
    assert_eq!(
        e.kind(),
        xchat::Error::Io(std::io::ErrorKind::UnexpectedEof)
    );
    let source = std::error::Error::source(&e).expect("the io::Error is the source");
    assert!(source.downcast_ref::<std::io::Error>().is_some());
    t.check();
    let r = attachment::seal_to_writer(
        MediaKind::File,
        &mut Replay::new(&[]),
        &[0u8; 10][..],
        &mut out,
        (1 << 63) + 1,
    );
    assert!(matches!(r, Err(AttachmentError::TooLarge)), "{r:?}");
    assert_eq!(r.unwrap_err().kind(), xchat::Error::Malformed);
    t.check();
    let (p, _) =
        attachment::seal(MediaKind::Photo, &mut Replay::new(&[&[0xAB; 32]]), b"x").unwrap();
    let shown = format!("{p:?} {:?}", Content::Attachment(p.clone()));
    assert!(
        shown.contains("redacted") && !shown.contains("171, 171"),
        "{shown}"
    );
    let text = format!("{:?}", Content::Text("secret words".into()));
    assert!(!text.contains("secret"));
    t.check();
    t.finish(3);
}

/// Which chunk a failed open blames is the lowest failing one on every
/// path: sequential, parallel (rayon), and streaming in batches, so the
/// error is the same on every run and every machine. Every chunk but the
/// first is tampered, so a parallel loop that reported whichever failure
/// it met first would blame another chunk on most runs.
#[test]
fn attachment_open_blames_the_lowest_failing_chunk_on_every_path() {
    use xchat::attachment::{CHUNK_LEN, COMMITMENT_LEN, SEALED_CHUNK_LEN};
    let file: Vec<u8> = (0..12 * CHUNK_LEN + 100).map(|i| i as u8).collect();
    let (pointer, mut sealed) =
        att_testing::seal(MediaKind::File, &[9; 32], &file, Tuning::DEFAULT).unwrap();
    let chunks = (sealed.len() - COMMITMENT_LEN).div_ceil(SEALED_CHUNK_LEN);
    assert_eq!(chunks, 13);
    for c in 1..chunks {
        sealed[COMMITMENT_LEN + c * SEALED_CHUNK_LEN + 5] ^= 1;
    }
    let sequential = Tuning {
        parallel_min_chunks: usize::MAX,
        ..Tuning::DEFAULT
    };
    let parallel = Tuning {
        parallel_min_chunks: 1,
        ..Tuning::DEFAULT
    };
    for round in 0..100 {
        for t in [sequential, parallel] {
            let r = att_testing::open(&pointer, &sealed, t);
            assert!(
                matches!(r, Err(AttachmentError::Chunk { index: 1 })),
                "round {round}, {t:?}: {r:?}"
            );
            for batch_chunks in [1, 4, 32] {
                let t = Tuning { batch_chunks, ..t };
                let mut out = Vec::new();
                let r = att_testing::open_from_reader(&pointer, &sealed[..], &mut out, t);
                assert!(
                    matches!(r, Err(AttachmentError::Chunk { index: 1 })),
                    "round {round}, {t:?}: {r:?}"
                );
            }
        }
    }
}

/// A reader that fails once with `kind`, then reads `data`.
struct FailsOnce<'a> {
    kind: Option<std::io::ErrorKind>,
    data: &'a [u8],
}

impl std::io::Read for FailsOnce<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.kind.take() {
            Some(kind) => Err(kind.into()),
            None => self.data.read(buf),
        }
    }
}

/// Streaming retries a read that was `Interrupted` (std's convention: the
/// call may simply be repeated) and reports any other I/O error at once,
/// when sealing and when opening. And the `TooLarge` bound of the tuned
/// sealer is `MAX_ATTACHMENT_LEN` exactly.
#[test]
fn attachment_streams_retry_interrupted_reads_and_report_other_errors() {
    use std::io::ErrorKind::{Interrupted, Other, UnexpectedEof};
    let file: Vec<u8> = (0..3 * xchat::attachment::CHUNK_LEN + 7)
        .map(|i| (i * 7) as u8)
        .collect();
    let len = file.len() as u64;
    let key = [5; 32];
    let (pointer, sealed) =
        att_testing::seal(MediaKind::File, &key, &file, Tuning::DEFAULT).unwrap();
    let seal = |kind| {
        let mut out = Vec::new();
        let reader = FailsOnce { kind, data: &file };
        att_testing::seal_to_writer(
            MediaKind::File,
            &key,
            reader,
            &mut out,
            len,
            Tuning::DEFAULT,
        )
        .map(|p| (p, out))
    };
    let open = |kind| {
        let mut out = Vec::new();
        let reader = FailsOnce {
            kind,
            data: &sealed,
        };
        att_testing::open_from_reader(&pointer, reader, &mut out, Tuning::DEFAULT).map(|_| out)
    };
    assert_eq!(
        seal(Some(Interrupted)).unwrap(),
        (pointer.clone(), sealed.clone())
    );
    assert_eq!(open(Some(Interrupted)).unwrap(), file);
    for r in [seal(Some(Other)).map(|_| ()), open(Some(Other)).map(|_| ())] {
        assert_eq!(r.unwrap_err().kind(), xchat::Error::Io(Other));
    }
    // One byte over the bound is refused before reading; the bound itself
    // is not (the empty reader then ends early).
    let max = xchat::attachment::MAX_ATTACHMENT_LEN;
    for (len, too_large) in [(max + 1, true), (max, false)] {
        let r = att_testing::seal_to_writer(
            MediaKind::File,
            &key,
            &[][..],
            &mut Vec::new(),
            len,
            Tuning::DEFAULT,
        );
        let e = r.unwrap_err();
        assert_eq!(matches!(e, AttachmentError::TooLarge), too_large, "{e:?}");
        if !too_large {
            assert_eq!(e.kind(), xchat::Error::Io(UnexpectedEof));
        }
    }
}

/// The streaming bounds at their edges: `seal_to_writer` takes a length of
/// exactly `MAX_ATTACHMENT_LEN` (the reader then ends early), an open of a
/// pointer of that length is checked for length like any other, and a
/// stream shorter than the commitment is a `Length` error (REQ-ATT-002's
/// check 1, `Malformed`), never a commitment failure.
#[test]
fn attachment_stream_edges() {
    use std::io::ErrorKind::UnexpectedEof;
    let max = xchat::attachment::MAX_ATTACHMENT_LEN;
    let r = attachment::seal_to_writer(
        MediaKind::File,
        &mut Replay::new(&[&[1; 32]]),
        &[][..],
        &mut Vec::new(),
        max,
    );
    assert_eq!(r.unwrap_err().kind(), xchat::Error::Io(UnexpectedEof));
    let huge = AttachmentPointer::new(MediaKind::File, [2; 32], max).unwrap();
    let r = attachment::open_from_reader(&huge, &[][..], &mut Vec::new());
    assert!(
        matches!(r, Err(AttachmentError::Length { actual: 0, .. })),
        "{r:?}"
    );
    let (pointer, sealed) =
        att_testing::seal(MediaKind::File, &[3; 32], b"short file", Tuning::DEFAULT).unwrap();
    for cut in [0, 10, 31, 32, sealed.len() - 1] {
        let r = attachment::open_from_reader(&pointer, &sealed[..cut], &mut Vec::new());
        let expected = sealed.len() as u64;
        assert!(
            matches!(r, Err(AttachmentError::Length { expected: e, actual }) if e == expected && actual == cut as u64),
            "cut {cut}: {r:?}"
        );
        assert_eq!(r.unwrap_err().kind(), xchat::Error::Malformed);
    }
}

/// `content::encoded_len` is the exact length `encode` writes, for every
/// kind of content, and `encode` allocates once at that size (a buffer
/// that grew would leave an unwiped copy of the content on the heap).
#[test]
fn content_encoded_len_is_exact() {
    let key = CallKey::new(7, [8; 32]);
    let pointer = AttachmentPointer::new(MediaKind::Gif, [9; 32], 12345).unwrap();
    let contents = [
        Content::Text(String::new()),
        Content::Text("x".repeat(1000)),
        Content::Attachment(pointer),
        Content::MailboxUpdate {
            serial: 3,
            mailbox: [4; 16],
        },
        Content::Call(CallSignal::Offer {
            call_id: [1; 16],
            key: key.clone(),
            params: vec![5; 40],
        }),
        Content::Call(CallSignal::Answer {
            call_id: [1; 16],
            key: key.clone(),
            params: Vec::new(),
        }),
        Content::Call(CallSignal::Reject { call_id: [1; 16] }),
        Content::Call(CallSignal::HangUp { call_id: [1; 16] }),
        Content::Call(CallSignal::KeyUpdate {
            call_id: [1; 16],
            key,
        }),
    ];
    for c in &contents {
        let e = content::encode(c).unwrap();
        assert_eq!(content::encoded_len(c), e.len(), "{c:?}");
        assert_eq!(e.capacity(), e.len(), "{c:?}");
    }
    assert_eq!(content::MAILBOX_UPDATE_LEN, 1 + 4 + 16);
}

/// Two attachment pointers are equal exactly when kind, length and key
/// all are.
#[test]
fn attachment_pointers_compare_every_field() {
    let p = |kind, key, length| AttachmentPointer::new(kind, key, length).unwrap();
    let a = p(MediaKind::Photo, [1; 32], 100);
    assert_eq!(a, p(MediaKind::Photo, [1; 32], 100));
    assert_ne!(a, p(MediaKind::File, [1; 32], 100));
    assert_ne!(a, p(MediaKind::Photo, [2; 32], 100));
    assert_ne!(a, p(MediaKind::Photo, [1; 32], 101));
}

/// The zero fill is checked byte by byte: two equal non-zero fill bytes
/// (which cancel under XOR) are still `Malformed`.
#[test]
fn unpad_refuses_any_nonzero_fill() {
    let padded = padding::pad(b"content").unwrap();
    let fill_at = 4 + b"content".len();
    assert_eq!(padding::unpad(&padded).unwrap(), b"content");
    for bytes in [[1u8, 1], [0x80, 0x80], [0, 1]] {
        let mut bad = padded.clone();
        bad[fill_at..fill_at + 2].copy_from_slice(&bytes);
        assert!(
            matches!(padding::unpad(&bad), Err(xchat::Error::Malformed)),
            "{bytes:?}"
        );
    }
}
