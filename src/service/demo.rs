//! Demo data: a believable small-town ISP, generated from a seed so the same command always
//! builds the same database. Names come from `assets/demo/`.

use super::{Conflict, Problem};
use std::time::Instant;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use super::operators::hash_password;
use super::{Result, Service, ServiceError, audit, now};
use crate::domain::customer::{self, Customer, CustomerState};
use crate::domain::ledger::{OperationKind, PaymentMethod};
use crate::domain::money::Money;
use crate::domain::network::Ip;
use crate::domain::role::Role;
use crate::domain::text;
use crate::store::houses::House;
use crate::store::ledger::NewOperation;
use crate::store::messages::{self, Direction};
use crate::store::network::{self, Switch};
use crate::store::services::{self, CustomerService, ExtraService};
use crate::store::tariffs::{Period, Tariff};
use crate::store::{counters, customers, houses, ledger, operators, tariffs};

const SURNAMES: &str = include_str!("../../assets/demo/surnames.txt");
const MALE: &str = include_str!("../../assets/demo/first_names_male.txt");
const FEMALE: &str = include_str!("../../assets/demo/first_names_female.txt");
const STREETS: &str = include_str!("../../assets/demo/streets.txt");
const COMPANIES: &str = include_str!("../../assets/demo/companies.txt");

/// The password of the demo operators admin, cashier, noc and viewer.
pub const DEMO_PASSWORD: &str = "kassa";

const PATRONYMICS: &[&str] = &[
    "Александрович",
    "Сергеевич",
    "Дмитриевич",
    "Андреевич",
    "Алексеевич",
    "Иванович",
    "Михайлович",
    "Владимирович",
    "Николаевич",
    "Викторович",
    "Юрьевич",
    "Петрович",
    "Анатольевич",
    "Геннадьевич",
    "Олегович",
    "Борисович",
    "Григорьевич",
    "Рустамович",
    "Маратович",
    "Ильдарович",
    "Ашотович",
    "Тимурович",
];

const TARIFFS: &[(&str, i64, Period, bool, bool)] = &[
    // name, price in roubles, period, active, public
    ("Эконом 30", 350, Period::Month, true, true),
    ("Старт 50", 450, Period::Month, true, true),
    ("Домашний 100", 600, Period::Month, true, true),
    ("Оптима 200", 750, Period::Month, true, true),
    ("Семейный + ТВ", 890, Period::Month, true, true),
    ("Турбо 500", 950, Period::Month, true, true),
    ("Гигабит", 1200, Period::Month, true, true),
    ("Суточный 100", 25, Period::Day, true, true),
    ("Пенсионный 50", 300, Period::Month, true, false),
    ("Бизнес 100", 2500, Period::Month, true, false),
    ("Бизнес 300", 4500, Period::Month, true, false),
    ("Архивный 2019", 500, Period::Month, false, false),
];

fn lines(s: &str) -> Vec<&str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

fn feminine_surname(s: &str) -> String {
    for (m, f) in [("ский", "ская"), ("цкий", "цкая"), ("ой", "ая")] {
        if let Some(stem) = s.strip_suffix(m) {
            return format!("{stem}{f}");
        }
    }
    if ["ов", "ев", "ёв", "ин", "ын"].iter().any(|e| s.ends_with(e)) {
        return format!("{s}а");
    }
    s.to_string()
}

fn translit(s: &str) -> String {
    let mut out = String::new();
    for ch in s.to_lowercase().chars() {
        let t = match ch {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'і' => "i",
            'й' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "sch",
            'ы' => "y",
            'ю' => "yu",
            'я' => "ya",
            'ъ' | 'ь' => "",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "",
        };
        out.push_str(t);
    }
    out
}

#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub customers: u64,
    pub seed: u64,
    /// Months of history per customer.
    pub months: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { customers: 2000, seed: 1, months: 10 }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub customers: u64,
    pub houses: u64,
    pub tariffs: u64,
    pub operations: u64,
    pub operators: Vec<String>,
    pub seconds: f64,
}

struct Town {
    surnames: Vec<&'static str>,
    male: Vec<&'static str>,
    female: Vec<&'static str>,
    companies: Vec<&'static str>,
}

fn month_start(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)
}

fn add_months(d: NaiveDate, n: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + n;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

fn at(d: NaiveDate, secs: i64) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc() + Duration::seconds(secs)
}

impl Service {
    /// Whether the database holds demo data (the login screen then names the demo operators).
    pub async fn is_demo_database(&self) -> Result<bool> {
        let mut tx = self.store.read().await?;
        Ok(counters::get(&mut tx.db(), counters::DEMO).await? > 0)
    }

    /// Fills an empty database with demo data and creates the operators admin, cashier, noc
    /// and viewer (password `kassa`) where missing. Refused when customers exist.
    pub async fn generate_demo(&self, opts: DemoOptions) -> Result<DemoSummary> {
        let started = Instant::now();
        if opts.customers == 0 || opts.customers > 5_000_000 {
            return Err(ServiceError::invalid("customers", Problem::Range(1, 5_000_000)));
        }
        if !(1..=60).contains(&opts.months) {
            return Err(ServiceError::invalid("months", Problem::Range(1, 60)));
        }
        let town = Town {
            surnames: lines(SURNAMES),
            male: lines(MALE),
            female: lines(FEMALE),
            companies: lines(COMPANIES),
        };
        let streets = lines(STREETS);
        let mut rng = StdRng::seed_from_u64(opts.seed);
        let stamp = now();
        let today = crate::domain::dates::local(stamp).date_naive();

        // Operators, tariffs, houses, groups and marks: one small transaction.
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        if customers::count(&mut db).await? > 0 {
            return Err(ServiceError::Conflict(Conflict::NotEmpty));
        }
        let hash = hash_password(DEMO_PASSWORD)?;
        let mut created_ops = Vec::new();
        let mut cashier_id = None;
        for (login, name, role) in [
            ("admin", "Администратор", Role::Admin),
            ("cashier", "Кассир Анна Смирнова", Role::Cashier),
            ("noc", "Инженер Рустам Сафин", Role::Noc),
            ("viewer", "Наблюдатель", Role::Viewer),
        ] {
            let id = match operators::by_login(&mut db, login).await? {
                Some((op, _)) => op.id,
                None => {
                    created_ops.push(login.to_string());
                    operators::insert(&mut db, login, name, role, &hash, stamp).await?
                }
            };
            if role == Role::Cashier {
                cashier_id = Some(id);
            }
        }
        let mut tariff_list = Vec::new();
        for (name, price, period, active, public) in TARIFFS {
            let mut t = Tariff {
                id: 0,
                name: name.to_string(),
                price: Money::from_major(*price),
                period: *period,
                active: *active,
                public: *public,
                pause_price: None,
            };
            t.id = match tariffs::by_name(&mut db, name).await? {
                Some(existing) => existing.id,
                None => tariffs::insert(&mut db, &t, stamp).await?,
            };
            tariff_list.push(t);
        }
        // Business customers may move only between business tariffs.
        let business: Vec<i64> =
            tariff_list.iter().filter(|t| t.name.starts_with("Бизнес")).map(|t| t.id).collect();
        for b in &business {
            let others: Vec<i64> = business.iter().copied().filter(|x| x != b).collect();
            tariffs::set_transitions(&mut db, *b, &others).await?;
        }
        let house_count = (opts.customers / 60).max(1);
        let mut house_list: Vec<House> = Vec::with_capacity(house_count as usize);
        for i in 0..house_count {
            // a small town uses a few streets with many houses, a city all of them
            let used = ((house_count / 6) as usize).clamp(3, streets.len());
            let street = streets[(i as usize) % used];
            let number = (i as usize / used) as i64 + 1;
            let letter = match rng.random_range(0..20) {
                0 => "а",
                1 => "б",
                2 => "к1",
                _ => "",
            };
            let mut h = House {
                id: 0,
                country: "Россия".into(),
                region: "Республика Татарстан".into(),
                city: "Казань".into(),
                street: street.to_string(),
                number,
                letter: letter.to_string(),
                postcode: format!("420{:03}", rng.random_range(0..140)),
                connect_date: Some(today - Duration::days(rng.random_range(400..3000))),
                ip_pool_id: None,
            };
            h.id = houses::insert(&mut db, &h, stamp).await?;
            house_list.push(h);
        }
        // a switch in every house: its first ports go to customers one by one, the rest of the
        // house is served through the house flag
        let mut switch_ids = Vec::with_capacity(house_list.len());
        for (i, h) in house_list.iter().enumerate() {
            let (block, host) = (i / 250, i % 250 + 1);
            let street = translit(h.street.trim_start_matches("ул. ").trim_start_matches("пр. "));
            let sw = Switch {
                id: 0,
                name: format!("sw-{}-{}{}", street.replace(' ', "-"), h.number, translit(&h.letter)),
                ip: format!("10.{}.{}.{host}", 200 + (block >> 8), block & 255),
                model: ["DES-3200-28", "SNR-S2985G-24T", "DGS-1210-52"][i % 3].into(),
                snmp_community: "public".into(),
                ssh_password: "demo-ssh".into(),
                telnet_password: String::new(),
                house_id: Some(h.id),
                ports: [24, 24, 48][i % 3],
                serves_house: true,
            };
            let key = Ip::parse(&sw.ip).map(|ip| ip.key()).map_err(|e| ServiceError::invalid("ip", e))?;
            switch_ids.push((network::insert_switch(&mut db, &sw, &key, stamp).await?, sw.ports, 0i64));
        }
        let mut group_ids = Vec::new();
        for g in ["Физические лица", "Юридические лица", "VIP", "Льготники"]
        {
            group_ids.push(customers::insert_group(&mut db, g).await?);
        }
        let mut mark_ids = Vec::new();
        for (m, color) in
            [("Должник", "red"), ("Не звонить", "magenta"), ("Ветеран", "green"), ("Жалоба", "yellow")]
        {
            mark_ids.push(customers::insert_mark(&mut db, m, color).await?);
        }
        let mut catalogue = Vec::new();
        for (name, price, period) in EXTRA_SERVICES {
            let x = ExtraService {
                id: 0,
                name: name.to_string(),
                price: Money::from_minor(*price),
                period: *period,
                active: true,
            };
            catalogue.push(services::insert_service(&mut db, &x, stamp).await?);
        }
        audit::<(), _>(
            &mut db,
            None,
            "demo.generate",
            "database",
            None,
            None,
            Some(&serde_json::json!({"customers": opts.customers, "seed": opts.seed})),
        )
        .await?;
        tx.commit().await?;

        // Customers first, as they were before the history begins: every one active (those
        // whose state changes later change it month by month below), each with a first
        // payment made before the first month so a customer who pays is not a debtor from
        // the start.
        let first_month = add_months(month_start(today), -(opts.months as i32 - 1));
        let mut op_id: i64 = 0;
        let mut receipt: i64 = 0;
        let mut lives: Vec<Life> = Vec::with_capacity(opts.customers as usize);
        let batch = 5000u64;
        let mut next = 0u64;
        while next < opts.customers {
            let end = (next + batch).min(opts.customers);
            let mut rows = Vec::with_capacity((end - next) as usize);
            let mut ops: Vec<(i64, NewOperation)> = Vec::with_capacity((end - next) as usize);
            let mut addrs = Vec::with_capacity((end - next) as usize);
            let mut ports_taken = Vec::new();
            for i in next..end {
                let id = i as i64 + 1;
                let roll = rng.random_range(0..100);
                let is_potential = roll < 2;
                let is_former = (2..5).contains(&roll);
                let is_corporate = rng.random_range(0..100) < 3;
                let house_index = rng.random_range(0..house_list.len());
                let house = &house_list[house_index];
                let (name, login_base) = if is_corporate {
                    let c = town.companies[rng.random_range(0..town.companies.len())];
                    (c.to_string(), format!("org{}", id))
                } else {
                    let sur = town.surnames[rng.random_range(0..town.surnames.len())];
                    let pat = PATRONYMICS[rng.random_range(0..PATRONYMICS.len())];
                    if rng.random_bool(0.5) {
                        let first = town.male[rng.random_range(0..town.male.len())];
                        (format!("{sur} {first} {pat}"), translit(sur))
                    } else {
                        let first = town.female[rng.random_range(0..town.female.len())];
                        let pat_f = format!("{}на", pat.strip_suffix("ич").unwrap_or(pat));
                        (format!("{} {first} {pat_f}", feminine_surname(sur)), translit(sur))
                    }
                };
                let apt = rng.random_range(1..=120);
                let agreement = (!is_potential).then(|| (10_000 + id).to_string());
                let login = (!is_potential).then(|| format!("{login_base}{}", 10_000 + id));
                let email = login.as_ref().filter(|_| rng.random_bool(0.4)).map(|l| {
                    let domains = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "rambler.ru"];
                    format!("{l}@{}", domains[rng.random_range(0..domains.len())])
                });
                let mobile = format!("79{:09}", rng.random_range(0..1_000_000_000u64));
                let home =
                    rng.random_bool(0.3).then(|| format!("7843{:07}", rng.random_range(0..10_000_000u64)));
                let tariff = if is_corporate {
                    &tariff_list[9 + rng.random_range(0..2)]
                } else {
                    // a daily tariff is rare: one customer in a hundred or so
                    match rng.random_range(0..9) {
                        DAILY if rng.random_range(0..10) > 0 => &tariff_list[rng.random_range(0..7)],
                        n => &tariff_list[n],
                    }
                };
                let connected = first_month - Duration::days(rng.random_range(0..900));
                // the state the customer ends the history in, and the month they take it
                let turns = if is_former {
                    let month = opts.months.saturating_sub(rng.random_range(1..=opts.months));
                    Some(Turn { month, state: CustomerState::Stop, former: true })
                } else {
                    let month = opts.months.saturating_sub(rng.random_range(1..=opts.months.min(3)));
                    match rng.random_range(0..100) {
                        0..=4 => Some(Turn { month, state: CustomerState::Pause, former: false }),
                        5..=7 => Some(Turn { month, state: CustomerState::Stop, former: false }),
                        _ => None,
                    }
                };
                let (state, former_now) = match turns {
                    Some(t) if t.month == 0 => (t.state, t.former),
                    _ => (CustomerState::Active, false),
                };
                let mut c = Customer {
                    id,
                    name,
                    is_corporate,
                    is_potential,
                    is_former: former_now,
                    state,
                    agreement_number: agreement,
                    agreement_date: (!is_potential).then_some(connected),
                    account_number: (!is_potential).then(|| format!("1{:08}", id)),
                    house_id: Some(house.id),
                    entrance: Some(((apt - 1) / 36 + 1).to_string()),
                    floor: Some((((apt - 1) % 36) / 4 + 1).to_string()),
                    apartment: Some(apt.to_string()),
                    phones: [Some(mobile), home, None, None, None],
                    email,
                    login,
                    group_id: Some(if is_corporate {
                        group_ids[1]
                    } else if rng.random_range(0..50) == 0 {
                        group_ids[3]
                    } else {
                        group_ids[0]
                    }),
                    manager_id: None,
                    parent_id: None,
                    comment: rng.random_bool(0.05).then(|| "Просит звонить после 18:00".to_string()),
                    date_connect: (!is_potential).then_some(connected),
                    date_activity: None,
                    date_activity_inet: None,
                    date_activity_lk: None,
                    tariff_id: (!is_potential).then_some(tariff.id),
                    balance: Money::ZERO,
                    credit_limit: Money::ZERO,
                    billing_id: None,
                    billing_uid: None,
                    codeti: None,
                    created_at: at(connected, 10 * 3600),
                    updated_at: at(connected, 10 * 3600),
                };
                if !is_potential {
                    // what a month costs the customer: the tariff (a daily one for the longest
                    // month) and the extra services they have
                    let tariff_month = match tariff.period {
                        Period::Month => tariff.price.minor(),
                        Period::Day => tariff.price.minor() * 31,
                    };
                    let services: i64 = extra_picks(id)
                        .filter(|p| p.enabled)
                        .map(|p| p.own_price.unwrap_or(EXTRA_SERVICES[p.which].1))
                        .sum();
                    let monthly = tariff_month + services;
                    let life = Life { id, monthly, stops_paying: rng.random_range(0..100) < 10, turns };
                    if life.charged_in(0) {
                        let paid = round_up(monthly);
                        let pay_at = at(first_month, -rng.random_range(3600..5 * 86_400));
                        op_id += 1;
                        receipt += 1;
                        let method = demo_method(&mut rng);
                        ops.push((op_id, payment(id, paid, 0, method, receipt, cashier_id, pay_at)));
                        c.balance = Money::from_minor(paid);
                    }
                    lives.push(life);
                    // 10.x.y.1–250: no network or broadcast addresses
                    let (block, host) = (i / 250, i % 250 + 1);
                    addrs.push((
                        id,
                        Some(format!("10.{}.{}.{host}", (block >> 8) & 255, block & 255)),
                        Some(format!(
                            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                            0x00,
                            0x1a,
                            rng.random::<u8>(),
                            rng.random::<u8>(),
                            rng.random::<u8>(),
                            rng.random::<u8>()
                        )),
                        c.created_at,
                    ));
                    let (switch_id, ports, used) = &mut switch_ids[house_index];
                    if *used < *ports {
                        *used += 1;
                        ports_taken.push((id, *switch_id, *used, c.created_at));
                    }
                }
                let search = customer::search_text(
                    &c,
                    Some((house.street.as_str(), house.number, house.letter.as_str())),
                );
                let name_norm = text::normalise(&c.name);
                rows.push((c, name_norm, search));
            }
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            customers::insert_many(&mut db, &rows).await?;
            customers::insert_addresses(&mut db, &addrs).await?;
            network::insert_ports_many(&mut db, &ports_taken).await?;
            ledger::insert_many(&mut db, &ops).await?;
            extras(&mut db, next as i64 + 1..=end as i64, &catalogue, cashier_id, first_month, stamp).await?;
            tx.commit().await?;
            next = end;
            tracing::info!(done = end, total = opts.customers, "demo customers written");
        }
        {
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            customers::sync_id_sequences(&mut db).await?;
            tx.commit().await?;
        }
        self.store.analyze().await?;

        // The history, month by month: the charging engine runs on the 1st, 8th, 15th and
        // 22nd (monthly periods and services on the 1st, the days of a daily tariff as they
        // come), each run stamped with its own time, and between the runs the customers pay
        // what they owe and a month ahead. Blocks for debt begin and end as they would have.
        'months: for m in 0..opts.months {
            let month = add_months(first_month, m as i32);
            let turning: Vec<(i64, CustomerState, bool)> = lives
                .iter()
                .filter_map(|l| l.turns.filter(|t| t.month == m && m > 0).map(|t| (l.id, t.state, t.former)))
                .collect();
            if !turning.is_empty() {
                let mut tx = self.store.write().await?;
                customers::set_states_many(&mut tx.db(), &turning).await?;
                tx.commit().await?;
            }
            // who pays this month, when, and how much above what is owed
            let mut pays: Vec<DemoPayment> = Vec::new();
            for l in &lives {
                if !l.charged_in(m) || (l.stops_paying && m + 3 >= opts.months) {
                    continue;
                }
                if rng.random_range(0..100) < 92 {
                    let pay_at = at(month, rng.random_range(86_400..25 * 86_400));
                    let extra =
                        if rng.random_range(0..100) < 15 { 5_000 * rng.random_range(1..20) } else { 0 };
                    pays.push(DemoPayment {
                        customer: l.id,
                        monthly: l.monthly,
                        at: pay_at,
                        extra,
                        method: demo_method(&mut rng),
                    });
                }
            }
            for k in 0..4u64 {
                let run_day = month + chrono::Days::new(7 * k);
                let run_at = at(run_day, 300);
                if run_at > stamp {
                    break 'months;
                }
                self.charging_run(None, run_day, Some(run_at), false).await?;
                let until = if k == 3 {
                    at(add_months(month, 1), 300)
                } else {
                    at(run_day + chrono::Days::new(7), 300)
                };
                let due: Vec<&DemoPayment> =
                    pays.iter().filter(|p| p.at >= run_at && p.at < until && p.at <= stamp).collect();
                self.demo_payments(&due, &mut receipt, cashier_id).await?;
            }
        }
        // the days of daily tariffs up to today
        self.charging_run(None, today, Some(stamp), false).await?;

        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        // a third of the debtors marked as such by an operator
        let marks: Vec<(i64, i64)> = customers::below_zero(&mut db)
            .await?
            .into_iter()
            .filter(|_| rng.random_bool(0.3))
            .map(|id| (id, mark_ids[0]))
            .collect();
        customers::insert_customer_marks(&mut db, &marks).await?;
        counters::raise_to(&mut db, counters::RECEIPT, receipt).await?;
        counters::raise_to(&mut db, counters::AGREEMENT, 10_000 + opts.customers as i64).await?;
        counters::raise_to(&mut db, counters::DEMO, 1).await?;
        customers::sync_id_sequences(&mut db).await?;
        let operations = ledger::max_id(&mut db).await?;
        // the desk of a console or command run on this machine (origin `local`, no `[desk]
        // name`) has the cashier's shift open with 5 000,00 in the drawer: cash can be taken at once
        if let Some(cashier) = cashier_id {
            crate::store::desk::open(&mut db, "local", cashier, stamp, Money::from_minor(500_000)).await?;
        }
        tx.commit().await?;
        // fresh statistics for the planner after a bulk load
        self.store.analyze().await?;
        Ok(DemoSummary {
            customers: opts.customers,
            houses: house_count,
            tariffs: TARIFFS.len() as u64,
            operations: operations as u64,
            operators: created_ops,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Writes the demo's payments `due` (one month's between two charging runs) in batches:
    /// each pays what the customer owes and a month ahead (rounded up to 50 roubles), plus
    /// its extra, from the balance the engine left; a payment that covers a debt lifts its
    /// block as a desk's payment would.
    async fn demo_payments(
        &self,
        due: &[&DemoPayment],
        receipt: &mut i64,
        cashier: Option<i64>,
    ) -> Result<()> {
        for chunk in due.chunks(2000) {
            let mut tx = self.store.write().await?;
            let mut db = tx.db();
            let mut ids: Vec<i64> = chunk.iter().map(|p| p.customer).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut balances: std::collections::HashMap<i64, i64> =
                customers::balances_of(&mut db, &ids).await?.into_iter().collect();
            let mut op_id = ledger::max_id(&mut db).await?;
            let mut ops = Vec::with_capacity(chunk.len());
            let mut paid_by = std::collections::HashMap::new();
            for p in chunk {
                let Some(balance) = balances.get_mut(&p.customer) else { continue };
                let amount = round_up((p.monthly - *balance).max(p.monthly)) + p.extra;
                op_id += 1;
                *receipt += 1;
                ops.push((op_id, payment(p.customer, amount, *balance, p.method, *receipt, cashier, p.at)));
                *balance += amount;
                paid_by.insert(p.customer, (op_id, p.at));
            }
            ledger::insert_many(&mut db, &ops).await?;
            let moved: Vec<(i64, i64, Option<NaiveDate>)> =
                ids.iter().filter_map(|id| balances.get(id).map(|b| (*id, *b, None))).collect();
            crate::store::billing::set_balances_and_reach(&mut db, &moved).await?;
            customers::sync_id_sequences(&mut db).await?;
            let standing = crate::store::billing::debt_standing(&mut db, &ids, now()).await?;
            for (id, (_, block)) in standing {
                if let (Some(_), Some((by, at))) = (block, paid_by.get(&id)) {
                    super::billing::settle_debt(&mut db, id, Some(*by), *at).await?;
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }
}

/// The tariff of `TARIFFS` the demo gives rarely: the daily one.
const DAILY: usize = 7;

/// A demo customer's life as the history plays it out month by month.
struct Life {
    id: i64,
    /// What a month costs the customer: what they pay by.
    monthly: i64,
    /// Stops paying for the last three months (the demo's debtors).
    stops_paying: bool,
    /// The change to the state the customer ends the history in, if any.
    turns: Option<Turn>,
}

/// A demo customer's last change of state: the month (from the first, 0) it happens in, the
/// state, and whether they left.
#[derive(Clone, Copy)]
struct Turn {
    month: u32,
    state: CustomerState,
    former: bool,
}

impl Life {
    /// Whether month `m` is charged: the customer is active in it.
    fn charged_in(&self, m: u32) -> bool {
        self.turns.is_none_or(|t| m < t.month)
    }
}

/// A payment the demo makes: whose, when, above what is owed, how.
struct DemoPayment {
    customer: i64,
    monthly: i64,
    at: DateTime<Utc>,
    extra: i64,
    method: PaymentMethod,
}

/// Up to whole 50 roubles.
fn round_up(minor: i64) -> i64 {
    ((minor + 4_999) / 5_000) * 5_000
}

fn demo_method(rng: &mut StdRng) -> PaymentMethod {
    match rng.random_range(0..10) {
        0..=4 => PaymentMethod::Cash,
        5..=6 => PaymentMethod::Card,
        7..=8 => PaymentMethod::Terminal,
        _ => PaymentMethod::Bank,
    }
}

fn payment(
    customer_id: i64,
    amount: i64,
    balance_before: i64,
    method: PaymentMethod,
    receipt: i64,
    cashier: Option<i64>,
    at: DateTime<Utc>,
) -> NewOperation {
    NewOperation {
        method: Some(method),
        receipt_number: Some(receipt.to_string()),
        operator_id: matches!(method, PaymentMethod::Cash | PaymentMethod::Card).then_some(cashier).flatten(),
        ..NewOperation::bare(
            customer_id,
            OperationKind::Payment,
            Money::from_minor(amount),
            Money::from_minor(balance_before),
            at,
        )
    }
}

/// The demo's catalogue of extra services: name, price in kopecks, period.
const EXTRA_SERVICES: &[(&str, i64, Period)] = &[
    ("Статический IP", 15_000, Period::Month),
    ("ТВ-пакет «Базовый»", 19_900, Period::Month),
    ("Аренда роутера", 10_000, Period::Month),
    ("Антивирус", 300, Period::Day),
];

/// An extra service a demo customer has: which of `EXTRA_SERVICES`, at what price of their
/// own, with what comment, whether it is on.
struct Pick {
    which: usize,
    own_price: Option<i64>,
    comment: Option<&'static str>,
    enabled: bool,
}

/// The extra services of customer `id`, picked by id (the random sequence of the rest of the
/// demo stays as it was).
fn extra_picks(id: i64) -> impl Iterator<Item = Pick> {
    [(13, 0, None, None), (7, 1, None, None), (19, 2, Some(5_000), Some("акция: полцены"))]
        .into_iter()
        .filter(move |(every, ..)| id % every == 0)
        .map(move |(_, which, own_price, comment)| Pick { which, own_price, comment, enabled: id % 91 != 0 })
}

/// Extra services and messages for some of the customers `ids`: the services charged from
/// `from` on (the first month of the history).
async fn extras(
    db: &mut crate::store::Db<'_>,
    ids: std::ops::RangeInclusive<i64>,
    catalogue: &[i64],
    operator: Option<i64>,
    from: NaiveDate,
    at: DateTime<Utc>,
) -> Result<()> {
    for id in ids {
        for pick in extra_picks(id) {
            let Some(service_id) = catalogue.get(pick.which).copied() else { continue };
            let c = CustomerService {
                id: 0,
                customer_id: id,
                service_id,
                service_name: String::new(),
                period: Period::Month,
                own_price: pick.own_price.map(Money::from_minor),
                price: Money::ZERO,
                quantity: 1,
                comment: pick.comment.map(str::to_string),
                enabled: pick.enabled,
                next_charge_on: Some(from),
            };
            services::insert_customer_service(db, &c, at).await?;
        }
        if id % 23 == 0
            && let Some(op) = operator
        {
            let body = ["Просил перезвонить вечером после 18:00", "Жалуется на обрывы по вечерам"]
                [(id % 2) as usize];
            messages::insert(db, id, Direction::Customer, body, op, at).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_declined_and_transliterated() {
        assert_eq!(feminine_surname("Иванов"), "Иванова");
        assert_eq!(feminine_surname("Успенский"), "Успенская");
        assert_eq!(feminine_surname("Шевченко"), "Шевченко");
        assert_eq!(feminine_surname("Петросян"), "Петросян");
        assert_eq!(translit("Щукин"), "schukin");
        assert_eq!(translit("Ёлкин"), "elkin");
        assert!(lines(SURNAMES).len() > 200);
    }
}
