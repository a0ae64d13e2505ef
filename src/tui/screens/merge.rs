//! Merging another customer into this one: the preview of what moves, a confirmation, the
//! result.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{Cx, Nav, Step, View};
use crate::service::{MergeOutcome, MergePreview};
use crate::tui::app::{Effect, Outcome, ReqId};
use crate::tui::keymap::{Action, Context};
use crate::tui::widgets::dialog_wrapped;

#[derive(Debug)]
pub enum MergeStage {
    Confirm,
    Saving,
    Done(Box<MergeOutcome>),
}

pub struct MergeScreen {
    pub preview: MergePreview,
    pub stage: MergeStage,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
}

impl MergeScreen {
    /// The question about merging what `preview` shows.
    pub fn new(preview: MergePreview) -> MergeScreen {
        MergeScreen { preview, stage: MergeStage::Confirm, pending: None, error: None }
    }

    pub fn context(&self) -> Context {
        match self.stage {
            MergeStage::Confirm => Context::MergeConfirm,
            MergeStage::Saving => Context::Posting,
            MergeStage::Done(_) => Context::MergeDone,
        }
    }

    pub fn key(&mut self, cx: &mut Cx, action: Option<Action>) -> Step {
        let m = self;
        match (&m.stage, action) {
            (MergeStage::Confirm, Some(Action::Back)) => return Step::go(Nav::Pop),
            (MergeStage::Confirm, Some(Action::Confirm)) => {
                let req = cx.req();
                m.stage = MergeStage::Saving;
                m.pending = Some(req);
                m.error = None;
                let (main, secondary) = (m.preview.main.id, m.preview.secondary.id);
                return Step::run(Effect::Merge { req, main, secondary });
            }
            // back on the main customer's card, with what was merged in
            (MergeStage::Done(_), Some(Action::Back)) => return Step::go(Nav::BackToCard),
            _ => {}
        }
        Step::none()
    }

    pub fn answer(&mut self, cx: &mut Cx, outcome: Outcome) -> Step {
        if let Outcome::Merged(r) = outcome {
            match *r {
                Ok(done) => self.stage = MergeStage::Done(Box::new(done)),
                Err(e) => {
                    self.stage = MergeStage::Confirm;
                    self.error = Some(cx.error_text(&e));
                }
            }
        }
        Step::none()
    }

    /// What moves, asked over the card; the result.
    pub fn draw(&self, f: &mut Frame, v: &View, area: Rect) {
        let m = self;
        let s = v.s;
        let a = s.adm;
        let t = v.t;
        let p = &m.preview;
        let who = |c: &crate::domain::customer::Customer| {
            format!(
                "{} {} ({} {})",
                c.agreement_number.as_deref().unwrap_or("—"),
                c.name,
                s.card_balance.to_lowercase(),
                c.balance.format_ru()
            )
        };
        let mut body = vec![
            Line::from(vec![
                Span::styled(format!("{}: ", a.merge_main), t.dim),
                Span::styled(who(&p.main), t.title),
            ]),
            Line::from(vec![
                Span::styled(format!("{}: ", a.merge_secondary), t.dim),
                Span::styled(who(&p.secondary), t.normal),
            ]),
            Line::from(""),
            Line::from(Span::styled(a.merge_moves, t.accent)),
        ];
        let counts = [
            p.moves.addresses,
            p.moves.mac_changes,
            p.moves.marks,
            p.moves.messages,
            p.moves.state_changes,
            p.moves.promised_payments,
            p.moves.services,
            p.moves.children,
        ];
        let mut items: Vec<String> = counts
            .iter()
            .zip(a.merge_counts)
            .filter(|(n, _)| **n > 0)
            .map(|(n, w)| format!("{w}: {n}"))
            .collect();
        if p.moves.port && !p.port_released {
            items.push(a.merge_port.to_string());
        }
        if items.is_empty() {
            items.push(a.merge_nothing.to_string());
        }
        body.push(Line::from(format!("  {}", items.join(", "))));
        if p.balance.minor() != 0 {
            body.push(Line::from(Span::styled(
                format!("{}: {} → {}", a.merge_balance, p.balance.format_ru(), p.main.name),
                t.warn,
            )));
        }
        if p.port_released {
            body.push(Line::from(Span::styled(a.merge_port_released, t.warn)));
        }
        body.push(Line::from(""));
        match &m.stage {
            MergeStage::Confirm => {
                if let Some(e) = &m.error {
                    body.push(Line::from(Span::styled(e.clone(), t.error)));
                }
                body.push(Line::from(Span::styled(a.merge_question, t.title)));
                body.push(Line::from(Span::styled(a.confirm_keys, t.key)));
            }
            MergeStage::Saving => body.push(Line::from(Span::styled(a.merge_saving, t.dim))),
            MergeStage::Done(done) => {
                body.push(Line::from(Span::styled(a.merge_done, t.ok)));
                if let Some((_, into)) = &done.operations {
                    body.push(Line::from(format!(
                        "{}: {} → {}",
                        s.card_balance,
                        into.balance_before.format_ru(),
                        into.balance_after.format_ru()
                    )));
                }
            }
        }
        dialog_wrapped(f, area, 76, a.merge_title, body);
    }
}
