//! Picking something by searching for it: a house for a customer's address, a customer as the
//! parent of another or as the one to merge in. One box, results as you type (after the same
//! pause as the main search), Enter takes the chosen row.

use std::time::Instant;

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::merge::MergeScreen;
use super::{Cx, Nav, Step, View};
use crate::domain::text::fit_width as fit;
use crate::tui::app::{Effect, Outcome, ReqId, SEARCH_DEBOUNCE, Screen};
use crate::tui::input::Input;
use crate::tui::keymap::{Action, Context};
use crate::tui::net_ui::{row, window};
use crate::tui::picker::{PickFor, PickItem, PickKind};
use crate::tui::widgets::{field, take_due, type_into_search};

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

impl PickerScreen {
    /// A picker with `typed` in its box (searched for after the pause).
    pub fn new(kind: PickKind, purpose: PickFor, typed: &str, now: Instant) -> PickerScreen {
        let mut input = Input::new(100);
        input.set(typed);
        let due_at = (!typed.is_empty()).then(|| now + SEARCH_DEBOUNCE);
        PickerScreen {
            kind,
            purpose,
            input,
            items: Vec::new(),
            selected: 0,
            due_at,
            pending: None,
            searched: false,
            error: None,
        }
    }

    pub fn context(&self) -> Context {
        Context::Picker
    }

    pub fn paste(&mut self, text: &str, now: Instant) {
        if self.input.insert(text) {
            self.due_at = Some(now + SEARCH_DEBOUNCE);
        }
    }

    pub fn key(&mut self, cx: &mut Cx, ev: &KeyEvent, action: Option<Action>) -> Step {
        let now = cx.now;
        let p = self;
        let last = p.items.len().saturating_sub(1);
        match action {
            Some(Action::Back) => return Step::go(Nav::Pop),
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
                    let req = cx.req();
                    p.due_at = None;
                    p.pending = Some(req);
                    return Step::run(Effect::PickSearch { req, kind: p.kind, text: p.input.text() });
                }
                let Some(item) = p.items.get(p.selected).cloned() else { return Step::none() };
                match p.purpose {
                    PickFor::Field(at) => return Step::go(Nav::Picked { at, id: item.id, text: item.text }),
                    // the question replaces the picker: answered or not, back to the queue
                    PickFor::BankLine(line) => {
                        let form = crate::tui::form::FormScreen::question(
                            crate::tui::form::FormKind::ImportMatch(line, item.id),
                            item.text,
                        );
                        return Step::go(Nav::Replace(Box::new(Screen::Form(Box::new(form)))));
                    }
                    PickFor::Merge(main) => {
                        let req = cx.req();
                        p.pending = Some(req);
                        p.error = None;
                        return Step::run(Effect::MergePreview { req, main, secondary: item.id });
                    }
                }
            }
            _ => type_into_search(&mut p.input, &mut p.due_at, ev, now),
        }
        Step::none()
    }

    /// The pick search that has waited out the pause, if it is due.
    pub fn due(&mut self, cx: &mut Cx) -> Step {
        if !take_due(&mut self.due_at, cx.now) {
            return Step::none();
        }
        let req = cx.req();
        self.pending = Some(req);
        Step::run(Effect::PickSearch { req, kind: self.kind, text: self.input.text() })
    }

    /// Found rows, or the preview of a merge (the question then replaces the picker: Esc goes
    /// back to the card).
    pub fn answer(&mut self, cx: &mut Cx, outcome: Outcome) -> Step {
        match outcome {
            Outcome::Picks(r) => {
                self.searched = true;
                match r {
                    Ok(mut items) => {
                        if let PickFor::Merge(main) = self.purpose {
                            items.retain(|i| i.id != main);
                        }
                        self.items = items;
                        self.selected = 0;
                        self.error = None;
                    }
                    Err(e) => self.error = Some(cx.error_text(&e)),
                }
            }
            Outcome::MergePreview(r) => match *r {
                Ok(preview) => {
                    return Step::go(Nav::Replace(Box::new(Screen::Merge(Box::new(MergeScreen::new(
                        preview,
                    ))))));
                }
                Err(e) => self.error = Some(cx.error_text(&e)),
            },
            _ => {}
        }
        Step::none()
    }

    /// The search box and what it found.
    pub fn draw(&self, f: &mut Frame, v: &View, area: Rect) {
        let p = self;
        let s = v.s;
        let a = s.adm;
        let t = v.t;
        let input_row = Rect { height: 1, ..area };
        field(f, t, input_row, s.search_prompt, &p.input, !v.help, 6);
        let info_row = Rect { y: area.y + 1, height: 1, ..area };
        let info = if let Some(e) = &p.error {
            Span::styled(format!(" {e}"), t.error)
        } else if p.pending.is_some() {
            Span::styled(format!(" {}", s.search_searching), t.dim)
        } else if p.input.is_empty() {
            let hint = match p.kind {
                PickKind::House => a.picker_hint_house,
                PickKind::Customer => a.picker_hint_customer,
            };
            Span::styled(format!(" {hint}"), t.dim)
        } else if p.items.is_empty() && p.searched && p.due_at.is_none() {
            Span::styled(format!(" {}", s.search_nothing), t.warn)
        } else {
            Span::styled(format!(" {}", p.items.len()), t.dim)
        };
        f.render_widget(Paragraph::new(info), info_row);
        let list = Rect { y: area.y + 3, height: area.height.saturating_sub(3), ..area };
        let height = list.height as usize;
        let first = window(p.selected, height);
        let w = (area.width as usize).saturating_sub(4);
        let text_w = (w * 11 / 20).max(10);
        let lines: Vec<Line<'static>> = p
            .items
            .iter()
            .enumerate()
            .skip(first)
            .take(height)
            .map(|(i, item)| {
                row(t, i == p.selected, vec![fit(&item.text, text_w), fit(&item.detail, w - text_w)])
            })
            .collect();
        f.render_widget(Paragraph::new(lines), list);
        if !v.help {
            // the cursor stays in the box while the results are read
            let (_, cursor) = p.input.view((area.width as usize).saturating_sub(8).min(40));
            f.set_cursor_position(Position { x: area.x + 8 + cursor as u16, y: area.y });
        }
    }
}
