//! Tokens for scripts and operators' SSH public keys.

use chrono::{DateTime, Utc};

use super::{Db, Result, Row};
use crate::domain::access::{ApiToken, OperatorKey, ParsedKey};
use crate::q;

const TOKEN_COLUMNS: &str = "t.id, t.operator_id, o.login AS operator_login, t.name, t.created_at, \
                             t.expires_at, t.last_used_at, t.revoked_at";

fn token_row(r: &Row) -> Result<ApiToken> {
    Ok(ApiToken {
        id: r.i64("id")?,
        operator_id: r.i64("operator_id")?,
        operator_login: r.text("operator_login")?,
        name: r.text("name")?,
        created_at: r.ts("created_at")?,
        expires_at: r.opt_ts("expires_at")?,
        last_used_at: r.opt_ts("last_used_at")?,
        revoked_at: r.opt_ts("revoked_at")?,
    })
}

pub async fn insert_token(
    db: &mut Db<'_>,
    operator_id: i64,
    name: &str,
    digest: &str,
    expires_at: Option<DateTime<Utc>>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO api_tokens (operator_id, name, secret_sha256, created_at, created_by, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        operator_id,
        name,
        digest,
        now,
        by,
        expires_at
    ))
    .await
}

/// The token whose secret has this digest.
pub async fn token_by_digest(db: &mut Db<'_>, digest: &str) -> Result<Option<ApiToken>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN operators o ON o.id = t.operator_id \
         WHERE t.secret_sha256 = $1"
    );
    db.fetch_optional(q!(sql, digest)).await?.as_ref().map(token_row).transpose()
}

pub async fn token(db: &mut Db<'_>, id: i64) -> Result<Option<ApiToken>> {
    let sql = format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN operators o ON o.id = t.operator_id WHERE t.id = $1"
    );
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(token_row).transpose()
}

/// Tokens, newest first: every operator's, or one operator's.
pub async fn tokens(db: &mut Db<'_>, operator_id: Option<i64>) -> Result<Vec<ApiToken>> {
    let from = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN operators o ON o.id = t.operator_id");
    let rows = match operator_id {
        Some(id) => {
            db.fetch_all(q!(format!("{from} WHERE t.operator_id = $1 ORDER BY t.id DESC"), id)).await?
        }
        None => db.fetch_all(q!(format!("{from} ORDER BY t.id DESC"))).await?,
    };
    rows.iter().map(token_row).collect()
}

/// Revokes a token not revoked yet; whether this call revoked it.
pub async fn revoke_token(db: &mut Db<'_>, id: i64, by: i64, now: DateTime<Utc>) -> Result<bool> {
    let n = db
        .execute(q!(
            "UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
            now,
            by,
            id
        ))
        .await?;
    Ok(n == 1)
}

pub async fn touch_token(db: &mut Db<'_>, id: i64, now: DateTime<Utc>) -> Result<()> {
    db.execute(q!("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", now, id)).await?;
    Ok(())
}

const KEY_COLUMNS: &str = "id, operator_id, algorithm, public_key, fingerprint, comment, added_at";

fn key(r: &Row) -> Result<OperatorKey> {
    Ok(OperatorKey {
        id: r.i64("id")?,
        operator_id: r.i64("operator_id")?,
        algorithm: r.text("algorithm")?,
        public_key: r.text("public_key")?,
        fingerprint: r.text("fingerprint")?,
        comment: r.text("comment")?,
        added_at: r.ts("added_at")?,
    })
}

pub async fn insert_key(
    db: &mut Db<'_>,
    operator_id: i64,
    k: &ParsedKey,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO operator_keys (operator_id, algorithm, public_key, fingerprint, comment, added_at, added_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        operator_id,
        k.algorithm.as_str(),
        k.public_key.as_str(),
        k.fingerprint.as_str(),
        k.comment.as_str(),
        now,
        by
    ))
    .await
}

pub async fn keys(db: &mut Db<'_>, operator_id: i64) -> Result<Vec<OperatorKey>> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM operator_keys WHERE operator_id = $1 ORDER BY id");
    db.fetch_all(q!(sql, operator_id)).await?.iter().map(key).collect()
}

/// The operator's key with this public key (the stored form), if registered to them.
pub async fn key_of(db: &mut Db<'_>, operator_id: i64, public_key: &str) -> Result<Option<OperatorKey>> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM operator_keys WHERE operator_id = $1 AND public_key = $2");
    db.fetch_optional(q!(sql, operator_id, public_key)).await?.as_ref().map(key).transpose()
}

/// Removes the operator's key with this id or fingerprint; the key removed.
pub async fn remove_key(db: &mut Db<'_>, operator_id: i64, which: &str) -> Result<Option<OperatorKey>> {
    let id: Option<i64> = which.trim_start_matches('#').parse().ok();
    let sql = format!(
        "SELECT {KEY_COLUMNS} FROM operator_keys WHERE operator_id = $1 AND (id = $2 OR fingerprint = $3)"
    );
    let Some(found) =
        db.fetch_optional(q!(sql, operator_id, id, which)).await?.as_ref().map(key).transpose()?
    else {
        return Ok(None);
    };
    db.execute(q!("DELETE FROM operator_keys WHERE id = $1", found.id)).await?;
    Ok(Some(found))
}
