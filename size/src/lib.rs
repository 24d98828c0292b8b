//! wasm32-unknown-unknown size fixture: a cdylib exporting one C-ABI function over linear
//! memory, on std (dlmalloc, as a wasm-bindgen package gets), panic = abort.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod work;

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
