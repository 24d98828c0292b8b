//! What `REDUCE`, `NEWOBJ` and `BUILD` do with a whitelisted global: check the exact argument or
//! state shape of its [`WHITELIST`](crate::pickle::ops::WHITELIST) row and build the object. Nothing
//! here imports or calls anything; each arm only reads data already on the heap.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, GlobalName, Layer, Result};
use crate::pickle::datetime;
use crate::pickle::ops::{Apply, Global};
use crate::pickle::py::{Buf, Handle, Heap, Obj, Wide};

/// Why an argument did not fit.
enum Bad {
    /// Not the shape the whitelist row accepts.
    Shape,
    /// A placeholder stood where a value was needed: the result is that placeholder.
    Placeholder(GlobalName),
    /// An error that is not about the shape (a limit, an unhashable item).
    Fatal(Error),
}

type Fit<T> = core::result::Result<T, Bad>;

/// Microseconds in 24 hours (`datetime.timezone` refuses offsets of that size or more).
const DAY_US: i128 = 86_400_000_000;

/// `global(*args)` for `REDUCE`, `INST` and `OBJ`.
///
/// # Errors
/// [`Error::Malformed`] in [`Layer::Pickle`] at `at` when the arguments do not fit the row, an
/// item that must be hashable is not, or the global is applied with the wrong opcode;
/// [`Error::LimitExceeded`] with `Items`.
pub(crate) fn reduce<'a>(
    heap: &mut Heap<'a>,
    global: Global,
    args: &[Handle],
    at: usize,
) -> Result<Obj<'a>> {
    if global.apply() != Apply::Reduce {
        return Err(Error::malformed(
            Layer::Pickle,
            at,
            "global applied with the wrong opcode",
        ));
    }
    settle(
        reduce_fit(heap, global, args, at),
        at,
        "REDUCE arguments do not match the whitelist entry",
    )
}

fn reduce_fit<'a>(heap: &mut Heap<'a>, global: Global, args: &[Handle], at: usize) -> Fit<Obj<'a>> {
    match global {
        Global::CodecsEncode => codecs_encode(heap, args),
        Global::Bytes => empty(args).map(|()| Obj::Bytes(Buf::Borrowed(&[]))),
        Global::ByteArray => {
            match args {
                [] => {}
                [b] => {
                    bytes(heap, *b)?;
                }
                _ => return Err(Bad::Shape),
            }
            Ok(Obj::Refused {
                what: "bytearray",
                hashable: false,
            })
        }
        Global::Set | Global::FrozenSet => {
            set_from(heap, args, at)?;
            Ok(Obj::Set {
                frozen: global == Global::FrozenSet,
            })
        }
        Global::Complex => match args {
            [re, im] => {
                number(heap, *re)?;
                number(heap, *im)?;
                Ok(Obj::Refused {
                    what: "complex",
                    hashable: true,
                })
            }
            _ => Err(Bad::Shape),
        },
        Global::OrderedDict => ordered_dict(heap, args, at),
        Global::DateTime => match args {
            [state] => datetime_from(heap, *state, None),
            [state, tz] => datetime_from(heap, *state, Some(*tz)),
            _ => Err(Bad::Shape),
        },
        Global::Date => match args {
            [state] if datetime::date_state(&state_bytes(heap, *state)?) => Ok(Obj::Refused {
                what: "datetime.date",
                hashable: true,
            }),
            _ => Err(Bad::Shape),
        },
        Global::Time => {
            let (state, tz) = match args {
                [state] => (*state, None),
                [state, tz] => (*state, Some(*tz)),
                _ => return Err(Bad::Shape),
            };
            if !datetime::time_state(&state_bytes(heap, state)?) {
                return Err(Bad::Shape);
            }
            if let Some(tz) = tz {
                tz_offset(heap, tz)?;
            }
            Ok(Obj::Refused {
                what: "datetime.time",
                hashable: true,
            })
        }
        Global::TimeDelta => timedelta(heap, args),
        Global::TimeZone => timezone(heap, args),
        Global::Decimal => match args {
            [s] => text(heap, *s).map(|_| Obj::Refused {
                what: "decimal.Decimal",
                hashable: true,
            }),
            _ => Err(Bad::Shape),
        },
        Global::RegexFlag => match args {
            [i] => int(heap, *i).map(|i| Obj::Int(Wide::new(i))),
            _ => Err(Bad::Shape),
        },
        Global::Reconstructor => reconstructor(heap, args),
        // Only NEWOBJ classes are left, and `reduce` refused them.
        _ => Err(Bad::Shape),
    }
}

/// `copyreg._reconstructor(cls, base, state)`, protocols 0 and 1: `base.__new__(cls, state)`
/// for the base each pymongo class really has.
fn reconstructor<'a>(heap: &Heap<'a>, args: &[Handle]) -> Fit<Obj<'a>> {
    let [cls, base, state] = args else {
        return Err(Bad::Shape);
    };
    let (Obj::Global(cls), Obj::Global(base)) = (value(heap, *cls)?, value(heap, *base)?) else {
        return Err(Bad::Shape);
    };
    match (cls, base, value(heap, *state)?) {
        (Global::Int64, Global::Int, _) => new_fit(heap, Global::Int64, &[*state]),
        (Global::Binary, Global::Bytes, _) => Ok(Obj::Binary {
            subtype: 0,
            bytes: bytes_of(heap, *state)?,
        }),
        (
            Global::Uuid
            | Global::ObjectId
            | Global::Regex
            | Global::Decimal128
            | Global::Timestamp,
            Global::Object,
            Obj::None,
        ) => new_fit(heap, *cls, &[]),
        _ => Err(Bad::Shape),
    }
}

/// `cls.__new__(cls, *args)` for `NEWOBJ`, `NEWOBJ_EX`, `INST` and `OBJ`.
///
/// # Errors
/// [`Error::Malformed`] as [`reduce`].
pub(crate) fn new_object<'a>(
    heap: &Heap<'a>,
    global: Global,
    args: &[Handle],
    at: usize,
) -> Result<Obj<'a>> {
    if global.apply() != Apply::NewObj {
        return Err(Error::malformed(
            Layer::Pickle,
            at,
            "global applied with the wrong opcode",
        ));
    }
    settle(
        new_fit(heap, global, args),
        at,
        "NEWOBJ arguments do not match the whitelist entry",
    )
}

fn new_fit<'a>(heap: &Heap<'a>, global: Global, args: &[Handle]) -> Fit<Obj<'a>> {
    match (global, args) {
        (Global::Uuid, []) => Ok(Obj::Uuid),
        (Global::Int64, [i]) => i64::try_from(int(heap, *i)?)
            .map(Obj::Int64)
            .map_err(|_| Bad::Shape),
        (Global::ObjectId, []) => Ok(Obj::ObjectId(None)),
        (Global::Binary, [data, subtype]) => {
            let bytes = bytes_of(heap, *data)?;
            Ok(Obj::Binary {
                subtype: subtype_of(heap, *subtype)?,
                bytes,
            })
        }
        (Global::Regex, []) => Ok(Obj::Regex(None)),
        (Global::Decimal128, []) => Ok(Obj::Decimal128(None)),
        (Global::Timestamp, []) => Ok(Obj::Timestamp(None)),
        _ => Err(Bad::Shape),
    }
}

/// `BUILD`: applies `state` to the object at `target`. A placeholder target swallows the state;
/// a placeholder in the state turns the target into that placeholder.
///
/// # Errors
/// [`Error::Malformed`] when the object takes no state or the state does not fit its row;
/// [`Error::LimitExceeded`] with `InflatedLen` when the built object passes the heap's budget.
pub(crate) fn build(heap: &mut Heap<'_>, target: Handle, state: Handle, at: usize) -> Result<()> {
    let built = match heap.obj(target) {
        Some(Obj::Placeholder(_)) => return Ok(()),
        Some(obj) => build_fit(heap, obj, state),
        None => Err(Bad::Shape),
    };
    let obj = settle(built, at, "BUILD state does not match the whitelist entry")?;
    // Charged there: the built form may copy its state (a regex pattern), and a memo'd state
    // can be applied to any number of objects.
    heap.replace(target, obj)
}

fn build_fit<'a>(heap: &Heap<'a>, target: &Obj<'a>, state: Handle) -> Fit<Obj<'a>> {
    match target {
        Obj::Uuid => uuid_state(heap, state).map(|()| Obj::Uuid),
        Obj::Int64(i) => match value(heap, state)? {
            Obj::Dict(entries) if entries.is_empty() => Ok(Obj::Int64(*i)),
            Obj::None => Ok(Obj::Int64(*i)),
            _ => Err(Bad::Shape),
        },
        Obj::ObjectId(_) => object_id_state(heap, state).map(|id| Obj::ObjectId(Some(id))),
        Obj::Binary { bytes, .. } => {
            let [subtype] = fields(heap, state, ["_Binary__subtype"])?;
            let subtype = subtype_of(heap, required(subtype)?)?;
            Ok(Obj::Binary {
                subtype,
                bytes: bytes.clone(),
            })
        }
        Obj::Regex(_) => regex_state(heap, state).map(|r| Obj::Regex(Some(Box::new(r)))),
        Obj::Decimal128(_) => decimal128_state(heap, state).map(|d| Obj::Decimal128(Some(d))),
        Obj::Timestamp(_) => {
            let [inc, time] = fields(heap, state, ["_Timestamp__inc", "_Timestamp__time"])?;
            let time = u32_of(heap, required(time)?)?;
            Ok(Obj::Timestamp(Some((time, u32_of(heap, required(inc)?)?))))
        }
        _ => Err(Bad::Fatal(Error::Malformed {
            layer: Layer::Pickle,
            offset: 0,
            what: "BUILD on an object that takes no state",
        })),
    }
}

/// Turns a fit into the object to push: a placeholder argument gives a placeholder.
fn settle<'a>(built: Fit<Obj<'a>>, at: usize, what: &'static str) -> Result<Obj<'a>> {
    match built {
        Ok(obj) => Ok(obj),
        Err(Bad::Placeholder(name)) => Ok(Obj::Placeholder(Box::new(name))),
        Err(Bad::Shape) => Err(Error::malformed(Layer::Pickle, at, what)),
        Err(Bad::Fatal(Error::Malformed { layer, what, .. })) => {
            Err(Error::malformed(layer, at, what))
        }
        Err(Bad::Fatal(e)) => Err(e),
    }
}

// ---- argument readers --------------------------------------------------------------------

/// The object at `h`; a placeholder stops the fit.
fn value<'h, 'a>(heap: &'h Heap<'a>, h: Handle) -> Fit<&'h Obj<'a>> {
    match heap.obj(h) {
        Some(Obj::Placeholder(name)) => Err(Bad::Placeholder(**name)),
        Some(obj) => Ok(obj),
        None => Err(Bad::Shape),
    }
}

fn empty(args: &[Handle]) -> Fit<()> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(Bad::Shape)
    }
}

fn required(h: Option<Handle>) -> Fit<Handle> {
    h.ok_or(Bad::Shape)
}

/// Python 3 `bytes` or a Python 2 `str`: raw bytes.
fn bytes<'h>(heap: &'h Heap<'_>, h: Handle) -> Fit<&'h [u8]> {
    match value(heap, h)? {
        Obj::Bytes(b) | Obj::Str2(b) => Ok(b),
        _ => Err(Bad::Shape),
    }
}

/// [`bytes`], sharing the input's bytes when the object does.
fn bytes_of<'a>(heap: &Heap<'a>, h: Handle) -> Fit<Buf<'a>> {
    match value(heap, h)? {
        Obj::Bytes(b) | Obj::Str2(b) => Ok(b.clone()),
        _ => Err(Bad::Shape),
    }
}

/// Python 3 `str` or a Python 2 `str` that is UTF-8.
fn text<'h>(heap: &'h Heap<'_>, h: Handle) -> Fit<&'h str> {
    match value(heap, h)? {
        Obj::Str(s) => Ok(s),
        Obj::Str2(b) => core::str::from_utf8(b).map_err(|_| Bad::Shape),
        _ => Err(Bad::Shape),
    }
}

/// A `datetime`/`date`/`time` state or ObjectId id: bytes, a Python 2 `str`, or a `str` that
/// Python 3 turns into bytes by Latin-1 (a Python 2 pickle loaded with `encoding='latin1'`).
fn state_bytes<'h>(heap: &'h Heap<'_>, h: Handle) -> Fit<Cow<'h, [u8]>> {
    match value(heap, h)? {
        Obj::Bytes(b) | Obj::Str2(b) => Ok(Cow::Borrowed(b)),
        Obj::Str(s) => latin1(s).ok_or(Bad::Shape),
        _ => Err(Bad::Shape),
    }
}

/// `s.encode('latin1')`: ASCII text is its own encoding (borrowed); other text is copied.
fn latin1(s: &str) -> Option<Cow<'_, [u8]>> {
    if s.is_ascii() {
        return Some(Cow::Borrowed(s.as_bytes()));
    }
    // Each char is at least one byte: `s.len()` bytes always suffice.
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        out.push(u8::try_from(u32::from(c)).ok()?);
    }
    Some(Cow::Owned(out))
}

/// [`latin1`] as the bytes of a new object (short ones inline).
fn latin1_buf(s: &str) -> Option<Buf<'static>> {
    Buf::build(s.chars().map(|c| u8::try_from(u32::from(c)).ok()))
}

fn int(heap: &Heap<'_>, h: Handle) -> Fit<i128> {
    match value(heap, h)? {
        Obj::Int(i) => Ok(i.get()),
        Obj::Bool(b) => Ok(i128::from(*b)),
        _ => Err(Bad::Shape),
    }
}

fn number(heap: &Heap<'_>, h: Handle) -> Fit<()> {
    match value(heap, h)? {
        Obj::Int(_) | Obj::Bool(_) | Obj::Float(_) => Ok(()),
        _ => Err(Bad::Shape),
    }
}

fn u32_of(heap: &Heap<'_>, h: Handle) -> Fit<u32> {
    int(heap, h).and_then(|i| u32::try_from(i).map_err(|_| Bad::Shape))
}

fn subtype_of(heap: &Heap<'_>, h: Handle) -> Fit<u8> {
    int(heap, h).and_then(|i| u8::try_from(i).map_err(|_| Bad::Shape))
}

/// The values of a state dict whose keys are exactly among `names` (last value wins, as in a
/// dict); any other key is a misfit.
fn fields<const N: usize>(
    heap: &Heap<'_>,
    h: Handle,
    names: [&str; N],
) -> Fit<[Option<Handle>; N]> {
    let Obj::Dict(entries) = value(heap, h)? else {
        return Err(Bad::Shape);
    };
    let mut found = [None; N];
    for &(k, v) in entries {
        let key = text(heap, k)?;
        let slot = names
            .iter()
            .position(|n| *n == key)
            .and_then(|i| found.get_mut(i))
            .ok_or(Bad::Shape)?;
        *slot = Some(v);
    }
    Ok(found)
}

// ---- the whitelist rows ------------------------------------------------------------------

/// `_codecs.encode(str, 'latin1')`: Python 3's protocol-2 form of `bytes`.
fn codecs_encode<'a>(heap: &Heap<'a>, args: &[Handle]) -> Fit<Obj<'a>> {
    let [s, encoding] = args else {
        return Err(Bad::Shape);
    };
    if text(heap, *encoding)? != "latin1" {
        return Err(Bad::Shape);
    }
    let bytes = match value(heap, *s)? {
        // Text borrowed from the input keeps borrowing it when it is ASCII.
        Obj::Str(Cow::Borrowed(t)) if t.is_ascii() => Some(Buf::Borrowed(t.as_bytes())),
        _ => latin1_buf(text(heap, *s)?),
    };
    bytes.map(Obj::Bytes).ok_or(Bad::Shape)
}

/// `set(list)` / `frozenset(list)`: the items must be hashable. Sets are refused in every
/// payload, so their items are checked and not kept.
fn set_from(heap: &mut Heap<'_>, args: &[Handle], at: usize) -> Fit<()> {
    let (len, hashable) = match args {
        [] => return Ok(()),
        [list] => match value(heap, *list)? {
            Obj::List(items) => (
                items.len(),
                items
                    .iter()
                    .all(|&h| heap.obj(h).is_some_and(Obj::hashable)),
            ),
            _ => return Err(Bad::Shape),
        },
        _ => return Err(Bad::Shape),
    };
    // Each item was visited: count the visits so a memo'd list cannot be re-walked for free.
    heap.charge_items(len).map_err(Bad::Fatal)?;
    if hashable {
        Ok(())
    } else {
        Err(Bad::Fatal(Error::malformed(
            Layer::Pickle,
            at,
            "unhashable set item",
        )))
    }
}

/// `OrderedDict()` (Python 3, items follow by SETITEMS) or `OrderedDict([[k, v], ...])`
/// (Python 2). The new dict's pairs are charged when it is stored: a memo'd list of pairs can
/// be passed again and again, and each call makes a dict as long as the list.
fn ordered_dict<'a>(heap: &mut Heap<'a>, args: &[Handle], at: usize) -> Fit<Obj<'a>> {
    let list = match args {
        [] => return Ok(Obj::Dict(Vec::new())),
        [list] => *list,
        _ => return Err(Bad::Shape),
    };
    let len = match value(heap, list)? {
        Obj::List(pairs) => pairs.len(),
        _ => return Err(Bad::Shape),
    };
    heap.charge_items(len).map_err(Bad::Fatal)?;
    let Obj::List(pairs) = value(heap, list)? else {
        return Err(Bad::Shape);
    };
    let mut entries = Vec::with_capacity(len);
    for &pair in pairs {
        let (k, v) = match value(heap, pair)? {
            Obj::List(kv) => match kv.as_slice() {
                [k, v] => (*k, *v),
                _ => return Err(Bad::Shape),
            },
            Obj::Tuple(kv, _) => match kv.as_slice() {
                [k, v] => (*k, *v),
                _ => return Err(Bad::Shape),
            },
            _ => return Err(Bad::Shape),
        };
        if !heap.obj(k).is_some_and(Obj::hashable) {
            return Err(Bad::Fatal(Error::malformed(
                Layer::Pickle,
                at,
                "unhashable dict key",
            )));
        }
        entries.push((k, v));
    }
    Ok(Obj::Dict(entries))
}

/// `datetime(state)` / `datetime(state, tzinfo)`; tzinfo may be None or a `datetime.timezone`.
fn datetime_from<'a>(heap: &Heap<'a>, state: Handle, tz: Option<Handle>) -> Fit<Obj<'a>> {
    let wall_us = datetime::datetime_state(&state_bytes(heap, state)?).ok_or(Bad::Shape)?;
    let offset_us = match tz {
        None => None,
        Some(tz) => tz_offset(heap, tz)?,
    };
    Ok(Obj::DateTime { wall_us, offset_us })
}

/// A tzinfo argument: None, or a `datetime.timezone`.
fn tz_offset(heap: &Heap<'_>, h: Handle) -> Fit<Option<i64>> {
    match value(heap, h)? {
        Obj::None => Ok(None),
        Obj::TimeZone(offset) => Ok(Some(*offset)),
        _ => Err(Bad::Shape),
    }
}

/// `timedelta(days, seconds, microseconds)`, normalized and range-checked as Python does
/// (|days| <= 999999999).
fn timedelta<'a>(heap: &Heap<'a>, args: &[Handle]) -> Fit<Obj<'a>> {
    let [d, s, us] = args else {
        return Err(Bad::Shape);
    };
    let (d, s, us) = (int(heap, *d)?, int(heap, *s)?, int(heap, *us)?);
    let total = d
        .checked_mul(DAY_US)
        .and_then(|t| t.checked_add(s.checked_mul(1_000_000)?))
        .and_then(|t| t.checked_add(us))
        .ok_or(Bad::Shape)?;
    if total.div_euclid(DAY_US).abs() > 999_999_999 {
        return Err(Bad::Shape);
    }
    Ok(Obj::TimeDelta(Wide::new(total)))
}

/// `timezone(offset)` / `timezone(offset, name)`: the offset strictly within 24 hours.
fn timezone<'a>(heap: &Heap<'a>, args: &[Handle]) -> Fit<Obj<'a>> {
    let (offset, name) = match args {
        [offset] => (*offset, None),
        [offset, name] => (*offset, Some(*name)),
        _ => return Err(Bad::Shape),
    };
    let Obj::TimeDelta(us) = value(heap, offset)? else {
        return Err(Bad::Shape);
    };
    let us = us.get();
    if let Some(name) = name {
        text(heap, name)?;
    }
    if us.abs() >= DAY_US {
        return Err(Bad::Shape);
    }
    i64::try_from(us).map(Obj::TimeZone).map_err(|_| Bad::Shape)
}

/// UUID state: `{'int': int}` and, since Python 3.7, maybe `'is_safe'`.
fn uuid_state(heap: &Heap<'_>, state: Handle) -> Fit<()> {
    let [int_field, is_safe] = fields(heap, state, ["int", "is_safe"])?;
    match value(heap, required(int_field)?)? {
        Obj::Int(_) | Obj::BigInt => {}
        _ => return Err(Bad::Shape),
    }
    match is_safe.map(|h| value(heap, h)).transpose()? {
        None | Some(Obj::Int(_) | Obj::None) => Ok(()),
        Some(_) => Err(Bad::Shape),
    }
}

/// ObjectId state: exactly 12 bytes, or the pymongo <= 1.9 dict form. pymongo itself takes any
/// length (and its C encoder then over-reads); we take 12 only.
fn object_id_state(heap: &Heap<'_>, state: Handle) -> Fit<[u8; 12]> {
    let raw = match value(heap, state)? {
        Obj::Dict(_) => {
            let [id] = fields(heap, state, ["_ObjectId__id"])?;
            state_bytes(heap, required(id)?)?
        }
        _ => state_bytes(heap, state)?,
    };
    <[u8; 12]>::try_from(&*raw).map_err(|_| Bad::Shape)
}

/// Regex state: `{'flags': int, 'pattern': str or bytes}`.
fn regex_state<'a>(heap: &Heap<'a>, state: Handle) -> Fit<(Buf<'a>, i128)> {
    let [flags, pattern] = fields(heap, state, ["flags", "pattern"])?;
    let flags = int(heap, required(flags)?)?;
    let pattern = match value(heap, required(pattern)?)? {
        Obj::Str(Cow::Borrowed(s)) => Buf::Borrowed(s.as_bytes()),
        Obj::Str(Cow::Owned(s)) => Buf::Owned(s.as_bytes().to_vec()),
        Obj::Str2(b) | Obj::Bytes(b) => b.clone(),
        _ => return Err(Bad::Shape),
    };
    Ok((pattern, flags))
}

/// Decimal128 state: `(high, low)`, each an unsigned 64-bit int; stored as BSON's 16
/// little-endian bytes (low half first).
fn decimal128_state(heap: &Heap<'_>, state: Handle) -> Fit<[u8; 16]> {
    let Obj::Tuple(items, _) = value(heap, state)? else {
        return Err(Bad::Shape);
    };
    let [high, low] = items.as_slice() else {
        return Err(Bad::Shape);
    };
    let half = |h: Handle| int(heap, h).and_then(|i| u64::try_from(i).map_err(|_| Bad::Shape));
    let (high, low) = (half(*high)?, half(*low)?);
    let mut out = [0u8; 16];
    let (lo_out, hi_out) = out.split_at_mut(8);
    lo_out.copy_from_slice(&low.to_le_bytes());
    hi_out.copy_from_slice(&high.to_le_bytes());
    Ok(out)
}

/// The text of a module/name pair for a placeholder.
pub(crate) fn placeholder_name(module: &str, name: &str) -> GlobalName {
    let mut full = String::with_capacity(module.len() + 1 + name.len());
    full.push_str(module);
    full.push('.');
    full.push_str(name);
    GlobalName::new(&full)
}
