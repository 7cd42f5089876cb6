//! `Debug` never prints a secret (README.md, "How we write code"): every
//! type that holds key material, plaintext or handshake intermediates shows
//! its public fields and a `[redacted]` marker instead. Each case checks
//! that the output names the type and what it shows, and that it contains
//! none of the secret bytes it holds (as `Debug` would print them).

use rand::rngs::StdRng;
use rand::SeedableRng;
use xchat::bundle::{self, PqKind, PrekeyStore};
use xchat::content::Content;
use xchat::handshake::{self, HandshakeKeys};
use xchat::session::Session;
use xchat::{envelope, identity, Handle};

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// How `Debug` prints a byte array: the form a leak would take.
fn shown(bytes: &[u8]) -> String {
    format!("{bytes:?}")
}

fn assert_redacted(out: &str, name: &str, secrets: &[&[u8]]) {
    assert!(out.starts_with(name), "{out}");
    assert!(out.contains("[redacted]"), "{out}");
    for s in secrets {
        let leak = shown(s);
        assert!(
            !out.contains(&leak[1..leak.len() - 1]),
            "{out} shows {leak}"
        );
    }
}

#[test]
fn handshake_keys_show_only_the_associated_data() {
    let keys = HandshakeKeys {
        sk: [0x11; 32],
        hka: [0x22; 32],
        nhkb: [0x33; 32],
        ad: [0x44; 32],
    };
    let out = format!("{keys:?}");
    assert_redacted(&out, "HandshakeKeys", &[&keys.sk, &keys.hka, &keys.nhkb]);
    assert!(out.contains(&shown(&keys.ad)), "{out}");
}

#[test]
fn sessions_ratchets_and_handshakes_are_redacted() {
    let r = &mut rng(1);
    let alice_h: Handle = "alice".parse().unwrap();
    let bob_h: Handle = "bob".parse().unwrap();
    let alice = identity::generate(alice_h, r);
    let bob = identity::generate(bob_h, r);
    let mut store = PrekeyStore::generate(1, r);
    store.add_pq_prekey(bundle::generate_pq_prekey(20, PqKind::LastResort, r));
    let bob_bundle = bundle::make_bundle(&bob, &store, None, 20)
        .unwrap()
        .verify()
        .unwrap();
    let bob_mailbox = [7u8; 16];

    // The initiator's session, before and after its first message.
    let mut session = Session::initiate(&alice, &bob_h, &bob_bundle, r).unwrap();
    let out = format!("{session:?}");
    assert!(out.starts_with("Session"), "{out}");
    assert!(
        out.contains("bob") && out.contains("prekey_phase: true"),
        "{out}"
    );
    assert!(
        out.contains("RatchetState") && out.contains("[redacted]"),
        "{out}"
    );
    let secret_text = "the secret plaintext";
    let (_, envelope) = session
        .send(&alice, &Content::Text(secret_text.into()), &bob_mailbox, r)
        .unwrap();
    let ad = *session.associated_data();
    let out = format!("{session:?}");
    assert!(out.contains("ns: 1"), "{out}");

    // A pending send of the ratchet.
    let mut state = {
        let (state, _, _) =
            handshake::initiate(&alice, &bob_h, &bob_bundle, &[1; 32], &[2; 32], &[3; 32]).unwrap();
        state
    };
    let out = format!("{state:?}");
    assert_redacted(&out, "RatchetState", &[]);
    let pending = state.encrypt(&ad, &[], b"plain", &[4; 24]).unwrap();
    assert_eq!(format!("{pending:?}"), "PendingSend([redacted])");
    drop(pending);

    // The responder's side: the accepted handshake and its trace.
    let (_, prekey_message) = envelope::open(&bob, &bob_mailbox, &envelope).unwrap();
    let (accepted, trace) =
        handshake::respond_traced(&bob, &store, &prekey_message, &[5; 32]).unwrap();
    let out = format!("{accepted:?}");
    assert_redacted(
        &out,
        "Accepted",
        &[&accepted.plaintext, secret_text.as_bytes()],
    );
    assert!(out.contains("RatchetState"), "{out}");
    let out = format!("{trace:?}");
    assert_redacted(
        &out,
        "HandshakeTrace",
        &[&trace.keys.sk, &trace.keys.hka, &trace.keys.nhkb],
    );
    assert!(
        out.contains(&format!("transcript: {}", trace.transcript.len())),
        "{out}"
    );
}

#[test]
fn a_pending_receive_is_redacted() {
    use xchat::ratchet::RatchetState;
    let (sk, hka, nhkb, bob_secret) = ([1u8; 32], [2u8; 32], [3u8; 32], [4u8; 32]);
    let bob_pub = xchat::crypto::x25519::public_key(&bob_secret);
    let mut alice = RatchetState::init_alice(&sk, &bob_pub, &hka, &nhkb, &[5; 32]).unwrap();
    let mut bob = RatchetState::init_bob(&sk, &bob_secret, &bob_pub, &hka, &nhkb);
    let secret_text = b"the secret plaintext";
    let body = alice
        .encrypt(&[7; 32], &[1, 2], secret_text, &[6; 24])
        .unwrap()
        .commit();
    let pending = bob.decrypt(&[7; 32], &[1, 2], &body, &[8; 32]).unwrap();
    assert_eq!(pending.plaintext(), secret_text);
    assert_eq!(format!("{pending:?}"), "PendingRecv([redacted])");
}

/// Contents and call signals show their kind and public fields (lengths,
/// serials, key ids, call ids), never the text, a key, a mailbox or
/// transport parameters.
#[test]
fn contents_and_call_signals_are_redacted() {
    use xchat::content::{AttachmentPointer, CallKey, CallSignal, MediaKind};
    let out = format!("{:?}", Content::Text("the secret words".into()));
    assert_eq!(out, "Text([redacted; 16 bytes])");
    let out = format!(
        "{:?}",
        Content::MailboxUpdate {
            serial: 7,
            mailbox: [0xA5; 16]
        }
    );
    assert!(
        out.starts_with("MailboxUpdate") && out.contains("serial: 7"),
        "{out}"
    );
    assert!(!out.contains("165"), "{out}");
    let key = CallKey::new(42, [0xC3; 32]);
    let out = format!("{key:?}");
    assert!(
        out.starts_with("CallKey") && out.contains("kid: 42"),
        "{out}"
    );
    assert!(!out.contains("195"), "{out}");
    let offer = CallSignal::Offer {
        call_id: [9; 16],
        key: key.clone(),
        params: vec![0xEE; 12],
    };
    let out = format!("{:?}", Content::Call(offer));
    assert!(out.starts_with("Call(Offer"), "{out}");
    for shown in ["call_id: [9, 9", "kid: 42", "params_len: 12"] {
        assert!(out.contains(shown), "{out}");
    }
    assert!(!out.contains("195") && !out.contains("238"), "{out}");
    let out = format!(
        "{:?}",
        CallSignal::KeyUpdate {
            call_id: [9; 16],
            key: key.clone()
        }
    );
    assert!(
        out.starts_with("KeyUpdate") && out.contains("kid: 42"),
        "{out}"
    );
    let out = format!("{:?}", CallSignal::HangUp { call_id: [9; 16] });
    assert!(
        out.starts_with("HangUp") && out.contains("call_id"),
        "{out}"
    );
    let pointer = AttachmentPointer::new(MediaKind::File, [0xC3; 32], 5).unwrap();
    let out = format!("{:?}", Content::Attachment(pointer));
    assert!(
        out.starts_with("Attachment(") && !out.contains("195"),
        "{out}"
    );
    // Call keys are equal exactly when both the id and the key are.
    assert_eq!(key, CallKey::new(42, [0xC3; 32]));
    assert_ne!(key, CallKey::new(43, [0xC3; 32]));
    assert_ne!(key, CallKey::new(42, [0xC4; 32]));
}

/// The prekey store and its prekeys show ids and kinds, never a secret.
#[test]
fn prekey_store_and_prekeys_are_redacted() {
    let mut store = PrekeyStore::new(5, &[0x5A; 32]);
    store.add_one_time_prekey(9, &[0x6B; 32]);
    let pq = bundle::generate_pq_prekey(20, PqKind::LastResort, &mut rng(3));
    let out = format!("{pq:?}");
    assert!(out.starts_with("PqPrekeySecret"), "{out}");
    for shown in ["id: 20", "LastResort", "[redacted]"] {
        assert!(out.contains(shown), "{out}");
    }
    store.add_pq_prekey(pq);
    let out = format!("{store:?}");
    assert_redacted(&out, "PrekeyStore", &[&[0x5A; 32], &[0x6B; 32]]);
    for shown in [
        "spk_id: 5",
        "OneTimePrekeySecret { id: 9",
        "PqPrekeySecret { id: 20",
    ] {
        assert!(out.contains(shown), "{out}");
    }
}
