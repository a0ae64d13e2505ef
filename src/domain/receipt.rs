//! The receipt handed to a subscriber who paid: a slip in the manner of the tear-off part of
//! a cash receipt order (квитанция к ПКО) — who paid, for which agreement, the amount in
//! figures and in words, the method, the receipt number, the cashier, the local date and time,
//! the balance after; a reprint says «ДУБЛИКАТ». Always in Russian: it is a document.
//!
//! Rendered as plain text for a terminal or line printer, and as ESC/POS bytes for a receipt
//! printer (code page 866, the one every ESC/POS printer sold in Russia carries).

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::ledger::PaymentMethod;
use super::money::Money;
use super::words::rubles_in_words;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// The ISP's name from `[desk] organisation`, when set.
    pub organisation: Option<String>,
    pub operation_id: i64,
    pub receipt_number: String,
    /// When the payment was taken, in the ISP's local time.
    pub at: DateTime<FixedOffset>,
    pub customer: String,
    pub agreement: Option<String>,
    pub amount: Money,
    /// The method's kind, and its name as the catalogue has it.
    pub method: PaymentMethod,
    pub method_name: String,
    /// Cash handed over and the change, when typed.
    pub received: Option<Money>,
    pub balance_after: Money,
    pub cashier: String,
    pub desk: Option<String>,
    pub comment: Option<String>,
    /// A second or later print.
    pub duplicate: bool,
    /// The payment was cancelled since (a reprint says so).
    pub cancelled: bool,
    /// A partial refund: the slip is its cash-out order (РКО; `receipt_number` is the РКО's
    /// number) and this is the receipt number of the payment it gives part of back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_of: Option<String>,
}

/// The width of a 58 mm receipt printer's line in its standard font.
pub const SLIP_WIDTH: usize = 32;

/// Splits `text` into lines of at most `width` characters at spaces (a longer word is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn centre(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n >= width { text.to_string() } else { format!("{}{text}", " ".repeat((width - n) / 2)) }
}

/// `label` on the left, `value` on the right of a `width` line (or on the next line when
/// both do not fit).
fn pair(label: &str, value: &str, width: usize) -> Vec<String> {
    let (l, v) = (label.chars().count(), value.chars().count());
    if l + 1 + v <= width {
        vec![format!("{label}{}{value}", " ".repeat(width - l - v))]
    } else {
        let mut out = wrap(label, width);
        out.extend(wrap(value, width).into_iter().map(|line| format!("{line:>width$}")));
        out
    }
}

/// `text` in code page 866: quotes and dashes it lacks as their plain forms, anything else
/// it lacks as `?` (never an HTML entity on paper).
fn cp866(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let c = match c {
            '«' | '»' | '„' | '“' | '”' => '"',
            '—' | '–' | '−' => '-',
            other => other,
        };
        let (bytes, _, unmappable) = encoding_rs::IBM866.encode(c.encode_utf8(&mut buf));
        if unmappable { out.push(b'?') } else { out.extend_from_slice(&bytes) }
    }
    out
}

impl Receipt {
    /// The slip's lines, `width` characters at most; the title lines first.
    pub fn lines(&self, width: usize) -> Vec<String> {
        let width = width.max(24);
        let rule = "-".repeat(width);
        let mut out = Vec::new();
        if self.duplicate {
            out.push(centre("ДУБЛИКАТ", width));
        }
        if let Some(org) = &self.organisation {
            out.extend(wrap(org, width).iter().map(|l| centre(l, width)));
        }
        let title = match self.refund_of {
            Some(_) => "РАСХОДНЫЙ КАССОВЫЙ ОРДЕР",
            None => "КВИТАНЦИЯ к приходному кассовому ордеру",
        };
        out.extend(wrap(title, width).iter().map(|l| centre(l, width)));
        out.push(centre(&format!("№ {}", self.receipt_number), width));
        out.push(centre(&self.at.format("%d.%m.%Y %H:%M").to_string(), width));
        out.push(rule.clone());
        let whom = if self.refund_of.is_some() { "Выдано" } else { "Принято от" };
        out.extend(wrap(&format!("{whom}: {}", self.customer), width));
        if let Some(a) = &self.agreement {
            out.extend(pair("Договор:", a, width));
        }
        match &self.refund_of {
            Some(n) => out.extend(wrap(&format!("Основание: возврат оплаты по квитанции № {n}"), width)),
            None => out.extend(wrap("Основание: оплата услуг связи", width)),
        }
        if let Some(c) = &self.comment {
            out.extend(wrap(c, width));
        }
        out.push(rule.clone());
        out.extend(pair("СУММА:", &format!("{} руб.", self.amount.format_ru()), width));
        out.extend(wrap(&rubles_in_words(self.amount), width));
        out.extend(pair(
            if self.refund_of.is_some() {
                "Способ возврата:"
            } else {
                "Способ оплаты:"
            },
            &self.method_name,
            width,
        ));
        if let Some(r) = self.received {
            out.extend(pair("Получено:", &r.format_ru(), width));
            out.extend(pair(
                "Сдача:",
                &Money::from_minor(r.minor() - self.amount.minor()).format_ru(),
                width,
            ));
        }
        let after = if self.refund_of.is_some() {
            "Баланс после возврата:"
        } else {
            "Баланс после оплаты:"
        };
        out.extend(pair(after, &self.balance_after.format_ru(), width));
        out.push(rule);
        out.extend(wrap(&format!("Кассир: {}", self.cashier), width));
        if let Some(d) = &self.desk {
            out.extend(pair("Касса:", d, width));
        }
        out.extend(pair("Операция:", &self.operation_id.to_string(), width));
        if self.cancelled {
            out.push(centre("ПЛАТЁЖ ОТМЕНЁН", width));
        }
        if self.duplicate {
            out.push(centre("ДУБЛИКАТ", width));
        }
        out
    }

    /// The slip as text, one line each, ending in a newline.
    pub fn text(&self, width: usize) -> String {
        let mut t = self.lines(width).join("\n");
        t.push('\n');
        t
    }

    /// The slip as ESC/POS bytes: initialise, code page 866, the text (the receipt number
    /// and the amount emphasised), feed and a partial cut.
    pub fn escpos(&self) -> Vec<u8> {
        const ESC: u8 = 0x1b;
        const GS: u8 = 0x1d;
        let mut out = vec![ESC, b'@', ESC, b't', 17];
        for line in self.lines(SLIP_WIDTH) {
            let bold =
                line.trim_start().starts_with('№') || line.starts_with("СУММА:") || line.contains("ДУБЛИКАТ");
            if bold {
                out.extend([ESC, b'E', 1]);
            }
            out.extend(cp866(&line));
            out.push(b'\n');
            if bold {
                out.extend([ESC, b'E', 0]);
            }
        }
        out.extend([ESC, b'd', 4, GS, b'V', 1]);
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub fn sample(duplicate: bool) -> Receipt {
        Receipt {
            organisation: Some("ООО «Сеть»".into()),
            operation_id: 841,
            receipt_number: "160".into(),
            at: FixedOffset::east_opt(3 * 3600).unwrap().with_ymd_and_hms(2026, 12, 1, 14, 5, 0).unwrap(),
            customer: "Карпенко Кирилл Дмитриевич".into(),
            agreement: Some("10001".into()),
            amount: Money::from_minor(50_000),
            method: PaymentMethod::Cash,
            method_name: "Наличные".into(),
            received: Some(Money::from_minor(100_000)),
            balance_after: Money::from_minor(35_000),
            cashier: "Кассир Анна Смирнова".into(),
            desk: Some("Касса 1".into()),
            comment: None,
            duplicate,
            cancelled: false,
            refund_of: None,
        }
    }

    #[test]
    fn a_refund_is_a_cash_out_order() {
        let r = Receipt {
            receipt_number: "7".into(),
            amount: Money::from_minor(12_050),
            received: None,
            refund_of: Some("160".into()),
            ..sample(false)
        };
        let text = r.text(SLIP_WIDTH);
        assert!(text.contains("РАСХОДНЫЙ КАССОВЫЙ ОРДЕР") && text.contains("№ 7"), "{text}");
        assert!(text.contains("Выдано: Карпенко") && text.contains("квитанции № 160"), "{text}");
        assert!(text.contains("Сто двадцать рублей 50 копеек"), "{text}");
        assert!(!text.contains("Принято от") && !text.contains("Сдача"), "{text}");
    }

    #[test]
    fn the_slip_says_it_all_within_its_width() {
        let r = sample(false);
        let text = r.text(SLIP_WIDTH);
        for line in text.lines() {
            assert!(line.chars().count() <= SLIP_WIDTH, "{line:?}");
        }
        assert!(text.contains("Пятьсот рублей 00 копеек"), "{text}");
        assert!(text.contains("№ 160") && text.contains("01.12.2026 14:05"), "{text}");
        assert!(text.contains("Сдача:") && text.contains("500,00"), "{text}");
        assert!(!text.contains("ДУБЛИКАТ"));
        assert!(sample(true).text(40).starts_with(&centre("ДУБЛИКАТ", 40)));
        assert_eq!(wrap("один два три", 8), vec!["один два", "три"]);
        assert_eq!(wrap("абвгдежзик", 4), vec!["абвг", "дежз", "ик"]);
    }

    #[test]
    fn escpos_bytes_match_the_golden_file() {
        let bytes = sample(true).escpos();
        let golden =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/receipt_duplicate.escpos");
        if std::env::var_os("KASSA_UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &bytes).unwrap();
        }
        let want = std::fs::read(&golden)
            .expect("tests/golden/receipt_duplicate.escpos (KASSA_UPDATE_GOLDEN=1 writes it)");
        assert_eq!(bytes, want, "ESC/POS bytes differ from the golden file");
        // initialised, code page 866, cut at the end; Cyrillic as CP866
        assert_eq!(&bytes[..5], &[0x1b, b'@', 0x1b, b't', 17]);
        assert_eq!(&bytes[bytes.len() - 3..], &[0x1d, b'V', 1]);
        let (decoded, _, bad) = encoding_rs::IBM866.decode(&bytes);
        assert!(!bad && decoded.contains("Пятьсот рублей 00 копеек"));
    }
}
