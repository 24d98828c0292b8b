//! Pickle opcodes (names from CPython's `Lib/pickletools.py`) and the two tables that say what
//! the reader accepts: [`OPCODES`] and [`WHITELIST`]. Everything the reader does is listed here,
//! in one place; `SECURITY.md` copies both tables verbatim.

// ---- Opcode bytes, named as in pickletools.py -------------------------------------------------

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

// ---- Table 1: the opcodes the reader accepts --------------------------------------------------

/// One accepted opcode: its byte, pickletools name, protocol and what the reader does with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opcode {
    /// The opcode byte.
    pub code: u8,
    /// Its name in `pickletools.py`.
    pub name: &'static str,
    /// The protocol that introduced it.
    pub proto: u8,
    /// What the reader does.
    pub does: &'static str,
}

const fn op(code: u8, name: &'static str, proto: u8, does: &'static str) -> Opcode {
    Opcode {
        code,
        name,
        proto,
        does,
    }
}

/// Every opcode the reader accepts. Any other byte where an opcode is expected (including
/// `NEXT_BUFFER` and `READONLY_BUFFER`) is [`Error::Unsupported`](crate::Error::Unsupported).
/// Lengths are checked against the remaining input before anything is allocated.
#[rustfmt::skip]
pub const OPCODES: [Opcode; 66] = [
    //  byte              name                proto  what the reader does
    op(PROTO,            "PROTO",            2, "checks the version is 0..=5"),
    op(FRAME,            "FRAME",            4, "checks the frame fits in the input, then ignores it"),
    op(STOP,             "STOP",             0, "ends; the stack must hold exactly the result and no MARK; nothing may follow"),
    op(MARK,             "MARK",             0, "opens a MARK (at most 2 * max_depth + 4 open)"),
    op(POP,              "POP",              0, "drops the top item, or the top MARK if it is on top"),
    op(POP_MARK,         "POP_MARK",         1, "drops the items since the MARK, and the MARK"),
    op(DUP,              "DUP",              0, "pushes the top item again (the same object)"),
    op(NONE,             "NONE",             0, "None"),
    op(NEWTRUE,          "NEWTRUE",          2, "True"),
    op(NEWFALSE,         "NEWFALSE",         2, "False"),
    op(INT,              "INT",              0, "int from [+-]digits; 00 / 01 are False / True"),
    op(BININT,           "BININT",           1, "int, 4 bytes signed"),
    op(BININT1,          "BININT1",          1, "int, 1 byte unsigned"),
    op(BININT2,          "BININT2",          1, "int, 2 bytes unsigned"),
    op(LONG,             "LONG",             0, "int from [+-]digits with an optional L"),
    op(LONG1,            "LONG1",            2, "int, two's complement, 1-byte length"),
    op(LONG4,            "LONG4",            2, "int, two's complement, 4-byte length"),
    op(FLOAT,            "FLOAT",            0, "float from a decimal text line"),
    op(BINFLOAT,         "BINFLOAT",         1, "float, 8 bytes big-endian"),
    op(STRING,           "STRING",           0, "Python 2 str from a quoted, escaped line (kept as raw bytes)"),
    op(BINSTRING,        "BINSTRING",        1, "Python 2 str, 4-byte length (kept as raw bytes)"),
    op(SHORT_BINSTRING,  "SHORT_BINSTRING",  1, "Python 2 str, 1-byte length (kept as raw bytes)"),
    op(UNICODE,          "UNICODE",          0, "str from a raw-unicode-escape line"),
    op(BINUNICODE,       "BINUNICODE",       1, "str, UTF-8, 4-byte length"),
    op(SHORT_BINUNICODE, "SHORT_BINUNICODE", 4, "str, UTF-8, 1-byte length"),
    op(BINUNICODE8,      "BINUNICODE8",      4, "str, UTF-8, 8-byte length"),
    op(BINBYTES,         "BINBYTES",         3, "bytes, 4-byte length"),
    op(SHORT_BINBYTES,   "SHORT_BINBYTES",   3, "bytes, 1-byte length"),
    op(BINBYTES8,        "BINBYTES8",        4, "bytes, 8-byte length"),
    op(BYTEARRAY8,       "BYTEARRAY8",       5, "bytearray, 8-byte length"),
    op(EMPTY_TUPLE,      "EMPTY_TUPLE",      1, "()"),
    op(TUPLE,            "TUPLE",            0, "tuple of the items since the MARK"),
    op(TUPLE1,           "TUPLE1",           2, "tuple of the top item"),
    op(TUPLE2,           "TUPLE2",           2, "tuple of the top two items"),
    op(TUPLE3,           "TUPLE3",           2, "tuple of the top three items"),
    op(EMPTY_LIST,       "EMPTY_LIST",       1, "[]"),
    op(LIST,             "LIST",             0, "list of the items since the MARK"),
    op(APPEND,           "APPEND",           0, "appends to a list (a placeholder swallows it)"),
    op(APPENDS,          "APPENDS",          1, "appends the items since the MARK to a list (or placeholder)"),
    op(EMPTY_DICT,       "EMPTY_DICT",       1, "{}"),
    op(DICT,             "DICT",             0, "dict of the key/value pairs since the MARK; keys must be hashable"),
    op(SETITEM,          "SETITEM",          0, "sets a key of a dict or OrderedDict (or placeholder); key must be hashable"),
    op(SETITEMS,         "SETITEMS",         1, "sets the pairs since the MARK (as SETITEM)"),
    op(EMPTY_SET,        "EMPTY_SET",        4, "set()"),
    op(ADDITEMS,         "ADDITEMS",         4, "adds the items since the MARK to a set; items must be hashable"),
    op(FROZENSET,        "FROZENSET",        4, "frozenset of the items since the MARK; items must be hashable"),
    op(PUT,              "PUT",              0, "memo put, decimal index (< max_memo)"),
    op(BINPUT,           "BINPUT",           1, "memo put, 1-byte index (< max_memo)"),
    op(LONG_BINPUT,      "LONG_BINPUT",      1, "memo put, 4-byte index (< max_memo)"),
    op(MEMOIZE,          "MEMOIZE",          4, "memo put at the next index (< max_memo)"),
    op(GET,              "GET",              0, "memo get, decimal index; pushes the same object, no copy"),
    op(BINGET,           "BINGET",           1, "memo get, 1-byte index"),
    op(LONG_BINGET,      "LONG_BINGET",      1, "memo get, 4-byte index"),
    op(GLOBAL,           "GLOBAL",           0, "a WHITELIST entry, or an inert placeholder naming module.name"),
    op(STACK_GLOBAL,     "STACK_GLOBAL",     4, "as GLOBAL, module and name are str items on the stack"),
    op(REDUCE,           "REDUCE",           0, "applies a WHITELIST entry marked REDUCE to its exact argument shape; a placeholder stays inert"),
    op(NEWOBJ,           "NEWOBJ",           2, "applies a WHITELIST entry marked NEWOBJ to its exact argument shape; a placeholder stays inert"),
    op(NEWOBJ_EX,        "NEWOBJ_EX",        4, "as NEWOBJ; the keyword arguments must be an empty dict"),
    op(INST,             "INST",             0, "as GLOBAL then REDUCE/NEWOBJ (per the entry) with the items since the MARK"),
    op(OBJ,              "OBJ",              1, "as INST, the class is the first item since the MARK"),
    op(BUILD,            "BUILD",            0, "applies a WHITELIST entry's exact state shape; a placeholder swallows it"),
    op(PERSID,           "PERSID",           0, "inert placeholder \"persistent id\""),
    op(BINPERSID,        "BINPERSID",        1, "inert placeholder \"persistent id\" (pops the id)"),
    op(EXT1,             "EXT1",             2, "inert placeholder \"extension code\""),
    op(EXT2,             "EXT2",             2, "inert placeholder \"extension code\""),
    op(EXT4,             "EXT4",             2, "inert placeholder \"extension code\""),
];

/// The accepted opcode for `code`, if any.
pub fn opcode(code: u8) -> Option<&'static Opcode> {
    OPCODES.iter().find(|o| o.code == code)
}

// ---- Table 2: the globals the reader accepts --------------------------------------------------

/// Which whitelisted global a [`WHITELIST`] row names; the reader's behaviour for each is the
/// match arm of the same name in `pickle/apply.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Global {
    /// `_codecs.encode`: how Python 3 writes `bytes` in protocol 2.
    CodecsEncode,
    /// `bytes` (Python 3 writes `bytes()` for an empty bytes object in protocol 2).
    Bytes,
    /// `bytearray`.
    ByteArray,
    /// `set`.
    Set,
    /// `frozenset`.
    FrozenSet,
    /// `complex`.
    Complex,
    /// `collections.OrderedDict`.
    OrderedDict,
    /// `datetime.datetime`.
    DateTime,
    /// `datetime.date`.
    Date,
    /// `datetime.time`.
    Time,
    /// `datetime.timedelta`.
    TimeDelta,
    /// `datetime.timezone`.
    TimeZone,
    /// `decimal.Decimal`.
    Decimal,
    /// `uuid.UUID`.
    Uuid,
    /// `re.RegexFlag`.
    RegexFlag,
    /// `bson.int64.Int64`.
    Int64,
    /// `bson.objectid.ObjectId`.
    ObjectId,
    /// `bson.binary.Binary`.
    Binary,
    /// `bson.regex.Regex`.
    Regex,
    /// `bson.decimal128.Decimal128`.
    Decimal128,
    /// `bson.timestamp.Timestamp`.
    Timestamp,
    /// `copyreg._reconstructor`: how protocols 0 and 1 write the pymongo classes.
    Reconstructor,
    /// `object`, only as the base argument of `_reconstructor`.
    Object,
    /// `int` (Python 2 `long`), only as the base argument of `_reconstructor`.
    Int,
}

/// How a whitelisted global may be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Apply {
    /// By `REDUCE` (or `INST`/`OBJ`): `global(*args)`.
    Reduce,
    /// By `NEWOBJ`/`NEWOBJ_EX` (or `INST`/`OBJ`): `cls.__new__(cls, *args)`, then `BUILD`.
    NewObj,
    /// Never applied: only an argument of another row (`_reconstructor`'s base class).
    Never,
}

/// One row of the whitelist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowed {
    /// The module as the pickle names it.
    pub module: &'static str,
    /// The name as the pickle names it.
    pub name: &'static str,
    /// What the reader builds.
    pub global: Global,
    /// The one way it may be applied.
    pub apply: Apply,
    /// The exact argument tuple accepted.
    pub args: &'static str,
    /// The exact `BUILD` state accepted (`-`: no `BUILD` allowed).
    pub state: &'static str,
    /// The session value it gives when the JWT payload is BSON / JSON ("refused": an error
    /// naming the session key unless the key is in `original_format_remove_keys`).
    pub value: &'static str,
}

#[allow(clippy::too_many_arguments)] // one argument per table column
const fn row(
    module: &'static str,
    name: &'static str,
    global: Global,
    apply: Apply,
    args: &'static str,
    state: &'static str,
    value: &'static str,
) -> Allowed {
    Allowed {
        module,
        name,
        global,
        apply,
        args,
        state,
        value,
    }
}

use Apply::{Never, NewObj, Reduce};

/// The only globals a pickle may name and have built. Any other `module.name` (and any
/// persistent id or extension code) becomes an inert placeholder: it is never imported or
/// called, anything applied to it stays a placeholder, and it is an [`Error::Placeholder`]
/// naming the session key unless `original_format_remove_keys` drops that key. An argument or
/// state of another shape is [`Error::Malformed`]; a placeholder where a value is expected makes
/// the result a placeholder. "bytes" accepts Python 3 bytes and Python 2 `str`; "str" accepts
/// Python 3 str and Python 2 `str` (read as UTF-8).
///
/// [`Error::Placeholder`]: crate::Error::Placeholder
/// [`Error::Malformed`]: crate::Error::Malformed
#[rustfmt::skip]
pub const WHITELIST: [Allowed; 33] = [
    //  module             name              builds                 apply   arguments                                                                  BUILD state                                                    value: BSON payload / JSON payload
    row("_codecs",         "encode",         Global::CodecsEncode,  Reduce, "(str of U+0000..=U+00FF, 'latin1')",                                      "-",                                                           "bytes: binary subtype 0 / refused"),
    row("__builtin__",     "bytes",          Global::Bytes,         Reduce, "()",                                                                      "-",                                                           "b'': binary subtype 0 / refused"),
    row("builtins",        "bytes",          Global::Bytes,         Reduce, "()",                                                                      "-",                                                           "b'': binary subtype 0 / refused"),
    row("__builtin__",     "bytearray",      Global::ByteArray,     Reduce, "() or (bytes,)",                                                          "-",                                                           "refused / refused"),
    row("builtins",        "bytearray",      Global::ByteArray,     Reduce, "() or (bytes,)",                                                          "-",                                                           "refused / refused"),
    row("__builtin__",     "set",            Global::Set,           Reduce, "() or (list of hashable items,)",                                         "-",                                                           "refused / refused"),
    row("builtins",        "set",            Global::Set,           Reduce, "() or (list of hashable items,)",                                         "-",                                                           "refused / refused"),
    row("__builtin__",     "frozenset",      Global::FrozenSet,     Reduce, "() or (list of hashable items,)",                                         "-",                                                           "refused / refused"),
    row("builtins",        "frozenset",      Global::FrozenSet,     Reduce, "() or (list of hashable items,)",                                         "-",                                                           "refused / refused"),
    row("__builtin__",     "complex",        Global::Complex,       Reduce, "(int or float, int or float)",                                            "-",                                                           "refused / refused"),
    row("builtins",        "complex",        Global::Complex,       Reduce, "(int or float, int or float)",                                            "-",                                                           "refused / refused"),
    row("collections",     "OrderedDict",    Global::OrderedDict,   Reduce, "() then SETITEMS, or (list of [key, value] pairs,)",                      "-",                                                           "document / object"),
    row("datetime",        "datetime",       Global::DateTime,      Reduce, "(10-byte state,) or (10-byte state, datetime.timezone)",                  "-",                                                           "UTC datetime, milliseconds / refused"),
    row("datetime",        "date",           Global::Date,          Reduce, "(4-byte state,)",                                                         "-",                                                           "refused / refused"),
    row("datetime",        "time",           Global::Time,          Reduce, "(6-byte state,) or (6-byte state, datetime.timezone)",                    "-",                                                           "refused / refused"),
    row("datetime",        "timedelta",      Global::TimeDelta,     Reduce, "(int days, int seconds, int microseconds)",                               "-",                                                           "refused / refused (a timezone's offset)"),
    row("datetime",        "timezone",       Global::TimeZone,      Reduce, "(timedelta within 24 h,) or (timedelta within 24 h, str)",                "-",                                                           "refused / refused (a datetime's tzinfo)"),
    row("decimal",         "Decimal",        Global::Decimal,       Reduce, "(str,)",                                                                  "-",                                                           "refused / refused"),
    row("uuid",            "UUID",           Global::Uuid,          NewObj, "()",                                                                      "{'int': int} plus optional 'is_safe': int or None",           "refused / refused"),
    row("re",              "RegexFlag",      Global::RegexFlag,     Reduce, "(int,)",                                                                  "-",                                                           "int / int"),
    row("bson.int64",      "Int64",          Global::Int64,         NewObj, "(int within 64 bits,)",                                                   "{} or none",                                                  "int64 / int"),
    row("bson.objectid",   "ObjectId",       Global::ObjectId,      NewObj, "()",                                                                      "12 bytes, 12-char latin-1 str, or {'_ObjectId__id': either}", "objectid / refused"),
    row("bson.binary",     "Binary",         Global::Binary,        NewObj, "(bytes, int 0..=255)",                                                    "{'_Binary__subtype': int 0..=255} or none",                   "binary / refused"),
    row("bson.regex",      "Regex",          Global::Regex,         NewObj, "()",                                                                      "{'flags': int, 'pattern': str or bytes}",                     "regex / refused"),
    row("bson.decimal128", "Decimal128",     Global::Decimal128,    NewObj, "()",                                                                      "(int high, int low), each 0..2**64",                          "decimal128 / refused"),
    row("bson.timestamp",  "Timestamp",      Global::Timestamp,     NewObj, "()",                                                                      "{'_Timestamp__inc': int, '_Timestamp__time': int}, 0..2**32", "timestamp / refused"),
    row("copy_reg",        "_reconstructor", Global::Reconstructor, Reduce, "(NEWOBJ class, object, None), (Int64, int, int), (Binary, bytes, bytes)", "-",                                                           "as NEWOBJ of the class (a Binary has subtype 0 until BUILD)"),
    row("copyreg",         "_reconstructor", Global::Reconstructor, Reduce, "(NEWOBJ class, object, None), (Int64, int, int), (Binary, bytes, bytes)", "-",                                                           "as NEWOBJ of the class (a Binary has subtype 0 until BUILD)"),
    row("__builtin__",     "object",         Global::Object,        Never,  "-",                                                                       "-",                                                           "only _reconstructor's base"),
    row("builtins",        "object",         Global::Object,        Never,  "-",                                                                       "-",                                                           "only _reconstructor's base"),
    row("__builtin__",     "long",           Global::Int,           Never,  "-",                                                                       "-",                                                           "only _reconstructor's base"),
    row("__builtin__",     "int",            Global::Int,           Never,  "-",                                                                       "-",                                                           "only _reconstructor's base"),
    row("builtins",        "int",            Global::Int,           Never,  "-",                                                                       "-",                                                           "only _reconstructor's base"),
];

/// The whitelist row for `module.name`, if any.
pub fn allowed(module: &str, name: &str) -> Option<&'static Allowed> {
    WHITELIST
        .iter()
        .find(|a| a.module == module && a.name == name)
}

impl Global {
    /// `module.name` as Python 3 knows it (for messages).
    pub fn path(self) -> &'static str {
        match self {
            Global::CodecsEncode => "_codecs.encode",
            Global::Bytes => "builtins.bytes",
            Global::ByteArray => "builtins.bytearray",
            Global::Set => "builtins.set",
            Global::FrozenSet => "builtins.frozenset",
            Global::Complex => "builtins.complex",
            Global::OrderedDict => "collections.OrderedDict",
            Global::DateTime => "datetime.datetime",
            Global::Date => "datetime.date",
            Global::Time => "datetime.time",
            Global::TimeDelta => "datetime.timedelta",
            Global::TimeZone => "datetime.timezone",
            Global::Decimal => "decimal.Decimal",
            Global::Uuid => "uuid.UUID",
            Global::RegexFlag => "re.RegexFlag",
            Global::Int64 => "bson.int64.Int64",
            Global::ObjectId => "bson.objectid.ObjectId",
            Global::Binary => "bson.binary.Binary",
            Global::Regex => "bson.regex.Regex",
            Global::Decimal128 => "bson.decimal128.Decimal128",
            Global::Timestamp => "bson.timestamp.Timestamp",
            Global::Reconstructor => "copyreg._reconstructor",
            Global::Object => "builtins.object",
            Global::Int => "builtins.int",
        }
    }

    /// How this global may be applied (the `apply` column of its rows).
    pub fn apply(self) -> Apply {
        match self {
            Global::Uuid
            | Global::Int64
            | Global::ObjectId
            | Global::Binary
            | Global::Regex
            | Global::Decimal128
            | Global::Timestamp => Apply::NewObj,
            Global::Object | Global::Int => Apply::Never,
            _ => Apply::Reduce,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_opcode_table_has_unique_bytes_and_names() {
        for (i, a) in OPCODES.iter().enumerate() {
            for b in &OPCODES[i + 1..] {
                assert_ne!(a.code, b.code, "{} and {}", a.name, b.name);
                assert_ne!(a.name, b.name);
            }
            assert!(a.proto <= 5);
        }
        assert!(opcode(NEXT_BUFFER).is_none());
        assert!(opcode(READONLY_BUFFER).is_none());
    }

    #[test]
    fn ops_whitelist_rows_agree_with_global_apply() {
        for (i, a) in WHITELIST.iter().enumerate() {
            assert_eq!(a.apply, a.global.apply(), "{}.{}", a.module, a.name);
            for b in &WHITELIST[i + 1..] {
                assert!((a.module, a.name) != (b.module, b.name));
            }
        }
        assert_eq!(
            allowed("__builtin__", "set").map(|a| a.global),
            Some(Global::Set)
        );
        assert!(allowed("os", "system").is_none());
        assert!(allowed("builtins", "eval").is_none());
    }
}
