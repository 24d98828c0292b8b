//! wasm32-unknown-unknown size fixture: a cdylib exporting one C-ABI function over linear
//! memory, panic = abort. By default a std module (dlmalloc, as a wasm-bindgen package gets);
//! with feature `minimal` a `#![no_std]` one, as a minimal runtime embeds the core: the same
//! dlmalloc as global allocator and a panic handler that traps, so no panic message is
//! formatted and `core::fmt` is not linked.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#![cfg_attr(feature = "minimal", no_std)]

extern crate alloc;

use alloc::vec::Vec;

mod work;

#[cfg(all(feature = "minimal", target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[cfg(all(feature = "minimal", target_arch = "wasm32"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Reads the options, cookie and clock from the caller's memory and runs [`work::run`].
///
/// # Safety
/// Each pointer must be valid for its length.
#[no_mangle]
pub unsafe extern "C" fn run(
    options: *const u8,
    options_len: usize,
    cookie: *const u8,
    cookie_len: usize,
    now: f64,
) -> u32 {
    let options = core::slice::from_raw_parts(options, options_len);
    let cookie = core::slice::from_raw_parts(cookie, cookie_len);
    match (core::str::from_utf8(options), core::str::from_utf8(cookie)) {
        (Ok(o), Ok(c)) => work::run(o, c, now),
        _ => 0,
    }
}

/// Room for the host to write the inputs (so the fixture needs no allocator export).
#[no_mangle]
pub extern "C" fn alloc_input(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len);
    let p = v.as_mut_ptr();
    core::mem::forget(v);
    p
}
