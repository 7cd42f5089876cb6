//! Artefact 10, the DPIA data inventory: `audit/inventory.yaml`, the one
//! hand-maintained file, checked against the computed exposure map (every
//! field the relay or the directory sees in clear must be listed; every
//! listed field must exist) and against the spec's constants (every bound
//! it states).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};

use crate::layout::{self, ExposureMap};
use crate::util::{esc, json_artefact, table};
use crate::{AuditError, Claim, Part, Result, Section};

/// The value of a spec constant the inventory may cite.
pub fn spec_constant(name: &str) -> Option<u64> {
    use xchat_spec::*;
    Some(match name {
        "handle::MAX_HANDLE_LEN" => handle::MAX_HANDLE_LEN as u64,
        "bundle::MAX_RETIRED_SIGNED_PREKEYS" => bundle::MAX_RETIRED_SIGNED_PREKEYS as u64,
        "account::MAX_HANDSHAKES_PER_SIGNED_PREKEY" => {
            account::MAX_HANDSHAKES_PER_SIGNED_PREKEY as u64
        }
        "account::MAX_PREVIOUS_SESSIONS" => account::MAX_PREVIOUS_SESSIONS as u64,
        "envelope::MAILBOX_LEN" => envelope::MAILBOX_LEN as u64,
        "mailbox::MAX_RETIRED_MAILBOXES" => mailbox::MAX_RETIRED_MAILBOXES as u64,
        "padding::MIN_PADDED_LEN" => padding::MIN_PADDED_LEN as u64,
        "ratchet::MAX_SKIP" => u64::from(ratchet::MAX_SKIP),
        "ratchet::MAX_SKIPPED_TOTAL" => ratchet::MAX_SKIPPED_TOTAL as u64,
        "attachment::CHUNK_LEN" => attachment::CHUNK_LEN as u64,
        _ => return None,
    })
}

/// What the check found.
#[derive(Clone, Debug, Default)]
pub struct Check {
    /// Fields visible to the relay or directory that no category lists.
    pub missing: Vec<String>,
    /// Listed fields that the exposure map does not have.
    pub stale: Vec<String>,
    /// Bounds whose stated value differs from the spec (or unknown names).
    pub wrong_bounds: Vec<String>,
    /// Categories without a required key.
    pub incomplete: Vec<String>,
    /// The parsed inventory.
    pub inventory: Value,
}

impl Check {
    /// Whether the inventory passes.
    pub fn ok(&self) -> bool {
        self.missing.is_empty()
            && self.stale.is_empty()
            && self.wrong_bounds.is_empty()
            && self.incomplete.is_empty()
    }
}

const REQUIRED: [&str; 10] = [
    "id",
    "data",
    "personal_data",
    "created_by",
    "lives_at",
    "readable_by",
    "retention",
    "protocol_bounds",
    "exposure_fields",
    "bounds",
];

/// Checks the inventory `text` (YAML) against `map`.
pub fn check(text: &str, map: &ExposureMap) -> Result<Check> {
    let inventory: Value = serde_norway::from_str(text)
        .map_err(|e| AuditError::Input("audit/inventory.yaml".into(), e.to_string()))?;
    let categories = inventory
        .get("categories")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            AuditError::Input("audit/inventory.yaml".into(), "no `categories` list".into())
        })?;
    let mut out = Check::default();
    let mut listed = BTreeSet::new();
    let all_fields: BTreeSet<String> = map
        .structures
        .iter()
        .flat_map(|s| s.fields.iter().map(move |f| format!("{}/{}", s.id, f.name)))
        .collect();
    for (i, c) in categories.iter().enumerate() {
        let id = c
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        for k in REQUIRED {
            if c.get(k).is_none() {
                out.incomplete
                    .push(format!("category {i} ({id}): no `{k}`"));
            }
        }
        for f in c
            .get("exposure_fields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let f = f.as_str().unwrap_or("").to_string();
            if !all_fields.contains(&f) {
                out.stale.push(format!("{id}: {f}"));
            }
            listed.insert(f);
        }
        for b in c
            .get("bounds")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = b.get("constant").and_then(Value::as_str).unwrap_or("");
            let stated = b.get("value").and_then(Value::as_u64);
            match (spec_constant(name), stated) {
                (Some(v), Some(s)) if v == s => {}
                (Some(v), s) => out.wrong_bounds.push(format!(
                    "{id}: {name} is {v} in the spec, the inventory says {s:?}"
                )),
                (None, _) => out
                    .wrong_bounds
                    .push(format!("{id}: unknown constant {name:?}")),
            }
        }
    }
    for (s, f, observer) in layout::visible_fields(map) {
        let key = format!("{s}/{f}");
        if !listed.contains(&key) {
            out.missing.push(format!("{key} (clear to the {observer})"));
        }
    }
    out.missing.dedup();
    out.inventory = inventory;
    Ok(out)
}

/// The inventory's artefact, claim and section.
pub fn run(root: &Path, map: &ExposureMap) -> Result<Part> {
    let path = root.join("audit/inventory.yaml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| AuditError::Io("audit/inventory.yaml".into(), e.to_string()))?;
    let c = check(&text, map)?;
    let visible = layout::visible_fields(map).len();
    let json = json!({
        "schema": "xchat-audit/data-inventory/v1",
        "source": "audit/inventory.yaml",
        "source_sha256": crate::util::sha256_hex(text.as_bytes()),
        "check": {
            "visible_fields_in_map": visible,
            "missing_from_inventory": c.missing,
            "stale_entries": c.stale,
            "wrong_bounds": c.wrong_bounds,
            "incomplete_categories": c.incomplete,
            "passed": c.ok(),
        },
        "categories": c.inventory.get("categories").cloned().unwrap_or(Value::Null),
    });
    let mut rows = Vec::new();
    for cat in c
        .inventory
        .get("categories")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let s = |k: &str| match cat.get(k) {
            Some(Value::String(v)) => esc(v),
            Some(Value::Array(a)) => esc(&a
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect::<Vec<_>>()
                .join(", ")),
            Some(v) => esc(&v.to_string()),
            None => String::new(),
        };
        rows.push(vec![
            s("id"),
            s("data"),
            s("personal_data"),
            s("lives_at"),
            s("readable_by"),
            s("retention"),
            s("protocol_bounds"),
            s("exposure_fields"),
        ]);
    }
    let mut html = format!(
        "<p>From <code>audit/inventory.yaml</code> (hand-maintained), checked in this run against the exposure map \
         ({visible} fields clear to the relay or directory; missing from the inventory: {}; stale entries: {}; \
         bounds that differ from the spec: {}). GDPR Art. 35(7)(a) and Art. 25(2).</p>",
        esc(&format!("{:?}", c.missing)),
        esc(&format!("{:?}", c.stale)),
        esc(&format!("{:?}", c.wrong_bounds))
    );
    html.push_str(&table(
        &[
            "category",
            "data",
            "personal data",
            "lives at",
            "readable by",
            "retention",
            "protocol bounds",
            "exposure-map fields",
        ],
        &rows,
    ));
    let claim = Claim::new(
        "inventory.covers-exposure",
        "inventory",
        "Every field the relay or directory sees in clear is in the data inventory, and its stated bounds are the spec's",
        c.ok(),
        format!("{} missing, {} stale, {} wrong bounds, {} incomplete", c.missing.len(), c.stale.len(), c.wrong_bounds.len(), c.incomplete.len()),
    );
    Ok(Part {
        artefacts: vec![json_artefact("data-inventory.json", &json)],
        claims: vec![claim],
        sections: vec![Section {
            id: "inventory".into(),
            title: "10. Data inventory (DPIA)".into(),
            html,
        }],
    })
}
