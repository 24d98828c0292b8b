//! thumbv7em-none-eabihf size fixture: a cortex-m-rt binary with a 32 KiB `embedded-alloc`
//! heap and a halting panic handler. Inputs are read through `black_box` so nothing is folded.
#![cfg_attr(target_arch = "arm", no_std)]
#![cfg_attr(target_arch = "arm", no_main)]

#[cfg(target_arch = "arm")]
mod work;

#[cfg(target_arch = "arm")]
mod mcu {
    extern crate alloc;
    use core::{hint::black_box, mem::MaybeUninit, panic::PanicInfo, ptr::addr_of_mut};
    use cortex_m_rt::entry;
    use embedded_alloc::LlffHeap as Heap;

    #[global_allocator]
    static HEAP: Heap = Heap::empty();
    const HEAP_SIZE: usize = 32 * 1024;
    static mut HEAP_MEM: [MaybeUninit<u8>; HEAP_SIZE] = [MaybeUninit::uninit(); HEAP_SIZE];

    static OPTIONS: &str = "session.jwt_secret_keys = sample-secret-key-0123456789\n";
    static COOKIE: &str = include_str!("../../examples/sample.cookie");
    static RESULT: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

    #[entry]
    fn main() -> ! {
        // SAFETY: called once, before any allocation; HEAP_MEM is used by nothing else.
        unsafe { HEAP.init(addr_of_mut!(HEAP_MEM) as usize, HEAP_SIZE) }
        let cookie = black_box(COOKIE).trim_ascii_end();
        let n = super::work::run(black_box(OPTIONS), cookie, black_box(1.7e9));
        RESULT.store(n, core::sync::atomic::Ordering::Relaxed);
        loop {
            cortex_m::asm::wfi();
        }
    }

    #[panic_handler]
    fn panic(_: &PanicInfo<'_>) -> ! {
        cortex_m::asm::udf()
    }
}

/// On the host this binary is a stub: it exists for the thumb target only.
#[cfg(not(target_arch = "arm"))]
fn main() {}
