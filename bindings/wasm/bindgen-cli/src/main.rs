//! `wasm-bindgen`: the CLI of the wasm-bindgen project (crate `wasm-bindgen-cli`), the same entry
//! point its own `wasm-bindgen` binary calls, built here so that `Cargo.lock` pins every
//! dependency (`cargo install wasm-bindgen-cli --locked` cannot: the CLI's published lockfile
//! names a `webpki-roots` release that is not on the registry this project builds from).
#![forbid(unsafe_code)]

use std::process::ExitCode;

fn main() -> ExitCode {
    match wasm_bindgen_cli::wasm_bindgen::run_cli_with_args(std::env::args_os()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:?}");
            ExitCode::FAILURE
        }
    }
}
