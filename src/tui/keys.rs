//! Bytes from a terminal into key events: kassa's own reader, because the terminals at a cash
//! desk send more than crossterm's parser takes. PuTTY in its "VT100+" mode sends F5–F12 as
//! `ESC O T` … `ESC O [` (crossterm drops them whole), the Linux console sends F1–F5 as
//! `ESC [ [ A` … `ESC [ [ E`, vt100 sends Backspace as ^H. The same parser will read the
//! bytes an SSH channel delivers.
//!
//! What it reads: UTF-8 text (a character split between two reads is kept until it is whole),
//! control characters (Enter, Tab, Backspace as DEL or ^H, Ctrl+letter), `ESC x` as Alt+x, CSI
//! sequences (arrows, Home/End, Insert/Delete, PageUp/PageDown, F1–F20 in the xterm, rxvt and
//! Linux forms, modifiers, BackTab), SS3 sequences (F1–F12, arrows, the application keypad),
//! the kitty keyboard protocol's `CSI … u` with press, repeat and release, and bracketed paste.
//! A sequence it does not know is dropped alone, never the keys after it.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};

const ESC: u8 = 0x1b;
const PASTE_END: &[u8] = b"\x1b[201~";

/// Turns the bytes of successive reads into events.
#[derive(Debug, Default)]
pub struct KeyParser {
    /// Bytes of a sequence or a character not yet whole.
    pending: Vec<u8>,
    /// Inside a bracketed paste: what has been pasted so far.
    paste: Option<Vec<u8>>,
}

/// What the parser made of the bytes at the front of its buffer.
enum Parsed {
    /// An event (or nothing, for a sequence that means nothing to kassa) and the bytes it took.
    Done(Option<Event>, usize),
    /// The bytes so far are the start of something longer.
    Incomplete,
}

impl KeyParser {
    pub fn new() -> KeyParser {
        KeyParser::default()
    }

    /// The events in `bytes`, one read's worth. An `ESC` that ends a read is the Escape key:
    /// terminals send a whole sequence in one write, and a person cannot type the rest of one.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.pending.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut at = 0;
        while at < self.pending.len() {
            if let Some(paste) = &mut self.paste {
                let rest = &self.pending[at..];
                match find(rest, PASTE_END) {
                    Some(end) => {
                        paste.extend_from_slice(&rest[..end]);
                        let text = String::from_utf8_lossy(paste).into_owned();
                        self.paste = None;
                        events.push(Event::Paste(text));
                        at += end + PASTE_END.len();
                    }
                    None => {
                        // keep a possible start of the end marker for the next read
                        let keep = (1..PASTE_END.len().min(rest.len() + 1))
                            .rev()
                            .find(|n| rest.ends_with(&PASTE_END[..*n]))
                            .unwrap_or(0);
                        paste.extend_from_slice(&rest[..rest.len() - keep]);
                        at = self.pending.len() - keep;
                        break;
                    }
                }
                continue;
            }
            match parse(&self.pending[at..]) {
                Parsed::Done(ev, used) => {
                    if let Some(Event::Paste(_)) = ev {
                        self.paste = Some(Vec::new());
                    } else if let Some(ev) = ev {
                        events.push(ev);
                    }
                    at += used;
                }
                Parsed::Incomplete if self.pending[at..] == [ESC] => {
                    events.push(key(KeyCode::Esc, KeyModifiers::NONE));
                    at += 1;
                }
                Parsed::Incomplete => break,
            }
        }
        self.pending.drain(..at);
        events
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent { code, modifiers, kind: KeyEventKind::Press, state: KeyEventState::NONE })
}

fn parse(b: &[u8]) -> Parsed {
    match b[0] {
        ESC => escape(b),
        _ => plain(b),
    }
}

/// One byte or character that is not an escape.
fn plain(b: &[u8]) -> Parsed {
    let none = KeyModifiers::NONE;
    let ctrl = KeyModifiers::CONTROL;
    let ev = match b[0] {
        b'\r' | b'\n' => key(KeyCode::Enter, none),
        b'\t' => key(KeyCode::Tab, none),
        0x7f | 0x08 => key(KeyCode::Backspace, none),
        0x00 => key(KeyCode::Char(' '), ctrl),
        c @ 0x01..=0x1a => key(KeyCode::Char((c - 1 + b'a') as char), ctrl),
        c @ 0x1c..=0x1f => key(KeyCode::Char((c - 0x1c + b'4') as char), ctrl),
        _ => {
            return match utf8_char(b) {
                Some(Ok((c, n))) => Parsed::Done(Some(key(KeyCode::Char(c), none)), n),
                Some(Err(n)) => Parsed::Done(None, n),
                None => Parsed::Incomplete,
            };
        }
    };
    Parsed::Done(Some(ev), 1)
}

/// The character at the front: `None` while incomplete, `Err(n)` for `n` bytes that are not one.
fn utf8_char(b: &[u8]) -> Option<Result<(char, usize), usize>> {
    let len = match b[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Some(Err(1)),
    };
    if b.len() < len {
        // a later byte that cannot continue the character makes it invalid now
        return if b[1..].iter().all(|x| (0x80..=0xbf).contains(x)) { None } else { Some(Err(1)) };
    }
    match std::str::from_utf8(&b[..len]) {
        Ok(s) => s.chars().next().map(|c| Ok((c, len))),
        Err(_) => Some(Err(1)),
    }
}

/// `ESC` and what follows it.
fn escape(b: &[u8]) -> Parsed {
    let Some(&next) = b.get(1) else { return Parsed::Incomplete };
    match next {
        b'[' => csi(b),
        b'O' => ss3(b),
        ESC => Parsed::Done(Some(key(KeyCode::Esc, KeyModifiers::NONE)), 1),
        _ => match parse(&b[1..]) {
            // Alt (Meta sends ESC first) with whatever key follows
            Parsed::Done(Some(Event::Key(mut k)), n) => {
                k.modifiers |= KeyModifiers::ALT;
                Parsed::Done(Some(Event::Key(k)), n + 1)
            }
            Parsed::Done(other, n) => Parsed::Done(other, n + 1),
            Parsed::Incomplete => Parsed::Incomplete,
        },
    }
}

/// The cursor keys' final byte, the same after `ESC O` (application mode) and `ESC [`.
fn cursor_key(c: u8) -> Option<KeyCode> {
    Some(match c {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        _ => return None,
    })
}

/// `ESC O x`: F1–F4, and F5–F12 as PuTTY's VT100+ mode sends them; arrows and Home/End in
/// application cursor mode; the application keypad.
fn ss3(b: &[u8]) -> Parsed {
    let Some(&c) = b.get(2) else { return Parsed::Incomplete };
    let none = KeyModifiers::NONE;
    let code = match c {
        b'P'..=b'[' => KeyCode::F(c - b'P' + 1),
        b'M' => KeyCode::Enter,
        b'j' => KeyCode::Char('*'),
        b'k' => KeyCode::Char('+'),
        b'l' => KeyCode::Char(','),
        b'm' => KeyCode::Char('-'),
        b'n' => KeyCode::Char('.'),
        b'o' => KeyCode::Char('/'),
        b'p'..=b'y' => KeyCode::Char((c - b'p' + b'0') as char),
        other => match cursor_key(other) {
            Some(k) => k,
            None => return Parsed::Done(None, 3),
        },
    };
    Parsed::Done(Some(key(code, none)), 3)
}

/// `ESC [ params final`.
fn csi(b: &[u8]) -> Parsed {
    // the Linux console's F1–F5: ESC [ [ A … E
    if b.get(2) == Some(&b'[') {
        return match b.get(3) {
            None => Parsed::Incomplete,
            Some(c @ b'A'..=b'E') => Parsed::Done(Some(key(KeyCode::F(c - b'A' + 1), KeyModifiers::NONE)), 4),
            Some(_) => Parsed::Done(None, 4),
        };
    }
    // parameters and intermediates run until a final byte in 0x40..=0x7e
    let Some(end) = b[2..].iter().position(|c| (0x40..=0x7e).contains(c)).map(|i| i + 2) else {
        // a runaway sequence is dropped rather than waited for forever
        return if b.len() > 64 { Parsed::Done(None, b.len()) } else { Parsed::Incomplete };
    };
    let params = std::str::from_utf8(&b[2..end]).unwrap_or("");
    let used = end + 1;
    if params == "200" && b[end] == b'~' {
        return Parsed::Done(Some(Event::Paste(String::new())), used);
    }
    Parsed::Done(csi_event(params, b[end]), used)
}

/// A parameter list `a:b;c:d` as numbers (missing ones as 0).
fn numbers(params: &str) -> Vec<Vec<u32>> {
    params.split(';').map(|p| p.split(':').map(|n| n.parse().unwrap_or(0)).collect()).collect()
}

fn modifiers(bits: u32) -> KeyModifiers {
    let bits = bits.saturating_sub(1);
    let mut m = KeyModifiers::NONE;
    if bits & 1 != 0 {
        m |= KeyModifiers::SHIFT;
    }
    if bits & 2 != 0 {
        m |= KeyModifiers::ALT;
    }
    if bits & 4 != 0 {
        m |= KeyModifiers::CONTROL;
    }
    if bits & 8 != 0 {
        m |= KeyModifiers::SUPER;
    }
    m
}

fn kind(event: u32) -> KeyEventKind {
    match event {
        2 => KeyEventKind::Repeat,
        3 => KeyEventKind::Release,
        _ => KeyEventKind::Press,
    }
}

fn csi_event(params: &str, fin: u8) -> Option<Event> {
    if params.starts_with(['?', '<', '>', '=']) {
        // answers to queries and mouse reports: nothing to do with keys
        return None;
    }
    let n = numbers(params);
    let first = n.first().and_then(|p| p.first()).copied().unwrap_or(0);
    let mods = n.get(1).and_then(|p| p.first()).copied().unwrap_or(1);
    let event = n.get(1).and_then(|p| p.get(1)).copied().unwrap_or(1);
    let code = match fin {
        b'Z' => KeyCode::BackTab,
        b'P' => KeyCode::F(1),
        b'Q' => KeyCode::F(2),
        b'R' if params.is_empty() || first == 1 => KeyCode::F(3),
        b'S' => KeyCode::F(4),
        b'~' => match first {
            1 | 7 => KeyCode::Home,
            2 => KeyCode::Insert,
            3 => KeyCode::Delete,
            4 | 8 => KeyCode::End,
            5 => KeyCode::PageUp,
            6 => KeyCode::PageDown,
            11..=15 => KeyCode::F((first - 10) as u8),
            17..=21 => KeyCode::F((first - 11) as u8),
            23..=26 => KeyCode::F((first - 12) as u8),
            28 | 29 => KeyCode::F((first - 13) as u8),
            31..=34 => KeyCode::F((first - 14) as u8),
            _ => return None,
        },
        b'u' => match first {
            13 => KeyCode::Enter,
            9 => KeyCode::Tab,
            27 => KeyCode::Esc,
            127 | 8 => KeyCode::Backspace,
            c => KeyCode::Char(char::from_u32(c).filter(|c| !c.is_control())?),
        },
        other => cursor_key(other)?,
    };
    let mut modifiers = modifiers(mods);
    let code = match code {
        KeyCode::BackTab => {
            modifiers |= KeyModifiers::SHIFT;
            code
        }
        // kitty reports Shift with the unshifted letter; the text a person means is the shifted one
        KeyCode::Char(c) if fin == b'u' && modifiers.contains(KeyModifiers::SHIFT) => {
            let shifted = n.first().and_then(|p| p.get(1)).and_then(|s| char::from_u32(*s));
            KeyCode::Char(shifted.unwrap_or_else(|| c.to_uppercase().next().unwrap_or(c)))
        }
        other => other,
    };
    Some(Event::Key(KeyEvent { code, modifiers, kind: kind(event), state: KeyEventState::NONE }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(bytes: &[u8]) -> Vec<(KeyCode, KeyModifiers)> {
        KeyParser::new()
            .feed(bytes)
            .into_iter()
            .filter_map(|e| match e {
                Event::Key(k) => Some((k.code, k.modifiers)),
                _ => None,
            })
            .collect()
    }

    fn codes(bytes: &[u8]) -> Vec<KeyCode> {
        keys(bytes).into_iter().map(|(c, _)| c).collect()
    }

    #[test]
    fn putty_vt100_plus_function_keys() {
        let f: Vec<KeyCode> = (1..=12).map(KeyCode::F).collect();
        assert_eq!(codes(b"\x1bOP\x1bOQ\x1bOR\x1bOS\x1bOT\x1bOU\x1bOV\x1bOW\x1bOX\x1bOY\x1bOZ\x1bO["), f);
    }

    #[test]
    fn xterm_rxvt_and_linux_console_function_keys() {
        let f: Vec<KeyCode> = (1..=12).map(KeyCode::F).collect();
        let xterm =
            b"\x1bOP\x1bOQ\x1bOR\x1bOS\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~\x1b[23~\x1b[24~";
        assert_eq!(codes(xterm), f);
        let rxvt = b"\x1b[11~\x1b[12~\x1b[13~\x1b[14~\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~\x1b[23~\x1b[24~";
        assert_eq!(codes(rxvt), f);
        assert_eq!(codes(b"\x1b[[A\x1b[[B\x1b[[C\x1b[[D\x1b[[E"), f[..5].to_vec());
        assert_eq!(keys(b"\x1b[1;5P"), vec![(KeyCode::F(1), KeyModifiers::CONTROL)]);
        assert_eq!(keys(b"\x1b[15;2~"), vec![(KeyCode::F(5), KeyModifiers::SHIFT)]);
    }

    #[test]
    fn cursor_and_editing_keys_in_every_mode() {
        use KeyCode::*;
        assert_eq!(
            codes(b"\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA\x1bOB\x1bOC\x1bOD"),
            vec![Up, Down, Right, Left, Up, Down, Right, Left]
        );
        assert_eq!(
            codes(b"\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[7~\x1b[8~\x1bOH\x1bOF"),
            vec![Home, End, Home, End, Home, End, Home, End]
        );
        assert_eq!(codes(b"\x1b[2~\x1b[3~\x1b[5~\x1b[6~"), vec![Insert, Delete, PageUp, PageDown]);
        assert_eq!(keys(b"\x1b[Z"), vec![(BackTab, KeyModifiers::SHIFT)]);
        assert_eq!(keys(b"\x1b[1;5C"), vec![(Right, KeyModifiers::CONTROL)]);
        assert_eq!(codes(b"\x1bOM\x1bOp\x1bOy\x1bOn"), vec![Enter, Char('0'), Char('9'), Char('.')]);
    }

    #[test]
    fn control_characters() {
        use KeyCode::*;
        let ctrl = KeyModifiers::CONTROL;
        assert_eq!(codes(b"\r\n\t\x7f\x08"), vec![Enter, Enter, Tab, Backspace, Backspace]);
        assert_eq!(keys(b"\x01\x15\x1a"), vec![(Char('a'), ctrl), (Char('u'), ctrl), (Char('z'), ctrl)]);
        assert_eq!(keys(b"\x1bx"), vec![(Char('x'), KeyModifiers::ALT)]);
        assert_eq!(keys(b"\x1b\x1b"), vec![(Esc, KeyModifiers::NONE), (Esc, KeyModifiers::NONE)]);
    }

    #[test]
    fn a_lone_escape_ending_a_read_is_the_escape_key_and_a_split_sequence_waits() {
        let mut p = KeyParser::new();
        assert_eq!(p.feed(b"\x1b").len(), 1);
        assert!(p.feed(b"\x1b[1").is_empty(), "half a sequence waits for the rest");
        let ev = p.feed(b"5~a");
        assert!(
            matches!(&ev[..], [Event::Key(f5), Event::Key(a)] if f5.code == KeyCode::F(5) && a.code == KeyCode::Char('a'))
        );
    }

    #[test]
    fn cyrillic_split_between_reads_is_one_character() {
        let mut p = KeyParser::new();
        let bytes = "Ив".as_bytes();
        let mut got = p.feed(&bytes[..1]);
        got.extend(p.feed(&bytes[1..3]));
        got.extend(p.feed(&bytes[3..]));
        let chars: String = got
            .iter()
            .filter_map(|e| match e {
                Event::Key(KeyEvent { code: KeyCode::Char(c), .. }) => Some(*c),
                _ => None,
            })
            .collect();
        assert_eq!(chars, "Ив");
        // a byte that cannot start a character is dropped alone
        assert_eq!(codes(b"\xffa"), vec![KeyCode::Char('a')]);
    }

    #[test]
    fn unknown_sequences_are_dropped_alone() {
        assert_eq!(
            codes(b"\x1b[99xq\x1bO~w\x1b[?1;2cz\x1b[<0;3;4Mk"),
            vec![KeyCode::Char('q'), KeyCode::Char('w'), KeyCode::Char('z'), KeyCode::Char('k')]
        );
    }

    #[test]
    fn bracketed_paste_arrives_whole_even_across_reads() {
        let mut p = KeyParser::new();
        let mut got = p.feed(b"x\x1b[200~10 000,5");
        got.extend(p.feed("0 Иванов\x1b[20".as_bytes()));
        got.extend(p.feed(b"1~y"));
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(matches!(&got[1], Event::Paste(t) if t == "10 000,50 Иванов"), "{got:?}");
        assert!(matches!(&got[2], Event::Key(k) if k.code == KeyCode::Char('y')));
    }

    #[test]
    fn kitty_keys_with_press_repeat_and_release() {
        let mut p = KeyParser::new();
        let ev = p.feed(b"\x1b[13u\x1b[13;1:2u\x1b[13;1:3u\x1b[97;5u\x1b[97;2u\x1b[1078;1u");
        let got: Vec<(KeyCode, KeyModifiers, KeyEventKind)> = ev
            .into_iter()
            .filter_map(|e| match e {
                Event::Key(k) => Some((k.code, k.modifiers, k.kind)),
                _ => None,
            })
            .collect();
        use KeyEventKind::*;
        assert_eq!(
            got,
            vec![
                (KeyCode::Enter, KeyModifiers::NONE, Press),
                (KeyCode::Enter, KeyModifiers::NONE, Repeat),
                (KeyCode::Enter, KeyModifiers::NONE, Release),
                (KeyCode::Char('a'), KeyModifiers::CONTROL, Press),
                (KeyCode::Char('A'), KeyModifiers::SHIFT, Press),
                (KeyCode::Char('ж'), KeyModifiers::NONE, Press),
            ]
        );
        // arrows and function keys with an event type, as kitty sends them
        let up = p.feed(b"\x1b[1;1:3A");
        assert!(matches!(&up[..], [Event::Key(k)] if k.code == KeyCode::Up && k.kind == Release));
    }
}
