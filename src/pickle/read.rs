//! The whitelisted opcode machine: reads a pickle of any protocol 0..=5 into Python objects
//! (CPython `Modules/_pickle.c`, `load_*`), accepting only the opcodes of
//! [`OPCODES`](crate::pickle::ops::OPCODES) and building only the globals of
//! [`WHITELIST`](crate::pickle::ops::WHITELIST). It never imports or calls anything.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::error::{Error, GlobalName, Layer, Limit, Result};
use crate::limits::Limits;
use crate::pickle::apply;
use crate::pickle::index::Index;
use crate::pickle::opcodes::*;
use crate::pickle::ops;
use crate::pickle::py::{pairs_of, Buf, Buffers, Handle, Heap, Items, Obj, Objects, Pickled, Wide};
use crate::pickle::text;
use crate::reader::Reader;

/// Reads a pickle into its objects. Turn the result into a session with
/// [`Pickled::into_session`].
///
/// # Errors
/// - [`Error::Malformed`] in [`Layer::Pickle`], with the offset of the opcode, for truncated
///   input, a bad text argument, stack underflow, a missing MARK, a memo index never put, an
///   unhashable dict key or set item, arguments or state that do not fit the whitelist, a stack
///   that does not hold exactly one item at `STOP`, and data after `STOP`.
/// - [`Error::Unsupported`] for an opcode outside the opcode table (`SECURITY.md`, "The pickle
///   whitelist") or a protocol above 5.
/// - [`Error::LimitExceeded`] as below.
///
/// # Limits
/// `max_items` (objects built, items visited, stack size), `max_str_len` (each string, bytes,
/// text line or long), `max_inflated_len` (all string and bytes buffers together, and apart
/// from them the memory the objects take: each object's slot in the heap, about 48 bytes, each
/// block it owns, its size plus 16, and each list or dict item, 8 or 16 bytes, charged as
/// each object is made, copied or grown, `BUILD` included), `max_memo` (memo indices),
/// `max_depth` (open MARKs: at most `2 * max_depth + 4`, `max_depth` capped at
/// [`Limits::MAX_DEPTH`](crate::Limits::MAX_DEPTH)). The stack and memo hold at most one entry per
/// byte of `data`.
pub fn read(data: &[u8], limits: &Limits) -> Result<Pickled> {
    Ok(Pickled {
        objects: read_with(data, limits, &mut Buffers::default())?.into_owned(),
    })
}

/// [`read`] in the caller's (emptied) buffers, keeping strings and bytes borrowed from `data`
/// (what the legacy cookie decode uses: each session string is then allocated once, when the
/// session is built). The result holds `buffers.nodes`; the other vectors go back to
/// `buffers`, emptied.
///
/// # Errors
/// As [`read`].
///
/// # Limits
/// As [`read`].
pub(crate) fn read_with<'a>(
    data: &'a [u8],
    limits: &Limits,
    buffers: &mut Buffers,
) -> Result<Objects<'a>> {
    // Pickles Python writes for a session hold about one object (and one memo entry) per 10
    // bytes: sizing for one per 8 avoids regrowing the heap and memo, within a fixed cap.
    let expected = (data.len() / 8).clamp(4, RESERVE_CAP);
    let mut dense = core::mem::take(&mut buffers.memo);
    dense.clear();
    dense.reserve(expected);
    let mut stack = core::mem::take(&mut buffers.stack);
    stack.clear();
    stack.reserve(STACK_RESERVE);
    let mut marks = core::mem::take(&mut buffers.marks);
    marks.clear();
    let mut machine = Machine {
        input: Reader::new(data),
        heap: Heap::in_buffer(
            limits,
            core::mem::take(&mut buffers.nodes),
            core::mem::take(&mut buffers.pool),
            expected,
        ),
        stack,
        marks,
        memo: Memo {
            dense,
            sparse: Index::new(),
            shadowed: 0,
        },
        singletons: [None; 3],
        limits,
    };
    let root = machine.run();
    let Machine {
        heap,
        mut stack,
        mut marks,
        memo,
        ..
    } = machine;
    stack.clear();
    marks.clear();
    buffers.stack = stack;
    buffers.marks = marks;
    let mut dense = memo.dense;
    dense.clear();
    buffers.memo = dense;
    match root {
        Ok(root) => Ok(Objects { heap, root }),
        Err(e) => {
            (buffers.nodes, buffers.pool) = heap.into_buffer();
            Err(e)
        }
    }
}

/// The most objects and memo entries [`read_with`] reserves room for before it reads.
const RESERVE_CAP: usize = 512;

/// Stack slots reserved before reading (a session's top-level dict puts its pairs there).
const STACK_RESERVE: usize = 64;

struct Machine<'a, 'l> {
    input: Reader<'a>,
    heap: Heap<'a>,
    stack: Vec<Handle>,
    /// Stack lengths at each open MARK; nothing below the last one may be popped.
    marks: Vec<usize>,
    memo: Memo,
    /// The handles of `None`, `True` and `False` once pushed (see [`Machine::push_singleton`]).
    singletons: [Option<Handle>; 3],
    limits: &'l Limits,
}

/// The pickle memo: index -> object. Python's pickler numbers entries 0, 1, 2, ... in order, so
/// those live in a vector; any other index (only a hand-made pickle has one) goes to `sparse`,
/// whose keys the pickle chooses (see [`Index`] for why no order of them is slow).
/// An index below `dense.len()` is read from `dense`: an entry of `sparse` whose index `dense`
/// has since reached is never read again, and is counted in `shadowed`.
struct Memo {
    dense: Vec<Handle>,
    sparse: Index<u64, Handle>,
    /// Entries of `sparse` at an index below `dense.len()`.
    shadowed: usize,
}

impl Memo {
    /// Distinct indices stored (what `len(self.memo)` is in Python's unpickler).
    fn len(&self) -> usize {
        // Each shadowed entry is one of `sparse`'s: the subtraction cannot wrap.
        self.dense
            .len()
            .saturating_add(self.sparse.len() - self.shadowed)
    }

    #[inline]
    fn insert(&mut self, index: u64, h: Handle) {
        let next = self.dense.len() as u64;
        if index == next {
            // Python's pickler: the next index.
            self.dense.push(h);
            if !self.sparse.is_empty() && self.sparse.get(&index).is_some() {
                self.shadowed += 1;
            }
        } else if let Some(slot) = usize::try_from(index)
            .ok()
            .and_then(|i| self.dense.get_mut(i))
        {
            *slot = h;
        } else if let Some(slot) = self.sparse.insert_or_get(index, h) {
            *slot = h;
        }
    }

    #[inline]
    fn get(&self, index: u64) -> Option<Handle> {
        match usize::try_from(index).ok().and_then(|i| self.dense.get(i)) {
            Some(&h) => Some(h),
            None => self.sparse.get(&index),
        }
    }
}

fn malformed(at: usize, what: &'static str) -> Error {
    Error::malformed(Layer::Pickle, at, what)
}

impl<'a> Machine<'a, '_> {
    /// Reads to `STOP`; the result is the handle of the root object.
    fn run(&mut self) -> Result<Handle> {
        loop {
            let at = self.input.offset();
            let op = self
                .input
                .byte()
                .ok_or(malformed(at, "input ends before STOP"))?;
            // The opcodes Python's pickler writes most for a session are tested first, ahead
            // of the full table in `step`, so they skip its dispatch.
            match op {
                STOP => return self.stop(at),
                BINPUT => {
                    let i = u8::from_le_bytes(self.fixed(at)?);
                    self.put(i.into(), at)?;
                }
                BINGET => {
                    let i = u8::from_le_bytes(self.fixed(at)?);
                    self.get(i.into(), at)?;
                }
                BINUNICODE => {
                    let n = u32::from_le_bytes(self.fixed(at)?);
                    self.utf8(n.into(), at)?;
                }
                _ => self.step(op, at)?,
            }
        }
    }

    fn stop(&self, at: usize) -> Result<Handle> {
        let root = match (self.marks.as_slice(), self.stack.as_slice()) {
            ([], [root]) => *root,
            _ => {
                return Err(malformed(
                    at,
                    "STOP with other than exactly one item on the stack",
                ))
            }
        };
        if self.input.any_left() {
            return Err(malformed(self.input.offset(), "data after STOP"));
        }
        Ok(root)
    }

    #[allow(clippy::too_many_lines)] // one arm per opcode reads best as a single table
    #[inline(always)] // one call per opcode otherwise, with a large frame to set up
    fn step(&mut self, op: u8, at: usize) -> Result<()> {
        match op {
            PROTO => {
                if u8::from_le_bytes(self.fixed(at)?) > 5 {
                    return Err(Error::unsupported(
                        Layer::Pickle,
                        at,
                        "pickle protocol above 5",
                    ));
                }
            }
            FRAME => {
                let len = u64::from_le_bytes(self.fixed(at)?);
                if len > self.remaining() {
                    return Err(malformed(at, "frame runs past the end of the input"));
                }
            }
            MARK => {
                let depth = self.limits.max_depth.min(Limits::MAX_DEPTH);
                let cap = depth.saturating_mul(2).saturating_add(4);
                if self.marks.len() >= cap {
                    return Err(Error::LimitExceeded(Limit::Depth));
                }
                self.marks.push(self.stack.len());
            }
            POP => {
                if self.marks.last() == Some(&self.stack.len()) {
                    self.marks.pop();
                } else {
                    self.pop(at)?;
                }
            }
            POP_MARK => drop(self.pop_mark(at)?),
            DUP => {
                let top = self.top(at)?;
                self.push_handle(top)?;
            }
            NONE => self.push_singleton(0, Obj::None, at)?,
            NEWTRUE => self.push_singleton(1, Obj::Bool(true), at)?,
            NEWFALSE => self.push_singleton(2, Obj::Bool(false), at)?,
            INT => {
                let obj = text::int_line(self.line(at)?).ok_or(malformed(at, "bad INT text"))?;
                self.push(obj, at)?;
            }
            LONG => {
                let obj = text::long_line(self.line(at)?).ok_or(malformed(at, "bad LONG text"))?;
                self.push(obj, at)?;
            }
            BININT => {
                let i = i32::from_le_bytes(self.fixed(at)?);
                self.push_sized(Obj::Int(Wide::new(i.into())), 0, at)?;
            }
            BININT1 => {
                let [i] = self.fixed(at)?;
                self.push_sized(Obj::Int(Wide::new(i.into())), 0, at)?;
            }
            BININT2 => {
                let i = u16::from_le_bytes(self.fixed(at)?);
                self.push_sized(Obj::Int(Wide::new(i.into())), 0, at)?;
            }
            LONG1 => {
                let n = u8::from_le_bytes(self.fixed(at)?);
                let obj = long(self.sized(n.into(), at)?);
                self.push(obj, at)?;
            }
            LONG4 => {
                let n = self.signed_len(at)?;
                let obj = long(self.sized(n, at)?);
                self.push(obj, at)?;
            }
            FLOAT => {
                let f = text::float_line(self.line(at)?).ok_or(malformed(at, "bad FLOAT text"))?;
                self.push_sized(Obj::Float(f), 0, at)?;
            }
            BINFLOAT => {
                let f = f64::from_be_bytes(self.fixed(at)?);
                self.push_sized(Obj::Float(f), 0, at)?;
            }
            STRING => {
                let raw =
                    text::string_line(self.line(at)?).ok_or(malformed(at, "bad STRING text"))?;
                self.push(Obj::Str2(Buf::Owned(raw)), at)?;
            }
            BINSTRING => {
                let n = self.signed_len(at)?;
                let raw = self.sized(n, at)?;
                self.push(Obj::Str2(Buf::Borrowed(raw)), at)?;
            }
            SHORT_BINSTRING => {
                let n = u8::from_le_bytes(self.fixed(at)?);
                let raw = self.sized(n.into(), at)?;
                self.push(Obj::Str2(Buf::Borrowed(raw)), at)?;
            }
            UNICODE => {
                let s = text::raw_unicode_escape(self.line(at)?)
                    .ok_or(malformed(at, "bad UNICODE text"))?;
                self.push(Obj::Str(Cow::Owned(s)), at)?;
            }
            SHORT_BINUNICODE => {
                let n = u8::from_le_bytes(self.fixed(at)?);
                self.utf8(n.into(), at)?;
            }
            BINUNICODE => {
                let n = u32::from_le_bytes(self.fixed(at)?);
                self.utf8(n.into(), at)?;
            }
            BINUNICODE8 => {
                let n = u64::from_le_bytes(self.fixed(at)?);
                self.utf8(n, at)?;
            }
            SHORT_BINBYTES => {
                let n = u8::from_le_bytes(self.fixed(at)?);
                let b = self.sized(n.into(), at)?;
                self.push(Obj::Bytes(Buf::Borrowed(b)), at)?;
            }
            BINBYTES => {
                let n = u32::from_le_bytes(self.fixed(at)?);
                let b = self.sized(n.into(), at)?;
                self.push(Obj::Bytes(Buf::Borrowed(b)), at)?;
            }
            BINBYTES8 => {
                let n = u64::from_le_bytes(self.fixed(at)?);
                let b = self.sized(n, at)?;
                self.push(Obj::Bytes(Buf::Borrowed(b)), at)?;
            }
            BYTEARRAY8 => {
                // Refused in every payload: the bytes are checked for length, not kept.
                let n = u64::from_le_bytes(self.fixed(at)?);
                self.sized(n, at)?;
                self.push(
                    Obj::Refused {
                        what: "bytearray",
                        hashable: false,
                    },
                    at,
                )?;
            }
            EMPTY_TUPLE => self.push(Obj::Tuple(Items::new(&[]), true), at)?,
            TUPLE => {
                let mark = self.pop_mark_start(at)?;
                self.push_tuple(mark, at)?;
            }
            TUPLE1 | TUPLE2 | TUPLE3 => {
                let start = self.pop_n_start(usize::from(op - TUPLE1) + 1, at)?;
                self.push_tuple(start, at)?;
            }
            EMPTY_LIST => {
                let h = self.heap.alloc_list(at)?;
                self.push_handle(h)?;
            }
            LIST => {
                let items = self.pop_mark(at)?;
                self.push(Obj::List(items), at)?;
            }
            APPEND => {
                let item = self.pop(at)?;
                self.append(&[item], at)?;
            }
            APPENDS => {
                let mark = self.pop_mark_start(at)?;
                self.append_from(mark, at)?;
            }
            EMPTY_DICT => {
                let h = self.heap.alloc_dict(at)?;
                self.push_handle(h)?;
            }
            DICT => {
                let mark = self.pop_mark_start(at)?;
                let entries = self.pairs(items_from(&self.stack, mark, at)?, at)?;
                self.stack.truncate(mark);
                self.push(Obj::Dict(entries), at)?;
            }
            SETITEM => {
                let start = self.pop_n_start(2, at)?;
                self.set_items_from(start, at)?;
            }
            SETITEMS => {
                let mark = self.pop_mark_start(at)?;
                self.set_items_from(mark, at)?;
            }
            EMPTY_SET => self.push(Obj::Set { frozen: false }, at)?,
            ADDITEMS => {
                let items = self.pop_mark(at)?;
                self.check_hashable(&items, at, "unhashable set item")?;
                let set = self.top(at)?;
                match self.heap.obj(set) {
                    Some(Obj::Set { frozen: false } | Obj::Placeholder(_)) => {}
                    _ => return Err(malformed(at, "ADDITEMS on an object that is not a set")),
                }
            }
            FROZENSET => {
                let items = self.pop_mark(at)?;
                self.check_hashable(&items, at, "unhashable set item")?;
                self.push(Obj::Set { frozen: true }, at)?;
            }
            PUT => {
                let i = text::index_line(self.line(at)?).ok_or(malformed(at, "bad PUT index"))?;
                self.put(i, at)?;
            }
            BINPUT => {
                let i = u8::from_le_bytes(self.fixed(at)?);
                self.put(i.into(), at)?;
            }
            LONG_BINPUT => {
                let i = u32::from_le_bytes(self.fixed(at)?);
                self.put(i.into(), at)?;
            }
            MEMOIZE => self.put(self.memo.len() as u64, at)?,
            GET => {
                let i = text::index_line(self.line(at)?).ok_or(malformed(at, "bad GET index"))?;
                self.get(i, at)?;
            }
            BINGET => {
                let i = u8::from_le_bytes(self.fixed(at)?);
                self.get(i.into(), at)?;
            }
            LONG_BINGET => {
                let i = u32::from_le_bytes(self.fixed(at)?);
                self.get(i.into(), at)?;
            }
            GLOBAL => {
                let obj = self.global_lines(at)?;
                self.push(obj, at)?;
            }
            STACK_GLOBAL => {
                let [module, name] = <[Handle; 2]>::try_from(self.pop_n(2, at)?)
                    .map_err(|_| malformed(at, "stack underflow"))?;
                let obj = match (self.heap.obj(module), self.heap.obj(name)) {
                    (Some(Obj::Str(m)), Some(Obj::Str(n))) => global(m, n),
                    _ => return Err(malformed(at, "STACK_GLOBAL needs two str items")),
                };
                self.push(obj, at)?;
            }
            REDUCE => {
                let args = self.pop(at)?;
                let callable = self.pop(at)?;
                let obj = self.call(callable, args, ops::Apply::Reduce, at)?;
                self.push(obj, at)?;
            }
            NEWOBJ => {
                let args = self.pop(at)?;
                let cls = self.pop(at)?;
                let obj = self.call(cls, args, ops::Apply::NewObj, at)?;
                self.push(obj, at)?;
            }
            NEWOBJ_EX => {
                let kwargs = self.pop(at)?;
                let args = self.pop(at)?;
                let cls = self.pop(at)?;
                match self.heap.obj(kwargs) {
                    Some(Obj::Dict(entries)) if entries.is_empty() => {}
                    _ => {
                        return Err(malformed(
                            at,
                            "NEWOBJ_EX keyword arguments are not an empty dict",
                        ))
                    }
                }
                let obj = self.call(cls, args, ops::Apply::NewObj, at)?;
                self.push(obj, at)?;
            }
            INST => {
                let cls = self.global_lines(at)?;
                let args = self.pop_mark(at)?;
                let obj = self.instantiate(cls, &args, at)?;
                self.push(obj, at)?;
            }
            OBJ => {
                let items = self.pop_mark(at)?;
                let (&cls, args) = items
                    .split_first()
                    .ok_or(malformed(at, "OBJ without a class"))?;
                // Only a class or a placeholder can be called: anything else is refused
                // before it is copied (a memo'd list would be, whole).
                let cls = match self.heap.obj(cls) {
                    Some(obj @ (Obj::Global(_) | Obj::Placeholder(_))) => obj.clone(),
                    Some(_) => {
                        return Err(malformed(
                            at,
                            "call of an object that is not a whitelisted global",
                        ))
                    }
                    None => return Err(malformed(at, "bad handle")),
                };
                let obj = self.instantiate(cls, args, at)?;
                self.push(obj, at)?;
            }
            BUILD => {
                let state = self.pop(at)?;
                let target = self.top(at)?;
                apply::build(&mut self.heap, target, state, at)?;
            }
            PERSID => {
                self.line(at)?;
                self.push(
                    Obj::Placeholder(Box::new(GlobalName::new("persistent id"))),
                    at,
                )?;
            }
            BINPERSID => {
                self.pop(at)?;
                self.push(
                    Obj::Placeholder(Box::new(GlobalName::new("persistent id"))),
                    at,
                )?;
            }
            EXT1 => self.extension::<1>(at)?,
            EXT2 => self.extension::<2>(at)?,
            EXT4 => self.extension::<4>(at)?,
            _ => {
                return Err(Error::unsupported(
                    Layer::Pickle,
                    at,
                    "opcode outside the whitelist",
                ))
            }
        }
        Ok(())
    }

    // ---- input ------------------------------------------------------------------------

    #[inline]
    fn remaining(&self) -> u64 {
        self.input.left() as u64
    }

    /// The next `N` bytes of the opcode's argument.
    #[inline]
    fn fixed<const N: usize>(&mut self, at: usize) -> Result<[u8; N]> {
        self.input.take_array().ok_or(malformed(at, "truncated"))
    }

    /// A 4-byte signed length (`BINSTRING`, `LONG4`); negative is malformed.
    fn signed_len(&mut self, at: usize) -> Result<u64> {
        u64::try_from(i32::from_le_bytes(self.fixed(at)?))
            .map_err(|_| malformed(at, "negative length"))
    }

    /// `n` bytes of data: checked against the rest of the input before anything is
    /// allocated, then against `max_str_len`.
    #[inline]
    fn sized(&mut self, n: u64, at: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(malformed(at, "length runs past the end of the input"));
        }
        let n = usize::try_from(n)
            .map_err(|_| malformed(at, "length runs past the end of the input"))?;
        if n > self.limits.max_str_len {
            return Err(Error::LimitExceeded(Limit::StrLen));
        }
        self.input.take(n).ok_or(malformed(at, "truncated"))
    }

    /// A text argument up to `\n` (not included), at most `max_str_len` bytes.
    fn line(&mut self, at: usize) -> Result<&'a [u8]> {
        let rest = self.input.remaining();
        // Only the first `max_str_len + 1` bytes are searched (all of them when fewer are
        // left): a newline further on ends a line that is too long either way.
        let window = rest
            .get(..self.limits.max_str_len.saturating_add(1))
            .unwrap_or(rest);
        match window.iter().position(|&b| b == b'\n') {
            Some(n) => {
                let line = self.input.take(n).ok_or(malformed(at, "truncated"))?;
                self.input.byte(); // the newline
                Ok(line)
            }
            None if window.len() < rest.len() => Err(Error::LimitExceeded(Limit::StrLen)),
            None => Err(malformed(at, "text argument without a newline")),
        }
    }

    #[inline(always)] // the most frequent opcode's work, kept in the loop
    fn utf8(&mut self, n: u64, at: usize) -> Result<()> {
        let raw = self.sized(n, at)?;
        // Python writes lone surrogates with 'surrogatepass'; a Rust string cannot hold them.
        let s = core::str::from_utf8(raw).map_err(|_| malformed(at, "text is not UTF-8"))?;
        self.push_sized(Obj::Str(Cow::Borrowed(s)), s.len(), at)
    }

    fn global_lines(&mut self, at: usize) -> Result<Obj<'a>> {
        let module = self.line(at)?;
        let name = self.line(at)?;
        match (core::str::from_utf8(module), core::str::from_utf8(name)) {
            (Ok(module), Ok(name)) => Ok(global(module, name)),
            _ => Err(malformed(at, "global name is not UTF-8")),
        }
    }

    fn extension<const N: usize>(&mut self, at: usize) -> Result<()> {
        self.fixed::<N>(at)?;
        self.push(
            Obj::Placeholder(Box::new(GlobalName::new("extension code"))),
            at,
        )
    }

    // ---- stack ------------------------------------------------------------------------

    /// The lowest stack index the current opcode may pop: the last MARK's, or with no MARK
    /// open the bottom of the stack.
    #[inline]
    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    #[inline]
    fn push(&mut self, obj: Obj<'a>, at: usize) -> Result<()> {
        let h = self.heap.alloc(obj, at)?;
        self.push_handle(h)
    }

    /// [`Machine::push`] of an object whose buffer is `bytes` long (0: it owns none).
    #[inline(always)] // the string and int opcodes' work, kept in place
    fn push_sized(&mut self, obj: Obj<'a>, bytes: usize, at: usize) -> Result<()> {
        let h = self.heap.alloc_sized(obj, bytes, at)?;
        self.push_handle(h)
    }

    /// `NONE`, `NEWTRUE`, `NEWFALSE`: `None`, `True` and `False` are single objects in Python,
    /// and here too: the first push of each makes its node, later ones share it (so a run of
    /// one-byte `NONE`s costs the reader a handle each, not a node). Each still counts as an
    /// item. No opcode changes them (`BUILD` refuses them), so sharing is safe.
    #[inline]
    fn push_singleton(&mut self, which: usize, obj: Obj<'a>, at: usize) -> Result<()> {
        let h = match self.singletons.get(which).copied().flatten() {
            Some(h) => {
                self.heap.charge_items(1)?;
                h
            }
            None => {
                let h = self.heap.alloc_sized(obj, 0, at)?;
                if let Some(slot) = self.singletons.get_mut(which) {
                    *slot = Some(h);
                }
                h
            }
        };
        self.push_handle(h)
    }

    #[inline]
    fn push_handle(&mut self, h: Handle) -> Result<()> {
        if self.stack.len() >= self.limits.max_items {
            return Err(Error::LimitExceeded(Limit::Items));
        }
        self.stack.push(h);
        Ok(())
    }

    fn pop(&mut self, at: usize) -> Result<Handle> {
        if self.stack.len() <= self.fence() {
            return Err(malformed(at, "stack underflow"));
        }
        self.stack.pop().ok_or(malformed(at, "stack underflow"))
    }

    #[inline]
    fn top(&self, at: usize) -> Result<Handle> {
        if self.stack.len() <= self.fence() {
            return Err(malformed(at, "stack underflow"));
        }
        self.stack
            .last()
            .copied()
            .ok_or(malformed(at, "stack underflow"))
    }

    fn pop_n(&mut self, n: usize, at: usize) -> Result<Vec<Handle>> {
        let start = self.pop_n_start(n, at)?;
        Ok(self.stack.split_off(start))
    }

    /// Where the top `n` items start, checked as [`Machine::pop_n`] checks them; they stay on
    /// the stack for the caller to read in place and then truncate.
    fn pop_n_start(&self, n: usize, at: usize) -> Result<usize> {
        let start = self
            .stack
            .len()
            .checked_sub(n)
            .filter(|&s| s >= self.fence());
        start.ok_or(malformed(at, "stack underflow"))
    }

    fn pop_mark(&mut self, at: usize) -> Result<Vec<Handle>> {
        let mark = self.pop_mark_start(at)?;
        Ok(self.stack.split_off(mark))
    }

    /// Pops the last MARK and returns where its items start, checked as
    /// [`Machine::pop_mark`] checks them; they stay on the stack for the caller to read in
    /// place and then truncate.
    fn pop_mark_start(&mut self, at: usize) -> Result<usize> {
        let mark = self.marks.pop().ok_or(malformed(at, "no MARK to pop to"))?;
        if mark > self.stack.len() {
            return Err(malformed(at, "stack underflow"));
        }
        Ok(mark)
    }

    /// The item below `start` (what [`Machine::top`] gives once the stack is cut to `start`).
    fn top_below(&self, start: usize, at: usize) -> Result<Handle> {
        if start <= self.fence() {
            return Err(malformed(at, "stack underflow"));
        }
        start
            .checked_sub(1)
            .and_then(|i| self.stack.get(i))
            .copied()
            .ok_or(malformed(at, "stack underflow"))
    }

    /// The items from `start` up leave the stack as a tuple.
    fn push_tuple(&mut self, start: usize, at: usize) -> Result<()> {
        let items = items_from(&self.stack, start, at)?;
        let hashable = items
            .iter()
            .all(|&h| self.heap.obj(h).is_some_and(Obj::hashable));
        let items = Items::new(items);
        self.stack.truncate(start);
        self.push(Obj::Tuple(items, hashable), at)
    }

    // ---- containers -------------------------------------------------------------------

    fn append(&mut self, items: &[Handle], at: usize) -> Result<()> {
        let list = self.top(at)?;
        append_to(&mut self.heap, list, items, at)
    }

    /// `APPENDS`: the items from `start` up go to the list below them, then leave the stack.
    fn append_from(&mut self, start: usize, at: usize) -> Result<()> {
        let list = self.top_below(start, at)?;
        let items = items_from(&self.stack, start, at)?;
        append_to(&mut self.heap, list, items, at)?;
        self.stack.truncate(start);
        Ok(())
    }

    fn check_hashable(&self, keys: &[Handle], at: usize, what: &'static str) -> Result<()> {
        if keys
            .iter()
            .all(|&k| self.heap.obj(k).is_some_and(Obj::hashable))
        {
            Ok(())
        } else {
            Err(malformed(at, what))
        }
    }

    /// Key/value pairs from a flat item list; keys must be hashable.
    fn pairs(&self, items: &[Handle], at: usize) -> Result<Vec<(Handle, Handle)>> {
        check_pairs(&self.heap, items, at)?;
        let mut entries = Vec::with_capacity(items.len() / 2);
        entries.extend(pairs_of(items));
        Ok(entries)
    }

    /// `SETITEM` / `SETITEMS`: the pairs from `start` up go to the dict below them, then leave
    /// the stack.
    fn set_items_from(&mut self, start: usize, at: usize) -> Result<()> {
        let items = items_from(&self.stack, start, at)?;
        check_pairs(&self.heap, items, at)?;
        let dict = self.top_below(start, at)?;
        if !self.heap.extend_dict(dict, items)? {
            match self.heap.obj(dict) {
                Some(Obj::Placeholder(_)) => {}
                _ => return Err(malformed(at, "SETITEM on an object that is not a dict")),
            }
        }
        self.stack.truncate(start);
        Ok(())
    }

    // ---- memo -------------------------------------------------------------------------

    #[inline(always)] // a call per BINPUT would cost more than the code it adds
    fn put(&mut self, index: u64, at: usize) -> Result<()> {
        if index >= self.limits.max_memo as u64 {
            return Err(Error::LimitExceeded(Limit::Memo));
        }
        let top = self.top(at)?;
        self.memo.insert(index, top);
        Ok(())
    }

    #[inline]
    fn get(&mut self, index: u64, at: usize) -> Result<()> {
        let h = self
            .memo
            .get(index)
            .ok_or(malformed(at, "memo index never put"))?;
        self.push_handle(h)
    }

    // ---- globals ----------------------------------------------------------------------

    /// `REDUCE` / `NEWOBJ`: a placeholder callable stays a placeholder; a whitelisted global is
    /// applied if `how` is its way; anything else is malformed.
    fn call(
        &mut self,
        callable: Handle,
        args: Handle,
        how: ops::Apply,
        at: usize,
    ) -> Result<Obj<'a>> {
        let global = match self.heap.obj(callable) {
            Some(Obj::Placeholder(name)) => return Ok(Obj::Placeholder(name.clone())),
            Some(Obj::Global(g)) => *g,
            _ => {
                return Err(malformed(
                    at,
                    "call of an object that is not a whitelisted global",
                ))
            }
        };
        // Whitelisted globals take at most 3 arguments: those are copied out of the heap
        // without allocating (the heap is borrowed mutably below).
        let mut inline = [0; 4];
        let mut spilled = Vec::new();
        let args: &[Handle] = match self.heap.obj(args) {
            Some(Obj::Tuple(items, _)) => match inline.get_mut(..items.as_slice().len()) {
                Some(buf) => {
                    buf.copy_from_slice(items.as_slice());
                    buf
                }
                None => {
                    spilled.extend_from_slice(items.as_slice());
                    &spilled
                }
            },
            Some(Obj::Placeholder(name)) => return Ok(Obj::Placeholder(name.clone())),
            _ => return Err(malformed(at, "call arguments are not a tuple")),
        };
        if global.apply() != how {
            return Err(malformed(at, "global applied with the wrong opcode"));
        }
        match how {
            ops::Apply::Reduce => apply::reduce(&mut self.heap, global, args, at),
            ops::Apply::NewObj => apply::new_object(&self.heap, global, args, at),
            ops::Apply::Never => Err(malformed(at, "global applied with the wrong opcode")),
        }
    }

    /// `INST` / `OBJ`: `cls(*args)`, applied the way the whitelist row says.
    fn instantiate(&mut self, cls: Obj<'a>, args: &[Handle], at: usize) -> Result<Obj<'a>> {
        match cls {
            Obj::Placeholder(name) => Ok(Obj::Placeholder(name)),
            Obj::Global(g) => match g.apply() {
                ops::Apply::Reduce => apply::reduce(&mut self.heap, g, args, at),
                ops::Apply::NewObj => apply::new_object(&self.heap, g, args, at),
                ops::Apply::Never => Err(malformed(at, "global applied with the wrong opcode")),
            },
            _ => Err(malformed(
                at,
                "call of an object that is not a whitelisted global",
            )),
        }
    }
}

/// The stack items from `start` up (`start` comes from [`Machine::pop_mark_start`] or
/// [`Machine::pop_n_start`], which checked it against the stack).
#[inline]
fn items_from(stack: &[Handle], start: usize, at: usize) -> Result<&[Handle]> {
    stack.get(start..).ok_or(malformed(at, "stack underflow"))
}

fn append_to(heap: &mut Heap<'_>, list: Handle, items: &[Handle], at: usize) -> Result<()> {
    if heap.extend_list(list, items)? {
        return Ok(());
    }
    match heap.obj(list) {
        Some(Obj::Placeholder(_)) => Ok(()),
        _ => Err(malformed(at, "APPEND to an object that is not a list")),
    }
}

/// A flat item list must be key/value pairs with hashable keys.
fn check_pairs(heap: &Heap<'_>, items: &[Handle], at: usize) -> Result<()> {
    if items.len() % 2 != 0 {
        return Err(malformed(at, "odd number of items for a dict"));
    }
    if items
        .iter()
        .step_by(2)
        .all(|&k| heap.obj(k).is_some_and(Obj::hashable))
    {
        Ok(())
    } else {
        Err(malformed(at, "unhashable dict key"))
    }
}

/// A whitelisted global, or a placeholder naming it.
fn global(module: &str, name: &str) -> Obj<'static> {
    match ops::allowed(module, name) {
        Some(row) => Obj::Global(row.global),
        None => Obj::Placeholder(Box::new(apply::placeholder_name(module, name))),
    }
}

/// `LONG1`/`LONG4` payload: little-endian two's complement; beyond 128 bits it is a
/// [`Obj::BigInt`] (no digits kept: it can never be written).
fn long(bytes: &[u8]) -> Obj<'static> {
    let negative = bytes.last().is_some_and(|&b| b & 0x80 != 0);
    let fill = if negative { 0xFF } else { 0 };
    let (low, high) = bytes.split_at(bytes.len().min(16));
    let mut buf = [fill; 16];
    if let Some(dst) = buf.get_mut(..low.len()) {
        dst.copy_from_slice(low);
    }
    let value = i128::from_le_bytes(buf);
    // The bytes above 128 bits must only repeat the sign of the value below them.
    if high.iter().all(|&b| b == fill) && (value < 0) == negative {
        Obj::Int(Wide::new(value))
    } else {
        Obj::BigInt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pickle_memo_dense_and_sparse_agree_with_a_map() {
        // Python's order, then hand-made indices: far, repeated, filled in later.
        let puts: [(u64, Handle); 9] = [
            (0, 10),
            (1, 11),
            (5, 15),
            (2, 12),
            (1, 21),
            (3, 13),
            (4, 14),
            (5, 25),
            (70_000, 7),
        ];
        let mut memo = Memo {
            dense: Vec::new(),
            sparse: Index::new(),
            shadowed: 0,
        };
        let mut map = alloc::collections::BTreeMap::new();
        for (index, h) in puts {
            memo.insert(index, h);
            map.insert(index, h);
            assert_eq!(memo.len(), map.len(), "after put {index}");
            for probe in [0, 1, 2, 3, 4, 5, 6, 70_000, u64::MAX] {
                assert_eq!(memo.get(probe), map.get(&probe).copied(), "get {probe}");
            }
        }
    }

    /// The longest pickle a legacy cookie holds at `max_cookie_len` = 64 KiB: 40 hex digits
    /// of MAC, then base64.
    const LARGEST_COOKIE_PICKLE: usize = (64 * 1024 - 40) / 4 * 3;

    /// Memo indices are the pickle's to choose: far, descending, re-put as `dense` reaches
    /// them, repeated. At the largest cookie and with the memo limit raised as far as it goes,
    /// every order reads what a map would give (no order is slow either: see
    /// `pickle::index`), and `MEMOIZE` still puts at the count of distinct indices.
    #[test]
    fn pickle_memo_hostile_index_orders_at_the_largest_cookie() {
        let mut limits = Limits::DEFAULT;
        limits.max_cookie_len = 64 * 1024;
        limits.max_memo = usize::MAX;
        limits.max_inflated_len = 64 << 20;
        let n = 5_000u32;
        let half = n / 2;
        let orders: [&dyn Fn(u32) -> u32; 4] = [
            // Below `u32::MAX`, which `max_memo = usize::MAX` refuses on 32-bit targets.
            &|i| u32::MAX - 1 - i,
            &|i| n - 1 - i,
            // Down to 0, then up again from 1: each index put sparse is put again when it is
            // the next dense one.
            &|i| if i < half { half - 1 - i } else { i - half + 1 },
            &|i| {
                if i % 2 == 0 {
                    i / 2 % 97
                } else {
                    u32::MAX - 1 - 7 * i
                }
            },
        ];
        for (which, order) in orders.iter().enumerate() {
            let mut model = alloc::collections::BTreeMap::new();
            let mut p = alloc::vec![PROTO, 4];
            for i in 0..n {
                p.push(BININT2);
                p.extend_from_slice(&(i as u16).to_le_bytes());
                p.push(LONG_BINPUT);
                p.extend_from_slice(&order(i).to_le_bytes());
                p.push(POP);
                model.insert(order(i), i);
            }
            // `MEMOIZE` puts at `len(memo)`.
            let memoized = model.len() as u32;
            p.extend_from_slice(&[BININT2, 0xFF, 0xFF, MEMOIZE, POP]);
            model.insert(memoized, 0xFFFF);
            p.push(MARK);
            let gets: Vec<u32> = (0..n).step_by(10).map(order).chain([memoized]).collect();
            for &index in &gets {
                p.push(LONG_BINGET);
                p.extend_from_slice(&index.to_le_bytes());
            }
            p.extend_from_slice(&[LIST, STOP]);
            assert!(p.len() <= LARGEST_COOKIE_PICKLE, "{} bytes", p.len());
            let objects = read(&p, &limits).unwrap().objects;
            let Some(Obj::List(items)) = objects.heap.obj(objects.root) else {
                panic!("order {which}: not a list")
            };
            let got: Vec<i128> = items
                .iter()
                .map(|&h| match objects.heap.obj(h) {
                    Some(Obj::Int(i)) => i.get(),
                    _ => panic!("order {which}: not an int"),
                })
                .collect();
            let want: Vec<i128> = gets.iter().map(|i| model[i].into()).collect();
            assert_eq!(got, want, "order {which}");
        }
    }

    fn int_of(bytes: &[u8]) -> Option<i128> {
        match long(bytes) {
            Obj::Int(i) => Some(i.get()),
            _ => None,
        }
    }

    #[test]
    fn read_long_two_complement() {
        assert_eq!(int_of(b""), Some(0));
        assert_eq!(int_of(b"\xff"), Some(-1));
        assert_eq!(int_of(b"\x00\x80"), Some(-32768));
        assert_eq!(int_of(b"\x00\x00\x00\x00\x00\x01"), Some(1 << 40));
        assert_eq!(int_of(&[0xFF; 20]), Some(-1));
        let mut max = [0xFF; 17];
        max[15] = 0x7F;
        max[16] = 0;
        assert_eq!(int_of(&max), Some(i128::MAX));
        max[16] = 0xFF;
        assert_eq!(int_of(&max), None, "sign flips above 128 bits");
        assert_eq!(
            int_of(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            None
        );
    }

    #[test]
    fn read_memo_shares_objects() {
        // [[], <same list>] with an append to the first after the second reference exists.
        let p = b"\x80\x02]q\x00(]q\x01h\x01e h\x01K\x05a0.";
        let mut p = p.to_vec();
        p.retain(|&b| b != b' ');
        let pickled = read(&p, &Limits::DEFAULT).unwrap().objects;
        let Some(Obj::List(outer)) = pickled.heap.obj(pickled.root) else {
            panic!()
        };
        assert_eq!(outer.len(), 2);
        assert_eq!(outer[0], outer[1]);
        assert!(matches!(pickled.heap.obj(outer[0]), Some(Obj::List(v)) if v.len() == 1));
    }
}
