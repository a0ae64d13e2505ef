//! Dates as people type them (`2026-11-22`, `22.11.2026`, `22.11` for this year) and the ISP's
//! local day. Times are kept in UTC; people see them, and mean days, in the local time zone:
//! `TZ` (`TZ=Europe/Moscow`), or the system's (`/etc/localtime`).

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Datelike, FixedOffset, Local, NaiveDate, NaiveTime, TimeZone, Utc};

/// Set by `keep_utc`: times shown and days meant in UTC, whatever `TZ` says.
static UTC_ONLY: AtomicBool = AtomicBool::new(false);

/// Shows times and reads days in UTC from now on, in this process (tests that compare what a
/// screen shows with a fixed text, on any machine).
pub fn keep_utc() {
    UTC_ONLY.store(true, Ordering::Relaxed);
}

fn utc_only() -> bool {
    UTC_ONLY.load(Ordering::Relaxed)
}

/// `t` on the local clock.
pub fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    if utc_only() { t.fixed_offset() } else { t.with_timezone(&Local).fixed_offset() }
}

/// Today, on the local calendar.
pub fn today() -> NaiveDate {
    local(Utc::now()).date_naive()
}

/// The moment local day `d` begins (a day that starts in a clock change begins at its first
/// local time that exists).
pub fn day_start(d: NaiveDate) -> DateTime<Utc> {
    let midnight = d.and_time(NaiveTime::MIN);
    if utc_only() {
        return midnight.and_utc();
    }
    match Local.from_local_datetime(&midnight).earliest() {
        Some(t) => t.with_timezone(&Utc),
        // no local midnight (a clock change at midnight): an hour later exists
        None => Local
            .from_local_datetime(&(midnight + chrono::Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| midnight.and_utc()),
    }
}

/// The moment after local day `d` ends.
pub fn day_end(d: NaiveDate) -> DateTime<Utc> {
    day_start(d + chrono::Duration::days(1))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a date: use DD.MM.YYYY, DD.MM (this year) or YYYY-MM-DD")]
pub struct DateError(pub String);

pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    parse_date_in(input, today().year())
}

/// `parse_date`, with `DD.MM` meaning that day of `year`.
pub fn parse_date_in(input: &str, year: i32) -> Result<NaiveDate, DateError> {
    let t = input.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
        .or_else(|_| NaiveDate::parse_from_str(&format!("{t}.{year}"), "%d.%m.%Y"))
        .map_err(|_| DateError(t.to_string()))
}

/// A period that starts after it ends.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{from} is after {to}")]
pub struct PeriodError {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Checks that a period (either end may be open) does not start after it ends.
pub fn check_period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(), PeriodError> {
    match (from, to) {
        (Some(from), Some(to)) if from > to => Err(PeriodError { from, to }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22);
        assert_eq!(parse_date("2026-11-22").ok(), d);
        assert_eq!(parse_date("22.11.2026").ok(), d);
        assert!(parse_date("31.02.2026").is_err());
        assert!(parse_date("вчера").is_err());
        // the day and month alone: this year
        assert_eq!(parse_date_in("1.12", 2026).ok(), NaiveDate::from_ymd_opt(2026, 12, 1));
        assert!(parse_date_in("31.02", 2026).is_err());
        assert!(parse_date_in("12", 2026).is_err());
    }
}
