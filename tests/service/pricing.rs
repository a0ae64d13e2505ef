//! What a charge costs: discounts (the best one, never two), the tax included and recorded,
//! a tariff's fee for a pause, and a change of tariff in the middle of a period (the rest
//! credited, the new tariff charged for the days left) or from the next period.

use chrono::NaiveDate;
use kassa::domain::customer::CustomerState;
use kassa::domain::money::Money;
use kassa::service::{
    Applies, Conflict, CustomerChanges, DiscountInput, NewCustomer, Percent, ServiceError, TariffInput,
    TaxItem, When, Whom,
};
use kassa::store::tariffs::Period;

use crate::both_backends;
use crate::common::Env;
use crate::helpers::{money, tariff};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn subscriber(env: &Env, name: &str, tariff_id: i64, group: Option<i64>) -> i64 {
    let mut fields = CustomerChanges::from_pairs([("date_connect", "01.09.2026")]).unwrap();
    fields.name = Some(name.into());
    fields.group_id = group.map(|g| g.to_string());
    env.svc.add_customer(&env.admin, &NewCustomer { fields, tariff_id: Some(tariff_id) }).await.unwrap().id
}

fn discount(whom: Whom, percent: &str, applies: Applies, from: NaiveDate, priority: i64) -> DiscountInput {
    DiscountInput {
        whom,
        percent: Percent::parse(percent).unwrap(),
        applies,
        from,
        to: None,
        priority,
        comment: "пенсионер".into(),
    }
}

async fn balance(env: &Env, id: i64) -> Money {
    env.svc.customer_card(&env.admin, id).await.unwrap().customer.balance
}

async fn discounts_and_taxes_are_recorded_on_each_charge(env: &Env) {
    let month = tariff(env, "Оптима 200", "500", Period::Month, true).await;
    let group = env.svc.add_group(&env.admin, "Льготники").await.unwrap().id;
    let a = subscriber(env, "Абрамов Илья", month, None).await;
    let b = subscriber(env, "Борисова Вера", month, Some(group)).await;
    let c = subscriber(env, "Васильев Кирилл", month, Some(group)).await;
    // a: 10 % on everything; b's group: 20 % on the tariff; c: their own 50 % only from January,
    // and a 5 % with a higher priority that wins over the group's 20 %
    env.svc
        .add_discount(&env.admin, &discount(Whom::Customer(a), "10", Applies::All, d(2026, 1, 1), 0))
        .await
        .unwrap();
    env.svc
        .add_discount(
            &env.admin,
            &discount(Whom::Group(group), "20", Applies::Tariff(None), d(2026, 1, 1), 0),
        )
        .await
        .unwrap();
    env.svc
        .add_discount(
            &env.admin,
            &discount(Whom::Customer(c), "50", Applies::Tariff(Some(month)), d(2027, 1, 1), 0),
        )
        .await
        .unwrap();
    env.svc
        .add_discount(&env.admin, &discount(Whom::Customer(c), "5", Applies::Service(None), d(2026, 1, 1), 9))
        .await
        .unwrap();
    env.svc
        .set_tax_rule(&env.admin, TaxItem::Tariff, "НДС 20 %", Percent::parse("20").unwrap())
        .await
        .unwrap();

    let r = env.svc.run_billing(&env.admin, d(2026, 12, 1), false).await.unwrap();
    assert_eq!((r.charged, r.sum), (3, money("1250")), "450 + 400 + 400: {r:?}");
    let line = |id| async move { env.svc.customer_charges(&env.admin, id, 10).await.unwrap() };
    let la = line(a).await;
    assert_eq!((la[0].price, la[0].amount, la[0].discount), (money("500"), money("450"), money("50")));
    // 450 with 20 % included: 75,00
    assert_eq!((la[0].tax_rate, la[0].tax), (Some(Percent(2000)), money("75")));
    assert_eq!(la[0].what.as_deref(), Some("«Оптима 200» 01.12–31.12.2026, скидка 10 %"));
    assert_eq!(line(b).await[0].amount, money("400"));
    // the 5 % is for services only: the group's 20 % applies to c's tariff
    assert_eq!(line(c).await[0].amount, money("400"));
    // in January c's own 50 % takes over (the same priority as the group's, a larger percentage)
    env.svc.run_billing(&env.admin, d(2027, 1, 1), false).await.unwrap();
    assert_eq!(line(c).await[0].amount, money("250"));
    assert_eq!(balance(env, c).await, money("-650"));

    // the card lists the discounts in force and counts "paid until" at the discounted price
    let card = env.svc.customer_card(&env.admin, c).await.unwrap();
    assert_eq!(card.discounts.len(), 3);

    // ending a discount: charges for periods from the next day on do not get it
    let ended = env.svc.discounts(&env.admin, false, d(2027, 1, 1)).await.unwrap();
    let for_a = ended.iter().find(|x| x.whom == Whom::Customer(a)).unwrap().id;
    env.svc.end_discount(&env.admin, for_a, d(2027, 1, 31)).await.unwrap();
    env.svc.run_billing(&env.admin, d(2027, 2, 1), false).await.unwrap();
    assert_eq!(line(a).await[0].amount, money("500"));
    assert_eq!(line(a).await[0].discount_id, None);
    // a discount that got charges is not removed; the group that has discounts is kept
    let refused = env.svc.end_discount(&env.admin, for_a, d(2025, 1, 1)).await;
    assert!(matches!(refused, Err(ServiceError::Conflict(Conflict::DiscountUsed(_)))), "{refused:?}");
    for id in [b, c] {
        let out_of_group = CustomerChanges { group_id: Some(String::new()), ..Default::default() };
        env.svc.edit_customer(&env.admin, id, &out_of_group).await.unwrap();
    }
    let kept = env.svc.delete_group(&env.admin, group).await;
    assert!(matches!(kept, Err(ServiceError::Conflict(Conflict::GroupHasDiscounts(_)))), "{kept:?}");
    // one that has not begun is removed
    let later = env
        .svc
        .add_discount(&env.admin, &discount(Whom::Customer(a), "15", Applies::All, d(2030, 1, 1), 0))
        .await
        .unwrap();
    assert_eq!(env.svc.end_discount(&env.admin, later.id, d(2027, 3, 1)).await.unwrap(), None);

    // bad input, and who may
    let bad = env
        .svc
        .add_discount(
            &env.admin,
            &DiscountInput {
                to: Some(d(2025, 1, 1)),
                ..discount(Whom::Customer(a), "5", Applies::All, d(2026, 1, 1), 0)
            },
        )
        .await;
    assert!(matches!(bad, Err(ServiceError::Invalid { field: "to", .. })), "{bad:?}");
    let bad = env
        .svc
        .add_discount(&env.admin, &discount(Whom::Group(9999), "5", Applies::All, d(2026, 1, 1), 0))
        .await;
    assert!(matches!(bad, Err(ServiceError::Invalid { field: "whom", .. })), "{bad:?}");
    let bad = env
        .svc
        .add_discount(
            &env.admin,
            &discount(Whom::Customer(a), "5", Applies::Tariff(Some(9999)), d(2026, 1, 1), 0),
        )
        .await;
    assert!(matches!(bad, Err(ServiceError::Invalid { field: "applies", .. })), "{bad:?}");
    let denied = env
        .svc
        .add_discount(&env.cashier, &discount(Whom::Customer(a), "5", Applies::All, d(2026, 1, 1), 0))
        .await;
    assert!(matches!(denied, Err(ServiceError::Denied { .. })), "{denied:?}");
    assert!(env.svc.set_tax_rule(&env.cashier, TaxItem::Service, "НДС", Percent(2000)).await.is_err());
    assert!(env.svc.delete_tax_rule(&env.admin, TaxItem::Tariff).await.unwrap());
    assert!(env.svc.tax_rules(&env.admin).await.unwrap().is_empty());
}
both_backends!(
    discounts_and_taxes_are_recorded_on_each_charge,
    discounts_and_taxes_are_recorded_on_each_charge
);

async fn a_paused_customer_pays_the_pause_fee(env: &Env) {
    let input = TariffInput {
        name: "Оптима 200".into(),
        price: money("500"),
        period: Period::Month,
        active: true,
        public: true,
        pause_price: Some(money("50")),
        transitions: None,
    };
    let month = env.svc.create_tariff(&env.admin, &input).await.unwrap().id;
    let free_pause = tariff(env, "Старт", "300", Period::Month, true).await;
    let a = subscriber(env, "Абрамов Илья", month, None).await;
    let b = subscriber(env, "Борисова Вера", free_pause, None).await;
    let s = subscriber(env, "Сидоров Пётр", month, None).await;
    for id in [a, b] {
        env.svc.change_state(&env.admin, id, CustomerState::Pause).await.unwrap();
    }
    env.svc.change_state(&env.admin, s, CustomerState::Stop).await.unwrap();
    let r = env.svc.run_billing(&env.admin, d(2026, 12, 1), false).await.unwrap();
    assert_eq!((r.charged, r.passed, r.sum), (1, 2, money("50")), "{r:?}");
    let la = env.svc.customer_charges(&env.admin, a, 5).await.unwrap();
    assert_eq!((la[0].amount, la[0].passed.as_deref()), (money("50"), Some("pause")));
    assert_eq!(la[0].what.as_deref(), Some("«Оптима 200» 01.12–31.12.2026, пауза"));
    assert_eq!(balance(env, a).await, money("-50"));
    assert_eq!(balance(env, b).await, money("0"));
    assert_eq!(balance(env, s).await, money("0"), "a stopped customer pays nothing");
    // the fee is not negative
    let bad = env
        .svc
        .create_tariff(&env.admin, &TariffInput { name: "Х".into(), pause_price: Some(money("-1")), ..input })
        .await;
    assert!(matches!(bad, Err(ServiceError::Invalid { field: "pause_price", .. })), "{bad:?}");
}
both_backends!(a_paused_customer_pays_the_pause_fee, a_paused_customer_pays_the_pause_fee);

async fn a_change_of_tariff_is_prorated_or_waits_for_the_next_period(env: &Env) {
    let cheap = tariff(env, "Оптима 200", "500", Period::Month, true).await;
    let dear = tariff(env, "Турбо 500", "1000", Period::Month, true).await;
    let daily = tariff(env, "Суточный", "20", Period::Day, true).await;
    let a = subscriber(env, "Абрамов Илья", cheap, None).await;
    let b = subscriber(env, "Борисова Вера", cheap, None).await;
    let c = subscriber(env, "Васильев Кирилл", cheap, None).await;
    let n = subscriber(env, "Никитин Олег", cheap, None).await;
    env.svc.run_billing(&env.admin, d(2026, 12, 1), false).await.unwrap();

    // on the 17th: 15 of 31 days left — 241,94 of 500 back, 483,87 of 1 000 charged
    env.svc.change_tariff(&env.admin, a, dear, When::Now, d(2026, 12, 17)).await.unwrap();
    assert_eq!(balance(env, a).await, money("-741,93"), "-500 + 241,94 - 483,87");
    let la = env.svc.customer_charges(&env.admin, a, 5).await.unwrap();
    assert_eq!(la.len(), 2, "{la:?}");
    assert_eq!(
        (la[0].span.from, la[0].span.to, la[0].amount),
        (d(2026, 12, 17), d(2026, 12, 31), money("483,87"))
    );
    assert_eq!((la[1].span.to, la[1].amount), (d(2026, 12, 16), money("258,06")), "the part kept");
    // the kept part and the credit add up to what was charged: no kopeck lost
    assert_eq!(la[1].amount.minor() + 24_194, 50_000);
    // on the first day of the period: all of it back, all of the new one charged
    env.svc.change_tariff(&env.admin, b, dear, When::Now, d(2026, 12, 1)).await.unwrap();
    assert_eq!(balance(env, b).await, money("-1000"));
    // to a daily tariff: the rest back, then day by day from today
    env.svc.change_tariff(&env.admin, c, daily, When::Now, d(2026, 12, 30)).await.unwrap();
    assert_eq!(balance(env, c).await, money("-487,74"), "-500 + 32,26, then 30.12");
    // from the next period: December stays, January is charged at the new tariff
    let next = env.svc.change_tariff(&env.admin, n, dear, When::NextPeriod, d(2026, 12, 17)).await.unwrap();
    assert_eq!(next.effective_on, d(2027, 1, 1));
    assert_eq!(balance(env, n).await, money("-500"));
    let r = env.svc.run_billing(&env.admin, d(2027, 1, 1), false).await.unwrap();
    assert_eq!(r.tariff_changes, 1, "{r:?}");
    assert_eq!(balance(env, n).await, money("-1500"));
    assert_eq!(balance(env, a).await, money("-1741,93"));
    // charging again changes nothing
    let again = env.svc.run_billing(&env.admin, d(2027, 1, 1), false).await.unwrap();
    assert_eq!(again.charged, 0, "{again:?}");
}
both_backends!(
    a_change_of_tariff_is_prorated_or_waits_for_the_next_period,
    a_change_of_tariff_is_prorated_or_waits_for_the_next_period
);

/// The billing day moved from the 1st to the 15th: what was charged stays; the next period runs
/// to the 14th, prorated, then whole months from the 15th; a change "from the next period"
/// begins on the new day. Only an administrator moves it, to 1–28.
async fn the_billing_day_moves(env: &Env) {
    let month = tariff(env, "Оптима 200", "620", Period::Month, true).await;
    let dear = tariff(env, "Турбо 500", "1000", Period::Month, true).await;
    let a = subscriber(env, "Абрамов Илья", month, None).await;
    assert_eq!(env.svc.billing_day(&env.admin).await.unwrap(), 1, "the config's, until set");
    env.svc.run_billing(&env.admin, d(2026, 12, 1), false).await.unwrap();
    assert_eq!(env.svc.set_billing_day(&env.admin, 15).await.unwrap(), 15);
    for bad in [0, 29] {
        let refused = env.svc.set_billing_day(&env.admin, bad).await;
        assert!(matches!(refused, Err(ServiceError::Invalid { field: "billing_day", .. })), "{refused:?}");
    }
    assert!(env.svc.set_billing_day(&env.cashier, 10).await.is_err());
    assert_eq!(env.svc.billing_day(&env.cashier).await.unwrap(), 15);
    env.svc.run_billing(&env.admin, d(2027, 1, 15), false).await.unwrap();
    let lines = env.svc.customer_charges(&env.admin, a, 5).await.unwrap();
    let spans: Vec<_> = lines.iter().rev().map(|l| (l.span.from, l.span.to, l.amount)).collect();
    assert_eq!(
        spans,
        vec![
            (d(2026, 12, 1), d(2026, 12, 31), money("620")),
            // 01.01–14.01 of the period 15.12–14.01 (31 days): 14 days of 620 = 280,00
            (d(2027, 1, 1), d(2027, 1, 14), money("280")),
            (d(2027, 1, 15), d(2027, 2, 14), money("620")),
        ]
    );
    let next = env.svc.change_tariff(&env.admin, a, dear, When::NextPeriod, d(2027, 1, 20)).await.unwrap();
    assert_eq!(next.effective_on, d(2027, 2, 15));
    env.assert_invariants().await;
}
both_backends!(the_billing_day_moves, the_billing_day_moves);
