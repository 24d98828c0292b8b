//! `cookie_from_header` and `set_cookie_value` against the real `JWTCookieSession`: the same
//! cookie is picked out of every `Cookie:` header, and the same `Set-Cookie` value is rendered.

mod common;

use beaker_session_jwt::{cookie_from_header, set_cookie_value, Config, CookieExpires};
use common::oracle::Oracle;
use serde_json::{json, Value as Json};

const KEY: &str = "header-test-key-0123456789";

/// Headers that exercise Python's split/strip/quote rules and hostile neighbours.
const HEADERS: &[&str] = &[
    "",
    "beaker.session.id=abc",
    "a=1; beaker.session.id=abc; b=2",
    "beaker.session.id=\"abc\"",
    "beaker.session.id=\"\"abc\"",
    "beaker.session.id=abc\"\"",
    "beaker.session.id=a=b=c",
    "beaker.session.id=",
    "beaker.session.id=\"\"",
    "beaker.session.id=1; beaker.session.id=2",
    "beaker.session.id =abc",
    " beaker.session.id=abc ",
    "\tbeaker.session.id=abc\r\n",
    "\u{1f}beaker.session.id=abc\u{1c}",
    "\u{3000}beaker.session.id=abc\u{a0}",
    "\u{85}beaker.session.id=abc\u{2029}",
    "beaker.session.id=a b",
    "bad\"cookie,=x; beaker.session.id=abc",
    "no-equals; beaker.session.id=abc; ;;",
    "=; ==; beaker.session.id=abc",
    "beaker.session.idx=abc",
    "Beaker.Session.Id=abc",
    "beaker.session.id=é漢字",
    "x=\"unbalanced; beaker.session.id=ok",
];

#[test]
fn header_cookie_picked_like_python() {
    let Some(mut oracle) = Oracle::start("header_cookie_picked_like_python") else {
        return;
    };
    let config = Config::new([KEY]).unwrap();
    for header in HEADERS {
        let answer = oracle.request(&json!({
            "op": "cookie_header",
            "kwargs": {"jwt_secret_keys": KEY},
            "header": header,
        }));
        let python = answer["value"].as_str();
        assert_eq!(
            cookie_from_header(header, &config),
            python,
            "header {header:?}"
        );
    }
}

/// How a case changes the Rust `Config` to match its Python keyword arguments.
type Adjust = fn(&mut Config);

#[test]
fn header_set_cookie_rendered_like_python() {
    let Some(mut oracle) = Oracle::start("header_set_cookie_rendered_like_python") else {
        return;
    };
    let cases: [(Json, Adjust); 4] = [
        (json!({}), |_| {}),
        (
            json!({"cookie_domain": "example.com", "secure": true, "httponly": true,
                   "samesite": "Strict", "cookie_expires": false}),
            |c| {
                c.cookie_domain = Some("example.com".into());
                c.secure = true;
                c.httponly = true;
                c.samesite = Some("Strict".into());
                c.cookie_expires = CookieExpires::Never;
            },
        ),
        (json!({"samesite": null, "cookie_path": "/app"}), |c| {
            c.samesite = None;
            c.cookie_path = "/app".into();
        }),
        (
            json!({"key": "sid", "samesite": "None", "secure": true}),
            |c| {
                c.key = "sid".into();
                c.samesite = Some("None".into());
                c.secure = true;
            },
        ),
    ];
    for (kwargs, adjust) in cases {
        let mut kw = kwargs.clone();
        kw["jwt_secret_keys"] = json!(KEY);
        let answer = oracle.request(&json!({"op": "set_cookie", "kwargs": kw}));
        let python = answer["cookie_out"]
            .as_str()
            .expect("cookie_out")
            .trim_start();
        let mut config = Config::new([KEY]).unwrap();
        adjust(&mut config);
        let value_start = config.key.len() + 1;
        let value_end = python.find(';').unwrap_or(python.len());
        let value = &python[value_start..value_end];
        assert_eq!(set_cookie_value(value, &config, 0), python, "{kwargs}");
    }
}
