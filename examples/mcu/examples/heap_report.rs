//! Host measurement of the firmware's heap: runs `app::user_id` with its allocations routed to
//! an `embedded-alloc` `LlffHeap` (the firmware's allocator) over an arena of the firmware's
//! size, and reports the peak `used()` of that heap and the smallest arena in which the work
//! still succeeds (found by bisection). Everything outside the measured call (std's own
//! allocations) goes to the system allocator.

#[allow(dead_code)]
#[path = "../src/app.rs"]
mod app;

use embedded_alloc::LlffHeap;
use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};

/// The heap being measured, or null (system allocator).
static ACTIVE: AtomicPtr<LlffHeap> = AtomicPtr::new(null_mut());
static ARENA_START: AtomicUsize = AtomicUsize::new(0);
static ARENA_END: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static OVERFLOW: AtomicBool = AtomicBool::new(false);
static LARGEST: AtomicUsize = AtomicUsize::new(0);
static COUNT: AtomicUsize = AtomicUsize::new(0);

struct Router;

unsafe impl GlobalAlloc for Router {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let heap = ACTIVE.load(Ordering::SeqCst);
        if heap.is_null() {
            return System.alloc(layout);
        }
        let p = (*heap).alloc(layout);
        if p.is_null() {
            // Out of the firmware's heap: note it, and let the run finish on the system heap.
            OVERFLOW.store(true, Ordering::SeqCst);
            return System.alloc(layout);
        }
        PEAK.fetch_max((*heap).used(), Ordering::SeqCst);
        LARGEST.fetch_max(layout.size(), Ordering::SeqCst);
        COUNT.fetch_add(1, Ordering::SeqCst);
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let a = ptr as usize;
        if a >= ARENA_START.load(Ordering::SeqCst) && a < ARENA_END.load(Ordering::SeqCst) {
            // Only ever reached while ACTIVE holds the arena's heap (every measured value is
            // dropped inside `measure`).
            (*ACTIVE.load(Ordering::SeqCst)).dealloc(ptr, layout)
        } else {
            System.dealloc(ptr, layout)
        }
    }
}

#[global_allocator]
static GLOBAL: Router = Router;

/// Runs the firmware's work on a fresh `LlffHeap` of `size` bytes: (result, peak used, fit).
fn measure(size: usize) -> (Result<i64, beaker_session_jwt::Error>, usize, bool) {
    // Allocated from the system heap before the arena is switched on, and leaked on purpose:
    // a bisection makes a few dozen.
    let arena: &'static mut [u8] = Box::leak(vec![0u8; size].into_boxed_slice());
    let heap: &'static LlffHeap = Box::leak(Box::new(LlffHeap::empty()));
    // SAFETY: the arena is ours alone, unused, and lives forever.
    unsafe { heap.init(arena.as_mut_ptr() as usize, size) }
    ARENA_START.store(arena.as_ptr() as usize, Ordering::SeqCst);
    ARENA_END.store(arena.as_ptr() as usize + size, Ordering::SeqCst);
    PEAK.store(0, Ordering::SeqCst);
    OVERFLOW.store(false, Ordering::SeqCst);
    LARGEST.store(0, Ordering::SeqCst);
    COUNT.store(0, Ordering::SeqCst);
    ACTIVE.store(heap as *const LlffHeap as *mut LlffHeap, Ordering::SeqCst);
    let result = app::user_id(app::COOKIE, &app::KEYS, app::NOW_UNIX_SECS);
    ACTIVE.store(null_mut(), Ordering::SeqCst);
    let left = heap.used();
    ARENA_START.store(0, Ordering::SeqCst);
    ARENA_END.store(0, Ordering::SeqCst);
    assert_eq!(left, 0, "the work leaked {left} bytes of the arena");
    (
        result,
        PEAK.load(Ordering::SeqCst),
        !OVERFLOW.load(Ordering::SeqCst),
    )
}

fn main() {
    let (result, peak, fits) = measure(app::HEAP_SIZE);
    let (largest, count) = (LARGEST.load(Ordering::SeqCst), COUNT.load(Ordering::SeqCst));
    assert_eq!(
        result,
        Ok(1234),
        "the cookie must verify and hold user_id 1234"
    );
    assert!(
        fits,
        "the work does not fit the firmware's {} byte heap",
        app::HEAP_SIZE
    );
    // The smallest arena that works (first-fit can need more than the peak of `used()`).
    let (mut lo, mut hi) = (0usize, app::HEAP_SIZE);
    while hi - lo > 8 {
        let mid = (lo + hi) / 2;
        let (r, _, fits) = measure(mid);
        if fits && r == Ok(1234) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let forged = {
        let mut c = String::from(app::COOKIE.trim());
        c.pop();
        c.push('A');
        c
    };
    let refused = app::user_id(&forged, &app::KEYS, app::NOW_UNIX_SECS).is_err();
    println!("heap given to the firmware:       {} bytes", app::HEAP_SIZE);
    println!("peak LlffHeap::used() while verifying: {peak} bytes");
    println!("smallest LlffHeap arena that works:    {hi} bytes (+-8)");
    println!("allocations: {count}, the largest {largest} bytes");
    println!("user_id read: {}", result.unwrap_or(-1));
    println!("forged cookie refused: {refused}");
    assert!(refused);
}
