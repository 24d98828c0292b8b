//! Tests of the crate's internal layers (zlib, the pickle reader's tables). They live here with
//! the other tests but are compiled into the library's unit tests (`#[path]` in `src/lib.rs`),
//! the only place a private module is reachable from: `cargo test --lib` runs them.

#[cfg(feature = "legacy")]
mod pickle_tables;
// Its pinned digests cover legacy cookies too, so it needs the legacy writer.
#[cfg(feature = "legacy")]
mod zlib_cookie_bytes;
mod zlib_oracle;
