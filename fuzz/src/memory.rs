//! The counting global allocator of every fuzz target, and the bound one decode's peak heap must
//! stay under, checked while fuzzing. The counter and the
//! bound are `tests/memory.rs`'s, copied: the same `realloc` accounting, the same terms.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use beaker_session_jwt::{Config, Limits, Serializer};

/// Counts live heap bytes and the highest count since the last reset. A `realloc` is counted
/// as the new block allocated before the old one is freed (the worst moment of a moving
/// realloc).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let live = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// The only `unsafe` of the fuzz crate, as in `tests/memory.rs`.
// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grow(new_size);
        let out = System.realloc(ptr, layout, new_size);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        out
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result and the peak heap above what was live when it started.
/// libFuzzer runs the target on one thread, and its own (C++) allocations do not go through
/// Rust's global allocator, so nothing else is counted.
pub fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

/// What one decode under `config` may hold at its peak: `tests/memory.rs`'s `Bound`, its terms
/// summed for the layers `config` reads.
/// - Every decode: `fixed` (8 × `max_cookie_len` + 64 KiB: the cookie's decoded copies, one
///   inflater state, parser stacks, allocator slack).
/// - A JWT (and a legacy JSON cookie): the inflate output and the buffer it grew from
///   (2 × (`max_inflated_len` + 1)), the strings copied out of it (`max_inflated_len`), the
///   session and its build stacks (3 × `max_session_bytes`).
/// - A legacy pickle (`read_original_format` with the pickle serializer): the reader's heap
///   (2 × `max_inflated_len` + 24 × `max_cookie_len`) and the session (3 ×
///   `max_session_bytes`); the bound is the larger of this and the JWT one, since such a
///   config reads both.
///
/// With the default limits: 1,703,938 bytes for a JWT config, 1,638,400 for a pickle decode.
pub fn decode_bound(config: &Config) -> usize {
    let l: &Limits = &config.limits;
    let fixed = 8 * l.max_cookie_len + 64 * 1024;
    let session = 3 * l.max_session_bytes;
    let jwt = fixed + (l.max_inflated_len + 1) * 2 + l.max_inflated_len + session;
    let pickle = fixed + 2 * l.max_inflated_len + 24 * l.max_cookie_len + session;
    let reads_pickle =
        config.read_original_format && config.original_format_data_serializer == Serializer::Pickle;
    if reads_pickle {
        jwt.max(pickle)
    } else {
        jwt
    }
}

/// Runs `decode` (one decode under `config`) and fails the run if its peak heap passes
/// [`decode_bound`]; `what` names the call in the panic.
pub fn bounded<T>(config: &Config, what: &str, decode: impl FnOnce() -> T) -> T {
    let (out, peak) = peak_of(decode);
    let bound = decode_bound(config);
    assert!(
        peak <= bound,
        "{what}: peak heap {peak} bytes over the bound {bound}"
    );
    out
}
