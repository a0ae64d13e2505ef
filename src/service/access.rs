//! Ways in besides a password: tokens for scripts (`KASSA_TOKEN`) and SSH public keys for
//! `kassa serve`. Both act as their operator with the operator's role and state as they are at
//! each call: a locked operator's token and key are refused like their password.

use chrono::NaiveDate;
use serde::Serialize;

use super::operators::{LoginRecord, operator_named};
use super::{
    Actor, Entity, Problem, Result, Service, ServiceError, audit, now, still_standing, unique_to_conflict,
};
use crate::domain::access::{ApiToken, OperatorKey, ParsedKey, TokenSecret, parse_public_keys};
use crate::domain::dates;
use crate::domain::role::Permission;
use crate::domain::text;
use crate::store::access;
use crate::store::operators::{self, Operator};

#[derive(Serialize)]
struct TokenAudit<'a> {
    operator: &'a str,
    name: &'a str,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The operator `login` names, for an actor acting on `login`'s tokens or keys: oneself always,
/// another operator only with the right to manage operators.
async fn subject(svc: &Service, actor: &Actor, login: Option<&str>) -> Result<Operator> {
    let own = login.is_none_or(|l| text::clean(l) == actor.login);
    if own {
        let mut one = svc.store.one().await?;
        still_standing(&mut one.db(), actor).await?;
        let found = operators::get(&mut one.db(), actor.operator_id).await?;
        return found.ok_or_else(|| ServiceError::NotFound(Entity::Operator, format!("'{}'", actor.login)));
    }
    svc.require(actor, Permission::OperatorManage).await?;
    let mut one = svc.store.one().await?;
    operator_named(&mut one.db(), login.unwrap_or_default()).await
}

impl Service {
    /// Creates a token acting as `login` (oneself when `None`), valid through the local day
    /// `expires` when given. The secret is returned once and never stored.
    pub async fn create_token(
        &self,
        actor: &Actor,
        login: Option<&str>,
        name: &str,
        expires: Option<NaiveDate>,
    ) -> Result<(ApiToken, TokenSecret)> {
        let op = subject(self, actor, login).await?;
        let name = text::clean(name);
        if name.is_empty() {
            return Err(ServiceError::invalid("name", Problem::Missing));
        }
        if name.chars().count() > 100 {
            return Err(ServiceError::invalid("name", Problem::TooLong(100)));
        }
        if expires.is_some_and(|d| d <= dates::today()) {
            return Err(ServiceError::invalid("expires", Problem::NotInFuture));
        }
        let expires_at = expires.map(dates::day_end);
        let secret = TokenSecret::generate();
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        still_standing(&mut db, actor).await?;
        let at = now();
        let id =
            access::insert_token(&mut db, op.id, &name, &secret.digest(), expires_at, actor.operator_id, at)
                .await?;
        let after = TokenAudit { operator: &op.login, name: &name, expires_at };
        audit::<(), _>(&mut db, Some(actor), "token.create", "token", Some(id), None, Some(&after)).await?;
        let token = access::token(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Token, id.to_string()))?;
        tx.commit().await?;
        Ok((token, secret))
    }

    /// Tokens: every operator's for an administrator (or `login`'s), one's own otherwise.
    pub async fn list_tokens(&self, actor: &Actor, login: Option<&str>) -> Result<Vec<ApiToken>> {
        let whose = if login.is_none() && actor.can(Permission::OperatorManage) {
            self.require(actor, Permission::OperatorManage).await?;
            None
        } else {
            Some(subject(self, actor, login).await?.id)
        };
        let mut tx = self.store.read().await?;
        Ok(access::tokens(&mut tx.db(), whose).await?)
    }

    /// Revokes a token: one's own, or anyone's with the right to manage operators.
    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<ApiToken> {
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        still_standing(&mut db, actor).await?;
        let before = access::token(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Token, id.to_string()))?;
        if before.operator_id != actor.operator_id {
            super::require_role(actor, Permission::OperatorManage)?;
        }
        if !access::revoke_token(&mut db, id, actor.operator_id, now()).await? {
            return Ok(before);
        }
        let after = access::token(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Token, id.to_string()))?;
        audit(&mut db, Some(actor), "token.revoke", "token", Some(id), Some(&before), Some(&after)).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Checks a token (`KASSA_TOKEN`) as `authenticate` checks a password: an unknown, revoked or
    /// expired token and a locked operator's all get `BadCredentials` (which one goes to the
    /// audit log). The successful login's record marks the token used when it is written.
    pub async fn authenticate_token(&self, secret: &str, origin: &str) -> Result<(Actor, LoginRecord)> {
        let origin = super::checked_origin(origin);
        let at = now();
        let refused = |reason: &str, t: Option<&ApiToken>| {
            LoginRecord::refused(
                at,
                t.map(|t| t.operator_id),
                t.map(|t| t.operator_login.as_str()).unwrap_or("(token)"),
                &origin,
                reason,
            )
            .with_token(t.map(|t| t.id))
        };
        let Some(secret) = TokenSecret::parse(secret) else {
            self.record_login(&refused("malformed token", None)).await?;
            return Err(ServiceError::BadCredentials);
        };
        let found = {
            let mut one = self.store.one().await?;
            let mut db = one.db();
            match access::token_by_digest(&mut db, &secret.digest()).await? {
                Some(t) => {
                    let op = operators::get(&mut db, t.operator_id).await?;
                    Some((t, op))
                }
                None => None,
            }
        };
        let Some((token, op)) = found else {
            self.record_login(&refused("unknown token", None)).await?;
            return Err(ServiceError::BadCredentials);
        };
        let Some(op) = op else {
            self.record_login(&refused("no such operator", Some(&token))).await?;
            return Err(ServiceError::BadCredentials);
        };
        if let Some(reason) = token.refusal(at).or_else(|| op.login_refusal(at)) {
            self.record_login(&refused(reason, Some(&token))).await?;
            return Err(ServiceError::BadCredentials);
        }
        let record = LoginRecord::success(at, &op, &origin).with_token(Some(token.id));
        Ok((self.actor_of(op, origin), record))
    }

    /// Registers the public keys of an authorized_keys or `.pub` text to `login`.
    pub async fn add_operator_keys(
        &self,
        actor: &Actor,
        login: &str,
        text: &str,
    ) -> Result<Vec<OperatorKey>> {
        self.require(actor, Permission::OperatorManage).await?;
        let parsed =
            parse_public_keys(text).map_err(|e| ServiceError::invalid("key", Problem::PublicKey(e)))?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let op = operator_named(&mut db, login).await?;
        let at = now();
        let mut ids = Vec::new();
        for k in &parsed {
            let id = access::insert_key(&mut db, op.id, k, actor.operator_id, at)
                .await
                .map_err(unique_to_conflict)?;
            audit::<(), _>(
                &mut db,
                Some(actor),
                "operator.key_add",
                "operator",
                Some(op.id),
                None,
                Some(&key_audit(id, k)),
            )
            .await?;
            ids.push(id);
        }
        let added = access::keys(&mut db, op.id).await?.into_iter().filter(|k| ids.contains(&k.id)).collect();
        tx.commit().await?;
        Ok(added)
    }

    pub async fn operator_keys(&self, actor: &Actor, login: &str) -> Result<Vec<OperatorKey>> {
        let op = subject(self, actor, Some(login)).await?;
        let mut tx = self.store.read().await?;
        Ok(access::keys(&mut tx.db(), op.id).await?)
    }

    /// Removes one of `login`'s keys, named by its id or fingerprint.
    pub async fn remove_operator_key(&self, actor: &Actor, login: &str, which: &str) -> Result<OperatorKey> {
        self.require(actor, Permission::OperatorManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let op = operator_named(&mut db, login).await?;
        let removed = access::remove_key(&mut db, op.id, which.trim()).await?.ok_or_else(|| {
            ServiceError::NotFound(Entity::PublicKey, format!("'{}' of '{}'", which.trim(), op.login))
        })?;
        audit::<_, ()>(
            &mut db,
            Some(actor),
            "operator.key_remove",
            "operator",
            Some(op.id),
            Some(&removed),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// Checks an SSH public key offered for `login` (its signature already verified by the SSH
    /// server). A key not registered to that operator, and a locked operator, get
    /// `BadCredentials`; the refusal is audited.
    pub async fn authenticate_key(
        &self,
        login: &str,
        key: &ParsedKey,
        origin: &str,
    ) -> Result<(Actor, LoginRecord)> {
        let origin = super::checked_origin(origin);
        let login = text::clean(login);
        let at = now();
        let found = {
            let mut one = self.store.one().await?;
            let mut db = one.db();
            match operators::by_login(&mut db, &login).await? {
                Some((op, _)) => {
                    let k = access::key_of(&mut db, op.id, &key.public_key).await?;
                    Some((op, k))
                }
                None => None,
            }
        };
        let refusal = match &found {
            None => Some("unknown login"),
            Some((_, None)) => Some("key not registered"),
            Some((op, Some(_))) => op.login_refusal(at),
        };
        if let Some(reason) = refusal {
            let id = found.as_ref().map(|(op, _)| op.id);
            let record = LoginRecord::refused(at, id, &login, &origin, reason).with_key(&key.fingerprint);
            self.record_login(&record).await?;
            return Err(ServiceError::BadCredentials);
        }
        let Some((op, _)) = found else { return Err(ServiceError::BadCredentials) };
        let record = LoginRecord::success(at, &op, &origin).with_key(&key.fingerprint);
        Ok((self.actor_of(op, origin), record))
    }
}

fn key_audit(id: i64, k: &ParsedKey) -> serde_json::Value {
    serde_json::json!({"key": id, "algorithm": k.algorithm, "fingerprint": k.fingerprint, "comment": k.comment})
}

impl Service {
    /// Whether `key` is registered to the operator `login` (nothing audited: an SSH client
    /// offers its keys one by one before it proves it holds one).
    pub async fn key_is_registered(&self, login: &str, key: &ParsedKey) -> Result<bool> {
        let mut one = self.store.one().await?;
        let mut db = one.db();
        let Some((op, _)) = operators::by_login(&mut db, &text::clean(login)).await? else {
            return Ok(false);
        };
        Ok(access::key_of(&mut db, op.id, &key.public_key).await?.is_some())
    }
}
