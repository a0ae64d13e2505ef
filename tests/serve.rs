//! `kassa serve` through the stock OpenSSH client in tmux, as a desk uses it: log in on the
//! console's login screen, pay, resize, quit; an operator logged in by an SSH key; the link
//! dropped on the confirmation and right after Enter (the payment whole or absent, never half);
//! wrong passwords locking the operator and turning the address away; an idle console logged
//! out. Each test runs its own server on its own port and database; waits poll the screen with
//! a deadline, never a fixed sleep.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::tmux::{Pane, then_report};
use common::{Kind, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_kassa");

fn have(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .map(|o| o.status.success() || !o.stderr.is_empty())
        .unwrap_or(false)
}

/// tmux and ssh are there, or the test says it is skipped (`.ci/run` installs both).
fn tools() -> bool {
    let ok = have("tmux", "-V") && have("ssh", "-V");
    if !ok {
        let _ =
            writeln!(std::io::stderr(), "SKIPPED: tmux or ssh is not installed; the SSH tests did not run");
    }
    ok
}

/// A running `kassa serve` on a demo database of its own.
struct Served {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    db: String,
    /// A PostgreSQL database, kept until the server is gone.
    _pg: Option<TestDb>,
}

impl Served {
    fn start(config: &str) -> Served {
        Served::start_on(None, config)
    }

    /// On `pg` (a PostgreSQL database of this test), or on an SQLite file of its own.
    fn start_on(pg: Option<TestDb>, config: &str) -> Served {
        let dir = tempfile::tempdir().unwrap();
        let db = match &pg {
            Some(t) => t.url.clone(),
            None => dir.path().join("kassa.db").display().to_string(),
        };
        let made = kassa(dir.path(), &db, None, &["demo", "--customers", "5", "--months", "1"]);
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
        let cfg = dir.path().join("config.toml");
        std::fs::write(&cfg, format!("[serve]\nlisten = \"127.0.0.1:0\"\n{config}")).unwrap();
        let log = dir.path().join("serve.out");
        let child = Command::new(BIN)
            .args(["--db", &db, "--config", cfg.to_str().unwrap(), "serve"])
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let port = loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(rest) = text.split("listening on 127.0.0.1:").nth(1) {
                break rest.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap();
            }
            assert!(Instant::now() < deadline, "kassa serve did not start: {text}");
            std::thread::sleep(Duration::from_millis(50));
        };
        let served = Served { child, port, dir, db, _pg: pg };
        // the desks connect from 127.0.0.1: that desk's shift is opened (cash is taken only in one)
        let mut open = Command::new(BIN);
        open.args(["--db", &served.db, "shift", "open", "--cash", "0"])
            .env("HOME", served.home())
            .env("XDG_DATA_HOME", served.home().join("data"))
            .env("KASSA_OPERATOR", "cashier")
            .env("KASSA_PASSWORD", "kassa")
            .env("SSH_CLIENT", "127.0.0.1 50000 22")
            .stdin(Stdio::null());
        let opened = open.output().unwrap();
        assert!(opened.status.success(), "{}", String::from_utf8_lossy(&opened.stderr));
        served
    }

    fn home(&self) -> &Path {
        self.dir.path()
    }

    /// `kassa` on the served database as `op` (password kassa).
    fn cli(&self, op: &str, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let o = kassa(self.home(), &self.db, Some(op), &all);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    }

    fn payments(&self, agreement: &str) -> usize {
        let h = self.cli("viewer", &["history", agreement, "--kind", "payment", "--limit", "100"]);
        h["operations"].as_array().unwrap().len()
    }

    fn refused_logins(&self) -> usize {
        let log = self.cli("admin", &["audit", "--entity", "operator", "--limit", "100"]);
        let refusals = ["operator.login_failed", "operator.locked", "operator.login_refused"];
        log.as_array().unwrap().iter().filter(|a| refusals.iter().any(|r| a["action"] == *r)).count()
    }

    fn audit_has(&self, text: &str) -> bool {
        let log = self.cli("admin", &["audit", "--entity", "operator", "--limit", "100"]);
        log.to_string().contains(text)
    }

    /// Stops the server with SIGTERM, as systemd does; its exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "kassa serve did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn kassa(home: &Path, db: &str, op: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.args(["--db", db]).args(args).env("HOME", home).env("XDG_DATA_HOME", home.join("data"));
    cmd.env("KASSA_PASSWORD", "kassa").env_remove("KASSA_TOKEN").stdin(Stdio::null());
    if let Some(op) = op {
        cmd.env("KASSA_OPERATOR", op);
    }
    cmd.output().unwrap()
}

/// An OpenSSH client in a tmux pane, and what it shows.
struct Desk {
    pane: Pane,
}

impl std::ops::Deref for Desk {
    type Target = Pane;
    fn deref(&self) -> &Pane {
        &self.pane
    }
}

impl Desk {
    /// `ssh -tt LOGIN@127.0.0.1` to the server (no config, no agent, no known hosts kept),
    /// with `key` as its only identity or none; after ssh, the shell says its exit status and
    /// the terminal's state, then waits. A desk with a key also asks for compression (`-C`),
    /// as a desk on a slow link does: the console is the same through it.
    fn connect(s: &Served, login: &str, key: Option<&Path>) -> Desk {
        Desk::connect_to(s.home(), s.port, login, key)
    }

    fn connect_to(home: &Path, port: u16, login: &str, key: Option<&Path>) -> Desk {
        let auth = match key {
            Some(k) => {
                format!("-C -o IdentitiesOnly=yes -o PreferredAuthentications=publickey -i {}", k.display())
            }
            None => "-o PubkeyAuthentication=no -o PreferredAuthentications=keyboard-interactive".into(),
        };
        let ssh = format!(
            "env -u SSH_AUTH_SOCK HOME={home} LANG=ru_RU.UTF-8 TERM=xterm-256color ssh -tt -F /dev/null \
             -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o SendEnv=LANG \
             {auth} -p {port} {login}@127.0.0.1",
            home = home.display(),
        );
        Desk { pane: Pane::start("desk", &then_report(&ssh, "ssh"), true) }
    }

    fn log_in(&self, password: &str) {
        self.wait_for("Пароль");
        self.keys(&[password, "Enter"]);
    }

    /// The ssh client's process, to kill as a dropped link does.
    fn ssh_pid(&self) -> String {
        let pane = self.display("#{pane_pid}");
        let o = Command::new("pgrep").args(["-P", &pane, "-x", "ssh"]).output().unwrap();
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    }

    /// The link cut without a goodbye: the client killed (the server sees the TCP connection end).
    fn drop_link(&self) {
        let pid = self.ssh_pid();
        assert!(!pid.is_empty(), "no ssh process");
        let killed = Command::new("kill").args(["-KILL", &pid]).output().unwrap();
        let tree = Command::new("ps").args(["-ef", "--forest"]).output().unwrap();
        let what = format!(
            "ssh {pid} killed ({}{}) to end; processes:\n{}",
            killed.status,
            String::from_utf8_lossy(&killed.stderr),
            String::from_utf8_lossy(&tree.stdout)
                .lines()
                .filter(|l| l.contains("ssh") || l.contains("kassa"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        self.wait_until(&what, |s| s.contains("ssh exited"));
    }
}

/// The cashier's payment of `amount` to agreement 10001, up to its confirmation.
fn pay_up_to_confirmation(d: &Desk, amount: &str) {
    d.keys(&["10001"]);
    d.wait_for("▶ 10001");
    d.keys(&["Enter"]);
    d.wait_for("Лицевой счёт");
    d.keys(&["p"]);
    d.wait_for("Приём платежа");
    d.keys(&[amount, "Enter"]);
    d.wait_for("Провести платёж?");
}

#[test]
fn log_in_pay_resize_and_quit_over_ssh() {
    if !tools() {
        return;
    }
    pay_in_a_row_over_ssh(Served::start(""));
}

/// The same desk on PostgreSQL: every console over one pool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_in_pay_resize_and_quit_over_ssh_on_postgres() {
    if !tools() {
        return;
    }
    let Some(pg) = TestDb::new(Kind::Postgres).await else { return };
    tokio::task::spawn_blocking(move || pay_in_a_row_over_ssh(Served::start_on(Some(pg), ""))).await.unwrap();
}

fn pay_in_a_row_over_ssh(s: Served) {
    let d = Desk::connect(&s, "cashier", None);
    // the SSH login is filled in; the password is asked by the console
    let login = d.wait_for("Оператор");
    assert!(login.contains("cashier"), "{login}");
    d.log_in("kassa");
    d.wait_for("Поиск абонента");
    // the window follows the client's size
    d.tmux(&["resize-window", "-t", d.session, "-x", "100", "-y", "30"]);
    d.wait_until("a 100-column frame", |s| {
        s.lines().next().is_some_and(|l| l.contains("Поиск абонента") && l.trim_end().chars().count() > 80)
    });
    let before = s.payments("10001");
    // a desk's run of payments, one after another, each amount its own
    let amounts: Vec<String> = (0..20).map(|i| (101 + i).to_string()).collect();
    for amount in &amounts {
        pay_up_to_confirmation(&d, amount);
        d.keys(&["Enter"]);
        let done = d.wait_for("Платёж проведён");
        assert!(done.contains(&format!("{amount},00")), "{done}");
        d.keys(&["Enter"]);
        d.wait_for("Лицевой счёт");
        d.keys(&["Escape"]);
        d.wait_for("Поиск абонента");
        // the last search's answer stays on the screen until the field is cleared
        d.keys(&["C-u"]);
        d.wait_until("the search cleared", |s| !s.contains("Жукова"));
    }
    d.keys(&["C-q"]);
    let after = d.assert_restored();
    assert!(after.contains("ssh exited 0"), "{after}");
    assert_eq!(s.payments("10001"), before + amounts.len());
    // the session's origin is the peer's address
    let h = s.cli("viewer", &["history", "10001", "--kind", "payment", "--limit", "1"]);
    assert_eq!(h["operations"][0]["operator_login"], "cashier");
    assert!(s.audit_has("127.0.0.1"));
    assert!(s.stop().success());
}

#[test]
fn an_operator_with_a_registered_key_is_logged_in_by_it() {
    if !tools() {
        return;
    }
    let s = Served::start("");
    let key = s.home().join("desk_key");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "desk-7", "-f", key.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(made.success());
    let pub_file: PathBuf = key.with_extension("pub");
    s.cli("admin", &["operator", "key", "add", "noc", pub_file.to_str().unwrap()]);
    let d = Desk::connect(&s, "noc", Some(&key));
    d.wait_for("Поиск абонента");
    assert!(s.audit_has("ssh_key"));
    d.keys(&["C-q"]);
    assert!(d.assert_restored().contains("ssh exited 0"));
    // a connection can do nothing but the console: a command, a forwarding are refused
    let port = s.port.to_string();
    let home = s.home().to_str().unwrap();
    let base = [
        "-F",
        "/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
    ];
    let exec = Command::new("ssh")
        .args(base)
        .args([
            // compression asked for, and what was agreed said (-v)
            "-C",
            "-v",
            "-o",
            "IdentitiesOnly=yes",
            "-i",
            key.to_str().unwrap(),
            "-p",
            &port,
            "noc@127.0.0.1",
            "echo",
            "shell-reached",
        ])
        .env("HOME", home)
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .unwrap();
    assert!(!exec.status.success() && !String::from_utf8_lossy(&exec.stdout).contains("shell-reached"));
    let said = String::from_utf8_lossy(&exec.stderr);
    assert!(
        said.contains("server->client cipher") && said.contains("compression: zlib@openssh.com"),
        "the server did not agree to compress what it sends: {said}"
    );
    let forward = Command::new("ssh")
        .args(base)
        .args(["-o", "IdentitiesOnly=yes", "-o", "ExitOnForwardFailure=yes", "-i", key.to_str().unwrap()])
        .args(["-N", "-R", "0:127.0.0.1:22", "-p", &port, "noc@127.0.0.1"])
        .env("HOME", home)
        .env_remove("SSH_AUTH_SOCK")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!forward.status.success(), "a forwarding was allowed");
    // the same key for another login is refused: ssh gives up (no other method allowed here)
    let other = Desk::connect(&s, "cashier", Some(&key));
    let refused = other.wait_for("ssh exited");
    assert!(!refused.contains("ssh exited 0"), "{refused}");
    // locked out, the operator's key no longer lets them in
    s.cli("admin", &["operator", "lock", "noc"]);
    let locked = Desk::connect(&s, "noc", Some(&key));
    let refused = locked.wait_for("ssh exited");
    assert!(!refused.contains("ssh exited 0"), "{refused}");
    // (a key offered for the wrong login is turned down before it is used: no login to audit)
    assert!(s.audit_has("locked out by an administrator"));
}

#[test]
fn a_dropped_link_leaves_a_payment_whole_or_absent() {
    if !tools() {
        return;
    }
    let s = Served::start("");
    let before = s.payments("10001");
    // dropped on the confirmation: nothing was posted
    let d = Desk::connect(&s, "cashier", None);
    d.log_in("kassa");
    d.wait_for("Поиск абонента");
    pay_up_to_confirmation(&d, "700");
    d.drop_link();
    assert_eq!(s.payments("10001"), before);
    drop(d);
    // dropped right after Enter, again and again: each payment is there whole or not at all
    let mut posted_at_most = 0;
    for _ in 0..3 {
        let d = Desk::connect(&s, "cashier", None);
        d.log_in("kassa");
        d.wait_for("Поиск абонента");
        pay_up_to_confirmation(&d, "300");
        d.keys(&["Enter"]);
        d.drop_link();
        posted_at_most += 1;
    }
    // the server finishes what it had begun; then the ledger adds up
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.payments("10001") < before + posted_at_most && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let after = s.payments("10001");
    assert!(after >= before && after <= before + posted_at_most, "{before} → {after}");
    let check = kassa(s.home(), &s.db, Some("admin"), &["check"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    // and the server keeps serving
    let d = Desk::connect(&s, "cashier", None);
    d.log_in("kassa");
    d.wait_for("Поиск абонента");
    d.keys(&["C-q"]);
    d.assert_restored();
    assert!(s.stop().success());
}

#[test]
fn wrong_passwords_lock_the_operator_and_turn_the_address_away() {
    if !tools() {
        return;
    }
    // three refused logins from one address close it; the operator locks after two
    let s = Served::start("max_login_failures = 3\n\n[service]\nmax_failed_logins = 2\n");
    let d = Desk::connect(&s, "cashier", None);
    for n in 0..3 {
        d.log_in(&format!("wrong{n}"));
        if n < 2 {
            // each refusal is in the audit log before the next password is typed
            let deadline = Instant::now() + Duration::from_secs(30);
            while s.refused_logins() < n + 1 {
                assert!(Instant::now() < deadline, "refusal {n} never audited");
                std::thread::sleep(Duration::from_millis(50));
            }
            d.wait_for("Вход не выполнен");
        }
    }
    // the third refusal ends the console with why, and ssh ends
    let screen = d.wait_for("ssh exited");
    assert!(screen.contains("слишком много неудачных входов"), "{screen}");
    d.assert_restored();
    // a new connection from the address is turned away before any login screen
    let again = Desk::connect(&s, "cashier", None);
    let refused = again.wait_for("ssh exited");
    assert!(!refused.contains("Оператор"), "{refused}");
    assert!(s.audit_has("operator.login_failed"));
    // the operator's own lock after wrong passwords applied too: the right password is refused
    assert!(s.audit_has("operator.locked"));
    let refused = kassa(s.home(), &s.db, Some("cashier"), &["customer", "show", "10001"]);
    assert_eq!(refused.status.code(), Some(6));
}

/// A console where no key is pressed for the configured time is logged out and closed, with
/// why; the server in this process, so that the time can be two seconds.
#[test]
fn an_idle_console_is_logged_out() {
    if !tools() {
        return;
    }
    let s = Served::start("");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let db = s.db.clone();
    let key = s.home().join("in_process_host_key");
    let server = std::thread::spawn(move || {
        rt.block_on(async move {
            let svc = kassa::service::Service::open(&db, Default::default()).await.unwrap();
            let opts = kassa::serve::ServeOptions {
                listen: "127.0.0.1:0".into(),
                host_key: key,
                max_sessions: 4,
                max_login_failures: 10,
                login_window: Duration::from_secs(60),
                idle: Duration::from_secs(2),
                language: None,
            };
            let server = kassa::serve::Server::bind(svc, opts).await.unwrap();
            port_tx.send(server.address.port()).unwrap();
            server
                .run(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        })
    });
    let port = port_rx.recv().unwrap();
    let d = Desk::connect_to(s.home(), port, "cashier", None);
    d.log_in("kassa");
    d.wait_for("Поиск абонента");
    // nothing typed: logged out after two seconds, told why, the terminal restored
    let screen = d.wait_for("ssh exited");
    assert!(screen.contains("сеанс закрыт — не было нажатий"), "{screen}");
    d.assert_restored();
    let _ = stop.send(());
    server.join().unwrap();
    drop(s);
}

/// One console more than `max_sessions` is told so and closed; the first one keeps working.
#[test]
fn a_console_over_the_limit_is_told_so() {
    if !tools() {
        return;
    }
    let s = Served::start("max_sessions = 1\n");
    let first = Desk::connect(&s, "cashier", None);
    first.log_in("kassa");
    first.wait_for("Поиск абонента");
    let second = Desk::connect(&s, "noc", None);
    let screen = second.wait_for("ssh exited");
    assert!(screen.contains("все рабочие места сервера заняты"), "{screen}");
    first.keys(&["10001"]);
    first.wait_for("▶ 10001");
    first.keys(&["C-q"]);
    first.assert_restored();
    // the place is free again
    let third = Desk::connect(&s, "noc", None);
    third.log_in("kassa");
    third.wait_for("Поиск абонента");
}

/// SIGTERM to the server (systemd stopping it) ends every console the way SIGTERM ends a local
/// one: each desk is told, its terminal restored, and the server exits 0 once they have ended.
#[test]
fn stopping_the_server_ends_every_console_and_says_so() {
    if !tools() {
        return;
    }
    let s = Served::start("");
    let desks: Vec<Desk> = ["cashier", "noc"].iter().map(|l| Desk::connect(&s, l, None)).collect();
    for d in &desks {
        d.log_in("kassa");
        d.wait_for("Поиск абонента");
    }
    assert!(s.stop().success());
    for d in &desks {
        let screen = d.wait_for("ssh exited");
        assert!(screen.contains("сервер останавливается"), "{screen}");
        d.assert_restored();
    }
}
