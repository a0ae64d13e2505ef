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
    /// `#57`: a customer's id.
    Id(i64),
    /// Only digits: an agreement or account number, a phone, or the start of one.
    Digits(String),
    /// Digits written the way phones are (`+7 912 …`, `8 (912) …`).
    Phone(Phone),
    Ip(Ip),
    /// The first two or three parts of an IPv4 address (`10.0.3`, `10.0.`): every address
    /// from `lo` to `hi`.
    IpRange {
        lo: Ip,
        hi: Ip,
    },
    Mac(Mac),
    /// The first two to five bytes of a MAC (`00:1a:2b`), in the stored form.
    MacStart(String),
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
        if let Some(id) = t.strip_prefix('#').and_then(|d| d.trim().parse::<i64>().ok()).filter(|id| *id > 0)
        {
            return SearchQuery::Id(id);
        }
        if let Ok(ip) = Ip::parse(t) {
            return SearchQuery::Ip(ip);
        }
        if let Ok(mac) = Mac::parse(t) {
            return SearchQuery::Mac(mac);
        }
        if let Some((lo, hi)) = ip_range(t) {
            return SearchQuery::IpRange { lo, hi };
        }
        if let Some(start) = mac_start(t) {
            return SearchQuery::MacStart(start);
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
            SearchQuery::Id(_) => "id",
            SearchQuery::Digits(_) => "number",
            SearchQuery::Phone(_) => "phone",
            SearchQuery::Ip(_) | SearchQuery::IpRange { .. } => "ip",
            SearchQuery::Mac(_) | SearchQuery::MacStart(_) => "mac",
            SearchQuery::Text(_) => "text",
        }
    }
}

/// `10.0.3`, `10.0.3.` or `10.0.`: two or three whole parts of an IPv4 address, with at least
/// two dots so that a number like `5.12` is not taken for one; the addresses they begin.
fn ip_range(t: &str) -> Option<(Ip, Ip)> {
    if t.matches('.').count() < 2 {
        return None;
    }
    let parts: Vec<&str> = t.strip_suffix('.').unwrap_or(t).split('.').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut octets = Vec::with_capacity(4);
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        octets.push(p.parse::<u8>().ok()?);
    }
    let address = |fill: u8| {
        let mut o = [fill; 4];
        o[..octets.len()].copy_from_slice(&octets);
        Ip(std::net::IpAddr::V4(std::net::Ipv4Addr::from(o)))
    };
    Some((address(0), address(255)))
}

/// `00:1a:2b` or `00-1A-2B`: the first two to five bytes of a MAC, as stored (lower case, colons);
/// with dashes, only when a letter shows it is not a number.
fn mac_start(t: &str) -> Option<String> {
    let sep = if t.contains(':') { ':' } else { '-' };
    let parts: Vec<&str> = t.strip_suffix(sep).unwrap_or(t).split(sep).collect();
    if !(2..=5).contains(&parts.len())
        || !parts.iter().all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return None;
    }
    // with dashes and only decimal digits it is a phone (`12-34-56`) or a flat (`12-34`)
    if sep == '-' && !t.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    Some(parts.join(":").to_ascii_lowercase())
}

/// Text typed with the Latin layout on when the Cyrillic one was meant (`bdfyjd` for
/// `иванов`), as it was meant; `None` when it has no Latin letter or any Cyrillic one.
pub fn retyped_cyrillic(input: &str) -> Option<String> {
    const EN: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
    const RU: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";
    if !input.chars().any(|c| c.is_ascii_alphabetic()) || !input.is_ascii() {
        return None;
    }
    let out: String = input
        .chars()
        .map(|c| {
            let lower = c.to_ascii_lowercase();
            match EN.chars().position(|e| e == lower).and_then(|i| RU.chars().nth(i)) {
                Some(r) if c.is_ascii_uppercase() => r.to_uppercase().next().unwrap_or(r),
                Some(r) => r,
                None => c,
            }
        })
        .collect();
    Some(out)
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
        let range = |t: &str| match SearchQuery::parse(t) {
            SearchQuery::IpRange { lo, hi } => Some((lo.to_string(), hi.to_string())),
            _ => None,
        };
        assert_eq!(range("10.0.3"), Some(("10.0.3.0".into(), "10.0.3.255".into())));
        assert_eq!(range("10.0."), Some(("10.0.0.0".into(), "10.0.255.255".into())));
        assert_eq!(range("10.0.3."), range("10.0.3"));
        assert_eq!(range("5.12"), None);
        assert_eq!(range("10.0.300"), None);
        assert!(matches!(SearchQuery::parse("10.0.3.14"), SearchQuery::Ip(_)));
        assert_eq!(SearchQuery::parse("00:1A:2b"), SearchQuery::MacStart("00:1a:2b".into()));
        assert_eq!(SearchQuery::parse("00-1a"), SearchQuery::MacStart("00:1a".into()));
        assert_eq!(SearchQuery::parse("00:11"), SearchQuery::MacStart("00:11".into()));
        assert!(matches!(SearchQuery::parse("00:1a:2b:3c:4d:5e"), SearchQuery::Mac(_)));
        assert!(!matches!(SearchQuery::parse("12-34-56"), SearchQuery::MacStart(_)));
        assert!(!matches!(SearchQuery::parse("12-34"), SearchQuery::MacStart(_)));
        assert_eq!(
            SearchQuery::parse("Ленина 5-12"),
            SearchQuery::Text(vec!["ленина".into(), "5-12".into()])
        );
        assert_eq!(SearchQuery::parse("ЁЖИКОВ"), SearchQuery::Text(vec!["ежиков".into()]));
        assert_eq!(SearchQuery::parse(",,,"), SearchQuery::Empty);
        assert_eq!(SearchQuery::parse("#3"), SearchQuery::Id(3));
        assert_eq!(SearchQuery::parse("# 57"), SearchQuery::Id(57));
    }

    #[test]
    fn text_typed_on_the_wrong_layout() {
        assert_eq!(retyped_cyrillic("bdfyjd").as_deref(), Some("иванов"));
        assert_eq!(retyped_cyrillic("Tkrby").as_deref(), Some("Елкин"));
        assert_eq!(retyped_cyrillic("ktybyf 5").as_deref(), Some("ленина 5"));
        assert_eq!(retyped_cyrillic("иванов"), None, "already Cyrillic");
        assert_eq!(retyped_cyrillic("10001"), None, "no letters");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = SearchQuery::parse(&s);
        }
    }
}
