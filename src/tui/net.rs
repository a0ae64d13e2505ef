//! The network's forms (a house, a switch, an address, a subnet, a MAC, a switch port, and the
//! card's small ones: a promised payment, the credit limit, the state, to the former customers)
//! and how each is saved through the service. The list and network screens themselves are in
//! `screens::list` and `screens::network`.

use super::form::{FormKind, FormScreen, Values, field, secret, yes_no};
pub use super::screens::list::{ListData, ListKind, ListScreen, Target};
pub use super::screens::network::NetworkScreen;
use super::strings::Strings;
use crate::service::{Actor, HouseInput, HouseLine, Problem, Service, ServiceError, SwitchInput, SwitchLine};

impl FormScreen {
    pub fn house(kind: FormKind, h: Option<&HouseLine>) -> FormScreen {
        let v = |f: fn(&crate::service::House) -> String| h.map(|h| f(&h.house)).unwrap_or_default();
        FormScreen::new(
            kind,
            vec![
                field(
                    "city",
                    |s| s.net.f_city,
                    256,
                    &h.map(|h| h.house.city.clone()).unwrap_or_else(|| "Казань".into()),
                ),
                field("street", |s| s.net.f_street, 256, &v(|h| h.street.clone())),
                field(
                    "number",
                    |s| s.net.f_number,
                    6,
                    &v(|h| if h.number > 0 { h.number.to_string() } else { String::new() }),
                ),
                field("letter", |s| s.net.f_letter, 32, &v(|h| h.letter.clone())),
                field("postcode", |s| s.net.f_postcode, 10, &v(|h| h.postcode.clone())),
                field(
                    "connect_date",
                    |s| s.net.f_connect_date,
                    10,
                    &v(|h| h.connect_date.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_default()),
                ),
            ],
        )
    }

    /// A switch; its house is picked by searching (`house`: the house it goes in, when known).
    pub fn switch(
        s: &Strings,
        kind: FormKind,
        sw: Option<&SwitchLine>,
        house: Option<&HouseLine>,
    ) -> FormScreen {
        let v = |f: fn(&crate::service::Switch) -> String| sw.map(|l| f(&l.switch)).unwrap_or_default();
        let (house_id, house_text) = match (sw, house) {
            (Some(l), _) => (l.switch.house_id, l.house.clone().unwrap_or_default()),
            (None, Some(h)) => (Some(h.house.id), h.house.short_address()),
            (None, None) => (None, String::new()),
        };
        FormScreen::new(
            kind,
            vec![
                field("name", |s| s.net.f_name, 256, &v(|s| s.name.clone())),
                field("ip", |s| s.net.f_ip, 45, &v(|s| s.ip.clone())),
                field("model", |s| s.net.f_model, 256, &v(|s| s.model.clone())),
                super::form::pick(
                    "house_id",
                    |s| s.net.f_house_id,
                    super::picker::PickKind::House,
                    house_id,
                    &house_text,
                )
                .with_hint(|s| s.adm.hint_pick),
                field(
                    "ports",
                    |s| s.net.f_ports,
                    4,
                    &v(|s| if s.ports > 0 { s.ports.to_string() } else { String::new() }),
                ),
                yes_no(
                    "serves_house",
                    |s| s.net.f_serves_house,
                    s,
                    sw.is_some_and(|l| l.switch.serves_house),
                ),
                secret("snmp_community", |s| s.net.f_snmp),
                secret("ssh_password", |s| s.net.f_ssh),
                secret("telnet_password", |s| s.net.f_telnet),
            ],
        )
    }
}

/// Runs one network effect against the service.
/// Flats in the order of their numbers (`2` before `10`), the unnumbered last.
pub fn flat_order(apartment: Option<&str>) -> (u64, String) {
    let a = apartment.unwrap_or("");
    let digits: String = a.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), a.to_string())
}

/// Saves a network form, or one of the card's small ones (promised payment, credit limit,
/// state, to the former customers).
pub async fn save(
    svc: &Service,
    a: &Actor,
    kind: &FormKind,
    values: &Values,
    take_over: bool,
) -> Result<(), ServiceError> {
    let v = |i: usize| values.at(i);
    let text = |i: usize| v(i).unwrap_or_default();
    match kind {
        FormKind::HouseAdd | FormKind::HouseEdit(_) => {
            let input = HouseInput {
                city: v(0),
                street: v(1),
                number: v(2),
                letter: v(3),
                postcode: v(4),
                connect_date: v(5),
                ..Default::default()
            };
            match kind {
                FormKind::HouseEdit(id) => svc.edit_house(a, *id, &input).await.map(drop),
                _ => svc.add_house(a, &input).await.map(drop),
            }
        }
        FormKind::SwitchAdd | FormKind::SwitchEdit(_) => {
            let input = SwitchInput {
                name: v(0),
                ip: v(1),
                model: v(2),
                house_id: v(3),
                ports: v(4),
                serves_house: v(5),
                snmp_community: v(6),
                ssh_password: v(7),
                telnet_password: v(8),
            };
            match kind {
                FormKind::SwitchEdit(id) => svc.edit_switch(a, *id, &input).await.map(drop),
                _ => svc.add_switch(a, &input).await.map(drop),
            }
        }
        FormKind::IpAdd(c) => svc.add_ip(a, *c, &text(0), &text(1), false).await.map(drop),
        FormKind::SubnetAdd(c) => svc.add_subnet(a, *c, &text(0), &text(1)).await.map(drop),
        FormKind::SetMac(ip) => svc.set_mac(a, ip, &text(0), false).await.map(drop),
        FormKind::Promise(c) => {
            let amount = crate::domain::money::Money::parse_positive(&text(0))
                .map_err(|e| ServiceError::invalid("amount", e))?;
            let days = text(1).trim().parse::<i64>().map_err(|_| {
                ServiceError::invalid("days", Problem::NotANumber(text(1).trim().to_string()))
            })?;
            svc.promise_payment(a, *c, amount, days).await.map(drop)
        }
        FormKind::State(c) => {
            let state = text(0).parse().map_err(|e| ServiceError::invalid("state", e))?;
            svc.change_state(a, *c, state).await.map(drop)
        }
        FormKind::Former(c, to_former) => svc.set_former(a, *c, *to_former).await.map(drop),
        FormKind::CreditLimit(c) => {
            let limit = crate::domain::money::Money::parse(&text(0))
                .map_err(|e| ServiceError::invalid("amount", e))?;
            svc.set_credit_limit(a, *c, limit).await.map(drop)
        }
        FormKind::BindPort(c) => {
            // a switch not found is said under the switch field (see `screens::form`)
            let sw = svc.find_switch(a, &text(0)).await?.switch.id;
            svc.bind_port(a, *c, sw, &text(1), take_over).await.map(drop)
        }
        other => Err(super::records::not_mine(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::flat_order;

    /// A house's customers are listed by flat as people count them: 7 before 12 before 101,
    /// 12 before 12а, and those without a flat last.
    #[test]
    fn flats_in_the_order_people_count_them() {
        let mut flats = vec![Some("101"), None, Some("12а"), Some("7"), Some("12"), Some("2")];
        flats.sort_by_key(|f| flat_order(*f));
        assert_eq!(flats, vec![Some("2"), Some("7"), Some("12"), Some("12а"), Some("101"), None]);
    }
}
