//! A cookie taken apart for a person debugging it: its format, the key that verified it, the
//! JWS header, the size at each layer, the session and the timeout check — and, on request,
//! all of that for a cookie whose MAC is not checked.
//!
//! The session comes from the read path of [`decode_cookie`](crate::decode_cookie), the same
//! functions: a verified inspection runs it on the cookie; an unverified one re-signs the
//! cookie's own bytes with a throwaway key, in memory, and runs it on that, so every layer
//! check (JWS header, base85, zlib, BSON, JSON, the pickle whitelist) still applies and no
//! pickle code ever runs. Only the MAC is skipped.

use alloc::string::String;
use alloc::vec;

use crate::base64;
use crate::base85;
use crate::config::{Config, SecretKey, Valid};
use crate::cookie::{self, CookieValue, Decoded, Format, Scratch, BSZ};
use crate::error::{Error, Layer, Result};
use crate::json;
#[cfg(feature = "legacy")]
use crate::legacy::{self, SIG_LEN};
use crate::mac;
use crate::time;
use crate::unix_time::UnixTime;
use crate::value::Session;
use crate::zlib;

/// The key an unverified inspection re-signs the cookie with. It never leaves
/// [`inspect_cookie`]: the re-signed value is decoded at once and dropped.
const UNVERIFIED_KEY: &[u8] = b"beaker-session-jwt inspect: this MAC was not checked";

/// What [`inspect_cookie`] found.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Inspection {
    /// The format the cookie came in.
    pub format: Format,
    /// The key that verified the MAC: an index in `jwt_secret_keys` for the JWT formats, `0`
    /// (`original_format_validate_key`) for the legacy ones. `None` when the MAC was not
    /// checked: the session is then UNVERIFIED, anyone could have written it.
    pub key_index: Option<usize>,
    /// The JWS protected header, as the JSON text the cookie carries (`None` for legacy
    /// cookies).
    pub header: Option<String>,
    /// Length of the cookie value (surrounding double quotes stripped).
    pub cookie_len: usize,
    /// Bytes under the MAC once base64-decoded: the JWS payload (the JSON claims), or a legacy
    /// cookie's pickle or zlib stream.
    pub payload_len: usize,
    /// Length of the zlib stream: the `bsZ` claim once base85-decoded, or a legacy JSON
    /// cookie's payload. `None` when the format has none (JSON claims, a pickle, a `bsZ` that
    /// is absent or empty).
    pub compressed_len: Option<usize>,
    /// Length of what the zlib stream inflates to (the BSON document, or the legacy JSON
    /// text). `None` when [`compressed_len`](Self::compressed_len) is.
    pub inflated_len: Option<usize>,
    /// The session, exactly as [`decode_cookie`](crate::decode_cookie) returns it.
    pub session: Session,
    /// The `timeout` check at `now`, reported instead of refusing the cookie: `None` when
    /// `config.timeout` is unset, else `Ok(())`, `Err(Error::Expired)`, or the error a
    /// mistyped `_accessed_time` gives.
    pub timeout: Option<Result<()>>,
}

/// Takes a cookie apart: see [`Inspection`] for what is reported.
///
/// With `verify == true` the cookie is read exactly as
/// [`decode_cookie`](crate::decode_cookie) reads it with `config`, except that an expired
/// session is reported in [`Inspection::timeout`] rather than refused.
///
/// With `verify == false` the MAC is NOT checked: the session is whatever the cookie holds,
/// written by anyone, and [`Inspection::key_index`] is `None`. Nothing else is skipped: the
/// JWS header rules, every layer's grammar, the pickle whitelist (no pickle code runs, as
/// always) and every [`Limits`](crate::Limits) bound apply. The keys in `config` are not used
/// (`jwt_secret_keys` may be empty; the rest of `config` is validated as usual). A value that
/// is not a well-formed JWS is read as a legacy cookie with `original_format_data_serializer`,
/// whether or not `read_original_format` is on.
///
/// # Errors
/// As [`decode_cookie`](crate::decode_cookie), except [`Error::Expired`]. With
/// `verify == false`, never [`Error::BadSignature`]; a legacy value shorter than its 40-hex
/// signature is [`Error::Malformed`] in [`Layer::LegacyMac`].
///
/// # Limits
/// All of `config.limits`, as [`decode_cookie`](crate::decode_cookie) (`max_cookie_len` of the
/// value with its surrounding quotes stripped); the layers are decoded a second time to
/// measure them, under the same bounds.
pub fn inspect_cookie(
    value: &str,
    config: &Config,
    verify: bool,
    now: impl Into<UnixTime>,
) -> Result<Inspection> {
    let now_unix_secs = now.into().as_secs_f64();
    let (value, decoded, key_index) = if verify {
        let (value, valid) = cookie::admit(value, config)?;
        // Untimed: the timeout is reported below instead of refusing the cookie.
        let decoded = cookie::decode_untimed(&mut Scratch::new(), value, valid)?;
        let key_index = decoded.key_index;
        (value, decoded, Some(key_index))
    } else {
        // The throwaway config is the one validated: the caller's keys may be absent.
        let c = unverified_config(config);
        let (value, valid) = cookie::admit(value, &c)?;
        (value, decode_unverified(value, valid)?, None)
    };
    let value = value.as_str();
    let sizes = measure(value, decoded.format, config)?;
    let timeout = config.timeout.map(|timeout| {
        time::check_timeout(&decoded.session, timeout, now_unix_secs, config.time_mode)
    });
    Ok(Inspection {
        format: decoded.format,
        key_index,
        header: sizes.header,
        cookie_len: value.len(),
        payload_len: sizes.payload_len,
        compressed_len: sizes.compressed_len,
        inflated_len: sizes.inflated_len,
        session: decoded.session,
        timeout,
    })
}

/// `config` with the throwaway key in every key slot, no timeout, nothing written.
fn unverified_config(config: &Config) -> Config {
    let mut c = config.clone();
    c.jwt_secret_keys = vec![SecretKey::new(UNVERIFIED_KEY)];
    c.original_format_validate_key = Some(SecretKey::new(UNVERIFIED_KEY));
    c.read_original_format = false;
    c.write_original_format = false;
    c.timeout = None;
    c
}

/// Decodes an admitted value without the MAC, under the [`unverified_config`]: JWT first,
/// then legacy when the JWT reader refuses the value the way that makes `decode_cookie` try
/// legacy. The re-signed value is admitted in turn (its signature segment may be longer than
/// the one it replaces).
fn decode_unverified(value: CookieValue<'_>, c: Valid<'_>) -> Result<Decoded> {
    if let Some(token) = resign_jwt(value.as_str()) {
        let token = CookieValue::admit(&token, c, Layer::Cookie)?;
        match cookie::decode_untimed(&mut Scratch::new(), token, c) {
            Err(e) if cookie::falls_through_to_legacy(&e) => {}
            other => return other,
        }
    }
    decode_unverified_legacy(value, c)
}

/// The legacy half of [`decode_unverified`].
#[cfg(feature = "legacy")]
fn decode_unverified_legacy(value: CookieValue<'_>, c: Valid<'_>) -> Result<Decoded> {
    let resigned = resign_legacy(value.as_str()).ok_or(Error::malformed(
        Layer::LegacyMac,
        0,
        "shorter than the 40-hex signature",
    ))?;
    let resigned = CookieValue::admit(&resigned, c, Layer::LegacyMac)?;
    let mut s = Scratch::new();
    let session = cookie::decode_legacy(&mut s, resigned, c)?;
    Ok(Decoded {
        session,
        format: cookie::legacy_format(c.get()),
        key_index: 0,
    })
}

/// Without the `legacy` feature a value that is not a JWT is refused as the JWT reader
/// refused it.
#[cfg(not(feature = "legacy"))]
fn decode_unverified_legacy(_value: CookieValue<'_>, _c: Valid<'_>) -> Result<Decoded> {
    Err(Error::malformed(Layer::Jws, 0, "not three segments"))
}

/// A compact JWS with its signature replaced by the throwaway key's, or `None` when the value
/// is not three segments.
fn resign_jwt(value: &str) -> Option<String> {
    let mut parts = value.split('.');
    let (Some(header), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let tag = mac::sha256(
        UNVERIFIED_KEY,
        &[header.as_bytes(), b".", payload.as_bytes()],
    );
    let mut out = String::with_capacity(value.len() + 44);
    out.push_str(header);
    out.push('.');
    out.push_str(payload);
    out.push('.');
    out.push_str(&base64::encode_url(&tag));
    Some(out)
}

/// A legacy value with its 40 hex replaced by the throwaway key's HMAC-SHA1, or `None` when
/// it is shorter than that.
#[cfg(feature = "legacy")]
fn resign_legacy(value: &str) -> Option<String> {
    let rest = value.get(SIG_LEN..)?;
    Some(legacy::signed(UNVERIFIED_KEY, rest))
}

struct Sizes {
    header: Option<String>,
    payload_len: usize,
    compressed_len: Option<usize>,
    inflated_len: Option<usize>,
}

/// Decodes the layers of a cookie already read successfully, to measure them.
fn measure(value: &str, format: Format, config: &Config) -> Result<Sizes> {
    let limits = &config.limits;
    #[cfg(feature = "legacy")]
    if format.is_legacy() {
        // The value was read as a legacy cookie, so it is longer than its signature.
        let rest = value.get(SIG_LEN..).ok_or(Error::malformed(
            Layer::LegacyMac,
            0,
            "shorter than the 40-hex signature",
        ))?;
        let payload = base64::decode_std(rest.as_bytes())?;
        let (compressed_len, inflated_len) = match format {
            Format::LegacyJson => (
                Some(payload.len()),
                Some(zlib::inflate(&payload, limits)?.len()),
            ),
            _ => (None, None),
        };
        return Ok(Sizes {
            header: None,
            payload_len: payload.len(),
            compressed_len,
            inflated_len,
        });
    }
    let mut parts = value.split('.');
    let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
        return Err(Error::malformed(Layer::Jws, 0, "not three segments"));
    };
    let header = String::from_utf8(base64::decode_url(header.as_bytes())?).map_err(|e| {
        Error::malformed(
            Layer::Jws,
            e.utf8_error().valid_up_to(),
            "header is not UTF-8",
        )
    })?;
    let payload = base64::decode_url(payload.as_bytes())?;
    let (compressed_len, inflated_len) = match format {
        // The decode's own rule for which `bsZ` it inflates (a falsy one is ignored).
        Format::JwtBson => match cookie::bsz_text(json::read(&payload, limits)?.remove(BSZ))? {
            Some(text) => {
                let deflated = base85::decode(text.as_bytes())?;
                let inflated = zlib::inflate(&deflated, limits)?;
                (Some(deflated.len()), Some(inflated.len()))
            }
            None => (None, None),
        },
        _ => (None, None),
    };
    Ok(Sizes {
        header: Some(header),
        payload_len: payload.len(),
        compressed_len,
        inflated_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookie::{decode_cookie, encode_cookie};
    use crate::error::Limit;
    use crate::jwt;
    #[cfg(feature = "legacy")]
    use crate::limits::Limits;
    use crate::value::Value;

    const K1: &str = "inspect-key-one-0123456789";
    const K2: &str = "inspect-key-two-0123456789";
    const NOW: f64 = 1_700_000_000.0;

    fn session() -> Session {
        let mut s = Session::new();
        s.insert("_accessed_time", Value::Double(NOW - 100.0));
        s.insert("user_id", 42i32);
        s.insert("name", "alice");
        s
    }

    #[test]
    fn inspect_verified_reports_key_index_header_and_sizes() {
        let cookie = encode_cookie(&session(), &Config::new([K2]).unwrap()).unwrap();
        let got = inspect_cookie(&cookie, &Config::new([K1, K2]).unwrap(), true, NOW).unwrap();
        assert_eq!(got.format, Format::JwtBson);
        assert_eq!(got.key_index, Some(1));
        assert_eq!(
            got.header.as_deref(),
            Some(r#"{"typ":"JWT","alg":"HS256"}"#)
        );
        assert_eq!(got.session, session());
        assert_eq!(got.cookie_len, cookie.len());
        let bson_len = crate::bson::write(&session()).unwrap().len();
        assert_eq!(got.inflated_len, Some(bson_len));
        let compressed = got.compressed_len.unwrap();
        assert!(compressed > 0 && compressed < got.payload_len);
        assert_eq!(got.timeout, None);
    }

    #[test]
    fn inspect_json_claims_have_no_compressed_layer() {
        let config = Config::from_options([
            ("session.jwt_secret_keys", K1),
            ("session.bson_compress_jwt_payload", "false"),
        ])
        .unwrap();
        let cookie = encode_cookie(&session(), &config).unwrap();
        let got = inspect_cookie(&cookie, &config, true, NOW).unwrap();
        assert_eq!(got.format, Format::JwtJson);
        assert_eq!((got.compressed_len, got.inflated_len), (None, None));
        let claims = json::write(&session(), json::Style::Compact).unwrap();
        assert_eq!(got.payload_len, claims.len());
    }

    #[test]
    fn inspect_unverified_reads_a_cookie_no_key_verifies() {
        let cookie = encode_cookie(&session(), &Config::new([K2]).unwrap()).unwrap();
        let config = Config::new([K1]).unwrap();
        assert_eq!(
            inspect_cookie(&cookie, &config, true, NOW),
            Err(Error::BadSignature)
        );
        let got = inspect_cookie(&cookie, &config, false, NOW).unwrap();
        assert_eq!(got.key_index, None);
        assert_eq!(got.session, session());
        // The keys are not needed at all.
        let mut keyless = config.clone();
        keyless.jwt_secret_keys.clear();
        assert_eq!(
            inspect_cookie(&cookie, &keyless, false, NOW)
                .unwrap()
                .session,
            session()
        );
    }

    #[test]
    fn inspect_unverified_still_applies_header_and_layer_checks() {
        let config = Config::new([K1]).unwrap();
        // alg "none": refused before any MAC, with or without verification.
        let none = alloc::format!(
            "{}.{}.",
            base64::encode_url(br#"{"alg":"none"}"#),
            base64::encode_url(b"{}")
        );
        assert!(matches!(
            inspect_cookie(&none, &config, false, NOW),
            Err(Error::Unsupported {
                layer: Layer::Jws,
                ..
            })
        ));
        // A bsZ that inflates past the limit trips the limit, MAC or not.
        let mut tiny = config.clone();
        tiny.limits.max_inflated_len = 8;
        let cookie = encode_cookie(&session(), &config).unwrap();
        assert_eq!(
            inspect_cookie(&cookie, &tiny, false, NOW),
            Err(Error::LimitExceeded(Limit::InflatedLen))
        );
        let bad_json = jwt::sign(b"{not json", &SecretKey::from("whatever-key-0123456"));
        assert!(matches!(
            inspect_cookie(&bad_json, &config, false, NOW),
            Err(Error::Malformed {
                layer: Layer::Json,
                ..
            })
        ));
    }

    #[test]
    fn inspect_reports_timeout_instead_of_refusing() {
        let mut config = Config::new([K1]).unwrap();
        config.timeout = Some(10);
        let cookie = encode_cookie(&session(), &config).unwrap();
        assert_eq!(decode_cookie(&cookie, &config, NOW), Err(Error::Expired));
        let got = inspect_cookie(&cookie, &config, true, NOW).unwrap();
        assert_eq!(got.timeout, Some(Err(Error::Expired)));
        assert_eq!(got.session, session());
        config.timeout = Some(1000);
        let got = inspect_cookie(&cookie, &config, true, NOW).unwrap();
        assert_eq!(got.timeout, Some(Ok(())));
    }

    #[test]
    fn inspect_strips_quotes_and_bounds_length() {
        let config = Config::new([K1]).unwrap();
        let cookie = encode_cookie(&session(), &config).unwrap();
        let quoted = alloc::format!("\"{cookie}\"");
        assert_eq!(
            inspect_cookie(&quoted, &config, true, NOW)
                .unwrap()
                .cookie_len,
            cookie.len()
        );
        let long = "a".repeat(config.limits.max_cookie_len + 1);
        for verify in [true, false] {
            assert_eq!(
                inspect_cookie(&long, &config, verify, NOW),
                Err(Error::LimitExceeded(Limit::CookieLen))
            );
        }
    }

    #[cfg(feature = "legacy")]
    fn legacy_config(serializer: &str, validate_key: &str) -> Config {
        Config::from_options([
            ("session.jwt_secret_keys", K1),
            ("session.read_original_format", "true"),
            ("session.original_format_validate_key", validate_key),
            ("session.original_format_data_serializer", serializer),
        ])
        .unwrap()
    }

    #[test]
    #[cfg(feature = "legacy")]
    fn inspect_legacy_verified_and_unverified() {
        for (serializer, format) in [
            ("pickle", Format::LegacyPickle),
            ("json", Format::LegacyJson),
        ] {
            let mut writer = legacy_config(serializer, "legacy-key-0123456789");
            writer.write_original_format = true;
            let cookie = encode_cookie(&session(), &writer).unwrap();
            let got = inspect_cookie(&cookie, &writer, true, NOW).unwrap();
            assert_eq!(got.format, format);
            assert_eq!(got.key_index, Some(0));
            assert_eq!(got.header, None);
            assert_eq!(got.session, session());
            let payload = base64::decode_std(&cookie.as_bytes()[SIG_LEN..]).unwrap();
            assert_eq!(got.payload_len, payload.len());
            if format == Format::LegacyJson {
                assert_eq!(got.compressed_len, Some(payload.len()));
                let text = zlib::inflate(&payload, &Limits::DEFAULT).unwrap();
                assert_eq!(got.inflated_len, Some(text.len()));
            } else {
                assert_eq!((got.compressed_len, got.inflated_len), (None, None));
            }
            // Another legacy key, and legacy reading off: only the unverified read sees it.
            let mut other = legacy_config(serializer, "other-legacy-key-0123");
            assert_eq!(
                inspect_cookie(&cookie, &other, true, NOW),
                Err(Error::BadSignature)
            );
            other.read_original_format = false;
            let got = inspect_cookie(&cookie, &other, false, NOW).unwrap();
            assert_eq!((got.format, got.key_index), (format, None));
            assert_eq!(got.session, session());
        }
    }

    #[test]
    #[cfg(feature = "legacy")]
    fn inspect_unverified_pickle_never_runs_code() {
        // `os.system("ls")` as a protocol-2 pickle, under a signature nobody checks.
        let pickle = b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.";
        let value = alloc::format!("{}{}", "0".repeat(40), base64::encode_std(pickle));
        let config = legacy_config("pickle", "legacy-key-0123456789");
        let got = inspect_cookie(&value, &config, false, NOW);
        assert!(
            matches!(
                got,
                Err(Error::Unsupported {
                    layer: Layer::Pickle,
                    ..
                }) | Err(Error::Placeholder { .. })
            ),
            "{got:?}"
        );
    }

    #[test]
    #[cfg(feature = "legacy")]
    fn inspect_unverified_short_non_jws_is_malformed_legacy() {
        let config = Config::new([K1]).unwrap();
        assert!(matches!(
            inspect_cookie("not-a-cookie", &config, false, NOW),
            Err(Error::Malformed {
                layer: Layer::LegacyMac,
                ..
            })
        ));
    }
}
