//! `diff_session_schedule`: a whole multi-party conversation, spec against
//! impl, in lockstep (issue 11's session-schedule target; libsignal's
//! `interaction` target and beacon-fuzz's spec-vs-client design are the
//! models).
//!
//! The input is a [`Setup`] and a schedule of up to [`MAX_EVENTS`]
//! [`Event`]s of the spec's scenario runner (`xchat_spec::scenario`):
//! starts in any direction (simultaneous initiation included), sends,
//! deliveries in any order, drops, duplicates, tampering of any byte,
//! pairwise-mailbox offers (also of held ids), refused (*gone*) light
//! envelopes resent sealed, misdelivery, an impostor (Mallory claims
//! `alice`), a hostile but authenticated peer sealing arbitrary message
//! bytes (`Inject`, which reaches SPEC.md 15.2 R2-R5 with malformed
//! messages), identity acceptance, signed-prekey rotation, and snapshot /
//! restore of a party (on the impl: `Account::export`, later
//! `Account::import`). Both sides run it through the conformance interface
//! (`session_run`: the spec's runner, and the impl's `Account`s behind the
//! impl adapter); every wire byte, every mailbox posted to and every
//! outcome (content, error kind, identity change) must be equal.
//!
//! Input format ([`crate::input`]): `seed` (32 bytes), `u8` flags (bit 0:
//! one-time prekeys; bit 1: last-resort PQ prekey), then events until the
//! input ends, each a `u8` selector (modulo 15) and its fields: parties are
//! one byte (modulo 4: Alice, Bob, Carol, Mallory), wire indices one byte,
//! texts a `var` of at most 32 bytes. Selector 14 reads a mode byte: bit 1
//! set is an `Inject` (`from`, `to`, a shape byte and a `var` payload, see
//! [`injected`]), else bit 0 set a snapshot and clear a restore of one
//! party (so inputs written before `Inject` existed read as before).
//! [`encode`] writes the same format.

use xchat_spec::bundle::PqKind;
use xchat_spec::encoding::VERSION;
use xchat_spec::mailbox::{MIN_LIGHT_LEN, MSG_LIGHT};
use xchat_spec::ratchet::{ENC_HEADER_LEN, MSG_PREKEY, MSG_RATCHET, TAG_LEN};
use xchat_spec::scenario::{Event, Party, Setup};
use xchat_vectors::adapters::{imp::Impl, spec::Spec};
use xchat_vectors::conformance::dispatch;
use xchat_vectors::ops::session::session_run_input;

use crate::input::{Input, Writer};

/// Most events run from one input (longer schedules repeat the same state
/// space more slowly).
pub const MAX_EVENTS: usize = 48;

/// Longest text of a `Send`.
const MAX_TEXT: usize = 32;

/// Longest payload of an `Inject`.
pub const MAX_PAYLOAD: usize = 300;

/// The shortest ratchet message a sealed envelope may carry (SPEC.md 15.2
/// R4): version, type, encrypted header, tag.
const MIN_RATCHET_LEN: usize = 2 + ENC_HEADER_LEN + TAG_LEN;

/// The payload of an `Inject` from its shape byte and the input's bytes,
/// biased toward messages that get past the version and type checks
/// (SPEC.md 15.2 R3): bits 0-1 choose a prefix (none, or the version byte
/// and the type of a prekey, ratchet or light message), bits 2-3 a length
/// (as given, the minimum ratchet message, one byte less, the minimum
/// light message; zero-padded or cut); at most [`MAX_PAYLOAD`] bytes.
fn injected(shape: u8, body: &[u8]) -> Vec<u8> {
    let mut payload = match shape & 3 {
        0 => Vec::new(),
        1 => vec![VERSION, MSG_PREKEY],
        2 => vec![VERSION, MSG_RATCHET],
        _ => vec![VERSION, MSG_LIGHT],
    };
    payload.extend_from_slice(body);
    match (shape >> 2) & 3 {
        0 => {}
        1 => payload.resize(MIN_RATCHET_LEN, 0),
        2 => payload.resize(MIN_RATCHET_LEN - 1, 0),
        _ => payload.resize(MIN_LIGHT_LEN, 0),
    }
    payload.truncate(MAX_PAYLOAD);
    payload
}

fn party(b: u8) -> Party {
    match b % 4 {
        0 => Party::Alice,
        1 => Party::Bob,
        2 => Party::Carol,
        _ => Party::Mallory,
    }
}

fn party_byte(p: Party) -> u8 {
    match p {
        Party::Alice => 0,
        Party::Bob => 1,
        Party::Carol => 2,
        Party::Mallory => 3,
    }
}

/// Reads a setup and a schedule.
pub fn decode(data: &[u8]) -> (Setup, Vec<Event>) {
    let mut i = Input::new(data);
    let seed = i.array::<32>();
    let flags = i.u8();
    let setup = Setup {
        seed,
        with_opk: flags & 1 != 0,
        pq_kind: if flags & 2 != 0 {
            PqKind::LastResort
        } else {
            PqKind::OneTime
        },
    };
    let mut events = Vec::new();
    while i.remaining() > 0 && events.len() < MAX_EVENTS {
        let e = match i.u8() % 15 {
            0 => Event::Start {
                from: party(i.u8()),
                to: party(i.u8()),
            },
            1 => {
                let (from, to) = (party(i.u8()), party(i.u8()));
                let text = i.var();
                Event::Send {
                    from,
                    to,
                    text: text.get(..MAX_TEXT).unwrap_or(text).to_vec(),
                }
            }
            2 => Event::OfferMailbox {
                from: party(i.u8()),
                to: party(i.u8()),
            },
            3 => Event::OfferHeldMailbox {
                from: party(i.u8()),
                to: party(i.u8()),
                published: i.flag(),
            },
            4 => Event::Gone {
                index: usize::from(i.u8()),
            },
            5..=7 => Event::Deliver {
                index: usize::from(i.u8()),
            },
            8 => {
                let index = usize::from(i.u8());
                let to = party(i.u8());
                let of = i.u8();
                Event::Misdeliver {
                    index,
                    to,
                    of: (of < 4).then(|| party(of)),
                }
            }
            9 => Event::Drop {
                index: usize::from(i.u8()),
            },
            10 => Event::Duplicate {
                index: usize::from(i.u8()),
            },
            11 => Event::Tamper {
                index: usize::from(i.u8()),
                byte: usize::from(i.u16()),
                mask: i.u8(),
            },
            12 => Event::AcceptIdentity {
                who: party(i.u8()),
                of: party(i.u8()),
            },
            13 => Event::RotatePrekey { who: party(i.u8()) },
            _ => {
                let mode = i.u8();
                if mode & 2 != 0 {
                    let (from, to) = (party(i.u8()), party(i.u8()));
                    let shape = i.u8();
                    Event::Inject {
                        from,
                        to,
                        payload: injected(shape, i.var()),
                    }
                } else if mode & 1 != 0 {
                    Event::Snapshot { who: party(i.u8()) }
                } else {
                    Event::Restore { who: party(i.u8()) }
                }
            }
        };
        events.push(e);
    }
    (setup, events)
}

/// Writes `setup` and `events` in [`decode`]'s format (seeds): indices
/// above 255, texts above 32 bytes and payloads above [`MAX_PAYLOAD`] bytes
/// are cut (a payload is written with shape 0: as it is).
pub fn encode(setup: &Setup, events: &[Event]) -> Vec<u8> {
    let flags = u8::from(setup.with_opk) | (u8::from(setup.pq_kind == PqKind::LastResort) << 1);
    let mut w = Writer::new().bytes(&setup.seed).u8(flags);
    let idx = |i: usize| u8::try_from(i).unwrap_or(u8::MAX);
    for e in events {
        w = match e {
            Event::Start { from, to } => w.u8(0).u8(party_byte(*from)).u8(party_byte(*to)),
            Event::Send { from, to, text } => w
                .u8(1)
                .u8(party_byte(*from))
                .u8(party_byte(*to))
                .var(text.get(..MAX_TEXT).unwrap_or(text)),
            Event::OfferMailbox { from, to } => w.u8(2).u8(party_byte(*from)).u8(party_byte(*to)),
            Event::OfferHeldMailbox {
                from,
                to,
                published,
            } => w
                .u8(3)
                .u8(party_byte(*from))
                .u8(party_byte(*to))
                .u8(u8::from(*published)),
            Event::Gone { index } => w.u8(4).u8(idx(*index)),
            Event::Deliver { index } => w.u8(5).u8(idx(*index)),
            Event::Misdeliver { index, to, of } => w
                .u8(8)
                .u8(idx(*index))
                .u8(party_byte(*to))
                .u8(of.map_or(0xFF, party_byte)),
            Event::Drop { index } => w.u8(9).u8(idx(*index)),
            Event::Duplicate { index } => w.u8(10).u8(idx(*index)),
            Event::Tamper { index, byte, mask } => w
                .u8(11)
                .u8(idx(*index))
                .u16(u16::try_from(*byte).unwrap_or(u16::MAX))
                .u8(*mask),
            Event::AcceptIdentity { who, of } => w.u8(12).u8(party_byte(*who)).u8(party_byte(*of)),
            Event::RotatePrekey { who } => w.u8(13).u8(party_byte(*who)),
            Event::Snapshot { who } => w.u8(14).u8(1).u8(party_byte(*who)),
            Event::Restore { who } => w.u8(14).u8(0).u8(party_byte(*who)),
            Event::Inject { from, to, payload } => w
                .u8(14)
                .u8(2)
                .u8(party_byte(*from))
                .u8(party_byte(*to))
                .u8(0)
                .var(payload.get(..MAX_PAYLOAD).unwrap_or(payload)),
        };
    }
    w.finish()
}

/// The target.
pub fn run(data: &[u8]) {
    let (setup, events) = decode(data);
    let input = session_run_input(&setup, &events);
    let Some(input) = input.as_object() else {
        unreachable!("session_run_input is an object")
    };
    let spec = dispatch(&mut Spec, "session_run", input);
    let imp = dispatch(&mut Impl, "session_run", input);
    if spec.is_err() {
        panic!("the spec's scenario runner failed: {spec:?}");
    }
    if spec != imp {
        panic!(
            "divergence in session_run:\n  events: {events:?}\n  spec: {spec:?}\n  impl: {imp:?}"
        );
    }
}
