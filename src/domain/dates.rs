//! Dates as people type them: `2026-11-22` or `22.11.2026`.

use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a date: use YYYY-MM-DD or DD.MM.YYYY")]
pub struct DateError(pub String);

pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let t = input.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d.%m.%Y"))
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
    }
}
