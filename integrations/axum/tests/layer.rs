//! `BeakerSessionLayer` + `BeakerSession` through the `Router` with `oneshot` (no network), an
//! injected clock and counter ids: each test is one rule of Beaker's `SessionMiddleware`.

mod common;

use axum::http::StatusCode;
use beaker_session_axum::BeakerSession;
use beaker_session_jwt::Value;
use common::*;

/// A request that brings a saved session (n = 1, written at T0); returns its `name=value`.
async fn saved_session(app: &axum::Router) -> String {
    let res = send(app, "/inc", &[]).await;
    pair(&session_set_cookie(&res).expect("a saved new session sends its cookie"))
}

/// A handler that never touches the session sends no Set-Cookie, with or without a cookie.
#[tokio::test]
async fn layer_untouched_session_sends_no_cookie() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    let cookie = saved_session(&app).await;
    for cookies in [vec![], vec![cookie.as_str()]] {
        let res = send(&app, "/none", &cookies).await;
        assert_status(&res, StatusCode::OK);
        assert!(set_cookies(&res).is_empty());
    }
}

/// A new session that is read or changed but not saved sends nothing (accessed-only save of a
/// new session is a no-op in Beaker), and `save()` alone does not load a session.
#[tokio::test]
async fn layer_new_session_unsaved_sends_no_cookie() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    for path in ["/read", "/touch", "/save-only"] {
        let res = send(&app, path, &[]).await;
        assert_status(&res, StatusCode::OK);
        assert!(set_cookies(&res).is_empty(), "{path}");
    }
}

/// save() writes the whole session: the cookie decodes to the saved value and Beaker's stamps.
#[tokio::test]
async fn layer_save_writes_session() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    let res = send(&app, "/inc", &[]).await;
    let set_cookie = session_set_cookie(&res).unwrap();
    assert_eq!(body(res).await, "1");
    assert!(set_cookie.contains("; Path=/"), "{set_cookie}");
    let session = decode(&set_cookie, &config());
    assert_eq!(n_of(session.get("n").cloned()), 1);
    assert_eq!(
        session.get("_creation_time"),
        Some(&Value::Double(T0 as f64))
    );
    assert_eq!(
        session.get("_accessed_time"),
        Some(&Value::Double(T0 as f64))
    );
    let id = session.get("_id").and_then(Value::as_str).unwrap();
    assert_eq!(id.len(), 32);
    assert!(id
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));

    // The browser sends it back: the next request sees n = 1 and saves n = 2, same id.
    env.set(T0 + 5);
    let res = send(&app, "/inc", &[&pair(&set_cookie)]).await;
    let next = decode(&session_set_cookie(&res).unwrap(), &config());
    assert_eq!(body(res).await, "2");
    assert_eq!(n_of(next.get("n").cloned()), 2);
    assert_eq!(next.get("_id"), session.get("_id"));
    assert_eq!(next.get("_creation_time"), Some(&Value::Double(T0 as f64)));
    assert_eq!(
        next.get("_accessed_time"),
        Some(&Value::Double((T0 + 5) as f64))
    );
}

/// Accessed without save(): the session the request brought is sent back with only
/// `_accessed_time` refreshed; the handler's unsaved change is dropped.
#[tokio::test]
async fn layer_accessed_only_refreshes_time_and_drops_change() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    let cookie = saved_session(&app).await;
    env.set(T0 + 30);
    for path in ["/read", "/touch"] {
        let res = send(&app, path, &[&cookie]).await;
        let session = decode(&session_set_cookie(&res).expect(path), &config());
        assert_eq!(
            n_of(session.get("n").cloned()),
            1,
            "{path}: the change to 99 is dropped"
        );
        assert_eq!(
            session.get("_creation_time"),
            Some(&Value::Double(T0 as f64))
        );
        assert_eq!(
            session.get("_accessed_time"),
            Some(&Value::Double((T0 + 30) as f64))
        );
    }
}

/// save_accessed_time = false: Beaker still sends the cookie `CookieSession.__init__` made when
/// it loaded the request's session (checked against Python: `_accessed_time` refreshed), and the
/// unsaved change is still dropped.
#[tokio::test]
async fn layer_save_accessed_time_off_still_sends_load_cookie() {
    let env = TestEnv::at(T0);
    let mut config = config();
    config.save_accessed_time = false;
    let app = app(config, &env);
    let cookie = saved_session(&app).await;
    env.set(T0 + 120);
    let res = send(&app, "/touch", &[&cookie]).await;
    let session = decode(&session_set_cookie(&res).unwrap(), &common::config());
    assert_eq!(n_of(session.get("n").cloned()), 1);
    assert_eq!(
        session.get("_accessed_time"),
        Some(&Value::Double((T0 + 120) as f64))
    );
}

/// auto = true saves every accessed session, unsaved changes included.
#[tokio::test]
async fn layer_auto_saves_unsaved_change() {
    let env = TestEnv::at(T0);
    let mut config = config();
    config.auto = true;
    let app = app(config, &env);
    let res = send(&app, "/touch", &[]).await;
    let session = decode(&session_set_cookie(&res).unwrap(), &common::config());
    assert_eq!(n_of(session.get("n").cloned()), 99);
}

/// Several `Cookie` header fields (as HTTP/2 sends them) are joined before the session cookie is
/// picked out.
#[tokio::test]
async fn layer_joins_cookie_headers() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    let cookie = saved_session(&app).await;
    let res = send(&app, "/read", &["theme=dark", &cookie, "lang=en; x=1"]).await;
    assert_eq!(body(res).await, "1");
    let res = send(&app, "/read", &[&format!("a=1; {cookie}; b=2")]).await;
    assert_eq!(body(res).await, "1");
}

/// The request's cookie with the first character of its signature changed (still canonical
/// base64url, so the MAC check is what refuses it).
fn forge(cookie: &str) -> String {
    let at = cookie.rfind('.').unwrap() + 1;
    let swap = if &cookie[at..at + 1] == "A" { "B" } else { "A" };
    format!("{}{swap}{}", &cookie[..at], &cookie[at + 1..])
}

/// invalidate_corrupt (default true, as SessionMiddleware): a forged, garbage, empty or oversized
/// cookie starts a fresh session with a new id.
#[tokio::test]
async fn layer_forged_cookie_starts_fresh_session() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    let cookie = saved_session(&app).await;
    let old = decode(&format!("{cookie}; Path=/"), &config());
    let oversized = format!("{NAME}={}", "A".repeat(64 * 1024));
    for bad in [
        forge(&cookie),
        format!("{NAME}=garbage"),
        format!("{NAME}="),
        oversized,
    ] {
        let res = send(&app, "/read", &[&bad]).await;
        assert_status(&res, StatusCode::OK);
        assert_eq!(body(res).await, "0", "{}", &bad[..bad.len().min(40)]);
        let res = send(&app, "/inc", &[&bad]).await;
        let fresh = decode(&session_set_cookie(&res).unwrap(), &config());
        assert_eq!(n_of(fresh.get("n").cloned()), 1);
        assert_ne!(fresh.get("_id"), old.get("_id"));
    }
}

/// invalidate_corrupt = false: a forged cookie is a 400 naming the category, and no cookie.
#[tokio::test]
async fn layer_forged_cookie_is_400_without_invalidate_corrupt() {
    let env = TestEnv::at(T0);
    let mut strict = config();
    strict.invalidate_corrupt = false;
    let app = app(strict, &env);
    let cookie = saved_session(&app).await;
    let res = send(&app, "/read", &[&forge(&cookie)]).await;
    assert_status(&res, StatusCode::BAD_REQUEST);
    assert!(set_cookies(&res).is_empty());
    let text = body(res).await;
    assert_eq!(text, "session cookie refused: bad signature");
    assert!(!text.contains(KEY));
    // A route that does not touch the session does not care.
    let res = send(&app, "/none", &[&forge(&cookie)]).await;
    assert_status(&res, StatusCode::OK);
    // The genuine cookie still loads.
    let res = send(&app, "/read", &[&cookie]).await;
    assert_eq!(body(res).await, "1");
}

/// timeout: an expired session is cleared (new id, no data), not refused.
#[tokio::test]
async fn layer_expired_session_is_cleared() {
    let env = TestEnv::at(T0);
    let mut config = config();
    config.timeout = Some(60);
    let app = app(config, &env);
    let cookie = saved_session(&app).await;
    let old = decode(&format!("{cookie}; Path=/"), &common::config());

    env.set(T0 + 59);
    let res = send(&app, "/read", &[&cookie]).await;
    assert!(session_set_cookie(&res).is_some());
    assert_eq!(body(res).await, "1", "not yet expired");

    env.set(T0 + 200);
    let res = send(&app, "/read", &[&cookie]).await;
    assert_status(&res, StatusCode::OK);
    let cleared = decode(&session_set_cookie(&res).unwrap(), &common::config());
    assert_eq!(body(res).await, "0");
    assert_eq!(cleared.get("n"), None);
    assert_ne!(cleared.get("_id"), old.get("_id"));
    assert_eq!(
        cleared.get("_creation_time"),
        Some(&Value::Double((T0 + 200) as f64))
    );
}

/// delete(): the Set-Cookie expires one year back (T0 is Tue, 14 Nov 2023 22:13:20 GMT).
#[tokio::test]
async fn layer_delete_sends_expired_cookie() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    let cookie = saved_session(&app).await;
    let res = send(&app, "/delete", &[&cookie]).await;
    assert_status(&res, StatusCode::OK);
    let set_cookie = session_set_cookie(&res).unwrap();
    assert!(
        set_cookie.contains("expires=Mon, 14-Nov-2022 22:13:20 GMT"),
        "{set_cookie}"
    );
    // Whatever value it carries holds no data of the old session.
    let after = decode(&set_cookie, &config());
    assert_eq!(after.get("n"), None);
}

/// invalidate(): a new `_id`, the old data gone.
#[tokio::test]
async fn layer_invalidate_gives_new_id() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    let cookie = saved_session(&app).await;
    let old = decode(&format!("{cookie}; Path=/"), &config());
    let res = send(&app, "/invalidate", &[&cookie]).await;
    let new = decode(&session_set_cookie(&res).unwrap(), &config());
    let id = body(res).await;
    assert_eq!(new.get("_id").and_then(Value::as_str), Some(id.as_str()));
    assert_ne!(new.get("_id"), old.get("_id"));
    assert_eq!(new.get("n"), None);
    assert_eq!(new.get("fresh"), Some(&Value::Bool(true)));
}

/// `id()` and `is_new()`: new without a cookie, not new with one, the same id.
#[tokio::test]
async fn layer_id_and_is_new() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    let res = send(&app, "/id", &[]).await;
    let text = body(res).await;
    let (id, new) = text.split_once(' ').unwrap();
    assert_eq!((id.len(), new), (32, "true"));
    let cookie = saved_session(&app).await;
    let saved = decode(&format!("{cookie}; Path=/"), &config());
    let res = send(&app, "/id", &[&cookie]).await;
    let expected = format!(
        "{} false",
        saved.get("_id").and_then(Value::as_str).unwrap()
    );
    assert_eq!(body(res).await, expected);
}

/// The handler's own Set-Cookie headers stay; the session's is appended.
#[tokio::test]
async fn layer_keeps_other_set_cookie_headers() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    let res = send(&app, "/other-cookie", &[]).await;
    let all = set_cookies(&res);
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0], "theme=dark; Path=/");
    assert_eq!(n_of(decode(&all[1], &config()).get("n").cloned()), 7);
}

/// A session over Beaker's 4064 characters: 500 with a short body, and no cookie.
#[tokio::test]
async fn layer_too_long_cookie_is_500() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    let res = send(&app, "/big", &[]).await;
    assert_status(&res, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(set_cookies(&res).is_empty());
    assert_eq!(body(res).await, "session too large to store");
}

/// The extractor on a route without the layer is a 500, not a panic.
#[tokio::test]
async fn extractor_without_layer_is_500() {
    let res = send(&routes(), "/read", &[]).await;
    assert_status(&res, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body(res).await, "session layer missing");
}

/// A genuine cookie whose `_accessed_time` is not a number, under a `timeout`: Python raises a
/// TypeError there whatever `invalidate_corrupt` says; here it is a 400.
#[tokio::test]
async fn layer_timeout_type_error_is_400() {
    let mut session = beaker_session_jwt::Session::new();
    session.insert("_id", "0123456789abcdef0123456789abcdef");
    session.insert("_accessed_time", "yesterday");
    let value = beaker_session_jwt::encode_cookie(&session, &config()).unwrap();
    let mut config = config();
    config.timeout = Some(60);
    let app = app(config, &TestEnv::at(T0));
    let res = send(&app, "/read", &[&format!("{NAME}={value}")]).await;
    assert_status(&res, StatusCode::BAD_REQUEST);
    assert!(set_cookies(&res).is_empty());
    assert!(body(res).await.starts_with("session cookie refused: "));
}

/// `Option<BeakerSession>`: `None` without the layer, `Some` with it.
#[tokio::test]
async fn extractor_optional() {
    async fn has(session: Option<BeakerSession>) -> &'static str {
        if session.is_some() {
            "some"
        } else {
            "none"
        }
    }
    let bare = axum::Router::new().route("/", axum::routing::get(has));
    assert_eq!(body(send(&bare, "/", &[]).await).await, "none");
    let env = TestEnv::at(T0);
    let layered = bare.layer(
        beaker_session_axum::BeakerSessionLayer::new(config()).with_env(move || env.clone()),
    );
    let res = send(&layered, "/", &[]).await;
    assert!(set_cookies(&res).is_empty());
    assert_eq!(body(res).await, "some");
}

/// A `Cookie` header with a byte above 0x7f (not UTF-8) is read as latin-1, as a WSGI server
/// hands it to Beaker (PEP 3333), so the session cookie beside it still loads.
#[tokio::test]
async fn layer_non_utf8_cookie_header_is_latin1() {
    let env = TestEnv::at(T0);
    let app = app(config(), &env);
    let cookie = saved_session(&app).await;
    let mut raw = b"theme=caf\xe9; ".to_vec();
    raw.extend_from_slice(cookie.as_bytes());
    let req = axum::http::Request::get("/read")
        .header(
            axum::http::header::COOKIE,
            axum::http::HeaderValue::from_bytes(&raw).unwrap(),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(app, req).await.unwrap();
    assert_eq!(body(res).await, "1");
}
