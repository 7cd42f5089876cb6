//! `diff_decoders`: every wire structure that exists today, decoded by the
//! spec and by the impl from the same bytes.
//!
//! Input: `structure: u8`, then its fields (see [`sel`]). Both sides must
//! accept and reject the same inputs with the same error kind, and for
//! everything accepted, encoding what was decoded must give back the input
//! on both sides (strict, canonical decoding: REQ-ENC-003 of SPEC.md).
//! Envelopes are opened with a recipient key from the input (any envelope
//! from any sender), and sealed then mutated then opened.
//!
//! The impl side goes through [`ImplDecoders`] so that the tests can plug
//! in a deliberately wrong decoder and show that the target finds it
//! (`tests/mutant.rs`); [`run`] always uses the real impl, [`IMPL`].

use xchat::content::Content as ImplContent;
use xchat::encoding::Reader;
use xchat::identity::{IdentityPublic, IdentitySecret};
use xchat::{attachment, bundle, content, envelope, handle, handshake, identity, padding, ratchet};
use xchat_spec as spec;

use crate::check::{imp, mutate, same, same_result, spec as sp};
use crate::input::Input;
use crate::io::Replay;

/// Structure selectors; `structure % COUNT` selects one.
pub mod sel {
    /// `EncHandle` (16 bytes), strict: `rest`.
    pub const HANDLE_WIRE: u8 = 0;
    /// A handle's text form (section 5): `rest`.
    pub const HANDLE_TEXT: u8 = 1;
    /// `EncIdentity` (decode, then verify if accepted): `rest`.
    pub const IDENTITY: u8 = 2;
    /// A prekey bundle (decode, then verify if accepted): `rest`.
    pub const BUNDLE: u8 = 3;
    /// A prekey message (header and ratchet body): `rest`.
    pub const PREKEY_MESSAGE: u8 = 4;
    /// A ratchet message: type byte, then body split: `rest`.
    pub const RATCHET_MESSAGE: u8 = 5;
    /// A plaintext ratchet header, and header decryption under `hk`:
    /// `hk: 32, rest`.
    pub const RATCHET_HEADER: u8 = 6;
    /// A sealed envelope opened with fixed keys:
    /// `dh_secret: 32, mailbox: 16, envelope: rest`.
    pub const ENVELOPE_OPEN: u8 = 7;
    /// Seal, mutate, open: `sender_handle: var, sender_randomness: 64,
    /// recipient_dh_secret: 32, mailbox: 16, r: 32, mode: u8, pos: u32,
    /// mask: u8, payload: rest`.
    pub const ENVELOPE_SEAL_OPEN: u8 = 8;
    /// A content (text or attachment pointer): `rest`.
    pub const CONTENT: u8 = 9;
    /// A padded content (unpad): `rest`.
    pub const PADDED: u8 = 10;
    /// An attachment chunk, opened:
    /// `enc_key: 32, index: u64, last: u8, sealed: rest`.
    pub const CHUNK_OPEN: u8 = 11;
    /// An attachment chunk, sealed, mutated, opened:
    /// `enc_key: 32, index: u64, last: u8, mode: u8, pos: u32, mask: u8,
    /// chunk: rest`.
    pub const CHUNK_SEAL_OPEN: u8 = 12;
    /// A light envelope (SPEC.md section 12.1), decoded: `rest`.
    pub const LIGHT_ENVELOPE: u8 = 13;
    /// Number of structures.
    pub const COUNT: u8 = 14;
}

/// The impl decoders the target calls through (see the module docs).
pub struct ImplDecoders {
    /// `identity::decode`.
    pub identity_decode: fn(&[u8]) -> Result<IdentityPublic, xchat::Error>,
    /// `padding::unpad`.
    pub unpad: fn(&[u8]) -> Result<Vec<u8>, xchat::Error>,
    /// `content::decode`.
    pub content_decode: fn(&[u8]) -> Result<ImplContent, xchat::Error>,
}

/// The real impl.
pub const IMPL: ImplDecoders = ImplDecoders {
    identity_decode: identity::decode,
    unpad: padding::unpad,
    content_decode: content::decode,
};

/// The target.
pub fn run(data: &[u8]) {
    run_with(data, &IMPL);
}

/// The target over the given impl decoders.
pub fn run_with(data: &[u8], d: &ImplDecoders) {
    let mut i = Input::new(data);
    match i.u8() % sel::COUNT {
        sel::HANDLE_WIRE => handle_wire(i.rest()),
        sel::HANDLE_TEXT => {
            let b = i.rest();
            same_result(
                "handle parse",
                sp(spec::handle::parse_handle(b)),
                imp(handle::parse_handle(b)),
                |h| {
                    (
                        spec::handle::handle_bytes(h),
                        spec::handle::enc_handle(h).to_vec(),
                    )
                },
                |h| {
                    (
                        handle::handle_bytes(h).to_vec(),
                        handle::enc_handle(h).to_vec(),
                    )
                },
            );
        }
        sel::IDENTITY => {
            let b = i.rest();
            if let Some((s, m)) = same_result(
                "identity decode",
                sp(spec::identity::decode(b)),
                imp((d.identity_decode)(b)),
                spec::identity::encode,
                |id| identity::encode(id).to_vec(),
            ) {
                same(
                    "identity re-encoding",
                    &b.to_vec(),
                    &identity::encode(&m).to_vec(),
                );
                same(
                    "identity verify",
                    &sp(spec::identity::verify(&s)),
                    &imp(identity::verify(&m)),
                );
            }
        }
        sel::BUNDLE => {
            let b = i.rest();
            if let Some((s, m)) = same_result(
                "bundle decode",
                sp(spec::bundle::decode(b)),
                imp(bundle::decode(b)),
                spec::bundle::encode,
                bundle::encode,
            ) {
                same("bundle re-encoding", &b.to_vec(), &bundle::encode(&m));
                same(
                    "bundle verify",
                    &sp(spec::bundle::verify(&s)),
                    &imp(m.verify().map(|_| ())),
                );
            }
        }
        sel::PREKEY_MESSAGE => {
            let b = i.rest();
            if let Some((_, (h, body))) = same_result(
                "prekey message decode",
                sp(spec::handshake::decode_prekey_message(b)),
                imp(handshake::decode_prekey_message(b)),
                |(h, body)| spec::handshake::encode_prekey_message(h, body),
                |(h, body)| handshake::encode_prekey_message(h, body),
            ) {
                same(
                    "prekey message re-encoding",
                    &b.to_vec(),
                    &handshake::encode_prekey_message(&h, body),
                );
            }
        }
        sel::RATCHET_MESSAGE => {
            let b = i.rest();
            let t = same_result(
                "message type",
                sp(spec::session::message_type(b)),
                imp(xchat::session::message_type(b)),
                |t| *t,
                |t| *t,
            );
            if t.is_some() {
                let body = &b[2..];
                same_result(
                    "ratchet body split",
                    sp(spec::ratchet::split_body(body)),
                    imp(ratchet::split_body(body)),
                    |(h, c)| (h.clone(), c.clone()),
                    |(h, c)| (h.to_vec(), c.to_vec()),
                );
            }
        }
        sel::RATCHET_HEADER => {
            let hk = i.array::<32>();
            let b = i.rest();
            if let Some((_, h)) = same_result(
                "ratchet header decode",
                sp(spec::ratchet::read_header(b)),
                imp(ratchet::read_header(b)),
                |h| (h.dh, h.pn, h.n),
                |h| (h.dh, h.pn, h.n),
            ) {
                same(
                    "ratchet header re-encoding",
                    &b.to_vec(),
                    &ratchet::header(&h.dh, h.pn, h.n).to_vec(),
                );
            }
            same(
                "ratchet header decryption",
                &spec::ratchet::hdecrypt(&hk, b).map(|h| (h.dh, h.pn, h.n)),
                &ratchet::hdecrypt(&hk, b).map(|h| (h.dh, h.pn, h.n)),
            );
        }
        sel::ENVELOPE_OPEN => {
            let (dh_secret, mailbox) = (i.array::<32>(), i.array::<16>());
            open_both(&dh_secret, &mailbox, i.rest());
        }
        sel::ENVELOPE_SEAL_OPEN => envelope_seal_open(&mut i),
        sel::CONTENT => {
            let b = i.rest();
            if let Some((_, c)) = same_result(
                "content decode",
                sp(spec::content::decode(b)),
                imp((d.content_decode)(b)),
                spec::content::encode,
                |c| content::encode(c).unwrap_or_default(),
            ) {
                same(
                    "content re-encoding",
                    &imp(Ok::<_, xchat::Error>(b.to_vec())),
                    &imp(content::encode(&c)),
                );
            }
        }
        sel::PADDED => {
            let b = i.rest();
            if let Some((s, m)) = same_result(
                "unpad",
                sp(spec::padding::unpad(b)),
                imp((d.unpad)(b)),
                Clone::clone,
                Clone::clone,
            ) {
                same(
                    "pad after unpad (spec)",
                    &b.to_vec(),
                    &spec::padding::pad(&s),
                );
                same(
                    "pad after unpad (impl)",
                    &imp(Ok::<_, xchat::Error>(b.to_vec())),
                    &imp(padding::pad(&m)),
                );
            }
        }
        sel::CHUNK_OPEN => {
            let (key, index, last) = (i.array::<32>(), i.u64(), i.flag());
            open_chunk_both(&key, index, last, i.rest());
        }
        sel::LIGHT_ENVELOPE => {
            let b = i.rest();
            if let Some((m, _)) = same_result(
                "light envelope decode",
                sp(spec::mailbox::decode_light(b)),
                imp(xchat::mailbox::decode_light(b)),
                |m| *m,
                |l| l.mailbox,
            ) {
                same(
                    "light envelope re-encoding",
                    &b.to_vec(),
                    &[&spec::mailbox::light_prefix(&m)[..], &b[18..]].concat(),
                );
            }
        }
        sel::CHUNK_SEAL_OPEN => {
            let (key, index, last) = (i.array::<32>(), i.u64(), i.flag());
            let (mode, pos, mask) = (i.u8(), i.u32(), i.u8());
            let chunk = i.rest();
            let m = imp(attachment::seal_chunk(&key, index, last, chunk));
            let s = if spec::attachment::pre_seal_chunk(last, chunk.len()) {
                Ok(spec::attachment::seal_chunk(&key, index, last, chunk))
            } else {
                Err("Malformed".to_string())
            };
            same("attachment chunk seal", &s, &m);
            if let Ok(mut sealed) = m {
                mutate(&mut sealed, mode, pos, mask);
                open_chunk_both(&key, index, last, &sealed);
            }
        }
        _ => {}
    }
}

fn handle_wire(b: &[u8]) {
    let s = sp(spec::handle::read_handle(b, 0)
        .and_then(|(h, end)| spec::encoding::expect_end(b, end).map(|()| h)));
    let mut r = Reader::new(b);
    let m = imp(handle::read_handle(&mut r).and_then(|h| r.finish().map(|()| h)));
    if let Some((s, m)) = same_result("handle decode", s, m, spec::handle::handle_bytes, |h| {
        handle::handle_bytes(h).to_vec()
    }) {
        same(
            "handle re-encoding (spec)",
            &b.to_vec(),
            &spec::handle::enc_handle(&s).to_vec(),
        );
        same(
            "handle re-encoding (impl)",
            &b.to_vec(),
            &handle::enc_handle(&m).to_vec(),
        );
    }
}

/// The recipient of [`sel::ENVELOPE_OPEN`] on both sides: only the DH
/// secret matters to opening.
fn recipients(dh_secret: &[u8; 32]) -> (spec::identity::IdentitySecret, IdentitySecret) {
    let h = b"recipient";
    let spec_me = spec::identity::IdentitySecret {
        handle: spec::handle::parse_handle(h).unwrap_or_else(|_| unreachable!()),
        sig_seed: [0u8; 32],
        dh_secret: *dh_secret,
    };
    let handle = handle::parse_handle(h).unwrap_or_else(|_| unreachable!());
    (
        spec_me,
        IdentitySecret::from_secrets(handle, &[0u8; 32], dh_secret),
    )
}

fn open_both(dh_secret: &[u8; 32], mailbox: &[u8; 16], env: &[u8]) {
    let (s_me, m_me) = recipients(dh_secret);
    same_result(
        "envelope open",
        sp(spec::envelope::open(&s_me, mailbox, env)),
        imp(envelope::open(&m_me, mailbox, env)),
        |(id, p)| (spec::identity::encode(id), p.clone()),
        |(id, p)| (identity::encode(id).to_vec(), p.clone()),
    );
}

fn envelope_seal_open(i: &mut Input<'_>) {
    let handle_text = i.var();
    let randomness = i.array::<64>();
    let (dh_secret, mailbox, r) = (i.array::<32>(), i.array::<16>(), i.array::<32>());
    let (mode, pos, mask) = (i.u8(), i.u32(), i.u8());
    let payload = i.rest();
    let text: &[u8] = if spec::handle::parse_handle(handle_text).is_ok() {
        handle_text
    } else {
        b"sender"
    };
    let (Ok(sh), Ok(mh)) = (spec::handle::parse_handle(text), handle::parse_handle(text)) else {
        panic!("divergence in handle parse of {text:?}");
    };
    let (s_sender, _) = spec::identity::generate(&sh, &randomness);
    let m_sender = IdentitySecret::from_randomness(mh, &randomness);
    let recipient_pub = spec::suite::public_key(&dh_secret);
    let s = sp(spec::envelope::seal(
        &s_sender,
        &recipient_pub,
        &mailbox,
        payload,
        &r,
    ));
    let m = imp(envelope::seal(
        &m_sender,
        &recipient_pub,
        &mailbox,
        payload,
        &mut Replay::new(&[&r]),
    ));
    same("envelope seal", &s, &m);
    if let Ok(mut env) = m {
        mutate(&mut env, mode, pos, mask);
        open_both(&dh_secret, &mailbox, &env);
    }
}

fn open_chunk_both(key: &[u8; 32], index: u64, last: bool, sealed: &[u8]) {
    if let Some((s, m)) = same_result(
        "attachment chunk open",
        sp(spec::attachment::open_chunk(key, index, last, sealed)),
        imp(attachment::open_chunk(key, index, last, sealed)),
        Clone::clone,
        Clone::clone,
    ) {
        same(
            "attachment chunk re-seal (spec)",
            &sealed.to_vec(),
            &spec::attachment::seal_chunk(key, index, last, &s),
        );
        same(
            "attachment chunk re-seal (impl)",
            &imp(Ok::<_, xchat::Error>(sealed.to_vec())),
            &imp(attachment::seal_chunk(key, index, last, &m)),
        );
    }
}
