use kassa::domain::search::SearchQuery;

use super::helpers::{customer, house, set_former};
use crate::both_backends;
use crate::common::Env;

async fn ids(env: &Env, q: &str, former: bool) -> Vec<i64> {
    env.svc
        .search_customers(&env.viewer, q, former, 50)
        .await
        .unwrap()
        .customers
        .iter()
        .map(|c| c.id)
        .collect()
}

async fn cyrillic_search(env: &Env) {
    let lenina5 = house(env, "ул. Ленина", "5", "").await;
    let lenina50 = house(env, "ул. Ленина", "50", "").await;
    let mira = house(env, "пр. Мира", "12", "б").await;
    let a = customer(
        env,
        "Ёлкин Пётр Семёнович",
        &[
            ("house_id", &lenina5.to_string()),
            ("apartment_number", "12"),
            ("login", "elkin"),
            ("agreement_number", "10234"),
            ("phone0", "+7 912 345-67-89"),
        ],
    )
    .await;
    let b = customer(
        env,
        "Елкина Анна",
        &[("house_id", &lenina50.to_string()), ("apartment_number", "3"), ("email", "anna@mail.ru")],
    )
    .await;
    let c = customer(
        env,
        "Хабибуллин Рустам Ильдарович",
        &[("house_id", &mira.to_string()), ("apartment_number", "7")],
    )
    .await;
    let d = customer(env, "Петросян Ашот", &[("agreement_number", "102")]).await;

    // case and ё: all of these find both Ёлкин and Елкина, Ёлкин first (exact name prefix)
    for q in ["ёлкин", "ЕЛКИН", "Ёлки", "елк"] {
        assert_eq!(ids(env, q, false).await, vec![a.id, b.id], "{q}");
    }
    // words in any order
    assert_eq!(ids(env, "пётр ёлкин", false).await, vec![a.id]);
    assert_eq!(ids(env, "рустам хабибуллин", false).await, vec![c.id]);
    // address with house and flat; street words people type are ignored
    assert_eq!(ids(env, "Ленина 5-12", false).await, vec![a.id]);
    assert_eq!(ids(env, "ул. Ленина, д. 50", false).await, vec![b.id]);
    // a house number matches 5 and 50, the exact house first
    assert_eq!(ids(env, "ленина 5", false).await, vec![a.id, b.id]);
    assert_eq!(ids(env, "ленина 50", false).await, vec![b.id]);
    assert_eq!(ids(env, "мира 12б-7", false).await, vec![c.id]);
    // short fragments: a name prefix
    assert_eq!(ids(env, "Ха", false).await, vec![c.id]);
    // identifiers: agreement exact first, then agreements starting with the digits
    assert_eq!(ids(env, "10234", false).await, vec![a.id]);
    // (b and c were numbered after 10234: 10235, 10236)
    assert_eq!(b.agreement_number.as_deref(), Some("10235"));
    assert_eq!(ids(env, "102", false).await, vec![d.id, a.id, b.id, c.id]);
    assert_eq!(ids(env, "8 (912) 345-67-89", false).await, vec![a.id]);
    assert_eq!(ids(env, "9123456789", false).await, vec![a.id]);
    assert_eq!(ids(env, "elkin", false).await, vec![a.id]);
    assert_eq!(ids(env, "ANNA@mail.ru", false).await, vec![b.id]);
    assert!(ids(env, "Шварценеггер", false).await.is_empty());
    assert!(ids(env, "", false).await.is_empty());
    // former customers only when asked
    set_former(env, b.id).await;
    assert_eq!(ids(env, "елкин", false).await, vec![a.id]);
    assert_eq!(ids(env, "елкин", true).await, vec![a.id, b.id]);
    // the understood kind is reported
    let r = env.svc.search_customers(&env.viewer, "Ленина 5-12", false, 10).await.unwrap();
    assert!(matches!(r.query, SearchQuery::Text(_)));
    assert_eq!(r.customers[0].address(), "ул. Ленина 5-12");
}
both_backends!(cyrillic_search, cyrillic_search);

/// A typed house is narrowed by its number: "5" is house 5, 5а, 50–59 …; with a flat typed the
/// house is whole ("5-12" is 5 or 5а, never 50), the exact house first.
async fn address_numbers_letters_and_flats(env: &Env) {
    let h5 = house(env, "ул. Ленина", "5", "").await;
    let h50 = house(env, "ул. Ленина", "50", "").await;
    let h5a = house(env, "ул. Ленина", "5", "а").await;
    let h7 = house(env, "ул. Ленина", "7", "").await;
    let h15 = house(env, "ул. Гагарина", "15", "").await;
    let at =
        |h: i64, flat: &'static str| [("house_id", h.to_string()), ("apartment_number", flat.to_string())];
    let mut people = Vec::new();
    for (name, h, flat) in [
        ("Абрамов", h5, "12"),
        ("Борисов", h50, "12"),
        ("Власов", h5a, "12"),
        ("Громов", h7, "12"),
        ("Дронов", h15, "12"),
        ("Ершов", h5, "3"),
    ] {
        let pairs = at(h, flat);
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        people.push(customer(env, name, &pairs).await.id);
    }
    let [abramov, borisov, vlasov, _gromov, _dronov, ershov] = people[..] else { panic!() };
    assert_eq!(ids(env, "ленина 5-12", false).await, vec![abramov, vlasov]);
    assert_eq!(ids(env, "ленина 5а-12", false).await, vec![vlasov]);
    assert_eq!(ids(env, "ленина 5", false).await, vec![abramov, ershov, vlasov, borisov]);
    // a shorter page: the same order, cut where the page ends (the longer numbers are asked
    // for only while there is room)
    for (limit, want) in [(1, vec![abramov]), (2, vec![abramov, ershov]), (3, vec![abramov, ershov, vlasov])]
    {
        let page = env.svc.search_customers(&env.viewer, "ленина 5", false, limit).await.unwrap();
        assert_eq!(page.customers.iter().map(|c| c.id).collect::<Vec<_>>(), want, "limit {limit}");
    }
    assert_eq!(ids(env, "ленина 50", false).await, vec![borisov]);
    assert!(ids(env, "ленина 15", false).await.is_empty(), "15 is on Гагарина");
    assert!(ids(env, "ленина 6-12", false).await.is_empty());
    // a real house and flat where only a former customer lives: nobody, unless former are asked
    // for; the substring index is not asked to say so again (and a name with a number still is)
    set_former(env, ershov).await;
    assert!(ids(env, "ленина 5-3", false).await.is_empty());
    assert_eq!(ids(env, "ленина 5-3", true).await, vec![ershov]);
    assert!(ids(env, "ленина 5-99", false).await.is_empty());
    assert_eq!(ids(env, "Абрамов Ленина 5-12", false).await, vec![abramov]);
}
both_backends!(address_numbers_letters_and_flats, address_numbers_letters_and_flats);

async fn renamed_street_is_found_under_its_new_name(env: &Env) {
    let h = house(env, "ул. Кирова", "3", "").await;
    let c = customer(env, "Сафин Марат", &[("house_id", &h.to_string()), ("apartment_number", "9")]).await;
    assert_eq!(ids(env, "кирова 3-9", false).await, vec![c.id]);
    env.svc
        .edit_house(
            &env.noc,
            h,
            &kassa::service::HouseInput { street: Some("ул. Баумана".into()), ..Default::default() },
        )
        .await
        .unwrap();
    assert!(ids(env, "кирова 3-9", false).await.is_empty());
    assert_eq!(ids(env, "баумана 3-9", false).await, vec![c.id]);
}
both_backends!(renamed_street_is_found_under_its_new_name, renamed_street_is_found_under_its_new_name);

/// Issue 15: the wrong keyboard layout, an id written `#3`, a receipt number.
async fn search_by_layout_id_and_receipt(env: &Env) {
    let c = customer(env, "Иванов Пётр", &[]).await;
    let r = env.svc.search_customers(&env.cashier, "bdfyjd", false, 10).await.unwrap();
    assert_eq!(r.customers.iter().map(|x| x.id).collect::<Vec<_>>(), vec![c.id]);
    assert_eq!(r.retyped.as_deref(), Some("иванов"));
    let r = env.svc.search_customers(&env.cashier, &format!("#{}", c.id), false, 10).await.unwrap();
    assert_eq!(r.customers.iter().map(|x| x.id).collect::<Vec<_>>(), vec![c.id]);
    let paid = super::helpers::pay(env, c.id, "10").await;
    let number = paid.operation.receipt_number.unwrap();
    let r = env.svc.search_customers(&env.cashier, &number, false, 10).await.unwrap();
    assert!(r.customers.iter().any(|x| x.id == c.id), "{number}: {:?}", r.customers);
    // Latin text that means nothing on either layout finds nothing, and says no layout
    let r = env.svc.search_customers(&env.cashier, "zzqqxx", false, 10).await.unwrap();
    assert!(r.customers.is_empty() && r.retyped.is_none());
}
both_backends!(search_by_layout_id_and_receipt, search_by_layout_id_and_receipt);

/// Issue 15: a city number said without its area code finds the customer whose phone ends so,
/// typed as digits or the way it is written; a number that only starts so does not.
async fn search_by_local_phone(env: &Env) {
    let c = customer(env, "Сидорова Анна", &[("phone1", "+7 495 234-56-78")]).await;
    let other = customer(env, "Кузнецов Олег", &[("phone0", "+7 912 234-56-70")]).await;
    for typed in ["2345678", "234-56-78", "234 56 78"] {
        let r = env.svc.search_customers(&env.cashier, typed, false, 10).await.unwrap();
        assert_eq!(r.customers.iter().map(|x| x.id).collect::<Vec<_>>(), vec![c.id], "{typed}");
    }
    let r = env.svc.search_customers(&env.cashier, "4952345", false, 10).await.unwrap();
    assert!(!r.customers.iter().any(|x| x.id == c.id || x.id == other.id), "{:?}", r.customers);
    // the full number still finds exactly that customer
    let r = env.svc.search_customers(&env.cashier, "8 495 234-56-78", false, 10).await.unwrap();
    assert_eq!(r.customers.iter().map(|x| x.id).collect::<Vec<_>>(), vec![c.id]);
}
both_backends!(search_by_local_phone, search_by_local_phone);

/// Issue 15: the start of an IPv4 address (`10.0.3`) or of a MAC (`00:1a:2b`) lists the
/// customers holding addresses there, in address order; a bare `5.12` stays text.
async fn search_by_partial_ip_and_mac(env: &Env) {
    let a = customer(env, "Абрамов Илья", &[]).await;
    let b = customer(env, "Борисова Вера", &[]).await;
    let c = customer(env, "Васильев Кирилл", &[]).await;
    env.svc.add_ip(&env.noc, b.id, "10.0.3.7", "00:1a:2b:00:00:02", false).await.unwrap();
    env.svc.add_ip(&env.noc, a.id, "10.0.3.20", "00:1a:2c:00:00:01", false).await.unwrap();
    env.svc.add_ip(&env.noc, c.id, "10.0.4.1", "", false).await.unwrap();
    let found = |typed: &'static str| async move {
        env.svc
            .search_customers(&env.cashier, typed, false, 10)
            .await
            .unwrap()
            .customers
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(found("10.0.3").await, vec![b.id, a.id]);
    assert_eq!(found("10.0.3.").await, vec![b.id, a.id]);
    assert_eq!(found("10.0.").await, vec![b.id, a.id, c.id]);
    assert_eq!(found("10.0.5").await, Vec::<i64>::new());
    assert_eq!(found("00:1a:2b").await, vec![b.id]);
    assert_eq!(found("00:1A").await, vec![b.id, a.id]);
    assert_eq!(found("00-1a-2c").await, vec![a.id]);
}
both_backends!(search_by_partial_ip_and_mac, search_by_partial_ip_and_mac);
