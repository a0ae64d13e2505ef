use kassa::service::{HouseInput, ServiceError};

use super::helpers::{audit_count, customer, house};
use crate::both_backends;
use crate::common::Env;

async fn houses_crud(env: &Env) {
    let input = HouseInput {
        country: Some("Россия".into()),
        region: Some("Татарстан".into()),
        city: Some("Казань".into()),
        street: Some("ул. Тукая".into()),
        number: Some("15".into()),
        letter: Some("а".into()),
        postcode: Some("420021".into()),
        connect_date: Some("01.03.2019".into()),
        ip_pool_id: Some("3".into()),
    };
    let h = env.svc.add_house(&env.noc, &input).await.unwrap();
    assert_eq!(h.short_address(), "ул. Тукая 15а");
    assert_eq!(h.connect_date.map(|d| d.to_string()).as_deref(), Some("2019-03-01"));
    let dup = env.svc.add_house(&env.admin, &input).await;
    assert!(
        matches!(&dup, Err(ServiceError::Conflict(m)) if m.to_string().contains("already exists") && m.to_string().contains("city, street")),
        "{dup:?}"
    );
    let audit = audit_count(env).await;
    for bad in [
        HouseInput { number: Some("15а".into()), ..input.clone() },
        HouseInput { number: Some("0".into()), ..input.clone() },
        HouseInput { city: Some(" ".into()), ..input.clone() },
        HouseInput {
            street: None,
            number: Some("1".into()),
            ..HouseInput { city: Some("К".into()), ..Default::default() }
        },
        HouseInput { connect_date: Some("вчера".into()), ..input.clone() },
        HouseInput { postcode: Some("42 00".into()), ..input.clone() },
    ] {
        let r = env.svc.add_house(&env.admin, &bad).await;
        assert!(matches!(r, Err(ServiceError::Invalid { .. })), "{bad:?}: {r:?}");
    }
    assert_eq!(audit_count(env).await, audit);
    let edited = env
        .svc
        .edit_house(&env.noc, h.id, &HouseInput { postcode: Some("420022".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!((edited.postcode.as_str(), edited.street.as_str()), ("420022", "ул. Тукая"));

    let other = house(env, "ул. Тукая", "17", "").await;
    let c = customer(env, "Жилец", &[("house_id", &h.id.to_string())]).await;
    let list = env.svc.list_houses(&env.viewer, None).await.unwrap();
    assert_eq!(
        list.iter().map(|l| (l.house.id, l.customers)).collect::<Vec<_>>(),
        vec![(h.id, 1), (other, 0)]
    );
    let r = env.svc.delete_house(&env.noc, h.id).await;
    assert!(matches!(&r, Err(ServiceError::Conflict(m)) if m.to_string().starts_with("1 customer")), "{r:?}");
    env.svc.delete_house(&env.noc, other).await.unwrap();
    assert!(matches!(env.svc.delete_house(&env.noc, other).await, Err(ServiceError::NotFound(..))));
    assert_eq!(env.svc.list_houses(&env.viewer, Some(h.id)).await.unwrap().len(), 1);
    assert_eq!(env.svc.customer_card(&env.viewer, c.id).await.unwrap().house.unwrap().id, h.id);
}
both_backends!(houses_crud, houses_crud);

async fn demo_data(env: &Env) {
    use kassa::service::demo::DemoOptions;
    let s = env.svc.generate_demo(DemoOptions { customers: 300, seed: 7, months: 4 }).await.unwrap();
    assert_eq!(s.customers, 300);
    assert!(s.operations > 300);
    assert!(s.operators.is_empty(), "the operators already existed");
    let again = env.svc.generate_demo(DemoOptions { customers: 10, seed: 7, months: 4 }).await;
    assert!(matches!(again, Err(ServiceError::Conflict(_))));
    // demo customers have addresses: search by IP and by MAC in another spelling
    let by_ip = env.svc.search_customers(&env.noc, "10.0.0.1", false, 10).await.unwrap();
    assert_eq!(by_ip.customers.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1]);
    let card = env.svc.customer_card(&env.noc, 1).await.unwrap();
    let mac = card.network.records[0].mac.clone().unwrap().replace(':', "-").to_uppercase();
    let by_mac = env.svc.search_customers(&env.noc, &mac, false, 10).await.unwrap();
    assert_eq!(by_mac.customers.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1]);
    // new customers continue the agreement numbers after the demo's
    let next = customer(env, "Новый", &[]).await;
    assert_eq!(next.agreement_number.as_deref(), Some("10301"));
    // a payment after the demo keeps the chain; invariants are checked by the harness
    super::helpers::pay(env, 1, "100").await;
}
both_backends!(demo_data, demo_data);

/// The house picker's search: every typed word in the street and number, in address order.
async fn picking_a_house_by_street_and_number(env: &Env) {
    let a = house(env, "ул. Ленина", "5", "а").await;
    let b = house(env, "ул. Ленина", "15", "").await;
    let c = house(env, "пр. Ямашева", "5", "").await;
    house(env, "ул. Ёлочная", "2", "").await;
    let ids = |v: Vec<kassa::service::House>| v.into_iter().map(|h| h.id).collect::<Vec<_>>();
    assert_eq!(ids(env.svc.search_houses(&env.cashier, "ЛЕН", 50).await.unwrap()), [a, b]);
    assert_eq!(ids(env.svc.search_houses(&env.cashier, "лен 5а", 50).await.unwrap()), [a]);
    assert_eq!(ids(env.svc.search_houses(&env.cashier, "5", 50).await.unwrap()), [c, a, b]);
    assert_eq!(ids(env.svc.search_houses(&env.cashier, "5", 1).await.unwrap()).len(), 1);
    // ё is е, and a pattern character is only a character
    assert_eq!(env.svc.search_houses(&env.cashier, "елочная", 50).await.unwrap().len(), 1);
    assert!(env.svc.search_houses(&env.cashier, "%", 50).await.unwrap().len() == 4);
    assert!(env.svc.search_houses(&env.cashier, "Тукая", 50).await.unwrap().is_empty());
}
both_backends!(picking_a_house_by_street_and_number, picking_a_house_by_street_and_number);
