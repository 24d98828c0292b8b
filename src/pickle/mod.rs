//! Legacy Beaker pickles: a reader that is an opcode whitelist, not an interpreter, and a
//! protocol-2 writer (the format of CPython's `Lib/pickle.py`, documented in
//! `Lib/pickletools.py`).
//!
//! # Reading
//! [`read`] runs a fixed set of opcodes over a heap of plain data (dict, list, tuple, str,
//! bytes, int, float, bool, None, sets) and builds only whitelisted globals, each from the
//! exact argument and state shape its row gives. Both tables, the accepted opcodes and the
//! whitelisted globals with their shapes and the session value each gives, are in
//! `SECURITY.md` ("The pickle whitelist"), verbatim from the code and kept equal to it by a
//! test; they are the contract, and widening either is a semver-relevant change. Any other
//! global, persistent id or extension code becomes an inert placeholder: never imported, never
//! called, and an error unless `original_format_remove_keys` drops the session key that holds
//! it. Any other opcode is [`Error::Unsupported`](crate::Error::Unsupported). Memo references
//! share one object, as in Python; a memo'd container counts again each time it is expanded
//! into the session, so nothing grows beyond [`Limits`]. The objects themselves are charged
//! where they enter the heap or change (its slot, each block it owns, each list or dict
//! item), against `max_inflated_len`: what a `BUILD` or `OrderedDict(list)` copies from
//! memo'd state is charged like anything else.
//! [`Pickled::into_session`] then applies `original_format_remove_keys` and converts the
//! objects for the JWT payload ([`Target`]), refusing what Python's `bson.encode` /
//! `json.dumps` would refuse.
//!
//! # Python 2 pickles
//! Python 2's `str` (`STRING`, `BINSTRING`, `SHORT_BINSTRING`) is kept as raw bytes until the
//! session is built: bytes that are valid UTF-8 become a string, any other bytes become binary
//! (refused in a JSON payload). Python 3's Beaker instead decodes them as ASCII and fails on any
//! byte >= 0x80, which rules out most Python 2 datetimes and any non-ASCII text. Used as a
//! datetime, date or time state, or an ObjectId, the raw bytes are taken as they are.
//!
//! # Writing
//! [`write()`] writes a session as the protocol-2 pickle Python 3 writes, using only globals the
//! reader accepts.

mod apply;
mod convert;
mod datetime;
mod index;
// The tables and opcode bytes are internal, like `internal_layer!`'s layers: crate-visible (for
// the internal tests in `tests/internal/`), and public but hidden only in a cargo-fuzz build,
// whose harness generates pickles from them.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod opcodes;
#[cfg(not(fuzzing))]
#[allow(unreachable_pub)]
pub(crate) mod opcodes;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod ops;
#[cfg(not(fuzzing))]
#[allow(unreachable_pub)]
pub(crate) mod ops;
mod py;
mod read;
mod text;
mod write;

pub use convert::Target;
pub(crate) use py::Buffers;
pub use py::Pickled;
pub use read::read;
pub use write::write;

use crate::error::Result;
use crate::limits::Limits;
use crate::value::Session;

/// [`read`] then [`Pickled::into_session`], without copying the pickle's strings and bytes
/// in between (each session string is allocated once), in the caller's `buffers`. What the
/// legacy cookie decode uses.
///
/// # Errors
/// As [`read`] and [`Pickled::into_session`].
///
/// # Limits
/// As [`read`] and [`Pickled::into_session`].
pub(crate) fn decode<S: AsRef<str>>(
    data: &[u8],
    target: Target,
    remove_keys: &[S],
    limits: &Limits,
    buffers: &mut Buffers,
) -> Result<Session> {
    let objects = read::read_with(data, limits, buffers)?;
    let session = objects.session_with(target, remove_keys, limits, &mut buffers.convert);
    (buffers.nodes, buffers.pool) = objects.heap.into_buffer();
    buffers.trim();
    session
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// A protocol-2 pickle of `{'k<i>': [..], 'd': {..}}` shapes, `n` items wide.
    fn nested(n: u8) -> Vec<u8> {
        let mut p = alloc::vec![opcodes::PROTO, 2, opcodes::EMPTY_DICT, opcodes::MARK];
        for i in 0..n {
            p.extend([opcodes::SHORT_BINUNICODE, 2, b'k', b'a' + i]);
            p.extend([opcodes::EMPTY_LIST, opcodes::MARK]);
            for j in 0..i {
                p.extend([opcodes::BININT1, j]);
            }
            p.push(opcodes::APPENDS);
            p.extend([opcodes::SHORT_BINUNICODE, 2, b'd', b'a' + i]);
            p.extend([opcodes::EMPTY_DICT, opcodes::MARK]);
            for j in 0..i {
                p.extend([opcodes::SHORT_BINUNICODE, 1, b'a' + j, opcodes::NONE]);
            }
            p.push(opcodes::SETITEMS);
        }
        p.extend([opcodes::SETITEMS, opcodes::STOP]);
        p
    }

    #[test]
    fn pickle_decode_warm_buffers_match_cold() {
        let limits = Limits::DEFAULT;
        let none: [&str; 0] = [];
        let mut failing = nested(6);
        // Cut before STOP: the containers are made, then the read fails.
        failing.truncate(failing.len() - 2);
        let mut warm = Buffers::new();
        for round in 0..3 {
            for p in [nested(1), nested(9), failing.clone(), nested(0), nested(5)] {
                let cold = decode(&p, Target::Bson, &none, &limits, &mut Buffers::new());
                let again = decode(&p, Target::Bson, &none, &limits, &mut warm);
                assert_eq!(again, cold, "round {round}, {} bytes", p.len());
            }
        }
        let session = decode(&nested(3), Target::Json, &none, &limits, &mut warm).unwrap();
        assert_eq!(session.len(), 6);
    }
}
