//! ChaCha20 (RFC 8439 sections 2.1-2.4) against the RFC's examples and
//! Appendix A.1/A.2 test vectors, as transcribed in
//! `vectors/external/rfc/rfc-vectors.yaml` (key `rfc8439`).

mod common;

use common::{hex, hex_array, to_hex, yaml, ystr, Tally};
use xchat_spec::chacha20::{
    chacha20_block, chacha20_block_words, chacha20_encrypt, chacha20_init, chacha20_rounds,
    pre_chacha20_encrypt, pre_qround, qround, quarter_round,
};

fn rfc8439() -> serde_norway::Value {
    yaml("rfc/rfc-vectors.yaml")["rfc8439"].clone()
}

/// A "0x..." word from the yaml.
fn word_0x(v: &serde_norway::Value, key: &str) -> u32 {
    let s = ystr(v, key);
    u32::from_str_radix(s.strip_prefix("0x").expect("0x prefix"), 16).expect("hex word")
}

/// A list of 16 hex words from the yaml.
fn words16(v: &serde_norway::Value, key: &str) -> [u32; 16] {
    let list = v[key].as_sequence().expect("word list");
    assert_eq!(list.len(), 16, "{key}");
    let mut out = [0u32; 16];
    for (i, w) in list.iter().enumerate() {
        out[i] = u32::from_str_radix(w.as_str().expect("word"), 16).expect("hex word");
    }
    out
}

fn counter(v: &serde_norway::Value) -> u32 {
    u32::try_from(v["counter"].as_u64().expect("counter")).expect("32-bit counter")
}

#[test]
fn rfc8439_2_1_1_quarter_round() {
    let mut t = Tally::new("rfc8439 2.1.1 quarter round");
    let v = &rfc8439()["sec_2_1_1_quarter_round"];
    let (i, o) = (&v["input"], &v["output"]);
    let got = quarter_round(
        word_0x(i, "a"),
        word_0x(i, "b"),
        word_0x(i, "c"),
        word_0x(i, "d"),
    );
    assert_eq!(
        got,
        (
            word_0x(o, "a"),
            word_0x(o, "b"),
            word_0x(o, "c"),
            word_0x(o, "d")
        )
    );
    t.check();
    t.finish(1);
}

#[test]
fn rfc8439_2_2_1_quarter_round_on_state() {
    let mut t = Tally::new("rfc8439 2.2.1 quarter round on the state");
    let v = &rfc8439()["sec_2_2_1_quarter_round_on_state"];
    assert!(ystr(v, "note").contains("QUARTERROUND(2,7,8,13)"));
    let got = qround(words16(v, "state_in_words"), 2, 7, 8, 13);
    assert_eq!(got, words16(v, "state_out_words"));
    t.check();
    t.finish(1);
}

#[test]
fn qround_precondition() {
    assert!(pre_qround(2, 7, 8, 13));
    assert!(pre_qround(15, 0, 1, 2));
    assert!(!pre_qround(2, 7, 8, 16));
    // Out-of-range indices leave the state unchanged instead of panicking.
    let s: [u32; 16] = core::array::from_fn(|i| i as u32);
    assert_eq!(qround(s, 0, 1, 2, 99), s);
}

#[test]
fn rfc8439_2_3_2_block_function() {
    let mut t = Tally::new("rfc8439 2.3.2 block function");
    let v = &rfc8439()["sec_2_3_2_chacha20_block"];
    let key = hex_array::<32>(ystr(v, "key"));
    let nonce = hex_array::<12>(ystr(v, "nonce"));
    let ctr = counter(v);
    let after_rounds = words16(v, "state_after_20_rounds_words");
    let final_words = words16(v, "state_final_words");

    // The RFC prints the state after 20 rounds and the final state (after
    // adding the initial state); their difference is the initial state.
    let initial = chacha20_init(&key, ctr, &nonce);
    for i in 0..16 {
        assert_eq!(
            initial[i],
            final_words[i].wrapping_sub(after_rounds[i]),
            "initial word {i}"
        );
    }
    assert_eq!(chacha20_rounds(initial), after_rounds);
    assert_eq!(chacha20_block_words(&key, ctr, &nonce), final_words);
    let block = chacha20_block(&key, ctr, &nonce);
    assert_eq!(to_hex(&block), ystr(v, "serialized_block"));
    t.check();
    t.finish(1);
}

#[test]
fn rfc8439_2_4_2_encryption() {
    let mut t = Tally::new("rfc8439 2.4.2 encryption");
    let v = &rfc8439()["sec_2_4_2_chacha20_encrypt"];
    let key = hex_array::<32>(ystr(v, "key"));
    let nonce = hex_array::<12>(ystr(v, "nonce"));
    let ctr = counter(v);
    let pt = hex(ystr(v, "plaintext"));
    let ct = chacha20_encrypt(&key, ctr, &nonce, &pt);
    assert_eq!(to_hex(&ct), ystr(v, "ciphertext"));
    // The key stream is the encryption of zeros.
    let ks = chacha20_encrypt(&key, ctr, &nonce, &vec![0u8; pt.len()]);
    assert_eq!(to_hex(&ks), ystr(v, "keystream"));
    // Decryption is the same operation.
    assert_eq!(chacha20_encrypt(&key, ctr, &nonce, &ct), pt);
    t.check();
    t.finish(1);
}

#[test]
fn rfc8439_appendix_a_1_block_function() {
    let mut t = Tally::new("rfc8439 A.1 block function");
    for v in rfc8439()["appendix_a_1_chacha20_block"]
        .as_sequence()
        .expect("list")
    {
        let key = hex_array::<32>(ystr(v, "key"));
        let nonce = hex_array::<12>(ystr(v, "nonce"));
        let block = chacha20_block(&key, counter(v), &nonce);
        assert_eq!(to_hex(&block), ystr(v, "keystream"), "A.1 #{:?}", v["n"]);
        t.check();
    }
    t.finish(5);
}

#[test]
fn rfc8439_appendix_a_2_encryption() {
    let mut t = Tally::new("rfc8439 A.2 encryption");
    for v in rfc8439()["appendix_a_2_chacha20_encrypt"]
        .as_sequence()
        .expect("list")
    {
        let key = hex_array::<32>(ystr(v, "key"));
        let nonce = hex_array::<12>(ystr(v, "nonce"));
        let pt = hex(ystr(v, "plaintext"));
        let ct = chacha20_encrypt(&key, counter(v), &nonce, &pt);
        assert_eq!(to_hex(&ct), ystr(v, "ciphertext"), "A.2 #{:?}", v["n"]);
        assert_eq!(chacha20_encrypt(&key, counter(v), &nonce, &ct), pt);
        t.check();
    }
    t.finish(3);
}

#[test]
fn encrypt_precondition() {
    assert!(pre_chacha20_encrypt(1, 375));
    assert!(pre_chacha20_encrypt(0, 64 << 32));
    assert!(!pre_chacha20_encrypt(1, 64 << 32));
    assert!(pre_chacha20_encrypt(u32::MAX, 64));
    assert!(!pre_chacha20_encrypt(u32::MAX, 65));
}
