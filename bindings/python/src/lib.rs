//! `beaker_session_jwt_rs._native`: the Rust codec of `beaker-session-jwt` for Python, behind
//! the `JWTCookieSession` of `python/beaker_session_jwt_rs/__init__.py`.
//!
//! Follows beaker-session-jwt 1.0.4 `JWTCookieSession._decrypt_data` / `_encrypt_data`: what a
//! decode returns is what Python returns, type for type. The BSON of a session goes back to
//! pymongo's own `bson.decode` once our decoder has verified, bounded and validated it, so
//! every BSON type (Int64, naive UTC datetimes, DBRef documents, Binary subtypes, Code, Regex,
//! ...) is exactly pymongo's; values that came from JSON (JSON claims, a legacy json payload)
//! are built here as `json.loads` builds them. A legacy pickle is only ever read by the core's
//! whitelisted reader: `pickle` is never imported.

#![forbid(unsafe_code)]

use std::sync::Mutex;

use base64ct::{Base64UrlUnpadded, Encoding};
use beaker_session_jwt::{
    bson, json, Codec as CoreCodec, Config, Decoded, Document, Error, Field, Format, Limits,
    SecretKey, Serializer, Session, Value,
};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

pyo3::create_exception!(
    _native,
    CodecError,
    PyException,
    "A cookie or session the Rust codec refused: args are (category, layer, what, message, \
     legacy_path). The Python package maps it to the exception Python raises."
);

/// One Beaker configuration: the core `Config`, a reusable `Codec`, and pymongo's codec
/// functions.
#[pyclass(frozen, module = "beaker_session_jwt_rs._native")]
struct Codec {
    config: Config,
    /// The same options without `read_original_format`: on an error, tells whether the JWT
    /// path failed (Python raises joserfc's error) or fell through to the legacy reader.
    jwt_only: Option<Config>,
    /// Kept buffers and inflater. The GIL is held for the whole call, so it is never
    /// contended; a re-entrant call (impossible here) would get a fresh one-shot codec.
    codec: Mutex<CoreCodec>,
    bson_decode: Py<PyAny>,
}

/// Limits for reading back the BSON or JSON that pymongo or `json.dumps` wrote for us: the
/// application's own session, not attacker bytes, so only Beaker's own cookie cap applies.
fn own_limits() -> Limits {
    let mut l = Limits::DEFAULT;
    l.max_inflated_len = usize::MAX;
    l.max_items = usize::MAX;
    l.max_str_len = usize::MAX;
    l.max_session_bytes = usize::MAX;
    l.max_depth = 1000;
    l
}

fn codec_error(py: Python<'_>, e: &Error, legacy_path: bool) -> PyErr {
    let (category, what): (&str, String) = match e {
        Error::Malformed { what, .. } => ("malformed", (*what).to_string()),
        Error::Unsupported { what, .. } => ("unsupported", (*what).to_string()),
        Error::Unwritable { what, key, .. } => ("unwritable", format!("{what}:{}", key.as_str())),
        Error::Placeholder(refused) => ("placeholder", refused.global().to_string()),
        Error::BadSignature => ("bad_signature", String::new()),
        Error::Expired => ("expired", String::new()),
        Error::LimitExceeded(limit) => ("limit", limit.field().to_string()),
        Error::Config(what) => ("config", (*what).to_string()),
        _ => ("other", String::new()),
    };
    let layer = e.layer().map(|l| l.to_string()).unwrap_or_default();
    let args = (category, layer, what, e.to_string(), legacy_path);
    match args.into_pyobject(py) {
        Ok(t) => CodecError::new_err(t.unbind()),
        Err(err) => err,
    }
}

/// `value` as `json.loads` builds it (a JSON claim or a legacy json payload). Only JSON's
/// types occur there; anything else would be a BSON value and goes through `bson.decode`.
fn json_to_py<'py>(
    py: Python<'py>,
    v: &Value,
    bson_decode: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Int32(i) => i.into_pyobject(py)?.into_any(),
        Value::Int64(i) => i.into_pyobject(py)?.into_any(),
        Value::Double(d) => d.into_pyobject(py)?.into_any(),
        Value::String(s) => PyString::new(py, s.as_str()).into_any(),
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|item| json_to_py(py, item, bson_decode))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Document(doc) => json_doc_to_py(py, doc, bson_decode)?.into_any(),
        other => {
            let mut one = Document::new();
            one.insert("v", other.clone());
            let dict = bson_to_py(py, &one, bson_decode)?;
            dict.get_item("v")?
        }
    })
}

fn json_doc_to_py<'py>(
    py: Python<'py>,
    doc: &Document,
    bson_decode: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in doc.iter() {
        dict.set_item(PyString::new(py, k), json_to_py(py, v, bson_decode)?)?;
    }
    Ok(dict)
}

/// `doc` as pymongo's `bson.decode` returns it: written back to BSON (lossless: the core keeps
/// every BSON type, duplicate keys already resolved as pymongo resolves them) and decoded by
/// pymongo itself.
fn bson_to_py<'py>(
    py: Python<'py>,
    doc: &Document,
    bson_decode: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let bytes = bson::write(doc).map_err(|e| codec_error(py, &e, false))?;
    bson_decode.call1((PyBytes::new(py, &bytes),))
}

/// The JWS payload of `value` (a verified JWT), base64url-decoded.
fn jws_payload(value: &str) -> Option<Vec<u8>> {
    let value = value.trim_matches('"');
    let mut parts = value.split('.');
    let _header = parts.next()?;
    let payload = parts.next()?;
    Base64UrlUnpadded::decode_vec(payload).ok()
}

/// True when the claims are exactly `{"bsZ":"<text>"}` with no other claim: what Python and we
/// write. (No `"` in the text, so no other member can hide behind an escape.)
fn bare_bsz(payload: &[u8]) -> bool {
    payload
        .strip_prefix(b"{\"bsZ\":\"")
        .and_then(|p| p.strip_suffix(b"\"}"))
        .is_some_and(|text| !text.contains(&b'"'))
}

impl Codec {
    fn with_codec<T>(&self, f: impl FnOnce(&mut CoreCodec) -> T) -> T {
        match self.codec.try_lock() {
            Ok(mut c) => f(&mut c),
            Err(_) => f(&mut CoreCodec::new()),
        }
    }

    fn decode_error(&self, py: Python<'_>, value: &str, e: &Error) -> PyErr {
        // Python's `except (ValueError, DecodeError)`: the legacy reader ran only when the JWT
        // path fell through, i.e. when the JWT-only decode fails differently.
        let legacy_path = match &self.jwt_only {
            Some(jwt_only) => match beaker_session_jwt::decode_cookie(value, jwt_only, 0.0) {
                Err(jwt_err) => jwt_err != *e,
                Ok(_) => true,
            },
            None => false,
        };
        codec_error(py, e, legacy_path)
    }

    /// The session of a verified `bsZ` JWT, as Python's `payload.update(bson.decode(...))`.
    fn bsz_session<'py>(
        &self,
        py: Python<'py>,
        value: &str,
        session: &Session,
        bson_decode: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // The usual cookie, claims `{"bsZ": ...}` only: every key is the BSON's.
        if jws_payload(value).is_some_and(|payload| bare_bsz(&payload)) {
            return bson_to_py(py, session, bson_decode);
        }
        // Other claims beside bsZ (only a key holder writes these): a key is a JSON value
        // unless the BSON holds it (`payload.update(...)`: the BSON overrides). A view of the
        // same cookie says which keys the BSON holds; it decoded, bounded, just above.
        let map = |e: Error| codec_error(py, &e, false);
        let from_json: Vec<bool> = self
            .with_codec(|codec| {
                let view = codec.decode_view(value, &self.config, 0.0)?;
                Ok::<_, Error>(
                    session
                        .keys()
                        .map(|k| !matches!(view.get(k), Some(Field::Bson(_))))
                        .collect(),
                )
            })
            .map_err(map)?;
        let fields = Document::from_entries(
            session
                .entries()
                .iter()
                .zip(&from_json)
                .filter(|(_, json_claim)| !**json_claim)
                .map(|(entry, _)| entry.clone())
                .collect(),
        );
        let decoded = bson_to_py(py, &fields, bson_decode)?;
        let decoded = decoded.cast::<PyDict>()?;
        let dict = PyDict::new(py);
        for ((k, v), json_claim) in session.iter().zip(&from_json) {
            let item = if *json_claim {
                json_to_py(py, v, bson_decode)?
            } else {
                match decoded.get_item(k)? {
                    Some(item) => item,
                    None => json_to_py(py, v, bson_decode)?,
                }
            };
            dict.set_item(k, item)?;
        }
        Ok(dict.into_any())
    }
}

#[pymethods]
impl Codec {
    /// A codec for one set of Beaker options (already parsed as Beaker parses them).
    #[new]
    #[pyo3(signature = (jwt_secret_keys, bson_compress_jwt_payload=true, read_original_format=false,
        write_original_format=false, original_format_validate_key=None,
        original_format_data_serializer="pickle", original_format_remove_keys=Vec::new(),
        allow_weak_keys=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        jwt_secret_keys: Vec<Vec<u8>>,
        bson_compress_jwt_payload: bool,
        read_original_format: bool,
        write_original_format: bool,
        original_format_validate_key: Option<Vec<u8>>,
        original_format_data_serializer: &str,
        original_format_remove_keys: Vec<String>,
        allow_weak_keys: bool,
    ) -> PyResult<Codec> {
        let mut config = Config::new([SecretKey::new(*b"placeholder-key-never-used")])
            .map_err(|e| codec_error(py, &e, false))?;
        config.jwt_secret_keys = jwt_secret_keys.into_iter().map(SecretKey::new).collect();
        config.bson_compress_jwt_payload = bson_compress_jwt_payload;
        config.read_original_format = read_original_format;
        config.write_original_format = write_original_format;
        config.original_format_validate_key = original_format_validate_key.map(SecretKey::new);
        config.original_format_data_serializer = match original_format_data_serializer {
            "json" => Serializer::Json,
            _ => Serializer::Pickle,
        };
        config.original_format_remove_keys = original_format_remove_keys;
        config.allow_weak_keys = allow_weak_keys;
        // Beaker's CookieSession refuses a value over 4064 characters itself, with its own
        // exception: let it.
        config.limits.max_write_len = usize::MAX;
        // Beaker's `timeout` is applied by the session (it clears, it does not refuse).
        config.timeout = None;
        config.validate().map_err(|e| codec_error(py, &e, false))?;
        let jwt_only = read_original_format.then(|| {
            let mut c = config.clone();
            c.read_original_format = false;
            c
        });
        let bson_decode = py.import("bson")?.getattr("decode")?.unbind();
        Ok(Codec {
            config,
            jwt_only,
            codec: Mutex::new(CoreCodec::new()),
            bson_decode,
        })
    }

    /// `JWTCookieSession._decrypt_data(value)`: the session dict, or `CodecError`.
    fn decode<'py>(&self, py: Python<'py>, value: &str) -> PyResult<Bound<'py, PyAny>> {
        let decoded: Result<Decoded, Error> =
            self.with_codec(|codec| codec.decode_cookie(value, &self.config, 0.0));
        let decoded = decoded.map_err(|e| self.decode_error(py, value, &e))?;
        let bson_decode = self.bson_decode.bind(py);
        match decoded.format {
            Format::JwtBson => self.bsz_session(py, value, &decoded.session, bson_decode),
            Format::LegacyPickle if self.config.bson_compress_jwt_payload => {
                bson_to_py(py, &decoded.session, bson_decode)
            }
            _ => Ok(json_doc_to_py(py, &decoded.session, bson_decode)?.into_any()),
        }
    }

    /// A cookie value for a session given as the BSON pymongo's `bson.encode` wrote. With
    /// `wrapped`, the BSON is `{"s": session}` and the session is its only value: pymongo moves
    /// a top-level `_id` first, and a legacy pickle keeps the dict's own order.
    #[pyo3(signature = (data, wrapped=false))]
    fn encode_bson(&self, py: Python<'_>, data: &[u8], wrapped: bool) -> PyResult<String> {
        let mut session =
            bson::read(data, &own_limits()).map_err(|e| codec_error(py, &e, false))?;
        if wrapped {
            session = match session.remove("s") {
                Some(Value::Document(inner)) => inner,
                _ => {
                    return Err(pyo3::exceptions::PyValueError::new_err(
                        "expected {\"s\": session}",
                    ))
                }
            };
        }
        self.encode(py, &session)
    }

    /// A cookie value for a session given as the JSON `json.dumps` wrote (joserfc's claims).
    fn encode_json(&self, py: Python<'_>, data: &[u8]) -> PyResult<String> {
        let session = json::read(data, &own_limits()).map_err(|e| codec_error(py, &e, false))?;
        self.encode(py, &session)
    }
}

impl Codec {
    fn encode(&self, py: Python<'_>, session: &Session) -> PyResult<String> {
        let cookie = self.with_codec(|codec| codec.encode_cookie(session, &self.config));
        cookie.map_err(|e| codec_error(py, &e, false))
    }
}

/// The module: `Codec` and `CodecError`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Codec>()?;
    m.add("CodecError", m.py().get_type::<CodecError>())?;
    Ok(())
}
