//! `Config` from Beaker options, `.ini` text and files, and the environment: unknown options are
//! named with a suggestion, Beaker's own options are accepted, other apps' options ignored.
#![cfg(feature = "std")]

use beaker_session_jwt::ini::{IniError, IniErrorKind};
use beaker_session_jwt::{Config, Error, Name};

const K1: &str = "0123456789abcdef-one";
const K2: &str = "0123456789abcdef-two";

fn from(pairs: &[(&str, &str)]) -> Result<Config, Error> {
    Config::from_options(pairs.iter().copied())
}

/// A typo in a prefixed option is refused, named, with the option it was probably meant to be.
#[test]
fn config_unknown_option_names_it_and_suggests() {
    let err = from(&[("session.jwt_secret_keys", K1), ("session.timout", "3600")]).unwrap_err();
    assert_eq!(
        err,
        Error::UnknownOption {
            name: Name::new("timout"),
            suggestion: Some("timeout"),
        }
    );
    assert_eq!(
        err.to_string(),
        r#"config: unknown option "timout" (did you mean "timeout"?)"#
    );
    let err = from(&[
        ("beaker.session.jwt_secret_keys", K1),
        ("beaker.session.jwt_secret_key", K1),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"config: unknown option "jwt_secret_key" (did you mean "jwt_secret_keys"?)"#
    );
    let err = from(&[("session.jwt_secret_keys", K1), ("session.zzzzzz", "1")]).unwrap_err();
    assert_eq!(err.to_string(), r#"config: unknown option "zzzzzz""#);
    let mut c = Config::new([K1]).unwrap();
    assert!(matches!(
        c.set_option("save_acessed_time", "true"),
        Err(Error::UnknownOption {
            suggestion: Some("save_accessed_time"),
            ..
        })
    ));
}

/// Beaker's options that a cookie session has no use for are accepted, every one of them.
#[test]
fn config_ignored_beaker_options_accepted() {
    let mut pairs = vec![("session.jwt_secret_keys", K1)];
    let names: Vec<String> = Config::IGNORED_BEAKER_OPTIONS
        .iter()
        .map(|o| format!("session.{o}"))
        .collect();
    pairs.extend(names.iter().map(|n| (n.as_str(), "anything")));
    pairs.push(("session.sa.pool_recycle", "3600"));
    pairs.push(("session.auto", "true"));
    pairs.push(("session.invalidate_corrupt", "false"));
    pairs.push(("session.save_accessed_time", "false"));
    let c = from(&pairs).unwrap();
    assert!(c.auto);
    assert!(!c.invalidate_corrupt);
    assert!(!c.save_accessed_time);
}

/// Known options are taken without a prefix; other apps' options and unknown bare names are not.
#[test]
fn config_unprefixed_accepted_foreign_ignored() {
    let c = from(&[
        ("jwt_secret_keys", K1),
        ("timeout", "60"),
        ("use", "egg:myapp"),
        ("debug", "true"),
        ("sqlalchemy.url", "sqlite://"),
        ("other.thing", "x"),
        ("timout", "unknown but unprefixed: not ours"),
    ])
    .unwrap();
    assert_eq!(c.jwt_secret_keys.len(), 1);
    assert_eq!(c.timeout, Some(60));
}

const INI: &str = "\
# The app's file, as PasteDeploy reads it.
[DEFAULT]
debug = false
key_stem = 0123456789abcdef

[app:main]
use = egg:myapp
sqlalchemy.url = sqlite:///%(here)s/db.sqlite
session.type = cookie
beaker.session.jwt_secret_keys = %(key_stem)s-one,
    %(key_stem)s-two
session.timeout = 600
session.cookie_path = /app/%%

[app:other]
session.jwt_secret_keys = 0123456789abcdef-two
";

/// `[DEFAULT]`, interpolation and continuation lines, as PasteDeploy; `here` unset in text.
#[test]
fn config_from_ini_reads_like_pastedeploy() {
    let with_here = INI.replace("[DEFAULT]\n", "[DEFAULT]\nhere = /srv\n");
    let c = Config::from_ini(&with_here, "app:main").unwrap();
    assert_eq!(c.jwt_secret_keys.len(), 2);
    assert_eq!(c.jwt_secret_keys[0].as_bytes(), K1.as_bytes());
    assert_eq!(c.jwt_secret_keys[1].as_bytes(), K2.as_bytes());
    assert_eq!(c.timeout, Some(600));
    assert_eq!(c.cookie_path, "/app/%");
    let other = Config::from_ini(&with_here, "app:other").unwrap();
    assert_eq!(other.jwt_secret_keys[0].as_bytes(), K2.as_bytes());
    // Without a file, %(here)s has no value.
    let err = Config::from_ini(INI, "app:main").unwrap_err();
    assert!(
        matches!(err.kind(), IniErrorKind::Interpolation(_)),
        "{err}"
    );
    assert_eq!(err.option(), Some("sqlalchemy.url"));
}

/// `from_ini_file` sets `%(here)s` to the file's folder and names the file in errors.
#[test]
fn config_from_ini_file_sets_here() {
    let dir = std::env::temp_dir().join(format!("config_options_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.ini");
    std::fs::write(&path, INI.replace("/app/%%", "%(here)s")).unwrap();
    let c = Config::from_ini_file(&path, "app:main").unwrap();
    let here = std::path::absolute(&dir).unwrap();
    assert_eq!(c.cookie_path, here.display().to_string());
    let err = Config::from_ini_file(dir.join("missing.ini"), "app:main").unwrap_err();
    assert!(matches!(err.kind(), IniErrorKind::Read(_)));
    assert!(err.to_string().contains("missing.ini"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A missing section lists those found; a missing `]` says so.
#[test]
fn config_from_ini_syntax_errors() {
    let err = Config::from_ini(INI, "app:nope").unwrap_err();
    assert_eq!(
        err.kind(),
        &IniErrorKind::MissingSection {
            found: vec!["app:main".to_string(), "app:other".to_string()]
        }
    );
    assert_eq!(
        err.to_string(),
        "no [app:nope] section (found: [app:main], [app:other])"
    );
    let err = Config::from_ini("[app:main\nsession.timeout = 1\n", "app:main").unwrap_err();
    assert_eq!(
        (err.line(), err.kind()),
        (Some(1), &IniErrorKind::MissingBracket)
    );
    assert_eq!(
        err.to_string(),
        "line 1: missing ']' after the section name"
    );
    let err = Config::from_ini("session.timeout = 1\n", "app:main").unwrap_err();
    assert_eq!(err.kind(), &IniErrorKind::OptionBeforeSection);
}

/// A refused option in an `.ini` names its section and the option as written.
#[test]
fn config_from_ini_names_the_option() {
    let text = format!("[app:main]\nsession.jwt_secret_keys = {K1}\nsession.timout = 1\n");
    let err: IniError = Config::from_ini(&text, "app:main").unwrap_err();
    assert_eq!(err.option(), Some("session.timout"));
    assert_eq!(
        err.to_string(),
        r#"[app:main] session.timout: config: unknown option "timout" (did you mean "timeout"?)"#
    );
    let err = Config::from_ini("[app:main]\n", "app:main").unwrap_err();
    assert_eq!(
        err.kind(),
        &IniErrorKind::Config(Error::Config("no jwt_secret_keys specified"))
    );
}

/// A refused boolean (or any value that cannot be a key) is shown; a key never is.
#[test]
fn config_from_ini_shows_a_refused_value_unless_it_is_a_key() {
    let text = format!("[app:main]\nsession.jwt_secret_keys = {K1}\nsession.secure = yes please\n");
    let err = Config::from_ini(&text, "app:main").unwrap_err();
    assert_eq!(err.value(), Some("yes please"));
    assert_eq!(
        err.to_string(),
        r#"[app:main] session.secure = "yes please": config: string is not true/false (true/false, yes/no, on/off, y/n, t/f, 1/0)"#
    );
    for option in ["yes", "Off", " 1 ", "T", "n"] {
        let text =
            format!("[app:main]\nsession.jwt_secret_keys = {K1}\nsession.secure = {option}\n");
        assert!(Config::from_ini(&text, "app:main").is_ok(), "{option}");
    }
    let err =
        Config::from_ini("[app:main]\nsession.jwt_secret_keys = short\n", "app:main").unwrap_err();
    assert_eq!(err.value(), None);
    assert!(!err.to_string().contains("short\""), "{err}");
}

/// `from_env` reads the CLI's variables. The only test in this binary touching the environment.
#[test]
fn config_from_env_reads_cli_variables() {
    std::env::remove_var("BEAKER_JWT_SECRET_KEYS");
    std::env::remove_var("BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY");
    assert_eq!(
        Config::from_env().unwrap_err(),
        Error::Config("no jwt_secret_keys specified")
    );
    std::env::set_var("BEAKER_JWT_SECRET_KEYS", format!(" {K1} , {K2}"));
    std::env::set_var("BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY", K2);
    let c = Config::from_env().unwrap();
    assert_eq!(c.jwt_secret_keys.len(), 2);
    assert_eq!(c.jwt_secret_keys[1].as_bytes(), K2.as_bytes());
    assert_eq!(
        c.original_format_validate_key
            .as_ref()
            .map(|k| k.as_bytes()),
        Some(K2.as_bytes())
    );
    std::env::remove_var("BEAKER_JWT_SECRET_KEYS");
    std::env::remove_var("BEAKER_ORIGINAL_FORMAT_VALIDATE_KEY");
}
