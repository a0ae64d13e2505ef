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

/// Writes `l` unless a line of that identity is already there: `None` then.
pub async fn insert_line(db: &mut Db<'_>, import_id: i64, l: &NewLine) -> Result<Option<i64>> {
    db.fetch_optional(q!(
        "INSERT INTO bank_lines (import_id, identity, doc_number, doc_date, paid_on, amount_minor, payer, \
           payer_account, payer_inn, purpose, customer_id, rule, certainty, state, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (identity) DO NOTHING RETURNING id",
        import_id,
        &l.identity,
        &l.doc_number,
        l.doc_date,
        l.paid_on,
        l.amount.minor(),
        &l.payer,
        &l.payer_account,
        &l.payer_inn,
        &l.purpose,
        l.customer_id,
        &l.rule,
        &l.certainty,
        l.state.as_str(),
        &l.note
    ))
    .await?
    .map(|r| r.i64_at(0))
    .transpose()
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

pub async fn set_posted(db: &mut Db<'_>, id: i64, operation_id: i64) -> Result<()> {
    db.execute(q!(
        "UPDATE bank_lines SET state = 'posted', operation_id = $2 WHERE id = $1",
        id,
        operation_id
    ))
    .await?;
    Ok(())
}

/// Customers whose agreement or personal account number is one of `numbers`: (number, id,
/// `agreement` or `account`).
pub async fn customers_by_numbers(db: &mut Db<'_>, numbers: &[String]) -> Result<Vec<(String, i64, String)>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(400) {
        let mut q = Q::new("");
        let list: Vec<String> = chunk.iter().map(|n| q.push_bind(n)).collect();
        let list = list.join(", ");
        q.sql = format!(
            "SELECT agreement_number AS n, id, 'agreement' AS what FROM customers \
               WHERE agreement_number IN ({list}) AND merged_into IS NULL \
             UNION ALL SELECT account_number AS n, id, 'account' AS what FROM customers \
               WHERE account_number IN ({list}) AND merged_into IS NULL"
        )
        .into();
        for r in db.fetch_all(q).await? {
            out.push((r.text("n")?, r.i64("id")?, r.text("what")?));
        }
    }
    Ok(out)
}

/// Customers whose normalised name is `name_norm`.
pub async fn customers_by_name(db: &mut Db<'_>, name_norm: &str) -> Result<Vec<i64>> {
    db.fetch_all(q!(
        "SELECT id FROM customers WHERE name_norm = $1 AND merged_into IS NULL LIMIT 3",
        name_norm
    ))
    .await?
    .iter()
    .map(|r| r.i64("id"))
    .collect()
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
