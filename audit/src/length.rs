//! Artefact 3, length leakage: the wire length as a function of the
//! plaintext length, for texts (in the three envelope forms: sealed prekey
//! message, sealed ratchet message, light envelope) and for attachments.
//! Real messages are sent at sample lengths with the spec's `account::send`
//! and `attachment::seal`; the closed form (`padding::padded_len`,
//! `attachment::ciphertext_len` plus fixed overheads) is checked against
//! every sample and then used over the whole range. Reported: the number of
//! size classes, the bits a wire length reveals (the entropy of the class)
//! under a cited empirical length distribution, the upper bound
//! `log2(classes)` for any distribution, and the prekey phase's extra
//! bytes. Plotted as an SVG drawn here.

use serde_json::json;
use xchat_spec::account;
use xchat_spec::attachment;
use xchat_spec::content::Content;
use xchat_spec::padding;
use xchat_spec::scenario::{self, Party};

use crate::fixture;
use crate::util::{esc, json_artefact, table};
use crate::{spec, Artefact, AuditError, Claim, Part, Result, Section};

/// Texts are studied up to this many bytes.
pub const MAX_TEXT: usize = 65_536;
/// Attachments are studied up to this many bytes (for the class count).
pub const MAX_ATTACHMENT: u64 = 100 * 1024 * 1024;

/// The log-normal fit of message lengths (in characters) that ProcessOne
/// published for 474,562 XMPP messages of an ejabberd archive: Log-N(2.83,
/// 1.15), median 18, mean 40.4 ("Message Archiving Benchmark: How Many
/// Letters Are in Messages?", https://www.process-one.net/blog/message_archiving_benchmark_how_many_letters_are_in_messages/).
/// Used here with one byte per character (ASCII); non-Latin scripts take
/// 2-4 bytes per character in UTF-8 and shift the distribution up.
pub const LOGNORMAL_MU: f64 = 2.83;
/// See [`LOGNORMAL_MU`].
pub const LOGNORMAL_SIGMA: f64 = 1.15;
/// Where the distribution comes from.
pub const DISTRIBUTION_SOURCE: &str = "ProcessOne, \"Message Archiving Benchmark: How Many Letters Are in Messages?\" (474,562 XMPP messages, log-normal fit Log-N(2.83, 1.15) of the length in characters), https://www.process-one.net/blog/message_archiving_benchmark_how_many_letters_are_in_messages/";

/// `erf` (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7).
fn erf(x: f64) -> f64 {
    let s = if x < 0.0 { -1.0 } else { 1.0 };
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-x * x).exp();
    s * y
}

fn lognormal_cdf(x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else {
        0.5 * (1.0 + erf((x.ln() - LOGNORMAL_MU) / (LOGNORMAL_SIGMA * std::f64::consts::SQRT_2)))
    }
}

/// `P(L = n)` for `n` in `1..=max`, the log-normal discretised to whole
/// lengths and renormalised over the range.
pub fn distribution(max: usize) -> Vec<f64> {
    let mut p = vec![0.0; max + 1];
    let mut total = 0.0;
    for (n, slot) in p.iter_mut().enumerate().skip(1) {
        let v = lognormal_cdf(n as f64 + 0.5) - lognormal_cdf(n as f64 - 0.5);
        *slot = v;
        total += v;
    }
    for v in &mut p {
        *v /= total;
    }
    p
}

/// The entropy in bits of the class `class(n)` under `p`.
pub fn class_entropy(p: &[f64], class: impl Fn(usize) -> usize) -> f64 {
    let mut mass: std::collections::BTreeMap<usize, f64> = std::collections::BTreeMap::new();
    for (n, pn) in p.iter().enumerate() {
        if *pn > 0.0 {
            *mass.entry(class(n)).or_default() += pn;
        }
    }
    mass.values()
        .filter(|m| **m > 0.0)
        .map(|m| -m * m.log2())
        .sum()
}

/// The sample lengths at which real messages are sent.
pub fn samples() -> Vec<usize> {
    let mut s: Vec<usize> = (0..=300).step_by(7).collect();
    let mut x = 256usize;
    while x <= MAX_TEXT {
        for d in [x - 6, x - 5, x - 4, x + 1, x + x / 3] {
            if d <= MAX_TEXT {
                s.push(d);
            }
        }
        x *= 2;
    }
    s.sort_unstable();
    s.dedup();
    s
}

/// The closed forms, per envelope form: wire length of a text of `n` bytes.
pub fn text_wire_len(form: &str, n: usize) -> usize {
    let padded = padding::padded_len(5 + n);
    let ratchet_body = xchat_spec::ratchet::ENC_HEADER_LEN + padded + xchat_spec::ratchet::TAG_LEN;
    match form {
        "light" => xchat_spec::mailbox::LIGHT_PREFIX_LEN + ratchet_body,
        "sealed ratchet" => envelope_len(2 + ratchet_body),
        _ => envelope_len(prekey_header_len() + ratchet_body),
    }
}

fn envelope_len(payload: usize) -> usize {
    xchat_spec::envelope::envelope_len(payload)
}

/// Bytes of a prekey message before its ratchet body, with a one-time
/// prekey named (SPEC.md section 8).
fn prekey_header_len() -> usize {
    2 + xchat_spec::identity::IDENTITY_LEN + 4 + 1 + 4 + 4 + 33 + xchat_spec::ml_kem::CT_LEN
}

fn real_lengths(form: &str, lens: &[usize]) -> Result<Vec<(usize, usize)>> {
    let events = fixture::conversation();
    // The sender's state for each form: alice right after starting (prekey
    // phase), bob after alice's first message (sealed ratchet), alice
    // after both mailbox offers (light).
    let (prefix, from, to) = match form {
        "light" => (9, Party::Alice, Party::Bob),
        "sealed ratchet" => (3, Party::Bob, Party::Alice),
        _ => (1, Party::Alice, Party::Bob),
    };
    let t = fixture::run(&events[..prefix])?;
    let s = &t.parties[scenario::index_of(from)];
    let published = t.parties[scenario::index_of(to)].account.mailbox;
    let handle = fixture::handle_of(to)?;
    let mut out = Vec::new();
    for &n in lens {
        let text = vec![b'a'; n];
        let d = |p: &[u8]| scenario::party_draw(&fixture::SEED, from, p, s.draws);
        let mut nonce = [0u8; 24];
        nonce.copy_from_slice(&d(b"send nonce")[..24]);
        let (_, _, env) = spec(
            "account::send (length)",
            account::send(
                &s.account,
                &handle,
                &Content::Text(text),
                &published,
                &nonce,
                &d(b"send envelope"),
            ),
        )?;
        out.push((n, env.len()));
    }
    Ok(out)
}

/// One plotted series: name, colour, points.
type Series<'a> = (&'a str, &'a str, Vec<(f64, f64)>);

fn svg_plot(series: &[Series], xlabel: &str, ylabel: &str) -> String {
    let (w, h, left, bottom) = (780.0, 360.0, 70.0, 40.0);
    let mut xmax: f64 = 1.0;
    let mut ymax: f64 = 1.0;
    for (_, _, pts) in series {
        for (x, y) in pts {
            xmax = xmax.max(*x);
            ymax = ymax.max(*y);
        }
    }
    // Log-log axes (log2(1 + v)).
    let fx = |x: f64| left + (w - left - 30.0) * (1.0 + x).log2() / (1.0 + xmax).log2();
    let fy = |y: f64| (h - bottom) - (h - bottom - 10.0) * (1.0 + y).log2() / (1.0 + ymax).log2();
    let mut s = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{}\" role=\"img\" aria-label=\"{}\">", h + 20.0, esc(ylabel));
    s.push_str(&format!(
        "<rect x=\"{left}\" y=\"10\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" stroke=\"#333\"/>",
        w - left - 10.0,
        h - bottom - 10.0
    ));
    let mut tick = 1.0f64;
    while tick <= xmax.max(ymax) * 2.0 {
        if tick <= xmax {
            s.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"9\" text-anchor=\"middle\">{}</text>",
                fx(tick),
                h - bottom + 12.0,
                tick as u64
            ));
        }
        if tick <= ymax {
            s.push_str(&format!(
                "<text x=\"{}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"end\">{}</text>",
                left - 3.0,
                fy(tick) + 3.0,
                tick as u64
            ));
        }
        tick *= 16.0;
    }
    s.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{} (log scale)</text>",
        (w + left) / 2.0,
        h - 8.0,
        esc(xlabel)
    ));
    s.push_str(&format!("<text x=\"12\" y=\"{}\" font-size=\"11\" transform=\"rotate(-90 12 {})\" text-anchor=\"middle\">{} (log scale)</text>", h / 2.0, h / 2.0, esc(ylabel)));
    for (k, (name, colour, pts)) in series.iter().enumerate() {
        let path: Vec<String> = pts
            .iter()
            .map(|(x, y)| format!("{:.1},{:.1}", fx(*x), fy(*y)))
            .collect();
        s.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{}\"/>",
            path.join(" ")
        ));
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"{colour}\">{}</text>",
            left + 10.0,
            26.0 + 14.0 * k as f64,
            esc(name)
        ));
    }
    s.push_str("</svg>");
    s
}

/// The length-leakage artefacts, claims and section.
pub fn run() -> Result<Part> {
    let lens = samples();
    let forms = ["sealed prekey", "sealed ratchet", "light"];
    let mut mismatches = Vec::new();
    let mut sampled = Vec::new();
    for form in forms {
        let real = real_lengths(form, &lens)?;
        for (n, l) in &real {
            if *l != text_wire_len(form, *n) {
                mismatches.push(format!(
                    "{form} {n}: sent {l}, closed form {}",
                    text_wire_len(form, *n)
                ));
            }
        }
        sampled.push((form, real));
    }
    // Attachments: real ciphertexts at sample lengths up to 300 KiB.
    let key = scenario::party_draw(&fixture::SEED, Party::Alice, b"attachment key", 7);
    let att_samples: Vec<usize> = vec![
        0, 1, 100, 1000, 4096, 65_535, 65_536, 65_537, 100_000, 300_000,
    ];
    for &n in &att_samples {
        let (_, ct) = attachment::seal(xchat_spec::content::MediaKind::File, &key, &vec![0x42; n]);
        if ct.len() as u64 != attachment::ciphertext_len(n as u64) {
            mismatches.push(format!(
                "attachment {n}: sealed {}, closed form {}",
                ct.len(),
                attachment::ciphertext_len(n as u64)
            ));
        }
    }
    // Size classes over the whole ranges.
    let mut classes_text = std::collections::BTreeSet::new();
    for n in 0..=MAX_TEXT {
        classes_text.insert(text_wire_len("light", n));
    }
    // ciphertext_len depends on padme(l) only, and every l' in
    // [l, padme(l)] has padme(l') = padme(l): one class per Padme value.
    let mut att_classes = 0u64;
    let mut l = 0u64;
    while l <= MAX_ATTACHMENT {
        att_classes += 1;
        l = xchat_spec::padding::padme(l) + 1;
    }
    let p = distribution(MAX_TEXT);
    let bits = class_entropy(&p, |n| text_wire_len("light", n));
    let bound = (classes_text.len() as f64).log2();
    let below_min = p.iter().take(padding::MIN_PADDED_LEN - 8).sum::<f64>();
    let prekey_extra = text_wire_len("sealed prekey", 0) - text_wire_len("light", 0);
    let sealed_extra = text_wire_len("sealed ratchet", 0) - text_wire_len("light", 0);

    let json = json!({
        "schema": "xchat-audit/length-leakage/v1",
        "text": {
            "forms": forms,
            "closed_form": "light = 18 + 81 + padded_len(5 + n) + 16; sealed ratchet = 228 + 2 + 81 + padded_len(5 + n) + 16; sealed prekey = 228 + prekey header + 81 + padded_len(5 + n) + 16, padded_len(c) = padme(max(c + 4, 256))",
            "samples_sent": lens.len() * forms.len(),
            "closed_form_mismatches": mismatches,
            "range": [0, MAX_TEXT],
            "size_classes": classes_text.len(),
            "smallest_class_covers_up_to": (0..=MAX_TEXT).take_while(|n| text_wire_len("light", *n) == text_wire_len("light", 0)).last(),
            "samples": sampled.iter().map(|(f, r)| json!({"form": f, "points": r.iter().map(|(n, l)| json!([n, l])).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        },
        "leakage": {
            "distribution": format!("log-normal Log-N({LOGNORMAL_MU}, {LOGNORMAL_SIGMA}) of the text length in bytes, discretised to 1..={MAX_TEXT}"),
            "source": DISTRIBUTION_SOURCE,
            "bits_per_message": format!("{bits:.4}"),
            "upper_bound_any_distribution_bits": format!("{bound:.4}"),
            "mass_in_smallest_class": format!("{below_min:.4}"),
        },
        "prekey_phase": {
            "extra_bytes_vs_light": prekey_extra,
            "sealed_ratchet_extra_bytes_vs_light": sealed_extra,
        },
        "attachment": {
            "closed_form": "32 + padme(n) + 16 * max(1, ceil(padme(n) / 65536))",
            "samples_sealed": att_samples,
            "range": [0, MAX_ATTACHMENT],
            "size_classes": att_classes,
        },
    });
    let series: Vec<Series> = vec![
        (
            "sealed prekey message",
            "#e76f51",
            (0..=MAX_TEXT)
                .step_by(64)
                .map(|n| (n as f64, text_wire_len("sealed prekey", n) as f64))
                .collect(),
        ),
        (
            "sealed ratchet message",
            "#2a9d8f",
            (0..=MAX_TEXT)
                .step_by(64)
                .map(|n| (n as f64, text_wire_len("sealed ratchet", n) as f64))
                .collect(),
        ),
        (
            "light envelope",
            "#264653",
            (0..=MAX_TEXT)
                .step_by(16)
                .map(|n| (n as f64, text_wire_len("light", n) as f64))
                .collect(),
        ),
    ];
    let text_svg = svg_plot(&series, "text length (bytes)", "wire length (bytes)");
    let att_series = vec![(
        "attachment ciphertext",
        "#6a4c93",
        (0..=22)
            .flat_map(|e| [(1u64 << e) - 1, 1u64 << e, (1u64 << e) + (1u64 << e) / 3])
            .map(|n| (n as f64, attachment::ciphertext_len(n) as f64))
            .collect::<Vec<_>>(),
    )];
    let att_svg = svg_plot(
        &att_series,
        "file length (bytes)",
        "ciphertext length (bytes)",
    );
    let mut html = format!(
        "<p>Wire length of a text of n bytes, from {} real messages of the spec at sample lengths (the closed form \
         agrees with every one: {} mismatches), for n up to {MAX_TEXT}.</p>{text_svg}",
        lens.len() * forms.len(),
        mismatches.len()
    );
    html.push_str(&table(
        &["figure", "value"],
        &[
            vec![
                "text size classes (light envelope, 0..=65536 bytes)".into(),
                classes_text.len().to_string(),
            ],
            vec![
                "bits a light envelope's length reveals, per message".into(),
                format!("{bits:.4}"),
            ],
            vec![
                "upper bound for any length distribution (log2 classes)".into(),
                format!("{bound:.4}"),
            ],
            vec![
                "distribution".into(),
                esc(&format!(
                    "log-normal Log-N({LOGNORMAL_MU}, {LOGNORMAL_SIGMA}), bytes = characters"
                )),
            ],
            vec!["source".into(), esc(DISTRIBUTION_SOURCE)],
            vec![
                "prekey phase: extra bytes of a sealed prekey message over a light envelope".into(),
                prekey_extra.to_string(),
            ],
            vec![
                "sealed ratchet message: extra bytes over a light envelope".into(),
                sealed_extra.to_string(),
            ],
            vec![
                format!("attachment size classes (0..={MAX_ATTACHMENT} bytes)"),
                att_classes.to_string(),
            ],
        ],
    ));
    html.push_str(&format!("<p>Attachment ciphertext length:</p>{att_svg}"));
    let svg_file = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{text_svg}\n");
    let claims = vec![Claim::new(
        "length.closed-form",
        "length",
        "The wire length is the documented function of the plaintext length (padding classes), for every message sent",
        mismatches.is_empty(),
        format!("{} text and {} attachment samples, {} mismatches; {} text classes, {bits:.3} bits per message", lens.len() * forms.len(), att_samples.len(), mismatches.len(), classes_text.len()),
    )];
    if bits.is_nan() {
        return Err(AuditError::Input(
            "length distribution".into(),
            "entropy is not a number".into(),
        ));
    }
    Ok(Part {
        artefacts: vec![
            json_artefact("length-leakage.json", &json),
            Artefact {
                file: "length-leakage.svg".into(),
                bytes: svg_file.into_bytes(),
            },
        ],
        claims,
        sections: vec![Section {
            id: "length".into(),
            title: "3. Length leakage".into(),
            html,
        }],
    })
}
