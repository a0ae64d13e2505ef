use kassa::domain::customer::{CustomerState, LookupKind};
use kassa::service::{CustomerChanges, CustomerFilter, NewCustomer, ServiceError};

use super::helpers::{audit_count, customer, house, money, pay, set_former};
use crate::both_backends;
use crate::common::Env;

fn ch(pairs: &[(&str, &str)]) -> CustomerChanges {
    CustomerChanges::from_pairs(pairs.iter().copied()).unwrap()
}

async fn add_edit_and_card(env: &Env) {
    let h = house(env, "ул. Ленина", "5", "а").await;
    let c = customer(
        env,
        "Петров Пётр Петрович",
        &[
            ("house_id", &h.to_string()),
            ("apartment_number", "12"),
            ("entrance", "2"),
            ("floor", "3"),
            ("phone0", "8 (912) 345-67-89"),
            ("email", "Petrov@Mail.RU"),
            ("login", "petrov"),
            ("account_number", "100500"),
            ("agreement_date", "01.02.2024"),
        ],
    )
    .await;
    // the next numeric agreement number is given when none is typed
    let next = customer(env, "Сидоров", &[]).await;
    assert_eq!(c.agreement_number.as_deref(), Some("1"));
    assert_eq!(next.agreement_number.as_deref(), Some("2"));
    assert_eq!(env.svc.max_agreement_number(&env.admin, None).await.unwrap(), 2);
    assert_eq!(c.phones[0].as_deref(), Some("79123456789"));
    assert_eq!(c.email.as_deref(), Some("petrov@mail.ru"));
    assert_eq!(c.state, CustomerState::Active);

    let card = env.svc.customer_card(&env.viewer, c.id).await.unwrap();
    assert_eq!(card.address.as_deref(), Some("Казань, ул. Ленина 5а, entrance 2, floor 3, flat 12"));
    let by_account = env.svc.customer_card_by_account(&env.cashier, "100500").await.unwrap();
    assert_eq!(by_account.customer.id, c.id);

    // edit: change, clear, and every field of the newer list accepted
    let edited = env
        .svc
        .edit_customer(
            &env.cashier,
            c.id,
            &ch(&[
                ("name", "Петров-Водкин Пётр"),
                ("phone1", "+7 843 222-33-44"),
                ("email", ""),
                ("comment", "  звонить  после 18  "),
                ("flag_corporate", "1"),
                ("date_connect", "2024-02-03"),
                ("date_activity", "2026-11-01T10:00:00Z"),
                ("agreement_number", "А-77"),
            ]),
        )
        .await
        .unwrap();
    assert_eq!(edited.name, "Петров-Водкин Пётр");
    assert_eq!(edited.phones[1].as_deref(), Some("78432223344"));
    assert_eq!(edited.email, None);
    assert_eq!(edited.comment.as_deref(), Some("звонить после 18"));
    assert!(edited.is_corporate);
    assert_eq!(edited.agreement_number.as_deref(), Some("А-77"));
    assert_eq!(edited.date_connect.map(|d| d.to_string()).as_deref(), Some("2024-02-03"));
    let reread = env.svc.customer_card(&env.admin, c.id).await.unwrap().customer;
    assert_eq!(reread, edited);

    // the audit row has the values before and after
    let log = env.svc.audit_log(&env.admin, Some("customer"), Some(c.id), 10).await.unwrap();
    let edit = log.iter().find(|a| a.action == "customer.edit").unwrap();
    assert!(edit.before.as_deref().unwrap().contains("petrov@mail.ru"));
    assert!(edit.after.as_deref().unwrap().contains("Петров-Водкин"));
    assert_eq!(edit.operator_login, "cashier");
}
both_backends!(add_edit_and_card, add_edit_and_card);

async fn bad_input_changes_nothing(env: &Env) {
    let c = customer(env, "Иванов", &[("login", "ivanov"), ("agreement_number", "500")]).await;
    let other = customer(env, "Смирнов", &[]).await;
    let before_audit = audit_count(env).await;
    let cases: Vec<(&str, &str)> = vec![
        ("email", "ivanov@"),
        ("phone0", "12"),
        ("phone3", "звоните"),
        ("house_id", "999"),
        ("house_id", "пять"),
        ("group_id", "7"),
        ("manager_id", "999"),
        ("parent_id", "999"),
        ("date_connect", "31.02.2024"),
        ("flag_corporate", "может быть"),
        ("name", "   "),
        ("login", "iv anov"),
        ("apartment_number", "12345678901234567"),
    ];
    for (field, value) in cases {
        let r = env.svc.edit_customer(&env.admin, c.id, &ch(&[(field, value)])).await;
        assert!(matches!(r, Err(ServiceError::Invalid { .. })), "{field}={value}: {r:?}");
    }
    // a customer cannot be its own parent, nor its child's child
    let r = env.svc.edit_customer(&env.admin, c.id, &ch(&[("parent_id", &c.id.to_string())])).await;
    assert!(matches!(r, Err(ServiceError::Invalid { .. })));
    env.svc.edit_customer(&env.admin, other.id, &ch(&[("parent_id", &c.id.to_string())])).await.unwrap();
    let r = env.svc.edit_customer(&env.admin, c.id, &ch(&[("parent_id", &other.id.to_string())])).await;
    assert!(matches!(r, Err(ServiceError::Invalid { .. })), "{r:?}");
    // uniqueness
    let r = env.svc.edit_customer(&env.admin, other.id, &ch(&[("login", "ivanov")])).await;
    assert!(matches!(&r, Err(ServiceError::Conflict(m)) if m.to_string().contains("login")), "{r:?}");
    let r = env.svc.edit_customer(&env.admin, other.id, &ch(&[("agreement_number", "500")])).await;
    assert!(matches!(&r, Err(ServiceError::Conflict(m)) if m.to_string().contains("agreement")), "{r:?}");
    // unknown fields are refused before anything runs
    assert!(CustomerChanges::from_pairs([("fio", "x")]).is_err());
    // an add without a name
    let r = env.svc.add_customer(&env.admin, &NewCustomer::default()).await;
    assert!(matches!(r, Err(ServiceError::Invalid { .. })));
    // nothing of the above wrote anything but the one parent change
    assert_eq!(audit_count(env).await, before_audit + 1);
    let now = env.svc.customer_card(&env.admin, c.id).await.unwrap().customer;
    assert_eq!(now, c);
    assert!(matches!(
        env.svc.edit_customer(&env.admin, 4242, &ch(&[("name", "x")])).await,
        Err(ServiceError::NotFound(..))
    ));
}
both_backends!(bad_input_changes_nothing, bad_input_changes_nothing);

async fn lookups_by_every_kind(env: &Env) {
    let c = customer(
        env,
        "Ахметов Рустам",
        &[
            ("account_number", "7001"),
            ("billing_uid", "B-1"),
            ("codeti", "C-9"),
            ("login", "rustam"),
            ("email", "rustam@yandex.ru"),
            ("phone2", "+7 (917) 000-11-22"),
            ("agreement_number", "3003"),
        ],
    )
    .await;
    let ex = customer(env, "Бывший", &[("phone0", "89170001122")]).await;
    set_former(env, ex.id).await;
    let s = &env.svc;
    let a = &env.cashier;
    for (kind, value) in [
        (LookupKind::Account, "7001"),
        (LookupKind::BillingUid, "B-1"),
        (LookupKind::Codeti, "C-9"),
        (LookupKind::Agreement, "3003"),
        (LookupKind::Login, "rustam"),
        (LookupKind::Mail, "RUSTAM@yandex.ru"),
    ] {
        assert_eq!(s.find_customer_ids(a, kind, value, false).await.unwrap(), vec![c.id], "{kind:?}");
    }
    // one phone, two customers; the former one skipped on request
    let both = s.find_customer_ids(a, LookupKind::Phone, "9170001122", false).await.unwrap();
    assert_eq!(both, vec![c.id, ex.id]);
    let current = s.find_customer_ids(a, LookupKind::Phone, "8 917 000 11 22", true).await.unwrap();
    assert_eq!(current, vec![c.id]);
    assert!(s.find_customer_ids(a, LookupKind::Login, "nobody", false).await.unwrap().is_empty());
    assert!(matches!(
        s.find_customer_ids(a, LookupKind::Ip, "10.0.0.300", false).await,
        Err(ServiceError::Invalid { .. })
    ));
    assert!(matches!(
        s.find_customer_ids(a, LookupKind::Mac, "zz", false).await,
        Err(ServiceError::Invalid { .. })
    ));
}
both_backends!(lookups_by_every_kind, lookups_by_every_kind);

async fn filtered_lists(env: &Env) {
    let h1 = house(env, "ул. Мира", "1", "").await;
    let h2 = house(env, "ул. Мира", "2", "").await;
    let a = customer(env, "Алексеев А.", &[("house_id", &h1.to_string()), ("apartment_number", "1")]).await;
    let b = customer(
        env,
        "Борисов Б.",
        &[("house_id", &h1.to_string()), ("apartment_number", "2"), ("flag_corporate", "1")],
    )
    .await;
    let c =
        customer(env, "Васильев В.", &[("house_id", &h2.to_string()), ("date_connect", "2025-06-01")]).await;
    pay(env, a.id, "100").await;
    pay(env, b.id, "500").await;
    set_former(env, c.id).await;
    let list = |f: CustomerFilter| async move {
        env.svc
            .list_customers(
                &env.viewer,
                &CustomerFilter { limit: if f.limit == 0 { 100 } else { f.limit }, ..f },
            )
            .await
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(list(CustomerFilter { house_id: Some(h1), ..Default::default() }).await, vec![a.id, b.id]);
    assert_eq!(
        list(CustomerFilter { house_id: Some(h1), apartment: Some("2".into()), ..Default::default() }).await,
        vec![b.id]
    );
    assert_eq!(
        list(CustomerFilter { balance_from: Some(money("200")), ..Default::default() }).await,
        vec![b.id]
    );
    assert_eq!(list(CustomerFilter { balance_to: Some(money("0")), ..Default::default() }).await, vec![c.id]);
    assert_eq!(list(CustomerFilter { is_corporate: Some(true), ..Default::default() }).await, vec![b.id]);
    assert_eq!(list(CustomerFilter { is_former: Some(true), ..Default::default() }).await, vec![c.id]);
    assert_eq!(
        list(CustomerFilter { name: Some("ВАСИЛЬЕВ В.".into()), ..Default::default() }).await,
        vec![c.id]
    );
    assert_eq!(
        list(CustomerFilter { name: Some("ев".into()), is_like: true, ..Default::default() }).await,
        vec![a.id, c.id]
    );
    assert_eq!(
        list(CustomerFilter { manager_id: Some(None), limit: 2, ..Default::default() }).await,
        vec![a.id, b.id]
    );
    assert_eq!(
        list(CustomerFilter { date_connect_from: "2025-01-01".parse().ok(), ..Default::default() }).await,
        vec![c.id]
    );
    assert_eq!(
        list(CustomerFilter { state: Some(CustomerState::Active), ..Default::default() }).await.len(),
        3
    );
    let bad = env.svc.list_customers(&env.viewer, &CustomerFilter { limit: 0, ..Default::default() }).await;
    assert!(matches!(bad, Err(ServiceError::Invalid { .. })));
}
both_backends!(filtered_lists, filtered_lists);

/// Stop / pause / active with a history; to the former customers and back (left out of search
/// and look-ups meanwhile); delete only without money, and never a parent.
async fn lifecycle(env: &Env) {
    use kassa::store::lifecycle::ChangeKind;
    let s = &env.svc;
    let c = customer(env, "Жизненный Цикл", &[("login", "cycle")]).await;
    assert_eq!(c.state, CustomerState::Active);
    let paused = s.change_state(&env.cashier, c.id, CustomerState::Pause).await.unwrap();
    assert_eq!(paused.state, CustomerState::Pause);
    let again = s.change_state(&env.cashier, c.id, CustomerState::Pause).await;
    assert!(
        matches!(again, Err(ServiceError::Conflict(ref m)) if m.to_string().contains("already")),
        "{again:?}"
    );
    s.change_state(&env.cashier, c.id, CustomerState::Active).await.unwrap();
    assert!(matches!(
        s.change_state(&env.viewer, c.id, CustomerState::Stop).await,
        Err(ServiceError::Denied { .. })
    ));
    // to the former customers: out of search and look-ups unless asked for
    assert!(matches!(s.set_former(&env.cashier, c.id, true).await, Err(ServiceError::Denied { .. })));
    let former = s.set_former(&env.admin, c.id, true).await.unwrap();
    assert!(former.is_former);
    assert!(s.set_former(&env.admin, c.id, true).await.is_err(), "already former");
    let found = |include| async move {
        s.search_customers(&env.viewer, "Жизненный", include, 10).await.unwrap().customers.len()
    };
    assert_eq!((found(false).await, found(true).await), (0, 1));
    assert!(s.find_customer_ids(&env.viewer, LookupKind::Login, "cycle", true).await.unwrap().is_empty());
    s.set_former(&env.admin, c.id, false).await.unwrap();
    assert_eq!(found(false).await, 1);
    // the history, newest first, with who did it
    let h = s.state_history(&env.viewer, c.id).await.unwrap();
    let lines: Vec<(ChangeKind, i64, i64, Option<&str>)> =
        h.iter().map(|l| (l.kind, l.from_value, l.to_value, l.operator_login.as_deref())).collect();
    assert_eq!(
        lines,
        vec![
            (ChangeKind::Former, 1, 0, Some("admin")),
            (ChangeKind::Former, 0, 1, Some("admin")),
            (ChangeKind::State, 1, 2, Some("cashier")),
            (ChangeKind::State, 2, 1, Some("cashier")),
        ]
    );
    // delete: never with money, never a parent; a mistaken entry goes, its history with it
    pay(env, c.id, "100").await;
    let refused = s.delete_customer(&env.admin, c.id).await;
    assert!(
        matches!(refused, Err(ServiceError::Conflict(ref m)) if m.to_string().contains("former")),
        "{refused:?}"
    );
    let parent = customer(env, "Родитель", &[]).await;
    let child = customer(env, "Ребёнок", &[("parent_id", &parent.id.to_string())]).await;
    assert!(matches!(s.delete_customer(&env.admin, parent.id).await, Err(ServiceError::Conflict(_))));
    assert!(matches!(s.delete_customer(&env.cashier, child.id).await, Err(ServiceError::Denied { .. })));
    s.change_state(&env.admin, child.id, CustomerState::Stop).await.unwrap();
    let gone = s.delete_customer(&env.admin, child.id).await.unwrap();
    assert_eq!(gone.id, child.id);
    assert!(matches!(s.customer_card(&env.admin, child.id).await, Err(ServiceError::NotFound(..))));
    assert!(matches!(s.state_history(&env.admin, child.id).await, Err(ServiceError::NotFound(..))));
    s.delete_customer(&env.admin, parent.id).await.unwrap();
    let actions: Vec<String> =
        s.audit_log(&env.admin, None, None, 100).await.unwrap().iter().map(|a| a.action.clone()).collect();
    for a in ["customer.state", "customer.to_former", "customer.to_normal", "customer.delete"] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}
both_backends!(lifecycle, lifecycle);

async fn activity_counters_and_the_largest_agreement(env: &Env) {
    use kassa::store::customers::Activity;
    let recent = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    let old = (chrono::Utc::now() - chrono::Duration::days(10)).to_rfc3339();
    customer(env, "Сетевой", &[("date_activity", &recent), ("date_activity_inet", &recent)]).await;
    customer(env, "Давний", &[("date_activity", &old), ("date_activity_lk", &old)]).await;
    let lk = customer(env, "Кабинетный", &[("date_activity_lk", &recent), ("billing_id", "2")]).await;
    let gone = customer(env, "Ушедший", &[("date_activity", &recent), ("agreement_number", "900")]).await;
    super::helpers::set_former(env, gone.id).await;
    let count = |kind, days| env.svc.activity_counter(&env.viewer, kind, days);
    assert_eq!(count(Activity::Net, 1).await.unwrap(), 1, "the former customer is not counted");
    assert_eq!(count(Activity::Net, 30).await.unwrap(), 2);
    assert_eq!(count(Activity::Internet, 1).await.unwrap(), 1);
    assert_eq!(count(Activity::PersonalArea, 1).await.unwrap(), 1);
    assert_eq!(count(Activity::PersonalArea, 30).await.unwrap(), 2);
    assert!(matches!(count(Activity::Net, 0).await, Err(ServiceError::Invalid { .. })));
    // the largest numeric agreement: other spellings do not count; per billing when asked
    customer(env, "Буквенный", &[("agreement_number", "А-99999")]).await;
    assert_eq!(env.svc.max_agreement_number(&env.viewer, None).await.unwrap(), 900);
    assert_eq!(
        env.svc.max_agreement_number(&env.viewer, Some(2)).await.unwrap(),
        lk.agreement_number.unwrap().parse::<i64>().unwrap()
    );
    assert_eq!(env.svc.max_agreement_number(&env.viewer, Some(77)).await.unwrap(), 0);
}
both_backends!(activity_counters_and_the_largest_agreement, activity_counters_and_the_largest_agreement);

async fn personal_area_password(env: &Env) {
    let c = customer(env, "Кабинетов", &[]).await;
    // none yet: a cashier sets the first without an old one
    env.svc.change_lk_password(&env.cashier, c.id, None, "первый-1").await.unwrap();
    let before = audit_count(env).await;
    for (old, new) in [(None, "второй-2"), (Some("неверный"), "второй-2"), (Some("первый-1"), "коротк")]
    {
        let r = env.svc.change_lk_password(&env.cashier, c.id, old, new).await;
        match (old, r) {
            (Some("первый-1"), Ok(())) => {}
            (_, Err(ServiceError::Invalid { field, .. })) => assert_eq!(field, "old_password"),
            (o, other) => panic!("{o:?}: {other:?}"),
        }
    }
    assert_eq!(audit_count(env).await, before + 1, "only the right old password changed it");
    for bad in ["12345", "с\tтабом", &"x".repeat(129)] {
        let r = env.svc.change_lk_password(&env.admin, c.id, None, bad).await;
        assert!(
            matches!(r, Err(ServiceError::Invalid { field, .. }) if field == "new_password"),
            "{bad}: {r:?}"
        );
    }
    // an administrator needs no old password; a viewer may not
    env.svc.change_lk_password(&env.admin, c.id, None, "админский").await.unwrap();
    assert!(matches!(
        env.svc.change_lk_password(&env.viewer, c.id, Some("админский"), "новый-3").await,
        Err(ServiceError::Denied { .. })
    ));
    assert!(matches!(
        env.svc.change_lk_password(&env.admin, 999_999, None, "новый-3").await,
        Err(ServiceError::NotFound(..))
    ));
    env.svc.change_lk_password(&env.cashier, c.id, Some("админский"), "новый-3").await.unwrap();
    // the audit log never holds a password or its hash
    let log = env.svc.audit_log(&env.admin, Some("customer"), Some(c.id), 20).await.unwrap();
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains("argon2") && !text.contains("новый-3"), "{text}");
}
both_backends!(personal_area_password, personal_area_password);

/// Issue 14 item 16: an id once given is never given again, on either backend (SQLite gave
/// the largest id of a deleted row to the next new one: `audit --id N` mixed two people).
async fn ids_are_never_reused(env: &Env) {
    let _first = customer(env, "Первый Номер", &[]).await;
    let gone = customer(env, "Ошибочный Ввод", &[]).await;
    env.svc.delete_customer(&env.admin, gone.id).await.unwrap();
    let next = customer(env, "Следующий Номер", &[]).await;
    assert!(next.id > gone.id, "{} after the deleted {}", next.id, gone.id);
    let sw = |name: &str, ip: &str| kassa::service::SwitchInput {
        name: Some(name.into()),
        ip: Some(ip.into()),
        ports: Some("8".into()),
        ..Default::default()
    };
    let s1 = env.svc.add_switch(&env.noc, &sw("sw-a", "10.200.0.1")).await.unwrap();
    env.svc.delete_switch(&env.noc, s1.id).await.unwrap();
    let s2 = env.svc.add_switch(&env.noc, &sw("sw-b", "10.200.0.2")).await.unwrap();
    assert!(s2.id > s1.id, "{} after the deleted {}", s2.id, s1.id);
}
both_backends!(ids_are_never_reused, ids_are_never_reused);
