//! Frames that change nothing are not sent. Every frame goes out inside synchronized output
//! (`ESC[?2026h` … `ESC[?2026l`); when an answer changes nothing on the screen (a search whose
//! results are the ones shown) ratatui still writes the frame's cursor placement, and over
//! SSH every such frame costs a round of bytes for nothing. This writer holds each frame until
//! it ends and drops it when all it does is put the cursor where the last frame left it.

use std::io::{self, Write};

const BEGIN: &[u8] = b"\x1b[?2026h";
const END: &[u8] = b"\x1b[?2026l";

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

impl<W: Write> SkipEmptyFrames<W> {
    fn end_frame(&mut self) -> io::Result<()> {
        let frame = std::mem::take(&mut self.frame);
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
        assert_eq!(sent(&[draw, same]), draw, "the cursor put back where it was: dropped");
        assert_eq!(sent(&[draw, moved]), [draw, moved].concat(), "a cursor moved: sent");
        assert_eq!(sent(&[draw, draw]), [draw, draw].concat(), "text: always sent");
        // a frame arriving in pieces, and what is written outside frames
        assert_eq!(sent(&[b"\x1b[?1049h", &draw[..5], &draw[5..]]), [b"\x1b[?1049h" as &[u8], draw].concat());
    }
}
