//! `SessionBytes`: the heap a decode's session may still take, charged value by value as the
//! builders (BSON, JSON, pickle conversion) make them, against `Limits::max_session_bytes`.
//!
//! `max_items` bounds how many values a decode builds, but not what they weigh: a 4 KiB cookie
//! can inflate to (or, through pickle memo references, repeat) tens of thousands of tiny values,
//! each a 32-byte [`Value`] (56 with its key in a document). This budget keeps the session
//! itself within a byte bound, so a decode's peak heap is the inflate bound plus this one plus
//! the fixed buffers, whatever the cookie holds.
//!
//! What one value is charged, in fixed units that are the same on every target (so a cookie
//! that fits the budget on one fits it on all), each at least what it stands for on every
//! target (checked at compile time below) and equal to it on 64-bit ones:
//! - its slot: [`ITEM`] (32) in a list, [`ENTRY`] (56, key and value) in a document;
//! - a key or text over [`Str::INLINE_CAP`] (22) bytes: its length plus [`BLOCK`] (16: one
//!   heap block);
//! - binary data: its length plus [`BLOCK`];
//! - a regex, DB pointer or code with scope: its boxed payload ([`Boxed::CHARGE`]: 48, 40 and
//!   48) plus [`BLOCK`], besides its texts;
//! - a document, list or code scope: [`BLOCK`] for the block its elements move into (the
//!   elements themselves are charged one by one).

use core::mem::size_of;

use crate::error::{Error, Limit, Result};
use crate::limits::Limits;
use crate::small_str::Str;
use crate::value::{CodeWithScope, DbPointer, Document, Regex, Value};

/// What the allocator may add to each heap block (its header and rounding), in bytes.
pub(crate) const BLOCK: usize = 16;

/// The charge for the slot of a list element (or of the root): a [`Value`] on a 64-bit target.
pub(crate) const ITEM: usize = 32;

/// The charge for the slot of a document entry, its key and its value: a `(Str, Value)` on a
/// 64-bit target.
pub(crate) const ENTRY: usize = 56;

/// A payload a [`Value`] holds in a box of its own, and what that box is charged.
pub(crate) trait Boxed {
    /// The box's charge, besides [`BLOCK`]: the payload's size on a 64-bit target.
    const CHARGE: usize;
}

impl Boxed for Regex {
    const CHARGE: usize = 48;
}

impl Boxed for DbPointer {
    const CHARGE: usize = 40;
}

impl Boxed for CodeWithScope {
    const CHARGE: usize = 48;
}

// The charges are fixed numbers so that the budget does not depend on the target; each must
// still cover what it stands for on the target being built (on 32-bit targets the types are
// smaller).
const _: () = assert!(size_of::<Value>() <= ITEM);
const _: () = assert!(size_of::<(Str, Value)>() <= ENTRY);
const _: () = assert!(size_of::<Regex>() <= Regex::CHARGE);
const _: () = assert!(size_of::<DbPointer>() <= DbPointer::CHARGE);
const _: () = assert!(size_of::<CodeWithScope>() <= CodeWithScope::CHARGE);

/// The budget left for one decode's session, in bytes.
pub(crate) struct SessionBytes {
    left: usize,
}

impl SessionBytes {
    /// The whole `max_session_bytes` of `limits`.
    pub(crate) fn new(limits: &Limits) -> SessionBytes {
        SessionBytes {
            left: limits.max_session_bytes,
        }
    }

    /// Charges one element about to be stored: a document entry whose key is `key_len` bytes
    /// long, else (`None`) a list element or the root; `heap` is what the value holds outside
    /// its slot ([`heap_of`]).
    ///
    /// # Errors
    /// [`Error::LimitExceeded`]`(`[`Limit::SessionBytes`]`)` once the budget is spent (and on
    /// every later call).
    #[inline]
    pub(crate) fn charge(&mut self, key_len: Option<usize>, heap: usize) -> Result<()> {
        let slot = match key_len {
            Some(len) => ENTRY.saturating_add(text(len)),
            None => ITEM,
        };
        self.spend(slot.saturating_add(heap))
    }

    /// [`charge`](SessionBytes::charge) for a built value (its elements not included).
    #[inline]
    pub(crate) fn charge_value(&mut self, key: Option<&Str>, value: &Value) -> Result<()> {
        self.charge(key.map(key_len), heap_of(value, true))
    }

    /// Charges a block of `slots` elements reserved before they are built (document entries
    /// when `document`), and the block itself. Fill the slots with [`SessionBytes::fill`].
    ///
    /// # Errors
    /// As [`SessionBytes::charge`].
    #[inline]
    #[cfg_attr(not(feature = "legacy"), allow(dead_code))] // the pickle conversion
    pub(crate) fn reserve(&mut self, slots: usize, document: bool) -> Result<()> {
        let slot = if document { ENTRY } else { ITEM };
        self.spend(slot.saturating_mul(slots).saturating_add(BLOCK))
    }

    /// Charges what a value stored in a [`reserve`](SessionBytes::reserve)d slot holds outside
    /// it: its key's and its own heap blocks (a container's block was charged when reserved).
    ///
    /// # Errors
    /// As [`SessionBytes::charge`].
    #[inline]
    #[cfg_attr(not(feature = "legacy"), allow(dead_code))] // the pickle conversion
    pub(crate) fn fill(&mut self, key: Option<&Str>, value: &Value) -> Result<()> {
        let key = key.map_or(0, |k| text(key_len(k)));
        self.spend(key.saturating_add(heap_of(value, false)))
    }

    fn spend(&mut self, n: usize) -> Result<()> {
        self.left = self
            .left
            .checked_sub(n)
            .ok_or(Error::LimitExceeded(Limit::SessionBytes))?;
        Ok(())
    }
}

/// What reading `session` back charges against
/// [`Limits::max_session_bytes`](crate::Limits::max_session_bytes), in any format: the root's
/// slot and block, then for every element its slot (32 bytes in a list, 56 with its key in a
/// document) and one block (its length plus 16) for each key or text over 22 bytes, each
/// binary value, each document or list, and each regex, DB pointer or code with scope (whose
/// payload is boxed). A decode that builds `session` charges at least
/// this (more only for repeated keys, whose earlier values it built and then replaced, and for
/// keys a legacy reader removes).
///
/// A walk with its own stack: no recursion, whatever the nesting.
///
/// ```
/// use beaker_session_jwt::{charged_bytes, Document, Limits};
/// let mut session = Document::new();
/// session.insert("user", "alice");
/// assert!(charged_bytes(&session) < Limits::DEFAULT.max_session_bytes);
/// ```
pub fn charged_bytes(session: &Document) -> usize {
    // Documents and lists whose elements are still to be added (each container itself was
    // added as an element of its parent; the root above).
    enum Next<'s> {
        Doc(&'s Document),
        List(&'s [Value]),
    }
    let element = |key: Option<&Str>, value: &Value| {
        let slot = match key {
            Some(k) => ENTRY.saturating_add(text(key_len(k))),
            None => ITEM,
        };
        slot.saturating_add(heap_of(value, true))
    };
    fn inner(value: &Value) -> Option<Next<'_>> {
        match value {
            Value::Document(d) => Some(Next::Doc(d)),
            Value::JavaScriptWithScope(c) => Some(Next::Doc(&c.scope)),
            Value::Array(items) => Some(Next::List(items)),
            _ => None,
        }
    }
    let mut total = ITEM.saturating_add(BLOCK);
    let mut todo = alloc::vec![Next::Doc(session)];
    while let Some(next) = todo.pop() {
        match next {
            Next::Doc(d) => {
                for (k, v) in d.entries() {
                    total = total.saturating_add(element(Some(k), v));
                    todo.extend(inner(v));
                }
            }
            Next::List(items) => {
                for v in items {
                    total = total.saturating_add(element(None, v));
                    todo.extend(inner(v));
                }
            }
        }
    }
    total
}

/// The heap block of a text of `len` bytes: none when it is stored inline in its [`Str`].
#[inline]
pub(crate) fn text(len: usize) -> usize {
    if len > Str::INLINE_CAP {
        len.saturating_add(BLOCK)
    } else {
        0
    }
}

/// The heap block of a boxed payload `T` (a regex, a DB pointer, a code with scope).
#[inline]
pub(crate) const fn boxed<T: Boxed>() -> usize {
    T::CHARGE + BLOCK
}

/// The heap block of `len` bytes of binary data.
#[inline]
pub(crate) fn bytes(len: usize) -> usize {
    len.saturating_add(BLOCK)
}

/// A key's length without checking its text again.
#[inline]
fn key_len(key: &Str) -> usize {
    key.as_bytes().len()
}

/// What `value` holds outside its slot, its elements not included; a container's element
/// block counts only when `container_block`.
#[inline]
pub(crate) fn heap_of(value: &Value, container_block: bool) -> usize {
    let block = if container_block { BLOCK } else { 0 };
    let len = |s: &Str| s.as_bytes().len();
    match value {
        Value::String(s) | Value::JavaScript(s) | Value::Symbol(s) => text(len(s)),
        Value::Binary { bytes: b, .. } => bytes(b.len()),
        Value::Document(_) | Value::Array(_) => block,
        Value::Regex(r) => boxed::<Regex>()
            .saturating_add(text(len(&r.pattern)))
            .saturating_add(text(len(&r.options))),
        Value::DbPointer(p) => boxed::<DbPointer>().saturating_add(text(len(&p.namespace))),
        Value::JavaScriptWithScope(c) => boxed::<CodeWithScope>()
            .saturating_add(text(len(&c.code)))
            .saturating_add(block),
        Value::Double(_)
        | Value::Undefined
        | Value::ObjectId(_)
        | Value::Bool(_)
        | Value::DateTime(_)
        | Value::Null
        | Value::Int32(_)
        | Value::Timestamp { .. }
        | Value::Int64(_)
        | Value::Decimal128(_)
        | Value::MinKey
        | Value::MaxKey => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;
    use alloc::vec;

    fn budget(bytes: usize) -> SessionBytes {
        SessionBytes::new(&Limits {
            max_session_bytes: bytes,
            ..Limits::DEFAULT
        })
    }

    #[test]
    fn session_bytes_charges_are_the_documented_target_independent_figures() {
        // `Limits::max_session_bytes` documents these numbers; they are not `size_of`.
        assert_eq!((ITEM, ENTRY, BLOCK, Str::INLINE_CAP), (32, 56, 16, 22));
        assert_eq!(
            (Regex::CHARGE, DbPointer::CHARGE, CodeWithScope::CHARGE),
            (48, 40, 48)
        );
        // On a 64-bit target each charge is exactly what it stands for.
        #[cfg(target_pointer_width = "64")]
        assert_eq!(
            [
                ITEM,
                ENTRY,
                Regex::CHARGE,
                DbPointer::CHARGE,
                CodeWithScope::CHARGE
            ],
            [
                size_of::<Value>(),
                size_of::<(Str, Value)>(),
                size_of::<Regex>(),
                size_of::<DbPointer>(),
                size_of::<CodeWithScope>(),
            ]
        );
    }

    #[test]
    fn session_bytes_charges_slots_and_heap_blocks() {
        let item = 32;
        let entry = 56;
        let long = "x".repeat(Str::INLINE_CAP + 1);
        let cases = [
            (None, Value::Null, item),
            (Some(Str::from("k")), Value::Null, entry),
            (
                Some(Str::from(long.as_str())),
                Value::Null,
                entry + long.len() + BLOCK,
            ),
            (None, Value::from("short"), item),
            (None, Value::from(long.as_str()), item + long.len() + BLOCK),
            (
                None,
                Value::Binary {
                    subtype: 0,
                    bytes: vec![1, 2, 3],
                },
                item + 3 + BLOCK,
            ),
            (None, Value::Array(vec![Value::Null; 5]), item + BLOCK),
            // The boxed payloads: one block each, besides their texts.
            (
                None,
                Value::Regex(Box::new(Regex {
                    pattern: Str::from(long.as_str()),
                    options: Str::from("i"),
                })),
                item + 48 + BLOCK + long.len() + BLOCK,
            ),
            (
                Some(Str::from("k")),
                Value::DbPointer(Box::new(DbPointer {
                    namespace: Str::from("db.c"),
                    id: [7; 12],
                })),
                entry + 40 + BLOCK,
            ),
            (
                None,
                Value::JavaScriptWithScope(Box::new(CodeWithScope {
                    code: Str::from(long.as_str()),
                    scope: Document::new(),
                })),
                item + 48 + BLOCK + long.len() + BLOCK + BLOCK,
            ),
        ];
        for (key, value, cost) in cases {
            // Exactly `cost` fits; one byte less does not.
            assert!(
                budget(cost).charge_value(key.as_ref(), &value).is_ok(),
                "{value:?}"
            );
            assert_eq!(
                budget(cost - 1).charge_value(key.as_ref(), &value),
                Err(Error::LimitExceeded(Limit::SessionBytes)),
                "{value:?}"
            );
        }
    }

    #[test]
    fn session_bytes_reserve_charges_the_block_and_fill_only_the_heap() {
        let (item, entry) = (ITEM, ENTRY);
        let long = Str::from("y".repeat(40).as_str());
        let mut b = budget(3 * entry + BLOCK + 2 * (40 + BLOCK));
        assert!(b.reserve(3, true).is_ok());
        assert!(b.fill(Some(&Str::from("k")), &Value::Null).is_ok());
        assert!(b.fill(Some(&long), &Value::Array(vec![])).is_ok());
        assert!(b.fill(None, &Value::String(long.clone())).is_ok());
        assert_eq!(
            b.fill(None, &Value::String(long)),
            Err(Error::LimitExceeded(Limit::SessionBytes))
        );
        assert!(budget(4 * item + BLOCK).reserve(4, false).is_ok());
        assert!(budget(4 * item + BLOCK - 1).reserve(4, false).is_err());
    }

    #[test]
    fn session_bytes_runs_out_and_stays_out() {
        let mut b = budget(3 * ITEM);
        for _ in 0..3 {
            assert!(b.charge(None, 0).is_ok());
        }
        for _ in 0..2 {
            assert_eq!(
                b.charge(None, 0),
                Err(Error::LimitExceeded(Limit::SessionBytes))
            );
        }
    }
}
