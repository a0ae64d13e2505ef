use kassa::domain::ledger::{OperationKind, PaymentMethod};
use kassa::domain::money::Money;
use kassa::service::{AdjustmentRequest, HistoryQuery, PaymentRequest, Service, ServiceError};

use super::helpers::{audit_count, customer, money, pay, payment};
use crate::both_backends;
use crate::common::{Env, test_config};

async fn payments_and_history(env: &Env) {
    let c = customer(env, "Ковальчук Ольга", &[]).await;
    let first = pay(env, c.id, "500").await;
    assert!(!first.replayed);
    assert_eq!(first.operation.balance_before, Money::ZERO);
    assert_eq!(first.operation.balance_after, money("500"));
    assert_eq!(first.operation.receipt_number.as_deref(), Some("1"));
    assert_eq!(first.operation.operator_login.as_deref(), Some("cashier"));
    assert_eq!(env.svc.peek_next_receipt(&env.cashier).await.unwrap(), "2");
    let mut card_req = payment(c.id, "1 234,50", None);
    card_req.method = PaymentMethod::Card;
    card_req.receipt_number = Some("ПКО-77".into());
    card_req.comment = Some("за декабрь".into());
    let second = env.svc.post_payment(&env.cashier, &card_req).await.unwrap();
    assert_eq!(second.operation.balance_before, money("500"));
    assert_eq!(second.operation.balance_after, money("1734.50"));
    // the same receipt number twice is refused
    let dup = env.svc.post_payment(&env.cashier, &card_req).await;
    assert!(matches!(&dup, Err(ServiceError::ReceiptUsed { number, .. }) if number == "ПКО-77"), "{dup:?}");
    // the automatic sequence goes on
    assert_eq!(pay(env, c.id, "0.01").await.operation.receipt_number.as_deref(), Some("2"));
    // numbers typed by hand ahead of the sequence are skipped by it, never used twice
    let other = customer(env, "Другой Плательщик", &[]).await;
    for typed in ["3", "4"] {
        let req = PaymentRequest { receipt_number: Some(typed.into()), ..payment(other.id, "1", None) };
        env.svc.post_payment(&env.cashier, &req).await.unwrap();
    }
    let before = audit_count(env).await;
    assert_eq!(pay(env, other.id, "0.01").await.operation.receipt_number.as_deref(), Some("5"));
    assert_eq!(audit_count(env).await, before + 1, "one operation, one audit row");
    // a typed number ahead of the sequence moves the counter past it (issue 14 item 1); one
    // behind it, unused, is taken and leaves the counter where it is
    for typed in ["100", "50"] {
        let req = PaymentRequest { receipt_number: Some(typed.into()), ..payment(other.id, "1", None) };
        env.svc.post_payment(&env.cashier, &req).await.unwrap();
        assert_eq!(env.svc.peek_next_receipt(&env.cashier).await.unwrap(), "101");
    }
    assert_eq!(pay(env, other.id, "0.01").await.operation.receipt_number.as_deref(), Some("101"));
    // one number however it is spelt (issue 14 item 11)
    let req = PaymentRequest { receipt_number: Some("777".into()), ..payment(other.id, "1", None) };
    env.svc.post_payment(&env.cashier, &req).await.unwrap();
    for spelling in ["777\u{200b}", "７７７", "\u{feff}777 "] {
        let req = PaymentRequest { receipt_number: Some(spelling.into()), ..payment(other.id, "1", None) };
        let r = env.svc.post_payment(&env.cashier, &req).await;
        assert!(
            matches!(&r, Err(ServiceError::ReceiptUsed { number, .. }) if number == "777"),
            "{spelling:?}: {r:?}"
        );
    }
    // an empty or blank idempotency key is refused, never taken as "no key" (item 6)
    for key in ["", " "] {
        let r = env.svc.post_payment(&env.cashier, &payment(other.id, "1", Some(key))).await;
        assert!(matches!(&r, Err(ServiceError::Invalid { field, .. }) if *field == "key"), "{key:?}: {r:?}");
    }

    let charge = AdjustmentRequest {
        customer_id: c.id,
        kind: OperationKind::Charge,
        amount: money("600"),
        comment: "Абонентская плата".into(),
        idempotency_key: None,
    };
    let ch = env.svc.post_adjustment(&env.admin, &charge).await.unwrap();
    assert_eq!(ch.operation.amount, money("-600"));
    let corr = AdjustmentRequest {
        customer_id: c.id,
        kind: OperationKind::Correction,
        amount: money("-0.01"),
        comment: "ошибка".into(),
        idempotency_key: None,
    };
    env.svc.post_adjustment(&env.admin, &corr).await.unwrap();
    // a balance below zero, in the audit row as well
    let debtor = customer(env, "Должник Пётр", &[]).await;
    let owed =
        env.svc.post_adjustment(&env.admin, &AdjustmentRequest { customer_id: debtor.id, ..charge }).await;
    assert_eq!(owed.unwrap().operation.balance_after, money("-600"));
    let owed =
        env.svc.post_adjustment(&env.admin, &AdjustmentRequest { customer_id: debtor.id, ..corr }).await;
    assert_eq!(owed.unwrap().operation.balance_after, money("-600.01"));

    // every operation's audit row says what the operation is, field by field (on PostgreSQL
    // the usual post writes its audit row in the same statement as the operation)
    let log = env.svc.audit_log(&env.admin, None, None, 10_000).await.unwrap();
    let mut checked = 0;
    for id in [c.id, other.id, debtor.id] {
        let query = HistoryQuery { customer_id: id, limit: 50, ..Default::default() };
        for op in env.svc.history(&env.viewer, &query).await.unwrap().operations {
            let entry = log
                .iter()
                .filter(|e| e.action == format!("ledger.{}", op.kind))
                .filter_map(|e| serde_json::from_str::<serde_json::Value>(e.after.as_deref()?).ok())
                .find(|v| v["id"] == op.id);
            assert_eq!(entry, Some(serde_json::to_value(&op).unwrap()), "the audit row of {op:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 14);

    let card = env.svc.customer_card(&env.cashier, c.id).await.unwrap();
    assert_eq!(card.customer.balance, money("1134.50"));
    assert_eq!(card.last_operations.len(), 5);
    assert_eq!(card.last_operations[0].kind, OperationKind::Correction);

    let q = |kinds: Vec<OperationKind>, limit: i64, offset: i64| HistoryQuery {
        customer_id: c.id,
        kinds,
        limit,
        offset,
        ..Default::default()
    };
    let all = env.svc.history(&env.viewer, &q(vec![], 50, 0)).await.unwrap();
    assert_eq!(all.total_count, 5);
    assert_eq!(all.income, money("1734.51"));
    assert_eq!(all.outcome, money("-600.01"));
    // newest first, and each balance-before is the previous balance-after
    for pair in all.operations.windows(2) {
        assert!(pair[0].id > pair[1].id);
        assert_eq!(pair[0].balance_before, pair[1].balance_after);
    }
    let payments = env.svc.history(&env.viewer, &q(vec![OperationKind::Payment], 2, 0)).await.unwrap();
    assert_eq!(payments.operations.len(), 2);
    assert_eq!(payments.total_count, 3);
    let page2 = env.svc.history(&env.viewer, &q(vec![OperationKind::Payment], 2, 2)).await.unwrap();
    assert_eq!(page2.operations.len(), 1);
    assert_eq!(page2.operations[0].id, first.operation.id);
    // a page past the end: no lines, the totals all the same
    let beyond = env.svc.history(&env.viewer, &q(vec![OperationKind::Payment], 2, 10)).await.unwrap();
    assert_eq!((beyond.operations.len(), beyond.total_count, beyond.income), (0, 3, money("1734.51")));
    let nobody =
        env.svc.history(&env.viewer, &HistoryQuery { customer_id: 999_999, ..q(vec![], 5, 0) }).await;
    assert!(
        matches!(&nobody, Err(e @ ServiceError::NotFound(kassa::service::Entity::Customer, k)) if k == "#999999" && e.to_string() == "customer #999999 not found"),
        "{nobody:?}"
    );
    // a date range: today holds everything, a range in the past nothing
    let today = chrono::Utc::now().date_naive();
    let in_range = env
        .svc
        .history(
            &env.viewer,
            &HistoryQuery {
                customer_id: c.id,
                from: Some(today),
                to: Some(today),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(in_range.total_count, 5);
    let past = env
        .svc
        .history(
            &env.viewer,
            &HistoryQuery {
                customer_id: c.id,
                from: "2020-01-01".parse().ok(),
                to: "2020-12-31".parse().ok(),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((past.total_count, past.operations.len()), (0, 0));
    let backwards = env
        .svc
        .history(
            &env.viewer,
            &HistoryQuery {
                customer_id: c.id,
                from: Some(today),
                to: "2020-12-31".parse().ok(),
                limit: 50,
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(backwards, Err(ServiceError::Invalid { .. })));
    assert!(matches!(
        env.svc.history(&env.viewer, &q(vec![], 0, 0)).await,
        Err(ServiceError::Invalid { .. })
    ));
}
both_backends!(payments_and_history, payments_and_history);

async fn bad_amounts_write_nothing(env: &Env) {
    let c = customer(env, "Нулев", &[]).await;
    let audit = audit_count(env).await;
    let zero = PaymentRequest { amount: Money::ZERO, ..payment(c.id, "1", None) };
    assert!(matches!(env.svc.post_payment(&env.cashier, &zero).await, Err(ServiceError::Invalid { .. })));
    let neg = PaymentRequest { amount: money("-5"), ..payment(c.id, "1", None) };
    assert!(matches!(env.svc.post_payment(&env.cashier, &neg).await, Err(ServiceError::Invalid { .. })));
    let bad_receipt = PaymentRequest { receipt_number: Some("12 34".into()), ..payment(c.id, "1", None) };
    assert!(matches!(
        env.svc.post_payment(&env.cashier, &bad_receipt).await,
        Err(ServiceError::Invalid { .. })
    ));
    let bad_key = payment(c.id, "1", Some("ключ с пробелами"));
    assert!(matches!(env.svc.post_payment(&env.cashier, &bad_key).await, Err(ServiceError::Invalid { .. })));
    let nobody = payment(424242, "1", None);
    assert!(matches!(env.svc.post_payment(&env.cashier, &nobody).await, Err(ServiceError::NotFound(..))));
    let no_comment = AdjustmentRequest {
        customer_id: c.id,
        kind: OperationKind::Charge,
        amount: money("1"),
        comment: " ".into(),
        idempotency_key: None,
    };
    assert!(matches!(
        env.svc.post_adjustment(&env.admin, &no_comment).await,
        Err(ServiceError::Invalid { .. })
    ));
    let neg_charge = AdjustmentRequest { amount: money("-1"), comment: "x".into(), ..no_comment.clone() };
    assert!(matches!(
        env.svc.post_adjustment(&env.admin, &neg_charge).await,
        Err(ServiceError::Invalid { .. })
    ));
    let zero_corr = AdjustmentRequest {
        kind: OperationKind::Correction,
        amount: Money::ZERO,
        comment: "x".into(),
        ..no_comment.clone()
    };
    assert!(matches!(
        env.svc.post_adjustment(&env.admin, &zero_corr).await,
        Err(ServiceError::Invalid { .. })
    ));
    let payment_kind = AdjustmentRequest { kind: OperationKind::Payment, comment: "x".into(), ..no_comment };
    assert!(matches!(
        env.svc.post_adjustment(&env.admin, &payment_kind).await,
        Err(ServiceError::Invalid { .. })
    ));
    assert_eq!(audit_count(env).await, audit);
    assert_eq!(env.svc.customer_card(&env.admin, c.id).await.unwrap().customer.balance, Money::ZERO);
}
both_backends!(bad_amounts_write_nothing, bad_amounts_write_nothing);

async fn idempotency(env: &Env) {
    let c = customer(env, "Повторов", &[]).await;
    let other = customer(env, "Другой", &[]).await;
    let first = env.svc.post_payment(&env.cashier, &payment(c.id, "300", Some("desk1-0001"))).await.unwrap();
    let audit = audit_count(env).await;
    let again = env.svc.post_payment(&env.cashier, &payment(c.id, "300", Some("desk1-0001"))).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.operation, first.operation);
    assert_eq!(audit_count(env).await, audit, "a replay writes nothing");
    for (cid, amount) in [(c.id, "301"), (other.id, "300")] {
        let r = env.svc.post_payment(&env.cashier, &payment(cid, amount, Some("desk1-0001"))).await;
        assert!(
            matches!(&r, Err(ServiceError::Conflict(m)) if m.to_string().contains("desk1-0001")),
            "{r:?}"
        );
    }
    let h = env
        .svc
        .history(&env.admin, &HistoryQuery { customer_id: c.id, limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(h.total_count, 1);
    assert_eq!(env.svc.customer_card(&env.admin, c.id).await.unwrap().customer.balance, money("300"));
}
both_backends!(idempotency, idempotency);

async fn reversals(env: &Env) {
    let c = customer(env, "Возвратов", &[]).await;
    let p = pay(env, c.id, "700").await.operation;
    let r = env.svc.reverse_operation(&env.admin, p.id, "ошибочный платёж", None).await.unwrap().operation;
    assert_eq!((r.kind, r.amount, r.reverses_id), (OperationKind::Reversal, money("-700"), Some(p.id)));
    assert_eq!(r.balance_after, Money::ZERO);
    let twice = env.svc.reverse_operation(&env.admin, p.id, "ещё раз", None).await;
    assert!(matches!(twice, Err(ServiceError::Conflict(_))), "{twice:?}");
    let of_reversal = env.svc.reverse_operation(&env.admin, r.id, "x", None).await;
    assert!(matches!(of_reversal, Err(ServiceError::Conflict(_))));
    assert!(matches!(
        env.svc.reverse_operation(&env.admin, 99_999, "x", None).await,
        Err(ServiceError::NotFound(..))
    ));
    // the cashier's own payment, cancelled already (what a cashier may cancel: tests/service/desk.rs)
    assert!(matches!(
        env.svc.reverse_operation(&env.cashier, p.id, "x", None).await,
        Err(ServiceError::Conflict(kassa::service::Conflict::Reversed { .. }))
    ));
    assert!(matches!(
        env.svc.reverse_operation(&env.viewer, p.id, "x", None).await,
        Err(ServiceError::Denied { .. })
    ));
}
both_backends!(reversals, reversals);

/// Runs `posters` posters at once, each with its own connection pool and login, each posting
/// the requests `requests(poster)` gives; returns when all are done.
async fn run_posters(env: &Env, posters: usize, requests: impl Fn(usize) -> Vec<PaymentRequest>) {
    let mut tasks = Vec::new();
    for p in 0..posters {
        let url = env.db.url.clone();
        let reqs = requests(p);
        tasks.push(tokio::spawn(async move {
            let svc = Service::open(&url, test_config()).await.unwrap();
            let actor = svc.login("cashier", crate::common::PASSWORD, "test").await.unwrap();
            for req in reqs {
                svc.post_payment(&actor, &req).await.unwrap();
            }
            svc.close().await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

async fn balance_and_count(env: &Env, customer_id: i64) -> (Money, i64) {
    let card = env.svc.customer_card(&env.admin, customer_id).await.unwrap();
    let q = HistoryQuery { customer_id, limit: 1000, ..Default::default() };
    let h = env.svc.history(&env.admin, &q).await.unwrap();
    (card.customer.balance, h.total_count)
}

/// Eight posters with their own connection pools on one customer at once: every payment lands,
/// none fails, the final balance is exact.
async fn concurrent_posters(env: &Env) {
    let c = customer(env, "Очередь", &[]).await;
    let per_poster = 15;
    run_posters(env, 8, |p| {
        (0..per_poster).map(|i| payment(c.id, "10.01", Some(&format!("poster{p}-{i}")))).collect()
    })
    .await;
    assert_eq!(
        balance_and_count(env, c.id).await,
        (Money::from_minor(8 * per_poster * 1001), 8 * per_poster)
    );
}
both_backends!(concurrent_posters, concurrent_posters);

/// Eight posters on customers picked at random (several posters meet on each): every balance
/// is exactly the sum of what was posted to it.
async fn concurrent_posters_on_random_customers(env: &Env) {
    let mut ids = Vec::new();
    for name in ["Первый", "Второй", "Третий", "Четвёртый"] {
        ids.push(customer(env, name, &[]).await.id);
    }
    // (customer, kopecks) of poster p's request i, the same whenever asked
    let pick =
        |p: usize, i: usize| (ids[(p * 7 + i * 13 + p * i) % ids.len()], 100 + (p * 31 + i * 17) as i64);
    run_posters(env, 8, |p| {
        (0..15)
            .map(|i| {
                let (c, kopecks) = pick(p, i);
                let mut req = payment(c, "1", Some(&format!("rnd{p}-{i}")));
                req.amount = Money::from_minor(kopecks);
                req
            })
            .collect()
    })
    .await;
    for &id in &ids {
        let expected: i64 = (0..8)
            .flat_map(|p| (0..15).map(move |i| (p, i)))
            .map(|(p, i)| pick(p, i))
            .filter(|(c, _)| *c == id)
            .map(|(_, k)| k)
            .sum();
        let posts =
            (0..8).flat_map(|p| (0..15).map(move |i| (p, i))).filter(|&(p, i)| pick(p, i).0 == id).count();
        assert_eq!(
            balance_and_count(env, id).await,
            (Money::from_minor(expected), posts as i64),
            "customer {id}"
        );
    }
}
both_backends!(concurrent_posters_on_random_customers, concurrent_posters_on_random_customers);

/// The same keys from several posters at once: exactly one operation per key.
async fn idempotency_storm(env: &Env) {
    let c = customer(env, "Шторм", &[]).await;
    run_posters(env, 4, |_| (0..10).map(|i| payment(c.id, "5", Some(&format!("storm-{i}")))).collect()).await;
    assert_eq!(balance_and_count(env, c.id).await, (money("50"), 10));
}
both_backends!(idempotency_storm, idempotency_storm);

/// Issue 15: a reversed payment and its reversal are no money in or out in the history's
/// totals, and the reversed one says what reversed it.
async fn reversed_payments_are_not_income(env: &Env) {
    let c = customer(env, "Возвратов", &[]).await;
    let wrong = pay(env, c.id, "100").await.operation.id;
    let reversal = env.svc.reverse_operation(&env.admin, wrong, "ошибка кассира", None).await.unwrap();
    pay(env, c.id, "50").await;
    let q = HistoryQuery { customer_id: c.id, limit: 10, ..Default::default() };
    let h = env.svc.history(&env.viewer, &q).await.unwrap();
    assert_eq!((h.income, h.outcome), (money("50"), money("0")));
    let original = h.operations.iter().find(|o| o.id == wrong).unwrap();
    assert_eq!(original.reversed_by, Some(reversal.operation.id));
}
both_backends!(reversed_payments_are_not_income, reversed_payments_are_not_income);
