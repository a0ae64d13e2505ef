//! Houses: the buildings customers live in (`CLN_HOME_EDIT`, `CLN_HOME_LIST`).

use chrono::{DateTime, Utc};

use super::{Db, Result, Row};
use crate::domain::text::normalise;
use crate::q;

pub use crate::domain::house::{House, HouseLine};

const COLUMNS: &str = "h.id, h.country, h.region, h.city, h.street, h.number, h.letter, h.postcode, h.connect_date, h.ip_pool_id";

fn from_row(r: &Row) -> Result<House> {
    Ok(House {
        id: r.i64("id")?,
        country: r.text("country")?,
        region: r.text("region")?,
        city: r.text("city")?,
        street: r.text("street")?,
        number: r.i64("number")?,
        letter: r.text("letter")?,
        postcode: r.text("postcode")?,
        connect_date: r.opt_date("connect_date")?,
        ip_pool_id: r.opt_i64("ip_pool_id")?,
    })
}

pub async fn insert(db: &mut Db<'_>, h: &House, now: DateTime<Utc>) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO houses (country, region, city, street, number, letter, postcode, connect_date, ip_pool_id, created_at, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        &h.country,
        &h.region,
        &h.city,
        &h.street,
        h.number,
        &h.letter,
        &h.postcode,
        h.connect_date,
        h.ip_pool_id,
        now,
        normalise(&h.short_address())
    ))
    .await
}

pub async fn update(db: &mut Db<'_>, h: &House) -> Result<()> {
    db.execute(q!(
        "UPDATE houses SET country = $1, region = $2, city = $3, street = $4, number = $5, letter = $6, \
         postcode = $7, connect_date = $8, ip_pool_id = $9, search_text = $11 WHERE id = $10",
        &h.country,
        &h.region,
        &h.city,
        &h.street,
        h.number,
        &h.letter,
        &h.postcode,
        h.connect_date,
        h.ip_pool_id,
        h.id,
        normalise(&h.short_address())
    ))
    .await?;
    Ok(())
}

pub async fn delete(db: &mut Db<'_>, id: i64) -> Result<u64> {
    db.execute(q!("DELETE FROM houses WHERE id = $1", id)).await
}

pub async fn get(db: &mut Db<'_>, id: i64) -> Result<Option<House>> {
    let sql = format!("SELECT {COLUMNS} FROM houses h WHERE h.id = $1");
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(from_row).transpose()
}

pub async fn list(db: &mut Db<'_>, id: Option<i64>) -> Result<Vec<HouseLine>> {
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT COUNT(*) FROM customers c WHERE c.house_id = h.id) AS customers, \
         (SELECT COUNT(*) FROM switches s WHERE s.house_id = h.id) AS switches \
         FROM houses h WHERE ($1 IS NULL OR h.id = $1) ORDER BY h.city, h.street, h.number, h.letter"
    );
    db.fetch_all(q!(sql, id))
        .await?
        .iter()
        .map(|r| {
            Ok(HouseLine {
                house: from_row(r)?,
                customers: r.i64("customers")?,
                switches: r.i64("switches")?,
            })
        })
        .collect()
}

/// The house with this number and letter whose address contains the street words (normalised),
/// the lowest id first.
pub async fn find(db: &mut Db<'_>, street: &str, number: i64, letter: &str) -> Result<Option<i64>> {
    let pattern = format!("%{}%", street.replace(['%', '_'], ""));
    db.fetch_optional(q!(
        "SELECT id FROM houses WHERE number = $1 AND lower(letter) = $2 AND search_text LIKE $3 ORDER BY id LIMIT 1",
        number,
        letter,
        pattern
    ))
    .await?
    .map(|r| r.i64("id"))
    .transpose()
}

/// Houses whose address (normalised: `ул. ленина 5а`) contains every word, in address order;
/// at most `limit`. For the house picker: a few hundred houses are matched by a scan of one
/// narrow column, which is quick even with tens of thousands of houses.
pub async fn search(db: &mut Db<'_>, words: &[String], limit: i64) -> Result<Vec<House>> {
    let mut sql = format!("SELECT {COLUMNS} FROM houses h WHERE 1 = 1");
    let mut q = super::Q::new("");
    for (i, w) in words.iter().enumerate() {
        q = q.bind(format!("%{}%", w.replace(['%', '_'], "")));
        sql.push_str(&format!(" AND h.search_text LIKE ${}", i + 1));
    }
    sql.push_str(&format!(" ORDER BY h.street, h.number, h.letter, h.id LIMIT ${}", words.len() + 1));
    q = q.bind(limit);
    q.sql = sql.into();
    db.fetch_all(q).await?.iter().map(from_row).collect()
}
