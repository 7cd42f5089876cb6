//! ML-KEM-768 (FIPS 203), deterministic internal functions.

use serde_json::json;

use super::build::*;
use super::{Meta, BAD_LEN};
use crate::gen::Gen;
use crate::wire::{ErrorKind, Hex};
use xchat_spec::ml_kem;

wire! {
    /// The input of key generation.
    pub struct KeygenIn {
        d: Hex = "hex, 32 bytes",
        z: Hex = "hex, 32 bytes",
    }
}

wire! {
    /// A key pair.
    pub struct KeygenOut {
        ek: Hex = "hex, 1184 bytes",
        dk: Hex = "hex, 2400 bytes",
    }
}

wire! {
    /// The input of encapsulation.
    pub struct EncapsIn {
        ek: Hex = "hex, 1184 bytes",
        m: Hex = "hex, 32 bytes",
    }
}

wire! {
    /// The output of encapsulation.
    pub struct EncapsOut {
        ct: Hex = "hex, 1088 bytes",
        ss: Hex = "hex, 32 bytes",
    }
}

wire! {
    /// The input of decapsulation.
    pub struct DecapsIn {
        dk: Hex = "hex, 2400 bytes",
        ct: Hex = "hex, 1088 bytes",
    }
}

wire! {
    /// The output of decapsulation.
    pub struct DecapsOut {
        ss: Hex = "hex, 32 bytes (J(z || ct) for a ciphertext that does not re-encrypt)",
    }
}

pub const MLKEM768_KEYGEN: Meta = Meta {
    section: "FIPS 203 Algorithm 16 (ML-KEM.KeyGen_internal)",
    reqs: &[],
    summary: "deterministic key generation",
    errors: &[BAD_LEN],
    cases,
};

pub const MLKEM768_ENCAPS: Meta = Meta {
    section: "FIPS 203 Algorithm 17 after the section 7.2 checks",
    reqs: &["REQ-SUITE-002"],
    summary: "deterministic encapsulation",
    errors: &[
        (
            ErrorKind::InvalidLength,
            "`ek` not 1184 bytes (type check) or `m` not 32 bytes",
        ),
        (
            ErrorKind::InvalidEncapsulationKey,
            "modulus check failed: a coefficient is >= q",
        ),
    ],
    cases,
};

pub const MLKEM768_DECAPS: Meta = Meta {
    section: "FIPS 203 Algorithm 18 after the section 7.3 checks",
    reqs: &[],
    summary: "decapsulation with implicit rejection",
    errors: &[
        (
            ErrorKind::InvalidLength,
            "`ct` not 1088 bytes or `dk` not 2400 bytes (checked in that order)",
        ),
        (
            ErrorKind::InvalidDecapsulationKey,
            "hash check failed: H(ek) stored in `dk` differs",
        ),
    ],
    cases,
};

/// The inputs of `op`'s vectors under `g`.
pub fn cases(op: &str, g: &Gen) -> Vec<Case> {
    let mut cases = Cases::default();
    let c = &mut cases;
    match op {
        "mlkem768_keygen" => {
            for i in 0..3 {
                c.add(format!("random-{i}"), json!({"d": hx(&g.bytes(&format!("d{i}"), 32)), "z": hx(&g.bytes(&format!("z{i}"), 32))}));
            }
            c.add(
                "d-31-bytes",
                json!({"d": hx(&g.bytes("d", 31)), "z": hx(&g.bytes("z", 32))}),
            );
        }
        "mlkem768_encaps" | "mlkem768_decaps" => mlkem(c, op, g),
        _ => {}
    }
    cases.0
}

fn mlkem(c: &mut Cases, op: &str, g: &Gen) {
    let (ek, dk) = ml_kem::keygen_internal(&g.arr("d"), &g.arr("z"));
    let m: [u8; 32] = g.arr("m");
    if op == "mlkem768_encaps" {
        c.add("valid", json!({"ek": hx(&ek), "m": hx(&m)}));
        let (ek2, _) = ml_kem::keygen_internal(&g.arr("d2"), &g.arr("z2"));
        c.add(
            "valid-2",
            json!({"ek": hx(&ek2), "m": hx(&g.bytes("m2", 32))}),
        );
        let mut bad = ek.clone();
        bad[0] = 0xff;
        bad[1] |= 0x0f;
        c.add(
            "coefficient-4095-fails-modulus-check",
            json!({"ek": hx(&bad), "m": hx(&m)}),
        );
        let mut q = ek.clone();
        // The last coefficient of the first polynomial is q = 3329 = 0xd01.
        q[382] = (q[382] & 0x0f) | 0x10;
        q[383] = 0xd0;
        c.add(
            "coefficient-q-fails-modulus-check",
            json!({"ek": hx(&q), "m": hx(&m)}),
        );
        c.add("ek-1183-bytes", json!({"ek": hx(&ek[..1183]), "m": hx(&m)}));
        c.add("m-31-bytes", json!({"ek": hx(&ek), "m": hx(&m[..31])}));
        return;
    }
    let (_, ct) = ml_kem::encaps_internal(&ek, &m).expect("valid key");
    c.add("valid", json!({"dk": hx(&dk), "ct": hx(&ct)}));
    c.add(
        "implicit-rejection",
        json!({"dk": hx(&dk), "ct": hx(&flip(&ct, 100))}),
    );
    c.add(
        "ct-1087-bytes",
        json!({"dk": hx(&dk), "ct": hx(&ct[..1087])}),
    );
    c.add(
        "dk-2399-bytes",
        json!({"dk": hx(&dk[..2399]), "ct": hx(&ct)}),
    );
    c.add(
        "dk-hash-check-fails",
        json!({"dk": hx(&flip(&dk, 768 * 3 + 40)), "ct": hx(&ct)}),
    );
}
