//! Text output of the command line: plain aligned tables, widths measured in terminal cells.

use crate::domain::audit::AuditEntry;
use crate::domain::ledger::Operation;
use crate::service::{
    CustomerCard, CustomerSummary, HistoryPage, HouseLine, Operator, PostOutcome, SearchResult, Tariff,
};

use crate::domain::text::{fit_width as cell, pad_left as right};

pub fn summaries(list: &[CustomerSummary]) -> String {
    if list.is_empty() {
        return "No customers.".into();
    }
    let mut lines = vec![format!(
        "{} {} {} {} {} {}",
        cell("#id", 8),
        cell("agreement", 10),
        cell("name", 32),
        cell("address", 24),
        right("balance", 11),
        "state"
    )];
    for c in list {
        let mut state = c.state.to_string();
        if c.is_former {
            state.push_str(" former");
        }
        if c.is_potential {
            state.push_str(" potential");
        }
        lines.push(format!(
            "{} {} {} {} {} {}",
            cell(&format!("#{}", c.id), 8),
            cell(c.agreement_number.as_deref().unwrap_or("-"), 10),
            cell(&c.name, 32),
            cell(&c.address(), 24),
            right(&c.balance.to_string(), 11),
            state
        ));
    }
    lines.join("\n")
}

pub fn search(r: &SearchResult) -> String {
    let retyped = match &r.retyped {
        Some(t) => format!(" (nothing for what was typed; found as «{t}», the Russian layout)"),
        None => String::new(),
    };
    format!("query understood as: {}{retyped}\n{}", r.query.kind_name(), summaries(&r.customers))
}

pub fn card(c: &CustomerCard) -> String {
    let cu = &c.customer;
    let mut l = vec![
        format!("{}  (#{})", cu.name, cu.id),
        format!(
            "agreement {}  account {}",
            cu.agreement_number.as_deref().unwrap_or("-"),
            cu.account_number.as_deref().unwrap_or("-")
        ),
        format!("address   {}", c.address.as_deref().unwrap_or("-")),
    ];
    let phones: Vec<String> = cu
        .phones
        .iter()
        .flatten()
        .map(|p| crate::domain::phone::Phone::from_stored(p.clone()).to_string())
        .collect();
    l.push(format!("phones    {}", if phones.is_empty() { "-".into() } else { phones.join(", ") }));
    if let Some(e) = &cu.email {
        l.push(format!("e-mail    {e}"));
    }
    let mut flags = vec![cu.state.to_string()];
    if cu.is_former {
        flags.push("former".into());
    }
    if cu.is_potential {
        flags.push("potential".into());
    }
    if cu.is_corporate {
        flags.push("company".into());
    }
    l.push(format!("state     {}", flags.join(", ")));
    l.push(format!(
        "tariff    {}",
        c.tariff
            .as_ref()
            .map(|t| format!("{} ({} per {})", t.name, t.price, t.period.as_str()))
            .unwrap_or("-".into())
    ));
    if let Some(s) = &c.scheduled_change {
        l.push(format!("          from {} → {}", s.effective_on, s.tariff_name));
    }
    l.push(format!(
        "balance   {}   credit limit {}   available {}",
        cu.balance, cu.credit_limit, c.available
    ));
    if !c.marks.is_empty() {
        l.push(format!("marks     {}", c.marks.join(", ")));
    }
    for r in &c.network.records {
        l.push(format!("address   {} {}", r.address(), r.mac.as_deref().unwrap_or("")));
    }
    if let Some(b) = &c.network.binding {
        l.push(format!("port      {} ({}) port {}", b.switch_name, b.switch_ip, b.port));
    } else if let Some((name, ip)) = &c.network.house_switch {
        l.push(format!("port      {name} ({ip}), serving the whole house"));
    }
    if !c.last_operations.is_empty() {
        l.push("last operations:".into());
        l.extend(c.last_operations.iter().map(op_line));
    }
    l.join("\n")
}

fn op_line(o: &Operation) -> String {
    format!(
        "  {} {} {} {} → {} {} {} {}",
        cell(&o.id.to_string(), 8),
        crate::domain::dates::local(o.created_at).format("%Y-%m-%d %H:%M"),
        cell(o.kind.as_str(), 10),
        right(&o.amount.to_string(), 10),
        right(&o.balance_after.to_string(), 10),
        cell(o.receipt_number.as_deref().unwrap_or(""), 8),
        cell(o.operator_login.as_deref().unwrap_or("system"), 8),
        o.comment.as_deref().unwrap_or("")
    )
}

/// A bank payment's day, document and payer: «paid 28.11.2026; document 4512 of 28.11.2026; payer ООО Ромашка».
pub fn bank_text(b: &crate::domain::ledger::BankDetails) -> String {
    let day = |d: chrono::NaiveDate| d.format("%d.%m.%Y").to_string();
    let mut parts = Vec::new();
    if let Some(d) = b.paid_on {
        parts.push(format!("paid {}", day(d)));
    }
    match (&b.document_number, b.document_date) {
        (Some(n), Some(d)) => parts.push(format!("document {n} of {}", day(d))),
        (Some(n), None) => parts.push(format!("document {n}")),
        (None, Some(d)) => parts.push(format!("document of {}", day(d))),
        (None, None) => {}
    }
    if let Some(p) = &b.payer {
        parts.push(format!("payer {p}"));
    }
    parts.join("; ")
}

pub fn history(h: &HistoryPage) -> String {
    let mut l = vec![format!(
        "  {} {} {} {} {} {} {} {}",
        cell("op", 8),
        cell("date", 16),
        cell("kind", 10),
        right("amount", 10),
        right("before", 10),
        cell("→ after", 10),
        cell("receipt", 8),
        "operator / comment"
    )];
    for o in &h.operations {
        l.push(format!(
            "  {} {} {} {} {} → {} {} {} {}",
            cell(&o.id.to_string(), 8),
            crate::domain::dates::local(o.created_at).format("%Y-%m-%d %H:%M"),
            cell(if o.refund_of.is_some() { "refund" } else { o.kind.as_str() }, 10),
            right(&o.amount.to_string(), 10),
            right(&o.balance_before.to_string(), 10),
            cell(&o.balance_after.to_string(), 8),
            cell(o.receipt_number.as_deref().unwrap_or(""), 8),
            cell(o.operator_login.as_deref().unwrap_or("system"), 8),
            o.comment.as_deref().unwrap_or("")
        ));
        if let Some(b) = &o.bank {
            l.push(format!("           {}", bank_text(b)));
        }
        if let (Some(of), Some(rko)) = (o.refund_of, o.rko_number) {
            l.push(format!("           refund of payment {of}, cash-out order (РКО) {rko}"));
        }
        if !o.refunded.is_zero() {
            l.push(format!("           refunded {} of it", o.refunded));
        }
    }
    l.push(format!("{} operation(s); in {}, out {}", h.total_count, h.income, h.outcome));
    if !h.promises.is_empty() {
        l.push("promised payments (not operations: the balance does not move):".into());
        l.push(promises(&h.promises));
    }
    l.join("\n")
}

pub fn promises(ps: &[crate::service::PromisedPayment]) -> String {
    if ps.is_empty() {
        return "No promised payments.".into();
    }
    ps.iter()
        .map(|p| {
            format!(
                "  {} {} for {} day(s), {} → {} UTC, {} by {}",
                cell(&p.id.to_string(), 6),
                right(&p.amount.to_string(), 10),
                p.days,
                crate::domain::dates::local(p.created_at).format("%Y-%m-%d %H:%M"),
                crate::domain::dates::local(p.expires_at).format("%Y-%m-%d %H:%M"),
                if p.ended_at.is_some() { "ended" } else { "active" },
                p.operator_login.as_deref().unwrap_or("system")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A payment's story, one event a line, oldest first.
pub fn payment_story(p: &crate::service::PaymentStory) -> String {
    let when = |t| crate::domain::dates::local(t).format("%d.%m.%Y %H:%M:%S").to_string();
    let op = &p.operation;
    let mut lines = vec![format!(
        "{}  posted: payment {} ({}) for customer #{}, receipt {}, by {} at desk {}{}",
        when(op.created_at),
        op.amount,
        op.method.map(|m| m.as_str()).unwrap_or("-"),
        op.customer_id,
        op.receipt_number.as_deref().unwrap_or("-"),
        op.operator_login.as_deref().unwrap_or("-"),
        op.desk.as_deref().unwrap_or("-"),
        op.shift_id.map(|s| format!(", shift {s}")).unwrap_or_default()
    )];
    let mut events: Vec<(chrono::DateTime<chrono::Utc>, String)> = p
        .events
        .iter()
        .map(|e| (e.at, format!("{}  {} by {} from {}", when(e.at), e.action, e.operator_login, e.origin)))
        .collect();
    for r in &p.refunds {
        events.push((
            r.created_at,
            format!(
                "{}  refunded {} by operation {} (cash-out order {}) by {}: {}",
                when(r.created_at),
                r.amount.abs(),
                r.id,
                r.rko_number.unwrap_or_default(),
                r.operator_login.as_deref().unwrap_or("-"),
                r.comment.as_deref().unwrap_or("")
            ),
        ));
    }
    if let Some(r) = &p.reversal {
        events.push((
            r.created_at,
            format!(
                "{}  cancelled by operation {} by {}: {}",
                when(r.created_at),
                r.id,
                r.operator_login.as_deref().unwrap_or("-"),
                r.comment.as_deref().unwrap_or("")
            ),
        ));
    }
    events.sort_by_key(|e| e.0);
    lines.extend(events.into_iter().map(|e| e.1));
    lines.join("\n")
}

pub fn posted(o: &PostOutcome) -> String {
    let op = &o.operation;
    let prefix = if o.replayed { "Already posted (same key), nothing written: " } else { "Posted " };
    let change = match (op.received, op.change()) {
        (Some(r), Some(c)) => format!(" Received {r}, change {c}."),
        _ => String::new(),
    };
    let fiscal = match &o.fiscal {
        Some(crate::service::FiscalResult::Done { number }) => format!(" Fiscal number {number}."),
        Some(crate::service::FiscalResult::Failed { error }) => {
            format!(
                " The fiscal receipt failed ({error}): queued, retried by the next payment and kassa fiscal retry."
            )
        }
        None => String::new(),
    };
    let bank = o.operation.bank.as_ref().map(|b| format!(" {}.", bank_text(b))).unwrap_or_default();
    let (kind, receipt) = match (op.refund_of, op.rko_number) {
        (Some(of), Some(rko)) => (format!("refund of payment {of}:"), format!("cash-out order (РКО) {rko}")),
        _ => (op.kind.to_string(), format!("receipt {}", op.receipt_number.as_deref().unwrap_or("-"))),
    };
    let method = match (&op.method_name, &op.method_code, op.method) {
        (Some(name), Some(code), Some(kind)) if code != kind.as_str() => format!(" ({name})"),
        _ => String::new(),
    };
    format!(
        "{prefix}operation {} — {kind} {}{method} for customer #{}; {receipt}; balance {} → {}.{change}{bank}{fiscal}",
        op.id, op.amount, op.customer_id, op.balance_before, op.balance_after
    )
}

pub fn tariffs(ts: &[Tariff]) -> String {
    if ts.is_empty() {
        return "No tariffs.".into();
    }
    ts.iter()
        .map(|t| {
            format!(
                "{} {} {} per {}{}{}{}",
                right(&t.id.to_string(), 4),
                cell(&t.name, 24),
                right(&t.price.to_string(), 10),
                t.period.as_str(),
                t.pause_price.map(|p| format!("  (paused: {p})")).unwrap_or_default(),
                if t.active { "" } else { "  (inactive)" },
                if t.public { "" } else { "  (by transition only)" }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn houses(hs: &[HouseLine]) -> String {
    if hs.is_empty() {
        return "No houses.".into();
    }
    hs.iter()
        .map(|h| {
            format!(
                "{} {} {} {} {} customers, {} switch(es)",
                right(&h.house.id.to_string(), 5),
                cell(&h.house.city, 12),
                cell(&h.house.short_address(), 28),
                cell(&h.house.postcode, 7),
                right(&h.customers.to_string(), 4),
                h.switches
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn operators(ops: &[Operator]) -> String {
    ops.iter()
        .map(|o| {
            let state = match o.locked_until {
                _ if !o.active => "  (locked out)".to_string(),
                Some(until) if until > chrono::Utc::now() => {
                    format!(
                        "  (locked after wrong passwords until {})",
                        crate::domain::dates::local(until).format("%Y-%m-%d %H:%M")
                    )
                }
                _ => String::new(),
            };
            format!(
                "{} {} {} {}{state}",
                right(&o.id.to_string(), 4),
                cell(&o.login, 12),
                cell(o.role.as_str(), 8),
                o.name,
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn audit(rows: &[AuditEntry]) -> String {
    rows.iter()
        .map(|a| {
            format!(
                "{} {} {} {} {} {}#{}",
                right(&a.id.to_string(), 6),
                crate::domain::dates::local(a.at).format("%Y-%m-%d %H:%M:%S"),
                cell(&a.operator_login, 10),
                cell(&a.origin, 15),
                cell(&a.action, 28),
                a.entity,
                a.entity_id.map(|i| i.to_string()).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn state_history(h: &[crate::domain::lifecycle::StateChange]) -> String {
    if h.is_empty() {
        return "No state changes.".into();
    }
    h.iter()
        .map(|c| {
            format!(
                "{}  {:<32}  {}",
                crate::domain::dates::local(c.changed_at).format("%d.%m.%Y %H:%M"),
                c.describe(),
                c.operator_login.as_deref().unwrap_or("-")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn messages(ms: &[crate::service::Message]) -> String {
    if ms.is_empty() {
        return "No messages.".into();
    }
    ms.iter()
        .map(|m| {
            let who = match m.direction {
                crate::service::Direction::Customer => "from the customer",
                crate::service::Direction::Operator => "to the customer",
            };
            format!(
                "{} {} #{} {} ({}){}\n    {}",
                right(&m.id.to_string(), 6),
                crate::domain::dates::local(m.created_at).format("%Y-%m-%d %H:%M"),
                m.customer_id,
                who,
                m.operator_login.as_deref().unwrap_or("system"),
                if m.archived { ", archived" } else { "" },
                m.body.replace('\n', "\n    ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn merge_preview(p: &crate::service::MergePreview) -> String {
    let m = &p.moves;
    let mut l =
        vec![format!("#{} {} → into #{} {}", p.secondary.id, p.secondary.name, p.main.id, p.main.name)];
    l.push(format!(
        "moves: {} address record(s), {} MAC change(s), {} mark(s), {} message(s), {} state change(s), \
         {} promised payment(s), {} extra service(s), {} child customer(s)",
        m.addresses,
        m.mac_changes,
        m.marks,
        m.messages,
        m.state_changes,
        m.promised_payments,
        m.services,
        m.children
    ));
    if m.port {
        l.push(if p.port_released {
            "its switch port is released (the main customer has one)".into()
        } else {
            "its switch port moves".into()
        });
    }
    l.push(if p.balance.minor() == 0 {
        "balance 0.00: no money moves".into()
    } else {
        format!("balance {} moves by two linked corrections", p.balance)
    });
    l.join("\n")
}

pub fn services(ss: &[crate::service::ExtraService]) -> String {
    if ss.is_empty() {
        return "No services.".into();
    }
    ss.iter()
        .map(|s| {
            format!(
                "{} {} {} per {}{}",
                right(&s.id.to_string(), 4),
                cell(&s.name, 32),
                right(&s.price.to_string(), 10),
                s.period.as_str(),
                if s.active { "" } else { "  (no longer offered)" }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn customer_services(cs: &[crate::service::CustomerService]) -> String {
    if cs.is_empty() {
        return "No extra services.".into();
    }
    cs.iter()
        .map(|c| {
            format!(
                "{} {} ×{} {} per {}{}{}{}{}",
                right(&c.id.to_string(), 5),
                cell(&c.service_name, 28),
                c.quantity,
                right(&c.price.to_string(), 10),
                c.period.as_str(),
                if c.own_price.is_some() { " (own price)" } else { "" },
                if c.enabled { "" } else { ", off" },
                c.next_charge_on.map(|d| format!(", next charge {d}")).unwrap_or_default(),
                c.comment.as_deref().map(|t| format!(" — {t}")).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_count_terminal_columns() {
        assert_eq!(cell("Ёлкин", 7), "Ёлкин  ");
        assert_eq!(cell("Ёлкина Мария", 6), "Ёлкина");
        assert_eq!(right("-5.00", 7), "  -5.00");
    }
}
