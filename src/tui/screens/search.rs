//! The customer search: one box, the kind of what was typed told at once (a number, a phone,
//! an IP, a MAC, a name or an address), live results after a short pause in typing.

use std::time::Instant;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Cx, Nav, Step, View};
use crate::domain::search::SearchQuery;
use crate::domain::text::fit_width as fit;
use crate::service::CustomerSummary;
use crate::tui::app::{Effect, Outcome, ReqId, SEARCH_DEBOUNCE, SEARCH_LIMIT};
use crate::tui::form::FormKind;
use crate::tui::input::Input;
use crate::tui::keymap::{Action, Context};
use crate::tui::net::ListKind;
use crate::tui::strings::Strings;
use crate::tui::strings::state_name;
use crate::tui::widgets::table::{self, Column, Fit, GridRow};
use crate::tui::widgets::{balance_style, field, money, take_due, type_into_search};

pub struct SearchScreen {
    pub input: Input,
    pub query: SearchQuery,
    pub results: Vec<CustomerSummary>,
    pub selected: usize,
    pub former: bool,
    /// Set when the text changed and a search is due after the pause.
    pub due_at: Option<Instant>,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
    /// What was searched for instead of the text typed on the Latin layout.
    pub retyped: Option<String>,
    /// More customers match than are listed.
    pub more: bool,
    /// Enter was pressed before the answer to what was typed: the answer opens its customer
    /// when it finds exactly one (an agreement number typed or scanned and Enter at once).
    pub open_one: bool,
}

impl Default for SearchScreen {
    fn default() -> SearchScreen {
        SearchScreen::new()
    }
}

impl SearchScreen {
    /// The empty search the console starts on.
    pub fn new() -> SearchScreen {
        SearchScreen {
            input: Input::new(100),
            query: SearchQuery::Empty,
            results: Vec::new(),
            selected: 0,
            former: false,
            due_at: None,
            pending: None,
            error: None,
            retyped: None,
            more: false,
            open_one: false,
        }
    }

    pub fn context(&self) -> Context {
        Context::Search
    }

    pub fn paste(&mut self, text: &str, now: Instant) {
        if self.input.insert(text) {
            self.due_at = Some(now + SEARCH_DEBOUNCE);
        }
    }

    /// The same search again at once (coming back from a card whose balance may have moved).
    pub fn refresh(&mut self, now: Instant) {
        if !self.input.is_empty() {
            self.due_at = Some(now);
        }
    }

    /// Searches for `text` now (`:s Ёлкин`).
    pub fn search_for(&mut self, text: &str, now: Instant) {
        self.input.set(text);
        self.due_at = Some(now);
    }

    pub fn key(&mut self, cx: &mut Cx, ev: &KeyEvent, action: Option<Action>) -> Step {
        let now = cx.now;
        let s = self;
        let n = s.results.len();
        match action {
            Some(Action::Up) => s.selected = s.selected.saturating_sub(1),
            Some(Action::Down) => s.selected = (s.selected + 1).min(n.saturating_sub(1)),
            Some(Action::PageUp) => s.selected = s.selected.saturating_sub(10),
            Some(Action::PageDown) => s.selected = (s.selected + 10).min(n.saturating_sub(1)),
            Some(Action::Home) => s.selected = 0,
            Some(Action::End) => s.selected = n.saturating_sub(1),
            Some(Action::ToggleFormer) => {
                s.former = !s.former;
                s.due_at = Some(now);
            }
            Some(Action::Clear) => {
                s.input.clear();
                s.due_at = Some(now);
            }
            Some(Action::Command) if s.input.is_empty() && ev.code == KeyCode::Char(':') => {
                return Step::go(Nav::OpenCommand);
            }
            Some(Action::Houses) => return Step::go(Nav::OpenList(ListKind::Houses)),
            Some(Action::Switches) => return Step::go(Nav::OpenList(ListKind::Switches)),
            Some(Action::AddCustomer) => return Step::go(Nav::PrepareForm(FormKind::CustomerAdd)),
            Some(Action::Admin) => return Step::go(Nav::OpenList(ListKind::Admin)),
            Some(Action::Desk) => return Step::go(Nav::OpenList(ListKind::Desk)),
            Some(Action::Open) => {
                if s.due_at.is_some() || s.pending.is_some() {
                    // Enter before the results of what was typed: search now; the answer opens
                    // its customer if it finds exactly one, else shows the list
                    let req = cx.req();
                    s.due_at = None;
                    s.pending = Some(req);
                    s.open_one = true;
                    return Step::run(Effect::Search { req, text: s.input.text(), former: s.former });
                }
                if let Some(c) = s.results.get(s.selected) {
                    return Step::go(Nav::OpenCard(c.id));
                }
            }
            _ => {
                s.open_one = false;
                type_into_search(&mut s.input, &mut s.due_at, ev, now)
            }
        }
        Step::none()
    }

    /// The search that has waited out the pause, if it is due at `now`.
    pub fn due(&mut self, cx: &mut Cx) -> Step {
        if !take_due(&mut self.due_at, cx.now) {
            return Step::none();
        }
        let req = cx.req();
        self.pending = Some(req);
        Step::run(Effect::Search { req, text: self.input.text(), former: self.former })
    }

    pub fn answer(&mut self, cx: &mut Cx, outcome: Outcome) -> Step {
        match outcome {
            Outcome::Search(Ok(mut res)) => {
                self.more = res.customers.len() > SEARCH_LIMIT as usize;
                res.customers.truncate(SEARCH_LIMIT as usize);
                self.query = res.query;
                self.retyped = res.retyped;
                self.results = res.customers;
                self.selected = 0;
                self.error = None;
                if std::mem::take(&mut self.open_one) && self.results.len() == 1 && !self.more {
                    return Step::go(Nav::OpenCard(self.results[0].id));
                }
            }
            Outcome::Search(Err(e)) => self.error = Some(cx.error_text(&e)),
            _ => {}
        }
        Step::none()
    }

    /// The search box, what the typed text was taken for, and the customers found.
    pub fn draw(&self, f: &mut Frame, v: &View, area: Rect) {
        let sc = self;
        let s = v.s;
        let t = v.t;
        // the chosen customer whole under the list: the columns cut long names and addresses
        let whole_rows = u16::from(sc.results.get(sc.selected).is_some());
        let [input_row, info_row, head_row, list, whole_row] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(whole_rows),
        ])
        .areas(area);
        if let Some(c) = sc.results.get(sc.selected) {
            let mut parts =
                vec![c.agreement_number.clone().unwrap_or_else(|| format!("#{}", c.id)), c.name.clone()];
            let address = c.address();
            if !address.is_empty() {
                parts.push(address);
            }
            parts.push(money(c.balance));
            if let Some(tr) = &c.tariff {
                parts.push(tr.clone());
            }
            let text = format!("  {}", parts.join(" · "));
            f.render_widget(
                Paragraph::new(Span::styled(fit(&text, whole_row.width as usize), t.dim)),
                whole_row,
            );
        }
        field(f, t, input_row, s.search_prompt, &sc.input, !v.help, 6);
        let mut info = vec![];
        let kind = kind_label(s, &sc.query);
        if !kind.is_empty() && !sc.input.is_empty() {
            info.push(Span::styled(format!(" [{kind}]"), t.accent));
        }
        if sc.former {
            info.push(Span::styled(format!(" [{}]", s.search_former_on), t.warn));
        }
        if let Some(r) = &sc.retyped {
            info.push(Span::styled(format!(" [{} {r}]", s.search_retyped), t.warn));
        }
        let state = if let Some(e) = &sc.error {
            Span::styled(format!(" {e}"), t.error)
        } else if sc.pending.is_some() {
            Span::styled(format!(" {}", s.search_searching), t.dim)
        } else if sc.input.is_empty() {
            Span::styled(format!(" {}", s.search_hint_empty), t.dim)
        } else if sc.results.is_empty() && sc.due_at.is_some() {
            // typed, not yet searched: "nothing found" would be said too early
            Span::raw("")
        } else if sc.results.is_empty() {
            Span::styled(format!(" {}", s.search_nothing), t.warn)
        } else if sc.more {
            Span::styled(format!(" {}+", sc.results.len()), t.dim)
        } else {
            Span::styled(format!(" {}", sc.results.len()), t.dim)
        };
        info.push(state);
        f.render_widget(Paragraph::new(Line::from(info)), info_row);
        let columns = [
            Column::new(s.col_agreement, Fit::Fixed),
            Column::new(s.col_name, Fit::Text).min(12),
            Column::new(s.col_address, Fit::KeepEnd).min(10),
            Column::new(s.col_balance, Fit::Number),
            Column::new(s.col_state, Fit::Text),
            Column::new(s.col_tariff, Fit::Text).min(8),
        ];
        let rows: Vec<GridRow> = sc
            .results
            .iter()
            .map(|c| {
                let row = GridRow::new(summary_row(s, c));
                if c.balance.is_negative() { row.cell_style(3, balance_style(t, c.balance)) } else { row }
            })
            .collect();
        let table_area = Rect { height: head_row.height + list.height, ..head_row };
        table::draw(f, t, table_area, &columns, &rows, (!rows.is_empty()).then_some(sc.selected));
    }
}

/// A customer's address without the street's kind (`ул.`): the column is short.
fn short_address(c: &CustomerSummary) -> String {
    let full = c.address();
    match full.split_once(' ') {
        Some((first, rest)) if first.ends_with('.') => rest.to_string(),
        _ => full,
    }
}

fn kind_label(s: &Strings, q: &SearchQuery) -> &'static str {
    match q {
        SearchQuery::Empty => s.kind_empty,
        SearchQuery::Id(_) => "#id",
        SearchQuery::Digits(_) => s.kind_number,
        SearchQuery::Phone(_) => s.kind_phone,
        SearchQuery::Ip(_) | SearchQuery::IpRange { .. } => s.kind_ip,
        SearchQuery::Mac(_) | SearchQuery::MacStart(_) => s.kind_mac,
        SearchQuery::Text(_) => s.kind_text,
    }
}

fn summary_row(s: &Strings, c: &CustomerSummary) -> Vec<String> {
    let mut state = state_name(s, c.state).to_string();
    if c.is_former {
        state = s.former.to_string();
    } else if c.is_potential {
        state = s.potential.to_string();
    } else if c.blocked {
        // the network is closed to them for debt, whatever the state an operator set
        state = format!("{} ⊘", s.blocked_short);
    }
    vec![
        c.agreement_number.clone().unwrap_or_else(|| "—".into()),
        c.name.clone(),
        short_address(c),
        money(c.balance),
        state,
        c.tariff.clone().unwrap_or_default(),
    ]
}
