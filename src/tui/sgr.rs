//! Colours every colour terminal understands. crossterm writes every colour, the sixteen
//! named ones too, in the 256-colour form (`ESC[38;5;9m`), which an 8/16-colour terminal —
//! the Linux console, PuTTY with `TERM=putty`, many thin clients — shows wrong or not at all.
//! kassa's theme uses only the sixteen, so their classic codes (`ESC[91m`) say the same on
//! every terminal, and in fewer bytes over a slow link. This writer rewrites them on the way
//! out; everything else passes untouched, and a sequence split between two writes is joined.

use std::io::{self, Write};

/// Rewrites `38;5;N` and `48;5;N` (N < 16) in SGR sequences into `30+N`/`90+N-8` and
/// `40+N`/`100+N-8`.
pub struct Basic16<W: Write> {
    inner: W,
    /// An escape sequence begun in an earlier write, not yet ended.
    pending: Vec<u8>,
}

impl<W: Write> Basic16<W> {
    pub fn new(inner: W) -> Basic16<W> {
        Basic16 { inner, pending: Vec::new() }
    }
}

/// The parameters of an SGR sequence with 256-colour picks of the first sixteen colours
/// written the classic way.
fn rewrite(params: &str) -> String {
    let parts: Vec<&str> = params.split(';').collect();
    let mut out: Vec<String> = Vec::with_capacity(parts.len());
    let mut i = 0;
    while i < parts.len() {
        let colour = |base: u16, bright: u16| {
            parts
                .get(i + 2)
                .and_then(|n| n.parse::<u16>().ok())
                .filter(|n| *n < 16)
                .map(|n| if n < 8 { base + n } else { bright + n - 8 })
        };
        let classic = match (parts[i], parts.get(i + 1)) {
            ("38", Some(&"5")) => colour(30, 90),
            ("48", Some(&"5")) => colour(40, 100),
            _ => None,
        };
        match classic {
            Some(code) => {
                out.push(code.to_string());
                i += 3;
            }
            None => {
                out.push(parts[i].to_string());
                i += 1;
            }
        }
    }
    out.join(";")
}

/// Where a control sequence that starts at `bytes[0]` (ESC) ends: the index after its final
/// byte, or `None` when it is not complete yet.
fn sequence_end(bytes: &[u8]) -> Option<usize> {
    match bytes.get(1) {
        None => None,
        Some(b'[') => bytes[2..].iter().position(|b| (0x40..=0x7e).contains(b)).map(|p| p + 3),
        // not a CSI: ESC and the byte after it go as they are
        Some(_) => Some(2),
    }
}

impl<W: Write> Write for Basic16<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut data = std::mem::take(&mut self.pending);
        data.extend_from_slice(buf);
        let mut out = Vec::with_capacity(data.len());
        let mut i = 0;
        while i < data.len() {
            if data[i] != 0x1b {
                let next = data[i..].iter().position(|b| *b == 0x1b).map_or(data.len(), |p| i + p);
                out.extend_from_slice(&data[i..next]);
                i = next;
                continue;
            }
            let Some(len) = sequence_end(&data[i..]) else {
                // the rest of this sequence comes with the next write
                self.pending = data[i..].to_vec();
                break;
            };
            let seq = &data[i..i + len];
            match (seq.get(1), seq.last()) {
                (Some(b'['), Some(b'm')) if len > 3 => {
                    let params = String::from_utf8_lossy(&seq[2..len - 1]);
                    out.extend_from_slice(format!("\x1b[{}m", rewrite(&params)).as_bytes());
                }
                _ => out.extend_from_slice(seq),
            }
            i += len;
        }
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(chunks: &[&[u8]]) -> Vec<u8> {
        let mut w = Basic16::new(Vec::new());
        for c in chunks {
            w.write_all(c).ok();
        }
        w.inner
    }

    #[test]
    fn named_colours_in_classic_codes_and_the_rest_untouched() {
        assert_eq!(through(&[b"\x1b[38;5;9mX"]), b"\x1b[91mX");
        assert_eq!(through(&[b"\x1b[38;5;0;48;5;6;1m"]), b"\x1b[30;46;1m");
        assert_eq!(through(&[b"\x1b[38;5;200m"]), b"\x1b[38;5;200m", "not one of the sixteen");
        assert_eq!(through(&[b"\x1b[2;5H\x1b[?2026h"]), b"\x1b[2;5H\x1b[?2026h");
        assert_eq!(through(&["Ёлкин".as_bytes()]), "Ёлкин".as_bytes());
        // a sequence split between two writes
        assert_eq!(through(&[b"a\x1b[38;5", b";11mb"]), b"a\x1b[93mb");
        assert_eq!(through(&[b"\x1b", b"[0m"]), b"\x1b[0m");
    }
}
