//! Customers (subscribers) and the values that identify them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::money::Money;

/// Whether the customer's service works: the UserSide state ids 0, 1, 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomerState {
    Stop,
    Pause,
    Active,
}

impl CustomerState {
    pub fn id(self) -> i64 {
        match self {
            CustomerState::Stop => 0,
            CustomerState::Pause => 1,
            CustomerState::Active => 2,
        }
    }

    pub fn from_id(id: i64) -> Option<CustomerState> {
        match id {
            0 => Some(CustomerState::Stop),
            1 => Some(CustomerState::Pause),
            2 => Some(CustomerState::Active),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CustomerState::Stop => "stop",
            CustomerState::Pause => "pause",
            CustomerState::Active => "active",
        }
    }
}

impl fmt::Display for CustomerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CustomerState {
    type Err = crate::domain::problem::Problem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "0" | "stop" => Ok(CustomerState::Stop),
            "1" | "pause" => Ok(CustomerState::Pause),
            "2" | "active" => Ok(CustomerState::Active),
            other => Err(crate::domain::problem::Problem::NotOneOf {
                value: other.to_string(),
                allowed: &["stop (0)", "pause (1)", "active (2)"],
            }),
        }
    }
}

/// A customer as stored: every field of UserSide's newer `edit` list and the flags around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub is_corporate: bool,
    pub is_potential: bool,
    pub is_former: bool,
    pub state: CustomerState,
    pub agreement_number: Option<String>,
    pub agreement_date: Option<NaiveDate>,
    pub account_number: Option<String>,
    pub house_id: Option<i64>,
    pub entrance: Option<String>,
    pub floor: Option<String>,
    pub apartment: Option<String>,
    /// phone0 (mobile), phone1 (home), phone2..phone4 (additional), stored as digits.
    pub phones: [Option<String>; 5],
    pub email: Option<String>,
    pub login: Option<String>,
    pub group_id: Option<i64>,
    pub manager_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub comment: Option<String>,
    pub date_connect: Option<NaiveDate>,
    pub date_activity: Option<DateTime<Utc>>,
    pub date_activity_inet: Option<DateTime<Utc>>,
    /// The last activity in the personal area.
    pub date_activity_lk: Option<DateTime<Utc>>,
    pub tariff_id: Option<i64>,
    pub balance: Money,
    pub credit_limit: Money,
    pub billing_id: Option<i64>,
    pub billing_uid: Option<String>,
    pub codeti: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The field names accepted by `edit`, as in UserSide's newer `edit` list.
pub const EDITABLE_FIELDS: &[&str] = &[
    "account_number",
    "agreement_date",
    "agreement_number",
    "apartment_number",
    "comment",
    "date_activity",
    "date_activity_inet",
    "date_activity_lk",
    "date_connect",
    "email",
    "entrance",
    "flag_corporate",
    "floor",
    "group_id",
    "house_id",
    "is_potential",
    "login",
    "manager_id",
    "name",
    "parent_id",
    "phone0",
    "phone1",
    "phone2",
    "phone3",
    "phone4",
];

/// Which external value `get_abon_id` looks a customer up by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupKind {
    Account,
    BillingUid,
    Codeti,
    Agreement,
    Ip,
    Login,
    Mac,
    Mail,
    Phone,
}

impl FromStr for LookupKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_lowercase().as_str() {
            "account" => LookupKind::Account,
            "billing_uid" => LookupKind::BillingUid,
            "codeti" => LookupKind::Codeti,
            "agreement" | "dognumber" => LookupKind::Agreement,
            "ip" => LookupKind::Ip,
            "login" => LookupKind::Login,
            "mac" => LookupKind::Mac,
            "mail" | "email" => LookupKind::Mail,
            "phone" => LookupKind::Phone,
            other => {
                return Err(format!(
                    "unknown lookup type '{other}': use account, billing_uid, codeti, agreement, ip, login, mac, mail or phone"
                ));
            }
        })
    }
}

/// Checks an e-mail address loosely: one `@`, something on each side, a dot in the domain.
pub fn valid_email(s: &str) -> bool {
    let mut parts = s.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        _ => false,
    }
}

/// Checks a login: 1–64 characters of letters, digits, `.`, `-`, `_`, `@`.
pub fn valid_login(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= 64
        && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
}

/// The normalised text the free-text search matches: name, address ("ленина 5а-12"), login and
/// e-mail. Written by the service whenever one of them changes.
pub fn search_text(c: &Customer, house: Option<(&str, i64, &str)>) -> String {
    let mut s = String::with_capacity(96);
    s.push_str(&c.name);
    if let Some((street, number, letter)) = house {
        s.push(' ');
        s.push_str(street);
        s.push_str(&format!(" {number}{letter}"));
        if let Some(a) = &c.apartment {
            s.push('-');
            s.push_str(a);
        }
    }
    for v in [&c.login, &c.email].into_iter().flatten() {
        s.push(' ');
        s.push_str(v);
    }
    super::text::normalise(&s)
}

/// The largest house number kassa keeps (houses are numbered 1 to this; letters are apart).
pub const MAX_HOUSE_NUMBER: i64 = 100_000;

/// Words people put in front of addresses that the search ignores (`ул. Ленина, д. 5, кв. 12`).
pub const ADDRESS_WORDS: &[&str] = &[
    "ул",
    "ул.",
    "улица",
    "д",
    "д.",
    "дом",
    "кв",
    "кв.",
    "квартира",
    "пр",
    "пр.",
    "пр-т",
    "проспект",
    "пер",
    "пер.",
    "переулок",
    "г",
    "г.",
    "город",
    "корп",
    "корп.",
    "стр",
    "стр.",
];

/// One line of a customer list or of search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerSummary {
    pub id: i64,
    pub agreement_number: Option<String>,
    pub account_number: Option<String>,
    pub name: String,
    pub street: Option<String>,
    pub house_number: Option<i64>,
    pub house_letter: Option<String>,
    pub apartment: Option<String>,
    pub balance: Money,
    pub state: CustomerState,
    pub tariff: Option<String>,
    pub is_former: bool,
    pub is_potential: bool,
    /// Blocked for debt (see `domain::billing::DebtBlock`).
    pub blocked: bool,
}

impl CustomerSummary {
    /// `Ленина 5а-12` — the way a cashier says an address.
    pub fn address(&self) -> String {
        let mut s = String::new();
        if let Some(street) = &self.street {
            s.push_str(street);
            if let Some(n) = self.house_number {
                s.push_str(&format!(" {n}{}", self.house_letter.as_deref().unwrap_or("")));
            }
        }
        if let Some(a) = &self.apartment {
            s.push_str(&format!("-{a}"));
        }
        s
    }
}

/// Which activity a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    Net,
    Internet,
    PersonalArea,
}

impl std::str::FromStr for Activity {
    type Err = crate::domain::problem::Problem;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "net" => Ok(Activity::Net),
            "internet" | "inet" => Ok(Activity::Internet),
            "personal_area" | "lk" => Ok(Activity::PersonalArea),
            other => Err(crate::domain::problem::Problem::NotOneOf {
                value: other.to_string(),
                allowed: &["net", "internet", "personal_area"],
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_lookups_parse() {
        assert_eq!("2".parse::<CustomerState>(), Ok(CustomerState::Active));
        assert_eq!("Pause".parse::<CustomerState>(), Ok(CustomerState::Pause));
        assert!("3".parse::<CustomerState>().is_err());
        assert_eq!("dognumber".parse::<LookupKind>(), Ok(LookupKind::Agreement));
        assert!("fio".parse::<LookupKind>().is_err());
    }

    #[test]
    fn emails_and_logins() {
        assert!(valid_email("ivanov@mail.ru"));
        assert!(!valid_email("ivanov@mail"));
        assert!(!valid_email("a@b@c.ru"));
        assert!(!valid_email("iv anov@mail.ru"));
        assert!(valid_login("ivanov_85"));
        assert!(!valid_login("ivan ov"));
        assert!(!valid_login(""));
    }
}
