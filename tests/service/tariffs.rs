use chrono::NaiveDate;
use kassa::service::{NewCustomer, ServiceError, TariffInput, When};
use kassa::store::tariffs::Period;

use super::helpers::{customer, money, tariff};
use crate::both_backends;
use crate::common::Env;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn catalogue_and_switching(env: &Env) {
    let start = tariff(env, "Старт 50", "450", Period::Month, true).await;
    let turbo = tariff(env, "Турбо 500", "950", Period::Month, true).await;
    let daily = tariff(env, "Суточный", "25", Period::Day, true).await;
    let pension = tariff(env, "Пенсионный", "300", Period::Month, false).await;
    let old = env
        .svc
        .create_tariff(
            &env.admin,
            &TariffInput {
                name: "Архив".into(),
                price: money("500"),
                period: Period::Month,
                active: false,
                public: true,
                pause_price: None,
                transitions: None,
            },
        )
        .await
        .unwrap()
        .id;
    let dup = env
        .svc
        .create_tariff(
            &env.admin,
            &TariffInput {
                name: "Турбо 500".into(),
                price: money("1"),
                period: Period::Day,
                active: true,
                public: true,
                pause_price: None,
                transitions: None,
            },
        )
        .await;
    assert!(matches!(dup, Err(ServiceError::Conflict(_))));
    let neg = env
        .svc
        .create_tariff(
            &env.admin,
            &TariffInput {
                name: "Минус".into(),
                price: money("-1"),
                period: Period::Day,
                active: true,
                public: true,
                pause_price: None,
                transitions: None,
            },
        )
        .await;
    assert!(matches!(neg, Err(ServiceError::Invalid { .. })));

    let active: Vec<i64> =
        env.svc.list_tariffs(&env.viewer, false).await.unwrap().iter().map(|t| t.id).collect();
    assert_eq!(active, vec![daily, pension, start, turbo]);
    assert_eq!(env.svc.list_tariffs(&env.viewer, true).await.unwrap().len(), 5);

    let mut new = NewCustomer::default();
    new.fields.name = Some("Тарифов".into());
    new.tariff_id = Some(start);
    let c = env.svc.add_customer(&env.admin, &new).await.unwrap();
    // public, active, not the current one; never the inactive one, the private one only by transition
    let avail: Vec<i64> =
        env.svc.available_tariffs(&env.cashier, c.id).await.unwrap().iter().map(|t| t.id).collect();
    assert_eq!(avail, vec![daily, turbo]);
    let r = env.svc.change_tariff(&env.cashier, c.id, old, When::Now, day("2026-11-22")).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "{r:?}");
    let r = env.svc.change_tariff(&env.cashier, c.id, start, When::Now, day("2026-11-22")).await;
    assert!(matches!(&r, Err(ServiceError::Conflict(m)) if m.to_string().contains("already")), "{r:?}");
    assert!(matches!(
        env.svc.change_tariff(&env.cashier, c.id, 999, When::Now, day("2026-11-22")).await,
        Err(ServiceError::NotFound(..))
    ));

    // transitions: customers of Старт may move only to Пенсионный
    let (t, _) = env.svc.tariff(&env.admin, start).await.unwrap();
    env.svc
        .edit_tariff(
            &env.admin,
            start,
            &TariffInput {
                name: t.name,
                price: t.price,
                period: t.period,
                active: true,
                public: true,
                pause_price: None,
                transitions: Some(vec![pension]),
            },
        )
        .await
        .unwrap();
    let avail: Vec<i64> =
        env.svc.available_tariffs(&env.cashier, c.id).await.unwrap().iter().map(|t| t.id).collect();
    assert_eq!(avail, vec![pension]);

    // from the next period: scheduled, shown on the card, applied when due
    let o = env
        .svc
        .change_tariff(&env.cashier, c.id, pension, When::NextPeriod, day("2026-11-22"))
        .await
        .unwrap();
    assert!(!o.applied);
    assert_eq!(o.effective_on, day("2026-12-01"));
    let card = env.svc.customer_card(&env.viewer, c.id).await.unwrap();
    assert_eq!(card.customer.tariff_id, Some(start));
    let s = card.scheduled_change.unwrap();
    assert_eq!((s.tariff_id, s.effective_on), (pension, day("2026-12-01")));
    assert!(env.svc.apply_due_tariff_changes(&env.admin, day("2026-11-30")).await.unwrap().is_empty());
    let applied = env.svc.apply_due_tariff_changes(&env.admin, day("2026-12-01")).await.unwrap();
    assert_eq!(applied.len(), 1);
    let card = env.svc.customer_card(&env.viewer, c.id).await.unwrap();
    assert_eq!(card.customer.tariff_id, Some(pension));
    assert!(card.scheduled_change.is_none());

    // now: immediate, and it cancels a scheduled change
    let plain = customer(env, "Простой", &[]).await;
    env.svc.change_tariff(&env.cashier, plain.id, daily, When::Now, day("2026-11-22")).await.unwrap();
    env.svc.change_tariff(&env.cashier, plain.id, turbo, When::NextPeriod, day("2026-11-22")).await.unwrap();
    let sched = env.svc.customer_card(&env.viewer, plain.id).await.unwrap().scheduled_change.unwrap();
    assert_eq!(sched.effective_on, day("2026-11-23"), "a daily tariff's next period is tomorrow");
    env.svc.change_tariff(&env.cashier, plain.id, start, When::Now, day("2026-11-22")).await.unwrap();
    let card = env.svc.customer_card(&env.viewer, plain.id).await.unwrap();
    assert_eq!(card.customer.tariff_id, Some(start));
    assert!(card.scheduled_change.is_none());
}
both_backends!(catalogue_and_switching, catalogue_and_switching);
