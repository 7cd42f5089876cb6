//! Alice, Bob and Carol talk through an untrusted in-memory relay, and Eve
//! tries to pass for Alice.
//!
//! Written against the application API alone (`xchat::Account` and the
//! top-level types; no `hazmat` layer): this is what a messenger links.
//!
//! The relay stores envelopes per mailbox and encrypted attachment blobs; it
//! prints everything it sees, and at the end its view per mailbox: first
//! contact goes sealed to each user's published mailbox, then the
//! conversation moves to pairwise mailboxes in light envelopes (SPEC.md
//! section 12.1). The parties print what they decrypt. Bob restarts from
//! his exported account midway. Eve's fresh identity for the handle
//! `alice` shows up at Bob as `IdentityChanged`, never as a message. Alice
//! then calls Bob (SPEC.md section 20): signals over the session, SFrame
//! media frames each way, a replayed frame rejected, a key update, the
//! hang-up (`examples/call.rs` shows a call in more detail). Run:
//!
//! ```text
//! cargo run --release -p xchat --example two_parties
//! ```

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use xchat::call::{Calls, Phase};
use xchat::{attachment, bundle, identity};
use xchat::{
    safety_number_string, Account, Content, Handle, MediaKind, Outgoing, PqKind, PrekeyStore,
    Receipt,
};

/// The relay: it sees mailbox ids, envelope bytes and blobs, nothing else.
#[derive(Default)]
struct Relay {
    mailboxes: HashMap<[u8; 16], VecDeque<Vec<u8>>>,
    /// Mailboxes their owners deleted: posting there is refused (*gone*).
    deleted: HashSet<[u8; 16]>,
    /// What the relay learns: per mailbox, envelopes and bytes received.
    seen: BTreeMap<String, (usize, usize)>,
    blobs: HashMap<u64, Vec<u8>>,
    directory: HashMap<String, Vec<u8>>,
}

/// The relay refused an envelope: its mailbox was deleted.
#[derive(Debug)]
struct Gone;

impl Relay {
    fn publish_bundle(&mut self, handle: &Handle, bytes: Vec<u8>) {
        println!(
            "[relay]   directory: bundle for {handle} ({} bytes, public)",
            bytes.len()
        );
        self.directory.insert(handle.to_string(), bytes);
    }

    fn post(&mut self, out: Outgoing) -> Result<(), Gone> {
        if self.deleted.contains(&out.mailbox) {
            println!(
                "[relay]   mailbox {} is gone: refused",
                hex(&out.mailbox[..4])
            );
            return Err(Gone);
        }
        println!(
            "[relay]   envelope for mailbox {}: {} bytes, starts {}..",
            hex(&out.mailbox[..4]),
            out.envelope.len(),
            hex(&out.envelope[..24])
        );
        let seen = self.seen.entry(hex(&out.mailbox[..4])).or_default();
        seen.0 += 1;
        seen.1 += out.envelope.len();
        self.mailboxes
            .entry(out.mailbox)
            .or_default()
            .push_back(out.envelope);
        Ok(())
    }

    fn delete(&mut self, mailbox: [u8; 16]) {
        self.mailboxes.remove(&mailbox);
        self.deleted.insert(mailbox);
    }

    /// What the relay has learned: envelopes and bytes per mailbox.
    fn report(&self, when: &str) {
        println!("[relay]   my view {when}:");
        for (mailbox, (n, bytes)) in &self.seen {
            println!("[relay]     mailbox {mailbox}..: {n} envelopes, {bytes} bytes");
        }
    }

    fn fetch(&mut self, mailbox: [u8; 16]) -> Option<Vec<u8>> {
        self.mailboxes.get_mut(&mailbox)?.pop_front()
    }

    fn upload(&mut self, blob: Vec<u8>) -> u64 {
        let id = self.blobs.len() as u64;
        println!(
            "[relay]   blob #{id}: {} bytes of ciphertext, starts {}..",
            blob.len(),
            hex(&blob[..16])
        );
        self.blobs.insert(id, blob);
        id
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One user: an account (identity, prekeys, contacts, mailboxes).
struct User {
    account: Account,
    /// Handles whose new identity this user refused (`IdentityChanged`).
    refused: Vec<Handle>,
    /// Calls, next to the account: their signals travel as contents.
    calls: Calls,
}

impl User {
    fn new(name: &str, rng: &mut rand::rngs::ThreadRng) -> User {
        let handle: Handle = name.parse().expect("valid handle");
        let mut store = PrekeyStore::generate(1, rng);
        store.generate_one_time_prekey(10, rng);
        store.add_pq_prekey(bundle::generate_pq_prekey(20, PqKind::LastResort, rng));
        let mut mailbox = [0u8; 16];
        rand::Rng::fill_bytes(rng, &mut mailbox);
        User {
            account: Account::new(identity::generate(handle, rng), store, mailbox),
            refused: Vec::new(),
            calls: Calls::new(),
        }
    }

    fn mailbox(&self) -> [u8; 16] {
        *self.account.mailbox()
    }

    /// Every mailbox this user polls: the published one and its pairwise
    /// ones.
    fn polled(&self) -> Vec<[u8; 16]> {
        let mut all = vec![self.mailbox()];
        for c in self.account.contacts() {
            all.extend_from_slice(c.mailboxes());
        }
        all
    }

    fn handle(&self) -> Handle {
        *self.account.identity().handle()
    }

    /// Sends `content` to `to` (whose published mailbox is `published`):
    /// the account picks a light envelope to `to`'s pairwise mailbox once it
    /// knows one. If the relay says that mailbox is gone, the same bytes go
    /// sealed to the published mailbox: nothing is lost.
    fn send(&mut self, to: &Handle, published: [u8; 16], content: &Content, relay: &mut Relay) {
        let rng = &mut rand::rng();
        let out = self
            .account
            .send(to, content, &published, rng)
            .expect("send");
        println!("[{}]  sends {} to {to}", self.handle(), describe(content));
        self.post(to, published, out, relay);
    }

    fn post(&mut self, to: &Handle, published: [u8; 16], out: Outgoing, relay: &mut Relay) {
        let light = out.envelope.clone();
        if relay.post(out).is_err() {
            let rng = &mut rand::rng();
            let resent = self
                .account
                .resend_sealed(to, &light, &published, rng)
                .expect("resend");
            println!("[{}]  resends it sealed", self.handle());
            relay
                .post(resent)
                .expect("the published mailbox is never gone");
        }
    }

    /// Gives `to` a fresh pairwise mailbox, and deletes at the relay the
    /// one that aged out of the grace window, if any.
    fn offer_mailbox(&mut self, to: &Handle, published: [u8; 16], relay: &mut Relay) {
        let before = self.polled();
        let rng = &mut rand::rng();
        let out = self
            .account
            .offer_mailbox(to, &published, rng)
            .expect("offer");
        println!("[{}]  offers {to} a pairwise mailbox", self.handle());
        self.post(to, published, out, relay);
        for m in before {
            if !self.polled().contains(&m) {
                println!("[{}]  deletes its mailbox {}", self.handle(), hex(&m[..4]));
                relay.delete(m);
            }
        }
    }

    /// Receives everything waiting at its mailboxes. A pairwise mailbox
    /// names its contact; at the published mailbox the account opens each
    /// envelope once and routes it by the sender's identity: no guessing
    /// which session it belongs to.
    fn receive_all(&mut self, relay: &mut Relay) -> Vec<Content> {
        let mut out = Vec::new();
        for mailbox in self.polled() {
            while let Some(envelope) = relay.fetch(mailbox) {
                out.extend(self.receive(mailbox, &envelope));
            }
        }
        out
    }

    fn receive(&mut self, mailbox: [u8; 16], envelope: &[u8]) -> Option<Content> {
        {
            let rng = &mut rand::rng();
            match self.account.receive(&mailbox, envelope, rng) {
                Ok(Receipt::Message(received)) => {
                    let from = received.sender.handle;
                    if received.new_contact {
                        println!("[{}]  new contact {from} (identity pinned)", self.handle());
                    }
                    println!(
                        "[{}]  received from {from}: {}",
                        self.handle(),
                        describe(&received.content)
                    );
                    if let Content::Call(signal) = &received.content {
                        // Matched by the sender's handle and the call id.
                        self.calls.on_signal(&from, signal).expect("call signal");
                    }
                    return Some(received.content);
                }
                Ok(Receipt::IdentityChanged { pinned, offered }) => {
                    println!(
                        "[{}]  REFUSED: {} now claims another identity; safety numbers: pinned {} / offered {}",
                        self.handle(),
                        offered.handle,
                        safety_number_string(self.account.identity().public(), &pinned),
                        safety_number_string(self.account.identity().public(), &offered),
                    );
                    self.refused.push(offered.handle);
                }
                Err(e) => println!("[{}]  rejected an envelope: {e}", self.handle()),
            }
        }
        None
    }
}

fn describe(c: &Content) -> String {
    match c {
        Content::Text(t) => format!("text {t:?}"),
        Content::Attachment(p) => format!("photo pointer ({} bytes, key redacted)", p.length()),
        Content::MailboxUpdate { serial, .. } => format!("mailbox update #{serial}"),
        Content::Call(s) => format!("call signal {s:?}"),
    }
}

fn main() {
    let rng = &mut rand::rng();
    let mut relay = Relay::default();
    let mut alice = User::new("alice", rng);
    let mut bob = User::new("bob", rng);

    // Bob publishes a bundle (signed prekey, one-time prekey, PQ prekey).
    let bob_bundle = bundle::make_bundle(bob.account.identity(), bob.account.store(), Some(10), 20)
        .expect("bundle");
    relay.publish_bundle(&bob.handle(), bundle::encode(&bob_bundle));

    // Alice fetches, decodes and verifies it: only a verified bundle starts
    // a session, and starting pins Bob's identity.
    let fetched = bundle::decode(&relay.directory["bob"]).expect("decode");
    let verified = fetched.verify().expect("verify");
    alice
        .account
        .start(&bob.handle(), &verified, rng)
        .expect("start");
    println!(
        "[alice] safety number with bob: {}",
        safety_number_string(
            alice.account.identity().public(),
            &verified.bundle().identity
        )
    );

    let hello = Content::Text("Hi Bob, it's Alice!".into());
    alice.send(&bob.handle(), bob.mailbox(), &hello, &mut relay);
    assert_eq!(bob.receive_all(&mut relay), vec![hello]);
    println!(
        "[bob]   one-time prekeys left: {:?}",
        bob.account.store().one_time_prekey_ids()
    );

    let reply = Content::Text("Hello Alice! Send me the photo?".into());
    bob.send(&alice.handle(), alice.mailbox(), &reply, &mut relay);
    assert_eq!(alice.receive_all(&mut relay), vec![reply]);
    relay.report("before the move to pairwise mailboxes");
    let seen_before = relay.seen.clone();

    // The move: each gives the other a pairwise mailbox inside the session.
    bob.offer_mailbox(&alice.handle(), alice.mailbox(), &mut relay);
    alice.receive_all(&mut relay);
    alice.offer_mailbox(&bob.handle(), bob.mailbox(), &mut relay);
    bob.receive_all(&mut relay);

    // A "photo": encrypted with a fresh key, uploaded as an opaque blob;
    // the pointer (kind, key, length) travels inside the session, and the
    // blob starts with a commitment to the key.
    let photo: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let (pointer, blob) = attachment::seal(MediaKind::Photo, rng, &photo).expect("seal photo");
    let blob_id = relay.upload(blob);
    let content = Content::Attachment(pointer);
    alice.send(&bob.handle(), bob.mailbox(), &content, &mut relay);
    alice.send(
        &bob.handle(),
        bob.mailbox(),
        &Content::Text(format!("that's blob #{blob_id}")),
        &mut relay,
    );
    let got = bob.receive_all(&mut relay);
    let Content::Attachment(p) = &got[0] else {
        panic!("expected the photo pointer")
    };
    let downloaded = attachment::open(p, &relay.blobs[&blob_id]).expect("open photo");
    assert_eq!(downloaded, photo);
    println!(
        "[bob]   photo decrypted: {} bytes, identical",
        downloaded.len()
    );

    // Carol, the third party: she fetches Bob's bundle (its one-time
    // prekey is used up; the directory serves it without one) and Alice's.
    let mut carol = User::new("carol", rng);
    let bob_bundle = bundle::make_bundle(bob.account.identity(), bob.account.store(), None, 20)
        .expect("bundle")
        .verify()
        .expect("verify");
    carol
        .account
        .start(&bob.handle(), &bob_bundle, rng)
        .expect("start");
    let alice_bundle = bundle::make_bundle(
        alice.account.identity(),
        alice.account.store(),
        Some(10),
        20,
    )
    .expect("bundle")
    .verify()
    .expect("verify");
    carol
        .account
        .start(&alice.handle(), &alice_bundle, rng)
        .expect("start");
    let to_bob = Content::Text("Bob, it's Carol. Dinner on Friday?".into());
    carol.send(&bob.handle(), bob.mailbox(), &to_bob, &mut relay);
    let to_alice = Content::Text("Alice, Carol here: Friday at Bob's!".into());
    carol.send(&alice.handle(), alice.mailbox(), &to_alice, &mut relay);
    assert_eq!(bob.receive_all(&mut relay), vec![to_bob]);
    assert_eq!(alice.receive_all(&mut relay), vec![to_alice]);
    let yes = Content::Text("Friday works.".into());
    bob.send(&carol.handle(), carol.mailbox(), &yes, &mut relay);
    assert_eq!(carol.receive_all(&mut relay), vec![yes]);

    // Bob's phone restarts: the app stored his exported account (secret;
    // versioned, checked on import) and restores it.
    let saved = bob.account.export();
    bob.account = xchat::Account::import(&saved).expect("restore");
    assert_eq!(*bob.account.export(), *saved);
    println!(
        "[bob]   restored from a {}-byte export: {} contacts",
        saved.len(),
        bob.account.contacts().len()
    );

    // Eve: a fresh identity that claims the handle `alice`. Bob has pinned
    // the real Alice, so Eve's first message is no message: Bob's account
    // reports IdentityChanged and changes nothing.
    let mut eve = User::new("alice", rng);
    eve.account
        .start(&bob.handle(), &bob_bundle, rng)
        .expect("start");
    eve.send(
        &bob.handle(),
        bob.mailbox(),
        &Content::Text("Hi Bob, it's Alice (new phone)!".into()),
        &mut relay,
    );
    let before = bob.account.export();
    assert!(bob.receive_all(&mut relay).is_empty());
    assert_eq!(bob.refused, vec![alice.handle()]);
    assert_eq!(
        *bob.account.export(),
        *before,
        "an impostor changes nothing"
    );

    bob.send(
        &alice.handle(),
        alice.mailbox(),
        &Content::Text("Got it, thanks!".into()),
        &mut relay,
    );
    alice.receive_all(&mut relay);

    // Bob rotates his pairwise mailbox for Alice three times; the first
    // ages out of the grace window and is deleted at the relay. Alice has
    // not read the updates yet, so her next message hits a gone mailbox
    // and is resent sealed: nothing is lost.
    for _ in 0..3 {
        bob.offer_mailbox(&alice.handle(), alice.mailbox(), &mut relay);
    }
    alice.send(
        &bob.handle(),
        bob.mailbox(),
        &Content::Text("Still there?".into()),
        &mut relay,
    );
    assert_eq!(
        bob.receive_all(&mut relay),
        vec![Content::Text("Still there?".into())]
    );
    alice.receive_all(&mut relay);
    let after: BTreeMap<_, _> = relay
        .seen
        .iter()
        .map(|(k, &(n, bytes))| {
            let (n0, bytes0) = seen_before.get(k).copied().unwrap_or_default();
            (k.clone(), (n - n0, bytes - bytes0))
        })
        .filter(|(_, (n, _))| *n > 0)
        .collect();
    relay.seen = after;
    relay.report("after the move (new envelopes only)");

    // A short call: the offer and answer are contents of the session (each
    // side's random SFrame key inside), the media are SFrame frames.
    let (a, b) = (alice.handle(), bob.handle());
    let (call, offer) = alice
        .calls
        .start(&b, b"v=0 ... a=candidate:relay ...", rng)
        .expect("call");
    alice.send(&b, bob.mailbox(), &offer, &mut relay);
    bob.receive_all(&mut relay);
    let answer = bob
        .calls
        .answer(&a, &call, b"v=0 ... answer ...", rng)
        .expect("answer");
    bob.send(&a, alice.mailbox(), &answer, &mut relay);
    alice.receive_all(&mut relay);
    assert_eq!(alice.calls.phase(&b, &call), Some(Phase::Active));
    let mut frames = Vec::new();
    for i in 0..3u8 {
        let f = alice
            .calls
            .encrypt_frame(&b, &call, b"", &[i; 100])
            .expect("frame");
        assert_eq!(
            bob.calls.decrypt_frame(&a, &call, b"", &f).expect("play"),
            vec![i; 100]
        );
        let g = bob
            .calls
            .encrypt_frame(&a, &call, b"", &[i; 1200])
            .expect("frame");
        assert_eq!(
            alice.calls.decrypt_frame(&b, &call, b"", &g).expect("play"),
            vec![i; 1200]
        );
        frames.push(f);
    }
    println!("[media]   3 frames each way (100 and 1,200 bytes), SFrame headers only in clear");
    assert_eq!(
        bob.calls.decrypt_frame(&a, &call, b"", &frames[1]),
        Err(xchat::Error::Replay)
    );
    println!("[bob]   a replayed frame is rejected");
    let update = alice.calls.rekey(&b, &call, rng).expect("rekey");
    alice.send(&b, bob.mailbox(), &update, &mut relay);
    bob.receive_all(&mut relay);
    let f = alice
        .calls
        .encrypt_frame(&b, &call, b"", b"new key")
        .expect("frame");
    assert_eq!(
        bob.calls.decrypt_frame(&a, &call, b"", &f).expect("play"),
        b"new key"
    );
    let bye = bob.calls.hang_up(&a, &call).expect("hang up");
    bob.send(&a, alice.mailbox(), &bye, &mut relay);
    alice.receive_all(&mut relay);
    assert!(alice.calls.is_empty() && bob.calls.is_empty());
    println!("[alice] the call ended: key update, hang-up, no call keys left");
    println!("done: the relay saw only mailbox ids, lengths and ciphertext.");
}
