//! The `kassa` binary: configuration, logging to a file, then the command line.

use std::process::ExitCode;

use clap::Parser;
use kassa::cli::{self, Cli};
use kassa::config::{self, Config};

fn init_logging(cfg: &Config) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let dir = cfg.log.dir.clone().unwrap_or_else(|| config::data_dir().join("logs"));
    std::fs::create_dir_all(&dir).ok()?;
    let appender = tracing_appender::rolling::daily(dir, "kassa.log");
    // a short queue: the default (128,000 lines) is allocated and touched whole at start, several
    // milliseconds of every command for a log that gets a few lines a call
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(1024)
        .finish(appender);
    let filter = tracing_subscriber::EnvFilter::try_new(format!("kassa={}", cfg.log.level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("kassa=info"));
    tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).init();
    Some(guard)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return cli::usage_error(e),
    };
    let cfg = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            cli::output::err_line(&format!("kassa: {e}"));
            return ExitCode::from(2);
        }
    };
    if let Some(zone) = &cfg.ui.timezone {
        // SAFETY: no other thread exists yet (logging and the runtime start below), so nothing
        // reads the environment while it changes; chrono's local time then follows the zone.
        unsafe { std::env::set_var("TZ", zone) };
    }
    let _guard = init_logging(&cfg);
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            cli::output::err_line(&format!("kassa: cannot start: {e}"));
            return ExitCode::from(1);
        }
    };
    runtime.block_on(cli::run(cli, cfg))
}
