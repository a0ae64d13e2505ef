//! Drawing. Rendering reads the state and never changes it. Every screen fits 80×24; below
//! that the console says how big the window must be. Meaning never rests on colour alone:
//! the selected row also has a marker, a debt also has a minus sign and a word.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::app::{App, Screen};
use super::keymap::{Context, bindings};
use super::screens::View;
use super::strings::{Lang, role_name};
use super::widgets::right;
use crate::domain::text::fit_width as fit;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// `Ленина 5а-12`: the street without its type word, for the narrow list column.
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let s = app.strings();
    let t = &app.theme;
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!("{} ({}×{})", s.too_small, area.width, area.height);
        let y = area.y + area.height / 2;
        f.render_widget(
            Paragraph::new(msg).style(t.error).wrap(ratatui::widgets::Wrap { trim: true }),
            Rect { y, height: area.height - area.height / 2, ..area },
        );
        return;
    }
    let [top, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_top(f, app, top);
    // a question is asked over the screen it is about
    if let Some(under) = app.under_question() {
        draw_screen(f, app, under, body);
    }
    draw_screen(f, app, app.screen(), body);
    if let Some(c) = &app.command {
        let width = (status.width as usize).saturating_sub(2);
        let (text, cursor) = c.input.view(width);
        f.render_widget(Paragraph::new(Line::from(vec![Span::styled(":", t.key), Span::raw(text)])), status);
        if !app.help {
            f.set_cursor_position(Position { x: status.x + 1 + cursor as u16, y: status.y });
        }
    } else if let Some(msg) = &app.status {
        f.render_widget(Paragraph::new(Line::from(Span::styled(format!(" {msg}"), t.error))), status);
    }
    draw_hints(f, app, hints);
    if app.help {
        draw_help(f, app, body);
    }
}

fn draw_screen(f: &mut Frame, app: &App, screen: &Screen, body: Rect) {
    let v =
        View { s: app.strings(), t: &app.theme, help: app.help, demo: app.demo, actor: app.actor.as_ref() };
    match screen {
        Screen::Login(l) => l.draw(f, &v, body),
        Screen::Search(sc) => sc.draw(f, &v, body),
        Screen::Card(c) => c.draw(f, &v, body),
        Screen::Pay(p) => p.draw(f, &v, body),
        Screen::History(h) => h.draw(f, &v, body),
        Screen::Tariff(t) => t.draw(f, &v, body),
        Screen::List(l) => l.draw(f, &v, body),
        Screen::Network(n) => n.draw(f, &v, body),
        Screen::Form(fm) => fm.draw(f, &v, body),
        Screen::Picker(p) => p.draw(f, &v, body),
        Screen::Merge(m) => m.draw(f, &v, body),
    }
}

fn draw_top(f: &mut Frame, app: &App, area: Rect) {
    let s = app.strings();
    let t = &app.theme;
    let shown = app.under_question().unwrap_or(app.screen());
    let title = match shown {
        Screen::Login(_) => s.login_title,
        Screen::Search(_) => s.search_title,
        Screen::Card(_) => s.card_title,
        Screen::Pay(_) => s.pay_title,
        Screen::History(_) => s.history_title,
        Screen::Tariff(_) => s.tariff_title,
        Screen::List(_) | Screen::Network(_) | Screen::Form(_) => super::net_ui::title(app, shown),
        Screen::Picker(_) | Screen::Merge(_) => super::records_ui::title(app, shown),
    };
    let who =
        app.actor.as_ref().map(|a| format!(" │ {} ({})", a.name, role_name(s, a.role))).unwrap_or_default();
    let lang = match app.lang {
        Lang::Ru => "RU",
        Lang::En => "EN",
    };
    let left = format!(" {}{who} │ {title}", s.app_title);
    let width = area.width as usize;
    let line = format!("{}{}", fit(&left, width.saturating_sub(4)), right(lang, 4));
    f.render_widget(Paragraph::new(Line::from(Span::styled(line, t.title))), area);
}

/// Whether the operator's role may do `action` (what it may not is never offered).
fn offered(app: &App, action: super::keymap::Action) -> bool {
    match (action.permission(), &app.actor) {
        (None, _) => true,
        (Some(p), Some(actor)) => actor.can(p),
        (Some(_), None) => false,
    }
}

fn draw_hints(f: &mut Frame, app: &App, area: Rect) {
    let s = app.strings();
    let t = &app.theme;
    let hints: Vec<_> = bindings(app.context()).filter(|b| b.hint && offered(app, b.action)).collect();
    let text = |b: &super::keymap::Binding| {
        let key = b.keys.first().map(|k| k.label()).unwrap_or_default();
        (format!(" {key}"), format!(" {} ", (b.label)(s)))
    };
    let width = |b: &super::keymap::Binding| {
        let (k, l) = text(b);
        unicode_width::UnicodeWidthStr::width(k.as_str()) + unicode_width::UnicodeWidthStr::width(l.as_str())
    };
    // help and quit are always said; the screen's own keys as many as fit before them
    let global = hints.iter().filter(|b| super::keymap::is_global(b)).count();
    let (own, always) = hints.split_at(hints.len() - global);
    let mut room = (area.width as usize).saturating_sub(always.iter().map(|b| width(b)).sum());
    let mut spans = Vec::new();
    for b in own.iter().chain(always) {
        let w = width(b);
        if !super::keymap::is_global(b) {
            if w > room {
                continue;
            }
            room -= w;
        }
        let (k, l) = text(b);
        spans.push(Span::styled(k, t.key));
        spans.push(Span::styled(l, t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The lines of the help of what is under the overlay: every key, then the commands.
pub(super) fn help_lines(app: &App) -> Vec<Line<'static>> {
    let s = app.strings();
    let t = &app.theme;
    let ctx = if app.command.is_some() { Context::Command } else { app.screen_context() };
    let mut lines = Vec::new();
    for b in bindings(ctx).filter(|b| offered(app, b.action)) {
        let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
        lines.push(Line::from(vec![Span::styled(fit(&keys.join(", "), 22), t.key), Span::raw((b.label)(s))]));
    }
    if bindings(ctx).any(|b| b.action == super::keymap::Action::Command) || ctx == Context::Command {
        // the commands, wrapped between commands to the box's width
        let mut line = String::new();
        for cmd in s.cmd_list.split("  ") {
            if !line.is_empty()
                && unicode_width::UnicodeWidthStr::width(format!("{line}  {cmd}").as_str()) > 60
            {
                lines.push(Line::from(Span::styled(std::mem::take(&mut line), t.accent)));
            }
            if !line.is_empty() {
                line.push_str("  ");
            }
            line.push_str(cmd);
        }
        lines.push(Line::from(Span::styled(line, t.accent)));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(s.help_close, t.dim)));
    lines
}

/// How far the help can scroll in a window `height` rows high (its box fills the body).
pub(super) fn help_scroll_max(app: &App, height: u16) -> u16 {
    let body = height.saturating_sub(3);
    let inner = body.saturating_sub(2);
    (help_lines(app).len() as u16).saturating_sub(inner)
}

fn draw_help(f: &mut Frame, app: &App, area: Rect) {
    let s = app.strings();
    let lines = help_lines(app);
    let h = (lines.len() as u16 + 2).min(area.height);
    let w = 64.min(area.width);
    let r = Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h };
    // what does not fit scrolls (↑ ↓ PgUp PgDn); the title says there is more
    let max = (lines.len() as u16).saturating_sub(h.saturating_sub(2));
    let scroll = app.help_scroll.min(max);
    let title = match (scroll > 0, scroll < max) {
        (false, false) => s.help_title.to_string(),
        (true, true) => format!("{} ↑↓", s.help_title),
        (true, false) => format!("{} ↑", s.help_title),
        (false, true) => format!("{} ↓", s.help_title),
    };
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)).block(Block::default().borders(Borders::ALL).title(title)),
        r,
    );
}
