//! Converting Unix timestamps to UTC calendar dates, without a date library.

use crate::text::TextBuf;

const SECONDS_PER_DAY: u64 = 86_400;

/// The `YYYY-MM-DD` UTC calendar date of a Unix timestamp (seconds).
///
/// TC3 puts this date in the credential scope. It must be the UTC date: using local
/// time (UTC+8 in China) makes requests fail around midnight.
///
/// ```
/// // 2019-02-26 00:44:25 in UTC+8, still 2019-02-25 in UTC.
/// assert_eq!(tc_signing::utc_date(1_551_113_065), "2019-02-25");
/// assert_eq!(tc_signing::utc_date(0), "1970-01-01");
/// ```
pub fn utc_date(timestamp: u64) -> String {
    let mut date = TextBuf::with_capacity(10);
    push_utc_date(&mut date, timestamp);
    date.into_string()
}

/// The UTC day number of a Unix timestamp: two timestamps have the same
/// [`utc_date`] exactly when they have the same day.
pub(crate) fn utc_day(timestamp: u64) -> u64 {
    timestamp / SECONDS_PER_DAY
}

/// Appends [`utc_date`] of `timestamp` to `out`, without an intermediate `String`.
pub(crate) fn push_utc_date(out: &mut TextBuf, timestamp: u64) {
    let (year, month, day) = civil_from_days(utc_day(timestamp));
    out.push_decimal(year, 4);
    out.push_ascii(b'-');
    out.push_decimal(month, 2);
    out.push_ascii(b'-');
    out.push_decimal(day, 2);
}

/// Proleptic Gregorian (year, month, day) of the day `days` after 1970-01-01.
///
/// The usual era-based conversion: shift the epoch to 0000-03-01 so that the leap
/// day ends each 400-year era's years, then split into era, year of era and day of
/// year. Only non-negative day counts occur, so unsigned arithmetic suffices.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    const DAYS_PER_ERA: u64 = 146_097;
    const EPOCH_SHIFT: u64 = 719_468; // days from 0000-03-01 to 1970-01-01

    let z = days + EPOCH_SHIFT;
    let era = z / DAYS_PER_ERA;
    let day_of_era = z % DAYS_PER_ERA; // [0, 146096]
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // 0 = March .. 11 = February
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(86_399), "1970-01-01");
        assert_eq!(utc_date(86_400), "1970-01-02");
        assert_eq!(utc_date(951_782_400), "2000-02-29"); // leap day in a /400 year
        assert_eq!(utc_date(951_868_800), "2000-03-01");
        assert_eq!(utc_date(1_640_995_200), "2022-01-01");
        assert_eq!(utc_date(4_107_542_400), "2100-03-01"); // 2100 is not a leap year
        assert_eq!(utc_date(4_107_456_000), "2100-02-28");
        assert_eq!(utc_date(1_709_164_800), "2024-02-29");
    }

    fn days_in_month(year: u64, month: u64) -> u64 {
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    #[test]
    fn days_are_consecutive_over_four_centuries() {
        // Walk 400 years day by day and check the calendar advances one day at a time.
        let mut previous = civil_from_days(0);
        for days in 1..146_097 {
            let current = civil_from_days(days);
            let (py, pm, pd) = previous;
            let next_day = current == (py, pm, pd + 1);
            let next_month = pd == days_in_month(py, pm) && current == (py, pm + 1, 1);
            let next_year = pm == 12 && pd == 31 && current == (py + 1, 1, 1);
            assert!(
                next_day || next_month || next_year,
                "{previous:?} -> {current:?}"
            );
            previous = current;
        }
    }

    #[test]
    fn same_text_as_the_format_it_replaces() {
        for timestamp in [0, 1_551_113_065, 4_107_542_400, 253_402_300_800, u64::MAX] {
            let (year, month, day) = civil_from_days(timestamp / SECONDS_PER_DAY);
            assert_eq!(
                utc_date(timestamp),
                format!("{year:04}-{month:02}-{day:02}")
            );
        }
    }

    #[test]
    fn largest_timestamp_does_not_overflow() {
        assert!(!utc_date(u64::MAX).is_empty());
    }
}
