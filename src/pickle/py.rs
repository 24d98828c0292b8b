//! The Python objects a pickle builds, kept in a flat heap addressed by handles, so memo
//! references share one object (as in Python) without copying it and nothing nests in Rust.
//! Strings and bytes borrow the pickle's input where they can (`'a`): a session value is
//! allocated once, when the session is built.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;

use core::mem::size_of;

use crate::error::{Error, GlobalName, Limit, Result};
use crate::limits::Limits;
use crate::pickle::convert::ConvertBuffers;
use crate::pickle::ops::Global;
use crate::session_bytes::BLOCK;

/// Index of an object in the [`Heap`].
pub(crate) type Handle = usize;

/// What the reader's objects are charged against `max_inflated_len`, in fixed units that are
/// the same on every target, so a pickle that fits on one target fits on all. Each is the size
/// of what it stands for on a 64-bit target, and at least that size on the target being built
/// (checked below; 32-bit targets have smaller handles and nodes).
mod charge {
    /// A [`Node`](super::Node): an object's slot in the heap.
    pub(super) const NODE: usize = 48;
    /// A [`Handle`](super::Handle) in a list's or a spilled tuple's items.
    pub(super) const HANDLE: usize = 8;
    /// A key/value pair of handles in a dict's items.
    pub(super) const PAIR: usize = 16;
    /// The boxed state of a built regex: its pattern bytes and flags.
    pub(super) const REGEX_STATE: usize = 48;
}

const _: () = assert!(size_of::<Node<'static>>() <= charge::NODE);
const _: () = assert!(size_of::<Handle>() <= charge::HANDLE);
const _: () = assert!(size_of::<(Handle, Handle)>() <= charge::PAIR);
const _: () = assert!(size_of::<(Buf<'static>, i128)>() <= charge::REGEX_STATE);

/// Up to this many bytes are kept without allocating (a `datetime` state is 10).
const INLINE_BYTES: usize = 22;

/// The bytes of a Python 2 `str`, `bytes` or pymongo value: borrowed from the pickle, short
/// ones built while reading (`codecs.encode(str, 'latin1')`) inline, others owned.
#[derive(Clone, Debug)]
pub(crate) enum Buf<'a> {
    Borrowed(&'a [u8]),
    Inline { len: u8, bytes: [u8; INLINE_BYTES] },
    Owned(Vec<u8>),
}

impl<'a> Buf<'a> {
    /// The bytes of `bytes`, inline while they fit, then in one vector; `None` when any
    /// item is `None` (a char with no Latin-1 byte ...).
    pub(crate) fn build(mut bytes: impl Iterator<Item = Option<u8>>) -> Option<Buf<'a>> {
        let mut inline = [0; INLINE_BYTES];
        let mut len: u8 = 0;
        while let Some(b) = bytes.next() {
            let b = b?;
            match inline.get_mut(usize::from(len)) {
                Some(slot) => {
                    *slot = b;
                    len += 1;
                }
                None => {
                    let mut spilled = Vec::with_capacity(2 * INLINE_BYTES);
                    spilled.extend_from_slice(&inline);
                    spilled.push(b);
                    for b in bytes {
                        spilled.push(b?);
                    }
                    return Some(Buf::Owned(spilled));
                }
            }
        }
        Some(Buf::Inline { len, bytes: inline })
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Buf::Borrowed(b) => b,
            Buf::Inline { len, bytes } => {
                #[allow(clippy::indexing_slicing)] // min(_, INLINE_BYTES) <= bytes.len()
                &bytes[..usize::from(*len).min(INLINE_BYTES)]
            }
            Buf::Owned(v) => v,
        }
    }

    /// The same bytes, not borrowing the pickle.
    pub(crate) fn into_owned(self) -> Buf<'static> {
        match self {
            Buf::Borrowed(b) => Buf::Owned(b.to_vec()),
            Buf::Inline { len, bytes } => Buf::Inline { len, bytes },
            Buf::Owned(v) => Buf::Owned(v),
        }
    }
}

impl core::ops::Deref for Buf<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

/// Up to this many tuple items are kept without allocating (every whitelisted call takes at
/// most 3 arguments, so argument tuples never allocate).
const INLINE_ITEMS: usize = 3;

/// A tuple's items: short tuples inline, longer ones in a vector.
#[derive(Clone, Debug)]
pub(crate) enum Items {
    Inline {
        len: u8,
        items: [Handle; INLINE_ITEMS],
    },
    Spilled(Vec<Handle>),
}

impl Items {
    pub(crate) fn new(items: &[Handle]) -> Items {
        let mut inline = [0; INLINE_ITEMS];
        match (inline.get_mut(..items.len()), u8::try_from(items.len())) {
            (Some(slot), Ok(len)) => {
                slot.copy_from_slice(items);
                Items::Inline { len, items: inline }
            }
            _ => Items::Spilled(items.to_vec()),
        }
    }

    pub(crate) fn as_slice(&self) -> &[Handle] {
        match self {
            Items::Inline { len, items } => {
                #[allow(clippy::indexing_slicing)] // min(_, INLINE_ITEMS) <= items.len()
                &items[..usize::from(*len).min(INLINE_ITEMS)]
            }
            Items::Spilled(v) => v,
        }
    }
}

/// An `i128` kept as two 64-bit halves: an `i128` field would align every node to 16 bytes
/// (and pad it to a multiple of 16); this keeps nodes 8-aligned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Wide {
    low: u64,
    high: u64,
}

impl Wide {
    pub(crate) const fn new(value: i128) -> Wide {
        Wide {
            low: value as u64,
            high: (value >> 64) as u64,
        }
    }

    pub(crate) const fn get(self) -> i128 {
        ((self.high as i128) << 64) | self.low as i128
    }
}

/// One Python object. Containers hold handles; whitelisted classes hold their decoded state.
#[derive(Clone, Debug)]
pub(crate) enum Obj<'a> {
    None,
    Bool(bool),
    /// An int; pickles carry up to 128 bits that matter here (Decimal128 halves are u64).
    Int(Wide),
    /// An int that does not fit 128 bits: it can never be written, so its digits are not kept.
    BigInt,
    Float(f64),
    /// Python 3 `str` (and Python 2 `unicode`).
    Str(Cow<'a, str>),
    /// Python 2 `str`: raw bytes, decided later (UTF-8 text becomes a string, else bytes).
    Str2(Buf<'a>),
    /// Python 3 `bytes`.
    Bytes(Buf<'a>),
    /// A tuple and whether it is hashable (all its items are; fixed when it is built).
    Tuple(Items, bool),
    List(Vec<Handle>),
    /// A dict or `collections.OrderedDict`, pairs in insertion order (duplicates resolved when
    /// the session is built).
    Dict(Vec<(Handle, Handle)>),
    /// A set (`frozen`: a frozenset). Sets are refused in every payload, so only their
    /// items' hashability is checked and the items are not kept.
    Set {
        frozen: bool,
    },
    /// A whitelisted class or function, not applied.
    Global(Global),
    /// An inert stand-in for a refused global, persistent id or extension code, and for
    /// anything built from one (boxed: it is rare, and inline it would double every node).
    Placeholder(Box<GlobalName>),
    /// A whitelisted value no JWT payload can hold (date, Decimal, UUID ...): what it was.
    Refused {
        what: &'static str,
        hashable: bool,
    },
    /// `uuid.UUID` (refused in every payload; its state is checked, not kept).
    Uuid,
    /// `datetime.timedelta`, in microseconds.
    TimeDelta(Wide),
    /// `datetime.timezone`, its UTC offset in microseconds.
    TimeZone(i64),
    /// `datetime.datetime`: microseconds since 1970-01-01 of its wall time, and its offset.
    DateTime {
        wall_us: i64,
        offset_us: Option<i64>,
    },
    /// `bson.int64.Int64`.
    Int64(i64),
    /// `bson.objectid.ObjectId` (`None` until `BUILD`).
    ObjectId(Option<[u8; 12]>),
    /// `bson.binary.Binary`.
    Binary {
        subtype: u8,
        bytes: Buf<'a>,
    },
    /// `bson.regex.Regex` (`None` until `BUILD`): pattern bytes and flags (boxed: rare).
    Regex(Option<Box<(Buf<'a>, i128)>>),
    /// `bson.decimal128.Decimal128` as 16 little-endian bytes (`None` until `BUILD`).
    Decimal128(Option<[u8; 16]>),
    /// `bson.timestamp.Timestamp` as (time, inc) (`None` until `BUILD`).
    Timestamp(Option<(u32, u32)>),
}

impl Obj<'_> {
    /// Whether Python could use it as a dict key or set item. Placeholders are assumed
    /// hashable (most objects are); it only matters until they are refused.
    pub(crate) fn hashable(&self) -> bool {
        match self {
            Obj::List(_) | Obj::Dict(_) | Obj::Regex(_) | Obj::Decimal128(_) => false,
            Obj::Set { frozen, .. } => *frozen,
            Obj::Tuple(_, hashable) => *hashable,
            Obj::Refused { hashable, .. } => *hashable,
            _ => true,
        }
    }

    /// The same object, owning its strings and bytes.
    fn into_owned(self) -> Obj<'static> {
        match self {
            Obj::None => Obj::None,
            Obj::Bool(b) => Obj::Bool(b),
            Obj::Int(i) => Obj::Int(i),
            Obj::BigInt => Obj::BigInt,
            Obj::Float(f) => Obj::Float(f),
            Obj::Str(s) => Obj::Str(Cow::Owned(s.into_owned())),
            Obj::Str2(b) => Obj::Str2(b.into_owned()),
            Obj::Bytes(b) => Obj::Bytes(b.into_owned()),
            Obj::Tuple(items, hashable) => Obj::Tuple(items, hashable),
            Obj::List(items) => Obj::List(items),
            Obj::Dict(entries) => Obj::Dict(entries),
            Obj::Set { frozen } => Obj::Set { frozen },
            Obj::Global(g) => Obj::Global(g),
            Obj::Placeholder(name) => Obj::Placeholder(name),
            Obj::Refused { what, hashable } => Obj::Refused { what, hashable },
            Obj::Uuid => Obj::Uuid,
            Obj::TimeDelta(us) => Obj::TimeDelta(us),
            Obj::TimeZone(us) => Obj::TimeZone(us),
            Obj::DateTime { wall_us, offset_us } => Obj::DateTime { wall_us, offset_us },
            Obj::Int64(i) => Obj::Int64(i),
            Obj::ObjectId(id) => Obj::ObjectId(id),
            Obj::Binary { subtype, bytes } => Obj::Binary {
                subtype,
                bytes: bytes.into_owned(),
            },
            Obj::Regex(r) => Obj::Regex(r.map(|r| {
                let (p, flags) = *r;
                Box::new((p.into_owned(), flags))
            })),
            Obj::Decimal128(d) => Obj::Decimal128(d),
            Obj::Timestamp(t) => Obj::Timestamp(t),
        }
    }

    /// The heap this object holds outside its node: each block it owns (an owned string or
    /// bytes, a spilled tuple, a list's or dict's items, a boxed payload), its size plus
    /// [`BLOCK`]. A list's or dict's items are counted by length, not capacity, so that what
    /// is charged never depends on the vectors a warm decode reuses.
    #[inline]
    fn held(&self) -> usize {
        let owned = |b: &Buf<'_>| match b {
            Buf::Owned(v) => v.capacity().saturating_add(BLOCK),
            Buf::Borrowed(_) | Buf::Inline { .. } => 0,
        };
        match self {
            Obj::Str(Cow::Owned(s)) => s.capacity().saturating_add(BLOCK),
            Obj::Str2(b) | Obj::Bytes(b) | Obj::Binary { bytes: b, .. } => owned(b),
            Obj::Tuple(Items::Spilled(v), _) => v
                .capacity()
                .saturating_mul(charge::HANDLE)
                .saturating_add(BLOCK),
            Obj::List(v) => v.len().saturating_mul(charge::HANDLE).saturating_add(BLOCK),
            Obj::Dict(v) => v.len().saturating_mul(charge::PAIR).saturating_add(BLOCK),
            // A `GlobalName` is bytes only: its size is the same on every target.
            Obj::Placeholder(_) => size_of::<GlobalName>() + BLOCK,
            Obj::Regex(Some(r)) => (charge::REGEX_STATE + BLOCK).saturating_add(owned(&r.0)),
            _ => 0,
        }
    }

    /// Bytes of buffer this object owns (what it costs against the byte budget).
    #[inline]
    pub(crate) fn buffer_len(&self) -> usize {
        match self {
            Obj::Str(s) => s.len(),
            Obj::Str2(b) | Obj::Bytes(b) | Obj::Binary { bytes: b, .. } => b.len(),
            Obj::Regex(Some(r)) => r.0.len(),
            _ => 0,
        }
    }
}

/// An object and the offset of the opcode that made it (for errors found later).
#[derive(Clone, Debug)]
pub(crate) struct Node<'a> {
    pub(crate) obj: Obj<'a>,
    pub(crate) at: usize,
}

/// Every object one pickle built. Allocation is bounded: at most `max_items` objects,
/// `max_inflated_len` bytes of string/bytes buffers (borrowed ones included), and, counted
/// apart, `max_inflated_len` bytes of memory for the objects themselves. A pickle is not
/// inflated: its objects are what it expands into, so they get the budget an inflated payload
/// has (not `max_session_bytes`: that one is the session's, which must fit exactly the
/// session's own cost, whatever format it came in).
///
/// The heap is the one place objects are made and changed: [`Heap::alloc`] stores a new one,
/// [`Heap::replace`] swaps one for its built form (`BUILD`), [`Heap::extend_list`] and
/// [`Heap::extend_dict`] add items; there is no other mutable access. Each of them charges
/// what the object takes (its node, and the blocks it owns: [`Obj::held`]) before storing it,
/// so no opcode can grow the heap without being charged, whatever it copies. An object is
/// charged once built and before it is stored: only the one being built is ever outside the
/// budget, and it is a copy of the input or of objects already charged.
#[derive(Clone, Debug)]
pub(crate) struct Heap<'a> {
    nodes: Vec<Node<'a>>,
    /// Objects built plus other item-sized work (items visited by `set(list)` ...).
    items: usize,
    bytes: usize,
    max_items: usize,
    max_bytes: usize,
    /// Memory the objects take ([`Heap::NODE`] each plus [`Obj::held`]), charged against
    /// `max_held` (`max_inflated_len`).
    held: usize,
    max_held: usize,
    /// Emptied item vectors for new lists and dicts.
    pool: Pool,
}

/// Emptied list and dict item vectors, kept so that a warm decode takes its containers'
/// vectors from here instead of allocating (and later freeing) one per container.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pool {
    lists: Vec<Vec<Handle>>,
    dicts: Vec<Vec<(Handle, Handle)>>,
    /// The lists and dicts the current heap made from the pool (their vectors come back
    /// without a walk over every node).
    made: Vec<Handle>,
}

impl Pool {
    /// At most this many vectors of each kind are kept ...
    const VECTORS: usize = 32;
    /// ... each of at most this many items of capacity (so the kept vectors hold at most 24 KB).
    const CAPACITY: usize = 32;

    pub(crate) const fn new() -> Pool {
        Pool {
            lists: Vec::new(),
            dicts: Vec::new(),
            made: Vec::new(),
        }
    }

    /// Shrinks the record of containers made to at most `retain` entries of capacity.
    pub(crate) fn trim(&mut self, retain: usize) {
        self.made.shrink_to(retain);
    }

    /// Keeps the vectors of `obj` when it is a list or dict, emptied, if there is room.
    fn reclaim(&mut self, obj: Obj<'_>) {
        match obj {
            Obj::List(mut v)
                if self.lists.len() < Pool::VECTORS && v.capacity() <= Pool::CAPACITY =>
            {
                v.clear();
                self.lists.push(v);
            }
            Obj::Dict(mut v)
                if self.dicts.len() < Pool::VECTORS && v.capacity() <= Pool::CAPACITY =>
            {
                v.clear();
                self.dicts.push(v);
            }
            _ => {}
        }
    }
}

impl<'a> Heap<'a> {
    /// An empty heap in `nodes` (cleared), with room for at least `capacity` objects, taking
    /// its container vectors from `pool`.
    pub(crate) fn in_buffer(
        limits: &Limits,
        mut nodes: Vec<Node<'a>>,
        pool: Pool,
        capacity: usize,
    ) -> Heap<'a> {
        nodes.clear();
        nodes.reserve(capacity);
        Heap {
            nodes,
            items: 0,
            bytes: 0,
            max_items: limits.max_items,
            max_bytes: limits.max_inflated_len,
            held: 0,
            max_held: limits.max_inflated_len,
            pool,
        }
    }

    /// What storing one object costs besides the blocks it owns: its node's slot.
    const NODE: usize = charge::NODE;

    /// Stores a new empty list, its vector from the pool when it has one.
    ///
    /// # Errors
    /// As [`Heap::alloc`].
    pub(crate) fn alloc_list(&mut self, at: usize) -> Result<Handle> {
        // An empty pool gives a new vector (which allocates only when items are added).
        let items = self.pool.lists.pop().unwrap_or_default();
        let h = self.alloc_sized(Obj::List(items), 0, at)?;
        self.pool.made.push(h);
        Ok(h)
    }

    /// Stores a new empty dict, its vector from the pool when it has one.
    ///
    /// # Errors
    /// As [`Heap::alloc`].
    pub(crate) fn alloc_dict(&mut self, at: usize) -> Result<Handle> {
        // As in `alloc_list`.
        let entries = self.pool.dicts.pop().unwrap_or_default();
        let h = self.alloc_sized(Obj::Dict(entries), 0, at)?;
        self.pool.made.push(h);
        Ok(h)
    }

    /// Stores a new object.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] with `Items` or `InflatedLen`.
    #[inline]
    pub(crate) fn alloc(&mut self, obj: Obj<'a>, at: usize) -> Result<Handle> {
        let bytes = obj.buffer_len();
        self.alloc_sized(obj, bytes, at)
    }

    /// [`Heap::alloc`] for a caller that knows the object's [`Obj::buffer_len`] (`bytes`),
    /// which then need not be worked out again from the object.
    ///
    /// # Errors
    /// As [`Heap::alloc`].
    #[inline(always)] // runs for every object: a call costs more than the code it adds
    pub(crate) fn alloc_sized(&mut self, obj: Obj<'a>, bytes: usize, at: usize) -> Result<Handle> {
        debug_assert_eq!(bytes, obj.buffer_len());
        // The three budgets checked with one branch (this runs for every object).
        let items = self.items.saturating_add(1);
        let bytes = self.bytes.saturating_add(bytes);
        let held = self
            .held
            .saturating_add(Heap::NODE.saturating_add(obj.held()));
        if items > self.max_items || bytes > self.max_bytes || held > self.max_held {
            return Err(self.refuse(items));
        }
        (self.items, self.bytes, self.held) = (items, bytes, held);
        self.nodes.push(Node { obj, at });
        Ok(self.nodes.len() - 1)
    }

    /// The limit [`Heap::alloc_sized`] reports, `items` being the item count it refused: the
    /// item count first, then the buffer lengths, then the memory (as separate charges would).
    #[cold]
    fn refuse(&self, items: usize) -> Error {
        Error::LimitExceeded(if items > self.max_items {
            Limit::Items
        } else {
            Limit::InflatedLen
        })
    }

    /// Replaces the object at `h` with `obj` (its state applied by `BUILD`): `obj` is charged
    /// and the blocks of the object it replaces are given back. Python rebuilds an object in
    /// place; here the built form is a new value, often a copy (a regex pattern the state
    /// shares with every other object built from it), so it is charged like a new object.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] with `InflatedLen`.
    pub(crate) fn replace(&mut self, h: Handle, obj: Obj<'a>) -> Result<()> {
        let Some(node) = self.nodes.get(h) else {
            return Ok(());
        };
        let (old_bytes, old_held) = (node.obj.buffer_len(), node.obj.held());
        self.charge_bytes(obj.buffer_len().saturating_sub(old_bytes))?;
        self.charge_held(obj.held())?;
        self.held = self.held.saturating_sub(old_held);
        if let Some(slot) = self.obj_mut(h) {
            *slot = obj;
        }
        Ok(())
    }

    /// Appends `items` to the list at `h`, each charged its slot; `false` (nothing done) when
    /// `h` is not a list.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] with `InflatedLen`.
    pub(crate) fn extend_list(&mut self, h: Handle, items: &[Handle]) -> Result<bool> {
        if !matches!(self.obj(h), Some(Obj::List(_))) {
            return Ok(false);
        }
        self.charge_held(items.len().saturating_mul(charge::HANDLE))?;
        if let Some(Obj::List(v)) = self.obj_mut(h) {
            v.extend_from_slice(items);
        }
        Ok(true)
    }

    /// Adds the key/value pairs of the flat `items` (an even number, checked by the caller) to
    /// the dict at `h`, each charged its slot; `false` (nothing done) when `h` is not a dict.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] with `InflatedLen`.
    pub(crate) fn extend_dict(&mut self, h: Handle, items: &[Handle]) -> Result<bool> {
        if !matches!(self.obj(h), Some(Obj::Dict(_))) {
            return Ok(false);
        }
        let pairs = items.len() / 2;
        self.charge_held(pairs.saturating_mul(charge::PAIR))?;
        if let Some(Obj::Dict(d)) = self.obj_mut(h) {
            d.reserve(pairs);
            d.extend(pairs_of(items));
        }
        Ok(true)
    }

    /// Counts `n` more items of work against `max_items`.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] with `Items`.
    #[inline]
    pub(crate) fn charge_items(&mut self, n: usize) -> Result<()> {
        self.items = self.items.saturating_add(n);
        if self.items > self.max_items {
            return Err(Error::LimitExceeded(Limit::Items));
        }
        Ok(())
    }

    /// Counts `n` more buffer bytes (a buffer that grows, or one that is about to be built).
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] with `InflatedLen`.
    #[inline]
    pub(crate) fn charge_bytes(&mut self, n: usize) -> Result<()> {
        self.bytes = self.bytes.saturating_add(n);
        if self.bytes > self.max_bytes {
            return Err(Error::LimitExceeded(Limit::InflatedLen));
        }
        Ok(())
    }

    /// Counts `n` more bytes of memory the objects take.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] with `InflatedLen`.
    #[inline]
    fn charge_held(&mut self, n: usize) -> Result<()> {
        self.held = self.held.saturating_add(n);
        if self.held > self.max_held {
            return Err(Error::LimitExceeded(Limit::InflatedLen));
        }
        Ok(())
    }

    pub(crate) fn node(&self, h: Handle) -> Option<&Node<'a>> {
        self.nodes.get(h)
    }

    pub(crate) fn obj(&self, h: Handle) -> Option<&Obj<'a>> {
        self.nodes.get(h).map(|n| &n.obj)
    }

    /// Private on purpose: every change to an object goes through a method above that charges
    /// it.
    fn obj_mut(&mut self, h: Handle) -> Option<&mut Obj<'a>> {
        self.nodes.get_mut(h).map(|n| &mut n.obj)
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The emptied node vector and the pool, with the vectors of this heap's lists and dicts
    /// back in it, for the next pickle.
    pub(crate) fn into_buffer(self) -> (Vec<Node<'static>>, Pool) {
        let Heap {
            mut nodes,
            mut pool,
            ..
        } = self;
        // The containers' vectors are taken out in place (no node is moved); the nodes are then
        // dropped all at once by `recycle`.
        let mut made = core::mem::take(&mut pool.made);
        for h in made.drain(..) {
            if let Some(
                node @ Node {
                    obj: Obj::List(_) | Obj::Dict(_),
                    ..
                },
            ) = nodes.get_mut(h)
            {
                pool.reclaim(core::mem::replace(&mut node.obj, Obj::None));
            }
        }
        pool.made = made;
        (recycle(nodes), pool)
    }
}

/// The pairs of a flat key/value item list (its size hint is not exact: reserve
/// `items.len() / 2` first); an odd last item is left out.
pub(crate) fn pairs_of(items: &[Handle]) -> impl Iterator<Item = (Handle, Handle)> + '_ {
    items.chunks_exact(2).filter_map(|pair| match *pair {
        [k, v] => Some((k, v)),
        _ => None,
    })
}

/// An empty vector of `U` with room for as many elements as `v` had: how a kept buffer whose
/// element type borrows one decode's input (`Node<'a>`) is handed to the next decode
/// (`Node<'static>`). Safe Rust cannot give an allocation a new element type, so the capacity
/// is carried over, not the block: `v` (its elements dropped) is freed first, then one block of
/// that capacity is reserved, so the two are never live at once and a `Codec` keeps exactly
/// the capacity its buffers report. When that reservation fails the vector stays empty: it is
/// only room for the next decode, which reserves what it needs anyway.
pub(crate) fn recycle<T, U>(v: Vec<T>) -> Vec<U> {
    let capacity = v.capacity();
    drop(v);
    let mut out = Vec::new();
    // Failure is not an error: see above.
    let _ = out.try_reserve_exact(capacity);
    out
}

/// The vectors a pickle decode works in, kept by a [`Codec`](crate::Codec) between calls so a
/// warm decode does not grow them again. Those whose elements borrow the pickle (the nodes, the
/// converter's stacks) come back through [`recycle`]: their capacity is kept, in a block
/// allocated anew once per decode. Each user clears what it takes; what they hold between
/// calls is empty.
#[derive(Default)]
pub(crate) struct Buffers {
    pub(crate) nodes: Vec<Node<'static>>,
    pub(crate) pool: Pool,
    pub(crate) memo: Vec<Handle>,
    pub(crate) stack: Vec<Handle>,
    pub(crate) marks: Vec<usize>,
    pub(crate) convert: ConvertBuffers,
}

impl Buffers {
    pub(crate) const fn new() -> Buffers {
        Buffers {
            nodes: Vec::new(),
            pool: Pool::new(),
            memo: Vec::new(),
            stack: Vec::new(),
            marks: Vec::new(),
            convert: ConvertBuffers::new(),
        }
    }

    /// Capacity kept between calls, per vector: a typical session's pickle needs far less;
    /// a bigger one's vectors are shrunk back, so a `Codec` never keeps more than about 100 KB
    /// here whatever cookie it last read (plus the container [`Pool`]: at most 28 KB).
    pub(crate) const RETAIN: usize = 512;

    /// Shrinks every vector to at most [`Buffers::RETAIN`] elements of capacity.
    pub(crate) fn trim(&mut self) {
        self.nodes.shrink_to(Buffers::RETAIN);
        self.memo.shrink_to(Buffers::RETAIN);
        self.stack.shrink_to(Buffers::RETAIN);
        self.marks.shrink_to(Buffers::RETAIN);
        self.pool.trim(Buffers::RETAIN);
        self.convert.trim(Buffers::RETAIN);
    }
}

/// The objects of one pickle and which one is the result, borrowing the pickle's bytes (`'a`).
#[derive(Clone, Debug)]
pub(crate) struct Objects<'a> {
    pub(crate) heap: Heap<'a>,
    pub(crate) root: Handle,
}

impl Objects<'_> {
    /// The same objects, owning their strings and bytes.
    pub(crate) fn into_owned(self) -> Objects<'static> {
        let Heap {
            nodes,
            items,
            bytes,
            max_items,
            max_bytes,
            held,
            max_held,
            pool,
        } = self.heap;
        let nodes = nodes
            .into_iter()
            .map(|Node { obj, at }| Node {
                obj: obj.into_owned(),
                at,
            })
            .collect();
        Objects {
            heap: Heap {
                nodes,
                items,
                bytes,
                max_items,
                max_bytes,
                held,
                max_held,
                pool,
            },
            root: self.root,
        }
    }
}

/// What [`read`](crate::pickle::read) returns: the objects of one pickle and which one is the
/// result. Turn it into a session with [`Pickled::into_session`].
#[derive(Clone, Debug)]
pub struct Pickled {
    pub(crate) objects: Objects<'static>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pickle_recycle_keeps_the_capacity_not_the_elements() {
        let text = alloc::string::String::from("borrowed");
        let mut v: Vec<Obj<'_>> = Vec::with_capacity(100);
        v.push(Obj::Str(Cow::Borrowed(&text)));
        let again: Vec<Obj<'static>> = recycle(v);
        assert!(again.is_empty());
        assert!(again.capacity() >= 100, "capacity {}", again.capacity());
        let none: Vec<Obj<'static>> = recycle(Vec::<Obj<'_>>::new());
        assert_eq!(none.capacity(), 0);
    }

    #[test]
    fn pickle_wide_round_trips_every_i128_shape() {
        for v in [
            0,
            1,
            -1,
            i128::MAX,
            i128::MIN,
            1 << 64,
            -(1 << 64),
            u64::MAX.into(),
            i64::MIN.into(),
        ] {
            assert_eq!(Wide::new(v).get(), v, "{v}");
        }
        #[cfg(target_pointer_width = "64")]
        assert_eq!(core::mem::align_of::<Obj<'_>>(), 8);
    }

    #[test]
    fn pickle_charges_are_fixed_and_exact_on_64_bit_targets() {
        assert_eq!(
            [
                charge::NODE,
                charge::HANDLE,
                charge::PAIR,
                charge::REGEX_STATE
            ],
            [48, 8, 16, 48]
        );
        #[cfg(target_pointer_width = "64")]
        assert_eq!(
            [
                charge::NODE,
                charge::HANDLE,
                charge::PAIR,
                charge::REGEX_STATE
            ],
            [
                size_of::<Node<'static>>(),
                size_of::<Handle>(),
                size_of::<(Handle, Handle)>(),
                size_of::<(Buf<'static>, i128)>(),
            ]
        );
    }

    #[test]
    fn pickle_pool_keeps_small_container_vectors_only() {
        let limits = Limits::DEFAULT;
        let mut heap = Heap::in_buffer(&limits, Vec::new(), Pool::new(), 4);
        let dict = heap.alloc_dict(0).unwrap();
        if let Some(Obj::Dict(entries)) = heap.obj_mut(dict) {
            entries.extend([(0, 1), (2, 3)]);
        }
        let big = heap.alloc_list(1).unwrap();
        if let Some(Obj::List(items)) = heap.obj_mut(big) {
            items.reserve_exact(Pool::CAPACITY + 1);
        }
        let list = heap.alloc_list(2).unwrap();
        if let Some(Obj::List(items)) = heap.obj_mut(list) {
            items.reserve_exact(3);
        }
        // Not made from the pool: dropped with the heap, not kept.
        heap.alloc(Obj::List(Vec::with_capacity(5)), 3).unwrap();
        let (nodes, pool) = heap.into_buffer();
        assert!(nodes.is_empty() && pool.made.is_empty());
        assert_eq!(pool.dicts.len(), 1);
        assert_eq!(pool.lists.len(), 1, "the list beyond CAPACITY is freed");
        assert!(pool.dicts.iter().all(Vec::is_empty));
        let mut heap = Heap::in_buffer(&limits, recycle(nodes), pool, 4);
        let capacity = |heap: &Heap<'_>, h| match heap.obj(h) {
            Some(Obj::List(v)) => (v.len(), v.capacity()),
            Some(Obj::Dict(v)) => (v.len(), v.capacity()),
            _ => panic!(),
        };
        let dict = heap.alloc_dict(0).unwrap();
        let (len, kept) = capacity(&heap, dict);
        assert!(
            len == 0 && kept >= 2,
            "the vector comes back: {len}, {kept}"
        );
        let list = heap.alloc_list(1).unwrap();
        assert_eq!(capacity(&heap, list), (0, 3));
        let list = heap.alloc_list(2).unwrap();
        assert_eq!(
            capacity(&heap, list),
            (0, 0),
            "an empty pool gives new vectors"
        );
        let mut pool = heap.into_buffer().1;
        for _ in 0..Pool::VECTORS + 5 {
            pool.reclaim(Obj::List(Vec::with_capacity(1)));
        }
        assert_eq!(pool.lists.len(), Pool::VECTORS);
    }

    /// Every way into the heap charges the memory it takes, exactly: a budget of that much
    /// passes, one byte less is refused.
    #[test]
    fn pickle_heap_charges_objects_items_and_builds() {
        let text = alloc::string::String::from("an owned pattern, longer than inline");
        let regex = || Obj::Regex(Some(Box::new((Buf::Owned(text.as_bytes().to_vec()), 0))));
        // The documented units: a node 48, a handle 8, a pair 16, a regex state 48.
        let box_cost = 48 + BLOCK;
        let steps: [(&str, usize); 5] = [
            ("list", 48 + BLOCK),
            ("append 3", 3 * 8),
            ("dict, 2 pairs", 48 + BLOCK + 2 * 16),
            ("unbuilt regex", Heap::NODE),
            ("built regex", box_cost + text.len() + BLOCK),
        ];
        let mut total = 0;
        for (i, (name, cost)) in steps.iter().enumerate() {
            total += cost;
            for (budget, fits) in [(total, true), (total - 1, false)] {
                let limits = Limits {
                    max_inflated_len: budget,
                    max_str_len: budget,
                    ..Limits::DEFAULT
                };
                let mut heap = Heap::in_buffer(&limits, Vec::new(), Pool::new(), 4);
                let mut run = || -> Result<()> {
                    let list = heap.alloc_list(0)?;
                    if i >= 1 {
                        assert!(heap.extend_list(list, &[list, list, list])?);
                    }
                    if i >= 2 {
                        heap.alloc(Obj::Dict(alloc::vec![(0, 0), (1, 1)]), 1)?;
                    }
                    if i >= 3 {
                        let r = heap.alloc(Obj::Regex(None), 2)?;
                        if i >= 4 {
                            heap.replace(r, regex())?;
                        }
                    }
                    Ok(())
                };
                let got = run();
                assert_eq!(got.is_ok(), fits, "{name}, budget {budget}: {got:?}");
            }
        }
        // Building it again gives back what the first build took.
        let limits = Limits {
            max_inflated_len: total + Heap::NODE,
            ..Limits::DEFAULT
        };
        let mut heap = Heap::in_buffer(&limits, Vec::new(), Pool::new(), 4);
        let r = heap.alloc(Obj::Regex(None), 0).unwrap();
        for _ in 0..100 {
            heap.replace(r, regex()).unwrap();
        }
        assert!(!heap.extend_list(r, &[r]).unwrap(), "not a list");
        assert!(!heap.extend_dict(r, &[r, r]).unwrap(), "not a dict");
    }

    #[test]
    fn pickle_buf_inline_then_spilled() {
        for n in [0, 1, 21, 22, 23, 100] {
            let bytes: Vec<u8> = (0..n).map(|i| i as u8).collect();
            let buf = Buf::build(bytes.iter().map(|&b| Some(b))).unwrap();
            assert_eq!(buf.as_slice(), bytes.as_slice(), "{n} bytes");
            assert_eq!(
                matches!(buf, Buf::Inline { .. }),
                n <= INLINE_BYTES,
                "{n} bytes"
            );
        }
        let stops = [Some(1), None, Some(2)];
        assert!(Buf::build(stops.into_iter()).is_none());
        let late = (0..30).map(|i| if i == 29 { None } else { Some(i as u8) });
        assert!(Buf::build(late).is_none(), "a stop after spilling");
    }
}
