//! What the cashier typed into the one search box, worked out before any query runs.

use serde::Serialize;

use super::network::{Ip, Mac};
use super::phone::Phone;
use super::text::normalise;

/// The kind of query that was understood (shown beside the search box).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum SearchQuery {
    Empty,
    /// Only digits: an agreement or account number, a phone, or the start of one.
    Digits(String),
    /// Digits written the way phones are (`+7 912 …`, `8 (912) …`).
    Phone(Phone),
    Ip(Ip),
    Mac(Mac),
    /// Words: surname, name, street and house, login, e-mail; normalised, in typed order.
    Text(Vec<String>),
}

impl SearchQuery {
    pub fn parse(input: &str) -> SearchQuery {
        let t = input.trim();
        if t.is_empty() {
            return SearchQuery::Empty;
        }
        if t.chars().all(|c| c.is_ascii_digit()) {
            return SearchQuery::Digits(t.to_string());
        }
        if let Ok(ip) = Ip::parse(t) {
            return SearchQuery::Ip(ip);
        }
        if let Ok(mac) = Mac::parse(t) {
            return SearchQuery::Mac(mac);
        }
        let digit_count = t.chars().filter(char::is_ascii_digit).count();
        if digit_count >= 5
            && t.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '(' | ')' | '-'))
            && let Ok(phone) = Phone::parse(t)
        {
            return SearchQuery::Phone(phone);
        }
        let words: Vec<String> = normalise(t).split(' ').map(str::to_string).collect();
        if words.iter().all(|w| w.is_empty()) {
            return SearchQuery::Empty;
        }
        SearchQuery::Text(words.into_iter().filter(|w| !w.is_empty()).collect())
    }

    /// A short English name of the understood kind, for the CLI and logs.
    pub fn kind_name(&self) -> &'static str {
        match self {
            SearchQuery::Empty => "empty",
            SearchQuery::Digits(_) => "number",
            SearchQuery::Phone(_) => "phone",
            SearchQuery::Ip(_) => "ip",
            SearchQuery::Mac(_) => "mac",
            SearchQuery::Text(_) => "text",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_what_was_typed() {
        assert_eq!(SearchQuery::parse("  "), SearchQuery::Empty);
        assert_eq!(SearchQuery::parse("10234"), SearchQuery::Digits("10234".into()));
        assert!(matches!(SearchQuery::parse("10.0.3.14"), SearchQuery::Ip(_)));
        assert!(matches!(SearchQuery::parse("00-11-22-33-44-AA"), SearchQuery::Mac(_)));
        assert!(matches!(SearchQuery::parse("0011.2233.44aa"), SearchQuery::Mac(_)));
        assert!(matches!(SearchQuery::parse("+7 912 345-67-89"), SearchQuery::Phone(_)));
        assert!(matches!(SearchQuery::parse("8 (912) 345-67-89"), SearchQuery::Phone(_)));
        assert_eq!(
            SearchQuery::parse("Ленина 5-12"),
            SearchQuery::Text(vec!["ленина".into(), "5-12".into()])
        );
        assert_eq!(SearchQuery::parse("ЁЖИКОВ"), SearchQuery::Text(vec!["ежиков".into()]));
        assert_eq!(SearchQuery::parse(",,,"), SearchQuery::Empty);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = SearchQuery::parse(&s);
        }
    }
}
