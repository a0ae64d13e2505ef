//! What a new user met in the console (issue 15, part 2), each through the real event loop.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Kind, TestDb};
use kassa::domain::ledger::OperationKind;
use kassa::service::demo::DemoOptions;
use kassa::service::{HistoryQuery, Service, ServiceConfig};
use kassa::tui::app::App;
use kassa::tui::script::ScriptedConsole;
use kassa::tui::strings::Lang;
use kassa::tui::theme::Theme;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

async fn desk(who: &str) -> (TestDb, Service, ScriptedConsole) {
    let db = TestDb::new(Kind::Sqlite).await.unwrap();
    let svc = Service::open(&db.url, ServiceConfig::default()).await.unwrap();
    svc.generate_demo(DemoOptions { customers: 12, seed: 7, months: 1 }).await.unwrap();
    let app = App::new(Lang::Ru, Theme::new(true), None);
    let mut c = ScriptedConsole::start(svc.clone(), app, 80, 24).await.unwrap();
    c.typ(who).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.typ("kassa").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    (db, svc, c)
}

fn screen(c: &ScriptedConsole) -> String {
    let size = |n| std::num::NonZeroU16::new(n).unwrap();
    let mut parser = vt100::Parser::new(size(24), size(80), 0);
    parser.process(&c.capture.bytes());
    parser.screen().contents()
}

async fn payments(svc: &Service, customer_id: i64) -> i64 {
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let q =
        HistoryQuery { customer_id, kinds: vec![OperationKind::Payment], limit: 10, ..Default::default() };
    svc.history(&admin, &q).await.unwrap().total_count
}

async fn resize(c: &mut ScriptedConsole, w: u16, h: u16) {
    c.send([Event::Resize(w, h)]).unwrap();
    c.settle().await.unwrap();
}

/// Below 80×24 the console says how big it must be, and keys typed blind do nothing — but
/// quitting: at 60×20 `p 5 Enter Enter` once took a payment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_too_small_takes_no_keys_but_quit() {
    let (_db, svc, mut c) = desk("cashier").await;
    c.burst("10001").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let before = payments(&svc, 1).await;
    resize(&mut c, 60, 20).await;
    for k in [KeyCode::Char('p'), KeyCode::Char('5'), KeyCode::Enter, KeyCode::Enter] {
        c.press(k).await.unwrap();
    }
    assert_eq!(payments(&svc, 1).await, before, "nothing posted blind");
    resize(&mut c, 80, 24).await;
    assert!(screen(&c).contains("Карточка абонента"), "still on the card:\n{}", screen(&c));
    c.press(KeyCode::Char('p')).await.unwrap();
    assert!(screen(&c).contains("Приём платежа"), "keys act again:\n{}", screen(&c));
    resize(&mut c, 60, 20).await;
    c.key_event(KeyEvent::new(KeyCode::F(10), KeyModifiers::NONE)).await.ok();
    let app = c.finish().await.unwrap();
    assert!(app.quit, "quitting still acts");
}

/// Backspace sent as ^H (vt100, PuTTY's "Control-H") deletes like Backspace.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backspace_sent_as_control_h_deletes() {
    let (_db, _svc, mut c) = desk("cashier").await;
    c.burst("Ивановx").await.unwrap();
    c.key_event(KeyEvent::new(KeyCode::Char('h'), KeyModifiers::CONTROL)).await.unwrap();
    let s = screen(&c);
    let line = s.lines().find(|l| l.contains("Иванов")).unwrap_or_default();
    assert!(!line.contains("Ивановx"), "{s}");
}

/// Back on the search after a payment, the list shows the new balance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_shows_new_balances_when_returned_to() {
    let (_db, svc, mut c) = desk("cashier").await;
    c.burst("10001").await.unwrap();
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let before = svc.customer_card(&admin, 1).await.unwrap().customer.balance;
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Char('p')).await.unwrap();
    c.typ("777").await.unwrap();
    for k in [KeyCode::Enter, KeyCode::Enter, KeyCode::Enter, KeyCode::Esc] {
        c.press(k).await.unwrap();
    }
    let after = kassa::domain::money::Money::from_minor(before.minor() + 77_700);
    let row = screen(&c).lines().find(|l| l.starts_with("▶")).unwrap_or_default().to_string();
    assert!(row.contains(&after.format_ru()), "{after} in the list: {row}\n{}", screen(&c));
}

async fn command(c: &mut ScriptedConsole, line: &str) {
    c.press(KeyCode::Char(':')).await.unwrap();
    c.typ(line).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
}

/// `:pay abc` says why on the status line and opens no form with "abc"; a house that is not
/// there leaves the console where it was, saying so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_commands_say_why_and_open_nothing() {
    let (_db, _svc, mut c) = desk("cashier").await;
    c.burst("10001").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    command(&mut c, "pay abc").await;
    let s = screen(&c);
    assert!(s.contains("Карточка абонента") && !s.contains("Приём платежа"), "{s}");
    assert!(s.contains("«abc»"), "why, on the status line:\n{s}");
    c.press(KeyCode::Esc).await.unwrap();
    c.ctrl('u').await.unwrap();
    command(&mut c, "house Несуществующая 99").await;
    let s = screen(&c);
    assert!(s.contains("Поиск абонента"), "back where it was asked from:\n{s}");
    assert!(s.lines().rev().nth(1).is_some_and(|l| l.contains("Несуществующая")), "{s}");
}

/// End and Home in a history of one page move to its last and first rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_and_home_move_within_a_single_page() {
    let (_db, svc, mut c) = desk("cashier").await;
    let cashier = svc.login("cashier", "kassa", "local").await.unwrap();
    for amount in ["1", "2", "3"] {
        let req = kassa::service::PaymentRequest {
            customer_id: 1,
            amount: kassa::domain::money::Money::parse(amount).unwrap(),
            method: kassa::domain::ledger::PaymentMethod::Cash,
            method_code: None,
            receipt_number: None,
            comment: None,
            idempotency_key: None,
            received: None,
            bank: None,
        };
        svc.post_payment(&cashier, &req).await.unwrap();
    }
    c.burst("10001").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Char('h')).await.unwrap();
    let marked = |c: &ScriptedConsole| screen(c).lines().position(|l| l.starts_with("▶"));
    let first = marked(&c).unwrap();
    c.press(KeyCode::End).await.unwrap();
    let last = marked(&c).unwrap();
    assert!(last > first, "End moves to the last row:\n{}", screen(&c));
    c.press(KeyCode::Home).await.unwrap();
    assert_eq!(marked(&c), Some(first));
}

/// A former customer's card says "бывший" — not "активен" too — and that they still hold an
/// address or a port; the switch's port map marks them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_former_customer_is_not_shown_active_and_what_they_hold_is_said() {
    let (_db, svc, mut c) = desk("admin").await;
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let card = svc.customer_card(&admin, 1).await.unwrap();
    assert!(
        card.network.binding.is_some() || !card.network.records.is_empty(),
        "the demo gave them a port or an IP"
    );
    svc.set_former(&admin, 1, true).await.unwrap();
    c.press(KeyCode::F(2)).await.unwrap(); // former customers too
    c.burst("10001").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let s = screen(&c);
    let state =
        s.lines().find(|l| l.contains("Статус") || l.contains("Состояние")).unwrap_or_default().to_string();
    assert!(state.contains("бывший") && !state.contains("активен"), "{state}\n{s}");
    assert!(s.contains("всё ещё держит"), "{s}");
    if let Some(b) = card.network.binding {
        command(&mut c, &format!("sw #{}", b.switch_id)).await;
        let s = screen(&c);
        let surname: String = card.customer.name.chars().take(6).collect();
        let line = s.lines().find(|l| l.contains(&surname)).unwrap_or_default().to_string();
        assert!(line.contains("(бывший)"), "{line}\n{s}");
    }
}

/// The card's help is longer than 80×24: it scrolls, and its end can be reached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_longer_than_the_window_scrolls() {
    let (_db, _svc, mut c) = desk("admin").await;
    c.burst("10001").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::F(1)).await.unwrap();
    let closing = "закрыть";
    let s = screen(&c);
    assert!(s.contains("↓") && !s.contains(closing), "the help goes on below:\n{s}");
    for _ in 0..3 {
        c.press(KeyCode::PageDown).await.unwrap();
    }
    let s = screen(&c);
    assert!(s.contains(closing), "its end reached:\n{s}");
    c.press(KeyCode::Esc).await.unwrap();
    assert!(screen(&c).contains("Карточка абонента"));
}

/// Esc on a form with edits asks before throwing them away; without edits it just leaves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_on_a_form_with_edits_asks_first() {
    let (_db, svc, mut c) = desk("admin").await;
    c.burst("10001").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Char('e')).await.unwrap();
    c.press(KeyCode::Esc).await.unwrap();
    assert!(screen(&c).contains("Карточка абонента"), "no edits: gone at once\n{}", screen(&c));
    c.press(KeyCode::Char('e')).await.unwrap();
    c.typ(" Исправлено").await.unwrap();
    c.press(KeyCode::Esc).await.unwrap();
    assert!(screen(&c).contains("Изменения не сохранены"), "{}", screen(&c));
    c.press(KeyCode::Esc).await.unwrap();
    assert!(screen(&c).contains("Исправлено"), "back to the form, the edit kept:\n{}", screen(&c));
    c.press(KeyCode::Esc).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("Карточка абонента"), "{}", screen(&c));
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    assert!(!svc.customer_card(&admin, 1).await.unwrap().customer.name.contains("Исправлено"));
}

/// Colours reach the terminal in the classic 16-colour codes every colour terminal knows
/// (PuTTY with TERM=putty, the Linux console), never in the 256-colour form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colours_in_codes_every_terminal_knows() {
    let db = TestDb::new(Kind::Sqlite).await.unwrap();
    let svc = Service::open(&db.url, ServiceConfig::default()).await.unwrap();
    svc.generate_demo(DemoOptions { customers: 5, seed: 7, months: 1 }).await.unwrap();
    let app = App::new(Lang::Ru, Theme::new(false), None);
    let mut c = ScriptedConsole::start(svc.clone(), app, 80, 24).await.unwrap();
    c.typ("cashier").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let bytes = String::from_utf8_lossy(&c.capture.bytes()).to_string();
    assert!(!bytes.contains("38;5;") && !bytes.contains("48;5;"), "256-colour codes sent");
    assert!(bytes.contains("[36") || bytes.contains(";36"), "cyan as 36");
    assert!(
        bytes.contains("[93") || bytes.contains(";93") || bytes.contains("[33") || bytes.contains(";33"),
        "yellow"
    );
    assert!(!kassa::tui::theme::has_colour("vt100") && kassa::tui::theme::has_colour("putty"));
}

/// The promised-payment form says whose it is, their balance and the rules it must keep.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_promise_form_says_whose_and_the_rules() {
    let (_db, _svc, mut c) = desk("cashier").await;
    c.burst("10002").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Char('o')).await.unwrap();
    let s = screen(&c);
    assert!(
        s.contains("10002") && s.contains("Баланс") && s.contains("1 000,00") && s.contains("выше -500,00"),
        "{s}"
    );
}

/// A key that changes nothing on the screen sends nothing: no frame of a cursor put back
/// where it was (over SSH each costs a round of bytes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_changes_nothing_sends_nothing() {
    let (_db, _svc, mut c) = desk("cashier").await;
    c.burst("10001").await.unwrap();
    let before = c.capture.len();
    c.press(KeyCode::Right).await.unwrap(); // the cursor is at the end already
    c.press(KeyCode::Up).await.unwrap(); // the first row is chosen already
    assert_eq!(c.capture.len(), before, "bytes sent for keys that changed nothing");
    c.press(KeyCode::Left).await.unwrap();
    assert!(c.capture.len() > before, "a key that moves the cursor is sent");
}

/// An administrator charges and corrects from the card, each asked first with the balance
/// before and after; a cashier is not let.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charges_and_corrections_from_the_card_ask_first() {
    let (_db, svc, mut c) = desk("admin").await;
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let before = svc.customer_card(&admin, 3).await.unwrap().customer.balance;
    c.burst("10003").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Char('c')).await.unwrap();
    c.typ("100").await.unwrap();
    c.press(KeyCode::Tab).await.unwrap();
    c.typ("ошибка тарифа").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let after = kassa::domain::money::Money::from_minor(before.minor() - 10_000);
    let s = screen(&c);
    assert!(s.contains(&format!("{} → {}", before.format_ru(), after.format_ru())), "{s}");
    assert_eq!(svc.customer_card(&admin, 3).await.unwrap().customer.balance, before, "asked, not yet posted");
    c.press(KeyCode::Enter).await.unwrap();
    assert_eq!(svc.customer_card(&admin, 3).await.unwrap().customer.balance, after);
    assert!(screen(&c).contains("Карточка абонента"), "{}", screen(&c));
    // a correction up, Esc on its question goes back to the form and posts nothing
    c.press(KeyCode::Char('g')).await.unwrap();
    c.typ("50").await.unwrap();
    c.press(KeyCode::Tab).await.unwrap();
    c.typ("возврат").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Esc).await.unwrap();
    assert_eq!(svc.customer_card(&admin, 3).await.unwrap().customer.balance, after);
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert_eq!(svc.customer_card(&admin, 3).await.unwrap().customer.balance.minor(), after.minor() + 5_000);
    // a cashier is not let
    let (_db2, _svc2, mut k) = desk("cashier").await;
    k.burst("10003").await.unwrap();
    k.press(KeyCode::Enter).await.unwrap();
    k.press(KeyCode::Char('c')).await.unwrap();
    assert!(screen(&k).contains("Нет прав"), "{}", screen(&k));
}

/// An administrator reverses the chosen operation from the history, asked first; the history
/// then shows it reversed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reversal_from_the_history_asks_first() {
    let (_db, svc, mut c) = desk("admin").await;
    let admin = svc.login("admin", "kassa", "local").await.unwrap();
    let req = kassa::service::PaymentRequest {
        customer_id: 4,
        amount: kassa::domain::money::Money::parse("321").unwrap(),
        method: kassa::domain::ledger::PaymentMethod::Cash,
        method_code: None,
        receipt_number: None,
        comment: None,
        idempotency_key: None,
        received: None,
        bank: None,
    };
    let paid = svc.post_payment(&admin, &req).await.unwrap().operation;
    c.burst("10004").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Char('h')).await.unwrap();
    c.press(KeyCode::Char('v')).await.unwrap();
    c.typ("ошибочный платёж").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("сторно"), "{}", screen(&c));
    let q = HistoryQuery { customer_id: 4, limit: 10, ..Default::default() };
    assert_eq!(svc.history(&admin, &q).await.unwrap().operations[0].id, paid.id, "asked, not yet posted");
    c.press(KeyCode::Enter).await.unwrap();
    let h = svc.history(&admin, &q).await.unwrap();
    assert_eq!(h.operations[0].reverses_id, Some(paid.id));
    let row = screen(&c).lines().find(|l| l.contains("+321,00")).unwrap_or_default().to_string();
    assert!(row.contains("↩"), "the history shows it reversed: {row}\n{}", screen(&c));
}

/// The audit log in the console, for an administrator: who did what, when, from where.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_in_administration() {
    let (_db, _svc, mut c) = desk("admin").await;
    c.press(KeyCode::F(9)).await.unwrap();
    // the last section but one (the tokens are last)
    c.press(KeyCode::End).await.unwrap();
    c.press(KeyCode::Up).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let s = screen(&c);
    assert!(s.contains("Журнал изменений") && s.contains("operator.login") && s.contains("admin"), "{s}");
    c.press(KeyCode::Esc).await.unwrap();
    assert!(screen(&c).contains("Операторы"), "{}", screen(&c));
}

/// The partial searches typed at the desk: a city number without its area code, the start of
/// an IPv4 address, the start of a MAC — each finds its customer on the screen, says what kind
/// of search it was, and the chosen row is shown whole under the list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_searches_typed_at_the_desk() {
    let (_db, svc, mut c) = desk("cashier").await;
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let noc = svc.login("noc", "kassa", "t").await.unwrap();
    let changes = kassa::service::CustomerChanges::from_pairs([("phone0", "+7 (843) 271-93-58")]).unwrap();
    let who = svc.edit_customer(&admin, 3, &changes).await.unwrap();
    svc.add_ip(&noc, 5, "10.231.7.9", "02:5e:77:00:00:09", false).await.unwrap();
    let agreement = |id: i64| {
        let svc = svc.clone();
        let admin = admin.clone();
        async move { svc.customer_card(&admin, id).await.unwrap().customer.agreement_number.unwrap() }
    };
    let (phone_holder, ip_holder) = (agreement(who.id).await, agreement(5).await);
    for (typed, kind, holder) in [
        ("271-93-58", "[телефон]", &phone_holder),
        // seven digits alone may be an agreement or a phone: said as a number, found as a phone
        ("2719358", "[номер]", &phone_holder),
        ("10.231.7", "[IP]", &ip_holder),
        ("10.231.", "[IP]", &ip_holder),
        ("02:5e:77", "[MAC]", &ip_holder),
    ] {
        c.ctrl('u').await.unwrap();
        c.burst(typed).await.unwrap();
        let s = screen(&c);
        assert!(s.contains(kind), "{typed}: {kind} said\n{s}");
        let row = s.lines().find(|l| l.starts_with("▶")).unwrap_or_default();
        assert!(row.contains(holder.as_str()), "{typed}: {holder} chosen\n{s}");
        assert!(s.lines().filter(|l| l.contains(holder.as_str())).count() >= 2, "and shown whole below\n{s}");
    }
    // a start that no address has finds nothing, and says so
    c.ctrl('u').await.unwrap();
    c.burst("10.232.").await.unwrap();
    assert!(screen(&c).contains("Ничего не найдено"), "{}", screen(&c));
}

/// A customer blocked for debt: the card says so, since when, and what is below zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_says_why_a_customer_is_blocked() {
    let (_db, svc, mut c) = desk("cashier").await;
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let card = svc.customer_card(&admin, 2).await.unwrap();
    let owed = card.available.minor().max(0) + 10_000;
    let req = kassa::service::AdjustmentRequest {
        customer_id: 2,
        kind: OperationKind::Charge,
        amount: kassa::domain::money::Money::from_minor(owed),
        comment: "долг".into(),
        idempotency_key: None,
    };
    svc.post_adjustment(&admin, &req).await.unwrap();
    let below = svc.customer_card(&admin, 2).await.unwrap().available.format_ru();
    let agreement = card.customer.agreement_number.unwrap();
    c.burst(&agreement).await.unwrap();
    // the search marks the row: blocked for debt
    let s = screen(&c);
    let row = s.lines().find(|l| l.starts_with("▶")).unwrap_or_default();
    assert!(row.contains(&agreement) && row.contains("долг ⊘"), "{row}\n{s}");
    c.press(KeyCode::Enter).await.unwrap();
    let s = screen(&c);
    let at =
        s.lines().position(|l| l.contains("Блокировка")).unwrap_or_else(|| panic!("no block line:\n{s}"));
    let lines: Vec<&str> = s.lines().collect();
    assert!(lines[at].contains("за долг с"), "{}", lines[at]);
    // the sum below zero, made of what
    let sum = lines[at + 1];
    assert!(
        sum.contains("баланс") && sum.contains("кредит") && sum.contains(&format!("= {below} < 0")),
        "{sum}"
    );
}

/// The payment's confirmation says until when the money will pay once the payment is in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_confirmation_says_paid_until() {
    let (_db, svc, mut c) = desk("cashier").await;
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let mut chosen = None;
    for id in 1..=12 {
        let card = svc.customer_card(&admin, id).await.unwrap();
        if card.tariff.as_ref().is_some_and(|t| t.price.is_positive()) && !card.customer.is_former {
            chosen = Some(card);
            break;
        }
    }
    let card = chosen.expect("a customer with a paid tariff");
    let amount = card.tariff.as_ref().unwrap().price.minor() * 3;
    let expected = card
        .paid_until_after(kassa::domain::money::Money::from_minor(card.available.minor() + amount))
        .expect("three periods paid for");
    c.burst(card.customer.agreement_number.as_deref().unwrap()).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Char('p')).await.unwrap();
    c.typ(&kassa::domain::money::Money::from_minor(amount).format_plain()).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let s = screen(&c);
    assert!(s.contains("Провести платёж?"), "{s}");
    assert!(s.contains(&format!("Оплачено до: {}", expected.format("%d.%m.%Y"))), "{expected}\n{s}");
    assert!(expected > kassa::domain::dates::today(), "{expected}");
}

/// An administrator gives a group a discount, ends it, and sets the tax included in tariff
/// charges — each through administration's screens, each kept by the service.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discounts_and_taxes_kept_in_administration() {
    let (_db, svc, mut c) = desk("admin").await;
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let today = kassa::domain::dates::today();
    c.press(KeyCode::F(9)).await.unwrap();
    for _ in 0..6 {
        c.press(KeyCode::Down).await.unwrap();
    }
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("Скидки"), "{}", screen(&c));
    c.press(KeyCode::Char('a')).await.unwrap();
    assert!(screen(&c).contains("Новая скидка"), "{}", screen(&c));
    // no customer picked: the group, the first of the list; 15 %
    c.press(KeyCode::Tab).await.unwrap();
    c.press(KeyCode::Right).await.unwrap();
    c.press(KeyCode::Tab).await.unwrap();
    c.typ("15").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let s = screen(&c);
    let given = svc.discounts(&admin, false, today).await.unwrap();
    assert_eq!(given.len(), 1, "{s}");
    assert!(matches!(given[0].whom, kassa::service::Whom::Group(_)) && given[0].percent.0 == 1500);
    assert!(s.contains("15 %") && s.contains("группа «"), "{s}");
    // ended today: it stays in the list with its last day
    c.press(KeyCode::Char('d')).await.unwrap();
    assert!(screen(&c).contains("Завершить скидку"), "{}", screen(&c));
    c.press(KeyCode::Enter).await.unwrap();
    assert_eq!(svc.discounts(&admin, false, today).await.unwrap()[0].to, Some(today));
    assert!(screen(&c).contains(&today.format("%d.%m.%Y").to_string()), "{}", screen(&c));
    // the tax in tariff charges
    c.press(KeyCode::Esc).await.unwrap();
    c.press(KeyCode::Down).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("Расчётный день"), "{}", screen(&c));
    // the billing day, the first row: 15
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Backspace).await.unwrap();
    c.press(KeyCode::Backspace).await.unwrap();
    c.typ("15").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert_eq!(svc.billing_day(&admin).await.unwrap(), 15, "{}", screen(&c));
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Backspace).await.unwrap();
    c.press(KeyCode::Backspace).await.unwrap();
    c.typ("40").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("от 1 до 28"), "{}", screen(&c));
    assert_eq!(svc.billing_day(&admin).await.unwrap(), 15);
    // the edit is thrown away only when asked
    c.press(KeyCode::Esc).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Char('a')).await.unwrap();
    c.press(KeyCode::Tab).await.unwrap();
    c.typ("НДС 22 %").await.unwrap();
    c.press(KeyCode::Tab).await.unwrap();
    c.typ("22").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let rules = svc.tax_rules(&admin).await.unwrap();
    assert_eq!(rules.len(), 1, "{}", screen(&c));
    assert_eq!((rules[0].item, rules[0].rate.0), (kassa::service::TaxItem::Tariff, 2200));
    assert!(screen(&c).contains("НДС 22 %"), "{}", screen(&c));
    // a wrong rate is refused in Russian and nothing is written
    c.press(KeyCode::Down).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Tab).await.unwrap();
    c.press(KeyCode::Tab).await.unwrap();
    c.typ("х").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("не процент"), "{}", screen(&c));
    assert_eq!(svc.tax_rules(&admin).await.unwrap()[0].rate.0, 2200);
}

/// A whole shift at the desk through the event loop: opened with the cash counted, 30
/// payments of mixed methods (cash with change), one cancelled by its cashier, cash taken
/// out, the X report, the blind close, and the Z report equal to the ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shift_from_opening_to_close_at_the_desk() {
    use kassa::domain::money::Money;
    let (_db, svc, mut c) = desk("cashier").await;
    // the demo's shift at this desk is closed first: this one is opened from the console
    let cashier = svc.login("cashier", "kassa", "local").await.unwrap();
    svc.close_shift(&cashier, Money::parse("5000").unwrap()).await.unwrap();
    c.key_event(KeyEvent::new(KeyCode::F(6), KeyModifiers::NONE)).await.unwrap();
    assert!(screen(&c).contains("Смена не открыта"), "{}", screen(&c));
    c.press(KeyCode::Char('o')).await.unwrap();
    c.typ("2 000").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("Открыть смену с наличными в ящике 2 000,00?"), "{}", screen(&c));
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("в ящике при открытии 2 000,00"), "{}", screen(&c));
    c.press(KeyCode::Esc).await.unwrap();

    // 30 payments: every third by card, the rest in cash with 1 000,00 handed over
    let mut cash = 0i64;
    for i in 0..30i64 {
        let agreement = format!("{}", 10001 + i % 12);
        command(&mut c, &format!("c {agreement}")).await;
        assert!(screen(&c).contains("Карточка абонента"), "{}", screen(&c));
        c.press(KeyCode::Char('p')).await.unwrap();
        let amount = 100 + i * 10;
        c.typ(&amount.to_string()).await.unwrap();
        c.press(KeyCode::Tab).await.unwrap();
        let by_card = i % 3 == 0;
        if by_card {
            c.press(KeyCode::Right).await.unwrap();
        } else {
            c.press(KeyCode::Tab).await.unwrap();
            c.typ("1000").await.unwrap();
            let change = format!("Сдача: {}", Money::from_minor((1000 - amount) * 100).format_ru());
            assert!(screen(&c).contains(&change), "{change}:\n{}", screen(&c));
            cash += amount * 100;
        }
        c.press(KeyCode::Enter).await.unwrap();
        assert!(screen(&c).contains("Провести платёж?"), "{}", screen(&c));
        c.press(KeyCode::Enter).await.unwrap();
        assert!(screen(&c).contains("Платёж проведён"), "payment {i}:\n{}", screen(&c));
        c.press(KeyCode::Enter).await.unwrap();
        c.press(KeyCode::Esc).await.unwrap();
    }
    // the newest payment (the 30th: cash, 390,00) cancelled by its cashier from the desk
    c.key_event(KeyEvent::new(KeyCode::F(6), KeyModifiers::NONE)).await.unwrap();
    assert!(screen(&c).contains("Оплаты смены"), "{}", screen(&c));
    c.press(KeyCode::Char('v')).await.unwrap();
    c.typ("не тот абонент").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    cash -= 39_000;
    assert!(screen(&c).contains("отменена"), "{}", screen(&c));
    // 80,00 of the 29th payment (cash, 380,00) given back by a cash-out order
    c.press(KeyCode::Down).await.unwrap();
    c.press(KeyCode::Down).await.unwrap();
    c.press(KeyCode::Char('u')).await.unwrap();
    assert!(screen(&c).contains("Возврат части оплаты") && screen(&c).contains("380,00"), "{}", screen(&c));
    c.key_event(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)).await.unwrap();
    c.typ("80").await.unwrap();
    c.press(KeyCode::Tab).await.unwrap();
    c.typ("перерасчёт").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("Выдать абоненту по расходному ордеру 80,00?"), "{}", screen(&c));
    c.press(KeyCode::Enter).await.unwrap();
    cash -= 8_000;
    assert!(screen(&c).contains("РКО 1") && screen(&c).contains("возвращено 80,00"), "{}", screen(&c));
    // who paid 380,00 this shift: found, opened to the customer's card
    c.press(KeyCode::Char('/')).await.unwrap();
    c.typ("380").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let found = screen(&c);
    assert!(found.contains("Найденные оплаты смены") && found.contains("380,00"), "{found}");
    assert!(!found.contains("370,00") && !found.contains("390,00"), "{found}");
    // the payment whole: whom, how, the change, the refund and its РКО
    c.press(KeyCode::Enter).await.unwrap();
    let whole = screen(&c);
    assert!(whole.contains("Оплата №") && whole.contains("Сдача 620,00"), "{whole}");
    assert!(
        whole.contains("возврат 80,00") && whole.contains("РКО № 1") && whole.contains("перерасчёт"),
        "{whole}"
    );
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("Карточка абонента") && screen(&c).contains("10005"), "{}", screen(&c));
    c.press(KeyCode::Esc).await.unwrap();
    c.press(KeyCode::Esc).await.unwrap();
    c.press(KeyCode::Esc).await.unwrap();
    assert!(screen(&c).contains("Оплаты смены"), "{}", screen(&c));
    // 500,00 taken out for the bank
    c.press(KeyCode::Char('w')).await.unwrap();
    c.typ("500").await.unwrap();
    c.press(KeyCode::Tab).await.unwrap();
    c.typ("инкассация").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let expected = Money::from_minor(200_000 + cash - 50_000);
    // the X report
    c.press(KeyCode::Char('x')).await.unwrap();
    let x = screen(&c);
    assert!(x.contains(&format!("Должно быть в ящике {}", expected.format_ru())), "{expected}:\n{x}");
    c.press(KeyCode::Esc).await.unwrap();
    // the blind close: the form says nothing of what is expected; 10,00 short
    c.press(KeyCode::Char('z')).await.unwrap();
    let form = screen(&c);
    assert!(!form.contains(&expected.format_ru()), "blind:\n{form}");
    let counted = Money::from_minor(expected.minor() - 1_000);
    c.typ(&counted.format_ru()).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let z = screen(&c);
    assert!(z.contains("Z-отчёт") && z.contains("расхождение -10,00 (недостача)"), "{z}");
    // the Z report equals the ledger
    let shifts = svc.shifts(&cashier, None, 1).await.unwrap();
    let report = svc.shift_report(&cashier, Some(shifts[0].id)).await.unwrap();
    assert_eq!((report.shift.counted_cash, report.expected_cash), (Some(counted), expected));
    assert_eq!(report.by_method.iter().map(|m| m.payments).sum::<i64>(), 30);
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let mut ledger = 0;
    for id in 1..=12 {
        let q = HistoryQuery { customer_id: id, limit: 1000, ..Default::default() };
        let ops = svc.history(&admin, &q).await.unwrap().operations;
        ledger +=
            ops.iter().filter(|o| o.shift_id == Some(report.shift.id)).map(|o| o.amount.minor()).sum::<i64>();
    }
    assert_eq!(ledger, report.total().minor());
    assert!(svc.check_invariants(&admin).await.unwrap().is_empty());
}

/// The receipt printed after the payment (p on the result), then again from the history: the
/// second is a duplicate; a printer that fails is said on the status line in Russian.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_printed_from_the_console() {
    let db = TestDb::new(Kind::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("printer.bin");
    let config = |cmd: String| ServiceConfig {
        receipts: kassa::service::ReceiptConfig {
            printer: Some(kassa::service::Printer::Command(cmd)),
            ..Default::default()
        },
        ..Default::default()
    };
    let svc = Service::open(&db.url, config(format!("cat >> {}", out.display()))).await.unwrap();
    svc.generate_demo(DemoOptions { customers: 12, seed: 7, months: 1 }).await.unwrap();
    let app = App::new(Lang::Ru, Theme::new(true), None);
    let mut c = ScriptedConsole::start(svc.clone(), app, 80, 24).await.unwrap();
    c.typ("cashier").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.typ("kassa").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    command(&mut c, "c 10002").await;
    c.press(KeyCode::Char('p')).await.unwrap();
    c.typ("640").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("p печать квитанции"), "{}", screen(&c));
    c.press(KeyCode::Char('p')).await.unwrap();
    assert!(screen(&c).contains("Напечатана квитанция №"), "{}", screen(&c));
    let printed = std::fs::read(&out).unwrap();
    let (text, _, _) = encoding_rs::IBM866.decode(&printed);
    assert!(text.contains("Шестьсот сорок рублей 00 копеек") && !text.contains("ДУБЛИКАТ"), "{text}");
    // from the history: the newest operation is that payment
    c.press(KeyCode::Enter).await.unwrap();
    c.press(KeyCode::Char('h')).await.unwrap();
    c.press(KeyCode::Char('p')).await.unwrap();
    assert!(screen(&c).contains("Напечатан дубликат квитанции №"), "{}", screen(&c));
    let printed = std::fs::read(&out).unwrap();
    let (text, _, _) = encoding_rs::IBM866.decode(&printed);
    assert_eq!(text.matches("ДУБЛИКАТ").count(), 2, "the duplicate says so at the top and the bottom");
    drop(c);
    // a printer that fails: nothing printed, the reason on the status line
    let broken = Service::open(&db.url, config("echo 'нет бумаги' >&2; exit 1".into())).await.unwrap();
    let app = App::new(Lang::Ru, Theme::new(true), None);
    let mut c = ScriptedConsole::start(broken, app, 80, 24).await.unwrap();
    c.typ("cashier").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.typ("kassa").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    command(&mut c, "c 10002").await;
    c.press(KeyCode::Char('h')).await.unwrap();
    c.press(KeyCode::Char('p')).await.unwrap();
    let s = screen(&c);
    assert!(s.contains("принтер чеков не напечатал") && s.contains("нет бумаги"), "{s}");
}

/// A statement of one day into our account 40702810900000012345 of `docs`, all incoming,
/// its balances adding up.
fn one_day_statement(
    version: &str,
    day: Option<chrono::NaiveDate>,
    docs: Vec<kassa::domain::bank::BankDocument>,
) -> kassa::domain::bank::Statement {
    use kassa::domain::bank::{AccountSection, Statement};
    use kassa::domain::money::Money;
    let total = Money::from_minor(docs.iter().map(|d| d.amount.minor()).sum());
    Statement {
        version: version.into(),
        encoding: String::new(),
        account: "40702810900000012345".into(),
        from: day,
        to: day,
        sections: vec![AccountSection {
            account: "40702810900000012345".into(),
            from: day,
            to: day,
            opening: Money::ZERO,
            incoming: total,
            outgoing: Money::ZERO,
            closing: total,
        }],
        documents: docs,
    }
}

/// The bank lines' queue in administration: a statement imported, the proposed line accepted
/// with `a`, the waiting one matched by searching with `m`, one skipped with `s`, the payer
/// remembered with `r`, and `p` posts the accepted ones after saying their count and sum.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_lines_sorted_and_posted_from_the_console() {
    use kassa::domain::bank::BankDocument;
    use kassa::domain::money::Money;
    let (_db, svc, mut c) = desk("admin").await;
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27);
    let doc = |n: &str, kop: i64, payer: &str, purpose: &str| BankDocument {
        kind: "Платежное поручение".into(),
        number: n.into(),
        date: day,
        amount: Money::from_minor(kop),
        payer_account: format!("4081781000000000000{n}"),
        payer: payer.into(),
        payee_account: "40702810900000012345".into(),
        received_on: day,
        purpose: purpose.into(),
        ..Default::default()
    };
    let docs = vec![
        doc("1", 50_000, "Плательщик Один", "Оплата по договору 10001"),
        doc("2", 70_000, "Плательщик Два", "за интернет"),
        doc("3", 10_000, "Неизвестный", "возврат долга"),
    ];
    let st = one_day_statement("1.03", day, docs);
    svc.import_statement(&admin, "nov.txt", &kassa::domain::bank::write(&st, "Windows"), false)
        .await
        .unwrap();
    let name2 = svc.customer_card(&admin, 2).await.unwrap().customer.name;
    let balance = |id| {
        let (svc, admin) = (svc.clone(), admin.clone());
        async move { svc.customer_card(&admin, id).await.unwrap().customer.balance }
    };
    let (b1, b2) = (balance(1).await, balance(2).await);

    c.press(KeyCode::F(9)).await.unwrap();
    c.press(KeyCode::End).await.unwrap();
    c.press(KeyCode::Up).await.unwrap();
    c.press(KeyCode::Up).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let q = screen(&c);
    assert!(q.contains("Выписки банка") && q.contains("предложена") && q.contains("ждёт"), "{q}");
    assert!(q.contains("по номеру договора"), "the chosen line whole, with its rule:\n{q}");
    // Enter: the line whole on a screen of its own; Esc back to the queue
    c.press(KeyCode::Enter).await.unwrap();
    let whole = screen(&c);
    assert!(whole.contains("Строка выписки") && whole.contains("Оплата по договору 10001"), "{whole}");
    assert!(whole.contains("40817810000000000001"), "the payer's account:\n{whole}");
    c.press(KeyCode::Esc).await.unwrap();
    // the first: accept the proposal
    c.press(KeyCode::Char('a')).await.unwrap();
    assert!(screen(&c).contains("Принять строку"), "{}", screen(&c));
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("принята"), "{}", screen(&c));
    // the second: whose is it? the customer found by searching
    c.press(KeyCode::Down).await.unwrap();
    assert!(screen(&c).contains("ничего не подошло"), "{}", screen(&c));
    c.press(KeyCode::Char('m')).await.unwrap();
    let surname = name2.split_whitespace().next().unwrap().to_string();
    c.typ(&surname).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("для этого абонента?") && screen(&c).contains(&surname), "{}", screen(&c));
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("выбран вручную"), "{}", screen(&c));
    // remembered: this payer is that customer from now on
    c.press(KeyCode::Char('r')).await.unwrap();
    assert!(screen(&c).contains("Запомнить"), "{}", screen(&c));
    c.press(KeyCode::Enter).await.unwrap();
    // the third: skipped, with the reason
    c.press(KeyCode::Down).await.unwrap();
    c.press(KeyCode::Char('s')).await.unwrap();
    c.typ("вернём плательщику").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    // post: the question says how many and how much
    c.press(KeyCode::Char('p')).await.unwrap();
    assert!(screen(&c).contains("2 строк") && screen(&c).contains("1 200,00"), "{}", screen(&c));
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("Разбирать нечего"), "{}", screen(&c));
    assert_eq!(balance(1).await.minor(), b1.minor() + 50_000);
    assert_eq!(balance(2).await.minor(), b2.minor() + 70_000);
    let skipped = svc.import_queue(&admin, &[kassa::domain::import::LineState::Skipped], 10).await.unwrap();
    assert_eq!(skipped[0].note.as_deref(), Some("вернём плательщику"));
}

/// A statement loaded from a file in the console: `f` on the queue asks for the path; a path
/// with no file is refused in Russian and nothing is loaded; the statement's lines are then in
/// the queue, the status line says how many documents and lines it brought, and loading the same
/// file again brings none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_loaded_from_a_file_in_the_console() {
    use kassa::domain::bank::BankDocument;
    use kassa::domain::money::Money;
    let (_db, _svc, mut c) = desk("admin").await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27);
    let doc = |n: &str, kop: i64, purpose: &str| BankDocument {
        kind: "Платежное поручение".into(),
        number: n.into(),
        date: day,
        amount: Money::from_minor(kop),
        payer_account: format!("4081781000000000000{n}"),
        payer: format!("Плательщик {n}"),
        payee_account: "40702810900000012345".into(),
        received_on: day,
        purpose: purpose.into(),
        ..Default::default()
    };
    let docs = vec![doc("7", 50_000, "Оплата по договору 10001"), doc("8", 30_000, "за связь")];
    let st = one_day_statement("1.02", day, docs);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kl_to_1c.txt");
    std::fs::write(&path, kassa::domain::bank::write(&st, "DOS")).unwrap();

    c.press(KeyCode::F(9)).await.unwrap();
    c.press(KeyCode::End).await.unwrap();
    c.press(KeyCode::Up).await.unwrap();
    c.press(KeyCode::Up).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("Разбирать нечего") && screen(&c).contains("(f)"), "{}", screen(&c));
    c.press(KeyCode::Char('f')).await.unwrap();
    assert!(screen(&c).contains("Загрузить выписку"), "{}", screen(&c));
    c.typ(&dir.path().join("nope.txt").display().to_string()).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(screen(&c).contains("нет такого файла"), "{}", screen(&c));
    for _ in 0..80 {
        c.press(KeyCode::Backspace).await.unwrap();
    }
    c.typ(&path.display().to_string()).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let s = screen(&c);
    assert!(s.contains("Документов в файле 2: новых строк 2, с абонентом 1, уже были 0"), "{s}");
    assert!(
        s.contains("предложена") && s.contains("ждёт") && s.contains("500,00") && s.contains("300,00"),
        "{s}"
    );
    // the same file again: nothing new
    c.press(KeyCode::Char('f')).await.unwrap();
    c.typ(&path.display().to_string()).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let s = screen(&c);
    assert!(s.contains("новых строк 0, с абонентом 0, уже были 2"), "{s}");
}

/// An agreement number typed (or scanned) and Enter at once, before the search's pause has
/// passed: the answer opens the one customer it finds; a text that finds several shows them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enter_right_after_typing_opens_the_one_customer_found() {
    let (_db, _svc, mut c) = desk("cashier").await;
    c.send("10001".chars().map(|ch| Event::Key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE))))
        .unwrap();
    c.send([Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))]).unwrap();
    c.settle().await.unwrap();
    assert!(screen(&c).contains("Лицевой счёт"), "{}", screen(&c));
    // back to the search; a text many customers match: the list, no card
    c.press(KeyCode::Esc).await.unwrap();
    c.ctrl('u').await.unwrap();
    c.send("100".chars().map(|ch| Event::Key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE)))).unwrap();
    c.send([Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))]).unwrap();
    c.settle().await.unwrap();
    let s = screen(&c);
    assert!(s.contains("Поиск абонента") && s.contains("10002"), "{s}");
}

/// Scripts' tokens in administration: every operator's, with whose it is and when it was last
/// used; `d` revokes the chosen one after a question, and it stops working at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_listed_and_revoked_in_administration() {
    let (_db, svc, mut c) = desk("admin").await;
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    let (_, kept) = svc.create_token(&admin, Some("noc"), "мониторинг", None).await.unwrap();
    let (_, revoked) = svc.create_token(&admin, Some("cashier"), "терминал-7", None).await.unwrap();
    svc.authenticate_token(revoked.as_str(), "script").await.unwrap();
    c.press(KeyCode::F(9)).await.unwrap();
    c.press(KeyCode::End).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let s = screen(&c);
    assert!(s.contains("Токены для скриптов") && s.contains("мониторинг") && s.contains("терминал-7"), "{s}");
    assert!(s.contains("cashier") && s.contains("noc") && s.contains("действует"), "{s}");
    assert!(!s.contains(kept.as_str()) && !s.contains(revoked.as_str()), "a secret is never shown:\n{s}");
    // the newest first: the cashier's
    c.press(KeyCode::Char('d')).await.unwrap();
    let q = screen(&c);
    assert!(q.contains("Отозвать токен?") && q.contains("терминал-7"), "{q}");
    // Esc: nothing revoked
    c.press(KeyCode::Esc).await.unwrap();
    svc.authenticate_token(revoked.as_str(), "script").await.unwrap();
    c.press(KeyCode::Char('d')).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let s = screen(&c);
    let row = s.lines().find(|l| l.contains("терминал-7")).unwrap_or_default().to_string();
    assert!(row.contains("отозван"), "{row}\n{s}");
    assert!(svc.authenticate_token(revoked.as_str(), "script").await.is_err(), "a revoked token logs in");
    svc.authenticate_token(kept.as_str(), "script").await.unwrap();
    // a cashier has no such section
    let (_db2, _svc2, mut c2) = desk("cashier").await;
    c2.press(KeyCode::F(9)).await.unwrap();
    assert!(!screen(&c2).contains("Токены для скриптов"), "{}", screen(&c2));
}

/// An operator's SSH keys in administration: `k` on the operator shows them, `a` adds the
/// line of a .pub file pasted in (a wrong one refused, said in Russian), `d` removes one after
/// a question; what is there is what `kassa serve` logs the operator in by.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssh_keys_are_added_and_removed_in_administration() {
    let (_db, svc, mut c) = desk("admin").await;
    let admin = svc.login("admin", "kassa", "t").await.unwrap();
    c.press(KeyCode::F(9)).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    for _ in 0..6 {
        if screen(&c).lines().any(|l| l.starts_with('▶') && l.contains("cashier")) {
            break;
        }
        c.press(KeyCode::Down).await.unwrap();
    }
    c.press(KeyCode::Char('k')).await.unwrap();
    let s = screen(&c);
    assert!(s.contains("Ключи SSH оператора") && s.contains("cashier") && s.contains("Ключей нет"), "{s}");
    // not a key: refused, nothing added
    c.press(KeyCode::Char('a')).await.unwrap();
    c.send([Event::Paste("ssh-ed25519 это-не-ключ".into())]).unwrap();
    c.settle().await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let s = screen(&c);
    assert!(s.contains("это не открытый ключ SSH"), "{s}");
    assert!(svc.operator_keys(&admin, "cashier").await.unwrap().is_empty());
    // the field cleared, the right line pasted
    let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICngkzz6UNxgwuMlV+zuVEWyxL1puFA9EUw/3eDJ4RCm kassa@desk1";
    let fp = "SHA256:kkgUE0J/8LulR3KhAFk3FNC5YrwTN/aC5oQ7TUoc0ZQ";
    assert!(screen(&c).contains("Новый ключ SSH"), "{}", screen(&c));
    c.ctrl('u').await.unwrap();
    c.send([Event::Paste(line.into())]).unwrap();
    c.settle().await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    let s = screen(&c);
    assert!(s.contains("ed25519") && s.contains("kassa@desk1") && s.contains("SHA256:kkgUE0J"), "{s}");
    let keys = svc.operator_keys(&admin, "cashier").await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].fingerprint, fp);
    // removed after a question: Esc keeps it, Enter removes it
    c.press(KeyCode::Char('d')).await.unwrap();
    assert!(screen(&c).contains("Удалить ключ?"), "{}", screen(&c));
    c.press(KeyCode::Esc).await.unwrap();
    assert_eq!(svc.operator_keys(&admin, "cashier").await.unwrap().len(), 1);
    c.press(KeyCode::Char('d')).await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    assert!(svc.operator_keys(&admin, "cashier").await.unwrap().is_empty());
    assert!(screen(&c).contains("Ключей нет"), "{}", screen(&c));
}
