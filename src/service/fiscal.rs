//! Fiscal receipts (54-ФЗ) are the online cash register's job, not kassa's: after every cash
//! or card payment kassa queues it and hands the receipt as JSON to `[desk] fiscal_command`
//! (on its standard input, run by `sh -c`), which answers with the fiscal document's number on
//! its first line of output and exit status 0. A failure (an exit status, no number, no answer
//! within a minute) leaves the payment queued with the reason: the next payment and
//! `kassa fiscal retry` try again, oldest first. A desk running the command holds the row, so
//! two desks never fiscalise one payment twice.

use std::io::Write;
use std::time::Duration;

use serde::Serialize;

use super::{Actor, Result, Service, ServiceError, audit, now};
use crate::domain::ledger::{Operation, OperationKind, PaymentMethod};
use crate::domain::role::Permission;
use crate::store::fiscal::{self, FiscalEntry};

/// How long the register's command may take before it counts as failed.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);
/// How many older pending receipts a payment retries after its own.
const RETRY_AFTER_POST: i64 = 10;

/// What became of a payment's fiscal receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FiscalResult {
    Done {
        number: String,
    },
    /// Queued with the reason; tried again later.
    Failed {
        error: String,
    },
}

/// A `kassa fiscal retry`: how many receipts went through and how many are still pending.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FiscalRun {
    pub done: i64,
    pub failed: i64,
    pub still_pending: i64,
}

/// Whether `op` is one the register must see: a payment in cash or by card, or a partial
/// refund of one (a refund of the sale receipt).
fn fiscal_kind(op: &Operation) -> bool {
    (op.kind == OperationKind::Payment || op.refund_of.is_some())
        && matches!(op.method, Some(PaymentMethod::Cash | PaymentMethod::Card))
}

/// Runs `command` with `input` on its standard input: the first line it prints, or why not.
fn run(command: &str, input: &[u8]) -> std::result::Result<String, String> {
    let mut child = std::process::Command::new("sh")
        .args(["-c", command])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    // a command that answers without reading all of it is judged by its answer
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    let started = std::time::Instant::now();
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(_) => break,
            None if started.elapsed() > COMMAND_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {} s", COMMAND_LIMIT.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let first = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().trim().to_string();
    let said = String::from_utf8_lossy(&out.stderr).trim().chars().take(300).collect::<String>();
    match (out.status.success(), first.is_empty()) {
        (true, false) => Ok(first.chars().take(64).collect()),
        (true, true) => Err("the command printed no fiscal number".into()),
        (false, _) if said.is_empty() => Err(format!("the command failed ({})", out.status)),
        (false, _) => Err(said),
    }
}

impl Service {
    /// After a payment is posted: queues it for the register when it must be fiscalised, runs
    /// the command for it, then for up to ten older receipts still pending. `None` when there
    /// is no register or the payment needs none.
    pub(super) async fn fiscalise_posted(&self, actor: &Actor, op: &Operation) -> Option<FiscalResult> {
        self.config.fiscal_command.as_ref()?;
        if !fiscal_kind(op) {
            return None;
        }
        let queued = async {
            let mut tx = self.store.write().await?;
            fiscal::enqueue(&mut tx.db(), op.id, now()).await?;
            tx.commit().await?;
            Ok::<_, ServiceError>(())
        };
        if let Err(e) = queued.await {
            tracing::error!(operation = op.id, error = %e, "fiscal receipt not queued");
            return Some(FiscalResult::Failed { error: e.to_string() });
        }
        let result = self.fiscalise(actor, op.id).await;
        let older = async {
            let mut tx = self.store.read().await?;
            Ok::<_, ServiceError>(fiscal::pending(&mut tx.db(), RETRY_AFTER_POST + 1).await?)
        };
        for id in older.await.unwrap_or_default().into_iter().filter(|id| *id != op.id) {
            let _ = self.fiscalise(actor, id).await;
        }
        result.ok().flatten()
    }

    /// Runs the register's command for queued operation `id`: `None` when another desk holds
    /// it or it is done already.
    async fn fiscalise(&self, actor: &Actor, id: i64) -> Result<Option<FiscalResult>> {
        let Some(command) = self.config.fiscal_command.clone() else { return Ok(None) };
        let receipt = {
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            let at = now();
            if !fiscal::claim(
                &mut db,
                id,
                at,
                at + chrono::Duration::seconds(2 * COMMAND_LIMIT.as_secs() as i64),
            )
            .await?
            {
                return Ok(None);
            }
            let receipt =
                super::receipts::build(&mut db, self.config.receipts.organisation.clone(), id).await?;
            tx.commit().await?;
            receipt
        };
        let payload = serde_json::json!({
            "operation_id": id,
            "type": if receipt.refund_of.is_some() { "sell_refund" } else { "sell" },
            "receipt_number": receipt.receipt_number,
            "at": receipt.at.to_rfc3339(),
            "customer": receipt.customer,
            "agreement": receipt.agreement,
            "cashier": receipt.cashier,
            "desk": receipt.desk,
            "payment": if receipt.method == PaymentMethod::Cash { "cash" } else { "electronic" },
            "total": receipt.amount.format_plain(),
            "received": receipt.received.map(|m| m.format_plain()),
            "items": [{
                "name": "Оплата услуг связи",
                "price": receipt.amount.format_plain(),
                "quantity": 1,
                "sum": receipt.amount.format_plain(),
                "vat": "none"
            }]
        });
        let input = payload.to_string().into_bytes();
        let answer = tokio::task::spawn_blocking(move || run(&command, &input))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let at = now();
        let result = match answer {
            Ok(number) => {
                fiscal::done(&mut db, id, &number, at).await?;
                FiscalResult::Done { number }
            }
            Err(error) => {
                tracing::warn!(operation = id, %error, "fiscal receipt failed; queued");
                fiscal::failed(&mut db, id, &error, at).await?;
                FiscalResult::Failed { error }
            }
        };
        let action =
            if matches!(result, FiscalResult::Done { .. }) { "fiscal.done" } else { "fiscal.failed" };
        audit::<(), _>(&mut db, Some(actor), action, "operation", Some(id), None, Some(&result)).await?;
        tx.commit().await?;
        Ok(Some(result))
    }

    /// Tries every pending fiscal receipt again, oldest first (`kassa fiscal retry`).
    pub async fn fiscal_retry(&self, actor: &Actor) -> Result<FiscalRun> {
        self.require(actor, Permission::PaymentPost).await?;
        if self.config.fiscal_command.is_none() {
            return Err(ServiceError::Conflict(super::Conflict::NoFiscal));
        }
        let ids = {
            let mut tx = self.store.read().await?;
            fiscal::pending(&mut tx.db(), 10_000).await?
        };
        let mut run = FiscalRun::default();
        for id in ids {
            match self.fiscalise(actor, id).await? {
                Some(FiscalResult::Done { .. }) => run.done += 1,
                Some(FiscalResult::Failed { .. }) => run.failed += 1,
                None => {}
            }
        }
        let mut tx = self.store.read().await?;
        run.still_pending = fiscal::pending_count(&mut tx.db()).await?;
        Ok(run)
    }

    /// The fiscal queue, newest first.
    pub async fn fiscal_queue(
        &self,
        actor: &Actor,
        pending_only: bool,
        limit: i64,
    ) -> Result<Vec<FiscalEntry>> {
        self.require(actor, Permission::PaymentPost).await?;
        if !(1..=10_000).contains(&limit) {
            return Err(ServiceError::invalid("limit", super::Problem::Range(1, 10_000)));
        }
        let mut tx = self.store.read().await?;
        Ok(fiscal::list(&mut tx.db(), pending_only, limit).await?)
    }
}
