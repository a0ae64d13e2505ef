//! The list screens: houses, a house (its switches, then its customers by flat), switches, a
//! switch's ports; administration's sections and lists; a customer's marks.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Cx, Nav, Step, View};
use crate::service::{
    CustomerSummary, Discount, ExtraService, Group, HouseLine, Mark, Operator, PortMap, SwitchLine, Tariff,
    TaxRule,
};
use crate::tui::admin::{
    AdminItem, billing_day_form, catalogue_form, group_form, is_locked, mark_form, operator_form,
    tariff_form, tax_form,
};
use crate::tui::app::{Effect, Outcome, ReqId};
use crate::tui::form::{FormKind, FormScreen, secret};
use crate::tui::keymap::{Action, Context};
use crate::tui::strings::Strings;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::{self, Column, Fit, GridRow};

/// Which list a list screen shows. A house or a switch is named as typed (`#12`, `Ленина 5`,
/// `sw-lenina-5`): the service finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    Houses,
    House(String),
    Switches,
    Ports(String),
    /// The marks a customer carries, among all.
    CustomerMarks(i64),
    /// Administration's sections.
    Admin,
    Operators,
    Tariffs,
    /// The extra services' catalogue.
    Catalogue,
    MarkCatalogue,
    /// The payment methods' catalogue.
    Methods,
    Groups,
    Discounts,
    /// Tax rules and the billing day.
    Taxes,
    /// The newest rows of the audit log.
    Audit,
    /// The cash desk: the shift open at this desk and its payments.
    Desk,
    /// A shift's report: the open one's X report (`None`), or shift `id`'s.
    ShiftReport(Option<i64>),
    /// The open shift's payments that match what was typed (agreement, name, amount, receipt).
    DeskFind(String),
    /// One payment whole, with its story.
    Payment(i64),
    /// The bank lines not yet posted or skipped.
    ImportQueue,
    /// One bank line whole.
    ImportLine(i64),
    /// Every operator's tokens for scripts.
    Tokens,
    /// The SSH keys of the operator with this login.
    OperatorKeys(String),
}

/// What a list screen has loaded.
#[derive(Debug, Clone)]
pub enum ListData {
    Houses(Vec<HouseLine>),
    House {
        house: HouseLine,
        switches: Vec<SwitchLine>,
        customers: Vec<CustomerSummary>,
    },
    Switches(Vec<SwitchLine>),
    Ports(PortMap),
    CustomerMarks {
        all: Vec<Mark>,
        on: Vec<i64>,
    },
    Admin(Vec<AdminItem>),
    Operators(Vec<Operator>),
    Tariffs(Vec<Tariff>),
    Catalogue(Vec<ExtraService>),
    Marks(Vec<Mark>),
    Methods(Vec<crate::domain::ledger::PayMethod>),
    Groups(Vec<Group>),
    Audit(Vec<crate::domain::audit::AuditEntry>),
    /// The discounts, and the groups' names.
    Discounts(Vec<Discount>, Vec<(i64, String)>),
    Taxes {
        rules: Vec<TaxRule>,
        billing_day: u32,
    },
    Desk(Box<crate::service::DeskView>),
    Shift(Box<crate::service::ShiftReport>),
    Payment(Box<crate::service::PaymentStory>),
    Import(Vec<crate::domain::import::BankLine>),
    ImportLine(Box<crate::domain::import::BankLine>),
    Tokens(Vec<crate::service::ApiToken>),
    /// An operator's login and keys.
    OperatorKeys(String, Vec<crate::service::OperatorKey>),
}

/// What Enter on a row opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Card(i64),
    House(i64),
    Ports(i64),
    Nothing,
}

impl ListData {
    pub fn rows(&self) -> usize {
        match self {
            ListData::Houses(h) => h.len(),
            ListData::House { switches, customers, .. } => switches.len() + customers.len(),
            ListData::Switches(s) => s.len(),
            ListData::Ports(m) => m.switch.switch.ports.max(0) as usize,
            ListData::CustomerMarks { all, .. } => all.len(),
            ListData::Admin(v) => v.len(),
            ListData::Operators(v) => v.len(),
            ListData::Tariffs(v) => v.len(),
            ListData::Catalogue(v) => v.len(),
            ListData::Marks(v) => v.len(),
            ListData::Methods(v) => v.len(),
            ListData::Groups(v) => v.len(),
            ListData::Audit(v) => v.len(),
            ListData::Discounts(v, _) => v.len(),
            // the billing day, then the rules
            ListData::Taxes { rules, .. } => rules.len() + 1,
            ListData::Desk(d) => d.payments.len(),
            ListData::Shift(r) => r.moves.len(),
            ListData::Payment(p) => p.events.len(),
            ListData::Import(v) => v.len(),
            ListData::ImportLine(_) => 1,
            ListData::Tokens(v) => v.len(),
            ListData::OperatorKeys(_, v) => v.len(),
        }
    }

    pub fn target(&self, row: usize) -> Target {
        match self {
            ListData::Houses(h) => h.get(row).map(|h| Target::House(h.house.id)).unwrap_or(Target::Nothing),
            ListData::House { switches, customers, .. } => match switches.get(row) {
                Some(s) => Target::Ports(s.switch.id),
                None => {
                    customers.get(row - switches.len()).map(|c| Target::Card(c.id)).unwrap_or(Target::Nothing)
                }
            },
            ListData::Switches(s) => {
                s.get(row).map(|s| Target::Ports(s.switch.id)).unwrap_or(Target::Nothing)
            }
            ListData::Ports(m) => {
                let port = row as i64 + 1;
                m.users
                    .iter()
                    .find(|u| u.port == port)
                    .map(|u| Target::Card(u.customer_id))
                    .unwrap_or(Target::Nothing)
            }
            ListData::Payment(p) => Target::Card(p.operation.customer_id),
            ListData::Import(v) => {
                v.get(row).and_then(|l| l.customer_id).map(Target::Card).unwrap_or(Target::Nothing)
            }
            ListData::ImportLine(l) => l.customer_id.map(Target::Card).unwrap_or(Target::Nothing),
            ListData::Desk(d) => {
                d.payments.get(row).map(|p| Target::Card(p.operation.customer_id)).unwrap_or(Target::Nothing)
            }
            // administration's and the marks' Enter is theirs
            _ => Target::Nothing,
        }
    }
}

pub struct ListScreen {
    pub kind: ListKind,
    pub data: Option<ListData>,
    pub selected: usize,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
}

impl ListScreen {
    /// The list `kind`, about to be loaded with request `req`.
    pub fn new(kind: ListKind, req: ReqId) -> ListScreen {
        ListScreen { kind, data: None, selected: 0, pending: Some(req), error: None }
    }

    pub fn context(&self) -> Context {
        match self.kind {
            ListKind::Houses => Context::Houses,
            ListKind::House(_) => Context::HouseView,
            ListKind::Switches => Context::Switches,
            ListKind::Ports(_) => Context::Ports,
            ListKind::CustomerMarks(_) => Context::CustomerMarks,
            ListKind::Admin => Context::AdminMenu,
            ListKind::Operators => Context::Operators,
            ListKind::Tariffs | ListKind::Catalogue | ListKind::Methods => Context::AdminList,
            ListKind::MarkCatalogue | ListKind::Groups | ListKind::Taxes => Context::AdminCatalogue,
            ListKind::Discounts => Context::Discounts,
            // read only: moving through it, back
            ListKind::Audit => Context::AdminMenu,
            ListKind::DeskFind(_) => Context::Desk,
            ListKind::Payment(_) => Context::Payment,
            ListKind::ImportQueue | ListKind::ImportLine(_) => Context::ImportQueue,
            ListKind::Desk => match &self.data {
                Some(ListData::Desk(v)) if v.shift.is_none() => Context::DeskClosed,
                _ => Context::Desk,
            },
            ListKind::ShiftReport(_) => Context::ShiftReport,
            ListKind::Tokens => Context::Tokens,
            ListKind::OperatorKeys(_) => Context::OperatorKeys,
        }
    }

    /// The list asked for again.
    pub fn reload(&mut self, cx: &mut Cx) -> Step {
        let req = cx.req();
        self.pending = Some(req);
        Step::run(Effect::LoadList { req, kind: self.kind.clone() })
    }

    pub fn key(&mut self, cx: &mut Cx, action: Option<Action>) -> Step {
        if let Some(step) = self.marks_key(cx, action).or_else(|| admin_key(cx.s, self, action)) {
            return step;
        }
        if let Some(step) = crate::tui::desk_ui::desk_key(cx, self, action) {
            return step;
        }
        if let Some(step) = crate::tui::import_ui::import_key(cx, self, action) {
            return step;
        }
        let s = cx.s;
        let l = self;
        let n = l.data.as_ref().map(ListData::rows).unwrap_or(0);
        let last = n.saturating_sub(1);
        match action {
            Some(Action::Back) => return Step::go(Nav::Pop),
            Some(Action::Up) => l.selected = l.selected.saturating_sub(1),
            Some(Action::Down) => l.selected = (l.selected + 1).min(last),
            Some(Action::PageUp) => l.selected = l.selected.saturating_sub(10),
            Some(Action::PageDown) => l.selected = (l.selected + 10).min(last),
            Some(Action::Home) => l.selected = 0,
            Some(Action::End) => l.selected = last,
            Some(Action::Refresh) => return l.reload(cx),
            Some(Action::Open) => {
                let target = l.data.as_ref().map(|d| d.target(l.selected)).unwrap_or(Target::Nothing);
                return match target {
                    Target::Card(id) => Step::go(Nav::OpenCard(id)),
                    Target::House(id) => Step::go(Nav::OpenList(ListKind::House(format!("#{id}")))),
                    Target::Ports(id) => Step::go(Nav::OpenList(ListKind::Ports(format!("#{id}")))),
                    Target::Nothing => Step::none(),
                };
            }
            Some(Action::AddHouse) => {
                return Step::go(Nav::OpenForm(Box::new(FormScreen::house(FormKind::HouseAdd, None))));
            }
            Some(Action::EditHouse) => {
                if let Some(ListData::Houses(h)) = &l.data
                    && let Some(line) = h.get(l.selected)
                {
                    let form = FormScreen::house(FormKind::HouseEdit(line.house.id), Some(line));
                    return Step::go(Nav::OpenForm(Box::new(form)));
                }
            }
            Some(Action::AddSwitch) => {
                let house = match &l.data {
                    Some(ListData::House { house, .. }) => Some(house),
                    _ => None,
                };
                let form = FormScreen::switch(s, FormKind::SwitchAdd, None, house);
                return Step::go(Nav::OpenForm(Box::new(form)));
            }
            Some(Action::EditSwitch) => {
                let line = match &l.data {
                    Some(ListData::Switches(s)) => s.get(l.selected).cloned(),
                    Some(ListData::Ports(m)) => Some(m.switch.clone()),
                    _ => None,
                };
                if let Some(line) = line {
                    let form = FormScreen::switch(s, FormKind::SwitchEdit(line.switch.id), Some(&line), None);
                    return Step::go(Nav::OpenForm(Box::new(form)));
                }
            }
            _ => {}
        }
        Step::none()
    }

    /// Keys of a customer's marks: Space or Enter sets or takes off the chosen one.
    fn marks_key(&mut self, cx: &mut Cx, action: Option<Action>) -> Option<Step> {
        let l = self;
        let ListKind::CustomerMarks(customer_id) = l.kind else { return None };
        match action {
            Some(Action::Back) => Some(Step::go(Nav::BackToCard)),
            Some(Action::MarkToggle) => {
                let Some(ListData::CustomerMarks { all, on }) = &l.data else { return Some(Step::none()) };
                let Some(m) = all.get(l.selected) else { return Some(Step::none()) };
                let req = cx.req();
                let effect = Effect::SetMark { req, customer_id, mark_id: m.id, on: !on.contains(&m.id) };
                l.pending = Some(req);
                Some(Step::run(effect))
            }
            _ => None,
        }
    }

    /// The rows, or the result of a change made from the list (then the rows again).
    pub fn answer(&mut self, cx: &mut Cx, outcome: Outcome) -> Step {
        match outcome {
            Outcome::List(r) => match *r {
                Ok(data) => {
                    self.selected = self.selected.min(data.rows().saturating_sub(1));
                    self.data = Some(data);
                    self.error = None;
                }
                // a house or a switch that was asked for by name and is not there: no empty
                // screen, back where it was asked from, saying so
                Err(e)
                    if self.data.is_none()
                        && matches!(self.kind, ListKind::House(_) | ListKind::Ports(_)) =>
                {
                    return Step { status: Some(cx.error_text(&e)), ..Step::go(Nav::Pop) };
                }
                Err(e) => self.error = Some(cx.error_text(&e)),
            },
            Outcome::Saved(Ok(_)) => return self.reload(cx),
            Outcome::Saved(Err(e)) => self.error = Some(cx.error_text(&e)),
            _ => {}
        }
        Step::none()
    }

    /// What a list says before its rows come (or when they could not be read).
    pub fn draw_unloaded(&self, f: &mut Frame, v: &View, area: Rect) {
        let (text, style) = match &self.error {
            Some(e) => (e.clone(), v.t.error),
            None => (v.s.loading.to_string(), v.t.dim),
        };
        message(f, v.t, area, &text, style);
    }

    /// The rows of the list, with a header; administration's and the marks' lists are drawn by
    /// `records_ui`.
    pub fn draw(&self, f: &mut Frame, v: &View, area: Rect) {
        let l = self;
        let s = v.s;
        let n = s.net;
        let t = v.t;
        if crate::tui::records_ui::draw_list(f, v, l, area)
            || crate::tui::desk_ui::draw_list(f, v, l, area)
            || crate::tui::import_ui::draw_list(f, v, l, area)
        {
            return;
        }
        let Some(data) = &l.data else {
            l.draw_unloaded(f, v, area);
            return;
        };
        // a line or two about the house or switch, then the rows in columns
        let mut lines: Vec<Line<'static>> = Vec::new();
        let columns: Vec<Column> = match data {
            ListData::Houses(_) => vec![
                Column::new(n.col_city, Fit::Text),
                Column::new(n.col_street, Fit::Text).min(12),
                Column::new(n.col_number, Fit::Fixed),
                Column::new(n.col_postcode, Fit::Fixed),
                Column::new(n.col_connected, Fit::Fixed),
                Column::new(n.col_customers, Fit::Number),
                Column::new(n.col_switches, Fit::Number),
            ],
            ListData::House { house, .. } => {
                let h = &house.house;
                let mut text = format!("{}, {}", h.city, h.short_address());
                if !h.postcode.is_empty() {
                    text.push_str(&format!(" · {}", h.postcode));
                }
                if let Some(d) = h.connect_date {
                    text.push_str(&format!(" · {} {}", n.col_connected.to_lowercase(), d.format("%d.%m.%Y")));
                }
                lines.push(Line::from(Span::styled(text, t.title)));
                lines.push(Line::from(Span::styled(
                    format!(
                        "{}: {}   {}: {}",
                        n.col_customers, house.customers, n.col_switches, house.switches
                    ),
                    t.dim,
                )));
                vec![
                    Column::new("", Fit::Fixed),
                    Column::new("", Fit::Fixed),
                    Column::new("", Fit::Text),
                    Column::new("", Fit::Number),
                ]
            }
            ListData::Switches(_) => vec![
                Column::new(n.col_switch, Fit::Text),
                Column::new(n.col_ip, Fit::Fixed),
                Column::new(n.col_model, Fit::Text),
                Column::new(n.col_house, Fit::KeepEnd),
                Column::new(n.col_ports, Fit::Number),
            ],
            ListData::Ports(m) => {
                let sw = &m.switch.switch;
                lines.push(Line::from(Span::styled(
                    format!(
                        "{} ({}) {} · {}",
                        sw.name,
                        sw.ip,
                        sw.model,
                        m.switch.house.as_deref().unwrap_or(n.none)
                    ),
                    t.title,
                )));
                let mut info = format!("{} {} / {}", n.ports_used, m.users.len(), sw.ports);
                if sw.serves_house {
                    info.push_str(&format!(" · {}", n.serves_house));
                }
                lines.push(Line::from(Span::styled(info, t.dim)));
                vec![Column::new("", Fit::Number), Column::new("", Fit::Fixed), Column::new("", Fit::Text)]
            }
            // drawn by records_ui
            _ => Vec::new(),
        };
        if let Some(e) = &l.error {
            lines.push(Line::from(Span::styled(e.clone(), t.error)));
        }
        let count = data.rows();
        if count == 0 {
            lines.push(Line::from(Span::styled(n.empty_list, t.dim)));
        }
        let rows: Vec<GridRow> = (0..count)
            .map(|i| match data {
                ListData::Houses(hs) => {
                    let h = &hs[i];
                    GridRow::new(vec![
                        h.house.city.clone(),
                        h.house.street.clone(),
                        format!("{}{}", h.house.number, h.house.letter),
                        h.house.postcode.clone(),
                        h.house.connect_date.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_default(),
                        h.customers.to_string(),
                        h.switches.to_string(),
                    ])
                }
                ListData::House { switches, customers, .. } => match switches.get(i) {
                    Some(sl) => GridRow::new(vec![
                        n.switch_tag.to_string(),
                        sl.switch.name.clone(),
                        sl.switch.ip.clone(),
                        format!("{}/{}", sl.ports_used, sl.switch.ports),
                    ]),
                    None => {
                        let c = &customers[i - switches.len()];
                        let flat =
                            c.apartment.as_deref().map(|a| format!("{} {a}", n.flat_tag)).unwrap_or_default();
                        GridRow::new(vec![
                            flat,
                            c.agreement_number.clone().unwrap_or_else(|| "—".into()),
                            c.name.clone(),
                            c.balance.format_ru(),
                        ])
                    }
                },
                ListData::Switches(ss) => {
                    let sl = &ss[i];
                    GridRow::new(vec![
                        sl.switch.name.clone(),
                        sl.switch.ip.clone(),
                        sl.switch.model.clone(),
                        sl.house.clone().unwrap_or_else(|| n.none.to_string()),
                        format!("{}/{}", sl.ports_used, sl.switch.ports),
                    ])
                }
                ListData::Ports(m) => {
                    let port = i as i64 + 1;
                    match m.users.iter().find(|u| u.port == port) {
                        Some(u) => GridRow::new(vec![
                            port.to_string(),
                            u.agreement.clone().unwrap_or_else(|| "—".into()),
                            if u.former {
                                format!("{} ({})", u.customer_name, s.former)
                            } else {
                                u.customer_name.clone()
                            },
                        ]),
                        // a free port is dimmed
                        None => GridRow::new(vec![port.to_string(), n.port_free.to_string(), String::new()])
                            .style(Some(t.dim)),
                    }
                }
                _ => GridRow::default(),
            })
            .collect();
        table::draw_below(f, t, area, lines, &columns, &rows, l.selected);
    }
}

/// The keys of administration's lists: open a section, add, edit, delete, a password, a lock.
pub fn admin_key(s: &Strings, l: &ListScreen, action: Option<Action>) -> Option<Step> {
    let row = l.selected;
    let data = l.data.as_ref()?;
    let form = match (data, action?) {
        (ListData::Admin(items), Action::Open) => {
            let item = *items.get(row)?;
            return Some(Step::go(Nav::OpenList(item.list())));
        }
        (ListData::Operators(_), Action::ItemAdd) => operator_form(s, None),
        (ListData::Operators(v), Action::ItemEdit | Action::Open) => operator_form(s, Some(v.get(row)?)),
        (ListData::Operators(v), Action::Password) => {
            let op = v.get(row)?;
            let mut f = FormScreen::new(
                FormKind::OperatorPassword(op.id),
                vec![secret("password", |s| s.adm.f_password), secret("password2", |s| s.adm.f_password2)],
            );
            f.subject = Some(format!("{} ({})", op.login, op.name));
            f
        }
        (ListData::Operators(v), Action::SshKeys) => {
            return Some(Step::go(Nav::OpenList(ListKind::OperatorKeys(v.get(row)?.login.clone()))));
        }
        (ListData::OperatorKeys(login, _), Action::ItemAdd) => {
            let mut f = FormScreen::new(
                FormKind::KeyAdd(login.clone()),
                vec![crate::tui::form::field("key", |s| s.adm.f_public_key, 8192, "")],
            );
            f.subject = Some(login.clone());
            f
        }
        (ListData::OperatorKeys(login, v), Action::ItemDelete) => {
            let k = v.get(row)?;
            FormScreen::question(
                FormKind::KeyRemove(login.clone(), k.fingerprint.clone()),
                format!("{login} · {} {}", k.fingerprint, k.comment),
            )
        }
        (ListData::Operators(v), Action::Lock) => {
            let op = v.get(row)?;
            FormScreen::question(
                FormKind::OperatorActive(op.id, is_locked(op)),
                format!("{} ({})", op.login, op.name),
            )
        }
        (ListData::Tariffs(_), Action::ItemAdd) => tariff_form(s, None)?,
        (ListData::Tariffs(v), Action::ItemEdit | Action::Open) => {
            let id = v.get(row)?.id;
            return Some(Step::go(Nav::PrepareForm(FormKind::TariffEdit(id))));
        }
        (ListData::Catalogue(_), Action::ItemAdd) => catalogue_form(s, None),
        (ListData::Catalogue(v), Action::ItemEdit | Action::Open) => catalogue_form(s, Some(v.get(row)?)),
        (ListData::Marks(_), Action::ItemAdd) => mark_form(s, None),
        (ListData::Methods(_), Action::ItemAdd) => crate::tui::admin::method_form(s, None),
        (ListData::Methods(v), Action::ItemEdit | Action::Open) => {
            crate::tui::admin::method_form(s, Some(v.get(row)?))
        }
        (ListData::Marks(v), Action::ItemEdit | Action::Open) => mark_form(s, Some(v.get(row)?)),
        (ListData::Marks(v), Action::ItemDelete) => {
            let m = v.get(row)?;
            FormScreen::question(FormKind::MarkDelete(m.id), m.name.clone())
        }
        (ListData::Discounts(..), Action::ItemAdd) => {
            return Some(Step::go(Nav::PrepareForm(FormKind::DiscountAdd)));
        }
        (ListData::Discounts(v, _), Action::ItemDelete) => {
            let d = v.get(row)?;
            FormScreen::question(FormKind::DiscountEnd(d.id), format!("{} · {}", d.id, d.percent.format_ru()))
        }
        (ListData::Taxes { .. }, Action::ItemAdd) => tax_form(s, None),
        (ListData::Taxes { billing_day, .. }, Action::ItemEdit | Action::Open) if row == 0 => {
            billing_day_form(*billing_day)
        }
        (ListData::Taxes { rules, .. }, Action::ItemEdit | Action::Open) => {
            tax_form(s, Some(rules.get(row.checked_sub(1)?)?))
        }
        (ListData::Taxes { rules, .. }, Action::ItemDelete) => {
            let r = rules.get(row.checked_sub(1)?)?;
            FormScreen::question(FormKind::TaxDelete(r.item), format!("{} · {}", r.name, r.rate.format_ru()))
        }
        (ListData::Groups(_), Action::ItemAdd) => group_form(None),
        (ListData::Groups(v), Action::ItemEdit | Action::Open) => group_form(Some(v.get(row)?)),
        (ListData::Tokens(v), Action::ItemDelete) => {
            let t = v.get(row)?;
            FormScreen::question(
                FormKind::TokenRevoke(t.id),
                format!("{} · {} · {}", t.id, t.name, t.operator_login),
            )
        }
        (ListData::Groups(v), Action::ItemDelete) => {
            let g = v.get(row)?;
            FormScreen::question(FormKind::GroupDelete(g.id), g.name.clone())
        }
        _ => return None,
    };
    Some(Step::go(Nav::OpenForm(Box::new(form))))
}

fn message(f: &mut Frame, t: &Theme, area: Rect, text: &str, style: Style) {
    let _ = t;
    f.render_widget(Paragraph::new(Line::from(Span::styled(text.to_string(), style))), area);
}
