//! Cortex-M4F firmware (thumbv7em-none-eabihf): a fixed 16 KiB heap (`embedded-alloc`'s
//! linked-list allocator), verify a Beaker session cookie, read `user_id`. The result goes to a
//! static a debugger can read (`RESULT`: the user id, or -1 when the cookie is refused or the id is beyond `i32`).
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
mod app;

#[cfg(target_os = "none")]
mod firmware {
    use super::app;
    use core::{
        hint::black_box,
        mem::MaybeUninit,
        panic::PanicInfo,
        ptr::addr_of_mut,
        sync::atomic::{AtomicI32, Ordering},
    };
    use cortex_m_rt::entry;
    use embedded_alloc::LlffHeap as Heap;

    #[global_allocator]
    static HEAP: Heap = Heap::empty();
    static mut HEAP_MEM: [MaybeUninit<u8>; app::HEAP_SIZE] =
        [MaybeUninit::uninit(); app::HEAP_SIZE];

    /// The user id read from the cookie, -1 if it was refused (0 until main has run).
    #[no_mangle]
    static RESULT: AtomicI32 = AtomicI32::new(0);

    #[entry]
    fn main() -> ! {
        // SAFETY: called once, before the first allocation; nothing else uses HEAP_MEM.
        unsafe { HEAP.init(addr_of_mut!(HEAP_MEM) as usize, app::HEAP_SIZE) }
        // black_box: the cookie stands for one received at run time, so nothing is folded.
        let id = app::user_id(
            black_box(app::COOKIE),
            &app::KEYS,
            black_box(app::NOW_UNIX_SECS),
        );
        RESULT.store(
            id.ok().and_then(|n| i32::try_from(n).ok()).unwrap_or(-1),
            Ordering::Relaxed,
        );
        loop {
            cortex_m::asm::wfi();
        }
    }

    #[panic_handler]
    fn panic(_: &PanicInfo<'_>) -> ! {
        // The core never panics on input; this is only the language's requirement.
        cortex_m::asm::udf()
    }
}

/// On the host, see `examples/heap_report.rs`: this binary is the firmware.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("build with --target thumbv7em-none-eabihf; on the host run --example heap_report");
}
