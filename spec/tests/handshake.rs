//! The PQXDH-shaped handshake (SPEC.md section 8). No external vectors exist
//! for XCHAT-1, so these tests recompute both sides' key agreement from the
//! primitives and SPEC.md's formulas (equal `SK`, `HKA`, `NHKB`, `AD` on both
//! sides; transcript and message layouts), check every rejection the
//! initiator and the responder must make with its documented error, the
//! consumption of one-time prekeys, and that every modification of a prekey
//! message is rejected. (The responder's store cannot change on a rejection:
//! `respond` borrows it and returns the next store only on success.)

mod common;

use common::fixtures::{bob_store, identity_of, rand32, SHAPES};
use common::{hex_array, Tally, X25519_SMALL_ORDER};
use xchat_spec::bundle::{
    find_opk, find_pqpk, make_bundle, sign_pqpk, sign_spk, Bundle, PqKind, PrekeyStore,
};
use xchat_spec::encoding::{enc_ed25519, enc_ml_kem, enc_x25519, u32_be};
use xchat_spec::handle::{enc_handle, parse_handle};
use xchat_spec::handshake::{
    decode_prekey_message, derive_keys, encode_prekey_message, initiate, respond, transcript,
    PrekeyHeader, TranscriptKeys, PREKEY_PREFIX,
};
use xchat_spec::identity::{self, binding_message, IdentityPublic, IdentitySecret};
use xchat_spec::ratchet::{self, RatchetState};
use xchat_spec::sha2::sha256;
use xchat_spec::{ed25519, hkdf, ml_kem, x25519, Error};

const FIRST_PLAINTEXT: &[u8] = b"hello bob";

/// One initiated handshake and its first prekey message.
struct Hs {
    alice: IdentitySecret,
    bob: IdentitySecret,
    store: PrekeyStore,
    bundle: Bundle,
    ek_secret: [u8; 32],
    kem_m: [u8; 32],
    ratchet_secret: [u8; 32],
    state: RatchetState,
    header: PrekeyHeader,
    ad: [u8; 32],
    body: Vec<u8>,
    message: Vec<u8>,
}

fn handshake_from(alice_name: &str, opk: Option<u32>, pq: u32, tag: &str) -> Hs {
    let alice = identity_of(alice_name);
    let bob = identity_of("bob");
    let store = bob_store();
    let bundle = make_bundle(&bob, &store, opk, pq).unwrap();
    let ek_secret = rand32(&format!("{tag} ek"));
    let kem_m = rand32(&format!("{tag} kem"));
    let ratchet_secret = rand32(&format!("{tag} ratchet"));
    let peer = parse_handle(b"bob").unwrap();
    let (state, header, ad) =
        initiate(&alice, &peer, &bundle, &ek_secret, &kem_m, &ratchet_secret).unwrap();
    let nonce: [u8; 24] = rand32(&format!("{tag} nonce"))[..24].try_into().unwrap();
    let (_, body) = ratchet::encrypt(&state, &ad, &PREKEY_PREFIX, FIRST_PLAINTEXT, &nonce).unwrap();
    let message = encode_prekey_message(&header, &body);
    Hs {
        alice,
        bob,
        store,
        bundle,
        ek_secret,
        kem_m,
        ratchet_secret,
        state,
        header,
        ad,
        body,
        message,
    }
}

fn handshake(opk: Option<u32>, pq: u32) -> Hs {
    handshake_from("alice", opk, pq, &format!("hs {opk:?} {pq}"))
}

fn bob_secret() -> [u8; 32] {
    rand32("bob ratchet secret")
}

/// `respond` fails with `want` (REQ-HS-003). Bob's store cannot change:
/// `respond` borrows it and returns the next store only inside `Ok`, so a
/// comparison of `store` with a clone taken before the call could not fail
/// and is not made.
fn respond_fails(hs: &Hs, store: &PrekeyStore, message: &[u8], want: Error) {
    let r = respond(&hs.bob, store, message, &bob_secret());
    assert_eq!(r.map(|a| a.plaintext), Err(want));
}

/// `X25519_SMALL_ORDER`, decoded.
fn small_order_points() -> Vec<[u8; 32]> {
    let points: Vec<[u8; 32]> = X25519_SMALL_ORDER
        .iter()
        .map(|u| hex_array::<32>(u))
        .collect();
    for p in &points {
        // The premise: every one of them gives an all-zero output.
        assert_eq!(x25519::x25519(&rand32("any scalar"), p), [0u8; 32]);
    }
    points
}

/// An identity whose X25519 key is replaced by `dh_pub`, with a valid
/// binding (re-signed by the identity's own signing key).
fn identity_with_dh(secret: &IdentitySecret, dh_pub: [u8; 32]) -> IdentityPublic {
    let mut id = identity::public_of(secret);
    id.dh_pub = dh_pub;
    id.binding = ed25519::sign(
        &secret.sig_seed,
        &binding_message(&id.handle, &id.sig_pub, &dh_pub),
    );
    assert_eq!(identity::verify(&id), Ok(()));
    id
}

/// REQ-HS-002: recomputing each side's key agreement from its own inputs
/// with the primitives (the DH set of step 2 mirrored, ML-KEM encapsulation
/// and decapsulation, the transcript from each side's view) gives the same
/// `T`, the same `KM`, and equal `SK`, `HKA`, `NHKB`, `AD`; these equal the
/// HKDF and SHA-256 of SPEC.md steps 5-6 written out with the labels, and
/// are the keys `initiate` and `respond` actually used. All four shapes.
#[test]
fn both_sides_derive_equal_keys() {
    let mut t = Tally::new("handshake key agreement shapes");
    for (opk, pq) in SHAPES {
        let hs = handshake(opk, pq);
        let (alice, bob, store, bundle) = (&hs.alice, &hs.bob, &hs.store, &hs.bundle);
        let alice_pub = identity::public_of(alice);

        // Alice's view: her secrets and the bundle.
        let ek = x25519::x25519_base(&hs.ek_secret);
        assert_eq!(hs.header.ek, ek);
        let mut dhs_a = Vec::new();
        dhs_a.extend_from_slice(&x25519::x25519(&alice.dh_secret, &bundle.spk));
        dhs_a.extend_from_slice(&x25519::x25519(&hs.ek_secret, &bundle.identity.dh_pub));
        dhs_a.extend_from_slice(&x25519::x25519(&hs.ek_secret, &bundle.spk));
        if let Some((_, key)) = bundle.opk {
            dhs_a.extend_from_slice(&x25519::x25519(&hs.ek_secret, &key));
        }
        let (ss_a, ct) = ml_kem::encaps_internal(&bundle.pqpk, &hs.kem_m).unwrap();
        assert_eq!(hs.header.ct, ct);
        let t_a = transcript(&TranscriptKeys {
            initiator: alice_pub.clone(),
            responder: bundle.identity.clone(),
            spk: (bundle.spk_id, bundle.spk),
            opk: bundle.opk,
            pqpk: (bundle.pqpk_id, bundle.pqpk_kind, bundle.pqpk.clone()),
            ek,
            ct: ct.clone(),
        });

        // Bob's view: his store and the prekey message's fields.
        let (header, body) = decode_prekey_message(&hs.message).unwrap();
        assert_eq!(header, hs.header);
        assert_eq!(body, hs.body);
        let opk_secret = header.opk_id.map(|id| find_opk(store, id).unwrap());
        let pq_secret = find_pqpk(store, header.pqpk_id).unwrap();
        let mut dhs_b = Vec::new();
        dhs_b.extend_from_slice(&x25519::x25519(&store.spk_secret, &header.initiator.dh_pub));
        dhs_b.extend_from_slice(&x25519::x25519(&bob.dh_secret, &header.ek));
        dhs_b.extend_from_slice(&x25519::x25519(&store.spk_secret, &header.ek));
        if let Some(s) = opk_secret {
            dhs_b.extend_from_slice(&x25519::x25519(&s, &header.ek));
        }
        let ss_b = ml_kem::decaps_internal(&pq_secret.dk, &header.ct).unwrap();
        let t_b = transcript(&TranscriptKeys {
            initiator: header.initiator.clone(),
            responder: identity::public_of(bob),
            spk: (store.spk_id, x25519::x25519_base(&store.spk_secret)),
            opk: header
                .opk_id
                .map(|id| (id, x25519::x25519_base(&opk_secret.unwrap()))),
            pqpk: (pq_secret.id, pq_secret.kind, pq_secret.ek.clone()),
            ek: header.ek,
            ct: header.ct.clone(),
        });

        assert_eq!(dhs_a.len(), if opk.is_some() { 128 } else { 96 });
        assert_eq!(dhs_a, dhs_b);
        assert_eq!(ss_a, ss_b);
        assert_eq!(t_a, t_b);
        let keys_a = derive_keys(&dhs_a, &ss_a, &t_a).unwrap();
        let keys_b = derive_keys(&dhs_b, &ss_b, &t_b).unwrap();
        assert_eq!(keys_a, keys_b);

        // SPEC.md section 8 steps 5-6, written out.
        let km = [&[0xFFu8; 32][..], &dhs_a[..], &ss_a[..]].concat();
        let okm = hkdf::hkdf_sha256(
            &[0u8; 32],
            &km,
            &[b"XCHAT-1 handshake".as_slice(), &t_a[..]].concat(),
            96,
        )
        .unwrap();
        assert_eq!(keys_a.sk[..], okm[0..32]);
        assert_eq!(keys_a.hka[..], okm[32..64]);
        assert_eq!(keys_a.nhkb[..], okm[64..96]);
        assert_eq!(
            keys_a.ad,
            sha256(&[b"XCHAT-1 associated data".as_slice(), &t_a[..]].concat())
        );
        assert!(keys_a.sk != keys_a.hka && keys_a.hka != keys_a.nhkb && keys_a.sk != keys_a.nhkb);

        // The keys the functions used: Alice's ratchet and AD ...
        assert_eq!(hs.ad, keys_a.ad);
        let alice_state = ratchet::init_alice(
            &keys_a.sk,
            &bundle.spk,
            &keys_a.hka,
            &keys_a.nhkb,
            &hs.ratchet_secret,
        )
        .unwrap();
        assert_eq!(hs.state, alice_state);
        // ... and Bob's, after the first body.
        let accepted = respond(bob, store, &hs.message, &bob_secret()).unwrap();
        assert_eq!(accepted.ad, keys_b.ad);
        assert_eq!(accepted.header, hs.header);
        assert_eq!(accepted.plaintext, FIRST_PLAINTEXT);
        let fresh = ratchet::init_bob(&keys_b.sk, &store.spk_secret, &keys_b.hka, &keys_b.nhkb);
        let (bob_state, _) =
            ratchet::decrypt(&fresh, &keys_b.ad, &PREKEY_PREFIX, &body, &bob_secret()).unwrap();
        assert_eq!(accepted.state, bob_state);
        t.check();
    }
    t.finish(4);
}

/// REQ-HS-002: the transcript `T` has the layout of SPEC.md section 8 step 4,
/// field by field, and its length is
/// `16+33+33 + 16+33+33 + 4+33 + 1 [+4+33] + 4+1+1185 + 33 + 1088`
/// = 2513 bytes without an OPK and 2550 with one. The prekey message has the
/// layout of section 8: `2 + 147 + 4 + 1 [+4] + 4 + 33 + 1088` bytes of
/// header, then the ratchet body (`81 + len(plaintext) + 16`).
#[test]
fn transcript_and_prekey_message_layout() {
    let mut t = Tally::new("handshake layouts");
    for (opk, pq) in SHAPES {
        let hs = handshake(opk, pq);
        let alice_pub = identity::public_of(&hs.alice);
        let b = &hs.bundle;
        let tr = transcript(&TranscriptKeys {
            initiator: alice_pub.clone(),
            responder: b.identity.clone(),
            spk: (b.spk_id, b.spk),
            opk: b.opk,
            pqpk: (b.pqpk_id, b.pqpk_kind, b.pqpk.clone()),
            ek: hs.header.ek,
            ct: hs.header.ct.clone(),
        });
        let want_len = if opk.is_some() { 2550 } else { 2513 };
        assert_eq!(tr.len(), want_len);
        let mut expected = Vec::new();
        expected.extend_from_slice(&enc_handle(&alice_pub.handle));
        expected.extend_from_slice(&enc_ed25519(&alice_pub.sig_pub));
        expected.extend_from_slice(&enc_x25519(&alice_pub.dh_pub));
        expected.extend_from_slice(&enc_handle(&b.identity.handle));
        expected.extend_from_slice(&enc_ed25519(&b.identity.sig_pub));
        expected.extend_from_slice(&enc_x25519(&b.identity.dh_pub));
        expected.extend_from_slice(&u32_be(7));
        expected.extend_from_slice(&enc_x25519(&b.spk));
        match b.opk {
            Some((id, key)) => {
                expected.push(0x01);
                expected.extend_from_slice(&u32_be(id));
                expected.extend_from_slice(&enc_x25519(&key));
            }
            None => expected.push(0x00),
        }
        expected.extend_from_slice(&u32_be(pq));
        expected.push(if pq == 200 { 0x01 } else { 0x02 });
        expected.extend_from_slice(&enc_ml_kem(&b.pqpk));
        expected.extend_from_slice(&enc_x25519(&hs.header.ek));
        expected.extend_from_slice(&hs.header.ct);
        assert_eq!(tr, expected);
        // Fixed offsets an auditor can check against the formula.
        assert_eq!(tr[0..16], enc_handle(&parse_handle(b"alice").unwrap()));
        assert_eq!(tr[82..98], enc_handle(&parse_handle(b"bob").unwrap()));
        assert_eq!(tr[201], u8::from(opk.is_some()));

        let header_len = if opk.is_some() { 1283 } else { 1279 };
        assert_eq!(hs.body.len(), 81 + FIRST_PLAINTEXT.len() + 16);
        assert_eq!(hs.message.len(), header_len + hs.body.len());
        assert_eq!(hs.message[0..2], [0x01, 0x01]);
        assert_eq!(hs.message[2..149], identity::encode(&alice_pub)[..]);
        assert_eq!(hs.message[149..153], u32_be(7));
        let mut p = 153;
        if let Some(id) = opk {
            assert_eq!(
                hs.message[p..p + 5],
                [&[0x01u8][..], &u32_be(id)[..]].concat()[..]
            );
            p += 5;
        } else {
            assert_eq!(hs.message[p], 0x00);
            p += 1;
        }
        assert_eq!(hs.message[p..p + 4], u32_be(pq));
        assert_eq!(hs.message[p + 4..p + 37], enc_x25519(&hs.header.ek));
        assert_eq!(hs.message[p + 37..p + 37 + 1088], hs.header.ct[..]);
        assert_eq!(hs.message[header_len..], hs.body[..]);
        t.check();
    }
    t.finish(4);
}

/// REQ-HS-001: the bundle must be for the handle Alice asked for; handles
/// compare in canonical form.
#[test]
fn bundle_for_another_handle() {
    let hs = handshake(Some(101), 200);
    let r = |peer: &[u8], bundle: &Bundle| {
        initiate(
            &hs.alice,
            &parse_handle(peer).unwrap(),
            bundle,
            &hs.ek_secret,
            &hs.kem_m,
            &hs.ratchet_secret,
        )
        .map(|(_, h, _)| h)
    };
    assert_eq!(r(b"carol", &hs.bundle), Err(Error::InvalidHandle));
    assert_eq!(r(b"bobb", &hs.bundle), Err(Error::InvalidHandle));
    assert_eq!(r(b"BoB", &hs.bundle), Ok(hs.header.clone()));
    // Carol's own, valid bundle served for "bob".
    let carol = identity_of("carol");
    let carol_bundle = make_bundle(&carol, &bob_store(), Some(101), 200).unwrap();
    assert_eq!(r(b"bob", &carol_bundle), Err(Error::InvalidHandle));
    assert!(r(b"carol", &carol_bundle).is_ok());
}

fn initiate_with(hs: &Hs, bundle: &Bundle) -> Result<PrekeyHeader, Error> {
    initiate(
        &hs.alice,
        &parse_handle(b"bob").unwrap(),
        bundle,
        &hs.ek_secret,
        &hs.kem_m,
        &hs.ratchet_secret,
    )
    .map(|(_, h, _)| h)
}

/// REQ-HS-001 (REQ-BUNDLE-002): forged signatures in the bundle are
/// `InvalidSignature`: the binding, `spk_sig`, `pqpk_sig` altered, a signed
/// field changed without re-signing, or a signature by another key.
#[test]
fn forged_bundle_signatures() {
    let hs = handshake(Some(101), 200);
    let mallory = identity_of("mallory");
    let mut t = Tally::new("handshake forged bundles");
    let mut forged: Vec<Bundle> = Vec::new();
    for bit in [0usize, 255, 300, 511] {
        let mut b = hs.bundle.clone();
        b.identity.binding[bit / 8] ^= 1 << (bit % 8);
        forged.push(b);
        let mut b = hs.bundle.clone();
        b.spk_sig[bit / 8] ^= 1 << (bit % 8);
        forged.push(b);
        let mut b = hs.bundle.clone();
        b.pqpk_sig[bit / 8] ^= 1 << (bit % 8);
        forged.push(b);
    }
    let mut b = hs.bundle.clone();
    b.spk[0] ^= 0x40;
    forged.push(b);
    let mut b = hs.bundle.clone();
    b.spk_id += 1;
    forged.push(b);
    let mut b = hs.bundle.clone();
    b.pqpk_id += 1;
    forged.push(b);
    let mut b = hs.bundle.clone();
    b.pqpk_kind = PqKind::LastResort;
    forged.push(b);
    let mut b = hs.bundle.clone();
    b.pqpk[5] ^= 0x01;
    forged.push(b);
    let mut b = hs.bundle.clone();
    b.identity.dh_pub[3] ^= 0x01;
    forged.push(b);
    // Signatures by Mallory's key over Bob's handle and Bob's prekeys.
    let mallory_as_bob = IdentitySecret {
        handle: hs.bob.handle,
        ..mallory.clone()
    };
    let mut b = hs.bundle.clone();
    b.spk_sig = sign_spk(&mallory_as_bob, b.spk_id, &b.spk);
    forged.push(b);
    let mut b = hs.bundle.clone();
    b.pqpk_sig = sign_pqpk(&mallory_as_bob, b.pqpk_id, b.pqpk_kind, &b.pqpk);
    forged.push(b);
    for b in &forged {
        assert_eq!(initiate_with(&hs, b), Err(Error::InvalidSignature));
        t.check();
    }
    t.finish(18);
}

/// Section 7: the one-time prekey is not signed; a directory that alters it
/// only makes the handshake fail at the responder (`AuthenticationFailed`
/// for another key, `UnknownPrekey` for another id).
#[test]
fn altered_one_time_prekey_fails_at_responder() {
    let hs = handshake(Some(101), 200);
    let mut t = Tally::new("handshake altered OPKs");
    let altered_key = (101, x25519::x25519_base(&rand32("directory's own opk")));
    let other_id = (102, hs.bundle.opk.unwrap().1);
    let missing_id = (999, hs.bundle.opk.unwrap().1);
    for (opk, want) in [
        (altered_key, Error::AuthenticationFailed),
        (other_id, Error::AuthenticationFailed),
        (missing_id, Error::UnknownPrekey),
    ] {
        let mut b = hs.bundle.clone();
        b.opk = Some(opk);
        let (state, header, ad) = initiate(
            &hs.alice,
            &parse_handle(b"bob").unwrap(),
            &b,
            &hs.ek_secret,
            &hs.kem_m,
            &hs.ratchet_secret,
        )
        .unwrap();
        let (_, body) =
            ratchet::encrypt(&state, &ad, &PREKEY_PREFIX, FIRST_PLAINTEXT, &[9u8; 24]).unwrap();
        respond_fails(&hs, &hs.store, &encode_prekey_message(&header, &body), want);
        t.check();
    }
    t.finish(3);
}

/// REQ-SUITE-002 (REQ-HS-001): a PQ prekey that fails the FIPS 203
/// section 7.2 modulus check is `InvalidKey`, even correctly signed.
#[test]
fn invalid_kem_key() {
    let hs = handshake(Some(101), 200);
    let mut t = Tally::new("handshake invalid ML-KEM keys");
    // The first, a middle and the last coefficient of t-hat set to 4095 >= q.
    for coeff in [0usize, 300, 767] {
        let mut b = hs.bundle.clone();
        let byte = coeff * 3 / 2;
        if coeff % 2 == 0 {
            b.pqpk[byte] = 0xFF;
            b.pqpk[byte + 1] |= 0x0F;
        } else {
            b.pqpk[byte] |= 0xF0;
            b.pqpk[byte + 1] = 0xFF;
        }
        b.pqpk_sig = sign_pqpk(&hs.bob, b.pqpk_id, b.pqpk_kind, &b.pqpk);
        assert_eq!(initiate_with(&hs, &b), Err(Error::InvalidKey));
        t.check();
    }
    t.finish(3);
}

/// REQ-SUITE-001 (REQ-HS-001): a small-order SPK, OPK or identity DH key in
/// a correctly signed bundle is `NonContributory` at the initiator.
#[test]
fn non_contributory_bundle_keys() {
    let hs = handshake(Some(101), 200);
    let mut t = Tally::new("handshake small-order bundle keys");
    for point in small_order_points() {
        let mut b = hs.bundle.clone();
        b.spk = point;
        b.spk_sig = sign_spk(&hs.bob, b.spk_id, &point);
        assert_eq!(initiate_with(&hs, &b), Err(Error::NonContributory));
        let mut b = hs.bundle.clone();
        b.opk = Some((101, point));
        assert_eq!(initiate_with(&hs, &b), Err(Error::NonContributory));
        let mut b = hs.bundle.clone();
        b.identity = identity_with_dh(&hs.bob, point);
        assert_eq!(initiate_with(&hs, &b), Err(Error::NonContributory));
        t.check();
    }
    t.finish(7);
}

/// REQ-SUITE-001 (REQ-HS-003): at the responder, a small-order `EK` or
/// initiator identity key is `NonContributory`.
#[test]
fn non_contributory_prekey_message() {
    let hs = handshake(Some(101), 200);
    let mut t = Tally::new("handshake small-order prekey message keys");
    for point in small_order_points() {
        let mut h = hs.header.clone();
        h.ek = point;
        respond_fails(
            &hs,
            &hs.store,
            &encode_prekey_message(&h, &hs.body),
            Error::NonContributory,
        );
        let mut h = hs.header.clone();
        h.initiator = identity_with_dh(&hs.alice, point);
        respond_fails(
            &hs,
            &hs.store,
            &encode_prekey_message(&h, &hs.body),
            Error::NonContributory,
        );
        t.check();
    }
    t.finish(7);
}

/// REQ-HS-003: a prekey message naming a signed, one-time or PQ prekey Bob
/// does not hold is `UnknownPrekey`; one naming an OPK Alice did not use
/// derives other keys (`AuthenticationFailed`).
#[test]
fn unknown_prekeys() {
    let mut t = Tally::new("handshake unknown prekey ids");
    for (opk, pq) in SHAPES {
        let hs = handshake(opk, pq);
        let mut cases = Vec::new();
        let mut h = hs.header.clone();
        h.spk_id = 8;
        cases.push((h, Error::UnknownPrekey));
        let mut h = hs.header.clone();
        h.opk_id = Some(999);
        cases.push((h, Error::UnknownPrekey));
        let mut h = hs.header.clone();
        h.pqpk_id = 202;
        cases.push((h, Error::UnknownPrekey));
        let mut h = hs.header.clone();
        h.opk_id = Some(100);
        cases.push((h, Error::AuthenticationFailed));
        let mut h = hs.header.clone();
        h.pqpk_id = if pq == 200 { 201 } else { 200 };
        cases.push((h, Error::AuthenticationFailed));
        if opk.is_some() {
            let mut h = hs.header.clone();
            h.opk_id = None;
            cases.push((h, Error::AuthenticationFailed));
        }
        for (h, want) in cases {
            respond_fails(&hs, &hs.store, &encode_prekey_message(&h, &hs.body), want);
            t.check();
        }
        // A store that never held the named prekeys.
        let mut empty = hs.store.clone();
        empty.opks.clear();
        empty.pqpks.retain(|p| p.id != pq);
        respond_fails(&hs, &empty, &hs.message, Error::UnknownPrekey);
        t.check();
    }
    t.finish(22);
}

/// REQ-HS-004: after the first message decrypts, the OPK it used and a
/// one-time PQ prekey are deleted; the other OPKs, the signed prekey and
/// last-resort PQ prekeys stay. (Expected stores are built by hand.)
#[test]
fn one_time_prekeys_consumed() {
    let mut t = Tally::new("handshake prekey consumption");
    for (opk, pq) in SHAPES {
        let hs = handshake(opk, pq);
        let accepted = respond(&hs.bob, &hs.store, &hs.message, &bob_secret()).unwrap();
        let mut want = hs.store.clone();
        want.opks = (100..103)
            .filter(|i| Some(*i) != opk)
            .map(|i| (i, rand32(&format!("bob opk {i}"))))
            .collect();
        if pq == 200 {
            want.pqpks = vec![hs.store.pqpks[1].clone()];
            assert_eq!(want.pqpks[0].id, 201);
        }
        assert_eq!(accepted.store, want);
        t.check();
    }
    t.finish(4);
}

/// REQ-HS-004: the first prekey message replayed to the responder's new
/// store, or a second initiator (Carol) using the same bundle, fails with
/// `UnknownPrekey` whenever the bundle offered a one-time prekey (X25519 or
/// PQ). With neither (no OPK, last-resort PQ prekey) the handshake alone
/// cannot detect a replay: `respond` accepts it again (as in X3DH, Signal's
/// X3DH section 4.2), and the session layer rejects it (SPEC.md section 8;
/// tests/conversation.rs).
#[test]
fn one_time_prekey_reuse_rejected() {
    let mut t = Tally::new("handshake prekey reuse");
    for (opk, pq) in SHAPES {
        let hs = handshake(opk, pq);
        let accepted = respond(&hs.bob, &hs.store, &hs.message, &bob_secret()).unwrap();
        let carol = handshake_from("carol", opk, pq, "carol");
        assert_eq!(carol.bundle, hs.bundle);
        // Carol's message is accepted by the original store.
        let carol_first = respond(&hs.bob, &hs.store, &carol.message, &bob_secret()).unwrap();
        assert_eq!(carol_first.plaintext, FIRST_PLAINTEXT);
        if opk.is_some() || pq == 200 {
            respond_fails(&hs, &accepted.store, &hs.message, Error::UnknownPrekey);
            respond_fails(&hs, &accepted.store, &carol.message, Error::UnknownPrekey);
        } else {
            let again = respond(&hs.bob, &accepted.store, &hs.message, &bob_secret()).unwrap();
            assert_eq!(again.header.ek, accepted.header.ek);
            assert_eq!(again.store, accepted.store);
            let c = respond(&hs.bob, &accepted.store, &carol.message, &bob_secret()).unwrap();
            assert_eq!(c.header.initiator, identity::public_of(&carol.alice));
        }
        t.check();
    }
    t.finish(4);
}

/// The errors a flip of byte `i` of a prekey message may give, by field
/// (SPEC.md section 8 layout; decoding order of section 4.4).
fn allowed_flip_errors(i: usize, has_opk: bool) -> &'static [Error] {
    use Error::*;
    let ids_end = if has_opk { 162 } else { 158 };
    match i {
        0 => &[UnsupportedVersion],
        1 => &[Malformed],
        2 => &[UnsupportedVersion],
        // Handle: not canonical, or another valid handle whose binding fails.
        3..=18 => &[InvalidHandle, InvalidSignature],
        19 | 52 => &[Malformed],
        20..=51 | 53..=148 => &[InvalidSignature],
        // spk_id, has_opk (0x01 <-> 0x00 shifts the fields), opk_id, pqpk_id:
        // an id Bob does not hold, or another prekey he holds (other keys).
        _ if i < ids_end => &[UnknownPrekey, Malformed, AuthenticationFailed],
        _ if i == ids_end => &[Malformed],
        // EK (a different key, or one of small order), CT, body.
        _ if i < ids_end + 33 => &[AuthenticationFailed, NonContributory],
        _ => &[AuthenticationFailed],
    }
}

/// REQ-HS-003 (REQ-SESSION-002): every single-byte flip of a prekey message,
/// with two masks, is rejected by `respond` with the error of its field.
#[test]
fn every_byte_flip_rejected() {
    let mut t = Tally::new("handshake prekey message byte flips");
    for (opk, pq) in [(Some(101), 200), (None, 201)] {
        let hs = handshake(opk, pq);
        for mask in [0x01u8, 0x80] {
            for i in 0..hs.message.len() {
                let mut m = hs.message.clone();
                m[i] ^= mask;
                let r = respond(&hs.bob, &hs.store, &m, &bob_secret());
                match r {
                    Ok(_) => panic!("flip {mask:#x} at {i} accepted"),
                    Err(e) => assert!(
                        allowed_flip_errors(i, opk.is_some()).contains(&e),
                        "flip {mask:#x} at {i}: {e:?}"
                    ),
                }
                t.check();
            }
        }
    }
    t.finish(4 * 1279);
}

/// REQ-HS-003: every truncation is rejected (`Malformed` while a field or
/// the minimal body is missing, `AuthenticationFailed` once only ciphertext
/// is cut), and so is every extension (the body is the rest of the message:
/// `AuthenticationFailed`).
#[test]
fn truncations_and_extensions_rejected() {
    let mut t = Tally::new("handshake prekey message truncations/extensions");
    for (opk, pq) in [(Some(101), 200), (None, 201)] {
        let hs = handshake(opk, pq);
        let header_len = if opk.is_some() { 1283 } else { 1279 };
        for len in 0..hs.message.len() {
            let want = if len < header_len + 81 + 16 {
                Error::Malformed
            } else {
                Error::AuthenticationFailed
            };
            respond_fails(&hs, &hs.store, &hs.message[..len], want);
            t.check();
        }
        for extra in 1..=20usize {
            let m = [hs.message.clone(), vec![0u8; extra]].concat();
            respond_fails(&hs, &hs.store, &m, Error::AuthenticationFailed);
            t.check();
        }
    }
    t.finish(2 * 1400);
}

/// SPEC.md section 8, prekey message decoding: the body is at least
/// `81 + 16` bytes, checked while decoding, so a short body is `Malformed`
/// before the identity, the prekey ids or any key are looked at.
#[test]
fn short_body_is_malformed_before_any_check() {
    let hs = handshake(Some(101), 200);
    let mut t = Tally::new("handshake short bodies");
    let mut bad_binding = hs.header.clone();
    bad_binding.initiator.binding[0] ^= 1;
    let mut bad_spk = hs.header.clone();
    bad_spk.spk_id = 8;
    let mut small_ek = hs.header.clone();
    small_ek.ek = [0u8; 32];
    for len in [0usize, 1, 81, 96] {
        let body = &hs.body[..len];
        assert_eq!(
            decode_prekey_message(&encode_prekey_message(&hs.header, body)),
            Err(Error::Malformed)
        );
        for h in [&hs.header, &bad_binding, &bad_spk, &small_ek] {
            respond_fails(
                &hs,
                &hs.store,
                &encode_prekey_message(h, body),
                Error::Malformed,
            );
            t.check();
        }
    }
    // The shortest body decodes (and fails only in the AEAD).
    let body = &hs.body[..97];
    assert!(decode_prekey_message(&encode_prekey_message(&hs.header, body)).is_ok());
    t.finish(16);
}
