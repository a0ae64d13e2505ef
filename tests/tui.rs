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
    Actor, CustomerCard, CustomerSummary, HistoryPage, HistoryQuery, House, PostOutcome, Tariff,
};
use kassa::store::tariffs::{Period, ScheduledChange};
use kassa::tui::app::{App, CardScreen, HistoryScreen, PayScreen, PayStage, Screen, SearchScreen};
use kassa::tui::input::Input;
use kassa::tui::strings::Lang;
use kassa::tui::theme::Theme;
use kassa::tui::{execute_effect, ui};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

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
        addresses: vec![(Some("10.0.40.12".into()), Some("00:1a:2b:3c:4d:5e".into()))],
        available: rub("-150"),
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
        former: false,
        due_at: None,
        pending: None,
        error: None,
    })];
    app
}

fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app)).unwrap();
    // (TestBackend's own text view cannot show a zero-width buffer)
    if w == 0 { String::new() } else { format!("{}", t.backend()) }
}

fn with_card(lang: Lang) -> App {
    let mut app = logged_in(lang, Role::Cashier);
    app.screens.push(Screen::Card(Box::new(CardScreen {
        id: 57,
        card: Some(card()),
        pending: None,
        error: None,
    })));
    app
}

fn with_pay(lang: Lang, stage: PayStage) -> App {
    let mut app = with_card(lang);
    app.screens.push(Screen::Pay(Box::new(PayScreen {
        card: card(),
        amount: Input::new(16).with_text("1 234,50"),
        method: 0,
        receipt: Input::new(32).with_text("1843"),
        comment: Input::new(200).with_text("за декабрь"),
        focus: 0,
        error: None,
        stage,
        key: "tui-test".into(),
        pending: None,
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
    let confirm = PayStage::Confirm { amount: rub("1 234,50") };
    insta::assert_snapshot!("pay_confirm_ru", render(&with_pay(Lang::Ru, confirm), 80, 24));
    let mut posted =
        op(6, OperationKind::Payment, "1 234,50", "-150", 22, Some("1843"), Some("cashier"), None);
    posted.created_at = at(22, 14, 5);
    let done = PayStage::Done(Box::new(PostOutcome { operation: posted, replayed: false }));
    insta::assert_snapshot!("pay_done_ru", render(&with_pay(Lang::Ru, done), 80, 24));
}

#[test]
fn snapshot_history_and_help() {
    let mut app = with_card(Lang::Ru);
    app.screens.push(Screen::History(HistoryScreen {
        customer_id: 57,
        title: "Ёлкина Мария Петровна".into(),
        page: Some(HistoryPage {
            operations: operations(),
            total_count: 5,
            income: rub("1 750"),
            outcome: rub("-1 900"),
        }),
        offset: 0,
        selected: 1,
        from: Input::new(10).with_text("01.10.2026"),
        to: Input::new(10),
        filter_open: false,
        filter_focus: 0,
        pending: None,
        error: None,
    }));
    insta::assert_snapshot!("history_ru", render(&app, 80, 24));
    app.help = true;
    insta::assert_snapshot!("history_help_ru", render(&app, 80, 24));
}

#[test]
fn tiny_windows_do_not_panic() {
    for app in [logged_in(Lang::Ru, Role::Cashier), with_card(Lang::En), with_pay(Lang::Ru, PayStage::Form)] {
        for (w, h) in [(0, 0), (20, 5), (1, 1), (79, 24), (80, 23), (200, 60)] {
            let text = render(&app, w, h);
            if (w, h) == (20, 5) {
                assert!(text.contains("80×24") || text.contains("80"), "{text}");
            }
        }
    }
}

// ---- key scripts against a real service ------------------------------------------------------

use common::{Kind, TestDb};
use kassa::service::demo::DemoOptions;
use kassa::service::{Service, ServiceConfig};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Feeds keys into the console's state and runs every service call it asks for, until idle.
struct Driver {
    svc: Service,
    app: App,
    now: Instant,
}

impl Driver {
    async fn new() -> (TestDb, Driver) {
        let db = TestDb::new(Kind::Sqlite).await.unwrap();
        let svc = Service::open(&db.url, ServiceConfig::default()).await.unwrap();
        svc.generate_demo(DemoOptions { customers: 30, seed: 3, months: 2 }).await.unwrap();
        let app = App::new(Lang::Ru, Theme::new(true), None);
        (db, Driver { svc, app, now: Instant::now() })
    }

    async fn settle(&mut self, mut effects: Vec<kassa::tui::app::Effect>) {
        loop {
            // a search waits for a pause in typing: let the pause pass
            self.now += Duration::from_secs(1);
            effects.extend(self.app.due_search(self.now));
            if effects.is_empty() {
                return;
            }
            let mut next = Vec::new();
            for e in effects.drain(..) {
                let (req, out) = execute_effect(&self.svc, self.app.actor.as_ref(), e).await;
                next.extend(self.app.outcome(req, out));
            }
            effects = next;
        }
    }

    async fn press(&mut self, code: KeyCode) {
        let effects = self.app.key(&key(code), self.now);
        self.settle(effects).await;
    }

    async fn repeat(&mut self, code: KeyCode) {
        let mut ev = key(code);
        ev.kind = KeyEventKind::Repeat;
        let effects = self.app.key(&ev, self.now);
        self.settle(effects).await;
    }

    async fn typ(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c)).await;
        }
    }

    async fn login(&mut self, who: &str) {
        self.typ(who).await;
        self.press(KeyCode::Enter).await;
        self.typ("kassa").await;
        self.press(KeyCode::Enter).await;
        assert!(matches!(self.app.screen(), Screen::Search(_)), "logged in as {who}");
    }

    async fn balance(&self, id: i64) -> Money {
        let admin = self.svc.login("admin", "kassa", "t").await.unwrap();
        self.svc.customer_card(&admin, id).await.unwrap().customer.balance
    }

    async fn payments(&self, id: i64) -> i64 {
        let admin = self.svc.login("admin", "kassa", "t").await.unwrap();
        let q = HistoryQuery {
            customer_id: id,
            kinds: vec![OperationKind::Payment],
            limit: 100,
            ..Default::default()
        };
        self.svc.history(&admin, &q).await.unwrap().total_count
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_card_pay_confirm_and_history() {
    let (_db, mut d) = Driver::new().await;
    d.login("cashier").await;
    let before = d.balance(1).await;
    let paid_before = d.payments(1).await;
    // find agreement 10001, open it, take 500 in cash, confirm
    let keys_before = 0;
    d.typ("10001").await;
    d.press(KeyCode::Enter).await;
    assert!(matches!(d.app.screen(), Screen::Card(c) if c.card.is_some()));
    d.press(KeyCode::Char('p')).await;
    d.typ("500").await;
    d.press(KeyCode::Enter).await;
    assert!(matches!(d.app.screen(), Screen::Pay(p) if matches!(p.stage, PayStage::Confirm { .. })));
    d.press(KeyCode::Enter).await;
    let Screen::Pay(p) = d.app.screen() else { panic!("still on the payment") };
    let PayStage::Done(done) = &p.stage else { panic!("not posted: {:?}", p.stage) };
    assert_eq!(done.operation.amount, rub("500"));
    assert_eq!(
        done.operation.receipt_number,
        Some(p.receipt.text()),
        "the pre-filled receipt number was used"
    );
    // keys beyond the digits: Enter (open), p, Enter (form), Enter (confirm) = 4 (+ the amount)
    let _ = keys_before;
    assert_eq!(d.balance(1).await, Money::from_minor(before.minor() + 50_000));
    // a second Enter (and a held one) after posting never posts again
    d.repeat(KeyCode::Enter).await;
    d.press(KeyCode::Enter).await;
    assert!(matches!(d.app.screen(), Screen::Card(_)));
    d.press(KeyCode::Enter).await;
    assert_eq!(d.payments(1).await, paid_before + 1);
    // the history shows it on top
    d.press(KeyCode::Char('h')).await;
    let Screen::History(h) = d.app.screen() else { panic!("history") };
    let first = &h.page.as_ref().unwrap().operations[0];
    assert_eq!((first.kind, first.amount), (OperationKind::Payment, rub("500")));
    // and the card shows the new balance
    d.press(KeyCode::Esc).await;
    let Screen::Card(c) = d.app.screen() else { panic!("card") };
    assert_eq!(c.card.as_ref().unwrap().customer.balance, Money::from_minor(before.minor() + 50_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enter_twice_on_the_confirmation_posts_once() {
    let (_db, mut d) = Driver::new().await;
    d.login("cashier").await;
    let paid = d.payments(2).await;
    d.typ("10002").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('з')).await; // p on a Russian layout
    d.typ("100,5").await;
    d.press(KeyCode::Enter).await;
    // two Enters arrive before the first post's result is handled
    let first = d.app.key(&key(KeyCode::Enter), d.now);
    let second = d.app.key(&key(KeyCode::Enter), d.now);
    assert_eq!(first.len(), 1, "the first Enter posts");
    assert!(second.is_empty(), "the second Enter, while posting, asks for nothing");
    d.settle(first).await;
    assert_eq!(d.payments(2).await, paid + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_on_the_confirmation_writes_nothing() {
    let (_db, mut d) = Driver::new().await;
    d.login("cashier").await;
    let (before, paid) = (d.balance(3).await, d.payments(3).await);
    d.typ("10003").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('p')).await;
    d.typ("700").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Esc).await;
    assert!(matches!(d.app.screen(), Screen::Pay(p) if p.stage == PayStage::Form));
    d.press(KeyCode::Esc).await;
    assert!(matches!(d.app.screen(), Screen::Card(_)));
    assert_eq!((d.balance(3).await, d.payments(3).await), (before, paid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_amounts_are_explained_under_the_field() {
    let (_db, mut d) = Driver::new().await;
    d.login("cashier").await;
    d.typ("10004").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('p')).await;
    for bad in ["500.505", "0", "-5", "100000000"] {
        d.typ(bad).await;
        d.press(KeyCode::Enter).await;
        let Screen::Pay(p) = d.app.screen() else { panic!() };
        assert_eq!(p.stage, PayStage::Form, "{bad}");
        assert!(p.error.as_ref().is_some_and(|(field, _)| *field == 0), "{bad}");
        for _ in 0..bad.chars().count() {
            d.press(KeyCode::Backspace).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_cannot_reach_payment() {
    let (_db, mut d) = Driver::new().await;
    d.login("viewer").await;
    d.typ("10001").await;
    d.press(KeyCode::Enter).await;
    d.press(KeyCode::Char('p')).await;
    assert!(matches!(d.app.screen(), Screen::Card(_)), "still on the card");
    assert!(d.app.status.is_some(), "and told why");
    let text = render(&d.app, 80, 24);
    let hints = text.lines().rev().find(|l| !l.trim_matches(['"', ' ']).is_empty()).unwrap_or_default();
    assert!(hints.contains("назад"), "{hints}");
    assert!(!hints.contains("платёж"), "a viewer is offered no payment: {hints}");
    assert!(hints.contains("история"), "but may read the history: {hints}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_said_and_stale_searches_are_dropped() {
    let (_db, mut d) = Driver::new().await;
    d.typ("cashier").await;
    d.press(KeyCode::Enter).await;
    d.typ("wrong").await;
    d.press(KeyCode::Enter).await;
    let Screen::Login(l) = d.app.screen() else { panic!() };
    assert_eq!(l.error.as_deref(), Some("Неверный логин или пароль"));
    d.typ("kassa").await;
    d.press(KeyCode::Enter).await;
    // two searches in flight: the older one's answer arrives last and is dropped
    for c in "1000".chars() {
        d.app.key(&key(KeyCode::Char(c)), d.now);
    }
    let old = d.app.due_search(d.now + Duration::from_secs(1));
    d.app.key(&key(KeyCode::Char('2')), d.now);
    let new = d.app.due_search(d.now + Duration::from_secs(2));
    let (
        kassa::tui::app::Effect::Search { req: old_req, .. },
        kassa::tui::app::Effect::Search { req: new_req, .. },
    ) = (&old[0], &new[0])
    else {
        panic!("two searches")
    };
    let (r_new, out_new) = execute_effect(&d.svc, d.app.actor.as_ref(), new[0].clone()).await;
    let (r_old, out_old) = execute_effect(&d.svc, d.app.actor.as_ref(), old[0].clone()).await;
    assert_eq!((r_new, r_old), (*new_req, *old_req));
    d.app.outcome(r_new, out_new);
    d.app.outcome(r_old, out_old);
    let Screen::Search(s) = d.app.screen() else { panic!() };
    assert_eq!(
        s.results.iter().map(|c| c.agreement_number.clone().unwrap_or_default()).collect::<Vec<_>>(),
        vec!["10002".to_string()]
    );
}
