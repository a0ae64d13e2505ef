//! `kassa shift …`: the cash desk's shift from the command line.

use super::args::{MethodCmd, ShiftCmd};
use super::{CliResult, confirm, out, parse_money};
use crate::cli::Cli;
use crate::domain::dates::local;
use crate::domain::desk::{CashMoveKind, Shift, ShiftReport};
use crate::domain::ledger::PaymentMethod;
use crate::service::{Actor, MethodChange, Service};

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    local(t).format("%d.%m.%Y %H:%M").to_string()
}

fn shift_line(s: &Shift) -> String {
    let state = match (s.closed_at, s.difference()) {
        (Some(at), Some(d)) => format!(
            "closed {} by {}; counted {}, expected {}, difference {d}",
            when(at),
            s.closed_by_login.as_deref().unwrap_or("-"),
            s.counted_cash.unwrap_or_default(),
            s.expected_cash.unwrap_or_default()
        ),
        _ => "open".into(),
    };
    format!(
        "Shift {} at desk '{}': opened {} by {} with {} in the drawer; {state}.",
        s.id,
        s.desk,
        when(s.opened_at),
        s.operator_login,
        s.opening_cash
    )
}

/// The X or Z report as text: the shift, a line per method, the cash moves, what the drawer
/// should hold and, once closed, what it held.
pub fn report_text(r: &ShiftReport) -> String {
    let mut t = format!("{} report\n{}\n", if r.shift.is_open() { "X" } else { "Z" }, shift_line(&r.shift));
    if r.by_method.is_empty() {
        t.push_str("No payments.\n");
    }
    for m in &r.by_method {
        t.push_str(&format!(
            "{:<9} {:>4} payment(s) {:>14}   {:>3} cancelled {:>12}   net {:>14}\n",
            m.method.as_str(),
            m.payments,
            m.paid.to_string(),
            m.reversals,
            m.reversed.to_string(),
            m.net().to_string()
        ));
    }
    t.push_str(&format!("Taken in all: {}\n", r.total()));
    for mv in &r.moves {
        t.push_str(&format!(
            "{} {} {} ({}, {})\n",
            when(mv.created_at),
            if mv.kind == CashMoveKind::In { "cash in " } else { "cash out" },
            mv.amount,
            mv.reason,
            mv.operator_login
        ));
    }
    t.push_str(&format!(
        "Opening cash {} + cash taken − cash given back + in {} − out {} = expected in the drawer {}",
        r.shift.opening_cash, r.cash_in, r.cash_out, r.expected_cash
    ));
    if let (Some(c), Some(d)) = (r.shift.counted_cash, r.shift.difference()) {
        t.push_str(&format!(
            "\nCounted {c}; difference {d}{}",
            match d.minor() {
                0 => " (the drawer agrees)".to_string(),
                n if n < 0 => " (short)".to_string(),
                _ => " (over)".to_string(),
            }
        ));
    }
    t
}

/// The payments report: a line per key, then the totals.
pub fn payments_text(
    lines: &[crate::service::ReportLine],
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> String {
    let mut t = format!("Payments {} – {}\n", from.format("%d.%m.%Y"), to.format("%d.%m.%Y"));
    t.push_str(&format!(
        "{:<20} {:>8} {:>16} {:>9} {:>14} {:>16}\n",
        "", "payments", "taken", "cancelled", "given back", "net"
    ));
    let (mut n, mut paid, mut r, mut back) = (0, 0, 0, 0);
    for l in lines {
        t.push_str(&format!(
            "{:<20} {:>8} {:>16} {:>9} {:>14} {:>16}\n",
            if l.key.is_empty() { "(none)" } else { l.key.as_str() },
            l.payments,
            l.paid.to_string(),
            l.reversals,
            l.reversed.to_string(),
            l.net().to_string()
        ));
        (n, paid, r, back) =
            (n + l.payments, paid + l.paid.minor(), r + l.reversals, back + l.reversed.minor());
    }
    let m = crate::domain::money::Money::from_minor;
    t.push_str(&format!(
        "{:<20} {:>8} {:>16} {:>9} {:>14} {:>16}",
        "total",
        n,
        m(paid).to_string(),
        r,
        m(back).to_string(),
        m(paid - back).to_string()
    ));
    t
}

pub async fn shift(cli: &Cli, svc: &Service, actor: &Actor, cmd: &ShiftCmd) -> CliResult<()> {
    let json = cli.json;
    match cmd {
        ShiftCmd::Open { cash } => {
            let cash = parse_money("cash", cash)?;
            let s = svc.open_shift(actor, cash).await?;
            out(json, &s, shift_line);
        }
        ShiftCmd::CashIn { amount, reason } | ShiftCmd::CashOut { amount, reason } => {
            let kind =
                if matches!(cmd, ShiftCmd::CashIn { .. }) { CashMoveKind::In } else { CashMoveKind::Out };
            let amount = parse_money("amount", amount)?;
            confirm(
                cli,
                &format!(
                    "{} {amount} ({reason}) at desk '{}'?",
                    if kind == CashMoveKind::In { "Put in" } else { "Take out" },
                    actor.desk
                ),
            )?;
            let m = svc.cash_move(actor, kind, amount, reason).await?;
            out(json, &m, |m| format!("Cash {} {} in shift {}: {}.", m.kind, m.amount, m.shift_id, m.reason));
        }
        ShiftCmd::X => {
            let r = svc.shift_report(actor, None).await?;
            out(json, &r, report_text);
        }
        ShiftCmd::Close { counted } => {
            let counted = parse_money("counted", counted)?;
            confirm(
                cli,
                &format!("Close the shift at desk '{}' with {counted} counted in the drawer?", actor.desk),
            )?;
            let r = svc.close_shift(actor, counted).await?;
            out(json, &r, report_text);
        }
        ShiftCmd::List { desk, limit } => {
            let shifts = svc.shifts(actor, desk.as_deref(), *limit).await?;
            out(json, &shifts, |s| {
                if s.is_empty() {
                    "No shifts.".to_string()
                } else {
                    s.iter().map(shift_line).collect::<Vec<_>>().join("\n")
                }
            });
        }
        ShiftCmd::Show { id } => {
            let r = svc.shift_report(actor, Some(*id)).await?;
            out(json, &r, report_text);
        }
    }
    Ok(())
}

/// `kassa method …`: the catalogue of payment methods.
pub async fn method(cli: &Cli, svc: &Service, actor: &Actor, cmd: &MethodCmd) -> CliResult<()> {
    let json = cli.json;
    match cmd {
        MethodCmd::List { all } => {
            let ms = svc.payment_methods(actor, *all).await?;
            out(json, &ms, |ms| {
                ms.iter()
                    .map(|m| {
                        format!(
                            "{:>3}  {:<12} {:<9} {}{}",
                            m.position,
                            m.code,
                            m.kind.as_str(),
                            m.name,
                            if m.active { "" } else { "  (switched off)" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        MethodCmd::Add { code, name, kind } => {
            let kind: PaymentMethod = kind.parse().map_err(super::CliError::usage)?;
            let m = svc.add_payment_method(actor, code, name, kind).await?;
            out(json, &m, |m| {
                format!("Payment method '{}' ({}, {}) added.", m.name, m.code, m.kind.as_str())
            });
        }
        MethodCmd::Edit { code, name, position, on, off } => {
            let change = MethodChange {
                name: name.clone(),
                position: *position,
                active: if *on {
                    Some(true)
                } else if *off {
                    Some(false)
                } else {
                    None
                },
            };
            let m = svc.edit_payment_method(actor, code, &change).await?;
            out(json, &m, |m| {
                format!(
                    "Payment method '{}' ({}): position {}, {}.",
                    m.name,
                    m.code,
                    m.position,
                    if m.active { "switched on" } else { "switched off" }
                )
            });
        }
    }
    Ok(())
}
