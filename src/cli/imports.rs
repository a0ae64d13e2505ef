//! `kassa import …`: bank statements and agents' registries, the triage queue, the post.

use super::args::ImportCmd;
use super::{CliError, CliResult, confirm, out};
use crate::cli::Cli;
use crate::config::Config;
use crate::domain::import::{BankLine, ImportReport, LineState};
use crate::service::{Actor, Service};

fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_else(|| "-".into())
}

/// One line of the queue: its number, state, document, amount, payer, and the customer a rule
/// proposed (which rule, how sure) or why it waits.
pub fn line_text(l: &BankLine) -> String {
    let whom = match (&l.agreement, &l.customer_name) {
        (a, Some(name)) => format!(
            "→ {} {} [{}{}]",
            a.as_deref().unwrap_or("-"),
            name,
            l.rule.as_deref().unwrap_or("-"),
            l.certainty.as_deref().map(|c| format!(", {c}")).unwrap_or_default()
        ),
        _ => format!("(waits: {})", l.note.as_deref().unwrap_or("-")),
    };
    let skipped = match (l.state, &l.note) {
        (LineState::Skipped, Some(n)) => format!(" skipped: {n}"),
        _ => String::new(),
    };
    let posted = l.operation_id.map(|o| format!(" operation {o}")).unwrap_or_default();
    format!(
        "{:>6}  {:<8}  № {} of {}  {:>12}  {}  «{}»  {whom}{skipped}{posted}",
        l.id,
        l.state.as_str(),
        l.doc_number,
        day(l.doc_date),
        l.amount.to_string(),
        l.payer,
        l.purpose.chars().take(60).collect::<String>()
    )
}

fn report_text(r: &ImportReport) -> String {
    let mut t = format!(
        "{}{} document(s): {} new line(s) for {} ({} proposed, {} waiting), {} already imported{}.",
        if r.dry_run { "Dry run, nothing written. " } else { "" },
        r.documents,
        r.new_lines,
        r.total,
        r.proposed,
        r.waiting,
        r.already_known,
        if r.not_incoming > 0 { format!(", {} not paid to us", r.not_incoming) } else { String::new() }
    );
    if r.new_lines == 0 && r.already_known > 0 {
        t.push_str(" Nothing new: this file (or its documents) was imported before.");
    }
    for l in &r.lines {
        t.push('\n');
        t.push_str(&line_text(l));
    }
    t
}

pub async fn run(cli: &Cli, cfg: &Config, svc: &Service, actor: &Actor, cmd: &ImportCmd) -> CliResult<()> {
    let json = cli.json;
    let read =
        |f: &std::path::Path| std::fs::read(f).map_err(|e| CliError::usage(format!("{}: {e}", f.display())));
    match cmd {
        ImportCmd::Statement { file, dry_run } => {
            let bytes = read(file)?;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let r = svc.import_statement(actor, &name, &bytes, *dry_run).await?;
            out(json, &r, report_text);
        }
        ImportCmd::Registry { file, preset, dry_run } => {
            let p = cfg.import.presets.get(preset).ok_or_else(|| {
                let known: Vec<&str> = cfg.import.presets.keys().map(String::as_str).collect();
                CliError::usage(format!(
                    "no preset '{preset}' in the config ([import.presets.NAME]; known: {})",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ))
            })?;
            let bytes = read(file)?;
            let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let r = svc.import_registry(actor, &name, &bytes, p, *dry_run).await?;
            out(json, &r, report_text);
        }
        ImportCmd::Queue { state, limit } => {
            let states: Vec<LineState> = match state.as_str() {
                "all" => Vec::new(),
                "open" => vec![LineState::Waiting, LineState::Proposed, LineState::Accepted],
                s => vec![s.parse().map_err(CliError::usage)?],
            };
            let lines = svc.import_queue(actor, &states, *limit).await?;
            out(json, &lines, |ls| {
                if ls.is_empty() {
                    return "The queue is empty.".to_string();
                }
                ls.iter().map(line_text).collect::<Vec<_>>().join("\n")
            });
        }
        ImportCmd::Accept { line, customer, sure } => {
            if *sure {
                let n = svc.import_accept_sure(actor).await?;
                out(json, &n, |n| format!("{n} line(s) accepted."));
                return Ok(());
            }
            let line = line.ok_or_else(|| CliError::usage("name a line, or --sure"))?;
            let customer = match customer {
                Some(c) => Some(svc.resolve_customer(actor, c).await?),
                None => None,
            };
            let l = svc.import_accept(actor, line, customer).await?;
            out(json, &l, line_text);
        }
        ImportCmd::Skip { line, reason } => {
            let l = svc.import_skip(actor, *line, reason).await?;
            out(json, &l, line_text);
        }
        ImportCmd::Remember { line } => {
            let n = svc.import_remember(actor, *line).await?;
            out(json, &n, |n| format!("{n} payer key(s) remembered for this customer."));
        }
        ImportCmd::Post => {
            let accepted = svc.import_queue(actor, &[LineState::Accepted], 100_000).await?;
            let sum: i64 = accepted.iter().map(|l| l.amount.minor()).sum();
            confirm(
                cli,
                &format!(
                    "Post {} accepted line(s) for {} as bank payments?",
                    accepted.len(),
                    crate::domain::money::Money::from_minor(sum)
                ),
            )?;
            let r = svc.import_post(actor).await?;
            out(json, &r, |r| {
                let mut t =
                    format!("{} posted for {}; {} found posted before.", r.posted, r.total, r.already);
                for (id, why) in &r.failed {
                    t.push_str(&format!("\nline {id} not posted: {why}"));
                }
                t
            });
        }
    }
    Ok(())
}
