//! A form: groups of fields under their headings, scrolled so the focused field is always on
//! the screen, each complaint under its field; a choice shows `◂ value ▸`, a picked field what
//! was picked; a form without fields is a question in a box. What a form is made of (its
//! fields, the request it builds) is in `tui::form`; how it behaves and looks is here.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Cx, Nav, Step, View};
use crate::domain::money::Money;
use crate::domain::role::Permission;
use crate::domain::text::fit_width as fit;
use crate::service::ServiceError;
use crate::tui::app::{Effect, Outcome};
use crate::tui::form::{FieldKind, FormField, FormKind, FormScreen, FormStage};
use crate::tui::keymap::{Action, Context};
use crate::tui::picker::PickFor;
use crate::tui::refusals;
use crate::tui::strings::Strings;
use crate::tui::theme::Theme;
use crate::tui::widgets::{dialog, dialog_wrapped};

/// The field that names what a "not found" is about.
fn field_named(e: &ServiceError) -> Option<&'static str> {
    match e {
        ServiceError::NotFound(crate::service::Entity::Switch, _) => Some("switch"),
        ServiceError::NotFound(crate::service::Entity::House, _) => Some("house_id"),
        _ => None,
    }
}

impl FormScreen {
    pub fn context(&self) -> Context {
        if self.stage == FormStage::Edit && !self.fields.is_empty() {
            match self.focused().map(|x| &x.kind) {
                Some(FieldKind::Choice { .. }) => Context::FormChoice,
                Some(FieldKind::Pick { .. }) => Context::FormPick,
                _ => Context::Form,
            }
        } else {
            Context::FormConfirm
        }
    }

    /// Pasted text goes to the focused text field.
    pub fn paste(&mut self, text: &str) {
        if self.stage == FormStage::Edit
            && let Some(x) = self.fields.get_mut(self.focus)
            && x.kind == FieldKind::Text
        {
            x.input.insert(text);
        }
    }

    /// Sends the form (`take_over`: the operator agreed to move a port's holder).
    fn submit(&mut self, cx: &mut Cx, take_over: bool) -> Step {
        let req = cx.req();
        self.error = None;
        self.stage = FormStage::Saving;
        self.pending = Some(req);
        Step::run(Effect::SaveForm { req, kind: self.kind.clone(), values: self.values(), take_over })
    }

    /// The search for the focused pick field, with `typed` already in it.
    fn open_pick(&self, typed: String) -> Step {
        let Some(FormField { kind: FieldKind::Pick { kind, .. }, .. }) = self.focused() else {
            return Step::none();
        };
        Step::go(Nav::OpenPicker { kind: *kind, purpose: PickFor::Field(self.focus), typed })
    }

    pub fn key(&mut self, cx: &mut Cx, ev: &KeyEvent, action: Option<Action>) -> Step {
        let can_reveal = cx.actor.is_some_and(|a| a.can(Permission::SwitchSecrets));
        let differ = cx.s.adm.passwords_differ;
        let fm = self;
        let n = fm.fields.len();
        match (&fm.stage, action) {
            // edits are never thrown away without asking
            (FormStage::Edit, Some(Action::Back)) if fm.fields.iter().any(|f| f.value() != f.initial) => {
                fm.stage = FormStage::ConfirmDiscard;
            }
            (FormStage::Edit, Some(Action::Back)) => return Step::go(Nav::Pop),
            (FormStage::ConfirmDiscard, Some(Action::Confirm)) => return Step::go(Nav::Pop),
            (FormStage::ConfirmDiscard, Some(Action::Back)) => fm.stage = FormStage::Edit,
            (FormStage::Edit, Some(Action::NextField)) if n > 0 => fm.focus = (fm.focus + 1) % n,
            (FormStage::Edit, Some(Action::PrevField)) if n > 0 => fm.focus = (fm.focus + n - 1) % n,
            (FormStage::Edit, Some(Action::NextChoice)) => {
                if let Some(f) = fm.fields.get_mut(fm.focus) {
                    f.step(1);
                    fm.error = None;
                }
            }
            (FormStage::Edit, Some(Action::PrevChoice)) => {
                if let Some(f) = fm.fields.get_mut(fm.focus) {
                    f.step(-1);
                    fm.error = None;
                }
            }
            (FormStage::Edit, Some(Action::Pick)) => return fm.open_pick(String::new()),
            (FormStage::Edit, Some(Action::Reveal)) if can_reveal && fm.fields.iter().any(|f| f.secret) => {
                if fm.revealed {
                    fm.show_secrets(false);
                } else if let FormKind::SwitchEdit(id) = fm.kind {
                    let req = cx.req();
                    fm.pending = Some(req);
                    return Step::run(Effect::Secrets { req, switch_id: id });
                } else {
                    fm.show_secrets(true);
                }
            }
            (FormStage::Edit, Some(Action::Clear)) => {
                if let Some(f) = fm.fields.get_mut(fm.focus) {
                    match f.kind {
                        FieldKind::Pick { .. } => f.set_pick(None, ""),
                        _ => f.input.clear(),
                    }
                }
                fm.error = None;
            }
            // money is asked about, balance before and after, before it moves
            // a refund: how much leaves the drawer, asked before it does
            (FormStage::Edit, Some(Action::Submit)) if matches!(fm.kind, FormKind::Refund(_)) => {
                let text =
                    fm.fields.iter().find(|f| f.name == "amount").map(|f| f.value()).unwrap_or_default();
                match Money::parse_positive(text.trim()) {
                    Ok(m) => {
                        fm.error = None;
                        fm.stage = FormStage::ConfirmMoney(format!(
                            "{} {}?",
                            cx.s.desk.refund_question,
                            m.format_ru()
                        ));
                    }
                    Err(e) => fm.error = Some((0, cx.money_error_text(&e))),
                }
            }
            (FormStage::Edit, Some(Action::Submit)) if matches!(fm.kind, FormKind::Reverse(_)) => {
                fm.error = None;
                fm.stage = FormStage::ConfirmMoney(cx.s.adm.reverse_question.to_string());
            }
            (FormStage::Edit, Some(Action::Submit))
                if matches!(fm.kind, FormKind::Charge(_) | FormKind::Correction(_)) =>
            {
                let text =
                    fm.fields.iter().find(|f| f.name == "amount").map(|f| f.value()).unwrap_or_default();
                let parsed = match fm.kind {
                    FormKind::Charge(_) => {
                        Money::parse_positive(&text).map(|m| Money::from_minor(-m.minor()))
                    }
                    _ => Money::parse(&text),
                };
                match parsed {
                    Ok(delta) => {
                        let before = fm.balance.unwrap_or(Money::ZERO);
                        let after = Money::from_minor(before.minor() + delta.minor());
                        fm.error = None;
                        fm.stage = FormStage::ConfirmMoney(format!(
                            "{} {} → {}",
                            cx.s.adm.money_question,
                            before.format_ru(),
                            after.format_ru()
                        ));
                    }
                    Err(e) => {
                        fm.focus = 0;
                        fm.error = Some((0, cx.money_error_text(&e)));
                    }
                }
            }
            // the drawer's money: the amount asked about before it is counted or moved
            (FormStage::Edit, Some(Action::Submit))
                if matches!(
                    fm.kind,
                    FormKind::ShiftOpen | FormKind::CashIn | FormKind::CashOut | FormKind::ShiftClose
                ) =>
            {
                let d = cx.s.desk;
                let text = fm.fields.first().map(|f| f.value()).unwrap_or_default();
                match Money::parse(text.trim()) {
                    Ok(m) => {
                        let question = match fm.kind {
                            FormKind::ShiftOpen => d.q_open,
                            FormKind::CashIn => d.q_cash_in,
                            FormKind::CashOut => d.q_cash_out,
                            _ => d.q_close,
                        };
                        let reason = fm.fields.get(1).map(|f| f.value()).filter(|r| !r.trim().is_empty());
                        let reason = reason.map(|r| format!(" ({})", r.trim())).unwrap_or_default();
                        fm.error = None;
                        fm.stage = FormStage::ConfirmMoney(format!("{question} {}{reason}?", m.format_ru()));
                    }
                    Err(e) => {
                        fm.focus = 0;
                        fm.error = Some((0, cx.money_error_text(&e)));
                    }
                }
            }
            (FormStage::ConfirmMoney(_), Some(Action::Confirm)) => return fm.submit(cx, false),
            (FormStage::ConfirmMoney(_), Some(Action::Back)) => fm.stage = FormStage::Edit,
            (FormStage::Edit, Some(Action::Submit)) => {
                // a new password is typed twice: a typo is caught here, before anything is sent
                let values = fm.values();
                if let (Some(a), Some(b)) = (values.get("password"), values.get("password2"))
                    && a != b
                    && let Some(at) = fm.fields.iter().position(|f| f.name == "password2")
                {
                    fm.focus = at;
                    fm.error = Some((at, differ.to_string()));
                    return Step::none();
                }
                return fm.submit(cx, false);
            }
            // a question without fields
            (FormStage::Edit, Some(Action::Confirm)) if n == 0 => return fm.submit(cx, false),
            (FormStage::Edit, _) => {
                let Some(f) = fm.fields.get_mut(fm.focus) else { return Step::none() };
                match (&f.kind, ev.code) {
                    // typing on a picked field starts the search with what was typed
                    (FieldKind::Pick { .. }, KeyCode::Char(c))
                        if !ev.modifiers.contains(KeyModifiers::CONTROL) =>
                    {
                        return fm.open_pick(c.to_string());
                    }
                    // an edit clears the complaint shown
                    (FieldKind::Text, _) => {
                        let changed = f.input.handle(ev) == Some(true);
                        fm.error = fm.error.take().filter(|_| !changed);
                    }
                    _ => {}
                }
            }
            (FormStage::ConfirmMove(_), Some(Action::Confirm)) => return fm.submit(cx, true),
            (FormStage::ConfirmMove(_), Some(Action::Back)) => fm.stage = FormStage::Edit,
            _ => {}
        }
        Step::none()
    }

    /// The result of saving: done (the form closes, and what it changed is shown), a port
    /// someone holds (asked whether to move them), a refusal (under its field when it names
    /// one); or the switch's credentials asked for with Ctrl-R.
    pub fn answer(&mut self, cx: &mut Cx, outcome: Outcome) -> Step {
        let fm = self;
        match outcome {
            Outcome::Saved(Ok(after)) => return Step::go(Nav::Saved(after)),
            Outcome::Saved(Err(e @ ServiceError::PortTaken { .. })) => {
                fm.stage = FormStage::ConfirmMove(cx.error_text(&e));
            }
            Outcome::Saved(Err(e @ ServiceError::PromiseRefused(_))) => {
                fm.stage = FormStage::Edit;
                fm.error = Some((usize::MAX, cx.error_text(&e)));
            }
            Outcome::Saved(Err(ServiceError::Invalid { field, problem })) => {
                fm.stage = FormStage::Edit;
                match fm.fields.iter().position(|f| f.name == field) {
                    Some(i) => {
                        fm.focus = i;
                        fm.error = Some((i, refusals::problem(cx.s, &problem)));
                    }
                    None => {
                        let e = ServiceError::Invalid { field, problem };
                        fm.error = Some((usize::MAX, cx.error_text(&e)));
                    }
                }
            }
            // something named in a field that is not there: said under that field
            Outcome::Saved(Err(e @ ServiceError::NotFound(..)))
                if fm.fields.iter().any(|f| Some(f.name) == field_named(&e)) =>
            {
                fm.stage = FormStage::Edit;
                let i = fm.fields.iter().position(|f| Some(f.name) == field_named(&e)).unwrap_or(usize::MAX);
                fm.focus = i.min(fm.fields.len().saturating_sub(1));
                fm.error = Some((i, cx.error_text(&e)));
            }
            Outcome::Saved(Err(e)) => {
                fm.stage = FormStage::Edit;
                fm.error = Some((usize::MAX, cx.error_text(&e)));
            }
            Outcome::Secrets(Ok(sw)) => {
                for f in fm.fields.iter_mut() {
                    let shown = match f.name {
                        "snmp_community" => &sw.snmp_community,
                        "ssh_password" => &sw.ssh_password,
                        "telnet_password" => &sw.telnet_password,
                        _ => continue,
                    };
                    // shown, not typed: not an edit to ask about on Esc
                    f.input.set(shown);
                    f.initial = f.value();
                }
                fm.show_secrets(true);
            }
            Outcome::Secrets(Err(e)) => fm.error = Some((usize::MAX, cx.error_text(&e))),
            _ => {}
        }
        Step::none()
    }

    /// The form (or its question), its complaints, and a question about moving a port's holder.
    pub fn draw(&self, f: &mut Frame, v: &View, area: Rect) {
        draw_form(f, v, self, area);
    }
}

const LABEL_W: usize = 20;

/// One row of the form as drawn.
enum Row {
    Heading(&'static str),
    Field(usize),
    Error(String),
}

fn rows(fm: &FormScreen, s: &Strings) -> Vec<Row> {
    let mut out = Vec::new();
    for (i, f) in fm.fields.iter().enumerate() {
        if let Some(section) = f.section {
            if i > 0 {
                out.push(Row::Heading(""));
            }
            out.push(Row::Heading(section(s)));
        }
        out.push(Row::Field(i));
        if let Some((at, msg)) = &fm.error
            && *at == i
        {
            out.push(Row::Error(msg.clone()));
        }
    }
    out
}

/// The value part of a field's line and where the cursor goes in it, if anywhere.
fn value(
    fd: &FormField,
    s: &Strings,
    t: &Theme,
    width: usize,
    focused: bool,
    kept: bool,
) -> (Vec<Span<'static>>, Option<usize>) {
    let placeholder = |text: &str| Span::styled(fit(text, width), t.dim);
    match &fd.kind {
        FieldKind::Choice { options, at } => {
            let shown = options.get(*at).map(|o| o.1.as_str()).unwrap_or("");
            let style = if focused { t.accent } else { t.input };
            (vec![Span::styled(format!("◂ {shown} ▸"), style)], None)
        }
        FieldKind::Pick { .. } => {
            if fd.input.is_empty() {
                let hint = fd.hint.map(|h| h(s)).unwrap_or(s.adm.none);
                (vec![placeholder(hint)], None)
            } else {
                (vec![Span::styled(fit(&fd.input.text(), width), t.input)], None)
            }
        }
        FieldKind::Text => {
            let (text, cursor) = fd.input.view(width);
            let hint = if kept { Some(s.net.secret_kept) } else { fd.hint.map(|h| h(s)) };
            match hint {
                Some(h) if fd.input.is_empty() => (vec![placeholder(h)], focused.then_some(0)),
                _ => (vec![Span::styled(fit(&text, width), t.input)], focused.then_some(cursor)),
            }
        }
    }
}

fn draw_form(f: &mut Frame, v: &View, fm: &FormScreen, area: Rect) {
    let s = v.s;
    let t = v.t;
    if fm.fields.is_empty() {
        draw_question(f, v, fm, area);
        return;
    }
    // a long subject (whose form it is, the rules it keeps) takes a second line, never cut,
    // and is broken after one of its separators, never inside an amount ("1 000,00")
    let name = fm.title(s);
    let (first, rest) = match &fm.subject {
        Some(subject) => {
            split_subject(subject, (area.width as usize).saturating_sub(Span::raw(name).width() + 3))
        }
        None => (String::new(), String::new()),
    };
    let mut title = vec![Line::from(vec![
        Span::styled(name, t.title),
        Span::styled(if fm.subject.is_some() { format!(" — {first}") } else { String::new() }, t.normal),
    ])];
    if !rest.is_empty() {
        title.push(Line::from(Span::styled(rest, t.normal)));
    }
    let title_rows = title.len() as u16;
    f.render_widget(Paragraph::new(title).wrap(Wrap { trim: true }), Rect { height: title_rows, ..area });
    let editing = fm.stage == FormStage::Edit && !v.help;
    let all = rows(fm, s);
    let top = area.y + 1 + title_rows;
    let height = area.height.saturating_sub(2 + title_rows) as usize;
    // scrolled so that the focused field (and its complaint) is on the screen
    let focus_row = all.iter().position(|r| matches!(r, Row::Field(i) if *i == fm.focus)).unwrap_or(0);
    let below = usize::from(matches!(all.get(focus_row + 1), Some(Row::Error(_))));
    let first = (focus_row + below + 1).saturating_sub(height);
    let width = (area.width as usize).saturating_sub(LABEL_W + 2).min(44);
    for (n, row) in all.iter().enumerate().skip(first).take(height) {
        let r = Rect { y: top + (n - first) as u16, height: 1, ..area };
        match row {
            Row::Heading("") => {}
            Row::Heading(h) => {
                f.render_widget(Paragraph::new(Span::styled(format!("── {h} ──"), t.accent)), r);
            }
            Row::Error(msg) => {
                let x = area.x + LABEL_W as u16 + 2;
                let r = Rect { x, width: area.width.saturating_sub(x - area.x), ..r };
                f.render_widget(Paragraph::new(Span::styled(msg.clone(), t.error)), r);
            }
            Row::Field(i) => {
                let fd = &fm.fields[*i];
                let focused = editing && *i == fm.focus;
                let kept = fd.secret && !fm.revealed && matches!(fm.kind, FormKind::SwitchEdit(_));
                let marker = if focused { "▸" } else { " " };
                let mut spans = vec![
                    Span::styled(
                        format!("{marker}{}", fit((fd.label)(s), LABEL_W)),
                        if focused { t.accent } else { t.normal },
                    ),
                    Span::raw(" "),
                ];
                let (v, cursor) = value(fd, s, t, width, focused, kept);
                spans.extend(v);
                f.render_widget(Paragraph::new(Line::from(spans)), r);
                if let Some(c) = cursor {
                    f.set_cursor_position(Position { x: area.x + (LABEL_W + 2 + c) as u16, y: r.y });
                }
            }
        }
    }
    // the rows above or below the window, said in the last line
    let bottom = Rect { y: area.y + area.height.saturating_sub(1), height: 1, ..area };
    if let Some((at, msg)) = &fm.error
        && *at >= fm.fields.len()
    {
        f.render_widget(Paragraph::new(Span::styled(msg.clone(), t.error)).wrap(Wrap { trim: true }), bottom);
    } else if first > 0 || first + height < all.len() {
        let more = format!(
            "{}{}",
            if first > 0 { "▲ " } else { "  " },
            if first + height < all.len() { "▼" } else { "" }
        );
        f.render_widget(Paragraph::new(Span::styled(more, t.dim)), bottom);
    }
    match &fm.stage {
        FormStage::Saving => {
            dialog(f, area, 40, fm.title(s), vec![Line::from(Span::styled(s.net.saving, t.dim))])
        }
        FormStage::ConfirmMove(why) => {
            let body = vec![
                Line::from(Span::styled(why.clone(), t.warn)),
                Line::from(""),
                Line::from(Span::styled(s.net.move_question, t.title)),
                Line::from(Span::styled(
                    format!("Enter / y — {}   Esc / n — {}", s.key_apply, s.key_cancel),
                    t.key,
                )),
            ];
            dialog_wrapped(f, area, 72, fm.title(s), body);
        }
        FormStage::ConfirmMoney(question) => {
            let mut body = Vec::new();
            if let Some(subject) = &fm.subject {
                body.push(Line::from(Span::styled(subject.clone(), t.normal)));
            }
            let amount = fm.fields.iter().find(|f| f.name == "amount").map(|f| f.value()).unwrap_or_default();
            body.push(Line::from(Span::styled(format!("{}: {amount}", fm.title(s)), t.title)));
            body.push(Line::from(Span::styled(question.clone(), t.warn)));
            body.push(Line::from(""));
            body.push(Line::from(Span::styled(s.adm.confirm_keys, t.key)));
            dialog_wrapped(f, area, 64, fm.title(s), body);
        }
        FormStage::ConfirmDiscard => {
            let body = vec![
                Line::from(Span::styled(s.adm.discard_question, t.title)),
                Line::from(""),
                Line::from(Span::styled(
                    format!("Enter / y — {}   Esc / n — {}", s.adm.discard_yes, s.adm.discard_no),
                    t.key,
                )),
            ];
            dialog_wrapped(f, area, 64, fm.title(s), body);
        }
        FormStage::Edit => {}
    }
}

/// `subject` as what fits in `width` and the rest, broken after a separator (" · ", ", ")
/// where one is; otherwise at the last space that fits (the paragraph wraps what is still
/// too long).
fn split_subject(subject: &str, width: usize) -> (String, String) {
    if Span::raw(subject).width() <= width {
        return (subject.to_string(), String::new());
    }
    let fits = |end: usize| Span::raw(subject[..end].trim_end()).width() <= width;
    let at_separator = subject
        .match_indices(" · ")
        .map(|(i, m)| i + m.len())
        .chain(subject.match_indices(", ").map(|(i, m)| i + m.len()))
        .filter(|end| fits(*end))
        .max();
    let at_space = subject.match_indices(' ').map(|(i, _)| i + 1).filter(|end| fits(*end)).max();
    match at_separator.or(at_space) {
        Some(end) => (subject[..end].trim_end().to_string(), subject[end..].to_string()),
        None => (String::new(), subject.to_string()),
    }
}

/// A form without fields: its question, what it is about, and why it was refused if it was.
fn draw_question(f: &mut Frame, v: &View, fm: &FormScreen, area: Rect) {
    let s = v.s;
    let t = v.t;
    let mut body = vec![Line::from(Span::styled(fm.title(s), t.title))];
    if let Some(subject) = &fm.subject {
        body.push(Line::from(Span::styled(subject.clone(), t.normal)));
    }
    body.push(Line::from(""));
    if fm.stage == FormStage::Saving {
        body.push(Line::from(Span::styled(s.net.saving, t.dim)));
    } else {
        if let Some((_, e)) = &fm.error {
            body.push(Line::from(Span::styled(e.clone(), t.error)));
            body.push(Line::from(""));
        }
        body.push(Line::from(Span::styled(s.adm.confirm_keys, t.key)));
    }
    dialog_wrapped(f, area, 64, "", body);
}

#[cfg(test)]
mod tests {
    use super::split_subject;

    #[test]
    fn a_subject_breaks_after_a_separator_never_inside_an_amount() {
        let s = "10002 Шубин Богдан · Баланс 0,00 · не больше 1 000,00, дней до 5";
        let (first, rest) = split_subject(s, 50);
        assert_eq!(first, "10002 Шубин Богдан · Баланс 0,00 ·");
        assert_eq!(rest, "не больше 1 000,00, дней до 5");
        assert_eq!(split_subject(s, 200), (s.to_string(), String::new()));
        // no separator that fits: the last space that does
        assert_eq!(split_subject("один два три", 7), ("один".into(), "два три".into()));
    }
}
