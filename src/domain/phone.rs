//! Telephone numbers: stored as digits only, Russian numbers in the international form
//! `7XXXXXXXXXX`, so `8 (912) 345-67-89`, `+7 912 345 67 89` and `9123456789` are one number.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Seven digits, the length of a city number without its area code: searched as the end of
/// stored phones.
pub fn is_local_number(digits: &str) -> bool {
    digits.len() == 7 && digits.bytes().all(|b| b.is_ascii_digit())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("'{0}' is not a telephone number: 5 to 15 digits, with +, spaces, brackets or dashes")]
    Bad(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let t = input.trim();
        let bad = || PhoneError::Bad(t.to_string());
        if t.is_empty()
            || !t.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '(' | ')' | '-' | '.'))
        {
            return Err(bad());
        }
        if t.chars().skip(1).any(|c| c == '+') {
            return Err(bad());
        }
        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
        Ok(Phone(Phone::normalise_digits(&digits).ok_or_else(bad)?))
    }

    /// Digits of a number in stored form; `None` when the count of digits cannot be a phone.
    pub fn normalise_digits(digits: &str) -> Option<String> {
        let n = digits.len();
        if !(5..=15).contains(&n) {
            return None;
        }
        if n == 11 && digits.starts_with('8') {
            return Some(format!("7{}", &digits[1..]));
        }
        if n == 10 && digits.starts_with('9') {
            return Some(format!("7{digits}"));
        }
        Some(digits.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn from_stored(s: String) -> Phone {
        Phone(s)
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.0;
        if d.len() == 11 && d.starts_with('7') {
            write!(f, "+7 {} {}-{}-{}", &d[1..4], &d[4..7], &d[7..9], &d[9..11])
        } else {
            f.write_str(d)
        }
    }
}

impl Serialize for Phone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Phone::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_spellings_are_one_number() {
        for s in ["8 (912) 345-67-89", "+7 912 345 67 89", "9123456789", "79123456789"] {
            assert_eq!(Phone::parse(s).map(|p| p.0), Ok("79123456789".into()), "{s}");
        }
        assert_eq!(Phone::parse("22-33-44").map(|p| p.0), Ok("223344".into()));
        assert_eq!(Phone::parse("8 912 345 67 89").map(|p| p.to_string()), Ok("+7 912 345-67-89".into()));
    }

    #[test]
    fn junk_is_refused() {
        for s in ["", "abc", "12", "1234567890123456", "+7+912", "912 345 67 89 x"] {
            assert!(Phone::parse(s).is_err(), "{s}");
        }
    }
}
