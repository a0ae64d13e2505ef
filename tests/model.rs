//! Model test: random sequences of money and tariff operations run through the service and,
//! side by side, through a plain in-memory model of balances, histories, idempotency keys,
//! reversals, tariffs, promised payments (with their rules and their end), merges, and
//! charging: runs on days going forward and back (a run repeated, or one for a day already
//! charged, charges nothing more), pauses passed over, discounts (the newest, highest
//! priority, wins), a change of tariff in the middle of a charged period (the rest credited,
//! the new tariff charged for the days left), and blocks for debt. Every result (success, replay or refusal) must be the one the model
//! predicts; at the end every customer's balance and history must equal the model's, and the
//! ledger invariants must hold. On SQLite and PostgreSQL; `PROPTEST_CASES` sets the number of
//! sequences.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;

use chrono::NaiveDate;
use common::{Env, Kind};
use kassa::domain::customer::CustomerState;
use kassa::domain::ledger::{OperationKind, PaymentMethod};
use kassa::domain::money::Money;
use kassa::service::{
    AdjustmentRequest, Applies, CustomerChanges, DiscountInput, HistoryQuery, NewCustomer, PaymentRequest,
    Percent, ServiceError, TariffInput, When, Whom,
};
use kassa::store::tariffs::Period;
use proptest::prelude::*;

const CUSTOMERS: usize = 3;
const TARIFFS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    Pay {
        customer: usize,
        kopecks: i64,
        key: Option<u8>,
    },
    Charge {
        customer: usize,
        kopecks: i64,
    },
    Correct {
        customer: usize,
        kopecks: i64,
    },
    Reverse {
        pick: usize,
    },
    Tariff {
        customer: usize,
        tariff: usize,
        now: bool,
    },
    Promise {
        customer: usize,
        kopecks: i64,
        days: i64,
    },
    /// The expiry run, far enough ahead that every promise's time is up.
    EndPromises,
    Merge {
        main: usize,
        secondary: usize,
    },
    /// A charging run for the 1st or the 17th of a month from December 2026 on.
    Bill {
        month: u32,
        mid: bool,
    },
    Pause {
        customer: usize,
        on: bool,
    },
    /// A discount on everything, with a priority above every earlier one.
    Discount {
        customer: usize,
        percent: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let customer = 0..CUSTOMERS;
    prop_oneof![
        4 => (customer.clone(), 1i64..5_000_000, proptest::option::of(0u8..6))
            .prop_map(|(customer, kopecks, key)| Op::Pay { customer, kopecks, key }),
        2 => (customer.clone(), 1i64..2_000_000).prop_map(|(customer, kopecks)| Op::Charge { customer, kopecks }),
        1 => (customer.clone(), prop_oneof![-2_000_000i64..-1, 1i64..2_000_000])
            .prop_map(|(customer, kopecks)| Op::Correct { customer, kopecks }),
        2 => (0usize..64).prop_map(|pick| Op::Reverse { pick }),
        1 => (customer.clone(), 0..TARIFFS, any::<bool>()).prop_map(|(customer, tariff, now)| Op::Tariff { customer, tariff, now }),
        2 => (customer.clone(), 1i64..150_000, 0i64..8).prop_map(|(customer, kopecks, days)| Op::Promise { customer, kopecks, days }),
        1 => Just(Op::EndPromises),
        1 => (0..CUSTOMERS, 0..CUSTOMERS).prop_map(|(main, secondary)| Op::Merge { main, secondary }),
        3 => (0u32..4, any::<bool>()).prop_map(|(month, mid)| Op::Bill { month, mid }),
        1 => (customer.clone(), any::<bool>()).prop_map(|(customer, on)| Op::Pause { customer, on }),
        1 => (customer, 1i64..60).prop_map(|(customer, percent)| Op::Discount { customer, percent }),
    ]
}

/// One line of a customer's history in the model.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    kind: OperationKind,
    amount: i64,
    before: i64,
    after: i64,
}

#[derive(Default)]
struct Model {
    balance: [i64; CUSTOMERS],
    history: [Vec<Line>; CUSTOMERS],
    /// Every operation in order: (customer, index in its history, operation id in the store).
    all: Vec<(usize, usize, i64)>,
    reversed: Vec<bool>,
    /// One half of a merge's transfer: never reversed alone.
    linked: Vec<bool>,
    /// key → (customer, kopecks, position in `all`)
    keys: HashMap<u8, (usize, i64, usize)>,
    tariff: [usize; CUSTOMERS],
    scheduled: [Option<usize>; CUSTOMERS],
    /// When the scheduled change takes effect.
    scheduled_on: [Option<NaiveDate>; CUSTOMERS],
    /// The active promised payment's amount.
    promise: [Option<i64>; CUSTOMERS],
    /// Promised payments given (all in this month).
    promises_given: [i64; CUSTOMERS],
    former: [bool; CUSTOMERS],
    paused: [bool; CUSTOMERS],
    /// The discount in force (the newest), in percent.
    discount: [Option<i64>; CUSTOMERS],
    /// The tariff periods decided: (from, to, amount charged, passed over).
    periods: [Vec<(NaiveDate, NaiveDate, i64, bool)>; CUSTOMERS],
    /// The first day charging ran.
    epoch: Option<NaiveDate>,
    /// The day of the latest run: a change of tariff happens then.
    today: Option<NaiveDate>,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The calendar month holding `d` (the billing day is the 1st).
fn month_of(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let from = day(d.year(), d.month(), 1);
    (from, from + chrono::Months::new(1) - chrono::Duration::days(1))
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() + 1
}

/// `price × part ÷ whole`, half up.
fn share(price: i64, part: i64, whole: i64) -> i64 {
    (price * part * 2 + whole) / (2 * whole)
}

fn off(price: i64, percent: Option<i64>) -> i64 {
    price - percent.map_or(0, |p| (price * p * 100 * 2 + 10_000) / 20_000)
}

impl Model {
    /// Charges customer `c` every period due from `start` to `date` at `price`, as a run would.
    fn charge(&mut self, c: usize, start: NaiveDate, date: NaiveDate, price: i64) {
        let mut from = start;
        while from <= date {
            let (_, to) = month_of(from);
            let (whole_from, _) = month_of(from);
            let full = share(price, days(from, to), days(whole_from, to));
            let amount = if self.paused[c] { 0 } else { off(full, self.discount[c]) };
            self.periods[c].push((from, to, amount, self.paused[c]));
            if amount > 0 {
                self.book(c, -amount);
            }
            from = to + chrono::Duration::days(1);
        }
    }

    /// A charge or a credit a run or a change of tariff writes: in the history, never picked
    /// for a reversal (the model does not know its id).
    fn book(&mut self, c: usize, amount: i64) {
        let before = self.balance[c];
        self.balance[c] += amount;
        self.history[c].push(Line { kind: OperationKind::Charge, amount, before, after: before + amount });
    }

    fn pending_due(&self, c: usize, date: NaiveDate) -> bool {
        self.scheduled_on[c].is_some_and(|on| on <= date)
    }

    fn post(&mut self, customer: usize, kind: OperationKind, amount: i64, id: i64) -> usize {
        let before = self.balance[customer];
        self.balance[customer] += amount;
        self.history[customer].push(Line { kind, amount, before, after: before + amount });
        self.all.push((customer, self.history[customer].len() - 1, id));
        self.reversed.push(false);
        self.linked.push(false);
        self.all.len() - 1
    }
}

fn kind_of(e: &ServiceError) -> &'static str {
    match e {
        ServiceError::Conflict(_) => "conflict",
        ServiceError::Invalid { .. } => "invalid",
        ServiceError::NotFound(..) => "not found",
        ServiceError::Denied { .. } => "denied",
        ServiceError::PromiseRefused(r) => r.rule().as_str(),
        ServiceError::MergedAway { .. } => "merged",
        _ => "other",
    }
}

async fn run(kind: Kind, ops: Vec<Op>) {
    let Some(env) = Env::new(kind).await else { return };
    let svc = &env.svc;
    let mut tariff_ids = Vec::new();
    for t in 0..TARIFFS {
        let input = TariffInput {
            name: format!("Тариф {t}"),
            price: Money::from_minor(50_000 + t as i64 * 10_000),
            period: Period::Month,
            active: true,
            public: true,
            pause_price: None,
            transitions: None,
        };
        tariff_ids.push(svc.create_tariff(&env.admin, &input).await.unwrap().id);
    }
    let price = |t: usize| 50_000 + t as i64 * 10_000;
    let mut ids = Vec::new();
    for c in 0..CUSTOMERS {
        let mut fields = CustomerChanges::from_pairs([("date_connect", "01.11.2026")]).unwrap();
        fields.name = Some(format!("Абонент {c}"));
        let new = NewCustomer { fields, tariff_id: Some(tariff_ids[0]) };
        ids.push(svc.add_customer(&env.admin, &new).await.unwrap().id);
    }
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut m = Model::default();
    for (step, op) in ops.iter().enumerate() {
        let at = format!("step {step}: {op:?}");
        match *op {
            Op::Pay { customer, kopecks, key } => {
                let req = PaymentRequest {
                    customer_id: ids[customer],
                    amount: Money::from_minor(kopecks),
                    method: PaymentMethod::Cash,
                    method_code: None,
                    receipt_number: None,
                    comment: None,
                    idempotency_key: key.map(|k| format!("model-{k}")),
                    received: None,
                    bank: None,
                };
                let got = svc.post_payment(&env.cashier, &req).await;
                match key.and_then(|k| m.keys.get(&k).copied()) {
                    Some((c, a, pos)) if (c, a) == (customer, kopecks) => {
                        let out = got.expect(&at);
                        assert!(out.replayed, "{at}: the same key again replays");
                        assert_eq!(out.operation.id, m.all[pos].2, "{at}: the original operation");
                    }
                    Some(_) => assert_eq!(got.map_err(|e| kind_of(&e)).err(), Some("conflict"), "{at}"),
                    // money for a customer merged into another is refused
                    None if m.former[customer] => {
                        assert_eq!(got.map_err(|e| kind_of(&e)).err(), Some("merged"), "{at}")
                    }
                    None => {
                        let out = got.expect(&at);
                        assert!(!out.replayed, "{at}");
                        let pos = m.post(customer, OperationKind::Payment, kopecks, out.operation.id);
                        if let Some(k) = key {
                            m.keys.insert(k, (customer, kopecks, pos));
                        }
                    }
                }
            }
            Op::Charge { customer, kopecks } | Op::Correct { customer, kopecks } => {
                let (kind, amount) = match op {
                    Op::Charge { .. } => (OperationKind::Charge, -kopecks),
                    _ => (OperationKind::Correction, kopecks),
                };
                let req = AdjustmentRequest {
                    customer_id: ids[customer],
                    kind,
                    amount: Money::from_minor(kopecks),
                    comment: "model".into(),
                    idempotency_key: None,
                };
                let got = svc.post_adjustment(&env.admin, &req).await;
                if m.former[customer] {
                    assert_eq!(got.map_err(|e| kind_of(&e)).err(), Some("merged"), "{at}");
                    continue;
                }
                let out = got.expect(&at);
                assert_eq!(out.operation.amount.minor(), amount, "{at}");
                m.post(customer, kind, amount, out.operation.id);
            }
            Op::Reverse { pick } => {
                if m.all.is_empty() {
                    continue;
                }
                let pos = pick % m.all.len();
                let (customer, line, id) = m.all[pos];
                let original = m.history[customer][line].clone();
                let got = svc.reverse_operation(&env.admin, id, "model", None).await;
                if original.kind == OperationKind::Reversal || m.reversed[pos] || m.linked[pos] {
                    assert_eq!(got.map_err(|e| kind_of(&e)).err(), Some("conflict"), "{at}");
                } else if m.former[customer] {
                    assert_eq!(got.map_err(|e| kind_of(&e)).err(), Some("merged"), "{at}");
                } else {
                    let out = got.expect(&at);
                    assert_eq!(out.operation.amount.minor(), -original.amount, "{at}");
                    m.reversed[pos] = true;
                    m.post(customer, OperationKind::Reversal, -original.amount, out.operation.id);
                }
            }
            Op::Promise { customer, kopecks, days } => {
                let got =
                    svc.promise_payment(&env.cashier, ids[customer], Money::from_minor(kopecks), days).await;
                // the rules in the service's order, with the defaults: 1000.00, 5 days, one a
                // month, the balance above -500.00
                let expected = if days < 1 {
                    Some("invalid")
                } else if kopecks > 100_000 {
                    Some("max_amount")
                } else if days > 5 {
                    Some("max_days")
                } else if m.promise[customer].is_some() {
                    Some("one_at_a_time")
                } else if m.promises_given[customer] >= 1 {
                    Some("per_month")
                } else if m.balance[customer] <= -50_000 {
                    Some("balance_floor")
                } else {
                    None
                };
                match expected {
                    Some(why) => assert_eq!(got.map_err(|e| kind_of(&e)).err(), Some(why), "{at}"),
                    None => {
                        assert_eq!(got.expect(&at).amount.minor(), kopecks, "{at}");
                        m.promise[customer] = Some(kopecks);
                        m.promises_given[customer] += 1;
                    }
                }
            }
            Op::Merge { main, secondary } => {
                let got = svc.merge_customers(&env.admin, ids[main], ids[secondary]).await;
                if main == secondary {
                    assert_eq!(got.map_err(|e| kind_of(&e)).err(), Some("invalid"), "{at}");
                } else if m.former[main]
                    || m.former[secondary]
                    || (m.promise[main].is_some() && m.promise[secondary].is_some())
                {
                    assert_eq!(got.map_err(|e| kind_of(&e)).err(), Some("conflict"), "{at}");
                } else {
                    let out = got.expect(&at);
                    let b = m.balance[secondary];
                    match out.operations {
                        Some((first, second)) => {
                            assert_ne!(b, 0, "{at}");
                            assert_eq!((first.amount.minor(), second.amount.minor()), (-b, b), "{at}");
                            let out = m.post(secondary, OperationKind::Correction, -b, first.id);
                            let into = m.post(main, OperationKind::Correction, b, second.id);
                            m.linked[out] = true;
                            m.linked[into] = true;
                        }
                        None => assert_eq!(b, 0, "{at}"),
                    }
                    m.former[secondary] = true;
                    if let Some(p) = m.promise[secondary].take() {
                        m.promise[main] = Some(p);
                    }
                    m.promises_given[main] += std::mem::take(&mut m.promises_given[secondary]);
                }
            }
            Op::EndPromises => {
                let later = chrono::Utc::now() + chrono::Duration::days(6);
                let ended = svc.end_due_promises(Some(&env.admin), later).await.expect(&at);
                assert_eq!(ended.len(), m.promise.iter().flatten().count(), "{at}");
                m.promise = [None; CUSTOMERS];
            }
            Op::Tariff { customer, tariff, now } => {
                let when = if now { When::Now } else { When::NextPeriod };
                let today = m.today.unwrap_or(today);
                let got =
                    svc.change_tariff(&env.cashier, ids[customer], tariff_ids[tariff], when, today).await;
                if m.tariff[customer] == tariff {
                    assert_eq!(got.map_err(|e| kind_of(&e)).err(), Some("conflict"), "{at}");
                } else {
                    let out = got.expect(&at);
                    assert_eq!(out.applied, now, "{at}");
                    if now {
                        m.tariff[customer] = tariff;
                        m.scheduled[customer] = None;
                        m.scheduled_on[customer] = None;
                        // a period charged that holds today: the rest back, the new tariff for it
                        let c = customer;
                        let held = m.periods[c].iter().position(|p| p.0 <= today && today <= p.1);
                        if let Some(i) = held {
                            let (from, to, amount, _) = m.periods[c][i];
                            let credit = share(amount, days(today, to), days(from, to));
                            if credit > 0 {
                                m.book(c, credit);
                            }
                            if today == from {
                                m.periods[c].remove(i);
                            } else {
                                m.periods[c][i] = (
                                    from,
                                    today - chrono::Duration::days(1),
                                    amount - credit,
                                    m.periods[c][i].3,
                                );
                            }
                            if !m.former[c] {
                                m.charge(c, today, today, price(tariff));
                            }
                        }
                    } else {
                        let next = month_of(today).1 + chrono::Duration::days(1);
                        assert_eq!(out.effective_on, next, "{at}");
                        m.scheduled[customer] = Some(tariff);
                        m.scheduled_on[customer] = Some(next);
                    }
                }
            }
            Op::Bill { month, mid } => {
                let date = day(2026, 12, if mid { 17 } else { 1 }) + chrono::Months::new(month);
                let got = svc.run_billing(&env.admin, date, false).await.expect(&at);
                let epoch = *m.epoch.get_or_insert(date);
                m.today = Some(m.today.map_or(date, |t| t.max(date)));
                // changes "from the next period" that have come are applied first
                let mut charged = 0;
                for c in 0..CUSTOMERS {
                    if let Some(t) = m.scheduled[c].filter(|_| m.pending_due(c, date)) {
                        m.tariff[c] = t;
                        m.scheduled[c] = None;
                        m.scheduled_on[c] = None;
                    }
                    if m.former[c] {
                        continue;
                    }
                    let start = match m.periods[c].iter().map(|p| p.1).max() {
                        Some(until) => until + chrono::Duration::days(1),
                        None => day(2026, 11, 1).max(epoch),
                    };
                    let before = m.periods[c].len();
                    m.charge(c, start, date, price(m.tariff[c]));
                    charged += m.periods[c][before..].iter().filter(|p| !p.3).count() as i64;
                }
                assert_eq!(got.charged, charged, "{at}: {got:?}");
            }
            Op::Pause { customer, on } => {
                if m.former[customer] {
                    continue;
                }
                let state = if on { CustomerState::Pause } else { CustomerState::Active };
                let got = svc.change_state(&env.admin, ids[customer], state).await;
                if m.paused[customer] == on {
                    assert_eq!(got.map_err(|e| kind_of(&e)).err(), Some("conflict"), "{at}");
                } else {
                    got.expect(&at);
                    m.paused[customer] = on;
                }
            }
            Op::Discount { customer, percent } => {
                let input = DiscountInput {
                    whom: Whom::Customer(ids[customer]),
                    percent: Percent(percent * 100),
                    applies: Applies::All,
                    from: day(2026, 1, 1),
                    to: None,
                    priority: step as i64,
                    comment: String::new(),
                };
                svc.add_discount(&env.admin, &input).await.expect(&at);
                m.discount[customer] = Some(percent);
            }
        }
    }
    for c in 0..CUSTOMERS {
        let card = svc.customer_card(&env.admin, ids[c]).await.unwrap();
        assert_eq!(card.customer.balance.minor(), m.balance[c], "customer {c}'s balance");
        assert_eq!(
            card.available.minor(),
            m.balance[c] + m.promise[c].unwrap_or(0),
            "customer {c}'s available: balance and the active promise"
        );
        assert_eq!(card.customer.tariff_id, Some(tariff_ids[m.tariff[c]]), "customer {c}'s tariff");
        let owes = !m.former[c] && m.balance[c] + m.promise[c].unwrap_or(0) < 0;
        assert_eq!(card.debt_block.is_some(), owes, "customer {c} blocked for debt exactly when owing");
        assert_eq!(
            card.scheduled_change.map(|s| s.tariff_id),
            m.scheduled[c].map(|t| tariff_ids[t]),
            "customer {c}'s scheduled change"
        );
        let q = HistoryQuery { customer_id: ids[c], limit: 1000, ..Default::default() };
        let page = svc.history(&env.admin, &q).await.unwrap();
        let got: Vec<Line> = page
            .operations
            .iter()
            .rev()
            .map(|o| Line {
                kind: o.kind,
                amount: o.amount.minor(),
                before: o.balance_before.minor(),
                after: o.balance_after.minor(),
            })
            .collect();
        assert_eq!(got, m.history[c], "customer {c}'s history, oldest first");
    }
    env.assert_invariants().await;
}

fn block_on(f: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(f);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_follows_the_model_sqlite(ops in proptest::collection::vec(op(), 1..40)) {
        block_on(run(Kind::Sqlite, ops));
    }

    #[test]
    fn the_ledger_follows_the_model_postgres(ops in proptest::collection::vec(op(), 1..40)) {
        block_on(run(Kind::Postgres, ops));
    }
}
