//! A customer's history of money: operations newest first, a page at a time, with the totals
//! of the whole filtered range; a date range typed as DD.MM.YYYY.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::{Cx, Nav, Step, View};
use crate::domain::dates::{check_period, parse_date};
use crate::service::{HistoryPage, HistoryQuery};
use crate::tui::app::{Effect, Outcome, ReqId, Screen};
use crate::tui::form::{FormKind, FormScreen, field as form_field};
use crate::tui::input::Input;
use crate::tui::keymap::{Action, Context};
use crate::tui::strings::kind_name;
use crate::tui::widgets::table::{self, Column, Fit, GridRow};
use crate::tui::widgets::{balance_style, field, money};

/// History lines per page.
pub const HISTORY_PAGE: i64 = 50;

pub struct HistoryScreen {
    pub customer_id: i64,
    pub title: String,
    pub page: Option<HistoryPage>,
    pub offset: i64,
    pub selected: usize,
    pub from: Input,
    pub to: Input,
    pub filter_open: bool,
    pub filter_focus: usize,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
}

/// Where the last page of `total` operations starts.
fn last_page(total: i64) -> i64 {
    ((total - 1).max(0) / HISTORY_PAGE) * HISTORY_PAGE
}

/// One page of a customer's history from `offset`, between two days.
pub fn history_query(
    customer_id: i64,
    offset: i64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> HistoryQuery {
    HistoryQuery { customer_id, from, to, kinds: Vec::new(), limit: HISTORY_PAGE, offset }
}

impl HistoryScreen {
    /// The first page of a customer's history, not yet loaded.
    pub fn new(customer_id: i64, title: String) -> HistoryScreen {
        HistoryScreen {
            customer_id,
            title,
            page: None,
            offset: 0,
            selected: 0,
            from: Input::new(10),
            to: Input::new(10),
            filter_open: false,
            filter_focus: 0,
            pending: None,
            error: None,
        }
    }

    /// The page shown asked for again (after a change made from it).
    pub fn reload(&mut self, cx: &mut Cx) -> Step {
        let req = cx.req();
        self.pending = Some(req);
        let from = parse_date(&self.from.text()).ok();
        let to = parse_date(&self.to.text()).ok();
        Step::run(Effect::History { req, query: history_query(self.customer_id, self.offset, from, to) })
    }

    /// The history of customer `id`, its first page asked for.
    pub fn open(cx: &mut Cx, id: i64, title: String) -> Step {
        let req = cx.req();
        let mut history = HistoryScreen::new(id, title);
        history.pending = Some(req);
        Step {
            effects: vec![Effect::History { req, query: history_query(id, 0, None, None) }],
            ..Step::go(Nav::Push(Box::new(Screen::History(history))))
        }
    }

    pub fn context(&self) -> Context {
        if self.filter_open { Context::HistoryFilter } else { Context::History }
    }

    pub fn paste(&mut self, text: &str) {
        if self.filter_open {
            let f = if self.filter_focus == 0 { &mut self.from } else { &mut self.to };
            f.insert(text);
        }
    }

    pub fn key(&mut self, cx: &mut Cx, ev: &KeyEvent, action: Option<Action>) -> Step {
        let req = cx.req();
        let not_a_date = cx.s.date_invalid;
        let wrong_order = cx.s.date_order;
        let h = self;
        let rows = h.page.as_ref().map(|p| p.operations.len()).unwrap_or(0);
        let total = h.page.as_ref().map(|p| p.total_count).unwrap_or(0);
        if h.filter_open {
            match action {
                Some(Action::Back) => h.filter_open = false,
                Some(Action::NextField) | Some(Action::PrevField) => h.filter_focus = 1 - h.filter_focus,
                Some(Action::Submit) => {
                    let parse = |i: &Input| -> Result<Option<NaiveDate>, String> {
                        let t = i.text();
                        if t.trim().is_empty() {
                            Ok(None)
                        } else {
                            parse_date(&t).map(Some).map_err(|_| format!("«{}» {not_a_date}", t.trim()))
                        }
                    };
                    match (parse(&h.from), parse(&h.to)) {
                        (Ok(from), Ok(to)) if check_period(from, to).is_err() => {
                            h.error = Some(wrong_order.to_string())
                        }
                        (Ok(from), Ok(to)) => {
                            h.filter_open = false;
                            h.offset = 0;
                            h.selected = 0;
                            h.error = None;
                            h.pending = Some(req);
                            return Step::run(Effect::History {
                                req,
                                query: history_query(h.customer_id, 0, from, to),
                            });
                        }
                        (Err(e), _) | (_, Err(e)) => h.error = Some(e),
                    }
                }
                _ => {
                    let f = if h.filter_focus == 0 { &mut h.from } else { &mut h.to };
                    f.handle(ev);
                }
            }
            return Step::none();
        }
        let reload = |h: &mut HistoryScreen, offset: i64| {
            h.offset = offset;
            h.selected = 0;
            h.pending = Some(req);
            let from = parse_date(&h.from.text()).ok();
            let to = parse_date(&h.to.text()).ok();
            Step::run(Effect::History { req, query: history_query(h.customer_id, offset, from, to) })
        };
        match action {
            Some(Action::Back) => {
                return Step::go(Nav::Pop);
            }
            Some(Action::Up) => h.selected = h.selected.saturating_sub(1),
            Some(Action::Down) => h.selected = (h.selected + 1).min(rows.saturating_sub(1)),
            // on the first or the last page already: the first or the last row
            Some(Action::Home) if h.offset == 0 => h.selected = 0,
            Some(Action::Home) => return reload(h, 0),
            Some(Action::End) if h.offset == last_page(total) => h.selected = rows.saturating_sub(1),
            Some(Action::End) => return reload(h, last_page(total)),
            Some(Action::PageDown) if h.offset + HISTORY_PAGE < total => {
                return reload(h, h.offset + HISTORY_PAGE);
            }
            Some(Action::PageUp) if h.offset > 0 => return reload(h, (h.offset - HISTORY_PAGE).max(0)),
            Some(Action::Refresh) => return reload(h, h.offset),
            Some(Action::Filter) => {
                h.filter_open = true;
                h.filter_focus = 0;
            }
            Some(Action::PrintReceipt) => {
                if let Some(o) = h.page.as_ref().and_then(|p| p.operations.get(h.selected)) {
                    return Step::run(Effect::PrintReceipt { req: cx.req(), operation_id: o.id });
                }
            }
            // giving back part of the chosen payment: how much and why, then asked
            Some(Action::Refund) => {
                if let Some(o) = h.page.as_ref().and_then(|p| p.operations.get(h.selected)) {
                    let form = crate::tui::desk_ui::refund_form(cx.s, o, None);
                    return Step::go(Nav::OpenForm(Box::new(form)));
                }
            }
            // reversing the chosen operation: why, then asked
            Some(Action::Reverse) => {
                if let Some(o) = h.page.as_ref().and_then(|p| p.operations.get(h.selected)) {
                    let mut form = FormScreen::new(
                        FormKind::Reverse(o.id),
                        vec![form_field("comment", |s| s.adm.f_comment, 500, "")],
                    );
                    form.subject =
                        Some(format!("№ {} · {} · {}", o.id, kind_name(cx.s, o.kind), money(o.amount)));
                    return Step::go(Nav::OpenForm(Box::new(form)));
                }
            }
            _ => {}
        }
        Step::none()
    }

    pub fn answer(&mut self, cx: &mut Cx, outcome: Outcome) -> Step {
        match outcome {
            Outcome::History(Ok(page)) => {
                self.page = Some(page);
                self.error = None;
            }
            Outcome::History(Err(e)) => self.error = Some(cx.error_text(&e)),
            _ => {}
        }
        Step::none()
    }

    /// The page, the chosen operation's comment, the promised payments of the range, the totals.
    pub fn draw(&self, f: &mut Frame, v: &View, area: Rect) {
        let h = self;
        let s = v.s;
        let t = v.t;
        let promise_rows = u16::from(h.page.as_ref().is_some_and(|p| !p.promises.is_empty()));
        let [title_row, filter_row, head_row, list, detail_row, promise_row, totals_row] =
            Layout::vertical([
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Min(1),
                Constraint::Length(1),
                Constraint::Length(promise_rows),
                Constraint::Length(1),
            ])
            .areas(area);
        f.render_widget(Paragraph::new(Span::styled(h.title.clone(), t.title)), title_row);
        let half = Rect { width: filter_row.width / 2, ..filter_row };
        field(f, t, half, s.history_from, &h.from, h.filter_open && h.filter_focus == 0 && !v.help, 4);
        field(
            f,
            t,
            Rect { x: filter_row.x + half.width, ..half },
            s.history_to,
            &h.to,
            h.filter_open && h.filter_focus == 1 && !v.help,
            4,
        );
        let columns = [
            Column::new(s.col_date, Fit::Fixed),
            Column::new(s.col_kind, Fit::Text),
            Column::new(s.col_amount, Fit::Number),
            Column::new(s.col_before_after, Fit::Fixed),
            Column::new(s.col_receipt, Fit::Text),
            Column::new(s.col_operator, Fit::Text),
        ];
        let table_area = Rect { height: head_row.height + list.height, ..head_row };
        let Some(page) = &h.page else {
            let msg = h.error.clone().unwrap_or_else(|| s.loading.to_string());
            table::draw(f, t, table_area, &columns, &[], None);
            f.render_widget(Paragraph::new(Span::styled(msg, t.dim)), list);
            return;
        };
        let rows: Vec<GridRow> = page
            .operations
            .iter()
            .map(|o| {
                let sign = if o.amount.is_positive() { "+" } else { "" };
                // a reversed operation is marked: its money came back
                let kind = if o.refund_of.is_some() {
                    s.desk.refund_mark.to_string()
                } else if o.reversed_by.is_some() {
                    format!("{} ↩", kind_name(s, o.kind))
                } else {
                    kind_name(s, o.kind).to_string()
                };
                GridRow::new(vec![
                    crate::domain::dates::local(o.created_at).format("%d.%m.%Y %H:%M").to_string(),
                    kind,
                    format!("{sign}{}", money(o.amount)),
                    format!("{} → {}", money(o.balance_before), money(o.balance_after)),
                    o.receipt_number.clone().unwrap_or_default(),
                    o.operator_login.clone().unwrap_or_else(|| s.system_operator.to_string()),
                ])
                .cell_style(2, balance_style(t, o.amount))
            })
            .collect();
        table::draw(f, t, table_area, &columns, &rows, (!rows.is_empty()).then_some(h.selected));
        if page.operations.is_empty() {
            f.render_widget(Paragraph::new(Span::styled(s.history_empty, t.dim)), list);
        }
        if !page.promises.is_empty() {
            // promised payments are not ledger operations: one line of them under the list
            let items: Vec<String> = page
                .promises
                .iter()
                .map(|p| {
                    let state =
                        if p.ended_at.is_none() { format!(", {}", s.promise_active) } else { String::new() };
                    format!(
                        "{} ({}–{}{state})",
                        money(p.amount),
                        crate::domain::dates::local(p.created_at).format("%d.%m"),
                        crate::domain::dates::local(p.expires_at).format("%d.%m.%Y")
                    )
                })
                .collect();
            let text = format!("  {}: {}", s.promises_label, items.join("; "));
            f.render_widget(Paragraph::new(Span::styled(text, t.warn)), promise_row);
        }
        // the chosen operation whole: its number, how it was paid, what reversed it, why
        if let Some(o) = page.operations.get(h.selected) {
            let mut parts = vec![format!("№ {}", o.id)];
            if let Some(m) = crate::tui::strings::op_method_label(s, o) {
                parts.push(m);
            }
            if let (Some(of), Some(rko)) = (o.refund_of, o.rko_number) {
                parts.push(format!("{} № {of}, {} № {rko}", s.desk.refund_of, s.desk.rko));
            }
            if !o.refunded.is_zero() {
                parts.push(format!("{} {}", s.desk.refunded, money(o.refunded)));
            }
            if let Some(r) = o.reversed_by {
                parts.push(format!("{} № {r}", s.history_reversed_by));
            }
            if let Some(r) = o.reverses_id {
                parts.push(format!("{} № {r}", s.history_reverses));
            }
            // a bank payment as the bank tells it
            if let Some(b) = &o.bank {
                let d = s.desk;
                let day = |x: chrono::NaiveDate| x.format("%d.%m.%Y").to_string();
                if let Some(p) = b.paid_on {
                    parts.push(format!("{} {}", d.bank_paid_on, day(p)));
                }
                if let Some(n) = &b.document_number {
                    let of =
                        b.document_date.map(|x| format!(" {} {}", d.bank_of, day(x))).unwrap_or_default();
                    parts.push(format!("{} № {n}{of}", d.bank_document));
                }
                if let Some(p) = &b.payer {
                    parts.push(p.clone());
                }
            }
            if let Some(c) = &o.comment {
                parts.push(c.clone());
            }
            f.render_widget(
                Paragraph::new(Span::styled(format!("  {}", parts.join(" · ")), t.dim)),
                detail_row,
            );
        }
        if let Some(e) = &h.error {
            f.render_widget(Paragraph::new(Span::styled(e.clone(), t.error)), detail_row);
        }
        let pages = ((page.total_count + HISTORY_PAGE - 1) / HISTORY_PAGE).max(1);
        let totals = format!(
            "{}: +{} / {}    {} {}/{}  ({})",
            s.history_totals,
            money(page.income),
            money(page.outcome),
            s.history_page,
            h.offset / HISTORY_PAGE + 1,
            pages,
            page.total_count
        );
        f.render_widget(Paragraph::new(Span::styled(totals, t.accent)), totals_row);
    }
}
