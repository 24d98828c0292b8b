//! `StateSession` + `SessionCookie`: the session without the layer, its config from the router
//! state, the handler returning the `Set-Cookie` itself.

mod common;

use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::routing::get;
use axum::Router;
use beaker_session_axum::{SessionConfig, SessionCookie, SessionError, StateSession};
use common::*;

async fn inc(session: StateSession) -> Result<(Option<SessionCookie>, String), SessionError> {
    let n = n_of(session.get("n")?) + 1;
    session.insert("n", n)?;
    session.save();
    Ok((session.finish()?, n.to_string()))
}

async fn read(session: StateSession) -> Result<(Option<SessionCookie>, String), SessionError> {
    let n = n_of(session.get("n")?);
    Ok((session.finish()?, n.to_string()))
}

/// A state of type `Arc<Config>` is enough (system clock).
#[tokio::test]
async fn state_arc_config_round_trip() {
    let app: Router = Router::new()
        .route("/inc", get(inc))
        .with_state(Arc::new(config()));
    let res = send(&app, "/inc", &[]).await;
    let cookie = pair(&session_set_cookie(&res).unwrap());
    assert_eq!(body(res).await, "1");
    let res = send(&app, "/inc", &[&cookie]).await;
    assert!(session_set_cookie(&res).is_some());
    assert_eq!(body(res).await, "2");
}

#[derive(Clone)]
struct AppState {
    session: SessionConfig,
    greeting: &'static str,
}

// What `#[derive(FromRef)]` (axum's `macros` feature) writes for the field.
impl FromRef<AppState> for SessionConfig {
    fn from_ref(state: &AppState) -> SessionConfig {
        state.session.clone()
    }
}

/// An app state with a `SessionConfig` field, injected clock: the same
/// Beaker rules as the layer (read-only: accessed-only refresh; new and unsaved: nothing).
#[tokio::test]
async fn state_app_state_follows_beaker_rules() {
    let env = TestEnv::at(T0);
    let e = env.clone();
    let state = AppState {
        session: SessionConfig::new(config()).with_env(move || e.clone()),
        greeting: "hi",
    };
    let app: Router = Router::new()
        .route("/inc", get(inc))
        .route("/read", get(read))
        .route(
            "/greet",
            get(|State(state): State<AppState>| async move { state.greeting }),
        )
        .with_state(state);
    assert_eq!(body(send(&app, "/greet", &[]).await).await, "hi");
    let res = send(&app, "/read", &[]).await;
    assert!(set_cookies(&res).is_empty());
    let res = send(&app, "/inc", &[]).await;
    let set_cookie = session_set_cookie(&res).unwrap();
    assert_eq!(n_of(decode(&set_cookie, &config()).get("n").cloned()), 1);
    env.set(T0 + 9);
    let res = send(&app, "/read", &[&pair(&set_cookie)]).await;
    let refreshed = decode(&session_set_cookie(&res).unwrap(), &config());
    assert_eq!(
        refreshed.get("_accessed_time"),
        Some(&beaker_session_jwt::Value::Double((T0 + 9) as f64))
    );
}

/// `SessionCookie` appends, keeping other Set-Cookie headers.
#[tokio::test]
async fn session_cookie_appends() {
    let app: Router = Router::new().route(
        "/",
        get(|| async {
            (
                [(axum::http::header::SET_COOKIE, "a=1")],
                SessionCookie("b=2; Path=/".into()),
                "ok",
            )
        }),
    );
    let res = send(&app, "/", &[]).await;
    assert_eq!(set_cookies(&res), ["a=1", "b=2; Path=/"]);
}

/// A `SessionCookie` that is not a valid header value is a 500, not a panic.
#[tokio::test]
async fn session_cookie_invalid_header_is_500() {
    let app: Router = Router::new().route(
        "/",
        get(|| async { (SessionCookie("a=1\r\nx: y".into()), "ok") }),
    );
    let res = send(&app, "/", &[]).await;
    assert_status(&res, axum::http::StatusCode::INTERNAL_SERVER_ERROR);
}
