//! `UnixTime`: the one time type of the API (decode, timeout, `Set-Cookie` dates, session
//! stamps), seconds since the Unix epoch as Python's `time.time()` returns them.

/// A point in time: seconds since 1970-01-01 UTC, as a float, exactly as Python's `time.time()`
/// gives it (Beaker stores `_creation_time` and `_accessed_time` as such floats).
///
/// The core has no clock: pass the time in. `From<f64>` and `From<u64>` convert plain seconds,
/// so `decode_cookie(cookie, &config, 1_700_000_000.0)` takes plain seconds; under `std`,
/// [`UnixTime::now`] and `From<SystemTime>` read the system clock.
///
/// ```
/// use beaker_session_jwt::UnixTime;
/// let t = UnixTime::from_secs(1_700_000_000);
/// assert_eq!(t.as_secs_f64(), 1_700_000_000.0);
/// assert_eq!(UnixTime::from(0.5).as_secs_f64(), 0.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default)]
pub struct UnixTime(f64);

impl UnixTime {
    /// The epoch itself.
    pub const EPOCH: UnixTime = UnixTime(0.0);

    /// `secs` seconds after the epoch (fractions allowed, as `time.time()`).
    pub const fn from_secs_f64(secs: f64) -> UnixTime {
        UnixTime(secs)
    }

    /// Whole seconds after the epoch. Above 2^53 seconds the value rounds, far beyond any date.
    pub const fn from_secs(secs: u64) -> UnixTime {
        UnixTime(secs as f64)
    }

    /// A UTC date and time in the proleptic Gregorian calendar, as Python's
    /// `datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc).timestamp()`.
    /// `None` when a field is out of range: `month` 1..=12, `day` within the month, `hour` at
    /// most 23, `minute` at most 59, `second` at most 60 (a leap second counts as the next
    /// minute's first, as POSIX time has no leap seconds), `year` within ±1,000,000.
    ///
    /// ```
    /// use beaker_session_jwt::UnixTime;
    /// let t = UnixTime::from_utc(2026, 12, 6, 10, 0, 0).unwrap();
    /// assert_eq!(t.as_secs_f64(), 1_796_551_200.0);
    /// assert_eq!(UnixTime::from_utc(2026, 2, 29, 0, 0, 0), None);
    /// ```
    pub fn from_utc(
        year: i64,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Option<UnixTime> {
        let (month, day) = (i64::from(month), i64::from(day));
        let in_range = (-1_000_000..=1_000_000).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= crate::civil::days_in_month(year, month)
            && hour <= 23
            && minute <= 59
            && second <= 60;
        if !in_range {
            return None;
        }
        let days = crate::civil::days_from_civil(year, month, day);
        let secs =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        // Exact: |secs| < 2^53 for every year in range.
        Some(UnixTime(secs as f64))
    }

    /// Seconds after the epoch.
    pub const fn as_secs_f64(self) -> f64 {
        self.0
    }

    /// Whole seconds after the epoch, rounded down, clamped to `0..=u64::MAX` (a non-finite or
    /// negative time gives 0): what a cookie date is written from.
    pub fn as_secs_floor(self) -> u64 {
        // `as` saturates and maps NaN to 0; flooring first matches Python's datetime truncation.
        libm_floor(self.0) as u64
    }

    /// The system clock (`time.time()`).
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn now() -> UnixTime {
        UnixTime::from(std::time::SystemTime::now())
    }
}

/// `f64::floor` lives in std only (core gained it in Rust 1.85, after our MSRV).
fn libm_floor(x: f64) -> f64 {
    // Beyond 2^52 every f64 is already whole; NaN and the infinities pass through. (`f64::abs`
    // is in core only since Rust 1.85, after our MSRV.)
    const WHOLE: f64 = 4_503_599_627_370_496.0;
    if !x.is_finite() || x >= WHOLE || x <= -WHOLE {
        return x;
    }
    let t = x as i64 as f64;
    if t > x {
        t - 1.0
    } else {
        t
    }
}

impl From<f64> for UnixTime {
    fn from(secs: f64) -> UnixTime {
        UnixTime(secs)
    }
}

impl From<u64> for UnixTime {
    fn from(secs: u64) -> UnixTime {
        UnixTime::from_secs(secs)
    }
}

#[cfg(feature = "std")]
impl From<std::time::SystemTime> for UnixTime {
    fn from(t: std::time::SystemTime) -> UnixTime {
        match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => UnixTime(d.as_secs_f64()),
            Err(before) => UnixTime(-before.duration().as_secs_f64()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_time_floor_matches_std() {
        for (x, floor) in [
            (0.0, 0.0),
            (0.5, 0.0),
            (-0.5, -1.0),
            (1.0, 1.0),
            (-1.0, -1.0),
            (1_700_000_000.999, 1_700_000_000.0),
            (-1_700_000_000.25, -1_700_000_001.0),
            (4_503_599_627_370_497.0, 4_503_599_627_370_497.0),
        ] {
            assert_eq!(libm_floor(x), floor, "{x}");
        }
        assert!(libm_floor(f64::NAN).is_nan());
        assert_eq!(UnixTime::from_secs_f64(-3.0).as_secs_floor(), 0);
        assert_eq!(UnixTime::from_secs_f64(f64::NAN).as_secs_floor(), 0);
        assert_eq!(UnixTime::from_secs_f64(12.9).as_secs_floor(), 12);
    }
}
