//! kill -9: separate poster processes post payments, each writing a payment's key to its
//! journal only after the post returned; the test kills them at random moments, round after
//! round, restarting them each time (a restarted poster repeats its first unjournaled request
//! with the same idempotency key). Afterwards every journaled payment exists exactly once,
//! with its customer and amount, at most one unjournaled payment per poster exists, and
//! `kassa check` finds every invariant intact. On SQLite and on PostgreSQL.
//!
//! The short version runs in `cargo test`; `KASSA_FAULT_ROUNDS=100 cargo test --test faults`
//! is the long one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Kind, TestDb};
use kassa::q;
use kassa::service::demo::DemoOptions;
use kassa::service::{Service, ServiceConfig};
use kassa::store::Store;
use rand::{Rng, SeedableRng};

const POSTER: &str = env!("CARGO_BIN_EXE_kassa-bench");
const KASSA: &str = env!("CARGO_BIN_EXE_kassa");
const POSTERS: u64 = 3;
const CUSTOMERS: u64 = 20;

fn rounds() -> usize {
    std::env::var("KASSA_FAULT_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(6)
}

/// (key → (customer, amount in kopecks)) from the whole lines of every journal.
fn journaled(dir: &std::path::Path) -> HashMap<String, (i64, i64)> {
    let mut out = HashMap::new();
    for p in 0..POSTERS {
        let text = std::fs::read_to_string(dir.join(format!("poster-{p}.journal"))).unwrap_or_default();
        let whole = text.rfind('\n').map(|i| i + 1).unwrap_or(0);
        for line in text[..whole].lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(f.len(), 4, "journal line {line:?}");
            let previous = out.insert(f[0].to_string(), (f[1].parse().unwrap(), f[2].parse().unwrap()));
            assert!(previous.is_none(), "{} journaled twice", f[0]);
        }
    }
    out
}

async fn kill9(kind: Kind) {
    let Some(db) = TestDb::new(kind).await else { return };
    let svc = Service::open(&db.url, ServiceConfig::default()).await.unwrap();
    svc.generate_demo(DemoOptions { customers: CUSTOMERS, seed: 11, months: 1 }).await.unwrap();
    drop(svc);
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let rounds = rounds();
    for round in 0..rounds {
        let mut children: Vec<_> = (0..POSTERS)
            .map(|p| {
                Command::new(POSTER)
                    .args(["--db", &db.url, "fault-poster", "--seed", &p.to_string()])
                    .args(["--max-customer", &CUSTOMERS.to_string()])
                    .arg("--journal")
                    .arg(dir.path().join(format!("poster-{p}.journal")))
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        // a random moment: during start-up, mid-transaction, between a post and its journal line
        tokio::time::sleep(Duration::from_millis(rng.random_range(150..700))).await;
        for c in children.iter_mut() {
            // a poster that stopped by itself has failed: say why
            if let Some(status) = c.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(c.stderr.as_mut().unwrap(), &mut err).ok();
                panic!("round {round}: a poster exited by itself with {status}: {err}");
            }
            c.kill().unwrap(); // SIGKILL
            c.wait().unwrap();
        }
    }

    let journal = journaled(dir.path());
    assert!(journal.len() >= rounds, "the posters posted: {} journaled in {rounds} rounds", journal.len());
    let store = Store::open(&db.url).await.unwrap();
    let mut tx = store.read().await.unwrap();
    let rows = tx
        .db()
        .fetch_all(q!(
            "SELECT idempotency_key, customer_id, amount_minor, COUNT(*) OVER (PARTITION BY idempotency_key) AS n \
             FROM ledger WHERE idempotency_key LIKE 'fault-%'"
        ))
        .await
        .unwrap();
    let mut in_ledger = HashMap::new();
    for r in &rows {
        assert_eq!(r.i64("n").unwrap(), 1, "{:?} more than once", r.text("idempotency_key"));
        in_ledger.insert(
            r.text("idempotency_key").unwrap(),
            (r.i64("customer_id").unwrap(), r.i64("amount_minor").unwrap()),
        );
    }
    for (key, posted) in &journal {
        assert_eq!(in_ledger.get(key), Some(posted), "journaled payment {key} in the ledger, as posted");
    }
    let unjournaled = in_ledger.keys().filter(|k| !journal.contains_key(*k)).count();
    eprintln!(
        "FAULT {kind:?}: {} journaled, {} in ledger, {unjournaled} unjournaled",
        journal.len(),
        in_ledger.len()
    );
    assert!(unjournaled as u64 <= POSTERS, "{unjournaled} payments posted but never journaled");
    drop(tx);

    let check = Command::new(KASSA)
        .args(["--db", &db.url, "check"])
        .env("KASSA_OPERATOR", "admin")
        .env("KASSA_PASSWORD", "kassa")
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "kassa check: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_and_doubles_nothing_sqlite() {
    kill9(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_and_doubles_nothing_postgres() {
    kill9(Kind::Postgres).await;
}
