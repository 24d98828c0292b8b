//! Bounded reads of stdin and of `migrate --stats` files: a cookie (the value, `name=value`, a
//! `Cookie:` header or a `Set-Cookie:` line), an Extended JSON document, cookie values one a
//! line.

use std::io::{BufRead, Read};

use beaker_session_jwt::{cookie_from_header, Config, Error, Limit};

use crate::failure::Failure;

/// The most Extended JSON `encode` reads: far above any session that fits a 4 KB cookie.
pub const MAX_SESSION_INPUT: usize = 4 << 20;

/// Room for surrounding double quotes and a CRLF around a cookie value.
const LINE_SLACK: usize = 4;

/// Reads at most `cap` bytes; `None` when there was more.
fn read_capped(reader: impl Read, cap: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() <= cap).then_some(bytes))
}

/// The line without its line ending (`\n` or `\r\n`).
fn strip_newline(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// Room for the other cookies of a pasted `Cookie:` header, and a `Set-Cookie:` line's
/// attributes, around our cookie.
const HEADER_SLACK: usize = 8192;

/// Whitespace trimmed around a pasted cookie: spaces, tabs, CR and LF.
const BLANKS: [char; 4] = [' ', '\t', '\r', '\n'];

/// The cookie value to decode: the argument `arg` if given, else stdin; see [`extract`] for
/// what may be pasted.
///
/// # Errors
/// Rejected: stdin longer than `max_cookie_len` plus room for a header, not UTF-8, more than
/// one line, or not holding the configured cookie; or an I/O error.
pub fn cookie(arg: Option<&str>, stdin: impl Read, config: &Config) -> Result<String, Failure> {
    let text;
    let raw = match arg {
        Some(arg) => arg,
        None => {
            let cap = config
                .limits
                .max_cookie_len
                .saturating_add(LINE_SLACK)
                .saturating_add(HEADER_SLACK);
            let bytes = read_capped(stdin, cap)
                .map_err(|e| Failure::input(format!("reading stdin: {e}")))?
                .ok_or_else(|| {
                    Failure::explained(
                        &Error::LimitExceeded(Limit::CookieLen),
                        Some(&format!(
                            "stdin is over {cap} bytes (the limit of {} plus room for a \
                             Cookie header)",
                            config.limits.max_cookie_len
                        )),
                        None,
                    )
                })?;
            text = String::from_utf8(bytes)
                .map_err(|_| Failure::input("the cookie value is not UTF-8"))?;
            &text
        }
    };
    extract(raw, config)
}

/// The cookie value in what a user pasted, surrounding whitespace trimmed: the value itself,
/// `name=value`, a `Cookie:` header (the configured cookie picked out by
/// [`cookie_from_header`], as the library picks it) or a `Set-Cookie:` line (its first
/// `name=value`, before any `;`). Surrounding double quotes are left for the library.
///
/// # Errors
/// Rejected: more than one line, or a header, line or pair that does not hold the cookie named
/// `config.key`.
pub fn extract(raw: &str, config: &Config) -> Result<String, Failure> {
    let line = raw.trim_matches(BLANKS);
    if line.contains(['\n', '\r']) {
        return Err(Failure::input(
            "more than one line: give one cookie value (migrate --stats reads many)",
        ));
    }
    let name = &config.key;
    if let Some(header) = strip_header(line, "Cookie:") {
        return match cookie_from_header(header, config) {
            Some(value) => Ok(value.to_string()),
            None => Err(Failure::input(format!(
                "the Cookie header has no cookie named {name:?} (it has {}); set the cookie \
                 name with session.key",
                names(header)
            ))),
        };
    }
    if let Some(line) = strip_header(line, "Set-Cookie:") {
        let pair = line.split_once(';').map_or(line, |(pair, _)| pair);
        return match pair.split_once('=') {
            Some((found, value)) if found.trim_matches(BLANKS) == name => {
                Ok(value.trim_matches(BLANKS).to_string())
            }
            Some((found, _)) => Err(Failure::input(format!(
                "the Set-Cookie line sets {:?}, not {name:?}; set the cookie name with \
                 session.key",
                found.trim_matches(BLANKS)
            ))),
            None => Err(Failure::input("the Set-Cookie line has no name=value")),
        };
    }
    if line.contains(';') {
        // Pasted without the `Cookie:` label.
        return cookie_from_header(line, config)
            .map(str::to_string)
            .ok_or_else(|| {
                Failure::input(format!(
                    "no cookie named {name:?} in these cookies (found {})",
                    names(line)
                ))
            });
    }
    match line.split_once('=') {
        Some((found, value)) if found == name => Ok(value.to_string()),
        // A cookie name (short, a token) and a value: not base64 padding, not a long value.
        Some((found, value))
            if is_cookie_name(found) && !value.starts_with('=') && !value.is_empty() =>
        {
            Err(Failure::input(format!(
                "a cookie named {found:?}, not {name:?}; set the cookie name with session.key"
            )))
        }
        _ => Ok(line.to_string()),
    }
}

/// `line` without its `label` (ASCII case ignored), when it starts with it.
fn strip_header<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let head = line.get(..label.len())?;
    head.eq_ignore_ascii_case(label)
        .then(|| line.get(label.len()..))
        .flatten()
}

/// The cookie names of a `Cookie` header, for a message (names are not secret; values are).
fn names(header: &str) -> String {
    let found: Vec<String> = header
        .split(';')
        .filter_map(|piece| piece.split_once('='))
        .map(|(name, _)| format!("{:?}", name.trim()))
        .take(10)
        .collect();
    if found.is_empty() {
        "no name=value pair".to_string()
    } else {
        found.join(", ")
    }
}

/// A plausible cookie name: 1 to 64 RFC 6265 token characters.
fn is_cookie_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The whole of stdin as text, for `encode`.
///
/// # Errors
/// Rejected: more than [`MAX_SESSION_INPUT`] bytes, not UTF-8, or an I/O error.
pub fn document(reader: impl Read) -> Result<String, Failure> {
    let bytes = read_capped(reader, MAX_SESSION_INPUT)
        .map_err(|e| Failure::input(format!("reading stdin: {e}")))?
        .ok_or_else(|| {
            Failure::input(format!(
                "the Extended JSON is longer than {MAX_SESSION_INPUT} bytes"
            ))
        })?;
    String::from_utf8(bytes).map_err(|_| Failure::input("the Extended JSON is not UTF-8"))
}

/// One line of a cookie file.
pub enum Line {
    /// A cookie value (newline stripped).
    Value(String),
    /// A line refused before decoding, with the category `migrate --stats` counts it under:
    /// `limit-exceeded` (over the cap; its rest was skipped) or `input` (not UTF-8).
    Refused(&'static str),
}

/// Reads the next line of at most `max_cookie_len` (plus slack) bytes; `None` at the end.
/// Blank lines are skipped.
///
/// # Errors
/// An I/O error.
pub fn next_line(
    reader: &mut impl BufRead,
    max_cookie_len: usize,
) -> std::io::Result<Option<Line>> {
    let cap = max_cookie_len.saturating_add(LINE_SLACK);
    loop {
        let mut bytes = Vec::new();
        let read = reader
            .by_ref()
            .take(u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1))
            .read_until(b'\n', &mut bytes)?;
        if read == 0 {
            return Ok(None);
        }
        if bytes.len() > cap {
            // Skip the rest of the long line without keeping it.
            let mut done = bytes.ends_with(b"\n");
            while !done {
                let mut rest = Vec::new();
                let n = reader.by_ref().take(4096).read_until(b'\n', &mut rest)?;
                done = n == 0 || rest.ends_with(b"\n");
            }
            return Ok(Some(Line::Refused("limit-exceeded")));
        }
        let Ok(text) = String::from_utf8(bytes) else {
            return Ok(Some(Line::Refused("input")));
        };
        let line = strip_newline(&text);
        if line.trim().is_empty() {
            continue;
        }
        return Ok(Some(Line::Value(line.to_string())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new(["input-test-key-0123456789"]).unwrap()
    }

    fn get(text: &str) -> Result<String, String> {
        extract(text, &config()).map_err(|f| f.message().to_string())
    }

    #[test]
    fn input_cookie_trims_blanks_and_refuses_more_lines() {
        let c = config();
        assert_eq!(cookie(None, &b"abc\n"[..], &c).unwrap(), "abc");
        assert_eq!(cookie(None, &b" \t\"abc\"\r\n"[..], &c).unwrap(), "\"abc\"");
        assert_eq!(cookie(Some(" abc\t"), &b""[..], &c).unwrap(), "abc");
        assert!(cookie(None, &b"abc\ndef\n"[..], &c).is_err());
        assert!(cookie(None, &b"\xff"[..], &c).is_err());
        let long = vec![b'a'; c.limits.max_cookie_len + 10_000];
        let e = cookie(None, &long[..], &c).unwrap_err();
        assert!(e.message().contains("max_cookie_len"), "{}", e.message());
    }

    #[test]
    fn input_extract_finds_the_configured_cookie() {
        assert_eq!(get("beaker.session.id=abc").unwrap(), "abc");
        assert_eq!(
            get("Cookie: a=1; beaker.session.id=abc; b=2").unwrap(),
            "abc"
        );
        assert_eq!(get("cookie:beaker.session.id=\"abc\"").unwrap(), "abc");
        assert_eq!(get("a=1; beaker.session.id=abc").unwrap(), "abc");
        assert_eq!(
            get("Set-Cookie: beaker.session.id=abc; Path=/; HttpOnly").unwrap(),
            "abc"
        );
        let legacy = format!("{}gAJ9cQA=", "0a".repeat(20));
        assert_eq!(get(&legacy).unwrap(), legacy);
        assert!(get("Cookie: a=1; b=2")
            .unwrap_err()
            .contains("\"a\", \"b\""));
        assert!(get("Set-Cookie: other=abc; Path=/")
            .unwrap_err()
            .contains("\"other\""));
        assert!(get("session=abc").unwrap_err().contains("\"session\""));
    }

    #[test]
    fn input_lines_skip_blanks_and_long_lines() {
        let text = format!("one\n\n{}\ntwo\r\n", "x".repeat(100));
        let mut reader = std::io::BufReader::new(text.as_bytes());
        let mut got = Vec::new();
        while let Some(line) = next_line(&mut reader, 10).unwrap() {
            got.push(match line {
                Line::Value(v) => v,
                Line::Refused(_) => "<refused>".to_string(),
            });
        }
        assert_eq!(got, ["one", "<refused>", "two"]);
    }
}
