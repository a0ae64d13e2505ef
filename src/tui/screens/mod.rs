//! The console's screens, one module each: a screen owns its state and its `key` (a key press
//! or a pasted text), `answer` (the answer to a request it made), `draw` and `context` (its
//! key table). A screen never reaches into the console around it: it asks through what it
//! returns — the service calls to run and where to go next (`Step`) — and `App` applies that.
//! Screens not yet moved here still live in `app`, `net`, `records`, `form`, `picker`.

pub mod card;
pub mod form;
pub mod history;
pub mod list;
pub mod login;
pub mod merge;
pub mod network;
pub mod pay;
pub mod picker;
pub mod search;
pub mod tariff;

use std::time::Instant;

use super::app::{Effect, ReqId, Screen};
use super::form::{FormKind, FormScreen};
use super::net::ListKind;
use super::picker::{PickFor, PickKind};
use super::records::AfterSave;
use super::refusals;
use super::strings::Strings;
use super::theme::Theme;
use crate::domain::money::MoneyError;
use crate::service::{Actor, ServiceError, SessionEnd};

/// What a screen may use of the console while it handles a key or an answer.
pub struct Cx<'a> {
    pub s: &'static Strings,
    pub actor: Option<&'a Actor>,
    pub now: Instant,
    next_req: &'a mut ReqId,
}

impl<'a> Cx<'a> {
    pub fn new(
        s: &'static Strings,
        actor: Option<&'a Actor>,
        now: Instant,
        next_req: &'a mut ReqId,
    ) -> Cx<'a> {
        Cx { s, actor, now, next_req }
    }

    /// A new request id: the answer comes back with it, and a stale one is dropped.
    pub fn req(&mut self) -> ReqId {
        *self.next_req += 1;
        *self.next_req
    }

    /// A service refusal in the console's words.
    pub fn error_text(&self, e: &ServiceError) -> String {
        error_text(self.s, e)
    }

    /// Why an amount was refused, in the console's words.
    pub fn money_error_text(&self, e: &MoneyError) -> String {
        money_error_text(self.s, e)
    }
}

/// What drawing may read besides the screen itself.
pub struct View<'a> {
    pub s: &'static Strings,
    pub t: &'a Theme,
    /// Help is drawn over the screen: no field shows the cursor.
    pub help: bool,
    /// The database holds demo data (the login says which operators to try).
    pub demo: bool,
    /// Who is logged in: what they may not do is not shown.
    pub actor: Option<&'a Actor>,
}

/// Where the console goes after a key or an answer.
pub enum Nav {
    /// Leave this screen for the one under it.
    Pop,
    /// Leave this screen for the card under it, reloading the card (a payment or a change of
    /// tariff has just moved what it shows).
    BackToCard,
    /// A new screen on top.
    Push(Box<Screen>),
    /// The `:` command line.
    OpenCommand,
    /// A customer's card on top, loaded.
    OpenCard(i64),
    /// A list screen on top, loaded.
    OpenList(ListKind),
    /// A form, once what it needs is loaded.
    PrepareForm(FormKind),
    /// A form (or a question) on top.
    OpenForm(Box<FormScreen>),
    /// A customer's network on top, loaded.
    OpenNetwork { customer_id: i64, title: String },
    /// The search that picks a house or a customer for `purpose`, `typed` already in its box.
    OpenPicker { kind: PickKind, purpose: PickFor, typed: String },
    /// A form saved: it closes, and what `after` says follows (the screen under it reloaded,
    /// the new customer's card, or the card of a deleted customer closed too).
    Saved(AfterSave),
    /// A row picked for the field at `at` of the form under the picker: back to the form,
    /// which shows `text`.
    Picked { at: usize, id: i64, text: String },
    /// This screen replaced by another (a question in place of the picker that led to it).
    Replace(Box<Screen>),
}

/// What a screen asks of the console: service calls to run and where to go.
#[derive(Default)]
pub struct Step {
    pub effects: Vec<Effect>,
    pub nav: Option<Nav>,
    /// A message for the status line.
    pub status: Option<String>,
}

impl Step {
    pub fn none() -> Step {
        Step::default()
    }

    pub fn run(effect: Effect) -> Step {
        Step { effects: vec![effect], ..Step::default() }
    }

    pub fn go(nav: Nav) -> Step {
        Step { nav: Some(nav), ..Step::default() }
    }
}

/// A service refusal in the console's words: no English sentence reaches the Russian console
/// for what a desk meets; anything else is shown as the service said it, after a word that
/// says it is an error.
pub fn error_text(s: &Strings, e: &ServiceError) -> String {
    match e {
        ServiceError::Denied { .. } => s.denied.to_string(),
        ServiceError::BadCredentials => s.login_wrong.to_string(),
        ServiceError::SessionEnded(SessionEnd::Disabled) => s.session_disabled.to_string(),
        ServiceError::SessionEnded(_) => s.session_role.to_string(),
        ServiceError::ReceiptUsed { number, .. } => format!("№ {number} {}", s.receipt_used),
        ServiceError::MergedAway { into_id, into_agreement, .. } => {
            format!("{} {}", s.merged_away, into_agreement.clone().unwrap_or_else(|| format!("#{into_id}")))
        }
        ServiceError::Busy => s.busy.to_string(),
        ServiceError::NotFound(what, key) => {
            let name = s.entity_names.get(*what as usize).copied().unwrap_or_default();
            if key.is_empty() {
                format!("{}: {name}", s.not_found)
            } else {
                format!("{}: {name} {key}", s.not_found)
            }
        }
        ServiceError::MacTaken { mac, holder_id, holder_name } => {
            format!("{mac}: {} #{holder_id} {holder_name}", s.mac_taken)
        }
        ServiceError::Invalid { field, problem } => {
            format!("{}: {}", refusals::field(s, field), refusals::problem(s, problem))
        }
        ServiceError::Conflict(c) => refusals::conflict(s, c),
        ServiceError::PromiseRefused(r) => {
            format!("{}. {}", s.promise_rules[r.rule() as usize], refusals::promise(s, r))
        }
        ServiceError::PortTaken { port, switch, holder_id, holder_name } => {
            let [p, of, by] = s.net.port_taken;
            format!("{p} {port} {of} «{switch}» {by} #{holder_id} ({holder_name})")
        }
        ServiceError::NoDatabase { path } => format!("{}: {path}", s.error_prefix),
        ServiceError::Store(e) => format!("{}: {}", s.error_prefix, refusals::store(s, e)),
    }
}

/// Why an amount was refused, in the console's words.
pub fn money_error_text(s: &Strings, e: &MoneyError) -> String {
    match e {
        MoneyError::Empty => s.money_empty.to_string(),
        MoneyError::NotANumber(t) => format!("«{t}» {}", s.money_nan),
        MoneyError::TooManyDecimals(t) => format!("«{t}» {}", s.money_decimals),
        MoneyError::TooLarge(t) => format!("«{t}» {}", s.money_large),
        MoneyError::NotPositive => s.money_not_positive.to_string(),
    }
}
