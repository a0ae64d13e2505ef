//! Bank statements in the 1CClientBankExchange format (versions 1.02 and 1.03): the file every
//! Russian bank's client exports for 1C. A header of `Key=Value` lines, one
//! `СекцияРасчСчет … КонецРасчСчет` per account (opening balance, totals, closing balance),
//! one `СекцияДокумент=… КонецДокумента` per payment document, `КонецФайла`. The encoding is
//! named inside (`Кодировка=Windows` is cp1251, `DOS` is cp866), in the encoding itself.
//!
//! Parsing checks the statement's own arithmetic before anything can be posted: opening +
//! incoming − outgoing = closing, and the documents add up to the totals.

use chrono::NaiveDate;
use serde::Serialize;

use super::money::Money;

/// Why a statement was refused whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("not a 1CClientBankExchange file: the first line must be 1CClientBankExchange")]
    NotAStatement,
    #[error("the encoding is neither Windows (cp1251) nor DOS (cp866), nor UTF-8")]
    Encoding,
    #[error("line {line}: {what}")]
    Line { line: usize, what: LineProblem },
    #[error("the file ends inside a section (no {0})")]
    Unclosed(&'static str),
    #[error("the file has no КонецФайла: it was cut short")]
    NoEnd,
    #[error("no РасчСчет: the statement does not say whose account it is")]
    NoAccount,
    #[error(
        "account {account}: opening {opening} + incoming {incoming} − outgoing {outgoing} = {computed}, but the closing balance says {closing} (off by {off})"
    )]
    Balance {
        account: String,
        opening: Money,
        incoming: Money,
        outgoing: Money,
        closing: Money,
        computed: Money,
        off: Money,
    },
    #[error(
        "account {account}: the incoming documents add up to {documents}, the statement's total says {total} (off by {off})"
    )]
    IncomingTotal { account: String, documents: Money, total: Money, off: Money },
    #[error(
        "account {account}: the outgoing documents add up to {documents}, the statement's total says {total} (off by {off})"
    )]
    OutgoingTotal { account: String, documents: Money, total: Money, off: Money },
}

/// What is wrong with one line of a statement or registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    #[error("'{value}' is not a date ({format})")]
    NotADate { value: String, format: String },
    #[error("'{0}' is not an amount")]
    NotAnAmount(String),
    #[error("'{0}' has more than two decimals")]
    TooManyDecimals(String),
    #[error("'{0}' is too large")]
    TooLarge(String),
    #[error("text after КонецФайла")]
    AfterEnd,
    #[error("no {what} in column {column}")]
    NoCell { what: Cell, column: usize },
    #[error("the amount {0} is not positive")]
    NotPositive(Money),
}

/// A registry's column a line must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Date,
    Amount,
    Transaction,
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Cell::Date => "date",
            Cell::Amount => "amount",
            Cell::Transaction => "transaction id",
        })
    }
}

/// One account's section: its balances and totals over the statement's days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountSection {
    pub account: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub opening: Money,
    pub incoming: Money,
    pub outgoing: Money,
    pub closing: Money,
}

/// One payment document as the bank tells it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BankDocument {
    /// «Платежное поручение», «Банковский ордер», …
    pub kind: String,
    pub number: String,
    pub date: Option<NaiveDate>,
    pub amount: Money,
    pub payer_account: String,
    pub payer_inn: String,
    /// The payer's name (`Плательщик1`, else `Плательщик` without its «ИНН …» prefix).
    pub payer: String,
    pub payee_account: String,
    pub payee_inn: String,
    pub payee: String,
    /// The day the money reached the payee's account (`ДатаПоступило`).
    pub received_on: Option<NaiveDate>,
    /// The day it left the payer's (`ДатаСписано`).
    pub written_off_on: Option<NaiveDate>,
    pub purpose: String,
}

impl BankDocument {
    /// The day it was paid: received, else written off, else the document's date.
    pub fn paid_on(&self) -> Option<NaiveDate> {
        self.received_on.or(self.written_off_on).or(self.date)
    }

    /// What makes it this document and no other: our account, its number, date, amount and
    /// the payer's account (a subscriber paying the same sum every month is not a duplicate:
    /// the number and the date differ).
    pub fn identity(&self, account: &str) -> String {
        format!(
            "1c:{}:{}:{}:{}:{}",
            account,
            self.number.trim(),
            self.date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            self.amount.minor(),
            self.payer_account.trim()
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub version: String,
    /// `Windows`, `DOS` or `UTF-8`, as it was read.
    pub encoding: String,
    /// Our account (the header's `РасчСчет`, else the first section's).
    pub account: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub sections: Vec<AccountSection>,
    pub documents: Vec<BankDocument>,
}

impl Statement {
    /// The documents paid to us: those whose payee account is one of the statement's.
    pub fn incoming(&self) -> impl Iterator<Item = &BankDocument> {
        self.documents.iter().filter(|d| self.is_ours(&d.payee_account) && !self.is_ours(&d.payer_account))
    }

    fn is_ours(&self, account: &str) -> bool {
        let a = account.trim();
        !a.is_empty() && (a == self.account || self.sections.iter().any(|s| s.account == a))
    }
}

/// The text of a statement file: UTF-8 when it is that and says `Кодировка`, else cp1251 or
/// cp866 — whichever makes the word `Кодировка` readable (each spells it in its own bytes).
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), StatementError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if !bytes.starts_with(b"1CClientBankExchange") {
        return Err(StatementError::NotAStatement);
    }
    if let Ok(text) = std::str::from_utf8(bytes)
        && text.contains("Кодировка")
    {
        return Ok((text.to_string(), "UTF-8"));
    }
    for (encoding, name) in [(encoding_rs::WINDOWS_1251, "Windows"), (encoding_rs::IBM866, "DOS")] {
        let (text, _, _) = encoding.decode(bytes);
        if text.contains("Кодировка") {
            return Ok((text.into_owned(), name));
        }
    }
    Err(StatementError::Encoding)
}

fn day(line: usize, v: &str) -> Result<Option<NaiveDate>, StatementError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(v, "%d.%m.%Y").map(Some).map_err(|_| StatementError::Line {
        line,
        what: LineProblem::NotADate { value: v.to_string(), format: "DD.MM.YYYY".into() },
    })
}

/// An amount as a statement writes it (`12345.67`): a balance or a total may be far more than
/// one payment may be, so only the kopecks and the range of the ledger's numbers bound it.
fn amount(line: usize, v: &str) -> Result<Money, StatementError> {
    use std::str::FromStr;
    let v = v.trim();
    if v.is_empty() {
        return Ok(Money::ZERO);
    }
    let bad = |what: fn(String) -> LineProblem| StatementError::Line { line, what: what(v.to_string()) };
    let d = rust_decimal::Decimal::from_str(&v.replace([' ', '\u{a0}'], "").replace(',', "."))
        .map_err(|_| bad(LineProblem::NotAnAmount))?;
    let minor =
        d.checked_mul(rust_decimal::Decimal::ONE_HUNDRED).ok_or_else(|| bad(LineProblem::TooLarge))?;
    if !minor.fract().is_zero() {
        return Err(bad(LineProblem::TooManyDecimals));
    }
    let minor: i64 = minor.trunc().try_into().map_err(|_| bad(LineProblem::TooLarge))?;
    if minor.abs() > 100_000_000_000_000_000 {
        return Err(bad(LineProblem::TooLarge));
    }
    Ok(Money::from_minor(minor))
}

/// The payer's name out of `Плательщик`, which banks often write as «ИНН 7701234567 ООО Ромашка».
fn name_without_inn(v: &str) -> String {
    let t = v.trim();
    match t.strip_prefix("ИНН") {
        Some(rest) => {
            let rest = rest.trim_start();
            let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
            rest[digits..].trim().to_string()
        }
        None => t.to_string(),
    }
}

/// Parses and checks a statement file (any of the three encodings).
pub fn parse(bytes: &[u8]) -> Result<Statement, StatementError> {
    let (text, encoding) = decode(bytes)?;
    let mut st = Statement {
        version: String::new(),
        encoding: encoding.to_string(),
        account: String::new(),
        from: None,
        to: None,
        sections: Vec::new(),
        documents: Vec::new(),
    };
    enum In {
        Header,
        Section(AccountSection),
        Document(Box<BankDocument>),
    }
    let mut state = In::Header;
    let mut ended = false;
    let mut payer_name_1 = String::new();
    for (i, raw) in text.lines().enumerate().skip(1) {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if ended {
            return Err(StatementError::Line { line: n, what: LineProblem::AfterEnd });
        }
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => (line, ""),
        };
        state = match (state, key) {
            (In::Header, "СекцияРасчСчет") => In::Section(AccountSection::default()),
            (In::Header, "СекцияДокумент") => {
                payer_name_1.clear();
                In::Document(Box::new(BankDocument { kind: value.to_string(), ..Default::default() }))
            }
            (In::Header, "КонецФайла") => {
                ended = true;
                In::Header
            }
            (In::Header, k) => {
                match k {
                    "ВерсияФормата" => st.version = value.to_string(),
                    "РасчСчет" if st.account.is_empty() => st.account = value.to_string(),
                    "ДатаНачала" => st.from = day(n, value)?,
                    "ДатаКонца" => st.to = day(n, value)?,
                    _ => {}
                }
                In::Header
            }
            (In::Section(s), "КонецРасчСчет") => {
                st.sections.push(s);
                In::Header
            }
            (In::Section(mut s), k) => {
                match k {
                    "РасчСчет" => s.account = value.to_string(),
                    "ДатаНачала" => s.from = day(n, value)?,
                    "ДатаКонца" => s.to = day(n, value)?,
                    "НачальныйОстаток" => s.opening = amount(n, value)?,
                    "ВсегоПоступило" => s.incoming = amount(n, value)?,
                    "ВсегоСписано" => s.outgoing = amount(n, value)?,
                    "КонечныйОстаток" => s.closing = amount(n, value)?,
                    "СекцияРасчСчет" | "СекцияДокумент" | "КонецФайла" =>
                    {
                        return Err(StatementError::Unclosed("КонецРасчСчет"));
                    }
                    _ => {}
                }
                In::Section(s)
            }
            (In::Document(mut d), "КонецДокумента") => {
                if !payer_name_1.is_empty() {
                    d.payer = payer_name_1.clone();
                }
                st.documents.push(*d);
                In::Header
            }
            (In::Document(mut d), k) => {
                match k {
                    "Номер" => d.number = value.to_string(),
                    "Дата" => d.date = day(n, value)?,
                    "Сумма" => d.amount = amount(n, value)?,
                    "ПлательщикСчет" | "ПлательщикРасчСчет" if d.payer_account.is_empty() => {
                        d.payer_account = value.to_string()
                    }
                    "ПлательщикИНН" => d.payer_inn = value.to_string(),
                    "Плательщик" => d.payer = name_without_inn(value),
                    "Плательщик1" => payer_name_1 = value.to_string(),
                    "ПолучательСчет" | "ПолучательРасчСчет" if d.payee_account.is_empty() => {
                        d.payee_account = value.to_string()
                    }
                    "ПолучательИНН" => d.payee_inn = value.to_string(),
                    "Получатель" | "Получатель1" if d.payee.is_empty() => {
                        d.payee = name_without_inn(value)
                    }
                    "ДатаПоступило" => d.received_on = day(n, value)?,
                    "ДатаСписано" => d.written_off_on = day(n, value)?,
                    "НазначениеПлатежа" => d.purpose = value.to_string(),
                    "СекцияРасчСчет" | "СекцияДокумент" | "КонецФайла" =>
                    {
                        return Err(StatementError::Unclosed("КонецДокумента"));
                    }
                    _ => {}
                }
                In::Document(d)
            }
        };
    }
    match state {
        In::Section(_) => return Err(StatementError::Unclosed("КонецРасчСчет")),
        In::Document(_) => return Err(StatementError::Unclosed("КонецДокумента")),
        In::Header if !ended => return Err(StatementError::NoEnd),
        In::Header => {}
    }
    if st.account.is_empty() {
        st.account = st.sections.first().map(|s| s.account.clone()).ok_or(StatementError::NoAccount)?;
    }
    check(&st)?;
    Ok(st)
}

/// The statement's own arithmetic, per account: the balances, and the documents against the
/// totals (when the statement has documents for that account at all).
fn check(st: &Statement) -> Result<(), StatementError> {
    let m = Money::from_minor;
    for s in &st.sections {
        let computed = s.opening.minor() + s.incoming.minor() - s.outgoing.minor();
        if computed != s.closing.minor() {
            return Err(StatementError::Balance {
                account: s.account.clone(),
                opening: s.opening,
                incoming: s.incoming,
                outgoing: s.outgoing,
                closing: s.closing,
                computed: m(computed),
                off: m(s.closing.minor() - computed),
            });
        }
        let sum = |f: &dyn Fn(&BankDocument) -> bool| -> i64 {
            st.documents.iter().filter(|d| f(d)).map(|d| d.amount.minor()).sum()
        };
        let incoming = sum(&|d| d.payee_account.trim() == s.account);
        let outgoing = sum(&|d| d.payer_account.trim() == s.account);
        if incoming != s.incoming.minor() {
            return Err(StatementError::IncomingTotal {
                account: s.account.clone(),
                documents: m(incoming),
                total: s.incoming,
                off: m(s.incoming.minor() - incoming),
            });
        }
        if outgoing != s.outgoing.minor() {
            return Err(StatementError::OutgoingTotal {
                account: s.account.clone(),
                documents: m(outgoing),
                total: s.outgoing,
                off: m(s.outgoing.minor() - outgoing),
            });
        }
    }
    Ok(())
}

/// Writes a statement in the format (the tests' and the benchmark's files; `encoding` is
/// `Windows`, `DOS` or `UTF-8`).
pub fn write(st: &Statement, encoding: &str) -> Vec<u8> {
    let d = |x: Option<NaiveDate>| x.map(|x| x.format("%d.%m.%Y").to_string()).unwrap_or_default();
    let mut t = String::new();
    let mut kv = |k: &str, v: &str| {
        t.push_str(k);
        t.push_str(v);
        t.push_str("\r\n");
    };
    kv("1CClientBankExchange", "");
    kv("ВерсияФормата=", &st.version);
    kv("Кодировка=", encoding);
    kv("Отправитель=", "Банк-клиент");
    kv("ДатаНачала=", &d(st.from));
    kv("ДатаКонца=", &d(st.to));
    kv("РасчСчет=", &st.account);
    for s in &st.sections {
        kv("СекцияРасчСчет", "");
        kv("ДатаНачала=", &d(s.from));
        kv("ДатаКонца=", &d(s.to));
        kv("РасчСчет=", &s.account);
        kv("НачальныйОстаток=", &s.opening.format_plain());
        kv("ВсегоПоступило=", &s.incoming.format_plain());
        kv("ВсегоСписано=", &s.outgoing.format_plain());
        kv("КонечныйОстаток=", &s.closing.format_plain());
        kv("КонецРасчСчет", "");
    }
    for doc in &st.documents {
        kv("СекцияДокумент=", &doc.kind);
        kv("Номер=", &doc.number);
        kv("Дата=", &d(doc.date));
        kv("Сумма=", &doc.amount.format_plain());
        kv("ПлательщикСчет=", &doc.payer_account);
        kv("ДатаСписано=", &d(doc.written_off_on));
        kv("Плательщик=", &format!("ИНН {} {}", doc.payer_inn, doc.payer));
        kv("ПлательщикИНН=", &doc.payer_inn);
        kv("Плательщик1=", &doc.payer);
        kv("ПолучательСчет=", &doc.payee_account);
        kv("ДатаПоступило=", &d(doc.received_on));
        kv("Получатель=", &doc.payee);
        kv("ПолучательИНН=", &doc.payee_inn);
        kv("НазначениеПлатежа=", &doc.purpose);
        kv("КонецДокумента", "");
    }
    kv("КонецФайла", "");
    match encoding {
        "Windows" => encoding_rs::WINDOWS_1251.encode(&t).0.into_owned(),
        // code page 866 has no «»: plain quotes, as DOS programs write them
        "DOS" => encoding_rs::IBM866.encode(&t.replace(['«', '»'], "\"")).0.into_owned(),
        _ => t.into_bytes(),
    }
}

/// How a payment agent's registry is read: a named preset in the config
/// (`[import.presets.NAME]`). Columns are counted from 1.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryPreset {
    /// The agent's name, kept on every line (`Сбербанк`, `Элекснет`).
    pub agent: String,
    /// One character; `;` unless said.
    #[serde(default = "default_delimiter")]
    pub delimiter: String,
    /// `utf-8` (the default), `cp1251` or `cp866`.
    #[serde(default)]
    pub encoding: Option<String>,
    /// Lines at the top that are not payments.
    #[serde(default)]
    pub header_lines: usize,
    pub date: usize,
    /// `%d.%m.%Y` unless said (chrono's format).
    #[serde(default)]
    pub date_format: Option<String>,
    /// The column with the agreement number, or (`account`) the personal account number.
    #[serde(default)]
    pub agreement: Option<usize>,
    #[serde(default)]
    pub account: Option<usize>,
    pub amount: usize,
    /// The agent's own id of the payment: what makes a line this one and no other.
    pub transaction: usize,
    #[serde(default)]
    pub payer: Option<usize>,
}

fn default_delimiter() -> String {
    ";".into()
}

/// One payment of a registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryLine {
    pub line: usize,
    pub date: NaiveDate,
    /// The agreement or account number as the agent wrote it.
    pub agreement: Option<String>,
    pub account: Option<String>,
    pub amount: Money,
    pub transaction: String,
    pub payer: String,
}

impl RegistryLine {
    pub fn identity(&self, agent: &str) -> String {
        format!("reg:{agent}:{}", self.transaction)
    }
}

/// Reads a registry by its preset; a line that cannot be read refuses the file whole, saying
/// which and why (a registry is the agent's account of money it holds: all or nothing).
pub fn parse_registry(bytes: &[u8], p: &RegistryPreset) -> Result<Vec<RegistryLine>, StatementError> {
    let text = match p.encoding.as_deref().map(str::to_lowercase).as_deref() {
        None | Some("utf-8") | Some("utf8") => {
            let b = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
            std::str::from_utf8(b).map_err(|_| StatementError::Encoding)?.to_string()
        }
        Some("cp1251") | Some("windows-1251") => encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned(),
        Some("cp866") | Some("dos") => encoding_rs::IBM866.decode(bytes).0.into_owned(),
        Some(_) => return Err(StatementError::Encoding),
    };
    let delimiter = p.delimiter.chars().next().unwrap_or(';');
    let format = p.date_format.as_deref().unwrap_or("%d.%m.%Y");
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate().skip(p.header_lines) {
        let n = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = raw.split(delimiter).map(|c| c.trim().trim_matches('"').trim()).collect();
        let cell = |column: usize, what: Cell| -> Result<&str, StatementError> {
            cells
                .get(column.wrapping_sub(1))
                .copied()
                .filter(|c| !c.is_empty())
                .ok_or(StatementError::Line { line: n, what: LineProblem::NoCell { what, column } })
        };
        let date_text = cell(p.date, Cell::Date)?;
        let date = NaiveDate::parse_from_str(date_text, format)
            .or_else(|_| NaiveDate::parse_from_str(date_text.split_whitespace().next().unwrap_or(""), format))
            .map_err(|_| StatementError::Line {
                line: n,
                what: LineProblem::NotADate { value: date_text.to_string(), format: format.to_string() },
            })?;
        let amount = amount(n, cell(p.amount, Cell::Amount)?)?;
        if !amount.is_positive() {
            return Err(StatementError::Line { line: n, what: LineProblem::NotPositive(amount) });
        }
        let optional =
            |col: Option<usize>| col.and_then(|c| cells.get(c.wrapping_sub(1))).map(|s| s.to_string());
        out.push(RegistryLine {
            line: n,
            date,
            agreement: optional(p.agreement).filter(|s| !s.is_empty()),
            account: optional(p.account).filter(|s| !s.is_empty()),
            amount,
            transaction: cell(p.transaction, Cell::Transaction)?.to_string(),
            payer: optional(p.payer).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The numbers a payment's purpose names an agreement or a personal account by, best first:
/// those after a word that says so («договор», «дог.», «л/с», «лицевой счёт», «абонент», «№»),
/// then any other run of 4–12 digits that is not part of a date or an amount.
pub fn numbers_in_purpose(purpose: &str) -> Vec<String> {
    let lower = purpose.to_lowercase().replace('ё', "е");
    const WORDS: [&str; 9] = ["договор", "дог", "л/с", "лс", "лицевой", "лиц", "абонент", "аб", "№"];
    let chars: Vec<char> = lower.chars().collect();
    let mut runs: Vec<(usize, String)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            // part of a date (01.12.2026), an amount (500.00 / 500,00) or a longer code (a-1)
            let glued = |c: Option<&char>| c.is_some_and(|c| matches!(c, '.' | ',' | '-' | '/'));
            let before = if start > 0 { chars.get(start - 1) } else { None };
            let after_sep = glued(chars.get(i)) && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit());
            let before_sep = glued(before) && start >= 2 && chars[start - 2].is_ascii_digit();
            if !after_sep && !before_sep {
                runs.push((start, chars[start..i].iter().collect()));
            }
        } else {
            i += 1;
        }
    }
    let prefix_of = |start: usize| -> String {
        let from = start.saturating_sub(24);
        chars[from..start].iter().collect()
    };
    let mut named: Vec<String> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for (start, run) in runs {
        let before = prefix_of(start);
        let said = WORDS.iter().any(|w| {
            before.rfind(w).is_some_and(|at| {
                // the word, then nothing but spaces, dots, colons and number signs before the digits
                before[at + w.len()..].chars().all(|c| {
                    c.is_whitespace() || matches!(c, '.' | ':' | '№' | '#' | 'у' | 'а' | 'е' | 'о' | 'м')
                })
            })
        });
        if said && (3..=20).contains(&run.len()) {
            named.push(run);
        } else if (4..=12).contains(&run.len()) {
            others.push(run);
        }
    }
    named.extend(others);
    let mut seen = std::collections::HashSet::new();
    named.retain(|n| seen.insert(n.clone()));
    named
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sample() -> Statement {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30);
        let doc = |n: &str, amount: i64, payer: &str, purpose: &str| BankDocument {
            kind: "Платежное поручение".into(),
            number: n.into(),
            date: day,
            amount: Money::from_minor(amount),
            payer_account: "40817810000000000001".into(),
            payer_inn: "770100000001".into(),
            payer: payer.into(),
            payee_account: "40702810900000012345".into(),
            payee_inn: "1655000000".into(),
            payee: "ООО «Сеть»".into(),
            received_on: day,
            written_off_on: day,
            purpose: purpose.into(),
        };
        let mut out = doc("7", 30_000, "ООО «Сеть»", "Аренда");
        out.payer_account = "40702810900000012345".into();
        out.payee_account = "40702810000000099999".into();
        Statement {
            version: "1.03".into(),
            encoding: "Windows".into(),
            account: "40702810900000012345".into(),
            from: day,
            to: day,
            sections: vec![AccountSection {
                account: "40702810900000012345".into(),
                from: day,
                to: day,
                opening: Money::from_minor(100_000),
                incoming: Money::from_minor(150_000),
                outgoing: Money::from_minor(30_000),
                closing: Money::from_minor(220_000),
            }],
            documents: vec![
                doc("101", 50_000, "Иванов Иван Иванович", "Оплата по договору 10234 за интернет"),
                doc("102", 100_000, "ООО «Ромашка»", "л/с 100010235, НДС не облагается"),
                out,
            ],
        }
    }

    #[test]
    fn statements_read_back_in_every_encoding() {
        let st = sample();
        for enc in ["Windows", "DOS", "UTF-8"] {
            let read = parse(&write(&st, enc)).unwrap();
            assert_eq!(read.encoding, enc);
            let mut want = st.documents.clone();
            if enc == "DOS" {
                for d in &mut want {
                    d.payer = d.payer.replace(['«', '»'], "\"");
                    d.payee = d.payee.replace(['«', '»'], "\"");
                }
            }
            assert_eq!(read.documents, want, "{enc}");
            assert_eq!(read.incoming().count(), 2, "the outgoing one is not a candidate");
        }
        let mut v102 = st.clone();
        v102.version = "1.02".into();
        assert_eq!(parse(&write(&v102, "Windows")).unwrap().version, "1.02");
    }

    #[test]
    fn balances_and_documents_beyond_one_payment_are_read() {
        let mut st = sample();
        st.documents[1].amount = Money::from_minor(1_500_000_000);
        st.sections[0].opening = Money::from_minor(9_000_000_000_000);
        st.sections[0].incoming = Money::from_minor(1_500_050_000);
        st.sections[0].closing = Money::from_minor(9_000_000_000_000 + 1_500_050_000 - 30_000);
        let read = parse(&write(&st, "Windows")).unwrap();
        assert_eq!(read.documents[1].amount, Money::from_minor(1_500_000_000));
        assert_eq!(amount(1, "1 234,5").unwrap(), Money::from_minor(123_450));
        assert!(amount(1, "1.234").is_err());
    }

    #[test]
    fn a_statement_that_does_not_add_up_is_refused_saying_by_how_much() {
        let mut st = sample();
        st.sections[0].closing = Money::from_minor(220_100);
        let e = parse(&write(&st, "Windows")).unwrap_err();
        assert!(matches!(&e, StatementError::Balance { off, .. } if *off == Money::from_minor(100)), "{e}");
        let mut st = sample();
        st.documents[0].amount = Money::from_minor(49_999);
        let e = parse(&write(&st, "DOS")).unwrap_err();
        assert!(
            matches!(&e, StatementError::IncomingTotal { off, .. } if *off == Money::from_minor(1)),
            "{e}"
        );
        let cut = write(&sample(), "UTF-8");
        let text = String::from_utf8(cut).unwrap().replace("КонецФайла\r\n", "");
        assert_eq!(parse(text.as_bytes()).unwrap_err(), StatementError::NoEnd);
        assert_eq!(parse(b"hello").unwrap_err(), StatementError::NotAStatement);
    }

    #[test]
    fn numbers_in_purposes() {
        assert_eq!(numbers_in_purpose("Оплата по договору 10234 за интернет")[0], "10234");
        assert_eq!(numbers_in_purpose("л/с 100010234, НДС не облагается")[0], "100010234");
        assert_eq!(numbers_in_purpose("Оплата по дог.№10234 от 01.12.2026 сумма 500.00")[0], "10234");
        assert!(!numbers_in_purpose("за 01.12.2026 сумма 500.00").contains(&"2026".to_string()));
        assert_eq!(numbers_in_purpose("Абонент 10235 и 10236"), ["10235", "10236"]);
        assert!(numbers_in_purpose("Оплата услуг").is_empty());
    }

    proptest::proptest! {
        /// Any bytes after the header, any text: a refusal or a statement, never a panic.
        #[test]
        fn statements_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let mut bytes = b"1CClientBankExchange\r\n".to_vec();
            bytes.extend(body);
            let _ = parse(&bytes);
        }

        #[test]
        fn statement_lines_never_panic(lines in proptest::collection::vec(
            "(СекцияДокумент=|КонецДокумента|СекцияРасчСчет|КонецРасчСчет|Сумма=|Дата=|Номер=|КонецФайла|Кодировка=Windows)\\PC{0,12}",
            0..30,
        )) {
            let text = format!("1CClientBankExchange\r\n{}", lines.join("\r\n"));
            let _ = parse(text.as_bytes());
        }

        #[test]
        fn registries_and_purposes_never_panic(text in "\\PC{0,200}", delimiter in "[;,|\t]") {
            let p = RegistryPreset {
                agent: "a".into(),
                delimiter,
                encoding: None,
                header_lines: 0,
                date: 1,
                date_format: None,
                agreement: Some(2),
                account: Some(9),
                amount: 3,
                transaction: 4,
                payer: Some(0),
            };
            let _ = parse_registry(text.as_bytes(), &p);
            let _ = numbers_in_purpose(&text);
        }
    }

    #[test]
    fn registries_by_their_preset() {
        let p = RegistryPreset {
            agent: "Агент".into(),
            delimiter: ";".into(),
            encoding: Some("cp1251".into()),
            header_lines: 1,
            date: 1,
            date_format: None,
            agreement: Some(2),
            account: None,
            amount: 3,
            transaction: 4,
            payer: Some(5),
        };
        let text = "Дата;Договор;Сумма;Транзакция;ФИО\r\n01.12.2026;10234;500,00;T-1;Иванов И.И.\r\n";
        let bytes = encoding_rs::WINDOWS_1251.encode(text).0.into_owned();
        let lines = parse_registry(&bytes, &p).unwrap();
        assert_eq!(
            (lines[0].agreement.as_deref(), lines[0].amount),
            (Some("10234"), Money::from_minor(50_000))
        );
        assert_eq!(lines[0].identity("Агент"), "reg:Агент:T-1");
        let bad = encoding_rs::WINDOWS_1251.encode("h\r\n01.12.2026;10234;-5;T-2;x\r\n").0.into_owned();
        assert!(matches!(parse_registry(&bad, &p), Err(StatementError::Line { line: 2, .. })));
    }
}
