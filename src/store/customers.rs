//! Customers: rows, lookups, filtered lists and the free-text search.

use chrono::NaiveDate;

use super::{Backend, Db, Q, Result, Row, StoreError};
use crate::domain::customer::{Customer, CustomerState, LookupKind, MAX_HOUSE_NUMBER};
use crate::domain::money::Money;
use crate::q;

pub use crate::domain::customer::{Activity, CustomerSummary};

const COLUMNS: &str = "c.id, c.name, c.is_corporate, c.is_potential, c.is_former, c.state, \
    c.agreement_number, c.agreement_date, c.account_number, c.house_id, c.entrance, c.floor, \
    c.apartment, c.phone0, c.phone1, c.phone2, c.phone3, c.phone4, c.email, c.login, c.group_id, \
    c.manager_id, c.parent_id, c.comment, c.date_connect, c.date_activity, c.date_activity_inet, c.date_activity_lk, \
    c.tariff_id, c.balance_minor, c.credit_limit_minor, c.billing_id, c.billing_uid, c.codeti, \
    c.created_at, c.updated_at";

fn from_row(r: &Row) -> Result<Customer> {
    let state_id = r.i64("state")?;
    Ok(Customer {
        id: r.i64("id")?,
        name: r.text("name")?,
        is_corporate: r.bool("is_corporate")?,
        is_potential: r.bool("is_potential")?,
        is_former: r.bool("is_former")?,
        state: CustomerState::from_id(state_id)
            .ok_or_else(|| StoreError::Corrupt { column: "state".into(), value: state_id.to_string() })?,
        agreement_number: r.opt_text("agreement_number")?,
        agreement_date: r.opt_date("agreement_date")?,
        account_number: r.opt_text("account_number")?,
        house_id: r.opt_i64("house_id")?,
        entrance: r.opt_text("entrance")?,
        floor: r.opt_text("floor")?,
        apartment: r.opt_text("apartment")?,
        phones: [
            r.opt_text("phone0")?,
            r.opt_text("phone1")?,
            r.opt_text("phone2")?,
            r.opt_text("phone3")?,
            r.opt_text("phone4")?,
        ],
        email: r.opt_text("email")?,
        login: r.opt_text("login")?,
        group_id: r.opt_i64("group_id")?,
        manager_id: r.opt_i64("manager_id")?,
        parent_id: r.opt_i64("parent_id")?,
        comment: r.opt_text("comment")?,
        date_connect: r.opt_date("date_connect")?,
        date_activity: r.opt_ts("date_activity")?,
        date_activity_inet: r.opt_ts("date_activity_inet")?,
        date_activity_lk: r.opt_ts("date_activity_lk")?,
        tariff_id: r.opt_i64("tariff_id")?,
        balance: Money::from_minor(r.i64("balance_minor")?),
        credit_limit: Money::from_minor(r.i64("credit_limit_minor")?),
        billing_id: r.opt_i64("billing_id")?,
        billing_uid: r.opt_text("billing_uid")?,
        codeti: r.opt_text("codeti")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// Binds every stored field of `c` after whatever `q` already has, in COLUMNS order minus id,
/// balance and timestamps.
fn bind_fields(mut q: Q, c: &Customer) -> Q {
    for v in [
        c.name.clone().into(),
        c.is_corporate.into(),
        c.is_potential.into(),
        c.is_former.into(),
        c.state.id().into(),
        (&c.agreement_number).into(),
        c.agreement_date.into(),
        (&c.account_number).into(),
        c.house_id.into(),
        (&c.entrance).into(),
        (&c.floor).into(),
        (&c.apartment).into(),
        (&c.phones[0]).into(),
        (&c.phones[1]).into(),
        (&c.phones[2]).into(),
        (&c.phones[3]).into(),
        (&c.phones[4]).into(),
        (&c.email).into(),
        (&c.login).into(),
        c.group_id.into(),
        c.manager_id.into(),
        c.parent_id.into(),
        (&c.comment).into(),
        c.date_connect.into(),
        c.date_activity.into(),
        c.date_activity_inet.into(),
        c.date_activity_lk.into(),
        c.tariff_id.into(),
        c.credit_limit.minor().into(),
        c.billing_id.into(),
        (&c.billing_uid).into(),
        (&c.codeti).into(),
    ] {
        q.args.push(v);
    }
    q
}

const FIELD_NAMES: &str = "name, is_corporate, is_potential, is_former, state, agreement_number, \
    agreement_date, account_number, house_id, entrance, floor, apartment, phone0, phone1, phone2, \
    phone3, phone4, email, login, group_id, manager_id, parent_id, comment, date_connect, \
    date_activity, date_activity_inet, date_activity_lk, tariff_id, credit_limit_minor, billing_id, billing_uid, codeti";
const FIELD_COUNT: usize = 32;

/// Inserts a customer (its id, balance and timestamps in `c` are ignored); returns the new id.
pub async fn insert(db: &mut Db<'_>, c: &Customer, name_norm: &str, search_text: &str) -> Result<i64> {
    let placeholders: Vec<String> = (1..=FIELD_COUNT + 5).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO customers ({FIELD_NAMES}, name_norm, search_text, balance_minor, created_at, updated_at) \
         VALUES ({}) RETURNING id",
        placeholders.join(", ")
    );
    let q = bind_fields(Q::new(sql), c)
        .bind(name_norm)
        .bind(search_text)
        .bind(0i64)
        .bind(c.created_at)
        .bind(c.updated_at);
    db.scalar_i64(q).await
}

/// Writes every editable field of `c` (not the balance, which only the ledger moves).
pub async fn update(db: &mut Db<'_>, c: &Customer, name_norm: &str, search_text: &str) -> Result<()> {
    let sets: Vec<String> =
        FIELD_NAMES.split(',').enumerate().map(|(i, f)| format!("{} = ${}", f.trim(), i + 1)).collect();
    let n = FIELD_COUNT;
    let sql = format!(
        "UPDATE customers SET {}, name_norm = ${}, search_text = ${}, updated_at = ${} WHERE id = ${}",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 4
    );
    let q = bind_fields(Q::new(sql), c).bind(name_norm).bind(search_text).bind(c.updated_at).bind(c.id);
    db.execute(q).await?;
    Ok(())
}

pub async fn get(db: &mut Db<'_>, id: i64) -> Result<Option<Customer>> {
    let sql = format!("SELECT {COLUMNS} FROM customers c WHERE c.id = $1");
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(from_row).transpose()
}

/// Reads a customer and, on PostgreSQL, locks its row until the transaction ends. (On SQLite
/// the write transaction already holds the database's write lock.)
pub async fn get_for_update(db: &mut Db<'_>, id: i64) -> Result<Option<Customer>> {
    Ok(get_for_posting(db, id, None).await?.map(|p| p.customer))
}

/// The customers `ids` (those that exist) in id order, their rows locked on PostgreSQL until
/// the transaction ends — in id order, so two charging runs, or a run and a payment, never
/// deadlock.
pub async fn many_for_update(db: &mut Db<'_>, ids: &[i64]) -> Result<Vec<Customer>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE OF c",
        Backend::Sqlite => "",
    };
    let mut q = Q::new("");
    let list = q.push_ids(ids);
    q.sql = format!("SELECT {COLUMNS} FROM customers c WHERE c.id IN ({list}) ORDER BY c.id{lock}").into();
    db.fetch_all(q).await?.iter().map(from_row).collect()
}

/// `get_for_update`, and in the same statement the ledger operation already posted with the
/// idempotency key `key`, if any: one statement fewer on every payment's path.
/// What a post reads of its customer, under the customer's lock.
#[derive(Debug, Clone)]
pub struct Posting {
    pub customer: Customer,
    /// The operation the post's idempotency key already names.
    pub keyed_operation: Option<i64>,
    /// The customer this one was merged into, and its agreement number.
    pub merged_into: Option<i64>,
    pub merged_into_agreement: Option<String>,
}

pub async fn get_for_posting(db: &mut Db<'_>, id: i64, key: Option<&str>) -> Result<Option<Posting>> {
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE OF c",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT l.id FROM ledger l WHERE l.idempotency_key = $2) AS keyed_operation, \
           c.merged_into, (SELECT m.agreement_number FROM customers m WHERE m.id = c.merged_into) AS merged_into_agreement \
         FROM customers c WHERE c.id = $1{lock}"
    );
    match db.fetch_optional(q!(sql, id, key)).await? {
        Some(r) => Ok(Some(Posting {
            customer: from_row(&r)?,
            keyed_operation: r.opt_i64("keyed_operation")?,
            merged_into: r.opt_i64("merged_into")?,
            merged_into_agreement: r.opt_text("merged_into_agreement")?,
        })),
        None => Ok(None),
    }
}

/// Records that `id` was merged into `into` (`None`: brought back, money may come again).
pub async fn set_merged_into(db: &mut Db<'_>, id: i64, into: Option<i64>) -> Result<()> {
    db.execute(q!("UPDATE customers SET merged_into = $1 WHERE id = $2", into, id)).await?;
    Ok(())
}

pub async fn get_by_account(db: &mut Db<'_>, account: &str) -> Result<Option<Customer>> {
    let sql = format!("SELECT {COLUMNS} FROM customers c WHERE c.account_number = $1");
    db.fetch_optional(q!(sql, account)).await?.as_ref().map(from_row).transpose()
}

pub async fn id_by_agreement(db: &mut Db<'_>, agreement: &str) -> Result<Option<i64>> {
    let row =
        db.fetch_optional(q!("SELECT id FROM customers WHERE agreement_number = $1", agreement)).await?;
    row.map(|r| r.i64("id")).transpose()
}

pub async fn exists(db: &mut Db<'_>, id: i64) -> Result<bool> {
    Ok(db.fetch_optional(q!("SELECT id FROM customers WHERE id = $1", id)).await?.is_some())
}

pub async fn set_balance(db: &mut Db<'_>, id: i64, balance: Money) -> Result<()> {
    db.execute(q!("UPDATE customers SET balance_minor = $1 WHERE id = $2", balance.minor(), id)).await?;
    Ok(())
}

/// The balances of `ids` (those that exist), in id order.
pub async fn balances_of(db: &mut Db<'_>, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let mut q = Q::new("");
        let list = q.push_ids(chunk);
        q.sql = format!("SELECT id, balance_minor FROM customers WHERE id IN ({list}) ORDER BY id").into();
        for r in db.fetch_all(q).await? {
            out.push((r.i64("id")?, r.i64("balance_minor")?));
        }
    }
    Ok(out)
}

/// Customers whose balance is below zero, in id order.
pub async fn below_zero(db: &mut Db<'_>) -> Result<Vec<i64>> {
    db.fetch_all(q!("SELECT id FROM customers WHERE balance_minor < 0 ORDER BY id"))
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect()
}

/// Sets many customers' state and whether they are former customers (the demo's history):
/// (customer, state, former).
pub async fn set_states_many(db: &mut Db<'_>, rows: &[(i64, CustomerState, bool)]) -> Result<()> {
    for chunk in rows.chunks(1000) {
        let mut q = Q::new("");
        let values: Vec<String> = chunk
            .iter()
            .map(|(id, s, f)| format!("({}, {}, {})", q.push_bind(*id), q.push_bind(s.id()), q.push_bind(*f)))
            .collect();
        q.sql = format!(
            "UPDATE customers SET state = v.column2, is_former = v.column3 \
             FROM (VALUES {}) AS v WHERE customers.id = v.column1",
            values.join(", ")
        )
        .into();
        db.execute(q).await?;
    }
    Ok(())
}

pub async fn set_credit_limit(db: &mut Db<'_>, id: i64, limit: Money) -> Result<()> {
    db.execute(q!("UPDATE customers SET credit_limit_minor = $1 WHERE id = $2", limit.minor(), id)).await?;
    Ok(())
}

pub async fn set_tariff(db: &mut Db<'_>, id: i64, tariff_id: i64) -> Result<()> {
    db.execute(q!("UPDATE customers SET tariff_id = $1 WHERE id = $2", tariff_id, id)).await?;
    Ok(())
}

/// Customer ids whose `kind` value equals `value` (already normalised by the caller).
pub async fn lookup(db: &mut Db<'_>, kind: LookupKind, value: &str, skip_former: bool) -> Result<Vec<i64>> {
    let cond = match kind {
        LookupKind::Account => "c.account_number = $1",
        LookupKind::BillingUid => "c.billing_uid = $1",
        LookupKind::Codeti => "c.codeti = $1",
        LookupKind::Agreement => "c.agreement_number = $1",
        LookupKind::Login => "c.login = $1",
        LookupKind::Mail => "c.email = $1",
        LookupKind::Phone => {
            "(c.phone0 = $1 OR c.phone1 = $1 OR c.phone2 = $1 OR c.phone3 = $1 OR c.phone4 = $1)"
        }
        // $1 is the address's key: the one record that can hold it starts at or below it
        LookupKind::Ip => {
            "c.id IN (SELECT customer_id FROM customer_ips WHERE ip_lo = \
             (SELECT MAX(ip_lo) FROM customer_ips WHERE ip_lo <= $1) AND ip_hi >= $1)"
        }
        LookupKind::Mac => "c.id IN (SELECT customer_id FROM customer_ips WHERE mac = $1)",
    };
    let former = if skip_former { " AND c.is_former = FALSE" } else { "" };
    let sql = format!("SELECT c.id FROM customers c WHERE {cond}{former} ORDER BY c.id LIMIT 100");
    db.fetch_all(q!(sql, value)).await?.iter().map(|r| r.i64("id")).collect()
}

const SUMMARY_SELECT: &str = "SELECT c.id, c.agreement_number, c.account_number, c.name, \
    h.street, h.number AS house_number, h.letter AS house_letter, c.apartment, c.balance_minor, \
    c.state, t.name AS tariff_name, c.is_former, c.is_potential, \
    EXISTS (SELECT 1 FROM debt_blocks b WHERE b.customer_id = c.id AND b.unblocked_at IS NULL) AS blocked \
    FROM customers c LEFT JOIN houses h ON h.id = c.house_id LEFT JOIN tariffs t ON t.id = c.tariff_id";

fn summary_from_row(r: &Row) -> Result<CustomerSummary> {
    let state_id = r.i64("state")?;
    Ok(CustomerSummary {
        id: r.i64("id")?,
        agreement_number: r.opt_text("agreement_number")?,
        account_number: r.opt_text("account_number")?,
        name: r.text("name")?,
        street: r.opt_text("street")?,
        house_number: r.opt_i64("house_number")?,
        house_letter: r.opt_text("house_letter")?,
        apartment: r.opt_text("apartment")?,
        balance: Money::from_minor(r.i64("balance_minor")?),
        state: CustomerState::from_id(state_id)
            .ok_or_else(|| StoreError::Corrupt { column: "state".into(), value: state_id.to_string() })?,
        tariff: r.opt_text("tariff_name")?,
        is_former: r.bool("is_former")?,
        is_potential: r.bool("is_potential")?,
        blocked: r.bool("blocked")?,
    })
}

/// The customer a receipt (ПКО) number was given to.
pub async fn by_receipt(db: &mut Db<'_>, receipt: &str) -> Result<Option<i64>> {
    db.fetch_optional(q!("SELECT customer_id FROM ledger WHERE receipt_number = $1", receipt))
        .await?
        .map(|r| r.i64("customer_id"))
        .transpose()
}

pub async fn summaries(db: &mut Db<'_>, ids: &[i64]) -> Result<Vec<CustomerSummary>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut q = Q::new("");
        let ph: Vec<String> = chunk.iter().map(|id| q.push_bind(*id)).collect();
        q.sql = format!("{SUMMARY_SELECT} WHERE c.id IN ({})", ph.join(", ")).into();
        for r in db.fetch_all(q).await? {
            out.push(summary_from_row(&r)?);
        }
    }
    // keep the caller's order
    out.sort_by_key(|s| ids.iter().position(|id| *id == s.id).unwrap_or(usize::MAX));
    Ok(out)
}

/// The `get_customers_id` / `CLN_USR_FIND_2` filters.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub account_number: Option<String>,
    pub agreement_number: Option<String>,
    pub apartment: Option<String>,
    pub balance_from: Option<Money>,
    pub balance_to: Option<Money>,
    pub billing_id: Option<i64>,
    pub billing_uid: Option<String>,
    pub date_connect_from: Option<NaiveDate>,
    pub date_connect_to: Option<NaiveDate>,
    pub house_id: Option<i64>,
    pub is_corporate: Option<bool>,
    pub is_former: Option<bool>,
    pub is_potential: Option<bool>,
    /// `Some(None)`: customers without a manager.
    pub manager_id: Option<Option<i64>>,
    pub mark_id: Option<i64>,
    pub group_id: Option<i64>,
    /// Normalised name (see `text::normalise`).
    pub name: Option<String>,
    pub state: Option<CustomerState>,
    pub tariff_id: Option<i64>,
    pub limit: i64,
    /// Substring match for text filters instead of equality.
    pub is_like: bool,
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

pub async fn list(db: &mut Db<'_>, f: &CustomerFilter) -> Result<Vec<CustomerSummary>> {
    let mut q = Q::new("");
    let mut conds: Vec<String> = Vec::new();
    let text_cond = |q: &mut Q, col: &str, v: &str, like: bool| {
        if like {
            format!("{col} LIKE {} ESCAPE '\\'", q.push_bind(format!("%{}%", like_escape(v))))
        } else {
            format!("{col} = {}", q.push_bind(v))
        }
    };
    if let Some(v) = &f.account_number {
        conds.push(text_cond(&mut q, "c.account_number", v, f.is_like));
    }
    if let Some(v) = &f.agreement_number {
        conds.push(text_cond(&mut q, "c.agreement_number", v, f.is_like));
    }
    if let Some(v) = &f.apartment {
        conds.push(text_cond(&mut q, "c.apartment", v, false));
    }
    if let Some(v) = &f.name {
        conds.push(text_cond(&mut q, "c.name_norm", v, f.is_like));
    }
    if let Some(v) = f.balance_from {
        conds.push(format!("c.balance_minor >= {}", q.push_bind(v.minor())));
    }
    if let Some(v) = f.balance_to {
        conds.push(format!("c.balance_minor <= {}", q.push_bind(v.minor())));
    }
    if let Some(v) = f.billing_id {
        conds.push(format!("c.billing_id = {}", q.push_bind(v)));
    }
    if let Some(v) = &f.billing_uid {
        conds.push(format!("c.billing_uid = {}", q.push_bind(v)));
    }
    if let Some(v) = f.date_connect_from {
        conds.push(format!("c.date_connect >= {}", q.push_bind(v)));
    }
    if let Some(v) = f.date_connect_to {
        conds.push(format!("c.date_connect <= {}", q.push_bind(v)));
    }
    if let Some(v) = f.house_id {
        conds.push(format!("c.house_id = {}", q.push_bind(v)));
    }
    if let Some(v) = f.is_corporate {
        conds.push(format!("c.is_corporate = {}", q.push_bind(v)));
    }
    if let Some(v) = f.is_former {
        conds.push(format!("c.is_former = {}", q.push_bind(v)));
    }
    if let Some(v) = f.is_potential {
        conds.push(format!("c.is_potential = {}", q.push_bind(v)));
    }
    match f.manager_id {
        Some(Some(m)) => conds.push(format!("c.manager_id = {}", q.push_bind(m))),
        Some(None) => conds.push("c.manager_id IS NULL".into()),
        None => {}
    }
    if let Some(v) = f.mark_id {
        conds.push(format!(
            "c.id IN (SELECT customer_id FROM customer_marks WHERE mark_id = {})",
            q.push_bind(v)
        ));
    }
    if let Some(v) = f.group_id {
        conds.push(format!("c.group_id = {}", q.push_bind(v)));
    }
    if let Some(v) = f.state {
        conds.push(format!("c.state = {}", q.push_bind(v.id())));
    }
    if let Some(v) = f.tariff_id {
        conds.push(format!("c.tariff_id = {}", q.push_bind(v)));
    }
    let where_ = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
    let limit = q.push_bind(f.limit);
    q.sql = format!("{SUMMARY_SELECT}{where_} ORDER BY c.id LIMIT {limit}").into();
    db.fetch_all(q).await?.iter().map(summary_from_row).collect()
}

/// The condition that leaves former customers out unless they are asked for.
fn former_filter(include_former: bool) -> &'static str {
    if include_former { "" } else { " AND c.is_former = FALSE" }
}

/// Ids of customers holding an address or a block that overlaps `lo`..=`hi` (keys of
/// [`Ip::key`](crate::domain::network::Ip::key)), in address order.
pub async fn ips_between(
    db: &mut Db<'_>,
    lo: &str,
    hi: &str,
    include_former: bool,
    limit: i64,
) -> Result<Vec<i64>> {
    // records start inside the range, or the one record below it reaches into it (records do
    // not overlap): both through the index on ip_lo
    let cond = "((i.ip_lo >= $1 AND i.ip_lo <= $2) OR (i.ip_hi >= $1 AND i.ip_lo = \
                (SELECT MAX(ip_lo) FROM customer_ips WHERE ip_lo < $1)))";
    by_addresses(db, "ip_lo", cond, (lo, hi), include_former, limit).await
}

/// Ids of customers with a MAC that starts with `start` (stored form, `00:1a:2b`), in MAC order.
pub async fn macs_starting(
    db: &mut Db<'_>,
    start: &str,
    include_former: bool,
    limit: i64,
) -> Result<Vec<i64>> {
    let end = format!("{start}\u{10ffff}");
    by_addresses(db, "mac", "i.mac >= $1 AND i.mac < $2", (start, &end), include_former, limit).await
}

/// Ids of customers with an address row where `cond` (over `$1`, `$2`) holds, ordered by the
/// least `column` of their matching rows.
async fn by_addresses(
    db: &mut Db<'_>,
    column: &str,
    cond: &str,
    (a, b): (&str, &str),
    include_former: bool,
    limit: i64,
) -> Result<Vec<i64>> {
    let former = former_filter(include_former);
    let sql = format!(
        "SELECT c.id, MIN(i.{column}) AS first FROM customers c JOIN customer_ips i ON i.customer_id = c.id \
         WHERE {cond}{former} GROUP BY c.id ORDER BY first, c.id LIMIT $3"
    );
    db.fetch_all(q!(sql, a, b, limit)).await?.iter().map(|r| r.i64("id")).collect()
}

/// Ids of customers with a phone whose last seven digits are `local`: a city number said
/// without its area code (`234-56-78` for `+7 495 234-56-78`), found through the indexes of
/// migration 0014. Only a longer stored number matches, so an exact number is left to the
/// exact search.
pub async fn phones_ending(
    db: &mut Db<'_>,
    local: &str,
    include_former: bool,
    limit: i64,
) -> Result<Vec<i64>> {
    let former = former_filter(include_former);
    let one = |n: u8| format!("(substr(c.phone{n}, length(c.phone{n}) - 6) = $1 AND length(c.phone{n}) > 7)");
    let sql = format!(
        "SELECT c.id FROM customers c WHERE ({}){former} ORDER BY c.id LIMIT $2",
        (0..5).map(one).collect::<Vec<_>>().join(" OR ")
    );
    db.fetch_all(q!(sql, local, limit)).await?.iter().map(|r| r.i64("id")).collect()
}

/// Ids of customers whose numbers match exactly: agreement, account, phone; then agreement
/// numbers that start with the digits. Exact matches come first.
pub async fn search_digits(
    db: &mut Db<'_>,
    digits: &str,
    phone: Option<&str>,
    include_former: bool,
    limit: i64,
) -> Result<Vec<i64>> {
    let former = former_filter(include_former);
    let mut ids: Vec<i64> = Vec::new();
    let exact = format!(
        "SELECT c.id FROM customers c WHERE (c.agreement_number = $1 OR c.account_number = $1 \
         OR c.phone0 = $2 OR c.phone1 = $2 OR c.phone2 = $2 OR c.phone3 = $2 OR c.phone4 = $2){former} \
         ORDER BY CASE WHEN c.agreement_number = $1 THEN 0 WHEN c.account_number = $1 THEN 1 ELSE 2 END, c.id \
         LIMIT $3"
    );
    for r in db.fetch_all(q!(exact, digits, phone.unwrap_or(digits), limit)).await? {
        ids.push(r.i64("id")?);
    }
    let room = limit - ids.len() as i64;
    if room > 0 {
        let upper = format!("{digits}\u{10ffff}");
        let prefix = format!(
            "SELECT c.id FROM customers c WHERE c.agreement_number >= $1 AND c.agreement_number < $2 \
             AND c.agreement_number <> $1{former} ORDER BY c.agreement_number LIMIT $3"
        );
        for r in db.fetch_all(q!(prefix, digits, upper, room)).await? {
            let id = r.i64("id")?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

/// Groups typed words into substring terms: a word shorter than three characters, or one that
/// starts with a digit, is joined to the word before it, because in an address the house and
/// flat follow the street ("ленина 5", "ленина 5-12") and in a name an initial follows the
/// surname ("иванов а"). The joined phrase is exact and far more selective than its parts.
/// Returns the terms (each at least three characters) and the short words left over (those
/// with nothing before them).
pub fn search_terms(words: &[String]) -> (Vec<String>, Vec<String>) {
    let mut terms: Vec<String> = Vec::new();
    let mut short = Vec::new();
    for w in words {
        let glue = w.chars().count() < 3 || w.starts_with(|c: char| c.is_ascii_digit());
        match terms.last_mut() {
            Some(last) if glue => {
                last.push(' ');
                last.push_str(w);
            }
            _ if w.chars().count() < 3 => short.push(w.clone()),
            _ => terms.push(w.clone()),
        }
    }
    (terms, short)
}

/// A typed address inside a search term: the street words, the house (number and letter) and
/// maybe a flat — "ленина 5а-12" is ("ленина", "5а", Some("12")). `None` when the term has no
/// word starting with a digit after at least one street word.
pub fn address_parts(term: &str) -> Option<(String, String, Option<String>)> {
    let words: Vec<&str> = term.split(' ').collect();
    let at = words.iter().position(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    if at == 0 {
        return None;
    }
    let (house, flat) = match words[at].split_once('-') {
        Some((h, f)) if !f.is_empty() => (h.to_string(), Some(f.to_string())),
        Some((h, _)) => (h.to_string(), None),
        None => (words[at].to_string(), words.get(at + 1).map(|w| w.to_string())),
    };
    Some((words[..at].join(" "), house, flat))
}

/// Customers whose name starts with `prefix`, in name order (an index range).
async fn name_prefix(db: &mut Db<'_>, prefix: &str, include_former: bool, limit: i64) -> Result<Vec<i64>> {
    let former = former_filter(include_former);
    let sql = format!(
        "SELECT c.id FROM customers c WHERE c.name_norm >= $1 AND c.name_norm < $2{former} \
         ORDER BY c.name_norm, c.id LIMIT $3"
    );
    db.fetch_all(q!(sql, prefix, format!("{prefix}\u{10ffff}"), limit))
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect()
}

/// Customers at a typed address, found through the houses (a few thousand rows) and the
/// (house, flat) index rather than the substring index; the other terms must appear in the
/// customer's search text. The exact house comes before longer numbers (5 before 5а, 50–59,
/// 500–599): each range of numbers is asked in turn until the page is full, so "ленина 1"
/// sorts the customers of houses 10–19 only when house 1 leaves room, and those of 100–199
/// only when 10–19 still do (measured on PostgreSQL at a million customers: all 111 houses'
/// 6,600 customers fetched and sorted for every such query took 15–20 ms).
async fn by_address(
    db: &mut Db<'_>,
    address: &(String, String, Option<String>),
    others: &[&String],
    include_former: bool,
    limit: i64,
) -> Result<Vec<i64>> {
    let (_, house, flat) = address;
    let mut ids = address_query(db, address, others, include_former, limit, Houses::Exact).await?;
    let mut next = match leading_number(house) {
        None => vec![Houses::Any],
        Some(n) => {
            let mut ranges = vec![Houses::Numbers(n, n)];
            // with a flat typed, the house was typed whole: 1-12 is house 1 (1а, 1к2), not 10–19
            let mut scale = 10i64;
            while let Some(lo) = n.checked_mul(scale).filter(|lo| flat.is_none() && *lo <= MAX_HOUSE_NUMBER) {
                ranges.push(Houses::Numbers(lo, lo + scale - 1));
                scale *= 10;
            }
            ranges
        }
    }
    .into_iter();
    while (ids.len() as i64) < limit
        && let Some(houses) = next.next()
    {
        for id in address_query(db, address, others, include_former, limit, houses).await? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids.truncate(limit as usize);
    Ok(ids)
}

/// Which houses an address query looks at.
#[derive(Debug, Clone, Copy)]
enum Houses {
    /// The typed house exactly: "ленина 5" is ул. Ленина 5, not 5а.
    Exact,
    /// Numbers `lo..=hi` whose address contains the typed one: 5а, 5к2 (5..=5), 50–59.
    Numbers(i64, i64),
    /// Any house whose address contains the typed one (a house typed without leading digits).
    Any,
}

/// Whether the typed street and house are a house's address (whoever lives there).
async fn house_exists(
    db: &mut Db<'_>,
    (street, house, _): &(String, String, Option<String>),
) -> Result<bool> {
    if leading_number(house).is_none() {
        return Ok(false);
    }
    let mut q = Q::new("");
    let at = houses_where(&mut q, street, house, Houses::Exact);
    q.sql = format!("SELECT 1 FROM houses h WHERE {at} LIMIT 1").into();
    Ok(db.fetch_optional(q).await?.is_some())
}

/// The condition on houses `h` for the typed street and house: their address, and the house
/// numbers the typed one can be (through the index on houses.number, not every house).
fn houses_where(q: &mut Q, street: &str, house: &str, houses: Houses) -> String {
    let street_house = like_escape(&format!("{street} {house}"));
    let pattern = match houses {
        Houses::Exact => format!("%{street_house}"),
        Houses::Numbers(..) | Houses::Any => format!("%{street_house}%"),
    };
    let mut at = vec![format!("h.search_text LIKE {} ESCAPE '\\'", q.push_bind(pattern))];
    match (houses, leading_number(house)) {
        (Houses::Exact, Some(n)) => at.push(format!("h.number = {}", q.push_bind(n))),
        (Houses::Numbers(lo, hi), _) => {
            at.push(format!("h.number BETWEEN {} AND {}", q.push_bind(lo), q.push_bind(hi)))
        }
        _ => {}
    }
    at.join(" AND ")
}

/// The number a typed house starts with: "5а" → 5, "12/3" → 12; `None` without leading digits
/// or when they are too many to be a house number.
fn leading_number(house: &str) -> Option<i64> {
    let digits: String = house.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|n| (1..=MAX_HOUSE_NUMBER).contains(n))
}

async fn address_query(
    db: &mut Db<'_>,
    (street, house, flat): &(String, String, Option<String>),
    others: &[&String],
    include_former: bool,
    limit: i64,
    houses: Houses,
) -> Result<Vec<i64>> {
    let mut q = Q::new("");
    let at = houses_where(&mut q, street, house, houses);
    let mut conds = Vec::new();
    if let Some(f) = flat {
        conds.push(format!(" AND c.apartment = {}", q.push_bind(f.as_str())));
    }
    // The other words ("карла" of "карла маркса 45") are checked on the house's few dozen
    // customers: as `search_text || ''` PostgreSQL cannot take them to the trigram index,
    // where a street's name alone matches twenty thousand (measured: 4.4–5.3 ms there,
    // 0.12 ms checking the house's 48).
    for o in others {
        let p = q.push_bind(format!("%{}%", like_escape(o)));
        conds.push(format!(" AND (c.search_text || '') LIKE {p} ESCAPE '\\'"));
    }
    if !include_former {
        conds.push(" AND c.is_former = FALSE".into());
    }
    let lim = q.push_bind(limit);
    q.sql = format!(
        // The houses first, on their own: as a join, PostgreSQL's generic plan for this
        // statement (used once it has run a few times) read all 16,666 houses in id order to
        // avoid a sort, 2.5–5 ms, where the houses of one number are 50 index entries.
        // Houses outside also keeps SQLite's planner from scanning every customer and looking
        // the house up (1.3 s at 1M customers).
        "WITH hs AS MATERIALIZED (SELECT h.id, h.number FROM houses h WHERE {}) \
         SELECT c.id FROM hs CROSS JOIN customers c WHERE c.house_id = hs.id{} \
         ORDER BY hs.number, hs.id, c.name_norm, c.id LIMIT {lim}",
        at,
        conds.concat()
    )
    .into();
    db.fetch_all(q).await?.iter().map(|r| r.i64("id")).collect()
}

/// Ids of customers whose normalised search text contains every term of `words` (see
/// `search_terms`); with no term of three characters, names starting with the first word.
/// Ranked: the name equal to the query, the name starting with it, the query as a whole
/// address part ("ленина 5-12" before "ленина 50-3"), then by name.
///
/// Two cheaper paths come first: when names starting with the whole query fill the page
/// (search-as-you-type on a surname), that page is the ranked answer; when a term is an
/// address, the houses answer it. Only what neither settles goes to the substring index.
pub async fn search_text(
    db: &mut Db<'_>,
    words: &[String],
    include_former: bool,
    limit: i64,
) -> Result<Vec<i64>> {
    let whole = words.join(" ");
    let prefixed = name_prefix(db, &whole, include_former, limit).await?;
    if prefixed.len() as i64 >= limit {
        return Ok(prefixed);
    }
    let (terms, short) = search_terms(words);
    if let Some((i, address)) = terms.iter().enumerate().find_map(|(i, t)| address_parts(t).map(|a| (i, a))) {
        let others: Vec<&String> =
            terms.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, t)| t).chain(short.iter()).collect();
        let found = by_address(db, &address, &others, include_former, limit).await?;
        if !found.is_empty() {
            let mut ids = prefixed;
            ids.extend(found.into_iter().filter(|id| !ids.contains(id)).collect::<Vec<_>>());
            ids.truncate(limit as usize);
            return Ok(ids);
        }
        // A real house where nobody answers (a flat of former customers only, a flat that
        // is not there): the substring index would only say so again, slowly (measured: 15–30 ms
        // at a million customers, against 1 ms for the houses).
        if house_exists(db, &address).await? {
            return Ok(prefixed);
        }
    }
    ranked_substring(db, words, &terms, &short, include_former, limit).await
}

/// The general path: every term through the substring index (FTS5 trigram / pg_trgm), ranked.
async fn ranked_substring(
    db: &mut Db<'_>,
    words: &[String],
    terms: &[String],
    short: &[String],
    include_former: bool,
    limit: i64,
) -> Result<Vec<i64>> {
    /// How many index candidates are ranked; a query broader than this is narrowed by typing more.
    const CANDIDATES: i64 = 1000;
    let whole = words.join(" ");
    let mut q = Q::new("");
    let mut conds: Vec<String> = Vec::new();
    if !terms.is_empty() {
        match db.backend() {
            Backend::Sqlite => {
                let expr = terms
                    .iter()
                    .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let p = q.push_bind(expr);
                let lim = q.push_bind(CANDIDATES);
                conds.push(format!(
                    "c.id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH {p} LIMIT {lim})"
                ));
            }
            Backend::Postgres => {
                let likes: Vec<String> = terms
                    .iter()
                    .map(|w| {
                        format!(
                            "s.search_text LIKE {} ESCAPE '\\'",
                            q.push_bind(format!("%{}%", like_escape(w)))
                        )
                    })
                    .collect();
                let lim = q.push_bind(CANDIDATES);
                conds.push(format!(
                    "c.id IN (SELECT s.id FROM customers s WHERE {} LIMIT {lim})",
                    likes.join(" AND ")
                ));
            }
        }
    } else {
        // Only short fragments: the name must start with the first one (an index range).
        let first = short.first().map(|s| s.as_str()).unwrap_or("");
        let lo = q.push_bind(first);
        let hi = q.push_bind(format!("{first}\u{10ffff}"));
        conds.push(format!("c.name_norm >= {lo} AND c.name_norm < {hi}"));
    }
    for w in short.iter().skip(usize::from(terms.is_empty())) {
        let p = q.push_bind(format!("% {}%", like_escape(w)));
        conds.push(format!("(' ' || c.search_text) LIKE {p} ESCAPE '\\'"));
    }
    if !include_former {
        conds.push("c.is_former = FALSE".into());
    }
    let exact = q.push_bind(whole.clone());
    let lo = q.push_bind(whole.clone());
    let hi = q.push_bind(format!("{whole}\u{10ffff}"));
    let bounded = q.push_bind(format!("%{}-%", like_escape(&whole)));
    let ended = q.push_bind(format!("%{} %", like_escape(&whole)));
    let lim = q.push_bind(limit);
    q.sql = format!(
        "SELECT c.id FROM customers c WHERE {} ORDER BY \
         CASE WHEN c.name_norm = {exact} THEN 0 WHEN c.name_norm >= {lo} AND c.name_norm < {hi} THEN 1 \
              WHEN c.search_text LIKE {bounded} ESCAPE '\\' OR (c.search_text || ' ') LIKE {ended} ESCAPE '\\' THEN 2 \
              ELSE 3 END, \
         c.name_norm, c.id LIMIT {lim}",
        conds.join(" AND ")
    )
    .into();
    db.fetch_all(q).await?.iter().map(|r| r.i64("id")).collect()
}

/// Customers living in a house (for refusing to delete it, and for rewriting search text).
pub async fn count_in_house(db: &mut Db<'_>, house_id: i64) -> Result<i64> {
    db.scalar_i64(q!("SELECT COUNT(*) FROM customers WHERE house_id = $1", house_id)).await
}

pub async fn ids_in_house(db: &mut Db<'_>, house_id: i64) -> Result<Vec<i64>> {
    db.fetch_all(q!("SELECT id FROM customers WHERE house_id = $1 ORDER BY id", house_id))
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect()
}

pub async fn set_search_text(db: &mut Db<'_>, id: i64, search_text: &str) -> Result<()> {
    db.execute(q!("UPDATE customers SET search_text = $1 WHERE id = $2", search_text, id)).await?;
    Ok(())
}

/// Mark ids of a customer, for the card.
pub async fn marks(db: &mut Db<'_>, id: i64) -> Result<Vec<(i64, String, String)>> {
    db.fetch_all(q!(
        "SELECT m.id, m.name, m.color FROM customer_marks cm JOIN marks m ON m.id = cm.mark_id \
         WHERE cm.customer_id = $1 ORDER BY m.name",
        id
    ))
    .await?
    .iter()
    .map(|r| Ok((r.i64("id")?, r.text("name")?, r.text("color")?)))
    .collect()
}

pub async fn group_exists(db: &mut Db<'_>, id: i64) -> Result<bool> {
    Ok(db.fetch_optional(q!("SELECT id FROM customer_groups WHERE id = $1", id)).await?.is_some())
}

pub async fn groups(db: &mut Db<'_>) -> Result<Vec<(i64, String)>> {
    db.fetch_all(q!("SELECT id, name FROM customer_groups ORDER BY name"))
        .await?
        .iter()
        .map(|r| Ok((r.i64("id")?, r.text("name")?)))
        .collect()
}

pub async fn group_name(db: &mut Db<'_>, id: i64) -> Result<Option<String>> {
    db.fetch_optional(q!("SELECT name FROM customer_groups WHERE id = $1", id))
        .await?
        .map(|r| r.text("name"))
        .transpose()
}

/// Inserts many customers with their ids, balances and search columns given (demo data and
/// imports). Rows go in multi-row statements of at most `CHUNK` rows.
pub async fn insert_many(db: &mut Db<'_>, rows: &[(Customer, String, String)]) -> Result<()> {
    const CHUNK: usize = 400;
    let per_row = FIELD_COUNT + 6;
    for chunk in rows.chunks(CHUNK) {
        let mut groups = Vec::with_capacity(chunk.len());
        let mut q = Q::new("");
        for (i, (c, name_norm, search)) in chunk.iter().enumerate() {
            let base = i * per_row;
            let ph: Vec<String> = (1..=per_row).map(|k| format!("${}", base + k)).collect();
            groups.push(format!("({})", ph.join(", ")));
            q = bind_fields(q, c)
                .bind(name_norm.as_str())
                .bind(search.as_str())
                .bind(c.balance.minor())
                .bind(c.created_at)
                .bind(c.updated_at)
                .bind(c.id);
        }
        q.sql = format!(
            "INSERT INTO customers ({FIELD_NAMES}, name_norm, search_text, balance_minor, created_at, updated_at, id) VALUES {}",
            groups.join(", ")
        )
        .into();
        db.execute(q).await?;
    }
    Ok(())
}

/// An IP/MAC record to insert: customer id, IP, MAC, when it was added.
pub type AddressRow = (i64, Option<String>, Option<String>, chrono::DateTime<chrono::Utc>);

pub async fn insert_addresses(db: &mut Db<'_>, rows: &[AddressRow]) -> Result<()> {
    for chunk in rows.chunks(2000) {
        let mut q = Q::new("");
        let mut groups = Vec::with_capacity(chunk.len());
        for (cid, ip, mac, at) in chunk {
            let key = ip.as_deref().and_then(|t| crate::domain::network::Ip::parse(t).ok()).map(|i| i.key());
            let g = [
                q.push_bind(*cid),
                q.push_bind(ip.clone()),
                q.push_bind(mac.clone()),
                q.push_bind(*at),
                q.push_bind(key.clone()),
                q.push_bind(key),
            ];
            groups.push(format!("({})", g.join(", ")));
        }
        q.sql = format!(
            "INSERT INTO customer_ips (customer_id, ip, mac, created_at, ip_lo, ip_hi) VALUES {}",
            groups.join(", ")
        )
        .into();
        db.execute(q).await?;
    }
    Ok(())
}

pub async fn count(db: &mut Db<'_>) -> Result<i64> {
    db.scalar_i64(q!("SELECT COUNT(*) FROM customers")).await
}

/// After rows were inserted with explicit ids: moves PostgreSQL's identity past them.
pub async fn sync_id_sequences(db: &mut Db<'_>) -> Result<()> {
    if db.backend() == Backend::Postgres {
        for table in ["customers", "ledger", "customer_ips", "houses", "tariffs", "operators"] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
            );
            db.execute(q!(sql)).await?;
        }
    }
    Ok(())
}

pub async fn insert_group(db: &mut Db<'_>, name: &str) -> Result<i64> {
    db.scalar_i64(q!("INSERT INTO customer_groups (name) VALUES ($1) RETURNING id", name)).await
}

pub async fn insert_mark(db: &mut Db<'_>, name: &str, color: &str) -> Result<i64> {
    db.scalar_i64(q!("INSERT INTO marks (name, color) VALUES ($1, $2) RETURNING id", name, color)).await
}

pub async fn insert_customer_marks(db: &mut Db<'_>, rows: &[(i64, i64)]) -> Result<()> {
    for chunk in rows.chunks(2000) {
        let mut q = Q::new("");
        let groups: Vec<String> =
            chunk.iter().map(|(c, m)| format!("({}, {})", q.push_bind(*c), q.push_bind(*m))).collect();
        q.sql =
            format!("INSERT INTO customer_marks (customer_id, mark_id) VALUES {}", groups.join(", ")).into();
        db.execute(q).await?;
    }
    Ok(())
}

/// The largest numeric agreement number in use, among one billing's customers when given.
pub async fn max_agreement(db: &mut Db<'_>, billing_id: Option<i64>) -> Result<i64> {
    let numeric = match db.backend() {
        Backend::Sqlite => {
            "agreement_number NOT GLOB '*[^0-9]*' AND length(agreement_number) BETWEEN 1 AND 18"
        }
        Backend::Postgres => "agreement_number ~ '^[0-9]{1,18}$'",
    };
    let sql = format!(
        "SELECT COALESCE(MAX(CAST(agreement_number AS BIGINT)), 0) AS m FROM customers \
         WHERE agreement_number IS NOT NULL AND {numeric} AND ($1 IS NULL OR billing_id = $1)"
    );
    db.fetch_one(q!(sql, billing_id)).await?.i64("m")
}

/// Current customers whose last activity of this kind is at or after `since`.
pub async fn count_active(
    db: &mut Db<'_>,
    kind: Activity,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<i64> {
    let column = match kind {
        Activity::Net => "date_activity",
        Activity::Internet => "date_activity_inet",
        Activity::PersonalArea => "date_activity_lk",
    };
    let sql = format!("SELECT COUNT(*) FROM customers WHERE {column} >= $1 AND is_former = FALSE");
    db.scalar_i64(q!(sql, since)).await
}

/// The customer's personal-area password hash, if one is set.
pub async fn lk_password_hash(db: &mut Db<'_>, id: i64) -> Result<Option<String>> {
    Ok(db
        .fetch_optional(q!("SELECT lk_password_hash FROM customers WHERE id = $1", id))
        .await?
        .map(|r| r.opt_text("lk_password_hash"))
        .transpose()?
        .flatten())
}

pub async fn set_lk_password_hash(db: &mut Db<'_>, id: i64, hash: &str) -> Result<()> {
    db.execute(q!("UPDATE customers SET lk_password_hash = $1 WHERE id = $2", hash, id)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::search_terms;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn addresses_are_taken_apart() {
        let a = |s: &str| super::address_parts(s);
        assert_eq!(a("ленина 5а-12"), Some(("ленина".into(), "5а".into(), Some("12".into()))));
        assert_eq!(a("мусы джалиля 7"), Some(("мусы джалиля".into(), "7".into(), None)));
        assert_eq!(a("ленина 5 12"), Some(("ленина".into(), "5".into(), Some("12".into()))));
        assert_eq!(a("ленина 5-"), Some(("ленина".into(), "5".into(), None)));
        assert_eq!(a("иванов а"), None);
        assert_eq!(a("5 ленина"), None);
    }

    #[test]
    fn short_and_numeric_words_join_the_word_before() {
        let t = |s: &str| search_terms(&words(s));
        assert_eq!(t("ленина 5"), (vec!["ленина 5".to_string()], vec![]));
        assert_eq!(t("ленина 5-12"), (vec!["ленина 5-12".to_string()], vec![]));
        assert_eq!(t("петр елкин"), (vec!["петр".to_string(), "елкин".to_string()], vec![]));
        assert_eq!(t("иванов а"), (vec!["иванов а".to_string()], vec![]));
        assert_eq!(t("ха"), (vec![], vec!["ха".to_string()]));
        assert_eq!(t("5 ленина"), (vec!["ленина".to_string()], vec!["5".to_string()]));
    }
}
