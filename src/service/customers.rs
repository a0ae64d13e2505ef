//! Customers: add, edit, the card, lookups, lists and the free-text search.

use super::Entity;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Actor, Problem, Result, Service, ServiceError, audit, now, unique_to_conflict};

/// The five phone fields, by index, as a refusal names them.
const PHONE_FIELDS: [&str; 5] = ["phone0", "phone1", "phone2", "phone3", "phone4"];
use crate::domain::customer::{self, Customer, CustomerState, LookupKind, valid_email, valid_login};
use crate::domain::dates::parse_date;
use crate::domain::ledger::Operation;
use crate::domain::money::Money;
use crate::domain::network::{Ip, Mac};
use crate::domain::phone::{self, Phone};
use crate::domain::role::Permission;
use crate::domain::search::SearchQuery;
use crate::domain::text;
use crate::store::customers::{self as store_customers, CustomerFilter, CustomerSummary};
use crate::store::houses::{self, House};
use crate::store::tariffs::{self, ScheduledChange, Tariff};
use crate::store::{Db, counters, ledger, operators};

/// Changes to a customer, field by field, as typed: `None` leaves a field alone, an empty string
/// clears it. The names are those of UserSide's newer `edit` (plus `change_billing`'s).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerChanges {
    pub name: Option<String>,
    pub account_number: Option<String>,
    pub agreement_date: Option<String>,
    pub agreement_number: Option<String>,
    pub apartment_number: Option<String>,
    pub comment: Option<String>,
    pub date_activity: Option<String>,
    pub date_activity_inet: Option<String>,
    pub date_activity_lk: Option<String>,
    pub date_connect: Option<String>,
    pub email: Option<String>,
    pub entrance: Option<String>,
    #[serde(alias = "is_corporate")]
    pub flag_corporate: Option<String>,
    pub floor: Option<String>,
    pub group_id: Option<String>,
    pub house_id: Option<String>,
    pub is_potential: Option<String>,
    pub login: Option<String>,
    pub manager_id: Option<String>,
    pub parent_id: Option<String>,
    pub phone0: Option<String>,
    pub phone1: Option<String>,
    pub phone2: Option<String>,
    pub phone3: Option<String>,
    pub phone4: Option<String>,
    pub billing_id: Option<String>,
    #[serde(alias = "billing_customer_id", alias = "billing_user_id")]
    pub billing_uid: Option<String>,
    pub codeti: Option<String>,
}

impl CustomerChanges {
    /// Builds changes from `field=value` pairs (the CLI's `--set`); unknown fields are an error.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<CustomerChanges> {
        let mut map = serde_json::Map::new();
        for (k, v) in pairs {
            map.insert(k.trim().to_string(), serde_json::Value::String(v.to_string()));
        }
        serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| {
            ServiceError::invalid(
                "field",
                Problem::Fields(
                    e.to_string(),
                    format!(
                        "name, {}, billing_id, billing_uid, codeti",
                        customer::EDITABLE_FIELDS.join(", ")
                    ),
                ),
            )
        })
    }
}

/// A new customer (`add`): the fields, and optionally the starting tariff.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct NewCustomer {
    pub fields: CustomerChanges,
    pub tariff_id: Option<i64>,
}

/// Everything the customer card shows (`get_data`, `CLN_USR_GET`).
#[derive(Debug, Clone, Serialize)]
pub struct CustomerCard {
    pub customer: Customer,
    pub house: Option<House>,
    /// `Ленина 5а, под. 2, эт. 3, кв. 12` style, in neutral form: street, house, entrance, floor, flat.
    pub address: Option<String>,
    pub tariff: Option<Tariff>,
    pub scheduled_change: Option<ScheduledChange>,
    pub group: Option<String>,
    pub manager: Option<String>,
    pub marks: Vec<String>,
    /// Addresses, MACs, switch port.
    pub network: super::CustomerNetwork,
    /// The promised payment counting now, if any.
    pub promise: Option<super::PromisedPayment>,
    /// Balance plus credit limit plus an active promised payment: what the customer may still spend.
    pub available: Money,
    /// The block for debt in force, if the customer is blocked.
    pub debt_block: Option<crate::domain::billing::DebtBlock>,
    /// The last day the customer's money pays for (`domain::billing::paid_until`).
    pub paid_until: Option<NaiveDate>,
    /// The last day of the last tariff period charged (or passed over), and the billing day:
    /// what "paid until" after a payment is worked out from.
    pub charged_through: Option<NaiveDate>,
    pub billing_day: u32,
    /// The discounts the customer gets today or later: their own and their group's.
    pub discounts: Vec<crate::domain::billing::Discount>,
    pub last_operations: Vec<Operation>,
}

impl CustomerCard {
    /// What clears the customer's debt: the balance below zero, as a positive amount (zero
    /// when there is none).
    pub fn debt(&self) -> Money {
        Money::from_minor((-self.customer.balance.minor()).max(0))
    }

    /// A month of the tariff at the discount it gets today: the monthly price, or a daily
    /// one for 30 days. `None` without a tariff (or for a former customer).
    pub fn month_fee(&self) -> Option<Money> {
        use crate::domain::billing::{Charged, best_discount, discounted};
        let t = self.tariff.as_ref().filter(|_| !self.customer.is_former)?;
        let discount = best_discount(&self.discounts, Charged::Tariff(t.id), crate::domain::dates::today())
            .map(|d| d.percent);
        let price = discounted(t.price, discount).0;
        Some(match t.period {
            crate::domain::tariff::Period::Month => price,
            crate::domain::tariff::Period::Day => Money::from_minor(price.minor() * 30),
        })
    }

    /// The last day the customer's money would pay for with `available` to spend.
    pub fn paid_until_after(&self, available: Money) -> Option<NaiveDate> {
        CustomerCard::paid_until_with(
            self.tariff.as_ref(),
            self.customer.is_former,
            self.billing_day,
            available,
            self.charged_through,
            &self.discounts,
        )
    }

    /// The tariff's price less the discount it gets today, the periods counted by it.
    fn paid_until_with(
        tariff: Option<&crate::domain::tariff::Tariff>,
        former: bool,
        billing_day: u32,
        available: Money,
        charged_through: Option<NaiveDate>,
        discounts: &[crate::domain::billing::Discount],
    ) -> Option<NaiveDate> {
        use crate::domain::billing::{Charged, best_discount, discounted};
        let t = tariff.filter(|_| !former)?;
        let today = crate::domain::dates::today();
        let discount = best_discount(discounts, Charged::Tariff(t.id), today).map(|d| d.percent);
        crate::domain::billing::paid_until(
            t.period,
            billing_day,
            discounted(t.price, discount).0,
            available,
            charged_through,
            crate::domain::dates::today(),
        )
    }
}

/// The result of the one free-text search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub query: SearchQuery,
    pub customers: Vec<CustomerSummary>,
    /// The text searched for instead of what was typed, when that was typed on the wrong
    /// keyboard layout (`bdfyjd` → `иванов`).
    pub retyped: Option<String>,
}

fn text_field(field: &'static str, v: &str, max: usize) -> Result<Option<String>> {
    let v = text::clean(v);
    if v.chars().count() > max {
        return Err(ServiceError::invalid(field, Problem::TooLong(max)));
    }
    Ok(if v.is_empty() { None } else { Some(v) })
}

fn bool_field(field: &'static str, v: &str) -> Result<bool> {
    match v.trim().to_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "да" | "on" => Ok(true),
        "0" | "false" | "no" | "n" | "нет" | "off" | "" => Ok(false),
        other => Err(ServiceError::invalid(field, Problem::NotYesNo(other.to_string()))),
    }
}

fn id_field(field: &'static str, v: &str) -> Result<Option<i64>> {
    let t = v.trim();
    if t.is_empty() || t == "0" {
        return Ok(None);
    }
    t.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(Some)
        .ok_or_else(|| ServiceError::invalid(field, Problem::NotANumber(t.to_string())))
}

fn date_field(field: &'static str, v: &str) -> Result<Option<NaiveDate>> {
    if v.trim().is_empty() {
        return Ok(None);
    }
    parse_date(v).map(Some).map_err(|e| ServiceError::invalid(field, e))
}

fn timestamp_field(field: &'static str, v: &str) -> Result<Option<DateTime<Utc>>> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(Some(dt.with_timezone(&Utc)));
    }
    parse_date(t)
        .map(|d| Some(crate::domain::dates::day_start(d)))
        .map_err(|e| ServiceError::invalid(field, e))
}

/// What one customer looks like in the audit trail and the search column.
async fn house_parts(db: &mut Db<'_>, house_id: Option<i64>) -> Result<Option<House>> {
    match house_id {
        Some(id) => Ok(houses::get(db, id).await?),
        None => Ok(None),
    }
}

pub(crate) fn search_text_for(c: &Customer, house: Option<&House>) -> String {
    customer::search_text(c, house.map(|h| (h.street.as_str(), h.number, h.letter.as_str())))
}

/// Applies `ch` to `c`, validating every field and every reference.
async fn apply_changes(db: &mut Db<'_>, c: &mut Customer, ch: &CustomerChanges) -> Result<()> {
    if let Some(v) = &ch.name {
        c.name =
            text_field("name", v, 200)?.ok_or_else(|| ServiceError::invalid("name", Problem::Missing))?;
    }
    if let Some(v) = &ch.account_number {
        c.account_number = text_field("account_number", v, 32)?;
    }
    if let Some(v) = &ch.agreement_number {
        c.agreement_number = text_field("agreement_number", v, 32)?;
    }
    if let Some(v) = &ch.agreement_date {
        c.agreement_date = date_field("agreement_date", v)?;
    }
    if let Some(v) = &ch.date_connect {
        c.date_connect = date_field("date_connect", v)?;
    }
    if let Some(v) = &ch.date_activity {
        c.date_activity = timestamp_field("date_activity", v)?;
    }
    if let Some(v) = &ch.date_activity_inet {
        c.date_activity_inet = timestamp_field("date_activity_inet", v)?;
    }
    if let Some(v) = &ch.date_activity_lk {
        c.date_activity_lk = timestamp_field("date_activity_lk", v)?;
    }
    if let Some(v) = &ch.apartment_number {
        c.apartment = text_field("apartment_number", v, 16)?;
    }
    if let Some(v) = &ch.entrance {
        c.entrance = text_field("entrance", v, 16)?;
    }
    if let Some(v) = &ch.floor {
        c.floor = text_field("floor", v, 16)?;
    }
    if let Some(v) = &ch.comment {
        let t = text::clean(v);
        if t.chars().count() > 2000 {
            return Err(ServiceError::invalid("comment", Problem::TooLong(2000)));
        }
        c.comment = Some(t).filter(|s| !s.is_empty());
    }
    if let Some(v) = &ch.email {
        let t = text::clean(v).to_lowercase();
        if !t.is_empty() && !valid_email(&t) {
            return Err(ServiceError::invalid("email", Problem::Email(t.clone())));
        }
        c.email = Some(t).filter(|s| !s.is_empty());
    }
    if let Some(v) = &ch.login {
        let t = text::clean(v);
        if !t.is_empty() && !valid_login(&t) {
            return Err(ServiceError::invalid("login", Problem::CustomerLogin(t.clone())));
        }
        c.login = Some(t).filter(|s| !s.is_empty());
    }
    let phones = [&ch.phone0, &ch.phone1, &ch.phone2, &ch.phone3, &ch.phone4];
    for (i, p) in phones.into_iter().enumerate() {
        if let Some(v) = p {
            c.phones[i] = if v.trim().is_empty() {
                None
            } else {
                Some(
                    Phone::parse(v)
                        .map_err(|e| ServiceError::invalid(PHONE_FIELDS[i], e))?
                        .as_str()
                        .to_string(),
                )
            };
        }
    }
    if let Some(v) = &ch.flag_corporate {
        c.is_corporate = bool_field("flag_corporate", v)?;
    }
    if let Some(v) = &ch.is_potential {
        c.is_potential = bool_field("is_potential", v)?;
    }
    if let Some(v) = &ch.billing_id {
        c.billing_id = id_field("billing_id", v)?;
    }
    if let Some(v) = &ch.billing_uid {
        c.billing_uid = text_field("billing_uid", v, 64)?;
    }
    if let Some(v) = &ch.codeti {
        c.codeti = text_field("codeti", v, 64)?;
    }
    if let Some(v) = &ch.house_id {
        c.house_id = id_field("house_id", v)?;
        if let Some(h) = c.house_id
            && houses::get(db, h).await?.is_none()
        {
            return Err(ServiceError::invalid(
                "house_id",
                Problem::NoSuch { what: Entity::House, key: h.to_string() },
            ));
        }
    }
    if let Some(v) = &ch.group_id {
        c.group_id = id_field("group_id", v)?;
        if let Some(g) = c.group_id
            && !store_customers::group_exists(db, g).await?
        {
            return Err(ServiceError::invalid(
                "group_id",
                Problem::NoSuch { what: Entity::Group, key: g.to_string() },
            ));
        }
    }
    if let Some(v) = &ch.manager_id {
        c.manager_id = id_field("manager_id", v)?;
        if let Some(m) = c.manager_id
            && operators::get(db, m).await?.is_none()
        {
            return Err(ServiceError::invalid(
                "manager_id",
                Problem::NoSuch { what: Entity::Operator, key: m.to_string() },
            ));
        }
    }
    if let Some(v) = &ch.parent_id {
        c.parent_id = id_field("parent_id", v)?;
        if let Some(p) = c.parent_id {
            // walk up: the parent must exist and must not lead back to this customer
            let mut cursor = Some(p);
            let mut depth = 0;
            while let Some(id) = cursor {
                if id == c.id {
                    return Err(ServiceError::invalid("parent_id", Problem::OwnAncestor));
                }
                let Some(parent) = store_customers::get(db, id).await? else {
                    return Err(ServiceError::invalid(
                        "parent_id",
                        Problem::NoSuch { what: Entity::Customer, key: id.to_string() },
                    ));
                };
                cursor = parent.parent_id;
                depth += 1;
                if depth > 32 {
                    return Err(ServiceError::invalid("parent_id", Problem::ParentChain));
                }
            }
        }
    }
    Ok(())
}

fn blank_customer() -> Customer {
    let at = now();
    Customer {
        id: 0,
        name: String::new(),
        is_corporate: false,
        is_potential: false,
        is_former: false,
        state: CustomerState::Active,
        agreement_number: None,
        agreement_date: None,
        account_number: None,
        house_id: None,
        entrance: None,
        floor: None,
        apartment: None,
        phones: Default::default(),
        email: None,
        login: None,
        group_id: None,
        manager_id: None,
        parent_id: None,
        comment: None,
        date_connect: None,
        date_activity: None,
        date_activity_inet: None,
        date_activity_lk: None,
        tariff_id: None,
        balance: Money::ZERO,
        credit_limit: Money::ZERO,
        billing_id: None,
        billing_uid: None,
        codeti: None,
        created_at: at,
        updated_at: at,
    }
}

/// Keeps the agreement counter at or above a numeric agreement number just written.
async fn note_agreement(db: &mut Db<'_>, c: &Customer) -> Result<()> {
    if let Some(n) = c.agreement_number.as_deref().and_then(|a| a.parse::<i64>().ok()) {
        counters::raise_to(db, counters::AGREEMENT, n).await?;
    }
    Ok(())
}

impl Service {
    /// Adds a customer (`add`). Without an agreement number a customer (not a potential one)
    /// gets the next free numeric agreement number.
    pub async fn add_customer(&self, actor: &Actor, new: &NewCustomer) -> Result<Customer> {
        self.require(actor, Permission::CustomerCreate).await?;
        if new.fields.name.as_deref().map(str::trim).unwrap_or("").is_empty() {
            return Err(ServiceError::invalid("name", Problem::Missing));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let mut c = blank_customer();
        apply_changes(&mut db, &mut c, &new.fields).await?;
        if let Some(t) = new.tariff_id {
            match tariffs::get(&mut db, t).await? {
                Some(tariff) if tariff.active => c.tariff_id = Some(t),
                Some(_) => {
                    return Err(ServiceError::invalid("tariff_id", Problem::Withdrawn(t.to_string())));
                }
                None => {
                    return Err(ServiceError::invalid(
                        "tariff_id",
                        Problem::NoSuch { what: Entity::Tariff, key: t.to_string() },
                    ));
                }
            }
        }
        if c.agreement_number.is_none() && !c.is_potential {
            loop {
                let n = counters::next(&mut db, counters::AGREEMENT).await?.to_string();
                if store_customers::id_by_agreement(&mut db, &n).await?.is_none() {
                    c.agreement_number = Some(n);
                    break;
                }
            }
        }
        let house = house_parts(&mut db, c.house_id).await?;
        let id = store_customers::insert(
            &mut db,
            &c,
            &text::normalise(&c.name),
            &search_text_for(&c, house.as_ref()),
        )
        .await
        .map_err(unique_to_conflict)?;
        note_agreement(&mut db, &c).await?;
        let created = store_customers::get(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Customer, String::new()))?;
        audit::<(), _>(&mut db, Some(actor), "customer.add", "customer", Some(id), None, Some(&created))
            .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Edits a customer (`edit`, `change_date_connect`, `change_billing`).
    pub async fn edit_customer(&self, actor: &Actor, id: i64, ch: &CustomerChanges) -> Result<Customer> {
        self.require(actor, Permission::CustomerEdit).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = store_customers::get_for_update(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Customer, format!("{id}")))?;
        let mut c = before.clone();
        apply_changes(&mut db, &mut c, ch).await?;
        if c == before {
            return Ok(before);
        }
        c.updated_at = now();
        let house = house_parts(&mut db, c.house_id).await?;
        store_customers::update(&mut db, &c, &text::normalise(&c.name), &search_text_for(&c, house.as_ref()))
            .await
            .map_err(unique_to_conflict)?;
        note_agreement(&mut db, &c).await?;
        audit(&mut db, Some(actor), "customer.edit", "customer", Some(id), Some(&before), Some(&c)).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Resolves what an operator typed to name a customer: `#123` or `id:123` is an id,
    /// anything else an agreement number.
    pub async fn resolve_customer(&self, actor: &Actor, reference: &str) -> Result<i64> {
        self.require(actor, Permission::CustomerRead).await?;
        let t = reference.trim();
        let as_id = t.strip_prefix('#').or_else(|| t.strip_prefix("id:"));
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        if let Some(raw) = as_id {
            let id: i64 = raw
                .trim()
                .parse()
                .map_err(|_| ServiceError::invalid("customer", Problem::NotANumber(t.to_string())))?;
            return if store_customers::exists(&mut db, id).await? {
                Ok(id)
            } else {
                Err(ServiceError::NotFound(Entity::Customer, format!("#{id}")))
            };
        }
        if t.is_empty() {
            return Err(ServiceError::invalid("customer", Problem::CustomerRef));
        }
        store_customers::id_by_agreement(&mut db, t)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Agreement, t.to_string()))
    }

    /// The customer card by id (`get_data`, `CLN_USR_GET`).
    pub async fn customer_card(&self, actor: &Actor, id: i64) -> Result<CustomerCard> {
        self.require(actor, Permission::CustomerRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let c = store_customers::get(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Customer, format!("#{id}")))?;
        let billing_day = super::billing::billing_day_in(&mut db, self.config.billing_day).await?;
        card(&mut db, actor, c, billing_day).await
    }

    /// The customer card by account number (`get_data` with `account_number`).
    pub async fn customer_card_by_account(&self, actor: &Actor, account: &str) -> Result<CustomerCard> {
        self.require(actor, Permission::CustomerRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let c = store_customers::get_by_account(&mut db, account.trim())
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Account, account.trim().to_string()))?;
        let billing_day = super::billing::billing_day_in(&mut db, self.config.billing_day).await?;
        card(&mut db, actor, c, billing_day).await
    }

    /// Customer ids by one typed value (`get_abon_id`).
    pub async fn find_customer_ids(
        &self,
        actor: &Actor,
        kind: LookupKind,
        value: &str,
        skip_former: bool,
    ) -> Result<Vec<i64>> {
        self.require(actor, Permission::CustomerRead).await?;
        let value = match kind {
            LookupKind::Phone => {
                Phone::parse(value).map_err(|e| ServiceError::invalid("phone", e))?.as_str().to_string()
            }
            LookupKind::Ip => Ip::parse(value).map_err(|e| ServiceError::invalid("ip", e))?.key(),
            LookupKind::Mac => Mac::parse(value).map_err(|e| ServiceError::invalid("mac", e))?.to_string(),
            LookupKind::Mail => text::clean(value).to_lowercase(),
            _ => text::clean(value),
        };
        if value.is_empty() {
            return Err(ServiceError::invalid("value", Problem::NothingToLookUp));
        }
        let mut tx = self.store.read().await?;
        Ok(store_customers::lookup(&mut tx.db(), kind, &value, skip_former).await?)
    }

    /// Customers by filters (`get_customers_id`, `CLN_USR_FIND_2`); at most `limit` (1–10 000).
    pub async fn list_customers(
        &self,
        actor: &Actor,
        filter: &CustomerFilter,
    ) -> Result<Vec<CustomerSummary>> {
        self.require(actor, Permission::CustomerRead).await?;
        if !(1..=10_000).contains(&filter.limit) {
            return Err(ServiceError::invalid("limit", Problem::Range(1, 10_000)));
        }
        let mut f = filter.clone();
        f.name = f.name.as_deref().map(text::normalise).filter(|s| !s.is_empty());
        let mut tx = self.store.read().await?;
        Ok(store_customers::list(&mut tx.db(), &f).await?)
    }

    /// The one search box: works out what was typed and finds the customers, exact
    /// identifiers first. Former customers only when `include_former`.
    pub async fn search_customers(
        &self,
        actor: &Actor,
        input: &str,
        include_former: bool,
        limit: i64,
    ) -> Result<SearchResult> {
        self.require(actor, Permission::CustomerRead).await?;
        let limit = limit.clamp(1, 500);
        let query = SearchQuery::parse(input);
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let skip = !include_former;
        let ids: Vec<i64> = match &query {
            SearchQuery::Empty => Vec::new(),
            SearchQuery::Id(id) => {
                let found = store_customers::summaries(&mut db, &[*id]).await?;
                found.iter().filter(|c| include_former || !c.is_former).map(|c| c.id).collect()
            }
            SearchQuery::Digits(d) => {
                let phone = Phone::normalise_digits(d);
                let mut ids =
                    store_customers::search_digits(&mut db, d, phone.as_deref(), include_former, limit)
                        .await?;
                if phone::is_local_number(d) {
                    add_new(
                        &mut ids,
                        store_customers::phones_ending(&mut db, d, include_former, limit).await?,
                    );
                }
                // a receipt (ПКО) number: whose payment it was
                add_new(&mut ids, store_customers::by_receipt(&mut db, d).await?);
                if let Ok(mac) = Mac::parse(d) {
                    add_new(
                        &mut ids,
                        store_customers::lookup(&mut db, LookupKind::Mac, &mac.to_string(), skip).await?,
                    );
                }
                ids
            }
            SearchQuery::Phone(p) => {
                let mut ids = store_customers::lookup(&mut db, LookupKind::Phone, p.as_str(), skip).await?;
                if phone::is_local_number(p.as_str()) {
                    add_new(
                        &mut ids,
                        store_customers::phones_ending(&mut db, p.as_str(), include_former, limit).await?,
                    );
                }
                ids
            }
            SearchQuery::Ip(ip) => store_customers::lookup(&mut db, LookupKind::Ip, &ip.key(), skip).await?,
            SearchQuery::Mac(mac) => {
                store_customers::lookup(&mut db, LookupKind::Mac, &mac.to_string(), skip).await?
            }
            SearchQuery::IpRange { lo, hi } => {
                store_customers::ips_between(&mut db, &lo.key(), &hi.key(), include_former, limit).await?
            }
            SearchQuery::MacStart(start) => {
                store_customers::macs_starting(&mut db, start, include_former, limit).await?
            }
            SearchQuery::Text(words) => {
                let mut ids = Vec::new();
                if words.len() == 1 {
                    let w = &words[0];
                    let kind = if w.contains('@') { LookupKind::Mail } else { LookupKind::Login };
                    ids = store_customers::lookup(&mut db, kind, w, skip).await?;
                }
                let meaningful: Vec<String> = words
                    .iter()
                    .filter(|w| !customer::ADDRESS_WORDS.contains(&w.as_str()))
                    .cloned()
                    .collect();
                if !meaningful.is_empty() {
                    add_new(
                        &mut ids,
                        store_customers::search_text(&mut db, &meaningful, include_former, limit).await?,
                    );
                }
                ids
            }
        };
        let ids: Vec<i64> = ids.into_iter().take(limit as usize).collect();
        let customers = store_customers::summaries(&mut db, &ids).await?;
        drop(tx);
        // nothing for Latin letters: perhaps typed with the wrong layout on (`bdfyjd`)
        if customers.is_empty()
            && matches!(query, SearchQuery::Text(_))
            && let Some(retyped) = crate::domain::search::retyped_cyrillic(input)
        {
            let again = Box::pin(self.search_customers(actor, &retyped, include_former, limit)).await?;
            if !again.customers.is_empty() {
                return Ok(SearchResult { retyped: Some(retyped), ..again });
            }
        }
        Ok(SearchResult { query, customers, retyped: None })
    }

    /// Customer groups (`get_customer_group`).
    pub async fn customer_groups(&self, actor: &Actor) -> Result<Vec<(i64, String)>> {
        self.require(actor, Permission::CustomerRead).await?;
        let mut tx = self.store.read().await?;
        Ok(store_customers::groups(&mut tx.db()).await?)
    }

    /// The largest numeric agreement number in use (`get_max_agreement_number`), among one
    /// billing's customers when `billing_id` is given.
    pub async fn max_agreement_number(&self, actor: &Actor, billing_id: Option<i64>) -> Result<i64> {
        self.require(actor, Permission::CustomerRead).await?;
        let mut tx = self.store.read().await?;
        Ok(store_customers::max_agreement(&mut tx.db(), billing_id).await?)
    }

    /// How many current customers were active in the net, the internet or the personal area in
    /// the last `days` days (`get_activity_counter`).
    pub async fn activity_counter(
        &self,
        actor: &Actor,
        kind: store_customers::Activity,
        days: i64,
    ) -> Result<i64> {
        self.require(actor, Permission::CustomerRead).await?;
        if !(1..=3650).contains(&days) {
            return Err(ServiceError::invalid("days", Problem::Range(1, 3650)));
        }
        let mut tx = self.store.read().await?;
        Ok(store_customers::count_active(&mut tx.db(), kind, now() - chrono::Duration::days(days)).await?)
    }
}

async fn card(db: &mut Db<'_>, _actor: &Actor, c: Customer, billing_day: u32) -> Result<CustomerCard> {
    let house = house_parts(db, c.house_id).await?;
    let address = house.as_ref().map(|h| {
        let mut parts = vec![format!("{}, {}", h.city, h.short_address())];
        if let Some(e) = &c.entrance {
            parts.push(format!("entrance {e}"));
        }
        if let Some(f) = &c.floor {
            parts.push(format!("floor {f}"));
        }
        if let Some(a) = &c.apartment {
            parts.push(format!("flat {a}"));
        }
        parts.join(", ")
    });
    let tariff = match c.tariff_id {
        Some(t) => tariffs::get(db, t).await?,
        None => None,
    };
    let scheduled_change = tariffs::pending_change(db, c.id).await?;
    let group = match c.group_id {
        Some(g) => store_customers::group_name(db, g).await?,
        None => None,
    };
    let manager = match c.manager_id {
        Some(m) => operators::get(db, m).await?.map(|o| o.name),
        None => None,
    };
    let marks = store_customers::marks(db, c.id).await?.into_iter().map(|(_, name, _)| name).collect();
    let network = super::network::network_of(db, c.id, c.house_id).await?;
    let last_operations = ledger::history(db, c.id, &Default::default(), 5, 0).await?;
    let promise = super::promises::active(db, c.id, super::now()).await?;
    let promised = promise.as_ref().map(|p| p.amount.minor()).unwrap_or(0);
    let available = Money::from_minor(c.balance.minor() + c.credit_limit.minor() + promised);
    let debt_block = crate::store::billing::open_block(db, c.id).await?;
    let charged_through = crate::store::billing::tariff_decided_until(db, c.id).await?;
    let today = crate::domain::dates::today();
    let mut discounts = crate::store::billing::discounts_of(db, c.id, c.group_id).await?;
    discounts.retain(|d| d.to.is_none_or(|to| to >= today));
    let paid_until = CustomerCard::paid_until_with(
        tariff.as_ref(),
        c.is_former,
        billing_day,
        available,
        charged_through,
        &discounts,
    );
    Ok(CustomerCard {
        customer: c,
        house,
        address,
        tariff,
        scheduled_change,
        group,
        manager,
        marks,
        network,
        promise,
        available,
        debt_block,
        paid_until,
        charged_through,
        billing_day,
        discounts,
        last_operations,
    })
}

/// Appends the ids of `more` not already in `ids`, keeping the order in which they were found.
fn add_new(ids: &mut Vec<i64>, more: impl IntoIterator<Item = i64>) {
    for id in more {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
}
