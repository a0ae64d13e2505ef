use chrono::{Duration, Utc};
use kassa::domain::ledger::OperationKind;
use kassa::service::{AdjustmentRequest, HistoryQuery, PromiseRule, Service, ServiceError};
use sqlx::Connection;

use super::helpers::{audit_count, customer, money, pay};
use crate::both_backends;
use crate::common::{Env, Kind, test_config};

fn refused_by(r: &Result<impl std::fmt::Debug, ServiceError>, rule: PromiseRule) {
    match r {
        Err(e @ ServiceError::PromiseRefused(got)) => {
            assert_eq!(got.rule(), rule, "{e}");
            assert!(e.to_string().contains(rule.as_str()), "the refusal names its rule: {e}");
        }
        other => panic!("expected the rule {rule:?} to refuse, got {other:?}"),
    }
}

async fn set_balance(env: &Env, id: i64, amount: &str) {
    env.svc
        .post_adjustment(
            &env.admin,
            &AdjustmentRequest {
                customer_id: id,
                kind: OperationKind::Correction,
                amount: money(amount),
                comment: "test".into(),
                idempotency_key: None,
            },
        )
        .await
        .unwrap();
}

/// Moves every open promise's expiry into the past, as if days had gone by (tests only).
async fn age_promises(env: &Env) {
    let past = Utc::now() - Duration::hours(1);
    match env.db.kind() {
        Kind::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", env.db.url)).await.unwrap();
            sqlx::query("UPDATE promised_payments SET expires_at = $1 WHERE ended_at IS NULL")
                .bind(past)
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        }
        Kind::Postgres => {
            let mut c = sqlx::PgConnection::connect(&env.db.url).await.unwrap();
            sqlx::query("UPDATE promised_payments SET expires_at = $1 WHERE ended_at IS NULL")
                .bind(past)
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        }
    }
}

async fn promised_payment_rules_one_by_one(env: &Env) {
    let c = customer(env, "Обещалкин", &[]).await;
    pay(env, c.id, "100").await;
    let before = audit_count(env).await;
    // the amount and the length, then bad input
    refused_by(
        &env.svc.promise_payment(&env.cashier, c.id, money("1000.01"), 3).await,
        PromiseRule::MaxAmount,
    );
    refused_by(&env.svc.promise_payment(&env.cashier, c.id, money("300"), 6).await, PromiseRule::MaxDays);
    assert!(matches!(
        env.svc.promise_payment(&env.cashier, c.id, money("0"), 3).await,
        Err(ServiceError::Invalid { .. })
    ));
    assert!(matches!(
        env.svc.promise_payment(&env.cashier, c.id, money("300"), 0).await,
        Err(ServiceError::Invalid { .. })
    ));
    assert!(matches!(
        env.svc.promise_payment(&env.cashier, 999_999, money("300"), 3).await,
        Err(ServiceError::NotFound(..))
    ));
    assert_eq!(audit_count(env).await, before, "refusals write nothing");
    // given: the balance does not move, the card's "available" does
    let p = env.svc.promise_payment(&env.cashier, c.id, money("1000"), 5).await.unwrap();
    assert_eq!((p.days, p.amount), (5, money("1000")));
    assert_eq!(p.expires_at - p.created_at, Duration::days(5));
    let card = env.svc.customer_card(&env.viewer, c.id).await.unwrap();
    assert_eq!(card.customer.balance, money("100"));
    assert_eq!(card.available, money("1100"));
    assert_eq!(card.promise.as_ref().map(|x| x.id), Some(p.id));
    // one at a time, named with its end
    refused_by(&env.svc.promise_payment(&env.cashier, c.id, money("100"), 1).await, PromiseRule::OneAtATime);
    // it ends by itself: the run ends it when its time is up, not before
    assert!(env.svc.end_due_promises(Some(&env.admin), Utc::now()).await.unwrap().is_empty());
    let ended = env.svc.end_due_promises(Some(&env.admin), p.expires_at).await.unwrap();
    assert_eq!(ended.iter().map(|x| x.id).collect::<Vec<_>>(), vec![p.id]);
    assert_eq!(ended[0].ended_at, Some(p.expires_at));
    let card = env.svc.customer_card(&env.viewer, c.id).await.unwrap();
    assert_eq!((card.available, card.promise), (money("100"), None));
    // at most one a month (the default)
    refused_by(&env.svc.promise_payment(&env.cashier, c.id, money("100"), 1).await, PromiseRule::PerMonth);
    // the balance must be above the floor (-500 by default): at the floor is refused
    let d = customer(env, "Должников", &[]).await;
    set_balance(env, d.id, "-500").await;
    refused_by(
        &env.svc.promise_payment(&env.cashier, d.id, money("100"), 1).await,
        PromiseRule::BalanceFloor,
    );
    set_balance(env, d.id, "0.01").await;
    let q = env.svc.promise_payment(&env.cashier, d.id, money("100"), 1).await.unwrap();
    // it is in the history of its days, beside the operations (not among them)
    let h = env
        .svc
        .history(&env.viewer, &HistoryQuery { customer_id: d.id, limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(h.promises.iter().map(|x| x.id).collect::<Vec<_>>(), vec![q.id]);
    assert_eq!(h.total_count, 2, "two corrections; the promise is no operation");
    assert_eq!(env.svc.promises(&env.viewer, d.id).await.unwrap().len(), 1);
    let log = env.svc.audit_log(&env.admin, Some("customer"), Some(c.id), 50).await.unwrap();
    assert!(log.iter().any(|e| e.action == "promise.add" && e.operator_login == "cashier"));
    assert!(log.iter().any(|e| e.action == "promise.end" && e.before.is_some() && e.after.is_some()));
}
both_backends!(promised_payment_rules_one_by_one, promised_payment_rules_one_by_one);

async fn promises_end_when_the_service_starts(env: &Env) {
    let c = customer(env, "Забывчивый", &[]).await;
    env.svc.promise_payment(&env.cashier, c.id, money("200"), 2).await.unwrap();
    age_promises(env).await;
    // nothing ran yet: the card already leaves an expired promise out of "available"
    assert_eq!(env.svc.customer_card(&env.viewer, c.id).await.unwrap().available, money("0"));
    let started = Service::open(&env.db.url, test_config()).await.unwrap();
    let list = started.promises(&env.viewer, c.id).await.unwrap();
    assert!(list[0].ended_at.is_some(), "{list:?}");
    let log = started.audit_log(&env.admin, Some("customer"), Some(c.id), 10).await.unwrap();
    assert!(log.iter().any(|e| e.action == "promise.end" && e.operator_login == "system"), "{log:?}");
    started.close().await;
}
both_backends!(promises_end_when_the_service_starts, promises_end_when_the_service_starts);

async fn credit_limit(env: &Env) {
    let c = customer(env, "Кредитов", &[]).await;
    set_balance(env, c.id, "-200").await;
    let after = env.svc.set_credit_limit(&env.admin, c.id, money("500")).await.unwrap();
    assert_eq!(after.credit_limit, money("500"));
    assert_eq!(after.balance, money("-200"), "the balance does not move");
    assert_eq!(env.svc.customer_card(&env.viewer, c.id).await.unwrap().available, money("300"));
    let before = audit_count(env).await;
    assert!(matches!(
        env.svc.set_credit_limit(&env.admin, c.id, money("-1")).await,
        Err(ServiceError::Invalid { .. })
    ));
    assert!(matches!(
        env.svc.set_credit_limit(&env.admin, c.id, money("500")).await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        env.svc.set_credit_limit(&env.cashier, c.id, money("1")).await,
        Err(ServiceError::Denied { .. })
    ));
    assert_eq!(audit_count(env).await, before);
    let log = env.svc.audit_log(&env.admin, Some("customer"), Some(c.id), 5).await.unwrap();
    let e = log.iter().find(|e| e.action == "customer.credit_limit").unwrap();
    assert_eq!((e.before.as_deref(), e.after.as_deref()), (Some("\"0.00\""), Some("\"500.00\"")));
}
both_backends!(credit_limit, credit_limit);
