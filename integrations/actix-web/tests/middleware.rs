//! The middleware and the extractor in process (`actix_web::test`), with a fixed clock and
//! counted ids: Beaker `SessionMiddleware`'s behaviour, request by request.

mod common;

use actix_web::{
    body::MessageBody,
    dev::{Service, ServiceResponse},
    http::{header::COOKIE, StatusCode},
    test, web, App,
};
use beaker_session_jwt::{encode_cookie, Config, Session, Value};
use common::{
    app, as_f64, as_str, body, config, decode, info, pair, session_set_cookie, set_cookies,
    TestEnv, T0,
};

fn get(path: &str) -> test::TestRequest {
    test::TestRequest::get().uri(path)
}

/// Logs in on `app` and returns the `Set-Cookie` it got.
async fn logged_in<S, B>(app: &S) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let res = test::call_service(app, get("/login").to_request()).await;
    assert_eq!(res.status(), StatusCode::OK);
    session_set_cookie(&res).expect("login sets the session cookie")
}

/// A route that never takes the session sends no cookie, with or without one coming in.
#[actix_web::test]
async fn middleware_untouched_route_sends_no_cookie() {
    let env = TestEnv::at(T0);
    let app = app(config(&[]), &env).await;
    let res = test::call_service(&app, get("/untouched").to_request()).await;
    assert!(set_cookies(&res).is_empty());

    let cookie = logged_in(&app).await;
    let res = test::call_service(
        &app,
        get("/untouched")
            .insert_header((COOKIE, pair(&cookie)))
            .to_request(),
    )
    .await;
    assert!(set_cookies(&res).is_empty());
}

/// A new session that is read but not saved sends nothing (Beaker skips an accessed-only save of
/// a new session).
#[actix_web::test]
async fn middleware_new_session_read_only_sends_no_cookie() {
    let env = TestEnv::at(T0);
    let app = app(config(&[]), &env).await;
    let res = test::call_service(&app, get("/info").to_request()).await;
    assert!(set_cookies(&res).is_empty());
    let text = body(res).await;
    assert!(text.starts_with("new=true user=- id="), "{text}");
}

/// `save()` writes a `Set-Cookie` whose cookie decodes to the saved values and Beaker's stamps.
#[actix_web::test]
async fn middleware_save_writes_decodable_cookie() {
    let config = config(&[]);
    let env = TestEnv::at(T0);
    let app = app(config.clone(), &env).await;
    let set_cookie = logged_in(&app).await;
    assert!(set_cookie.contains("; Path=/"), "{set_cookie}");

    let session = decode(&set_cookie, &config, T0);
    assert_eq!(as_str(&session, "user"), Some("alice"));
    let id = as_str(&session, "_id").expect("_id");
    assert_eq!(id.len(), 32);
    assert!(id
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_eq!(as_f64(&session, "_creation_time"), Some(T0));
    assert_eq!(as_f64(&session, "_accessed_time"), Some(T0));

    // The next request reads it back.
    let res = test::call_service(
        &app,
        get("/info")
            .insert_header((COOKIE, pair(&set_cookie)))
            .to_request(),
    )
    .await;
    assert_eq!(body(res).await, format!("new=false user=alice id={id}"));
}

/// An accessed but unsaved session is written back as it came in, with only `_accessed_time`
/// refreshed: the handler's unsaved change is dropped.
#[actix_web::test]
async fn middleware_accessed_without_save_refreshes_accessed_time_only() {
    let config = config(&[]);
    let env = TestEnv::at(T0);
    let app = app(config.clone(), &env).await;
    let first = logged_in(&app).await;
    let before = decode(&first, &config, T0);

    env.set_now(T0 + 10.0);
    let res = test::call_service(
        &app,
        get("/tamper")
            .insert_header((COOKIE, pair(&first)))
            .to_request(),
    )
    .await;
    let refreshed = session_set_cookie(&res).expect("an accessed-only refresh");
    let after = decode(&refreshed, &config, T0 + 10.0);
    assert_eq!(
        as_str(&after, "user"),
        Some("alice"),
        "the unsaved change is dropped"
    );
    assert_eq!(as_f64(&after, "_accessed_time"), Some(T0 + 10.0));
    assert_eq!(as_f64(&after, "_creation_time"), Some(T0));
    assert_eq!(as_str(&after, "_id"), as_str(&before, "_id"));
}

/// With `save_accessed_time = false` nothing is saved without `save()`; Beaker still sends the
/// cookie it created while loading (stamped at load time, contents as loaded).
#[actix_web::test]
async fn middleware_save_accessed_time_false_keeps_loaded_session() {
    let config = config(&[("session.save_accessed_time", "false")]);
    let env = TestEnv::at(T0);
    let app = app(config.clone(), &env).await;
    let first = logged_in(&app).await;

    env.set_now(T0 + 10.0);
    let res = test::call_service(
        &app,
        get("/tamper")
            .insert_header((COOKIE, pair(&first)))
            .to_request(),
    )
    .await;
    let sent = session_set_cookie(&res).expect("the cookie Beaker created at load");
    let after = decode(&sent, &config, T0 + 10.0);
    assert_eq!(as_str(&after, "user"), Some("alice"));
    assert_eq!(as_f64(&after, "_accessed_time"), Some(T0 + 10.0));
}

/// Two `Cookie` header fields (as HTTP/2 sends them) are joined before the session is picked.
#[actix_web::test]
async fn middleware_joins_cookie_headers() {
    let env = TestEnv::at(T0);
    let app = app(config(&[]), &env).await;
    let cookie = logged_in(&app).await;
    let req = get("/info")
        .append_header((COOKIE, "theme=dark"))
        .append_header((COOKIE, pair(&cookie)))
        .append_header((COOKIE, "lang=en"))
        .to_request();
    assert_eq!(req.head().headers().get_all(COOKIE).count(), 3);
    let res = test::call_service(&app, req).await;
    let text = body(res).await;
    assert!(text.starts_with("new=false user=alice id="), "{text}");
}

/// A cookie signed with another key.
fn forged(config: &Config) -> String {
    let mut other = config.clone();
    other.jwt_secret_keys = vec!["not-the-key-of-this-app-012345".into()];
    let mut session = Session::new();
    session.insert("user", "root");
    session.insert("_id", "0".repeat(32));
    session.insert("_accessed_time", Value::Double(T0));
    format!(
        "beaker.session.id={}",
        encode_cookie(&session, &other).expect("encodes")
    )
}

/// A forged cookie starts a fresh session (`invalidate_corrupt` defaults to true, as in
/// `SessionMiddleware`).
#[actix_web::test]
async fn middleware_forged_cookie_gives_fresh_session() {
    let config = config(&[]);
    let env = TestEnv::at(T0);
    let app = app(config.clone(), &env).await;
    let res = test::call_service(
        &app,
        get("/info")
            .insert_header((COOKIE, forged(&config)))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let sent = session_set_cookie(&res);
    let text = body(res).await;
    // Beaker sets is_new = False as soon as a session cookie is present, forged or not.
    assert!(text.starts_with("new=false user=- id="), "{text}");
    assert!(!text.contains(&"0".repeat(32)), "{text}");
    // Beaker writes the invalidated session back (its new id, none of the forged values).
    let fresh = decode(&sent.expect("the invalidated session"), &config, T0);
    assert_eq!(fresh.get("user"), None);
    assert_ne!(as_str(&fresh, "_id"), Some("0".repeat(32).as_str()));
}

/// With `invalidate_corrupt = false` a forged cookie is a 400 naming the category, nothing more.
#[actix_web::test]
async fn middleware_forged_cookie_is_400_without_invalidate_corrupt() {
    let config = config(&[("session.invalidate_corrupt", "false")]);
    let env = TestEnv::at(T0);
    let app = app(config.clone(), &env).await;
    let forged = forged(&config);
    let res = test::call_service(
        &app,
        get("/info")
            .insert_header((COOKIE, forged.clone()))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(set_cookies(&res).is_empty());
    let text = body(res).await;
    assert_eq!(text, "session cookie refused: bad signature");

    // A garbled cookie names its layer.
    let res = test::call_service(
        &app,
        get("/info")
            .insert_header((COOKIE, "beaker.session.id=eyJ.garbage"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let text = body(res).await;
    assert!(
        text.starts_with("session cookie refused: malformed ("),
        "{text}"
    );
    assert!(
        !text.contains("garbage") && !text.contains(common::KEY),
        "{text}"
    );

    // The untouched route never looks at the cookie.
    let res = test::call_service(
        &app,
        get("/untouched")
            .insert_header((COOKIE, forged))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
}

/// A session idle longer than `timeout` is cleared, not refused.
#[actix_web::test]
async fn middleware_timeout_clears_session() {
    let config = config(&[("session.timeout", "60")]);
    let env = TestEnv::at(T0);
    let app = app(config.clone(), &env).await;
    let cookie = logged_in(&app).await;

    env.set_now(T0 + 59.0);
    let res = test::call_service(
        &app,
        get("/info")
            .insert_header((COOKIE, pair(&cookie)))
            .to_request(),
    )
    .await;
    assert!(body(res).await.contains(" user=alice "));

    env.set_now(T0 + 61.0);
    let res = test::call_service(
        &app,
        get("/info")
            .insert_header((COOKIE, pair(&cookie)))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let sent = session_set_cookie(&res).expect("Beaker writes the cleared session back");
    let text = body(res).await;
    assert!(text.contains(" user=- "), "{text}");
    let cleared = decode(&sent, &config, T0 + 61.0);
    assert_eq!(cleared.get("user"), None);
}

/// `delete()` sends the cookie expired one year back (Beaker's `_delete_cookie`).
#[actix_web::test]
async fn middleware_delete_expires_cookie_a_year_back() {
    let config = config(&[]);
    let env = TestEnv::at(T0);
    let app = app(config.clone(), &env).await;
    let cookie = logged_in(&app).await;
    let res = test::call_service(
        &app,
        get("/logout")
            .insert_header((COOKIE, pair(&cookie)))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let expired = session_set_cookie(&res).expect("the expired cookie");
    // T0 - 365 days, as Python's datetime.now(timezone.utc) - timedelta(365) prints it.
    assert!(
        expired.contains("; expires=Mon, 14-Nov-2022 22:13:20 GMT"),
        "{expired}"
    );
}

/// `invalidate()` then `save()`: the same browser gets a cleared session with a new `_id`.
#[actix_web::test]
async fn middleware_invalidate_gives_new_id() {
    let config = config(&[]);
    let env = TestEnv::at(T0);
    let app = app(config.clone(), &env).await;
    let cookie = logged_in(&app).await;
    let old = decode(&cookie, &config, T0);
    let res = test::call_service(
        &app,
        get("/invalidate")
            .insert_header((COOKIE, pair(&cookie)))
            .to_request(),
    )
    .await;
    let new = decode(&session_set_cookie(&res).expect("saved"), &config, T0);
    assert_eq!(new.get("user"), None);
    assert!(as_str(&new, "_id").is_some());
    assert_ne!(as_str(&new, "_id"), as_str(&old, "_id"));
}

/// The handler's own `Set-Cookie` headers stay, in order, beside the session's.
#[actix_web::test]
async fn middleware_keeps_other_set_cookie_headers() {
    let config = config(&[]);
    let env = TestEnv::at(T0);
    let app = app(config.clone(), &env).await;
    let res = test::call_service(&app, get("/theme").to_request()).await;
    let all = set_cookies(&res);
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(all[0], "theme=dark; Path=/");
    assert_eq!(all[1], "lang=en; Path=/");
    assert_eq!(as_str(&decode(&all[2], &config, T0), "theme"), Some("dark"));
}

/// `auto = true` saves every accessed session, unsaved changes included.
#[actix_web::test]
async fn middleware_auto_saves_without_save() {
    let config = config(&[("session.auto", "true")]);
    let env = TestEnv::at(T0);
    let app = app(config.clone(), &env).await;
    let res = test::call_service(&app, get("/tamper").to_request()).await;
    let sent = session_set_cookie(&res).expect("auto saves a new session");
    assert_eq!(as_str(&decode(&sent, &config, T0), "user"), Some("mallory"));
}

/// A session too big to store (Beaker's "Cookie value is too long to store") is a 500 with a
/// short body, and no cookie.
#[actix_web::test]
async fn middleware_oversized_session_is_500() {
    let env = TestEnv::at(T0);
    let app = app(config(&[]), &env).await;
    let res = test::call_service(&app, get("/huge").to_request()).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(set_cookies(&res).is_empty());
    assert_eq!(
        body(res).await,
        "session could not be saved: limit exceeded (max_write_len)"
    );
}

/// The extractor without the middleware is a 500 that says so.
#[actix_web::test]
async fn extractor_without_middleware_is_500() {
    let app = test::init_service(App::new().route("/info", web::get().to(info))).await;
    let res = test::call_service(&app, get("/info").to_request()).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body(res).await,
        "session unavailable: no session middleware"
    );
}

/// A `Cookie` field with a non-ASCII byte (read as latin-1, as PEP 3333 hands it to Beaker) does
/// not hide the session in the next field.
#[actix_web::test]
async fn middleware_non_ascii_cookie_field_keeps_session() {
    let env = TestEnv::at(T0);
    let app = app(config(&[]), &env).await;
    let cookie = logged_in(&app).await;
    let latin1 = actix_web::http::header::HeaderValue::from_bytes(b"name=caf\xe9")
        .expect("obs-text is allowed");
    let req = get("/info")
        .append_header((COOKIE, latin1))
        .append_header((COOKIE, pair(&cookie)))
        .to_request();
    let text = body(test::call_service(&app, req).await).await;
    assert!(text.starts_with("new=false user=alice id="), "{text}");
}
