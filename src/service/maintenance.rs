//! Maintenance: invariant checks and the audit log.

use super::{Actor, Result, Service};
use crate::domain::role::Permission;
use crate::store::audit::{self, AuditEntry};
use crate::store::check::{self, Violation};

impl Service {
    /// Every broken invariant of the ledger (empty when all hold): cached balance = Σ
    /// operations; each balance-before = the previous balance-after; reversals cancel exactly.
    pub async fn check_invariants(&self, actor: &Actor) -> Result<Vec<Violation>> {
        self.require(actor, Permission::Maintenance).await?;
        let mut tx = self.store.read().await?;
        Ok(check::run(&mut tx.db(), 100).await?)
    }

    /// The newest audit rows, optionally for one entity (`payment.history`).
    pub async fn audit_log(
        &self,
        actor: &Actor,
        entity: Option<&str>,
        entity_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        self.require(actor, Permission::AuditRead).await?;
        let mut tx = self.store.read().await?;
        Ok(audit::list(&mut tx.db(), entity, entity_id, limit.clamp(1, 10_000)).await?)
    }
}
