//! A terminal that is only a byte sink: what the console writes is kept, and each frame's end
//! (the close of its synchronized-output block) is stamped with the time it was written. The
//! flow tests read the screen back from it; the benchmark counts bytes per keystroke and the
//! time from a key to its frame.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

/// How a synchronized-output block ends (`EndSynchronizedUpdate`).
const FRAME_END: &[u8] = b"\x1b[?2026l";

#[derive(Default)]
struct Inner {
    bytes: Vec<u8>,
    /// For each frame: the length of `bytes` after it, and when it was complete.
    frames: Vec<(usize, Instant)>,
}

#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Inner>>);

impl Capture {
    pub fn new() -> Capture {
        Capture::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Everything written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.lock().bytes.clone()
    }

    pub fn len(&self) -> usize {
        self.lock().bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Frames completed so far.
    pub fn frame_count(&self) -> usize {
        self.lock().frames.len()
    }

    /// The size in bytes of each frame from number `from` on, and when each was complete.
    pub fn frames_since(&self, from: usize) -> Vec<(usize, Instant)> {
        let inner = self.lock();
        let mut out = Vec::new();
        for i in from..inner.frames.len() {
            let start = if i == 0 { 0 } else { inner.frames[i - 1].0 };
            out.push((inner.frames[i].0 - start, inner.frames[i].1));
        }
        out
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut inner = self.lock();
        inner.bytes.extend_from_slice(buf);
        if inner.bytes.ends_with(FRAME_END) {
            let len = inner.bytes.len();
            inner.frames.push((len, Instant::now()));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
