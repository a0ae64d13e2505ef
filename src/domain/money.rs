//! Money: exact amounts in the domain, integer minor units (kopecks) in storage.
//!
//! Every parse and every format of an amount goes through this module, so the rules
//! (`500`, `500.5`, `500,50`, `1 234,50` accepted; three decimals, absurd sizes rejected)
//! live in one place.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The largest absolute amount kassa accepts for one operation or one balance: ten million.
/// Anything above that is a typing mistake at an ISP's cash desk, not a payment.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000;

/// Minor units per major unit (kopecks per rouble).
const MINOR_PER_MAJOR: i64 = 100;

/// An exact amount of money with at most two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("the amount is empty")]
    Empty,
    #[error("'{0}' is not an amount: use digits with an optional comma or dot and two decimals")]
    NotANumber(String),
    #[error("'{0}' has more than two decimals")]
    TooManyDecimals(String),
    #[error("'{0}' is too large: at most 10 000 000,00 per operation")]
    TooLarge(String),
    #[error("the amount must be greater than zero")]
    NotPositive,
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_minor(minor: i64) -> Money {
        Money(minor)
    }

    pub const fn minor(self) -> i64 {
        self.0
    }

    pub fn from_major(major: i64) -> Money {
        Money(major.saturating_mul(MINOR_PER_MAJOR))
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Converts an exact decimal; more than two decimals or an absurd size are errors.
    pub fn from_decimal(d: Decimal) -> Result<Money, MoneyError> {
        let scaled = d * Decimal::from(MINOR_PER_MAJOR);
        if scaled.fract() != Decimal::ZERO {
            return Err(MoneyError::TooManyDecimals(d.to_string()));
        }
        let minor: i64 = scaled.trunc().try_into().map_err(|_| MoneyError::TooLarge(d.to_string()))?;
        if minor.abs() > MAX_AMOUNT_MINOR {
            return Err(MoneyError::TooLarge(d.to_string()));
        }
        Ok(Money(minor))
    }

    /// Takes a reference: what serde's `skip_serializing_if` calls.
    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Parses what a cashier types: `500`, `500.5`, `500,50`, `1 234,50`, `-100` (the sign is
    /// allowed here; whether a negative amount is acceptable is the caller's rule).
    pub fn parse(input: &str) -> Result<Money, MoneyError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        // Thousands separators (ordinary, no-break and narrow no-break spaces, apostrophes) may
        // only split the whole part into groups of three: "1 234,50" but never "1 2 3" or "5'00".
        let compact = ungroup(trimmed).ok_or_else(|| MoneyError::NotANumber(trimmed.to_string()))?;
        let (negative, digits) = match compact.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, compact.strip_prefix('+').unwrap_or(&compact)),
        };
        let not_a_number = || MoneyError::NotANumber(trimmed.to_string());
        let separators = digits.chars().filter(|c| *c == ',' || *c == '.').count();
        if separators > 1 {
            return Err(not_a_number());
        }
        let (int_part, frac_part) = match digits.find([',', '.']) {
            Some(pos) => (&digits[..pos], &digits[pos + 1..]),
            None => (digits, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(not_a_number());
        }
        if !int_part.chars().all(|c| c.is_ascii_digit()) || !frac_part.chars().all(|c| c.is_ascii_digit()) {
            return Err(not_a_number());
        }
        if frac_part.len() > 2 {
            return Err(MoneyError::TooManyDecimals(trimmed.to_string()));
        }
        let int_digits = int_part.trim_start_matches('0');
        if int_digits.len() > 10 {
            return Err(MoneyError::TooLarge(trimmed.to_string()));
        }
        let major: i64 =
            if int_digits.is_empty() { 0 } else { int_digits.parse().map_err(|_| not_a_number())? };
        let frac: i64 = match frac_part.len() {
            0 => 0,
            1 => frac_part.parse::<i64>().map_err(|_| not_a_number())? * 10,
            _ => frac_part.parse().map_err(|_| not_a_number())?,
        };
        let minor = major * MINOR_PER_MAJOR + frac;
        if minor > MAX_AMOUNT_MINOR {
            return Err(MoneyError::TooLarge(trimmed.to_string()));
        }
        Ok(Money(if negative { -minor } else { minor }))
    }

    /// Parses an amount that must be strictly positive (a payment).
    pub fn parse_positive(input: &str) -> Result<Money, MoneyError> {
        let m = Money::parse(input)?;
        if m.0 <= 0 {
            return Err(MoneyError::NotPositive);
        }
        Ok(m)
    }

    /// `1 234,50` — the way a Russian receipt writes it (no-break thin grouping is left to the UI).
    pub fn format_ru(self) -> String {
        self.format_with(' ', ',')
    }

    /// `1234.50` — machine-friendly, used in JSON and CSV.
    pub fn format_plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    pub fn format_with(self, group: char, decimal: char) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let major = (abs / 100).to_string();
        let mut grouped = String::with_capacity(major.len() + major.len() / 3);
        for (i, ch) in major.chars().enumerate() {
            if i > 0 && (major.len() - i).is_multiple_of(3) {
                grouped.push(group);
            }
            grouped.push(ch);
        }
        format!("{sign}{grouped}{decimal}{:02}", abs % 100)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_plain())
    }
}

fn is_group_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')
}

/// `text` without its thousands separators, or `None` when a separator stands anywhere but
/// between groups of three digits of the whole part (one separator between two groups).
fn ungroup(text: &str) -> Option<String> {
    if !text.contains(is_group_separator) {
        return Some(text.to_string());
    }
    let (sign, rest) = match text.chars().next() {
        Some(c @ ('-' | '+')) => (Some(c), &text[c.len_utf8()..]),
        _ => (None, text),
    };
    let (whole, fraction) = match rest.find([',', '.']) {
        Some(pos) => rest.split_at(pos),
        None => (rest, ""),
    };
    if fraction.contains(is_group_separator) {
        return None;
    }
    let groups: Vec<&str> = whole.split(is_group_separator).collect();
    let first = groups.first()?;
    let digits = |g: &str| g.chars().all(|c| c.is_ascii_digit());
    if first.is_empty() || first.len() > 3 || !digits(first) {
        return None;
    }
    if groups[1..].iter().any(|g| g.len() != 3 || !digits(g)) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    out.extend(sign);
    out.extend(groups);
    out.push_str(fraction);
    Some(out)
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.format_plain())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Money::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_usual_spellings() {
        assert_eq!(Money::parse("500"), Ok(Money(50_000)));
        assert_eq!(Money::parse("500.5"), Ok(Money(50_050)));
        assert_eq!(Money::parse("500,50"), Ok(Money(50_050)));
        assert_eq!(Money::parse("1 234,50"), Ok(Money(123_450)));
        assert_eq!(Money::parse("1\u{a0}234.05"), Ok(Money(123_405)));
        assert_eq!(Money::parse(",5"), Ok(Money(50)));
        assert_eq!(Money::parse("7."), Ok(Money(700)));
        assert_eq!(Money::parse("-100"), Ok(Money(-10_000)));
        assert_eq!(Money::parse("  42  "), Ok(Money(4_200)));
        assert_eq!(Money::parse("1'234'567"), Ok(Money(123_456_700)));
        assert_eq!(Money::parse("-1 000,5"), Ok(Money(-100_050)));
    }

    #[test]
    fn separators_only_between_groups_of_three() {
        for bad in ["1 2 3", "5'00", "12 34", "1234 567", "1  234", " 1 234 ,5", "1 234,5 0", "- 1 234"] {
            assert!(matches!(Money::parse(bad), Err(MoneyError::NotANumber(_))), "{bad:?} should be refused");
        }
    }

    #[test]
    fn rejects_bad_amounts_with_a_reason() {
        assert!(matches!(Money::parse("500.505"), Err(MoneyError::TooManyDecimals(_))));
        assert!(matches!(Money::parse("500,500"), Err(MoneyError::TooManyDecimals(_))));
        assert!(matches!(Money::parse("1.234,50"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse("abc"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse("1e5"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse("."), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse(""), Err(MoneyError::Empty)));
        assert!(matches!(Money::parse("10000000.01"), Err(MoneyError::TooLarge(_))));
        assert!(matches!(Money::parse("99999999999999999999"), Err(MoneyError::TooLarge(_))));
        assert_eq!(Money::parse_positive("0"), Err(MoneyError::NotPositive));
        assert_eq!(Money::parse_positive("-5"), Err(MoneyError::NotPositive));
        assert_eq!(Money::parse("10000000"), Ok(Money(MAX_AMOUNT_MINOR)));
    }

    #[test]
    fn formats_both_ways() {
        assert_eq!(Money(123_450).format_ru(), "1 234,50");
        assert_eq!(Money(-5).format_ru(), "-0,05");
        assert_eq!(Money(100_000_000).format_ru(), "1 000 000,00");
        assert_eq!(Money(-123_450).format_plain(), "-1234.50");
        assert_eq!(Money(0).to_string(), "0.00");
    }

    #[test]
    fn decimal_round_trip() {
        let d = Decimal::new(12345, 2);
        assert_eq!(Money::from_decimal(d), Ok(Money(12_345)));
        assert!(Money::from_decimal(Decimal::new(12345, 3)).is_err());
        assert_eq!(Money(12_345).to_decimal(), d);
    }

    proptest::proptest! {
        #[test]
        fn format_then_parse_is_identity(minor in -MAX_AMOUNT_MINOR..=MAX_AMOUNT_MINOR) {
            let m = Money(minor);
            proptest::prop_assert_eq!(Money::parse(&m.format_ru()), Ok(m));
            proptest::prop_assert_eq!(Money::parse(&m.format_plain()), Ok(m));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = Money::parse(&s);
        }
    }
}
