//! Houses (`CLN_HOME_EDIT`, `CLN_HOME_LIST`).

use super::Entity;
use super::{Conflict, Problem};
use serde::{Deserialize, Serialize};

use super::customers::search_text_for;
use super::{Actor, Result, Service, ServiceError, audit, now, unique_to_conflict};
use crate::domain::customer::MAX_HOUSE_NUMBER;
use crate::domain::dates::parse_date;
use crate::domain::role::Permission;
use crate::domain::text;
use crate::store::customers;
use crate::store::houses::{self, House, HouseLine};

/// A house as typed: every field a string, checked here.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HouseInput {
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub street: Option<String>,
    pub number: Option<String>,
    pub letter: Option<String>,
    pub postcode: Option<String>,
    pub connect_date: Option<String>,
    pub ip_pool_id: Option<String>,
}

fn apply(h: &mut House, input: &HouseInput) -> Result<()> {
    let field = |name: &'static str, v: &Option<String>, max: usize, target: &mut String| -> Result<()> {
        if let Some(v) = v {
            let t = text::clean(v);
            if t.chars().count() > max {
                return Err(ServiceError::invalid(name, Problem::TooLong(max)));
            }
            *target = t;
        }
        Ok(())
    };
    field("country", &input.country, 256, &mut h.country)?;
    field("region", &input.region, 256, &mut h.region)?;
    field("city", &input.city, 256, &mut h.city)?;
    field("street", &input.street, 256, &mut h.street)?;
    field("letter", &input.letter, 32, &mut h.letter)?;
    field("postcode", &input.postcode, 10, &mut h.postcode)?;
    if let Some(n) = &input.number {
        h.number = n
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_HOUSE_NUMBER).contains(n))
            .ok_or_else(|| ServiceError::invalid("number", Problem::HouseNumber(n.trim().to_string())))?;
    }
    if let Some(d) = &input.connect_date {
        h.connect_date = if d.trim().is_empty() {
            None
        } else {
            Some(parse_date(d).map_err(|e| ServiceError::invalid("connect_date", e))?)
        };
    }
    if let Some(p) = &input.ip_pool_id {
        h.ip_pool_id = if p.trim().is_empty() {
            None
        } else {
            Some(p.trim().parse::<i64>().map_err(|_| {
                ServiceError::invalid("ip_pool_id", Problem::NotANumber(p.trim().to_string()))
            })?)
        };
    }
    if !h.postcode.is_empty() && !h.postcode.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ServiceError::invalid("postcode", Problem::LettersAndDigits));
    }
    if h.city.is_empty() {
        return Err(ServiceError::invalid("city", Problem::Missing));
    }
    if h.street.is_empty() {
        return Err(ServiceError::invalid("street", Problem::Missing));
    }
    if h.number <= 0 {
        return Err(ServiceError::invalid("number", Problem::Missing));
    }
    Ok(())
}

impl Service {
    pub async fn add_house(&self, actor: &Actor, input: &HouseInput) -> Result<House> {
        self.require(actor, Permission::HouseManage).await?;
        let mut h = House {
            id: 0,
            country: String::new(),
            region: String::new(),
            city: String::new(),
            street: String::new(),
            number: 0,
            letter: String::new(),
            postcode: String::new(),
            connect_date: None,
            ip_pool_id: None,
        };
        apply(&mut h, input)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        h.id = houses::insert(&mut db, &h, now()).await.map_err(unique_to_conflict)?;
        audit::<(), _>(&mut db, Some(actor), "house.add", "house", Some(h.id), None, Some(&h)).await?;
        tx.commit().await?;
        Ok(h)
    }

    /// Edits a house; when its street, number or letter change, the search text of every
    /// customer living there is rewritten in the same transaction.
    pub async fn edit_house(&self, actor: &Actor, id: i64, input: &HouseInput) -> Result<House> {
        self.require(actor, Permission::HouseManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = houses::get(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::House, format!("{id}")))?;
        let mut h = before.clone();
        apply(&mut h, input)?;
        houses::update(&mut db, &h).await.map_err(unique_to_conflict)?;
        if h.short_address() != before.short_address() {
            for cid in customers::ids_in_house(&mut db, id).await? {
                if let Some(c) = customers::get(&mut db, cid).await? {
                    customers::set_search_text(&mut db, cid, &search_text_for(&c, Some(&h))).await?;
                }
            }
        }
        audit(&mut db, Some(actor), "house.edit", "house", Some(id), Some(&before), Some(&h)).await?;
        tx.commit().await?;
        Ok(h)
    }

    /// Deletes a house; refused while customers live in it.
    pub async fn delete_house(&self, actor: &Actor, id: i64) -> Result<()> {
        self.require(actor, Permission::HouseManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let before = houses::get(&mut db, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::House, format!("{id}")))?;
        let n = customers::count_in_house(&mut db, id).await?;
        if n > 0 {
            return Err(ServiceError::Conflict(Conflict::HouseLived {
                count: n,
                address: before.short_address(),
            }));
        }
        let switches = crate::store::network::count_switches_in_house(&mut db, id).await?;
        if switches > 0 {
            return Err(ServiceError::Conflict(Conflict::HouseSwitches {
                count: switches,
                address: before.short_address(),
            }));
        }
        houses::delete(&mut db, id).await?;
        audit::<_, ()>(&mut db, Some(actor), "house.delete", "house", Some(id), Some(&before), None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Houses with their customer counts (`CLN_HOME_LIST`); one house when `id` is given.
    pub async fn list_houses(&self, actor: &Actor, id: Option<i64>) -> Result<Vec<HouseLine>> {
        self.require(actor, Permission::HouseRead).await?;
        let mut tx = self.store.read().await?;
        Ok(houses::list(&mut tx.db(), id).await?)
    }

    /// Houses whose street and number contain every typed word (`лен 5`), for picking a
    /// customer's house; at most `limit` (1–200).
    pub async fn search_houses(&self, actor: &Actor, typed: &str, limit: i64) -> Result<Vec<House>> {
        self.require(actor, Permission::HouseRead).await?;
        let words: Vec<String> = text::normalise(typed).split_whitespace().map(str::to_string).collect();
        let mut tx = self.store.read().await?;
        Ok(houses::search(&mut tx.db(), &words, limit.clamp(1, 200)).await?)
    }
}
