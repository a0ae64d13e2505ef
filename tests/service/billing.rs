//! Charging runs: each period charged once, however often and however many at once; a run
//! after downtime catches up in order; a paused customer's period is passed over, not owed;
//! the first period of a customer is charged for its days.

use chrono::NaiveDate;
use kassa::domain::customer::CustomerState;
use kassa::domain::ledger::OperationKind;
use kassa::domain::money::Money;
use kassa::service::{CustomerChanges, HistoryQuery, NewCustomer};
use kassa::store::tariffs::Period;

use crate::both_backends;
use crate::common::Env;
use crate::helpers::{money, tariff};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn subscriber(env: &Env, name: &str, tariff_id: i64, connected: &str) -> i64 {
    let mut fields = CustomerChanges::from_pairs([("date_connect", connected)]).unwrap();
    fields.name = Some(name.into());
    env.svc.add_customer(&env.admin, &NewCustomer { fields, tariff_id: Some(tariff_id) }).await.unwrap().id
}

/// A customer's charges, oldest first: amount taken and what it was for.
async fn charges(env: &Env, id: i64) -> Vec<(Money, String)> {
    let q = HistoryQuery {
        customer_id: id,
        kinds: vec![OperationKind::Charge],
        limit: 500,
        ..Default::default()
    };
    let mut ops = env.svc.history(&env.admin, &q).await.unwrap().operations;
    ops.sort_by_key(|o| o.id);
    ops.into_iter().map(|o| (Money::from_minor(-o.amount.minor()), o.comment.unwrap_or_default())).collect()
}

async fn balance(env: &Env, id: i64) -> Money {
    env.svc.customer_card(&env.admin, id).await.unwrap().customer.balance
}

async fn charging_runs(env: &Env) {
    let month = tariff(env, "Оптима 200", "500", Period::Month, true).await;
    let day = tariff(env, "Суточный 20", "20", Period::Day, true).await;
    let a = subscriber(env, "Абрамов Илья", month, "01.09.2026").await;
    let b = subscriber(env, "Борисова Вера", month, "17.12.2026").await;
    let c = subscriber(env, "Васильев Кирилл", day, "01.09.2026").await;
    let p = subscriber(env, "Петров Олег", month, "01.09.2026").await;
    env.svc.change_state(&env.admin, p, CustomerState::Pause).await.unwrap();
    let run = |date: NaiveDate, dry: bool| env.svc.run_billing(&env.admin, date, dry);

    // the first run ever: nothing before it is charged (September to November are history)
    let r = run(d(2026, 12, 1), false).await.unwrap();
    assert_eq!((r.charged, r.passed, r.sum), (2, 1, money("520")), "{r:?}");
    assert_eq!(charges(env, a).await, vec![(money("500"), "«Оптима 200» 01.12–31.12.2026".into())]);
    assert_eq!(charges(env, c).await, vec![(money("20"), "«Суточный 20» 01.12.2026".into())]);
    assert!(charges(env, b).await.is_empty(), "not connected yet");
    assert!(charges(env, p).await.is_empty(), "paused: passed over");
    assert_eq!(balance(env, a).await, money("-500"));

    // the same day again: nothing new
    let again = run(d(2026, 12, 1), false).await.unwrap();
    assert_eq!((again.charged, again.passed), (0, 0), "{again:?}");

    // a dry run says what would be charged and writes nothing
    let dry = run(d(2026, 12, 3), true).await.unwrap();
    assert_eq!((dry.charged, dry.sum), (2, money("40")), "{dry:?}");
    assert_eq!(charges(env, c).await.len(), 1);

    // after downtime, one run catches up every missed period, in order; the paused customer
    // is back and owes nothing for the time away
    env.svc.change_state(&env.admin, p, CustomerState::Active).await.unwrap();
    run(d(2027, 2, 20), false).await.unwrap();
    let got: Vec<String> = charges(env, a).await.into_iter().map(|(_, what)| what).collect();
    assert_eq!(
        got,
        vec![
            "«Оптима 200» 01.12–31.12.2026",
            "«Оптима 200» 01.01–31.01.2027",
            "«Оптима 200» 01.02–28.02.2027"
        ]
    );
    // connected on the 17th: 15 of December's 31 days, then whole months
    let bs = charges(env, b).await;
    assert_eq!(bs[0], (money("241,94"), "«Оптима 200» 17.12–31.12.2026".into()));
    assert_eq!(bs.len(), 3);
    assert_eq!(charges(env, c).await.len(), 1 + 30 + 31 + 20, "every day from 02.12 to 20.02");
    let ps = charges(env, p).await;
    assert_eq!(ps.len(), 2, "January and February, not December: {ps:?}");
    assert_eq!(balance(env, a).await, money("-1500"));

    // two runs at once: each period charged by one of them
    let (x, y) = tokio::join!(run(d(2027, 3, 1), false), run(d(2027, 3, 1), false));
    let (x, y) = (x.unwrap(), y.unwrap());
    assert_eq!(x.charged + y.charged, 4 + 8, "four months and eight days, once: {x:?} {y:?}");
    assert_eq!(charges(env, a).await.len(), 4);
    assert_eq!(balance(env, a).await, money("-2000"));

    // only an administrator runs it
    assert!(env.svc.run_billing(&env.cashier, d(2027, 3, 2), false).await.is_err());
}
both_backends!(charging_runs, charging_runs);

/// Below zero with credit and promise counted, a customer is blocked for debt — in the
/// transaction that moved the money — and left out of the DHCP export; the payment that lifts
/// it unblocks in its own transaction; a credit limit or a promised payment lift it too.
async fn debtors_are_blocked_and_unblocked(env: &Env) {
    let month = tariff(env, "Оптима 200", "500", Period::Month, true).await;
    let a = subscriber(env, "Абрамов Илья", month, "01.09.2026").await;
    env.svc.add_ip(&env.noc, a, "10.0.9.7", "", false).await.unwrap();
    let exported = || async {
        env.svc.dhcp_export_page(&env.admin, "", 1000).await.unwrap().iter().any(|r| r.customer_id == a)
    };
    assert!(exported().await);
    env.svc.run_billing(&env.admin, d(2026, 12, 1), false).await.unwrap();
    let card = env.svc.customer_card(&env.admin, a).await.unwrap();
    let block = card.debt_block.expect("blocked at -500");
    assert_eq!(block.available, money("-500"));
    let charge = charges(env, a).await;
    assert_eq!(charge.len(), 1);
    assert!(block.blocked_by.is_some(), "the charge that caused it is named");
    assert!(!exported().await, "a debtor is left out of the DHCP export");

    // a payment that does not cover the debt leaves the block; the one that does lifts it
    env.svc.post_payment(&env.cashier, &crate::helpers::payment(a, "300", None)).await.unwrap();
    assert!(env.svc.customer_card(&env.admin, a).await.unwrap().debt_block.is_some());
    let lifting = env.svc.post_payment(&env.cashier, &crate::helpers::payment(a, "200", None)).await.unwrap();
    let card = env.svc.customer_card(&env.admin, a).await.unwrap();
    assert!(card.debt_block.is_none());
    assert_eq!(card.paid_until, Some(d(2026, 12, 31)), "December is paid for, nothing more");
    // due within two weeks of the 20th, not within five days
    let due = |days| env.svc.billing_due(&env.admin, d(2026, 12, 20), days);
    let soon = due(14).await.unwrap();
    assert!(soon.iter().any(|x| x.id == a && x.paid_until == Some(d(2026, 12, 31))), "{soon:?}");
    assert!(!due(5).await.unwrap().iter().any(|x| x.id == a));
    assert!(due(400).await.is_err(), "days out of range");
    env.svc.post_payment(&env.cashier, &crate::helpers::payment(a, "1000", None)).await.unwrap();
    let card = env.svc.customer_card(&env.admin, a).await.unwrap();
    assert_eq!(card.paid_until, Some(d(2027, 2, 28)), "and two months more");
    env.svc
        .post_adjustment(
            &env.admin,
            &kassa::service::AdjustmentRequest {
                customer_id: a,
                kind: OperationKind::Charge,
                amount: money("1000"),
                comment: "возврат предоплаты".into(),
                idempotency_key: None,
            },
        )
        .await
        .unwrap();
    let blocks = env.svc.debt_blocks(&env.admin, a).await.unwrap();
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].unblocked_by, Some(lifting.operation.id), "the payment that lifted it is named");
    assert!(exported().await);

    // the next month blocks again; a credit limit lifts it, taking the limit away blocks again
    env.svc.run_billing(&env.admin, d(2027, 1, 1), false).await.unwrap();
    assert!(env.svc.customer_card(&env.admin, a).await.unwrap().debt_block.is_some());
    env.svc.set_credit_limit(&env.admin, a, money("1000")).await.unwrap();
    assert!(env.svc.customer_card(&env.admin, a).await.unwrap().debt_block.is_none());
    env.svc.set_credit_limit(&env.admin, a, money("0")).await.unwrap();
    assert!(env.svc.customer_card(&env.admin, a).await.unwrap().debt_block.is_some());
    // a promised payment lifts it while it lasts (given above the balance floor, -500)
    env.svc.post_payment(&env.cashier, &crate::helpers::payment(a, "100", None)).await.unwrap();
    assert!(env.svc.customer_card(&env.admin, a).await.unwrap().debt_block.is_some());
    env.svc.promise_payment(&env.cashier, a, money("600"), 3).await.unwrap();
    assert!(env.svc.customer_card(&env.admin, a).await.unwrap().debt_block.is_none());
    assert_eq!(env.svc.debt_blocks(&env.admin, a).await.unwrap().len(), 3);
}
both_backends!(debtors_are_blocked_and_unblocked, debtors_are_blocked_and_unblocked);

/// The demo's history is the engine's: every charge in it is a period the charging engine
/// decided (a `charges` row linked to the ledger row), the balances are what the ledger
/// adds up to, the demo's debtors were blocked by the charges that made them owe; a run
/// this month charges nothing again, and next month's run charges next month.
async fn the_demo_is_charged_by_the_engine(env: &Env) {
    use kassa::service::demo::DemoOptions;
    env.svc.generate_demo(DemoOptions { customers: 60, seed: 3, months: 4 }).await.unwrap();
    let today = kassa::domain::dates::today();
    let r = env.svc.run_billing(&env.admin, today, false).await.unwrap();
    assert_eq!((r.charged, r.blocks_settled), (0, 0), "the demo charged up to today already: {r:?}");
    let (mut debtors, mut charged, mut services, mut lifted) = (0, 0, 0, 0);
    for id in 1..=60 {
        let card = env.svc.customer_card(&env.admin, id).await.unwrap();
        let owes = card.available.is_negative() && !card.customer.is_former;
        assert_eq!(card.debt_block.is_some(), owes, "customer {id}: {:?}", card.available);
        debtors += i64::from(owes);
        let q = HistoryQuery { customer_id: id, limit: 1000, ..Default::default() };
        let mut ops = env.svc.history(&env.admin, &q).await.unwrap().operations;
        ops.sort_by_key(|o| o.id);
        let sum: i64 = ops.iter().map(|o| o.amount.minor()).sum();
        assert_eq!(sum, card.customer.balance.minor(), "customer {id}: the ledger adds up to the balance");
        for pair in ops.windows(2) {
            assert_eq!(pair[0].balance_after, pair[1].balance_before, "customer {id}: one chain of balances");
        }
        let lines = env.svc.customer_charges(&env.admin, id, 1000).await.unwrap();
        for op in ops.iter().filter(|o| o.kind == OperationKind::Charge) {
            let line = lines.iter().find(|l| l.ledger_id == Some(op.id));
            let line =
                line.unwrap_or_else(|| panic!("customer {id}: charge {} decided by the engine", op.id));
            assert_eq!(line.amount.minor(), -op.amount.minor());
            charged += 1;
            services += i64::from(line.item != "tariff");
        }
        lifted += env
            .svc
            .debt_blocks(&env.admin, id)
            .await
            .unwrap()
            .iter()
            .filter(|b| {
                b.unblocked_by
                    .is_some_and(|by| ops.iter().any(|o| o.id == by && o.kind == OperationKind::Payment))
            })
            .count();
    }
    assert!(charged > 60 * 2, "months of charges: {charged}");
    assert!(services > 0, "extra services charged too");
    assert!(debtors > 0, "the demo has debtors");
    assert!(lifted > 0, "blocks begun by charges and lifted by payments");
    let next = today + chrono::Months::new(1);
    let r = env.svc.run_billing(&env.admin, next, false).await.unwrap();
    assert!(r.charged > 0, "{r:?}");
}
both_backends!(the_demo_is_charged_by_the_engine, the_demo_is_charged_by_the_engine);

/// An extra service is charged price × quantity on its own next charge date, which then moves
/// on by its period; once per date however often the run goes; a paused customer's is passed
/// over and still moves on.
async fn extra_services_on_their_dates(env: &Env) {
    use kassa::service::{CustomerServiceInput, ServiceInput};
    let month = tariff(env, "Оптима 200", "500", Period::Month, true).await;
    let a = subscriber(env, "Абрамов Илья", month, "01.09.2026").await;
    let p = subscriber(env, "Петров Олег", month, "01.09.2026").await;
    let ip = env
        .svc
        .add_service(
            &env.admin,
            &ServiceInput {
                name: Some("Статический IP".into()),
                price: Some("150".into()),
                period: Some("month".into()),
                active: None,
            },
        )
        .await
        .unwrap();
    for (who, quantity) in [(a, "2"), (p, "1")] {
        let input = CustomerServiceInput {
            quantity: Some(quantity.into()),
            next_charge_on: Some("15.12.2026".into()),
            ..Default::default()
        };
        env.svc.add_customer_service(&env.admin, who, ip.id, &input).await.unwrap();
    }
    env.svc.change_state(&env.admin, p, CustomerState::Pause).await.unwrap();
    let run = |date| env.svc.run_billing(&env.admin, date, false);
    run(d(2026, 12, 1)).await.unwrap();
    let services = |list: Vec<(Money, String)>| {
        list.into_iter().filter(|(_, w)| w.contains("Статический")).collect::<Vec<_>>()
    };
    assert!(services(charges(env, a).await).is_empty(), "not before its date");
    run(d(2026, 12, 20)).await.unwrap();
    run(d(2026, 12, 20)).await.unwrap();
    assert_eq!(
        services(charges(env, a).await),
        vec![(money("300"), "«Статический IP» ×2 15.12.2026–14.01.2027".into())]
    );
    let next =
        |who| async move { env.svc.customer_services(&env.admin, who).await.unwrap()[0].next_charge_on };
    assert_eq!(next(a).await, Some(d(2027, 1, 15)));
    assert!(services(charges(env, p).await).is_empty(), "paused: passed over");
    assert_eq!(next(p).await, Some(d(2027, 1, 15)), "and moved on all the same");
    run(d(2027, 2, 20)).await.unwrap();
    assert_eq!(services(charges(env, a).await).len(), 3, "January's and February's too");
    assert_eq!(next(a).await, Some(d(2027, 3, 15)));
}
both_backends!(extra_services_on_their_dates, extra_services_on_their_dates);

/// A debtor paying in small sums from two desks at once, fifty times each: the block is lifted
/// exactly once, by the payment that crossed zero, and the balance adds up.
async fn two_desks_pay_off_a_debt(env: &Env) {
    let month = tariff(env, "Оптима 200", "500", Period::Month, true).await;
    let a = subscriber(env, "Абрамов Илья", month, "01.09.2026").await;
    env.svc.run_billing(&env.admin, d(2026, 12, 1), false).await.unwrap();
    assert!(env.svc.customer_card(&env.admin, a).await.unwrap().debt_block.is_some());
    let other = kassa::service::Service::open(&env.db.url, crate::common::test_config()).await.unwrap();
    let cashier2 = other.login("cashier", crate::common::PASSWORD, "desk 2").await.unwrap();
    other.open_shift(&cashier2, Money::ZERO).await.unwrap();
    let desk = |svc: kassa::service::Service, who: kassa::service::Actor| async move {
        let mut ids = Vec::new();
        for _ in 0..50 {
            ids.push(
                svc.post_payment(&who, &crate::helpers::payment(a, "10", None)).await.unwrap().operation.id,
            );
        }
        ids
    };
    let (one, two) = tokio::join!(desk(env.svc.clone(), env.cashier.clone()), desk(other, cashier2));
    let card = env.svc.customer_card(&env.admin, a).await.unwrap();
    assert_eq!(card.customer.balance, money("500"));
    assert!(card.debt_block.is_none());
    let blocks = env.svc.debt_blocks(&env.admin, a).await.unwrap();
    assert_eq!(blocks.len(), 1, "one block, lifted once");
    // the fiftieth payment of ten brought -500 to zero: the one that lifted it
    let mut all: Vec<i64> = one.into_iter().chain(two).collect();
    all.sort_unstable();
    assert_eq!(blocks[0].unblocked_by, Some(all[49]));
}
both_backends!(two_desks_pay_off_a_debt, two_desks_pay_off_a_debt);
