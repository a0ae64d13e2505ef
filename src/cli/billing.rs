//! `kassa billing …`, `kassa discount …`, `kassa tax …`: charging runs, the charging daemon,
//! a customer's charges, discounts and tax rules.

use super::args::{BillingCmd, DiscountCmd, TaxCmd};
use super::{CliError, CliResult, confirm, out, parse_day};
use crate::cli::Cli;
use crate::domain::dates::today;
use crate::service::{
    Actor, Applies, BillingReport, ChargeLine, Discount, DiscountInput, Percent, Service, TaxItem, Whom,
};

fn report_text(r: &BillingReport) -> String {
    format!(
        "{} {}: {} customer(s) with something due; {} period(s) {}charged, {} in all; {} passed over (stopped, or paused without a fee); {} scheduled tariff change(s) applied; {} block(s) for debt set or lifted.",
        if r.dry_run { "Would charge up to" } else { "Charged up to" },
        r.date.format("%d.%m.%Y"),
        r.customers,
        r.charged,
        if r.dry_run { "to be " } else { "" },
        r.sum,
        r.passed,
        r.tariff_changes,
        r.blocks_settled
    )
}

pub async fn billing(json: bool, svc: &Service, actor: &Actor, cmd: &BillingCmd) -> CliResult<()> {
    match cmd {
        BillingCmd::Run { date, dry_run } => {
            let date = parse_day("date", date)?.unwrap_or_else(today);
            let r = svc.run_billing(actor, date, *dry_run).await?;
            out(json, &r, report_text);
        }
        BillingCmd::Due { days } => {
            let due = svc.billing_due(actor, today(), *days).await?;
            out(json, &due, |due| {
                let mut text =
                    format!("{} customer(s) whose money runs out within {days} day(s):\n", due.len());
                for d in due {
                    text.push_str(&format!(
                        "#{}\t{}\t{}\t{}\t{}\n",
                        d.id,
                        d.agreement.as_deref().unwrap_or("-"),
                        d.name,
                        d.available,
                        d.paid_until
                            .map(|p| format!("paid until {}", p.format("%d.%m.%Y")))
                            .unwrap_or_else(|| "owes".into())
                    ));
                }
                text.trim_end().to_string()
            });
        }
        BillingCmd::Daemon { every } => daemon(json, svc, actor, *every).await?,
        BillingCmd::Day { day } => {
            let day = match day {
                Some(d) => svc.set_billing_day(actor, *d).await?,
                None => svc.billing_day(actor).await?,
            };
            out(json, &day, |d| format!("Monthly periods begin on day {d} of the month."));
        }
        BillingCmd::Charges { customer, limit } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let lines = svc.customer_charges(actor, id, *limit).await?;
            out(json, &lines, |l| charges_text(l));
        }
    }
    Ok(())
}

/// A run now, then one every `every` minutes, each for the local day it starts on; a failed
/// run is logged and tried again at the next tick (the database decides every period once,
/// so a repeated run never charges twice). Ends on SIGTERM or Ctrl-C between runs, or after
/// the run in progress.
async fn daemon(json: bool, svc: &Service, actor: &Actor, every: u64) -> CliResult<()> {
    if !(1..=24 * 60).contains(&every) {
        return Err(CliError::usage("--every: from 1 to 1440 minutes"));
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(every * 60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| CliError::usage(format!("cannot listen for SIGTERM: {e}")))?;
    eprintln!("kassa billing daemon: a charging run every {every} minute(s); stop with SIGTERM or Ctrl-C");
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        }
        match svc.run_billing(actor, today(), false).await {
            Ok(r) => out(json, &r, report_text),
            // the operator's rights are read afresh for each run: one taken away stops it
            Err(
                e @ (crate::service::ServiceError::Denied { .. }
                | crate::service::ServiceError::SessionEnded(_)),
            ) => {
                return Err(e.into());
            }
            Err(e) => {
                tracing::error!(error = %e, "charging run failed; trying again at the next tick");
                eprintln!("charging run failed: {e}");
            }
        }
    }
    eprintln!("kassa billing daemon: stopped");
    Ok(())
}

fn charges_text(lines: &[ChargeLine]) -> String {
    if lines.is_empty() {
        return "No charges yet.".into();
    }
    lines
        .iter()
        .map(|l| {
            let mut t = format!("{}\t{}\t{}", l.span.short(), l.item, l.amount);
            if let Some(w) = &l.what {
                t.push_str(&format!("\t{w}"));
            }
            if l.discount.minor() > 0 {
                t.push_str(&format!("\tdiscount {} off {}", l.discount, l.price));
            }
            if let Some(rate) = l.tax_rate {
                t.push_str(&format!("\ttax {} incl. {}", rate.format_ru(), l.tax));
            }
            if l.credited.minor() > 0 {
                t.push_str(&format!("\t{} credited", l.credited));
            }
            if let Some(p) = &l.passed {
                t.push_str(&format!("\t({p})"));
            }
            t
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn percent(field: &str, s: &str) -> CliResult<Percent> {
    Percent::parse(s).map_err(|e| CliError::usage(format!("{field}: {e}")))
}

fn discount_text(d: &Discount) -> String {
    let whom = match d.whom {
        Whom::Customer(c) => format!("customer #{c}"),
        Whom::Group(g) => format!("group {g}"),
    };
    let what = match d.applies {
        Applies::All => "everything".to_string(),
        Applies::Tariff(None) => "the tariff".into(),
        Applies::Tariff(Some(t)) => format!("tariff {t}"),
        Applies::Service(None) => "every service".into(),
        Applies::Service(Some(s)) => format!("service {s}"),
    };
    let to = d.to.map(|t| t.format("%d.%m.%Y").to_string()).unwrap_or_else(|| "…".into());
    let mut t = format!(
        "{}\t{}\t{} off {}\t{}–{}\tpriority {}",
        d.id,
        whom,
        d.percent.format_ru(),
        what,
        d.from.format("%d.%m.%Y"),
        to,
        d.priority
    );
    if !d.comment.is_empty() {
        t.push_str(&format!("\t{}", d.comment));
    }
    t
}

pub async fn discount(cli: &Cli, svc: &Service, actor: &Actor, cmd: &DiscountCmd) -> CliResult<()> {
    let json = cli.json;
    match cmd {
        DiscountCmd::List { all } => {
            let list = svc.discounts(actor, *all, today()).await?;
            out(json, &list, |l| {
                if l.is_empty() {
                    "No discounts.".into()
                } else {
                    l.iter().map(discount_text).collect::<Vec<_>>().join("\n")
                }
            });
        }
        DiscountCmd::Add { customer, group, percent: p, applies, item, from, to, priority, comment } => {
            let whom = match (customer, group) {
                (Some(c), None) => Whom::Customer(svc.resolve_customer(actor, c).await?),
                (None, Some(g)) => Whom::Group(*g),
                _ => return Err(CliError::usage("name one: --customer or --group")),
            };
            let applies = Applies::from_parts(applies.trim(), *item)
                .map_err(|e| CliError::usage(format!("applies: {e}")))?;
            if applies == Applies::All && item.is_some() {
                return Err(CliError::usage("--item goes with --applies tariff or service"));
            }
            let input = DiscountInput {
                whom,
                percent: percent("percent", p)?,
                applies,
                from: parse_day("from", from)?.unwrap_or_else(today),
                to: parse_day("to", to)?,
                priority: *priority,
                comment: comment.clone(),
            };
            let d = svc.add_discount(actor, &input).await?;
            out(json, &d, |d| format!("Discount {} given: {}", d.id, discount_text(d)));
        }
        DiscountCmd::End { id, on } => {
            let on = parse_day("on", on)?.unwrap_or_else(today);
            confirm(cli, &format!("End discount {id} on {}?", on.format("%d.%m.%Y")))?;
            let d = svc.end_discount(actor, *id, on).await?;
            out(json, &d, |d| match d {
                Some(d) => format!("Discount {} ends: {}", d.id, discount_text(d)),
                None => format!("Discount {id} had not begun: removed."),
            });
        }
    }
    Ok(())
}

fn tax_item(s: &str) -> CliResult<TaxItem> {
    s.parse().map_err(|e| CliError::usage(format!("item: {e}")))
}

pub async fn tax(json: bool, svc: &Service, actor: &Actor, cmd: &TaxCmd) -> CliResult<()> {
    match cmd {
        TaxCmd::List => {
            let rules = svc.tax_rules(actor).await?;
            out(json, &rules, |r| {
                if r.is_empty() {
                    return "No tax rules: charges record no tax.".into();
                }
                r.iter()
                    .map(|r| format!("{}\t{}\t{}", r.item.as_str(), r.rate.format_ru(), r.name))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        TaxCmd::Set { item, rate, name } => {
            let rule = svc.set_tax_rule(actor, tax_item(item)?, name, percent("rate", rate)?).await?;
            out(json, &rule, |r| {
                format!(
                    "Charges for a {} carry {} ({}) from the next run on.",
                    r.item.as_str(),
                    r.rate.format_ru(),
                    r.name
                )
            });
        }
        TaxCmd::Delete { item } => {
            let item = tax_item(item)?;
            let gone = svc.delete_tax_rule(actor, item).await?;
            out(json, &gone, |g| {
                if *g {
                    format!("Charges for a {} record no tax from the next run on.", item.as_str())
                } else {
                    format!("There was no tax rule for a {}.", item.as_str())
                }
            });
        }
    }
    Ok(())
}
