//! The network: switches, customers' addresses and subnets, MACs and their history, switch
//! ports and the DHCP export. Switch credentials are returned only to roles with
//! `switch.secrets` and only when asked for; the audit log and every `Debug` see them masked.

use super::Entity;
use serde::{Deserialize, Serialize};

use super::{
    Actor, Conflict, Holding, Problem, Result, Service, ServiceError, audit, customer_exists, now,
    unique_to_conflict,
};
use crate::domain::network::AddressError;
use crate::domain::network::{Ip, Mac, Subnet};
use crate::domain::role::Permission;
use crate::domain::text;
use crate::store::network::{
    self as net, AddressRecord, DhcpRow, MacChange, PortBinding, PortUser, Switch, SwitchLine,
};
use crate::store::{Db, customers, houses};

/// A switch as typed: every field a string, checked here; `None` leaves a field as it is.
/// Its `Debug` masks the credentials.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct SwitchInput {
    pub name: Option<String>,
    pub ip: Option<String>,
    pub model: Option<String>,
    #[serde(skip_serializing)]
    pub snmp_community: Option<String>,
    #[serde(skip_serializing)]
    pub ssh_password: Option<String>,
    #[serde(skip_serializing)]
    pub telnet_password: Option<String>,
    /// A house id; empty for none.
    pub house_id: Option<String>,
    pub ports: Option<String>,
    /// "1"/"0", "yes"/"no", "true"/"false".
    pub serves_house: Option<String>,
}

impl std::fmt::Debug for SwitchInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = |v: &Option<String>| v.as_ref().map(|_| net::MASK);
        f.debug_struct("SwitchInput")
            .field("name", &self.name)
            .field("ip", &self.ip)
            .field("model", &self.model)
            .field("snmp_community", &m(&self.snmp_community))
            .field("ssh_password", &m(&self.ssh_password))
            .field("telnet_password", &m(&self.telnet_password))
            .field("house_id", &self.house_id)
            .field("ports", &self.ports)
            .field("serves_house", &self.serves_house)
            .finish()
    }
}

/// Which of a customer's records `ip_delete` removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpSelection {
    /// One single address.
    One(String),
    /// The records with a MAC and no address (UserSide's `-1`).
    MacOnly,
    /// Every record.
    All,
}

impl IpSelection {
    /// `10.0.3.14`, `-1` or `all`, as UserSide takes them.
    pub fn parse(value: &str) -> IpSelection {
        match value.trim() {
            "-1" => IpSelection::MacOnly,
            v if v.eq_ignore_ascii_case("all") => IpSelection::All,
            v => IpSelection::One(v.to_string()),
        }
    }
}

/// A switch and who is on each of its ports.
#[derive(Debug, Clone, Serialize)]
pub struct PortMap {
    pub switch: SwitchLine,
    pub users: Vec<PortUser>,
}

/// The network side of a customer: addresses, port and MACs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CustomerNetwork {
    pub records: Vec<AddressRecord>,
    pub binding: Option<PortBinding>,
    /// The switch serving the customer's house, when the customer has no port of their own.
    pub house_switch: Option<(String, String)>,
    /// The newest MAC changes.
    pub mac_history: Vec<MacChange>,
}

/// The highest IPv4 address in use (`get_last_ip`).
#[derive(Debug, Clone, Serialize)]
pub struct LastIp {
    pub ip: String,
    pub hex: String,
}

/// MAC changes shown with the customer's network.
const CARD_MAC_HISTORY: i64 = 5;

fn parse_bool(field: &'static str, v: &str) -> Result<bool> {
    match v.trim().to_lowercase().as_str() {
        "1" | "yes" | "true" | "да" | "y" => Ok(true),
        "0" | "no" | "false" | "нет" | "n" | "" => Ok(false),
        other => Err(ServiceError::invalid(field, Problem::NotYesNo(other.to_string()))),
    }
}

fn secret(field: &'static str, v: &str) -> Result<String> {
    if v.chars().count() > 40 {
        return Err(ServiceError::invalid(field, Problem::TooLong(40)));
    }
    if v.chars().any(char::is_control) {
        return Err(ServiceError::invalid(field, Problem::ControlChars));
    }
    Ok(v.to_string())
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(Entity::Customer, format!("#{id}"))
}

fn switch_not_found(id: i64) -> ServiceError {
    ServiceError::NotFound(Entity::Switch, format!("{id}"))
}

/// The refusal of `what` (an IP, or a subnet) that overlaps what `h` holds.
fn held(h: net::Holder, what: &str, subnet: bool) -> ServiceError {
    ServiceError::Conflict(Conflict::AddressHeld(Box::new(Holding {
        what: what.to_string(),
        subnet,
        held: h.record.address(),
        customer_id: h.record.customer_id,
        agreement: h.agreement,
        customer_name: h.customer_name,
    })))
}

/// Refuses a range that any record or switch already holds, naming the holder.
async fn check_free(db: &mut Db<'_>, what: &str, subnet: bool, lo: &str, hi: &str) -> Result<()> {
    if let Some(h) = net::holder(db, lo, hi).await? {
        return Err(held(h, what, subnet));
    }
    if let Some(s) = net::switch_in_range(db, lo, hi).await? {
        return Err(ServiceError::Conflict(Conflict::SwitchAddress {
            what: what.to_string(),
            subnet,
            ip: s.ip,
            switch: s.name,
        }));
    }
    Ok(())
}

/// Refuses a MAC another customer than `customer_id` has.
async fn mac_free(db: &mut Db<'_>, mac: &str, customer_id: i64) -> Result<()> {
    match net::mac_holder(db, mac, customer_id).await? {
        Some((holder_id, holder_name)) => {
            Err(ServiceError::MacTaken { mac: mac.to_string(), holder_id, holder_name })
        }
        None => Ok(()),
    }
}

fn parse_mac(v: &str) -> Result<Option<Mac>> {
    if v.trim().is_empty() {
        Ok(None)
    } else {
        Mac::parse(v).map(Some).map_err(|e| ServiceError::invalid("mac", e))
    }
}

async fn apply_switch(db: &mut Db<'_>, s: &mut Switch, input: &SwitchInput) -> Result<()> {
    if let Some(name) = &input.name {
        let n = text::clean(name);
        if n.is_empty() {
            return Err(ServiceError::invalid("name", Problem::Missing));
        }
        if n.chars().count() > 256 {
            return Err(ServiceError::invalid("name", Problem::TooLong(256)));
        }
        s.name = n;
    }
    if let Some(ip) = &input.ip {
        s.ip = Ip::parse(ip).map_err(|e| ServiceError::invalid("ip", e))?.to_string();
    }
    if let Some(m) = &input.model {
        let m = text::clean(m);
        if m.chars().count() > 256 {
            return Err(ServiceError::invalid("model", Problem::TooLong(256)));
        }
        s.model = m;
    }
    if let Some(v) = &input.snmp_community {
        s.snmp_community = secret("snmp_community", v)?;
    }
    if let Some(v) = &input.ssh_password {
        s.ssh_password = secret("ssh_password", v)?;
    }
    if let Some(v) = &input.telnet_password {
        s.telnet_password = secret("telnet_password", v)?;
    }
    if let Some(h) = &input.house_id {
        s.house_id = if h.trim().is_empty() {
            None
        } else {
            let id = h
                .trim()
                .parse::<i64>()
                .map_err(|_| ServiceError::invalid("house_id", Problem::NotANumber(h.trim().to_string())))?;
            if houses::get(db, id).await?.is_none() {
                return Err(ServiceError::invalid(
                    "house_id",
                    Problem::NoSuch { what: Entity::House, key: id.to_string() },
                ));
            }
            Some(id)
        };
    }
    if let Some(p) = &input.ports {
        s.ports = p
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1024).contains(n))
            .ok_or_else(|| ServiceError::invalid("ports", Problem::Range(1, 1024)))?;
    }
    if let Some(f) = &input.serves_house {
        s.serves_house = parse_bool("serves_house", f)?;
    }
    if s.name.is_empty() {
        return Err(ServiceError::invalid("name", Problem::Missing));
    }
    if s.ip.is_empty() {
        return Err(ServiceError::invalid("ip", Problem::Missing));
    }
    if s.ports == 0 {
        return Err(ServiceError::invalid("ports", Problem::Missing));
    }
    if s.serves_house && s.house_id.is_none() {
        return Err(ServiceError::invalid("serves_house", Problem::ServesWithoutHouse));
    }
    Ok(())
}

/// The rules a switch must meet against the rest of the database.
async fn check_switch(db: &mut Db<'_>, s: &Switch) -> Result<String> {
    let ip = Ip::parse(&s.ip).map_err(|e| ServiceError::invalid("ip", e))?;
    let key = ip.key();
    if let Some(h) = net::holder(db, &key, &key).await? {
        return Err(held(h, &ip.to_string(), false));
    }
    if s.serves_house
        && let Some(house) = s.house_id
        && let Some(other) = net::serving_switch(db, house, s.id).await?
    {
        return Err(ServiceError::Conflict(Conflict::HouseServed(other.name)));
    }
    if s.id != 0
        && let Some(top) = net::highest_port_used(db, s.id).await?
        && top > s.ports
    {
        return Err(ServiceError::Conflict(Conflict::PortInUse(top)));
    }
    Ok(key)
}

impl Service {
    pub async fn add_switch(&self, actor: &Actor, input: &SwitchInput) -> Result<Switch> {
        self.require(actor, Permission::NetworkManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        net::lock(&mut db).await?;
        let mut s = Switch {
            id: 0,
            name: String::new(),
            ip: String::new(),
            model: String::new(),
            snmp_community: String::new(),
            ssh_password: String::new(),
            telnet_password: String::new(),
            house_id: None,
            ports: 0,
            serves_house: false,
        };
        apply_switch(&mut db, &mut s, input).await?;
        let key = check_switch(&mut db, &s).await?;
        s.id = net::insert_switch(&mut db, &s, &key, now()).await.map_err(unique_to_conflict)?;
        audit::<(), _>(&mut db, Some(actor), "switch.add", "switch", Some(s.id), None, Some(&s.masked()))
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    pub async fn edit_switch(&self, actor: &Actor, id: i64, input: &SwitchInput) -> Result<Switch> {
        self.require(actor, Permission::NetworkManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        net::lock(&mut db).await?;
        let before = net::get_switch(&mut db, id).await?.ok_or_else(|| switch_not_found(id))?;
        let mut s = before.clone();
        apply_switch(&mut db, &mut s, input).await?;
        let key = check_switch(&mut db, &s).await?;
        net::update_switch(&mut db, &s, &key).await.map_err(unique_to_conflict)?;
        audit(
            &mut db,
            Some(actor),
            "switch.edit",
            "switch",
            Some(id),
            Some(&before.masked()),
            Some(&s.masked_against(&before)),
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// Deletes a switch; refused while customers are on its ports.
    pub async fn delete_switch(&self, actor: &Actor, id: i64) -> Result<Switch> {
        self.require(actor, Permission::NetworkManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        net::lock(&mut db).await?;
        let before = net::get_switch(&mut db, id).await?.ok_or_else(|| switch_not_found(id))?;
        let users = net::port_users(&mut db, id).await?.len();
        if users > 0 {
            return Err(ServiceError::Conflict(Conflict::SwitchInUse {
                count: users as i64,
                switch: before.name,
            }));
        }
        net::delete_switch(&mut db, id).await?;
        audit::<_, ()>(
            &mut db,
            Some(actor),
            "switch.delete",
            "switch",
            Some(id),
            Some(&before.masked()),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }

    /// Switches (`CLN_SWITCH_LIST`): all, one, or a house's. Credentials come masked unless
    /// `reveal` is asked for, which needs `switch.secrets`.
    pub async fn list_switches(
        &self,
        actor: &Actor,
        id: Option<i64>,
        house_id: Option<i64>,
        reveal: bool,
    ) -> Result<Vec<SwitchLine>> {
        self.require(actor, Permission::NetworkRead).await?;
        if reveal {
            self.require(actor, Permission::SwitchSecrets).await?;
        }
        let mut tx = self.store.read().await?;
        let mut lines = net::list_switches(&mut tx.db(), id, house_id).await?;
        if !reveal {
            for l in &mut lines {
                l.switch = l.switch.masked();
            }
        }
        Ok(lines)
    }

    /// A house by `#id` or by its address as typed (`Ленина 5`, `ул. Ленина 5а`): the number
    /// must match, the street words must be in the house's street.
    pub async fn find_house(
        &self,
        actor: &Actor,
        reference: &str,
    ) -> Result<crate::store::houses::HouseLine> {
        self.require(actor, Permission::HouseRead).await?;
        let t = text::clean(reference);
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let id = match t.strip_prefix('#').and_then(|n| n.parse::<i64>().ok()) {
            Some(id) => Some(id),
            None => {
                let norm = text::normalise(&t);
                let words: Vec<&str> = norm.split_whitespace().collect();
                let Some((last, street)) = words.split_last() else {
                    return Err(ServiceError::invalid("house", Problem::StreetAndNumber));
                };
                let digits: String = last.chars().take_while(char::is_ascii_digit).collect();
                let letter = &last[digits.len()..];
                let number = digits
                    .parse::<i64>()
                    .map_err(|_| ServiceError::invalid("house", Problem::HouseNumber(last.to_string())))?;
                houses::find(&mut db, &street.join(" "), number, letter).await?
            }
        };
        let Some(id) = id else { return Err(ServiceError::NotFound(Entity::House, format!("'{t}'"))) };
        houses::list(&mut db, Some(id))
            .await?
            .pop()
            .ok_or_else(|| ServiceError::NotFound(Entity::House, format!("'{t}'")))
    }

    /// A switch by id, by its exact name or by its IP (`:sw NAME`), masked.
    pub async fn find_switch(&self, actor: &Actor, reference: &str) -> Result<SwitchLine> {
        self.require(actor, Permission::NetworkRead).await?;
        let t = text::clean(reference);
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        // #3 is an id; otherwise a name or an IP, and failing those a bare number is an id
        let id = match t.strip_prefix('#').and_then(|n| n.parse::<i64>().ok()) {
            Some(id) => Some(id),
            None => match net::find_switch(&mut db, &t).await? {
                Some(s) => Some(s.id),
                None => t.parse::<i64>().ok(),
            },
        };
        let Some(id) = id else { return Err(ServiceError::NotFound(Entity::Switch, format!("'{t}'"))) };
        let mut line = net::list_switches(&mut db, Some(id), None)
            .await?
            .pop()
            .ok_or_else(|| ServiceError::NotFound(Entity::Switch, format!("'{t}'")))?;
        line.switch = line.switch.masked();
        Ok(line)
    }

    /// A switch and who is on each of its ports.
    pub async fn port_map(&self, actor: &Actor, switch_id: i64) -> Result<PortMap> {
        self.require(actor, Permission::NetworkRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let mut switch = net::list_switches(&mut db, Some(switch_id), None)
            .await?
            .pop()
            .ok_or_else(|| switch_not_found(switch_id))?;
        switch.switch = switch.switch.masked();
        let users = net::port_users(&mut db, switch_id).await?;
        Ok(PortMap { switch, users })
    }

    /// Adds an address, with a MAC or without, or a MAC alone (`ip_add`). A MAC another
    /// customer has is refused unless `force` (two hosts with one MAC in the DHCP export).
    pub async fn add_ip(
        &self,
        actor: &Actor,
        customer_id: i64,
        ip: &str,
        mac: &str,
        force: bool,
    ) -> Result<AddressRecord> {
        self.require(actor, Permission::NetworkManage).await?;
        let ip = if ip.trim().is_empty() {
            None
        } else {
            Some(Ip::parse(ip).map_err(|e| ServiceError::invalid("ip", e))?)
        };
        let mac = parse_mac(mac)?;
        if ip.is_none() && mac.is_none() {
            return Err(ServiceError::invalid("ip", Problem::IpOrMac));
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        net::lock(&mut db).await?;
        customer_exists(&mut db, customer_id).await?;
        let at = now();
        let ip_text = ip.map(|i| i.to_string());
        let key = ip.map(|i| i.key());
        if let (Some(ip), Some(key)) = (&ip_text, &key) {
            check_free(&mut db, ip, false, key, key).await?;
        }
        let mac_text = mac.map(|m| m.to_string());
        if let Some(m) = &mac_text
            && !force
        {
            mac_free(&mut db, m, customer_id).await?;
        }
        let id = net::insert_record(
            &mut db,
            customer_id,
            ip_text.as_deref().zip(key.as_deref()).map(|(i, k)| (i, None, k, k)),
            mac_text.as_deref(),
            at,
        )
        .await
        .map_err(unique_to_conflict)?;
        if let Some(m) = &mac_text {
            net::record_mac_change(
                &mut db,
                customer_id,
                ip_text.as_deref(),
                None,
                Some(m),
                Some(actor.operator_id),
                at,
            )
            .await?;
        }
        let record =
            AddressRecord { id, customer_id, ip: ip_text, prefix: None, mac: mac_text, created_at: at };
        audit::<(), _>(&mut db, Some(actor), "ip.add", "customer", Some(customer_id), None, Some(&record))
            .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Deletes one address, the MAC-only records, or every record of a customer (`ip_delete`).
    pub async fn delete_ip(
        &self,
        actor: &Actor,
        customer_id: i64,
        which: &IpSelection,
    ) -> Result<Vec<AddressRecord>> {
        self.require(actor, Permission::NetworkManage).await?;
        let one = match which {
            IpSelection::One(v) => {
                Some(Ip::parse(v).map_err(|e| ServiceError::invalid("ip", e))?.to_string())
            }
            _ => None,
        };
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        net::lock(&mut db).await?;
        customer_exists(&mut db, customer_id).await?;
        let records = net::records(&mut db, customer_id).await?;
        let gone: Vec<AddressRecord> = match (which, &one) {
            (IpSelection::One(_), Some(ip)) => {
                let found: Vec<_> = records.into_iter().filter(|r| r.ip.as_ref() == Some(ip)).collect();
                match found.first() {
                    None => {
                        return Err(ServiceError::NotFound(
                            Entity::Address,
                            format!("{ip} (#{customer_id})"),
                        ));
                    }
                    Some(r) if r.prefix.is_some() => {
                        return Err(ServiceError::Conflict(Conflict::IsSubnet(r.address())));
                    }
                    Some(_) => found,
                }
            }
            (IpSelection::MacOnly, _) => records.into_iter().filter(|r| r.ip.is_none()).collect(),
            _ => records,
        };
        if gone.is_empty() {
            let what = if *which == IpSelection::MacOnly { Entity::MacOnlyAddress } else { Entity::Address };
            return Err(ServiceError::NotFound(what, format!("#{customer_id}")));
        }
        net::delete_records(&mut db, &gone.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
        audit::<_, ()>(&mut db, Some(actor), "ip.delete", "customer", Some(customer_id), Some(&gone), None)
            .await?;
        tx.commit().await?;
        Ok(gone)
    }

    /// Gives a customer a block of addresses by its first address and prefix length
    /// (`ip_subnet_add`); refused when any address of it is held.
    pub async fn add_subnet(
        &self,
        actor: &Actor,
        customer_id: i64,
        first: &str,
        prefix: &str,
    ) -> Result<AddressRecord> {
        self.require(actor, Permission::NetworkManage).await?;
        let net_ = subnet_of(first, prefix)?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        net::lock(&mut db).await?;
        customer_exists(&mut db, customer_id).await?;
        let (lo, hi) = (net_.first.key(), net_.last().key());
        check_free(&mut db, &net_.to_string(), true, &lo, &hi).await?;
        let at = now();
        let first_text = net_.first.to_string();
        let prefix = i64::from(net_.prefix);
        let id =
            net::insert_record(&mut db, customer_id, Some((&first_text, Some(prefix), &lo, &hi)), None, at)
                .await
                .map_err(unique_to_conflict)?;
        let record = AddressRecord {
            id,
            customer_id,
            ip: Some(first_text),
            prefix: Some(prefix),
            mac: None,
            created_at: at,
        };
        audit::<(), _>(
            &mut db,
            Some(actor),
            "ip.subnet_add",
            "customer",
            Some(customer_id),
            None,
            Some(&record),
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Takes a subnet off a customer by its first address (`ip_subnet_delete`).
    pub async fn delete_subnet(&self, actor: &Actor, customer_id: i64, first: &str) -> Result<AddressRecord> {
        self.require(actor, Permission::NetworkManage).await?;
        let ip = Ip::parse(first).map_err(|e| ServiceError::invalid("ip", e))?.to_string();
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        net::lock(&mut db).await?;
        customer_exists(&mut db, customer_id).await?;
        let record = net::records(&mut db, customer_id)
            .await?
            .into_iter()
            .find(|r| r.ip.as_deref() == Some(ip.as_str()) && r.prefix.is_some())
            .ok_or_else(|| ServiceError::NotFound(Entity::Subnet, format!("{ip} (#{customer_id})")))?;
        net::delete_records(&mut db, &[record.id]).await?;
        audit::<_, ()>(
            &mut db,
            Some(actor),
            "ip.subnet_delete",
            "customer",
            Some(customer_id),
            Some(&record),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Sets (or with an empty MAC clears) the MAC of an address (`set_mac_by_ip`); the change
    /// goes into the customer's MAC history.
    pub async fn set_mac(&self, actor: &Actor, ip: &str, mac: &str, force: bool) -> Result<AddressRecord> {
        self.require(actor, Permission::NetworkManage).await?;
        let ip = Ip::parse(ip).map_err(|e| ServiceError::invalid("ip", e))?.to_string();
        let mac = parse_mac(mac)?.map(|m| m.to_string());
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        net::lock(&mut db).await?;
        let before = net::record_by_ip(&mut db, &ip)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Address, ip.to_string()))?;
        if before.mac == mac {
            return Err(ServiceError::Conflict(Conflict::SameMac(ip)));
        }
        if let Some(m) = &mac
            && !force
        {
            mac_free(&mut db, m, before.customer_id).await?;
        }
        net::set_mac(&mut db, before.id, mac.as_deref()).await?;
        let at = now();
        net::record_mac_change(
            &mut db,
            before.customer_id,
            Some(&ip),
            before.mac.as_deref(),
            mac.as_deref(),
            Some(actor.operator_id),
            at,
        )
        .await?;
        let after = AddressRecord { mac, ..before.clone() };
        audit(
            &mut db,
            Some(actor),
            "ip.set_mac",
            "customer",
            Some(before.customer_id),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The customer's MAC changes, newest first (`get_mac_history`).
    pub async fn mac_history(&self, actor: &Actor, customer_id: i64) -> Result<Vec<MacChange>> {
        self.require(actor, Permission::NetworkRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        customer_exists(&mut db, customer_id).await?;
        Ok(net::mac_history(&mut db, customer_id, 10_000).await?)
    }

    /// The highest IPv4 address any customer has (`get_last_ip`), in dotted and hex form.
    pub async fn last_ip(&self, actor: &Actor) -> Result<Option<LastIp>> {
        self.require(actor, Permission::NetworkRead).await?;
        let mut tx = self.store.read().await?;
        let Some(key) = net::highest_v4(&mut tx.db()).await? else { return Ok(None) };
        let n = u32::from_str_radix(&key[1..], 16).map_err(|_| crate::store::StoreError::Corrupt {
            column: "customer_ips.ip_hi".into(),
            value: key.clone(),
        })?;
        let ip = Ip(std::net::Ipv4Addr::from(n).into());
        Ok(Some(LastIp { ip: ip.to_string(), hex: ip.hex() }))
    }

    /// Puts a customer on a switch port. A port another customer holds is refused, naming
    /// them, unless `take_over` is set: then that customer leaves the port (both are audited).
    pub async fn bind_port(
        &self,
        actor: &Actor,
        customer_id: i64,
        switch_id: i64,
        port: &str,
        take_over: bool,
    ) -> Result<PortBinding> {
        self.require(actor, Permission::NetworkManage).await?;
        let port_n = port
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| ServiceError::invalid("port", Problem::NotANumber(port.trim().to_string())))?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        net::lock(&mut db).await?;
        customer_exists(&mut db, customer_id).await?;
        let sw = net::get_switch(&mut db, switch_id).await?.ok_or_else(|| switch_not_found(switch_id))?;
        if port_n > sw.ports {
            return Err(ServiceError::invalid(
                "port",
                Problem::NoPort { switch: sw.name, ports: sw.ports, port: port_n },
            ));
        }
        let before = net::binding(&mut db, customer_id).await?;
        if let Some(b) = &before
            && b.switch_id == switch_id
            && b.port == port_n
        {
            return Err(ServiceError::Conflict(Conflict::OnPortAlready {
                customer: customer_id,
                port: port_n,
                switch: sw.name,
            }));
        }
        if let Some(holder) = net::port_holder(&mut db, switch_id, port_n).await? {
            let other = net::binding(&mut db, holder).await?;
            if !take_over {
                let holder_name = customers::get(&mut db, holder).await?.map(|c| c.name).unwrap_or_default();
                return Err(ServiceError::PortTaken {
                    port: port_n,
                    switch: sw.name,
                    holder_id: holder,
                    holder_name,
                });
            }
            net::unbind(&mut db, holder).await?;
            audit::<_, ()>(
                &mut db,
                Some(actor),
                "port.unbind",
                "customer",
                Some(holder),
                other.as_ref(),
                None,
            )
            .await?;
        }
        net::unbind(&mut db, customer_id).await?;
        net::bind(&mut db, customer_id, switch_id, port_n, now()).await?;
        let after = net::binding(&mut db, customer_id).await?;
        audit(
            &mut db,
            Some(actor),
            "port.bind",
            "customer",
            Some(customer_id),
            before.as_ref(),
            after.as_ref(),
        )
        .await?;
        tx.commit().await?;
        after.ok_or_else(|| not_found(customer_id))
    }

    /// Takes a customer off their switch port.
    pub async fn unbind_port(&self, actor: &Actor, customer_id: i64) -> Result<PortBinding> {
        self.require(actor, Permission::NetworkManage).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        net::lock(&mut db).await?;
        customer_exists(&mut db, customer_id).await?;
        let before = net::binding(&mut db, customer_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Port, format!("#{customer_id}")))?;
        net::unbind(&mut db, customer_id).await?;
        audit::<_, ()>(
            &mut db,
            Some(actor),
            "port.unbind",
            "customer",
            Some(customer_id),
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }

    /// The network side of a customer.
    pub async fn customer_network(&self, actor: &Actor, customer_id: i64) -> Result<CustomerNetwork> {
        self.require(actor, Permission::NetworkRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let c = customers::get(&mut db, customer_id).await?.ok_or_else(|| not_found(customer_id))?;
        network_of(&mut db, customer_id, c.house_id).await
    }

    /// One page of the DHCP export (`get_ip_port_device_commutation`): addresses of current
    /// customers after `after` (a key from the previous page's last row; empty to start).
    pub async fn dhcp_export_page(&self, actor: &Actor, after: &str, limit: i64) -> Result<Vec<DhcpRow>> {
        self.require(actor, Permission::NetworkRead).await?;
        let mut tx = self.store.read().await?;
        Ok(net::dhcp_page(&mut tx.db(), after, limit.clamp(1, 100_000)).await?)
    }
}

fn subnet_of(first: &str, prefix: &str) -> Result<Subnet> {
    let ip = Ip::parse(first).map_err(|e| ServiceError::invalid("ip", e))?;
    let p = prefix.trim().trim_start_matches('/');
    let p: u8 = p
        .parse()
        .map_err(|_| ServiceError::invalid("prefix", AddressError::BadPrefix(prefix.trim().to_string())))?;
    Subnet::new(ip, p).map_err(|e| ServiceError::invalid("prefix", e))
}

/// The network side of a customer, in the caller's transaction (also used by the card).
pub(crate) async fn network_of(
    db: &mut Db<'_>,
    customer_id: i64,
    house_id: Option<i64>,
) -> Result<CustomerNetwork> {
    let records = net::records(db, customer_id).await?;
    let binding = net::binding(db, customer_id).await?;
    let house_switch = match (&binding, house_id) {
        (None, Some(h)) => net::serving_switch(db, h, 0).await?.map(|s| (s.name, s.ip)),
        _ => None,
    };
    let mac_history = net::mac_history(db, customer_id, CARD_MAC_HISTORY).await?;
    Ok(CustomerNetwork { records, binding, house_switch, mac_history })
}
