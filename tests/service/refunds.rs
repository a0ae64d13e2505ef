//! Partial refunds and the catalogue of payment methods: a payment given back in parts,
//! never beyond its amount, each part a cash-out order (РКО) numbered without gaps, even when
//! desks refund at once; the cashier's limits; the refund's slip; methods the administrator
//! adds, renames, orders and switches off, and what the desk's reports call them.

use kassa::domain::ledger::{OperationKind, PaymentMethod};
use kassa::domain::money::Money;
use kassa::service::{CancelWhy, Conflict, MethodChange, Problem, RefundRequest, ReportBy, ServiceError};

use kassa::store::UniqueKey;

use super::helpers::{audit_count, customer, money, payment};
use crate::both_backends;
use crate::common::Env;

fn refund(operation_id: i64, amount: &str) -> RefundRequest {
    RefundRequest {
        operation_id,
        amount: money(amount),
        reason: "вернули часть".into(),
        idempotency_key: None,
    }
}

fn conflict<T: std::fmt::Debug>(r: &Result<T, ServiceError>) -> Option<&Conflict> {
    match r {
        Err(ServiceError::Conflict(c)) => Some(c),
        _ => None,
    }
}

fn problem<T: std::fmt::Debug>(r: &Result<T, ServiceError>) -> Option<(&str, &Problem)> {
    match r {
        Err(ServiceError::Invalid { field, problem }) => Some((field, problem)),
        _ => None,
    }
}

async fn refunds_in_parts(env: &Env) {
    let svc = &env.svc;
    let c = customer(env, "Возвратов Олег", &[]).await.id;
    let paid = svc.post_payment(&env.cashier, &payment(c, "1 000", None)).await.unwrap().operation;
    let x0 = svc.shift_report(&env.cashier, None).await.unwrap();

    let first = svc.refund_payment(&env.cashier, &refund(paid.id, "300")).await.unwrap().operation;
    assert_eq!(
        (first.kind, first.amount, first.refund_of, first.rko_number),
        (OperationKind::Reversal, money("-300"), Some(paid.id), Some(1))
    );
    assert_eq!(first.shift_id, paid.shift_id, "the cash left this shift's drawer");
    assert_eq!(first.balance_after, money("700"));

    // refused, nothing written, no number used
    let before = audit_count(env).await;
    let too_much = svc.refund_payment(&env.cashier, &refund(paid.id, "700.01")).await;
    assert!(matches!(problem(&too_much), Some(("amount", Problem::RefundTooMuch(left))) if left == "700.00"));
    assert!(problem(&svc.refund_payment(&env.cashier, &refund(paid.id, "0")).await).is_some());
    let mut no_reason = refund(paid.id, "1");
    no_reason.reason = "  ".into();
    assert!(matches!(problem(&svc.refund_payment(&env.cashier, &no_reason).await), Some(("comment", _))));
    let cancel = svc.reverse_operation(&env.cashier, paid.id, "ошибка", None).await;
    assert!(matches!(conflict(&cancel), Some(Conflict::PartlyRefunded(id)) if *id == paid.id), "{cancel:?}");
    assert!(matches!(
        conflict(&svc.refund_payment(&env.cashier, &refund(first.id, "1")).await),
        Some(Conflict::NotRefundable(_))
    ));
    assert_eq!(audit_count(env).await, before, "a refused refund writes nothing");

    let rest = svc.refund_payment(&env.cashier, &refund(paid.id, "700")).await.unwrap().operation;
    assert_eq!(rest.rko_number, Some(2), "the refused ones took no number");
    let none_left = svc.refund_payment(&env.cashier, &refund(paid.id, "0.01")).await;
    assert!(matches!(problem(&none_left), Some((_, Problem::RefundTooMuch(left))) if left == "0.00"));

    // the history shows what was given back; the totals count it as money out
    let q = kassa::service::HistoryQuery { customer_id: c, limit: 10, ..Default::default() };
    let page = svc.history(&env.admin, &q).await.unwrap();
    let p = page.operations.iter().find(|o| o.id == paid.id).unwrap();
    assert_eq!((p.refunded, p.refundable()), (money("1 000"), Money::ZERO));
    assert_eq!((page.income, page.outcome), (money("1 000"), money("-1 000")));

    // the X report: given back in cash, the drawer holds less
    let x = svc.shift_report(&env.cashier, None).await.unwrap();
    let cash = x.by_method.iter().find(|t| t.method == PaymentMethod::Cash).unwrap();
    let cash0 = x0.by_method.iter().find(|t| t.method == PaymentMethod::Cash).unwrap();
    assert_eq!(cash.reversals - cash0.reversals, 2);
    assert_eq!(x.expected_cash.minor(), x0.expected_cash.minor() - 100_000);

    // the slip is the cash-out order, naming the payment's receipt
    let slip = svc.receipt(&env.cashier, first.id).await.unwrap();
    assert_eq!(
        (slip.receipt_number.as_str(), slip.refund_of.as_deref(), slip.amount),
        ("1", paid.receipt_number.as_deref(), money("300"))
    );
    assert!(slip.text(32).contains("РАСХОДНЫЙ КАССОВЫЙ ОРДЕР"));

    // a cancelled payment is not refunded
    let other = svc.post_payment(&env.cashier, &payment(c, "50", None)).await.unwrap().operation;
    svc.reverse_operation(&env.cashier, other.id, "ошибка", None).await.unwrap();
    let r = svc.refund_payment(&env.cashier, &refund(other.id, "10")).await;
    assert!(matches!(conflict(&r), Some(Conflict::Reversed { .. })), "{r:?}");
}
both_backends!(in_parts, refunds_in_parts);

/// A cashier refunds only their own payment while its shift is open at their desk; once it
/// closes only an administrator does, and the money then belongs to no shift.
async fn a_cashiers_limits(env: &Env) {
    let svc = &env.svc;
    let c = customer(env, "Лимитов Пётр", &[]).await.id;
    let admins = svc.post_payment(&env.admin, &payment(c, "100", None)).await.unwrap().operation;
    let r = svc.refund_payment(&env.cashier, &refund(admins.id, "10")).await;
    assert!(matches!(conflict(&r), Some(Conflict::RefundRefused(CancelWhy::NotOwn))), "{r:?}");
    assert!(matches!(
        svc.refund_payment(&env.viewer, &refund(admins.id, "10")).await,
        Err(ServiceError::Denied { .. })
    ));
    let own = svc.post_payment(&env.cashier, &payment(c, "100", None)).await.unwrap().operation;
    let x = svc.shift_report(&env.cashier, None).await.unwrap();
    svc.close_shift(&env.cashier, x.expected_cash).await.unwrap();
    let r = svc.refund_payment(&env.cashier, &refund(own.id, "10")).await;
    assert!(matches!(conflict(&r), Some(Conflict::RefundRefused(CancelWhy::ShiftClosed))), "{r:?}");
    let by_admin = svc.refund_payment(&env.admin, &refund(own.id, "10")).await.unwrap().operation;
    assert_eq!((by_admin.shift_id, by_admin.rko_number), (None, Some(1)));
}
both_backends!(cashiers_limits, a_cashiers_limits);

/// Twenty refunds of 100 of one 1 000 payment from four desks at once: ten pass, the РКО
/// numbers are 1 to 10 without a gap, the balance and the ledger agree.
async fn refunds_racing(env: &Env) {
    let svc = &env.svc;
    let c = customer(env, "Гонкин Иван", &[]).await.id;
    let paid = svc.post_payment(&env.admin, &payment(c, "1 000", None)).await.unwrap().operation;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (svc, admin) = (svc.clone(), env.admin.clone());
        tasks.push(tokio::spawn(async move {
            let mut r = refund(paid.id, "100");
            r.idempotency_key = Some(format!("race-{i}"));
            svc.refund_payment(&admin, &r).await
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(done) => numbers.push(done.operation.rko_number.unwrap()),
            Err(e) => assert!(matches!(problem(&Err::<(), _>(e)), Some((_, Problem::RefundTooMuch(_))))),
        }
    }
    numbers.sort();
    assert_eq!(numbers, (1..=10).collect::<Vec<_>>());
    let card = svc.customer_card(&env.admin, c).await.unwrap();
    assert_eq!(card.customer.balance, Money::ZERO);
}
both_backends!(racing, refunds_racing);

/// The catalogue: the four kinds first; an administrator adds «СБП» (a card payment), which
/// the desk then takes and the reports name; switched off, it takes nothing; the last method
/// on stays on.
async fn payment_methods_are_a_catalogue(env: &Env) {
    let svc = &env.svc;
    let codes = |ms: Vec<kassa::domain::PayMethod>| ms.into_iter().map(|m| m.code).collect::<Vec<_>>();
    assert_eq!(
        codes(svc.payment_methods(&env.cashier, false).await.unwrap()),
        ["cash", "card", "bank", "terminal"]
    );
    assert!(matches!(
        svc.add_payment_method(&env.cashier, "sbp", "СБП", PaymentMethod::Card).await,
        Err(ServiceError::Denied { .. })
    ));
    let bad = svc.add_payment_method(&env.admin, "1sbp", "СБП", PaymentMethod::Card).await;
    assert!(matches!(problem(&bad), Some(("method", Problem::MethodCode(_)))), "{bad:?}");
    let sbp = svc.add_payment_method(&env.admin, " SBP ", "СБП", PaymentMethod::Card).await.unwrap();
    assert_eq!((sbp.code.as_str(), sbp.position), ("sbp", 5));
    let twice = svc.add_payment_method(&env.admin, "sbp", "Другое", PaymentMethod::Card).await;
    assert!(matches!(conflict(&twice), Some(Conflict::Taken(UniqueKey::MethodCode))), "{twice:?}");

    let c = customer(env, "Методов Глеб", &[]).await.id;
    let mut r = payment(c, "250", None);
    r.method_code = Some("sbp".into());
    let op = svc.post_payment(&env.cashier, &r).await.unwrap().operation;
    assert_eq!(
        (op.method, op.method_code.as_deref(), op.method_name.as_deref()),
        (Some(PaymentMethod::Card), Some("sbp"), Some("СБП"))
    );
    let mut unknown = r.clone();
    unknown.method_code = Some("qiwi".into());
    assert!(matches!(
        problem(&svc.post_payment(&env.cashier, &unknown).await),
        Some((_, Problem::MethodUnknown(_)))
    ));
    svc.reverse_operation(&env.cashier, op.id, "не тот способ", None).await.unwrap();
    let op2 = svc.post_payment(&env.cashier, &r).await.unwrap().operation;

    let x = svc.shift_report(&env.cashier, None).await.unwrap();
    let line = x.by_method.iter().find(|t| t.code == "sbp").expect("a line of its own");
    assert_eq!((line.name.as_str(), line.payments, line.reversals), ("СБП", 2, 1));
    let today = kassa::domain::dates::today();
    let report = svc.payments_report(&env.admin, today, today, ReportBy::Method).await.unwrap();
    let l = report.iter().find(|l| l.key == "СБП").expect("named by the catalogue");
    assert_eq!(l.net(), money("250"));

    // renamed and moved first; switched off, it takes nothing more
    let change = MethodChange { name: Some("СБП (QR)".into()), position: Some(1), active: None };
    svc.edit_payment_method(&env.admin, "sbp", &change).await.unwrap();
    assert_eq!(codes(svc.payment_methods(&env.cashier, false).await.unwrap())[0], "sbp");
    let off = MethodChange { active: Some(false), ..Default::default() };
    svc.edit_payment_method(&env.admin, "sbp", &off).await.unwrap();
    assert!(!codes(svc.payment_methods(&env.cashier, false).await.unwrap()).contains(&"sbp".to_string()));
    assert!(codes(svc.payment_methods(&env.cashier, true).await.unwrap()).contains(&"sbp".to_string()));
    let before = audit_count(env).await;
    let refused = svc.post_payment(&env.cashier, &r).await;
    assert!(
        matches!(problem(&refused), Some(("method", Problem::MethodInactive(n))) if n == "СБП (QR)"),
        "{refused:?}"
    );
    assert_eq!(audit_count(env).await, before);
    // a refund of an earlier payment by a method now off still goes through
    svc.refund_payment(&env.cashier, &refund(op2.id, "50")).await.unwrap();

    for code in ["card", "bank", "terminal"] {
        svc.edit_payment_method(&env.admin, code, &off).await.unwrap();
    }
    let last = svc.edit_payment_method(&env.admin, "cash", &off).await;
    assert!(matches!(problem(&last), Some(("active", Problem::LastMethod))), "{last:?}");
    let mut card = payment(c, "10", None);
    card.method = PaymentMethod::Card;
    assert!(matches!(
        problem(&svc.post_payment(&env.cashier, &card).await),
        Some((_, Problem::MethodInactive(_)))
    ));
}
both_backends!(methods, payment_methods_are_a_catalogue);
