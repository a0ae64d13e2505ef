//! A list of rows in columns, on ratatui's `Table` and `TableState`: each column as wide as what
//! it holds (its heading or its widest cell), and when the row does not fit, the columns that
//! may give way share what is left fairly (a narrow column keeps its width, the wide ones are
//! cut to the same share). A cut cell ends in `…`, so "Пенсионный 5" never stands for
//! "Пенсионный 50"; an address keeps its house and flat and gives way in the street's name.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Row, Table, TableState};
use unicode_width::UnicodeWidthStr;

use crate::tui::theme::Theme;

/// How a column's cells are set and cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Left-aligned, cut at the end.
    Text,
    /// Left-aligned, the last word (a house and flat, `50-12`) kept whole and the rest cut.
    KeepEnd,
    /// Right-aligned (amounts, counts), never cut.
    Number,
    /// Left-aligned and never cut (dates, codes).
    Fixed,
}

/// A column: its heading, how it fits, and the narrowest it may be cut to.
#[derive(Debug, Clone)]
pub struct Column {
    pub head: String,
    pub fit: Fit,
    pub min: usize,
}

impl Column {
    pub fn new(head: &str, fit: Fit) -> Column {
        Column { head: head.to_string(), fit, min: 6 }
    }

    pub fn min(mut self, min: usize) -> Column {
        self.min = min;
        self
    }
}

/// One row: its cells, and a style of its own when it has one (dimmed, or a cell in colour).
#[derive(Debug, Clone, Default)]
pub struct GridRow {
    pub cells: Vec<String>,
    /// A style per cell, where one differs from the row's.
    pub cell_styles: Vec<Option<Style>>,
    pub style: Option<Style>,
}

impl GridRow {
    pub fn new(cells: Vec<String>) -> GridRow {
        GridRow { cells, ..GridRow::default() }
    }

    pub fn style(mut self, style: Option<Style>) -> GridRow {
        self.style = style;
        self
    }

    pub fn cell_style(mut self, i: usize, style: Style) -> GridRow {
        if self.cell_styles.len() <= i {
            self.cell_styles.resize(i + 1, None);
        }
        self.cell_styles[i] = Some(style);
        self
    }
}

fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// The columns' widths for rows `rows` in `available` cells (one cell between columns).
pub fn widths(columns: &[Column], rows: &[GridRow], available: usize) -> Vec<usize> {
    let want: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .filter_map(|r| r.cells.get(i))
                .map(|s| width(s))
                .max()
                .unwrap_or(0)
                .max(width(&c.head))
        })
        .collect();
    let room = available.saturating_sub(columns.len().saturating_sub(1));
    if want.iter().sum::<usize>() <= room {
        return want;
    }
    let gives_way = |i: usize| matches!(columns[i].fit, Fit::Text | Fit::KeepEnd) && want[i] > columns[i].min;
    let mut out = want.clone();
    let fixed: usize = (0..columns.len()).filter(|i| !gives_way(*i)).map(|i| want[i]).sum();
    let mut budget = room.saturating_sub(fixed);
    let mut flexible: Vec<usize> = (0..columns.len()).filter(|i| gives_way(*i)).collect();
    flexible.sort_by_key(|i| want[*i]);
    let mut left = flexible.len();
    for i in flexible {
        let share = budget / left.max(1);
        let w = want[i].min(share).max(columns[i].min);
        out[i] = w;
        budget = budget.saturating_sub(w);
        left -= 1;
    }
    out
}

/// `s` in exactly `w` cells as its column sets it.
pub fn set(s: &str, fit: Fit, w: usize) -> String {
    let sw = width(s);
    match fit {
        Fit::Number => crate::tui::widgets::right(s, w),
        _ if sw <= w => format!("{s}{}", " ".repeat(w - sw)),
        Fit::Fixed | Fit::Text => cut(s, w),
        Fit::KeepEnd => match s.rsplit_once(' ') {
            Some((start, end)) if width(end) + 3 <= w => {
                format!("{} {end}", cut(start, w - width(end) - 1))
            }
            _ => cut(s, w),
        },
    }
}

/// `s` cut to `w` cells, its end replaced by `…`.
fn cut(s: &str, w: usize) -> String {
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let cw = width(ch.encode_utf8(&mut [0; 4]));
        if used + cw > w - 1 {
            break;
        }
        out.push(ch);
        used += cw;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(w.saturating_sub(used)));
    out
}

/// Draws `rows` under the headings in `area`, the selected row marked `▶` and kept in view.
pub fn draw(
    f: &mut Frame,
    t: &Theme,
    area: Rect,
    columns: &[Column],
    rows: &[GridRow],
    selected: Option<usize>,
) {
    let w = widths(columns, rows, (area.width as usize).saturating_sub(2));
    let head =
        Row::new(columns.iter().zip(&w).map(|(c, w)| Cell::from(set(&c.head, c.fit, *w)))).style(t.dim);
    let headed = columns.iter().any(|c| !c.head.is_empty());
    // only the rows on the screen are made (the widths come from all of them): the window
    // that keeps the selected row in view, as the list scrolls
    let height = (area.height as usize).saturating_sub(usize::from(headed)).max(1);
    let first = selected.map_or(0, |s| s.saturating_sub(height - 1));
    let body = rows.iter().enumerate().skip(first).take(height).map(|(i, r)| {
        let sel = Some(i) == selected;
        let cells = columns.iter().zip(&w).enumerate().map(|(j, (c, w))| {
            let text = set(r.cells.get(j).map(String::as_str).unwrap_or(""), c.fit, *w);
            match r.cell_styles.get(j).copied().flatten() {
                Some(style) if !sel => Cell::from(Line::from(Span::styled(text, style))),
                _ => Cell::from(text),
            }
        });
        let style = if sel { t.selected } else { r.style.unwrap_or(t.normal) };
        Row::new(cells).style(style)
    });
    let mut table = Table::new(body, w.iter().map(|w| Constraint::Length(*w as u16))).column_spacing(1);
    // lists that say what they are above them have no headings
    if headed {
        table = table.header(head);
    }
    let table = table
        .highlight_symbol("▶ ")
        .highlight_spacing(HighlightSpacing::Always)
        .row_highlight_style(t.selected);
    let mut state = TableState::default().with_selected(selected.map(|s| s - first));
    f.render_stateful_widget(table, area, &mut state);
}

/// A list screen: `lines` about the list (what it is, an error, "empty") at the top, the rows
/// in columns under them.
pub fn draw_below(
    f: &mut Frame,
    t: &Theme,
    area: Rect,
    lines: Vec<Line<'static>>,
    columns: &[Column],
    rows: &[GridRow],
    selected: usize,
) {
    let [top, body] =
        ratatui::layout::Layout::vertical([Constraint::Length(lines.len() as u16), Constraint::Min(0)])
            .areas(area);
    f.render_widget(ratatui::widgets::Paragraph::new(lines), top);
    if !rows.is_empty() {
        draw(f, t, body, columns, rows, Some(selected));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_as_wide_as_what_they_hold_and_wide_ones_give_way_fairly() {
        let cols = vec![
            Column::new("№", Fit::Fixed),
            Column::new("Абонент", Fit::Text),
            Column::new("Адрес", Fit::KeepEnd),
            Column::new("Баланс", Fit::Number),
        ];
        let rows = vec![
            GridRow::new(vec!["10234".into(), "Ёлкин".into(), "Ленина 5-12".into(), "-150,00".into()]),
            GridRow::new(vec!["7".into(), "Иванов".into(), "Мира 1-1".into(), "1 250,00".into()]),
        ];
        // room enough: each as its widest
        assert_eq!(widths(&cols, &rows, 80), vec![5, 7, 11, 8]);
        let long = vec![GridRow::new(vec![
            "10234".into(),
            "Хабибуллин Рустам Ильдарович".into(),
            "Пенсионный переулок 50-12".into(),
            "-2 400,50".into(),
        ])];
        // 40 cells: the number and balance keep theirs, the name and address share the rest
        let w = widths(&cols, &long, 40);
        assert_eq!(w[0], 5);
        assert_eq!(w[3], 9);
        assert_eq!(w.iter().sum::<usize>() + 3, 40);
        assert!((w[1] as i64 - w[2] as i64).abs() <= 1, "{w:?}");
        // a short column is not cut to make room: it keeps its width
        let mixed = vec![GridRow::new(vec![
            "1".into(),
            "Хабибуллин Рустам Ильдарович".into(),
            "Мира 1".into(),
            "0".into(),
        ])];
        let w = widths(&cols, &mixed, 30);
        assert_eq!(w[2], 6);
        assert_eq!(w.iter().sum::<usize>() + 3, 30);
    }

    #[test]
    fn a_cut_address_keeps_its_house_and_flat_and_says_it_was_cut() {
        assert_eq!(set("Пенсионный переулок 50-12", Fit::KeepEnd, 16), "Пенсионны… 50-12");
        assert_eq!(set("Пенсионный 50", Fit::Text, 12), "Пенсионный …");
        assert_eq!(set("Мира 1", Fit::KeepEnd, 8), "Мира 1  ");
        assert_eq!(set("-150,00", Fit::Number, 9), "  -150,00");
    }
}
