//! The pickle opcode bytes, named as in CPython's `Lib/pickletools.py`, with the protocol that
//! introduced each. Which of them the reader accepts, and what it does with each, is
//! [`OPCODES`](crate::pickle::ops::OPCODES).
//!
//! Plain constants with no other dependency, so that the integration tests that build pickles
//! by hand include this file (`#[path]`) rather than reaching into the crate.

// The whole pickletools set, the opcodes the reader refuses included, so that tests can write
// them: not every constant is read by the reader or the writer.
#![allow(dead_code)]

/// Push a MARK (protocol 0).
pub const MARK: u8 = b'(';
/// End of pickle (0).
pub const STOP: u8 = b'.';
/// Discard the top of the stack, or the topmost MARK when it is on top (0).
pub const POP: u8 = b'0';
/// Discard everything down to and including the topmost MARK (1).
pub const POP_MARK: u8 = b'1';
/// Push the top of the stack again (0).
pub const DUP: u8 = b'2';
/// Float as a decimal text line (0).
pub const FLOAT: u8 = b'F';
/// Int as a decimal text line; `00`/`01` are False/True (0).
pub const INT: u8 = b'I';
/// 4-byte signed int (1).
pub const BININT: u8 = b'J';
/// 1-byte unsigned int (1).
pub const BININT1: u8 = b'K';
/// Python 2 long as a decimal text line with an optional `L` (0).
pub const LONG: u8 = b'L';
/// 2-byte unsigned int (1).
pub const BININT2: u8 = b'M';
/// None (0).
pub const NONE: u8 = b'N';
/// Persistent id as a text line (0).
pub const PERSID: u8 = b'P';
/// Persistent id from the stack (1).
pub const BINPERSID: u8 = b'Q';
/// Call a callable with an argument tuple (0).
pub const REDUCE: u8 = b'R';
/// Python 2 `str` as a quoted, escaped text line (0).
pub const STRING: u8 = b'S';
/// Python 2 `str` with a 4-byte length (1).
pub const BINSTRING: u8 = b'T';
/// Python 2 `str` with a 1-byte length (1).
pub const SHORT_BINSTRING: u8 = b'U';
/// Text as a raw-unicode-escape line (0).
pub const UNICODE: u8 = b'V';
/// UTF-8 text with a 4-byte length (1).
pub const BINUNICODE: u8 = b'X';
/// Append one item to a list (0).
pub const APPEND: u8 = b'a';
/// Apply a state to an object (0).
pub const BUILD: u8 = b'b';
/// Push a global named by two text lines (0).
pub const GLOBAL: u8 = b'c';
/// Build a dict from the items since the MARK (0).
pub const DICT: u8 = b'd';
/// Push an empty dict (1).
pub const EMPTY_DICT: u8 = b'}';
/// Append the items since the MARK to a list (1).
pub const APPENDS: u8 = b'e';
/// Memo get, decimal text index (0).
pub const GET: u8 = b'g';
/// Memo get, 1-byte index (1).
pub const BINGET: u8 = b'h';
/// Build an instance of a class named by two text lines from the items since the MARK (0).
pub const INST: u8 = b'i';
/// Memo get, 4-byte index (1).
pub const LONG_BINGET: u8 = b'j';
/// Build a list from the items since the MARK (0).
pub const LIST: u8 = b'l';
/// Push an empty list (1).
pub const EMPTY_LIST: u8 = b']';
/// Build an instance from the class and arguments since the MARK (1).
pub const OBJ: u8 = b'o';
/// Memo put, decimal text index (0).
pub const PUT: u8 = b'p';
/// Memo put, 1-byte index (1).
pub const BINPUT: u8 = b'q';
/// Memo put, 4-byte index (1).
pub const LONG_BINPUT: u8 = b'r';
/// Set one key of a dict (0).
pub const SETITEM: u8 = b's';
/// Build a tuple from the items since the MARK (0).
pub const TUPLE: u8 = b't';
/// Push an empty tuple (1).
pub const EMPTY_TUPLE: u8 = b')';
/// Set the key/value pairs since the MARK in a dict (1).
pub const SETITEMS: u8 = b'u';
/// 8-byte big-endian float (1).
pub const BINFLOAT: u8 = b'G';
/// Protocol version (2).
pub const PROTO: u8 = 0x80;
/// `cls.__new__(cls, *args)` (2).
pub const NEWOBJ: u8 = 0x81;
/// Extension registry code, 1 byte (2).
pub const EXT1: u8 = 0x82;
/// Extension registry code, 2 bytes (2).
pub const EXT2: u8 = 0x83;
/// Extension registry code, 4 bytes (2).
pub const EXT4: u8 = 0x84;
/// Tuple of the top item (2).
pub const TUPLE1: u8 = 0x85;
/// Tuple of the top two items (2).
pub const TUPLE2: u8 = 0x86;
/// Tuple of the top three items (2).
pub const TUPLE3: u8 = 0x87;
/// True (2).
pub const NEWTRUE: u8 = 0x88;
/// False (2).
pub const NEWFALSE: u8 = 0x89;
/// Two's-complement little-endian int with a 1-byte length (2).
pub const LONG1: u8 = 0x8a;
/// Two's-complement little-endian int with a 4-byte length (2).
pub const LONG4: u8 = 0x8b;
/// Python 3 `bytes` with a 4-byte length (3).
pub const BINBYTES: u8 = b'B';
/// Python 3 `bytes` with a 1-byte length (3).
pub const SHORT_BINBYTES: u8 = b'C';
/// UTF-8 text with a 1-byte length (4).
pub const SHORT_BINUNICODE: u8 = 0x8c;
/// UTF-8 text with an 8-byte length (4).
pub const BINUNICODE8: u8 = 0x8d;
/// Python 3 `bytes` with an 8-byte length (4).
pub const BINBYTES8: u8 = 0x8e;
/// Push an empty set (4).
pub const EMPTY_SET: u8 = 0x8f;
/// Add the items since the MARK to a set (4).
pub const ADDITEMS: u8 = 0x90;
/// Build a frozenset from the items since the MARK (4).
pub const FROZENSET: u8 = 0x91;
/// `cls.__new__(cls, *args, **kwargs)` (4).
pub const NEWOBJ_EX: u8 = 0x92;
/// Push a global named by two strings on the stack (4).
pub const STACK_GLOBAL: u8 = 0x93;
/// Memo put at the next free index (4).
pub const MEMOIZE: u8 = 0x94;
/// Frame length, a hint for buffering (4).
pub const FRAME: u8 = 0x95;
/// `bytearray` with an 8-byte length (5).
pub const BYTEARRAY8: u8 = 0x96;
/// Out-of-band buffer (5): refused, there is no buffer to take.
pub const NEXT_BUFFER: u8 = 0x97;
/// Make the out-of-band buffer read-only (5): refused.
pub const READONLY_BUFFER: u8 = 0x98;
