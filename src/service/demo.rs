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

const MONTHS_RU: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

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
        let today = stamp.date_naive();

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

        // Customers and their history, in batches of one transaction each.
        let first_month = add_months(month_start(today), -(opts.months as i32 - 1));
        let mut op_id: i64 = 0;
        let mut receipt: i64 = 0;
        let batch = 5000u64;
        let mut next = 0u64;
        while next < opts.customers {
            let end = (next + batch).min(opts.customers);
            let mut rows = Vec::with_capacity((end - next) as usize);
            let mut ops: Vec<(i64, NewOperation)> =
                Vec::with_capacity(((end - next) * 2 * opts.months as u64) as usize);
            let mut addrs = Vec::with_capacity((end - next) as usize);
            let mut marks = Vec::new();
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
                    &tariff_list[rng.random_range(0..9)]
                };
                let connected = first_month - Duration::days(rng.random_range(0..900));
                let state = if is_former {
                    CustomerState::Stop
                } else {
                    match rng.random_range(0..100) {
                        0..=4 => CustomerState::Pause,
                        5..=7 => CustomerState::Stop,
                        _ => CustomerState::Active,
                    }
                };
                let mut c = Customer {
                    id,
                    name,
                    is_corporate,
                    is_potential,
                    is_former,
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
                    // the history: a charge at the start of every month, usually a payment after it
                    let monthly = match tariff.period {
                        Period::Month => tariff.price.minor(),
                        Period::Day => tariff.price.minor() * 30,
                    };
                    let stops_paying = rng.random_range(0..100) < 10;
                    let last_month = if is_former {
                        opts.months.saturating_sub(rng.random_range(1..=opts.months.max(1)))
                    } else {
                        opts.months
                    };
                    let mut balance = 0i64;
                    for m in 0..last_month {
                        let day = add_months(first_month, m as i32);
                        let charge_at = at(day, 300 + rng.random_range(0..600));
                        if charge_at > stamp {
                            break;
                        }
                        op_id += 1;
                        ops.push((
                            op_id,
                            NewOperation {
                                customer_id: id,
                                kind: OperationKind::Charge,
                                amount: Money::from_minor(-monthly),
                                balance_before: Money::from_minor(balance),
                                method: None,
                                receipt_number: None,
                                comment: Some(format!(
                                    "Абонентская плата за {} {}",
                                    MONTHS_RU[day.month0() as usize],
                                    day.year()
                                )),
                                operator_id: None,
                                created_at: charge_at,
                                reverses_id: None,
                                idempotency_key: None,
                                linked_id: None,
                                desk: None,
                                shift_id: None,
                                received: None,
                                bank: None,
                                method_code: None,
                                method_name: None,
                                refund_of: None,
                                rko_number: None,
                            },
                        ));
                        balance -= monthly;
                        let skip = stops_paying && m + 3 >= last_month;
                        if !skip && rng.random_range(0..100) < 92 {
                            let pay_at = at(day, rng.random_range(86_400..25 * 86_400));
                            if pay_at > stamp {
                                continue;
                            }
                            let need = (monthly - balance).max(monthly);
                            let mut amount = ((need + 4_999) / 5_000) * 5_000;
                            if rng.random_range(0..100) < 15 {
                                amount += 5_000 * rng.random_range(1..20);
                            }
                            let method = match rng.random_range(0..10) {
                                0..=4 => PaymentMethod::Cash,
                                5..=6 => PaymentMethod::Card,
                                7..=8 => PaymentMethod::Terminal,
                                _ => PaymentMethod::Bank,
                            };
                            receipt += 1;
                            op_id += 1;
                            ops.push((
                                op_id,
                                NewOperation {
                                    customer_id: id,
                                    kind: OperationKind::Payment,
                                    amount: Money::from_minor(amount),
                                    balance_before: Money::from_minor(balance),
                                    method: Some(method),
                                    receipt_number: Some(receipt.to_string()),
                                    comment: None,
                                    operator_id: matches!(method, PaymentMethod::Cash | PaymentMethod::Card)
                                        .then_some(cashier_id)
                                        .flatten(),
                                    created_at: pay_at,
                                    reverses_id: None,
                                    idempotency_key: None,
                                    linked_id: None,
                                    desk: None,
                                    shift_id: None,
                                    received: None,
                                    bank: None,
                                    method_code: None,
                                    method_name: None,
                                    refund_of: None,
                                    rko_number: None,
                                },
                            ));
                            balance += amount;
                        }
                    }
                    c.balance = Money::from_minor(balance);
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
                    if c.balance.is_negative() && rng.random_bool(0.3) {
                        marks.push((id, mark_ids[0]));
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
            customers::insert_customer_marks(&mut db, &marks).await?;
            ledger::insert_many(&mut db, &ops).await?;
            extras(&mut db, next as i64 + 1..=end as i64, &catalogue, cashier_id, stamp).await?;
            tx.commit().await?;
            next = end;
            tracing::info!(done = end, total = opts.customers, "demo customers written");
        }
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        counters::raise_to(&mut db, counters::RECEIPT, receipt).await?;
        counters::raise_to(&mut db, counters::AGREEMENT, 10_000 + opts.customers as i64).await?;
        counters::raise_to(&mut db, counters::DEMO, 1).await?;
        // the history above charged this month already: charging runs begin with the next one
        let next_month = add_months(month_start(stamp.date_naive()), 1);
        counters::raise_to(&mut db, crate::store::billing::EPOCH, i64::from(next_month.num_days_from_ce()))
            .await?;
        customers::sync_id_sequences(&mut db).await?;
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
            operations: op_id as u64,
            operators: created_ops,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}

/// The demo's catalogue of extra services: name, price in kopecks, period.
const EXTRA_SERVICES: &[(&str, i64, Period)] = &[
    ("Статический IP", 15_000, Period::Month),
    ("ТВ-пакет «Базовый»", 19_900, Period::Month),
    ("Аренда роутера", 10_000, Period::Month),
    ("Антивирус", 300, Period::Day),
];

/// Extra services and messages for some of the customers `ids`, picked by id (the random
/// sequence of the rest of the demo stays as it was).
async fn extras(
    db: &mut crate::store::Db<'_>,
    ids: std::ops::RangeInclusive<i64>,
    catalogue: &[i64],
    operator: Option<i64>,
    at: DateTime<Utc>,
) -> Result<()> {
    for id in ids {
        let picks = [(13, 0, None, None), (7, 1, None, None), (19, 2, Some(5_000), Some("акция: полцены"))];
        for (every, which, own, comment) in picks {
            if id % every != 0 {
                continue;
            }
            let Some(service_id) = catalogue.get(which).copied() else { continue };
            let c = CustomerService {
                id: 0,
                customer_id: id,
                service_id,
                service_name: String::new(),
                period: Period::Month,
                own_price: own.map(Money::from_minor),
                price: Money::ZERO,
                quantity: 1,
                comment: comment.map(str::to_string),
                enabled: id % 91 != 0,
                next_charge_on: None,
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
