//! kassa-bench: the figures in BENCHMARKS.md, reproducible with one command.
//!
//! ```sh
//! cargo run --release --bin kassa-bench -- --db /tmp/bench.db --customers 1000000
//! cargo run --release --bin kassa-bench -- --db postgres://postgres@127.0.0.1/bench --customers 1000000
//! ```
//! On an empty database it first builds the demo (timed); then it measures search per query
//! kind through the service and the same store queries without the service around them,
//! payment posts per second (one poster, then several separate processes), the first page of
//! history and the customer card. Not part of `cargo test`: timing belongs here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod charging;
mod console;
mod serve;

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use kassa::domain::customer::LookupKind;
use kassa::domain::ledger::PaymentMethod;
use kassa::domain::money::Money;
use kassa::domain::phone::{self, Phone};
use kassa::domain::search::SearchQuery;
use kassa::domain::{Mac, customer};
use kassa::q;
use kassa::service::demo::{DEMO_PASSWORD, DemoOptions};
use kassa::service::{Actor, HistoryQuery, PaymentRequest, Service, ServiceConfig};
use kassa::store::{self, Backend, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Parser)]
#[command(about = "Measure kassa on a (demo) database")]
struct Args {
    /// SQLite path or postgres:// URL
    #[arg(long)]
    db: String,
    /// Customers of the demo built when the database is empty
    #[arg(long, default_value_t = 1_000_000)]
    customers: u64,
    /// Samples per measured query kind
    #[arg(long, default_value_t = 300)]
    iterations: usize,
    /// Payments posted by the single poster, and in total by the concurrent ones
    #[arg(long, default_value_t = 2000)]
    posts: usize,
    /// Concurrent posting processes
    #[arg(long, default_value_t = 4)]
    posters: usize,
    /// Measure only the console (first frame, key to frame, bytes per key, render, memory)
    #[arg(long)]
    console_only: bool,
    /// Measure only the payments (one poster, then the separate processes)
    #[arg(long, conflicts_with = "console_only")]
    payments_only: bool,
    #[command(subcommand)]
    sub: Option<Sub>,
}

/// What kassa-bench does instead of the benchmark: the workers it starts, and the disk probe.
#[derive(Subcommand)]
enum Sub {
    /// (internal, for the kill -9 test) post payments forever; after each post returns, append
    /// its key to the journal and sync it. Restarted, it resumes at the first unjournaled key,
    /// posting the same request again.
    #[command(hide = true)]
    FaultPoster {
        #[arg(long)]
        journal: std::path::PathBuf,
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        max_customer: i64,
    },
    /// (internal) post payments as one of the concurrent processes; prints seconds spent posting
    #[command(hide = true)]
    PostWorker {
        #[arg(long)]
        count: usize,
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        max_customer: i64,
    },
    /// How long this disk takes to make a write durable (what every commit waits for): writes
    /// 4 KiB and calls fdatasync, `--count` times, in a file beside the SQLite database; prints
    /// the mean, p50 and p99. Payment rates follow this figure.
    Fsync {
        #[arg(long, default_value_t = 2000)]
        count: usize,
    },
    /// A payment that lifts a block for debt against a plain one of the same size: `--count`
    /// customers blocked for debt each paid what lifts the block, and as many active customers
    /// not blocked paid the same sums, alternately; prints p50 and p99 of each (needs a
    /// database a charging run has blocked debtors in).
    Unblock {
        #[arg(long, default_value_t = 300)]
        count: usize,
    },
    /// The cash desk on a demo database: a shift at desk `bench-desk` given `--payments`
    /// payments of mixed methods (one more shift's worth each run), then p50 and p99 of its X
    /// report, of the month's payments report by method, and of one receipt as PDF (the
    /// service's whole path: read, audit, font, PDF).
    Desk {
        #[arg(long, default_value_t = 2000)]
        payments: usize,
    },
    /// Payments from banks on a demo database: a statement of `--documents` incoming documents
    /// (nine in ten naming a customer's agreement in their purpose, in the usual noise; the rest
    /// naming nothing), written in cp1251, then the time to parse, check and match it (the
    /// import), to accept the sure lines, and to post them. A new statement each run.
    Import {
        #[arg(long, default_value_t = 10_000)]
        documents: usize,
    },
    /// `kassa serve` under desks: the release `kassa` beside this binary serves the database;
    /// `--sessions` SSH clients log in at once by a key and type surname fragments into the
    /// search, a key every `--pace-ms`; prints key to frame (p50, p99), bytes per key on the
    /// wire and the server's resident memory.
    Ssh {
        #[arg(long, default_value_t = 50)]
        sessions: usize,
        /// Queries each desk types
        #[arg(long, default_value_t = 4)]
        queries: usize,
        #[arg(long, default_value_t = 150)]
        pace_ms: u64,
        /// The desks ask for compression (zlib, as `ssh -C` and PuTTY's "Enable compression")
        #[arg(long)]
        compress: bool,
    },
    /// A charging run on a demo database as cron starts it (`kassa billing run --date DATE`,
    /// the release `kassa` beside this binary), with a desk searching surnames and agreement
    /// numbers every 20 ms meanwhile; prints the run's time, its report, the searches' p50 and
    /// p99 (and the same searches on the idle database first), then the same run again with
    /// nothing due. Dates DD.MM.YYYY.
    Charge {
        #[arg(long)]
        date: String,
    },
    /// `kassa pay` as a separate process, `--count` times with KASSA_TOKEN (then a tenth as
    /// many with a password), then `kassa customer show` `--count` times with the token: p50
    /// and p99 from spawn to exit.
    TokenPay {
        #[arg(long, default_value_t = 200)]
        count: usize,
    },
}

/// Surname fragments (five letters) and agreement numbers of `count` random customers.
async fn samples(db: &str, count: usize) -> (Vec<String>, Vec<String>) {
    let store = Store::open(db).await.expect("store");
    let mut tx = store.read().await.unwrap();
    let mut d = tx.db();
    let n = d.scalar_i64(q!("SELECT MAX(id) FROM customers")).await.unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    let (mut surnames, mut agreements) = (Vec::new(), Vec::new());
    while surnames.len() < count {
        let id = rng.random_range(1..=n);
        let Some(r) = d
            .fetch_optional(q!("SELECT agreement_number, name_norm FROM customers WHERE id = $1", id))
            .await
            .unwrap()
        else {
            continue;
        };
        let Some(a) = r.opt_text("agreement_number").unwrap() else { continue };
        agreements.push(a);
        surnames.push(r.text("name_norm").unwrap().chars().take(5).collect());
    }
    (surnames, agreements)
}

/// The `fsync` subcommand: (mean, p50, p99) of `count` 4 KiB writes each followed by fdatasync.
fn fsync_latency(db: &str, count: usize) -> std::io::Result<(f64, f64, f64)> {
    use std::os::unix::fs::FileExt;
    let path = db.trim_start_matches("sqlite:").trim_start_matches("//");
    let dir = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty());
    let probe = dir.unwrap_or(std::path::Path::new(".")).join("kassa-fsync-probe");
    let file = std::fs::OpenOptions::new().create(true).truncate(true).write(true).open(&probe)?;
    let block = [0x5au8; 4096];
    let mut times = Vec::with_capacity(count);
    for i in 0..count {
        file.write_all_at(&block, (i % 64) as u64 * 4096)?;
        let t = Instant::now();
        file.sync_data()?;
        times.push(t.elapsed());
    }
    std::fs::remove_file(&probe)?;
    let mean = times.iter().map(Duration::as_secs_f64).sum::<f64>() * 1000.0 / count.max(1) as f64;
    Ok((mean, pct(&mut times, 50), pct(&mut times, 99)))
}

/// Reads the whole database into the operating system's page cache before a timed part. This
/// VM's host takes page cache back all the time (several MB a second, measured); without this,
/// a figure depends on how long ago the file was last read rather than on kassa. A desk server
/// keeps its database cached. SQLite: the file and its log read through; PostgreSQL: every
/// relation read by `pg_prewarm` (contrib), when the server has it.
async fn warm(db: &str, store: &Store) -> String {
    match store.backend() {
        Backend::Sqlite => {
            let path = db.trim_start_matches("sqlite:").trim_start_matches("//");
            let mut read = 0u64;
            for p in [path.to_string(), format!("{path}-wal")] {
                if let Ok(mut f) = std::fs::File::open(&p) {
                    read += std::io::copy(&mut f, &mut std::io::sink()).unwrap_or(0);
                }
            }
            format!("{} MiB read into the page cache", read / 1048576)
        }
        Backend::Postgres => {
            let mut tx = store.write().await.unwrap();
            let mut d = tx.db();
            if d.execute(q!("CREATE EXTENSION IF NOT EXISTS pg_prewarm")).await.is_err() {
                return "pg_prewarm not available: not warmed".into();
            }
            let blocks = d
                .scalar_i64(q!(
                    "SELECT CAST(COALESCE(SUM(pg_prewarm(c.oid, 'read')), 0) AS BIGINT) FROM pg_class c \
                     JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
                ))
                .await
                .unwrap_or(0);
            tx.commit().await.unwrap();
            format!("{} MiB read into the page cache", blocks * 8192 / 1048576)
        }
    }
}

fn pct(v: &mut [Duration], p: usize) -> f64 {
    v.sort();
    let i = ((v.len() * p) / 100).min(v.len().saturating_sub(1));
    v.get(i).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

struct Line {
    what: String,
    p50: f64,
    p99: f64,
    raw: Option<(f64, f64)>,
}

impl Line {
    /// The p50 and p99 of `samples`, with nothing raw beside them.
    fn of(what: impl Into<String>, samples: &mut [Duration]) -> Line {
        Line { what: what.into(), p50: pct(samples, 50), p99: pct(samples, 99), raw: None }
    }
}

/// Opens a shift at the actor's desk unless one is open there: cash is taken only in a shift.
async fn ensure_shift(svc: &Service, actor: &Actor) {
    let opened = match svc.open_shift(actor, Money::ZERO).await {
        Err(kassa::service::ServiceError::Conflict(kassa::service::Conflict::ShiftOpen { .. })) => Ok(()),
        other => other.map(drop),
    };
    opened.expect("open a shift");
}

async fn post_loop(svc: &Service, actor: &Actor, count: usize, seed: u64, max_customer: i64) -> Duration {
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    for i in 0..count {
        let req = PaymentRequest {
            customer_id: rng.random_range(1..=max_customer),
            amount: Money::from_minor(rng.random_range(100..100_000)),
            method: PaymentMethod::Cash,
            method_code: None,
            receipt_number: None,
            comment: None,
            idempotency_key: Some(format!("bench-{seed}-{i}-{}", uuid::Uuid::new_v4().simple())),
            received: None,
            bank: None,
        };
        svc.post_payment(actor, &req).await.expect("post");
    }
    started.elapsed()
}

/// The `desk` subcommand (see `Sub::Desk`).
async fn import_bench(svc: &Service, db: &str, documents: usize) {
    use kassa::domain::bank::{AccountSection, BankDocument, Statement};
    let admin = svc.login("admin", DEMO_PASSWORD, "bench").await.expect("login");
    let store = Store::open(db).await.expect("store");
    let customers = {
        let mut tx = store.read().await.expect("read");
        store::customers::count(&mut tx.db()).await.expect("count")
    };
    // a new statement each run: its documents' numbers start past the last run's
    let run =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let day = kassa::domain::dates::today() - chrono::Duration::days(1);
    let mut rng = StdRng::seed_from_u64(run);
    let ours = "40702810900000012345";
    // the demo's agreement numbers are 10000 + id, its personal accounts 100000000 + id
    let noise = [
        "Оплата по договору {a} за интернет",
        "л/с {l}",
        "Оплата услуг связи, дог.№{a} от 01.11.2026, НДС нет",
        "абонент {a}",
    ];
    let mut total = 0i64;
    let docs: Vec<BankDocument> = (0..documents)
        .map(|i| {
            let id = rng.random_range(1..=customers);
            let purpose = if i % 10 == 9 {
                "Оплата по счёту".to_string()
            } else {
                noise[i % noise.len()]
                    .replace("{a}", &(10_000 + id).to_string())
                    .replace("{l}", &(100_000_000 + id).to_string())
            };
            let amount = rng.random_range(10_000..500_000);
            total += amount;
            BankDocument {
                kind: "Платежное поручение".into(),
                number: format!("{run}-{i}"),
                date: Some(day),
                amount: Money::from_minor(amount),
                payer_account: format!("408178100{:011}", rng.random_range(0..99_999_999_999u64)),
                payer: format!("Плательщик {i}"),
                payee_account: ours.into(),
                received_on: Some(day),
                purpose,
                ..Default::default()
            }
        })
        .collect();
    let st = Statement {
        version: "1.03".into(),
        encoding: String::new(),
        account: ours.into(),
        from: Some(day),
        to: Some(day),
        sections: vec![AccountSection {
            account: ours.into(),
            from: Some(day),
            to: Some(day),
            opening: Money::ZERO,
            incoming: Money::from_minor(total),
            outgoing: Money::ZERO,
            closing: Money::from_minor(total),
        }],
        documents: docs,
    };
    let file = kassa::domain::bank::write(&st, "Windows");
    let t = Instant::now();
    let r = svc.import_statement(&admin, "bench.txt", &file, false).await.expect("import");
    let imported = t.elapsed();
    let t = Instant::now();
    let accepted = svc.import_accept_sure(&admin).await.expect("accept");
    let accepting = t.elapsed();
    let t = Instant::now();
    let posted = svc.import_post(&admin).await.expect("post");
    let posting = t.elapsed();
    println!(
        "{customers} customers; a statement of {documents} documents ({} KB, cp1251): read, checked, matched and queued in {:.2} s ({} proposed, {} waiting); {accepted} accepted in {:.2} s; {} posted in {:.2} s ({:.2} ms each), {} failed",
        file.len() / 1024,
        imported.as_secs_f64(),
        r.proposed,
        r.waiting,
        accepting.as_secs_f64(),
        posted.posted,
        posting.as_secs_f64(),
        posting.as_secs_f64() * 1000.0 / posted.posted.max(1) as f64,
        posted.failed.len()
    );
}

async fn desk_bench(svc: &Service, db: &str, payments: usize) {
    use kassa::service::{ReportBy, ServiceError};
    let admin = svc.login("admin", DEMO_PASSWORD, "bench").await.expect("login");
    let cashier = svc.login("cashier", DEMO_PASSWORD, "bench-desk").await.expect("login");
    let store = Store::open(db).await.expect("store");
    let customers = {
        let mut tx = store.read().await.expect("read");
        store::customers::count(&mut tx.db()).await.expect("count")
    };
    if let Ok(Some(_)) = svc.current_shift(&cashier).await {
        svc.close_shift(&cashier, Money::ZERO).await.expect("close the last run's shift");
    }
    svc.open_shift(&cashier, Money::ZERO).await.expect("open");
    let mut rng = StdRng::seed_from_u64(11);
    let started = Instant::now();
    let mut last = 0;
    for i in 0..payments {
        let req = PaymentRequest {
            customer_id: rng.random_range(1..=customers),
            amount: Money::from_minor(rng.random_range(100..100_000)),
            method: PaymentMethod::ALL[i % 4],
            method_code: None,
            receipt_number: None,
            comment: None,
            idempotency_key: None,
            received: None,
            bank: None,
        };
        let posted = svc.post_payment(&cashier, &req).await;
        // a demo customer merged away: another one next time
        if !matches!(posted, Err(ServiceError::MergedAway { .. })) {
            last = posted.expect("post").operation.id;
        }
    }
    println!(
        "{customers} customers; {payments} payments posted into the shift in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let time = |n: usize| Vec::with_capacity(n);
    let mut x = time(200);
    for _ in 0..200 {
        let t = Instant::now();
        let r = svc.shift_report(&cashier, None).await.expect("x");
        x.push(t.elapsed());
        assert!(r.by_method.iter().map(|m| m.payments).sum::<i64>() >= payments as i64 / 2);
    }
    let today = kassa::domain::dates::today();
    let mut month = time(20);
    for _ in 0..20 {
        let t = Instant::now();
        svc.payments_report(&admin, today - chrono::Duration::days(30), today, ReportBy::Method)
            .await
            .expect("report");
        month.push(t.elapsed());
    }
    let mut pdf = time(50);
    for _ in 0..50 {
        let t = Instant::now();
        svc.receipt_pdf(&cashier, last).await.expect("pdf");
        pdf.push(t.elapsed());
    }
    for (what, samples) in [
        (format!("X report of a shift of {payments} payments"), &mut x),
        ("payments report of 31 days by method".to_string(), &mut month),
        ("one receipt as PDF (service path)".to_string(), &mut pdf),
    ] {
        println!("{what}: p50 {:.2} ms, p99 {:.2} ms", pct(samples, 50), pct(samples, 99));
    }
}

/// Up to `count` customers blocked for debt with what lifts each block (what they owe plus
/// 100.00), and as many active customers that are not blocked.
async fn unblock_pairs(store: &Store, count: usize) -> (Vec<(i64, i64)>, Vec<i64>) {
    let mut tx = store.read().await.unwrap();
    let mut db = tx.db();
    let blocked = db
        .fetch_all(q!(
            "SELECT c.id, c.balance_minor + c.credit_limit_minor AS available FROM customers c \
             JOIN debt_blocks b ON b.customer_id = c.id AND b.unblocked_at IS NULL \
             WHERE NOT EXISTS (SELECT 1 FROM promised_payments p WHERE p.customer_id = c.id AND p.ended_at IS NULL) \
             ORDER BY c.id LIMIT $1",
            count as i64
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| (r.i64("id").unwrap(), -r.i64("available").unwrap() + 10_000))
        .filter(|(_, owed)| *owed > 0 && *owed < 100_000_000)
        .collect::<Vec<_>>();
    let plain = db
        .fetch_all(q!(
            "SELECT c.id FROM customers c WHERE c.state = 2 AND NOT c.is_former AND c.balance_minor > 0 \
             AND NOT EXISTS (SELECT 1 FROM debt_blocks b WHERE b.customer_id = c.id AND b.unblocked_at IS NULL) \
             ORDER BY c.id LIMIT $1",
            blocked.len() as i64
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.i64("id").unwrap())
        .collect();
    (blocked, plain)
}

/// The request number `i` of poster `seed`: the same every time it is asked for, so a restarted
/// poster repeats exactly what it may already have posted.
pub fn fault_request(seed: u64, i: u64, max_customer: i64) -> PaymentRequest {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(1_000_003).wrapping_add(i));
    PaymentRequest {
        customer_id: rng.random_range(1..=max_customer),
        amount: Money::from_minor(rng.random_range(100..100_000)),
        method: PaymentMethod::Cash,
        method_code: None,
        receipt_number: None,
        comment: None,
        idempotency_key: Some(format!("fault-{seed}-{i}")),
        received: None,
        bank: None,
    }
}

async fn fault_poster(svc: &Service, actor: &Actor, journal: &std::path::Path, seed: u64, max_customer: i64) {
    use std::io::Write;
    // only whole lines count: a kill may have cut the last one, which is dropped
    let text = std::fs::read_to_string(journal).unwrap_or_default();
    let whole = text.rfind('\n').map(|p| p + 1).unwrap_or(0);
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(journal).expect("journal");
    file.set_len(whole as u64).expect("journal");
    let done = text[..whole].matches('\n').count() as u64;
    for i in done.. {
        let req = fault_request(seed, i, max_customer);
        let out = svc.post_payment(actor, &req).await.expect("post");
        writeln!(
            file,
            "{} {} {} {}",
            req.idempotency_key.unwrap_or_default(),
            req.customer_id,
            req.amount.minor(),
            out.operation.id
        )
        .expect("journal");
        file.sync_data().expect("journal");
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(Sub::Fsync { count }) = args.sub {
        if args.db.starts_with("postgres") {
            eprintln!(
                "fsync: give the SQLite path on the disk to measure (PostgreSQL's data directory is the server's)"
            );
            return ExitCode::FAILURE;
        }
        let (mean, p50, p99) = fsync_latency(&args.db, count).expect("fsync probe");
        println!(
            "4 KiB write + fdatasync, {count} times: mean {mean:.3} ms, p50 {p50:.3} ms, p99 {p99:.3} ms"
        );
        return ExitCode::SUCCESS;
    }
    let svc = Service::open(&args.db, ServiceConfig::default()).await.expect("open");
    if let Some(Sub::Ssh { sessions, queries, pace_ms, compress }) = args.sub {
        let (surnames, _) = samples(&args.db, sessions * queries).await;
        let desks =
            serve::Desks { sessions, per_desk: queries, pace: Duration::from_millis(pace_ms), compress };
        serve::ssh_bench(&svc, &args.db, &surnames, desks).await;
        return ExitCode::SUCCESS;
    }
    if let Some(Sub::Charge { date }) = &args.sub {
        let (surnames, agreements) = samples(&args.db, 150).await;
        let queries: Vec<String> = surnames.into_iter().zip(agreements).flat_map(|(s, a)| [s, a]).collect();
        let ok = charging::charging_bench(&svc, &args.db, date, &queries).await;
        return if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    }
    if let Some(Sub::TokenPay { count }) = args.sub {
        let (_, agreements) = samples(&args.db, 100).await;
        serve::token_pay_bench(&svc, &args.db, count, &agreements).await;
        return ExitCode::SUCCESS;
    }
    if let Some(Sub::FaultPoster { journal, seed, max_customer }) = &args.sub {
        let actor = svc.login("cashier", DEMO_PASSWORD, "fault-poster").await.expect("login");
        ensure_shift(&svc, &actor).await;
        fault_poster(&svc, &actor, journal, *seed, *max_customer).await;
        return ExitCode::SUCCESS;
    }
    if let Some(Sub::PostWorker { count, seed, max_customer }) = args.sub {
        let actor = svc.login("cashier", DEMO_PASSWORD, "bench").await.expect("login");
        ensure_shift(&svc, &actor).await;
        let spent = post_loop(&svc, &actor, count, seed, max_customer).await;
        println!("{}", spent.as_secs_f64());
        return ExitCode::SUCCESS;
    }
    if let Some(Sub::Unblock { count }) = args.sub {
        let cashier = svc.login("cashier", DEMO_PASSWORD, "bench").await.expect("login");
        ensure_shift(&svc, &cashier).await;
        let store = Store::open(&args.db).await.expect("store");
        let (blocked, plain) = unblock_pairs(&store, count).await;
        if blocked.is_empty() {
            eprintln!("unblock: no customer is blocked for debt (run `kassa billing run` first)");
            return ExitCode::FAILURE;
        }
        let (mut lifting, mut ordinary) = (Vec::new(), Vec::new());
        for ((b, owed), p) in blocked.iter().zip(&plain) {
            for (id, samples) in [(*b, &mut lifting), (*p, &mut ordinary)] {
                let req = PaymentRequest {
                    customer_id: id,
                    amount: Money::from_minor(*owed),
                    method: PaymentMethod::Cash,
                    method_code: None,
                    receipt_number: None,
                    comment: None,
                    idempotency_key: Some(format!("unblock-{}", uuid::Uuid::new_v4().simple())),
                    received: None,
                    bank: None,
                };
                let started = Instant::now();
                svc.post_payment(&cashier, &req).await.expect("post");
                samples.push(started.elapsed());
            }
        }
        // each measured payment lifted its block, or it measured something else
        let mut still = 0;
        let mut tx = store.read().await.expect("read");
        for (b, _) in &blocked {
            still +=
                usize::from(store::billing::open_block(&mut tx.db(), *b).await.expect("block").is_some());
        }
        drop(tx);
        if still > 0 {
            eprintln!("unblock: {still} customers are still blocked after the payment that should lift it");
            return ExitCode::FAILURE;
        }
        let n = lifting.len();
        let (l50, l99) = (pct(&mut lifting, 50), pct(&mut lifting, 99));
        let (o50, o99) = (pct(&mut ordinary, 50), pct(&mut ordinary, 99));
        println!("payments that lift a block ({n}): p50 {l50:.2} ms, p99 {l99:.2} ms");
        println!("plain payments of the same sums ({n}): p50 {o50:.2} ms, p99 {o99:.2} ms");
        println!("ratio of p50: {:.2}", l50 / o50.max(0.001));
        return ExitCode::SUCCESS;
    }
    if let Some(Sub::Import { documents }) = args.sub {
        import_bench(&svc, &args.db, documents).await;
        return ExitCode::SUCCESS;
    }
    if let Some(Sub::Desk { payments }) = args.sub {
        desk_bench(&svc, &args.db, payments).await;
        return ExitCode::SUCCESS;
    }
    let store = Store::open(&args.db).await.expect("store");
    let count = {
        let mut tx = store.read().await.unwrap();
        store::customers::count(&mut tx.db()).await.unwrap()
    };
    let mut demo_line = None;
    if count == 0 {
        eprintln!("building the demo: {} customers …", args.customers);
        let s = svc
            .generate_demo(DemoOptions { customers: args.customers, seed: 1, months: 10 })
            .await
            .expect("demo");
        demo_line = Some(format!(
            "demo: {} customers, {} operations in {:.0} s",
            s.customers, s.operations, s.seconds
        ));
    }
    let n = {
        let mut tx = store.read().await.unwrap();
        store::customers::count(&mut tx.db()).await.unwrap()
    };
    let viewer = svc.login("viewer", DEMO_PASSWORD, "bench").await.expect("viewer login");
    let cashier = svc.login("cashier", DEMO_PASSWORD, "bench").await.expect("cashier login");
    ensure_shift(&svc, &cashier).await;
    let mut rng = StdRng::seed_from_u64(42);

    // Samples of what a cashier types, taken from the data itself.
    let mut agreements = Vec::new();
    let mut phones = Vec::new();
    let mut surnames = Vec::new();
    let mut addresses = Vec::new();
    let mut street_house = Vec::new();
    let mut ips = Vec::new();
    let mut macs = Vec::new();
    {
        let mut tx = store.read().await.unwrap();
        let mut db = tx.db();
        while agreements.len() < args.iterations {
            let id = rng.random_range(1..=n);
            let r = db
                .fetch_one(q!(
                    "SELECT c.agreement_number, c.phone0, c.name_norm, c.apartment, h.street, h.number, h.letter, \
                     (SELECT ip FROM customer_ips i WHERE i.customer_id = c.id LIMIT 1) AS ip, \
                     (SELECT mac FROM customer_ips i WHERE i.customer_id = c.id LIMIT 1) AS mac \
                     FROM customers c LEFT JOIN houses h ON h.id = c.house_id WHERE c.id = $1",
                    id
                ))
                .await
                .unwrap();
            let (Some(a), Some(ip), Some(mac)) = (
                r.opt_text("agreement_number").unwrap(),
                r.opt_text("ip").unwrap(),
                r.opt_text("mac").unwrap(),
            ) else {
                continue;
            };
            agreements.push(a);
            phones.push(Phone::from_stored(r.opt_text("phone0").unwrap().unwrap_or_default()).to_string());
            let surname: String = r.text("name_norm").unwrap().chars().take(5).collect();
            surnames.push(surname);
            let street = r.opt_text("street").unwrap().unwrap_or_default();
            let street_name = street.split_once(' ').map(|(_, s)| s.to_string()).unwrap_or(street);
            let house = format!(
                "{}{}",
                r.opt_i64("number").unwrap().unwrap_or(1),
                r.opt_text("letter").unwrap().unwrap_or_default()
            );
            addresses.push(format!(
                "{street_name} {house}-{}",
                r.opt_text("apartment").unwrap().unwrap_or_default()
            ));
            street_house.push(format!("{street_name} {house}"));
            ips.push(ip);
            // the NOC types MACs in every spelling
            let m = Mac::parse(&mac).unwrap().to_string();
            macs.push(if rng.random_bool(0.5) { m.replace(':', "-").to_uppercase() } else { m });
        }
    }
    let misses: Vec<String> = (0..args.iterations).map(|i| format!("Шварценеггер{i}")).collect();
    // what people say when they know only part: the local number, the subnet, the vendor bytes
    let local_phones: Vec<String> = phones
        .iter()
        .map(|p| {
            let d: String = p.chars().filter(char::is_ascii_digit).collect();
            d[d.len().saturating_sub(7)..].to_string()
        })
        .collect();
    let ip_starts: Vec<String> =
        ips.iter().map(|ip| ip.rsplit_once('.').map(|(s, _)| s.to_string()).unwrap_or(ip.clone())).collect();
    let mac_starts: Vec<String> =
        macs.iter().map(|m| m.to_lowercase().replace('-', ":").chars().take(8).collect()).collect();
    if args.console_only {
        println!("- {}", warm(&args.db, &store).await);
        print_console(console::measure(&args.db, &surnames, args.iterations).await);
        return ExitCode::SUCCESS;
    }

    let mut notes = Vec::new();
    let mut lines = Vec::new();
    if !args.payments_only {
        notes.push(format!("before the searches: {}", warm(&args.db, &store).await));
        for (what, queries) in [
            ("search: agreement number", &agreements),
            ("search: phone", &phones),
            ("search: surname fragment (5 letters)", &surnames),
            ("search: \"street house\"", &street_house),
            ("search: \"street house-flat\"", &addresses),
            ("search: IP", &ips),
            ("search: MAC", &macs),
            ("search: local phone (7 digits)", &local_phones),
            ("search: IP start (3 octets)", &ip_starts),
            ("search: MAC start (3 bytes)", &mac_starts),
            ("search: no hits", &misses),
        ] {
            let mut service = Vec::new();
            let mut raw = Vec::new();
            // one unmeasured pass: a desk that has been open a while has these pages cached
            for q in queries.iter() {
                std::hint::black_box(svc.search_customers(&viewer, q, false, 20).await.unwrap());
            }
            for q in queries.iter() {
                let t = Instant::now();
                let r = svc.search_customers(&viewer, q, false, 20).await.unwrap();
                service.push(t.elapsed());
                std::hint::black_box(r);
                let t = Instant::now();
                raw_search(&store, q).await;
                raw.push(t.elapsed());
            }
            lines.push(Line {
                what: what.into(),
                p50: pct(&mut service, 50),
                p99: pct(&mut service, 99),
                raw: Some((pct(&mut raw, 50), pct(&mut raw, 99))),
            });
        }

        warm(&args.db, &store).await;
        let mut hist = Vec::new();
        let mut cards = Vec::new();
        for _ in 0..args.iterations {
            let id = rng.random_range(1..=n);
            let t = Instant::now();
            let h = svc
                .history(&viewer, &HistoryQuery { customer_id: id, limit: 50, ..Default::default() })
                .await
                .unwrap();
            hist.push(t.elapsed());
            std::hint::black_box(h);
            let t = Instant::now();
            let c = svc.customer_card(&viewer, id).await.unwrap();
            cards.push(t.elapsed());
            std::hint::black_box(c);
        }
        lines.push(Line::of("history: first page (50 lines, with totals)", &mut hist));
        lines.push(Line::of("customer card", &mut cards));
    }

    // Payments: one poster in this process.
    notes.push(format!("before the payments: {}", warm(&args.db, &store).await));
    let single = post_loop(&svc, &cashier, args.posts, 7, n).await;
    let single_rate = args.posts as f64 / single.as_secs_f64();
    // Then several separate processes at once.
    warm(&args.db, &store).await;
    let exe = std::env::current_exe().unwrap();
    let per = args.posts / args.posters;
    let children: Vec<_> = (0..args.posters)
        .map(|i| {
            Command::new(&exe)
                .args([
                    "--db",
                    &args.db,
                    "post-worker",
                    "--count",
                    &per.to_string(),
                    "--seed",
                    &(100 + i).to_string(),
                    "--max-customer",
                    &n.to_string(),
                ])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawn worker")
        })
        .collect();
    let mut slowest = 0.0f64;
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "a poster failed");
        let s: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        slowest = slowest.max(s);
    }
    let multi_rate = (per * args.posters) as f64 / slowest;

    let size = match store.backend() {
        Backend::Sqlite => std::fs::metadata(args.db.trim_start_matches("sqlite:").trim_start_matches("//"))
            .map(|m| m.len())
            .unwrap_or(0),
        Backend::Postgres => {
            let mut tx = store.read().await.unwrap();
            tx.db().scalar_i64(q!("SELECT pg_database_size(current_database())")).await.unwrap() as u64
        }
    };
    let ops = {
        let mut tx = store.read().await.unwrap();
        tx.db().scalar_i64(q!("SELECT COUNT(*) FROM ledger")).await.unwrap()
    };

    println!(
        "### {:?}: {} customers, {} ledger rows, database {:.0} MiB",
        store.backend(),
        n,
        ops,
        size as f64 / 1048576.0
    );
    if let Some(d) = demo_line {
        println!("\n{d}");
    }
    println!("\n| measure | p50 ms | p99 ms | same store queries without the service: p50 / p99 ms |");
    println!("| --- | ---: | ---: | ---: |");
    for l in &lines {
        let raw = l.raw.map(|(a, b)| format!("{a:.2} / {b:.2}")).unwrap_or_else(|| "—".into());
        println!("| {} | {:.2} | {:.2} | {raw} |", l.what, l.p50, l.p99);
    }
    println!("\n| payments (durable: SQLite synchronous=FULL / PostgreSQL fsync on) | posts/s |");
    println!("| --- | ---: |");
    println!("| 1 poster, {} posts | {:.0} |", args.posts, single_rate);
    println!("| {} separate processes, {} posts | {:.0} |", args.posters, per * args.posters, multi_rate);
    println!();
    for n in &notes {
        println!("- {n}");
    }
    if !args.payments_only {
        warm(&args.db, &store).await;
        print_console(console::measure(&args.db, &surnames, args.iterations).await);
    }
    ExitCode::SUCCESS
}

fn print_console(figures: console::ConsoleFigures) {
    println!("\n| console (80×24, Russian, colours on) | p50 ms | p99 ms |");
    println!("| --- | ---: | ---: |");
    for l in &figures.lines {
        println!("| {} | {:.3} | {:.3} |", l.what, l.p50, l.p99);
    }
    println!();
    for n in &figures.notes {
        println!("- {n}");
    }
}

/// The store queries the service runs for `input`, without the permission check, the query
/// parsing into a transaction, or anything else of the service around them.
async fn raw_search(store: &Store, input: &str) {
    let query = SearchQuery::parse(input);
    let mut tx = store.read().await.unwrap();
    let mut db = tx.db();
    let ids = match &query {
        SearchQuery::Digits(d) => {
            let mut ids =
                store::customers::search_digits(&mut db, d, Phone::normalise_digits(d).as_deref(), false, 20)
                    .await
                    .unwrap();
            if phone::is_local_number(d) {
                ids.extend(store::customers::phones_ending(&mut db, d, false, 20).await.unwrap());
            }
            ids
        }
        SearchQuery::Phone(p) => {
            store::customers::lookup(&mut db, LookupKind::Phone, p.as_str(), true).await.unwrap()
        }
        SearchQuery::Ip(ip) => {
            store::customers::lookup(&mut db, LookupKind::Ip, &ip.key(), true).await.unwrap()
        }
        SearchQuery::Mac(m) => {
            store::customers::lookup(&mut db, LookupKind::Mac, &m.to_string(), true).await.unwrap()
        }
        SearchQuery::IpRange { lo, hi } => {
            store::customers::ips_between(&mut db, &lo.key(), &hi.key(), false, 20).await.unwrap()
        }
        SearchQuery::MacStart(start) => {
            store::customers::macs_starting(&mut db, start, false, 20).await.unwrap()
        }
        SearchQuery::Text(words) => {
            if let [w] = words.as_slice() {
                let kind = if w.contains('@') { LookupKind::Mail } else { LookupKind::Login };
                std::hint::black_box(store::customers::lookup(&mut db, kind, w, true).await.unwrap());
            }
            let w: Vec<String> =
                words.iter().filter(|w| !customer::ADDRESS_WORDS.contains(&w.as_str())).cloned().collect();
            store::customers::search_text(&mut db, &w, false, 20).await.unwrap()
        }
        SearchQuery::Empty | SearchQuery::Id(_) => Vec::new(),
    };
    std::hint::black_box(store::customers::summaries(&mut db, &ids).await.unwrap());
}
