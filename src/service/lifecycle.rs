//! A customer's life: stop / pause / active (`state_change`), to the former customers and back
//! (`to_ex`, `to_normal`), and deleting one that never had money (`delete`). Every change is
//! kept in the state history and the audit log.

use super::Conflict;
use super::Entity;
use super::{Actor, Result, Service, ServiceError, audit, customer_exists, now};
use crate::domain::customer::{Customer, CustomerState};
use crate::domain::role::Permission;
use crate::store::lifecycle::{self, ChangeKind, StateChange};
use crate::store::{Db, customers};

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(Entity::Customer, format!("#{id}"))
}

/// The customer, locked for the rest of the transaction.
async fn locked(db: &mut Db<'_>, id: i64) -> Result<Customer> {
    customers::get_for_update(db, id).await?.ok_or_else(|| not_found(id))
}

impl Service {
    /// Sets the customer's working state; asking for the state it already has is refused.
    pub async fn change_state(&self, actor: &Actor, id: i64, state: CustomerState) -> Result<Customer> {
        self.require(actor, Permission::CustomerState).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = locked(&mut db, id).await?;
        if before.state == state {
            return Err(ServiceError::Conflict(Conflict::SameState { customer: id, state }));
        }
        lifecycle::set_state(&mut db, id, state).await?;
        lifecycle::record(
            &mut db,
            id,
            ChangeKind::State,
            before.state.id(),
            state.id(),
            actor.operator_id,
            now(),
        )
        .await?;
        let after = customers::get(&mut db, id).await?.ok_or_else(|| not_found(id))?;
        audit(
            &mut db,
            Some(actor),
            "customer.state",
            "customer",
            Some(id),
            Some(&before.state),
            Some(&after.state),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves the customer to the former customers (`to_ex`) or back (`to_normal`). Former
    /// customers keep their money and history but are left out of search and look-ups unless
    /// asked for.
    pub async fn set_former(&self, actor: &Actor, id: i64, former: bool) -> Result<Customer> {
        self.require(actor, Permission::CustomerArchive).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = locked(&mut db, id).await?;
        if before.is_former == former {
            return Err(ServiceError::Conflict(if former {
                Conflict::AlreadyFormer(id)
            } else {
                Conflict::NotFormer(id)
            }));
        }
        lifecycle::set_former(&mut db, id, former).await?;
        super::billing::settle_debt(&mut db, id, None, super::now()).await?;
        if !former {
            // brought back on its own: money may come to it again
            crate::store::customers::set_merged_into(&mut db, id, None).await?;
        }
        lifecycle::record(
            &mut db,
            id,
            ChangeKind::Former,
            i64::from(before.is_former),
            i64::from(former),
            actor.operator_id,
            now(),
        )
        .await?;
        let after = customers::get(&mut db, id).await?.ok_or_else(|| not_found(id))?;
        let action = if former { "customer.to_former" } else { "customer.to_normal" };
        audit(
            &mut db,
            Some(actor),
            action,
            "customer",
            Some(id),
            Some(&before.is_former),
            Some(&after.is_former),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a customer entered by mistake. One with ledger operations is never deleted (its
    /// money history must stay): the error says to move it to the former customers instead.
    pub async fn delete_customer(&self, actor: &Actor, id: i64) -> Result<Customer> {
        self.require(actor, Permission::CustomerDelete).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = locked(&mut db, id).await?;
        let (operations, children) = lifecycle::ties(&mut db, id).await?;
        if operations > 0 {
            return Err(ServiceError::Conflict(Conflict::HasOperations { customer: id, count: operations }));
        }
        if children > 0 {
            return Err(ServiceError::Conflict(Conflict::HasChildren { customer: id, count: children }));
        }
        lifecycle::delete(&mut db, id).await?;
        audit::<_, ()>(&mut db, Some(actor), "customer.delete", "customer", Some(id), Some(&before), None)
            .await?;
        tx.commit().await?;
        Ok(before)
    }

    /// The customer's state history, newest first.
    pub async fn state_history(&self, actor: &Actor, id: i64) -> Result<Vec<StateChange>> {
        self.require(actor, Permission::CustomerRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        customer_exists(&mut db, id).await?;
        Ok(lifecycle::history(&mut db, id).await?)
    }
}
