use kassa::service::ServiceError;

use super::helpers::{audit_count, customer, money};
use crate::both_backends;
use crate::common::Env;

async fn marks_and_groups(env: &Env) {
    let m = env.svc.add_mark(&env.admin, " Должник ", "RED").await.unwrap();
    assert_eq!((m.name.as_str(), m.color.as_str()), ("Должник", "red"));
    let before = audit_count(env).await;
    for (name, color, field) in
        [("", "red", "name"), ("Х", "orange", "color"), (&*"я".repeat(65), "red", "name")]
    {
        match env.svc.add_mark(&env.admin, name, color).await {
            Err(ServiceError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{name} {color}: {other:?}"),
        }
    }
    assert!(matches!(env.svc.add_mark(&env.admin, "Должник", "green").await, Err(ServiceError::Conflict(_))));
    assert!(matches!(env.svc.add_mark(&env.cashier, "Ещё", "green").await, Err(ServiceError::Denied { .. })));
    assert_eq!(audit_count(env).await, before);
    // a customer carries it; twice or not at all is a conflict
    let c = customer(env, "Меченый", &[]).await;
    env.svc.set_mark(&env.cashier, c.id, m.id, true).await.unwrap();
    assert!(matches!(env.svc.set_mark(&env.cashier, c.id, m.id, true).await, Err(ServiceError::Conflict(_))));
    assert!(matches!(
        env.svc.set_mark(&env.cashier, c.id, 9_999, true).await,
        Err(ServiceError::NotFound(..))
    ));
    assert!(matches!(
        env.svc.set_mark(&env.viewer, c.id, m.id, false).await,
        Err(ServiceError::Denied { .. })
    ));
    assert_eq!(env.svc.customer_card(&env.viewer, c.id).await.unwrap().marks, vec!["Должник".to_string()]);
    let listed = env.svc.list_marks(&env.viewer).await.unwrap();
    assert_eq!(listed[0].customers, 1);
    // a mark in use is not deleted; renamed and recoloured it stays on the customer
    assert!(matches!(env.svc.delete_mark(&env.admin, m.id).await, Err(ServiceError::Conflict(_))));
    let e = env.svc.edit_mark(&env.admin, m.id, Some("Долг"), Some("magenta")).await.unwrap();
    assert_eq!((e.name.as_str(), e.color.as_str(), e.customers), ("Долг", "magenta", 1));
    env.svc.set_mark(&env.cashier, c.id, m.id, false).await.unwrap();
    assert!(matches!(
        env.svc.set_mark(&env.cashier, c.id, m.id, false).await,
        Err(ServiceError::Conflict(_))
    ));
    env.svc.delete_mark(&env.admin, m.id).await.unwrap();
    assert!(env.svc.list_marks(&env.viewer).await.unwrap().is_empty());

    // groups: a group with customers is not deleted
    let g = env.svc.add_group(&env.admin, "VIP").await.unwrap();
    assert!(matches!(env.svc.add_group(&env.admin, "VIP").await, Err(ServiceError::Conflict(_))));
    let member = customer(env, "Важный", &[("group_id", &g.id.to_string())]).await;
    assert_eq!(env.svc.list_groups(&env.viewer).await.unwrap()[0].customers, 1);
    assert!(matches!(env.svc.delete_group(&env.admin, g.id).await, Err(ServiceError::Conflict(_))));
    let r = env.svc.rename_group(&env.admin, g.id, "Особые").await.unwrap();
    assert_eq!(r.name, "Особые");
    assert_eq!(env.svc.customer_card(&env.viewer, member.id).await.unwrap().group.as_deref(), Some("Особые"));
    env.svc
        .edit_customer(
            &env.admin,
            member.id,
            &kassa::service::CustomerChanges { group_id: Some(String::new()), ..Default::default() },
        )
        .await
        .unwrap();
    env.svc.delete_group(&env.admin, g.id).await.unwrap();
    assert!(matches!(env.svc.delete_group(&env.admin, g.id).await, Err(ServiceError::NotFound(..))));
    let log = env.svc.audit_log(&env.admin, Some("mark"), Some(m.id), 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "mark.edit" && e.before.is_some() && e.after.is_some()));
}
both_backends!(marks_and_groups, marks_and_groups);

async fn messages_with_customers(env: &Env) {
    use kassa::service::{Direction, MessageQuery};
    let a = customer(env, "Пишущий", &[]).await;
    let b = customer(env, "Молчун", &[]).await;
    let m1 = env
        .svc
        .add_message(&env.cashier, a.id, Direction::Customer, "  Нет интернета\nс утра \u{7}")
        .await
        .unwrap();
    assert_eq!(m1.body, "Нет интернета\nс утра");
    assert_eq!(m1.operator_login.as_deref(), Some("cashier"));
    env.svc.add_message(&env.admin, a.id, Direction::Operator, "Проверили порт, работает").await.unwrap();
    env.svc.add_message(&env.cashier, b.id, Direction::Operator, "Напоминаем об оплате").await.unwrap();
    let before = audit_count(env).await;
    for bad in ["", "  \n ", &"я".repeat(4001)] {
        assert!(matches!(
            env.svc.add_message(&env.cashier, a.id, Direction::Customer, bad).await,
            Err(ServiceError::Invalid { .. })
        ));
    }
    assert!(matches!(
        env.svc.add_message(&env.viewer, a.id, Direction::Customer, "x").await,
        Err(ServiceError::Denied { .. })
    ));
    assert!(matches!(
        env.svc.add_message(&env.cashier, 999_999, Direction::Customer, "x").await,
        Err(ServiceError::NotFound(..))
    ));
    assert_eq!(audit_count(env).await, before);
    let q = |customer_id, operator: Option<&str>, archived| MessageQuery {
        customer_id,
        operator: operator.map(str::to_string),
        archived,
        limit: 50,
        ..Default::default()
    };
    // by customer (newest first), by employee, by days
    let of_a = env.svc.messages(&env.viewer, &q(Some(a.id), None, None)).await.unwrap();
    assert_eq!(
        of_a.iter().map(|m| m.direction).collect::<Vec<_>>(),
        vec![Direction::Operator, Direction::Customer]
    );
    assert_eq!(env.svc.messages(&env.viewer, &q(None, Some("cashier"), None)).await.unwrap().len(), 2);
    assert!(matches!(
        env.svc.messages(&env.viewer, &q(None, Some("nobody"), None)).await,
        Err(ServiceError::NotFound(..))
    ));
    let today = chrono::Utc::now().date_naive();
    let days = |from, to| MessageQuery { from: Some(from), to: Some(to), limit: 50, ..Default::default() };
    assert_eq!(env.svc.messages(&env.viewer, &days(today, today)).await.unwrap().len(), 3);
    let yesterday = today - chrono::Duration::days(1);
    assert!(env.svc.messages(&env.viewer, &days(yesterday, yesterday)).await.unwrap().is_empty());
    assert!(matches!(
        env.svc.messages(&env.viewer, &days(today, yesterday)).await,
        Err(ServiceError::Invalid { .. })
    ));
    // the archive keeps them, out of the way
    env.svc.archive_message(&env.cashier, m1.id, true).await.unwrap();
    assert!(matches!(
        env.svc.archive_message(&env.cashier, m1.id, true).await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(env.svc.messages(&env.viewer, &q(Some(a.id), None, Some(false))).await.unwrap().len(), 1);
    assert_eq!(env.svc.messages(&env.viewer, &q(Some(a.id), None, Some(true))).await.unwrap()[0].id, m1.id);
    env.svc.archive_message(&env.cashier, m1.id, false).await.unwrap();
    assert!(matches!(
        env.svc.archive_message(&env.cashier, 999, true).await,
        Err(ServiceError::NotFound(..))
    ));
}
both_backends!(messages_with_customers, messages_with_customers);

async fn extra_services(env: &Env) {
    use kassa::service::{CustomerServiceInput, ServiceInput};
    let input = |name: &str, price: &str, period: &str| ServiceInput {
        name: Some(name.into()),
        price: Some(price.into()),
        period: Some(period.into()),
        active: None,
    };
    let ip = env.svc.add_service(&env.admin, &input("Белый IP", "150", "month")).await.unwrap();
    let tv = env.svc.add_service(&env.admin, &input("ТВ-приставка", "5", "day")).await.unwrap();
    let before = audit_count(env).await;
    for (bad, field) in [
        (input("", "1", "month"), "name"),
        (input("X", "-1", "month"), "price"),
        (input("X", "abc", "month"), "price"),
        (input("X", "1", "week"), "period"),
        (ServiceInput { active: Some("может".into()), ..input("X", "1", "day") }, "active"),
    ] {
        match env.svc.add_service(&env.admin, &bad).await {
            Err(ServiceError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    assert!(matches!(
        env.svc.add_service(&env.admin, &input("Белый IP", "1", "day")).await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        env.svc.add_service(&env.cashier, &input("Ещё", "1", "day")).await,
        Err(ServiceError::Denied { .. })
    ));
    assert_eq!(audit_count(env).await, before);
    // a customer's services: own price, quantity, comment, enabled, next charge
    let c = customer(env, "Услужливый", &[]).await;
    let own = CustomerServiceInput {
        price: Some("100".into()),
        quantity: Some("2".into()),
        comment: Some("скидка ветерану".into()),
        next_charge_on: Some("01.12.2026".into()),
        ..Default::default()
    };
    let a = env.svc.add_customer_service(&env.cashier, c.id, ip.id, &own).await.unwrap();
    assert_eq!((a.price, a.own_price, a.quantity, a.enabled), (money("100"), Some(money("100")), 2, true));
    assert_eq!(a.next_charge_on.map(|d| d.to_string()).as_deref(), Some("2026-12-01"));
    let b = env
        .svc
        .add_customer_service(&env.cashier, c.id, tv.id, &CustomerServiceInput::default())
        .await
        .unwrap();
    assert_eq!((b.price, b.own_price), (money("5"), None), "the catalogue's price");
    for (bad, field) in [
        (CustomerServiceInput { quantity: Some("0".into()), ..Default::default() }, "quantity"),
        (CustomerServiceInput { price: Some("-5".into()), ..Default::default() }, "price"),
        (
            CustomerServiceInput { next_charge_on: Some("31.02.2026".into()), ..Default::default() },
            "next_charge_on",
        ),
        (CustomerServiceInput { enabled: Some("x".into()), ..Default::default() }, "enabled"),
    ] {
        match env.svc.edit_customer_service(&env.cashier, a.id, &bad).await {
            Err(ServiceError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    let off = CustomerServiceInput {
        enabled: Some("нет".into()),
        price: Some(String::new()),
        ..Default::default()
    };
    let a2 = env.svc.edit_customer_service(&env.cashier, a.id, &off).await.unwrap();
    assert_eq!((a2.enabled, a2.own_price, a2.price, a2.quantity), (false, None, money("150"), 2));
    // a catalogue price change reaches those without their own price
    env.svc
        .edit_service(&env.admin, tv.id, &ServiceInput { price: Some("6".into()), ..Default::default() })
        .await
        .unwrap();
    let list = env.svc.customer_services(&env.viewer, c.id).await.unwrap();
    assert_eq!(list.iter().map(|s| s.price).collect::<Vec<_>>(), vec![money("150"), money("6")]);
    // a service no longer offered is not given anew, but stays with who has it
    env.svc
        .edit_service(&env.admin, tv.id, &ServiceInput { active: Some("no".into()), ..Default::default() })
        .await
        .unwrap();
    assert!(matches!(
        env.svc.add_customer_service(&env.cashier, c.id, tv.id, &CustomerServiceInput::default()).await,
        Err(ServiceError::Conflict(_))
    ));
    assert_eq!(env.svc.list_services(&env.viewer, false).await.unwrap().len(), 1);
    assert_eq!(env.svc.list_services(&env.viewer, true).await.unwrap().len(), 2);
    assert!(matches!(
        env.svc.add_customer_service(&env.viewer, c.id, ip.id, &CustomerServiceInput::default()).await,
        Err(ServiceError::Denied { .. })
    ));
    env.svc.remove_customer_service(&env.cashier, b.id).await.unwrap();
    assert!(matches!(
        env.svc.remove_customer_service(&env.cashier, b.id).await,
        Err(ServiceError::NotFound(..))
    ));
    // merge carries them
    let main = customer(env, "Главный", &[]).await;
    let p = env.svc.merge_preview(&env.admin, main.id, c.id).await.unwrap();
    assert_eq!(p.moves.services, 1);
    env.svc.merge_customers(&env.admin, main.id, c.id).await.unwrap();
    assert_eq!(env.svc.customer_services(&env.viewer, main.id).await.unwrap()[0].id, a.id);
}
both_backends!(extra_services, extra_services);
