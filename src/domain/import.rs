//! The triage queue of imported bank lines: each waits, is proposed for a customer by a rule,
//! is accepted or skipped by an operator, and is posted once.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::Serialize;

use super::money::Money;
use super::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// Nothing matched, or more than one customer: an operator decides.
    Waiting,
    /// A rule found one customer: an operator accepts it (or matches another).
    Proposed,
    /// To be posted.
    Accepted,
    /// Not to be posted, with the reason.
    Skipped,
    /// Posted: a payment of method bank.
    Posted,
}

impl LineState {
    pub const ALL: [LineState; 5] =
        [LineState::Waiting, LineState::Proposed, LineState::Accepted, LineState::Skipped, LineState::Posted];

    pub fn as_str(self) -> &'static str {
        match self {
            LineState::Waiting => "waiting",
            LineState::Proposed => "proposed",
            LineState::Accepted => "accepted",
            LineState::Skipped => "skipped",
            LineState::Posted => "posted",
        }
    }
}

impl fmt::Display for LineState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LineState {
    type Err = Problem;
    fn from_str(s: &str) -> Result<Self, Problem> {
        LineState::ALL.into_iter().find(|k| k.as_str() == s.trim()).ok_or_else(|| Problem::NotOneOf {
            value: s.to_string(),
            allowed: &["waiting", "proposed", "accepted", "skipped", "posted"],
        })
    }
}

/// Why a line waits, as kept on it (`note`): the command line prints it, the console says
/// each in its own words. Several customers: the numbers that named them follow.
pub const WAIT_NOTHING: &str = "nothing matched";
pub const WAIT_NAMESAKES: &str = "several customers by this name";
pub const WAIT_SEVERAL: &str = "several customers: ";

/// One imported line as the queue shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankLine {
    pub id: i64,
    pub import_id: i64,
    /// The file it came in (its name, or the registry's preset).
    pub source: String,
    pub identity: String,
    pub doc_number: String,
    pub doc_date: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
    pub amount: Money,
    pub payer: String,
    pub payer_account: String,
    pub payer_inn: String,
    pub purpose: String,
    pub customer_id: Option<i64>,
    pub agreement: Option<String>,
    pub customer_name: Option<String>,
    /// Which rule proposed the customer (`agreement`, `account`, `payer`, `name`, `registry`,
    /// `manual`) and how sure it is (`sure`, `likely`).
    pub rule: Option<String>,
    pub certainty: Option<String>,
    pub state: LineState,
    /// Why it waits, or why it was skipped.
    pub note: Option<String>,
    pub operation_id: Option<i64>,
}

impl BankLine {
    /// The keys a payer is remembered by: their account, and their INN.
    pub fn payer_keys(&self) -> Vec<String> {
        payer_keys(&self.payer_account, &self.payer_inn)
    }
}

/// The keys a payer is remembered by (`acc:…`, `inn:…`), for those given.
pub fn payer_keys(account: &str, inn: &str) -> Vec<String> {
    let mut keys = Vec::new();
    if !account.trim().is_empty() {
        keys.push(format!("acc:{}", account.trim()));
    }
    if !inn.trim().is_empty() && inn.trim().chars().any(|c| c != '0') {
        keys.push(format!("inn:{}", inn.trim()));
    }
    keys
}

/// What an import did: the documents read, the lines new to kassa, those already known
/// (the same file again, or an overlapping one), and the new ones by state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub import_id: Option<i64>,
    pub documents: usize,
    /// Documents that are not payments to us (outgoing).
    pub not_incoming: usize,
    pub new_lines: usize,
    pub already_known: usize,
    pub proposed: usize,
    pub waiting: usize,
    pub total: Money,
    /// Whether it was only a look (`--dry-run`): nothing was written.
    pub dry_run: bool,
    /// The new lines, as they were (or would be) written.
    pub lines: Vec<BankLine>,
}

/// What a post of the accepted lines did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PostReport {
    pub posted: usize,
    pub total: Money,
    /// Posted before (a post killed half-way and repeated): now marked.
    pub already: usize,
    /// Lines that could not be posted, with why (they stay accepted).
    pub failed: Vec<(i64, String)>,
}
