//! The `beaker-cookie` binary, driven as a user drives it: every subcommand, flag, option
//! source and exit code (0 success, 1 refused input, 2 usage error).
//!
//! Each test runs the built binary (`CARGO_BIN_EXE_beaker-cookie`) with the `BEAKER_*`
//! variables removed from its environment, so the outer environment cannot leak in.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::{fs, io::Write};

use serde_json::Value as Json;

const BIN: &str = env!("CARGO_BIN_EXE_beaker-cookie");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const K1: &str = "cli-test-key-one-0123456789";
const K2: &str = "cli-test-key-two-0123456789";
const LEGACY_KEY: &str = "vectors-legacy-validate-key";

const SAMPLE_COOKIE: &str = include_str!("../examples/sample.cookie");
const SAMPLE_SESSION: &str = concat!(
    r#"{"_id":"3f2a9c1e8b7d4f6a0c5e1b2d9f8a7c6e","#,
    r#""_creation_time":{"$numberDouble":"1699990000.5"},"#,
    r#""_accessed_time":{"$numberDouble":"1700000000.123456"},"#,
    r#""user_id":{"$numberInt":"1234"},"username":"alice","roles":["admin","editor"],"#,
    r#""last_login":{"$date":{"$numberLong":"1709210096789"}}}"#
);
const LEGACY_PICKLE_COOKIE: &str = include_str!("data/legacy_pickle/beaker_typical.cookie");
const LEGACY_PICKLE_SESSION: &str = include_str!("data/legacy_pickle/beaker_typical.json");

/// One run of the binary.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Exit 0, one line on stdout (returned without its newline), nothing on stderr.
    fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "{self:#?}");
        assert!(self.stderr.is_empty(), "{self:#?}");
        let line = self
            .stdout
            .strip_suffix('\n')
            .expect("a newline-terminated line");
        line
    }

    /// Exit 1, nothing on stdout, one line on stderr; returns that line.
    fn rejected(&self) -> &str {
        assert_eq!(self.code, 1, "{self:#?}");
        assert!(self.stdout.is_empty(), "{self:#?}");
        one_line(&self.stderr)
    }

    /// Exit 2, nothing on stdout; returns stderr.
    fn usage(&self) -> &str {
        assert_eq!(self.code, 2, "{self:#?}");
        assert!(self.stdout.is_empty(), "{self:#?}");
        &self.stderr
    }
}

fn one_line(text: &str) -> &str {
    let line = text.strip_suffix('\n').expect("a newline-terminated line");
    assert!(!line.contains('\n'), "more than one line: {text:?}");
    line
}

fn run_env(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("BEAKER_JWT_SECRET_KEYS")
        .env_remove("BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary starts");
    let mut pipe = child.stdin.take().expect("stdin");
    // The binary may exit before reading (usage errors): a broken pipe is fine.
    let _ = pipe.write_all(stdin.as_bytes());
    drop(pipe);
    let out = child.wait_with_output().expect("the binary runs");
    Run {
        code: out.status.code().expect("an exit code"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

fn run(args: &[&str], stdin: &str) -> Run {
    run_env(args, stdin, &[])
}

fn data(path: &str) -> String {
    format!("{ROOT}/{path}")
}

fn sample_ini() -> String {
    data("examples/sample.ini")
}

fn keys(list: &[&str]) -> String {
    list.join(",")
}

/// A file in a fresh temporary folder, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> TempFile {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "beaker-cookie-cli-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        fs::write(&path, text).expect("temp file");
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("UTF-8 temp path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

fn json(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Equal as JSON values and in key order at every depth (serde_json keeps insertion order
/// under the `cli` feature, so the serialized texts match exactly when both do).
fn assert_same_json(got: &str, want: &str) {
    let (got, want) = (json(got), json(want));
    assert_eq!(got, want);
    assert_eq!(got.to_string(), want.to_string(), "key order differs");
}

fn encode(options: &[&str], session: &str) -> String {
    let mut args = vec!["encode"];
    args.extend_from_slice(options);
    run(&args, session).ok().to_string()
}

fn decode(options: &[&str], cookie: &str) -> String {
    let mut args = vec!["decode"];
    args.extend_from_slice(options);
    run(&args, cookie).ok().to_string()
}

#[test]
fn cli_decode_prints_one_line_of_canonical_extended_json() {
    let out = decode(&["--config", &sample_ini()], SAMPLE_COOKIE);
    assert_eq!(out, SAMPLE_SESSION);
}

#[test]
fn cli_decode_accepts_quotes_and_crlf() {
    let cookie = SAMPLE_COOKIE.trim();
    for input in [
        cookie.to_string(),
        format!("{cookie}\r\n"),
        format!("\"{cookie}\"\n"),
    ] {
        assert_eq!(decode(&["--config", &sample_ini()], &input), SAMPLE_SESSION);
    }
}

#[test]
fn cli_decode_relaxed() {
    let out = decode(&["--config", &sample_ini(), "--relaxed"], SAMPLE_COOKIE);
    assert_same_json(
        &out,
        concat!(
            r#"{"_id":"3f2a9c1e8b7d4f6a0c5e1b2d9f8a7c6e","_creation_time":1699990000.5,"#,
            r#""_accessed_time":1700000000.123456,"user_id":1234,"username":"alice","#,
            r#""roles":["admin","editor"],"last_login":{"$date":"2024-02-29T12:34:56.789Z"}}"#
        ),
    );
}

#[test]
fn cli_decode_rejections_exit_1_with_category_and_layer() {
    let ini = sample_ini();
    let cases: [(&str, &[&str]); 5] = [
        ("not-a-cookie", &["malformed", "jws"]),
        ("", &["malformed", "cookie"]),
        ("a.b.c.d", &["malformed", "jws"]),
        (
            "eyJhbGciOiJub25lIn0.e30.",
            &["unsupported", "jws", "algorithm"],
        ),
        (&"x".repeat(9000), &["limit-exceeded", "max_cookie_len"]),
    ];
    for (cookie, words) in cases {
        let line = run(&["decode", "--config", &ini], cookie)
            .rejected()
            .to_string();
        assert!(
            line.starts_with("beaker-cookie decode: rejected: "),
            "{line}"
        );
        for word in words {
            assert!(line.contains(word), "{cookie:.20}: {line} lacks {word}");
        }
    }
    // Signed with another key.
    let line = run(&["decode", "--jwt-secret-keys", K1], SAMPLE_COOKIE)
        .rejected()
        .to_string();
    assert!(line.contains("bad-signature"), "{line}");
    // Tampered payload.
    let mut tampered = SAMPLE_COOKIE.trim().to_string();
    tampered.insert(60, 'A');
    let line = run(&["decode", "--config", &ini], &tampered)
        .rejected()
        .to_string();
    assert!(line.contains("rejected: "), "{line}");
    // Two lines are not one cookie value.
    let two = format!("{}\n{}\n", SAMPLE_COOKIE.trim(), SAMPLE_COOKIE.trim());
    let line = run(&["decode", "--config", &ini], &two)
        .rejected()
        .to_string();
    assert!(
        line.contains("input") && line.contains("one line"),
        "{line}"
    );
}

/// The deliberate differences of `tests/jwt_vectors.rs` (Python 2 byte strings in legacy
/// pickles), which Python refuses and we read.
const READ_WHERE_PYTHON_REFUSES: [(&str, &str); 2] = [
    (
        "legacy_pickle/bad_py2_datetime_non_ascii",
        r#"{"when":{"$date":{"$numberLong":"1704164645000"}}}"#,
    ),
    ("legacy_pickle/bad_py2_str_non_ascii", r#"{"name":"café"}"#),
];

/// Every vector the Python package wrote decodes to the exact Extended JSON that
/// `bson.json_util` (CANONICAL_JSON_OPTIONS) printed for Python's session, key order included;
/// every refused vector exits 1 with one line.
#[test]
fn cli_decode_matches_every_python_vector() {
    let mut checked = 0;
    for mode in ["jwt_bson", "jwt_json", "legacy_pickle", "legacy_json"] {
        let dir = Path::new(ROOT).join("tests/data").join(mode);
        let mut names: Vec<String> = fs::read_dir(&dir)
            .expect("vector folder")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".cookie").map(str::to_string))
            .collect();
        names.sort();
        // rfc7515_a1's key is binary (RFC 7515 A.1); Beaker keys, and the CLI's, are text.
        for name in names.into_iter().filter(|n| n != "rfc7515_a1") {
            let cookie = fs::read_to_string(dir.join(format!("{name}.cookie"))).expect("cookie");
            let own_ini = dir.join(format!("{name}.ini"));
            let ini = if own_ini.is_file() {
                own_ini
            } else {
                dir.join("options.ini")
            };
            let ini = ini.to_str().expect("UTF-8 path").to_string();
            let out = run(&["decode", "--config", &ini], &cookie);
            eprintln!("{mode}/{name}"); // shown when the test fails
            let expected = dir.join(format!("{name}.json"));
            let deliberate = READ_WHERE_PYTHON_REFUSES
                .iter()
                .find(|(case, _)| *case == format!("{mode}/{name}"));
            if let Some((_, want)) = deliberate {
                assert_eq!(out.ok(), *want);
            } else if expected.is_file() {
                let want = fs::read_to_string(&expected).expect("json");
                let got = out.ok();
                assert_same_json(got, &want);
                assert!(got.bytes().all(|b| b != b'\n'));
            } else {
                let line = out.rejected();
                assert!(line.contains("rejected: "), "{mode}/{name}: {line}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 144, "only {checked} vectors");
}

#[test]
fn cli_usage_errors_exit_2_and_name_the_flag() {
    assert!(run(&[], "").usage().contains("Usage"));
    assert!(run(&["frobnicate"], "").usage().contains("frobnicate"));
    assert!(run(&["decode", "--no-such-flag"], "")
        .usage()
        .contains("--no-such-flag"));
    let with_key = |flag: &str, value: &str| {
        run(
            &["decode", "--jwt-secret-keys", K1, flag, value],
            SAMPLE_COOKIE,
        )
        .usage()
        .to_string()
    };
    for (flag, value) in [
        ("--timeout", "soon"),
        ("--bson-compress-jwt-payload", "maybe"),
        ("--read-original-format", "2"),
        ("--original-format-data-serializer", "yaml"),
        ("--time-mode", "lenient"),
        ("--now", "NaN"),
        ("--now", "yesterday"),
    ] {
        let err = with_key(flag, value);
        assert!(err.contains(flag), "{flag} {value}: {err}");
    }
    // No key anywhere; a weak key; a legacy option without its key.
    let err = run(&["decode"], SAMPLE_COOKIE).usage().to_string();
    assert!(
        err.contains("jwt_secret_keys") && err.contains("BEAKER_JWT_SECRET_KEYS"),
        "{err}"
    );
    let err = run(&["decode", "--jwt-secret-keys", "short"], SAMPLE_COOKIE)
        .usage()
        .to_string();
    assert!(
        err.contains("--jwt-secret-keys") && err.contains("14 bytes"),
        "{err}"
    );
    let err = run(
        &[
            "decode",
            "--jwt-secret-keys",
            K1,
            "--read-original-format",
            "true",
        ],
        SAMPLE_COOKIE,
    )
    .usage()
    .to_string();
    assert!(err.contains("original_format_validate_key"), "{err}");
    let err = run(&["decode", "--config", "/no/such/app.ini"], SAMPLE_COOKIE)
        .usage()
        .to_string();
    assert!(
        err.contains("--config") && err.contains("/no/such/app.ini"),
        "{err}"
    );
}

#[test]
fn cli_allow_weak_keys_accepts_a_short_key() {
    let cookie = encode(
        &["--jwt-secret-keys", "short", "--allow-weak-keys", "true"],
        "{}",
    );
    assert_eq!(
        decode(
            &["--jwt-secret-keys", "short", "--allow-weak-keys", "yes"],
            &cookie
        ),
        "{}"
    );
}

/// One value of each BSON type, in canonical Extended JSON, in a non-sorted key order.
const ALL_TYPES: &str = concat!(
    r#"{"z_first":"key order is kept","double":{"$numberDouble":"1e+20"},"#,
    r#""neg_zero":{"$numberDouble":"-0.0"},"tiny":{"$numberDouble":"5e-324"},"#,
    r#""nan":{"$numberDouble":"NaN"},"inf":{"$numberDouble":"-Infinity"},"#,
    r#""third":{"$numberDouble":"0.3333333333333333"},"#,
    r#""string":"h\u00e9llo \ud83d\ude00","doc":{"b":{"$numberInt":"1"},"a":[]},"#,
    r#""array":[{"$numberInt":"1"},"two",null,true],"#,
    r#""binary":{"$binary":{"base64":"AAEC/w==","subType":"00"}},"#,
    r#""uuid":{"$binary":{"base64":"c//SZESzTGmQ6OfR38A11A==","subType":"04"}},"#,
    r#""undefined":{"$undefined":true},"oid":{"$oid":"65f0c0ffee0123456789abcd"},"#,
    r#""bool":false,"date":{"$date":{"$numberLong":"-1"}},"null":null,"#,
    r#""regex":{"$regularExpression":{"pattern":"^a.*b$","options":"im"}},"#,
    r#""dbpointer":{"$dbPointer":{"$ref":"coll","$id":{"$oid":"65f0c0ffee0123456789abcd"}}},"#,
    r#""code":{"$code":"function() {}"},"#,
    r#""code_scope":{"$code":"x","$scope":{"x":{"$numberInt":"1"}}},"#,
    r#""symbol":{"$symbol":"sym"},"int32":{"$numberInt":"-2147483648"},"#,
    r#""timestamp":{"$timestamp":{"t":123,"i":4}},"#,
    r#""int64":{"$numberLong":"9223372036854775807"},"small_int64":{"$numberLong":"7"},"#,
    r#""decimal":{"$numberDecimal":"1.5E+3"},"min":{"$minKey":1},"max":{"$maxKey":1}}"#
);

/// Every type of `ALL_TYPES` comes back as it went in, except the two deprecated ones that
/// pymongo 4.20.1 (what beaker-session-jwt 1.0.4 decodes with) reads as `str` and `None`: a
/// symbol comes back a string, undefined comes back null, in place.
#[test]
fn cli_encode_decode_round_trips_every_type() {
    let want = ALL_TYPES
        .replace(r#""undefined":{"$undefined":true}"#, r#""undefined":null"#)
        .replace(r#""symbol":{"$symbol":"sym"}"#, r#""symbol":"sym""#);
    assert!(
        !want.contains("$undefined") && !want.contains("$symbol"),
        "{want}"
    );
    let cookie = encode(&["--jwt-secret-keys", K1], ALL_TYPES);
    assert_eq!(cookie.split('.').count(), 3);
    let out = decode(&["--jwt-secret-keys", K1], &cookie);
    assert_same_json(&out, &want);
}

#[test]
fn cli_encode_adds_nothing() {
    for session in ["{}", r#"{"x":{"$numberInt":"1"}}"#] {
        for mode in ["true", "false"] {
            let options = ["--jwt-secret-keys", K1, "--bson-compress-jwt-payload", mode];
            assert_eq!(decode(&options, &encode(&options, session)), session);
        }
    }
}

#[test]
fn cli_encode_reads_relaxed_extended_json() {
    let relaxed = concat!(
        r#"{"int":1,"long":3000000000,"double":2.5,"whole":2.0,"#,
        r#""date":{"$date":"2024-02-29T12:34:56.789Z"},"old":{"$date":{"$numberLong":"-5"}}}"#
    );
    let cookie = encode(&["--jwt-secret-keys", K1], relaxed);
    let out = decode(&["--jwt-secret-keys", K1], &cookie);
    assert_eq!(
        out,
        concat!(
            r#"{"int":{"$numberInt":"1"},"long":{"$numberLong":"3000000000"},"#,
            r#""double":{"$numberDouble":"2.5"},"whole":{"$numberDouble":"2.0"},"#,
            r#""date":{"$date":{"$numberLong":"1709210096789"}},"#,
            r#""old":{"$date":{"$numberLong":"-5"}}}"#
        )
    );
    // Relaxed output reads back to the same session (no Int64 below 2^31 in it).
    let again = decode(&["--jwt-secret-keys", K1, "--relaxed"], &cookie);
    let cookie2 = encode(&["--jwt-secret-keys", K1], &again);
    assert_eq!(decode(&["--jwt-secret-keys", K1], &cookie2), out);
}

#[test]
fn cli_encode_rejections_exit_1() {
    let k = ["encode", "--jwt-secret-keys", K1];
    let cases: [(&str, &str); 9] = [
        ("not json", "input"),
        ("[1, 2]", "input"),
        (r#"{"$date": {"$numberLong": "1"}}"#, "input"),
        (r#"{"a": 9223372036854775808}"#, "64 bits"),
        (r#"{"a": {"$numberInt": "x"}}"#, "input"),
        (r#"{"a": 1} {"b": 2}"#, "input"),
        (r#"{"a\u0000b": 1}"#, "unwritable"),
        // Datetimes outside years 1..=9999: pymongo cannot read them back.
        (
            r#"{"a": {"$date": {"$numberLong": "-62135596800001"}}}"#,
            "unwritable",
        ),
        (
            r#"{"a": [{"$date": {"$numberLong": "253402300800000"}}]}"#,
            "unwritable",
        ),
    ];
    for (input, word) in cases {
        let line = run(&k, input).rejected().to_string();
        assert!(line.contains(word), "{input}: {line}");
    }
    // JSON claims cannot hold a binary; a session too big for a cookie.
    let line = run(
        &[
            "encode",
            "--jwt-secret-keys",
            K1,
            "--bson-compress-jwt-payload",
            "false",
        ],
        r#"{"b": {"$binary": {"base64": "AA==", "subType": "00"}}}"#,
    )
    .rejected()
    .to_string();
    assert!(
        line.contains("unwritable") && line.contains("json"),
        "{line}"
    );
    let big: String = (0..400)
        .map(|i: u64| format!("\"k{i}\": \"{:x}\"", i * 7919 * 104_729))
        .collect::<Vec<_>>()
        .join(",");
    let line = run(&k, &format!("{{{big}}}")).rejected().to_string();
    assert!(
        line.contains("limit-exceeded") && line.contains("max_write_len"),
        "{line}"
    );
}

#[test]
fn cli_encode_writes_legacy_cookies_when_asked() {
    let options = [
        "--jwt-secret-keys",
        K1,
        "--write-original-format",
        "true",
        "--read-original-format",
        "true",
        "--original-format-validate-key",
        LEGACY_KEY,
        "--original-format-data-serializer",
        "json",
    ];
    let session = r#"{"user":"bob","n":{"$numberInt":"3"}}"#;
    let cookie = encode(&options, session);
    assert_eq!(cookie.split('.').count(), 1, "a legacy cookie: {cookie}");
    assert_eq!(decode(&options, &cookie), session);
}

#[test]
fn cli_secrets_from_the_environment() {
    let cookie = encode(&["--jwt-secret-keys", K2], "{}");
    let env_keys = [("BEAKER_JWT_SECRET_KEYS", &*keys(&[K1, K2]))];
    assert_eq!(run_env(&["decode"], &cookie, &env_keys).ok(), "{}");
    // A flag overrides the environment.
    let line = run_env(&["decode", "--jwt-secret-keys", K1], &cookie, &env_keys)
        .rejected()
        .to_string();
    assert!(line.contains("bad-signature"), "{line}");
    // The legacy key from the environment; a bad one is named by its variable.
    let legacy = [
        "decode",
        "--jwt-secret-keys",
        K1,
        "--read-original-format",
        "true",
    ];
    let out = run_env(
        &legacy,
        LEGACY_PICKLE_COOKIE,
        &[("BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY", LEGACY_KEY)],
    );
    assert_same_json(out.ok(), LEGACY_PICKLE_SESSION);
    let err = run_env(
        &legacy,
        LEGACY_PICKLE_COOKIE,
        &[("BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY", "weak")],
    )
    .usage()
    .to_string();
    assert!(err.contains("BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY"), "{err}");
    let err = run_env(&["decode"], &cookie, &[("BEAKER_JWT_SECRET_KEYS", "")])
        .usage()
        .to_string();
    assert!(err.contains("BEAKER_JWT_SECRET_KEYS"), "{err}");
}

#[test]
fn cli_config_file_sections_prefixes_and_overrides() {
    let ini = TempFile::new(
        "app.ini",
        &format!(
            "[DEFAULT]\n\
             debug = false\n\
             \n\
             [app:main]\n\
             use = egg:myapp\n\
             beaker.session.jwt_secret_keys = {K1},\n    {K2}\n\
             session.bson_compress_jwt_payload = false\n\
             session.timeout = 600\n\
             \n\
             [app:other]\n\
             session.jwt_secret_keys = {K2}\n"
        ),
    );
    let session = r#"{"_accessed_time":{"$numberDouble":"1000.0"}}"#;
    // The file's keys and JSON claims.
    let cookie = encode(&["--config", ini.path(), "--now", "1000"], session);
    let claims = cookie.split('.').nth(1).expect("payload");
    assert!(
        !claims.starts_with("eyJic1oi"),
        "JSON claims, not bsZ: {cookie}"
    );
    assert_eq!(
        decode(&["--config", ini.path(), "--now", "1500"], &cookie),
        session
    );
    // The file's timeout, and --timeout over it.
    let line = run(
        &["decode", "--config", ini.path(), "--now", "1601"],
        &cookie,
    )
    .rejected()
    .to_string();
    assert!(line.contains("expired"), "{line}");
    assert_eq!(
        decode(
            &["--config", ini.path(), "--now", "1601", "--timeout", "700"],
            &cookie
        ),
        session
    );
    // Flags override the file.
    let bsz = encode(
        &["--config", ini.path(), "--bson-compress-jwt-payload", "on"],
        session,
    );
    assert!(bsz
        .split('.')
        .nth(1)
        .expect("payload")
        .starts_with("eyJic1oi"));
    // Another section: only K2, signing too.
    let other = ["--config", ini.path(), "--config-section", "app:other"];
    let signed_by_k2 = encode(&other, "{}");
    assert_eq!(decode(&["--jwt-secret-keys", K2], &signed_by_k2), "{}");
    let err = run(
        &[
            "decode",
            "--config",
            ini.path(),
            "--config-section",
            "app:none",
        ],
        "",
    )
    .usage()
    .to_string();
    assert!(err.contains("app:none"), "{err}");
    // A bad value is named by file, section and key.
    let bad = TempFile::new(
        "bad.ini",
        "[app:main]\nsession.jwt_secret_keys = x\nsession.timeout = later\n",
    );
    let err = run(&["decode", "--config", bad.path()], "")
        .usage()
        .to_string();
    assert!(err.contains("bad.ini [app:main] session.timeout"), "{err}");
}

#[test]
fn cli_config_file_bad_boolean_echoes_the_value_but_never_a_key() {
    let bad = TempFile::new(
        "bool.ini",
        &format!("[app:main]\nsession.jwt_secret_keys = {K1}\nsession.secure = yes please\n"),
    );
    let err = run(&["decode", "--config", bad.path()], SAMPLE_COOKIE)
        .usage()
        .to_string();
    assert!(
        err.contains(
            r#"bool.ini [app:main] session.secure = "yes please": config: string is not true/false (true/false, yes/no, on/off, y/n, t/f, 1/0)"#
        ),
        "{err}"
    );
    assert!(!err.contains(K1), "{err}");
}

#[test]
fn cli_timeout_and_now() {
    let session = r#"{"_accessed_time":{"$numberDouble":"1000.5"}}"#;
    let cookie = encode(&["--jwt-secret-keys", K1], session);
    let k = ["--jwt-secret-keys", K1, "--timeout", "10"];
    let at = |now: &str| {
        let mut args = vec!["decode"];
        args.extend_from_slice(&k);
        args.extend_from_slice(&["--now", now]);
        run(&args, &cookie)
    };
    assert_eq!(at("1010.5").ok(), session);
    assert!(at("1010.6").rejected().contains("expired"));
    // Without --now: the system clock, long after 1970.
    let mut args = vec!["decode"];
    args.extend_from_slice(&k);
    assert!(run(&args, &cookie).rejected().contains("expired"));
    // Strict mode refuses a session with no _accessed_time.
    let bare = encode(&["--jwt-secret-keys", K1], "{}");
    let strict = [
        "decode",
        "--jwt-secret-keys",
        K1,
        "--timeout",
        "10",
        "--time-mode",
        "strict",
    ];
    assert!(run(&strict, &bare).rejected().contains("expired"));
}

fn field<'a>(report: &'a str, label: &str) -> &'a str {
    report
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{label}:")))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {label}: line in\n{report}"))
}

#[test]
fn cli_inspect_reports_format_key_header_sizes_times() {
    let session = concat!(
        r#"{"_creation_time":{"$numberDouble":"1700000000.5"},"#,
        r#""_accessed_time":{"$numberDouble":"1700003600.0"},"user":"alice"}"#
    );
    let cookie = encode(&["--jwt-secret-keys", K2], session);
    let args = [
        "inspect",
        "--jwt-secret-keys",
        &keys(&[K1, K2]),
        "--now",
        "1700003660",
        "--timeout",
        "30",
    ];
    let out = run(&args, &cookie);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(out.stderr.is_empty());
    let report = out.stdout.as_str();
    assert_eq!(field(report, "format"), "jwt-bson");
    assert!(field(report, "verified by").starts_with("jwt_secret_keys[1]"));
    assert_eq!(field(report, "header"), r#"{"typ":"JWT","alg":"HS256"}"#);
    assert_eq!(field(report, "cookie"), format!("{} bytes", cookie.len()));
    for label in ["payload", "compressed", "inflated"] {
        assert!(field(report, label).contains(" bytes"), "{label}");
    }
    assert!(field(report, "_creation_time").starts_with("2023-11-14T22:13:20.500Z"));
    let accessed = field(report, "_accessed_time");
    assert!(accessed.starts_with("2023-11-14T23:13:20Z"), "{accessed}");
    assert!(accessed.contains("age 60.000 s"), "{accessed}");
    assert!(field(report, "timeout").contains("REFUSED: session expired"));
    assert_same_json(field(report, "session"), session);
    assert!(!report.contains("UNVERIFIED"));
    // No key verifies: exit 1, and it says so.
    let line = run(&["inspect", "--jwt-secret-keys", K1], &cookie)
        .rejected()
        .to_string();
    assert!(line.contains("bad-signature"), "{line}");
}

#[test]
fn cli_inspect_no_verify_is_loudly_unverified() {
    let cookie = encode(&["--jwt-secret-keys", K2], r#"{"admin":true}"#);
    for args in [
        vec!["inspect", "--no-verify"],
        vec!["inspect", "--no-verify", "--jwt-secret-keys", K1],
    ] {
        let out = run(&args, &cookie);
        assert_eq!(out.code, 0, "{out:#?}");
        assert!(out.stdout.starts_with("WARNING:"), "{}", out.stdout);
        assert!(field(&out.stdout, "WARNING").starts_with("UNVERIFIED"));
        assert!(field(&out.stdout, "verified by").contains("NOT CHECKED"));
        assert_eq!(
            field(&out.stdout, "session (UNVERIFIED)"),
            r#"{"admin":true}"#
        );
        assert!(one_line(&out.stderr).contains("UNVERIFIED"));
    }
    // Legacy cookies too, and the relaxed session form.
    let out = run(
        &["inspect", "--no-verify", "--relaxed"],
        LEGACY_PICKLE_COOKIE,
    );
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(field(&out.stdout, "format"), "legacy-pickle");
    assert_eq!(field(&out.stdout, "header"), "(none: legacy cookie)");
    assert!(field(&out.stdout, "session (UNVERIFIED)").contains(r#""user_id":1234"#));
    // Garbage is still refused.
    assert!(run(&["inspect", "--no-verify"], "garbage")
        .rejected()
        .contains("malformed"));
}

fn legacy_reading(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "--jwt-secret-keys",
        &keys(&[K1, K2]),
        "--read-original-format",
        "true",
        "--original-format-validate-key",
        LEGACY_KEY,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[test]
fn cli_migrate_rewrites_legacy_as_jwt() {
    let options = legacy_reading(&[]);
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let mut args = vec!["migrate"];
    args.extend_from_slice(&options);
    let jwt = run(&args, LEGACY_PICKLE_COOKIE).ok().to_string();
    assert_eq!(jwt.split('.').count(), 3, "{jwt}");
    // The JWT reads with legacy reading off, to the legacy cookie's session.
    assert_same_json(
        &decode(&["--jwt-secret-keys", K1], &jwt),
        LEGACY_PICKLE_SESSION,
    );
    // Legacy reading off: the legacy cookie is refused.
    assert!(
        run(&["migrate", "--jwt-secret-keys", K1], LEGACY_PICKLE_COOKIE)
            .rejected()
            .contains("malformed")
    );
}

#[test]
fn cli_migrate_stats_counts_formats_keys_and_refusals() {
    let by_k1 = encode(&["--jwt-secret-keys", K1], r#"{"a":1}"#);
    let by_k2 = encode(&["--jwt-secret-keys", K2], r#"{"b":2}"#);
    let json_claims = encode(
        &[
            "--jwt-secret-keys",
            K1,
            "--bson-compress-jwt-payload",
            "false",
        ],
        "{}",
    );
    let legacy_json = include_str!("data/legacy_json/beaker_typical.cookie");
    let lines = [
        by_k1.as_str(),
        by_k1.as_str(),
        "",
        by_k2.as_str(),
        LEGACY_PICKLE_COOKIE.trim(),
        LEGACY_PICKLE_COOKIE.trim(),
        json_claims.as_str(),
        legacy_json.trim(),
        "garbage",
        &"x".repeat(10_000),
        by_k1.as_str(),
    ];
    let file = TempFile::new("cookies.txt", &(lines.join("\n") + "\n"));
    let options = legacy_reading(&["--stats", file.path()]);
    let mut args = vec!["migrate"];
    args.extend(options.iter().map(String::as_str));
    let out = run(&args, "");
    assert_eq!(out.code, 0, "{out:#?}");
    // bsZ mode: the JSON-claims cookie reads as jwt-bson with no bsZ (as in Python); the
    // legacy JSON cookie is not a pickle (unsupported), and "garbage" is a legacy value too
    // short for its signature (bad-signature), as in Python.
    let want = "\
total: 10
format jwt-bson: 5
format jwt-json: 0
format legacy-pickle: 2
format legacy-json: 0
key jwt_secret_keys[0]: 4
key jwt_secret_keys[1]: 1
key original_format_validate_key: 2
rejected: 3
rejected bad-signature: 1
rejected limit-exceeded: 1
rejected unsupported: 1
not migratable: 0
";
    assert_eq!(out.stdout, want);
    // The same from stdin.
    let mut args = vec!["migrate"];
    let options = legacy_reading(&["--stats", "-"]);
    args.extend(options.iter().map(String::as_str));
    assert_eq!(run(&args, &lines.join("\n")).stdout, want);
    // The same with each line pasted as a Cookie header, blanks around.
    let pasted: Vec<String> = lines
        .iter()
        .map(|l| match *l {
            "" => String::new(),
            l => format!(" Cookie: theme=dark; beaker.session.id={l}\t"),
        })
        .collect();
    assert_eq!(run(&args, &pasted.join("\n")).stdout, want);
    // A missing file is a usage error naming the flag.
    assert!(run(
        &[
            "migrate",
            "--jwt-secret-keys",
            K1,
            "--stats",
            "/no/such/file"
        ],
        ""
    )
    .usage()
    .contains("--stats"));
}

#[test]
fn cli_keygen_prints_fresh_hex_keys() {
    let a = run(&["keygen"], "").ok().to_string();
    let b = run(&["keygen"], "").ok().to_string();
    for key in [&a, &b] {
        assert_eq!(key.len(), 64, "{key}");
        assert!(key
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
    assert_ne!(a, b);
    assert_eq!(run(&["keygen", "--bytes", "16"], "").ok().len(), 32);
    assert!(run(&["keygen", "--bytes", "0"], "")
        .usage()
        .contains("--bytes"));
    // A fresh key works as a key.
    let cookie = encode(&["--jwt-secret-keys", &a], "{}");
    assert_eq!(decode(&["--jwt-secret-keys", &a], &cookie), "{}");
}

/// `SUB --help` is short and grouped, with examples; `SUB --help-all` (and `help SUB`) has
/// every flag and the details.
#[test]
fn cli_help_documents_every_subcommand_and_flag() {
    let top = run(&["--help"], "").ok().to_string();
    for sub in ["decode", "encode", "inspect", "migrate", "keygen"] {
        assert!(top.contains(sub), "{sub} missing from --help");
    }
    let everyday = [
        "--config",
        "--jwt-secret-keys",
        "--bson-compress-jwt-payload",
        "--read-original-format",
        "--write-original-format",
        "--original-format-validate-key",
        "--timeout",
        "--now",
        "BEAKER_JWT_SECRET_KEYS",
        "BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY",
        "Exit status",
        "Examples:",
    ];
    let rare = [
        "--config-section",
        "--original-format-data-serializer",
        "--original-format-remove-keys",
        "--time-mode",
        "--allow-weak-keys",
    ];
    let own: [(&str, &[&str]); 5] = [
        ("decode", &["--relaxed", "[COOKIE]"]),
        ("encode", &[]),
        (
            "inspect",
            &["--no-verify", "--relaxed", "UNVERIFIED", "[COOKIE]"],
        ),
        ("migrate", &["--stats", "[COOKIE]"]),
        ("keygen", &["--bytes"]),
    ];
    for (sub, flags) in own {
        let help = run(&[sub, "--help"], "");
        assert_eq!(help.code, 0, "{help:#?}");
        let lines = help.stdout.lines().count();
        assert!(lines <= 45, "{sub} --help is {lines} lines");
        // Two or three examples, each a command line.
        let examples = help
            .stdout
            .lines()
            .filter(|l| l.starts_with("  ") && l.contains("beaker-cookie "))
            .count();
        assert!((2..=3).contains(&examples), "{sub}: {examples} examples");
        assert_eq!(run(&[sub, "-h"], "").stdout, help.stdout);
        let all = run(&[sub, "--help-all"], "");
        assert_eq!(all.code, 0, "{all:#?}");
        let keygen = sub == "keygen";
        let common: &[&str] = if keygen { &[] } else { &everyday };
        for flag in flags.iter().chain(common) {
            assert!(help.stdout.contains(flag), "{sub} --help lacks {flag}");
            assert!(all.stdout.contains(flag), "{sub} --help-all lacks {flag}");
        }
        if !keygen {
            for heading in ["Cookie input:", "Config and keys:", "Format options:"] {
                if sub == "encode" && heading == "Cookie input:" {
                    continue; // it reads Extended JSON
                }
                assert!(
                    help.stdout.contains(heading),
                    "{sub} --help lacks {heading}"
                );
            }
            for flag in rare {
                assert!(all.stdout.contains(flag), "{sub} --help-all lacks {flag}");
                // Named once in the short help's footer, not described as a flag.
                assert!(
                    !help.stdout.contains(&format!("      {flag} ")),
                    "{sub} --help describes {flag}"
                );
            }
        }
        // `help SUB` is the long help.
        assert_eq!(run(&["help", sub], "").stdout, all.stdout);
    }
    assert!(run(&["--version"], "").ok().starts_with("beaker-cookie "));
}

/// What people paste: the value, `name=value`, a `Cookie:` header, a `Set-Cookie:` line, with
/// blanks around, on stdin or as the argument.
#[test]
fn cli_cookie_input_accepts_pairs_headers_and_an_argument() {
    let ini = sample_ini();
    let c = SAMPLE_COOKIE.trim();
    let pasted = [
        c.to_string(),
        format!("  {c}\t \n"),
        format!("\t{c} \r\n\n"),
        format!("beaker.session.id={c}"),
        format!("Cookie: theme=dark; beaker.session.id={c}; lang=en"),
        format!("cookie:beaker.session.id=\"{c}\"\n"),
        format!("theme=dark; beaker.session.id={c}"),
        format!("Set-Cookie: beaker.session.id={c}; Path=/; HttpOnly; SameSite=Lax"),
    ];
    for text in &pasted {
        assert_eq!(
            decode(&["--config", &ini], text),
            SAMPLE_SESSION,
            "{text:.40}"
        );
        assert_eq!(
            run(&["decode", "--config", &ini, text], "").ok(),
            SAMPLE_SESSION,
            "argument {text:.40}"
        );
    }
    // inspect and migrate take the argument too.
    let report = run(&["inspect", "--config", &ini, &pasted[4]], "");
    assert!(report.stdout.contains("jwt-bson"), "{report:#?}");
    let jwt = run(&["migrate", "--config", &ini, &pasted[7]], "")
        .ok()
        .to_string();
    assert_eq!(decode(&["--config", &ini], &jwt), SAMPLE_SESSION);
    // The cookie is picked by the configured name (session.key).
    let renamed = TempFile::new(
        "renamed.ini",
        &format!(
            "{}\nsession.key = myapp\n",
            fs::read_to_string(&ini).expect("sample.ini")
        ),
    );
    let header = format!("Cookie: beaker.session.id=junk; myapp={c}");
    assert_eq!(
        decode(&["--config", renamed.path()], &header),
        SAMPLE_SESSION
    );
    // A header without it names the cookies it has (names only, never values).
    let line = run(&["decode", "--config", &ini], "Cookie: theme=dark; lang=en")
        .rejected()
        .to_string();
    assert!(
        line.contains(r#"no cookie named "beaker.session.id""#)
            && line.contains(r#""theme", "lang""#)
            && !line.contains("dark"),
        "{line}"
    );
    let line = run(
        &["decode", "--config", &ini],
        &format!("Set-Cookie: other={c}; Path=/"),
    )
    .rejected()
    .to_string();
    assert!(
        line.contains(r#"sets "other", not "beaker.session.id""#),
        "{line}"
    );
    let line = run(&["decode", "--config", &ini], &format!("session={c}"))
        .rejected()
        .to_string();
    assert!(line.contains(r#"a cookie named "session""#), "{line}");
    // A value with a blank inside is still refused, as one cookie value with a space.
    assert!(run(&["decode", "--config", &ini], "two\nlines")
        .rejected()
        .contains("more than one line"));
    // --stats conflicts with a cookie argument.
    run(&["migrate", "--config", &ini, "--stats", "-", c], "").usage();
}

/// A legacy cookie with legacy reading off names the flag; a bad signature points at
/// `--no-verify`.
#[test]
fn cli_hints_name_the_flag_that_helps() {
    let legacy = LEGACY_PICKLE_COOKIE.trim();
    for sub in ["decode", "migrate", "inspect"] {
        let line = run(&[sub, "--jwt-secret-keys", K1, legacy], "")
            .rejected()
            .to_string();
        assert!(
            line.contains("looks like a legacy Beaker cookie")
                && line.contains("--read-original-format true"),
            "{sub}: {line}"
        );
    }
    // With legacy reading on, no such hint (the cookie decodes).
    let options = legacy_reading(&[]);
    let mut args: Vec<&str> = vec!["decode"];
    args.extend(options.iter().map(String::as_str));
    args.push(legacy);
    assert_same_json(run(&args, "").ok(), LEGACY_PICKLE_SESSION);
    // A JWT that is not legacy-shaped gets no legacy hint.
    let line = run(&["decode", "--jwt-secret-keys", K1, "a.b"], "")
        .rejected()
        .to_string();
    assert!(!line.contains("legacy"), "{line}");
    // Bad signature: inspect suggests --no-verify, decode suggests inspect --no-verify.
    let line = run(&["inspect", "--jwt-secret-keys", K1], SAMPLE_COOKIE)
        .rejected()
        .to_string();
    assert!(
        line.starts_with(
            "beaker-cookie inspect: rejected: bad-signature: signature did not verify; "
        ) && line.contains("--no-verify"),
        "{line}"
    );
    let line = run(&["decode", "--jwt-secret-keys", K1], SAMPLE_COOKIE)
        .rejected()
        .to_string();
    assert!(line.contains("inspect --no-verify"), "{line}");
    // A trailing tab is trimmed, so it is not mistaken for a bad signature.
    let tabbed = format!("{}\t", SAMPLE_COOKIE.trim());
    assert_eq!(
        decode(&["--config", &sample_ini()], &tabbed),
        SAMPLE_SESSION
    );
}

/// Each part of a refusal is said once: the category, the layer, what.
#[test]
fn cli_messages_say_each_prefix_once() {
    let ini = sample_ini();
    let cases = [
        (
            "a.b.c.d",
            "beaker-cookie decode: rejected: malformed in jws: ",
        ),
        (
            "eyJhbGciOiJub25lIn0.e30.",
            "beaker-cookie decode: rejected: unsupported in jws: algorithm",
        ),
    ];
    for (cookie, start) in cases {
        let line = run(&["decode", "--config", &ini, cookie], "")
            .rejected()
            .to_string();
        assert!(line.starts_with(start), "{line}");
        assert_eq!(line.matches("jws").count(), 1, "{line}");
        assert_eq!(
            line.matches("unsupported").count(),
            line.contains("unsupported") as usize,
            "{line}"
        );
    }
    let line = run(&["decode", "--config", &ini, &"x".repeat(9000)], "")
        .rejected()
        .to_string();
    assert!(
        line.starts_with("beaker-cookie decode: rejected: limit-exceeded: max_cookie_len: "),
        "{line}"
    );
    assert!(!line.contains("limit exceeded"), "{line}");
}

/// The numbers that matter: the session's age and the timeout; a length and its limit.
#[test]
fn cli_refusals_give_the_numbers() {
    let session = r#"{"_accessed_time":{"$numberDouble":"1000.5"}}"#;
    let cookie = encode(&["--jwt-secret-keys", K1], session);
    let line = run(
        &[
            "decode",
            "--jwt-secret-keys",
            K1,
            "--timeout",
            "10",
            "--now",
            "1030.5",
        ],
        &cookie,
    )
    .rejected()
    .to_string();
    assert_eq!(
        line,
        "beaker-cookie decode: rejected: expired: session expired: age 30.000 s (30s) \
         (now - _accessed_time), over the timeout of 10 s by 20.000 s (20s)"
    );
    // migrate says the same.
    let line = run(
        &[
            "migrate",
            "--jwt-secret-keys",
            K1,
            "--timeout",
            "10",
            "--now",
            "1030.5",
            &cookie,
        ],
        "",
    )
    .rejected()
    .to_string();
    assert!(
        line.contains("age 30.000 s") && line.contains("timeout of 10 s"),
        "{line}"
    );
    // Strict mode: no _accessed_time at all.
    let bare = encode(&["--jwt-secret-keys", K1], "{}");
    let line = run(
        &[
            "decode",
            "--jwt-secret-keys",
            K1,
            "--timeout",
            "10",
            "--time-mode",
            "strict",
        ],
        &bare,
    )
    .rejected()
    .to_string();
    assert!(
        line.contains("no _accessed_time (time_mode strict); timeout 10 s"),
        "{line}"
    );
    // The cookie's length and max_cookie_len (8192 by default).
    let line = run(
        &["decode", "--config", &sample_ini(), &"x".repeat(9000)],
        "",
    )
    .rejected()
    .to_string();
    assert!(
        line.ends_with("the cookie value is 9000 bytes, over the limit of 8192"),
        "{line}"
    );
    // Stdin far over the limit is not read to its end.
    let line = run(&["decode", "--config", &sample_ini()], &"x".repeat(100_000))
        .rejected()
        .to_string();
    assert!(
        line.contains("limit-exceeded: max_cookie_len: stdin is over") && line.contains("8192"),
        "{line}"
    );
    // The written length and max_write_len.
    let big: String = (0..400)
        .map(|i: u64| format!("\"k{i}\": \"{:x}\"", i * 7919 * 104_729))
        .collect::<Vec<_>>()
        .join(",");
    let line = run(&["encode", "--jwt-secret-keys", K1], &format!("{{{big}}}"))
        .rejected()
        .to_string();
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        line.starts_with(
            "beaker-cookie encode: rejected: limit-exceeded: max_write_len: the cookie would be "
        ),
        "{line}"
    );
    assert!(
        numbers.len() == 2 && numbers[0] > numbers[1],
        "{line}: {numbers:?}"
    );
}

/// A bad flag value that is not secret is echoed, with what was expected.
#[test]
fn cli_bad_flag_values_are_echoed() {
    let cases = [
        (
            "--bson-compress-jwt-payload",
            "maybe",
            "expected true/false",
        ),
        ("--read-original-format", "sometimes", "expected true/false"),
        ("--allow-weak-keys", "2", "expected true/false"),
        ("--timeout", "1h", "expected a whole number of seconds"),
        ("--time-mode", "lenient", "expected beaker or strict"),
        (
            "--original-format-data-serializer",
            "xml",
            "expected pickle or json",
        ),
        ("--now", "yesterday", "ISO 8601"),
    ];
    for (flag, value, expected) in cases {
        let err = run(&["decode", "--jwt-secret-keys", K1, flag, value], "")
            .usage()
            .to_string();
        assert!(
            err.contains(flag)
                && err.contains(expected)
                && err.contains(&format!("got \"{value}\"")),
            "{flag}: {err}"
        );
    }
    // Beaker's asbool words still pass.
    for word in ["yes", "Off", "1", "T"] {
        let cookie = encode(
            &["--jwt-secret-keys", K1, "--bson-compress-jwt-payload", word],
            "{}",
        );
        assert_eq!(decode(&["--jwt-secret-keys", K1], &cookie), "{}");
    }
}

/// `--now` takes Unix seconds or an ISO 8601 date-time with `Z` or an offset.
#[test]
fn cli_now_takes_iso_8601() {
    let session = r#"{"_accessed_time":{"$numberDouble":"1000.5"}}"#;
    let cookie = encode(&["--jwt-secret-keys", K1], session);
    let at = |now: &str| {
        run(
            &[
                "decode",
                "--jwt-secret-keys",
                K1,
                "--timeout",
                "10",
                "--now",
                now,
            ],
            &cookie,
        )
    };
    // 1000.5 + 10 = 1970-01-01T00:16:50.5Z, the last moment it is fresh.
    for fresh in [
        "1970-01-01T00:16:50.5Z",
        "1970-01-01T00:16:50,500z",
        "1970-01-01 01:16:50.5+01:00",
        "1969-12-31T23:46:50.5-0030",
    ] {
        assert_eq!(at(fresh).ok(), session, "{fresh}");
    }
    for stale in [
        "1970-01-01T00:16:51Z",
        "1970-01-01T01:16:50.6+01:00",
        "2026-12-06T10:00:00Z",
    ] {
        assert!(at(stale).rejected().contains("expired"), "{stale}");
    }
    // The age is counted from the ISO date: 2026-12-06T10:00:00Z is 1796551200.
    let line = at("2026-12-06T10:00:00Z").rejected().to_string();
    assert!(line.contains("age 1796550199.500 s"), "{line}");
    // No zone (local time would depend on the machine), impossible dates.
    for bad in [
        "2026-12-06T10:00:00",
        "2026-02-30T00:00:00Z",
        "2026-12-06",
        "2026-12-06T25:00:00Z",
    ] {
        let err = at(bad).usage().to_string();
        assert!(
            err.contains("Z or an offset") && err.contains(bad),
            "{bad}: {err}"
        );
    }
}

/// `beaker-cookie ... | head -1`: the reader went away; that is not a refused cookie.
#[test]
fn cli_closed_stdout_exits_0_quietly() {
    let mut child = Command::new(BIN)
        .args(["inspect", "--config", &sample_ini()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Close the reading end before the binary writes: it writes only after stdin's end.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(SAMPLE_COOKIE.as_bytes()).expect("stdin");
    drop(stdin);
    let out = child.wait_with_output().expect("the binary runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}

/// A key's value is never shown, even when refused (other values may be: see
/// `cli_config_file_bad_boolean_echoes_the_value_but_never_a_key`).
#[test]
fn cli_config_errors_never_show_a_key() {
    let secret = "s3cret-value-%zz-0123456789";
    let ini = TempFile::new(
        "leak.ini",
        &format!("[app:main]\nsession.jwt_secret_keys = {secret}\n"),
    );
    let err = run(&["decode", "--config", ini.path()], "")
        .usage()
        .to_string();
    assert!(err.contains("session.jwt_secret_keys"), "{err}");
    assert!(!err.contains("s3cret") && !err.contains("zz"), "{err}");
    let weak = run(&["decode", "--jwt-secret-keys", "s3cret"], "")
        .usage()
        .to_string();
    assert!(!weak.contains("s3cret"), "{weak}");
}
