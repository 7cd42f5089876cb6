//! The artefacts that must never change silently: the exposure map, the
//! data inventory (as checked against it) and the CBOM. A protocol change
//! shows up here as a snapshot diff to review (`cargo insta review`, or
//! `INSTA_UPDATE=always` and read the diff in git).

use xchat_audit::{cbom, inventory, layout, workspace_root, Artefact};

fn text(a: &Artefact) -> String {
    String::from_utf8(a.bytes.clone()).expect("UTF-8 JSON")
}

#[test]
fn exposure_map() {
    let map = layout::exposure_map().expect("exposure map");
    insta::assert_snapshot!(
        "exposure-map",
        serde_json::to_string_pretty(&layout::to_json(&map)).expect("JSON")
    );
}

#[test]
fn data_inventory() {
    let map = layout::exposure_map().expect("exposure map");
    let part = inventory::run(&workspace_root(), &map).expect("inventory");
    assert!(part.claims.iter().all(|c| c.passed), "{:?}", part.claims);
    insta::assert_snapshot!("data-inventory", text(&part.artefacts[0]));
}

#[test]
fn cbom() {
    let part = cbom::run(&workspace_root()).expect("cbom");
    assert!(part.claims.iter().all(|c| c.passed), "{:?}", part.claims);
    let cbom = part
        .artefacts
        .iter()
        .find(|a| a.file == "cbom.cdx.json")
        .expect("cbom file");
    let v: serde_json::Value = serde_json::from_slice(&cbom.bytes).expect("JSON");
    assert_eq!(
        (v["bomFormat"].as_str(), v["specVersion"].as_str()),
        (Some("CycloneDX"), Some("1.6"))
    );
    insta::assert_snapshot!("cbom", text(cbom));
}

#[test]
fn inventory_check_fails_on_a_missing_or_stale_field_or_a_wrong_bound() {
    let map = layout::exposure_map().expect("exposure map");
    let good =
        std::fs::read_to_string(workspace_root().join("audit/inventory.yaml")).expect("inventory");
    assert!(inventory::check(&good, &map).expect("check").ok());
    // Drop the light envelope's mailbox: the relay sees it, so the check fails.
    let missing = good.replace("      - light/mailbox\n", "");
    let c = inventory::check(&missing, &map).expect("check");
    assert_eq!(
        c.missing,
        vec!["light/mailbox (clear to the relay)".to_string()]
    );
    // A field the map does not have.
    let stale = good.replace(
        "      - light/mailbox\n",
        "      - light/mailbox\n      - light/sender\n",
    );
    assert_eq!(
        inventory::check(&stale, &map).expect("check").stale,
        vec!["pairwise-mailboxes: light/sender".to_string()]
    );
    // A bound that is not the spec's.
    let wrong = good.replace(
        "{constant: ratchet::MAX_SKIP, value: 1000}",
        "{constant: ratchet::MAX_SKIP, value: 999}",
    );
    assert_eq!(
        inventory::check(&wrong, &map)
            .expect("check")
            .wrong_bounds
            .len(),
        1
    );
    // Not YAML: a typed error.
    assert!(matches!(
        inventory::check("categories: [", &map),
        Err(xchat_audit::AuditError::Input(..))
    ));
}
