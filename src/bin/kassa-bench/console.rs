//! The console measured on the benchmark database: the real event loop driven by a script
//! (`kassa::tui::script`), its output counted at the terminal backend.

use std::io;
use std::time::{Duration, Instant};

use kassa::service::demo::DEMO_PASSWORD;
use kassa::service::{Actor, HistoryQuery, Service, ServiceConfig};
use kassa::tui::app::{
    App, CardScreen, HistoryScreen, PayScreen, PayStage, Screen, SearchScreen, TariffScreen,
};
use kassa::tui::input::Input;
use kassa::tui::script::{ScriptedConsole, key};
use kassa::tui::strings::Lang;
use kassa::tui::theme::Theme;
use kassa::tui::ui;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{Event, KeyCode};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use super::Line;

fn app() -> App {
    // colours on, as at a real desk: they cost bytes too
    App::new(Lang::Ru, Theme::new(false), None)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Sends one key and returns how long until the first frame it caused was complete, and every
/// byte it caused until the console is idle again: the echo of the key and whatever it set
/// off (a search after the pause and its results) — what the key costs on the wire.
async fn key_to_frame(c: &mut ScriptedConsole, code: KeyCode) -> io::Result<(Duration, usize)> {
    let before = c.capture.frame_count();
    let sent = Instant::now();
    c.send([Event::Key(key(code))])?;
    c.settle().await?;
    // the capture stamps each frame as it is written, so waiting first costs the figure nothing;
    // a key that changed nothing sent no frame at all (no bytes, no latency to speak of)
    let frames = c.capture.frames_since(before);
    let first_at = frames.first().map(|f| f.1).unwrap_or(sent);
    let bytes = frames.iter().map(|f| f.0).sum();
    Ok((first_at.duration_since(sent), bytes))
}

pub struct ConsoleFigures {
    pub lines: Vec<Line>,
    pub notes: Vec<String>,
}

pub async fn measure(db: &str, surnames: &[String], iterations: usize) -> ConsoleFigures {
    let mut lines = Vec::new();
    let mut notes = Vec::new();

    // Time to the first frame: opening the database (migrations checked) and drawing.
    let mut first = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let svc = Service::open(db, ServiceConfig::default()).await.expect("open");
        let c = ScriptedConsole::start(svc, app(), 80, 24).await.expect("console");
        first.push(t.elapsed());
        c.finish().await.expect("finish");
    }
    lines.push(Line::of("console: open the database + first frame", &mut first));

    let svc = Service::open(db, ServiceConfig::default()).await.expect("open");
    let mut c = ScriptedConsole::start(svc.clone(), app(), 80, 24).await.expect("console");
    c.typ("cashier").await.unwrap();
    c.press(KeyCode::Enter).await.unwrap();
    c.typ(DEMO_PASSWORD).await.unwrap();
    let t = Instant::now();
    c.press(KeyCode::Enter).await.unwrap();
    let login = t.elapsed();
    notes.push(format!("login (argon2 check) to the search screen: {:.1} ms", ms(login)));

    // Bytes per key while typing a surname, and per step through its results.
    let mut empty_key = Vec::new();
    let mut first_key = Vec::new();
    let mut burst_key = Vec::new();
    let mut moving = Vec::new();
    let mut typing_latency = Vec::new();
    let mut moving_latency = Vec::new();
    for s in surnames.iter().take(iterations.min(50)) {
        let chars: Vec<char> = s.chars().collect();
        let [head, middle @ .., last] = chars.as_slice() else { continue };
        // into the empty field: the hint line gives way
        let (lat, bytes) = key_to_frame(&mut c, KeyCode::Char(*head)).await.unwrap();
        empty_key.push(bytes);
        typing_latency.push(lat);
        // then a burst: a frame per key, the search after the pause
        let from = c.capture.frame_count();
        c.send(middle.iter().map(|ch| Event::Key(key(KeyCode::Char(*ch))))).unwrap();
        c.settle().await.unwrap();
        // every byte of the burst, the search and its results included, per key typed
        let total: usize = c.capture.frames_since(from).iter().map(|f| f.0).sum();
        burst_key.push(total / middle.len().max(1));
        // one more key with the results on screen
        let (lat, bytes) = key_to_frame(&mut c, KeyCode::Char(*last)).await.unwrap();
        first_key.push(bytes);
        typing_latency.push(lat);
        for _ in 0..5 {
            let (lat, bytes) = key_to_frame(&mut c, KeyCode::Down).await.unwrap();
            moving.push(bytes);
            moving_latency.push(lat);
        }
        c.ctrl('u').await.unwrap();
    }
    let stats = |v: &mut Vec<usize>| {
        v.sort();
        let p = |q: usize| v.get((v.len() * q / 100).min(v.len().saturating_sub(1))).copied().unwrap_or(0);
        (p(50), p(99), v.iter().max().copied().unwrap_or(0))
    };
    let (a, b, m) = stats(&mut empty_key);
    notes.push(format!(
        "bytes written for the first key into the empty search field (the hint line is cleared): p50 {a}, p99 {b}, max {m}"
    ));
    let (a, b, m) = stats(&mut first_key);
    notes.push(format!("bytes per key typed with results on the screen: p50 {a}, p99 {b}, max {m}"));
    let (a, b, m) = stats(&mut burst_key);
    notes.push(format!("bytes per key typed in a burst (before the search runs): p50 {a}, p99 {b}, max {m}"));
    let (a, b, m) = stats(&mut moving);
    notes.push(format!("bytes per ↓ through the results: p50 {a}, p99 {b}, max {m}"));
    lines.push(Line::of("console: key to frame, typing (idle database)", &mut typing_latency));
    lines.push(Line::of("console: key to frame, ↓ (idle database)", &mut moving_latency));

    // The same while searches run back to back in the background on the same service.
    let load = {
        let svc = svc.clone();
        let queries: Vec<String> = surnames.to_vec();
        let viewer = svc.login("viewer", DEMO_PASSWORD, "bench").await.expect("login");
        tokio::spawn(async move {
            let mut done = 0u64;
            loop {
                for q in &queries {
                    let _ = svc.search_customers(&viewer, q, false, 100).await;
                    done += 1;
                    tokio::task::yield_now().await;
                }
                if done > 10_000_000 {
                    break;
                }
            }
        })
    };
    let mut busy = Vec::new();
    let mut busy_typing = Vec::new();
    if let Some(s) = surnames.first() {
        c.burst(s).await.unwrap();
    }
    for i in 0..iterations.min(200) {
        let code = if i % 2 == 0 { KeyCode::Down } else { KeyCode::Up };
        busy.push(key_to_frame(&mut c, code).await.unwrap().0);
    }
    c.ctrl('u').await.unwrap();
    for s in surnames.iter().take(20) {
        for ch in s.chars() {
            busy_typing.push(key_to_frame(&mut c, KeyCode::Char(ch)).await.unwrap().0);
        }
        c.ctrl('u').await.unwrap();
    }
    load.abort();
    lines.push(Line::of("console: key to frame, ↓/↑ while searches run", &mut busy));
    lines.push(Line::of("console: key to frame, typing while searches run", &mut busy_typing));
    c.ctrl('q').await.ok();
    c.finish().await.expect("finish");

    // Render time per screen: building the frame and diffing it (80×24, output discarded).
    let cashier = svc.login("cashier", DEMO_PASSWORD, "bench").await.expect("login");
    for (name, state) in screens(&svc, &cashier, surnames.first().map(String::as_str).unwrap_or("ива")).await
    {
        let mut t = Terminal::with_options(
            CrosstermBackend::new(io::sink()),
            TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)) },
        )
        .expect("terminal");
        let mut times = Vec::new();
        for _ in 0..1000 {
            let s = Instant::now();
            t.draw(|f| ui::draw(f, &state)).expect("draw");
            times.push(s.elapsed());
        }
        lines.push(Line::of(format!("render: {name}"), &mut times));
    }
    notes.push(rss());
    ConsoleFigures { lines, notes }
}

/// Every screen, filled from the benchmark database.
async fn screens(svc: &Service, actor: &Actor, surname: &str) -> Vec<(&'static str, App)> {
    let found = svc.search_customers(actor, surname, false, 100).await.expect("search");
    let id = found.customers.first().map(|c| c.id).unwrap_or(1);
    let card = svc.customer_card(actor, id).await.expect("card");
    let page = svc
        .history(actor, &HistoryQuery { customer_id: id, limit: 50, ..Default::default() })
        .await
        .expect("history");
    let tariffs = svc.available_tariffs(actor, id).await.expect("tariffs");
    let base = || {
        let mut a = app();
        a.actor = Some(actor.clone());
        a.screens = vec![Screen::Search(SearchScreen {
            input: Input::new(100).with_text(surname),
            query: found.query.clone(),
            results: found.customers.clone(),
            selected: 3,
            ..SearchScreen::new()
        })];
        a
    };
    let with = |screen: Screen| {
        let mut a = base();
        a.screens.push(screen);
        a
    };
    let card_screen =
        || Screen::Card(Box::new(CardScreen { card: Some(card.clone()), ..CardScreen::new(id, None) }));
    let pay = |stage| {
        let mut p = PayScreen::new(card.clone());
        p.amount.set("500");
        p.receipt.set("100234");
        p.stage = stage;
        Screen::Pay(Box::new(p))
    };
    let mut help = with(card_screen());
    help.help = true;
    vec![
        ("search, 100 results", base()),
        ("customer card", with(card_screen())),
        ("payment form", with(pay(PayStage::Form))),
        (
            "payment confirmation",
            with(pay(PayStage::Confirm {
                amount: kassa::domain::money::Money::from_minor(50_000),
                received: None,
            })),
        ),
        (
            "history, 50 lines",
            with(Screen::History(HistoryScreen {
                page: Some(page),
                ..HistoryScreen::new(id, card.customer.name.clone())
            })),
        ),
        (
            "tariff change",
            with(Screen::Tariff(Box::new(TariffScreen {
                tariffs: Some(tariffs),
                ..TariffScreen::new(card.clone(), chrono::Utc::now().date_naive())
            }))),
        ),
        ("help over the card", help),
    ]
}

/// Resident memory of this process (the service, its pool and the console), from the kernel.
fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.trim_start_matches(name).trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    format!("resident memory of the benchmark process: now {}, peak {}", field("VmRSS:"), field("VmHWM:"))
}
