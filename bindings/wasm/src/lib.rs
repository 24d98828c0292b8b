//! JavaScript bindings (wasm-bindgen) for the Beaker session cookies of beaker-session-jwt
//! 1.0.4: `decode`, `encode` and `inspect`, with sessions as plain JS objects and the crate's
//! typed errors as JS `Error`s carrying `category` and `layer`.
//!
//! Options are a plain object of Beaker option names, with or without the `session.` /
//! `beaker.session.` prefix, valued as in the `.ini` (a string) or as a number, a boolean or an
//! array of strings (joined with `,`), e.g. `{ jwt_secret_keys: ["new-key", "old-key"] }`.
//! Every name must be one `Config::set_option` knows (one of `Config::OPTIONS`, or a Beaker
//! option it accepts and ignores): the object holds session options only, so an unknown name,
//! prefixed or not, is a typo that would otherwise disable a setting silently, and is refused.
//!
//! The session crosses as the core's `serde` mapping (`Value`'s Extended JSON forms) through
//! `serde-wasm-bindgen`: documents as plain objects, `Int32` and finite doubles as numbers,
//! `Int64` beyond the `i32` range as `BigInt`, every other BSON type as its Extended JSON
//! wrapper object (`{ $oid: ".." }`, `{ $date: { $numberLong: ".." } }`, ...).
#![forbid(unsafe_code)]
#![warn(rust_2018_idioms)]

use beaker_session_jwt::{inspect::inspect_cookie, Config, Error, Format, Session};
use js_sys::{Array, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// `decode(cookie, options, now?)`: the verified session of a cookie value.
///
/// Returns `{ session, format, keyIndex }`. `now` is seconds since the epoch (default:
/// `Date.now() / 1000`), used only for `timeout`.
///
/// # Errors
/// A JS `Error` (see [`to_js_error`]) for every [`Error`] of `decode_cookie`.
#[wasm_bindgen]
pub fn decode(cookie: &str, options: &JsValue, now: Option<f64>) -> Result<JsValue, JsValue> {
    let config = config(options)?;
    let now = now.unwrap_or_else(|| js_sys::Date::now() / 1000.0);
    let decoded = beaker_session_jwt::decode_cookie(cookie, &config, now).map_err(to_js_error)?;
    let out = Object::new();
    set(&out, "session", session_to_js(&decoded.session)?)?;
    set(&out, "format", format_name(decoded.format).into())?;
    set(&out, "keyIndex", (decoded.key_index as f64).into())?;
    Ok(out.into())
}

/// `encode(session, options)`: the cookie value (a JWT, or a legacy cookie when
/// `write_original_format` is on) for a session given as a plain object.
///
/// # Errors
/// A JS `Error` for a session that is not a plain object of serializable values (category
/// `mismatch`, layer `serde`) and for every [`Error`] of `encode_cookie`.
#[wasm_bindgen]
pub fn encode(session: JsValue, options: &JsValue) -> Result<String, JsValue> {
    let config = config(options)?;
    let session: Session = serde_wasm_bindgen::from_value(session)
        .map_err(|e| error_object(&e.to_string(), "mismatch", Some("serde")))?;
    beaker_session_jwt::encode_cookie(&session, &config).map_err(to_js_error)
}

/// `inspect(cookie, options, { verify = true, now })`: the cookie taken apart (format, key,
/// JWS header, sizes per layer, session, timeout check). With `verify: false` the MAC is not
/// checked (no key needed) and `verified` is `false`.
///
/// # Errors
/// As [`decode`], except that an expired session is reported in `timeout`.
#[wasm_bindgen]
pub fn inspect(cookie: &str, options: &JsValue, opts: &JsValue) -> Result<JsValue, JsValue> {
    let verify = match get(opts, "verify")? {
        v if v.is_undefined() || v.is_null() => true,
        v => v
            .as_bool()
            .ok_or_else(|| error_object("inspect: verify must be a boolean", "config", None))?,
    };
    let now = match get(opts, "now")? {
        v if v.is_undefined() || v.is_null() => js_sys::Date::now() / 1000.0,
        v => v
            .as_f64()
            .ok_or_else(|| error_object("inspect: now must be a number", "config", None))?,
    };
    let config = if verify {
        config(options)?
    } else {
        config_unchecked(options)?
    };
    let i = inspect_cookie(cookie, &config, verify, now).map_err(to_js_error)?;
    let out = Object::new();
    set(&out, "format", format_name(i.format).into())?;
    set(&out, "verified", verify.into())?;
    set(&out, "keyIndex", opt_num(i.key_index))?;
    set(&out, "header", i.header.map_or(JsValue::NULL, |h| h.into()))?;
    set(&out, "cookieLen", (i.cookie_len as f64).into())?;
    set(&out, "payloadLen", (i.payload_len as f64).into())?;
    set(&out, "compressedLen", opt_num(i.compressed_len))?;
    set(&out, "inflatedLen", opt_num(i.inflated_len))?;
    set(&out, "session", session_to_js(&i.session)?)?;
    let timeout = match i.timeout {
        None => JsValue::NULL,
        Some(Ok(())) => "ok".into(),
        Some(Err(e)) => to_js_error(e),
    };
    set(&out, "timeout", timeout)?;
    Ok(out.into())
}

/// `cookieFromHeader(header, options)`: the value of the session cookie (`key` option,
/// default `beaker.session.id`) in a `Cookie:` header, as beaker-session-jwt picks it; or
/// `undefined`.
///
/// # Errors
/// A JS `Error` (category `config`) for invalid options.
#[wasm_bindgen(js_name = cookieFromHeader)]
pub fn cookie_from_header(header: &str, options: &JsValue) -> Result<Option<String>, JsValue> {
    let config = config(options)?;
    Ok(beaker_session_jwt::cookie_from_header(header, &config).map(String::from))
}

/// `setCookieHeader(value, options, now?)`: the `Set-Cookie` header value for a cookie value,
/// with Beaker's attributes from the options (`cookie_path`, `cookie_domain`, `cookie_expires`,
/// `secure`, `httponly`, `samesite`).
///
/// # Errors
/// A JS `Error` (category `config`) for invalid options.
#[wasm_bindgen(js_name = setCookieHeader)]
pub fn set_cookie_header(
    value: &str,
    options: &JsValue,
    now: Option<f64>,
) -> Result<String, JsValue> {
    let config = config(options)?;
    let now = now.unwrap_or_else(|| js_sys::Date::now() / 1000.0);
    Ok(beaker_session_jwt::set_cookie_value(value, &config, now))
}

/// The crate's name for a cookie format, as `beaker-cookie inspect` prints it.
fn format_name(format: Format) -> &'static str {
    match format {
        Format::JwtBson => "jwt-bson",
        Format::JwtJson => "jwt-json",
        Format::LegacyPickle => "legacy-pickle",
        Format::LegacyJson => "legacy-json",
        // `Format` is non_exhaustive: a format added to the core reads as "unknown" until it is
        // named here.
        _ => "unknown",
    }
}

fn opt_num(n: Option<usize>) -> JsValue {
    n.map_or(JsValue::NULL, |n| (n as f64).into())
}

fn session_to_js(session: &Session) -> Result<JsValue, JsValue> {
    let ser = serde_wasm_bindgen::Serializer::new()
        .serialize_maps_as_objects(true)
        .serialize_missing_as_null(true)
        .serialize_large_number_types_as_bigints(true);
    session
        .serialize(&ser)
        .map_err(|e| error_object(&e.to_string(), "mismatch", Some("serde")))
}

/// A validated `Config` from a plain options object.
fn config(options: &JsValue) -> Result<Config, JsValue> {
    let c = config_unchecked(options)?;
    c.validate().map_err(to_js_error)?;
    Ok(c)
}

/// The options applied one by one, without `validate` (an unverified inspection needs no key).
fn config_unchecked(options: &JsValue) -> Result<Config, JsValue> {
    // Beaker's defaults: a config built with a throwaway key whose key list is then emptied,
    // so that only the caller's `jwt_secret_keys` count.
    let mut c = Config::new(["beaker-session-wasm-placeholder"]).map_err(to_js_error)?;
    c.jwt_secret_keys.clear();
    if options.is_undefined() || options.is_null() {
        return Ok(c);
    }
    if !options.is_object() {
        return Err(error_object("options must be an object", "config", None));
    }
    for entry in Object::entries(options.unchecked_ref()).iter() {
        let entry: Array = entry.unchecked_into();
        // `Object.entries` gives string keys only (symbol keys are not enumerated).
        let name = entry
            .get(0)
            .as_string()
            .ok_or_else(|| error_object("option names must be strings", "config", None))?;
        let name = name
            .strip_prefix("beaker.session.")
            .or_else(|| name.strip_prefix("session."))
            .unwrap_or(&name);
        let value = option_text(&entry.get(1)).ok_or_else(|| {
            error_object(
                "option values must be strings, numbers, booleans or arrays of strings",
                "config",
                None,
            )
        })?;
        c.set_option(name, &value).map_err(to_js_error)?;
    }
    Ok(c)
}

/// An option value as Beaker's `.ini` text.
fn option_text(v: &JsValue) -> Option<String> {
    if let Some(s) = v.as_string() {
        Some(s)
    } else if let Some(b) = v.as_bool() {
        Some(if b { "true" } else { "false" }.into())
    } else if let Some(n) = v.as_f64() {
        Some(format!("{n}"))
    } else if Array::is_array(v) {
        let parts: Option<Vec<String>> = Array::from(v).iter().map(|x| x.as_string()).collect();
        Some(parts?.join(","))
    } else {
        None
    }
}

/// The crate's error as a JS `Error`: `name` `"BeakerSessionError"`, `message` its `Display`
/// text, `category` the variant (`malformed`, `unsupported`, `unwritable`, `placeholder`,
/// `bad-signature`, `expired`, `limit-exceeded`, `config`, `mismatch`, `random`), `layer` (or
/// `null`), and `offset` / `limit` / `key` where the variant has them. An unknown option is a
/// `config` error with `option` (the name, without prefix) and `suggestion` (the nearest known
/// option, or `null`).
fn to_js_error(e: Error) -> JsValue {
    let (category, offset, limit, key) = match e {
        Error::Malformed { offset, .. } => ("malformed", Some(offset), None, None),
        Error::Unsupported { offset, .. } => ("unsupported", Some(offset), None, None),
        Error::Unwritable { key, .. } => ("unwritable", None, None, Some(key)),
        Error::Placeholder(refused) => (
            "placeholder",
            None,
            None,
            Some(beaker_session_jwt::Name::new(refused.key())),
        ),
        Error::BadSignature => ("bad-signature", None, None, None),
        Error::Expired => ("expired", None, None, None),
        Error::LimitExceeded(l) => ("limit-exceeded", None, Some(l.field()), None),
        Error::Config(_) | Error::UnknownOption { .. } => ("config", None, None, None),
        Error::Mismatch { key, .. } => ("mismatch", None, None, Some(key)),
        Error::Random => ("random", None, None, None),
        // `Error` is non_exhaustive: a variant added to the core is `other` until it is named
        // here (its message and layer still come through).
        _ => ("other", None, None, None),
    };
    let layer = e.layer().map(|l| l.to_string());
    let err = error_object(&e.to_string(), category, layer.as_deref());
    if let Some(o) = offset {
        set_prop(&err, "offset", (o as f64).into());
    }
    if let Some(l) = limit {
        set_prop(&err, "limit", l.into());
    }
    if let Some(k) = key {
        set_prop(&err, "key", k.as_str().into());
    }
    if let Error::UnknownOption { name, suggestion } = e {
        set_prop(&err, "option", name.as_str().into());
        set_prop(
            &err,
            "suggestion",
            suggestion.map_or(JsValue::NULL, Into::into),
        );
    }
    err
}

fn error_object(message: &str, category: &str, layer: Option<&str>) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("BeakerSessionError");
    let err = JsValue::from(err);
    set_prop(&err, "category", category.into());
    set_prop(&err, "layer", layer.map_or(JsValue::NULL, Into::into));
    err
}

/// Sets a property of an error object this module just created. `Reflect.set` fails only on a
/// frozen or proxied target, which a fresh `Error` never is, so its result carries nothing.
fn set_prop(err: &JsValue, key: &str, value: JsValue) {
    let _ = Reflect::set(err, &key.into(), &value);
}

fn set(obj: &Object, key: &str, value: JsValue) -> Result<(), JsValue> {
    Reflect::set(obj, &key.into(), &value).map(|_| ())
}

fn get(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    if obj.is_object() {
        Reflect::get(obj, &key.into())
    } else {
        Ok(JsValue::UNDEFINED)
    }
}
