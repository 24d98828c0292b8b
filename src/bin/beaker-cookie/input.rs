//! Bounded reads of stdin and of `migrate --stats` files: a cookie value (one line), an
//! Extended JSON document, cookie values one a line.

use std::io::{BufRead, Read};

use beaker_session_jwt::{Error, Limit};

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

/// One cookie value: a single line, its newline stripped (quotes are left for the library).
///
/// # Errors
/// Rejected: longer than `max_cookie_len` (plus quotes and newline), not UTF-8, more than one
/// line, or an I/O error.
pub fn cookie(reader: impl Read, max_cookie_len: usize) -> Result<String, Failure> {
    let bytes = read_capped(reader, max_cookie_len.saturating_add(LINE_SLACK))
        .map_err(|e| Failure::input(format!("reading stdin: {e}")))?
        .ok_or(Failure::from_error(&Error::LimitExceeded(Limit::CookieLen)))?;
    let text =
        String::from_utf8(bytes).map_err(|_| Failure::input("the cookie value is not UTF-8"))?;
    let line = strip_newline(&text);
    if line.contains('\n') {
        return Err(Failure::input(
            "more than one line: give one cookie value (migrate --stats reads many)",
        ));
    }
    Ok(line.to_string())
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

    #[test]
    fn input_cookie_strips_one_newline_and_refuses_more_lines() {
        assert_eq!(cookie(&b"abc\n"[..], 10).unwrap(), "abc");
        assert_eq!(cookie(&b"\"abc\"\r\n"[..], 10).unwrap(), "\"abc\"");
        assert!(cookie(&b"abc\ndef\n"[..], 10).is_err());
        assert!(cookie(&b"abc\n\n"[..], 10).is_err());
        assert!(cookie(&[b'a'; 15][..], 10).is_err());
        assert!(cookie(&b"\xff"[..], 10).is_err());
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
