//! Alice and Bob talk through an untrusted in-memory relay.
//!
//! The relay stores envelopes per mailbox and encrypted attachment blobs; it
//! prints everything it sees. The parties print what they decrypt. Run:
//!
//! ```text
//! cargo run --release -p xchat --example two_parties
//! ```

use std::collections::{HashMap, VecDeque};

use xchat::account::{Account, Receipt};
use xchat::attachment;
use xchat::bundle::{self, Bundle, PqKind, PrekeyStore};
use xchat::content::{Content, MediaKind};
use xchat::fingerprint::safety_number_string;
use xchat::handle::Handle;
use xchat::identity;

/// The relay: it sees mailbox ids, envelope bytes and blobs, nothing else.
#[derive(Default)]
struct Relay {
    mailboxes: HashMap<[u8; 16], VecDeque<Vec<u8>>>,
    blobs: HashMap<u64, Vec<u8>>,
    directory: HashMap<String, Vec<u8>>,
}

impl Relay {
    fn publish_bundle(&mut self, handle: &Handle, bytes: Vec<u8>) {
        println!(
            "[relay]   directory: bundle for {handle} ({} bytes, public)",
            bytes.len()
        );
        self.directory.insert(handle.to_string(), bytes);
    }

    fn post(&mut self, mailbox: [u8; 16], envelope: Vec<u8>) {
        println!(
            "[relay]   envelope for mailbox {}: {} bytes, starts {}..",
            hex(&mailbox[..4]),
            envelope.len(),
            hex(&envelope[..24])
        );
        self.mailboxes
            .entry(mailbox)
            .or_default()
            .push_back(envelope);
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

/// One user: an account (identity, prekeys, contacts) and a mailbox.
struct User {
    account: Account,
    mailbox: [u8; 16],
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
            account: Account::new(identity::generate(handle, rng), store),
            mailbox,
        }
    }

    fn handle(&self) -> Handle {
        *self.account.identity().handle()
    }

    fn send(&mut self, to: &Handle, mailbox: [u8; 16], content: &Content, relay: &mut Relay) {
        let rng = &mut rand::rng();
        let envelope = self.account.send(to, content, &mailbox, rng).expect("send");
        println!("[{}]  sends {} to {to}", self.handle(), describe(content));
        relay.post(mailbox, envelope);
    }

    /// Receives everything waiting at the mailbox. The account opens each
    /// envelope once and routes it by the sender's identity: no guessing
    /// which session it belongs to.
    fn receive_all(&mut self, relay: &mut Relay) -> Vec<Content> {
        let mut out = Vec::new();
        while let Some(envelope) = relay.fetch(self.mailbox) {
            let rng = &mut rand::rng();
            match self.account.receive(&self.mailbox, &envelope, rng) {
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
                    out.push(received.content);
                }
                Ok(Receipt::IdentityChanged { pinned, offered }) => println!(
                    "[{}]  REFUSED: {} now claims another identity; safety numbers: pinned {} / offered {}",
                    self.handle(),
                    offered.handle,
                    safety_number_string(self.account.identity().public(), &pinned),
                    safety_number_string(self.account.identity().public(), &offered),
                ),
                Err(e) => println!("[{}]  rejected an envelope: {e}", self.handle()),
            }
        }
        out
    }
}

fn describe(c: &Content) -> String {
    match c {
        Content::Text(t) => format!("text {t:?}"),
        Content::Attachment(p) => format!("photo pointer ({} bytes, key redacted)", p.length()),
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
    relay.publish_bundle(&bob.handle(), bob_bundle.to_bytes());

    // Alice fetches, decodes and verifies it: only a verified bundle starts
    // a session, and starting pins Bob's identity.
    let fetched = Bundle::from_bytes(&relay.directory["bob"]).expect("decode");
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
    alice.send(&bob.handle(), bob.mailbox, &hello, &mut relay);
    assert_eq!(bob.receive_all(&mut relay), vec![hello]);
    println!(
        "[bob]   one-time prekeys left: {:?}",
        bob.account.store().one_time_prekey_ids()
    );

    let reply = Content::Text("Hello Alice! Send me the photo?".into());
    bob.send(&alice.handle(), alice.mailbox, &reply, &mut relay);
    assert_eq!(alice.receive_all(&mut relay), vec![reply]);

    // A "photo": encrypted with a fresh key, uploaded as an opaque blob;
    // the pointer (kind, key, length) travels inside the session, and the
    // blob starts with a commitment to the key.
    let photo: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let (pointer, blob) = attachment::seal(MediaKind::Photo, rng, &photo).expect("seal photo");
    let blob_id = relay.upload(blob);
    let content = Content::Attachment(pointer);
    alice.send(&bob.handle(), bob.mailbox, &content, &mut relay);
    alice.send(
        &bob.handle(),
        bob.mailbox,
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

    // An impostor: a fresh identity that claims the handle `alice`. Bob has
    // pinned the real Alice, so its first message changes nothing.
    let mut mallory = User::new("alice", rng);
    let bob_bundle = bundle::make_bundle(bob.account.identity(), bob.account.store(), None, 20)
        .expect("bundle")
        .verify()
        .expect("verify");
    mallory
        .account
        .start(&bob.handle(), &bob_bundle, rng)
        .expect("start");
    mallory.send(
        &bob.handle(),
        bob.mailbox,
        &Content::Text("Hi Bob, it's Alice (new phone)!".into()),
        &mut relay,
    );
    assert!(bob.receive_all(&mut relay).is_empty());

    bob.send(
        &alice.handle(),
        alice.mailbox,
        &Content::Text("Got it, thanks!".into()),
        &mut relay,
    );
    alice.receive_all(&mut relay);
    println!("done: the relay saw only mailbox ids, lengths and ciphertext.");
}
