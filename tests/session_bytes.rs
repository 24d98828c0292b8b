//! `Limits::max_session_bytes`: what a decode charges for the session it builds, in every
//! format, is exactly the documented cost of that session (each value's slot, each heap block),
//! so the budget is an upper bound of the session's heap that never depends on the format; the
//! BSON view refuses exactly what the owned read refuses.
//!
//! The cookies are the bench cookies the Python package wrote (`benches/data`).

#[path = "../benches/common/mod.rs"]
mod common;

use std::mem::size_of;

use beaker_session_jwt::{
    bson, charged_bytes, decode_cookie, CodeWithScope, DbPointer, Document, Error, Limit, Limits,
    Regex, Str, Value,
};
use common::{FORMATS, SIZES};

/// What the allocator may add to a heap block, as the limit's docs count it.
const BLOCK: usize = 16;

/// The slot charges the limit's docs give, the same on every target: a list element, a
/// document entry, and the boxed payloads of a regex, a DB pointer and a code with scope.
const ITEM: usize = 32;
const ENTRY: usize = 56;
const REGEX: usize = 48;
const DB_POINTER: usize = 40;
const CODE_WITH_SCOPE: usize = 48;

fn text(s: &str) -> usize {
    if s.len() > Str::INLINE_CAP {
        s.len() + BLOCK
    } else {
        0
    }
}

/// The documented cost of `value` stored as a list element (`key` `None`) or a document entry,
/// with everything in it.
fn cost(key: Option<&str>, value: &Value) -> usize {
    let slot = match key {
        Some(k) => ENTRY + text(k),
        None => ITEM,
    };
    let own = match value {
        Value::String(s) | Value::JavaScript(s) | Value::Symbol(s) => text(s),
        Value::Binary { bytes, .. } => bytes.len() + BLOCK,
        Value::Document(d) => BLOCK + document(d),
        Value::Array(items) => BLOCK + items.iter().map(|v| cost(None, v)).sum::<usize>(),
        // The boxed payloads: one heap block each, besides their texts.
        Value::Regex(r) => REGEX + BLOCK + text(&r.pattern) + text(&r.options),
        Value::DbPointer(p) => DB_POINTER + BLOCK + text(&p.namespace),
        Value::JavaScriptWithScope(c) => {
            CODE_WITH_SCOPE + BLOCK + text(&c.code) + BLOCK + document(&c.scope)
        }
        _ => 0,
    };
    slot + own
}

fn document(d: &Document) -> usize {
    d.iter().map(|(k, v)| cost(Some(k), v)).sum()
}

/// A whole session: the root counts as a list element holding a document.
fn session_cost(session: &Document) -> usize {
    ITEM + BLOCK + document(session)
}

#[test]
fn session_bytes_charges_cover_this_targets_values() {
    // The charges are fixed, so the budget is the same on every target; on each they must
    // still cover what they stand for (equal on 64-bit targets, larger on 32-bit ones).
    let sizes = [
        (size_of::<Value>(), ITEM),
        (size_of::<(Str, Value)>(), ENTRY),
        (size_of::<Regex>(), REGEX),
        (size_of::<DbPointer>(), DB_POINTER),
        (size_of::<CodeWithScope>(), CODE_WITH_SCOPE),
    ];
    for (size, charge) in sizes {
        assert!(size <= charge, "{size} > {charge}");
        if cfg!(target_pointer_width = "64") {
            assert_eq!(size, charge);
        }
    }
}

#[test]
fn session_bytes_charge_is_the_same_figure_on_every_target() {
    // {"user": "alice", "roles": ["admin", <a 30-byte text>], "n": 1} in the documented units,
    // written out: the root (32 + 16), three entries (3 * 56), the list's block (16), its two
    // items (2 * 32) and the long text's block (30 + 16).
    let mut session = Document::new();
    session.insert("user", "alice");
    session.insert(
        "roles",
        Value::Array(vec![Value::from("admin"), Value::from("x".repeat(30))]),
    );
    session.insert("n", 1);
    let want = (32 + 16) + 3 * 56 + 16 + 2 * 32 + (30 + 16);
    assert_eq!(charged_bytes(&session), want);
    assert_eq!(session_cost(&session), want);
}

#[test]
fn session_bytes_charge_is_the_session_cost_in_every_format() {
    for fmt in FORMATS {
        for size in SIZES {
            let cookie = fmt.cookie(size);
            let mut config = fmt.config();
            let session = decode_cookie(cookie, &config, 0.0)
                .unwrap_or_else(|e| panic!("{fmt:?} {size}: {e:?}"))
                .session;
            let need = session_cost(&session);
            assert_eq!(charged_bytes(&session), need, "{fmt:?} {size}");
            config.limits.max_session_bytes = need;
            let got = decode_cookie(cookie, &config, 0.0).map(|d| d.session);
            assert_eq!(got.as_ref(), Ok(&session), "{fmt:?} {size}: budget {need}");
            config.limits.max_session_bytes = need - 1;
            assert_eq!(
                decode_cookie(cookie, &config, 0.0).map(|d| d.session),
                Err(Error::LimitExceeded(Limit::SessionBytes)),
                "{fmt:?} {size}: budget {need} - 1"
            );
        }
    }
}

#[test]
fn session_bytes_default_takes_every_bench_session_with_room() {
    // The large sessions (cookies just under Beaker's 4064 cap) cost a fraction of the default.
    for fmt in FORMATS {
        let session = decode_cookie(fmt.cookie("large"), &fmt.config(), 0.0)
            .unwrap()
            .session;
        let need = session_cost(&session);
        assert!(
            need * 4 < Limits::DEFAULT.max_session_bytes,
            "{fmt:?}: {need} bytes"
        );
    }
}

#[test]
fn session_bytes_view_refuses_exactly_what_read_refuses() {
    let mut doc = Document::new();
    doc.insert(
        "long key over twenty-two bytes",
        "a value over twenty-two bytes long",
    );
    doc.insert(
        "list",
        Value::Array(vec![
            Value::Null,
            Value::from("x"),
            Value::Document(Document::new()),
        ]),
    );
    doc.insert(
        "bin",
        Value::Binary {
            subtype: 0,
            bytes: vec![7; 40],
        },
    );
    doc.insert(
        "re",
        Value::Regex(Box::new(Regex {
            pattern: Str::from("^a pattern longer than twenty-two$"),
            options: Str::from("i"),
        })),
    );
    doc.insert(
        "code",
        Value::JavaScriptWithScope(Box::new(CodeWithScope {
            code: Str::from("function () { return twenty_two_plus; }"),
            scope: Document::from_entries(vec![(Str::from("x"), Value::Int32(1))]),
        })),
    );
    let bytes = bson::write(&doc).unwrap();
    let need = session_cost(&doc);
    let mut limits = Limits::default();
    for budget in (0..=need + 8).rev() {
        limits.max_session_bytes = budget;
        let read = bson::read(&bytes, &limits);
        let view = bson::view(&bytes, &limits).map(|v| v.to_document().unwrap());
        assert_eq!(read, view, "budget {budget}");
        let want = if budget >= need {
            Ok(doc.clone())
        } else {
            Err(Error::LimitExceeded(Limit::SessionBytes))
        };
        assert_eq!(read, want, "budget {budget} of {need}");
    }
}

/// `header.claims` signed with HS256 under `key`.
fn jws(header: &str, claims: &str, key: &str) -> String {
    use base64ct::{Base64UrlUnpadded, Encoding};
    use hmac::{Hmac, Mac};
    let input = format!(
        "{header}.{}",
        Base64UrlUnpadded::encode_string(claims.as_bytes())
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("{input}.{}", Base64UrlUnpadded::encode_string(&tag))
}

#[test]
fn session_bytes_bare_bsz_claims_charge_as_the_general_reader_does() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    // Python's compact claims take the in-place bsZ path; the same claims with a space after
    // the colon go through the general JSON reader. Both charge the claims object (the root and
    // its one long string) before the session: same outcome at every budget.
    // Random bytes do not deflate: the claims' base85 text outweighs the session, so the
    // claims' charge is what decides.
    let fmt = common::Fmt::JwtBsz;
    let mut doc = Document::new();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..300)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    doc.insert("b", Value::Binary { subtype: 0, bytes });
    let bare = &beaker_session_jwt::encode_cookie(&doc, &fmt.config()).unwrap();
    let mut parts = bare.split('.');
    let (header, payload) = (parts.next().unwrap(), parts.next().unwrap());
    let claims = String::from_utf8(Base64UrlUnpadded::decode_vec(payload).unwrap()).unwrap();
    let text = claims
        .strip_prefix("{\"bsZ\":\"")
        .and_then(|c| c.strip_suffix("\"}"))
        .unwrap();
    let spaced = jws(header, &format!("{{\"bsZ\": \"{text}\"}}"), common::KEY1);
    let mut config = fmt.config();
    let session = decode_cookie(bare, &config, 0.0).unwrap().session;
    let envelope = ITEM + BLOCK + ENTRY + text.len() + BLOCK;
    assert!(envelope > session_cost(&session));
    let need = envelope;
    let mut refused = 0;
    // A limit of 0 is a configuration error.
    for budget in 1..=need + 4 {
        config.limits.max_session_bytes = budget;
        let a = decode_cookie(bare, &config, 0.0).map(|d| d.session);
        let b = decode_cookie(&spaced, &config, 0.0).map(|d| d.session);
        assert_eq!(a, b, "budget {budget}");
        if budget < need {
            assert_eq!(
                a,
                Err(Error::LimitExceeded(Limit::SessionBytes)),
                "{budget}"
            );
            refused += 1;
        } else {
            assert_eq!(a.as_ref(), Ok(&session), "{budget}");
        }
    }
    assert_eq!(refused, need - 1);
}

#[test]
fn session_bytes_charged_bytes_walks_any_nesting_and_every_type() {
    // Every container kind nested 300 deep, with one element of each type at the bottom.
    let mut doc = Document::new();
    doc.insert(
        "re",
        Value::Regex(Box::new(Regex {
            pattern: Str::from("p".repeat(30).as_str()),
            options: Str::from("i"),
        })),
    );
    doc.insert(
        "db",
        Value::DbPointer(Box::new(DbPointer {
            namespace: Str::from("n".repeat(25).as_str()),
            id: [1; 12],
        })),
    );
    doc.insert("js", Value::JavaScript(Str::from("j".repeat(40).as_str())));
    doc.insert("sym", Value::Symbol(Str::from("s")));
    doc.insert(
        "bin",
        Value::Binary {
            subtype: 4,
            bytes: vec![0; 16],
        },
    );
    let mut value = Value::Document(doc);
    for depth in 0..300 {
        value = match depth % 3 {
            0 => Value::Array(vec![value, Value::Null]),
            1 => Value::JavaScriptWithScope(Box::new(CodeWithScope {
                code: Str::from("c".repeat(23).as_str()),
                scope: Document::from_entries(vec![(Str::from("k"), value)]),
            })),
            _ => Value::Document(Document::from_entries(vec![(
                Str::from("a key of more than twenty-two bytes"),
                value,
            )])),
        };
    }
    let session = Document::from_entries(vec![(Str::from("root"), value)]);
    assert_eq!(charged_bytes(&session), session_cost(&session));
}

#[test]
fn session_bytes_charged_bytes_does_not_recurse() {
    // {"root": [[[...[null]...]]]} 200,000 lists deep: a recursive walk would overflow the
    // stack. Each list costs its slot and its block, the null its slot.
    let depth = 200_000;
    let mut value = Value::Null;
    for _ in 0..depth {
        value = Value::Array(vec![value]);
    }
    let session = Document::from_entries(vec![(Str::from("root"), value)]);
    let item = ITEM;
    let want = item + BLOCK + ENTRY + BLOCK + (depth - 1) * (item + BLOCK) + item;
    assert_eq!(charged_bytes(&session), want);
    // `Value`'s drop recurses: leak this one instead of dropping it.
    std::mem::forget(session);
}
