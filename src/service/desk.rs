//! The cash desk: a shift opened with the cash counted in the drawer, cash put in and taken
//! out during it, the X report at any time, and the close with a blind count (the cashier
//! types what the drawer holds before seeing what it should hold) that keeps the Z report.
//!
//! A desk is named by `[desk] name`, else by the session's origin (`Actor::desk`). Cash is
//! taken only in the shift open at the desk (see `money::append`); the shift's totals are
//! read off the ledger rows that carry its id, so the Z report always equals the ledger.

use super::{Actor, Conflict, Entity, Problem, Result, Service, ServiceError, audit, now, still_standing};
use crate::domain::desk::{
    CashMove, CashMoveKind, DeskPayment, DeskView, ReportBy, ReportLine, Shift, ShiftReport,
};
use crate::domain::money::Money;
use crate::domain::role::Permission;
use crate::domain::text;
use crate::store::{Db, desk, ledger};

/// The most a drawer is believed to hold; a typo of many zeros is refused.
const DRAWER_LIMIT_MINOR: i64 = 100_000_000 * 100;

fn check_cash(field: &'static str, amount: Money, zero_ok: bool) -> Result<Money> {
    if amount.minor() < 0 || (!zero_ok && amount.minor() == 0) {
        return Err(ServiceError::invalid(
            field,
            if zero_ok { Problem::Negative } else { Problem::NotPositive },
        ));
    }
    if amount.minor() > DRAWER_LIMIT_MINOR {
        return Err(ServiceError::invalid(field, Problem::BalanceRange));
    }
    Ok(amount)
}

async fn report_of(db: &mut Db<'_>, shift: Shift) -> Result<ShiftReport> {
    let totals = desk::method_totals(db, shift.id).await?;
    let moves = desk::moves(db, shift.id).await?;
    Ok(ShiftReport::new(shift, totals, moves))
}

impl Service {
    /// Opens a shift at the actor's desk with the cash counted in the drawer.
    pub async fn open_shift(&self, actor: &Actor, opening_cash: Money) -> Result<Shift> {
        self.require(actor, Permission::PaymentPost).await?;
        let opening = check_cash("cash", opening_cash, true)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        still_standing(&mut db, actor).await?;
        let Some(id) = desk::open(&mut db, &actor.desk, actor.operator_id, now(), opening).await? else {
            let by = desk::current(&mut db, &actor.desk).await?.map(|s| s.operator_login).unwrap_or_default();
            return Err(ServiceError::Conflict(Conflict::ShiftOpen { desk: actor.desk.clone(), by }));
        };
        let shift = desk::get(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Shift, id.to_string()))?;
        audit::<(), _>(&mut db, Some(actor), "shift.open", "shift", Some(id), None, Some(&shift)).await?;
        tx.commit().await?;
        tracing::info!(operator = %actor.login, desk = %actor.desk, shift = id, cash = %opening, "shift opened");
        Ok(shift)
    }

    /// The shift open at the actor's desk, if any.
    pub async fn current_shift(&self, actor: &Actor) -> Result<Option<Shift>> {
        self.require(actor, Permission::PaymentPost).await?;
        let mut tx = self.store.read().await?;
        Ok(desk::current(&mut tx.db(), &actor.desk).await?)
    }

    /// Cash put into the drawer or taken out of it, with the reason; in the open shift.
    pub async fn cash_move(
        &self,
        actor: &Actor,
        kind: CashMoveKind,
        amount: Money,
        reason: &str,
    ) -> Result<CashMove> {
        self.require(actor, Permission::PaymentPost).await?;
        let amount = check_cash("amount", amount, false)?;
        let reason = text::clean(reason);
        if reason.is_empty() {
            return Err(ServiceError::invalid("reason", Problem::ReasonRequired));
        }
        if reason.chars().count() > 200 {
            return Err(ServiceError::invalid("reason", Problem::TooLong(200)));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        still_standing(&mut db, actor).await?;
        let shift_id = desk::current_held(&mut db, &actor.desk)
            .await?
            .ok_or_else(|| ServiceError::Conflict(Conflict::NoShift(actor.desk.clone())))?;
        if kind == CashMoveKind::Out {
            // the drawer cannot give what it does not hold
            let shift = desk::get(&mut db, shift_id)
                .await?
                .ok_or_else(|| ServiceError::NotFound(Entity::Shift, shift_id.to_string()))?;
            let held = report_of(&mut db, shift).await?.expected_cash;
            if amount.minor() > held.minor() {
                return Err(ServiceError::invalid("amount", Problem::DrawerShort(held.to_string())));
            }
        }
        let at = now();
        let id = desk::add_move(&mut db, shift_id, kind, amount, &reason, actor.operator_id, at).await?;
        let moved = CashMove {
            id,
            shift_id,
            kind,
            amount,
            reason,
            operator_login: actor.login.clone(),
            created_at: at,
        };
        audit::<(), _>(
            &mut db,
            Some(actor),
            &format!("shift.cash_{kind}"),
            "shift",
            Some(shift_id),
            None,
            Some(&moved),
        )
        .await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// The X report of the shift open at the actor's desk (or of shift `id`: a cashier sees
    /// only the shifts of their desk, an administrator any).
    pub async fn shift_report(&self, actor: &Actor, id: Option<i64>) -> Result<ShiftReport> {
        self.require(actor, Permission::PaymentPost).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let shift = match id {
            Some(id) => desk::get(&mut db, id)
                .await?
                .filter(|s| s.desk == actor.desk || actor.can(Permission::LedgerAdjust)),
            None => desk::current(&mut db, &actor.desk).await?,
        };
        let shift = match (shift, id) {
            (Some(s), _) => s,
            (None, Some(id)) => return Err(ServiceError::NotFound(Entity::Shift, id.to_string())),
            (None, None) => return Err(ServiceError::Conflict(Conflict::NoShift(actor.desk.clone()))),
        };
        report_of(&mut db, shift).await
    }

    /// Closes the shift open at the actor's desk with the cash counted in the drawer, typed
    /// before the expected sum was shown; keeps both and answers the Z report.
    pub async fn close_shift(&self, actor: &Actor, counted_cash: Money) -> Result<ShiftReport> {
        self.require(actor, Permission::PaymentPost).await?;
        let counted = check_cash("cash", counted_cash, true)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        still_standing(&mut db, actor).await?;
        let shift = desk::current(&mut db, &actor.desk)
            .await?
            .ok_or_else(|| ServiceError::Conflict(Conflict::NoShift(actor.desk.clone())))?;
        // payments still being posted into it commit first; later ones find it closed
        if !desk::hold_for_close(&mut db, shift.id).await? {
            return Err(ServiceError::Conflict(Conflict::NoShift(actor.desk.clone())));
        }
        let last_x = report_of(&mut db, shift.clone()).await?;
        let expected = last_x.expected_cash;
        let at = now();
        if !desk::close(&mut db, shift.id, actor.operator_id, at, counted, expected).await? {
            return Err(ServiceError::Conflict(Conflict::NoShift(actor.desk.clone())));
        }
        let closed = desk::get(&mut db, shift.id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Shift, shift.id.to_string()))?;
        // nothing can have joined the shift since it was held: the Z report is the last X report
        let report = ShiftReport { shift: closed.clone(), ..last_x };
        audit(&mut db, Some(actor), "shift.close", "shift", Some(shift.id), Some(&shift), Some(&closed))
            .await?;
        tx.commit().await?;
        tracing::info!(operator = %actor.login, desk = %actor.desk, shift = shift.id, counted = %counted,
            expected = %expected, "shift closed");
        Ok(report)
    }

    /// The cash desk as the console shows it: the shift open at the actor's desk with its
    /// payments (newest first, up to `limit`), or the last shift closed there.
    pub async fn desk_view(&self, actor: &Actor, limit: i64, find: Option<&str>) -> Result<DeskView> {
        self.require(actor, Permission::PaymentPost).await?;
        if !(1..=5000).contains(&limit) {
            return Err(ServiceError::invalid("limit", Problem::Range(1, 5000)));
        }
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let shift = desk::current(&mut db, &actor.desk).await?;
        let (payments, last_closed) = match &shift {
            Some(s) => {
                // a search reads the whole shift (a desk's day is a few thousand at most)
                let rows =
                    ledger::of_shift(&mut db, s.id, if find.is_some() { 100_000 } else { limit }).await?;
                let payments = rows
                    .into_iter()
                    .map(|(operation, agreement, name)| DeskPayment { operation, agreement, name })
                    .filter(|p| find.is_none_or(|f| p.matches(f)))
                    .take(limit as usize);
                (payments.collect(), None)
            }
            None => match desk::list(&mut db, Some(&actor.desk), 1).await?.into_iter().next() {
                Some(last) => (Vec::new(), Some(report_of(&mut db, last).await?)),
                None => (Vec::new(), None),
            },
        };
        Ok(DeskView { desk: actor.desk.clone(), shift, payments, last_closed })
    }

    /// The payments taken and given back from local day `from` to `to` (both included), by
    /// day, desk, cashier or method (administrators). The lines add up to the ledger's own
    /// sums for the period.
    pub async fn payments_report(
        &self,
        actor: &Actor,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        by: ReportBy,
    ) -> Result<Vec<ReportLine>> {
        self.require(actor, Permission::AuditRead).await?;
        crate::domain::dates::check_period(Some(from), Some(to))
            .map_err(|e| ServiceError::invalid("from", e))?;
        if (to - from).num_days() > 366 {
            return Err(ServiceError::invalid("to", Problem::Range(1, 366)));
        }
        let (start, end) = (crate::domain::dates::day_start(from), crate::domain::dates::day_end(to));
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let key = match by {
            ReportBy::Desk => "COALESCE(l.desk, '')",
            ReportBy::Operator => "COALESCE(o.login, '')",
            ReportBy::Method => "COALESCE(l.method_code, l.method, '')",
            ReportBy::Day => {
                // the ISP's local days: one range each
                let mut lines = Vec::new();
                for day in from.iter_days().take_while(|d| *d <= to) {
                    let (a, b) = (crate::domain::dates::day_start(day), crate::domain::dates::day_end(day));
                    for mut line in desk::report(&mut db, "''", (a, b), (day, day)).await? {
                        line.key = day.format("%d.%m.%Y").to_string();
                        lines.push(line);
                    }
                }
                return Ok(lines);
            }
        };
        let mut lines = desk::report(&mut db, key, (start, end), (from, to)).await?;
        if by == ReportBy::Method {
            // a method by the name the catalogue gives it
            let names = crate::store::catalogue::pay_methods(&mut db, true).await?;
            for line in &mut lines {
                if let Some(m) = names.iter().find(|m| m.code == line.key) {
                    line.key = m.name.clone();
                }
            }
        }
        Ok(lines)
    }

    /// Shifts newest first: a cashier's of their own desk, an administrator's of one desk or all.
    pub async fn shifts(&self, actor: &Actor, desk_name: Option<&str>, limit: i64) -> Result<Vec<Shift>> {
        self.require(actor, Permission::PaymentPost).await?;
        if !(1..=1000).contains(&limit) {
            return Err(ServiceError::invalid("limit", Problem::Range(1, 1000)));
        }
        let desk_name =
            if actor.can(Permission::LedgerAdjust) { desk_name } else { Some(actor.desk.as_str()) };
        let mut tx = self.store.read().await?;
        Ok(desk::list(&mut tx.db(), desk_name, limit).await?)
    }
}
