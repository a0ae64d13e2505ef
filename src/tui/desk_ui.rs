//! The cash desk on the console: the shift open at this desk with its payments (Enter opens
//! the customer, `v` cancels one), the X report on request, cash put in and taken out, and
//! the close with a blind count whose Z report the screen then shows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::form::{FormKind, FormScreen, Values, field};
use super::keymap::Action;
use super::records::AfterSave;
use super::screens::list::{ListData, ListKind, ListScreen};
use super::screens::{Cx, Nav, Step, View};
use super::strings::{Strings, kind_name, op_method_label};
use super::widgets::money;
use super::widgets::table::{self, Column, Fit, GridRow};
use crate::domain::dates::local;
use crate::domain::desk::{CashMoveKind, MethodTotal, Shift, ShiftReport};
use crate::domain::ledger::{OperationKind, PaymentMethod};
use crate::domain::money::Money;
use crate::service::{Actor, Problem, Service, ServiceError};

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    local(t).format("%d.%m.%Y %H:%M").to_string()
}

/// «Касса «local» · смена 3 (cashier)», then «открыта 01.12.2026 09:00 · закрыта … · в ящике
/// при открытии 5 000,00»: two lines that fit 80 columns.
fn shift_lines(
    s: &Strings,
    t: &super::theme::Theme,
    title: Option<&str>,
    desk: &str,
    sh: &Shift,
) -> [Line<'static>; 2] {
    let d = s.desk;
    let title = title.map(|t| format!("{t} · ")).unwrap_or_default();
    let mut when_line = format!("{} {}", d.opened, when(sh.opened_at));
    if let Some(at) = sh.closed_at {
        when_line.push_str(&format!(" · {} {}", d.closed, when(at)));
    }
    [
        Line::from(Span::styled(
            format!("{title}{} «{desk}» · {} {} ({})", d.desk, d.shift, sh.id, sh.operator_login),
            t.title,
        )),
        Line::from(format!("{when_line} · {} {}", d.opening_cash, money(sh.opening_cash))),
    ]
}

/// The Z line: counted, expected, the difference and what it is.
fn z_line(s: &Strings, sh: &Shift) -> Option<Line<'static>> {
    let d = s.desk;
    let (counted, expected, diff) = (sh.counted_cash?, sh.expected_cash?, sh.difference()?);
    let what = match diff.minor() {
        0 => d.agrees,
        n if n < 0 => d.short,
        _ => d.over,
    };
    Some(Line::from(format!(
        "{} {} · {} {} · {} {} ({what})",
        d.counted,
        money(counted),
        d.expected,
        money(expected),
        d.difference,
        money(diff)
    )))
}

/// What was done to a payment, in the console's words.
fn event_name(s: &Strings, action: &str) -> String {
    let d = s.desk;
    match action {
        "receipt.print" => d.ev_printed.to_string(),
        "receipt.reprint" => d.ev_reprinted.to_string(),
        "fiscal.done" => d.ev_fiscal_done.to_string(),
        "fiscal.failed" => d.ev_fiscal_failed.to_string(),
        other => other.to_string(),
    }
}

/// A payment whole: whom for, when, who took it where, how, what it left, what undid it.
fn payment_lines(
    s: &Strings,
    t: &super::theme::Theme,
    p: &crate::service::PaymentStory,
) -> Vec<Line<'static>> {
    let d = s.desk;
    let o = &p.operation;
    let when = |at| local(at).format("%d.%m.%Y %H:%M").to_string();
    let who = |o: &crate::domain::ledger::Operation| o.operator_login.clone().unwrap_or_else(|| "—".into());
    let mut out = vec![
        Line::from(Span::styled(
            format!(
                "{} № {} · {} {}",
                d.payment_title,
                o.id,
                d.col_receipt,
                o.receipt_number.as_deref().unwrap_or("—")
            ),
            t.title,
        )),
        Line::from(format!(
            "{} · {} {}",
            p.customer,
            s.card_agreement,
            p.agreement.as_deref().unwrap_or("—")
        )),
        Line::from(format!(
            "{} · {} · {} «{}»{}",
            when(o.created_at),
            who(o),
            d.desk,
            o.desk.as_deref().unwrap_or("—"),
            o.shift_id.map(|id| format!(" · {} {id}", d.shift)).unwrap_or_default()
        )),
    ];
    let mut amount = format!(
        "{} {} · {}",
        d.col_amount,
        money(o.amount),
        op_method_label(s, o).unwrap_or_else(|| "—".into())
    );
    if let (Some(r), Some(c)) = (o.received, o.change()) {
        amount.push_str(&format!(" · {} {} · {} {}", d.pay_received, money(r), d.pay_change, money(c)));
    }
    out.push(Line::from(Span::styled(amount, t.ok)));
    if let Some(b) = &o.bank {
        let day = |x: chrono::NaiveDate| x.format("%d.%m.%Y").to_string();
        let mut parts = Vec::new();
        if let Some(p) = b.paid_on {
            parts.push(format!("{} {}", d.bank_paid_on, day(p)));
        }
        if let Some(n) = &b.document_number {
            parts.push(format!(
                "№ {n}{}",
                b.document_date.map(|x| format!(" {} {}", d.bank_of, day(x))).unwrap_or_default()
            ));
        }
        if let Some(p) = &b.payer {
            parts.push(p.clone());
        }
        out.push(Line::from(parts.join(" · ")));
    }
    if let Some(c) = &o.comment {
        out.push(Line::from(Span::styled(c.clone(), t.dim)));
    }
    for r in &p.refunds {
        out.push(Line::from(Span::styled(
            format!(
                "{} {} · {} № {} · {} · {}: {}",
                d.refund_mark,
                money(r.amount.abs()),
                d.rko,
                r.rko_number.unwrap_or_default(),
                when(r.created_at),
                who(r),
                r.comment.as_deref().unwrap_or("")
            ),
            t.warn,
        )));
    }
    if let Some(r) = &p.reversal {
        out.push(Line::from(Span::styled(
            format!(
                "{} № {} · {} · {}: {}",
                d.cancelled_by,
                r.id,
                when(r.created_at),
                who(r),
                r.comment.as_deref().unwrap_or("")
            ),
            t.error,
        )));
    }
    out
}

/// The method table and the drawer's sum, as lines above a report's rows.
fn report_lines(s: &Strings, t: &super::theme::Theme, r: &ShiftReport, out: &mut Vec<Line<'static>>) {
    let d = s.desk;
    let row = |cells: [String; 6]| {
        format!(
            "{:<10} {:>6} {:>14} {:>6} {:>12} {:>14}",
            cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
        )
    };
    out.push(Line::from(Span::styled(
        row([
            d.col_method.into(),
            d.col_payments.into(),
            d.col_sum.into(),
            d.col_cancelled.into(),
            d.col_cancelled_sum.into(),
            d.col_net.into(),
        ]),
        t.dim,
    )));
    let line = |m: &MethodTotal| {
        row([
            super::strings::entry_label(s, m.method, Some(&m.code), Some(&m.name)),
            m.payments.to_string(),
            money(m.paid),
            m.reversals.to_string(),
            money(m.reversed),
            money(m.net()),
        ])
    };
    if r.by_method.is_empty() {
        out.push(Line::from(Span::styled(d.no_payments, t.dim)));
    }
    for m in &r.by_method {
        out.push(Line::from(line(m)));
    }
    out.push(Line::from(format!("{}: {}", d.taken_total, money(r.total()))));
    let cash: i64 =
        r.by_method.iter().filter(|m| m.method == PaymentMethod::Cash).map(|m| m.net().minor()).sum();
    out.push(Line::from(format!(
        "{} {} + {} {} + {} {} − {} {}",
        d.sum_opening,
        money(r.shift.opening_cash),
        d.sum_cash,
        money(Money::from_minor(cash)),
        d.cash_in.to_lowercase(),
        money(r.cash_in),
        d.cash_out.to_lowercase(),
        money(r.cash_out)
    )));
    out.push(Line::from(Span::styled(format!("{} {}", d.sum_expected, money(r.expected_cash)), t.title)));
}

/// Draws the desk or a shift's report; false when `l` is another list.
pub fn draw_list(f: &mut Frame, v: &View, l: &ListScreen, area: Rect) -> bool {
    if !matches!(
        l.kind,
        ListKind::Desk | ListKind::DeskFind(_) | ListKind::ShiftReport(_) | ListKind::Payment(_)
    ) {
        return false;
    }
    let (s, t) = (v.s, v.t);
    let d = s.desk;
    let Some(data) = &l.data else {
        l.draw_unloaded(f, v, area);
        return true;
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    let (columns, rows): (Vec<Column>, Vec<GridRow>) = match data {
        ListData::Desk(view) => {
            match &view.shift {
                Some(sh) => lines.extend(shift_lines(s, t, None, &view.desk, sh)),
                None => {
                    lines.push(Line::from(Span::styled(
                        format!("{} «{}»: {}", d.desk, view.desk, d.no_shift),
                        t.warn,
                    )));
                    lines.push(Line::from(Span::styled(d.no_shift_hint, t.dim)));
                    if let Some(z) = &view.last_closed {
                        lines.push(Line::from(""));
                        lines.extend(shift_lines(s, t, Some(d.z_title), &view.desk, &z.shift));
                        report_lines(s, t, z, &mut lines);
                        lines.extend(z_line(s, &z.shift));
                    }
                }
            }
            if let Some(e) = &l.error {
                lines.push(Line::from(Span::styled(e.clone(), t.error)));
            }
            if view.shift.is_some() {
                lines.push(Line::from(""));
                lines.push(Line::from(Span::styled(
                    if view.payments.is_empty() { d.no_payments } else { d.payments_title },
                    t.dim,
                )));
            }
            let columns = vec![
                Column::new(d.col_time, Fit::Fixed),
                Column::new(d.col_agreement, Fit::Fixed),
                Column::new(d.col_customer, Fit::Text).min(10),
                Column::new(d.col_amount, Fit::Number),
                Column::new(d.col_method, Fit::Fixed),
                Column::new(d.col_receipt, Fit::Fixed),
            ];
            let rows = view
                .payments
                .iter()
                .map(|p| {
                    let o = &p.operation;
                    let method = op_method_label(s, o).unwrap_or_else(|| "—".into());
                    let mark = match (o.kind, o.reversed_by) {
                        (OperationKind::Reversal, _) if o.refund_of.is_some() => {
                            format!("{method}, {}", d.refund_mark)
                        }
                        (OperationKind::Reversal, _) => format!("{method}, {}", d.cancel_mark),
                        (_, Some(_)) => format!("{method}, {}", d.cancelled_mark),
                        _ if !o.refunded.is_zero() => {
                            format!("{method}, {} {}", d.refunded, money(o.refunded))
                        }
                        _ => method,
                    };
                    let row = GridRow::new(vec![
                        local(o.created_at).format("%H:%M").to_string(),
                        p.agreement.clone().unwrap_or_else(|| "—".into()),
                        p.name.clone(),
                        money(o.amount),
                        mark,
                        match o.rko_number {
                            Some(n) => format!("{} {n}", d.rko),
                            None => o.receipt_number.clone().unwrap_or_default(),
                        },
                    ]);
                    let dim = o.kind == OperationKind::Reversal || o.reversed_by.is_some();
                    row.style(dim.then_some(t.dim))
                })
                .collect();
            (columns, rows)
        }
        ListData::Payment(p) => {
            lines.extend(payment_lines(s, t, p));
            if let Some(e) = &l.error {
                lines.push(Line::from(Span::styled(e.clone(), t.error)));
            }
            lines.push(Line::from(""));
            let columns = vec![
                Column::new(d.col_time, Fit::Fixed),
                Column::new(d.col_who, Fit::Fixed),
                Column::new(d.col_from, Fit::Text),
                Column::new(d.col_what, Fit::Text),
            ];
            let rows = p
                .events
                .iter()
                .map(|e| {
                    GridRow::new(vec![
                        local(e.at).format("%d.%m %H:%M").to_string(),
                        e.operator_login.clone(),
                        e.origin.clone(),
                        event_name(s, &e.action),
                    ])
                })
                .collect();
            (columns, rows)
        }
        ListData::Shift(r) => {
            let title = if r.shift.is_open() { d.x_title } else { d.z_title };
            lines.extend(shift_lines(s, t, Some(title), &r.shift.desk, &r.shift));
            report_lines(s, t, r, &mut lines);
            lines.extend(z_line(s, &r.shift));
            if let Some(e) = &l.error {
                lines.push(Line::from(Span::styled(e.clone(), t.error)));
            }
            lines.push(Line::from(""));
            if r.moves.is_empty() {
                lines.push(Line::from(Span::styled(d.moves_none, t.dim)));
            }
            let columns = vec![
                Column::new(d.col_time, Fit::Fixed),
                Column::new("", Fit::Fixed),
                Column::new(d.col_amount, Fit::Number),
                Column::new(d.col_reason, Fit::Text),
                Column::new(d.col_who, Fit::Fixed),
            ];
            let rows = r
                .moves
                .iter()
                .map(|m| {
                    GridRow::new(vec![
                        local(m.created_at).format("%H:%M").to_string(),
                        if m.kind == CashMoveKind::In { d.cash_in } else { d.cash_out }.to_string(),
                        money(m.amount),
                        m.reason.clone(),
                        m.operator_login.clone(),
                    ])
                })
                .collect();
            (columns, rows)
        }
        _ => return false,
    };
    table::draw_below(f, t, area, lines, &columns, &rows, l.selected);
    true
}

fn money_form(kind: FormKind, name: &'static str, label: fn(&Strings) -> &'static str) -> FormScreen {
    FormScreen::new(kind, vec![field(name, label, 20, "")])
}

/// The desk's keys: open a shift, cash in and out, the X report, the close, cancelling a payment.
pub fn desk_key(cx: &mut Cx, l: &ListScreen, action: Option<Action>) -> Option<Step> {
    if let (Some(ListData::Payment(p)), Some(Action::PrintReceipt)) = (l.data.as_ref(), action) {
        let operation_id = p.operation.id;
        return Some(Step::run(crate::tui::app::Effect::PrintReceipt { req: cx.req(), operation_id }));
    }
    let ListData::Desk(view) = l.data.as_ref()? else { return None };
    let s = cx.s;
    let form = match action? {
        // the payment whole (a cancellation or a refund: the payment it belongs to)
        Action::Open => {
            let o = &view.payments.get(l.selected)?.operation;
            let id = o.refund_of.or(o.reverses_id).unwrap_or(o.id);
            return Some(Step::go(Nav::OpenList(ListKind::Payment(id))));
        }
        Action::OpenShift => money_form(FormKind::ShiftOpen, "cash", |s| s.desk.f_opening),
        Action::CashIn | Action::CashOut => {
            let kind = if action == Some(Action::CashIn) { FormKind::CashIn } else { FormKind::CashOut };
            FormScreen::new(
                kind,
                vec![
                    field("amount", |s| s.desk.f_amount, 20, ""),
                    field("reason", |s| s.desk.f_reason, 200, ""),
                ],
            )
        }
        // blind: the form shows nothing of what the drawer should hold
        Action::CloseShift => {
            let mut f = money_form(FormKind::ShiftClose, "cash", |s| s.desk.f_counted);
            f.fields[0] = field("cash", |s| s.desk.f_counted, 20, "").with_hint(|s| s.desk.hint_blind);
            f
        }
        Action::XReport => return Some(Step::go(Nav::OpenList(ListKind::ShiftReport(None)))),
        // who paid this morning: the shift's payments that match what is typed
        Action::Filter => {
            FormScreen::new(FormKind::DeskFind, vec![field("find", |s| s.desk.f_find, 100, "")])
        }
        Action::PrintReceipt => {
            let operation_id = view.payments.get(l.selected)?.operation.id;
            return Some(Step::run(crate::tui::app::Effect::PrintReceipt { req: cx.req(), operation_id }));
        }
        Action::Refund => {
            let p = view.payments.get(l.selected)?;
            refund_form(s, &p.operation, Some(&p.name))
        }
        Action::Reverse => {
            let p = view.payments.get(l.selected)?;
            let o = &p.operation;
            let mut form = FormScreen::new(
                FormKind::Reverse(o.id),
                vec![field("comment", |s| s.adm.f_comment, 500, "")],
            );
            form.subject =
                Some(format!("№ {} · {} · {} · {}", o.id, kind_name(s, o.kind), money(o.amount), p.name));
            form
        }
        _ => return None,
    };
    Some(Step::go(Nav::OpenForm(Box::new(form))))
}

/// The form of a partial refund of payment `o`: what is left of it to give back, and why.
pub fn refund_form(s: &Strings, o: &crate::domain::ledger::Operation, whom: Option<&str>) -> FormScreen {
    let left = o.refundable();
    let mut form = FormScreen::new(
        FormKind::Refund(o.id),
        vec![
            field("amount", |s| s.desk.f_refund_amount, 20, &left.format_ru()),
            field("reason", |s| s.desk.f_reason, 200, ""),
        ],
    );
    let mut subject = format!("№ {} · {} · {}", o.id, kind_name(s, o.kind), money(o.amount));
    if !o.refunded.is_zero() {
        subject.push_str(&format!(" · {} {}", s.desk.refunded, money(o.refunded)));
    }
    if let Some(w) = whom {
        subject.push_str(&format!(" · {w}"));
    }
    form.subject = Some(subject);
    form
}

fn amount(values: &Values, name: &'static str) -> Result<Money, ServiceError> {
    let typed = values.text(name);
    Money::parse(typed.trim()).map_err(|e| ServiceError::invalid(name, Problem::Money(e)))
}

/// Saves a desk form.
pub async fn save(
    svc: &Service,
    a: &Actor,
    kind: &FormKind,
    values: &Values,
) -> Result<AfterSave, ServiceError> {
    match kind {
        FormKind::ShiftOpen => svc.open_shift(a, amount(values, "cash")?).await.map(drop),
        FormKind::CashIn => svc
            .cash_move(a, CashMoveKind::In, amount(values, "amount")?, &values.text("reason"))
            .await
            .map(drop),
        FormKind::CashOut => svc
            .cash_move(a, CashMoveKind::Out, amount(values, "amount")?, &values.text("reason"))
            .await
            .map(drop),
        FormKind::ShiftClose => svc.close_shift(a, amount(values, "cash")?).await.map(drop),
        FormKind::DeskFind => {
            let text = crate::domain::text::clean(&values.text("find"));
            if text.is_empty() {
                return Err(ServiceError::invalid("find", Problem::Missing));
            }
            return Ok(AfterSave::OpenList(ListKind::DeskFind(text)));
        }
        other => Err(super::records::not_mine(other)),
    }
    .map(|_| AfterSave::Reload)
}
