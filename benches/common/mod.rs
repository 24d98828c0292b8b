//! Inputs shared by the benches: the cookies `benches/data/make_bench_cookies.py` wrote with
//! the Python package, and the configs they are read with (the same keys and options).
#![allow(dead_code)]

pub mod counting;

use beaker_session_jwt::{Config, Serializer};

/// The bench keys (`make_bench_cookies.py` holds the same values).
pub const KEY1: &str = "bench-key-one-0123456789";
pub const KEY2: &str = "bench-key-two-0123456789";
pub const LEGACY_KEY: &str = "bench-legacy-validate-key";

/// A cookie format, named as in the bench IDs and the `benches/data` folders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fmt {
    JwtBsz,
    JwtJson,
    LegacyPickle,
    LegacyJson,
}

pub const FORMATS: [Fmt; 4] = [
    Fmt::JwtBsz,
    Fmt::JwtJson,
    Fmt::LegacyPickle,
    Fmt::LegacyJson,
];
pub const SIZES: [&str; 3] = ["small", "medium", "large"];

impl Fmt {
    pub fn id(self) -> &'static str {
        match self {
            Fmt::JwtBsz => "jwt_bsz",
            Fmt::JwtJson => "jwt_json",
            Fmt::LegacyPickle => "legacy_pickle",
            Fmt::LegacyJson => "legacy_json",
        }
    }

    pub fn is_legacy(self) -> bool {
        matches!(self, Fmt::LegacyPickle | Fmt::LegacyJson)
    }

    /// The config the cookies of this format are read and written with: two JWT keys (the
    /// first signs), and for legacy formats `read_original_format` and `write_original_format`.
    pub fn config(self) -> Config {
        let mut c = Config::new([KEY1, KEY2]).expect("bench keys are valid");
        c.bson_compress_jwt_payload = self != Fmt::JwtJson;
        if self.is_legacy() {
            c.read_original_format = true;
            c.write_original_format = true;
            c.original_format_validate_key = Some(LEGACY_KEY.into());
            c.original_format_data_serializer = if self == Fmt::LegacyPickle {
                Serializer::Pickle
            } else {
                Serializer::Json
            };
        }
        c.validate().expect("bench config is valid");
        c
    }

    /// The cookie `case` (`small`, `medium`, `large`, `medium_rotated`, `forged`).
    pub fn cookie(self, case: &str) -> &'static str {
        let all: &[(&str, &str, &str)] = &[
            (
                "jwt_bsz",
                "small",
                include_str!("../data/jwt_bsz/small.cookie"),
            ),
            (
                "jwt_bsz",
                "medium",
                include_str!("../data/jwt_bsz/medium.cookie"),
            ),
            (
                "jwt_bsz",
                "large",
                include_str!("../data/jwt_bsz/large.cookie"),
            ),
            (
                "jwt_bsz",
                "medium_rotated",
                include_str!("../data/jwt_bsz/medium_rotated.cookie"),
            ),
            (
                "jwt_bsz",
                "forged",
                include_str!("../data/jwt_bsz/forged.cookie"),
            ),
            (
                "jwt_json",
                "small",
                include_str!("../data/jwt_json/small.cookie"),
            ),
            (
                "jwt_json",
                "medium",
                include_str!("../data/jwt_json/medium.cookie"),
            ),
            (
                "jwt_json",
                "large",
                include_str!("../data/jwt_json/large.cookie"),
            ),
            (
                "jwt_json",
                "medium_rotated",
                include_str!("../data/jwt_json/medium_rotated.cookie"),
            ),
            (
                "jwt_json",
                "forged",
                include_str!("../data/jwt_json/forged.cookie"),
            ),
            (
                "legacy_pickle",
                "small",
                include_str!("../data/legacy_pickle/small.cookie"),
            ),
            (
                "legacy_pickle",
                "medium",
                include_str!("../data/legacy_pickle/medium.cookie"),
            ),
            (
                "legacy_pickle",
                "large",
                include_str!("../data/legacy_pickle/large.cookie"),
            ),
            (
                "legacy_pickle",
                "forged",
                include_str!("../data/legacy_pickle/forged.cookie"),
            ),
            (
                "legacy_json",
                "small",
                include_str!("../data/legacy_json/small.cookie"),
            ),
            (
                "legacy_json",
                "medium",
                include_str!("../data/legacy_json/medium.cookie"),
            ),
            (
                "legacy_json",
                "large",
                include_str!("../data/legacy_json/large.cookie"),
            ),
            (
                "legacy_json",
                "forged",
                include_str!("../data/legacy_json/forged.cookie"),
            ),
        ];
        all.iter()
            .find(|(f, c, _)| *f == self.id() && *c == case)
            .map(|(_, _, cookie)| *cookie)
            .unwrap_or_else(|| panic!("no bench cookie {}/{case}", self.id()))
    }
}

/// A fixed clock for decodes (the configs set no timeout, so it is never read).
pub const NOW: f64 = 1_700_000_100.0;
