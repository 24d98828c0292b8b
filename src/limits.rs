//! `Limits`: every bound a decode or encode can spend, its default, and why.
//!
//! Every public function that reads untrusted bytes takes a `&Limits` (directly or through
//! [`Config`](crate::Config)) and documents under `# Limits` which fields bound it.

/// Bounds on what one decode (or encode) may spend. Change a field with
/// `let mut l = Limits::default(); l.max_depth = 8;`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest cookie value accepted for reading, in bytes. Default 8192: twice the ~4 KiB a
    /// browser keeps per cookie. Reports [`Limit::CookieLen`](crate::Limit::CookieLen).
    pub max_cookie_len: usize,
    /// Longest cookie value written, in bytes. Default 4064, Beaker's own cap
    /// (`beaker/session.py`: "Cookie value is too long to store"). Reports
    /// [`Limit::WriteLen`](crate::Limit::WriteLen).
    pub max_write_len: usize,
    /// Most bytes one zlib stream may inflate to; inflation stops there and the whole decode is
    /// refused. Default 256 KiB (a full 4 KiB cookie of real session data inflates to well under
    /// 64 KiB). A legacy pickle is not inflated; it expands into the objects its reader builds,
    /// so the same bound caps the heap those objects take (each node, string, buffer and item
    /// counted as it is built, copied or grown, in fixed units that are the same on every
    /// target: 48 bytes a node, 8 an item, 16 a dict pair, plus 16 a heap block). Reports
    /// [`Limit::InflatedLen`](crate::Limit::InflatedLen).
    pub max_inflated_len: usize,
    /// Deepest nesting of documents, arrays and containers (BSON, JSON, pickle). Default 64.
    /// Reports [`Limit::Depth`](crate::Limit::Depth).
    ///
    /// The decoders and writers keep their stacks on the heap, whatever the depth; what is
    /// recursive is `Value`'s own `Drop`, `Clone`, `PartialEq` and `Debug` (and the optional
    /// `serde` and `bson` conversions), once per level. So this limit also bounds the stack an
    /// application needs to handle the sessions it decodes, which grows linearly with it
    /// (`tests/stack.rs` runs the default depth on a 256 KiB thread stack in an unoptimised
    /// build). Keep it low where stacks are small.
    pub max_depth: usize,
    /// Most values one decode may build, counting every element of every container (a pickle
    /// memo reference counts its whole value again). Default 65,536.
    /// Reports [`Limit::Items`](crate::Limit::Items).
    pub max_items: usize,
    /// Longest single string, key or binary value, in bytes. Default 256 KiB (the inflate
    /// bound). Reports [`Limit::StrLen`](crate::Limit::StrLen).
    pub max_str_len: usize,
    /// Most entries a pickle memo may hold. Default 65,536. Reports
    /// [`Limit::Memo`](crate::Limit::Memo).
    pub max_memo: usize,
    /// Most heap bytes the session one decode builds may take, charged value by value before
    /// each is stored, in fixed units that are the same on every target (a cookie that fits on
    /// one target fits on all):
    ///
    /// | charged for | bytes |
    /// |---|---|
    /// | each value's slot in a list (and the root) | 32 |
    /// | each value's slot with its key in a document | 56 |
    /// | a key or text over 22 bytes, binary data | its length + 16 |
    /// | each document or list (the block its elements move into) | 16 |
    /// | the boxed payload of a regex, DB pointer, code with scope | 48, 40, 48, each + 16 |
    ///
    /// The figures are the sizes of the values on a 64-bit target (16 being what an allocator
    /// may add to a heap block); on a 32-bit target the values are smaller, so the charge is
    /// an upper bound there too. [`charged_bytes`](crate::charged_bytes) gives a session's
    /// total. Default 256 KiB, as much as the inflate bound: every session of ordinary values
    /// a 4 KiB cookie holds fits (the widest, about 3,000 values, charges about 96 KB), while
    /// a cookie that inflates to (or, through BSON copies or pickle memo references, repeats)
    /// tens of thousands of tiny values is refused early instead of taking megabytes. Reports
    /// [`Limit::SessionBytes`](crate::Limit::SessionBytes).
    pub max_session_bytes: usize,
}

impl Limits {
    /// The hard ceiling on nesting, whatever `max_depth` says: documents, arrays and containers
    /// (BSON, JSON, pickle; the session itself is level 1) never nest deeper than this, in
    /// reading or in writing. Python's default recursion limit (1000) stops `json`, `pickle` and
    /// pymongo's C codec before this depth, so nothing Python writes or reads is refused by it.
    /// It exists because a [`Value`](crate::Value) is dropped, cloned and compared recursively.
    pub const MAX_DEPTH: usize = 1000;

    /// The defaults: they fit every real Beaker cookie with headroom.
    pub const DEFAULT: Limits = Limits {
        max_cookie_len: 8192,
        max_write_len: 4064,
        max_inflated_len: 256 * 1024,
        max_depth: 64,
        max_items: 65_536,
        max_str_len: 256 * 1024,
        max_memo: 65_536,
        max_session_bytes: 256 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
