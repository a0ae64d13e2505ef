//! The real binary: bad input on every command changes nothing; separate processes post to one
//! SQLite file without "database is locked"; the first run builds the demo desk.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Kind, TestDb};
use sqlx::{Connection, Row};

const BIN: &str = env!("CARGO_BIN_EXE_kassa");

/// Runs kassa against `db` as `operator` (password `kassa`), with home directories in `home`.
fn kassa(home: &Path, db: &str, operator: Option<&str>, args: &[&str]) -> Output {
    let mut all = vec!["--db", db];
    all.extend_from_slice(args);
    kassa_default(home, operator, &all)
}

/// Runs kassa with `args` alone: without `--db` it works on the default database of `home`.
fn kassa_default(home: &Path, operator: Option<&str>, args: &[&str]) -> Output {
    command(home, operator, args).output().expect("run kassa")
}

/// The kassa command `kassa_default` runs, before it runs.
fn command(home: &Path, operator: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("KASSA_PASSWORD", "kassa")
        .env("KASSA_NEW_PASSWORD", "12345")
        .stdin(std::process::Stdio::null());
    if let Some(op) = operator {
        cmd.env("KASSA_OPERATOR", op);
    }
    cmd
}

/// Every row of every table, as text: equal dumps mean nothing was written.
async fn dump(db: &TestDb) -> String {
    let mut out = String::new();
    match db.kind() {
        Kind::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.url)).await.unwrap();
            let tables: Vec<String> = sqlx::query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT LIKE 'customer_search%' ORDER BY name",
            )
            .fetch_all(&mut c)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
            for t in tables {
                let cols: Vec<String> =
                    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT name FROM pragma_table_info('{t}')")))
                        .fetch_all(&mut c)
                        .await
                        .unwrap()
                        .iter()
                        .map(|r| format!("quote({})", r.get::<String, _>(0)))
                        .collect();
                let sql = format!("SELECT {} FROM {t} ORDER BY rowid", cols.join(" || '|' || "));
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut c).await.unwrap() {
                    out.push_str(&t);
                    out.push(':');
                    out.push_str(&r.get::<String, _>(0));
                    out.push('\n');
                }
            }
            c.close().await.unwrap();
        }
        Kind::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
            let tables: Vec<String> =
                sqlx::query("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
                    .fetch_all(&mut c)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get::<String, _>(0))
                    .collect();
            for t in tables {
                let sql = format!("SELECT x::text FROM {t} x ORDER BY 1");
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut c).await.unwrap() {
                    out.push_str(&t);
                    out.push(':');
                    out.push_str(&r.get::<String, _>(0));
                    out.push('\n');
                }
            }
            c.close().await.unwrap();
        }
    }
    out
}

/// (operator, arguments, expected exit code)
const BAD: &[(Option<&str>, &[&str], u8)] = &[
    (Some("admin"), &["token", "create", "--name", " "], 2),
    (Some("admin"), &["token", "create", "--name", "x", "--expires", "01.01.2001"], 2),
    (Some("admin"), &["token", "create", "--name", "x", "--expires", "31.02.2030"], 2),
    (Some("cashier"), &["token", "create", "--name", "x", "--for", "admin"], 5),
    (Some("admin"), &["token", "create", "--name", "x", "--for", "nobody"], 3),
    (Some("admin"), &["--yes", "token", "revoke", "999"], 3),
    (Some("admin"), &["operator", "key", "add", "cashier", "/nonexistent/key.pub"], 2),
    (Some("admin"), &["operator", "key", "add", "cashier", "/etc/hostname"], 2),
    (Some("cashier"), &["operator", "key", "list", "admin"], 5),
    (Some("admin"), &["--yes", "operator", "key", "remove", "cashier", "SHA256:nothing"], 3),
    (Some("admin"), &["customer", "state", "10001", "frozen"], 2),
    (Some("admin"), &["customer", "state", "99999", "pause"], 3),
    (Some("viewer"), &["customer", "state", "10001", "pause"], 5),
    (Some("admin"), &["--yes", "customer", "delete", "10001"], 4),
    (Some("cashier"), &["--yes", "customer", "delete", "10001"], 5),
    (Some("admin"), &["--yes", "customer", "delete", "#424242"], 3),
    (Some("cashier"), &["customer", "to-former", "10001"], 5),
    (Some("admin"), &["customer", "to-normal", "10001"], 4),
    (Some("admin"), &["customer", "state-history", "99999"], 3),
    (Some("admin"), &["customer", "state"], 2),
    (Some("cashier"), &["pay", "10001", "abc"], 2),
    (Some("cashier"), &["pay", "10001", "500.505"], 2),
    (Some("cashier"), &["pay", "10001", "0"], 2),
    (Some("cashier"), &["pay", "10001", "-5"], 2),
    (Some("cashier"), &["pay", "10001", "1e5"], 2),
    (Some("cashier"), &["pay", "10001", "10000001"], 2),
    (Some("cashier"), &["pay", "10001", "500", "--method", "cheque"], 2),
    (Some("cashier"), &["pay", "10001", "500", "--receipt", "1 2"], 2),
    (Some("cashier"), &["pay", "10001", "500", "--key", "с пробелом"], 2),
    (Some("cashier"), &["pay", "99999999", "500"], 3),
    (Some("cashier"), &["pay", "#abc", "500"], 2),
    (Some("viewer"), &["pay", "10001", "500"], 5),
    (None, &["pay", "10001", "500"], 2),
    (Some("admin"), &["charge", "10001", "100", "--comment", " "], 2),
    (Some("admin"), &["charge", "10001", "-100", "--comment", "x"], 2),
    (Some("admin"), &["correct", "10001", "0", "--comment", "x"], 2),
    (Some("cashier"), &["charge", "10001", "100", "--comment", "x"], 5),
    (Some("admin"), &["reverse", "999999", "--comment", "x"], 3),
    (Some("cashier"), &["reverse", "1", "--comment", "x"], 5),
    (Some("cashier"), &["history", "10001", "--from", "2026-13-01"], 2),
    (Some("cashier"), &["history", "10001", "--kind", "refund"], 2),
    (Some("cashier"), &["history", "10001", "--page", "0"], 2),
    (Some("cashier"), &["history", "10001", "--limit", "0"], 2),
    (Some("cashier"), &["history", "424242"], 3),
    (Some("cashier"), &["customer", "add", "--name", " "], 2),
    (Some("cashier"), &["customer", "add", "--name", "X", "--set", "email=bad"], 2),
    (Some("cashier"), &["customer", "add", "--name", "X", "--set", "nosuch=1"], 2),
    (Some("cashier"), &["customer", "add", "--name", "X", "--set", "phone0=12"], 2),
    (Some("cashier"), &["customer", "add", "--name", "X", "--set", "house_id=99999"], 2),
    (Some("cashier"), &["customer", "add", "--name", "X", "--set", "noequals"], 2),
    (Some("viewer"), &["customer", "add", "--name", "X"], 5),
    (Some("cashier"), &["customer", "edit", "10001", "--set", "login=a b"], 2),
    (Some("cashier"), &["customer", "edit", "10001"], 2),
    (Some("cashier"), &["customer", "edit", "10001", "--set", "agreement_number=10002"], 4),
    (Some("cashier"), &["customer", "edit", "10001", "--set", "date_connect=31.02.2026"], 2),
    (Some("cashier"), &["customer", "show", "424242"], 3),
    (Some("cashier"), &["customer", "show"], 2),
    (Some("cashier"), &["customer", "find", "fio", "x"], 2),
    (Some("cashier"), &["customer", "find", "ip", "300.1.1.1"], 2),
    (Some("cashier"), &["customer", "find", "login", "nobody-here"], 3),
    (Some("cashier"), &["customer", "list", "--limit", "0"], 2),
    (Some("cashier"), &["customer", "list", "--state", "weird"], 2),
    (Some("cashier"), &["customer", "list", "--balance-from", "abc"], 2),
    (Some("admin"), &["tariff", "add", "--name", "X"], 2),
    (Some("admin"), &["tariff", "add", "--name", "X", "--price", "1", "--period", "week"], 2),
    (Some("admin"), &["tariff", "add", "--name", "Гигабит", "--price", "1"], 4),
    (Some("admin"), &["tariff", "add", "--name", "X", "--price", "1", "--transitions", "1,x"], 2),
    (Some("admin"), &["tariff", "edit", "9999", "--price", "1"], 3),
    (Some("cashier"), &["tariff", "add", "--name", "X", "--price", "1"], 5),
    (Some("cashier"), &["tariff", "change", "10001", "9999"], 3),
    (Some("admin"), &["tariff", "apply-due", "--date", "завтра"], 2),
    (Some("admin"), &["house", "add", "--city", "X"], 2),
    (Some("admin"), &["house", "add", "--city", "К", "--street", "У", "--number", "5а"], 2),
    (Some("admin"), &["house", "delete", "1"], 4),
    (Some("admin"), &["house", "delete", "99999"], 3),
    (Some("admin"), &["house", "edit", "1", "--connect-date", "вчера"], 2),
    (Some("cashier"), &["house", "add", "--city", "К", "--street", "У", "--number", "5"], 5),
    (Some("admin"), &["operator", "add", "x", "--name", "X", "--role", "root"], 2),
    (Some("admin"), &["operator", "add", "bad login", "--name", "X", "--role", "viewer"], 2),
    (Some("admin"), &["operator", "add", "cashier", "--name", "X", "--role", "viewer"], 4),
    (Some("cashier"), &["operator", "list"], 5),
    (Some("cashier"), &["check"], 5),
    (Some("cashier"), &["audit"], 5),
    (Some("admin"), &["demo", "--customers", "5"], 4),
    (Some("admin"), &["demo", "--customers", "0"], 2),
    (Some("noc"), &["switch", "add", "--name", "sw-x", "--ip", "10.200.0.256", "--ports", "8"], 2),
    (Some("noc"), &["switch", "add", "--name", "sw-x", "--ip", "10.200.9.1", "--ports", "0"], 2),
    (
        Some("noc"),
        &["switch", "add", "--name", "sw-x", "--ip", "10.200.9.1", "--ports", "8", "--house", "77"],
        2,
    ),
    (
        Some("noc"),
        &["switch", "add", "--name", "sw-x", "--ip", "10.200.9.1", "--ports", "8", "--serves-house", "может"],
        2,
    ),
    (Some("noc"), &["switch", "add", "--name", "sw-lenina-1", "--ip", "10.200.9.1", "--ports", "8"], 4),
    (Some("noc"), &["switch", "add", "--name", "sw-x", "--ip", "10.200.0.1", "--ports", "8"], 4),
    (Some("noc"), &["switch", "add", "--name", "sw-x", "--ip", "10.0.0.5", "--ports", "8"], 4),
    (
        Some("noc"),
        &[
            "switch",
            "add",
            "--name",
            "sw-x",
            "--ip",
            "10.200.9.1",
            "--ports",
            "8",
            "--house",
            "1",
            "--serves-house",
            "yes",
        ],
        4,
    ),
    (Some("cashier"), &["switch", "add", "--name", "sw-x", "--ip", "10.200.9.1", "--ports", "8"], 5),
    (Some("noc"), &["switch", "edit", "sw-lenina-1", "--ports", "10"], 4),
    (Some("noc"), &["switch", "edit", "нет-такого", "--ports", "10"], 3),
    (Some("noc"), &["--yes", "switch", "delete", "sw-lenina-1"], 4),
    (Some("cashier"), &["switch", "list", "--show-secrets"], 5),
    (Some("noc"), &["switch", "ports", "#99"], 3),
    (Some("noc"), &["ip", "add", "10001", "10.0.0.2"], 4),
    (Some("noc"), &["ip", "add", "10001", "10.0.0.300"], 2),
    (Some("noc"), &["ip", "add", "10001", "10.0.9.1", "--mac", "00:11:22:33:44"], 2),
    (Some("noc"), &["ip", "add", "10001"], 2),
    (Some("noc"), &["ip", "add", "99999", "10.0.9.1"], 3),
    (Some("cashier"), &["ip", "add", "10001", "10.0.9.1"], 5),
    (Some("noc"), &["ip", "delete", "10001", "10.0.0.2"], 3),
    (Some("noc"), &["ip", "delete", "10001", "nonsense"], 2),
    (Some("noc"), &["--yes", "ip", "delete", "10001", "-1"], 3),
    (Some("noc"), &["ip", "subnet-add", "10001", "10.0.0.0", "29"], 4),
    (Some("noc"), &["ip", "subnet-add", "10001", "10.0.9.3", "29"], 2),
    (Some("noc"), &["ip", "subnet-add", "10001", "10.0.9.0", "8"], 2),
    (Some("noc"), &["ip", "subnet-add", "10001", "10.0.9.0", "x"], 2),
    (Some("noc"), &["--yes", "ip", "subnet-delete", "10001", "10.0.0.1"], 3),
    (Some("noc"), &["ip", "set-mac", "10.0.9.9", "00:11:22:33:44:55"], 3),
    (Some("noc"), &["ip", "set-mac", "10.0.0.1", "zz:11:22:33:44:55"], 2),
    (Some("viewer"), &["ip", "set-mac", "10.0.0.1", "00:11:22:33:44:55"], 5),
    (Some("noc"), &["ip", "mac-history", "99999"], 3),
    (Some("noc"), &["ip", "bind", "10030", "sw-lenina-1", "1"], 4),
    (Some("noc"), &["ip", "bind", "10030", "sw-lenina-1", "25"], 2),
    (Some("noc"), &["ip", "bind", "10030", "sw-lenina-1", "первый"], 2),
    (Some("noc"), &["ip", "bind", "10030", "sw-nowhere", "1"], 3),
    (Some("cashier"), &["ip", "bind", "10030", "sw-lenina-1", "1", "--move"], 5),
    (Some("noc"), &["ip", "unbind", "10030"], 3),
    (Some("noc"), &["dhcp", "export", "--format", "xml"], 2),
    (Some("noc"), &["ip", "show", "99999"], 3),
    (Some("viewer"), &["customer", "activity-counter", "satellite"], 2),
    (Some("admin"), &["mark", "add", "Х", "--color", "orange"], 2),
    (Some("admin"), &["service", "add", "--name", "X"], 2),
    (Some("admin"), &["service", "add", "--name", "X", "--price", "1", "--period", "week"], 2),
    (Some("cashier"), &["service", "add", "--name", "X", "--price", "1"], 5),
    (Some("admin"), &["service", "edit", "999", "--price", "1"], 3),
    (Some("cashier"), &["customer", "service-add", "10001", "999"], 3),
    (Some("cashier"), &["customer", "service-edit", "999", "--quantity", "2"], 3),
    (Some("cashier"), &["--yes", "customer", "service-remove", "999"], 3),
    (Some("cashier"), &["customer", "services", "99999"], 3),
    (Some("admin"), &["--yes", "customer", "merge", "10001", "10001"], 2),
    (Some("admin"), &["--yes", "customer", "merge", "10001", "99999"], 3),
    (Some("cashier"), &["--yes", "customer", "merge", "10001", "10002"], 5),
    (Some("cashier"), &["message", "from-customer", "10001", " "], 2),
    (Some("cashier"), &["message", "to-customer", "99999", "Привет"], 3),
    (Some("viewer"), &["message", "to-customer", "10001", "Привет"], 5),
    (Some("cashier"), &["message", "list", "--from", "32.01.2026"], 2),
    (Some("cashier"), &["message", "list", "--by", "nobody"], 3),
    (Some("cashier"), &["message", "list", "--limit", "0"], 2),
    (Some("cashier"), &["message", "archive", "999"], 3),
    (Some("admin"), &["mark", "add", "Должник"], 4),
    (Some("cashier"), &["mark", "add", "Новая"], 5),
    (Some("admin"), &["mark", "edit", "999"], 3),
    (Some("admin"), &["--yes", "mark", "delete", "999"], 3),
    (Some("admin"), &["group", "add", " "], 2),
    (Some("admin"), &["group", "rename", "999", "X"], 3),
    (Some("cashier"), &["group", "add", "X"], 5),
    (Some("admin"), &["customer", "mark", "10001", "999"], 3),
    (Some("admin"), &["customer", "unmark", "99999", "1"], 3),
    (Some("viewer"), &["customer", "mark", "10001", "1"], 5),
    (Some("viewer"), &["customer", "lk-password", "10001"], 2),
    (Some("cashier"), &["customer", "lk-password", "99999"], 3),
    (Some("viewer"), &["customer", "activity-counter", "net", "--days", "0"], 2),
    (Some("viewer"), &["customer", "max-agreement", "--billing", "x"], 2),
    (Some("cashier"), &["promise", "add", "10001", "abc"], 2),
    (Some("cashier"), &["promise", "add", "10001", "300", "--days", "0"], 2),
    (Some("cashier"), &["promise", "add", "10001", "5000"], 4),
    (Some("cashier"), &["promise", "add", "10001", "300", "--days", "30"], 4),
    (Some("cashier"), &["promise", "add", "99999", "300"], 3),
    (Some("viewer"), &["promise", "add", "10001", "300"], 5),
    (Some("cashier"), &["promise", "list", "99999"], 3),
    (Some("cashier"), &["promise", "expire"], 5),
    (Some("admin"), &["customer", "credit-limit", "10001", "-5"], 2),
    (Some("admin"), &["customer", "credit-limit", "10001", "x"], 2),
    (Some("admin"), &["customer", "credit-limit", "10001", "0"], 4),
    (Some("cashier"), &["customer", "credit-limit", "10001", "100"], 5),
    (Some("noc"), &["switch", "list", "--id", "x"], 2),
    (
        Some("noc"),
        &[
            "switch",
            "add",
            "--name",
            "sw-x",
            "--ip",
            "10.200.9.1",
            "--ports",
            "8",
            "--ssh-password",
            "пароль\tс табом",
        ],
        2,
    ),
    (Some("admin"), &["operator", "edit", "cashier"], 2),
    (Some("admin"), &["operator", "edit", "cashier", "--role", "boss"], 2),
    (Some("admin"), &["operator", "edit", "cashier", "--name", " "], 2),
    (Some("admin"), &["operator", "edit", "nobody", "--name", "X"], 3),
    (Some("admin"), &["operator", "edit", "admin", "--role", "viewer"], 4),
    (Some("admin"), &["operator", "lock", "admin"], 4),
    (Some("admin"), &["operator", "unlock", "nobody"], 3),
    (Some("cashier"), &["operator", "lock", "noc"], 5),
    (Some("noc"), &["operator", "password", "viewer"], 5),
    (Some("admin"), &["no-such-command"], 2),
    (Some("admin"), &["pay"], 2),
];

async fn bad_input_changes_nothing(kind: Kind) {
    let Some(db) = TestDb::new(kind).await else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let made = kassa(home.path(), &db.url, None, &["demo", "--customers", "40", "--months", "2"]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let before = without_logins(&dump(&db).await);
    assert!(before.contains("customers:"));
    for (op, args, code) in BAD {
        let o = kassa(home.path(), &db.url, *op, args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(*code as i32),
            "{args:?}: stdout {} stderr {stderr}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert!(!stderr.trim().is_empty(), "{args:?} said nothing");
        if args.len() > 1 {
            assert!(stderr.lines().count() <= 3 || stderr.contains("Usage"), "{args:?}: {stderr}");
        }
        let after = dump(&db).await;
        assert_eq!(without_logins(&after), before, "{args:?} changed the database");
    }
}

/// A dump without the audit rows of logins: every command that logs in leaves one (issue 14
/// item 9), whatever it does next.
fn without_logins(dump: &str) -> String {
    dump.lines()
        .filter(|l| {
            !(l.starts_with("audit_log:") && (l.contains("operator.login") || l.contains("operator.locked")))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_changes_nothing_sqlite() {
    bad_input_changes_nothing(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_changes_nothing_postgres() {
    bad_input_changes_nothing(Kind::Postgres).await;
}

/// The DHCP export of a small fixture, in all three formats, line by line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dhcp_export_of_a_fixture() {
    let db = TestDb::new(Kind::Sqlite).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let o = kassa(home.path(), &db.url, Some("admin"), args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let init = kassa(home.path(), &db.url, None, &["init"]);
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    run(&["house", "add", "--city", "Казань", "--street", "ул. Ленина", "--number", "5"]);
    run(&["house", "add", "--city", "Казань", "--street", "ул. Ленина", "--number", "7"]);
    run(&["switch", "add", "--name", "sw-5", "--ip", "10.200.0.5", "--ports", "24", "--house", "1"]);
    run(&[
        "switch",
        "add",
        "--name",
        "sw-7, \"west\"",
        "--ip",
        "10.200.0.7",
        "--ports",
        "8",
        "--house",
        "2",
        "--serves-house",
        "yes",
    ]);
    for (name, house) in [("Иванов", "1"), ("Петров", "1"), ("Сидоров", "2"), ("Ушедший", "2")]
    {
        run(&["customer", "add", "--name", name, "--set", &format!("house_id={house}")]);
    }
    run(&["ip", "add", "1", "10.0.3.14", "--mac", "0011.2233.4455"]);
    run(&["ip", "add", "2", "10.0.3.2"]);
    run(&["ip", "add", "3", "10.0.3.20", "--mac", "00-11-22-33-44-66"]);
    run(&["ip", "subnet-add", "3", "10.0.4.0", "30"]);
    run(&["ip", "add", "2", "2001:db8::5", "--mac", "001122334477"]);
    run(&["ip", "add", "4", "10.0.3.30", "--mac", "00:11:22:33:44:88"]);
    run(&["--yes", "customer", "to-former", "4"]);
    run(&["ip", "bind", "1", "sw-5", "7"]);
    run(&["ip", "bind", "2", "sw-5", "8"]);
    assert_eq!(
        run(&["dhcp", "export"]),
        "ip,mac,switch_ip,switch_name,port,customer_id,agreement\n\
         10.0.3.2,,10.200.0.5,sw-5,8,2,2\n\
         10.0.3.14,00:11:22:33:44:55,10.200.0.5,sw-5,7,1,1\n\
         10.0.3.20,00:11:22:33:44:66,10.200.0.7,\"sw-7, \"\"west\"\"\",,3,3\n\
         10.0.4.0/30,,10.200.0.7,\"sw-7, \"\"west\"\"\",,3,3\n\
         2001:db8::5,00:11:22:33:44:77,10.200.0.5,sw-5,8,2,2\n"
    );
    assert_eq!(
        run(&["dhcp", "export", "--format", "dhcpd"]),
        "# kassa: fixed addresses of current customers (ISC dhcpd host blocks)\n\
         host kassa-1-1 {\n    # customer #1 agreement 1, switch sw-5 (10.200.0.5) port 7\n    \
         hardware ethernet 00:11:22:33:44:55;\n    fixed-address 10.0.3.14;\n}\n\
         host kassa-3-3 {\n    # customer #3 agreement 3, switch sw-7, \"west\" (10.200.0.7) (serves the house)\n    \
         hardware ethernet 00:11:22:33:44:66;\n    fixed-address 10.0.3.20;\n}\n\
         # 2 host(s); 3 address(es) left out: no MAC, a subnet, or IPv6 (dhcpd6 takes those)\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["dhcp", "export", "--format", "json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 5);
    assert_eq!(
        json[1],
        serde_json::json!({"ip": "10.0.3.14", "mac": "00:11:22:33:44:55", "switch_ip": "10.200.0.5",
                           "switch_name": "sw-5", "port": 7, "customer_id": 1, "agreement": "1"})
    );
    // an empty export is still well formed
    run(&["--yes", "ip", "delete", "1", "all"]);
    run(&["--yes", "ip", "delete", "2", "all"]);
    run(&["--yes", "ip", "delete", "3", "all"]);
    assert_eq!(run(&["dhcp", "export", "--format", "json"]), "[]\n");
    assert_eq!(run(&["dhcp", "export"]), "ip,mac,switch_ip,switch_name,port,customer_id,agreement\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_and_counted() {
    let db = TestDb::new(Kind::Sqlite).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    assert!(
        kassa(home.path(), &db.url, None, &["demo", "--customers", "5", "--months", "1"]).status.success()
    );
    let mut cmd = Command::new(BIN);
    let o = cmd
        .args(["--db", &db.url, "customer", "show", "10001"])
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("KASSA_OPERATOR", "cashier")
        .env("KASSA_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(6));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        "kassa: login refused: wrong login or password, or the operator is locked out"
    );
}

/// Runs `processes` threads, each running `kassa pay` for the (customer, amount, key) its
/// `requests(p)` gives, one process after another; every one must succeed without a "locked".
fn post_from_processes(
    home: &Path,
    db: &str,
    processes: usize,
    requests: impl Fn(usize) -> Vec<(&'static str, &'static str, String)>,
) {
    let threads: Vec<_> = (0..processes)
        .map(|p| {
            let (home, db, reqs) = (home.to_path_buf(), db.to_string(), requests(p));
            std::thread::spawn(move || {
                for (customer, amount, key) in reqs {
                    let o = kassa(&home, &db, Some("cashier"), &["pay", customer, amount, "--key", &key]);
                    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
                    assert!(o.status.success(), "{key}: {stderr}");
                    assert!(!stderr.contains("locked"), "{stderr}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// Four separate processes post to one customer at once; then four processes send the same
/// keys at once (an idempotency storm): one operation per key. SQLite: four writers of one
/// file; PostgreSQL: the one-statement posts racing on a key fall back to the general path.
async fn separate_processes_post_to_one_database(kind: Kind) {
    let Some(test_db) = TestDb::new(kind).await else { return };
    let home = tempfile::tempdir().unwrap();
    let (home, db) = (home.path(), test_db.url.as_str());
    assert!(kassa(home, db, None, &["demo", "--customers", "3", "--months", "1"]).status.success());
    let before = balance(home, db, "10001");
    let per_process = 8;
    post_from_processes(home, db, 4, |p| {
        (0..per_process).map(|i| ("10001", "10,01", format!("proc{p}-{i}"))).collect()
    });
    assert_eq!(balance(home, db, "10001") - before, 4 * per_process as i64 * 1001);
    let before = balance(home, db, "10002");
    post_from_processes(home, db, 4, |_| (0..5).map(|i| ("10002", "7", format!("storm-{i}"))).collect());
    assert_eq!(balance(home, db, "10002") - before, 5 * 700, "each key once");
    let check = kassa(home, db, Some("admin"), &["check"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}

#[tokio::test]
async fn separate_processes_post_to_one_sqlite_file() {
    separate_processes_post_to_one_database(Kind::Sqlite).await;
}

#[tokio::test]
async fn separate_processes_post_to_one_postgres_database() {
    separate_processes_post_to_one_database(Kind::Postgres).await;
}

fn balance(home: &Path, db: &str, customer: &str) -> i64 {
    let o = kassa(home, db, Some("viewer"), &["--json", "customer", "show", customer]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = v["customer"]["balance"].as_str().unwrap().replace('.', "");
    s.parse().unwrap()
}

#[test]
fn first_run_builds_the_demo_desk_and_says_what_next() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/kassa/kassa.db").display().to_string();
    let o = kassa_default(dir.path(), None, &[]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("demo database ready"), "{stdout}");
    assert!(stdout.contains("KASSA_OPERATOR=cashier"), "{stdout}");
    // the second run does not build it again
    let again = kassa_default(dir.path(), None, &[]);
    assert!(!String::from_utf8_lossy(&again.stdout).contains("demo database ready"));
    // and the suggested commands work
    let search = kassa(dir.path(), &db, Some("cashier"), &["--json", "customer", "search", "10001"]);
    let v: serde_json::Value = serde_json::from_slice(&search.stdout).unwrap();
    assert_eq!(v["query"]["kind"], "digits");
    assert_eq!(v["customers"][0]["agreement_number"], "10001");
    let paid = kassa(dir.path(), &db, Some("cashier"), &["--json", "pay", "10001", "500"]);
    let v: serde_json::Value = serde_json::from_slice(&paid.stdout).unwrap();
    assert_eq!(v["operation"]["amount"], "500.00");
    assert_eq!(v["replayed"], false);
    // logs went to the data directory, not to the screen
    assert!(dir.path().join("data/kassa/logs").is_dir());
}

#[test]
fn help_explains_every_command() {
    let o = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    for cmd in [
        "init", "demo", "operator", "customer", "pay", "charge", "correct", "reverse", "history", "tariff",
        "house", "audit", "check",
    ] {
        assert!(help.contains(&format!("  {cmd} ")), "{cmd} missing from --help:\n{help}");
    }
    for sub in [["customer", "--help"], ["tariff", "--help"], ["house", "--help"]] {
        let o = Command::new(BIN).args(sub).output().unwrap();
        assert!(o.status.success());
    }
}

#[test]
fn the_audit_row_says_who_and_from_where() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kassa.db").display().to_string();
    assert!(kassa(dir.path(), &db, None, &["demo", "--customers", "3", "--months", "1"]).status.success());
    let o = Command::new(BIN)
        .args(["--db", &db, "pay", "10002", "250", "--method", "card"])
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("KASSA_OPERATOR", "cashier")
        .env("KASSA_PASSWORD", "kassa")
        .env("SSH_CLIENT", "10.9.8.7 52144 22")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let a = kassa(
        dir.path(),
        &db,
        Some("admin"),
        &["--json", "audit", "--entity", "customer", "--id", "2", "--limit", "1"],
    );
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v[0]["action"], "ledger.payment");
    assert_eq!(v[0]["operator_login"], "cashier");
    assert_eq!(v[0]["origin"], "10.9.8.7");
    assert!(v[0]["after"].as_str().unwrap().contains("\"amount\":\"250.00\""));
}

/// The customer's life on the command line: pause and back, to the former customers and back,
/// the history of it, and deleting a mistaken entry.
#[test]
fn customer_lifecycle_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kassa.db").display().to_string();
    let home = dir.path().to_path_buf();
    assert!(kassa(&home, &db, None, &["demo", "--customers", "3", "--months", "1"]).status.success());
    let run = |op: &str, args: &[&str]| {
        let o = kassa(&home, &db, Some(op), args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let state = |c: &str| {
        let v: serde_json::Value =
            serde_json::from_str(&run("viewer", &["--json", "customer", "show", c])).unwrap();
        (v["customer"]["state"].as_str().unwrap_or_default().to_string(), v["customer"]["is_former"].clone())
    };
    let current = state("10002").0;
    let other = if current == "pause" { "active" } else { "pause" };
    assert!(run("cashier", &["customer", "state", "10002", other]).contains(&format!("now {other}")));
    assert_eq!(state("10002").0, other);
    run("admin", &["customer", "to-former", "10002"]);
    assert_eq!(state("10002").1, serde_json::Value::Bool(true));
    run("admin", &["customer", "to-normal", "10002"]);
    let history = run("viewer", &["customer", "state-history", "10002"]);
    assert_eq!(history.lines().count(), 3, "{history}");
    assert!(
        history.lines().last().unwrap_or_default().contains(&format!("{current} → {other}")),
        "{history}"
    );
    // a potential customer entered by mistake: no money, so it can go
    let added = run("admin", &["--json", "customer", "add", "--name", "Ошибочный Ввод", "--potential"]);
    let id = serde_json::from_str::<serde_json::Value>(&added).unwrap()["id"].as_i64().unwrap();
    assert!(run("admin", &["--yes", "customer", "delete", &format!("#{id}")]).contains("deleted"));
    let gone = kassa(&home, &db, Some("viewer"), &["customer", "show", &format!("#{id}")]);
    assert_eq!(gone.status.code(), Some(3));
}

/// Operators on the command line: a new role and name, locked out and let in again, a new password.
#[test]
fn operator_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kassa.db").display().to_string();
    let home = dir.path().to_path_buf();
    assert!(kassa(&home, &db, None, &["demo", "--customers", "3", "--months", "1"]).status.success());
    let run = |args: &[&str]| {
        let o = kassa(&home, &db, Some("admin"), args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    assert!(
        run(&["operator", "edit", "viewer", "--role", "cashier", "--name", "Пётр"])
            .contains("Пётр (cashier)")
    );
    assert!(run(&["operator", "lock", "viewer"]).contains("locked out"));
    assert!(run(&["operator", "list"]).lines().any(|l| l.contains("viewer") && l.contains("(locked out)")));
    let refused = kassa(&home, &db, Some("viewer"), &["customer", "show", "10001"]);
    assert_eq!(refused.status.code(), Some(6), "{}", String::from_utf8_lossy(&refused.stderr));
    run(&["operator", "unlock", "viewer"]);
    // the new password (KASSA_NEW_PASSWORD=12345) replaces "kassa"
    run(&["operator", "password", "viewer"]);
    let old = kassa(&home, &db, Some("viewer"), &["customer", "show", "10001"]);
    assert_eq!(old.status.code(), Some(6));
    let v: serde_json::Value = serde_json::from_str(&run(&["--json", "operator", "list"])).unwrap();
    let viewer = v.as_array().unwrap().iter().find(|o| o["login"] == "viewer").unwrap().clone();
    assert_eq!((viewer["role"].as_str(), viewer["active"].as_bool()), (Some("cashier"), Some(true)));
}

// ---- issue 14: what a script, a full disk and an attacker met ---------------------------------

/// A demo database of five customers for one test, on SQLite.
async fn small_demo() -> (TestDb, tempfile::TempDir) {
    let db = TestDb::new(Kind::Sqlite).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let made = kassa(home.path(), &db.url, None, &["demo", "--customers", "5", "--months", "1"]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    (db, home)
}

/// `kassa` with its stdout given: a pipe whose reader has gone, or a file.
fn kassa_to(home: &Path, db: &str, operator: &str, args: &[&str], stdout: std::process::Stdio) -> Output {
    let mut all = vec!["--db", db];
    all.extend_from_slice(args);
    let mut cmd = command(home, Some(operator), &all);
    cmd.stdout(stdout).stderr(std::process::Stdio::piped());
    cmd.output().expect("run kassa")
}

/// A pipe whose reading end is already closed: the first write gets EPIPE.
fn closed_pipe() -> std::process::Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

fn payments_with_key(home: &Path, db: &str, key: &str) -> usize {
    let o = kassa(home, db, Some("admin"), &["--json", "history", "10001", "--kind", "payment"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["operations"].as_array().unwrap().iter().filter(|op| op["idempotency_key"] == key).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_that_cannot_be_written_never_panics_and_never_invites_a_retry() {
    let (db, home) = small_demo().await;
    // the reader went away (`kassa pay … | true`): committed, exit 0, no panic
    let o =
        kassa_to(home.path(), &db.url, "cashier", &["pay", "10001", "100", "--key", "pipe-1"], closed_pipe());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(payments_with_key(home.path(), &db.url, "pipe-1"), 1);
    // a full disk (`> /dev/full`): committed, the documented code 7, said on stderr
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let o =
        kassa_to(home.path(), &db.url, "cashier", &["pay", "10001", "100", "--key", "full-1"], full.into());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(7), "{stderr}");
    assert!(stderr.contains("carried out") && !stderr.contains("panicked"), "{stderr}");
    assert_eq!(payments_with_key(home.path(), &db.url, "full-1"), 1);
    // lists and exports to a closed pipe (`| head -1`)
    for args in [&["customer", "list"][..], &["dhcp", "export"], &["--json", "customer", "list"]] {
        let o = kassa_to(home.path(), &db.url, "admin", args, closed_pipe());
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_one_line_and_empty_keys_are_refused() {
    let (db, home) = small_demo().await;
    for (args, needle) in [
        (&["pay", "10001", "-5"][..], "greater than zero"),
        (&["pay", "10001", "5", "--key", ""], "key"),
        (&["pay", "10001", "5", "--key", " "], "key"),
        (&["pay", "10001", "1 2 3"], "not an amount"),
        (&["pay", "10001", "5'00"], "not an amount"),
        (&["pay", "10001", "5", "--receipt", "a b"], "receipt"),
        (&["pay", "10001", "5", "--bogus"], "--bogus"),
        (&["pay"], "required"),
    ] {
        let o = kassa(home.path(), &db.url, Some("cashier"), args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    assert_eq!(payments_with_key(home.path(), &db.url, ""), 0);
    // every payment not posted is in the log file with its amount (issue 14 item 3)
    let logs = home.path().join("data/kassa/logs");
    let text: String = std::fs::read_dir(&logs)
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap_or_default())
        .collect();
    assert!(text.contains("payment not posted") && text.contains("amount=5.00"), "{text}");
}

/// Switch credentials kept off the command line: from the environment, or from stdin (what
/// `-` reads without a terminal) — issue 14 item 12.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switch_credentials_from_the_environment_or_stdin() {
    use std::io::Write as _;
    let (db, home) = small_demo().await;
    let mut cmd = command(
        home.path(),
        Some("noc"),
        &[
            "--db",
            &db.url,
            "switch",
            "add",
            "--name",
            "sw-env",
            "--ip",
            "10.99.0.1",
            "--ports",
            "8",
            "--ssh-password",
            "env:SW_SSH",
            "--telnet-password",
            "-",
        ],
    );
    cmd.env("SW_SSH", "из-окружения")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all("из-stdin\n".as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = kassa(home.path(), &db.url, Some("noc"), &["--json", "switch", "list", "--show-secrets"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("из-окружения") && text.contains("из-stdin"), "{text}");
    let missing = kassa(
        home.path(),
        &db.url,
        Some("noc"),
        &["switch", "add", "--name", "x", "--ip", "10.99.0.2", "--ssh-password", "env:NOT_SET_ANYWHERE"],
    );
    assert_eq!(missing.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_characters_never_reach_the_terminal() {
    let (db, home) = small_demo().await;
    let evil = "\u{1b}[2J\u{1b}[1;1H5000.00\u{7}\u{9b}31m";
    let o = kassa(home.path(), &db.url, Some("cashier"), &["pay", "10001", "1", "--comment", evil]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut forged = Command::new(BIN);
    let o = forged
        .args(["--db", &db.url, "customer", "show", "10001"])
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("KASSA_OPERATOR", "cashier")
        .env("KASSA_PASSWORD", "kassa")
        .env("SSH_CLIENT", "\u{1b}]0;pwned\u{7} 22 22")
        .output()
        .unwrap();
    assert!(o.status.success());
    for args in [&["history", "10001"][..], &["audit"], &["--json", "history", "10001"], &["--json", "audit"]]
    {
        let o = kassa(home.path(), &db.url, Some("admin"), args);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{args:?}");
        assert!(!text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{args:?}: {text:?}");
        if args[0] == "--json" && args[1] == "history" {
            assert!(text.contains("\\u001b[2J"), "JSON keeps the text, escaped: {text}");
        }
        if args == ["--json", "audit"] {
            assert!(
                text.contains("unknown (SSH_CLIENT is not an address)") && !text.contains("pwned"),
                "{text}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_value_out_of_range_is_refused_before_anything() {
    let (db, home) = small_demo().await;
    let cfg = home.path().join("bad.toml");
    std::fs::write(&cfg, "[service]\nlockout_minutes = 9223372036854775807\n").unwrap();
    let cfg = cfg.display().to_string();
    let o = kassa(home.path(), &db.url, Some("cashier"), &["--config", &cfg, "customer", "show", "10001"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("lockout_minutes") && stderr.contains("must be"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistyped_or_empty_database_never_becomes_a_demo() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("typo/kassa.db").display().to_string();
    for args in [&[][..], &["customer", "list"]] {
        let o = kassa(home.path(), &missing, Some("admin"), args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("kassa init") && stderr.contains("kassa demo"), "{stderr}");
        assert!(!Path::new(&missing).exists(), "no file made");
    }
    // an empty PostgreSQL database: the same words, no demo operators with known passwords
    if let Some(pg) = TestDb::new(Kind::Postgres).await {
        let o = kassa(home.path(), &pg.url, None, &[]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("no operators") && stderr.contains("kassa init"), "{stderr}");
        let login = kassa(home.path(), &pg.url, Some("admin"), &["customer", "list"]);
        assert_eq!(login.status.code(), Some(6), "no demo admin");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_file_alone_is_whole_after_every_command_and_backup_copies_it() {
    let (db, home) = small_demo().await;
    let o =
        kassa(home.path(), &db.url, Some("cashier"), &["--json", "pay", "10001", "777", "--key", "wal-1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // a `cp` of the file alone, its -wal left behind, has the payment
    let copy = home.path().join("copy.db");
    std::fs::copy(&db.url, &copy).unwrap();
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", copy.display())).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger WHERE idempotency_key = 'wal-1'")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut c).await.unwrap();
    assert_eq!(integrity, "ok");
    c.close().await.unwrap();
    // kassa backup: an administrator's consistent copy; a file that exists is not overwritten
    let file = home.path().join("backup.db").display().to_string();
    let o = kassa(home.path(), &db.url, Some("admin"), &["backup", &file]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = kassa(home.path(), &file, Some("admin"), &["--json", "customer", "show", "10001"]);
    assert!(o.status.success(), "the copy opens: {}", String::from_utf8_lossy(&o.stderr));
    let again = kassa(home.path(), &db.url, Some("admin"), &["backup", &file]);
    assert_eq!(again.status.code(), Some(2));
    let cashier = kassa(home.path(), &db.url, Some("cashier"), &["backup", "/tmp/never.db"]);
    assert_eq!(cashier.status.code(), Some(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_never_waits_for_the_write_lock() {
    let (db, home) = small_demo().await;
    let cfg = home.path().join("wait.toml");
    std::fs::write(&cfg, "[service]\nlock_wait_seconds = 1\n").unwrap();
    let cfg = cfg.display().to_string();
    // another desk holds the write lock for the whole command
    let mut holder = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.url)).await.unwrap();
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut holder).await.unwrap();
    let o = kassa(home.path(), &db.url, Some("viewer"), &["--config", &cfg, "customer", "list"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "a read while another desk writes: {stderr}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("10001"));
    // a write waits the configured second, then says so in one line, writing nothing
    let o = kassa(home.path(), &db.url, Some("cashier"), &["--config", &cfg, "pay", "10001", "5"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(8), "{stderr}");
    assert!(stderr.contains("locked by another desk"), "{stderr}");
    sqlx::raw_sql("ROLLBACK").execute(&mut holder).await.unwrap();
}

/// Times are shown, and days meant, in the ISP's local time (TZ), on the command line too
/// (issue 15): a payment made at 09:05 in Moscow shows 09:05, not 06:05.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn times_and_days_are_local() {
    let (db, home) = small_demo().await;
    let o = kassa(home.path(), &db.url, Some("cashier"), &["--json", "pay", "10001", "12,34"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let at: chrono::DateTime<chrono::Utc> = v["operation"]["created_at"].as_str().unwrap().parse().unwrap();
    let moscow = at + chrono::Duration::hours(3);
    let day = moscow.format("%d.%m.%Y").to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["--db", db.url.as_str()];
        all.extend_from_slice(args);
        let o = command(home.path(), Some("admin"), &all).env("TZ", "Europe/Moscow").output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let text = run(&["history", "10001", "--from", &day, "--to", &day]);
    let shown = moscow.format("%Y-%m-%d %H:%M").to_string();
    assert!(text.contains(&shown), "{shown} (Moscow) in:\n{text}");
    assert!(text.contains("12.34"), "the Moscow day holds it:\n{text}");
}

/// `[ui] timezone` names the ISP's zone: it wins over `TZ`, and a zone the system does not
/// have is refused before anything runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_config_names_the_time_zone() {
    let (db, home) = small_demo().await;
    let o = kassa(home.path(), &db.url, Some("cashier"), &["--json", "pay", "10001", "23,45"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let at: chrono::DateTime<chrono::Utc> = v["operation"]["created_at"].as_str().unwrap().parse().unwrap();
    let vladivostok = at + chrono::Duration::hours(10);
    let day = vladivostok.format("%d.%m.%Y").to_string();
    let config = home.path().join("zone.toml");
    let run = |zone: &str| {
        std::fs::write(&config, format!("[ui]\ntimezone = \"{zone}\"\n")).unwrap();
        command(
            home.path(),
            Some("admin"),
            &[
                "--config",
                config.to_str().unwrap(),
                "--db",
                db.url.as_str(),
                "history",
                "10001",
                "--from",
                &day,
                "--to",
                &day,
            ],
        )
        .env("TZ", "UTC")
        .output()
        .unwrap()
    };
    let o = run("Asia/Vladivostok");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let shown = vladivostok.format("%Y-%m-%d %H:%M").to_string();
    assert!(text.contains(&shown), "{shown} (Vladivostok, not TZ=UTC) in:\n{text}");
    for bad in ["Mars/Olympus", "../etc/passwd", "/etc/localtime"] {
        let o = run(bad);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("ui.timezone"), "{bad}");
    }
}

/// `kassa access export`: the addresses that may use the network now, as a plain list, an
/// `ipset restore` file and an `nft -f` file; a customer blocked for debt is left out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_export_leaves_debtors_out() {
    let (db, home) = small_demo().await;
    let svc = kassa::service::Service::open(&db.url, kassa::service::ServiceConfig::default()).await.unwrap();
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let mut open = Vec::new();
    for id in 1..=5 {
        let card = svc.customer_card(&admin, id).await.unwrap();
        let ip = card.network.records.iter().find_map(|r| r.ip.clone().filter(|_| r.prefix.is_none()));
        if let Some(ip) = ip
            && card.debt_block.is_none()
            && !card.customer.is_former
            && card.customer.state == kassa::domain::customer::CustomerState::Active
        {
            open.push((id, ip, card.available));
        }
    }
    assert!(open.len() >= 2, "two customers with an address: {open:?}");
    let (kept, blocked) = (&open[0], &open[1]);
    let owed = blocked.2.minor().max(0) + 10_000;
    let req = kassa::service::AdjustmentRequest {
        customer_id: blocked.0,
        kind: kassa::domain::ledger::OperationKind::Charge,
        amount: kassa::domain::money::Money::from_minor(owed),
        comment: "долг".into(),
        idempotency_key: None,
    };
    svc.post_adjustment(&admin, &req).await.unwrap();
    drop(svc);
    let export = |format: &str| {
        let o = kassa(home.path(), &db.url, Some("noc"), &["access", "export", "--format", format]);
        (o.status.code(), String::from_utf8_lossy(&o.stdout).to_string())
    };
    let (code, plain) = export("plain");
    assert_eq!(code, Some(0));
    assert!(plain.lines().any(|l| l == kept.1), "{} allowed:\n{plain}", kept.1);
    assert!(!plain.lines().any(|l| l == blocked.1), "{} blocked for debt:\n{plain}", blocked.1);
    let (_, ipset) = export("ipset");
    assert!(ipset.starts_with("create kassa_allowed hash:net family inet -exist\n"), "{ipset}");
    assert!(ipset.contains(&format!("add kassa_allowed-new {}\n", kept.1)), "{ipset}");
    assert!(ipset.contains("swap kassa_allowed-new kassa_allowed\n"), "{ipset}");
    let (_, nft) = export("nft");
    assert!(nft.contains("table inet kassa {\n\tset kassa_allowed_v4 {"), "{nft}");
    let tokens = |t: &str| t.split([' ', ',', '\n', '\t']).map(str::to_string).collect::<Vec<_>>();
    assert!(tokens(&nft).contains(&kept.1) && !tokens(&nft).contains(&blocked.1), "{nft}");
    assert!(!tokens(&ipset).contains(&blocked.1), "{ipset}");
    assert_eq!(export("xml").0, Some(2));
}

/// Discounts and tax rules from the command line; a charging run records them on the
/// charges `kassa billing charges` lists; the daemon charges at once and stops on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discounts_taxes_and_the_charging_daemon() {
    let (db, home) = small_demo().await;
    let run = |op: &str, args: &[&str]| {
        let o = kassa(home.path(), &db.url, Some(op), args);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (code, out, err) =
        run("admin", &["discount", "add", "--customer", "#1", "--percent", "12,5", "--comment", "ветеран"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("12,5 % off everything"), "{out}");
    let (code, out, _) = run("admin", &["tax", "set", "tariff", "--rate", "20", "--name", "НДС 20 %"]);
    assert_eq!(code, Some(0), "{out}");
    // bad input: exit 2, one line, nothing written
    for bad in [
        vec!["discount", "add", "--customer", "#1", "--percent", "120"],
        vec!["discount", "add", "--customer", "#1", "--group", "1", "--percent", "5"],
        vec!["discount", "add", "--customer", "#1", "--percent", "5", "--applies", "всё"],
        vec!["tax", "set", "налог", "--rate", "20", "--name", "НДС"],
    ] {
        let (code, out, err) = run("admin", &bad);
        assert_eq!(code, Some(2), "{bad:?}: {out}{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let (code, _, err) = run("cashier", &["discount", "add", "--customer", "#1", "--percent", "5"]);
    assert_ne!(code, Some(0), "{err}");
    let (_, list, _) = run("admin", &["discount", "list"]);
    assert_eq!(list.lines().count(), 1, "{list}");
    // a tariff's fee for a pause, and blank for none
    let (code, out, _) = run("admin", &["tariff", "edit", "1", "--pause-price", "50"]);
    assert_eq!(code, Some(0), "{out}");
    let (_, tariffs, _) = run("admin", &["tariff", "list"]);
    assert!(tariffs.contains("(paused: 50.00)") || tariffs.contains("(paused: 50,00)"), "{tariffs}");

    // the daemon runs at once (the demo is charged through this month: nothing is due yet)
    // and stops cleanly on SIGTERM
    let mut daemon =
        command(home.path(), Some("admin"), &["--db", &db.url, "billing", "daemon", "--every", "1"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
    let mut stdout = std::io::BufReader::new(daemon.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    assert!(first.starts_with("Charged up to"), "{first}");
    send_signal(daemon.id(), "TERM");
    let status = daemon.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let (code, _, err) = run("admin", &["billing", "daemon", "--every", "0"]);
    assert_eq!(code, Some(2), "{err}");

    // next month's run charges customer #1 with the discount and the tax recorded
    let next = kassa::domain::dates::today() + chrono::Months::new(1);
    let (code, out, err) = run("admin", &["billing", "run", "--date", &next.format("%d.%m.%Y").to_string()]);
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, charges, _) = run("admin", &["billing", "charges", "#1"]);
    assert_eq!(code, Some(0));
    let first = charges.lines().next().unwrap_or_default();
    assert!(first.contains("discount") && first.contains("tax 20 %"), "{charges}");
    let (_, json, _) = run("admin", &["--json", "billing", "charges", "#1"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v[0]["discount_id"].is_i64() && v[0]["tax"].is_string(), "{json}");
}

/// Sends a signal by name with the system's `kill`.
fn send_signal(pid: u32, signal: &str) {
    let ok = Command::new("kill").args([&format!("-{signal}"), &pid.to_string()]).status().unwrap();
    assert!(ok.success());
}

/// The cash desk from the command line at a desk named in the config: a shift opened, a cash
/// payment with change, its receipt as text, as ESC/POS and as PDF (read back with pdftotext),
/// every later print a duplicate, a printer command that fails (nothing recorded) and one that
/// prints, the X report, the blind close and its Z report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_from_the_command_line_with_receipts() {
    let (db, home) = small_demo().await;
    let config = home.path().join("desk.toml");
    let printed = home.path().join("printed.bin");
    let write_config = |command: &str| {
        let text = format!(
            "[desk]\nname = \"Касса 2\"\norganisation = \"ООО «Сеть»\"\nprinter_command = \"{command}\"\n"
        );
        std::fs::write(&config, text).unwrap();
    };
    write_config("exit 3");
    let run = |args: &[&str]| {
        let mut all = vec!["--config", config.to_str().unwrap(), "--db", db.url.as_str()];
        all.extend_from_slice(args);
        command(home.path(), Some("cashier"), &all).output().unwrap()
    };
    let text = |o: &Output| String::from_utf8_lossy(&o.stdout).to_string();
    // no shift at "Касса 2": cash refused, one line, exit 4
    let o = run(&["pay", "10001", "500"]);
    assert_eq!(o.status.code(), Some(4), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Касса 2"));
    assert!(run(&["shift", "open", "--cash", "1 000"]).status.success());
    let o = run(&["--json", "pay", "10001", "500", "--received", "1000"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["operation"]["received"].as_str(), v["operation"]["desk"].as_str()),
        (Some("1000.00"), Some("Касса 2"))
    );
    let op = v["operation"]["id"].as_i64().unwrap().to_string();
    assert_eq!(run(&["pay", "10001", "500", "--received", "499"]).status.code(), Some(2));

    // the printer fails: said, nothing recorded, so the next print is still the original
    let o = run(&["receipt", &op, "--print"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("printer failed"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let first = text(&run(&["receipt", &op]));
    assert!(first.contains("Пятьсот рублей 00 копеек") && first.contains("ООО «Сеть»"), "{first}");
    assert!(first.contains("Сдача:") && !first.contains("ДУБЛИКАТ"), "{first}");
    // every later print is a duplicate: ESC/POS in code page 866, PDF in words
    let escpos = run(&["receipt", &op, "--format", "escpos"]).stdout;
    let (decoded, _, _) = encoding_rs::IBM866.decode(&escpos);
    assert!(decoded.contains("ДУБЛИКАТ") && decoded.contains("Пятьсот рублей"), "{decoded}");
    let pdf = run(&["receipt", &op, "--format", "pdf"]).stdout;
    assert!(pdf.starts_with(b"%PDF-1.4"));
    let pdf_file = home.path().join("r.pdf");
    std::fs::write(&pdf_file, &pdf).unwrap();
    let extracted = Command::new("pdftotext")
        .args([pdf_file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils; .ci/run installs it)");
    let words = String::from_utf8_lossy(&extracted.stdout);
    assert!(words.contains("Пятьсот рублей 00 копеек") && words.contains("ДУБЛИКАТ"), "{words}");
    // a printer command that prints: it is given the ESC/POS bytes
    write_config(&format!("cat > {}", printed.display()));
    assert!(run(&["receipt", &op, "--print"]).status.success());
    assert!(std::fs::read(&printed).unwrap().starts_with(&[0x1b, b'@']));
    let charges: serde_json::Value =
        serde_json::from_slice(&run(&["--json", "history", "10001", "--kind", "charge"]).stdout).unwrap();
    let charge = charges["operations"][0]["id"].as_i64().expect("the demo charged 10001").to_string();
    assert_eq!(run(&["receipt", &charge]).status.code(), Some(4), "a charge has no receipt");
    // the payment's own story: taken, printed, reprinted three times, who and from where
    let story = text(&run(&["payment", &op]));
    assert!(story.contains("posted: payment 500.00 (cash)") && story.contains("at desk Касса 2"), "{story}");
    assert_eq!(story.matches("receipt.print by cashier").count(), 1, "{story}");
    assert_eq!(story.matches("receipt.reprint by cashier").count(), 3, "{story}");

    // cash out, X, the blind close: 1 000 + 500 − 200 = 1 300 expected, 1 290 counted
    assert!(run(&["shift", "cash-out", "200", "--reason", "инкассация"]).status.success());
    let x = text(&run(&["shift", "x"]));
    assert!(x.contains("X report") && x.contains("expected in the drawer 1300.00"), "{x}");
    let z = text(&run(&["shift", "close", "--counted", "1290"]));
    assert!(z.contains("Z report") && z.contains("difference -10.00 (short)"), "{z}");
    let list = text(&run(&["shift", "list"]));
    assert!(list.contains("desk 'Касса 2'") && list.contains("counted 1290.00"), "{list}");
    // a cashier sees only this desk's shifts; the close is kept
    assert!(!list.contains("desk 'local'"), "{list}");
    drop(db);
}

/// The online cash register's command: a payment whose fiscal receipt fails is posted and
/// queued, said on the output; the next cash payment retries the queue; `kassa fiscal retry`
/// does it by hand; payments by terminal or bank need no receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fiscal_receipts_fail_queue_and_retry() {
    let (db, home) = small_demo().await;
    let config = home.path().join("fiscal.toml");
    let down = home.path().join("register-down");
    let last = home.path().join("last.json");
    let script = format!(
        "if [ -e {down} ]; then echo 'ККТ не отвечает' >&2; exit 1; fi; cat > {last}; echo FN-$$",
        down = down.display(),
        last = last.display()
    );
    std::fs::write(&config, format!("[desk]\nfiscal_command = {:?}\n", script)).unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--config", config.to_str().unwrap(), "--db", db.url.as_str()];
        all.extend_from_slice(args);
        command(home.path(), Some("cashier"), &all).output().unwrap()
    };
    let pending = || {
        let o = run(&["--json", "fiscal", "list", "--pending"]);
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap().as_array().unwrap().len()
    };
    std::fs::write(&down, "").unwrap();
    let o = run(&["pay", "10001", "100"]);
    assert!(o.status.success(), "the payment stands whatever the register says");
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(text.contains("fiscal receipt failed (ККТ не отвечает)") && text.contains("queued"), "{text}");
    assert!(run(&["pay", "10002", "200", "--method", "card"]).status.success());
    assert_eq!(pending(), 2);
    let list = String::from_utf8_lossy(&run(&["fiscal", "list"]).stdout).to_string();
    assert!(list.contains("pending after 1 attempt(s): ККТ не отвечает"), "{list}");
    // the register is back: a terminal payment needs no receipt and retries nothing…
    std::fs::remove_file(&down).unwrap();
    let o = run(&["--json", "pay", "10003", "300", "--method", "terminal"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("fiscal").is_none(), "{v}");
    assert_eq!(pending(), 2);
    // …a cash payment gets its number and retries the two before it
    let o = run(&["--json", "pay", "10001", "400"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["fiscal"]["done"]["number"].as_str().unwrap().starts_with("FN-"), "{v}");
    assert_eq!(pending(), 0);
    let written = std::fs::read_to_string(&last).unwrap();
    let payload: serde_json::Value =
        serde_json::from_str(&written).unwrap_or_else(|e| panic!("{e}: {written:?}"));
    assert_eq!(payload["items"][0]["name"], "Оплата услуг связи");
    assert!(payload["total"].is_string() && payload["payment"].is_string(), "{payload}");
    // by hand
    std::fs::write(&down, "").unwrap();
    assert!(run(&["pay", "10002", "500"]).status.success());
    std::fs::remove_file(&down).unwrap();
    let o = run(&["fiscal", "retry"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("1 fiscalised, 0 failed again; 0 still pending"));
    assert_eq!(pending(), 0);
    let done = String::from_utf8_lossy(&run(&["fiscal", "list"]).stdout).to_string();
    assert_eq!(done.matches("fiscal number FN-").count(), 4, "{done}");
}

/// The catalogue of payment methods and partial refunds from the command line: the
/// administrator adds «СБП», the cashier takes a payment by it and refunds part of a cash
/// payment (a cash-out order with its own number, its slip), a method switched off is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn methods_and_refunds_from_the_command_line() {
    let (db, home) = small_demo().await;
    let run = |who: &str, args: &[&str]| kassa(home.path(), &db.url, Some(who), args);
    let text = |o: &Output| String::from_utf8_lossy(&o.stdout).to_string();
    let err = |o: &Output| String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(run("cashier", &["method", "add", "sbp", "СБП", "--kind", "card"]).status.code(), Some(5));
    let o = run("admin", &["method", "add", "sbp", "СБП", "--kind", "card"]);
    assert!(o.status.success(), "{}", err(&o));
    let list = text(&run("cashier", &["method", "list"]));
    assert!(list.contains("sbp") && list.contains("СБП") && list.contains("terminal"), "{list}");
    let o = run("cashier", &["pay", "10001", "300", "--method", "sbp"]);
    assert!(text(&o).contains("(СБП)"), "{} {}", text(&o), err(&o));
    let o = run("cashier", &["pay", "10001", "300", "--method", "qiwi"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("qiwi"), "{}", err(&o));

    let o = run("cashier", &["--json", "pay", "10002", "1000"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let op = v["operation"]["id"].as_i64().unwrap().to_string();
    let o = run("cashier", &["refund", &op, "250", "--reason", "подключение перенесли"]);
    assert!(text(&o).contains("cash-out order (РКО) 1"), "{} {}", text(&o), err(&o));
    let o = run("cashier", &["refund", &op, "800", "--reason", "ещё"]);
    assert_eq!(o.status.code(), Some(2), "more than is left");
    assert!(err(&o).contains("750.00"), "{}", err(&o));
    let o = run("cashier", &["--json", "refund", &op, "750", "--reason", "остаток"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["operation"]["rko_number"].as_i64(), Some(2));
    let slip = text(&run("cashier", &["receipt", &v["operation"]["id"].as_i64().unwrap().to_string()]));
    assert!(slip.contains("РАСХОДНЫЙ КАССОВЫЙ ОРДЕР") && slip.contains("Семьсот пятьдесят рублей"), "{slip}");
    assert_eq!(run("cashier", &["reverse", &op, "--comment", "всё"]).status.code(), Some(4));

    assert!(run("admin", &["method", "edit", "sbp", "--off"]).status.success());
    assert_eq!(run("cashier", &["pay", "10001", "300", "--method", "sbp"]).status.code(), Some(2));
    assert!(text(&run("admin", &["method", "list", "--all"])).contains("switched off"));
    assert!(run("admin", &["check"]).status.success());
    drop(db);
}

/// Payments from banks from the command line: a statement imported (a dry run first, then for
/// real, then again: nothing new), the queue, the sure lines accepted, one matched by hand, the
/// post; a registry by a preset of the config; a statement that does not add up refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_statements_and_registries_from_the_command_line() {
    use kassa::domain::bank::{AccountSection, BankDocument, Statement};
    let (db, home) = small_demo().await;
    let config = home.path().join("import.toml");
    std::fs::write(
        &config,
        "[import.presets.agent]\nagent = \"Элекснет\"\nencoding = \"cp1251\"\nheader_lines = 1\n\
         date = 1\nagreement = 2\namount = 3\ntransaction = 4\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--config", config.to_str().unwrap(), "--db", db.url.as_str()];
        all.extend_from_slice(args);
        command(home.path(), Some("admin"), &all).output().unwrap()
    };
    let text =
        |o: &Output| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27);
    let ours = "40702810900000012345";
    let doc = |n: &str, kop: i64, purpose: &str| BankDocument {
        kind: "Платежное поручение".into(),
        number: n.into(),
        date: day,
        amount: kassa::domain::money::Money::from_minor(kop),
        payer_account: format!("4081781000000000000{n}"),
        payer: "Плательщик".into(),
        payee_account: ours.into(),
        received_on: day,
        purpose: purpose.into(),
        ..Default::default()
    };
    let docs = vec![doc("1", 50_000, "Оплата по договору 10001"), doc("2", 70_000, "за интернет")];
    let st = Statement {
        version: "1.03".into(),
        encoding: String::new(),
        account: ours.into(),
        from: day,
        to: day,
        sections: vec![AccountSection {
            account: ours.into(),
            from: day,
            to: day,
            opening: kassa::domain::money::Money::ZERO,
            incoming: kassa::domain::money::Money::from_minor(120_000),
            outgoing: kassa::domain::money::Money::ZERO,
            closing: kassa::domain::money::Money::from_minor(120_000),
        }],
        documents: docs,
    };
    let file = home.path().join("statement.txt");
    std::fs::write(&file, kassa::domain::bank::write(&st, "Windows")).unwrap();
    let f = file.to_str().unwrap();
    let mut cashier =
        command(home.path(), Some("cashier"), &["--db", db.url.as_str(), "import", "statement", f]);
    assert_eq!(cashier.output().unwrap().status.code(), Some(5));
    let o = run(&["import", "statement", f, "--dry-run"]);
    assert!(text(&o).contains("Dry run") && text(&o).contains("2 new line(s)"), "{}", text(&o));
    let o = run(&["import", "statement", f]);
    assert!(o.status.success() && text(&o).contains("1 proposed, 1 waiting"), "{}", text(&o));
    let o = run(&["import", "statement", f]);
    assert!(text(&o).contains("Nothing new"), "{}", text(&o));
    let queue = text(&run(&["import", "queue"]));
    assert!(queue.contains("proposed") && queue.contains("10001") && queue.contains("waiting"), "{queue}");
    assert!(text(&run(&["import", "accept", "--sure"])).contains("1 line(s) accepted"));
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["--json", "import", "queue", "--state", "waiting"]).stdout).unwrap();
    let waiting = v[0]["id"].as_i64().unwrap().to_string();
    assert!(run(&["import", "accept", &waiting, "--customer", "10002"]).status.success());
    let o = run(&["import", "post"]);
    assert!(text(&o).contains("2 posted for 1200.00"), "{}", text(&o));
    let history = text(&run(&["history", "10002"]));
    assert!(history.contains("700.00") && history.contains("document 2 of 27.11.2026"), "{history}");

    // a registry by its preset; an unknown preset named
    let reg = home.path().join("reestr.csv");
    let body = "Дата;Договор;Сумма;Транзакция\r\n27.11.2026;10003;150,00;E-77\r\n";
    std::fs::write(&reg, encoding_rs::WINDOWS_1251.encode(body).0).unwrap();
    let r = reg.to_str().unwrap();
    let o = run(&["import", "registry", r, "--preset", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("agent"), "{}", text(&o));
    assert!(text(&run(&["import", "registry", r, "--preset", "agent"])).contains("1 proposed"));

    // a statement that does not add up: refused whole, saying by how much
    let mut bad = st.clone();
    bad.sections[0].closing = kassa::domain::money::Money::from_minor(119_000);
    std::fs::write(&file, kassa::domain::bank::write(&bad, "DOS")).unwrap();
    let o = run(&["import", "statement", f]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("off by -10.00"), "{}", text(&o));
    assert!(run(&["check"]).status.success());
    drop(db);
}

/// Runs kassa with `KASSA_TOKEN` and no login or password.
fn kassa_with_token(home: &Path, db: &str, token: &str, args: &[&str]) -> Output {
    let mut all = vec!["--db", db];
    all.extend_from_slice(args);
    let mut cmd = command(home, None, &all);
    cmd.env_remove("KASSA_PASSWORD").env("KASSA_TOKEN", token);
    cmd.output().expect("run kassa")
}

/// A token created on the command line pays and reads without a password, acts with its
/// operator's role, and stops at once when revoked or when its operator is locked out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_lets_a_script_work_without_a_password() {
    let (db, home) = small_demo().await;
    let (home, db) = (home.path(), db.url.as_str());
    let made = kassa(home, db, Some("cashier"), &["--json", "token", "create", "--name", "касса-1"]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let v: serde_json::Value = serde_json::from_slice(&made.stdout).unwrap();
    let secret = v["secret"].as_str().unwrap().to_string();
    let id = v["token"]["id"].as_i64().unwrap().to_string();
    assert!(secret.starts_with("kassa_"));
    // the text form shows the secret once, with how to use it
    let text = kassa(home, db, Some("admin"), &["token", "create", "--name", "мониторинг", "--for", "noc"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("KASSA_TOKEN=kassa_"));
    let before = balance(home, db, "10001");
    let paid = kassa_with_token(home, db, &secret, &["pay", "10001", "150"]);
    assert!(paid.status.success(), "{}", String::from_utf8_lossy(&paid.stderr));
    assert_eq!(balance(home, db, "10001"), before + 15_000);
    // a cashier's token may not do what a cashier may not
    let denied = kassa_with_token(home, db, &secret, &["operator", "list"]);
    assert_eq!(denied.status.code(), Some(5));
    // a token and another --as is a usage error; the same login is fine
    let both = kassa_with_token(home, db, &secret, &["--as", "admin", "customer", "show", "10001"]);
    assert_eq!(both.status.code(), Some(2));
    let same = kassa_with_token(home, db, &secret, &["--as", "cashier", "customer", "show", "10001"]);
    assert!(same.status.success());
    // the list shows it used, never the secret
    let list = kassa(home, db, Some("admin"), &["token", "list"]);
    let list = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(list.contains("касса-1") && list.contains("мониторинг") && !list.contains(&secret), "{list}");
    // a locked operator's token is refused, and works again once unlocked
    assert!(kassa(home, db, Some("admin"), &["operator", "lock", "cashier"]).status.success());
    assert_eq!(kassa_with_token(home, db, &secret, &["customer", "show", "10001"]).status.code(), Some(6));
    assert!(kassa(home, db, Some("admin"), &["operator", "unlock", "cashier"]).status.success());
    assert!(kassa_with_token(home, db, &secret, &["customer", "show", "10001"]).status.success());
    // revoked: refused at once, as a login is (exit 6)
    let revoked = kassa(home, db, Some("admin"), &["--yes", "token", "revoke", &id]);
    assert!(revoked.status.success(), "{}", String::from_utf8_lossy(&revoked.stderr));
    let after = kassa_with_token(home, db, &secret, &["customer", "show", "10001"]);
    assert_eq!(after.status.code(), Some(6));
    assert_eq!(
        kassa_with_token(home, db, "kassa_nonsense", &["customer", "show", "10001"]).status.code(),
        Some(6)
    );
}

/// SSH keys on the command line: added from a .pub file, listed with the fingerprint
/// `ssh-keygen -l` prints, removed by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_keys_on_the_command_line() {
    let (db, home) = small_demo().await;
    let (home, db) = (home.path(), db.url.as_str());
    let file = home.join("desk.pub");
    std::fs::write(
        &file,
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICngkzz6UNxgwuMlV+zuVEWyxL1puFA9EUw/3eDJ4RCm kassa@desk1\n",
    )
    .unwrap();
    let fp = "SHA256:kkgUE0J/8LulR3KhAFk3FNC5YrwTN/aC5oQ7TUoc0ZQ";
    let added =
        kassa(home, db, Some("admin"), &["operator", "key", "add", "cashier", file.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&added.stdout).contains(fp),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let again = kassa(home, db, Some("admin"), &["operator", "key", "add", "noc", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(4));
    let listed = kassa(home, db, Some("cashier"), &["operator", "key", "list", "cashier"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("kassa@desk1"));
    let removed = kassa(home, db, Some("admin"), &["--yes", "operator", "key", "remove", "cashier", fp]);
    assert!(removed.status.success());
    let listed = kassa(home, db, Some("cashier"), &["operator", "key", "list", "cashier"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("no SSH keys"));
}

/// A token for the cashier, made on the command line: its secret.
fn cashier_token(home: &Path, db: &str, name: &str) -> String {
    let made = kassa(home, db, Some("cashier"), &["--json", "token", "create", "--name", name]);
    let v: serde_json::Value = serde_json::from_slice(&made.stdout).unwrap();
    v["secret"].as_str().unwrap().to_string()
}

/// The cashier's logins in the audit log (the administrator's own calls to read it are other
/// logins).
fn cashier_logins(home: &Path, db: &str) -> usize {
    let o = kassa(home, db, Some("admin"), &["--json", "audit", "--entity", "operator", "--limit", "1000"]);
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    log.as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "operator.login" && a.to_string().contains("cashier"))
        .count()
}

/// A script's call logs in once and leaves its login in the audit log whatever it did: with
/// the payment it posted, after a payment refused, after a read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_script_call_leaves_its_login_in_the_audit_log() {
    let (db, home) = small_demo().await;
    let (home, db) = (home.path(), db.url.as_str());
    let secret = cashier_token(home, db, "касса-2");
    let logins = || cashier_logins(home, db);
    let start = logins();
    let before = balance(home, db, "10001");
    for _ in 0..3 {
        let paid = kassa_with_token(home, db, &secret, &["pay", "10001", "10"]);
        assert!(paid.status.success(), "{}", String::from_utf8_lossy(&paid.stderr));
    }
    assert_eq!(balance(home, db, "10001"), before + 3_000);
    assert_eq!(logins(), start + 3, "one login row with each payment");
    // refused after the login (no such payment method): the login is still written
    let refused = kassa_with_token(home, db, &secret, &["pay", "10001", "10", "--method", "nosuch"]);
    assert_eq!(refused.status.code(), Some(2), "{}", String::from_utf8_lossy(&refused.stderr));
    assert_eq!(logins(), start + 4);
    // a read writes its login at its end
    assert!(kassa_with_token(home, db, &secret, &["customer", "show", "10001"]).status.success());
    assert_eq!(logins(), start + 5);
    assert_eq!(balance(home, db, "10001"), before + 3_000);
    // the token is marked used by its logins
    let list = kassa(home, db, Some("admin"), &["--json", "token", "list"]);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let mine = list.as_array().unwrap().iter().find(|t| t["name"] == "касса-2").unwrap().clone();
    assert!(!mine["last_used_at"].is_null(), "{mine}");
}

/// A hundred script calls from four processes at once, each paying with a token: every
/// payment posted once and every call's login written (in the payment's transaction), the
/// ledger whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_token_payments_from_four_processes_at_once() {
    let (db, home) = small_demo().await;
    let (home, db) = (home.path(), db.url.as_str());
    let secret = cashier_token(home, db, "терминалы");
    let logins = || cashier_logins(home, db);
    let (start, before) = (logins(), balance(home, db, "10001"));
    let threads: Vec<_> = (0..4)
        .map(|p| {
            let (home, db, secret) = (home.to_path_buf(), db.to_string(), secret.clone());
            std::thread::spawn(move || {
                for i in 0..25 {
                    let key = format!("term{p}-{i}");
                    let o = kassa_with_token(&home, &db, &secret, &["pay", "10001", "1", "--key", &key]);
                    assert!(o.status.success(), "{key}: {}", String::from_utf8_lossy(&o.stderr));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(balance(home, db, "10001") - before, 100 * 100);
    assert_eq!(logins(), start + 100, "every call's login written");
    let check = kassa(home, db, Some("admin"), &["check"]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}
