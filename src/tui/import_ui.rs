//! The triage queue of bank lines (administration → «Выписки банка»): the lines not yet
//! posted, ↑↓ through them with the chosen one shown whole below; `a` accepts the proposed
//! customer, `m` matches by searching (the customer picker opens over the queue), `r`
//! remembers the payer as that customer, `s` skips with a reason, `p` posts every accepted
//! line after a question that gives their count and sum. Every answer is the service's.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::form::{FormKind, FormScreen, Values, field};
use super::keymap::Action;
use super::picker::PickKind;
use super::records::AfterSave;
use super::screens::list::{ListData, ListKind, ListScreen};
use super::screens::{Cx, Nav, Step, View};
use super::strings::Strings;
use super::widgets::money;
use super::widgets::table::{self, Column, Fit, GridRow};
use crate::domain::import::{BankLine, LineState, WAIT_NAMESAKES, WAIT_NOTHING, WAIT_SEVERAL};
use crate::domain::money::Money;
use crate::service::{Actor, Service, ServiceError};

/// The states the queue shows: what still waits for a decision or a post.
pub const OPEN: [LineState; 3] = [LineState::Waiting, LineState::Proposed, LineState::Accepted];

fn state_name(s: &Strings, st: LineState) -> &'static str {
    let d = s.desk;
    match st {
        LineState::Waiting => d.imp_waiting,
        LineState::Proposed => d.imp_proposed,
        LineState::Accepted => d.imp_accepted,
        LineState::Skipped => d.imp_skipped,
        LineState::Posted => d.imp_posted,
    }
}

fn rule_name(s: &Strings, l: &BankLine) -> String {
    let d = s.desk;
    let rule = match l.rule.as_deref() {
        Some("agreement") => d.imp_by_agreement,
        Some("account") => d.imp_by_account,
        Some("payer") => d.imp_by_payer,
        Some("name") => d.imp_by_name,
        Some("manual") => d.imp_by_hand,
        _ => return String::new(),
    };
    match l.certainty.as_deref() {
        Some("likely") => format!("{rule}, {}", d.imp_likely),
        _ => rule.to_string(),
    }
}

/// Why a line waits, in the console's words (the service keeps it in English).
fn why_waits(s: &Strings, l: &BankLine) -> String {
    let d = s.desk;
    match l.note.as_deref() {
        Some(n) if n.starts_with(WAIT_SEVERAL) => format!("{} {}", d.imp_several, &n[WAIT_SEVERAL.len()..]),
        Some(WAIT_NAMESAKES) => d.imp_namesakes.to_string(),
        Some(WAIT_NOTHING) | None => d.imp_nothing.to_string(),
        Some(other) => other.to_string(),
    }
}

fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_else(|| "—".into())
}

/// The chosen line whole: the document, the payer, the purpose, the proposal or why it waits.
fn line_whole(s: &Strings, t: &super::theme::Theme, l: &BankLine) -> Vec<Line<'static>> {
    let d = s.desk;
    let mut out = vec![
        Line::from(Span::styled(
            format!(
                "{} № {} {} {} · {} · {}",
                d.imp_document,
                l.doc_number,
                d.bank_of,
                day(l.doc_date),
                money(l.amount),
                l.source
            ),
            t.title,
        )),
        Line::from(format!(
            "{}: {}{}{}",
            d.imp_payer,
            l.payer,
            if l.payer_account.is_empty() {
                String::new()
            } else {
                format!(" · {} {}", d.imp_account, l.payer_account)
            },
            if l.payer_inn.is_empty() { String::new() } else { format!(" · ИНН {}", l.payer_inn) }
        )),
        Line::from(format!("{}: {}", d.imp_purpose, l.purpose)),
    ];
    if let Some(p) = l.paid_on {
        out.push(Line::from(format!("{} {}", d.bank_paid_on, day(Some(p)))));
    }
    let decision = match (l.state, &l.customer_name) {
        (LineState::Skipped, _) => {
            Span::styled(format!("{}: {}", d.imp_skipped, l.note.clone().unwrap_or_default()), t.dim)
        }
        (_, Some(name)) => Span::styled(
            format!("→ {} {} ({})", l.agreement.as_deref().unwrap_or("—"), name, rule_name(s, l)),
            t.ok,
        ),
        _ => Span::styled(why_waits(s, l), t.warn),
    };
    out.push(Line::from(decision));
    out
}

/// Draws the queue; false when `l` is another list.
pub fn draw_list(f: &mut Frame, v: &View, l: &ListScreen, area: Rect) -> bool {
    if !matches!(l.kind, ListKind::ImportQueue | ListKind::ImportLine(_)) {
        return false;
    }
    let (s, t) = (v.s, v.t);
    let d = s.desk;
    if let Some(ListData::ImportLine(x)) = &l.data {
        let mut lines = vec![Line::from(Span::styled(
            format!("{} {} · {}", d.imp_line_title, x.id, state_name(s, x.state)),
            t.dim,
        ))];
        lines.extend(line_whole(s, t, x));
        if let Some(op) = x.operation_id {
            lines.push(Line::from(format!("{} {op}", d.imp_posted)));
        }
        if let Some(e) = &l.error {
            lines.push(Line::from(Span::styled(e.clone(), t.error)));
        }
        f.render_widget(
            ratatui::widgets::Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
            area,
        );
        return true;
    }
    let Some(ListData::Import(lines)) = &l.data else {
        l.draw_unloaded(f, v, area);
        return true;
    };
    let accepted: Vec<&BankLine> = lines.iter().filter(|x| x.state == LineState::Accepted).collect();
    let sum: i64 = accepted.iter().map(|x| x.amount.minor()).sum();
    let mut head = vec![Line::from(Span::styled(
        format!("{}: {} · {} {}", d.imp_to_post, accepted.len(), d.imp_for, money(Money::from_minor(sum))),
        t.dim,
    ))];
    if let Some(e) = &l.error {
        head.push(Line::from(Span::styled(e.clone(), t.error)));
    }
    if lines.is_empty() {
        head.push(Line::from(Span::styled(d.imp_empty, t.dim)));
    }
    // the chosen line whole, under the list
    let whole = lines.get(l.selected).map(|x| line_whole(s, t, x)).unwrap_or_default();
    let below = whole.len() as u16 + 1;
    let list_area = Rect { height: area.height.saturating_sub(below), ..area };
    let columns = vec![
        Column::new("№", Fit::Number),
        Column::new(d.imp_col_state, Fit::Fixed),
        Column::new(d.imp_col_date, Fit::Fixed),
        Column::new(d.col_amount, Fit::Number),
        Column::new(d.imp_payer, Fit::Text),
        Column::new(d.col_customer, Fit::Text),
    ];
    let rows: Vec<GridRow> = lines
        .iter()
        .map(|x| {
            let whom = match &x.customer_name {
                Some(n) => format!("{} {n}", x.agreement.as_deref().unwrap_or("—")),
                None => "—".into(),
            };
            let style = match x.state {
                LineState::Accepted => Some(t.ok),
                LineState::Waiting => Some(t.warn),
                _ => None,
            };
            GridRow::new(vec![
                x.id.to_string(),
                state_name(s, x.state).to_string(),
                day(x.paid_on.or(x.doc_date)),
                money(x.amount),
                x.payer.clone(),
                whom,
            ])
            .style(style)
        })
        .collect();
    table::draw_below(f, t, list_area, head, &columns, &rows, l.selected);
    if area.height > below {
        let r = Rect { y: area.y + area.height - below + 1, height: below - 1, ..area };
        f.render_widget(ratatui::widgets::Paragraph::new(whole), r);
    }
    true
}

/// The queue's keys.
pub fn import_key(cx: &mut Cx, l: &ListScreen, action: Option<Action>) -> Option<Step> {
    let (lines, line): (&[BankLine], Option<&BankLine>) = match l.data.as_ref()? {
        ListData::Import(v) => {
            // the chosen line whole, on a screen of its own
            if action == Some(Action::Open) {
                return Some(Step::go(Nav::OpenList(ListKind::ImportLine(v.get(l.selected)?.id))));
            }
            (v.as_slice(), v.get(l.selected))
        }
        // the post is the queue's: from one line it would count that line alone
        ListData::ImportLine(_) if action == Some(Action::ImportPost) => return None,
        ListData::ImportLine(x) => (std::slice::from_ref(x.as_ref()), Some(x.as_ref())),
        _ => return None,
    };
    let s = cx.s;
    let subject = |x: &BankLine| {
        format!(
            "№ {} · {} · {}{}",
            x.id,
            money(x.amount),
            x.payer,
            x.customer_name
                .as_ref()
                .map(|n| format!(" → {} {n}", x.agreement.as_deref().unwrap_or("—")))
                .unwrap_or_default()
        )
    };
    let form = match action? {
        Action::ImportAccept => FormScreen::question(FormKind::ImportAccept(line?.id), subject(line?)),
        Action::ImportRemember => FormScreen::question(FormKind::ImportRemember(line?.id), subject(line?)),
        // the customer search opens over the queue; the one picked is asked about
        Action::ImportMatch => {
            return Some(Step::go(Nav::OpenPicker {
                kind: PickKind::Customer,
                purpose: super::picker::PickFor::BankLine(line?.id),
                typed: String::new(),
            }));
        }
        Action::ImportSkip => {
            let mut f = FormScreen::new(
                FormKind::ImportSkip(line?.id),
                vec![field("reason", |s| s.desk.f_reason, 200, "")],
            );
            f.subject = Some(subject(line?));
            f
        }
        Action::ImportFile => FormScreen::new(
            FormKind::ImportFile,
            vec![field("file", |s| s.desk.f_file, 500, ""), field("preset", |s| s.desk.f_preset, 40, "")],
        ),
        Action::ImportPost => {
            let accepted: Vec<&BankLine> = lines.iter().filter(|x| x.state == LineState::Accepted).collect();
            let sum: i64 = accepted.iter().map(|x| x.amount.minor()).sum();
            FormScreen::question(
                FormKind::ImportPost,
                format!(
                    "{} {} · {} {}",
                    accepted.len(),
                    s.desk.imp_lines,
                    s.desk.imp_for,
                    money(Money::from_minor(sum))
                ),
            )
        }
        _ => return None,
    };
    Some(Step::go(Nav::OpenForm(Box::new(form))))
}

/// Saves a queue's form.
pub async fn save(
    svc: &Service,
    a: &Actor,
    kind: &FormKind,
    values: &Values,
) -> Result<AfterSave, ServiceError> {
    if let FormKind::ImportFile = kind {
        let preset = values.text("preset");
        let r = svc.import_file(a, &values.text("file"), Some(preset.as_str())).await?;
        return Ok(AfterSave::Loaded {
            documents: r.documents,
            new_lines: r.new_lines,
            proposed: r.proposed,
            known: r.already_known,
        });
    }
    match kind {
        FormKind::ImportAccept(id) => svc.import_accept(a, *id, None).await.map(drop),
        FormKind::ImportMatch(id, customer) => svc.import_accept(a, *id, Some(*customer)).await.map(drop),
        FormKind::ImportRemember(id) => svc.import_remember(a, *id).await.map(drop),
        FormKind::ImportSkip(id) => svc.import_skip(a, *id, &values.text("reason")).await.map(drop),
        FormKind::ImportPost => {
            // a refused line stays accepted; its refusal is said in the console's words
            let (_, refused) = svc.import_post_refusals(a).await?;
            match refused.into_iter().next() {
                Some((_, why)) => Err(why),
                None => Ok(()),
            }
        }
        other => Err(super::records::not_mine(other)),
    }
    .map(|_| AfterSave::Reload)
}
