//! The cash desk: a shift from opening to close (30 payments of mixed methods with change, a
//! cancellation, cash in and out, the X report, the blind close and the Z report against the
//! ledger), two desks with their own drawers, a close racing with payments, and bad input.

use kassa::domain::ledger::{OperationKind, PaymentMethod};
use kassa::domain::money::Money;
use kassa::service::{Actor, CancelWhy, CashMoveKind, Conflict, Problem, ReportBy, Service, ServiceError};

use super::helpers::{audit_count, customer, money, payment};
use crate::both_backends;
use crate::common::{Env, PASSWORD};

async fn cashier_at(svc: &Service, desk: &str) -> Actor {
    svc.login("cashier", PASSWORD, desk).await.unwrap()
}

fn conflict(r: &Result<impl std::fmt::Debug, ServiceError>) -> Option<&Conflict> {
    match r {
        Err(ServiceError::Conflict(c)) => Some(c),
        _ => None,
    }
}

fn invalid(r: &Result<impl std::fmt::Debug, ServiceError>) -> Option<(&str, &Problem)> {
    match r {
        Err(ServiceError::Invalid { field, problem }) => Some((field, problem)),
        _ => None,
    }
}

async fn a_shift_from_opening_to_close(env: &Env) {
    let svc = &env.svc;
    let kassa1 = cashier_at(svc, "10.0.0.21").await;
    assert_eq!(kassa1.desk, "10.0.0.21", "without [desk] name the desk is the origin");
    let a = customer(env, "Абрамов Илья", &[]).await.id;
    let b = customer(env, "Борисова Вера", &[]).await.id;

    // no shift here yet: cash is refused and nothing is written, a card payment is taken
    let before = audit_count(env).await;
    let r = svc.post_payment(&kassa1, &payment(a, "100", None)).await;
    assert!(matches!(conflict(&r), Some(Conflict::NoShift(d)) if d == "10.0.0.21"), "{r:?}");
    assert_eq!(audit_count(env).await, before);
    let mut card = payment(a, "100", None);
    card.method = PaymentMethod::Card;
    let shiftless = svc.post_payment(&kassa1, &card).await.unwrap().operation;
    assert_eq!((shiftless.shift_id, shiftless.desk.as_deref()), (None, Some("10.0.0.21")));
    assert!(matches!(conflict(&svc.shift_report(&kassa1, None).await), Some(Conflict::NoShift(_))));

    let shift = svc.open_shift(&kassa1, money("1 000")).await.unwrap();
    assert!(shift.is_open());
    assert_eq!(svc.current_shift(&kassa1).await.unwrap().map(|s| s.id), Some(shift.id));
    let again = svc.open_shift(&kassa1, money("5")).await;
    assert!(matches!(conflict(&again), Some(Conflict::ShiftOpen { by, .. }) if by == "cashier"), "{again:?}");

    // 30 payments: cash with change, card, terminal, bank
    let (mut cash, mut other, mut ids) = (0i64, 0i64, Vec::new());
    for i in 0..30 {
        let who = if i % 2 == 0 { a } else { b };
        let mut req = payment(who, &format!("{}", 100 + i * 10), None);
        req.method = [
            PaymentMethod::Cash,
            PaymentMethod::Card,
            PaymentMethod::Cash,
            PaymentMethod::Terminal,
            PaymentMethod::Bank,
        ][i % 5];
        if req.method == PaymentMethod::Cash {
            req.received = Some(money("1 000"));
        }
        let op = svc.post_payment(&kassa1, &req).await.unwrap().operation;
        assert_eq!(op.shift_id, Some(shift.id));
        if req.method == PaymentMethod::Cash {
            assert_eq!(op.change(), Some(Money::from_minor(100_000 - req.amount.minor())));
            cash += req.amount.minor();
        } else {
            assert_eq!(op.change(), None);
            other += req.amount.minor();
        }
        ids.push(op);
    }
    // the cashier cancels their own cash payment in the open shift: the cash leaves the drawer
    let cancelled = ids[0].clone();
    let rev = svc.reverse_operation(&kassa1, cancelled.id, "не тот абонент", None).await.unwrap().operation;
    assert_eq!((rev.kind, rev.shift_id), (OperationKind::Reversal, Some(shift.id)));
    cash -= cancelled.amount.minor();
    // a reason is required; a card payment without a shift is not the cashier's to cancel
    assert!(invalid(&svc.reverse_operation(&kassa1, ids[1].id, " ", None).await).is_some());
    let r = svc.reverse_operation(&kassa1, shiftless.id, "x", None).await;
    assert!(matches!(conflict(&r), Some(Conflict::CancelRefused(CancelWhy::ShiftClosed))), "{r:?}");
    // another desk's cashier may not cancel it either
    let elsewhere = cashier_at(svc, "10.0.0.22").await;
    let r = svc.reverse_operation(&elsewhere, ids[2].id, "x", None).await;
    assert!(matches!(conflict(&r), Some(Conflict::CancelRefused(CancelWhy::OtherDesk))), "{r:?}");

    // cash in and out, with reasons; no more out than the drawer holds
    svc.cash_move(&kassa1, CashMoveKind::In, money("500"), "размен").await.unwrap();
    svc.cash_move(&kassa1, CashMoveKind::Out, money("300"), "инкассация").await.unwrap();
    let expected = 100_000 + cash + 50_000 - 30_000;
    let r = svc.cash_move(&kassa1, CashMoveKind::Out, Money::from_minor(expected + 1), "всё").await;
    assert!(matches!(invalid(&r), Some(("amount", Problem::DrawerShort(_)))), "{r:?}");
    assert!(invalid(&svc.cash_move(&kassa1, CashMoveKind::In, money("1"), "  ").await).is_some());
    assert!(invalid(&svc.cash_move(&kassa1, CashMoveKind::In, money("0"), "x").await).is_some());

    let x = svc.shift_report(&kassa1, None).await.unwrap();
    assert_eq!(x.expected_cash, Money::from_minor(expected));
    assert_eq!(x.total(), Money::from_minor(cash + other));
    let cash_line = x.by_method.iter().find(|t| t.method == PaymentMethod::Cash).unwrap();
    assert_eq!((cash_line.payments, cash_line.reversals), (12, 1));
    assert_eq!(x.by_method.iter().map(|t| t.payments).sum::<i64>(), 30);
    assert_eq!((x.cash_in, x.cash_out, x.moves.len()), (money("500"), money("300"), 2));

    // the blind close: 10,00 short
    let z = svc.close_shift(&kassa1, Money::from_minor(expected - 1_000)).await.unwrap();
    assert!(!z.shift.is_open());
    assert_eq!(z.shift.expected_cash, Some(Money::from_minor(expected)));
    assert_eq!(z.shift.difference(), Some(money("-10")));
    assert_eq!(z.by_method, x.by_method, "the Z report is the last X report");
    // the Z report equals the ledger: the shift's rows by method
    let history = svc
        .history(
            &env.admin,
            &kassa::service::HistoryQuery { customer_id: a, limit: 1000, ..Default::default() },
        )
        .await
        .unwrap()
        .operations
        .into_iter()
        .chain(
            svc.history(
                &env.admin,
                &kassa::service::HistoryQuery { customer_id: b, limit: 1000, ..Default::default() },
            )
            .await
            .unwrap()
            .operations,
        )
        .filter(|o| o.shift_id == Some(shift.id))
        .map(|o| o.amount.minor())
        .sum::<i64>();
    assert_eq!(history, z.total().minor());

    // closed: cash is refused again, the cashier may no longer cancel, an administrator may,
    // and the Z report does not move
    assert!(matches!(
        conflict(&svc.post_payment(&kassa1, &payment(a, "1", None)).await),
        Some(Conflict::NoShift(_))
    ));
    let r = svc.reverse_operation(&kassa1, ids[2].id, "поздно", None).await;
    assert!(matches!(conflict(&r), Some(Conflict::CancelRefused(CancelWhy::ShiftClosed))), "{r:?}");
    let admin_rev = svc.reverse_operation(&env.admin, ids[2].id, "ошибка кассира", None).await.unwrap();
    assert_eq!(admin_rev.operation.shift_id, None);
    assert_eq!(svc.shift_report(&kassa1, Some(shift.id)).await.unwrap(), z);
    assert!(matches!(conflict(&svc.close_shift(&kassa1, money("0")).await), Some(Conflict::NoShift(_))));

    // the shifts: the cashier sees their desk's, the administrator every desk's
    let mine = svc.shifts(&kassa1, None, 10).await.unwrap();
    assert_eq!(mine.iter().map(|s| s.id).collect::<Vec<_>>(), vec![shift.id]);
    let all = svc.shifts(&env.admin, None, 10).await.unwrap();
    assert!(all.iter().any(|s| s.desk == "test") && all.iter().any(|s| s.id == shift.id));
    assert!(matches!(svc.shift_report(&elsewhere, Some(shift.id)).await, Err(ServiceError::NotFound(..))));
    // a viewer has no drawer
    assert!(matches!(svc.open_shift(&env.viewer, money("0")).await, Err(ServiceError::Denied { .. })));
}
both_backends!(shift_from_opening_to_close, a_shift_from_opening_to_close);

/// Two desks at once, each with its own shift: each drawer counts only its own payments.
async fn two_desks_keep_their_own_drawers(env: &Env) {
    let a = customer(env, "Воронин Олег", &[]).await.id;
    let other = Service::open(&env.db.url, crate::common::test_config()).await.unwrap();
    let one = cashier_at(&env.svc, "Касса 1").await;
    let two = cashier_at(&other, "Касса 2").await;
    env.svc.open_shift(&one, money("100")).await.unwrap();
    other.open_shift(&two, money("200")).await.unwrap();
    let desk = |svc: Service, who: Actor, amount: &'static str| async move {
        for _ in 0..50 {
            svc.post_payment(&who, &payment(a, amount, None)).await.unwrap();
        }
        svc.shift_report(&who, None).await.unwrap()
    };
    let (x1, x2) =
        tokio::join!(desk(env.svc.clone(), one.clone(), "1"), desk(other.clone(), two.clone(), "2"));
    assert_eq!(x1.expected_cash, money("150"));
    assert_eq!(x2.expected_cash, money("300"));
    let z1 = env.svc.close_shift(&one, money("150")).await.unwrap();
    assert_eq!(z1.shift.difference(), Some(Money::ZERO));
    // the other desk works on
    other.post_payment(&two, &payment(a, "2", None)).await.unwrap();
    assert_eq!(other.shift_report(&two, None).await.unwrap().expected_cash, money("302"));
}
both_backends!(two_desks, two_desks_keep_their_own_drawers);

/// A close while the desk's payments are still being posted: every payment is either in the
/// shift and counted by its Z report, or refused; none lands in a closed shift.
async fn a_close_racing_with_payments(env: &Env) {
    let a = customer(env, "Гончаров Павел", &[]).await.id;
    let desk = cashier_at(&env.svc, "Касса гонки").await;
    let shift = env.svc.open_shift(&desk, money("0")).await.unwrap();
    let poster = {
        let (svc, desk) = (env.svc.clone(), desk.clone());
        tokio::spawn(async move {
            let mut taken = 0i64;
            for _ in 0..200 {
                match svc.post_payment(&desk, &payment(a, "1", None)).await {
                    Ok(p) => {
                        assert_eq!(p.operation.shift_id, Some(shift.id));
                        taken += 1;
                    }
                    Err(ServiceError::Conflict(Conflict::NoShift(_))) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            taken
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let z = env.svc.close_shift(&desk, money("0")).await.unwrap();
    let taken = poster.await.unwrap();
    assert_eq!(z.expected_cash, Money::from_minor(taken * 100), "the Z report counts every payment taken");
    assert_eq!(
        env.svc.shift_report(&env.admin, Some(shift.id)).await.unwrap().expected_cash,
        z.expected_cash
    );
}
both_backends!(close_racing_with_payments, a_close_racing_with_payments);

async fn bad_input_writes_nothing(env: &Env) {
    let a = customer(env, "Дмитриев Юрий", &[]).await.id;
    let fresh = cashier_at(&env.svc, "Касса 9").await;
    let before = audit_count(env).await;
    let mut r = payment(a, "500", None);
    r.received = Some(money("499.99"));
    assert!(matches!(
        invalid(&env.svc.post_payment(&env.cashier, &r).await),
        Some(("received", Problem::ReceivedShort))
    ));
    r.received = Some(money("600"));
    r.method = PaymentMethod::Card;
    assert!(matches!(
        invalid(&env.svc.post_payment(&env.cashier, &r).await),
        Some(("received", Problem::ReceivedNotCash))
    ));
    assert!(invalid(&env.svc.open_shift(&fresh, money("-1")).await).is_some());
    assert!(invalid(&env.svc.open_shift(&fresh, Money::from_minor(10_000_000_000_000)).await).is_some());
    assert!(matches!(conflict(&env.svc.close_shift(&fresh, money("0")).await), Some(Conflict::NoShift(_))));
    assert!(matches!(
        conflict(&env.svc.cash_move(&fresh, CashMoveKind::In, money("1"), "x").await),
        Some(Conflict::NoShift(_))
    ));
    assert!(invalid(&env.svc.shifts(&fresh, None, 0).await).is_some());
    assert_eq!(audit_count(env).await, before);
    // the exact change is no change
    r.method = PaymentMethod::Cash;
    r.received = Some(money("500"));
    let op = env.svc.post_payment(&env.cashier, &r).await.unwrap().operation;
    assert_eq!(op.change(), Some(Money::ZERO));
}
both_backends!(bad_input, bad_input_writes_nothing);

/// The administrator's report of a period: by desk, cashier, method and day, every grouping
/// adding up to the ledger's own sums for the period; a cashier may not read it.
async fn the_payments_report_equals_the_ledger(env: &Env) {
    let a = customer(env, "Егоров Лев", &[]).await.id;
    let one = cashier_at(&env.svc, "Касса 1").await;
    let two = cashier_at(&env.svc, "Касса 2").await;
    env.svc.open_shift(&one, money("0")).await.unwrap();
    env.svc.open_shift(&two, money("0")).await.unwrap();
    let mut ids = Vec::new();
    for (i, who) in [&one, &two, &env.cashier, &env.admin].iter().cycle().take(12).enumerate() {
        let mut r = payment(a, &format!("{}", 10 * (i + 1)), None);
        r.method = if i % 2 == 0 { PaymentMethod::Cash } else { PaymentMethod::Card };
        ids.push(env.svc.post_payment(who, &r).await.unwrap().operation);
    }
    env.svc.reverse_operation(&env.admin, ids[3].id, "ошибка", None).await.unwrap();
    let today = kassa::domain::dates::today();
    let q = kassa::service::HistoryQuery {
        customer_id: a,
        kinds: vec![OperationKind::Payment, OperationKind::Reversal],
        limit: 1000,
        ..Default::default()
    };
    let ledger: i64 =
        env.svc.history(&env.admin, &q).await.unwrap().operations.iter().map(|o| o.amount.minor()).sum();
    for by in [ReportBy::Desk, ReportBy::Operator, ReportBy::Method, ReportBy::Day] {
        let lines = env.svc.payments_report(&env.admin, today, today, by).await.unwrap();
        let net: i64 = lines.iter().map(|l| l.net().minor()).sum();
        assert_eq!(net, ledger, "{by:?}: {lines:?}");
        assert_eq!(lines.iter().map(|l| l.payments).sum::<i64>(), 12, "{by:?}");
        assert_eq!(lines.iter().map(|l| l.reversals).sum::<i64>(), 1, "{by:?}");
    }
    let by_desk = env.svc.payments_report(&env.admin, today, today, ReportBy::Desk).await.unwrap();
    let keys: Vec<&str> = by_desk.iter().map(|l| l.key.as_str()).collect();
    assert!(keys.contains(&"Касса 1") && keys.contains(&"Касса 2") && keys.contains(&"test"), "{keys:?}");
    let k1 = by_desk.iter().find(|l| l.key == "Касса 1").unwrap();
    assert_eq!((k1.payments, k1.paid), (3, money("150")), "10 + 50 + 90");
    assert!(matches!(
        env.svc.payments_report(&env.cashier, today, today, ReportBy::Desk).await,
        Err(ServiceError::Denied { .. })
    ));
    let r =
        env.svc.payments_report(&env.admin, today, today - chrono::Duration::days(1), ReportBy::Day).await;
    assert!(invalid(&r).is_some(), "the ends the wrong way round");
}
both_backends!(payments_report, the_payments_report_equals_the_ledger);

/// A bank payment as the bank tells it: an administrator gives its own day (back-dated, never
/// ahead), the document's number and date and the payer; they are kept and read back with the
/// history. A cashier may not, nor for another method; bad days are refused with nothing written.
async fn bank_payments_keep_their_document(env: &Env) {
    use kassa::domain::ledger::BankDetails;
    let a = customer(env, "ООО Ромашка", &[]).await.id;
    let today = kassa::domain::dates::today();
    let details = BankDetails {
        paid_on: Some(today - chrono::Duration::days(3)),
        document_number: Some("4512".into()),
        document_date: Some(today - chrono::Duration::days(3)),
        payer: Some("ООО «Ромашка», ИНН 7701234567".into()),
    };
    let mut r = payment(a, "12 000", None);
    r.method = PaymentMethod::Bank;
    r.bank = Some(details.clone());
    let before = audit_count(env).await;
    assert!(matches!(env.svc.post_payment(&env.cashier, &r).await, Err(ServiceError::Denied { .. })));
    let mut cash = r.clone();
    cash.method = PaymentMethod::Cash;
    assert!(matches!(invalid(&env.svc.post_payment(&env.admin, &cash).await), Some(("method", _))));
    let mut ahead = r.clone();
    ahead.bank = Some(BankDetails { paid_on: Some(today + chrono::Duration::days(1)), ..details.clone() });
    let refused = env.svc.post_payment(&env.admin, &ahead).await;
    assert!(matches!(invalid(&refused), Some(("paid_on", Problem::DayOutOfRange(_)))), "{refused:?}");
    let mut spaced = r.clone();
    spaced.bank = Some(BankDetails { document_number: Some("45 12".into()), ..details.clone() });
    assert!(invalid(&env.svc.post_payment(&env.admin, &spaced).await).is_some());
    assert_eq!(audit_count(env).await, before, "nothing written");
    let posted = env.svc.post_payment(&env.admin, &r).await.unwrap().operation;
    assert_eq!(posted.bank.as_ref(), Some(&details));
    let q = kassa::service::HistoryQuery { customer_id: a, limit: 10, ..Default::default() };
    let read = env.svc.history(&env.admin, &q).await.unwrap().operations;
    assert_eq!(read[0].bank.as_ref(), Some(&details), "kept and read back");
    assert!(
        read[0].created_at.date_naive() >= today - chrono::Duration::days(1),
        "posted today, paid earlier"
    );
    // the report counts it on the day it was paid, not the day it was posted
    let paid_day = today - chrono::Duration::days(3);
    for by in [ReportBy::Day, ReportBy::Method] {
        let then = env.svc.payments_report(&env.admin, paid_day, paid_day, by).await.unwrap();
        assert_eq!(then.iter().map(|l| l.paid.minor()).sum::<i64>(), 1_200_000, "{by:?}: {then:?}");
        let now = env.svc.payments_report(&env.admin, today, today, by).await.unwrap();
        assert_eq!(now.iter().map(|l| l.payments).sum::<i64>(), 0, "{by:?}: {now:?}");
    }
}
both_backends!(bank_payments, bank_payments_keep_their_document);
