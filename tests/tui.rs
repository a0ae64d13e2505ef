//! The console: snapshots of every screen at 80×24 with Cyrillic data (Russian and English),
//! tiny windows that must not panic, and key scripts run against a real service until idle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kassa::domain::customer::{Customer, CustomerState};
use kassa::domain::ledger::{Operation, OperationKind, PaymentMethod};
use kassa::domain::money::Money;
use kassa::domain::role::Role;
use kassa::domain::search::SearchQuery;
use kassa::service::{
    Actor, AddressRecord, Applies, CustomerCard, CustomerNetwork, CustomerSummary, Discount, HistoryPage,
    HistoryQuery, House, HouseLine, MacChange, Percent, PortBinding, PortMap, PortUser, PostOutcome,
    PromisedPayment, Switch, SwitchLine, Tariff, TariffChangeOutcome, TaxItem, TaxRule, When, Whom,
};
use kassa::store::tariffs::{Period, ScheduledChange};
use kassa::tui::app::{
    App, CardScreen, CommandLine, HistoryScreen, PayScreen, PayStage, Screen, SearchScreen, TariffScreen,
    TariffStage,
};
use kassa::tui::form::{FormKind, FormScreen, FormStage, field};
use kassa::tui::input::Input;
use kassa::tui::net::{ListData, ListKind, ListScreen, NetworkScreen};
use kassa::tui::strings::Lang;
use kassa::tui::theme::Theme;
use kassa::tui::{execute_effect, ui};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode};

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).single().unwrap()
}

fn rub(s: &str) -> Money {
    Money::parse(s).unwrap()
}

fn actor(role: Role) -> Actor {
    Actor {
        operator_id: 2,
        login: "cashier".into(),
        name: "Анна Смирнова".into(),
        role,
        origin: "local".into(),
        desk: "local".into(),
    }
}

fn customer() -> Customer {
    Customer {
        id: 57,
        name: "Ёлкина Мария Петровна".into(),
        is_corporate: false,
        is_potential: false,
        is_former: false,
        state: CustomerState::Active,
        agreement_number: Some("10234".into()),
        agreement_date: NaiveDate::from_ymd_opt(2023, 3, 1),
        account_number: Some("100010234".into()),
        house_id: Some(3),
        entrance: Some("2".into()),
        floor: Some("5".into()),
        apartment: Some("12".into()),
        phones: [Some("79123456789".into()), Some("78432223344".into()), None, None, None],
        email: Some("elkina@mail.ru".into()),
        login: Some("elkina10234".into()),
        group_id: None,
        manager_id: None,
        parent_id: None,
        comment: None,
        date_connect: NaiveDate::from_ymd_opt(2023, 3, 1),
        date_activity: None,
        date_activity_inet: None,
        date_activity_lk: None,
        tariff_id: Some(3),
        balance: rub("-150"),
        credit_limit: rub("0"),
        billing_id: None,
        billing_uid: None,
        codeti: None,
        created_at: at(1, 9, 0),
        updated_at: at(1, 9, 0),
    }
}

#[allow(clippy::too_many_arguments)]
fn op(
    id: i64,
    kind: OperationKind,
    amount: &str,
    before: &str,
    day: u32,
    receipt: Option<&str>,
    login: Option<&str>,
    comment: Option<&str>,
) -> Operation {
    let amount = rub(amount);
    let before = rub(before);
    Operation {
        id,
        customer_id: 57,
        kind,
        amount,
        balance_before: before,
        balance_after: Money::from_minor(before.minor() + amount.minor()),
        method: (kind == OperationKind::Payment).then_some(PaymentMethod::Cash),
        receipt_number: receipt.map(str::to_string),
        comment: comment.map(str::to_string),
        operator_id: login.map(|_| 2),
        operator_login: login.map(str::to_string),
        created_at: at(day, 10, 30),
        reverses_id: None,
        idempotency_key: None,
        desk: None,
        shift_id: None,
        received: None,
        bank: None,
        reversed_by: None,
        method_code: (kind == OperationKind::Payment).then(|| "cash".to_string()),
        method_name: (kind == OperationKind::Payment).then(|| "Наличные".to_string()),
        refund_of: None,
        rko_number: None,
        refunded: Money::ZERO,
    }
}

fn network() -> CustomerNetwork {
    CustomerNetwork {
        records: vec![AddressRecord {
            id: 1,
            customer_id: 57,
            ip: Some("10.0.40.12".into()),
            prefix: None,
            mac: Some("00:1a:2b:3c:4d:5e".into()),
            created_at: at(3, 12, 0),
        }],
        binding: Some(PortBinding {
            customer_id: 57,
            switch_id: 4,
            switch_name: "sw-lenina-5a".into(),
            switch_ip: "10.255.5.1".into(),
            port: 7,
            bound_at: at(3, 12, 0),
        }),
        house_switch: None,
        mac_history: vec![MacChange {
            id: 1,
            ip: Some("10.0.40.12".into()),
            mac_before: Some("00:1a:2b:3c:4d:00".into()),
            mac_after: Some("00:1a:2b:3c:4d:5e".into()),
            operator_login: Some("noc".into()),
            changed_at: at(5, 14, 2),
        }],
    }
}

fn operations() -> Vec<Operation> {
    vec![
        op(5, OperationKind::Charge, "-750", "600", 1, None, None, Some("Абонентская плата за ноябрь 2026")),
        op(4, OperationKind::Payment, "750", "-150", 20, Some("1842"), Some("cashier"), None),
        op(3, OperationKind::Charge, "-750", "600", 1, None, None, Some("Абонентская плата за октябрь 2026")),
        op(
            2,
            OperationKind::Payment,
            "1 000",
            "-400",
            15,
            Some("1701"),
            Some("cashier"),
            Some("за два месяца"),
        ),
        op(1, OperationKind::Correction, "-400", "0", 2, None, Some("admin"), Some("перенос долга")),
    ]
}

/// A promised payment of 300 made on the 20th for five days (ended when `ended` is given).
fn promise(ended: Option<DateTime<Utc>>) -> PromisedPayment {
    PromisedPayment {
        id: 1,
        customer_id: 57,
        amount: rub("300"),
        days: 5,
        created_at: at(20, 12, 0),
        expires_at: at(25, 12, 0),
        ended_at: ended,
        operator_login: Some("cashier".into()),
    }
}

fn card() -> CustomerCard {
    CustomerCard {
        customer: customer(),
        house: Some(House {
            id: 3,
            country: "Россия".into(),
            region: "Татарстан".into(),
            city: "Казань".into(),
            street: "ул. Ленина".into(),
            number: 5,
            letter: "а".into(),
            postcode: "420021".into(),
            connect_date: None,
            ip_pool_id: None,
        }),
        address: Some("Казань, ул. Ленина 5а, entrance 2, floor 5, flat 12".into()),
        tariff: Some(Tariff {
            id: 3,
            name: "Оптима 200".into(),
            price: rub("750"),
            period: Period::Month,
            active: true,
            public: true,
            pause_price: None,
        }),
        scheduled_change: Some(ScheduledChange {
            id: 1,
            customer_id: 57,
            tariff_id: 6,
            tariff_name: "Турбо 500".into(),
            effective_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        }),
        group: None,
        manager: None,
        marks: vec!["Должник".into()],
        network: network(),
        promise: Some(promise(None)),
        available: rub("150"),
        debt_block: None,
        paid_until: None,
        // a fixed day, so what the confirmation says is paid for never depends on today
        charged_through: NaiveDate::from_ymd_opt(2026, 11, 30),
        billing_day: 1,
        discounts: Vec::new(),
        last_operations: operations(),
    }
}

fn summaries() -> Vec<CustomerSummary> {
    let row = |id: i64,
               agr: &str,
               name: &str,
               street: &str,
               n: i64,
               apt: &str,
               bal: &str,
               state: CustomerState,
               tariff: &str| CustomerSummary {
        id,
        agreement_number: Some(agr.into()),
        account_number: None,
        name: name.into(),
        street: Some(street.into()),
        house_number: Some(n),
        house_letter: Some(String::new()),
        apartment: Some(apt.into()),
        balance: rub(bal),
        state,
        tariff: Some(tariff.into()),
        is_former: false,
        is_potential: false,
        blocked: false,
    };
    vec![
        row(
            57,
            "10234",
            "Ёлкина Мария Петровна",
            "ул. Ленина",
            5,
            "12",
            "-150",
            CustomerState::Active,
            "Оптима 200",
        ),
        row(
            58,
            "10235",
            "Ёлкин Пётр Семёнович",
            "ул. Ленина",
            5,
            "12",
            "1 250",
            CustomerState::Active,
            "Турбо 500",
        ),
        row(
            91,
            "10291",
            "Елкина Анна Рустамовна",
            "пр. Мира",
            12,
            "7",
            "0",
            CustomerState::Pause,
            "Суточный 100",
        ),
        row(
            140,
            "10340",
            "Хабибуллин Рустам Ильдарович",
            "ул. Тукая",
            33,
            "101",
            "-2 400,50",
            CustomerState::Stop,
            "Бизнес 100",
        ),
    ]
}

fn logged_in(lang: Lang, role: Role) -> App {
    let mut app = App::new(lang, Theme::new(true), None);
    app.actor = Some(actor(role));
    app.screens = vec![Screen::Search(SearchScreen {
        input: Input::new(100).with_text("ёлкин"),
        query: SearchQuery::Text(vec!["елкин".into()]),
        results: summaries(),
        selected: 1,
        ..SearchScreen::new()
    })];
    app
}

fn render(app: &App, w: u16, h: u16) -> String {
    kassa::domain::dates::keep_utc();
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app)).unwrap();
    // (TestBackend's own text view cannot show a zero-width buffer)
    if w == 0 { String::new() } else { format!("{}", t.backend()) }
}

fn with_card(lang: Lang) -> App {
    let mut app = logged_in(lang, Role::Cashier);
    app.screens.push(Screen::Card(Box::new(CardScreen { card: Some(card()), ..CardScreen::new(57, None) })));
    app
}

fn with_pay(lang: Lang, stage: PayStage) -> App {
    let mut app = with_card(lang);
    app.screens.push(Screen::Pay(Box::new(PayScreen {
        amount: Input::new(16).with_text("1 234,50"),
        receipt: Input::new(32).with_text("1843"),
        comment: Input::new(200).with_text("за декабрь"),
        stage,
        ..PayScreen::new(card())
    })));
    app
}

#[test]
fn snapshot_login() {
    let mut app = App::new(Lang::Ru, Theme::new(true), Some("cashier"));
    app.demo = true;
    insta::assert_snapshot!("login_ru", render(&app, 80, 24));
}

#[test]
fn snapshot_search() {
    insta::assert_snapshot!("search_ru", render(&logged_in(Lang::Ru, Role::Cashier), 80, 24));
    insta::assert_snapshot!("search_en", render(&logged_in(Lang::En, Role::Cashier), 80, 24));
}

#[test]
fn snapshot_card() {
    insta::assert_snapshot!("card_ru", render(&with_card(Lang::Ru), 80, 24));
    insta::assert_snapshot!("card_en", render(&with_card(Lang::En), 80, 24));
}

#[test]
fn snapshot_payment() {
    insta::assert_snapshot!("pay_form_ru", render(&with_pay(Lang::Ru, PayStage::Form), 80, 24));
    insta::assert_snapshot!("pay_form_en", render(&with_pay(Lang::En, PayStage::Form), 80, 24));
    let confirm = PayStage::Confirm { amount: rub("1 234,50"), received: None };
    insta::assert_snapshot!("pay_confirm_ru", render(&with_pay(Lang::Ru, confirm), 80, 24));
    let mut posted =
        op(6, OperationKind::Payment, "1 234,50", "-150", 22, Some("1843"), Some("cashier"), None);
    posted.created_at = at(22, 14, 5);
    let done = PayStage::Done(Box::new(PostOutcome { operation: posted, replayed: false, fiscal: None }));
    insta::assert_snapshot!("pay_done_ru", render(&with_pay(Lang::Ru, done), 80, 24));
}

#[test]
fn snapshot_history_and_help() {
    let mut app = with_card(Lang::Ru);
    app.screens.push(Screen::History(HistoryScreen {
        page: Some(HistoryPage {
            operations: operations(),
            total_count: 5,
            income: rub("1 750"),
            outcome: rub("-1 900"),
            promises: vec![promise(Some(at(10, 12, 0)))],
        }),
        selected: 1,
        from: Input::new(10).with_text("01.10.2026"),
        ..HistoryScreen::new(57, "Ёлкина Мария Петровна".into())
    }));
    insta::assert_snapshot!("history_ru", render(&app, 80, 24));
    app.help = true;
    insta::assert_snapshot!("history_help_ru", render(&app, 80, 24));
}

fn tariffs() -> Vec<Tariff> {
    let t = |id, name: &str, price: &str, period| Tariff {
        id,
        name: name.into(),
        price: rub(price),
        period,
        active: true,
        public: true,
        pause_price: None,
    };
    vec![
        t(2, "Эконом 50", "450", Period::Month),
        t(6, "Турбо 500", "1 100", Period::Month),
        t(8, "Суточный 100", "30", Period::Day),
    ]
}

fn with_tariff(lang: Lang, stage: TariffStage, when: When) -> App {
    let mut app = with_card(lang);
    app.screens.push(Screen::Tariff(Box::new(TariffScreen {
        tariffs: Some(tariffs()),
        selected: 1,
        when,
        stage,
        ..TariffScreen::new(card(), NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
    })));
    app
}

#[test]
fn snapshot_tariff_change() {
    insta::assert_snapshot!(
        "tariff_ru",
        render(&with_tariff(Lang::Ru, TariffStage::List, When::NextPeriod), 80, 24)
    );
    insta::assert_snapshot!(
        "tariff_en",
        render(&with_tariff(Lang::En, TariffStage::List, When::Now), 80, 24)
    );
    insta::assert_snapshot!(
        "tariff_confirm_ru",
        render(&with_tariff(Lang::Ru, TariffStage::Confirm, When::NextPeriod), 80, 24)
    );
    let done = TariffChangeOutcome {
        customer_id: 57,
        from: card().tariff,
        to: tariffs()[1].clone(),
        effective_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        applied: false,
    };
    insta::assert_snapshot!(
        "tariff_done_ru",
        render(&with_tariff(Lang::Ru, TariffStage::Done(Box::new(done)), When::NextPeriod), 80, 24)
    );
}

#[test]
fn snapshot_command_line() {
    let mut app = with_card(Lang::Ru);
    app.command = Some(CommandLine { input: Input::new(120).with_text("pay 500"), recall: None });
    insta::assert_snapshot!("command_line_ru", render(&app, 80, 24));
    app.help = true;
    insta::assert_snapshot!("command_line_help_ru", render(&app, 80, 24));
}

// ---- the network screens -----------------------------------------------------------------

fn house_line(id: i64, street: &str, number: i64, letter: &str, customers: i64, switches: i64) -> HouseLine {
    HouseLine {
        house: House {
            id,
            country: "Россия".into(),
            region: "Татарстан".into(),
            city: "Казань".into(),
            street: street.into(),
            number,
            letter: letter.into(),
            postcode: format!("4200{id:02}"),
            connect_date: NaiveDate::from_ymd_opt(2019, 3, id as u32),
            ip_pool_id: None,
        },
        customers,
        switches,
    }
}

fn switch_line(
    id: i64,
    name: &str,
    ip: &str,
    house: &str,
    used: i64,
    ports: i64,
    serves: bool,
) -> SwitchLine {
    SwitchLine {
        switch: Switch {
            id,
            name: name.into(),
            ip: ip.into(),
            model: "DES-3200-28".into(),
            snmp_community: "••••••".into(),
            ssh_password: "••••••".into(),
            telnet_password: String::new(),
            house_id: Some(3),
            ports,
            serves_house: serves,
        },
        house: Some(house.into()),
        ports_used: used,
    }
}

fn port_users() -> Vec<PortUser> {
    [
        (1, 57, "Ёлкина Мария Петровна", "10234"),
        (2, 58, "ООО «Ромашка»", "10235"),
        (7, 61, "Абрамов Пётр Ильич", "10240"),
    ]
    .into_iter()
    .map(|(port, id, name, agr)| PortUser {
        former: false,
        port,
        customer_id: id,
        customer_name: name.into(),
        agreement: Some(agr.into()),
    })
    .collect()
}

fn with_list(lang: Lang, role: Role, kind: ListKind, data: ListData, selected: usize) -> App {
    let mut app = logged_in(lang, role);
    app.screens.push(Screen::List(Box::new(ListScreen {
        kind,
        data: Some(data),
        selected,
        pending: None,
        error: None,
    })));
    app
}

fn with_network(confirm_delete: bool) -> App {
    let mut app = with_card(Lang::Ru);
    app.actor = Some(actor(Role::Noc));
    let mut net = network();
    net.records.push(AddressRecord {
        id: 2,
        customer_id: 57,
        ip: Some("10.0.41.8".into()),
        prefix: Some(29),
        mac: None,
        created_at: at(4, 9, 15),
    });
    app.screens.push(Screen::Network(Box::new(NetworkScreen {
        customer_id: 57,
        title: "Ёлкина Мария Петровна  10234".into(),
        network: Some(net),
        selected: 1,
        confirm_delete,
        pending: None,
        error: None,
    })));
    app
}

#[test]
fn snapshot_houses_house_switches_and_ports() {
    let houses = ListData::Houses(vec![
        house_line(3, "ул. Ленина", 5, "а", 212, 2),
        house_line(4, "ул. Ленина", 7, "", 48, 1),
        house_line(5, "пр. Победы", 102, "к1", 0, 0),
    ]);
    insta::assert_snapshot!(
        "houses_ru",
        render(&with_list(Lang::Ru, Role::Noc, ListKind::Houses, houses.clone(), 0), 80, 24)
    );
    insta::assert_snapshot!(
        "houses_en",
        render(&with_list(Lang::En, Role::Viewer, ListKind::Houses, houses, 1), 80, 24)
    );
    let house = ListData::House {
        house: house_line(3, "ул. Ленина", 5, "а", 3, 2),
        switches: vec![
            switch_line(4, "sw-lenina-5a", "10.255.5.1", "ул. Ленина 5а", 3, 24, true),
            switch_line(5, "sw-lenina-5a-2", "10.255.5.2", "ул. Ленина 5а", 0, 8, false),
        ],
        // in flat order, as the loader sorts them (`net::flat_order`)
        customers: {
            let mut c = summaries();
            c.sort_by_key(|s| (kassa::tui::net::flat_order(s.apartment.as_deref()), s.id));
            c
        },
    };
    insta::assert_snapshot!(
        "house_ru",
        render(&with_list(Lang::Ru, Role::Noc, ListKind::House("#3".into()), house, 2), 80, 24)
    );
    let switches = ListData::Switches(vec![
        switch_line(4, "sw-lenina-5a", "10.255.5.1", "ул. Ленина 5а", 3, 24, true),
        switch_line(6, "sw-pobedy-102k1-core", "10.255.102.1", "пр. Победы 102к1", 40, 48, false),
    ]);
    insta::assert_snapshot!(
        "switches_ru",
        render(&with_list(Lang::Ru, Role::Noc, ListKind::Switches, switches.clone(), 1), 80, 24)
    );
    insta::assert_snapshot!(
        "switches_en",
        render(&with_list(Lang::En, Role::Cashier, ListKind::Switches, switches, 0), 80, 24)
    );
    let ports = ListData::Ports(PortMap {
        switch: switch_line(4, "sw-lenina-5a", "10.255.5.1", "ул. Ленина 5а", 3, 24, true),
        users: port_users(),
    });
    insta::assert_snapshot!(
        "ports_ru",
        render(&with_list(Lang::Ru, Role::Noc, ListKind::Ports("#4".into()), ports, 6), 80, 24)
    );
}

#[test]
fn snapshot_network_forms_and_confirmations() {
    insta::assert_snapshot!("network_ru", render(&with_network(false), 80, 24));
    insta::assert_snapshot!("network_delete_ru", render(&with_network(true), 80, 24));
    // the switch form: credentials masked, "empty keeps it" when editing
    let mut app = logged_in(Lang::Ru, Role::Noc);
    let line = switch_line(4, "sw-lenina-5a", "10.255.5.1", "ул. Ленина 5а", 3, 24, true);
    app.screens.push(Screen::Form(Box::new(FormScreen::switch(
        kassa::tui::strings::Strings::get(Lang::Ru),
        FormKind::SwitchEdit(4),
        Some(&line),
        None,
    ))));
    insta::assert_snapshot!("switch_form_ru", render(&app, 80, 24));
    // a house form with the service's complaint under the field
    let mut app = logged_in(Lang::Ru, Role::Noc);
    let mut form = FormScreen::house(FormKind::HouseAdd, None);
    form.fields[1].input.set("ул. Ленина");
    form.fields[2].input.set("5а");
    form.focus = 2;
    form.error = Some((2, "'5а' is not a house number (1–100000; letters go in 'letter')".into()));
    app.screens.push(Screen::Form(Box::new(form)));
    insta::assert_snapshot!("house_form_error_ru", render(&app, 80, 24));
    // binding a port someone holds: the move is asked for
    let mut app = with_network(false);
    let mut form = FormScreen::new(
        FormKind::BindPort(57),
        vec![
            field("switch", |s| s.net.f_switch, 256, "sw-lenina-5a"),
            field("port", |s| s.net.f_port, 4, "2"),
        ],
    );
    form.stage = FormStage::ConfirmMove(
        "Порт 2 коммутатора «sw-lenina-5a» занят: на нём абонент #58 (ООО «Ромашка»)".into(),
    );
    app.screens.push(Screen::Form(Box::new(form)));
    insta::assert_snapshot!("bind_move_ru", render(&app, 80, 24));
    // a question with no fields: moving to the former customers
    let mut app = with_card(Lang::Ru);
    let question = FormScreen::question(FormKind::Former(57, true), "10234 Ёлкина Мария Петровна");
    app.screens.push(Screen::Form(Box::new(question)));
    insta::assert_snapshot!("to_former_ru", render(&app, 80, 24));
}

#[test]
fn tiny_windows_do_not_panic() {
    for app in [
        logged_in(Lang::Ru, Role::Cashier),
        with_card(Lang::En),
        with_pay(Lang::Ru, PayStage::Form),
        with_tariff(Lang::Ru, TariffStage::Confirm, When::Now),
    ] {
        for (w, h) in [(0, 0), (20, 5), (1, 1), (79, 24), (80, 23), (200, 60)] {
            let text = render(&app, w, h);
            if (w, h) == (20, 5) {
                assert!(text.contains("80×24") || text.contains("80"), "{text}");
            }
        }
    }
}

// ---- key scripts through the real event loop -------------------------------------------------

use common::{Kind, TestDb};
use kassa::service::demo::DemoOptions;
use kassa::service::{Service, ServiceConfig};
use kassa::tui::Signal;
use kassa::tui::script::{ScriptedConsole, key};

/// A console on a fresh 30-customer demo database, logged in as `who`.
struct Desk {
    db: TestDb,
    svc: Service,
    console: ScriptedConsole,
}

impl Desk {
    async fn open(who: &str) -> Desk {
        kassa::domain::dates::keep_utc();
        let db = TestDb::new(Kind::Sqlite).await.unwrap();
        let svc = Service::open(&db.url, ServiceConfig::default()).await.unwrap();
        svc.generate_demo(DemoOptions { customers: 30, seed: 3, months: 2 }).await.unwrap();
        let app = App::new(Lang::Ru, Theme::new(true), None);
        let mut console = ScriptedConsole::start(svc.clone(), app, 80, 24).await.unwrap();
        console.typ(who).await.unwrap();
        console.press(KeyCode::Enter).await.unwrap();
        console.typ("kassa").await.unwrap();
        console.press(KeyCode::Enter).await.unwrap();
        let desk = Desk { db, svc, console };
        assert!(desk.screen().contains("Поиск абонента"), "logged in as {who}:\n{}", desk.screen());
        desk
    }

    /// What the terminal shows now, read back from the bytes the console wrote.
    fn screen(&self) -> String {
        let size = |n| std::num::NonZeroU16::new(n).unwrap();
        let mut parser = vt100::Parser::new(size(24), size(80), 0);
        parser.process(&self.console.capture.bytes());
        parser.screen().contents()
    }

    async fn press(&mut self, code: KeyCode) {
        self.console.press(code).await.unwrap();
    }

    async fn typ(&mut self, text: &str) {
        self.console.typ(text).await.unwrap();
    }

    async fn search(&mut self, text: &str) {
        self.console.burst(text).await.unwrap();
    }

    async fn admin(&self) -> Actor {
        self.svc.login("admin", "kassa", "t").await.unwrap()
    }

    async fn balance(&self, id: i64) -> Money {
        self.svc.customer_card(&self.admin().await, id).await.unwrap().customer.balance
    }

    async fn payments(&self, id: i64) -> i64 {
        Desk::payments_of(&self.svc, id).await
    }

    async fn payments_of(svc: &Service, id: i64) -> i64 {
        let q = HistoryQuery {
            customer_id: id,
            kinds: vec![OperationKind::Payment],
            limit: 100,
            ..Default::default()
        };
        let admin = svc.login("admin", "kassa", "t").await.unwrap();
        svc.history(&admin, &q).await.unwrap().total_count
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_card_pay_confirm_and_history() {
    let mut d = Desk::open("cashier").await;
    let before = d.balance(1).await;
    let paid_before = d.payments(1).await;
    // find agreement 10001, take 500 in cash, confirm: the keys beyond the digits are counted
    let sent = d.console_sent();
    d.search("10001").await;
    assert!(d.screen().contains("10001"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Карточка абонента"), "{}", d.screen());
    d.press(KeyCode::Char('p')).await;
    d.typ("500").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Провести платёж?"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    let keys = d.console_sent() - sent;
    let beyond = keys - "10001".len() as u64 - "500".len() as u64;
    assert!(beyond <= 10, "{beyond} keys beyond the digits");
    assert_eq!(beyond, 4, "Enter (open), p, Enter (form), Enter (confirm)");
    let screen = d.screen();
    assert!(screen.contains("Платёж проведён") && screen.contains("500,00"), "{screen}");
    assert_eq!(d.balance(1).await, Money::from_minor(before.minor() + 50_000));
    // a held Enter and a second press after posting never post again
    d.console.repeat(KeyCode::Enter).await.unwrap();
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Карточка абонента"), "{}", d.screen());
    assert_eq!(d.payments(1).await, paid_before + 1);
    // the history shows it on top, and the card the new balance
    d.press(KeyCode::Char('h')).await;
    let screen = d.screen();
    let first_row = screen.lines().find(|l| l.starts_with("▶")).unwrap_or_default().to_string();
    assert!(first_row.contains("платёж") && first_row.contains("+500,00"), "{screen}");
    d.press(KeyCode::Esc).await;
    let after = Money::from_minor(before.minor() + 50_000).format_ru();
    assert!(d.screen().contains(&after), "{after} on the card:\n{}", d.screen());
    d.console.ctrl('q').await.ok();
    let app = d.console.finish().await.unwrap();
    assert!(app.quit);
}

impl Desk {
    fn console_sent(&self) -> u64 {
        self.console.sent()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enter_twice_on_the_confirmation_posts_once() {
    let mut d = Desk::open("cashier").await;
    let paid = d.payments(2).await;
    d.search("10002").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('з')).await; // p on a Russian layout
    d.typ("100,5").await;
    d.press(KeyCode::Enter).await;
    // two Enters arrive together, the second before the first post has come back
    d.console.send([Event::Key(key(KeyCode::Enter)), Event::Key(key(KeyCode::Enter))]).unwrap();
    d.console.settle().await.unwrap();
    assert_eq!(d.payments(2).await, paid + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_on_the_confirmation_writes_nothing() {
    let mut d = Desk::open("cashier").await;
    let (before, paid) = (d.balance(3).await, d.payments(3).await);
    d.payment_form("10003").await;
    d.typ("700").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Esc).await;
    assert!(!d.screen().contains("Провести платёж?"), "back on the form");
    d.press(KeyCode::Esc).await;
    assert!(d.screen().contains("Карточка абонента"));
    assert_eq!((d.balance(3).await, d.payments(3).await), (before, paid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_amounts_are_explained_under_the_field() {
    let mut d = Desk::open("cashier").await;
    d.payment_form("10004").await;
    for (bad, reason) in [
        ("500.505", "больше двух знаков"),
        ("0", "больше нуля"),
        ("-5", "больше нуля"),
        ("12абв", "не сумма"),
        ("100000000", "слишком много"),
    ] {
        d.typ(bad).await;
        d.press(KeyCode::Enter).await;
        let screen = d.screen();
        assert!(!screen.contains("Провести платёж?"), "{bad}");
        let amount_row = screen.lines().position(|l| l.contains("Сумма")).unwrap();
        let under = screen.lines().nth(amount_row + 1).unwrap_or_default();
        assert!(under.contains(reason), "{bad}: the reason under the amount:\n{screen}");
        for _ in 0..bad.chars().count() {
            d.press(KeyCode::Backspace).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_cannot_reach_payment() {
    let mut d = Desk::open("viewer").await;
    d.search("10001").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('p')).await;
    let screen = d.screen();
    assert!(screen.contains("Карточка абонента"), "still on the card");
    assert!(screen.contains("Нет прав"), "and told why:\n{screen}");
    let hints = screen.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
    assert!(hints.contains("назад"), "{hints}");
    assert!(!hints.contains("платёж") && !hints.contains("тариф"), "a viewer is offered neither: {hints}");
    assert!(hints.contains("история"), "but may read the history: {hints}");
    // nor through the command line
    d.press(KeyCode::Char(':')).await;
    d.typ("pay 500").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Нет прав"), "{}", d.screen());
    assert!(!d.screen().contains("Провести платёж?"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tariff_change_from_the_next_period_shows_on_the_card() {
    let mut d = Desk::open("cashier").await;
    d.search("10005").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('е')).await; // t on a Russian layout
    let screen = d.screen();
    assert!(screen.contains("Смена тарифа") && screen.contains("● текущий"), "{screen}");
    let chosen = screen
        .lines()
        .find(|l| l.starts_with("▶"))
        .map(|l| l.trim_start_matches('▶').trim().split("  ").next().unwrap_or_default().to_string())
        .unwrap();
    assert!(screen.contains("со следующего периода"), "next period by default:\n{screen}");
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Сменить тариф?"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Смена запланирована на"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    let screen = d.screen();
    assert!(screen.contains("Карточка абонента"), "{screen}");
    assert!(
        screen.contains(&format!("→ {chosen}")),
        "the card shows the scheduled change to {chosen}:\n{screen}"
    );
    let card = d.svc.customer_card(&d.admin().await, 5).await.unwrap();
    assert_eq!(card.scheduled_change.map(|c| c.tariff_name), Some(chosen));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tariff_change_now_and_escape_writes_nothing() {
    let mut d = Desk::open("cashier").await;
    let before = d.svc.customer_card(&d.admin().await, 6).await.unwrap().customer.tariff_id;
    d.search("10006").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('t')).await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Esc).await;
    d.press(KeyCode::Esc).await;
    assert!(d.screen().contains("Карточка абонента"));
    assert_eq!(d.svc.customer_card(&d.admin().await, 6).await.unwrap().customer.tariff_id, before);
    d.press(KeyCode::Char('t')).await;
    d.press(KeyCode::Down).await;
    d.press(KeyCode::Char(' ')).await; // now
    assert!(d.screen().contains("◂ сейчас"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('y')).await;
    assert!(d.screen().contains("Тариф сменён с сегодняшнего дня"), "{}", d.screen());
    let after = d.svc.customer_card(&d.admin().await, 6).await.unwrap().customer.tariff_id;
    assert_ne!(after, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_opens_pays_recalls_and_quits() {
    let mut d = Desk::open("cashier").await;
    let paid = d.payments(7).await;
    d.press(KeyCode::Char(':')).await;
    d.typ("c 10007").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("10007") && d.screen().contains("Карточка абонента"), "{}", d.screen());
    d.press(KeyCode::Char(':')).await;
    d.typ("pay 250,50").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Провести платёж?") && d.screen().contains("250,50"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    assert_eq!(d.payments(7).await, paid + 1);
    d.press(KeyCode::Esc).await;
    // an unknown command says so and lists the ones there are
    d.press(KeyCode::Char(':')).await;
    d.typ("frobnicate").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Неизвестная команда"), "{}", d.screen());
    // Up recalls earlier commands, newest first
    d.press(KeyCode::Char(':')).await;
    d.press(KeyCode::Up).await;
    d.press(KeyCode::Up).await;
    let status = d.screen().lines().nth(22).unwrap_or_default().to_string();
    assert!(status.starts_with(":pay 250,50"), "{status}");
    d.press(KeyCode::Esc).await;
    // a customer that does not exist is said, and the card stays
    d.press(KeyCode::Char(':')).await;
    d.typ("c 99999").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Абонент не найден: 99999"), "{}", d.screen());
    assert!(d.screen().contains("Карточка абонента"), "{}", d.screen());
    d.press(KeyCode::Char(':')).await;
    d.typ("q").await;
    d.console.send([Event::Key(key(KeyCode::Enter))]).unwrap();
    let app = d.console.finish().await.unwrap();
    assert!(app.quit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_costs_tens_of_bytes_and_frames_are_never_cleared() {
    let mut d = Desk::open("cashier").await;
    d.search("1000").await;
    // the first key after the results: its character and the cursor, nothing else
    let mut first_keys = Vec::new();
    for c in ['1', '2', '3'] {
        d.press(KeyCode::Backspace).await;
        let from = d.console.capture.frame_count();
        d.press(KeyCode::Char(c)).await;
        first_keys.push(d.console.capture.frames_since(from)[0].0);
    }
    assert!(first_keys.iter().all(|&b| b <= 64), "bytes for the first typed key: {first_keys:?}");
    // keys typed in a burst, before the pause sets the search off: the character alone
    let from = d.console.capture.frame_count();
    d.console.burst("456").await.unwrap();
    let burst: Vec<usize> = d.console.capture.frames_since(from).iter().map(|f| f.0).collect();
    assert!(burst.len() >= 4, "a frame per key, then the results: {burst:?}");
    assert!(burst[1..3].iter().all(|&b| b <= 64), "bytes per key in a burst: {burst:?}");
    for _ in 0..3 {
        d.press(KeyCode::Backspace).await;
    }
    // moving through results redraws two rows, not the screen
    d.press(KeyCode::Backspace).await;
    let from = d.console.capture.frame_count();
    d.press(KeyCode::Down).await;
    let moving = d.console.capture.frames_since(from)[0].0;
    assert!(moving <= 600, "bytes per step through the results: {moving}");
    // and the loop never clears the whole screen (ESC[2J) after the first frame
    let bytes = d.console.capture.bytes();
    let clears = bytes.windows(4).filter(|w| w == b"\x1b[2J").count();
    assert!(clears <= 1, "{clears} full clears");
}

/// The state machine alone: an older search's answer arriving last is dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_said_and_stale_searches_are_dropped() {
    let db = TestDb::new(Kind::Sqlite).await.unwrap();
    let svc = Service::open(&db.url, ServiceConfig::default()).await.unwrap();
    svc.generate_demo(DemoOptions { customers: 30, seed: 3, months: 2 }).await.unwrap();
    let mut app = App::new(Lang::Ru, Theme::new(true), Some("cashier"));
    let now = Instant::now();
    async fn run(svc: &Service, app: &mut App, effects: Vec<kassa::tui::app::Effect>) {
        for e in effects {
            let (req, out) = execute_effect(svc, app.actor.as_ref(), e).await;
            let more = app.outcome(req, out);
            assert!(more.is_empty());
        }
    }
    for c in "wrong".chars() {
        app.key(&key(KeyCode::Char(c)), now);
    }
    let e = app.key(&key(KeyCode::Enter), now);
    run(&svc, &mut app, e).await;
    let Screen::Login(l) = app.screen() else { panic!() };
    assert_eq!(
        l.error.as_deref(),
        Some("Вход не выполнен: неверный логин или пароль, или оператор заблокирован")
    );
    for c in "kassa".chars() {
        app.key(&key(KeyCode::Char(c)), now);
    }
    let e = app.key(&key(KeyCode::Enter), now);
    run(&svc, &mut app, e).await;
    assert!(matches!(app.screen(), Screen::Search(_)));
    // nothing is searched before the pause in typing
    for c in "1000".chars() {
        app.key(&key(KeyCode::Char(c)), now);
    }
    assert!(app.due_search(now).is_empty(), "no search while typing");
    // two searches in flight: the older one's answer arrives last and is dropped
    let old = app.due_search(now + Duration::from_secs(1));
    app.key(&key(KeyCode::Char('2')), now);
    let new = app.due_search(now + Duration::from_secs(2));
    let (r_new, out_new) = execute_effect(&svc, app.actor.as_ref(), new[0].clone()).await;
    let (r_old, out_old) = execute_effect(&svc, app.actor.as_ref(), old[0].clone()).await;
    app.outcome(r_new, out_new);
    app.outcome(r_old, out_old);
    let Screen::Search(s) = app.screen() else { panic!() };
    assert_eq!(
        s.results.iter().map(|c| c.agreement_number.clone().unwrap_or_default()).collect::<Vec<_>>(),
        vec!["10002".to_string()]
    );
}

impl Desk {
    /// Waits (without sleeping) until the screen shows `text`, at most ten seconds.
    async fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = 0;
        while Instant::now() < deadline {
            let frames = self.console.capture.frame_count();
            if frames != seen {
                seen = frames;
                if self.screen().contains(text) {
                    return;
                }
            }
            tokio::task::yield_now().await;
        }
        panic!("'{text}' never shown:\n{}", self.screen());
    }
}

impl Desk {
    /// Opens the payment form of `agreement` from the search screen.
    async fn payment_form(&mut self, agreement: &str) {
        self.search(agreement).await;
        self.press(KeyCode::Enter).await;
        self.press(KeyCode::Char('p')).await;
    }

    /// Confirms a payment while another connection holds the database's write lock, so the
    /// post stays in flight until `release` is called on the returned connection.
    async fn post_held(&mut self, agreement: &str, amount: &str) -> sqlx::SqliteConnection {
        self.payment_form(agreement).await;
        self.typ(amount).await;
        self.press(KeyCode::Enter).await;
        let mut other = <sqlx::SqliteConnection as sqlx::Connection>::connect(&self.db.url).await.unwrap();
        sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
        self.console.send([Event::Key(key(KeyCode::Enter))]).unwrap();
        self.wait_for("Провожу платёж").await;
        // while it is written nothing of the form acts, and the hints offer nothing of it
        let hints =
            self.screen().lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default().to_string();
        assert!(!hints.contains("провести") && !hints.contains("Esc"), "{hints}");
        other
    }
}

async fn release(mut other: sqlx::SqliteConnection) {
    sqlx::raw_sql("COMMIT").execute(&mut other).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_waits_for_the_payment_being_written() {
    let mut d = Desk::open("cashier").await;
    let paid = d.payments(8).await;
    let other = d.post_held("10008", "300").await;
    d.console.signal(Signal::Terminate).await.unwrap();
    d.wait_for("Дожидаюсь проведения платежа").await;
    release(other).await;
    let Desk { db: _db, svc, console } = d;
    let app = console.finish().await.unwrap();
    assert!(app.quit && !app.posting());
    assert_eq!(Desk::payments_of(&svc, 8).await, paid + 1, "the payment in flight was written, once");
}

/// The SSH link is gone: nothing more is drawn (not even "waiting for the payment", which a
/// SIGTERM shows), and the payment in flight still lands before the console leaves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_leaves_at_once_without_drawing() {
    let mut d = Desk::open("cashier").await;
    let paid = d.payments(9).await;
    let other = d.post_held("10009", "300").await;
    let frames = d.console.capture.frame_count();
    d.console.signal(Signal::Hangup).await.unwrap();
    release(other).await;
    let Desk { db: _db, svc, console } = d;
    let capture = console.capture.clone();
    let app = console.finish().await.unwrap();
    assert!(app.quit);
    assert_eq!(capture.frame_count(), frames, "nothing is drawn for a terminal that is gone");
    assert_eq!(Desk::payments_of(&svc, 9).await, paid + 1, "the payment in flight was written, once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_receipt_number_and_a_bad_period_are_explained() {
    let mut d = Desk::open("cashier").await;
    let paid = d.payments(10).await;
    d.payment_form("10010").await;
    d.typ("100").await;
    // past the method and the cash received to the receipt number
    for _ in 0..3 {
        d.press(KeyCode::Tab).await;
    }
    d.typ("7 7").await; // a space inside the number
    d.press(KeyCode::Enter).await;
    let screen = d.screen();
    assert!(!screen.contains("Провести платёж?"), "{screen}");
    let row = screen.lines().position(|l| l.contains("ПКО №")).unwrap();
    assert!(screen.lines().nth(row + 1).unwrap_or_default().contains("без пробелов"), "{screen}");
    d.press(KeyCode::Esc).await;
    assert_eq!(d.payments(10).await, paid, "nothing written");
    // the history's period: a date that is not one, then the ends the wrong way round
    d.press(KeyCode::Char('h')).await;
    d.press(KeyCode::Char('f')).await;
    d.typ("31.02.2026").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("«31.02.2026» — не дата"), "{}", d.screen());
    for _ in 0.."31.02.2026".len() {
        d.press(KeyCode::Backspace).await;
    }
    d.typ("01.12.2026").await;
    d.press(KeyCode::Tab).await;
    d.typ("01.11.2026").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Начало периода позже его конца"), "{}", d.screen());
}

// ---- the network screens through the real event loop ------------------------------------------

impl Desk {
    /// Runs a `:` command.
    async fn command(&mut self, line: &str) {
        self.typ(":").await;
        self.typ(line).await;
        self.press(KeyCode::Enter).await;
    }

    async fn network_of(&self, id: i64) -> kassa::service::CustomerNetwork {
        self.svc.customer_network(&self.admin().await, id).await.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noc_adds_sets_binds_and_deletes_addresses_from_the_card() {
    let mut d = Desk::open("noc").await;
    let ip = d.network_of(5).await.records[0].ip.clone().unwrap();
    // the NOC's jump: an address opens its customer's card, with the network on it
    d.command(&format!("ip {ip}")).await;
    let screen = d.screen();
    assert!(screen.contains("Карточка абонента") && screen.contains(&ip), "{screen}");
    d.press(KeyCode::Char('n')).await;
    assert!(d.screen().contains("Сеть абонента"), "{}", d.screen());
    // an address someone holds is refused, naming the holder; nothing is written
    let other = d.network_of(6).await.records[0].ip.clone().unwrap();
    d.press(KeyCode::Char('a')).await;
    d.typ(&other).await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("абонента #6"), "{}", d.screen());
    assert_eq!(d.network_of(5).await.records.len(), 1);
    d.console.ctrl('u').await.unwrap();
    d.typ("10.0.99.5").await;
    d.press(KeyCode::Tab).await;
    d.typ("0011.2233.44AA").await;
    d.press(KeyCode::Enter).await;
    let screen = d.screen();
    assert!(screen.contains("10.0.99.5") && screen.contains("00:11:22:33:44:aa"), "{screen}");
    assert_eq!(d.network_of(5).await.records.len(), 2);
    // set the MAC of the new address (the second row): it goes into the MAC history
    d.press(KeyCode::Down).await;
    d.press(KeyCode::Char('m')).await;
    d.console.ctrl('u').await.unwrap();
    d.typ("00-11-22-33-44-bb").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("00:11:22:33:44:aa → 00:11:22:33:44:bb"), "{}", d.screen());
    // a taken port: the move is asked for; Esc writes nothing, y moves
    let sw = d.svc.list_switches(&d.admin().await, None, None, false).await.unwrap()[0].switch.clone();
    let holder = d.svc.port_map(&d.admin().await, sw.id).await.unwrap().users[0].clone();
    assert_ne!(holder.customer_id, 5);
    d.press(KeyCode::Char('p')).await;
    d.console.ctrl('u').await.unwrap();
    d.typ(&sw.name).await;
    d.press(KeyCode::Tab).await;
    d.console.ctrl('u').await.unwrap();
    d.typ(&holder.port.to_string()).await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Снять того абонента"), "{}", d.screen());
    d.press(KeyCode::Esc).await;
    assert_eq!(d.network_of(holder.customer_id).await.binding.map(|b| b.port), Some(holder.port));
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('y')).await;
    assert!(d.screen().contains(&format!("порт {}", holder.port)), "{}", d.screen());
    assert_eq!(d.network_of(5).await.binding.map(|b| (b.switch_id, b.port)), Some((sw.id, holder.port)));
    assert!(d.network_of(holder.customer_id).await.binding.is_none());
    // delete the selected address: Esc on the question keeps it, Enter deletes
    d.press(KeyCode::Char('d')).await;
    assert!(d.screen().contains("Удалить адрес?"), "{}", d.screen());
    d.press(KeyCode::Esc).await;
    assert_eq!(d.network_of(5).await.records.len(), 2);
    d.press(KeyCode::Char('d')).await;
    d.press(KeyCode::Enter).await;
    // (the MAC history still names it)
    let rows =
        d.screen().lines().filter(|l| l.trim_start_matches(['▶', ' ']).starts_with("10.0.99.5")).count();
    assert_eq!(rows, 0, "{}", d.screen());
    assert_eq!(d.network_of(5).await.records.len(), 1);
    // back on the card, which shows the port now
    d.press(KeyCode::Esc).await;
    assert!(
        d.screen().contains(&format!("{} ({}) · порт {}", sw.name, sw.ip, holder.port)),
        "{}",
        d.screen()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn houses_switches_and_ports_from_the_search_screen() {
    let mut d = Desk::open("noc").await;
    let admin = d.admin().await;
    let house = d.svc.list_houses(&admin, None).await.unwrap()[0].clone();
    let sw = d.svc.list_switches(&admin, None, None, false).await.unwrap()[0].switch.clone();
    let first = d.svc.port_map(&admin, sw.id).await.unwrap().users[0].clone();
    // F7: the houses; Enter: the house with its switch first; Enter: its ports; Enter: a card
    d.press(KeyCode::F(7)).await;
    assert!(d.screen().contains(&house.house.street), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    let screen = d.screen();
    assert!(screen.contains(&sw.name) && screen.contains(&format!("Абон.: {}", house.customers)), "{screen}");
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Порты коммутатора"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    let screen = d.screen();
    assert!(screen.contains("Карточка абонента") && screen.contains(&first.customer_name), "{screen}");
    // jumps by address and by switch name; unknown ones are said, not guessed
    d.command(&format!("house {} {}{}", house.house.street, house.house.number, house.house.letter)).await;
    assert!(d.screen().contains(&format!("Абон.: {}", house.customers)), "{}", d.screen());
    d.command("house Нетакой 5").await;
    assert!(d.screen().contains("Не найдено: дом"), "{}", d.screen());
    d.command(&format!("sw {}", sw.name)).await;
    assert!(d.screen().contains("Порты коммутатора"), "{}", d.screen());
    // edit the switch: credentials masked until Ctrl-R, which loads them for the NOC
    d.press(KeyCode::Char('e')).await;
    assert!(d.screen().contains("пусто — не менять") && !d.screen().contains("demo-ssh"), "{}", d.screen());
    d.console.ctrl('r').await.unwrap();
    assert!(d.screen().contains("demo-ssh"), "{}", d.screen());
    d.press(KeyCode::Esc).await;
    // add a house: a bad number is said under its field and nothing is written
    let houses = d.svc.list_houses(&admin, None).await.unwrap().len();
    d.command("houses").await;
    d.press(KeyCode::Char('a')).await;
    d.press(KeyCode::Tab).await;
    d.typ("ул. Новая").await;
    d.press(KeyCode::Tab).await;
    d.typ("12б").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("не номер дома"), "{}", d.screen());
    assert_eq!(d.svc.list_houses(&admin, None).await.unwrap().len(), houses);
    d.console.ctrl('u').await.unwrap();
    d.typ("12").await;
    d.press(KeyCode::Tab).await;
    d.typ("б").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("ул. Новая") && d.screen().contains("12б"), "{}", d.screen());
    assert_eq!(d.svc.list_houses(&admin, None).await.unwrap().len(), houses + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_sees_the_network_but_cannot_change_it() {
    let mut d = Desk::open("viewer").await;
    d.search("10001").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Сеть ") && d.screen().contains("Порт "), "{}", d.screen());
    d.press(KeyCode::Char('n')).await;
    let screen = d.screen();
    assert!(screen.contains("Сеть абонента") && !screen.contains("добавить IP"), "{screen}");
    let before = d.network_of(1).await;
    for key in ['a', 's', 'm', 'p', 'u', 'd'] {
        d.press(KeyCode::Char(key)).await;
        assert!(d.screen().contains("Нет прав на это действие"), "{}", d.screen());
    }
    assert!(!d.screen().contains("Удалить адрес?"), "{}", d.screen());
    assert_eq!(d.network_of(1).await.records, before.records);
    d.command("sw").await;
    d.press(KeyCode::Char('e')).await;
    assert!(d.screen().contains("Коммутаторы") && !d.screen().contains("Название"), "{}", d.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promised_payment_from_the_card_and_the_rule_that_stops_a_second() {
    let mut d = Desk::open("cashier").await;
    d.search("10003").await;
    d.press(KeyCode::Enter).await;
    let before = d.balance(3).await;
    d.press(KeyCode::Char('o')).await;
    assert!(d.screen().contains("Обещанный платёж"), "{}", d.screen());
    // more than the rules allow: refused with the rule in words, nothing written
    d.typ("5000").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Сумма больше, чем можно обещать"), "{}", d.screen());
    assert!(d.svc.promises(&d.admin().await, 3).await.unwrap().is_empty());
    d.console.ctrl('u').await.unwrap();
    d.typ("300").await;
    d.press(KeyCode::Enter).await;
    let screen = d.screen();
    assert!(screen.contains("Карточка абонента") && screen.contains("Обещ. платёж  300,00"), "{screen}");
    assert_eq!(d.balance(3).await, before, "the balance does not move");
    // a second while the first is active
    d.press(KeyCode::Char('o')).await;
    d.typ("100").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Уже есть действующий обещанный платёж"), "{}", d.screen());
    assert_eq!(d.svc.promises(&d.admin().await, 3).await.unwrap().len(), 1);
    // a cashier is not offered the credit limit
    d.press(KeyCode::Esc).await;
    d.press(KeyCode::Enter).await; // leave the typed amount unsaved
    d.press(KeyCode::Char('k')).await;
    assert!(d.screen().contains("Нет прав на это действие"), "{}", d.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_and_former_from_the_card() {
    let mut d = Desk::open("admin").await;
    d.search("10004").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('s')).await;
    // a choice, at the state the customer is in: → steps to the next, ← back
    assert!(d.screen().contains("◂ активен ▸"), "{}", d.screen());
    d.press(KeyCode::Right).await;
    d.press(KeyCode::Right).await;
    assert!(d.screen().contains("◂ стоп ▸"), "{}", d.screen());
    d.press(KeyCode::Left).await;
    assert!(d.screen().contains("◂ пауза ▸"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Карточка абонента"), "{}", d.screen());
    let admin = d.admin().await;
    let card = d.svc.customer_card(&admin, 4).await.unwrap();
    assert_eq!(card.customer.state, kassa::domain::customer::CustomerState::Pause);
    // to the former customers: asked first; Esc writes nothing, Enter moves
    d.press(KeyCode::Char('x')).await;
    assert!(d.screen().contains("Перевести в бывшие"), "{}", d.screen());
    d.press(KeyCode::Esc).await;
    assert!(!d.svc.customer_card(&admin, 4).await.unwrap().customer.is_former);
    d.press(KeyCode::Char('x')).await;
    d.press(KeyCode::Enter).await;
    assert!(d.svc.customer_card(&admin, 4).await.unwrap().customer.is_former);
    d.press(KeyCode::Char('x')).await;
    assert!(d.screen().contains("Вернуть из бывших"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    assert!(!d.svc.customer_card(&admin, 4).await.unwrap().customer.is_former);
}

// ---- the customer record and administration ----------------------------------------------------

use kassa::service::{
    CustomerService, Direction, ExtraService, Group, Mark, MergePreview, Message, Operator,
};
use kassa::store::lifecycle::MergeCounts;
use kassa::tui::admin::{AdminItem, mark_form, operator_form, tariff_form};
use kassa::tui::app::CardScreen as Card;
use kassa::tui::picker::{PickFor, PickItem, PickKind, PickerScreen};
use kassa::tui::records::{CardTab, FormData, MergeScreen, MergeStage, customer_form};
use kassa::tui::strings::Strings;

fn form_data(card: Option<CustomerCard>) -> FormData {
    FormData::Customer {
        card: card.map(Box::new),
        tariffs: tariffs(),
        groups: vec![(1, "Физические лица".into()), (2, "Юридические лица".into())],
        managers: vec![(2, "Анна Смирнова".into()), (5, "Рустам Сафин".into())],
        parent: None,
    }
}

fn with_form(lang: Lang, role: Role, form: FormScreen) -> App {
    let mut app = logged_in(lang, role);
    app.screens.push(Screen::Form(Box::new(form)));
    app
}

#[test]
fn snapshot_customer_form() {
    // a new customer: the first group, the name focused; the agreement number says it is given
    let form = customer_form(Strings::get(Lang::Ru), form_data(None)).unwrap();
    insta::assert_snapshot!("customer_add_ru", render(&with_form(Lang::Ru, Role::Cashier, form), 80, 24));
    // editing, far down the form: it has scrolled to the e-mail and its complaint
    let mut form = customer_form(Strings::get(Lang::Ru), form_data(Some(card()))).unwrap();
    let at = form.fields.iter().position(|f| f.name == "email").unwrap();
    form.focus = at;
    form.fields[at].input.set("elkina@");
    form.error = Some((at, "'elkina@' is not an e-mail address".into()));
    insta::assert_snapshot!(
        "customer_edit_scrolled_ru",
        render(&with_form(Lang::Ru, Role::Admin, form), 80, 24)
    );
    // English, the house field focused: a picked field
    let mut form = customer_form(Strings::get(Lang::En), form_data(Some(card()))).unwrap();
    form.focus = form.fields.iter().position(|f| f.name == "house_id").unwrap();
    insta::assert_snapshot!(
        "customer_edit_house_en",
        render(&with_form(Lang::En, Role::Admin, form), 80, 24)
    );
}

#[test]
fn snapshot_picker_and_merge() {
    let mut app = with_card(Lang::Ru);
    app.screens.push(Screen::Picker(Box::new(PickerScreen {
        kind: PickKind::House,
        purpose: PickFor::Field(10),
        input: Input::new(100).with_text("лен 5"),
        items: vec![
            PickItem { id: 3, text: "Казань, ул. Ленина 5а".into(), detail: "420021".into() },
            PickItem { id: 9, text: "Казань, ул. Ленина 15".into(), detail: "420021".into() },
            PickItem { id: 12, text: "Казань, пер. Ленинский 5".into(), detail: "".into() },
        ],
        selected: 1,
        due_at: None,
        pending: None,
        searched: true,
        error: None,
    })));
    insta::assert_snapshot!("picker_house_ru", render(&app, 80, 24));
    let mut secondary = customer();
    secondary.id = 58;
    secondary.name = "Ёлкин Пётр Семёнович".into();
    secondary.agreement_number = Some("10235".into());
    secondary.balance = rub("1 250");
    let preview = MergePreview {
        main: customer(),
        secondary,
        moves: MergeCounts {
            addresses: 2,
            mac_changes: 1,
            marks: 0,
            messages: 3,
            state_changes: 0,
            promised_payments: 0,
            services: 1,
            children: 0,
            port: true,
        },
        balance: rub("1 250"),
        port_released: true,
    };
    let mut app = with_card(Lang::Ru);
    app.actor = Some(actor(Role::Admin));
    app.screens.push(Screen::Merge(Box::new(MergeScreen {
        preview,
        stage: MergeStage::Confirm,
        pending: None,
        error: None,
    })));
    insta::assert_snapshot!("merge_confirm_ru", render(&app, 80, 24));
}

fn services() -> Vec<CustomerService> {
    let s = |id: i64, name: &str, own: Option<&str>, price: &str, enabled: bool, comment: Option<&str>| {
        CustomerService {
            id,
            customer_id: 57,
            service_id: id,
            service_name: name.into(),
            period: Period::Month,
            own_price: own.map(rub),
            price: rub(price),
            quantity: 1,
            comment: comment.map(str::to_string),
            enabled,
            next_charge_on: NaiveDate::from_ymd_opt(2026, 12, 1),
        }
    };
    vec![
        s(1, "Статический IP", None, "150", true, None),
        s(2, "ТВ-пакет «Базовый»", Some("99"), "99", true, Some("акция до весны")),
        s(3, "Аренда роутера", None, "100", false, None),
    ]
}

fn messages() -> Vec<Message> {
    let m = |id: i64, d: Direction, body: &str, day: u32, archived: bool| Message {
        id,
        customer_id: 57,
        direction: d,
        body: body.into(),
        operator_login: Some("cashier".into()),
        created_at: at(day, 11, 5),
        archived,
    };
    vec![
        m(3, Direction::Operator, "Платёж получен, спасибо! Доступ восстановлен.", 21, false),
        m(
            2,
            Direction::Customer,
            "Жалуется на обрывы по вечерам, просит выезд мастера после 18:00",
            20,
            false,
        ),
        m(1, Direction::Customer, "Просил перезвонить", 2, true),
    ]
}

fn with_tab(lang: Lang, tab: CardTab, archived: bool) -> App {
    let mut app = logged_in(lang, Role::Cashier);
    app.screens.push(Screen::Card(Box::new(Card {
        card: Some(card()),
        tab,
        services: Some(services()),
        messages: Some(messages()),
        row: 1,
        archived,
        ..Card::new(57, None)
    })));
    app
}

#[test]
fn snapshot_card_tabs_and_marks() {
    insta::assert_snapshot!(
        "card_services_ru",
        render(&with_tab(Lang::Ru, CardTab::Services, false), 80, 24)
    );
    insta::assert_snapshot!("card_messages_ru", render(&with_tab(Lang::Ru, CardTab::Messages, true), 80, 24));
    insta::assert_snapshot!(
        "card_messages_en",
        render(&with_tab(Lang::En, CardTab::Messages, false), 80, 24)
    );
    let marks = ListData::CustomerMarks { all: marks(), on: vec![1] };
    insta::assert_snapshot!(
        "customer_marks_ru",
        render(&with_list(Lang::Ru, Role::Cashier, ListKind::CustomerMarks(57), marks, 2), 80, 24)
    );
}

fn marks() -> Vec<Mark> {
    vec![
        Mark { id: 3, name: "Ветеран".into(), color: "green".into(), customers: 12 },
        Mark { id: 1, name: "Должник".into(), color: "red".into(), customers: 340 },
        Mark { id: 4, name: "Жалоба".into(), color: "yellow".into(), customers: 0 },
    ]
}

/// The catalogue of extra services: one offered, one withdrawn (lists show both, the form
/// offers only the first).
fn catalogue() -> Vec<ExtraService> {
    vec![
        ExtraService {
            id: 1,
            name: "Статический IP".into(),
            price: rub("150"),
            period: Period::Month,
            active: true,
        },
        ExtraService {
            id: 4, name: "Антивирус".into(), price: rub("3"), period: Period::Day, active: false
        },
    ]
}

fn operators() -> Vec<Operator> {
    let o = |id: i64, login: &str, name: &str, role: Role, active: bool| Operator {
        id,
        login: login.into(),
        name: name.into(),
        role,
        active,
        failed_logins: 0,
        locked_until: None,
        created_at: at(1, 9, 0),
    };
    vec![
        o(1, "admin", "Администратор", Role::Admin, true),
        o(2, "cashier", "Анна Смирнова", Role::Cashier, true),
        o(5, "kassir2", "Мария Ёлкина", Role::Cashier, false),
        o(3, "noc", "Рустам Сафин", Role::Noc, true),
    ]
}

#[test]
fn snapshot_administration() {
    let admin = |kind, data, sel| render(&with_list(Lang::Ru, Role::Admin, kind, data, sel), 80, 24);
    insta::assert_snapshot!(
        "admin_menu_ru",
        admin(ListKind::Admin, ListData::Admin(AdminItem::ALL.to_vec()), 0)
    );
    insta::assert_snapshot!("operators_ru", admin(ListKind::Operators, ListData::Operators(operators()), 2));
    insta::assert_snapshot!(
        "tariffs_en",
        render(&with_list(Lang::En, Role::Admin, ListKind::Tariffs, ListData::Tariffs(tariffs()), 1), 80, 24)
    );
    insta::assert_snapshot!("catalogue_ru", admin(ListKind::Catalogue, ListData::Catalogue(catalogue()), 0));
    insta::assert_snapshot!("marks_ru", admin(ListKind::MarkCatalogue, ListData::Marks(marks()), 1));
    let groups = vec![
        Group { id: 1, name: "Физические лица".into(), customers: 1840 },
        Group { id: 2, name: "Юридические лица".into(), customers: 160 },
    ];
    insta::assert_snapshot!("groups_ru", admin(ListKind::Groups, ListData::Groups(groups.clone()), 0));
    // discounts: whom (a group by its name), how much, on what, when
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let discounts = vec![
        Discount {
            id: 2,
            whom: Whom::Group(2),
            percent: Percent(1250),
            applies: Applies::Tariff(None),
            from: day(1, 1),
            to: None,
            priority: 1,
            comment: "договор 2026/14".into(),
        },
        Discount {
            id: 1,
            whom: Whom::Customer(57),
            percent: Percent(1000),
            applies: Applies::All,
            from: day(11, 1),
            to: Some(day(12, 31)),
            priority: 0,
            comment: "пенсионер".into(),
        },
    ];
    let named: Vec<(i64, String)> = groups.iter().map(|g| (g.id, g.name.clone())).collect();
    insta::assert_snapshot!(
        "discounts_ru",
        admin(ListKind::Discounts, ListData::Discounts(discounts, named), 0)
    );
    let rules = vec![TaxRule { item: TaxItem::Tariff, name: "НДС 22 %".into(), rate: Percent(2200) }];
    insta::assert_snapshot!("taxes_ru", admin(ListKind::Taxes, ListData::Taxes { rules, billing_day: 1 }, 0));
    // forms: a new operator whose passwords differ, a tariff, a mark's colour
    let s = Strings::get(Lang::Ru);
    let mut form = operator_form(s, None);
    for (i, v) in ["kassir3", "Пётр Иванов"].iter().enumerate() {
        form.fields[i].input.set(v);
    }
    form.fields[3].input.set("secret-1");
    form.fields[4].input.set("secret-2");
    form.focus = 4;
    form.error = Some((4, s.adm.passwords_differ.into()));
    insta::assert_snapshot!("operator_add_ru", render(&with_form(Lang::Ru, Role::Admin, form), 80, 24));
    let data = FormData::TariffEdit(tariffs()[0].clone(), vec![4, 6]);
    let mut form = tariff_form(s, Some(data)).unwrap();
    form.focus = 2;
    insta::assert_snapshot!("tariff_form_ru", render(&with_form(Lang::Ru, Role::Admin, form), 80, 24));
    let mut form = mark_form(s, Some(&marks()[1]));
    form.focus = 1;
    insta::assert_snapshot!("mark_form_ru", render(&with_form(Lang::Ru, Role::Admin, form), 80, 24));
    // deleting a mistaken entry: the question over the card
    let mut app = with_card(Lang::Ru);
    app.actor = Some(actor(Role::Admin));
    let q = FormScreen::question(FormKind::CustomerDelete(57), "10234 Ёлкина Мария Петровна");
    app.screens.push(Screen::Form(Box::new(q)));
    insta::assert_snapshot!("delete_customer_ru", render(&app, 80, 24));
}

#[test]
fn new_screens_fit_tiny_windows() {
    let s = Strings::get(Lang::Ru);
    let apps = [
        with_tab(Lang::Ru, CardTab::Messages, false),
        with_form(Lang::Ru, Role::Admin, customer_form(s, form_data(Some(card()))).unwrap()),
        with_list(Lang::Ru, Role::Admin, ListKind::Operators, ListData::Operators(operators()), 0),
    ];
    for app in apps {
        for (w, h) in [(0, 0), (20, 5), (1, 1), (79, 24), (80, 23), (200, 60)] {
            let text = render(&app, w, h);
            if (w, h) == (200, 60) {
                assert!(!text.is_empty());
            }
        }
    }
}

// ---- the customer record and administration through the real loop ----------------------------

impl Desk {
    /// Tabs through the form until the field labelled `label` is focused.
    async fn tab_to(&mut self, label: &str) {
        for _ in 0..40 {
            if self.screen().lines().any(|l| l.starts_with(&format!("▸{label}"))) {
                return;
            }
            self.press(KeyCode::Tab).await;
        }
        panic!("no field {label}:\n{}", self.screen());
    }

    async fn open_card(&mut self, agreement: &str) {
        self.search(agreement).await;
        self.press(KeyCode::Enter).await;
        assert!(self.screen().contains("[Карточка]"), "{}", self.screen());
    }

    async fn customer(&self, id: i64) -> Customer {
        self.svc.customer_card(&self.admin().await, id).await.unwrap().customer
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_a_customer_from_the_card() {
    let mut d = Desk::open("cashier").await;
    d.open_card("10004").await;
    let before = d.customer(4).await;
    // Esc on the form writes nothing
    d.press(KeyCode::Char('e')).await;
    assert!(d.screen().contains("Изменить абонента"), "{}", d.screen());
    d.typ(" Второй").await;
    d.press(KeyCode::Esc).await;
    // the edit is not thrown away without asking
    assert!(d.screen().contains("Изменения не сохранены"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    assert_eq!(d.customer(4).await, before);
    // a bad e-mail is refused under its field, then a good one is saved
    d.press(KeyCode::Char('e')).await;
    d.tab_to("E-mail").await;
    d.console.ctrl('u').await.unwrap();
    d.typ("bad@").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("не адрес электронной почты"), "{}", d.screen());
    assert!(d.screen().contains("▸E-mail"), "the focus stays on the field:\n{}", d.screen());
    d.console.ctrl('u').await.unwrap();
    d.typ("Pochta@Mail.RU").await;
    d.tab_to("Этаж").await;
    d.console.ctrl('u').await.unwrap();
    d.typ("9").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("pochta@mail.ru"), "the card shows it at once:\n{}", d.screen());
    let after = d.customer(4).await;
    assert_eq!((after.email.as_deref(), after.floor.as_deref()), (Some("pochta@mail.ru"), Some("9")));
    // only what changed was changed: the rest (dates with a time of day among them) is as it was
    assert_eq!(
        (after.name.clone(), after.phones.clone(), after.date_activity, after.house_id),
        (before.name.clone(), before.phones.clone(), before.date_activity, before.house_id)
    );
    let admin = d.admin().await;
    let log = d.svc.audit_log(&admin, Some("customer"), Some(4), 1).await.unwrap();
    assert_eq!((log[0].action.as_str(), log[0].operator_login.as_str()), ("customer.edit", "cashier"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_a_customer_with_a_house_picked_by_search() {
    let mut d = Desk::open("cashier").await;
    d.press(KeyCode::F(3)).await;
    assert!(d.screen().contains("Новый абонент"), "{}", d.screen());
    // the name is required: the service says so under the field
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("не заполнено"), "{}", d.screen());
    d.typ("Новиков Олег Игоревич").await;
    d.tab_to("Тариф").await;
    d.press(KeyCode::Right).await;
    assert!(!d.screen().contains("Тариф                ◂ — ▸"), "{}", d.screen());
    d.tab_to("Дом").await;
    // typing on the house field opens the search with what was typed
    d.typ("лен").await;
    assert!(d.screen().contains("Выбор дома"), "{}", d.screen());
    assert!(d.screen().contains("ул. Ленина"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Новый абонент"), "back on the form:\n{}", d.screen());
    d.tab_to("Квартира").await;
    d.typ("77").await;
    d.tab_to("Телефон").await;
    d.typ("8 (917) 555-12-34").await;
    d.press(KeyCode::Enter).await;
    // the new customer's card opens, with the next agreement number
    let screen = d.screen();
    assert!(screen.contains("[Карточка]") && screen.contains("Новиков Олег Игоревич"), "{screen}");
    assert!(screen.contains("10031"), "{screen}");
    let admin = d.admin().await;
    let id = d.svc.resolve_customer(&admin, "10031").await.unwrap();
    let card = d.svc.customer_card(&admin, id).await.unwrap();
    assert_eq!(card.house.map(|h| h.street), Some("ул. Ленина".to_string()));
    assert_eq!(card.customer.apartment.as_deref(), Some("77"));
    assert_eq!(card.customer.phones[0].as_deref(), Some("79175551234"));
    assert!(card.tariff.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_two_customers_from_the_card() {
    let mut d = Desk::open("admin").await;
    let (main, second) = (d.balance(4).await, d.balance(5).await);
    d.open_card("10004").await;
    d.press(KeyCode::Char('j')).await;
    assert!(d.screen().contains("Кого присоединить"), "{}", d.screen());
    d.search("10005").await;
    d.press(KeyCode::Enter).await;
    let preview = d.screen();
    assert!(preview.contains("Присоединяется: 10005") && preview.contains("Объединить?"), "{preview}");
    // Esc: nothing merged, back on the card
    d.press(KeyCode::Esc).await;
    assert!(d.screen().contains("[Карточка]"), "{}", d.screen());
    assert!(!d.customer(5).await.is_former);
    d.press(KeyCode::Char('j')).await;
    d.search("10005").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Объединено"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("[Карточка]"), "{}", d.screen());
    assert_eq!(d.balance(4).await, Money::from_minor(main.minor() + second.minor()));
    assert_eq!(d.balance(5).await, Money::ZERO);
    assert!(d.customer(5).await.is_former);
    // the card shows the new balance
    assert!(
        d.screen().contains(&Money::from_minor(main.minor() + second.minor()).format_ru()),
        "{}",
        d.screen()
    );
    let v = d.svc.check_invariants(&d.admin().await).await.unwrap();
    assert!(v.is_empty(), "{v:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_and_messages_on_the_card_tabs() {
    let mut d = Desk::open("cashier").await;
    d.open_card("10004").await;
    d.press(KeyCode::Tab).await;
    assert!(d.screen().contains("[Услуги (0)]"), "{}", d.screen());
    d.press(KeyCode::Char('a')).await;
    assert!(d.screen().contains("Подключить доп. услугу"), "{}", d.screen());
    // the catalogue's active services, by name
    assert!(d.screen().contains("◂ Антивирус — 3,00 в сутки ▸"), "{}", d.screen());
    d.press(KeyCode::Right).await;
    assert!(d.screen().contains("◂ Аренда роутера — 100,00 в месяц ▸"), "{}", d.screen());
    d.tab_to("Своя цена").await;
    d.typ("99,5").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("[Услуги (1)]") && d.screen().contains("*99,50"), "{}", d.screen());
    // Space turns it off and on; d asks before removing it
    d.press(KeyCode::Char(' ')).await;
    assert!(d.screen().contains("Аренда роутера (выкл.)"), "{}", d.screen());
    let admin = d.admin().await;
    assert!(!d.svc.customer_services(&admin, 4).await.unwrap()[0].enabled);
    d.press(KeyCode::Char('d')).await;
    assert!(d.screen().contains("Убрать услугу у абонента?"), "{}", d.screen());
    d.press(KeyCode::Esc).await;
    assert_eq!(d.svc.customer_services(&admin, 4).await.unwrap().len(), 1);
    d.press(KeyCode::Char('d')).await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("[Услуги (0)]"), "{}", d.screen());
    assert!(d.svc.customer_services(&admin, 4).await.unwrap().is_empty());
    // messages: one taken down, one written; Space archives, v shows the archive
    d.press(KeyCode::Tab).await;
    d.press(KeyCode::Char('a')).await;
    d.typ("Просит перезвонить завтра").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('w')).await;
    d.typ("Оплата получена").await;
    d.press(KeyCode::Enter).await;
    let screen = d.screen();
    assert!(screen.contains("[Сообщения (2)]") && screen.contains("от абонента · cashier"), "{screen}");
    d.press(KeyCode::Char(' ')).await;
    assert!(d.screen().contains("[Сообщения (1)]"), "{}", d.screen());
    d.press(KeyCode::Char('v')).await;
    assert!(d.screen().contains("[с архивом]") && d.screen().contains("архив"), "{}", d.screen());
    let q = kassa::service::MessageQuery { customer_id: Some(4), limit: 10, ..Default::default() };
    let all = d.svc.messages(&admin, &q).await.unwrap();
    assert_eq!(all.iter().filter(|m| m.archived).count(), 1);
    // a message that says nothing is refused under its field
    d.press(KeyCode::Char('a')).await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("не заполнено"), "{}", d.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marks_from_the_card() {
    let mut d = Desk::open("cashier").await;
    d.open_card("10004").await;
    d.press(KeyCode::Char('m')).await;
    assert!(d.screen().contains("Метки абонента"), "{}", d.screen());
    assert!(d.screen().contains("[ ] Ветеран"), "{}", d.screen());
    d.press(KeyCode::Char(' ')).await;
    assert!(d.screen().contains("[x] Ветеран"), "{}", d.screen());
    d.press(KeyCode::Esc).await;
    assert!(d.screen().contains("Метки         Ветеран"), "{}", d.screen());
    let admin = d.admin().await;
    assert_eq!(d.svc.customer_marks(&admin, 4).await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administration_of_operators_marks_and_groups() {
    let mut d = Desk::open("admin").await;
    d.press(KeyCode::F(9)).await;
    assert!(d.screen().contains("Администрирование"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    // a new operator: the passwords must match
    d.press(KeyCode::Char('a')).await;
    d.typ("kassir2").await;
    d.press(KeyCode::Tab).await;
    d.typ("Мария Ёлкина").await;
    d.press(KeyCode::Tab).await;
    d.press(KeyCode::Tab).await;
    d.typ("пароль-1").await;
    d.press(KeyCode::Tab).await;
    d.typ("пароль-2").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Пароли не совпадают"), "{}", d.screen());
    d.console.ctrl('u').await.unwrap();
    d.typ("пароль-1").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("kassir2 Мария Ёлкина"), "{}", d.screen());
    d.svc.login("kassir2", "пароль-1", "t").await.unwrap();
    // lock kassir2 out (asked first)
    d.press(KeyCode::Down).await;
    d.press(KeyCode::Down).await;
    d.press(KeyCode::Char('l')).await;
    assert!(
        d.screen().contains("Заблокировать оператора?") && d.screen().contains("kassir2"),
        "{}",
        d.screen()
    );
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("заблокирован"), "{}", d.screen());
    assert!(matches!(
        d.svc.login("kassir2", "пароль-1", "t").await,
        Err(kassa::service::ServiceError::BadCredentials)
    ));
    // marks: add one, then delete it
    d.press(KeyCode::Esc).await;
    for _ in 0..3 {
        d.press(KeyCode::Down).await;
    }
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Должник"), "{}", d.screen());
    d.press(KeyCode::Char('a')).await;
    d.typ("Активист").await;
    d.press(KeyCode::Tab).await;
    d.press(KeyCode::Right).await;
    d.press(KeyCode::Enter).await;
    let admin = d.admin().await;
    let marks = d.svc.list_marks(&admin).await.unwrap();
    let added = marks.iter().find(|m| m.name == "Активист").unwrap();
    assert_eq!(added.color, "yellow");
    let row = marks.iter().position(|m| m.name == "Активист").unwrap();
    d.press(KeyCode::Home).await;
    for _ in 0..row {
        d.press(KeyCode::Down).await;
    }
    d.press(KeyCode::Char('d')).await;
    assert!(
        d.screen().contains("Удалить метку из каталога?") && d.screen().contains("Активист"),
        "{}",
        d.screen()
    );
    d.press(KeyCode::Enter).await;
    assert!(!d.svc.list_marks(&admin).await.unwrap().iter().any(|m| m.name == "Активист"));
    // payment methods: «СБП» added (a card payment), then moved to the top
    d.press(KeyCode::Esc).await;
    d.press(KeyCode::Down).await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("terminal") && d.screen().contains("Наличные"), "{}", d.screen());
    d.press(KeyCode::Char('a')).await;
    d.typ("sbp").await;
    d.press(KeyCode::Tab).await;
    d.typ("СБП").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("sbp") && d.screen().contains("СБП"), "{}", d.screen());
    d.press(KeyCode::End).await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Tab).await;
    d.console.ctrl('u').await.unwrap();
    d.typ("1").await;
    d.press(KeyCode::Enter).await;
    let methods = d.svc.payment_methods(&admin, false).await.unwrap();
    assert_eq!((methods[0].code.as_str(), methods[0].kind), ("sbp", kassa::domain::PaymentMethod::Card));
    assert_eq!(methods.iter().map(|m| m.position).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    // groups: a new one, renamed
    d.press(KeyCode::Esc).await;
    d.press(KeyCode::Down).await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('a')).await;
    d.typ("Пенсионеры").await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Пенсионеры"), "{}", d.screen());
    let groups = d.svc.list_groups(&admin).await.unwrap();
    assert!(groups.iter().any(|g| g.name == "Пенсионеры"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_is_never_offered_what_it_may_not_do() {
    let mut d = Desk::open("cashier").await;
    d.press(KeyCode::F(9)).await;
    assert!(d.screen().contains("Нет прав на это действие"), "{}", d.screen());
    d.open_card("10004").await;
    for key in ['j', 'd', 'x', 'k'] {
        d.press(KeyCode::Char(key)).await;
        assert!(d.screen().contains("Нет прав на это действие"), "{key}: {}", d.screen());
    }
    // help lists what the cashier may do and nothing else
    d.press(KeyCode::F(1)).await;
    let help = d.screen();
    assert!(help.contains("изменить") && help.contains("метки"), "{help}");
    assert!(!help.contains("объединить") && !help.contains("удалить"), "{help}");
    d.press(KeyCode::Esc).await;
    // a viewer may look at the tabs but change nothing there
    let mut v = Desk::open("viewer").await;
    v.open_card("10004").await;
    v.press(KeyCode::Char('e')).await;
    assert!(v.screen().contains("Нет прав на это действие"), "{}", v.screen());
    v.press(KeyCode::Tab).await;
    v.press(KeyCode::Char('a')).await;
    assert!(v.screen().contains("Нет прав на это действие"), "{}", v.screen());
    assert!(!v.screen().contains(" a добавить"), "{}", v.screen());
    v.press(KeyCode::Tab).await;
    v.press(KeyCode::Char('a')).await;
    assert!(v.screen().contains("Нет прав на это действие"), "{}", v.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_only_a_customer_without_money() {
    let mut d = Desk::open("admin").await;
    // one with money: refused, and the dialog says why
    d.open_card("10004").await;
    d.press(KeyCode::Char('d')).await;
    assert!(d.screen().contains("Удалить абонента?"), "{}", d.screen());
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("операций в журнале"), "{}", d.screen());
    d.press(KeyCode::Esc).await;
    assert!(d.svc.customer_card(&d.admin().await, 4).await.is_ok());
    // a potential customer entered by mistake goes, and the console leaves their card
    let admin = d.admin().await;
    let mut new = kassa::service::NewCustomer::default();
    new.fields.name = Some("Ошибочный Ввод".into());
    new.fields.is_potential = Some("1".into());
    let c = d.svc.add_customer(&admin, &new).await.unwrap();
    d.press(KeyCode::Esc).await;
    d.console.ctrl('u').await.unwrap();
    d.press(KeyCode::Char(':')).await;
    d.typ(&format!("c #{}", c.id)).await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Ошибочный Ввод"), "{}", d.screen());
    d.press(KeyCode::Char('d')).await;
    d.press(KeyCode::Enter).await;
    assert!(d.screen().contains("Поиск абонента"), "{}", d.screen());
    assert!(d.svc.customer_card(&admin, c.id).await.is_err());
}

#[test]
fn snapshot_the_small_forms() {
    let s = Strings::get(Lang::Ru);
    // the state: a choice at the customer's state
    let options = [("active", "активен"), ("pause", "пауза"), ("stop", "стоп")]
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect();
    let form = FormScreen::new(
        FormKind::State(57),
        vec![kassa::tui::form::choice("state", |s| s.net.f_state, options, "pause")],
    );
    let mut app = with_card(Lang::Ru);
    app.screens.push(Screen::Form(Box::new(form)));
    insta::assert_snapshot!("state_form_ru", render(&app, 80, 24));
    // an extra service from the catalogue
    let form = kassa::tui::records::service_form(s, FormData::ServiceAdd(57, catalogue())).unwrap();
    insta::assert_snapshot!("service_add_ru", render(&with_form(Lang::Ru, Role::Cashier, form), 80, 24));
    // a message, an operator's new password, a group's name
    let form = FormScreen::new(
        FormKind::Message(57, Direction::Customer),
        vec![field("text", |s| s.adm.f_text, 4000, "Просит перезвонить после 18:00")],
    );
    insta::assert_snapshot!("message_form_ru", render(&with_form(Lang::Ru, Role::Cashier, form), 80, 24));
    let mut app = with_list(Lang::Ru, Role::Admin, ListKind::Operators, ListData::Operators(operators()), 1);
    app.key(&key(KeyCode::Char('w')), Instant::now());
    insta::assert_snapshot!("operator_password_ru", render(&app, 80, 24));
    let mut app = with_list(Lang::Ru, Role::Admin, ListKind::Groups, ListData::Groups(Vec::new()), 0);
    app.key(&key(KeyCode::Char('a')), Instant::now());
    insta::assert_snapshot!("group_form_ru", render(&app, 80, 24));
}

/// Results cut at the limit say "100+"; text found on the Russian layout says so.
#[test]
fn more_results_than_shown_and_the_layout_are_said() {
    let mut app = logged_in(Lang::Ru, Role::Cashier);
    if let Screen::Search(s) = app.screens.last_mut().unwrap() {
        s.results = (0..100).flat_map(|_| summaries()).take(100).collect();
        s.more = true;
        s.retyped = Some("иванов".into());
    }
    let text = render(&app, 80, 24);
    let info = text.lines().nth(2).unwrap_or_default();
    assert!(info.contains("100+") && info.contains("иванов"), "{info}");
}
