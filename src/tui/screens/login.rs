//! The login: operator and password; every refusal in one set of words.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{Cx, Step, View};
use crate::tui::app::{Effect, Outcome, ReqId};
use crate::tui::input::Input;
use crate::tui::keymap::{Action, Context};
use crate::tui::widgets::field;

pub struct LoginScreen {
    pub operator: Input,
    pub password: Input,
    pub focus: usize,
    pub error: Option<String>,
    pub pending: Option<ReqId>,
}

impl LoginScreen {
    /// The login, with the operator's login filled in when known (and the password focused).
    pub fn new(operator: Option<&str>, error: Option<String>) -> LoginScreen {
        let mut l = LoginScreen {
            operator: Input::new(64),
            password: Input::masked(128),
            focus: 0,
            error,
            pending: None,
        };
        if let Some(op) = operator {
            l.operator.set(op);
            l.focus = 1;
        }
        l
    }

    pub fn context(&self) -> Context {
        Context::Login
    }

    pub fn paste(&mut self, text: &str) {
        if self.focus == 0 {
            self.operator.insert(text);
        } else {
            self.password.insert(text);
        }
    }

    pub fn key(&mut self, cx: &mut Cx, ev: &KeyEvent, action: Option<Action>) -> Step {
        if self.pending.is_some() {
            return Step::none();
        }
        match action {
            Some(Action::NextField) | Some(Action::PrevField) => self.focus = 1 - self.focus,
            Some(Action::Submit) if self.focus == 0 => self.focus = 1,
            Some(Action::Submit) => {
                let req = cx.req();
                self.pending = Some(req);
                self.error = None;
                return Step::run(Effect::Login {
                    req,
                    login: self.operator.text(),
                    password: self.password.text(),
                });
            }
            _ => {
                let field = if self.focus == 0 { &mut self.operator } else { &mut self.password };
                field.handle(ev);
            }
        }
        Step::none()
    }

    /// A refusal: said, and the password cleared. (A successful login is the console's to
    /// take: `App` keeps the operator and opens the search.)
    pub fn answer(&mut self, cx: &mut Cx, outcome: Outcome) -> Step {
        if let Outcome::Login(Err(e)) = outcome {
            self.error = Some(cx.error_text(&e));
            self.password.clear();
        }
        Step::none()
    }

    /// The login box; on a demo database, which operators to try.
    pub fn draw(&self, f: &mut Frame, v: &View, area: Rect) {
        let l = self;
        let s = v.s;
        let t = v.t;
        let w = 60.min(area.width);
        let r = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + area.height / 3,
            width: w,
            height: 8.min(area.height),
        };
        if v.demo {
            let hint = Rect { y: r.y + r.height, height: 1, ..r };
            f.render_widget(Paragraph::new(Span::styled(s.login_demo_hint, t.dim)), hint);
        }
        f.render_widget(Block::default().borders(Borders::ALL).title(s.login_title), r);
        let inner = Rect { x: r.x + 2, y: r.y + 1, width: r.width.saturating_sub(4), height: 1 };
        field(f, t, inner, s.login_operator, &l.operator, l.focus == 0 && !v.help, 10);
        field(
            f,
            t,
            Rect { y: inner.y + 2, ..inner },
            s.login_password,
            &l.password,
            l.focus == 1 && !v.help,
            10,
        );
        let msg = if l.pending.is_some() {
            Span::styled(s.login_checking, t.dim)
        } else if let Some(e) = &l.error {
            Span::styled(e.clone(), t.error)
        } else {
            Span::raw("")
        };
        // a refusal may take two lines; it is never cut
        let under = Rect { y: inner.y + 4, height: 2.min(r.height.saturating_sub(5)), ..inner };
        f.render_widget(Paragraph::new(Line::from(msg)).wrap(ratatui::widgets::Wrap { trim: true }), under);
    }
}
