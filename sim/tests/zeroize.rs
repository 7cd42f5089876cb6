//! Zeroization, checked (issue 13, part 3).
//!
//! A quarantining global allocator: while recording, a freed block is not
//! returned to the system but kept, with the phase of the lifecycle it was
//! freed in. The test runs a whole account lifecycle (identity and prekey
//! generation, handshake, messages with skipped keys, pairwise mailboxes,
//! an attachment, export and import, drop), collecting every secret it can
//! know through the public API, then scans every freed block for them:
//!
//! * every draw of 32 bytes or more from the injected RNG (identity, prekey
//!   and ephemeral secrets, `kem_m`, ratchet secrets, attachment keys);
//! * from the identity's and the accounts' exports, taken after every
//!   step: the identity secrets, the signed, one-time and PQ prekey
//!   secrets, and per session the root, chain, header and next header
//!   keys, the DH ratchet secret and every skipped message key;
//! * 16-byte markers inside the plaintexts of messages and inside the
//!   attachment file.
//!
//! What it cannot see: copies on the stack and in registers (the crypto
//! crates work on stack buffers; `zeroize` wipes the impl's own stack
//! values where they are `Zeroizing`, but a moved value leaves its old
//! stack slot behind), message keys that were used and deleted (never in an
//! export), keys derived inside the attachment code, memory the allocator
//! never got back (blocks still live at the end), and memory freed by other
//! threads' allocators outside the recording window.
//!
//! Every residue found is printed with its kind, the phase whose calls
//! freed it and the block size. `freed_heap_holds_no_secret` is the goal
//! (no residue at all) and is ignored while the residues listed there are
//! open; `residues_stay_within_the_known_sites` runs in CI: the detector
//! finds a planted residue, ignores a zeroized one, and the impl's
//! residues are only those of the known sites.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use rand_chacha::ChaCha20Rng;
use rand_core::{Infallible, Rng, SeedableRng, TryCryptoRng, TryRng};
use xchat::{attachment, bundle, identity};
use xchat::{Account, Content, Handle, MediaKind, PqKind, PrekeyStore, Receipt};
use zeroize::Zeroizing;

// ---------------------------------------------------------------------
// The quarantining allocator.

const CAP: usize = 1 << 20;
static RECORDING: AtomicBool = AtomicBool::new(false);
static PHASE: AtomicUsize = AtomicUsize::new(0);
static COUNT: AtomicUsize = AtomicUsize::new(0);
static OVERFLOW: AtomicUsize = AtomicUsize::new(0);
static PTRS: [AtomicUsize; CAP] = [const { AtomicUsize::new(0) }; CAP];
static SIZES: [AtomicUsize; CAP] = [const { AtomicUsize::new(0) }; CAP];
static PHASES: [AtomicUsize; CAP] = [const { AtomicUsize::new(0) }; CAP];
/// Quarantined blocks' alignments, to free them after the scan.
static ALIGNS: [AtomicUsize; CAP] = [const { AtomicUsize::new(0) }; CAP];

struct Quarantine;

// SAFETY: allocation is `System`'s; a block freed while recording is kept
// (never reused) and freed with its own layout after the scan.
unsafe impl GlobalAlloc for Quarantine {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if RECORDING.load(Ordering::SeqCst) {
            let i = COUNT.fetch_add(1, Ordering::SeqCst);
            if i < CAP {
                PTRS[i].store(ptr as usize, Ordering::SeqCst);
                SIZES[i].store(layout.size(), Ordering::SeqCst);
                ALIGNS[i].store(layout.align(), Ordering::SeqCst);
                PHASES[i].store(PHASE.load(Ordering::SeqCst), Ordering::SeqCst);
                return;
            }
            OVERFLOW.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: `ptr` came from `System.alloc` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    // `realloc` is GlobalAlloc's default: alloc, copy, dealloc: the old
    // block goes to quarantine, so a grown vector's old buffer is scanned.
}

#[global_allocator]
static GLOBAL: Quarantine = Quarantine;

const PHASE_NAMES: [&str; 10] = [
    "setup",
    "account creation (identity, prekeys)",
    "bundle and start (initiator handshake)",
    "send",
    "receive",
    "offer mailbox",
    "attachment seal/open",
    "Account::export",
    "Account::import",
    "drop",
];

fn phase(p: usize) {
    PHASE.store(p, Ordering::SeqCst);
}

/// Serializes the tests of this binary (one allocator, one quarantine).
static SERIAL: Mutex<()> = Mutex::new(());

// ---------------------------------------------------------------------
// The secrets.

/// Secrets collected, in buffers allocated once (pushing never moves them).
struct Secrets {
    keys: Vec<([u8; 32], &'static str)>,
    markers: Vec<([u8; 16], &'static str)>,
}

impl Secrets {
    fn new() -> Secrets {
        Secrets {
            keys: Vec::with_capacity(1 << 17),
            markers: Vec::with_capacity(1024),
        }
    }

    fn key(&mut self, bytes: &[u8], what: &'static str) {
        if self.keys.len() < self.keys.capacity() {
            if let Ok(k) = <[u8; 32]>::try_from(bytes) {
                // Constant or near-constant values are not secrets.
                if k.iter().filter(|&&b| b == k[0]).count() < 8 {
                    self.keys.push((k, what));
                }
            }
        }
    }
}

/// The injected RNG, recording every draw of 32 bytes or more.
struct Recording<'a> {
    inner: ChaCha20Rng,
    secrets: &'a RefCell<Secrets>,
}

impl TryRng for Recording<'_> {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.inner.next_u32())
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.inner.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.inner.fill_bytes(dst);
        if dst.len() >= 32 {
            let mut s = self.secrets.borrow_mut();
            for chunk in dst.chunks_exact(32) {
                s.key(
                    chunk,
                    "RNG draw (identity, prekey, ephemeral, KEM or attachment key)",
                );
            }
        }
        Ok(())
    }
}

impl TryCryptoRng for Recording<'_> {}

/// A cursor over an export (no allocation).
struct Cur<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cur<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at + n)?;
        self.at += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u32(&mut self) -> Option<usize> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
}

const EK_LEN: usize = 1184;
const DK_LEN: usize = 2400;
const CT_LEN: usize = 1088;

/// The prekey store's secrets (`PrekeyStore::to_bytes`).
fn store_secrets(b: &[u8], s: &mut Secrets) -> Option<()> {
    let mut c = Cur { b, at: 0 };
    c.u32()?;
    s.key(c.take(32)?, "signed prekey secret");
    for _ in 0..c.u32()? {
        c.u32()?;
        s.key(c.take(32)?, "retired signed prekey secret");
    }
    for _ in 0..c.u32()? {
        c.u32()?;
        s.key(c.take(32)?, "one-time prekey secret");
    }
    for _ in 0..c.u32()? {
        c.u32()?;
        c.u8()?;
        c.take(EK_LEN)?;
        let dk = c.take(DK_LEN)?;
        s.key(&dk[..32], "PQ decapsulation key");
        s.key(&dk[DK_LEN - 32..], "PQ decapsulation key (z)");
    }
    Some(())
}

/// A session's secrets (`Session::export`, `RatchetState::export_into`).
fn session_secrets(b: &[u8], s: &mut Secrets) -> Option<()> {
    let mut c = Cur { b, at: 0 };
    c.u8()?;
    c.take(147 + 32 + 32)?;
    if c.u8()? == 1 {
        c.take(147 + 4)?;
        if c.u8()? == 1 {
            c.u32()?;
        }
        // u32(pqpk_id) || EncX(EK) (tagged, 33 bytes) || CT
        c.take(4 + 33 + CT_LEN)?;
    }
    if c.u8()? == 1 {
        c.take(16)?;
    }
    c.u32()?;
    let flags = c.u8()?;
    s.key(c.take(32)?, "DH ratchet secret");
    if flags & 1 != 0 {
        c.take(32)?;
    }
    for (bit, what) in [
        (1, "sending chain key"),
        (2, "receiving chain key"),
        (3, "sending header key"),
        (4, "receiving header key"),
    ] {
        if flags & (1 << bit) != 0 {
            s.key(c.take(32)?, what);
        }
    }
    s.key(c.take(32)?, "root key");
    s.key(c.take(32)?, "next sending header key");
    s.key(c.take(32)?, "next receiving header key");
    c.take(12)?;
    for _ in 0..c.u32()? {
        s.key(c.take(32)?, "skipped chain header key");
        for _ in 0..c.u32()? {
            c.u32()?;
            s.key(c.take(32)?, "skipped message key");
        }
    }
    Some(())
}

/// Every secret in an account's export (`Account::export`).
fn account_secrets(b: &[u8], s: &mut Secrets) -> Option<()> {
    let mut c = Cur { b, at: 0 };
    c.u8()?;
    let id = c.take(80)?;
    s.key(&id[16..48], "identity signing seed");
    s.key(&id[48..80], "identity DH secret");
    let n = c.u32()?;
    store_secrets(c.take(n)?, s)?;
    c.take(16)?;
    for _ in 0..c.u32()? {
        c.take(147 + 4)?;
        let m = c.u8()? as usize;
        c.take(16 * m)?;
        for _ in 0..c.u8()? {
            let n = c.u32()?;
            session_secrets(c.take(n)?, s)?;
        }
    }
    Some(())
}

fn harvest(a: &Account, s: &RefCell<Secrets>) {
    let before = PHASE.load(Ordering::SeqCst);
    phase(7);
    let e = a.export();
    phase(before);
    let ok = account_secrets(&e, &mut s.borrow_mut());
    assert_eq!(ok, Some(()), "the export format changed");
}

// ---------------------------------------------------------------------
// The lifecycle.

fn marker(i: u8) -> [u8; 16] {
    let mut m = *b"SECRET-MARKER-00";
    m[14] = b'a' + i / 16;
    m[15] = b'a' + i % 16;
    m
}

fn user(name: &str, rng: &mut Recording<'_>) -> Account {
    let handle: Handle = name.parse().unwrap();
    let mut store = PrekeyStore::generate(1, rng);
    store.generate_one_time_prekey(10, rng);
    store.add_pq_prekey(bundle::generate_pq_prekey(20, PqKind::LastResort, rng));
    let mut mailbox = [0u8; 16];
    rng.fill_bytes(&mut mailbox);
    Account::new(identity::generate(handle, rng), store, mailbox)
}

fn text(i: u8) -> Content {
    let m = marker(i);
    Content::Text(format!(
        "{} is what the message says",
        std::str::from_utf8(&m).unwrap()
    ))
}

fn got(r: Result<Receipt, xchat::error::ReceiveError>) -> Content {
    match r {
        Ok(Receipt::Message(m)) => m.content,
        other => panic!("{other:?}"),
    }
}

/// The application's own copy of a text, wiped before it is dropped:
/// `Content` does not wipe its text on drop (a finding of its own), and
/// the test looks for what the impl leaves behind.
fn wipe(c: Content) {
    if let Content::Text(mut t) = c {
        zeroize::Zeroize::zeroize(&mut t);
    }
}

/// Receives a text and wipes it.
fn take(r: Result<Receipt, xchat::error::ReceiveError>) {
    wipe(got(r));
}

/// Sends text `i` and wipes the application's copy.
fn send_text(
    from: &mut Account,
    to: &Handle,
    i: u8,
    mailbox: &[u8; 16],
    rng: &mut Recording<'_>,
) -> xchat::Outgoing {
    let c = text(i);
    let o = from.send(to, &c, mailbox, rng).unwrap();
    wipe(c);
    o
}

/// The lifecycle, recording; returns after everything is dropped.
fn lifecycle(secrets: &RefCell<Secrets>) {
    let mut rng = Recording {
        inner: ChaCha20Rng::from_seed([7; 32]),
        secrets,
    };
    for i in 0..40 {
        secrets
            .borrow_mut()
            .markers
            .push((marker(i), "message plaintext"));
    }
    phase(1);
    let mut alice = user("alice", &mut rng);
    let mut bob = user("bob", &mut rng);
    harvest(&alice, secrets);
    harvest(&bob, secrets);
    phase(2);
    let b = bundle::make_bundle(bob.identity(), bob.store(), Some(10), 20)
        .unwrap()
        .verify()
        .unwrap();
    let bob_h = *bob.identity().handle();
    let alice_h = *alice.identity().handle();
    alice.start(&bob_h, &b, &mut rng).unwrap();
    harvest(&alice, secrets);
    let mut i = 0u8;
    // Three first messages, delivered last-first (skipped keys), then a
    // conversation with pairwise mailboxes both ways.
    phase(3);
    let mut outs = Vec::new();
    for _ in 0..3 {
        let m = *bob.mailbox();
        outs.push(send_text(&mut alice, &bob_h, i, &m, &mut rng));
        i += 1;
    }
    harvest(&alice, secrets);
    for o in outs.iter().rev() {
        phase(4);
        take(bob.receive(&o.mailbox, &o.envelope, &mut rng));
        harvest(&bob, secrets);
    }
    drop(outs);
    phase(5);
    let o = bob
        .offer_mailbox(&alice_h, alice.mailbox(), &mut rng)
        .unwrap();
    phase(4);
    take(alice.receive(&o.mailbox, &o.envelope, &mut rng));
    phase(5);
    let o = alice
        .offer_mailbox(&bob_h, bob.mailbox(), &mut rng)
        .unwrap();
    phase(4);
    take(bob.receive(&o.mailbox, &o.envelope, &mut rng));
    for round in 0..6 {
        let (from, to, to_h) = if round % 2 == 0 {
            (&mut alice, &mut bob, bob_h)
        } else {
            (&mut bob, &mut alice, alice_h)
        };
        phase(3);
        let mut outs = Vec::new();
        for _ in 0..4 {
            let m = *to.mailbox();
            outs.push(send_text(from, &to_h, i, &m, &mut rng));
            i += 1;
        }
        harvest(from, secrets);
        // Out of order: the last first.
        outs.rotate_right(1);
        for o in &outs {
            phase(4);
            take(to.receive(&o.mailbox, &o.envelope, &mut rng));
            harvest(to, secrets);
        }
    }
    // An attachment whose file holds markers.
    phase(6);
    let mut file = vec![0u8; 3000];
    for (k, chunk) in file.chunks_mut(16).enumerate().take(8) {
        let m = marker(100 + k as u8);
        chunk.copy_from_slice(&m);
        secrets.borrow_mut().markers.push((m, "attachment file"));
    }
    let (pointer, blob) = attachment::seal(MediaKind::File, &mut rng, &file).unwrap();
    secrets.borrow_mut().key(pointer.key(), "attachment key");
    phase(3);
    let o = alice
        .send(
            &bob_h,
            &Content::Attachment(pointer),
            bob.mailbox(),
            &mut rng,
        )
        .unwrap();
    phase(4);
    let content = got(bob.receive(&o.mailbox, &o.envelope, &mut rng));
    phase(6);
    let Content::Attachment(p) = content else {
        panic!()
    };
    let opened = Zeroizing::new(attachment::open(&p, &blob).unwrap());
    assert_eq!(*opened, file);
    drop(opened);
    drop(p);
    // The test's own copy of the file: wiped, it is not the impl's.
    zeroize::Zeroize::zeroize(&mut file);
    drop(file);
    // Export and import (a restart), then one more message each way.
    phase(7);
    let saved = alice.export();
    phase(8);
    let mut alice2 = Account::import(&saved).unwrap();
    drop(saved);
    phase(9);
    drop(alice);
    phase(3);
    let m = *bob.mailbox();
    let o = send_text(&mut alice2, &bob_h, i, &m, &mut rng);
    i += 1;
    phase(4);
    take(bob.receive(&o.mailbox, &o.envelope, &mut rng));
    phase(3);
    let m = *alice2.mailbox();
    let o = send_text(&mut bob, &alice_h, i, &m, &mut rng);
    phase(4);
    take(alice2.receive(&o.mailbox, &o.envelope, &mut rng));
    harvest(&alice2, secrets);
    harvest(&bob, secrets);
    phase(9);
    drop(alice2);
    drop(bob);
    drop(o);
    drop(b);
}

// ---------------------------------------------------------------------
// The scan.

/// (secret kind, phase, block size) -> blocks holding that kind.
type Residues = BTreeMap<(&'static str, &'static str, usize), usize>;

fn scan(s: &Secrets) -> Residues {
    let mut by_prefix: HashMap<u64, Vec<(&[u8], &'static str)>> = HashMap::new();
    for (k, what) in &s.keys {
        let p = u64::from_le_bytes(k[..8].try_into().unwrap());
        by_prefix.entry(p).or_default().push((&k[..], what));
    }
    for (m, what) in &s.markers {
        let p = u64::from_le_bytes(m[..8].try_into().unwrap());
        by_prefix.entry(p).or_default().push((&m[..], what));
    }
    let n = COUNT.load(Ordering::SeqCst).min(CAP);
    let mut out = Residues::new();
    for i in 0..n {
        let (ptr, size) = (
            PTRS[i].load(Ordering::SeqCst),
            SIZES[i].load(Ordering::SeqCst),
        );
        if size < 8 {
            continue;
        }
        // SAFETY: a quarantined block: allocated, never freed, `size`
        // bytes, not written since it was freed.
        let block = unsafe { std::slice::from_raw_parts(ptr as *const u8, size) };
        let mut kinds: Vec<&'static str> = Vec::new();
        for at in 0..=size - 8 {
            let p = u64::from_le_bytes(block[at..at + 8].try_into().unwrap());
            if let Some(cands) = by_prefix.get(&p) {
                for (secret, what) in cands {
                    if block.get(at..at + secret.len()) == Some(secret) && !kinds.contains(what) {
                        kinds.push(what);
                    }
                }
            }
        }
        let ph = PHASE_NAMES[PHASES[i].load(Ordering::SeqCst)];
        for k in kinds {
            *out.entry((k, ph, size)).or_default() += 1;
        }
    }
    out
}

/// Frees the quarantine and resets it.
fn release() {
    let n = COUNT.load(Ordering::SeqCst).min(CAP);
    for i in 0..n {
        let ptr = PTRS[i].load(Ordering::SeqCst) as *mut u8;
        let layout = Layout::from_size_align(
            SIZES[i].load(Ordering::SeqCst),
            ALIGNS[i].load(Ordering::SeqCst),
        )
        .unwrap();
        // SAFETY: quarantined blocks were allocated by `System` with this
        // layout and are freed exactly once.
        unsafe { System.dealloc(ptr, layout) };
    }
    COUNT.store(0, Ordering::SeqCst);
    OVERFLOW.store(0, Ordering::SeqCst);
}

/// Runs `f` recording, returns the residues of the given secrets.
fn recorded(secrets: &RefCell<Secrets>, f: impl FnOnce(&RefCell<Secrets>)) -> Residues {
    phase(0);
    RECORDING.store(true, Ordering::SeqCst);
    f(secrets);
    RECORDING.store(false, Ordering::SeqCst);
    assert_eq!(OVERFLOW.load(Ordering::SeqCst), 0, "quarantine too small");
    let r = scan(&secrets.borrow());
    release();
    r
}

fn print(r: &Residues) {
    for ((what, ph, size), n) in r {
        eprintln!("residue: {what:<62} freed in {ph:<40} block of {size:>6} bytes: {n} block(s)");
    }
}

fn impl_residues() -> (Residues, usize) {
    let secrets = RefCell::new(Secrets::new());
    let r = recorded(&secrets, lifecycle);
    let n = secrets.borrow().keys.len();
    print(&r);
    (r, n)
}

#[test]
fn residues_stay_within_the_known_sites() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // The detector: a secret left in a freed vector is found, a zeroized
    // one is not.
    let control = RefCell::new(Secrets::new());
    let r = recorded(&control, |s| {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let mut leaked = vec![0u8; 100];
        rng.fill_bytes(&mut leaked[40..72]);
        s.borrow_mut().key(&leaked[40..72], "planted");
        let mut wiped = Zeroizing::new(vec![0u8; 100]);
        rng.fill_bytes(&mut wiped[8..40]);
        s.borrow_mut().key(&wiped[8..40], "zeroized");
        drop(leaked);
        drop(wiped);
    });
    assert_eq!(r.keys().map(|k| k.0).collect::<Vec<_>>(), vec!["planted"]);

    let (r, n) = impl_residues();
    assert!(n > 500, "only {n} secrets collected");
    // Every residue comes from a site listed in `freed_heap_holds_no_secret`.
    for (what, ph, size) in r.keys() {
        let known = KNOWN_SITES
            .iter()
            .any(|(w, p)| what.starts_with(w) && ph == p);
        assert!(known, "new residue: {what} freed in {ph} ({size} bytes)");
    }
}

/// Residue sites still open (secret kind prefix, phase freed in). The
/// first run of this test found three in the impl, all fixed since, each
/// by allocating the buffer once at its final size or by wiping in place
/// (so the list is empty and `residues_stay_within_the_known_sites` now
/// asserts that the impl's lifecycle leaves no secret on the heap):
///
/// 1. `Account::export`: a 4,096-byte buffer grew past its capacity and
///    freed an unwiped copy of the identity and prekey secrets; the export
///    is now sized exactly (so are `Session::export` and the ratchet's).
/// 2. `PrekeyStore::to_bytes`: a growing `Zeroizing<Vec>` freed outgrown
///    buffers with prekey secrets; now sized exactly.
/// 3. `RatchetState::compute_recv`: header keys moved out of the `pending`
///    vector stayed in its freed buffer; the vector is now allocated at its
///    final capacity and the keys are cloned out and wiped in place.
///
/// Left open, by design: `Content::Text(String)` is not wiped on drop (a
/// `Drop` on `Content` would forbid moving a text out of it, which
/// applications do); a received text is the application's to wipe, as any
/// copy it makes. `freed_heap_holds_no_secret` (ignored) shows it.
const KNOWN_SITES: &[(&str, &str)] = &[];

#[test]
#[ignore = "a dropped Content::Text keeps its text (the application wipes its copies; see KNOWN_SITES)"]
fn freed_heap_holds_no_secret() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (r, _) = impl_residues();
    // A received text the application drops as it is (`Content` wiping
    // itself on drop would make this hold).
    let own = RefCell::new(Secrets::new());
    let dropped = recorded(&own, |s| {
        s.borrow_mut()
            .markers
            .push((marker(200), "message plaintext"));
        let c = text(200);
        drop(c);
    });
    print(&dropped);
    assert!(r.is_empty(), "{} residue sites", r.len());
    assert!(dropped.is_empty(), "a dropped Content::Text keeps its text");
}
