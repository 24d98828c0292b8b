//! What building an owned session costs, split up: is it the allocator, the drop, or the
//! values themselves? The answer decides whether an arena-backed session (every container in
//! one block) could bring the owned decode to the floor, or only a lazy view can.
//!
//! For each cookie of `benches/cookie.rs`, with one warm [`Codec`]:
//! - `arena/<format>/<size>/system`: `Codec::decode_cookie` and the drop of its result, with
//!   the system allocator (the same work as `codec_decode/<format>/<size>`);
//! - `.../system_no_drop`: the same, the result dropped outside the timed region;
//! - `.../bump_no_drop`: the decode alone, every allocation it makes served by a bump
//!   allocator (a pointer increment; freeing is a no-op and the region is reset after each
//!   decode), the result dropped outside the timed region. That is the best any arena could
//!   do while building the same values: allocation and freeing cost nothing.
//!
//! Compare with `floor/<format>/<size>` (`benches/floor.rs`) and `view/jwt_bsz/<size>`
//! (`benches/cookie.rs`); `benches/compare.py --arena` prints the table. The bump region is
//! only used by the measuring thread while a decode runs; a decode that keeps a block of it
//! alive (a `Codec` buffer grown during the measured decode) aborts the bench rather than
//! measure on reused memory.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use beaker_session_jwt::Codec;
use criterion::{criterion_group, criterion_main, Criterion};

use common::{FORMATS, NOW, SIZES};

/// Bytes of the bump region: far more than one decode of a 4 KB cookie allocates.
const REGION: usize = 64 << 20;

thread_local! {
    /// Start of this thread's bump region (0: none yet).
    static BASE: Cell<usize> = const { Cell::new(0) };
    /// Next free byte of the region.
    static TOP: Cell<usize> = const { Cell::new(0) };
    /// Whether this thread's allocations are served from the region.
    static ON: Cell<bool> = const { Cell::new(false) };
    /// Blocks of the region not yet freed.
    static LIVE: Cell<usize> = const { Cell::new(0) };
}

struct Bump;

fn in_region(p: *mut u8) -> bool {
    let base = BASE.try_with(Cell::get).unwrap_or(0);
    base != 0 && (p as usize) >= base && (p as usize) < base + REGION
}

fn bump_on() -> bool {
    ON.try_with(Cell::get).unwrap_or(false)
}

/// A block of `layout` from the region, or null when it is full.
fn bump(layout: Layout) -> *mut u8 {
    let (base, top) = (BASE.with(Cell::get), TOP.with(Cell::get));
    let start = (top + layout.align() - 1) & !(layout.align() - 1);
    match start.checked_add(layout.size()) {
        Some(end) if end <= base + REGION => {
            TOP.with(|t| t.set(end));
            LIVE.with(|l| l.set(l.get() + 1));
            start as *mut u8
        }
        _ => std::ptr::null_mut(),
    }
}

// SAFETY: outside bump mode every call goes to `System` unchanged. In bump mode a block is a
// fresh, aligned, in-bounds range of the region (which `System` allocated and never frees);
// the region is only reset when no block of it is live (`reset` checks), so no live block is
// ever handed out twice.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if bump_on() {
            bump(layout)
        } else {
            System.alloc(layout)
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if in_region(p) {
            LIVE.with(|l| l.set(l.get() - 1));
        } else {
            System.dealloc(p, layout)
        }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !bump_on() && !in_region(p) {
            return System.realloc(p, layout, new_size);
        }
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        let q = if bump_on() {
            bump(new_layout)
        } else {
            System.alloc(new_layout)
        };
        if !q.is_null() {
            std::ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
            self.dealloc(p, layout);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Bump = Bump;

/// Serves this thread's allocations from the region until [`bump_stop`].
fn bump_start() {
    if BASE.with(Cell::get) == 0 {
        let layout = Layout::from_size_align(REGION, 4096).expect("region layout");
        // SAFETY: a non-zero size; the block is never freed (it is the bench's arena).
        let base = unsafe { System.alloc(layout) } as usize;
        assert!(base != 0, "bump region allocation failed");
        BASE.with(|b| b.set(base));
        TOP.with(|t| t.set(base));
    }
    ON.with(|on| on.set(true));
}

fn bump_stop() {
    ON.with(|on| on.set(false));
}

/// Empties the region; aborts if a block of it is still live.
fn reset() {
    let live = LIVE.with(Cell::get);
    assert_eq!(live, 0, "a block of the bump region outlived its decode");
    TOP.with(|t| t.set(BASE.with(Cell::get)));
}

fn arena(c: &mut Criterion) {
    let mut g = c.benchmark_group("arena");
    for fmt in FORMATS {
        let config = fmt.config();
        for size in SIZES {
            let cookie = fmt.cookie(size);
            let mut codec = Codec::new();
            // Warm: the codec's buffers reach their steady capacity outside the region.
            for _ in 0..3 {
                codec
                    .decode_cookie(cookie, &config, NOW)
                    .expect("bench cookie decodes");
            }
            let id = format!("{}/{size}", fmt.id());
            g.bench_function(format!("{id}/system"), |b| {
                b.iter(|| codec.decode_cookie(black_box(cookie), &config, NOW))
            });
            g.bench_function(format!("{id}/system_no_drop"), |b| {
                b.iter_with_large_drop(|| codec.decode_cookie(black_box(cookie), &config, NOW))
            });
            g.bench_function(format!("{id}/bump_no_drop"), |b| {
                b.iter_custom(|iters| {
                    let mut spent = Duration::ZERO;
                    for _ in 0..iters {
                        bump_start();
                        let start = Instant::now();
                        let out = codec.decode_cookie(black_box(cookie), &config, NOW);
                        spent += start.elapsed();
                        assert!(out.is_ok(), "bench cookie decodes");
                        drop(black_box(out));
                        bump_stop();
                        reset();
                    }
                    spent
                })
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = arena
}
criterion_main!(benches);
