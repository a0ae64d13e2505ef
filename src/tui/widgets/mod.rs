//! Pieces every screen draws with: a labelled one-line field, a dialog over the screen, amounts
//! and right-aligned columns. Widths are terminal cells (`unicode-width`), never bytes.

pub mod table;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::input::Input;
use super::theme::Theme;
use crate::domain::money::Money;
use crate::domain::text::{self, fit_width as fit};

/// `s` right-aligned in exactly `w` cells (cut when wider).
pub fn right(s: &str, w: usize) -> String {
    text::fit_width(&text::pad_left(s, w), w)
}

/// An amount as the desk reads it: `1 234,50`.
pub fn money(m: Money) -> String {
    m.format_ru()
}

/// A debt in the error colour (it also carries its minus sign: never colour alone).
pub fn balance_style(t: &Theme, m: Money) -> Style {
    if m.is_negative() { t.error } else { t.normal }
}

/// A labelled one-line text field; the focused one has a marker and the cursor.
pub fn field(
    f: &mut Frame,
    t: &Theme,
    area: Rect,
    label: &str,
    input: &Input,
    focused: bool,
    label_w: usize,
) {
    let width = (area.width as usize).saturating_sub(label_w + 2).min(40);
    let (text, cursor) = input.view(width);
    let marker = if focused { "▸" } else { " " };
    let line = Line::from(vec![
        Span::styled(format!("{marker}{}", fit(label, label_w)), if focused { t.accent } else { t.normal }),
        Span::raw(" "),
        Span::styled(fit(&text, width), t.input),
    ]);
    f.render_widget(Paragraph::new(line), area);
    if focused {
        f.set_cursor_position(Position { x: area.x + (label_w + 2 + cursor) as u16, y: area.y });
    }
}

/// A bordered box of `lines`, `width` wide, centred in `area` over what is drawn there.
pub fn dialog(f: &mut Frame, area: Rect, width: u16, title: &str, lines: Vec<Line<'static>>) {
    let h = (lines.len() as u16 + 2).min(area.height);
    let w = width.min(area.width);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    };
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title.to_string())),
        r,
    );
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

/// A search box that searches after a pause in typing (the customer search, the pickers):
/// an edit makes the search due `SEARCH_DEBOUNCE` later.
pub fn type_into_search(
    input: &mut Input,
    due_at: &mut Option<std::time::Instant>,
    ev: &ratatui::crossterm::event::KeyEvent,
    now: std::time::Instant,
) {
    if input.handle(ev) == Some(true) {
        *due_at = Some(now + super::app::SEARCH_DEBOUNCE);
    }
}

/// Whether the search a box waited for is due at `now`; it is then no longer waited for.
pub fn take_due(due_at: &mut Option<std::time::Instant>, now: std::time::Instant) -> bool {
    match *due_at {
        Some(at) if at <= now => {
            *due_at = None;
            true
        }
        _ => false,
    }
}
