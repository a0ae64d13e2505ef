//! A customer's card: who they are, where they live, their money and tariff, their network,
//! marks and an active promised payment on the main tab; their extra services and messages on
//! the other two. Every action on a customer starts here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::history::HistoryScreen;
use super::pay::PayScreen;
use super::tariff::TariffScreen;
use super::{Cx, Nav, Step, View};
use crate::domain::phone::Phone;
use crate::domain::text::fit_width as fit;
use crate::service::{CustomerCard, CustomerService, Direction, Message};
use crate::tui::app::{Effect, Outcome, ReqId};
use crate::tui::form::{FormKind, FormScreen, choice, field};
use crate::tui::keymap::{Action, Context};
use crate::tui::net::ListKind;
use crate::tui::net_ui::{head, row, window};
use crate::tui::picker::{PickFor, PickKind};
use crate::tui::records::{CardTab, FormData, TabData, service_form};
use crate::tui::strings::{kind_name, period_name, state_name};
use crate::tui::theme::Theme;
use crate::tui::widgets::{balance_style, money, right};

pub struct CardScreen {
    pub id: i64,
    pub card: Option<CustomerCard>,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
    pub tab: CardTab,
    /// The services tab's rows, once loaded.
    pub services: Option<Vec<CustomerService>>,
    /// The messages tab's rows, once loaded.
    pub messages: Option<Vec<Message>>,
    /// The chosen row of the tab.
    pub row: usize,
    /// The messages tab shows the archived ones too.
    pub archived: bool,
    /// The tab's own request.
    pub tab_pending: Option<ReqId>,
}

/// The card's own actions on the record: edit, marks, merge, delete.
fn record_action(action: Action, card: &CustomerCard) -> Step {
    let id = card.customer.id;
    match action {
        Action::EditCustomer => Step::go(Nav::PrepareForm(FormKind::CustomerEdit(id))),
        Action::Marks => Step::go(Nav::OpenList(ListKind::CustomerMarks(id))),
        Action::Merge => Step::go(Nav::OpenPicker {
            kind: PickKind::Customer,
            purpose: PickFor::Merge(id),
            typed: String::new(),
        }),
        Action::DeleteCustomer => {
            let subject = format!(
                "{} {}",
                card.customer.agreement_number.as_deref().unwrap_or("—"),
                card.customer.name
            );
            Step::go(Nav::OpenForm(Box::new(FormScreen::question(FormKind::CustomerDelete(id), subject))))
        }
        _ => Step::none(),
    }
}

impl CardScreen {
    /// A card about to be loaded, on its main tab.
    pub fn new(id: i64, pending: Option<ReqId>) -> CardScreen {
        CardScreen {
            id,
            card: None,
            pending,
            error: None,
            tab: CardTab::Main,
            services: None,
            messages: None,
            row: 0,
            archived: false,
            tab_pending: None,
        }
    }

    /// How many rows `tab` has, once loaded (none on the main tab).
    pub fn rows(&self, tab: CardTab) -> Option<usize> {
        match tab {
            CardTab::Main => None,
            CardTab::Services => self.services.as_ref().map(Vec::len),
            CardTab::Messages => self.messages.as_ref().map(Vec::len),
        }
    }

    pub fn context(&self) -> Context {
        match self.tab {
            CardTab::Main => Context::Card,
            CardTab::Services => Context::CardServices,
            CardTab::Messages => Context::CardMessages,
        }
    }

    /// The card and its tab asked for again.
    pub fn reload(&mut self, cx: &mut Cx) -> Step {
        let req = cx.req();
        self.pending = Some(req);
        let mut step = Step::run(Effect::Card { req, id: self.id });
        step.effects.extend(self.load_tab(cx));
        step
    }

    /// The current tab's rows asked for (nothing for the main one).
    fn load_tab(&mut self, cx: &mut Cx) -> Vec<Effect> {
        if self.tab == CardTab::Main {
            return Vec::new();
        }
        let req = cx.req();
        self.tab_pending = Some(req);
        vec![Effect::LoadTab { req, customer_id: self.id, tab: self.tab, archived: self.archived }]
    }

    /// Shows the tab `by` steps away (Tab, Shift-Tab) and loads what it shows.
    fn switch_tab(&mut self, cx: &mut Cx, by: isize) -> Step {
        self.tab = self.tab.step(by);
        self.row = 0;
        Step { effects: self.load_tab(cx), ..Step::none() }
    }

    pub fn key(&mut self, cx: &mut Cx, action: Option<Action>) -> Step {
        match self.tab {
            CardTab::Main => self.main_key(cx, action),
            CardTab::Services | CardTab::Messages => self.tab_key(cx, action),
        }
    }

    /// Keys of the services and messages tabs; what they do not take, the card does.
    fn tab_key(&mut self, cx: &mut Cx, action: Option<Action>) -> Step {
        let c = self;
        let rows = c.rows(c.tab).unwrap_or(0);
        let id = c.id;
        let service = c.services.as_ref().and_then(|v| v.get(c.row)).cloned();
        let message = c.messages.as_ref().and_then(|v| v.get(c.row)).cloned();
        let form = |form: FormScreen| Step::go(Nav::OpenForm(Box::new(form)));
        match action {
            Some(Action::Up) => c.row = c.row.saturating_sub(1),
            Some(Action::Down) => c.row = (c.row + 1).min(rows.saturating_sub(1)),
            Some(Action::Home) => c.row = 0,
            Some(Action::End) => c.row = rows.saturating_sub(1),
            Some(Action::ServiceAdd) => return Step::go(Nav::PrepareForm(FormKind::ServiceAdd(id))),
            Some(Action::ServiceEdit) => {
                if let Some(f) = service.and_then(|cs| service_form(cx.s, FormData::ServiceEdit(cs))) {
                    return form(f);
                }
            }
            Some(Action::ServiceToggle) => {
                if let Some(cs) = service {
                    let req = cx.req();
                    c.tab_pending = Some(req);
                    return Step::run(Effect::ToggleService { req, id: cs.id, enabled: !cs.enabled });
                }
            }
            Some(Action::ServiceRemove) => {
                if let Some(cs) = service {
                    let subject = format!("{} — {}", cs.service_name, cs.price.format_ru());
                    return form(FormScreen::question(FormKind::ServiceRemove(cs.id), subject));
                }
            }
            Some(Action::MessageFrom | Action::MessageTo) => {
                let dir = if action == Some(Action::MessageFrom) {
                    Direction::Customer
                } else {
                    Direction::Operator
                };
                return form(FormScreen::new(
                    FormKind::Message(id, dir),
                    vec![field("text", |s| s.adm.f_text, 4000, "")],
                ));
            }
            Some(Action::MessageArchive) => {
                if let Some(m) = message {
                    let req = cx.req();
                    c.tab_pending = Some(req);
                    return Step::run(Effect::ArchiveMessage { req, id: m.id, archived: !m.archived });
                }
            }
            Some(Action::ShowArchived) => {
                c.archived = !c.archived;
                return Step { effects: c.load_tab(cx), ..Step::none() };
            }
            _ => return c.main_key(cx, action),
        }
        Step::none()
    }

    /// The card's keys on its main tab, and those of a tab that the tab does not take.
    fn main_key(&mut self, cx: &mut Cx, action: Option<Action>) -> Step {
        let s = cx.s;
        let c = self;
        match action {
            Some(Action::NextTab) => return c.switch_tab(cx, 1),
            Some(Action::PrevTab) => return c.switch_tab(cx, -1),
            Some(a @ (Action::EditCustomer | Action::Marks | Action::Merge | Action::DeleteCustomer)) => {
                if let Some(card) = c.card.clone() {
                    return record_action(a, &card);
                }
            }
            Some(Action::Back) => {
                return Step::go(Nav::Pop);
            }
            Some(Action::Refresh) => return c.reload(cx),
            Some(Action::Pay) => {
                if let Some(card) = c.card.clone() {
                    return PayScreen::open(cx, card);
                }
            }
            Some(Action::History) => {
                let (id, title) =
                    (c.id, c.card.as_ref().map(|k| k.customer.name.clone()).unwrap_or_default());
                return HistoryScreen::open(cx, id, title);
            }
            Some(Action::Tariff) => {
                if let Some(card) = c.card.clone() {
                    return TariffScreen::open(cx, card, crate::domain::dates::today());
                }
            }
            Some(Action::Desk) => return Step::go(Nav::OpenList(super::list::ListKind::Desk)),
            Some(Action::Network) => {
                if let Some(card) = &c.card {
                    let title = format!(
                        "{}  {}",
                        card.customer.name,
                        card.customer.agreement_number.as_deref().unwrap_or("")
                    );
                    let id = c.id;
                    return Step::go(Nav::OpenNetwork { customer_id: id, title });
                }
            }
            // the form says whose it is, their balance and the rules it must keep
            Some(Action::Promise) => return Step::go(Nav::PrepareForm(FormKind::Promise(c.id))),
            Some(a @ (Action::Charge | Action::Correct)) => {
                if let Some(card) = &c.card {
                    let kind =
                        if a == Action::Charge { FormKind::Charge(c.id) } else { FormKind::Correction(c.id) };
                    let mut form = FormScreen::new(
                        kind,
                        vec![
                            field("amount", |s| s.net.f_amount, 16, ""),
                            field("comment", |s| s.adm.f_comment, 500, ""),
                        ],
                    );
                    let cu = &card.customer;
                    form.subject = Some(format!(
                        "{} {} · {} {}",
                        cu.agreement_number.as_deref().unwrap_or("—"),
                        cu.name,
                        s.card_balance,
                        cu.balance.format_ru()
                    ));
                    form.balance = Some(cu.balance);
                    return Step::go(Nav::OpenForm(Box::new(form)));
                }
            }
            Some(Action::CreditLimit) => {
                if let Some(card) = &c.card {
                    let id = c.id;
                    let now = card.customer.credit_limit.format_ru();
                    let form = FormScreen::new(
                        FormKind::CreditLimit(id),
                        vec![field("amount", |s| s.net.f_amount, 16, &now)],
                    );
                    return Step::go(Nav::OpenForm(Box::new(form)));
                }
            }
            Some(Action::State) => {
                if let Some(card) = &c.card {
                    use crate::domain::customer::CustomerState;
                    let id = c.id;
                    let options = [
                        (CustomerState::Active, s.state_active),
                        (CustomerState::Pause, s.state_pause),
                        (CustomerState::Stop, s.state_stop),
                    ]
                    .iter()
                    .map(|(st, name)| (st.as_str().to_string(), name.to_string()))
                    .collect();
                    let form = FormScreen::new(
                        FormKind::State(id),
                        vec![choice("state", |s| s.net.f_state, options, card.customer.state.as_str())],
                    );
                    return Step::go(Nav::OpenForm(Box::new(form)));
                }
            }
            Some(Action::Former) => {
                if let Some(card) = &c.card {
                    let subject = format!(
                        "{} {}",
                        card.customer.agreement_number.as_deref().unwrap_or("—"),
                        card.customer.name
                    );
                    let form =
                        FormScreen::question(FormKind::Former(c.id, !card.customer.is_former), subject);
                    return Step::go(Nav::OpenForm(Box::new(form)));
                }
            }
            _ => {}
        }
        Step::none()
    }

    /// The card itself, or its tab's rows (after a change made from the tab: the rows again).
    pub fn answer(&mut self, cx: &mut Cx, outcome: Outcome) -> Step {
        match outcome {
            Outcome::Card(r) => match *r {
                Ok(card) => {
                    self.card = Some(card);
                    self.error = None;
                }
                Err(e) => self.error = Some(cx.error_text(&e)),
            },
            Outcome::Tab(r) => match *r {
                Ok(Some(TabData::Services(v))) => {
                    self.row = self.row.min(v.len().saturating_sub(1));
                    self.services = Some(v);
                    self.error = None;
                }
                Ok(Some(TabData::Messages(v))) => {
                    self.row = self.row.min(v.len().saturating_sub(1));
                    self.messages = Some(v);
                    self.error = None;
                }
                Ok(None) => return Step { effects: self.load_tab(cx), ..Step::none() },
                Err(e) => self.error = Some(cx.error_text(&e)),
            },
            _ => {}
        }
        Step::none()
    }

    /// The card: its tab bar, and the main tab (contacts, address, money, tariff, network,
    /// marks, an active promised payment) or the chosen tab.
    pub fn draw(&self, f: &mut Frame, v: &View, area: Rect) {
        let c = self;
        let s = v.s;
        let t = v.t;
        let Some(card) = &c.card else {
            let msg = c.error.clone().unwrap_or_else(|| s.loading.to_string());
            f.render_widget(
                Paragraph::new(Span::styled(msg, if c.error.is_some() { t.error } else { t.dim })),
                area,
            );
            return;
        };
        let [tabs, area] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        c.draw_tab_bar(v, f, tabs);
        if c.tab != CardTab::Main {
            c.draw_tab(v, f, card, area);
            return;
        }
        let cu = &card.customer;
        let mut lines = Vec::new();
        let mut flags = Vec::new();
        if cu.is_former {
            flags.push(s.former);
        }
        if cu.is_potential {
            flags.push(s.potential);
        }
        lines.push(Line::from(vec![
            Span::styled(cu.name.clone(), t.title),
            Span::styled(format!("  #{}  {}", cu.id, flags.join(" ")), t.dim),
        ]));
        lines.push(kv(
            t,
            s.card_agreement,
            format!(
                "{}    {}: {}",
                cu.agreement_number.as_deref().unwrap_or("—"),
                s.card_account,
                cu.account_number.as_deref().unwrap_or("—")
            ),
            t.normal,
        ));
        let address = card.house.as_ref().map(|h| {
            let mut parts = vec![format!("{}, {}", h.city, h.short_address())];
            for (word, value) in
                [(s.addr_entrance, &cu.entrance), (s.addr_floor, &cu.floor), (s.addr_flat, &cu.apartment)]
            {
                if let Some(v) = value {
                    parts.push(format!("{word} {v}"));
                }
            }
            parts.join(", ")
        });
        lines.push(kv(t, s.card_address, address.unwrap_or_else(|| "—".into()), t.normal));
        let phones: Vec<String> =
            cu.phones.iter().flatten().map(|p| Phone::from_stored(p.clone()).to_string()).collect();
        lines.push(kv(
            t,
            s.card_phones,
            if phones.is_empty() { "—".into() } else { phones.join(", ") },
            t.normal,
        ));
        // e-mail and personal-area login, group and manager, the comment: each line only when known
        let contact: Vec<String> =
            [cu.email.clone(), cu.login.as_ref().map(|l| format!("{} {l}", s.adm.f_login))]
                .into_iter()
                .flatten()
                .collect();
        if !contact.is_empty() {
            lines.push(kv(t, s.adm.f_email, contact.join(" · "), t.normal));
        }
        let group: Vec<String> = [
            card.group.clone(),
            card.manager.as_ref().map(|m| format!("{} {m}", s.adm.f_manager.to_lowercase())),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !group.is_empty() {
            lines.push(kv(t, s.adm.f_group, group.join(" · "), t.normal));
        }
        if let Some(c) = &cu.comment {
            lines.push(kv(t, s.adm.f_comment, c.lines().next().unwrap_or("").to_string(), t.dim));
        }
        if cu.is_former {
            // a former customer is that, not "active"; what they still hold is said
            lines.push(kv(t, s.card_state, s.former.to_string(), t.warn));
            let net = &card.network;
            if !net.records.is_empty() || net.binding.is_some() {
                lines.push(Line::from(Span::styled(format!("  {}", s.former_holds), t.warn)));
            }
        } else {
            lines.push(kv(t, s.card_state, state_name(s, cu.state).to_string(), t.normal));
        }
        let tariff = card
            .tariff
            .as_ref()
            .map(|tr| format!("{} — {} {}", tr.name, money(tr.price), period_name(s, tr.period)))
            .unwrap_or_else(|| "—".into());
        lines.push(kv(t, s.card_tariff, tariff, t.normal));
        if let Some(ch) = &card.scheduled_change {
            lines.push(kv(
                t,
                "",
                format!("{} {} → {}", s.card_scheduled, ch.effective_on.format("%d.%m.%Y"), ch.tariff_name),
                t.warn,
            ));
        }
        let debt = if cu.balance.is_negative() { format!("  ({})", s.debt) } else { String::new() };
        lines.push(Line::from(vec![
            Span::styled(fit(s.card_balance, 14), t.dim),
            Span::styled(
                format!("{}{debt}", money(cu.balance)),
                if cu.balance.is_negative() { t.error } else { t.ok },
            ),
            Span::styled(
                format!(
                    "    {}: {}    {}: {}",
                    s.card_credit,
                    money(cu.credit_limit),
                    s.card_available,
                    money(card.available)
                ),
                t.normal,
            ),
        ]));
        if let Some(d) = card.paid_until {
            lines.push(kv(t, s.card_paid_until, d.format("%d.%m.%Y").to_string(), t.normal));
        }
        // why the network is closed to them: since when, and the sum that is below zero,
        // made of what
        if let Some(b) = &card.debt_block {
            let promise = card
                .promise
                .as_ref()
                .map(|p| format!(" + {} {}", s.promise_word, money(p.amount)))
                .unwrap_or_default();
            let since = format!(
                "{} {}",
                s.blocked_for_debt,
                crate::domain::dates::local(b.blocked_at).format("%d.%m.%Y %H:%M")
            );
            lines.push(kv(t, s.card_blocked, since, t.error));
            let sum = format!(
                "{} {} + {} {}{promise} = {} < 0",
                s.card_balance.to_lowercase(),
                money(cu.balance),
                s.card_credit.to_lowercase(),
                money(cu.credit_limit),
                money(card.available)
            );
            lines.push(kv(t, "", sum, t.error));
        }
        if !card.discounts.is_empty() {
            let text = card
                .discounts
                .iter()
                .map(|d| {
                    let mut x = format!(
                        "{} {}",
                        d.percent.format_ru(),
                        crate::tui::records_ui::applies_text(s, d.applies)
                    );
                    if let Some(to) = d.to {
                        x.push_str(&format!(" {} {}", s.promise_until, to.format("%d.%m.%Y")));
                    }
                    x
                })
                .collect::<Vec<_>>()
                .join("; ");
            lines.push(kv(t, s.card_discounts, text, t.ok));
        }
        if let Some(p) = &card.promise {
            let text = format!(
                "{} {} {}",
                money(p.amount),
                s.promise_until,
                crate::domain::dates::local(p.expires_at).format("%d.%m.%Y %H:%M")
            );
            lines.push(kv(t, s.promise_label, text, t.warn));
        }
        if !card.marks.is_empty() {
            lines.push(kv(t, s.card_marks, card.marks.join(", "), t.warn));
        }
        if v.actor.is_none_or(|a| a.can(crate::domain::role::Permission::NetworkRead)) {
            lines.extend(crate::tui::net_ui::card_lines(v, card));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(s.card_last_ops, t.accent)));
        if card.last_operations.is_empty() {
            lines.push(Line::from(Span::styled(s.card_no_ops, t.dim)));
        }
        for o in &card.last_operations {
            lines.push(Line::from(vec![
                Span::raw(format!(
                    "{}  ",
                    crate::domain::dates::local(o.created_at).format("%d.%m.%Y %H:%M")
                )),
                Span::raw(fit(kind_name(s, o.kind), 10)),
                Span::styled(right(&money(o.amount), 12), balance_style(t, o.amount)),
                Span::raw(format!("  → {}", right(&money(o.balance_after), 11))),
                Span::styled(format!("  {}", o.receipt_number.as_deref().unwrap_or("")), t.dim),
            ]));
        }
        if let Some(e) = &c.error {
            lines.push(Line::from(Span::styled(e.clone(), t.error)));
        }
        f.render_widget(Paragraph::new(lines), area);
    }

    fn draw_tab_bar(&self, v: &View, f: &mut Frame, area: Rect) {
        let c = self;
        let s = v.s;
        let t = v.t;
        let mut spans = Vec::new();
        for (i, tab) in CardTab::ALL.iter().enumerate() {
            let mut name = s.adm.tabs[i].to_string();
            if let Some(n) = c.rows(*tab) {
                name.push_str(&format!(" ({n})"));
            }
            if *tab == c.tab {
                spans.push(Span::styled(format!("[{name}]"), t.selected));
            } else {
                spans.push(Span::styled(format!(" {name} "), t.dim));
            }
            spans.push(Span::raw(" "));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), area);
    }
    fn draw_tab(&self, v: &View, f: &mut Frame, card: &CustomerCard, area: Rect) {
        let c = self;
        let s = v.s;
        let a = s.adm;
        let t = v.t;
        let cu = &card.customer;
        let mut lines = vec![Line::from(vec![
            Span::styled(cu.name.clone(), t.title),
            Span::styled(
                format!("  {} {}", s.card_agreement, cu.agreement_number.as_deref().unwrap_or("—")),
                t.dim,
            ),
        ])];
        let loading = |lines: &mut Vec<Line<'static>>| {
            let (text, style) = match &c.error {
                Some(e) => (e.clone(), t.error),
                None => (s.loading.to_string(), t.dim),
            };
            lines.push(Line::from(Span::styled(text, style)));
        };
        match c.tab {
            CardTab::Main => {}
            CardTab::Services => match &c.services {
                None => loading(&mut lines),
                Some(v) => {
                    lines.push(head(
                        t,
                        vec![
                            fit(a.col_service, 24),
                            right(s.col_price, 10),
                            fit(s.col_period, 9),
                            right(a.col_qty, 4),
                            fit(a.col_next, 11),
                            fit(a.col_comment, 14),
                        ],
                    ));
                    if v.is_empty() {
                        lines.push(Line::from(Span::styled(format!("  {}", a.no_services), t.dim)));
                    }
                    let height = (area.height as usize).saturating_sub(lines.len() + 1);
                    let first = window(c.row, height);
                    for (i, x) in v.iter().enumerate().skip(first).take(height) {
                        let mut name = x.service_name.clone();
                        if !x.enabled {
                            name = format!("{name} ({})", a.service_off);
                        }
                        let price = match x.own_price {
                            Some(_) => format!("*{}", x.price.format_ru()),
                            None => x.price.format_ru(),
                        };
                        let mut line = row(
                            t,
                            i == c.row,
                            vec![
                                fit(&name, 24),
                                right(&price, 10),
                                fit(period_name(s, x.period), 9),
                                right(&x.quantity.to_string(), 4),
                                fit(
                                    &x.next_charge_on
                                        .map(|d| d.format("%d.%m.%Y").to_string())
                                        .unwrap_or_default(),
                                    11,
                                ),
                                fit(x.comment.as_deref().unwrap_or(""), 14),
                            ],
                        );
                        if !x.enabled && i != c.row {
                            line = line.style(t.dim);
                        }
                        lines.push(line);
                    }
                }
            },
            CardTab::Messages => match &c.messages {
                None => loading(&mut lines),
                Some(v) => {
                    if c.archived {
                        lines.push(Line::from(Span::styled(format!("[{}]", a.with_archive), t.warn)));
                    }
                    if v.is_empty() {
                        lines.push(Line::from(Span::styled(format!("  {}", a.no_messages), t.dim)));
                    }
                    // the chosen message in full below the list
                    let chosen = v.get(c.row);
                    let full = chosen.map(|m| m.body.clone()).unwrap_or_default();
                    let full_rows = if full.is_empty() { 0 } else { 4 };
                    let height = (area.height as usize).saturating_sub(lines.len() + full_rows + 1);
                    let first = window(c.row, height);
                    for (i, m) in v.iter().enumerate().skip(first).take(height) {
                        let dir = match m.direction {
                            Direction::Customer => a.dir_customer,
                            Direction::Operator => a.dir_operator,
                        };
                        let mut who =
                            format!("{dir} · {}", m.operator_login.as_deref().unwrap_or(s.system_operator));
                        if m.archived {
                            who.push_str(&format!(" · {}", a.archived_tag));
                        }
                        let first_line = m.body.lines().next().unwrap_or("").to_string();
                        let mut line = row(
                            t,
                            i == c.row,
                            vec![
                                fit(
                                    &crate::domain::dates::local(m.created_at)
                                        .format("%d.%m.%y %H:%M")
                                        .to_string(),
                                    14,
                                ),
                                fit(&who, 30),
                                fit(&first_line, 30),
                            ],
                        );
                        if m.archived && i != c.row {
                            line = line.style(t.dim);
                        }
                        lines.push(line);
                    }
                    f.render_widget(Paragraph::new(lines), area);
                    if full_rows > 0 {
                        let r = Rect {
                            y: area.y + area.height.saturating_sub(full_rows as u16),
                            height: full_rows as u16,
                            ..area
                        };
                        f.render_widget(
                            Paragraph::new(Span::styled(full, t.normal))
                                .wrap(ratatui::widgets::Wrap { trim: true }),
                            r,
                        );
                    }
                    return;
                }
            },
        }
        f.render_widget(Paragraph::new(lines), area);
    }
}

fn kv(t: &Theme, label: &str, value: String, style: Style) -> Line<'static> {
    Line::from(vec![Span::styled(fit(label, 14), t.dim), Span::styled(value, style)])
}
