//! `Codec` (reused state) and `Codec::decode_view` (borrowed reading) must behave exactly as the
//! one-shot `decode_cookie` / `encode_cookie`: same session, format and key index, same error,
//! for every Python-written vector of `tests/data` and every bench cookie of `benches/data`,
//! with one codec reused across all of them (so nothing of one call leaks into the next).

use std::fs;
use std::path::{Path, PathBuf};

use beaker_session_jwt::{
    decode_cookie, encode_cookie, Codec, Config, Decoded, Error, Result, Serializer, Session,
};

const NOW: f64 = 1_700_000_000.0;
const FOLDERS: [&str; 4] = ["jwt_bson", "jwt_json", "legacy_pickle", "legacy_json"];

fn data_dir(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(folder)
}

fn config_from(ini_text: &str) -> Config {
    Config::from_ini(ini_text, "app:main").expect("vector options are valid")
}

/// Every `(case, cookie, config)` of the vector folders, sorted by name.
fn vectors() -> Vec<(String, String, Config)> {
    let mut out = Vec::new();
    for folder in FOLDERS {
        let dir = data_dir(folder);
        let base = fs::read_to_string(dir.join("options.ini")).unwrap();
        let mut names: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "cookie"))
            .collect();
        names.sort();
        for path in names {
            let case_ini = path.with_extension("ini");
            let options = fs::read_to_string(&case_ini).unwrap_or_else(|_| base.clone());
            let cookie = fs::read_to_string(&path).unwrap();
            let name = format!("{folder}/{}", path.file_stem().unwrap().to_string_lossy());
            out.push((name, cookie, config_from(&options)));
        }
    }
    assert!(out.len() > 140, "{} vectors", out.len());
    out
}

/// What `decode_view` gives, in the shape `decode_cookie` gives it.
fn via_view(codec: &mut Codec, cookie: &str, config: &Config) -> Result<(Session, usize)> {
    let view = codec.decode_view(cookie, config, NOW)?;
    Ok((view.to_session()?, view.key_index()))
}

fn check_decode(codec: &mut Codec, name: &str, cookie: &str, config: &Config) -> Option<Decoded> {
    let one_shot = decode_cookie(cookie, config, NOW);
    assert_eq!(codec.decode_cookie(cookie, config, NOW), one_shot, "{name}");
    let view = via_view(codec, cookie, config);
    match &one_shot {
        Ok(d) => {
            let (session, key_index) = view.unwrap_or_else(|e| panic!("{name}: view {e:?}"));
            assert_eq!(session, d.session, "{name}");
            assert_eq!(key_index, d.key_index, "{name}");
            // Every key reads back through the view as the session holds it.
            let v = codec.decode_view(cookie, config, NOW).unwrap();
            assert_eq!(v.format(), d.format, "{name}");
            for (key, value) in d.session.iter() {
                let got = v
                    .get(key)
                    .unwrap_or_else(|| panic!("{name}: {key} missing"));
                assert_eq!(got.to_value().unwrap(), *value, "{name}: {key}");
            }
            assert!(v.get("no such key in any vector").is_none());
        }
        Err(e) => assert_eq!(view.map(|_| ()).unwrap_err(), *e, "{name}"),
    }
    one_shot.ok()
}

fn check_encode(codec: &mut Codec, name: &str, session: &Session, config: &Config) {
    let one_shot = encode_cookie(session, config);
    assert_eq!(codec.encode_cookie(session, config), one_shot, "{name}");
}

#[test]
fn codec_matches_one_shot_on_every_vector() {
    let mut codec = Codec::new();
    let (mut ok, mut refused) = (0, 0);
    for (name, cookie, config) in vectors() {
        match check_decode(&mut codec, &name, &cookie, &config) {
            Some(decoded) => {
                ok += 1;
                check_encode(&mut codec, &name, &decoded.session, &config);
                let mut json = config.clone();
                json.bson_compress_jwt_payload = !json.bson_compress_jwt_payload;
                check_encode(&mut codec, &name, &decoded.session, &json);
                if config.original_format_validate_key.is_some() {
                    let mut legacy = config.clone();
                    legacy.write_original_format = true;
                    check_encode(&mut codec, &name, &decoded.session, &legacy);
                    legacy.original_format_data_serializer = Serializer::Json;
                    check_encode(&mut codec, &name, &decoded.session, &legacy);
                }
            }
            None => refused += 1,
        }
    }
    assert!(ok > 80 && refused > 40, "{ok} accepted, {refused} refused");
}

#[test]
fn codec_matches_one_shot_on_bench_cookies() {
    let mut codec = Codec::new();
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data");
    for (folder, serializer) in [
        ("jwt_bsz", None),
        ("jwt_json", None),
        ("legacy_pickle", Some(Serializer::Pickle)),
        ("legacy_json", Some(Serializer::Json)),
    ] {
        let mut config =
            Config::new(["bench-key-one-0123456789", "bench-key-two-0123456789"]).unwrap();
        config.bson_compress_jwt_payload = folder != "jwt_json";
        if let Some(s) = serializer {
            config.read_original_format = true;
            config.original_format_validate_key = Some("bench-legacy-validate-key".into());
            config.original_format_data_serializer = s;
        }
        for case in ["small", "medium", "large", "medium_rotated", "forged"] {
            let Ok(cookie) = fs::read_to_string(bench.join(folder).join(format!("{case}.cookie")))
            else {
                continue;
            };
            let name = format!("bench {folder}/{case}");
            let decoded = check_decode(&mut codec, &name, &cookie, &config);
            assert_eq!(decoded.is_some(), case != "forged", "{name}");
            if let Some(d) = decoded {
                assert_eq!(d.key_index, usize::from(case == "medium_rotated"), "{name}");
                check_encode(&mut codec, &name, &d.session, &config);
            }
        }
    }
}

#[test]
fn codec_timeout_gives_the_same_verdicts() {
    let mut codec = Codec::new();
    for (name, cookie, mut config) in vectors() {
        for timeout in [1, 1_000_000_000] {
            config.timeout = Some(timeout);
            check_decode(&mut codec, &name, &cookie, &config);
        }
    }
}

#[test]
fn codec_view_of_a_session_with_other_claims_lets_bsz_win() {
    // {"a": 1, "bsZ": {"b": 2, "a": 3}, "c": 4} as Python's `payload.update` merges it.
    let config =
        config_from(&fs::read_to_string(data_dir("jwt_bson").join("options.ini")).unwrap());
    let cookie =
        fs::read_to_string(data_dir("jwt_bson").join("bsz_merged_over_claims.cookie")).unwrap();
    let mut codec = Codec::new();
    let view = codec.decode_view(&cookie, &config, NOW).unwrap();
    assert_eq!(view.get("a").and_then(|v| v.as_i64()), Some(3));
    assert_eq!(view.get("b").and_then(|v| v.as_i64()), Some(2));
    assert_eq!(view.get("c").and_then(|v| v.as_i64()), Some(4));
    let keys: Vec<String> = view
        .to_session()
        .unwrap()
        .keys()
        .map(String::from)
        .collect();
    assert_eq!(keys, ["a", "c", "b"]);
}

#[test]
fn codec_error_leaves_nothing_for_the_next_call() {
    let mut codec = Codec::new();
    let config =
        config_from(&fs::read_to_string(data_dir("jwt_bson").join("options.ini")).unwrap());
    let bad =
        fs::read_to_string(data_dir("jwt_bson").join("bad_bsz_truncated_zlib.cookie")).unwrap();
    let good = fs::read_to_string(data_dir("jwt_bson").join("beaker_typical.cookie")).unwrap();
    let expected = decode_cookie(&good, &config, NOW).unwrap();
    for _ in 0..3 {
        assert!(matches!(
            codec.decode_cookie(&bad, &config, NOW),
            Err(Error::Malformed { .. })
        ));
        assert_eq!(codec.decode_cookie(&good, &config, NOW).unwrap(), expected);
    }
}
