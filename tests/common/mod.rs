//! Test harness: a fresh database per test, on SQLite (a temporary file) or PostgreSQL (a new
//! database on the server named by KASSA_TEST_PG, dropped afterwards even when the test fails).
//!
//! Without a reachable PostgreSQL the PostgreSQL half of each test prints a SKIPPED line and
//! passes, unless KASSA_REQUIRE_PG=1 (set by CI), where it fails.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use kassa::domain::role::Role;
use kassa::service::{Actor, Service, ServiceConfig};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

pub mod tmux;

pub const PASSWORD: &str = "secret-1";

pub fn pg_admin_url() -> String {
    std::env::var("KASSA_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn pg_required() -> bool {
    std::env::var("KASSA_REQUIRE_PG").map(|v| v == "1").unwrap_or(false)
}

/// Says once per test binary, past the harness's output capture, that the PostgreSQL tests
/// were skipped: a passing run must not hide that half of the suite did not run.
fn announce_skip(url: &str, reason: &str) {
    use std::io::Write;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // the harness captures eprintln! of passing tests; a newly opened /dev/stderr is not captured
        let mut err: Box<dyn Write> = match std::fs::OpenOptions::new().write(true).open("/dev/stderr") {
            Ok(f) => Box::new(f),
            Err(_) => Box::new(std::io::stderr()),
        };
        let _ = writeln!(
            err,
            "\nSKIPPED: the PostgreSQL half of these tests did not run: PostgreSQL is not reachable at {url} ({reason}).\n\
             Set KASSA_TEST_PG to a server's URL; KASSA_REQUIRE_PG=1 turns this into a failure.\n"
        );
    });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    kind: Kind,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    /// `None` when PostgreSQL is wanted but not reachable (and not required).
    pub async fn new(kind: Kind) -> Option<TestDb> {
        match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let url = dir.path().join("kassa.db").display().to_string();
                Some(TestDb { url, kind, _dir: Some(dir), pg_name: None })
            }
            Kind::Postgres => {
                let admin = pg_admin_url();
                let mut conn = match PgConnection::connect(&admin).await {
                    Ok(c) => c,
                    Err(e) => {
                        if pg_required() {
                            panic!("KASSA_REQUIRE_PG=1 but PostgreSQL at {admin} is not reachable: {e}");
                        }
                        announce_skip(&admin, &e.to_string());
                        return None;
                    }
                };
                let name = format!("kassa_t_{}", uuid::Uuid::new_v4().simple());
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let _ = conn.close().await;
                let opts = PgConnectOptions::from_str(&admin).expect("url").database(&name);
                let url = format!(
                    "postgres://{}@{}:{}/{}",
                    opts.get_username(),
                    opts.get_host(),
                    opts.get_port(),
                    name
                );
                Some(TestDb { url, kind, _dir: None, pg_name: Some(name) })
            }
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Drop runs outside any runtime we may use: a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async {
                    if let Ok(mut conn) = PgConnection::connect(&pg_admin_url()).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A service on a fresh database with one operator of each role.
pub struct Env {
    pub db: TestDb,
    pub svc: Service,
    pub admin: Actor,
    pub cashier: Actor,
    pub noc: Actor,
    pub viewer: Actor,
}

pub fn test_config() -> ServiceConfig {
    ServiceConfig { max_failed_logins: 3, lockout_minutes: 15, ..Default::default() }
}

impl Env {
    pub async fn new(kind: Kind) -> Option<Env> {
        // the scenarios name days and times in UTC, whatever this machine's zone
        kassa::domain::dates::keep_utc();
        let db = TestDb::new(kind).await?;
        let svc = Service::open(&db.url, test_config()).await.expect("open service");
        svc.bootstrap_admin("admin", "Администратор", PASSWORD).await.expect("bootstrap");
        let admin = svc.login("admin", PASSWORD, "test").await.expect("admin login");
        for (login, role) in [("cashier", Role::Cashier), ("noc", Role::Noc), ("viewer", Role::Viewer)] {
            svc.create_operator(&admin, login, login, role, PASSWORD).await.expect("create operator");
        }
        let cashier = svc.login("cashier", PASSWORD, "test").await.expect("login");
        let noc = svc.login("noc", PASSWORD, "test").await.expect("login");
        let viewer = svc.login("viewer", PASSWORD, "test").await.expect("login");
        // the desk "test" every actor works at has its shift open: cash is taken in one
        // (tests/service/desk.rs works at other desks to see what happens without one)
        svc.open_shift(&cashier, kassa::domain::money::Money::ZERO).await.expect("open the shift");
        Some(Env { db, svc, admin, cashier, noc, viewer })
    }

    pub fn actor(&self, role: Role) -> &Actor {
        match role {
            Role::Admin => &self.admin,
            Role::Cashier => &self.cashier,
            Role::Noc => &self.noc,
            Role::Viewer => &self.viewer,
        }
    }

    /// Asserts every ledger invariant; called at the end of every scenario.
    pub async fn assert_invariants(&self) {
        let v = self.svc.check_invariants(&self.admin).await.expect("check");
        assert!(v.is_empty(), "invariants violated: {v:?}");
    }
}

/// Runs `$body` (an `async fn(&Env)`) as two tests, `sqlite` and `postgres`, in a module `$name`,
/// and checks the ledger invariants after it.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let env = $crate::common::Env::new($crate::common::Kind::Sqlite).await.expect("sqlite env");
                super::$body(&env).await;
                env.assert_invariants().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(env) = $crate::common::Env::new($crate::common::Kind::Postgres).await else {
                    return;
                };
                super::$body(&env).await;
                env.assert_invariants().await;
            }
        }
    };
}
