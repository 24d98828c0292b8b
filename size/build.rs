//! Links the thumb binary with cortex-m-rt's `link.x` and our `memory.x`; nothing for wasm.
use std::{env, fs, path::PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");
    if env::var("TARGET").is_ok_and(|t| t.starts_with("thumb")) {
        let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
        fs::copy("memory.x", out.join("memory.x")).unwrap();
        println!("cargo:rustc-link-search={}", out.display());
        println!("cargo:rustc-link-arg-bins=-Tlink.x");
    }
}
