//! The one form every change outside a payment is typed into: a house, a switch, an address,
//! a customer, a customer's service, a message, an operator, a tariff, a mark… and the
//! questions with no fields ("move to the former customers?"). A field is typed text, a choice
//! among a few values (← → or Space), or something picked by searching (a house, a customer).
//! This module is what a form is made of (its kind, its fields, the values it sends); how it
//! behaves and is drawn is `screens::form`.

use super::app::ReqId;
use super::input::Input;
use super::picker::PickKind;
use super::strings::Strings;
use crate::service::{Direction, TaxItem};

/// What a form saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    HouseAdd,
    HouseEdit(i64),
    SwitchAdd,
    SwitchEdit(i64),
    IpAdd(i64),
    SubnetAdd(i64),
    SetMac(String),
    BindPort(i64),
    Promise(i64),
    CreditLimit(i64),
    State(i64),
    /// Move to the former customers (`true`) or back.
    Former(i64, bool),
    CustomerAdd,
    CustomerEdit(i64),
    CustomerDelete(i64),
    /// A charge (a positive amount taken off) or a correction (either sign) of a customer's balance.
    Charge(i64),
    Correction(i64),
    /// A reversal of this operation (a new, linked operation of the opposite amount).
    Reverse(i64),
    /// A partial refund of payment `id`.
    Refund(i64),
    /// A service for this customer.
    ServiceAdd(i64),
    /// A customer's service, by its id.
    ServiceEdit(i64),
    ServiceRemove(i64),
    Message(i64, Direction),
    OperatorAdd,
    OperatorEdit(i64),
    OperatorPassword(i64),
    /// Lock (`false`) or unlock (`true`) an operator.
    OperatorActive(i64, bool),
    TariffAdd,
    TariffEdit(i64),
    CatalogueAdd,
    CatalogueEdit(i64),
    MarkAdd,
    /// A payment method: a new one, or the one with this code.
    MethodAdd,
    MethodEdit(String),
    MarkEdit(i64),
    MarkDelete(i64),
    /// A script's token revoked.
    TokenRevoke(i64),
    /// An SSH key added to the operator with this login, or one (by fingerprint) removed.
    KeyAdd(String),
    KeyRemove(String, String),
    GroupAdd,
    GroupRename(i64),
    GroupDelete(i64),
    DiscountAdd,
    DiscountEnd(i64),
    /// The tax rule of a kind of item: set, or (`TaxDelete`) no longer kept.
    TaxSet(Option<TaxItem>),
    TaxDelete(TaxItem),
    BillingDay,
    /// The cash desk: a shift opened with the cash counted, cash put in or taken out, the
    /// shift closed with a blind count.
    ShiftOpen,
    /// Finding payments of the open shift.
    DeskFind,
    /// The bank lines' queue: accept the proposed customer, accept one picked by searching,
    /// remember the payer, skip, post the accepted ones.
    ImportAccept(i64),
    /// Line `.0` accepted for customer `.1`, picked by searching.
    ImportMatch(i64, i64),
    ImportRemember(i64),
    ImportSkip(i64),
    ImportPost,
    ImportFile,
    CashIn,
    CashOut,
    ShiftClose,
}

impl FormKind {
    /// The form's title; for a form without fields, its question.
    pub fn title(&self, s: &Strings) -> &'static str {
        let (n, a) = (s.net, s.adm);
        match self {
            FormKind::HouseAdd => n.form_house_add,
            FormKind::HouseEdit(_) => n.form_house_edit,
            FormKind::SwitchAdd => n.form_switch_add,
            FormKind::SwitchEdit(_) => n.form_switch_edit,
            FormKind::IpAdd(_) => n.form_ip_add,
            FormKind::SubnetAdd(_) => n.form_subnet_add,
            FormKind::SetMac(_) => n.form_set_mac,
            FormKind::BindPort(_) => n.form_bind,
            FormKind::Promise(_) => n.form_promise,
            FormKind::CreditLimit(_) => n.form_credit,
            FormKind::State(_) => n.form_state,
            FormKind::Former(_, true) => n.form_to_former,
            FormKind::Former(_, false) => n.form_back,
            FormKind::CustomerAdd => a.customer_add_title,
            FormKind::CustomerEdit(_) => a.customer_edit_title,
            FormKind::CustomerDelete(_) => a.form_delete_customer,
            FormKind::Charge(_) => a.form_charge,
            FormKind::Correction(_) => a.form_correct,
            FormKind::Reverse(_) => a.form_reverse,
            FormKind::Refund(_) => s.desk.form_refund,
            FormKind::ServiceAdd(_) => a.form_service_add,
            FormKind::ServiceEdit(_) => a.form_service_edit,
            FormKind::ServiceRemove(_) => a.form_service_remove,
            FormKind::Message(_, Direction::Customer) => a.form_msg_from,
            FormKind::Message(_, Direction::Operator) => a.form_msg_to,
            FormKind::OperatorAdd => a.form_operator_add,
            FormKind::OperatorEdit(_) => a.form_operator_edit,
            FormKind::OperatorPassword(_) => a.form_password,
            FormKind::OperatorActive(_, false) => a.form_lock,
            FormKind::OperatorActive(_, true) => a.form_unlock,
            FormKind::TariffAdd => a.form_tariff_add,
            FormKind::TariffEdit(_) => a.form_tariff_edit,
            FormKind::CatalogueAdd => a.form_catalogue_add,
            FormKind::CatalogueEdit(_) => a.form_catalogue_edit,
            FormKind::MarkAdd => a.form_mark_add,
            FormKind::MethodAdd => a.form_method_add,
            FormKind::MethodEdit(_) => a.form_method_edit,
            FormKind::MarkEdit(_) => a.form_mark_edit,
            FormKind::MarkDelete(_) => a.form_mark_delete,
            FormKind::TokenRevoke(_) => a.form_token_revoke,
            FormKind::KeyAdd(_) => a.form_key_add,
            FormKind::KeyRemove(..) => a.form_key_remove,
            FormKind::GroupAdd => a.form_group_add,
            FormKind::GroupRename(_) => a.form_group_rename,
            FormKind::GroupDelete(_) => a.form_group_delete,
            FormKind::DiscountAdd => a.form_discount_add,
            FormKind::DiscountEnd(_) => a.form_discount_end,
            FormKind::TaxSet(_) => a.form_tax_set,
            FormKind::TaxDelete(_) => a.form_tax_delete,
            FormKind::BillingDay => a.billing_day_line,
            FormKind::ShiftOpen => s.desk.form_open,
            FormKind::DeskFind => s.desk.form_find,
            FormKind::ImportAccept(_) => s.desk.imp_q_accept,
            FormKind::ImportMatch(..) => s.desk.imp_q_match,
            FormKind::ImportRemember(_) => s.desk.imp_q_remember,
            FormKind::ImportSkip(_) => s.desk.imp_q_skip,
            FormKind::ImportPost => s.desk.imp_q_post,
            FormKind::ImportFile => s.desk.imp_q_file,
            FormKind::CashIn => s.desk.form_cash_in,
            FormKind::CashOut => s.desk.form_cash_out,
            FormKind::ShiftClose => s.desk.form_close,
        }
    }
}

/// How a field takes its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    /// One of a few values: (what the service is sent, what the screen shows).
    Choice {
        options: Vec<(String, String)>,
        at: usize,
    },
    /// Picked by searching; `value` is the id picked (empty: none) and the field's text shows
    /// what it is.
    Pick {
        kind: PickKind,
        value: String,
    },
}

type Label = fn(&Strings) -> &'static str;

pub struct FormField {
    /// The service's name for the field: its errors come back under this name.
    pub name: &'static str,
    pub label: Label,
    pub input: Input,
    pub kind: FieldKind,
    /// A credential: typed masked, shown only when asked for.
    pub secret: bool,
    /// The value when the form opened: an edit sends only what changed.
    pub initial: String,
    /// A heading drawn above the field: the start of a group of fields.
    pub section: Option<Label>,
    /// Said beside the field while it is empty.
    pub hint: Option<Label>,
}

impl FormField {
    /// What the service is sent for this field.
    pub fn value(&self) -> String {
        match &self.kind {
            FieldKind::Text => self.input.text(),
            FieldKind::Choice { options, at } => options.get(*at).map(|o| o.0.clone()).unwrap_or_default(),
            FieldKind::Pick { value, .. } => value.clone(),
        }
    }

    /// Starts a group of fields under a heading.
    pub fn in_section(mut self, section: Label) -> FormField {
        self.section = Some(section);
        self
    }

    pub fn with_hint(mut self, hint: Label) -> FormField {
        self.hint = Some(hint);
        self
    }

    fn opened(mut self) -> FormField {
        self.initial = self.value();
        self
    }

    /// Steps a choice by `by` (±1), round the list.
    pub fn step(&mut self, by: isize) {
        if let FieldKind::Choice { options, at } = &mut self.kind
            && !options.is_empty()
        {
            let n = options.len() as isize;
            *at = ((*at as isize + by).rem_euclid(n)) as usize;
        }
    }

    /// Sets what a pick field holds.
    pub fn set_pick(&mut self, id: Option<i64>, shown: &str) {
        if let FieldKind::Pick { value, .. } = &mut self.kind {
            *value = id.map(|i| i.to_string()).unwrap_or_default();
            self.input.set(shown);
        }
    }
}

/// A text field holding `value`, at most `max` characters.
pub fn field(name: &'static str, label: Label, max: usize, value: &str) -> FormField {
    FormField {
        name,
        label,
        input: Input::new(max).with_text(value),
        kind: FieldKind::Text,
        secret: false,
        initial: String::new(),
        section: None,
        hint: None,
    }
    .opened()
}

/// A credential, typed masked.
pub fn secret(name: &'static str, label: Label) -> FormField {
    FormField { input: Input::masked(40), secret: true, ..field(name, label, 40, "") }
}

/// A choice among `options` (value, shown), at the one whose value is `current` (else the first).
pub fn choice(name: &'static str, label: Label, options: Vec<(String, String)>, current: &str) -> FormField {
    let at = options.iter().position(|o| o.0 == current).unwrap_or(0);
    FormField { kind: FieldKind::Choice { options, at }, ..field(name, label, 1, "") }.opened()
}

/// "yes" or "no", as the service reads them.
pub fn yes_no(name: &'static str, label: Label, s: &Strings, current: bool) -> FormField {
    let options = vec![("no".to_string(), s.adm.no.to_string()), ("yes".to_string(), s.adm.yes.to_string())];
    choice(name, label, options, if current { "yes" } else { "no" })
}

/// Something picked by searching: `id` picked (if any), shown as `shown`.
pub fn pick(name: &'static str, label: Label, kind: PickKind, id: Option<i64>, shown: &str) -> FormField {
    let value = id.map(|i| i.to_string()).unwrap_or_default();
    FormField { kind: FieldKind::Pick { kind, value }, ..field(name, label, 200, shown) }.opened()
}

/// What a form sends: each field's name and value, in the form's order; `None` leaves that
/// field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(pub Vec<(&'static str, Option<String>)>);

impl Values {
    /// The value of the field called `name`.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.clone())
    }

    /// The value of the field called `name`, empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default()
    }

    /// The value of the `i`-th field.
    pub fn at(&self, i: usize) -> Option<String> {
        self.0.get(i).and_then(|(_, v)| v.clone())
    }

    /// The fields given, as (name, value).
    pub fn given(&self) -> Vec<(&'static str, &str)> {
        self.0.iter().filter_map(|(n, v)| v.as_deref().map(|v| (*n, v))).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormStage {
    Edit,
    /// The port is taken; the message names who is on it.
    ConfirmMove(String),
    /// Esc with edits made: leave without saving them?
    ConfirmDiscard,
    /// Money about to move: the balance before and after, asked before it is posted.
    ConfirmMoney(String),
    Saving,
}

pub struct FormScreen {
    pub kind: FormKind,
    pub fields: Vec<FormField>,
    pub focus: usize,
    /// (field index, message); an index past the fields is the form's own error.
    pub error: Option<(usize, String)>,
    pub stage: FormStage,
    /// Whether the credentials are shown (and, when editing, loaded).
    pub revealed: bool,
    /// Send only the fields that changed (editing a record many fields of which are left as they were).
    pub only_changed: bool,
    /// What the question is about, for a form without fields (the name of what is deleted…).
    pub subject: Option<String>,
    pub pending: Option<ReqId>,
    /// The balance a money form starts from (its confirmation shows before → after).
    pub balance: Option<crate::domain::money::Money>,
}

impl FormScreen {
    pub fn new(kind: FormKind, fields: Vec<FormField>) -> FormScreen {
        FormScreen {
            kind,
            fields,
            focus: 0,
            error: None,
            stage: FormStage::Edit,
            revealed: false,
            only_changed: false,
            subject: None,
            pending: None,
            balance: None,
        }
    }

    /// A question with no fields about `subject`: Enter (or y) does it, Esc does not.
    pub fn question(kind: FormKind, subject: impl Into<String>) -> FormScreen {
        FormScreen { subject: Some(subject.into()), ..FormScreen::new(kind, Vec::new()) }
    }

    /// The typed values, in field order. `None` is "leave as it is": a credential left empty
    /// while editing, unseen; in an edit of many fields, any field not changed.
    pub fn values(&self) -> Values {
        let editing_switch = matches!(self.kind, FormKind::SwitchEdit(_));
        Values(
            self.fields
                .iter()
                .map(|f| {
                    let v = f.value();
                    let unseen_secret = f.secret && editing_switch && !self.revealed && v.is_empty();
                    let kept = unseen_secret || (self.only_changed && v == f.initial);
                    (f.name, if kept { None } else { Some(v) })
                })
                .collect(),
        )
    }

    pub fn title(&self, s: &Strings) -> &'static str {
        self.kind.title(s)
    }

    pub fn focused(&self) -> Option<&FormField> {
        self.fields.get(self.focus)
    }

    pub(super) fn show_secrets(&mut self, shown: bool) {
        self.revealed = shown;
        for f in self.fields.iter_mut().filter(|f| f.secret) {
            f.input.masked = !shown;
        }
    }
}
