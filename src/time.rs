//! Beaker's `timeout` check against `_accessed_time` (Beaker 1.14.1 `CookieSession.__init__`:
//! `if now - self.get('_accessed_time', now) > timeout: self.clear()`), with the clock passed in.

use crate::config::TimeMode;
use crate::error::{Error, Layer, Result};
use crate::value::{Session, Value};

/// Checks `session` against `timeout` seconds at `now` (Unix seconds, as `time.time()`).
///
/// Float arithmetic cannot overflow or panic; non-finite values compare as Python's do.
///
/// # Errors
/// [`Error::Expired`] when expired (and, in [`TimeMode::Strict`], when `_accessed_time` is
/// missing, non-finite or later than `now`); [`Error::Malformed`] in [`Layer::Session`] when
/// `_accessed_time` is not a number (Python raises a `TypeError` there).
pub(crate) fn check_timeout(
    session: &Session,
    timeout: u64,
    now: f64,
    mode: TimeMode,
) -> Result<()> {
    check_accessed(session.get("_accessed_time"), timeout, now, mode)
}

/// [`check_timeout`] given the session's `_accessed_time` value (or its absence).
///
/// # Errors
/// As [`check_timeout`].
pub(crate) fn check_accessed(
    accessed: Option<&Value>,
    timeout: u64,
    now: f64,
    mode: TimeMode,
) -> Result<()> {
    let accessed = match accessed {
        None => match mode {
            TimeMode::Beaker => return Ok(()),
            TimeMode::Strict => return Err(Error::Expired),
        },
        // Python's bool is an int: `now - True` works there.
        Some(Value::Bool(b)) if mode == TimeMode::Beaker => f64::from(u8::from(*b)),
        Some(v) => v.as_f64().ok_or(Error::malformed(
            Layer::Session,
            0,
            "_accessed_time is not a number",
        ))?,
    };
    if mode == TimeMode::Strict && (!accessed.is_finite() || accessed > now) {
        return Err(Error::Expired);
    }
    // u64 -> f64 rounds above 2^53 seconds, far beyond any real timeout.
    if now - accessed > timeout as f64 {
        return Err(Error::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(t: Value) -> Session {
        let mut s = Session::new();
        s.insert("_accessed_time", t);
        s
    }

    #[test]
    fn time_beaker_semantics() {
        let now = 1_000_000.0;
        assert_eq!(
            check_timeout(&Session::new(), 10, now, TimeMode::Beaker),
            Ok(())
        );
        assert_eq!(
            check_timeout(
                &session(Value::Double(now - 10.0)),
                10,
                now,
                TimeMode::Beaker
            ),
            Ok(())
        );
        assert_eq!(
            check_timeout(
                &session(Value::Double(now - 10.5)),
                10,
                now,
                TimeMode::Beaker
            ),
            Err(Error::Expired)
        );
        assert_eq!(
            check_timeout(&session(Value::Int64(0)), 10, now, TimeMode::Beaker),
            Err(Error::Expired)
        );
        // A future or NaN time never expires in Python.
        assert_eq!(
            check_timeout(
                &session(Value::Double(now + 99.0)),
                10,
                now,
                TimeMode::Beaker
            ),
            Ok(())
        );
        assert_eq!(
            check_timeout(&session(Value::Double(f64::NAN)), 10, now, TimeMode::Beaker),
            Ok(())
        );
        assert_eq!(
            check_timeout(
                &session(Value::Double(f64::NEG_INFINITY)),
                10,
                now,
                TimeMode::Beaker
            ),
            Err(Error::Expired)
        );
        assert!(matches!(
            check_timeout(
                &session(Value::from("yesterday")),
                10,
                now,
                TimeMode::Beaker
            ),
            Err(Error::Malformed {
                layer: Layer::Session,
                ..
            })
        ));
    }

    #[test]
    fn time_strict_refuses_missing_future_and_nonfinite() {
        let now = 1_000_000.0;
        assert_eq!(
            check_timeout(&Session::new(), 10, now, TimeMode::Strict),
            Err(Error::Expired)
        );
        assert_eq!(
            check_timeout(
                &session(Value::Double(now + 1.0)),
                10,
                now,
                TimeMode::Strict
            ),
            Err(Error::Expired)
        );
        assert_eq!(
            check_timeout(&session(Value::Double(f64::NAN)), 10, now, TimeMode::Strict),
            Err(Error::Expired)
        );
        assert!(check_timeout(&session(Value::Bool(true)), 10, now, TimeMode::Strict).is_err());
        assert_eq!(
            check_timeout(
                &session(Value::Double(now - 1.0)),
                10,
                now,
                TimeMode::Strict
            ),
            Ok(())
        );
        assert_eq!(
            check_timeout(
                &session(Value::Double(u64::MAX as f64)),
                u64::MAX,
                now,
                TimeMode::Strict
            ),
            Err(Error::Expired)
        );
    }
}
