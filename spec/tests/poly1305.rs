//! Poly1305 and its key generation (RFC 8439 sections 2.5-2.6) against the
//! RFC's examples and Appendix A.3/A.4 test vectors, as transcribed in
//! `vectors/external/rfc/rfc-vectors.yaml` (key `rfc8439`).

mod common;

use common::{hex, hex_array, to_hex, yaml, ystr, Tally};
use xchat_spec::poly1305::{poly1305_key_gen, poly1305_mac};

fn rfc8439() -> serde_norway::Value {
    yaml("rfc/rfc-vectors.yaml")["rfc8439"].clone()
}

fn check_mac(v: &serde_norway::Value, what: &str) {
    let key = hex_array::<32>(ystr(v, "key"));
    let msg = hex(ystr(v, "message"));
    let tag = poly1305_mac(&msg, &key);
    assert_eq!(to_hex(&tag), ystr(v, "tag"), "{what} {:?}", v["n"]);
}

fn check_key_gen(v: &serde_norway::Value, what: &str) {
    let key = hex_array::<32>(ystr(v, "key"));
    let nonce = hex_array::<12>(ystr(v, "nonce"));
    let otk = poly1305_key_gen(&key, &nonce);
    assert_eq!(to_hex(&otk), ystr(v, "otk"), "{what} {:?}", v["n"]);
}

#[test]
fn rfc8439_2_5_2_poly1305() {
    let mut t = Tally::new("rfc8439 2.5.2 poly1305");
    check_mac(&rfc8439()["sec_2_5_2_poly1305"], "2.5.2");
    t.check();
    t.finish(1);
}

#[test]
fn rfc8439_appendix_a_3_poly1305() {
    let mut t = Tally::new("rfc8439 A.3 poly1305");
    for v in rfc8439()["appendix_a_3_poly1305"]
        .as_sequence()
        .expect("list")
    {
        check_mac(v, "A.3");
        t.check();
    }
    t.finish(11);
}

#[test]
fn rfc8439_2_6_2_key_gen() {
    let mut t = Tally::new("rfc8439 2.6.2 poly1305 key generation");
    check_key_gen(&rfc8439()["sec_2_6_2_poly1305_keygen"], "2.6.2");
    t.check();
    t.finish(1);
}

#[test]
fn rfc8439_appendix_a_4_key_gen() {
    let mut t = Tally::new("rfc8439 A.4 poly1305 key generation");
    for v in rfc8439()["appendix_a_4_poly1305_keygen"]
        .as_sequence()
        .expect("list")
    {
        check_key_gen(v, "A.4");
        t.check();
    }
    t.finish(3);
}
