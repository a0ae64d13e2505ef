//! The network: switches (`CLN_SWITCH_EDIT`, `CLN_SWITCH_LIST`), customers' addresses and
//! subnets (`ip_add`, `ip_delete`, `ip_subnet_add`, `ip_subnet_delete`), MACs and their history
//! (`set_mac_by_ip`, `get_mac_history`), switch ports and the DHCP export
//! (`get_ip_port_device_commutation`).

use chrono::{DateTime, Utc};

use super::{Backend, Db, Result, Row, Store};
use crate::domain::network::Ip;
use crate::q;

pub use crate::domain::address::{AddressRecord, MacChange};

pub use crate::domain::switch::{DhcpRow, MASK, PortBinding, PortUser, Switch, SwitchLine};

/// Who holds an address range: the record and its customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub record: AddressRecord,
    pub customer_name: String,
    pub agreement: Option<String>,
}

// ---- keys and locking --------------------------------------------------------------------

/// Serialises the network's writes on PostgreSQL (an address range is checked for overlaps and
/// then inserted; two desks must not both pass the check). SQLite's write transactions are
/// serial already.
pub async fn lock(db: &mut Db<'_>) -> Result<()> {
    if db.backend() == Backend::Postgres {
        db.execute(q!("SELECT pg_advisory_xact_lock(5474350)")).await?;
    }
    Ok(())
}

/// Writes the sort keys of address records made before the keys existed (demo databases
/// built by an earlier kassa). Runs when the database is opened; after the first time, one
/// counter read says there is nothing to do.
pub async fn backfill_keys(store: &Store) -> Result<u64> {
    let mut tx = store.read().await?;
    let done_before = super::counters::get(&mut tx.db(), IP_KEYS).await? != 0;
    drop(tx);
    if done_before {
        return Ok(0);
    }
    let mut done = 0;
    loop {
        let mut tx = store.write().await?;
        let mut db = tx.db();
        let rows = db
            .fetch_all(q!(
                "SELECT id, ip FROM customer_ips WHERE ip IS NOT NULL AND ip_lo IS NULL ORDER BY id LIMIT 5000"
            ))
            .await?;
        for r in &rows {
            let id = r.i64("id")?;
            let ip = r.text("ip")?;
            let key = Ip::parse(&ip)
                .map_err(|_| super::StoreError::Corrupt {
                    column: "customer_ips.ip".into(),
                    value: ip.clone(),
                })?
                .key();
            db.execute(q!("UPDATE customer_ips SET ip_lo = $1, ip_hi = $1 WHERE id = $2", key, id)).await?;
        }
        done += rows.len() as u64;
        if rows.is_empty() {
            super::counters::raise_to(&mut db, IP_KEYS, 1).await?;
        }
        tx.commit().await?;
        if rows.is_empty() {
            return Ok(done);
        }
    }
}

/// The counter that says the address keys are all written.
const IP_KEYS: &str = "ip_keys";

// ---- switches ----------------------------------------------------------------------------

const SWITCH_COLUMNS: &str = "s.id, s.name, s.ip, s.model, s.snmp_community, s.ssh_password, s.telnet_password, \
                              s.house_id, s.ports, s.serves_house";

fn switch_from_row(r: &Row) -> Result<Switch> {
    Ok(Switch {
        id: r.i64("id")?,
        name: r.text("name")?,
        ip: r.text("ip")?,
        model: r.text("model")?,
        snmp_community: r.text("snmp_community")?,
        ssh_password: r.text("ssh_password")?,
        telnet_password: r.text("telnet_password")?,
        house_id: r.opt_i64("house_id")?,
        ports: r.i64("ports")?,
        serves_house: r.bool("serves_house")?,
    })
}

pub async fn insert_switch(db: &mut Db<'_>, s: &Switch, key: &str, now: DateTime<Utc>) -> Result<i64> {
    db.scalar_i64(q!(
        "INSERT INTO switches (name, ip, ip_key, model, snmp_community, ssh_password, telnet_password, house_id, ports, serves_house, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        &s.name,
        &s.ip,
        key,
        &s.model,
        &s.snmp_community,
        &s.ssh_password,
        &s.telnet_password,
        s.house_id,
        s.ports,
        s.serves_house,
        now
    ))
    .await
}

pub async fn update_switch(db: &mut Db<'_>, s: &Switch, key: &str) -> Result<()> {
    db.execute(q!(
        "UPDATE switches SET name = $1, ip = $2, ip_key = $3, model = $4, snmp_community = $5, ssh_password = $6, \
         telnet_password = $7, house_id = $8, ports = $9, serves_house = $10 WHERE id = $11",
        &s.name,
        &s.ip,
        key,
        &s.model,
        &s.snmp_community,
        &s.ssh_password,
        &s.telnet_password,
        s.house_id,
        s.ports,
        s.serves_house,
        s.id
    ))
    .await?;
    Ok(())
}

pub async fn delete_switch(db: &mut Db<'_>, id: i64) -> Result<u64> {
    db.execute(q!("DELETE FROM switches WHERE id = $1", id)).await
}

pub async fn get_switch(db: &mut Db<'_>, id: i64) -> Result<Option<Switch>> {
    let sql = format!("SELECT {SWITCH_COLUMNS} FROM switches s WHERE s.id = $1");
    db.fetch_optional(q!(sql, id)).await?.as_ref().map(switch_from_row).transpose()
}

/// A switch by its exact name, or else by its IP.
pub async fn find_switch(db: &mut Db<'_>, name_or_ip: &str) -> Result<Option<Switch>> {
    let sql = format!(
        "SELECT {SWITCH_COLUMNS} FROM switches s WHERE s.name = $1 OR s.ip = $1 ORDER BY s.id LIMIT 1"
    );
    db.fetch_optional(q!(sql, name_or_ip)).await?.as_ref().map(switch_from_row).transpose()
}

/// Switches, all or one or those of one house, by name.
pub async fn list_switches(
    db: &mut Db<'_>,
    id: Option<i64>,
    house_id: Option<i64>,
) -> Result<Vec<SwitchLine>> {
    let sql = format!(
        "SELECT {SWITCH_COLUMNS}, h.street, h.number, h.letter, \
         (SELECT COUNT(*) FROM switch_ports p WHERE p.switch_id = s.id) AS ports_used \
         FROM switches s LEFT JOIN houses h ON h.id = s.house_id \
         WHERE ($1 IS NULL OR s.id = $1) AND ($2 IS NULL OR s.house_id = $2) ORDER BY s.name, s.id"
    );
    db.fetch_all(q!(sql, id, house_id))
        .await?
        .iter()
        .map(|r| {
            let house = match r.opt_text("street")? {
                Some(street) => Some(format!("{street} {}{}", r.i64("number")?, r.text("letter")?)),
                None => None,
            };
            Ok(SwitchLine { switch: switch_from_row(r)?, house, ports_used: r.i64("ports_used")? })
        })
        .collect()
}

/// The switch that serves the whole of a house, other than `except`.
pub async fn serving_switch(db: &mut Db<'_>, house_id: i64, except: i64) -> Result<Option<Switch>> {
    let sql = format!(
        "SELECT {SWITCH_COLUMNS} FROM switches s WHERE s.house_id = $1 AND s.serves_house = TRUE AND s.id <> $2"
    );
    db.fetch_optional(q!(sql, house_id, except)).await?.as_ref().map(switch_from_row).transpose()
}

/// The switch whose management address is in `[lo, hi]` (keys), if any.
pub async fn switch_in_range(db: &mut Db<'_>, lo: &str, hi: &str) -> Result<Option<Switch>> {
    let sql = format!(
        "SELECT {SWITCH_COLUMNS} FROM switches s WHERE s.ip_key >= $1 AND s.ip_key <= $2 ORDER BY s.ip_key LIMIT 1"
    );
    db.fetch_optional(q!(sql, lo, hi)).await?.as_ref().map(switch_from_row).transpose()
}

/// Switches standing in a house (a house with switches cannot be deleted).
pub async fn count_switches_in_house(db: &mut Db<'_>, house_id: i64) -> Result<i64> {
    db.scalar_i64(q!("SELECT COUNT(*) FROM switches WHERE house_id = $1", house_id)).await
}

// ---- ports -------------------------------------------------------------------------------

/// Customers on a switch's ports, by port.
pub async fn port_users(db: &mut Db<'_>, switch_id: i64) -> Result<Vec<PortUser>> {
    db.fetch_all(q!(
        "SELECT p.port, p.customer_id, c.name, c.agreement_number, c.is_former FROM switch_ports p \
         JOIN customers c ON c.id = p.customer_id WHERE p.switch_id = $1 ORDER BY p.port",
        switch_id
    ))
    .await?
    .iter()
    .map(|r| {
        Ok(PortUser {
            port: r.i64("port")?,
            customer_id: r.i64("customer_id")?,
            customer_name: r.text("name")?,
            agreement: r.opt_text("agreement_number")?,
            former: r.bool("is_former")?,
        })
    })
    .collect()
}

/// The highest port taken on a switch (a switch cannot shrink below it).
pub async fn highest_port_used(db: &mut Db<'_>, switch_id: i64) -> Result<Option<i64>> {
    db.fetch_one(q!("SELECT MAX(port) AS m FROM switch_ports WHERE switch_id = $1", switch_id))
        .await?
        .opt_i64("m")
}

pub async fn binding(db: &mut Db<'_>, customer_id: i64) -> Result<Option<PortBinding>> {
    db.fetch_optional(q!(
        "SELECT p.customer_id, p.switch_id, s.name, s.ip, p.port, p.bound_at FROM switch_ports p \
         JOIN switches s ON s.id = p.switch_id WHERE p.customer_id = $1",
        customer_id
    ))
    .await?
    .as_ref()
    .map(|r| {
        Ok(PortBinding {
            customer_id: r.i64("customer_id")?,
            switch_id: r.i64("switch_id")?,
            switch_name: r.text("name")?,
            switch_ip: r.text("ip")?,
            port: r.i64("port")?,
            bound_at: r.ts("bound_at")?,
        })
    })
    .transpose()
}

/// Who is on a port, if anyone.
pub async fn port_holder(db: &mut Db<'_>, switch_id: i64, port: i64) -> Result<Option<i64>> {
    db.fetch_optional(q!(
        "SELECT customer_id FROM switch_ports WHERE switch_id = $1 AND port = $2",
        switch_id,
        port
    ))
    .await?
    .map(|r| r.i64("customer_id"))
    .transpose()
}

pub async fn unbind(db: &mut Db<'_>, customer_id: i64) -> Result<u64> {
    db.execute(q!("DELETE FROM switch_ports WHERE customer_id = $1", customer_id)).await
}

pub async fn bind(
    db: &mut Db<'_>,
    customer_id: i64,
    switch_id: i64,
    port: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    db.execute(q!(
        "INSERT INTO switch_ports (switch_id, port, customer_id, bound_at) VALUES ($1, $2, $3, $4)",
        switch_id,
        port,
        customer_id,
        now
    ))
    .await?;
    Ok(())
}

/// Puts many customers on ports at once (demo data): `(customer, switch, port, when)`.
pub async fn insert_ports_many(db: &mut Db<'_>, rows: &[(i64, i64, i64, DateTime<Utc>)]) -> Result<()> {
    for chunk in rows.chunks(2000) {
        let mut q = super::Q::new("");
        let mut groups = Vec::with_capacity(chunk.len());
        for (customer, switch, port, at) in chunk {
            let g = [q.push_bind(*switch), q.push_bind(*port), q.push_bind(*customer), q.push_bind(*at)];
            groups.push(format!("({})", g.join(", ")));
        }
        q.sql = format!(
            "INSERT INTO switch_ports (switch_id, port, customer_id, bound_at) VALUES {}",
            groups.join(", ")
        )
        .into();
        db.execute(q).await?;
    }
    Ok(())
}

// ---- addresses ---------------------------------------------------------------------------

const RECORD_COLUMNS: &str = "i.id, i.customer_id, i.ip, i.prefix, i.mac, i.created_at";

fn record_from_row(r: &Row) -> Result<AddressRecord> {
    Ok(AddressRecord {
        id: r.i64("id")?,
        customer_id: r.i64("customer_id")?,
        ip: r.opt_text("ip")?,
        prefix: r.opt_i64("prefix")?,
        mac: r.opt_text("mac")?,
        created_at: r.ts("created_at")?,
    })
}

/// A customer's records: addresses in address order, then the MAC-only ones.
pub async fn records(db: &mut Db<'_>, customer_id: i64) -> Result<Vec<AddressRecord>> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM customer_ips i WHERE i.customer_id = $1 \
         ORDER BY CASE WHEN i.ip_lo IS NULL THEN 1 ELSE 0 END, i.ip_lo, i.id"
    );
    db.fetch_all(q!(sql, customer_id)).await?.iter().map(record_from_row).collect()
}

/// The record holding any address of `[lo, hi]` (keys), with its customer. Records never
/// overlap, so only the one with the greatest start at or below `hi` can.
pub async fn holder(db: &mut Db<'_>, lo: &str, hi: &str) -> Result<Option<Holder>> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS}, i.ip_hi, c.name, c.agreement_number FROM customer_ips i \
         JOIN customers c ON c.id = i.customer_id \
         WHERE i.ip_lo IS NOT NULL AND i.ip_lo <= $1 ORDER BY i.ip_lo DESC LIMIT 1"
    );
    let Some(r) = db.fetch_optional(q!(sql, hi)).await? else { return Ok(None) };
    if r.text("ip_hi")?.as_str() < lo {
        return Ok(None);
    }
    Ok(Some(Holder {
        record: record_from_row(&r)?,
        customer_name: r.text("name")?,
        agreement: r.opt_text("agreement_number")?,
    }))
}

pub async fn insert_record(
    db: &mut Db<'_>,
    customer_id: i64,
    ip: Option<(&str, Option<i64>, &str, &str)>,
    mac: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (ip, prefix, lo, hi) = match ip {
        Some((ip, prefix, lo, hi)) => {
            (Some(ip.to_string()), prefix, Some(lo.to_string()), Some(hi.to_string()))
        }
        None => (None, None, None, None),
    };
    db.scalar_i64(q!(
        "INSERT INTO customer_ips (customer_id, ip, prefix, ip_lo, ip_hi, mac, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        customer_id,
        ip,
        prefix,
        lo,
        hi,
        mac.map(str::to_string),
        now
    ))
    .await
}

pub async fn delete_records(db: &mut Db<'_>, ids: &[i64]) -> Result<u64> {
    let mut n = 0;
    for id in ids {
        n += db.execute(q!("DELETE FROM customer_ips WHERE id = $1", *id)).await?;
    }
    Ok(n)
}

pub async fn set_mac(db: &mut Db<'_>, record_id: i64, mac: Option<&str>) -> Result<()> {
    db.execute(q!("UPDATE customer_ips SET mac = $1 WHERE id = $2", mac.map(str::to_string), record_id))
        .await?;
    Ok(())
}

/// The record whose address (a single address, or a subnet's first) is exactly `ip`.
pub async fn record_by_ip(db: &mut Db<'_>, ip: &str) -> Result<Option<AddressRecord>> {
    let sql = format!("SELECT {RECORD_COLUMNS} FROM customer_ips i WHERE i.ip = $1");
    db.fetch_optional(q!(sql, ip)).await?.as_ref().map(record_from_row).transpose()
}

/// The highest IPv4 address in use by a customer, as a key.
pub async fn highest_v4(db: &mut Db<'_>) -> Result<Option<String>> {
    db.fetch_one(q!("SELECT MAX(ip_hi) AS m FROM customer_ips WHERE ip_hi IS NOT NULL AND ip_hi < '5'"))
        .await?
        .opt_text("m")
}

pub async fn record_mac_change(
    db: &mut Db<'_>,
    customer_id: i64,
    ip: Option<&str>,
    before: Option<&str>,
    after: Option<&str>,
    operator_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    db.execute(q!(
        "INSERT INTO mac_history (customer_id, ip, mac_before, mac_after, operator_id, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        customer_id,
        ip.map(str::to_string),
        before.map(str::to_string),
        after.map(str::to_string),
        operator_id,
        now
    ))
    .await?;
    Ok(())
}

/// A customer's MAC history, newest first.
pub async fn mac_history(db: &mut Db<'_>, customer_id: i64, limit: i64) -> Result<Vec<MacChange>> {
    db.fetch_all(q!(
        "SELECT m.id, m.ip, m.mac_before, m.mac_after, o.login, m.changed_at FROM mac_history m \
         LEFT JOIN operators o ON o.id = m.operator_id WHERE m.customer_id = $1 ORDER BY m.id DESC LIMIT $2",
        customer_id,
        limit
    ))
    .await?
    .iter()
    .map(|r| {
        Ok(MacChange {
            id: r.i64("id")?,
            ip: r.opt_text("ip")?,
            mac_before: r.opt_text("mac_before")?,
            mac_after: r.opt_text("mac_after")?,
            operator_login: r.opt_text("login")?,
            changed_at: r.ts("changed_at")?,
        })
    })
    .collect()
}

/// A page of the DHCP export: the addresses of current customers after the key `after`, in
/// address order, each with the switch and port it is reached through (the customer's own
/// port, or else the switch serving their house). Former and stopped customers and those
/// blocked for debt are left out: they may not use the network.
pub async fn dhcp_page(db: &mut Db<'_>, after: &str, limit: i64) -> Result<Vec<DhcpRow>> {
    db.fetch_all(q!(
        "SELECT i.id, i.customer_id, c.agreement_number, i.ip, i.prefix, i.mac, i.ip_lo, \
                s.name AS switch_name, s.ip AS switch_ip, p.port \
         FROM customer_ips i JOIN customers c ON c.id = i.customer_id \
         LEFT JOIN switch_ports p ON p.customer_id = c.id \
         LEFT JOIN switches hs ON p.switch_id IS NULL AND hs.house_id = c.house_id AND hs.serves_house = TRUE \
         LEFT JOIN switches s ON s.id = COALESCE(p.switch_id, hs.id) \
         WHERE i.ip_lo IS NOT NULL AND i.ip_lo > $1 AND c.is_former = FALSE AND c.state <> 0 \
           AND NOT EXISTS (SELECT 1 FROM debt_blocks b WHERE b.customer_id = c.id AND b.unblocked_at IS NULL) \
         ORDER BY i.ip_lo LIMIT $2",
        after,
        limit
    ))
    .await?
    .iter()
    .map(|r| {
        Ok(DhcpRow {
            record_id: r.i64("id")?,
            customer_id: r.i64("customer_id")?,
            agreement: r.opt_text("agreement_number")?,
            ip: r.text("ip")?,
            prefix: r.opt_i64("prefix")?,
            mac: r.opt_text("mac")?,
            switch_name: r.opt_text("switch_name")?,
            switch_ip: r.opt_text("switch_ip")?,
            port: r.opt_i64("port")?,
            key: r.text("ip_lo")?,
        })
    })
    .collect()
}

/// Another customer (not `except`) with an address of this MAC, by id and name: a MAC two
/// customers share gives dhcpd two hosts with one `hardware ethernet`.
pub async fn mac_holder(db: &mut Db<'_>, mac: &str, except: i64) -> Result<Option<(i64, String)>> {
    match db
        .fetch_optional(q!(
            "SELECT c.id, c.name FROM customer_ips i JOIN customers c ON c.id = i.customer_id \
             WHERE i.mac = $1 AND i.customer_id <> $2 ORDER BY c.id LIMIT 1",
            mac,
            except
        ))
        .await?
    {
        Some(r) => Ok(Some((r.i64("id")?, r.text("name")?))),
        None => Ok(None),
    }
}
