//! Operators: the people who log in to kassa.

use chrono::{DateTime, Utc};

use super::{Db, Result, Row};
use crate::domain::role::Role;
use crate::q;

pub use crate::domain::operator::Operator;

const COLUMNS: &str = "id, login, name, role, active, failed_logins, locked_until, created_at";

fn from_row(r: &Row) -> Result<Operator> {
    Ok(Operator {
        id: r.i64("id")?,
        login: r.text("login")?,
        name: r.text("name")?,
        role: r.parsed("role")?,
        active: r.bool("active")?,
        failed_logins: r.i64("failed_logins")?,
        locked_until: r.opt_ts("locked_until")?,
        created_at: r.ts("created_at")?,
    })
}

pub async fn insert(
    db: &mut Db<'_>,
    login: &str,
    name: &str,
    role: Role,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO operators (login, name, role, password_hash, active, failed_logins, created_at) \
         VALUES ($1, $2, $3, $4, TRUE, 0, $5) RETURNING id",
        login,
        name,
        role.as_str(),
        password_hash,
        now
    ))
    .await
}

/// The operator and its password hash.
pub async fn by_login(db: &mut Db<'_>, login: &str) -> Result<Option<(Operator, String)>> {
    let sql = format!("SELECT {COLUMNS}, password_hash FROM operators WHERE login = $1");
    match db.fetch_optional(q!(sql, login)).await? {
        Some(r) => Ok(Some((from_row(&r)?, r.text("password_hash")?))),
        None => Ok(None),
    }
}

/// Whether the operator may act now, and in which role (`None`: no such operator).
pub async fn standing(db: &mut Db<'_>, id: i64) -> Result<Option<(bool, Role)>> {
    match db.fetch_optional(q!("SELECT active, role FROM operators WHERE id = $1", id)).await? {
        Some(r) => Ok(Some((r.bool("active")?, r.parsed("role")?))),
        None => Ok(None),
    }
}

pub async fn get(db: &mut Db<'_>, id: i64) -> Result<Option<Operator>> {
    let sql = format!("SELECT {COLUMNS} FROM operators WHERE id = $1");
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(from_row).transpose()
}

pub async fn list(db: &mut Db<'_>) -> Result<Vec<Operator>> {
    let sql = format!("SELECT {COLUMNS} FROM operators ORDER BY login");
    db.fetch_all(q!(sql)).await?.iter().map(from_row).collect()
}

pub async fn count(db: &mut Db<'_>) -> Result<i64> {
    db.scalar_i64(q!("SELECT COUNT(*) FROM operators")).await
}

/// Counts one wrong password in one statement (parallel guesses each count, on both
/// backends); the `limit`-th in a row locks the operator until `until` and starts the count
/// afresh. Returns the count after it and whether this one locked.
pub async fn count_failure(
    db: &mut Db<'_>,
    id: i64,
    limit: i64,
    until: DateTime<Utc>,
) -> Result<(i64, bool)> {
    let row = db
        .fetch_one(q!(
            "UPDATE operators SET \
               failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END, \
               locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END \
             WHERE id = $1 RETURNING failed_logins, locked_until",
            id,
            limit,
            until
        ))
        .await?;
    let locked = row.opt_ts("locked_until")? == Some(until);
    let failed = if locked { limit } else { row.i64("failed_logins")? };
    Ok((failed, locked))
}

/// Starts the count of wrong passwords afresh after a right one, unless a lock began at `at`
/// or later meanwhile; returns whether the operator was free to log in.
pub async fn clear_failures(db: &mut Db<'_>, id: i64, at: DateTime<Utc>) -> Result<bool> {
    let changed = db
        .execute(q!(
            "UPDATE operators SET failed_logins = 0, locked_until = NULL \
             WHERE id = $1 AND active = TRUE AND (locked_until IS NULL OR locked_until <= $2)",
            id,
            at
        ))
        .await?;
    Ok(changed == 1)
}

/// Changes an operator's name and role.
pub async fn update(db: &mut Db<'_>, id: i64, name: &str, role: Role) -> Result<()> {
    db.execute(q!("UPDATE operators SET name = $1, role = $2 WHERE id = $3", name, role.as_str(), id))
        .await?;
    Ok(())
}

/// Sets a new password hash; the count of wrong passwords and any lock start afresh.
pub async fn set_password(db: &mut Db<'_>, id: i64, password_hash: &str) -> Result<()> {
    db.execute(q!(
        "UPDATE operators SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
        password_hash,
        id
    ))
    .await?;
    Ok(())
}

/// Locks (`active = false`) or unlocks an operator; unlocking also clears a lock after wrong passwords.
pub async fn set_active(db: &mut Db<'_>, id: i64, active: bool) -> Result<()> {
    db.execute(q!(
        "UPDATE operators SET active = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
        active,
        id
    ))
    .await?;
    Ok(())
}

/// How many active administrators there are besides `except`.
pub async fn other_active_admins(db: &mut Db<'_>, except: i64) -> Result<i64> {
    db.scalar_i64(q!(
        "SELECT COUNT(*) FROM operators WHERE role = 'admin' AND active = TRUE AND id <> $1",
        except
    ))
    .await
}

/// Every operator's id and name: for choosing a customer's manager.
pub async fn names(db: &mut Db<'_>) -> Result<Vec<(i64, String)>> {
    db.fetch_all(q!("SELECT id, name FROM operators WHERE active = TRUE ORDER BY name"))
        .await?
        .iter()
        .map(|r| Ok((r.i64("id")?, r.text("name")?)))
        .collect()
}
