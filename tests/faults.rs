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

use chrono::Datelike;
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

/// `kassa check` finds every invariant intact.
fn assert_check_passes(url: &str) {
    let check = Command::new(KASSA)
        .args(["--db", url, "check"])
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

    assert_check_passes(&db.url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_and_doubles_nothing_sqlite() {
    kill9(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_and_doubles_nothing_postgres() {
    kill9(Kind::Postgres).await;
}

/// kill -9 during charging runs: runs that catch up three months are killed at random moments,
/// round after round, then one runs to its end. Every customer's periods then tile the calendar
/// without a gap or an overlap up to the last day, every charge has exactly one ledger row of its
/// amount, no charge of the runs is without its period, and `kassa check` finds every invariant.
async fn kill9_billing(kind: Kind) {
    let Some(db) = TestDb::new(kind).await else { return };
    let svc = Service::open(&db.url, ServiceConfig::default()).await.unwrap();
    svc.generate_demo(DemoOptions { customers: 800, seed: 5, months: 1 }).await.unwrap();
    drop(svc);
    let run = |date: &str| {
        let mut c = Command::new(KASSA);
        c.args(["--db", &db.url, "billing", "run", "--date", date])
            .env("KASSA_OPERATOR", "admin")
            .env("KASSA_PASSWORD", "kassa")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c
    };
    // the demo charged its own months; charging runs begin with the next one
    let next = chrono::Local::now().date_naive() + chrono::Months::new(1);
    let first = chrono::NaiveDate::from_ymd_opt(next.year(), next.month(), 1).unwrap();
    let end = first + chrono::Months::new(3) - chrono::Duration::days(1);
    let (first_s, end_s) = (first.format("%d.%m.%Y").to_string(), end.format("%d.%m.%Y").to_string());
    assert!(run(&first_s).status().unwrap().success());
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    let mut killed = 0;
    for _ in 0..rounds() {
        let mut child = run(&end_s).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(rng.random_range(100..900))).await;
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
    }
    let last = run(&end_s).output().unwrap();
    assert!(last.status.success(), "{}", String::from_utf8_lossy(&last.stderr));
    eprintln!("FAULT billing {kind:?}: {killed} run(s) killed mid-way");

    let store = Store::open(&db.url).await.unwrap();
    let mut tx = store.read().await.unwrap();
    let rows = tx
        .db()
        .fetch_all(q!(
            "SELECT ch.customer_id, ch.item, ch.item_id, ch.period_from, ch.period_to, ch.amount_minor, ch.passed, \
                    ch.ledger_id, l.amount_minor AS taken, l.kind \
             FROM charges ch LEFT JOIN ledger l ON l.id = ch.ledger_id \
             ORDER BY ch.customer_id, ch.item, ch.item_id, ch.period_from"
        ))
        .await
        .unwrap();
    assert!(rows.len() > 800, "the runs charged: {} periods", rows.len());
    // each item of a customer (the tariff, each extra service) on its own line of periods
    let mut previous: Option<((i64, String, i64), chrono::NaiveDate)> = None;
    let mut last_of = HashMap::new();
    for r in &rows {
        let customer = r.i64("customer_id").unwrap();
        let item = (customer, r.text("item").unwrap(), r.i64("item_id").unwrap());
        let (from, to) =
            (r.opt_date("period_from").unwrap().unwrap(), r.opt_date("period_to").unwrap().unwrap());
        if let Some((prev, prev_to)) = &previous
            && *prev == item
        {
            assert_eq!(*prev_to + chrono::Duration::days(1), from, "{item:?}: no gap, no overlap");
        }
        if item.1 == "tariff" {
            last_of.insert(customer, to);
        }
        previous = Some((item, to));
        let amount = r.i64("amount_minor").unwrap();
        if r.opt_text("passed").unwrap().is_none() && amount > 0 {
            assert_eq!(
                r.opt_i64("taken").unwrap(),
                Some(-amount),
                "customer {customer} {from}: its ledger row"
            );
            assert_eq!(r.opt_text("kind").unwrap().as_deref(), Some("charge"));
        } else {
            assert_eq!(r.opt_i64("ledger_id").unwrap(), None, "nothing taken for a period passed over");
        }
    }
    for (customer, to) in &last_of {
        assert!(*to >= end, "customer {customer} charged up to {to}, not to {end}");
    }
    // every charge the runs wrote belongs to a period (none left behind by a killed run)
    let orphans = tx
        .db()
        .scalar_i64(q!("SELECT COUNT(*) FROM ledger l WHERE l.kind = 'charge' AND l.operator_id IS NULL \
             AND l.comment LIKE '«%' AND NOT EXISTS (SELECT 1 FROM charges ch WHERE ch.ledger_id = l.id)"))
        .await
        .unwrap();
    assert_eq!(orphans, 0, "charges without their period");
    drop(tx);
    assert_check_passes(&db.url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_charging_runs_sqlite() {
    kill9_billing(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_charging_runs_postgres() {
    kill9_billing(Kind::Postgres).await;
}

/// kill -9 while `kassa import post` posts a statement's accepted lines, round after round:
/// afterwards every line is posted exactly once (one ledger row under its key, of its amount,
/// for its customer) and `kassa check` holds.
async fn kill9_import(kind: Kind) {
    use kassa::domain::bank::{AccountSection, BankDocument, Statement};
    use kassa::domain::money::Money;
    let Some(db) = TestDb::new(kind).await else { return };
    let svc = Service::open(&db.url, ServiceConfig::default()).await.unwrap();
    svc.generate_demo(DemoOptions { customers: 300, seed: 6, months: 1 }).await.unwrap();
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let day = chrono::Local::now().date_naive() - chrono::Duration::days(1);
    let mut rng = rand::rngs::StdRng::seed_from_u64(13);
    let docs: Vec<BankDocument> = (0..3000)
        .map(|i| BankDocument {
            kind: "Платежное поручение".into(),
            number: format!("{i}"),
            date: Some(day),
            amount: Money::from_minor(rng.random_range(1_000..100_000)),
            payer_account: format!("40817810{:012}", i),
            payer: format!("Плательщик {i}"),
            payee_account: "40702810900000012345".into(),
            received_on: Some(day),
            purpose: format!("Оплата по договору {}", 10_001 + i % 300),
            ..Default::default()
        })
        .collect();
    let total = Money::from_minor(docs.iter().map(|d| d.amount.minor()).sum());
    let st = Statement {
        version: "1.03".into(),
        encoding: String::new(),
        account: "40702810900000012345".into(),
        from: Some(day),
        to: Some(day),
        sections: vec![AccountSection {
            account: "40702810900000012345".into(),
            from: Some(day),
            to: Some(day),
            opening: Money::ZERO,
            incoming: total,
            outgoing: Money::ZERO,
            closing: total,
        }],
        documents: docs,
    };
    svc.import_statement(&admin, "kill.txt", &kassa::domain::bank::write(&st, "Windows"), false)
        .await
        .unwrap();
    let accepted = svc.import_accept_sure(&admin).await.unwrap();
    assert!(accepted > 2500, "{accepted} accepted");
    drop(svc);
    let post = || {
        let mut c = Command::new(KASSA);
        c.args(["--db", &db.url, "--yes", "import", "post"])
            .env("KASSA_OPERATOR", "admin")
            .env("KASSA_PASSWORD", "kassa")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        c
    };
    let mut killed = 0;
    for _ in 0..rounds() {
        let mut child = post().spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(rng.random_range(200..2500))).await;
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
    }
    let last = post().output().unwrap();
    assert!(last.status.success(), "{}", String::from_utf8_lossy(&last.stderr));
    eprintln!("FAULT import {kind:?}: {killed} post(s) killed mid-way");

    let store = Store::open(&db.url).await.unwrap();
    let mut tx = store.read().await.unwrap();
    let rows = tx
        .db()
        .fetch_all(q!(
            "SELECT b.id, b.state, b.amount_minor, b.customer_id, b.operation_id, \
               (SELECT COUNT(*) FROM ledger l WHERE l.idempotency_key = 'bank-line-' || CAST(b.id AS TEXT)) AS n, \
               l.amount_minor AS posted, l.customer_id AS posted_to \
             FROM bank_lines b LEFT JOIN ledger l ON l.id = b.operation_id WHERE b.customer_id IS NOT NULL"
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), accepted);
    for r in &rows {
        let id = r.i64("id").unwrap();
        assert_eq!(r.text("state").unwrap(), "posted", "line {id}");
        assert_eq!(r.i64("n").unwrap(), 1, "line {id}: exactly one payment");
        assert_eq!(r.opt_i64("posted").unwrap(), Some(r.i64("amount_minor").unwrap()), "line {id}");
        assert_eq!(r.opt_i64("posted_to").unwrap(), r.opt_i64("customer_id").unwrap(), "line {id}");
    }
    drop(tx);
    assert_check_passes(&db.url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_an_import_post_sqlite() {
    kill9_import(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_an_import_post_postgres() {
    kill9_import(Kind::Postgres).await;
}
