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

mod base64;
pub mod base85;
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
pub mod jwt;
#[cfg(feature = "legacy")]
#[cfg_attr(docsrs, doc(cfg(feature = "legacy")))]
pub mod legacy;
mod limits;
mod mac;
#[cfg(feature = "legacy")]
#[cfg_attr(docsrs, doc(cfg(feature = "legacy")))]
pub mod pickle;
mod session_bytes;
mod small_str;
mod stack;
mod time;
mod unix_time;
mod value;
mod view;
pub mod zlib;

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
    error::{Error, Layer, Limit, Name, Result},
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

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
