//! Alice calls Bob (SPEC.md section 20): the call signals travel as
//! ordinary messages of their session, through an untrusted in-memory
//! relay; the media frames are SFrame (RFC 9605) frames under each side's
//! own random key, carried by a media path that sees only SFrame headers,
//! sizes and timing. A few frames each way, a key update, a replayed frame
//! rejected, a late frame of the replaced key still played, and the
//! hang-up. Run:
//!
//! ```text
//! cargo run --release -p xchat --example call
//! ```

use std::collections::{HashMap, VecDeque};

use xchat::account::{Account, Outgoing, Receipt};
use xchat::bundle::{self, PqKind, PrekeyStore};
use xchat::call::{CallId, Calls, Phase};
use xchat::content::{CallSignal, Content};
use xchat::handle::Handle;
use xchat::identity;
use xchat::sframe::decode_header;

/// The relay: envelopes per mailbox, nothing else.
#[derive(Default)]
struct Relay {
    mailboxes: HashMap<[u8; 16], VecDeque<Vec<u8>>>,
}

impl Relay {
    fn post(&mut self, out: Outgoing) {
        println!("[relay]   envelope: {} bytes", out.envelope.len());
        self.mailboxes
            .entry(out.mailbox)
            .or_default()
            .push_back(out.envelope);
    }
}

/// One user: an account (the session) and its calls, side by side.
struct User {
    account: Account,
    calls: Calls,
}

impl User {
    fn new(name: &str, rng: &mut rand::rngs::ThreadRng) -> User {
        let handle: Handle = name.parse().expect("valid handle");
        let mut store = PrekeyStore::generate(1, rng);
        store.add_pq_prekey(bundle::generate_pq_prekey(20, PqKind::LastResort, rng));
        let mut mailbox = [0u8; 16];
        rand::Rng::fill_bytes(rng, &mut mailbox);
        User {
            account: Account::new(identity::generate(handle, rng), store, mailbox),
            calls: Calls::new(),
        }
    }

    fn handle(&self) -> Handle {
        *self.account.identity().handle()
    }

    fn send(&mut self, to: &User, content: &Content, relay: &mut Relay) {
        let out = self
            .account
            .send(
                &to.handle(),
                content,
                to.account.mailbox(),
                &mut rand::rng(),
            )
            .expect("send");
        println!("[{}]  sends {content:?}", self.handle());
        relay.post(out);
    }

    /// Receives every waiting envelope; call signals go to the calls,
    /// under the handle of the contact whose session decrypted them.
    fn receive(&mut self, relay: &mut Relay) -> Vec<Content> {
        let mut got = Vec::new();
        let mut polled = vec![*self.account.mailbox()];
        for c in self.account.contacts() {
            polled.extend_from_slice(c.mailboxes());
        }
        for mailbox in polled {
            while let Some(env) = relay
                .mailboxes
                .get_mut(&mailbox)
                .and_then(|q| q.pop_front())
            {
                match self.account.receive(&mailbox, &env, &mut rand::rng()) {
                    Ok(Receipt::Message(m)) => {
                        let from = m.sender.handle;
                        println!("[{}]  received from {from}: {:?}", self.handle(), m.content);
                        if let Content::Call(signal) = &m.content {
                            self.calls.on_signal(&from, signal).expect("call signal");
                        }
                        got.push(m.content);
                    }
                    other => panic!("unexpected receipt {other:?}"),
                }
            }
        }
        got
    }
}

fn main() {
    let rng = &mut rand::rng();
    let mut relay = Relay::default();
    let mut alice = User::new("alice", rng);
    let mut bob = User::new("bob", rng);
    let (a, b) = (alice.handle(), bob.handle());

    // A session first (SPEC.md section 15): Bob's bundle, Alice starts.
    let bob_bundle =
        bundle::make_bundle(bob.account.identity(), bob.account.store(), None, 20).expect("bundle");
    let verified = bundle::decode(&bundle::encode(&bob_bundle))
        .expect("decode")
        .verify()
        .expect("verify");
    alice.account.start(&b, &verified, rng).expect("start");

    // The offer: a fresh call id and Alice's random SFrame key (KID 0).
    // Relay-only mode would put only relay candidates in the parameters.
    let (call, offer): (CallId, Content) = alice
        .calls
        .start(&b, b"v=0 ... a=candidate:relay ...", rng)
        .expect("start call");
    alice.send(&bob, &offer, &mut relay);
    bob.receive(&mut relay);
    assert_eq!(bob.calls.phase(&a, &call), Some(Phase::Incoming));

    // Bob answers with his own key.
    let answer = bob
        .calls
        .answer(&a, &call, b"v=0 ... answer ...", rng)
        .expect("answer");
    bob.send(&alice, &answer, &mut relay);
    alice.receive(&mut relay);
    assert_eq!(alice.calls.phase(&b, &call), Some(Phase::Active));

    // Media: a few frames each way (audio-sized and video-sized). The
    // media path sees only what `decode_header` shows, sizes and timing.
    let mut from_alice = Vec::new();
    for i in 0..3u8 {
        let audio = vec![i; 100];
        let f = alice
            .calls
            .encrypt_frame(&b, &call, b"", &audio)
            .expect("encrypt");
        let (h, _) = decode_header(&f).expect("header");
        println!(
            "[media]   alice -> bob: KID {} CTR {}, {} bytes",
            h.kid,
            h.ctr,
            f.len()
        );
        assert_eq!(
            bob.calls
                .decrypt_frame(&a, &call, b"", &f)
                .expect("decrypt"),
            audio
        );
        from_alice.push(f);
    }
    for i in 0..3u8 {
        let video = vec![0x80 | i; 1200];
        let f = bob
            .calls
            .encrypt_frame(&a, &call, b"", &video)
            .expect("encrypt");
        let (h, _) = decode_header(&f).expect("header");
        println!(
            "[media]   bob -> alice: KID {} CTR {}, {} bytes",
            h.kid,
            h.ctr,
            f.len()
        );
        assert_eq!(
            alice
                .calls
                .decrypt_frame(&b, &call, b"", &f)
                .expect("decrypt"),
            video
        );
    }

    // A replayed frame is rejected, and changes nothing.
    let replay = bob.calls.decrypt_frame(&a, &call, b"", &from_alice[1]);
    println!("[bob]   replayed frame: {replay:?}");
    assert_eq!(replay, Err(xchat::Error::Replay));

    // Alice's key update: KID 1 and a fresh base_key, over the session. A
    // frame still in flight under KID 0 plays during the grace window.
    let late = alice
        .calls
        .encrypt_frame(&b, &call, b"", b"late audio")
        .expect("encrypt");
    let update = alice.calls.rekey(&b, &call, rng).expect("rekey");
    let Content::Call(CallSignal::KeyUpdate { key, .. }) = &update else {
        panic!("a key update")
    };
    assert_eq!(key.kid(), 1);
    alice.send(&bob, &update, &mut relay);
    bob.receive(&mut relay);
    assert_eq!(bob.calls.peer_kids(&a, &call), vec![0, 1]);
    let f = alice
        .calls
        .encrypt_frame(&b, &call, b"", b"new key")
        .expect("encrypt");
    assert_eq!(decode_header(&f).expect("header").0.kid, 1);
    assert_eq!(
        bob.calls
            .decrypt_frame(&a, &call, b"", &f)
            .expect("decrypt"),
        b"new key"
    );
    assert_eq!(
        bob.calls
            .decrypt_frame(&a, &call, b"", &late)
            .expect("late"),
        b"late audio"
    );
    println!("[bob]   frames under KID 1 play; a late KID 0 frame too (grace window)");

    // Hang-up: both sides delete the call and its keys.
    let bye = bob.calls.hang_up(&a, &call).expect("hang up");
    bob.send(&alice, &bye, &mut relay);
    alice.receive(&mut relay);
    assert!(alice.calls.is_empty() && bob.calls.is_empty());
    assert_eq!(
        alice.calls.encrypt_frame(&b, &call, b"", b"after"),
        Err(xchat::Error::UnknownSession)
    );
    println!("[alice] call ended; no keys left");
}
