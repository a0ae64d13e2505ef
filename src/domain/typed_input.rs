//! The property every parser of typed input keeps, checked by the proptest below on every
//! `cargo test` and by the `cargo fuzz` target in `fuzz/` for as long as one cares to run it:
//! no input panics, and whatever parses formats back to text that parses to the same value.

use super::dates::parse_date;
use super::money::Money;
use super::network::{Ip, Mac};
use super::phone::Phone;
use super::search::SearchQuery;

/// Panics (with the input) when a parser breaks the property on `s`.
pub fn check(s: &str) {
    if let Ok(m) = Money::parse(s) {
        assert_eq!(Money::parse(&m.format_ru()).ok(), Some(m), "amount {s:?}");
    }
    let _ = Money::parse_positive(s);
    if let Ok(ip) = Ip::parse(s) {
        assert_eq!(Ip::parse(&ip.to_string()).ok(), Some(ip), "IP {s:?}");
    }
    if let Ok(mac) = Mac::parse(s) {
        assert_eq!(Mac::parse(&mac.to_string()).ok(), Some(mac), "MAC {s:?}");
    }
    if let Ok(p) = Phone::parse(s) {
        assert_eq!(Phone::parse(p.as_str()).ok(), Some(p.clone()), "phone {s:?}");
    }
    if let Ok(d) = parse_date(s) {
        assert_eq!(parse_date(&d.format("%d.%m.%Y").to_string()).ok(), Some(d), "date {s:?}");
    }
    let _ = SearchQuery::parse(s);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn any_text(s in "\\PC{0,40}") {
            super::check(&s);
        }

        #[test]
        fn text_that_looks_like_input(s in "[0-9a-fA-F:.,\\- +()]{0,24}") {
            super::check(&s);
        }
    }
}
