//! The pickle reader against its own tables (`src/pickle/ops.rs`, which `SECURITY.md` copies):
//! it refuses every byte outside the opcode table and accepts every byte in it, and memo
//! references share one object rather than copying it. Internal because the tables and the
//! heap are: the public contract is the copy in `SECURITY.md`.

use std::prelude::rust_2021::*;

use crate::pickle::{self, opcodes, ops, Pickled};
use crate::{Error, Layer, Limits};

fn read(p: &[u8]) -> Result<Pickled, Error> {
    pickle::read(p, &Limits::DEFAULT)
}

/// How many objects the reader built for `p` (memo references are not copies).
fn objects(p: &[u8], limits: &Limits) -> usize {
    pickle::read(p, limits).unwrap().objects.heap.len()
}

#[test]
fn pickle_refuses_every_opcode_outside_the_table() {
    let mut outside = 0;
    for b in 0..=255u8 {
        let got = read(&[opcodes::PROTO, 2, b, opcodes::STOP]);
        let refused = matches!(
            got,
            Err(Error::Unsupported {
                layer: Layer::Pickle,
                offset: 2,
                what: "opcode outside the whitelist"
            })
        );
        let in_table = ops::OPCODES.iter().any(|o| o.code == b);
        assert_eq!(refused, !in_table, "opcode {b:#04x}: {got:?}");
        outside += usize::from(refused);
    }
    assert_eq!(outside, 256 - ops::OPCODES.len());
}

#[test]
fn pickle_memo_references_share_one_object() {
    // Billion laughs: ten lists of ten references to the previous list, 10**9 values once
    // expanded (`tests/pickle_hostile.rs` checks the session stops at its limits), is about a
    // hundred objects.
    let mut p = b"\x80\x02}X\x01\x00\x00\x00b]q\x00K\x01a0".to_vec();
    for level in 1..=9u8 {
        p.extend_from_slice(b"](");
        p.extend(std::iter::repeat([b'h', level - 1]).take(10).flatten());
        p.extend_from_slice(&[b'e', b'q', level, b'0']);
    }
    p.extend_from_slice(b"h\x09s.");
    let built = objects(&p, &Limits::DEFAULT);
    assert!(built < 100, "{built}");
    // 1,000 Nones are one object, as Python's `None` is.
    let nones = [&b"\x80\x02]("[..], &b"N".repeat(1_000), b"e."].concat();
    let built = objects(&nones, &Limits::DEFAULT);
    assert!(built < 5, "{built}");
}
