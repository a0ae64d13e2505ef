//! The catalogues an administrator keeps: customer groups (`get_customer_group`) and marks
//! with their colours; and giving a customer a mark or taking it off (`mark_add`,
//! `mark_delete`).

use super::Entity;
use super::{Actor, Result, Service, ServiceError, audit, customer_exists, unique_to_conflict};
use super::{Conflict, Problem};
use crate::domain::ledger::{PayMethod, PaymentMethod, valid_method_code};
use crate::domain::role::Permission;
use crate::domain::text;
use crate::store::catalogue::{self, Group, Mark};
use crate::store::customers;

/// The colours a mark may have: the terminal's own, so every screen can show them.
pub const MARK_COLORS: &[&str] = &["red", "green", "yellow", "blue", "magenta", "cyan", "white"];

fn name_of(field: &'static str, v: &str) -> Result<String> {
    let n = text::clean(v);
    if n.is_empty() {
        return Err(ServiceError::invalid(field, Problem::Missing));
    }
    if n.chars().count() > 64 {
        return Err(ServiceError::invalid(field, Problem::TooLong(64)));
    }
    Ok(n)
}

fn color_of(v: &str) -> Result<String> {
    let c = v.trim().to_lowercase();
    if MARK_COLORS.contains(&c.as_str()) {
        Ok(c)
    } else {
        Err(ServiceError::invalid(
            "color",
            Problem::NotOneOf { value: v.trim().to_string(), allowed: MARK_COLORS },
        ))
    }
}

impl Service {
    pub async fn list_marks(&self, actor: &Actor) -> Result<Vec<Mark>> {
        self.require(actor, Permission::CustomerRead).await?;
        let mut tx = self.store.read().await?;
        Ok(catalogue::marks(&mut tx.db()).await?)
    }

    /// The marks a customer carries.
    pub async fn customer_marks(&self, actor: &Actor, customer_id: i64) -> Result<Vec<Mark>> {
        self.require(actor, Permission::CustomerRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        customer_exists(&mut db, customer_id).await?;
        Ok(customers::marks(&mut db, customer_id)
            .await?
            .into_iter()
            .map(|(id, name, color)| Mark { id, name, color, customers: 1 })
            .collect())
    }

    pub async fn add_mark(&self, actor: &Actor, name: &str, color: &str) -> Result<Mark> {
        self.require(actor, Permission::CatalogueManage).await?;
        let (name, color) = (name_of("name", name)?, color_of(color)?);
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let id = customers::insert_mark(&mut db, &name, &color).await.map_err(unique_to_conflict)?;
        let m = Mark { id, name, color, customers: 0 };
        audit::<(), _>(&mut db, Some(actor), "mark.add", "mark", Some(id), None, Some(&m)).await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Renames a mark or changes its colour (`None` keeps it).
    pub async fn edit_mark(
        &self,
        actor: &Actor,
        id: i64,
        name: Option<&str>,
        color: Option<&str>,
    ) -> Result<Mark> {
        self.require(actor, Permission::CatalogueManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = catalogue::mark(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Mark, format!("{id}")))?;
        let name = name.map(|n| name_of("name", n)).transpose()?.unwrap_or_else(|| before.name.clone());
        let color = color.map(color_of).transpose()?.unwrap_or_else(|| before.color.clone());
        catalogue::update_mark(&mut db, id, &name, &color).await.map_err(unique_to_conflict)?;
        let after = Mark { name, color, ..before.clone() };
        audit(&mut db, Some(actor), "mark.edit", "mark", Some(id), Some(&before), Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a mark no customer carries.
    pub async fn delete_mark(&self, actor: &Actor, id: i64) -> Result<Mark> {
        self.require(actor, Permission::CatalogueManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = catalogue::mark(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Mark, format!("{id}")))?;
        if before.customers > 0 {
            return Err(ServiceError::Conflict(Conflict::MarkInUse {
                count: before.customers,
                name: before.name,
            }));
        }
        catalogue::delete_mark(&mut db, id).await?;
        audit::<_, ()>(&mut db, Some(actor), "mark.delete", "mark", Some(id), Some(&before), None).await?;
        tx.commit().await?;
        Ok(before)
    }

    /// Groups with how many customers are in each.
    pub async fn list_groups(&self, actor: &Actor) -> Result<Vec<Group>> {
        self.require(actor, Permission::CustomerRead).await?;
        let mut tx = self.store.read().await?;
        Ok(catalogue::groups(&mut tx.db()).await?)
    }

    pub async fn add_group(&self, actor: &Actor, name: &str) -> Result<Group> {
        self.require(actor, Permission::CatalogueManage).await?;
        let name = name_of("name", name)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let id = customers::insert_group(&mut db, &name).await.map_err(unique_to_conflict)?;
        let g = Group { id, name, customers: 0 };
        audit::<(), _>(&mut db, Some(actor), "group.add", "group", Some(id), None, Some(&g)).await?;
        tx.commit().await?;
        Ok(g)
    }

    pub async fn rename_group(&self, actor: &Actor, id: i64, name: &str) -> Result<Group> {
        self.require(actor, Permission::CatalogueManage).await?;
        let name = name_of("name", name)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = catalogue::group(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Group, format!("{id}")))?;
        catalogue::rename_group(&mut db, id, &name).await.map_err(unique_to_conflict)?;
        let after = Group { name, ..before.clone() };
        audit(&mut db, Some(actor), "group.rename", "group", Some(id), Some(&before), Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a group no customer is in.
    pub async fn delete_group(&self, actor: &Actor, id: i64) -> Result<Group> {
        self.require(actor, Permission::CatalogueManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = catalogue::group(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Group, format!("{id}")))?;
        if before.customers > 0 {
            return Err(ServiceError::Conflict(Conflict::GroupInUse {
                count: before.customers,
                name: before.name,
            }));
        }
        if crate::store::billing::group_has_discounts(&mut db, id).await? {
            return Err(ServiceError::Conflict(Conflict::GroupHasDiscounts(before.name)));
        }
        catalogue::delete_group(&mut db, id).await?;
        audit::<_, ()>(&mut db, Some(actor), "group.delete", "group", Some(id), Some(&before), None).await?;
        tx.commit().await?;
        Ok(before)
    }

    /// Gives a customer a mark (`mark_add`) or takes it off (`mark_delete`).
    pub async fn set_mark(&self, actor: &Actor, customer_id: i64, mark_id: i64, on: bool) -> Result<()> {
        self.require(actor, Permission::CustomerEdit).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        customer_exists(&mut db, customer_id).await?;
        let mark = catalogue::mark(&mut db, mark_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Mark, format!("{mark_id}")))?;
        let changed = if on {
            catalogue::put_mark(&mut db, customer_id, mark_id).await?
        } else {
            catalogue::take_mark(&mut db, customer_id, mark_id).await?
        };
        if !changed {
            return Err(ServiceError::Conflict(Conflict::MarkAlready {
                customer: customer_id,
                on,
                name: mark.name,
            }));
        }
        let (action, before, after) =
            if on { ("mark.put", None, Some(&mark.name)) } else { ("mark.take", Some(&mark.name), None) };
        audit(&mut db, Some(actor), action, "customer", Some(customer_id), before, after).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A change to a payment method: what is `None` stays.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct MethodChange {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub position: Option<i64>,
}

/// A method code as typed: trimmed, lower-cased, checked.
pub fn method_code_of(v: &str) -> Result<String> {
    let c = v.trim().to_lowercase();
    if valid_method_code(&c) {
        Ok(c)
    } else {
        Err(ServiceError::invalid("method", Problem::MethodCode(v.trim().to_string())))
    }
}

impl Service {
    /// The payment methods, in the catalogue's order; the switched-off ones only when `all`.
    pub async fn payment_methods(&self, actor: &Actor, all: bool) -> Result<Vec<PayMethod>> {
        self.require(actor, Permission::HistoryRead).await?;
        let mut tx = self.store.read().await?;
        Ok(catalogue::pay_methods(&mut tx.db(), all).await?)
    }

    /// Adds a payment method of a kind (its code and name unique), switched on, at the end.
    pub async fn add_payment_method(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
        kind: PaymentMethod,
    ) -> Result<PayMethod> {
        self.require(actor, Permission::CatalogueManage).await?;
        let mut m = PayMethod {
            code: method_code_of(code)?,
            name: name_of("name", name)?,
            kind,
            active: true,
            position: 0,
        };
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        m.position = catalogue::insert_pay_method(&mut db, &m).await.map_err(unique_to_conflict)?;
        audit::<(), _>(&mut db, Some(actor), "payment_method.add", "payment_method", None, None, Some(&m))
            .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Renames a payment method, switches it on or off, or moves it in the list. Its code and
    /// kind stay: the ledger names them. One method at least stays on.
    pub async fn edit_payment_method(
        &self,
        actor: &Actor,
        code: &str,
        change: &MethodChange,
    ) -> Result<PayMethod> {
        self.require(actor, Permission::CatalogueManage).await?;
        let code = method_code_of(code)?;
        let name = change.name.as_deref().map(|n| name_of("name", n)).transpose()?;
        if change.position.is_some_and(|p| !(1..=1000).contains(&p)) {
            return Err(ServiceError::invalid("position", Problem::Range(1, 1000)));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = catalogue::get_pay_method(&mut db, &code)
            .await?
            .ok_or_else(|| ServiceError::invalid("method", Problem::MethodUnknown(code.clone())))?;
        let after = PayMethod {
            name: name.unwrap_or_else(|| before.name.clone()),
            active: change.active.unwrap_or(before.active),
            position: change.position.unwrap_or(before.position),
            ..before.clone()
        };
        if before.active && !after.active {
            let on = catalogue::pay_methods(&mut db, false).await?;
            if on.iter().all(|m| m.code == code) {
                return Err(ServiceError::invalid("active", Problem::LastMethod));
            }
        }
        catalogue::update_pay_method(&mut db, &after).await.map_err(unique_to_conflict)?;
        if after.position != before.position {
            // moved: the others make room, the list numbered 1, 2, … again
            let mut all = catalogue::pay_methods(&mut db, true).await?;
            all.retain(|m| m.code != code);
            let at = (after.position as usize).saturating_sub(1).min(all.len());
            all.insert(at, after.clone());
            for (i, m) in all.iter_mut().enumerate() {
                if m.position != i as i64 + 1 {
                    m.position = i as i64 + 1;
                    catalogue::update_pay_method(&mut db, m).await?;
                }
            }
        }
        let after = catalogue::get_pay_method(&mut db, &code).await?.unwrap_or(after);
        audit(
            &mut db,
            Some(actor),
            "payment_method.edit",
            "payment_method",
            None,
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The catalogue entry a payment names: `code` when given (its kind then decides), else
    /// the entry whose code is the kind. Refused when unknown; a switched-off one is refused
    /// when it is written (`money::append`), where the check holds.
    pub(super) async fn method_entry(&self, kind: PaymentMethod, code: Option<&str>) -> Result<PayMethod> {
        let code = match code {
            Some(c) => method_code_of(c)?,
            None => kind.as_str().to_string(),
        };
        if PaymentMethod::ALL.iter().any(|k| k.as_str() == code) && code == kind.as_str() {
            // a built-in named by its kind: nothing to read here
            return Ok(PayMethod { name: code.clone(), code, kind, active: true, position: 0 });
        }
        let mut tx = self.store.read().await?;
        catalogue::get_pay_method(&mut tx.db(), &code)
            .await?
            .ok_or_else(|| ServiceError::invalid("method", Problem::MethodUnknown(code)))
    }
}
