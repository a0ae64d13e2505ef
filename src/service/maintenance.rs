//! Maintenance: invariant checks and the audit log.

use super::Problem;
use super::{Actor, Result, Service, ServiceError, audit};
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

    /// A consistent copy of an SQLite database in a new file `path` (desks keep working while
    /// it is written); audited. A PostgreSQL database is refused with the pg_dump line to use.
    pub async fn backup(&self, actor: &Actor, path: &std::path::Path) -> Result<u64> {
        self.require(actor, Permission::Maintenance).await?;
        if path.exists() {
            return Err(ServiceError::invalid("file", Problem::FileExists(path.display().to_string())));
        }
        let size = self
            .store
            .backup_to(path)
            .await?
            .ok_or_else(|| ServiceError::invalid("database", Problem::PgDump))?;
        let mut tx = self.store.write().await?;
        let after = serde_json::json!({"file": path.display().to_string(), "bytes": size});
        audit::<(), _>(&mut tx.db(), Some(actor), "database.backup", "database", None, None, Some(&after))
            .await?;
        tx.commit().await?;
        Ok(size)
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
