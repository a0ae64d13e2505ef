//! The real binary in a real terminal (tmux): log in, find a customer, post a payment, quit;
//! then the payment is there for the CLI and the terminal is back to normal (alternate screen
//! left, cursor shown). Waiting here is for a real program on a real terminal: each wait polls
//! the screen until the expected text appears, with a deadline, never a fixed sleep.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use common::tmux::{Pane, then_report};

const BIN: &str = env!("CARGO_BIN_EXE_kassa");

fn have_tmux() -> bool {
    Command::new("tmux").arg("-V").output().map(|o| o.status.success()).unwrap_or(false)
}

fn cli(home: &Path, db: &str, op: &str, args: &[&str]) -> serde_json::Value {
    let o = Command::new(BIN)
        .args(["--db", db, "--json"])
        .args(args)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("KASSA_OPERATOR", op)
        .env("KASSA_PASSWORD", "kassa")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// kassa on its default database (the only one it fills with demo data by itself, on the first
/// start), `home`'s, in an 80×24 tmux pane, logged in as the cashier. After kassa
/// the shell prints its exit status and the terminal's line settings (`icanon`/`echo`: the
/// cooked mode the next program expects), then waits.
fn start(home: &Path) -> Option<Pane> {
    if !have_tmux() {
        let _ =
            writeln!(std::io::stderr(), "SKIPPED: tmux is not installed; the console smoke test did not run");
        return None;
    }
    let program = format!(
        "env HOME={home} XDG_DATA_HOME={home}/data LANG=ru_RU.UTF-8 TERM=xterm-256color {BIN}",
        home = home.display()
    );
    let t = Pane::start("kassa", &then_report(&program, "kassa"), false);
    t.wait_for("Оператор");
    t.keys(&["cashier", "Enter", "kassa", "Enter"]);
    t.wait_for("Поиск абонента");
    Some(t)
}

/// The terminal as the next program gets it: normal screen, cursor shown, cooked mode.
fn assert_restored(t: &Pane) {
    t.wait_for("kassa exited");
    // the shell's line of settings comes a moment after the exit status
    t.assert_restored();
}

#[test]
fn log_in_find_pay_and_quit_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/kassa/kassa.db").display().to_string();
    let Some(t) = start(dir.path()) else { return };
    t.keys(&["10001"]);
    t.wait_for("10001 ");
    t.keys(&["Enter"]);
    t.wait_for("Лицевой счёт");
    t.keys(&["p"]);
    t.wait_for("Приём платежа");
    t.keys(&["500", "Enter"]);
    t.wait_for("Провести платёж?");
    t.keys(&["Enter"]);
    let done = t.wait_for("Платёж проведён");
    assert!(done.contains("500,00"), "{done}");
    t.keys(&["Enter"]);
    t.wait_for("Лицевой счёт");
    t.keys(&["C-q"]);
    // the shell behind kassa prints its exit status on the normal screen and waits: that is the
    // terminal as the next program gets it
    t.wait_for("kassa exited 0");
    assert_restored(&t);
    let h = cli(dir.path(), &db, "viewer", &["history", "10001", "--kind", "payment", "--limit", "1"]);
    assert_eq!(h["operations"][0]["amount"], "500.00");
    assert_eq!(h["operations"][0]["operator_login"], "cashier");
}

#[test]
fn sigterm_and_sighup_leave_the_terminal_usable() {
    for signal in ["TERM", "HUP"] {
        let dir = tempfile::tempdir().unwrap();
        let Some(t) = start(dir.path()) else { return };
        t.keys(&["10001"]);
        t.wait_for("10001 ");
        // the pane runs a shell; kassa is its child
        let shell = t.display("#{pane_pid}");
        let child = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
        let pid = String::from_utf8_lossy(&child.stdout).lines().next().unwrap_or_default().to_string();
        assert!(!pid.is_empty(), "kassa's process under shell {shell}");
        let killed = Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap();
        assert!(killed.success());
        assert_restored(&t);
    }
}

/// The keys of the terminals at a desk, as their bytes reach kassa: PuTTY's VT100+ F-keys
/// (`ESC O T` … `ESC O [`), the Linux console's F1 (`ESC [ [ A`), Backspace as ^H.
#[test]
fn putty_and_linux_console_keys_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let Some(t) = start(dir.path()) else { return };
    let bytes = |hex: &[&str]| {
        let mut args = vec!["send-keys", "-t", t.session, "-H"];
        args.extend_from_slice(hex);
        t.tmux(&args);
    };
    // Backspace as ^H deletes the x
    t.keys(&["10001x"]);
    t.wait_for("10001x");
    bytes(&["08"]);
    let s = t.wait_for("10001 ");
    assert!(!s.contains("10001x"), "{s}");
    // F1 from the Linux console opens the help, Esc closes it
    bytes(&["1b", "5b", "5b", "41"]);
    t.wait_for("Клавиши");
    t.keys(&["Escape"]);
    // F12 from PuTTY (ESC O [) switches the language, F10 (ESC O Y) quits
    bytes(&["1b", "4f", "5b"]);
    t.wait_for("Find a customer");
    bytes(&["1b", "4f", "59"]);
    t.wait_for("kassa exited 0");
    assert_restored(&t);
}
