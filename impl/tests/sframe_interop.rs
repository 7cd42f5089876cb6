//! Interoperability of `xchat::sframe` and `xchat::call` with an
//! independent RFC 9605 implementation, the `sframe` crate (sframe-rs
//! 2.1.0, RustCrypto backend; a dev-dependency only).
//!
//! For every suite that crate supports (`0x0001`-`0x0005`; it has none of
//! the post-RFC `0x0006`-`0x0008`), over KIDs and CTRs of every encoded
//! length, payloads from empty to a 100 KB key frame, with and without
//! metadata: a frame sealed by `xchat` opens with `sframe` and the reverse,
//! and the two produce the same bytes for the same (key, KID, CTR,
//! metadata, payload) (SFrame is deterministic). A tampered frame is
//! rejected by both. Then a whole call: frames from `xchat::call::Calls`
//! open with `sframe` keyed by the signaled `base_key` and KID, after a
//! key update too, and `sframe`'s frames under the peer's key open in
//! `Calls`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use sframe::frame::{EncryptedFrame, FrameCounter, MediaFrame};
use sframe::key::{DecryptionKey, EncryptionKey};
use xchat::call::Calls;
use xchat::content::{CallSignal, Content};
use xchat::handle::Handle;
use xchat::sframe::{self as ours, CipherSuite, Header};

/// A frame counter that yields one given value (the CTR under test).
struct Fixed(u64);

impl FrameCounter for Fixed {
    type Error = std::convert::Infallible;
    fn try_next(&mut self) -> Result<u64, Self::Error> {
        Ok(self.0)
    }
}

/// The suites both crates implement.
fn suites() -> Vec<(CipherSuite, sframe::CipherSuite)> {
    use sframe::CipherSuite as T;
    vec![
        (
            CipherSuite::Aes128CtrHmacSha256Tag80,
            T::AesCtr128HmacSha256_80,
        ),
        (
            CipherSuite::Aes128CtrHmacSha256Tag64,
            T::AesCtr128HmacSha256_64,
        ),
        (
            CipherSuite::Aes128CtrHmacSha256Tag32,
            T::AesCtr128HmacSha256_32,
        ),
        (CipherSuite::Aes128GcmSha256Tag128, T::AesGcm128Sha256),
        (CipherSuite::Aes256GcmSha512Tag128, T::AesGcm256Sha512),
    ]
}

/// Values whose headers take every length: in the config byte, one byte,
/// two, four, eight.
const VALUES: [u64; 7] = [0, 7, 8, 255, 256, 1 << 32, u64::MAX];

fn payload(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
}

#[test]
fn frames_open_both_ways_with_identical_bytes() {
    let base_key = b"xchat interop base key, 32 bytes";
    let mut checked = 0;
    for (ours_suite, theirs_suite) in suites() {
        assert_eq!(ours_suite.id(), theirs_suite as u16);
        for (i, &kid) in VALUES.iter().enumerate() {
            let ks = ours::derive_key_salt(ours_suite, kid, base_key).unwrap();
            let enc = EncryptionKey::derive_from(theirs_suite, kid, base_key).unwrap();
            let dec = DecryptionKey::derive_from(theirs_suite, kid, base_key).unwrap();
            for (j, &ctr) in VALUES.iter().enumerate() {
                let size = [0, 1, 100, 1200, 100_000][(i + j) % 5];
                let pt = payload(size, (i * 7 + j) as u8);
                let meta: &[u8] = if (i + j) % 2 == 0 { b"" } else { b"rtp header" };
                // xchat seals, sframe opens.
                let ct = ours::encrypt(ours_suite, &ks, &Header { kid, ctr }, meta, &pt).unwrap();
                let frame = EncryptedFrame::try_with_meta_data(ct.clone(), meta).unwrap();
                assert_eq!(frame.header().key_id(), kid);
                assert_eq!(frame.header().counter(), ctr);
                let opened = frame.decrypt(&dec).unwrap();
                assert_eq!(opened.payload(), &pt[..]);
                // sframe seals, xchat opens: the same bytes.
                let theirs = MediaFrame::with_meta_data(&mut Fixed(ctr), pt.clone(), meta)
                    .encrypt(&enc)
                    .unwrap();
                assert_eq!(
                    theirs.sframe_cipher_text(),
                    &ct[..],
                    "suite {ours_suite:?} kid {kid} ctr {ctr}"
                );
                let (h, back) =
                    ours::decrypt(ours_suite, &ks, meta, theirs.sframe_cipher_text()).unwrap();
                assert_eq!(h, Header { kid, ctr });
                assert_eq!(back, pt);
                // A flipped bit in the body: both reject.
                let mut bad = ct.clone();
                let last = bad.len() - 1;
                bad[last] ^= 0x80;
                assert!(EncryptedFrame::try_with_meta_data(bad.clone(), meta)
                    .and_then(|f| f.decrypt(&dec))
                    .is_err());
                assert_eq!(
                    ours::decrypt(ours_suite, &ks, meta, &bad).unwrap_err(),
                    xchat::Error::AuthenticationFailed
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 5 * VALUES.len() * VALUES.len());
    println!("sframe interop: {checked} frames each way, 5 suites");
}

fn signal(c: Content) -> CallSignal {
    match c {
        Content::Call(s) => s,
        other => panic!("{other:?}"),
    }
}

/// A call's frames are plain RFC 9605 frames under the signaled key: the
/// `sframe` crate, given only the `base_key` and KID of the offer (and
/// later of the key update), opens them, and its frames under the peer's
/// key open in `Calls`.
#[test]
fn call_frames_interoperate() {
    let suite = sframe::CipherSuite::AesGcm128Sha256;
    let alice: Handle = "alice".parse().unwrap();
    let bob: Handle = "bob".parse().unwrap();
    let mut a = Calls::new();
    let id = [3u8; 16];
    let offer = signal(a.start_with(&bob, &id, &[0x11; 32], b"sdp").unwrap());
    let mut b = Calls::new();
    b.on_signal(&alice, &offer).unwrap();
    let answer = signal(b.answer_with(&alice, &id, &[0x22; 32], b"sdp").unwrap());
    a.on_signal(&bob, &answer).unwrap();
    let key_of = |s: &CallSignal| match s {
        CallSignal::Offer { key, .. }
        | CallSignal::Answer { key, .. }
        | CallSignal::KeyUpdate { key, .. } => (key.kid(), *key.base_key()),
        other => panic!("{other:?}"),
    };
    // Alice's frames, opened by sframe with the offer's key.
    let (kid, base_key) = key_of(&offer);
    let dec = DecryptionKey::derive_from(suite, kid, base_key).unwrap();
    for n in 0..5u64 {
        let pt = payload(100 + n as usize, n as u8);
        let f = a.encrypt_frame(&bob, &id, b"m", &pt).unwrap();
        let opened = EncryptedFrame::try_with_meta_data(f, &b"m"[..])
            .unwrap()
            .decrypt(&dec)
            .unwrap();
        assert_eq!(opened.payload(), &pt[..]);
        assert_eq!(opened.counter(), n);
    }
    // After a key update, under the new KID.
    let update = signal(a.rekey_with(&bob, &id, &[0x33; 32]).unwrap());
    let (kid, base_key) = key_of(&update);
    assert_eq!(kid, 1);
    let dec = DecryptionKey::derive_from(suite, kid, base_key).unwrap();
    let f = a.encrypt_frame(&bob, &id, b"", b"after rekey").unwrap();
    let opened = EncryptedFrame::try_new(f).unwrap().decrypt(&dec).unwrap();
    assert_eq!(opened.payload(), b"after rekey");
    // sframe as Bob's sender (the answer's key): Alice's Calls opens it,
    // and a second copy is a replay.
    let (kid, base_key) = key_of(&answer);
    let enc = EncryptionKey::derive_from(suite, kid, base_key).unwrap();
    let theirs = MediaFrame::with_meta_data(&mut Fixed(9), b"from sframe", &b"m"[..])
        .encrypt(&enc)
        .unwrap();
    assert_eq!(
        a.decrypt_frame(&bob, &id, b"m", theirs.sframe_cipher_text())
            .unwrap(),
        b"from sframe"
    );
    assert_eq!(
        a.decrypt_frame(&bob, &id, b"m", theirs.sframe_cipher_text()),
        Err(xchat::Error::Replay)
    );
}
