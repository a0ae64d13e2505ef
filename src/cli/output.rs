//! Everything the command line writes to a terminal or a pipe goes through here.
//!
//! - Control characters never reach the terminal: text stored with ESC or BEL (a name, a
//!   comment, a street, an origin) could otherwise repaint an administrator's screen. In text
//!   they are shown as `�`; in JSON as `\uXXXX` escapes (serde_json leaves C1 controls raw).
//! - A failed write never panics (`println!` does). A closed pipe (`kassa customer list |
//!   head -1`) ends the output quietly and the command exits 0; any other failure (a full
//!   disk, `> /dev/full`) exits with `OUTPUT_FAILED` after saying so on stderr. Either way what
//!   the command did stays done: a script must not retry a payment because its answer could
//!   not be printed.

use std::io::{ErrorKind, Write};
use std::sync::Mutex;

/// The exit code of a command that was carried out but whose answer could not be written.
pub const OUTPUT_FAILED: u8 = 7;

/// The first write failure of this process, if any.
static FAILED: Mutex<Option<ErrorKind>> = Mutex::new(None);

fn failed() -> Option<ErrorKind> {
    FAILED.lock().map(|f| *f).unwrap_or(None)
}

fn fail(kind: ErrorKind) {
    if let Ok(mut f) = FAILED.lock()
        && f.is_none()
    {
        *f = Some(kind);
    }
}

/// Whether `c` may not be written to a terminal as it is: C0 and C1 controls other than line
/// feed and tab, DEL, and the bidirectional overrides that reorder what a line shows.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` fit for a terminal: every unsafe character shown as `�`.
pub fn printable(text: &str) -> String {
    if !text.contains(unsafe_char) {
        return text.to_string();
    }
    text.chars().map(|c| if unsafe_char(c) { '\u{fffd}' } else { c }).collect()
}

/// JSON text fit for a terminal: every unsafe character left raw by the serializer written
/// as its `\uXXXX` escape, which any JSON reader decodes to the same string.
pub fn printable_json(json: &str) -> String {
    if !json.contains(unsafe_char) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes already printable text to stdout; false once any write of this process has failed.
pub fn write_stdout(text: &str) -> bool {
    if failed().is_some() {
        return false;
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => true,
        Err(e) => {
            fail(e.kind());
            false
        }
    }
}

/// One line of text to stdout, made printable.
pub fn line(text: &str) -> bool {
    write_stdout(&format!("{}\n", printable(text)))
}

/// One line to stderr, made printable; a failure there is not reported anywhere else.
pub fn err_line(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", printable(text));
    let _ = err.flush();
}

/// The exit code the output decides, if it failed: `None` when every write went through or
/// the reader closed the pipe (the command's own code stands), `OUTPUT_FAILED` otherwise.
pub fn exit_override() -> Option<u8> {
    match failed() {
        None | Some(ErrorKind::BrokenPipe) => None,
        Some(kind) => {
            err_line(&format!(
                "kassa: the command was carried out, but its answer could not be written ({kind}); \
                 do not repeat it: look at the history or the audit log"
            ));
            Some(OUTPUT_FAILED)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_pass() {
        assert_eq!(printable("Иванов\u{1b}[2J\u{7}"), "Иванов\u{fffd}[2J\u{fffd}");
        assert_eq!(printable("a\u{9b}31mb\u{202e}c"), "a\u{fffd}31mb\u{fffd}c");
        assert_eq!(printable("line\n\tnext"), "line\n\tnext");
        let json = serde_json::to_string(&"x\u{1b}y\u{9b}z").unwrap_or_default();
        let safe = printable_json(&json);
        assert!(!safe.contains(unsafe_char), "{safe}");
        assert_eq!(serde_json::from_str::<String>(&safe).ok().as_deref(), Some("x\u{1b}y\u{9b}z"));
    }
}
