//! The build stacks the BSON, JSON and pickle readers share: values are pushed onto one flat
//! stack per kind and moved out into their container when it closes, so no reader recurses.

use alloc::vec::Vec;

/// Pushes `make()` onto `stack`, calling it once room is made, so the compiler can build the
/// element in its slot instead of in a temporary that is then copied.
#[inline(always)]
pub(crate) fn push_with<T>(stack: &mut Vec<T>, make: impl FnOnce() -> T) {
    stack.extend(core::iter::once_with(make));
}

/// The elements of `stack` from `start` on, moved out (one `memcpy`) into a `Vec` of exactly
/// their number, never the stack's own buffer, whose capacity may be far larger than the run.
/// With `take` (the outermost container of a one-shot parse: nothing is read after it) and
/// `start == 0`, the stack itself is shrunk and handed over: no second allocation, no copy.
pub(crate) fn take_from<T>(stack: &mut Vec<T>, start: usize, take: bool) -> Vec<T> {
    if start == 0 {
        if take {
            let mut all = core::mem::take(stack);
            all.shrink_to_fit();
            return all;
        }
        // Not `split_off(0)`, which hands over the stack's own buffer.
        let mut all = Vec::with_capacity(stack.len());
        all.append(stack);
        return all;
    }
    stack.split_off(start.min(stack.len()))
}
