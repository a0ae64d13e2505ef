//! Imported bank lines (statements and agents' registries), the files they came in, and the
//! payers an operator remembered as customers.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Db, Q, Result, Row};
use crate::domain::money::Money;
use crate::q;

pub use crate::domain::import::{BankLine, LineState};

/// A line as it is first written.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub identity: String,
    pub doc_number: String,
    pub doc_date: Option<NaiveDate>,
    pub paid_on: Option<NaiveDate>,
    pub amount: Money,
    pub payer: String,
    pub payer_account: String,
    pub payer_inn: String,
    pub purpose: String,
    pub customer_id: Option<i64>,
    pub rule: Option<String>,
    pub certainty: Option<String>,
    pub state: LineState,
    pub note: Option<String>,
}

const SELECT: &str = "SELECT b.id, b.import_id, b.identity, b.doc_number, b.doc_date, b.paid_on, b.amount_minor, \
    b.payer, b.payer_account, b.payer_inn, b.purpose, b.customer_id, c.agreement_number, c.name AS customer_name, \
    b.rule, b.certainty, b.state, b.note, b.operation_id, i.source \
    FROM bank_lines b JOIN bank_imports i ON i.id = b.import_id LEFT JOIN customers c ON c.id = b.customer_id";

fn line(r: &Row) -> Result<BankLine> {
    Ok(BankLine {
        id: r.i64("id")?,
        import_id: r.i64("import_id")?,
        source: r.text("source")?,
        identity: r.text("identity")?,
        doc_number: r.text("doc_number")?,
        doc_date: r.opt_date("doc_date")?,
        paid_on: r.opt_date("paid_on")?,
        amount: Money::from_minor(r.i64("amount_minor")?),
        payer: r.text("payer")?,
        payer_account: r.text("payer_account")?,
        payer_inn: r.text("payer_inn")?,
        purpose: r.text("purpose")?,
        customer_id: r.opt_i64("customer_id")?,
        agreement: r.opt_text("agreement_number")?,
        customer_name: r.opt_text("customer_name")?,
        rule: r.opt_text("rule")?,
        certainty: r.opt_text("certainty")?,
        state: r.parsed("state")?,
        note: r.opt_text("note")?,
        operation_id: r.opt_i64("operation_id")?,
    })
}

pub async fn insert_import(
    db: &mut Db<'_>,
    kind: &str,
    source: &str,
    account: &str,
    at: DateTime<Utc>,
    operator_id: i64,
    documents: i64,
) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO bank_imports (kind, source, account, imported_at, operator_id, documents, new_lines) \
         VALUES ($1, $2, $3, $4, $5, $6, 0) RETURNING id",
        kind,
        source,
        account,
        at,
        operator_id,
        documents
    ))
    .await
}

pub async fn set_new_lines(db: &mut Db<'_>, import_id: i64, n: i64) -> Result<()> {
    db.execute(q!("UPDATE bank_imports SET new_lines = $2 WHERE id = $1", import_id, n)).await?;
    Ok(())
}

/// Writes `lines`, many rows a statement, skipping those whose identity is already there:
/// the (identity, id) of each written.
pub async fn insert_lines(db: &mut Db<'_>, import_id: i64, lines: &[NewLine]) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::with_capacity(lines.len());
    for chunk in lines.chunks(400) {
        let mut q = Q::new("");
        let rows: Vec<String> = chunk
            .iter()
            .map(|l| {
                let cells = [
                    q.push_bind(import_id),
                    q.push_bind(&l.identity),
                    q.push_bind(&l.doc_number),
                    q.push_bind(l.doc_date),
                    q.push_bind(l.paid_on),
                    q.push_bind(l.amount.minor()),
                    q.push_bind(&l.payer),
                    q.push_bind(&l.payer_account),
                    q.push_bind(&l.payer_inn),
                    q.push_bind(&l.purpose),
                    q.push_bind(l.customer_id),
                    q.push_bind(&l.rule),
                    q.push_bind(&l.certainty),
                    q.push_bind(l.state.as_str()),
                    q.push_bind(&l.note),
                ];
                format!("({})", cells.join(", "))
            })
            .collect();
        q.sql = format!(
            "INSERT INTO bank_lines (import_id, identity, doc_number, doc_date, paid_on, amount_minor, payer, \
               payer_account, payer_inn, purpose, customer_id, rule, certainty, state, note) VALUES {} \
             ON CONFLICT (identity) DO NOTHING RETURNING identity, id",
            rows.join(", ")
        )
        .into();
        for r in db.fetch_all(q).await? {
            out.push((r.text("identity")?, r.i64("id")?));
        }
    }
    Ok(out)
}

/// Customers by normalised name, for the names among `names`: (name_norm, id).
pub async fn customers_by_names(db: &mut Db<'_>, names: &[String]) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for chunk in names.chunks(500) {
        let mut q = Q::new("");
        let list: Vec<String> = chunk.iter().map(|n| q.push_bind(n)).collect();
        q.sql =
            format!("SELECT name_norm, id FROM customers WHERE name_norm IN ({})", list.join(", ")).into();
        for r in db.fetch_all(q).await? {
            out.push((r.text("name_norm")?, r.i64("id")?));
        }
    }
    Ok(out)
}

/// The identities among `ids` already imported.
pub async fn known(db: &mut Db<'_>, ids: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let mut q = Q::new("");
        let list: Vec<String> = chunk.iter().map(|i| q.push_bind(i)).collect();
        q.sql = format!("SELECT identity FROM bank_lines WHERE identity IN ({})", list.join(", ")).into();
        for r in db.fetch_all(q).await? {
            out.push(r.text("identity")?);
        }
    }
    Ok(out)
}

/// Lines in `states` (all when empty), oldest first.
pub async fn lines(db: &mut Db<'_>, states: &[LineState], limit: i64) -> Result<Vec<BankLine>> {
    let mut q = Q::new("");
    let filter = if states.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = states.iter().map(|s| q.push_bind(s.as_str())).collect();
        format!("WHERE b.state IN ({})", list.join(", "))
    };
    let lim = q.push_bind(limit);
    q.sql = format!("{SELECT} {filter} ORDER BY b.id LIMIT {lim}").into();
    db.fetch_all(q).await?.iter().map(line).collect()
}

pub async fn get(db: &mut Db<'_>, id: i64) -> Result<Option<BankLine>> {
    let sql = format!("{SELECT} WHERE b.id = $1");
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(line).transpose()
}

/// An operator's decision on a line: its state, customer, rule and note.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &mut Db<'_>,
    id: i64,
    state: LineState,
    customer_id: Option<i64>,
    rule: Option<&str>,
    note: Option<&str>,
    by: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    db.execute(q!(
        "UPDATE bank_lines SET state = $2, customer_id = $3, rule = COALESCE($4, rule), \
           certainty = CASE WHEN $4 IS NULL THEN certainty ELSE 'sure' END, note = $5, decided_by = $6, decided_at = $7 \
         WHERE id = $1 AND state <> 'posted'",
        id,
        state.as_str(),
        customer_id,
        rule,
        note,
        by,
        at
    ))
    .await?;
    Ok(())
}

/// Accepts every proposed line a rule is sure of: their ids.
pub async fn accept_sure(db: &mut Db<'_>, by: i64, at: DateTime<Utc>) -> Result<Vec<i64>> {
    db.fetch_all(q!(
        "UPDATE bank_lines SET state = 'accepted', decided_by = $1, decided_at = $2 \
         WHERE state = 'proposed' AND certainty = 'sure' RETURNING id",
        by,
        at
    ))
    .await?
    .iter()
    .map(|r| r.i64_at(0))
    .collect()
}

pub async fn set_posted(db: &mut Db<'_>, id: i64, operation_id: i64) -> Result<()> {
    db.execute(q!(
        "UPDATE bank_lines SET state = 'posted', operation_id = $2 WHERE id = $1",
        id,
        operation_id
    ))
    .await?;
    Ok(())
}

/// The customers merged into others (their payments go nowhere): read off a small index.
pub async fn merged(db: &mut Db<'_>) -> Result<std::collections::HashSet<i64>> {
    db.fetch_all(q!("SELECT id FROM customers WHERE merged_into IS NOT NULL"))
        .await?
        .iter()
        .map(|r| r.i64_at(0))
        .collect()
}

/// Customers whose agreement or personal account number is one of `numbers`: (number, id,
/// `agreement` or `account`), merged ones too (read off the indexes alone).
pub async fn customers_by_numbers(db: &mut Db<'_>, numbers: &[String]) -> Result<Vec<(String, i64, String)>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(400) {
        let mut q = Q::new("");
        let list: Vec<String> = chunk.iter().map(|n| q.push_bind(n)).collect();
        let list = list.join(", ");
        q.sql = format!(
            "SELECT agreement_number AS n, id, 'agreement' AS what FROM customers \
               WHERE agreement_number IN ({list}) \
             UNION ALL SELECT account_number AS n, id, 'account' AS what FROM customers \
               WHERE account_number IN ({list})"
        )
        .into();
        for r in db.fetch_all(q).await? {
            out.push((r.text("n")?, r.i64("id")?, r.text("what")?));
        }
    }
    Ok(out)
}

/// The customers remembered for payer keys (`acc:…`, `inn:…`).
pub async fn payer_links(db: &mut Db<'_>, keys: &[String]) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for chunk in keys.chunks(500) {
        let mut q = Q::new("");
        let list: Vec<String> = chunk.iter().map(|k| q.push_bind(k)).collect();
        q.sql = format!(
            "SELECT payer_key, customer_id FROM payer_links WHERE payer_key IN ({})",
            list.join(", ")
        )
        .into();
        for r in db.fetch_all(q).await? {
            out.push((r.text("payer_key")?, r.i64("customer_id")?));
        }
    }
    Ok(out)
}

pub async fn remember_payer(
    db: &mut Db<'_>,
    key: &str,
    customer_id: i64,
    by: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    db.execute(q!(
        "INSERT INTO payer_links (payer_key, customer_id, created_by, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (payer_key) DO UPDATE SET customer_id = $2, created_by = $3, created_at = $4",
        key,
        customer_id,
        by,
        at
    ))
    .await?;
    Ok(())
}
