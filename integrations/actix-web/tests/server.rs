//! One real server: `HttpServer` on `127.0.0.1:0` with the default env (system clock, OS
//! randomness), and actix's HTTP client carrying the cookie from one request to the next.

mod common;

use std::time::Duration;

use actix_web::{
    http::{header::SET_COOKIE, StatusCode},
    web, App, HttpServer,
};
use beaker_session_actix::{BeakerSession, BeakerSessionMiddleware};
use beaker_session_jwt::{decode_cookie, UnixTime, Value};
use common::{config, pair};

async fn login(session: BeakerSession) -> &'static str {
    session.insert("user", "alice");
    session.save();
    "logged in"
}

async fn whoami(session: BeakerSession) -> String {
    session
        .get("user")
        .as_ref()
        .and_then(Value::as_str)
        .unwrap_or("-")
        .to_owned()
}

async fn logout(
    session: BeakerSession,
) -> Result<&'static str, beaker_session_actix::SessionError> {
    session.delete()?;
    Ok("bye")
}

/// Log in, come back with the cookie, log out, over real sockets.
#[actix_web::test]
async fn server_cookie_round_trip() {
    let config = std::sync::Arc::new(config(&[("session.timeout", "600")]));
    let app_config = config.clone();
    let server = HttpServer::new(move || {
        App::new()
            .wrap(BeakerSessionMiddleware::new(app_config.clone()))
            .route("/login", web::post().to(login))
            .route("/whoami", web::get().to(whoami))
            .route("/logout", web::post().to(logout))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .bind(("127.0.0.1", 0))
    .expect("bind 127.0.0.1:0");
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    let running = actix_web::rt::spawn(server);

    let client = awc::Client::builder()
        .timeout(Duration::from_secs(10))
        .finish();
    let url = |path: &str| format!("http://{addr}{path}");

    // Log in: the session cookie comes back and decodes with the app's config.
    let mut res = client.post(url("/login")).send().await.expect("login");
    assert_eq!(res.status(), StatusCode::OK);
    let set_cookie = res
        .headers()
        .get(SET_COOKIE)
        .expect("a Set-Cookie")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(res.body().await.expect("body"), "logged in");
    let cookie = pair(&set_cookie).to_owned();
    let value = cookie
        .strip_prefix("beaker.session.id=")
        .expect("the session cookie");
    let decoded = decode_cookie(value, &config, UnixTime::now()).expect("decodes");
    assert_eq!(
        decoded.session.get("user").and_then(Value::as_str),
        Some("alice")
    );

    // Come back with it, among other cookies: the server knows us.
    let mut res = client
        .get(url("/whoami"))
        .insert_header(("Cookie", format!("theme=dark; {cookie}")))
        .send()
        .await
        .expect("whoami");
    assert_eq!(res.body().await.expect("body"), "alice");

    // Without it we are nobody, and a new unsaved session sends no cookie.
    let mut res = client.get(url("/whoami")).send().await.expect("whoami");
    assert!(res.headers().get(SET_COOKIE).is_none());
    assert_eq!(res.body().await.expect("body"), "-");

    // Log out: an expired cookie comes back.
    let res = client
        .post(url("/logout"))
        .insert_header(("Cookie", cookie.as_str()))
        .send()
        .await
        .expect("logout");
    assert_eq!(res.status(), StatusCode::OK);
    let expired = res
        .headers()
        .get(SET_COOKIE)
        .expect("expired cookie")
        .to_str()
        .expect("ascii");
    assert!(
        expired.starts_with("beaker.session.id=") && expired.contains("; expires="),
        "{expired}"
    );

    // Every request has been answered: no need to wait out the client's kept-alive connection.
    handle.stop(false).await;
    running.await.expect("server task").expect("server ran");
}
