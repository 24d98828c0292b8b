//! The four cookie modes the interop tests cover, and the Beaker options each is read and
//! written with.

use beaker_session_jwt::Format;

use super::gen::Profile;
use super::oracle::Options;

/// A cookie format and the options that produce it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    JwtBson,
    JwtJson,
    LegacyPickle,
    LegacyJson,
}

/// Every mode.
pub const MODES: [Mode; 4] = [
    Mode::JwtBson,
    Mode::JwtJson,
    Mode::LegacyPickle,
    Mode::LegacyJson,
];

/// The keys a test configures.
pub struct Keys<'a> {
    /// `jwt_secret_keys`, first signs.
    pub jwt: [&'a str; 2],
    /// `original_format_validate_key`.
    pub legacy: &'a str,
    /// `original_format_remove_keys` for the legacy modes, if any.
    pub remove: Option<&'a str>,
}

impl Mode {
    /// The folder / display name (`jwt_bson`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Mode::JwtBson => "jwt_bson",
            Mode::JwtJson => "jwt_json",
            Mode::LegacyPickle => "legacy_pickle",
            Mode::LegacyJson => "legacy_json",
        }
    }

    /// The [`Format`] `decode_cookie` reports.
    pub fn format(self) -> Format {
        match self {
            Mode::JwtBson => Format::JwtBson,
            Mode::JwtJson => Format::JwtJson,
            Mode::LegacyPickle => Format::LegacyPickle,
            Mode::LegacyJson => Format::LegacyJson,
        }
    }

    /// Which values random sessions of this mode may hold.
    pub fn profile(self) -> Profile {
        match self {
            Mode::JwtBson => Profile::Bson,
            Mode::JwtJson | Mode::LegacyJson => Profile::Json,
            Mode::LegacyPickle => Profile::Pickle,
        }
    }

    /// True for the JWT modes.
    pub fn is_jwt(self) -> bool {
        matches!(self, Mode::JwtBson | Mode::JwtJson)
    }

    /// The options cookies of this mode are read with (both JWT keys configured).
    pub fn read_options(self, keys: &Keys<'_>) -> Options {
        let [k1, k2] = keys.jwt;
        let mut o = vec![
            ("session.jwt_secret_keys", format!("{k1}, {k2}")),
            (
                "session.bson_compress_jwt_payload",
                (self != Mode::JwtJson).to_string(),
            ),
        ];
        if !self.is_jwt() {
            let serializer = if self == Mode::LegacyPickle {
                "pickle"
            } else {
                "json"
            };
            o.push(("session.read_original_format", "true".into()));
            o.push(("session.original_format_validate_key", keys.legacy.into()));
            o.push(("session.original_format_data_serializer", serializer.into()));
            if let Some(remove) = keys.remove {
                o.push(("session.original_format_remove_keys", remove.into()));
            }
        }
        o.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    /// The options cookies of this mode are written with.
    pub fn write_options(self, keys: &Keys<'_>) -> Options {
        let mut o = self.read_options(keys);
        if !self.is_jwt() {
            o.push(("session.write_original_format".into(), "true".into()));
        }
        o
    }
}
