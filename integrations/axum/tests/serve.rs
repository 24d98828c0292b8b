//! One real server: `axum::serve` on 127.0.0.1:0 and a plain hyper HTTP/1.1 client, the cookie
//! going out in `Set-Cookie` and coming back in `Cookie` over real sockets.

mod common;

use std::fmt::Debug;
use std::future::IntoFuture;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use common::*;
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

async fn text<B: BodyExt>(res: Response<B>) -> String
where
    B::Error: Debug,
{
    String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

#[tokio::test]
async fn serve_cookie_round_trip_over_http() {
    let env = TestEnv::at(T0);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(axum::serve(listener, app(config(), &env)).into_future());

    let client = Client::builder(TokioExecutor::new()).build_http::<Body>();
    let get = |path: &str, cookie: Option<&str>| {
        let mut req = Request::get(format!("http://{addr}{path}"));
        if let Some(cookie) = cookie {
            req = req.header(header::COOKIE, cookie);
        }
        client.request(req.body(Body::empty()).unwrap())
    };
    let res = get("/inc", None).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let set_cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(text(res).await, "1");
    let cookie = pair(&set_cookie);

    let res = get("/inc", Some(&format!("theme=dark; {cookie}")))
        .await
        .unwrap();
    let set_cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(text(res).await, "2");
    assert_eq!(n_of(decode(&set_cookie, &config()).get("n").cloned()), 2);

    let res = get("/none", Some(&pair(&set_cookie))).await.unwrap();
    assert!(res.headers().get(header::SET_COOKIE).is_none());
    assert_eq!(text(res).await, "no session");

    server.abort();
}
