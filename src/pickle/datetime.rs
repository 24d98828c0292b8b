//! The pickled states of `datetime.datetime`, `date` and `time` (CPython `Modules/_datetimemodule.c`,
//! `datetime.__reduce__`: big-endian year, then one byte per field, microseconds in 3 bytes; the
//! top bit of the month (datetime) or hour (time) byte is `fold`), and the calendar arithmetic
//! to turn a datetime into BSON's milliseconds since the epoch and back.
//!
//! Python 2 and Python 3 write the same bytes: Python 2 as a `str`, Python 3 as
//! `_codecs.encode(state.decode('latin1'), 'latin1')`.

use crate::civil::{civil_from_days, days_from_civil, days_in_month};

/// Microseconds per second.
const US_PER_S: i64 = 1_000_000;
/// Microseconds per day.
const US_PER_DAY: i64 = 86_400 * US_PER_S;
/// `datetime(1, 1, 1)` in microseconds since 1970.
pub(crate) const MIN_US: i64 = -719_162 * US_PER_DAY;
/// `datetime(9999, 12, 31, 23, 59, 59, 999999)` in microseconds since 1970.
pub(crate) const MAX_US: i64 = 2_932_897 * US_PER_DAY - 1;

fn valid_date(year: i64, month: i64, day: i64) -> bool {
    (1..=9999).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
}

/// Hour (without `fold`), minute, second, microsecond, checked.
fn time_of_day(bytes: [u8; 6]) -> Option<i64> {
    let [h, m, s, u1, u2, u3] = bytes;
    let hour = i64::from(h & 0x7F);
    let (minute, second) = (i64::from(m), i64::from(s));
    let micro = i64::from(u32::from_be_bytes([0, u1, u2, u3]));
    if hour > 23 || minute > 59 || second > 59 || micro >= US_PER_S {
        return None;
    }
    Some(((hour * 60 + minute) * 60 + second) * US_PER_S + micro)
}

/// A `datetime` state: its wall time in microseconds since 1970 (the offset is applied later).
pub(crate) fn datetime_state(state: &[u8]) -> Option<i64> {
    let &[yhi, ylo, mon, day, h, m, s, u1, u2, u3] = state else {
        return None;
    };
    let year = i64::from(u16::from_be_bytes([yhi, ylo]));
    let (month, day) = (i64::from(mon & 0x7F), i64::from(day));
    if !valid_date(year, month, day) {
        return None;
    }
    Some(days_from_civil(year, month, day) * US_PER_DAY + time_of_day([h, m, s, u1, u2, u3])?)
}

/// A `date` state is valid.
pub(crate) fn date_state(state: &[u8]) -> bool {
    let &[yhi, ylo, month, day] = state else {
        return false;
    };
    valid_date(
        i64::from(u16::from_be_bytes([yhi, ylo])),
        i64::from(month),
        i64::from(day),
    )
}

/// A `time` state is valid.
pub(crate) fn time_state(state: &[u8]) -> bool {
    matches!(state, &[h, m, s, u1, u2, u3] if time_of_day([h, m, s, u1, u2, u3]).is_some())
}

/// What `bson.encode` stores for a datetime: subtract the offset, then whole milliseconds
/// (`calendar.timegm(...) * 1000 + microsecond // 1000`). `None` when the UTC time leaves years
/// 1..=9999 (Python raises `OverflowError` there).
pub(crate) fn utc_millis(wall_us: i64, offset_us: Option<i64>) -> Option<i64> {
    // A naive datetime (no tzinfo) is taken as UTC, as `bson.encode` takes it.
    let utc = wall_us.checked_sub(offset_us.unwrap_or(0))?;
    (MIN_US..=MAX_US)
        .contains(&utc)
        .then(|| utc.div_euclid(1000))
}

/// The 10-byte state of the naive `datetime` for BSON milliseconds, or `None` outside years
/// 1..=9999.
pub(crate) fn datetime_bytes(millis: i64) -> Option<[u8; 10]> {
    let us = millis.checked_mul(1000)?;
    if !(MIN_US..=MAX_US).contains(&us) {
        return None;
    }
    let (days, in_day) = (us.div_euclid(US_PER_DAY), us.rem_euclid(US_PER_DAY));
    let (year, month, day) = civil_from_days(days);
    let secs = in_day / US_PER_S;
    let micro = u32::try_from(in_day % US_PER_S).ok()?.to_be_bytes();
    let [yhi, ylo] = u16::try_from(year).ok()?.to_be_bytes();
    let byte = |v: i64| u8::try_from(v).ok();
    Some([
        yhi,
        ylo,
        byte(month)?,
        byte(day)?,
        byte(secs / 3600)?,
        byte(secs / 60 % 60)?,
        byte(secs % 60)?,
        micro[1],
        micro[2],
        micro[3],
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_epoch_and_bounds() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1, 1, 1), -719_162);
        assert_eq!(days_from_civil(9999, 12, 31), 2_932_896);
        assert_eq!(civil_from_days(-719_162), (1, 1, 1));
        assert_eq!(civil_from_days(19_724), (2024, 1, 2));
    }

    #[test]
    fn datetime_state_round_trip() {
        // datetime(2024, 1, 2, 3, 4, 5, 678000) as Python pickles it.
        let state = b"\x07\xe8\x01\x02\x03\x04\x05\x0a\x58\x70";
        let us = datetime_state(state).unwrap();
        assert_eq!(utc_millis(us, None), Some(1_704_164_645_678));
        assert_eq!(&datetime_bytes(1_704_164_645_678).unwrap(), state);
        // fold bit ignored, as it does not change a fixed-offset time.
        assert_eq!(
            datetime_state(b"\x07\xe8\x81\x02\x03\x04\x05\x0a\x58\x70"),
            Some(us)
        );
    }

    #[test]
    fn datetime_state_refuses_impossible_fields() {
        assert!(
            datetime_state(b"\x07\xe8\x02\x1e\0\0\0\0\0\0").is_none(),
            "Feb 30"
        );
        assert!(
            datetime_state(b"\x07\xe8\x01\x01\x18\0\0\0\0\0").is_none(),
            "hour 24"
        );
        assert!(
            datetime_state(b"\x00\x00\x01\x01\0\0\0\0\0\0").is_none(),
            "year 0"
        );
        assert!(
            datetime_state(b"\x07\xe8\x01\x01\0\0\0\x0f\x42\x40").is_none(),
            "1e6 us"
        );
        assert!(
            datetime_state(b"\x07\xe8\x01\x01\0\0\0\0\0").is_none(),
            "9 bytes"
        );
        assert!(date_state(b"\x07\xe8\x02\x1d"));
        assert!(!date_state(b"\x07\xe7\x02\x1d"));
        assert!(time_state(b"\x97\x3b\x3b\x0f\x42\x3f"));
        assert!(!time_state(b"\x17\x3c\0\0\0\0"));
    }

    #[test]
    fn datetime_utc_millis_floors_and_checks_range() {
        // 1969-12-31 23:59:59.999999 -> -1 ms, as bson.encode gives.
        assert_eq!(utc_millis(-1, None), Some(-1));
        assert_eq!(utc_millis(MIN_US, Some(3_600 * US_PER_S)), None);
        assert_eq!(
            utc_millis(MIN_US, Some(-3_600 * US_PER_S)),
            Some((MIN_US + 3_600 * US_PER_S) / 1000)
        );
        assert_eq!(datetime_bytes(MAX_US / 1000 + 1), None);
        assert_eq!(
            datetime_bytes(MIN_US / 1000).unwrap(),
            *b"\x00\x01\x01\x01\0\0\0\0\0\0"
        );
    }
}
