//! The customer's personal-area password (UserSide `pass_change`): stored as an argon2 hash,
//! never shown, never written to the audit log.

use super::Entity;
use super::Problem;
use super::operators::{hash_password, verify_password};
use super::{Actor, Result, Service, ServiceError, audit};
use crate::domain::role::{Permission, Role};
use crate::store::customers;

/// The shortest personal-area password kassa accepts.
pub const MIN_LK_PASSWORD_CHARS: usize = 6;

impl Service {
    /// Sets the customer's personal-area password. The old password must be given and match,
    /// unless the operator is an administrator or the customer has none yet.
    pub async fn change_lk_password(
        &self,
        actor: &Actor,
        customer_id: i64,
        old: Option<&str>,
        new: &str,
    ) -> Result<()> {
        self.require(actor, Permission::CustomerEdit).await?;
        let n = new.chars().count();
        if !(MIN_LK_PASSWORD_CHARS..=128).contains(&n) {
            return Err(ServiceError::invalid("new_password", Problem::Length(MIN_LK_PASSWORD_CHARS, 128)));
        }
        if new.chars().any(char::is_control) {
            return Err(ServiceError::invalid("new_password", Problem::ControlChars));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        if customers::get_for_update(&mut db, customer_id).await?.is_none() {
            return Err(ServiceError::NotFound(Entity::Customer, format!("#{customer_id}")));
        }
        let current = customers::lk_password_hash(&mut db, customer_id).await?;
        if let Some(hash) = &current
            && actor.role != Role::Admin
        {
            match old {
                None => {
                    return Err(ServiceError::invalid("old_password", Problem::PasswordNeeded));
                }
                Some(o) if !verify_password(o, hash) => {
                    return Err(ServiceError::invalid("old_password", Problem::PasswordMismatch));
                }
                Some(_) => {}
            }
        }
        customers::set_lk_password_hash(&mut db, customer_id, &hash_password(new)?).await?;
        let had = serde_json::json!({ "lk_password": if current.is_some() { "set" } else { "none" } });
        let now_set = serde_json::json!({ "lk_password": "changed" });
        audit(
            &mut db,
            Some(actor),
            "customer.lk_password",
            "customer",
            Some(customer_id),
            Some(&had),
            Some(&now_set),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
