//! The one byte cursor the binary readers (BSON, its view, pickle) read their input with: a
//! window over `&[u8]` that every read shrinks by a checked split, so no input can make a read
//! panic or run past the window (modelled on rustls' `msgs/codec.rs` `Reader`).
//!
//! A read that does not fit returns `None` and leaves the cursor where it was; each layer
//! turns that into its own [`Error`](crate::Error) at [`Reader::offset`].

/// A cursor over the unread part of a window of a layer's input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    /// The bytes not read yet.
    rest: &'a [u8],
    /// Offset, in the layer's input, of the byte just past the window: the offset of the
    /// cursor is `end - rest.len()`, so a read only moves `rest`.
    end: usize,
}

impl<'a> Reader<'a> {
    /// A cursor at the start of `input` (offset 0).
    #[inline]
    pub(crate) const fn new(input: &'a [u8]) -> Reader<'a> {
        Reader {
            rest: input,
            end: input.len(),
        }
    }

    /// Offset of the next byte in the layer's input (a sub-reader continues its parent's
    /// offsets).
    #[inline]
    pub(crate) fn offset(&self) -> usize {
        // `rest` is a suffix of the window that ends at `end`, so this never wraps.
        self.end.wrapping_sub(self.rest.len())
    }

    /// Bytes left in the window.
    #[inline]
    pub(crate) fn left(&self) -> usize {
        self.rest.len()
    }

    /// True when bytes are left in the window.
    #[inline]
    #[cfg_attr(not(feature = "legacy"), allow(dead_code))] // used by the pickle reader only
    pub(crate) fn any_left(&self) -> bool {
        !self.rest.is_empty()
    }

    /// The unread bytes, without moving.
    #[inline]
    #[cfg_attr(not(feature = "legacy"), allow(dead_code))] // used by the pickle reader only
    pub(crate) fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// The unread bytes; the cursor moves to the end of the window.
    #[inline]
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.rest)
    }

    /// The next byte, without moving.
    #[inline]
    #[cfg_attr(not(feature = "legacy"), allow(dead_code))] // used by the pickle reader only
    pub(crate) fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next byte.
    #[inline]
    pub(crate) fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(b)
    }

    /// The next `n` bytes.
    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (taken, rest) = self.rest.split_at_checked(n)?;
        self.rest = rest;
        Some(taken)
    }

    /// The next `N` bytes, copied.
    #[inline]
    pub(crate) fn take_array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (taken, rest) = self.rest.split_first_chunk::<N>()?;
        self.rest = rest;
        Some(*taken)
    }

    /// The next `N` bytes, copied, without moving.
    #[inline]
    pub(crate) fn peek_array<const N: usize>(&self) -> Option<[u8; N]> {
        self.rest.first_chunk::<N>().copied()
    }

    /// The bytes before the next `delim`; the cursor moves past the `delim`.
    #[inline]
    pub(crate) fn take_until(&mut self, delim: u8) -> Option<&'a [u8]> {
        let n = self.rest.iter().position(|&b| b == delim)?;
        let (taken, rest) = self.rest.split_at_checked(n)?;
        self.rest = rest.split_first()?.1;
        Some(taken)
    }

    /// A cursor over the next `n` bytes, whose offsets continue this one's; this one moves
    /// past them.
    #[inline]
    pub(crate) fn sub(&mut self, n: usize) -> Option<Reader<'a>> {
        let start = self.offset();
        let rest = self.take(n)?;
        Some(Reader {
            rest,
            end: start.checked_add(n)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_reads_and_refuses_without_moving() {
        let mut r = Reader::new(b"\x01\x02\x03\x04abc\0rest");
        assert_eq!(r.offset(), 0);
        assert_eq!(r.peek(), Some(1));
        assert_eq!(r.byte(), Some(1));
        assert_eq!(r.peek_array::<2>(), Some([2, 3]));
        assert_eq!(r.take_array::<2>(), Some([2, 3]));
        assert_eq!(r.take(1), Some(&b"\x04"[..]));
        assert_eq!(r.offset(), 4);
        assert_eq!(r.take_until(0), Some(&b"abc"[..]));
        assert_eq!(r.offset(), 8);
        assert_eq!(r.take_until(0), None);
        assert_eq!(r.take(5), None);
        assert_eq!(r.take_array::<5>(), None);
        assert_eq!(r.peek_array::<5>(), None);
        assert_eq!(r.offset(), 8);
        assert_eq!(r.left(), 4);
        assert_eq!(r.remaining(), b"rest");
        assert!(r.any_left());
        assert_eq!(r.rest(), b"rest");
        assert!(!r.any_left());
        assert_eq!((r.byte(), r.peek(), r.offset()), (None, None, 12));
        assert_eq!(r.take(0), Some(&b""[..]));
    }

    #[test]
    fn reader_sub_continues_offsets_and_stays_in_its_window() {
        let mut r = Reader::new(b"0123456789");
        r.take(2);
        let mut sub = r.sub(5).unwrap();
        assert_eq!(r.offset(), 7);
        assert_eq!(sub.offset(), 2);
        assert_eq!(sub.take(6), None);
        assert_eq!(sub.take_until(b'9'), None);
        assert_eq!(sub.take(3), Some(&b"234"[..]));
        assert_eq!(sub.offset(), 5);
        assert_eq!(sub.rest(), b"56");
        assert_eq!(sub.offset(), 7);
        assert!(r.sub(4).is_none());
        assert_eq!(r.offset(), 7);
    }
}
