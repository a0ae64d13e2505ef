use kassa::service::ServiceError;

use super::helpers::{audit_count, customer};
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
        Err(ServiceError::NotFound(_))
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
    assert!(matches!(env.svc.delete_group(&env.admin, g.id).await, Err(ServiceError::NotFound(_))));
    let log = env.svc.audit_log(&env.admin, Some("mark"), Some(m.id), 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "mark.edit" && e.before.is_some() && e.after.is_some()));
}
both_backends!(marks_and_groups, marks_and_groups);
