//! Drawing the form: groups of fields under their headings, scrolled so the focused field is
//! always on the screen, each complaint under its field; a choice shows `◂ value ▸`, a picked
//! field what was picked; a form without fields is a question in a box.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{App, Screen};
use super::form::{FieldKind, FormField, FormKind, FormScreen, FormStage};
use super::strings::Strings;
use super::theme::Theme;
use super::ui::dialog;
use crate::domain::text::fit_width as fit;

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

pub fn draw_form(f: &mut Frame, app: &App, screen: &Screen, area: Rect) {
    let Screen::Form(fm) = screen else { return };
    let s = app.strings();
    let t = &app.theme;
    if fm.fields.is_empty() {
        draw_question(f, app, fm, area);
        return;
    }
    let mut title = vec![Span::styled(fm.title(s), t.title)];
    if let Some(subject) = &fm.subject {
        title.push(Span::styled(format!(" — {subject}"), t.normal));
    }
    f.render_widget(Paragraph::new(Line::from(title)), Rect { height: 1, ..area });
    let editing = fm.stage == FormStage::Edit && !app.help;
    let all = rows(fm, s);
    let top = area.y + 2;
    let height = area.height.saturating_sub(3) as usize;
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
        FormStage::Edit => {}
    }
}

/// A form without fields: its question, what it is about, and why it was refused if it was.
fn draw_question(f: &mut Frame, app: &App, fm: &FormScreen, area: Rect) {
    let s = app.strings();
    let t = &app.theme;
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

/// A dialog whose lines may wrap (a long conflict message).
pub fn dialog_wrapped(f: &mut Frame, area: Rect, width: u16, title: &str, lines: Vec<Line<'static>>) {
    let inner = width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let h = (rows as u16 + 3).min(area.height);
    let w = width.min(area.width);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + area.height.saturating_sub(h) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::ALL).title(title.to_string())),
        r,
    );
}
