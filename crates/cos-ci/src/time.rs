//! CI timestamps: `2023-11-25T08:47:39+0800`, an offset without a colon, `-` when unset.

use std::fmt;

use ocr_core::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A CI timestamp, kept exactly as the service wrote it (`2023-11-25T08:47:39+0800`).
///
/// CI writes times with a `%z` offset (`+0800`, no colon), which is not strict RFC 3339, so the
/// text is kept as is and [`CiTime::unix_secs`] converts it when needed. Unset times (the
/// literal `-`) decode as `None` in the response types, never as a `CiTime`.
///
/// ```
/// use cos_ci::CiTime;
///
/// let t = CiTime::parse("2023-11-25T08:47:39+0800").unwrap();
/// assert_eq!(t.as_str(), "2023-11-25T08:47:39+0800");
/// assert_eq!(t.unix_secs(), Some(1_700_873_259));
/// assert!(CiTime::parse("2023-11-25 08:47:39").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CiTime(String);

impl CiTime {
    /// Checks `text` against `YYYY-MM-DDTHH:MM:SS±HHMM` (also `±HH:MM` and `Z`), as the job
    /// list filters require, and keeps it as given.
    pub fn parse(text: &str) -> Result<Self> {
        if parse_unix(text).is_none() {
            return Err(Error::invalid_input(
                "time",
                format!("`{text}` is not a time like 2001-01-01T00:00:00+0800"),
            ));
        }
        Ok(CiTime(text.to_owned()))
    }

    /// The time at Unix second `secs`, written with an offset of `offset_minutes` east of UTC
    /// (`480` for China Standard Time, `+0800`).
    ///
    /// ```
    /// use cos_ci::CiTime;
    /// assert_eq!(CiTime::from_unix(1_700_873_259, 480).as_str(), "2023-11-25T08:47:39+0800");
    /// ```
    pub fn from_unix(secs: i64, offset_minutes: i32) -> Self {
        let local = secs + i64::from(offset_minutes) * 60;
        let days = local.div_euclid(86_400);
        let rem = local.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let off = offset_minutes.unsigned_abs();
        CiTime(format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}{:02}",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60,
            off / 60,
            off % 60
        ))
    }

    /// The text as the service wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Unix seconds, if the text is a well-formed time.
    pub fn unix_secs(&self) -> Option<i64> {
        parse_unix(&self.0)
    }
}

impl fmt::Display for CiTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CiTime {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CiTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(CiTime(String::deserialize(d)?.trim().to_owned()))
    }
}

/// Decodes an optional CI time: absent, empty and `-` are `None`; any other text is kept.
pub(crate) fn opt_time<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<CiTime>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    Ok(raw
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && s != "-")
        .map(CiTime))
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DDTHH:MM:SS` followed by `Z`, `±HHMM` or `±HH:MM`.
fn parse_unix(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.len() < 20 || !text.is_char_boundary(19) {
        return None;
    }
    let (dt, zone) = text.split_at(19);
    let b = dt.as_bytes();
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&dt[0..4])?;
    let month = digits(&dt[5..7])?;
    let day = digits(&dt[8..10])?;
    let hour = digits(&dt[11..13])?;
    let minute = digits(&dt[14..16])?;
    let second = digits(&dt[17..19])?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let offset = if zone == "Z" {
        0
    } else {
        let sign = match zone.as_bytes().first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return None,
        };
        let rest = &zone[1..];
        let (h, m) = match rest.len() {
            4 => (rest.get(0..2)?, rest.get(2..4)?),
            5 if rest.as_bytes()[2] == b':' => (rest.get(0..2)?, rest.get(3..5)?),
            _ => return None,
        };
        let (h, m) = (digits(h)?, digits(m)?);
        if h > 23 || m > 59 {
            return None;
        }
        sign * (h * 3600 + m * 60)
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_forms() {
        let utc = parse_unix("2023-11-25T00:47:39Z").unwrap();
        assert_eq!(parse_unix("2023-11-25T08:47:39+0800"), Some(utc));
        assert_eq!(parse_unix("2023-11-25T08:47:39+08:00"), Some(utc));
        assert_eq!(parse_unix("2023-11-24T23:47:39-0100"), Some(utc));
        assert_eq!(parse_unix("1970-01-01T00:00:00Z"), Some(0));
        for bad in [
            "-",
            "",
            "2023-11-25T08:47:39",
            "2023-13-25T08:47:39+0800",
            "2023-02-29T08:47:39+0800",
            "2023-11-25 08:47:39+0800",
            "2023-11-25T08:47:39+080",
            "２023-11-25T08:47:39+0800",
            "2023-11-25T08:47:39+中0",
        ] {
            assert_eq!(parse_unix(bad), None, "{bad}");
        }
        assert!(parse_unix("2024-02-29T08:47:39+0800").is_some());
    }

    #[test]
    fn round_trips_through_unix() {
        for secs in [0, 951_782_400, 1_700_873_259, 4_102_444_800] {
            for off in [-300, 0, 480, 330] {
                let t = CiTime::from_unix(secs, off);
                assert_eq!(t.unix_secs(), Some(secs), "{t}");
            }
        }
    }
}
