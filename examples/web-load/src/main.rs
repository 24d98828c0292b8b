//! Load benchmark server for `beaker-session-axum` (driven by `run.sh` with wrk; not a test).
//!
//! ```text
//! web-load serve <port-with-layer> <port-without-layer>
//! web-load gen-cookies <out.tsv>
//! web-load cost <mix.tsv>
//! ```
//!
//! `serve` runs one process with two routers on two loopback ports, answering `GET /` with the
//! same handler body: on the first port behind `BeakerSessionLayer` (read `visits`, add one,
//! `save()`), on the second without any session. `gen-cookies` writes the cookie mix that
//! `mix.lua` replays: one line per case, `kind<TAB>expected visits<TAB>Cookie header` (an empty
//! header means "send no Cookie header"). `cost` calls both routers in-process, without a
//! network or a load tool, and prints the time per request of each case of the mix.

use std::error::Error;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Instant;

use axum::body::Body;
use axum::http::{header::COOKIE, HeaderValue, Request};
use axum::{routing::get, Router};
use beaker_session_axum::{BeakerSession, BeakerSessionLayer, SessionError};
use beaker_session_jwt::{encode_cookie, Config, SecretKey, Session, UnixTime, Value};

/// Signs every cookie the server writes (the first `jwt_secret_keys` entry).
const CURRENT_KEY: &str = "web-load-current-jwt-secret-2026";
/// The previous key: still verifies (rotation), never signs.
const ROTATED_KEY: &str = "web-load-previous-jwt-secret-2025";
/// A key the server does not know: cookies signed with it are forgeries.
const FORGER_KEY: &str = "web-load-attackers-guessed-secret";
/// `original_format_validate_key`: the server also reads legacy (pre-JWT) Beaker cookies.
const LEGACY_KEY: &str = "web-load-legacy-validate-key-2019";
/// `timeout` in seconds: a session not seen for longer is cleared.
const TIMEOUT: u64 = 3600;
/// `visits` in every cookie the server accepts; the answer to it is `visits {SEEDED + 1}`.
const SEEDED_VISITS: i64 = 41;

type Res<T> = Result<T, Box<dyn Error>>;

/// The server's options: two JWT keys (rotation), a timeout, legacy cookies readable.
/// `invalidate_corrupt` stays at its default (true, as Beaker's `SessionMiddleware`): a cookie
/// that does not verify or decode starts a fresh session instead of a 400.
fn server_config() -> Res<Config> {
    let mut c = Config::new([CURRENT_KEY, ROTATED_KEY])?;
    c.timeout = Some(TIMEOUT);
    c.read_original_format = true;
    c.original_format_validate_key = Some(SecretKey::from(LEGACY_KEY));
    c.validate()?;
    Ok(c)
}

/// The session route: Beaker's counter, read, incremented and saved.
async fn with_session(session: BeakerSession) -> Result<String, SessionError> {
    let visits = session.get("visits")?.and_then(|v| v.as_i64()).unwrap_or(0) + 1;
    session.insert("visits", visits)?;
    session.save();
    Ok(format!("visits {visits}"))
}

/// The same body without a session: there is no stored count, so it is always the first visit.
async fn without_session() -> String {
    let visits = std::hint::black_box(0i64) + 1;
    format!("visits {visits}")
}

/// The two routers: `GET /` with the session layer, and the same body without it.
fn routers() -> Res<(Router, Router)> {
    let layered = Router::new()
        .route("/", get(with_session))
        .layer(BeakerSessionLayer::new(server_config()?));
    let bare = Router::new().route("/", get(without_session));
    Ok((layered, bare))
}

async fn serve(port_with: u16, port_without: u16) -> Res<()> {
    let (layered, bare) = routers()?;
    let a =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port_with))).await?;
    let b = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port_without)))
        .await?;
    println!(
        "web-load: with session layer on http://{}/, without on http://{}/ (pid {})",
        a.local_addr()?,
        b.local_addr()?,
        std::process::id()
    );
    let a = tokio::spawn(async move { axum::serve(a, layered).await });
    let b = tokio::spawn(async move { axum::serve(b, bare).await });
    let (ra, rb) = tokio::try_join!(a, b)?;
    ra?;
    rb?;
    Ok(())
}

/// xorshift64*: a fixed-seed generator, so the mix is the same on every run (no rand crate).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[(self.next() % 16) as usize]))
            .collect()
    }
}

/// A session as Beaker stores it: `_id`, both times, and the counter.
fn session(rng: &mut Rng, accessed: f64, visits: i64) -> Session {
    let mut s = Session::default();
    s.insert("_id", rng.hex(32).as_str());
    s.insert("_creation_time", Value::Double(accessed - 60.0));
    s.insert("_accessed_time", Value::Double(accessed));
    s.insert("visits", visits);
    s
}

fn keyed(keys: &[&str]) -> Res<Config> {
    let mut c = Config::new(keys.iter().copied())?;
    c.timeout = Some(TIMEOUT);
    Ok(c)
}

/// Replaces the character at `i` (ASCII) with a different one of the same alphabet (base64url
/// and hex both hold 'a' and 'b').
fn flip(cookie: &str, i: usize) -> String {
    let mut b = cookie.as_bytes().to_vec();
    b[i] = if b[i] == b'a' { b'b' } else { b'a' };
    String::from_utf8(b).expect("ASCII cookie")
}

fn gen_cookies(out: &str) -> Res<()> {
    let now = UnixTime::now().as_secs_f64();
    let mut rng = Rng(0x5EED_0FBE_A7E5);
    let name = server_config()?.key;
    let current = keyed(&[CURRENT_KEY])?;
    let rotated = keyed(&[ROTATED_KEY])?;
    let forger = keyed(&[FORGER_KEY])?;
    let mut legacy = keyed(&[CURRENT_KEY])?;
    legacy.write_original_format = true;
    legacy.read_original_format = true;
    legacy.original_format_validate_key = Some(SecretKey::from(LEGACY_KEY));

    let valid = encode_cookie(&session(&mut rng, now, SEEDED_VISITS), &current)?;
    let rotated_c = encode_cookie(&session(&mut rng, now, SEEDED_VISITS), &rotated)?;
    let legacy_c = encode_cookie(&session(&mut rng, now, SEEDED_VISITS), &legacy)?;
    let expired = encode_cookie(
        &session(&mut rng, now - 2.0 * TIMEOUT as f64, SEEDED_VISITS),
        &current,
    )?;
    let forged = encode_cookie(&session(&mut rng, now, SEEDED_VISITS), &forger)?;
    // A payload character changed under the original signature.
    let payload_mid = valid.find('.').unwrap_or(0) + valid.len() / 4;
    let tampered = flip(&valid, payload_mid);
    // A legacy cookie is 40 hex digits of HMAC-SHA1, then the payload: change one digit.
    let legacy_forged = flip(&legacy_c, 3);
    let truncated = valid[..valid.len() * 2 / 3].to_string();

    // A correctly signed JWT just over the read limit (`max_cookie_len`, 8192): incompressible
    // filler, written with a raised write limit (the server's own cap is Beaker's 4064).
    let mut big_cfg = keyed(&[CURRENT_KEY])?;
    big_cfg.limits.max_write_len = 1 << 16;
    let read_limit = big_cfg.limits.max_cookie_len;
    let mut filler = 6000;
    let oversized = loop {
        let mut s = session(&mut rng, now, SEEDED_VISITS);
        s.insert("blob", rng.hex(filler).as_str());
        let c = encode_cookie(&s, &big_cfg)?;
        if c.len() > read_limit {
            break c;
        }
        filler += 256;
    };

    // Random bytes a cookie value may not hold (high bytes, quotes, backslashes) but an HTTP
    // header may: no control characters, tab, DEL or ';'.
    let garbage_byte = |rng: &mut Rng| loop {
        let b = (rng.next() % 256) as u8;
        if (0x21..0x7f).contains(&b) && b != b';' || b >= 0x80 {
            break b;
        }
    };
    let garbage: Vec<u8> = (0..300).map(|_| garbage_byte(&mut rng)).collect();
    let garbage_header: Vec<u8> = (0..120).map(|_| garbage_byte(&mut rng)).collect();

    let ok = SEEDED_VISITS + 1;
    let cases: Vec<(&str, i64, Vec<u8>)> = vec![
        ("valid", ok, format!("{name}={valid}").into_bytes()),
        (
            "valid-among-others",
            ok,
            format!("theme=dark; {name}={valid}; lang=en").into_bytes(),
        ),
        (
            "rotated-key",
            ok,
            format!("{name}={rotated_c}").into_bytes(),
        ),
        ("legacy", ok, format!("{name}={legacy_c}").into_bytes()),
        ("expired", 1, format!("{name}={expired}").into_bytes()),
        ("forged-key", 1, format!("{name}={forged}").into_bytes()),
        (
            "tampered-payload",
            1,
            format!("{name}={tampered}").into_bytes(),
        ),
        (
            "legacy-forged",
            1,
            format!("{name}={legacy_forged}").into_bytes(),
        ),
        ("truncated", 1, format!("{name}={truncated}").into_bytes()),
        ("oversized", 1, format!("{name}={oversized}").into_bytes()),
        (
            "garbage",
            1,
            [format!("{name}=").into_bytes(), garbage].concat(),
        ),
        ("garbage-header", 1, garbage_header),
        ("empty-value", 1, format!("{name}=").into_bytes()),
        ("no-cookie", 1, Vec::new()),
    ];
    let mut file = Vec::new();
    for (kind, visits, header) in &cases {
        file.extend_from_slice(format!("{kind}\t{visits}\t").as_bytes());
        file.extend_from_slice(header);
        file.push(b'\n');
    }
    std::fs::write(out, file)?;
    for (kind, visits, header) in &cases {
        eprintln!("{kind}\t{}\t{visits}", header.len());
    }
    Ok(())
}

/// Reads `gen-cookies`' file: (kind, Cookie header bytes) per line.
fn read_mix(path: &str) -> Res<Vec<(String, Vec<u8>)>> {
    let data = std::fs::read(path)?;
    let mut cases = Vec::new();
    for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let mut fields = line.splitn(3, |&b| b == b'\t');
        let (Some(kind), Some(_), Some(header)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(format!("{path}: a line without three fields").into());
        };
        cases.push((String::from_utf8_lossy(kind).into_owned(), header.to_vec()));
    }
    Ok(cases)
}

/// Nanoseconds this thread has run on a CPU (Linux `/proc/thread-self/schedstat`), so that time
/// spent waiting for a CPU on a busy machine is not counted; wall-clock time elsewhere.
fn thread_cpu_ns(wall: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or_else(|| wall.elapsed().as_secs_f64() * 1e9)
}

/// CPU microseconds per request of `app` for one Cookie header, called in-process (the runtime
/// is single-threaded), over one batch of at least 30 ms of CPU (the counter moves by scheduler
/// ticks).
async fn batch(app: &Router, header: &[u8]) -> Res<f64> {
    use tower::ServiceExt;
    let wall = Instant::now();
    let start = thread_cpu_ns(wall);
    let mut n = 0u32;
    loop {
        for _ in 0..32 {
            let mut req = Request::get("/").body(Body::empty())?;
            if !header.is_empty() {
                req.headers_mut()
                    .insert(COOKIE, HeaderValue::from_bytes(header)?);
            }
            let resp = app.clone().oneshot(req).await?;
            if !resp.status().is_success() {
                return Err(format!("status {}", resp.status()).into());
            }
        }
        n += 32;
        let spent = thread_cpu_ns(wall) - start;
        if spent >= 30e6 {
            return Ok(spent / 1e3 / f64::from(n));
        }
    }
}

/// Rounds of one batch per case and route, the cases interleaved so that a burst of load from
/// elsewhere on the machine spreads over all of them; per case the best and the median round.
async fn cost(path: &str) -> Res<()> {
    const ROUNDS: usize = 7;
    let (layered, bare) = routers()?;
    let cases = read_mix(path)?;
    let mut with = vec![Vec::with_capacity(ROUNDS); cases.len()];
    let mut without = vec![Vec::with_capacity(ROUNDS); cases.len()];
    for _ in 0..ROUNDS {
        for (i, (_, header)) in cases.iter().enumerate() {
            with[i].push(batch(&layered, header).await?);
            without[i].push(batch(&bare, header).await?);
        }
    }
    println!("| case | with layer, CPU µs/request: best (median) | without: best | the layer's cost: best |");
    println!("|---|---|---|---|");
    for (i, (kind, _)) in cases.iter().enumerate() {
        with[i].sort_by(f64::total_cmp);
        without[i].sort_by(f64::total_cmp);
        let (w, median, b) = (with[i][0], with[i][ROUNDS / 2], without[i][0]);
        println!("| {kind} | {w:.1} ({median:.1}) | {b:.1} | {:.1} |", w - b);
    }
    Ok(())
}

fn usage() -> ExitCode {
    eprintln!("usage: web-load serve <port-with-layer> <port-without-layer>\n       web-load gen-cookies <out.tsv>\n       web-load cost <mix.tsv>");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["serve", a, b] => match (a.parse(), b.parse()) {
            (Ok(a), Ok(b)) => tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(Into::into)
                .and_then(|rt| rt.block_on(serve(a, b))),
            _ => return usage(),
        },
        ["gen-cookies", out] => gen_cookies(out),
        ["cost", mix] => tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(Into::into)
            .and_then(|rt| rt.block_on(cost(mix))),
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("web-load: {e}");
            ExitCode::FAILURE
        }
    }
}
