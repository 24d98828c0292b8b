//! A counting global allocator: per-thread allocation count, bytes live and peak bytes live.
//!
//! Shared by the benches (`benches/alloc.rs` reports per-operation figures) and by
//! `tests/alloc_free_rejection.rs` (asserts zero allocations). Counters are thread-local, so
//! other threads (the test harness, criterion's) never disturb a measurement.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The allocator to install with `#[global_allocator]`.
pub struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grew(by: usize) {
    // `try_with`: during thread teardown the counters may be gone; the allocation still works.
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
    let _ = LIVE.try_with(|live| {
        let now = live.get().saturating_add(by);
        live.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

fn shrank(by: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(by)));
}

// SAFETY: every method forwards to `System` with the caller's own arguments; the counters
// touch only const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrank(layout.size());
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A realloc counts as one allocation of the new size, the old block freed.
        shrank(layout.size());
        grew(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

/// What one closure allocated on this thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    /// Calls to `alloc`, `alloc_zeroed` and `realloc`.
    pub allocs: u64,
    /// Highest bytes live during the closure, above what was live before it.
    pub peak: usize,
}

/// Runs `f` once and reports what it allocated on this thread.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Usage) {
    let start_live = LIVE.with(Cell::get);
    let start_allocs = ALLOCS.with(Cell::get);
    PEAK.with(|p| p.set(start_live));
    let out = f();
    let usage = Usage {
        allocs: ALLOCS.with(Cell::get) - start_allocs,
        peak: PEAK.with(Cell::get) - start_live,
    };
    (out, usage)
}
