//! Text normalisation shared by everything that stores or matches human text.

use unicode_normalization::UnicodeNormalization;
use unicode_width::UnicodeWidthStr;

/// NFC, trimmed, inner whitespace collapsed: what a typed or pasted value is stored as.
pub fn clean(input: &str) -> String {
    let nfc: String = input.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Pads or cuts `s` to exactly `w` terminal cells (Cyrillic is one cell, CJK two), for the
/// aligned columns of the command line and the console.
pub fn fit_width(s: &str, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let cw = UnicodeWidthStr::width(ch.encode_utf8(&mut [0; 4]) as &str);
        if used + cw > w {
            break;
        }
        out.push(ch);
        used += cw;
    }
    out.push_str(&" ".repeat(w.saturating_sub(used)));
    out
}

/// `s` right-aligned in `w` cells; wider text is left whole.
pub fn pad_left(s: &str, w: usize) -> String {
    let width = UnicodeWidthStr::width(s);
    if width >= w { s.to_string() } else { format!("{}{s}", " ".repeat(w - width)) }
}

/// `clean`, or `None` when nothing is left.
pub fn clean_opt(input: Option<&str>) -> Option<String> {
    input.map(clean).filter(|s| !s.is_empty())
}

/// The form every search column and every search query is compared in: NFC, lower case
/// (Unicode, not only ASCII), `ё` → `е`, punctuation other than `-`, `@`, `.`, `_` turned
/// into spaces, whitespace collapsed.
pub fn normalise(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for ch in input.nfc() {
        for lower in ch.to_lowercase() {
            let c = match lower {
                'ё' => 'е',
                c if c.is_alphanumeric() || matches!(c, '-' | '@' | '.' | '_' | '/') => c,
                _ => ' ',
            };
            out.push(c);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_is_folded() {
        assert_eq!(normalise("  ЁЛКИН  Пётр "), "елкин петр");
        assert_eq!(normalise("ул. Ленина, д.5, кв 12"), "ул. ленина д.5 кв 12");
        // a decomposed й (и + combining breve) is composed first
        assert_eq!(normalise("Кии\u{306}"), "кий");
        assert_eq!(clean("  a   b "), "a b");
        assert_eq!(clean_opt(Some("   ")), None);
    }
}
