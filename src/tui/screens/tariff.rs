//! A change of tariff: the tariffs the customer may take, now or from the next period, a
//! confirmation, and the result.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Cx, Nav, Step, View};
use crate::domain::money::Money;
use crate::domain::tariff::Period;
use crate::domain::text::fit_width as fit;
use crate::service::{CustomerCard, Tariff, TariffChangeOutcome, When, next_period_start};
use crate::tui::app::{Effect, Outcome, ReqId, Screen};
use crate::tui::keymap::{Action, Context};
use crate::tui::strings::period_name;
use crate::tui::widgets::{dialog, money, right};

#[derive(Debug, Clone)]
pub enum TariffStage {
    List,
    Confirm,
    Saving,
    Done(Box<TariffChangeOutcome>),
}

pub struct TariffScreen {
    pub card: CustomerCard,
    /// The tariffs the customer may take (the current one is not among them).
    pub tariffs: Option<Vec<Tariff>>,
    pub selected: usize,
    pub when: When,
    /// The day the change is asked on: "from the next period" is counted from it.
    pub today: NaiveDate,
    pub stage: TariffStage,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
}

impl TariffScreen {
    /// The choice of tariff for the customer on `card`, not yet loaded.
    pub fn new(card: CustomerCard, today: NaiveDate) -> TariffScreen {
        TariffScreen {
            card,
            tariffs: None,
            selected: 0,
            when: When::NextPeriod,
            today,
            stage: TariffStage::List,
            pending: None,
            error: None,
        }
    }

    /// The choice for the customer on `card`, the tariffs they may take asked for.
    pub fn open(cx: &mut Cx, card: CustomerCard, today: NaiveDate) -> Step {
        let req = cx.req();
        let customer_id = card.customer.id;
        let mut tariff = TariffScreen::new(card, today);
        tariff.pending = Some(req);
        Step {
            effects: vec![Effect::Tariffs { req, customer_id }],
            ..Step::go(Nav::Push(Box::new(Screen::Tariff(Box::new(tariff)))))
        }
    }

    /// The day the chosen change would take effect.
    pub fn effective_on(&self) -> NaiveDate {
        match self.when {
            When::Now => self.today,
            When::NextPeriod => {
                let period = self.card.tariff.as_ref().map(|t| t.period).unwrap_or(Period::Month);
                next_period_start(self.today, period, self.card.billing_day)
            }
        }
    }

    pub fn chosen(&self) -> Option<&Tariff> {
        self.tariffs.as_ref().and_then(|t| t.get(self.selected))
    }

    pub fn context(&self) -> Context {
        match self.stage {
            TariffStage::List => Context::TariffList,
            TariffStage::Confirm => Context::TariffConfirm,
            TariffStage::Saving => Context::Posting,
            TariffStage::Done(_) => Context::TariffDone,
        }
    }

    pub fn key(&mut self, cx: &mut Cx, action: Option<Action>) -> Step {
        let req = cx.req();
        let none = cx.s.tariff_none;
        let t = self;
        let n = t.tariffs.as_ref().map(Vec::len).unwrap_or(0);
        match (&t.stage, action) {
            (TariffStage::List, Some(Action::Back)) => {
                return Step::go(Nav::Pop);
            }
            (TariffStage::List, Some(Action::Up)) => t.selected = t.selected.saturating_sub(1),
            (TariffStage::List, Some(Action::Down)) => t.selected = (t.selected + 1).min(n.saturating_sub(1)),
            (TariffStage::List, Some(Action::Home)) => t.selected = 0,
            (TariffStage::List, Some(Action::End)) => t.selected = n.saturating_sub(1),
            (TariffStage::List, Some(Action::ToggleWhen)) => {
                t.when = match t.when {
                    When::Now => When::NextPeriod,
                    When::NextPeriod => When::Now,
                }
            }
            (TariffStage::List, Some(Action::Submit)) if t.pending.is_none() => {
                if t.chosen().is_some() {
                    t.error = None;
                    t.stage = TariffStage::Confirm;
                } else {
                    t.error = Some(none.to_string());
                }
            }
            (TariffStage::Confirm, Some(Action::Back)) => t.stage = TariffStage::List,
            (TariffStage::Confirm, Some(Action::Confirm)) => {
                if let Some(to) = t.chosen() {
                    let effect = Effect::ChangeTariff {
                        req,
                        customer_id: t.card.customer.id,
                        tariff_id: to.id,
                        when: t.when,
                        today: t.today,
                    };
                    t.stage = TariffStage::Saving;
                    t.pending = Some(req);
                    return Step::run(effect);
                }
            }
            // back on the card, which now shows the change
            (TariffStage::Done(_), Some(Action::Back)) => return Step::go(Nav::BackToCard),
            _ => {}
        }
        Step::none()
    }

    pub fn answer(&mut self, cx: &mut Cx, outcome: Outcome) -> Step {
        match outcome {
            Outcome::Tariffs(Ok(list)) => {
                self.tariffs = Some(list);
                self.selected = 0;
            }
            Outcome::Tariffs(Err(e)) => self.error = Some(cx.error_text(&e)),
            Outcome::TariffChanged(r) => match *r {
                Ok(done) => self.stage = TariffStage::Done(Box::new(done)),
                Err(e) => {
                    self.stage = TariffStage::List;
                    self.error = Some(cx.error_text(&e));
                }
            },
            _ => {}
        }
        Step::none()
    }

    /// The tariffs with the current one on top, when the change applies, the confirmation or the result over them.
    pub fn draw(&self, f: &mut Frame, v: &View, area: Rect) {
        let ts = self;
        let s = v.s;
        let t = v.t;
        let cu = &ts.card.customer;
        let [head, table_head, list_area, when_row, error_row] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(2),
            Constraint::Length(1),
        ])
        .areas(area);
        let mut header = vec![Line::from(vec![
            Span::styled(cu.name.clone(), t.title),
            Span::styled(
                format!("   {} {}", s.card_agreement, cu.agreement_number.as_deref().unwrap_or("—")),
                t.normal,
            ),
        ])];
        if let Some(ch) = &ts.card.scheduled_change {
            header.push(Line::from(Span::styled(
                format!("{} {} → {}", s.card_scheduled, ch.effective_on.format("%d.%m.%Y"), ch.tariff_name),
                t.warn,
            )));
        }
        f.render_widget(Paragraph::new(header), head);
        let name_w = 40usize;
        let line_of = |marker: &str, name: &str, price: Money, period: Period, note: &str| {
            format!(
                "{marker}{}{}  {}{note}",
                fit(name, name_w),
                right(&money(price), 12),
                fit(period_name(s, period), 10)
            )
        };
        f.render_widget(
            Paragraph::new(Span::styled(
                format!("  {}{}  {}", fit(s.col_tariff, name_w), right(s.col_price, 12), s.col_period),
                t.dim,
            )),
            table_head,
        );
        let mut lines = Vec::new();
        if let Some(cur) = &ts.card.tariff {
            let note = format!("  ● {}", s.tariff_current);
            lines.push(Line::from(Span::styled(
                line_of("  ", &cur.name, cur.price, cur.period, &note),
                t.dim,
            )));
        }
        match &ts.tariffs {
            None => lines.push(Line::from(Span::styled(s.loading, t.dim))),
            Some(list) if list.is_empty() => lines.push(Line::from(Span::styled(s.tariff_none, t.dim))),
            Some(list) => {
                let rows =
                    (list_area.height as usize).saturating_sub(usize::from(ts.card.tariff.is_some())).max(1);
                let first = ts.selected.saturating_sub(rows.saturating_sub(1));
                for (i, tr) in list.iter().enumerate().skip(first).take(rows) {
                    let sel = i == ts.selected;
                    lines.push(Line::from(Span::styled(
                        line_of(if sel { "▶ " } else { "  " }, &tr.name, tr.price, tr.period, ""),
                        if sel { t.selected } else { t.normal },
                    )));
                }
            }
        }
        f.render_widget(Paragraph::new(lines), list_area);
        let when = match ts.when {
            When::Now => format!("{} ({})", s.tariff_now, ts.today.format("%d.%m.%Y")),
            When::NextPeriod => format!("{} ({})", s.tariff_next, ts.effective_on().format("%d.%m.%Y")),
        };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!(" {}: ", s.tariff_when), t.normal),
                Span::styled(format!("◂ {when} ▸"), t.input),
            ])),
            Rect { y: when_row.y + 1, height: 1, ..when_row },
        );
        if let Some(e) = &ts.error {
            f.render_widget(Paragraph::new(Span::styled(format!(" {e}"), t.error)), error_row);
        }
        let from_name = ts.card.tariff.as_ref().map(|x| x.name.clone()).unwrap_or_else(|| "—".into());
        match &ts.stage {
            TariffStage::List => {}
            TariffStage::Confirm | TariffStage::Saving => {
                let Some(to) = ts.chosen() else { return };
                let mut lines = vec![
                    Line::from(Span::styled(cu.name.clone(), t.title)),
                    Line::from(format!(
                        "{} {}",
                        s.card_agreement,
                        cu.agreement_number.as_deref().unwrap_or("—")
                    )),
                    Line::from(vec![
                        Span::raw(format!("{}: {from_name} → ", s.card_tariff)),
                        Span::styled(to.name.clone(), t.ok),
                    ]),
                    Line::from(format!("{} {}", money(to.price), period_name(s, to.period))),
                    Line::from(format!("{}: {when}", s.tariff_when)),
                    Line::from(""),
                ];
                if matches!(ts.stage, TariffStage::Saving) {
                    lines.push(Line::from(Span::styled(s.tariff_saving, t.dim)));
                } else {
                    lines.push(Line::from(Span::styled(s.tariff_confirm_question, t.accent)));
                }
                dialog(f, area, 64, s.tariff_title, lines);
            }
            TariffStage::Done(done) => {
                let what = if done.applied {
                    s.tariff_done_now.to_string()
                } else {
                    format!("{} {}", s.tariff_done_scheduled, done.effective_on.format("%d.%m.%Y"))
                };
                let lines = vec![
                    Line::from(Span::styled(cu.name.clone(), t.title)),
                    Line::from(vec![
                        Span::raw(format!("{}: {from_name} → ", s.card_tariff)),
                        Span::styled(done.to.name.clone(), t.ok),
                    ]),
                    Line::from(what),
                ];
                dialog(f, area, 64, s.tariff_done_title, lines);
            }
        }
    }
}
