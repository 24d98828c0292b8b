//! The two tables that say what the pickle reader accepts: [`OPCODES`] and [`WHITELIST`].
//! Everything the reader does is listed here, in one place. `SECURITY.md` copies both tables
//! verbatim as the documented contract (`tests/security_doc.rs` keeps the copies equal), so
//! these items are internal: what users rely on is that document, not these types.

use super::opcodes::*;

// ---- Table 1: the opcodes the reader accepts --------------------------------------------------

// `OPCODES` describes the reader's `match` rather than driving it: `SECURITY.md` copies it, and
// the tests and the fuzz harness check the reader against it, so no library code reads it.

/// One accepted opcode: its byte, pickletools name, protocol and what the reader does with it.
#[cfg_attr(not(test), allow(dead_code))]
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

#[cfg_attr(not(test), allow(dead_code))]
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
#[cfg_attr(not(test), allow(dead_code))]
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
        assert!(!OPCODES.iter().any(|o| o.code == NEXT_BUFFER));
        assert!(!OPCODES.iter().any(|o| o.code == READONLY_BUFFER));
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
