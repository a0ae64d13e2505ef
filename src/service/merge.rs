//! Merging two records of one customer (UserSide `merge`): everything of the secondary —
//! addresses, MAC history, marks, messages, state history, promised payments, extra services,
//! children, the switch port — moves to the main customer; the secondary's balance moves by two linked
//! ledger operations (never an edit); the secondary becomes a former customer. One transaction.

use super::Entity;
use super::{Conflict, Problem};
use serde::Serialize;

use super::{Actor, Result, Service, ServiceError, audit, now};
use crate::domain::customer::Customer;
use crate::domain::ledger::{Operation, OperationKind};
use crate::domain::money::Money;
use crate::domain::role::Permission;
use crate::store::ledger::{self, NewOperation};
use crate::store::lifecycle::{self, ChangeKind, MergeCounts};
use crate::store::{Db, customers, promises};

/// What a merge will move (shown before the confirmation) or has moved.
#[derive(Debug, Clone, Serialize)]
pub struct MergePreview {
    pub main: Customer,
    pub secondary: Customer,
    /// What moves from the secondary.
    pub moves: MergeCounts,
    /// The secondary's balance, moved by two linked operations when not zero.
    pub balance: Money,
    /// The secondary's port is released, not moved, when the main customer has one.
    pub port_released: bool,
}

/// A finished merge.
#[derive(Debug, Clone, Serialize)]
pub struct MergeOutcome {
    pub preview: MergePreview,
    /// The secondary's operation and the main customer's, linked; none for a zero balance.
    pub operations: Option<(Operation, Operation)>,
}

/// Corrections carry no receipt number, so nothing can stop their insert; said if it ever does.
fn unnumbered() -> ServiceError {
    ServiceError::Conflict(Conflict::CorrectionRefused)
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(Entity::Customer, format!("#{id}"))
}

/// Both customers locked (in id order, so two merges never wait on each other crosswise), the
/// rules checked, and what will move counted.
async fn prepare(db: &mut Db<'_>, main_id: i64, secondary_id: i64) -> Result<MergePreview> {
    if main_id == secondary_id {
        return Err(ServiceError::invalid("secondary", Problem::SelfMerge));
    }
    let (first, second) =
        if main_id < secondary_id { (main_id, secondary_id) } else { (secondary_id, main_id) };
    let a = customers::get_for_update(db, first).await?.ok_or_else(|| not_found(first))?;
    let b = customers::get_for_update(db, second).await?.ok_or_else(|| not_found(second))?;
    let (main, secondary) = if a.id == main_id { (a, b) } else { (b, a) };
    if main.is_former {
        return Err(ServiceError::Conflict(Conflict::MainIsFormer(main_id)));
    }
    if secondary.is_former {
        return Err(ServiceError::Conflict(Conflict::AlreadyFormer(secondary_id)));
    }
    if main.parent_id == Some(secondary_id) {
        return Err(ServiceError::Conflict(Conflict::ChildOf { main: main_id, secondary: secondary_id }));
    }
    let now = now();
    let open = |p: Option<promises::PromisedPayment>| p.filter(|p| p.expires_at > now);
    if let Some(p) = open(promises::open_one(db, secondary_id).await?)
        && open(promises::open_one(db, main_id).await?).is_some()
    {
        return Err(ServiceError::Conflict(Conflict::TwoPromises {
            amount: p.amount,
            secondary: secondary_id,
        }));
    }
    let moves = lifecycle::merge_counts(db, secondary_id).await?;
    let main_has_port = lifecycle::merge_counts(db, main_id).await?.port;
    Ok(MergePreview {
        balance: secondary.balance,
        port_released: moves.port && main_has_port,
        main,
        secondary,
        moves,
    })
}

impl Service {
    /// What merging `secondary_id` into `main_id` would move; nothing is written.
    pub async fn merge_preview(
        &self,
        actor: &Actor,
        main_id: i64,
        secondary_id: i64,
    ) -> Result<MergePreview> {
        self.require(actor, Permission::CustomerMerge).await?;
        let mut tx = self.store.write().await?;
        // the same locks and checks as the merge; dropped uncommitted, the transaction rolls back
        let preview = prepare(&mut tx.db(), main_id, secondary_id).await?;
        drop(tx);
        Ok(preview)
    }

    /// Merges `secondary_id` into `main_id`.
    pub async fn merge_customers(
        &self,
        actor: &Actor,
        main_id: i64,
        secondary_id: i64,
    ) -> Result<MergeOutcome> {
        self.require(actor, Permission::CustomerMerge).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let preview = prepare(&mut db, main_id, secondary_id).await?;
        let at = now();
        // the money first, while both balances are as locked
        let operations = if preview.balance.minor() != 0 {
            let b = preview.balance;
            let out = NewOperation {
                comment: Some(format!("merged into customer #{main_id}")),
                operator_id: Some(actor.operator_id),
                ..NewOperation::bare(
                    secondary_id,
                    OperationKind::Correction,
                    Money::from_minor(-b.minor()),
                    b,
                    at,
                )
            };
            let first = ledger::insert(&mut db, &out, Some(&actor.login)).await?.ok_or_else(unnumbered)?;
            customers::set_balance(&mut db, secondary_id, Money::ZERO).await?;
            let main_before = preview.main.balance;
            let into = NewOperation {
                customer_id: main_id,
                amount: b,
                balance_before: main_before,
                comment: Some(format!("merged from customer #{secondary_id} (operation {})", first.id)),
                linked_id: Some(first.id),
                ..out
            };
            let second = ledger::insert(&mut db, &into, Some(&actor.login)).await?.ok_or_else(unnumbered)?;
            customers::set_balance(&mut db, main_id, Money::from_minor(main_before.minor() + b.minor()))
                .await?;
            Some((first, second))
        } else {
            None
        };
        lifecycle::move_belongings(
            &mut db,
            secondary_id,
            main_id,
            preview.moves.port && !preview.port_released,
        )
        .await?;
        lifecycle::set_former(&mut db, secondary_id, true).await?;
        customers::set_merged_into(&mut db, secondary_id, Some(main_id)).await?;
        let (out_id, in_id) = operations.as_ref().map_or((None, None), |(a, b)| (Some(a.id), Some(b.id)));
        super::billing::settle_debt(&mut db, secondary_id, out_id, at).await?;
        super::billing::settle_debt(&mut db, main_id, in_id, at).await?;
        lifecycle::record(&mut db, secondary_id, ChangeKind::Former, 0, 1, actor.operator_id, at).await?;
        let summary = serde_json::json!({
            "main": main_id, "secondary": secondary_id, "moved": &preview.moves,
            "balance": preview.balance, "port_released": preview.port_released,
            "operations": operations.as_ref().map(|(a, b)| [a.id, b.id]),
        });
        for id in [main_id, secondary_id] {
            audit::<(), _>(
                &mut db,
                Some(actor),
                "customer.merge",
                "customer",
                Some(id),
                None,
                Some(&summary),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(MergeOutcome { preview, operations })
    }
}
