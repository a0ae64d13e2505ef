//! `kassa-bench charge`: a charging run as cron starts it (`kassa billing run`, its own
//! process with its login), with a desk searching meanwhile, then the same run again with
//! nothing due.

use std::process::Command;
use std::time::{Duration, Instant};

use kassa::service::Service;
use kassa::service::demo::DEMO_PASSWORD;

use super::pct;
use super::serve::kassa_bin;

/// One `kassa billing run --date DATE` on `db`: its wall time and what it printed.
fn run(db: &str, date: &str) -> std::process::Child {
    Command::new(kassa_bin())
        .args(["--db", db, "billing", "run", "--date", date])
        .env("KASSA_OPERATOR", "admin")
        .env("KASSA_PASSWORD", DEMO_PASSWORD)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kassa billing run (build the release kassa beside kassa-bench)")
}

/// Searches `queries` one after another, a pause of `pace` between them, until `stop` says
/// so (or once through, without it): each search's time.
async fn search_while(
    svc: &Service,
    queries: &[String],
    pace: Duration,
    stop: impl Fn() -> bool,
) -> Vec<Duration> {
    let viewer = svc.login("viewer", DEMO_PASSWORD, "bench-desk").await.expect("login");
    let mut samples = Vec::new();
    for q in queries.iter().cycle() {
        if stop() || (samples.len() >= queries.len() && pace.is_zero()) {
            break;
        }
        let started = Instant::now();
        std::hint::black_box(svc.search_customers(&viewer, q, false, 20).await.expect("search"));
        samples.push(started.elapsed());
        tokio::time::sleep(pace).await;
    }
    samples
}

fn summary(v: &mut [Duration]) -> String {
    let max = v.iter().max().copied().unwrap_or_default().as_secs_f64() * 1000.0;
    format!("{} searches: p50 {:.2} ms, p99 {:.2} ms, max {max:.1} ms", v.len(), pct(v, 50), pct(v, 99))
}

pub async fn charging_bench(svc: &Service, db: &str, date: &str, queries: &[String]) -> bool {
    let pace = Duration::from_millis(20);
    // the desk's searches on an idle database first, as the figure to compare with
    let mut idle = search_while(svc, queries, Duration::ZERO, || false).await;
    println!("idle database: {}", summary(&mut idle));

    let started = Instant::now();
    let child = std::sync::Arc::new(std::sync::Mutex::new(run(db, date)));
    let finished = {
        let child = child.clone();
        move || child.lock().map(|mut c| c.try_wait().ok().flatten().is_some()).unwrap_or(true)
    };
    let mut during = search_while(svc, queries, pace, finished).await;
    let out = std::sync::Arc::try_unwrap(child)
        .ok()
        .and_then(|m| m.into_inner().ok())
        .expect("the run's process")
        .wait_with_output()
        .expect("wait");
    let took = started.elapsed();
    if !out.status.success() {
        eprintln!("the run failed: {}", String::from_utf8_lossy(&out.stderr));
        return false;
    }
    println!("run to {date}: {:.2} s (process with its login)", took.as_secs_f64());
    println!("  {}", String::from_utf8_lossy(&out.stdout).trim());
    println!("during the run, a desk searching every {} ms: {}", pace.as_millis(), summary(&mut during));

    let started = Instant::now();
    let again = run(db, date).wait_with_output().expect("wait");
    println!(
        "the same run again (nothing due): {:.2} s\n  {}",
        started.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&again.stdout).trim()
    );
    again.status.success()
}
