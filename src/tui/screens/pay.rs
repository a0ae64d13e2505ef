//! Taking a payment: the amount (typed, or the debt / the debt and a month with one key), the
//! method, the cash handed over (the change is shown), a receipt (ПКО) number typed or left to
//! the counter, a comment; a confirmation that shows the balance before and after and the
//! change; the posting, and the result. Made for a desk that does this all day: a held or doubled Enter never
//! posts twice (one idempotency key per form), a refusal is shown under the field it is about.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Cx, Nav, Step, View};
use crate::domain::ledger::{PayMethod, PaymentMethod, valid_receipt_number};
use crate::domain::money::Money;
use crate::domain::text::fit_width as fit;
use crate::service::{CustomerCard, PaymentRequest, PostOutcome, ServiceError};
use crate::tui::app::{Effect, Outcome, ReqId};
use crate::tui::input::Input;
use crate::tui::keymap::{Action, Context};
use crate::tui::widgets::{balance_style, dialog, field, money};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayStage {
    Form,
    Confirm { amount: Money, received: Option<Money> },
    Posting { amount: Money, received: Option<Money> },
    Done(Box<PostOutcome>),
}

pub struct PayScreen {
    pub card: CustomerCard,
    pub amount: Input,
    /// The payment methods switched on (the four kinds until the catalogue is read) and the
    /// one chosen.
    pub methods: Vec<PayMethod>,
    pub method: usize,
    /// The cash handed over (cash only; empty: exactly the amount).
    pub received: Input,
    /// A typed receipt number; left empty, the number is the counter's at posting time.
    pub receipt: Input,
    /// The number the counter would give now (shown in the empty receipt field).
    pub next_receipt: Option<String>,
    pub comment: Input,
    pub focus: usize,
    /// (field index, message) shown under the field.
    pub error: Option<(usize, String)>,
    pub stage: PayStage,
    /// Made when the form opens: a second Enter, a repeat or a retry cannot post twice.
    pub key: String,
    pub pending: Option<ReqId>,
}

pub const PAY_FIELDS: usize = 5;

/// The fields, in order.
const AMOUNT: usize = 0;
const METHOD: usize = 1;
const RECEIVED: usize = 2;
const RECEIPT: usize = 3;
const COMMENT: usize = 4;

/// The four kinds, as the form offers them before the catalogue is read.
fn builtin_methods() -> Vec<PayMethod> {
    PaymentMethod::ALL
        .iter()
        .enumerate()
        .map(|(i, k)| PayMethod {
            code: k.as_str().to_string(),
            name: k.as_str().to_string(),
            kind: *k,
            active: true,
            position: i as i64 + 1,
        })
        .collect()
}

/// The payment form's field a refusal is about (the amount when it names none).
fn field_of(e: &ServiceError) -> usize {
    match e {
        ServiceError::Invalid { field, .. } if *field == "receipt" => RECEIPT,
        ServiceError::Invalid { field, .. } if *field == "comment" => COMMENT,
        ServiceError::Invalid { field, .. } if *field == "method" => METHOD,
        ServiceError::Invalid { field, .. } if *field == "received" => RECEIVED,
        ServiceError::ReceiptUsed { .. } => RECEIPT,
        _ => AMOUNT,
    }
}

/// A receipt number the service will take: empty (the next one is used) or a valid number.
fn receipt_ok(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || valid_receipt_number(t)
}

impl PayScreen {
    /// An empty payment form; the idempotency key is made here, once.
    pub fn new(card: CustomerCard) -> PayScreen {
        PayScreen {
            card,
            amount: Input::new(16),
            methods: builtin_methods(),
            method: 0,
            received: Input::new(16),
            receipt: Input::new(32),
            next_receipt: None,
            comment: Input::new(200),
            focus: 0,
            error: None,
            stage: PayStage::Form,
            key: format!("tui-{}", uuid::Uuid::new_v4().simple()),
            pending: None,
        }
    }

    /// The form for the customer on `card`, asking the counter's next number to show it.
    pub fn open(cx: &mut Cx, card: CustomerCard) -> Step {
        let req = cx.req();
        let mut pay = PayScreen::new(card);
        pay.pending = Some(req);
        Step {
            effects: vec![Effect::PeekReceipt { req }],
            ..Step::go(Nav::Push(Box::new(crate::tui::app::Screen::Pay(Box::new(pay)))))
        }
    }

    /// `:pay 500`: the amount typed on the command line, at its confirmation when it is one.
    pub fn prefill(&mut self, cx: &Cx, text: &str) {
        if text.is_empty() {
            return;
        }
        self.amount.set(text);
        match Money::parse_positive(text) {
            Ok(amount) => self.stage = PayStage::Confirm { amount, received: None },
            Err(e) => self.error = Some((AMOUNT, cx.money_error_text(&e))),
        }
    }

    pub fn context(&self) -> Context {
        match self.stage {
            PayStage::Form => Context::PayForm,
            PayStage::Confirm { .. } => Context::PayConfirm,
            PayStage::Posting { .. } => Context::Posting,
            PayStage::Done(_) => Context::PayDone,
        }
    }

    /// Whether a post is in flight (the console waits for it before quitting).
    pub fn posting(&self) -> bool {
        matches!(self.stage, PayStage::Posting { .. })
    }

    fn focused_text(&mut self) -> Option<&mut Input> {
        match self.focus {
            AMOUNT => Some(&mut self.amount),
            RECEIVED => Some(&mut self.received),
            RECEIPT => Some(&mut self.receipt),
            COMMENT => Some(&mut self.comment),
            _ => None,
        }
    }

    /// Pasted text goes to the focused text field of the form.
    pub fn paste(&mut self, text: &str) {
        if self.stage == PayStage::Form
            && let Some(f) = self.focused_text()
        {
            f.insert(text);
        }
    }

    pub fn key(&mut self, cx: &mut Cx, ev: &KeyEvent, action: Option<Action>) -> Step {
        match (&self.stage, action) {
            (PayStage::Form, Some(Action::Back)) => return Step::go(Nav::Pop),
            (PayStage::Form, Some(Action::NextField)) => self.focus = (self.focus + 1) % PAY_FIELDS,
            (PayStage::Form, Some(Action::PrevField)) => {
                self.focus = (self.focus + PAY_FIELDS - 1) % PAY_FIELDS
            }
            (PayStage::Form, Some(Action::NextMethod)) if self.focus == METHOD => {
                self.method = (self.method + 1) % self.methods.len().max(1)
            }
            (PayStage::Form, Some(Action::PrevMethod)) if self.focus == METHOD => {
                let n = self.methods.len().max(1);
                self.method = (self.method + n - 1) % n
            }
            (PayStage::Form, Some(Action::PayDebt | Action::PayMonth)) => {
                let d = cx.s.desk;
                let month = action == Some(Action::PayMonth);
                let debt = self.card.debt();
                let fee = self.card.month_fee();
                let sum = match (month, fee) {
                    (false, _) => Some(debt),
                    (true, Some(fee)) => Some(Money::from_minor(debt.minor() + fee.minor())),
                    (true, None) => None,
                };
                match sum {
                    Some(m) if m.is_positive() => {
                        self.amount.set(&m.format_ru());
                        self.focus = AMOUNT;
                        self.error = None;
                    }
                    Some(_) => self.error = Some((AMOUNT, d.pay_nothing_owed.to_string())),
                    None => self.error = Some((AMOUNT, d.pay_no_tariff.to_string())),
                }
            }
            (PayStage::Form, Some(Action::Clear)) => {
                if let Some(f) = self.focused_text() {
                    f.clear();
                }
                self.error = None;
            }
            (PayStage::Form, Some(Action::Submit)) => match Money::parse_positive(&self.amount.text()) {
                Ok(_) if !receipt_ok(&self.receipt.text()) => {
                    self.error = Some((RECEIPT, cx.s.receipt_invalid.to_string()));
                    self.focus = RECEIPT;
                }
                Ok(amount) => match self.received_of(cx, amount) {
                    Ok(received) => {
                        self.error = None;
                        self.stage = PayStage::Confirm { amount, received };
                    }
                    Err(msg) => {
                        self.error = Some((RECEIVED, msg));
                        self.focus = RECEIVED;
                    }
                },
                Err(e) => {
                    self.error = Some((AMOUNT, cx.money_error_text(&e)));
                    self.focus = AMOUNT;
                }
            },
            (PayStage::Form, _) => {
                if let Some(f) = self.focused_text()
                    && f.handle(ev) == Some(true)
                {
                    self.error = None;
                }
            }
            (PayStage::Confirm { .. }, Some(Action::Back)) => self.stage = PayStage::Form,
            (PayStage::Confirm { amount, received }, Some(Action::Confirm)) => {
                let (amount, received) = (*amount, *received);
                let req = cx.req();
                self.stage = PayStage::Posting { amount, received };
                self.pending = Some(req);
                let request = PaymentRequest {
                    received,
                    customer_id: self.card.customer.id,
                    amount,
                    method: self.kind(),
                    method_code: self.chosen().map(|m| m.code.clone()),
                    receipt_number: Some(self.receipt.text()).filter(|r| !r.trim().is_empty()),
                    comment: Some(self.comment.text()).filter(|c| !c.trim().is_empty()),
                    idempotency_key: Some(self.key.clone()),
                    bank: None,
                };
                return Step::run(Effect::Post { req, request });
            }
            (PayStage::Done(done), Some(Action::PrintReceipt)) => {
                let operation_id = done.operation.id;
                return Step::run(Effect::PrintReceipt { req: cx.req(), operation_id });
            }
            // back on the card, with the new balance
            (PayStage::Done(_), Some(Action::Back)) => return Step::go(Nav::BackToCard),
            _ => {}
        }
        Step::none()
    }

    /// The cash handed over as typed: nothing, or (cash only) at least the amount.
    fn received_of(&self, cx: &Cx, amount: Money) -> Result<Option<Money>, String> {
        let text = self.received.text();
        if text.trim().is_empty() {
            return Ok(None);
        }
        let received = Money::parse_positive(text.trim()).map_err(|e| cx.money_error_text(&e))?;
        crate::domain::ledger::change_for(self.kind(), amount, received)
            .map_err(|p| cx.error_text(&ServiceError::invalid("received", p)))?;
        Ok(Some(received))
    }

    /// The change for what is typed, while both make sense.
    fn change_now(&self) -> Option<Money> {
        let amount = Money::parse_positive(self.amount.text().trim()).ok()?;
        let received = Money::parse_positive(self.received.text().trim()).ok()?;
        crate::domain::ledger::change_for(self.kind(), amount, received).ok()
    }

    /// The method chosen on the form.
    fn chosen(&self) -> Option<&PayMethod> {
        self.methods.get(self.method)
    }

    /// The chosen method's kind (cash when the catalogue has none switched on).
    fn kind(&self) -> PaymentMethod {
        self.chosen().map(|m| m.kind).unwrap_or(PaymentMethod::Cash)
    }

    /// The chosen method as the console names it.
    pub fn method_label(&self, s: &crate::tui::strings::Strings) -> String {
        self.chosen().map(|m| crate::tui::strings::method_label(s, m)).unwrap_or_default()
    }

    /// The counter's next number, or the post's result. A failed post writes nothing: back to
    /// the form with the reason under the field it is about.
    pub fn answer(&mut self, cx: &mut Cx, outcome: Outcome) -> Step {
        match outcome {
            Outcome::Receipt(Ok((next, methods))) => {
                self.next_receipt = Some(next);
                // the chosen one stays chosen when it is still on
                let code = self.chosen().map(|m| m.code.clone());
                if !methods.is_empty() {
                    self.method = methods.iter().position(|m| Some(&m.code) == code.as_ref()).unwrap_or(0);
                    self.methods = methods;
                }
            }
            Outcome::Posted(r) => match *r {
                Ok(done) => self.stage = PayStage::Done(Box::new(done)),
                Err(e) => {
                    let field = field_of(&e);
                    self.stage = PayStage::Form;
                    self.focus = field;
                    self.error = Some((field, cx.error_text(&e)));
                }
            },
            _ => {}
        }
        Step::none()
    }

    /// The form, and the confirmation or the result over it.
    pub fn draw(&self, f: &mut Frame, v: &View, area: Rect) {
        let p = self;
        let s = v.s;
        let t = v.t;
        let cu = &p.card.customer;
        let header = vec![
            Line::from(vec![Span::styled(cu.name.clone(), t.title)]),
            Line::from(vec![
                Span::styled(
                    format!("{} {}   ", s.card_agreement, cu.agreement_number.as_deref().unwrap_or("—")),
                    t.normal,
                ),
                Span::styled(format!("{} ", s.card_balance), t.dim),
                Span::styled(money(cu.balance), balance_style(t, cu.balance)),
            ]),
        ];
        f.render_widget(Paragraph::new(header), Rect { height: 2.min(area.height), ..area });
        let labels = [s.pay_amount, s.pay_method, s.desk.pay_received, s.pay_receipt, s.pay_comment];
        let form_focus = matches!(p.stage, PayStage::Form) && !v.help;
        for (i, label) in labels.iter().enumerate().take(PAY_FIELDS) {
            let row = Rect { y: area.y + 3 + (i as u16) * 2, height: 1, ..area };
            if row.y >= area.y + area.height {
                break;
            }
            match i {
                METHOD => {
                    let name = p.method_label(s);
                    let focused = form_focus && p.focus == METHOD;
                    let line = Line::from(vec![
                        Span::styled(
                            format!("{}{}", if focused { "▸" } else { " " }, fit(label, 14)),
                            if focused { t.accent } else { t.normal },
                        ),
                        Span::raw(" "),
                        Span::styled(format!("◂ {name} ▸"), t.input),
                    ]);
                    f.render_widget(Paragraph::new(line), row);
                }
                _ => {
                    let input = match i {
                        AMOUNT => &p.amount,
                        RECEIVED => &p.received,
                        RECEIPT => &p.receipt,
                        _ => &p.comment,
                    };
                    field(f, t, row, label, input, form_focus && p.focus == i, 14);
                    // an untouched receipt number is the counter's at posting time: show which;
                    // beside the cash handed over, the change
                    let hint = match i {
                        RECEIPT if p.receipt.is_empty() => Some(match &p.next_receipt {
                            Some(n) => format!("{} ({n})", s.pay_receipt_auto),
                            None => s.pay_receipt_auto.to_string(),
                        }),
                        RECEIVED => p.change_now().map(|c| format!("{}: {}", s.desk.pay_change, money(c))),
                        _ => None,
                    };
                    if let Some(hint) = hint {
                        // after what is typed (the receipt's hint shows only while it is empty)
                        let typed = if i == RECEIVED { input.text().chars().count() as u16 + 2 } else { 0 };
                        let x = row.x + 16 + 1 + typed;
                        if x < row.x + row.width {
                            let r = Rect { x, width: row.width - (x - row.x), ..row };
                            f.render_widget(Paragraph::new(Span::styled(hint, t.dim)), r);
                        }
                    }
                }
            }
            if let Some((fi, msg)) = &p.error
                && *fi == i
            {
                let under = Rect { y: row.y + 1, ..row };
                f.render_widget(
                    Paragraph::new(Span::styled(format!("                {msg}"), t.error)),
                    under,
                );
            }
        }
        match &p.stage {
            PayStage::Form => {}
            PayStage::Confirm { amount, received } | PayStage::Posting { amount, received } => {
                let after = Money::from_minor(cu.balance.minor() + amount.minor());
                let mut lines = vec![
                    Line::from(Span::styled(cu.name.clone(), t.title)),
                    Line::from(format!(
                        "{} {}",
                        s.card_agreement,
                        cu.agreement_number.as_deref().unwrap_or("—")
                    )),
                    Line::from(vec![
                        Span::raw(format!("{}: ", s.pay_amount)),
                        Span::styled(format!("{}  ({})", money(*amount), p.method_label(s)), t.ok),
                    ]),
                ];
                if let Some(r) = received {
                    lines.push(Line::from(vec![
                        Span::raw(format!(
                            "{}: {}   {}: ",
                            s.desk.pay_received,
                            money(*r),
                            s.desk.pay_change
                        )),
                        Span::styled(money(Money::from_minor(r.minor() - amount.minor())), t.title),
                    ]));
                }
                lines.extend([Line::from(vec![
                    Span::raw(format!("{}: ", s.card_balance)),
                    Span::styled(money(cu.balance), balance_style(t, cu.balance)),
                    Span::raw(" → "),
                    Span::styled(money(after), balance_style(t, after)),
                ])]);
                // what the money will pay for once this payment is in
                let available = Money::from_minor(p.card.available.minor() + amount.minor());
                if let Some(d) = p.card.paid_until_after(available) {
                    lines.push(Line::from(format!("{}: {}", s.card_paid_until, d.format("%d.%m.%Y"))));
                }
                lines.push(Line::from(""));
                if matches!(p.stage, PayStage::Posting { .. }) {
                    lines.push(Line::from(Span::styled(s.pay_posting, t.dim)));
                } else {
                    lines.push(Line::from(Span::styled(s.pay_confirm_question, t.accent)));
                }
                dialog(f, area, 60, s.pay_confirm_title, lines);
            }
            PayStage::Done(done) => {
                let op = &done.operation;
                let mut lines = vec![
                    Line::from(Span::styled(cu.name.clone(), t.title)),
                    Line::from(vec![
                        Span::raw(format!("{}: ", s.pay_amount)),
                        Span::styled(money(op.amount), t.ok),
                    ]),
                    Line::from(format!(
                        "{} {}",
                        s.pay_done_receipt,
                        op.receipt_number.as_deref().unwrap_or("—")
                    )),
                ];
                if let (Some(r), Some(c)) = (op.received, op.change()) {
                    lines.push(Line::from(vec![
                        Span::raw(format!("{}: {}   {}: ", s.desk.pay_received, money(r), s.desk.pay_change)),
                        Span::styled(money(c), t.title),
                    ]));
                }
                lines.extend([Line::from(vec![
                    Span::raw(format!("{}: ", s.pay_done_balance)),
                    Span::styled(
                        money(op.balance_after),
                        if op.balance_after.is_negative() { t.error } else { t.ok },
                    ),
                ])]);
                if done.replayed {
                    lines.push(Line::from(Span::styled(s.pay_done_replayed, t.warn)));
                }
                match &done.fiscal {
                    Some(crate::service::FiscalResult::Done { number }) => {
                        lines.push(Line::from(format!("{} {number}", s.desk.fiscal_done)));
                    }
                    Some(crate::service::FiscalResult::Failed { error }) => {
                        lines.push(Line::from(Span::styled(s.desk.fiscal_failed, t.error)));
                        lines.push(Line::from(Span::styled(error.clone(), t.error)));
                    }
                    None => {}
                }
                dialog(f, area, 60, s.pay_done_title, lines);
            }
        }
    }
}
