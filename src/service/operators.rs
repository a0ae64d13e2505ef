//! Operators: the first administrator, creating and listing operators, logging in.

use super::Entity;
use super::{Conflict, Problem};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::Duration;
use serde::Serialize;

use super::{Actor, Result, Service, ServiceError, audit, now, unique_to_conflict};
use crate::domain::customer::valid_login;
use crate::domain::role::{Permission, Role};
use crate::domain::text;
use crate::store::operators::{self, Operator};
use crate::store::{Db, StoreError};

/// The shortest password kassa accepts for an operator.
pub const MIN_PASSWORD_CHARS: usize = 5;

pub(crate) fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Store(StoreError::Backend(format!("cannot hash a password: {e}"))))
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

fn check_new_operator(login: &str, name: &str, password: &str) -> Result<()> {
    if !valid_login(login) {
        return Err(ServiceError::invalid("login", Problem::OperatorLogin(login.to_string())));
    }
    if name.is_empty() {
        return Err(ServiceError::invalid("name", Problem::Missing));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServiceError::invalid("password", Problem::TooShort(MIN_PASSWORD_CHARS)));
    }
    Ok(())
}

/// The operator a typed login names, or "not found" saying that login.
pub(crate) async fn operator_named(db: &mut Db<'_>, login: &str) -> Result<Operator> {
    let login = text::clean(login);
    operators::by_login(db, &login)
        .await?
        .map(|(op, _)| op)
        .ok_or_else(|| ServiceError::NotFound(Entity::Operator, format!("'{login}'")))
}

async fn operator(db: &mut Db<'_>, id: i64) -> Result<Operator> {
    operators::get(db, id).await?.ok_or_else(|| ServiceError::NotFound(Entity::Operator, format!("#{id}")))
}

/// Refuses a change that would leave no active administrator.
async fn keep_an_admin(db: &mut Db<'_>, id: i64, lock: bool) -> Result<()> {
    if operators::other_active_admins(db, id).await? == 0 {
        return Err(ServiceError::Conflict(Conflict::LastAdmin { lock }));
    }
    Ok(())
}

/// What the audit log keeps of an operator: never a password or its hash.
fn audit_view(op: &Operator) -> serde_json::Value {
    serde_json::json!({"login": op.login, "name": op.name, "role": op.role, "active": op.active})
}

#[derive(Serialize)]
struct OperatorAudit<'a> {
    login: &'a str,
    name: &'a str,
    role: Role,
}

/// Inserts a checked operator and its audit row (by `actor`, or by the system when bootstrapping).
async fn insert_operator(
    db: &mut Db<'_>,
    actor: Option<&Actor>,
    login: &str,
    name: &str,
    role: Role,
    hash: &str,
) -> Result<Operator> {
    let id = operators::insert(db, login, name, role, hash, now()).await.map_err(unique_to_conflict)?;
    let action = if actor.is_some() { "operator.create" } else { "operator.bootstrap" };
    let after = OperatorAudit { login, name, role };
    audit::<(), _>(db, actor, action, "operator", Some(id), None, Some(&after)).await?;
    operators::get(db, id).await?.ok_or_else(|| ServiceError::NotFound(Entity::Operator, String::new()))
}

impl Service {
    /// Whether any operator exists (a new database has none until `init`).
    pub async fn has_operators(&self) -> Result<bool> {
        let mut tx = self.store.read().await?;
        Ok(operators::count(&mut tx.db()).await? > 0)
    }

    /// Creates the first administrator of a new database. Refused once any operator exists:
    /// from then on operators are created by an administrator.
    pub async fn bootstrap_admin(&self, login: &str, name: &str, password: &str) -> Result<Operator> {
        let (login, name) = (text::clean(login), text::clean(name));
        check_new_operator(&login, &name, password)?;
        let hash = hash_password(password)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        if operators::count(&mut db).await? > 0 {
            return Err(ServiceError::Conflict(Conflict::OperatorsExist));
        }
        let op = insert_operator(&mut db, None, &login, &name, Role::Admin, &hash).await?;
        tx.commit().await?;
        Ok(op)
    }

    pub async fn create_operator(
        &self,
        actor: &Actor,
        login: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<Operator> {
        self.require(actor, Permission::OperatorManage).await?;
        let (login, name) = (text::clean(login), text::clean(name));
        check_new_operator(&login, &name, password)?;
        let hash = hash_password(password)?;
        let mut tx = self.store.write().await?;
        let op = insert_operator(&mut tx.db(), Some(actor), &login, &name, role, &hash).await?;
        tx.commit().await?;
        Ok(op)
    }

    /// Changes an operator's name or role (`None` keeps it). An administrator cannot take the
    /// administrator role away from the last active administrator.
    pub async fn edit_operator(
        &self,
        actor: &Actor,
        id: i64,
        name: Option<&str>,
        role: Option<Role>,
    ) -> Result<Operator> {
        self.require(actor, Permission::OperatorManage).await?;
        let name = name.map(text::clean);
        if name.as_deref() == Some("") {
            return Err(ServiceError::invalid("name", Problem::Missing));
        }
        if name.as_ref().is_some_and(|n| n.chars().count() > 128) {
            return Err(ServiceError::invalid("name", Problem::TooLong(128)));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = operator(&mut db, id).await?;
        let (name, role) = (name.unwrap_or_else(|| before.name.clone()), role.unwrap_or(before.role));
        if before.role == Role::Admin && role != Role::Admin && before.active {
            keep_an_admin(&mut db, id, false).await?;
        }
        if (name.as_str(), role) == (before.name.as_str(), before.role) {
            return Ok(before);
        }
        operators::update(&mut db, id, &name, role).await?;
        let after = operator(&mut db, id).await?;
        let (b, a) = (audit_view(&before), audit_view(&after));
        audit(&mut db, Some(actor), "operator.edit", "operator", Some(id), Some(&b), Some(&a)).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets an operator's password (an administrator's reset); a lock after wrong passwords ends.
    pub async fn reset_operator_password(&self, actor: &Actor, id: i64, password: &str) -> Result<Operator> {
        self.require(actor, Permission::OperatorManage).await?;
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(ServiceError::invalid("password", Problem::TooShort(MIN_PASSWORD_CHARS)));
        }
        let hash = hash_password(password)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let op = operator(&mut db, id).await?;
        operators::set_password(&mut db, id, &hash).await?;
        // the password itself never reaches the audit log
        audit::<(), _>(
            &mut db,
            Some(actor),
            "operator.password",
            "operator",
            Some(id),
            None,
            Some(&audit_view(&op)),
        )
        .await?;
        let after = operator(&mut db, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Locks an operator out (`active = false`) or lets them in again; unlocking also ends a
    /// lock after wrong passwords. Nobody locks themselves, nor the last active administrator.
    pub async fn set_operator_active(&self, actor: &Actor, id: i64, active: bool) -> Result<Operator> {
        self.require(actor, Permission::OperatorManage).await?;
        if !active && id == actor.operator_id {
            return Err(ServiceError::Conflict(Conflict::LockSelf));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = operator(&mut db, id).await?;
        if !active && before.role == Role::Admin && before.active {
            keep_an_admin(&mut db, id, true).await?;
        }
        if before.active == active && before.locked_until.is_none() && before.failed_logins == 0 {
            return Ok(before);
        }
        operators::set_active(&mut db, id, active).await?;
        let after = operator(&mut db, id).await?;
        let action = if active { "operator.unlock" } else { "operator.lock" };
        let (b, a) = (audit_view(&before), audit_view(&after));
        audit(&mut db, Some(actor), action, "operator", Some(id), Some(&b), Some(&a)).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The operators' ids and names, for choosing a customer's manager (any operator who may
    /// read customers may see who their colleagues are; nothing else of them).
    pub async fn operator_names(&self, actor: &Actor) -> Result<Vec<(i64, String)>> {
        self.require(actor, Permission::CustomerRead).await?;
        let mut tx = self.store.read().await?;
        Ok(operators::names(&mut tx.db()).await?)
    }

    /// An operator by login (`kassa operator edit LOGIN`).
    pub async fn operator_by_login(&self, actor: &Actor, login: &str) -> Result<Operator> {
        self.require(actor, Permission::OperatorManage).await?;
        let mut tx = self.store.read().await?;
        operator_named(&mut tx.db(), login).await
    }

    pub async fn list_operators(&self, actor: &Actor) -> Result<Vec<Operator>> {
        self.require(actor, Permission::OperatorManage).await?;
        let mut tx = self.store.read().await?;
        Ok(operators::list(&mut tx.db()).await?)
    }

    /// Checks a login and password (`CLN_AUTH_LOGIN`) and writes the login to the audit log.
    /// A wrong password is counted; after `max_failed_logins` in a row the operator is locked
    /// for `lockout_minutes`. An unknown login, a wrong password, a locked and a disabled
    /// operator all get the one answer `BadCredentials` after the same work (which of them it
    /// was goes to the audit log).
    pub async fn login(&self, login: &str, password: &str, origin: &str) -> Result<Actor> {
        let (actor, record) = self.authenticate(login, password, origin).await?;
        self.record_login(&record).await?;
        Ok(actor)
    }

    /// `login` without writing the successful login's audit row: the caller writes it with
    /// `record_login` when it suits it (the command line does it beside a read-only command,
    /// which then never waits for SQLite's write lock). A refusal is audited here.
    pub async fn authenticate(
        &self,
        login: &str,
        password: &str,
        origin: &str,
    ) -> Result<(Actor, LoginRecord)> {
        let login = text::clean(login);
        let origin = checked_origin(origin);
        let found = {
            let mut one = self.store.one().await?;
            operators::by_login(&mut one.db(), &login).await?
        };
        let at = now();
        let refused = |reason: &str, op: Option<&Operator>| {
            LoginRecord::refused(at, op.map(|o| o.id), &login, &origin, reason)
        };
        let Some((op, hash)) = found else {
            // spend the same time as a real check
            let _ = verify_password(password, DUMMY_HASH);
            self.record_login(&refused("unknown login", None)).await?;
            return Err(ServiceError::BadCredentials);
        };
        if let Some(reason) = op.login_refusal(at) {
            let _ = verify_password(password, DUMMY_HASH);
            self.record_login(&refused(reason, Some(&op))).await?;
            return Err(ServiceError::BadCredentials);
        }
        if !verify_password(password, &hash) {
            let until = at + Duration::minutes(self.config.lockout_minutes);
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            let (failed, locked) =
                operators::count_failure(&mut db, op.id, self.config.max_failed_logins, until).await?;
            let record = LoginRecord {
                action: if locked { "operator.locked" } else { "operator.login_failed" },
                detail: serde_json::json!({"failed_logins": failed}),
                ..refused("wrong password", Some(&op))
            };
            write_login(&mut db, &record).await?;
            tx.commit().await?;
            return Err(ServiceError::BadCredentials);
        }
        if op.failed_logins != 0 {
            let mut tx = self.store.write().await?;
            let free = operators::clear_failures(&mut tx.db(), op.id, at).await?;
            tx.commit().await?;
            if !free {
                self.record_login(&refused("locked while logging in", Some(&op))).await?;
                return Err(ServiceError::BadCredentials);
            }
        }
        let record = LoginRecord::success(at, &op, &origin);
        Ok((self.actor_of(op, origin), record))
    }

    /// The actor a checked login makes: at `[desk] name`, else at its origin.
    pub(crate) fn actor_of(&self, op: Operator, origin: String) -> Actor {
        let desk = self.config.desk.clone().unwrap_or_else(|| origin.clone());
        Actor { operator_id: op.id, login: op.login, name: op.name, role: op.role, origin, desk }
    }

    /// Writes a login's audit row.
    pub async fn record_login(&self, record: &LoginRecord) -> Result<()> {
        let mut tx = self.store.write().await?;
        write_login(&mut tx.db(), record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps a one-shot command's login to be written with the command's payment (in its
    /// transaction: one commit, not two) or, when the command posts none, by
    /// `write_deferred_login` at its end. A read-only command thus never waits for another
    /// desk's write lock before it answers.
    pub fn defer_login(&self, record: LoginRecord) {
        if let Ok(mut slot) = self.deferred_login.lock() {
            *slot = Some(record);
        }
    }

    /// Writes the deferred login if no payment has written it.
    pub async fn write_deferred_login(&self) -> Result<()> {
        match self.take_deferred_login() {
            Some(record) => self.record_login(&record).await,
            None => Ok(()),
        }
    }

    pub(super) fn take_deferred_login(&self) -> Option<LoginRecord> {
        self.deferred_login.lock().ok().and_then(|mut slot| slot.take())
    }

    /// Puts back a deferred login whose transaction did not commit.
    pub(super) fn restore_deferred_login(&self, record: Option<LoginRecord>) {
        if let (Some(r), Ok(mut slot)) = (record, self.deferred_login.lock()) {
            slot.get_or_insert(r);
        }
    }
}

/// A hash that no password matches, verified instead of a real one so that every refusal
/// takes as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// A login, successful or not, as the audit log keeps it.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    at: chrono::DateTime<chrono::Utc>,
    operator_id: Option<i64>,
    /// The login as typed (bounded), for an unknown one too.
    login: String,
    origin: String,
    action: &'static str,
    detail: serde_json::Value,
    /// The token the login was made with: marked used when the record is written.
    token_id: Option<i64>,
}

impl LoginRecord {
    pub(crate) fn refused(
        at: chrono::DateTime<chrono::Utc>,
        operator_id: Option<i64>,
        login: &str,
        origin: &str,
        reason: &str,
    ) -> LoginRecord {
        LoginRecord {
            at,
            operator_id,
            login: login.chars().take(64).collect(),
            origin: origin.to_string(),
            action: "operator.login_refused",
            detail: serde_json::json!({"reason": reason}),
            token_id: None,
        }
    }

    pub(crate) fn success(at: chrono::DateTime<chrono::Utc>, op: &Operator, origin: &str) -> LoginRecord {
        LoginRecord {
            at,
            operator_id: Some(op.id),
            login: op.login.clone(),
            origin: origin.to_string(),
            action: "operator.login",
            detail: serde_json::json!({"role": op.role}),
            token_id: None,
        }
    }

    /// Made with a token: the audit row names it and writing the row marks it used.
    pub(crate) fn with_token(mut self, id: Option<i64>) -> LoginRecord {
        if let (Some(id), Some(detail)) = (id, self.detail.as_object_mut()) {
            detail.insert("token".into(), id.into());
            self.token_id = Some(id);
        }
        self
    }

    /// Made with an SSH key: the audit row names its fingerprint.
    pub(crate) fn with_key(mut self, fingerprint: &str) -> LoginRecord {
        if let Some(detail) = self.detail.as_object_mut() {
            detail.insert("ssh_key".into(), fingerprint.into());
        }
        self
    }
}

pub(super) async fn write_login(db: &mut Db<'_>, r: &LoginRecord) -> Result<()> {
    if let Some(id) = r.token_id.filter(|_| r.action == "operator.login") {
        crate::store::access::touch_token(db, id, r.at).await?;
    }
    crate::store::audit::insert(
        db,
        r.at,
        r.operator_id,
        &r.login,
        &r.origin,
        r.action,
        "operator",
        r.operator_id,
        None,
        Some(r.detail.to_string()),
    )
    .await?;
    Ok(())
}

/// Where a login comes from, as it is stored: no control or invisible characters, at most 64
/// characters (a forged `SSH_CLIENT` must not reach an administrator's terminal or the log).
pub fn checked_origin(origin: &str) -> String {
    let cleaned: String = origin
        .chars()
        .filter(|c| !c.is_control() && !crate::domain::ledger::is_invisible(*c))
        .take(64)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() { "local".to_string() } else { cleaned.to_string() }
}
