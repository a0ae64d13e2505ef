//! Picking something by searching for it: a house for a customer's address, a customer as the
//! parent of another or as the one to merge in. One box, results as you type (after the same
//! pause as the main search), Enter takes the chosen row.

use std::time::Instant;

use ratatui::crossterm::event::KeyEvent;

use super::app::{App, Effect, ReqId, SEARCH_DEBOUNCE, Screen};
use super::input::Input;
use super::keymap::Action;
use crate::service::{Actor, Service, ServiceError};

/// What is being picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickKind {
    House,
    Customer,
}

/// What the pick is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    /// The field at this index of the form under the picker.
    Field(usize),
    /// The customer to merge into this main customer.
    Merge(i64),
}

/// One row of what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    pub id: i64,
    /// What the picked field shows afterwards.
    pub text: String,
    /// More to tell rows apart (a customer's address and balance).
    pub detail: String,
}

/// How many rows a pick search asks for.
pub const PICK_LIMIT: i64 = 50;

pub struct PickerScreen {
    pub kind: PickKind,
    pub purpose: PickFor,
    pub input: Input,
    pub items: Vec<PickItem>,
    pub selected: usize,
    /// Set when the text changed and a search is due after the pause.
    pub due_at: Option<Instant>,
    pub pending: Option<ReqId>,
    /// Whether a search has come back since the picker opened.
    pub searched: bool,
    pub error: Option<String>,
}

impl App {
    /// Opens a picker over the current screen with `typed` in its box.
    pub(super) fn open_picker(&mut self, kind: PickKind, purpose: PickFor, typed: &str) -> Vec<Effect> {
        let mut input = Input::new(100);
        input.set(typed);
        let due_at = (!typed.is_empty()).then(|| Instant::now() + SEARCH_DEBOUNCE);
        self.screens.push(Screen::Picker(Box::new(PickerScreen {
            kind,
            purpose,
            input,
            items: Vec::new(),
            selected: 0,
            due_at,
            pending: None,
            searched: false,
            error: None,
        })));
        Vec::new()
    }

    pub(super) fn picker_key(&mut self, ev: &KeyEvent, action: Option<Action>, now: Instant) -> Vec<Effect> {
        let req = self.req();
        let Screen::Picker(p) = self.screen_mut() else { return Vec::new() };
        let last = p.items.len().saturating_sub(1);
        match action {
            Some(Action::Back) => {
                self.screens.pop();
            }
            Some(Action::Up) => p.selected = p.selected.saturating_sub(1),
            Some(Action::Down) => p.selected = (p.selected + 1).min(last),
            Some(Action::PageUp) => p.selected = p.selected.saturating_sub(10),
            Some(Action::PageDown) => p.selected = (p.selected + 10).min(last),
            Some(Action::Clear) => {
                p.input.clear();
                p.due_at = Some(now);
            }
            Some(Action::Open) => {
                if p.due_at.is_some() || (p.pending.is_some() && !p.searched) {
                    // Enter before the results of what was typed: search now, take nothing yet
                    p.due_at = None;
                    p.pending = Some(req);
                    return vec![Effect::PickSearch { req, kind: p.kind, text: p.input.text() }];
                }
                let Some(item) = p.items.get(p.selected).cloned() else { return Vec::new() };
                match p.purpose {
                    PickFor::Field(at) => {
                        self.screens.pop();
                        if let Screen::Form(fm) = self.screen_mut()
                            && let Some(f) = fm.fields.get_mut(at)
                        {
                            f.set_pick(Some(item.id), &item.text);
                            fm.error = None;
                        }
                    }
                    PickFor::Merge(main) => {
                        p.pending = Some(req);
                        p.error = None;
                        return vec![Effect::MergePreview { req, main, secondary: item.id }];
                    }
                }
            }
            _ => {
                if p.input.handle(ev) == Some(true) {
                    p.due_at = Some(now + SEARCH_DEBOUNCE);
                }
            }
        }
        Vec::new()
    }

    /// The pick search that has waited out the pause, if any.
    pub(super) fn due_pick(&mut self, now: Instant) -> Vec<Effect> {
        let req = self.req();
        let Screen::Picker(p) = self.screen_mut() else { return Vec::new() };
        match p.due_at {
            Some(at) if at <= now => {
                p.due_at = None;
                p.pending = Some(req);
                vec![Effect::PickSearch { req, kind: p.kind, text: p.input.text() }]
            }
            _ => Vec::new(),
        }
    }

    /// Takes found rows; rows for an older text are dropped.
    pub(super) fn picks_outcome(&mut self, req: ReqId, r: Result<Vec<PickItem>, ServiceError>) {
        let text = r.as_ref().err().map(|e| self.error_text(e));
        if let Some(Screen::Picker(p)) = self.awaiting(req) {
            p.searched = true;
            match r {
                Ok(mut items) => {
                    if let PickFor::Merge(main) = p.purpose {
                        items.retain(|i| i.id != main);
                    }
                    p.items = items;
                    p.selected = 0;
                    p.error = None;
                }
                Err(_) => p.error = text,
            }
        }
    }
}

/// Finds the rows for a pick search.
pub async fn search(
    svc: &Service,
    a: &Actor,
    kind: PickKind,
    text: &str,
) -> Result<Vec<PickItem>, ServiceError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    Ok(match kind {
        PickKind::House => svc
            .search_houses(a, text, PICK_LIMIT)
            .await?
            .into_iter()
            .map(|h| PickItem {
                id: h.id,
                text: format!("{}, {}", h.city, h.short_address()),
                detail: h.postcode.clone(),
            })
            .collect(),
        PickKind::Customer => svc
            .search_customers(a, text, false, PICK_LIMIT)
            .await?
            .customers
            .into_iter()
            .map(|c| PickItem {
                id: c.id,
                text: format!("{} {}", c.agreement_number.as_deref().unwrap_or("—"), c.name),
                detail: format!("{}  {}", c.address(), c.balance.format_ru()),
            })
            .collect(),
    })
}
