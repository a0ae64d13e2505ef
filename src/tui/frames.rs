//! Frames that change nothing are not sent. Every frame goes out inside synchronized output
//! (`ESC[?2026h` … `ESC[?2026l`); when an answer changes nothing on the screen (a search whose
//! results are the ones shown) ratatui still writes the frame's cursor placement, and over
//! SSH every such frame costs a round of bytes for nothing. This writer holds each frame until
//! it ends and drops it when all it does is put the cursor where the last frame left it.

use std::io::{self, Write};

/// Where a frame begins and ends: synchronized output on and off.
pub const BEGIN: &[u8] = b"\x1b[?2026h";
pub const END: &[u8] = b"\x1b[?2026l";

pub struct SkipEmptyFrames<W: Write> {
    inner: W,
    /// The frame being written, from its BEGIN; empty between frames.
    frame: Vec<u8>,
    /// Where the last frame sent left the cursor, and whether it was shown.
    last_cursor: Option<Vec<u8>>,
    last_shown: Option<bool>,
}

impl<W: Write> SkipEmptyFrames<W> {
    pub fn new(inner: W) -> SkipEmptyFrames<W> {
        SkipEmptyFrames { inner, frame: Vec::new(), last_cursor: None, last_shown: None }
    }
}

/// What a frame's body does to the cursor when that is all it does: its last placement and
/// its last show/hide. `None` when it does anything else (text, clearing…); the attribute
/// reset ratatui writes after every frame is nothing.
fn cursor_only(body: &[u8]) -> Option<(Option<Vec<u8>>, Option<bool>)> {
    let (mut at, mut shown) = (None, None);
    let mut i = 0;
    while i < body.len() {
        if body[i] != 0x1b || body.get(i + 1) != Some(&b'[') {
            return None;
        }
        let end = body[i + 2..].iter().position(|b| (0x40..=0x7e).contains(b))? + i + 2;
        let seq = &body[i..=end];
        match (body[end], &body[i + 2..end]) {
            (b'H', params) if params.iter().all(|b| b.is_ascii_digit() || *b == b';') => {
                at = Some(seq.to_vec())
            }
            (b'h', b"?25") => shown = Some(true),
            (b'l', b"?25") => shown = Some(false),
            // colours and attributes set with no text after them change nothing shown
            (b'm', _) => {}
            _ => return None,
        }
        i = end + 1;
    }
    Some((at, shown))
}

/// Where a frame that draws leaves the cursor: its last placement when nothing was written
/// after it (else unknown), and its last show/hide.
fn final_cursor(body: &[u8]) -> (Option<Vec<u8>>, Option<bool>) {
    let (mut at, mut shown) = (None, None);
    let mut i = 0;
    while i < body.len() {
        if body[i] == 0x1b && body.get(i + 1) == Some(&b'[') {
            let Some(p) = body[i + 2..].iter().position(|b| (0x40..=0x7e).contains(b)) else { break };
            let end = i + 2 + p;
            match (body[end], &body[i + 2..end]) {
                (b'H', _) => at = Some(body[i..=end].to_vec()),
                (b'h', b"?25") => shown = Some(true),
                (b'l', b"?25") => shown = Some(false),
                // colours and the like leave the cursor where it is
                (b'm', _) => {}
                _ => at = None,
            }
            i = end + 1;
        } else {
            // text moves the cursor
            at = None;
            i += 1;
        }
    }
    (at, shown)
}

/// ratatui ends every frame resetting the colours, the underline colour and the attributes one
/// by one; `ESC[0m` alone resets all four.
const RESET_ALL: &[u8] = b"\x1b[39m\x1b[49m\x1b[59m\x1b[0m";
const RESET: &[u8] = b"\x1b[0m";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";
const HIDE_CURSOR: &[u8] = b"\x1b[?25l";

fn replace_all(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The frame in fewer bytes, saying the same: one reset for ratatui's four, and no "show the
/// cursor" when it is shown already and the frame never hides it.
fn shorter(frame: Vec<u8>, shown: Option<bool>) -> Vec<u8> {
    let mut frame = replace_all(&frame, RESET_ALL, RESET);
    if shown == Some(true) && !frame.windows(HIDE_CURSOR.len()).any(|w| w == HIDE_CURSOR) {
        frame = replace_all(&frame, SHOW_CURSOR, b"");
    }
    frame
}

impl<W: Write> SkipEmptyFrames<W> {
    fn end_frame(&mut self) -> io::Result<()> {
        let frame = shorter(std::mem::take(&mut self.frame), self.last_shown);
        let body = &frame[BEGIN.len()..frame.len() - END.len()];
        match cursor_only(body) {
            Some((at, shown))
                if at.as_ref().is_none_or(|a| Some(a) == self.last_cursor.as_ref())
                    && shown.is_none_or(|s| Some(s) == self.last_shown) =>
            {
                Ok(())
            }
            found => {
                if let Some((at, shown)) = found {
                    self.last_cursor = at.or(self.last_cursor.take());
                    self.last_shown = shown.or(self.last_shown);
                } else {
                    let (at, shown) = final_cursor(body);
                    self.last_cursor = at;
                    self.last_shown = shown.or(self.last_shown);
                }
                self.inner.write_all(&frame)
            }
        }
    }
}

impl<W: Write> Write for SkipEmptyFrames<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while !rest.is_empty() {
            if self.frame.is_empty() {
                // between frames: everything goes out until a frame begins
                match rest.windows(BEGIN.len()).position(|w| w == BEGIN) {
                    Some(p) => {
                        self.inner.write_all(&rest[..p])?;
                        self.frame.extend_from_slice(BEGIN);
                        rest = &rest[p + BEGIN.len()..];
                    }
                    None => {
                        self.inner.write_all(rest)?;
                        rest = &[];
                    }
                }
            } else {
                self.frame.extend_from_slice(rest);
                rest = &[];
                if let Some(p) = self.frame[BEGIN.len()..].windows(END.len()).position(|w| w == END) {
                    let end = BEGIN.len() + p + END.len();
                    let after = self.frame.split_off(end);
                    self.end_frame()?;
                    // what came after the frame's end goes round again
                    return self.write(&after).map(|_| buf.len());
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(frames: &[&[u8]]) -> Vec<u8> {
        let mut w = SkipEmptyFrames::new(Vec::new());
        for f in frames {
            w.write_all(f).ok();
        }
        w.inner
    }

    #[test]
    fn only_frames_that_change_something_go_out() {
        let draw: &[u8] = b"\x1b[?2026h\x1b[1;1Habc\x1b[3;7H\x1b[?25h\x1b[?2026l";
        let same: &[u8] = b"\x1b[?2026h\x1b[3;7H\x1b[?25h\x1b[?2026l";
        let moved: &[u8] = b"\x1b[?2026h\x1b[3;8H\x1b[?25h\x1b[?2026l";
        // the cursor shown already is not shown again
        let moved_sent: &[u8] = b"\x1b[?2026h\x1b[3;8H\x1b[?2026l";
        let draw_again: &[u8] = b"\x1b[?2026h\x1b[1;1Habc\x1b[3;7H\x1b[?2026l";
        assert_eq!(sent(&[draw, same]), draw, "the cursor put back where it was: dropped");
        assert_eq!(sent(&[draw, moved]), [draw, moved_sent].concat(), "a cursor moved: sent");
        assert_eq!(sent(&[draw, draw]), [draw, draw_again].concat(), "text: always sent");
        // a frame arriving in pieces, and what is written outside frames
        assert_eq!(sent(&[b"\x1b[?1049h", &draw[..5], &draw[5..]]), [b"\x1b[?1049h" as &[u8], draw].concat());
    }

    #[test]
    fn the_end_of_frame_resets_come_as_one() {
        let frame: &[u8] = b"\x1b[?2026h\x1b[2;11H\x1b[4m\xd0\xb0\x1b[39m\x1b[49m\x1b[59m\x1b[0m\x1b[?25h\x1b[2;12H\x1b[?2026l";
        let short: &[u8] = b"\x1b[?2026h\x1b[2;11H\x1b[4m\xd0\xb0\x1b[0m\x1b[?25h\x1b[2;12H\x1b[?2026l";
        assert_eq!(sent(&[frame]), short);
        // a frame that hides the cursor and shows it again keeps both
        let hides: &[u8] = b"\x1b[?2026h\x1b[?25l\x1b[1;1Hx\x1b[?25h\x1b[?2026l";
        assert_eq!(sent(&[frame, hides]), [short, hides].concat());
    }
}
