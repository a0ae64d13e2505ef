//! Fewer bytes for a changed row: ratatui sends only the cells that changed, but each run of
//! changed cells after unchanged ones starts with a cursor placement (`ESC[12;40H`, 6–8
//! bytes). A new search answer changes most of every row with a few letters or spaces left
//! alike between them, and those placements were a sixth of its bytes. This backend keeps what
//! the terminal shows (the cells it drew since the last clear) and, where a run of unchanged
//! cells between two changed ones costs fewer bytes to write again than the placement it saves,
//! writes them again instead. Only cells one column wide and in the style of the cell before
//! them are written again, so no colour change is added; what the terminal shows is the same.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use unicode_width::UnicodeWidthStr;

pub struct ThriftyBackend<W: Write> {
    inner: CrosstermBackend<W>,
    /// What each row shows, from its first column; a cell past a row's end is blank (what a
    /// cleared screen shows, as ratatui assumes too). `None`: not known (after a clear this
    /// backend does not follow), so nothing is written again until the next whole clear.
    shown: Option<Vec<Vec<Cell>>>,
    /// Where the last `set_cursor_position` put the cursor: where ratatui clears from (it
    /// always places the cursor before a partial clear).
    cursor: Position,
}

impl<W: Write> ThriftyBackend<W> {
    pub fn new(inner: CrosstermBackend<W>) -> ThriftyBackend<W> {
        ThriftyBackend { inner, shown: Some(Vec::new()), cursor: Position::ORIGIN }
    }

    fn shown_at(&self, x: u16, y: u16) -> Option<Cell> {
        let rows = self.shown.as_ref()?;
        Some(rows.get(y as usize).and_then(|r| r.get(x as usize)).cloned().unwrap_or_default())
    }

    fn remember(&mut self, x: u16, y: u16, cell: &Cell) {
        let Some(rows) = self.shown.as_mut() else { return };
        let (x, y) = (x as usize, y as usize);
        if rows.len() <= y {
            rows.resize_with(y + 1, Vec::new);
        }
        let row = &mut rows[y];
        let width = cell.symbol().width().max(1);
        if row.len() < x + width {
            row.resize_with(x + width, Cell::default);
        }
        row[x] = cell.clone();
        // the columns a wide character covers are never written again on their own
        for covered in &mut row[x + 1..x + width] {
            covered.set_symbol("");
        }
    }

    /// The cells from `from` to `to` (not included) on row `y`, when writing them again costs
    /// no more than placing the cursor at `to` and adds no change of style after `before`.
    fn gap(&self, y: u16, from: u16, to: u16, before: &Cell) -> Option<Vec<Cell>> {
        let placement = format!("\x1b[{};{}H", y + 1, to + 1).len();
        let mut bytes = 0;
        let mut cells = Vec::new();
        for x in from..to {
            let c = self.shown_at(x, y)?;
            bytes += c.symbol().len();
            if bytes > placement || c.symbol().width() != 1 || !same_style(&c, before) {
                return None;
            }
            cells.push(c);
        }
        Some(cells)
    }
}

fn same_style(a: &Cell, b: &Cell) -> bool {
    a.fg == b.fg && a.bg == b.bg && a.modifier == b.modifier && a.underline_color == b.underline_color
}

impl<W: Write> Write for ThriftyBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

impl<W: Write> Backend for ThriftyBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut out: Vec<(u16, u16, Cell)> = Vec::new();
        for (x, y, cell) in content {
            let filled = match out.last() {
                Some((px, py, prev)) if *py == y && *px + 1 < x && prev.symbol().width() == 1 => {
                    self.gap(y, px + 1, x, prev)
                }
                _ => None,
            };
            if let Some(cells) = filled {
                let from = x - cells.len() as u16;
                out.extend(cells.into_iter().enumerate().map(|(i, c)| (from + i as u16, y, c)));
            }
            self.remember(x, y, cell);
            out.push((x, y, cell.clone()));
        }
        self.inner.draw(out.iter().map(|(x, y, c)| (*x, *y, c)))
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        // lines scrolled in: what was where is not followed
        self.shown = None;
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        self.cursor = p;
        self.inner.set_cursor_position(p)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.shown = Some(Vec::new());
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        let Position { x, y } = self.cursor;
        let (x, y) = (x as usize, y as usize);
        match (clear_type, self.shown.as_mut()) {
            (ClearType::All, _) => self.shown = Some(Vec::new()),
            (ClearType::AfterCursor, Some(rows)) => {
                rows.truncate(y + 1);
                if let Some(row) = rows.get_mut(y) {
                    row.truncate(x);
                }
            }
            (ClearType::UntilNewLine, Some(rows)) => {
                if let Some(row) = rows.get_mut(y) {
                    row.truncate(x);
                }
            }
            (ClearType::CurrentLine, Some(rows)) => {
                if let Some(row) = rows.get_mut(y) {
                    row.clear();
                }
            }
            _ => self.shown = None,
        }
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::tui::capture::Capture;
    use proptest::prelude::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Modifier, Style};
    use ratatui::{Terminal, TerminalOptions, Viewport};

    const W: u16 = 30;
    const H: u16 = 6;

    /// One frame: text put at places, in a style from a few.
    type Frame = Vec<(u16, u16, String, u8)>;

    fn style(k: u8) -> Style {
        match k % 4 {
            0 => Style::default(),
            1 => Style::default().fg(Color::Yellow),
            2 => Style::default().add_modifier(Modifier::UNDERLINED),
            _ => Style::default().fg(Color::Black).bg(Color::Cyan),
        }
    }

    fn render<B: Backend>(terminal: &mut Terminal<B>, frame: &Frame) {
        terminal
            .draw(|f| {
                let buf = f.buffer_mut();
                for (x, y, text, k) in frame {
                    buf.set_stringn(*x, *y, text, (W - x) as usize, style(*k));
                }
            })
            .map_err(|_| ())
            .unwrap();
    }

    /// The bytes each backend sends for the same frames, with a resize (a clear) between two.
    fn both(frames: &[Frame], resize_at: Option<usize>) -> (Vec<u8>, Vec<u8>) {
        let area = Rect::new(0, 0, W, H);
        let options = || TerminalOptions { viewport: Viewport::Fixed(area) };
        let (a, b) = (Capture::new(), Capture::new());
        let mut plain = Terminal::with_options(CrosstermBackend::new(a.clone()), options()).unwrap();
        let mut thrifty =
            Terminal::with_options(ThriftyBackend::new(CrosstermBackend::new(b.clone())), options()).unwrap();
        for (i, frame) in frames.iter().enumerate() {
            if resize_at == Some(i) {
                plain.resize(area).unwrap();
                thrifty.resize(area).unwrap();
            }
            render(&mut plain, frame);
            render(&mut thrifty, frame);
        }
        plain.flush().unwrap();
        thrifty.flush().unwrap();
        (a.bytes(), b.bytes())
    }

    fn screen(bytes: &[u8]) -> vt100::Screen {
        let size = |n| std::num::NonZeroU16::new(n).unwrap();
        let mut p = vt100::Parser::new(size(H), size(W), 0);
        p.process(bytes);
        p.screen().clone()
    }

    fn cells(s: &vt100::Screen) -> Vec<String> {
        let mut out = Vec::new();
        for y in 0..H {
            for x in 0..W {
                let c = s.cell(y, x).unwrap();
                // a cell never written and one written blank look the same
                let text = if c.contents().is_empty() { " " } else { c.contents() };
                out.push(format!(
                    "{}|{:?}|{:?}|{}|{}",
                    text,
                    c.fgcolor(),
                    c.bgcolor(),
                    c.underline(),
                    c.bold()
                ));
            }
        }
        out
    }

    #[test]
    fn a_short_run_of_unchanged_cells_is_written_again_instead_of_a_placement() {
        let first: Frame = vec![(0, 1, "Горбунов Александр".into(), 0)];
        // two letters change, two cells apart: "Гор" → "Гол", "Алекс" → "Алекc"
        let second: Frame = vec![(0, 1, "Голбунов Александр".into(), 0), (0, 2, "x".into(), 0)];
        let (plain, thrifty) = both(&[first.clone(), second.clone()], None);
        assert!(thrifty.len() <= plain.len());
        let (p, t) = (cells(&screen(&plain)), cells(&screen(&thrifty)));
        let diff: Vec<_> = p.iter().zip(&t).enumerate().filter(|(_, (a, b))| a != b).collect();
        assert!(diff.is_empty(), "{diff:?}");
        // a row of changes a cell or two apart goes out as one run
        let a: Frame = vec![(0, 0, "a1b2c3d4e5".into(), 0)];
        let b: Frame = vec![(0, 0, "x1y2z3w4v5".into(), 0)];
        let (plain, thrifty) = both(&[a, b], None);
        let placements = |v: &[u8]| String::from_utf8_lossy(v).matches('H').count();
        assert!(placements(&thrifty) < placements(&plain), "{:?}", String::from_utf8_lossy(&thrifty));
        assert!(thrifty.len() < plain.len());
    }

    fn frame_strategy() -> impl Strategy<Value = Frame> {
        proptest::collection::vec((0..W, 0..H, "[ a-zА-я·…▶⊘0-9中界]{0,12}", 0u8..4), 0..8)
    }

    proptest! {
        /// Whatever is drawn, the terminal shows exactly what ratatui's own backend makes it
        /// show, and never for more bytes.
        #[test]
        fn the_screen_is_what_the_plain_backend_shows(
            frames in proptest::collection::vec(frame_strategy(), 1..6),
            resize in proptest::option::of(0usize..6),
        ) {
            let (plain, thrifty) = both(&frames, resize);
            prop_assert_eq!(cells(&screen(&plain)), cells(&screen(&thrifty)));
            prop_assert!(thrifty.len() <= plain.len());
        }
    }
}
