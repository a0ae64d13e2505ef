//! A program in a tmux pane of its own tmux server, driven as a person drives it: keys in, the
//! screen read back. Every wait polls the screen until what is expected shows, with a deadline,
//! never a fixed sleep.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Pane {
    socket: String,
    /// The session (and so the target) name.
    pub session: &'static str,
    /// Read the screen with wrapped lines joined (`capture-pane -J`): a long line is found whole,
    /// and trailing blanks are kept.
    joined: bool,
}

impl Pane {
    /// `command` run by a shell in a new 80×24 pane, left on the screen after it ends.
    pub fn start(session: &'static str, command: &str, joined: bool) -> Pane {
        let pane =
            Pane { socket: format!("kassa-{session}-{}", uuid::Uuid::new_v4().simple()), session, joined };
        pane.tmux(&["new-session", "-d", "-s", session, "-x", "80", "-y", "24", command]);
        pane.tmux(&["set-option", "-t", session, "remain-on-exit", "on"]);
        pane
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let o = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux");
        String::from_utf8_lossy(&o.stdout).to_string()
    }

    pub fn screen(&self) -> String {
        if self.joined {
            self.tmux(&["capture-pane", "-p", "-J", "-t", self.session])
        } else {
            self.tmux(&["capture-pane", "-p", "-t", self.session])
        }
    }

    /// A tmux format about the pane (`#{pane_pid}`, `#{alternate_on}` …).
    pub fn display(&self, format: &str) -> String {
        self.tmux(&["display", "-p", "-t", self.session, format]).trim().to_string()
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if done(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "waited for {what}; the screen is:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// The terminal as the next program gets it — normal screen, cursor shown, cooked mode —
    /// read from the line of `stty` settings the pane's shell prints after the program
    /// (`-?(icanon|echo)`); the screen then.
    pub fn assert_restored(&self) -> String {
        let screen = self.wait_for("icanon");
        assert_eq!(
            self.display("#{alternate_on} #{cursor_flag}"),
            "0 1",
            "alternate screen off, cursor shown:\n{screen}"
        );
        assert!(
            screen.lines().any(|l| l.trim() == "icanon echo"),
            "line editing and echo back on:\n{screen}"
        );
        screen
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-L").arg(&self.socket).arg("kill-server").output();
    }
}

/// The shell's line after a program: its exit status, then the terminal's `icanon`/`echo`
/// settings (what `Pane::assert_restored` reads), then a wait.
pub fn then_report(program: &str, name: &str) -> String {
    format!(
        "{program}; echo {name} exited $?; stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; echo; read line"
    )
}
