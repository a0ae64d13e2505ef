//! A one-line text field. The cursor counts characters, never bytes; widths come from
//! `unicode-width`; pasted or typed text is normalised to NFC (a pasted `й` may arrive as
//! `и` + combining breve).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use unicode_normalization::UnicodeNormalization;
use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    chars: Vec<char>,
    cursor: usize,
    /// Shown as dots.
    pub masked: bool,
    pub max_chars: usize,
}

impl Input {
    pub fn new(max_chars: usize) -> Input {
        Input { max_chars, ..Default::default() }
    }

    pub fn masked(max_chars: usize) -> Input {
        Input { masked: true, max_chars, ..Default::default() }
    }

    pub fn with_text(mut self, text: &str) -> Input {
        self.set(text);
        self
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    pub fn set(&mut self, text: &str) {
        self.chars = text.nfc().take(self.max_chars).collect();
        self.cursor = self.chars.len();
    }

    pub fn clear(&mut self) {
        self.chars.clear();
        self.cursor = 0;
    }

    /// Inserts typed or pasted text at the cursor; returns whether the text changed.
    pub fn insert(&mut self, text: &str) -> bool {
        let mut changed = false;
        for c in text.chars().filter(|c| !c.is_control()) {
            if self.chars.len() >= self.max_chars {
                break;
            }
            self.chars.insert(self.cursor, c);
            self.cursor += 1;
            changed = true;
        }
        if changed {
            // compose what was just inserted with its neighbours
            let before: String = self.chars[..self.cursor].iter().collect();
            let after: String = self.chars[self.cursor..].iter().collect();
            let before: Vec<char> = before.nfc().collect();
            self.cursor = before.len();
            self.chars = before.into_iter().chain(after.nfc()).collect();
        }
        changed
    }

    /// Handles an editing key; returns true when the text changed. Keys it does not edit with
    /// are left to the screen.
    pub fn handle(&mut self, ev: &KeyEvent) -> Option<bool> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        match ev.code {
            KeyCode::Char(c) if !ctrl => Some(self.insert(&c.to_string())),
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
                Some(true)
            }
            KeyCode::Backspace => Some(false),
            KeyCode::Delete if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
                Some(true)
            }
            KeyCode::Delete => Some(false),
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                Some(false)
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(self.chars.len());
                Some(false)
            }
            _ => None,
        }
    }

    /// The visible text for a field `width` cells wide, and the cursor's cell within it.
    pub fn view(&self, width: usize) -> (String, usize) {
        let shown: Vec<char> = if self.masked { vec!['•'; self.chars.len()] } else { self.chars.clone() };
        let w = |c: &char| c.width().unwrap_or(0);
        // scroll so the cursor stays visible
        let mut start = 0;
        while start < self.cursor && shown[start..self.cursor].iter().map(w).sum::<usize>() >= width.max(1) {
            start += 1;
        }
        let mut out = String::new();
        let mut used = 0;
        let mut cursor_cell = 0;
        for (i, c) in shown.iter().enumerate().skip(start) {
            if i == self.cursor {
                cursor_cell = used;
            }
            if used + w(c) > width {
                break;
            }
            out.push(*c);
            used += w(c);
        }
        if self.cursor >= shown.len() {
            cursor_cell = used.min(width.saturating_sub(1));
        }
        (out, cursor_cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn edits_by_character_not_byte() {
        let mut i = Input::new(40);
        i.insert("Ёлкин");
        i.handle(&key(KeyCode::Left));
        i.handle(&key(KeyCode::Backspace));
        assert_eq!(i.text(), "Ёлкн");
        i.handle(&key(KeyCode::Char('и')));
        assert_eq!(i.text(), "Ёлкин");
    }

    #[test]
    fn pasted_decomposed_letters_are_composed() {
        let mut i = Input::new(40);
        i.insert("Кии\u{306}");
        assert_eq!(i.text(), "Кий");
        assert_eq!(i.text().chars().count(), 3);
    }

    #[test]
    fn masked_and_scrolled_views() {
        let i = Input::masked(10).with_text("secret");
        assert_eq!(i.view(10).0, "••••••");
        let long = Input::new(100).with_text("Хабибуллин Рустам Ильдарович");
        let (text, cursor) = long.view(10);
        assert_eq!(text.chars().count(), 10 - 1);
        assert_eq!(cursor, 9);
    }
}
