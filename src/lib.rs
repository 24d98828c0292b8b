//! Read and write Beaker session cookies: the HS256 JWTs of the Python package
//! beaker-session-jwt 1.0.4 and, for migration, Beaker's legacy signed cookies — with no
//! `unsafe`, no `std` requirement, and a bound on everything a hostile cookie can make us spend.
//!
//! # What is checked
//! - The MAC (HMAC-SHA256 for JWTs, HMAC-SHA1 for legacy cookies) is verified, in constant time,
//!   before any payload byte is decoded. Every configured key is tried in order; the result says
//!   which one verified.
//! - Only the JWS header `{"typ":"JWT","alg":"HS256"}` family is accepted: `none`, other
//!   algorithms, `crit` and unknown header names are refused.
//! - Every layer (base64url, base85, zlib, BSON, JSON, pickle) validates its grammar and reports
//!   a typed [`Error`] naming the [`Layer`]; nothing panics and no partial session is returned.
//! - Legacy pickles are read by an opcode whitelist that only builds data: no code runs.
//!
//! # Public API
//! The crate root is the session API: [`decode_cookie`] and [`encode_cookie`] with a
//! [`Config`] and its [`Limits`], [`Codec`] (the same with buffers kept), [`CookieSession`]
//! (Beaker's session rules), [`Session`] and [`Value`], and [`Error`]. Beside it, these modules
//! are supported API, under the crate's semver like the root:
//! - [`bson`]: BSON as pymongo 4 reads and writes it. [`bson::read`] and [`bson::write`]
//!   convert between BSON bytes and a [`Document`], every element type included;
//!   [`bson::view()`] validates the same bytes and reads them in place. Reading refuses what the
//!   BSON corpus's `decodeErrors` refuse and is bounded by [`Limits`]; writing refuses what
//!   pymongo's `bson.encode` refuses. Errors name [`Layer::Bson`].
//! - [`json`]: JSON as Python's `json` module reads and writes it. [`json::read`] is
//!   `json.loads`, bounded by [`Limits`], refusing with [`Error::Unsupported`] only what a
//!   [`Value`] cannot hold; [`json::write`] is `json.dumps` byte for byte in each
//!   [`json::Style`].
//! - `pickle` (feature `legacy`): legacy Beaker pickles. `pickle::read` is an opcode whitelist
//!   that builds data only, never imports or calls anything, and is bounded by [`Limits`];
//!   `Pickled::into_session` turns its result into a [`Session`]; `pickle::write` writes the
//!   protocol-2 pickle Python 3 writes, using only globals the reader accepts. The whitelist
//!   (both tables of SECURITY.md, "The pickle whitelist", kept equal to the code by a test) is
//!   part of the contract: widening it is a semver-relevant change.
//! - [`inspect`]: a cookie taken apart for debugging. [`inspect::inspect_cookie`] reads a cookie
//!   through the same path as [`decode_cookie`] and reports its format, the key that verified
//!   it, the size at each layer and the session; [`inspect::Inspection`] is
//!   `#[non_exhaustive]`, so fields may be added in a minor release.
//! - [`ini`]: Paste/Pyramid `.ini` files read as PasteDeploy reads them.
//!   [`ini::app_settings`] and [`ini::file_settings`] give the options an app section hands its
//!   app, ready for [`Config::from_options`]; errors name the line, section and option and
//!   never show a value that may be a key.
//! - `interop` (features `serde`, `bson`, `arbitrary`): your own types to and from a
//!   [`Session`] and Extended JSON (`serde`), the `bson` crate's `Document` (`bson`), and
//!   `Arbitrary` for [`Value`], [`Document`] and [`Limits`] for structured fuzzing
//!   (`arbitrary`).
//!
//! The other layers (the JWS, base85, zlib and the legacy cookie framing) are internal: the
//! root's functions reach each of them through a [`Config`], and they may change in any
//! release. `public-api.txt` at the repository root lists the whole public API; CI
//! (`.ci/public-api`) fails when the code and that listing differ.
//!
//! # What is bounded
//! Every allocation and every loop is bounded by a [`Limits`] value (see its fields for the
//! defaults): cookie length, inflated size, nesting depth, element count, string length, pickle
//! memo size.
//!
//! # Example
//! The Python app's options, a cookie it wrote, and one written back (a web service would use
//! [`CookieSession`], or the axum and actix-web integrations beside this crate, which follow
//! Beaker's session rules):
//!
//! ```
//! use beaker_session_jwt::{decode_cookie, encode_cookie, Config};
//!
//! let config = Config::from_options([
//!     ("session.jwt_secret_keys", "example-secret-0123456789"),
//!     ("session.timeout", "3600"),
//! ])?;
//! let from_python = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJic1oiOiJjLWorWVV8P1Y-RWx3P0JVOyhsY1F4WHslMDMwO317eyJ9.kPnGAIq44admir72EPj5tvEt9DbcKb7fopmdEHc0OnM";
//! let mut session = decode_cookie(from_python, &config, 1_700_000_000.0)?.session;
//! assert_eq!(session.get("user").and_then(|v| v.as_str()), Some("ada"));
//!
//! session.insert("visits", 1);
//! let cookie = encode_cookie(&session, &config)?; // the Python app reads it back
//! # assert_eq!(decode_cookie(&cookie, &config, 0.0)?.session, session);
//! # Ok::<(), beaker_session_jwt::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms, unreachable_pub)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// Declares an internal layer: private, except in a cargo-fuzz build (`--cfg fuzzing`), where
/// it is public but hidden so that the fuzz targets can drive it directly. Its items are `pub`
/// for that build; in every other build they are reachable from this crate only.
macro_rules! internal_layer {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        #[cfg(fuzzing)]
        #[doc(hidden)]
        pub mod $name;
        $(#[$attr])*
        #[cfg(not(fuzzing))]
        #[allow(unreachable_pub)]
        mod $name;
    };
}

mod base64;
internal_layer!(base85);
pub mod bson;
mod civil;
mod codec;
mod config;
mod cookie;
mod cookie_session;
mod error;
mod header;
pub mod ini;
pub mod inspect;
pub mod json;
internal_layer!(jwt);
internal_layer!(
    #[cfg(feature = "legacy")]
    legacy
);
mod limits;
mod mac;
#[cfg(feature = "legacy")]
#[cfg_attr(docsrs, doc(cfg(feature = "legacy")))]
pub mod pickle;
mod reader;
mod session_bytes;
mod small_str;
mod stack;
mod time;
mod unix_time;
mod value;
mod view;
internal_layer!(zlib);

#[cfg(any(feature = "arbitrary", feature = "bson", feature = "serde"))]
pub mod interop;

pub use crate::{
    codec::Codec,
    config::{Config, CookieExpires, SecretKey, Serializer, TimeMode, MIN_KEY_LEN},
    cookie::{
        decode_cookie, decode_cookie_or_empty, encode_cookie, migrate_cookie, Decoded, Format,
        Migrated,
    },
    cookie_session::{CookieSession, Env, LazySession},
    error::{Error, Layer, Limit, Name, RefusedGlobal, Result},
    header::{cookie_from_header, set_cookie_value},
    limits::Limits,
    session_bytes::charged_bytes,
    unix_time::UnixTime,
    value::{CodeWithScope, DbPointer, Document, Regex, Session, Str, Value},
    view::{Field, SessionView},
};

#[cfg(feature = "std")]
pub use crate::cookie_session::SystemEnv;
#[cfg(feature = "serde")]
pub use crate::interop::natural::{
    from_session, from_value, to_session, to_value, DateTime, ObjectId,
};

/// Tests of the internal layers, kept in `tests/internal/` beside the integration tests.
#[cfg(all(test, feature = "std"))]
#[path = "../tests/internal/mod.rs"]
mod internal_tests;

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
