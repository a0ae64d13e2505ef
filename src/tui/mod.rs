//! The console: a full-screen ratatui application over the service layer.
//!
//! One state owner (`app::App`) fed by one `tokio::select!` loop: key presses, pasted text,
//! service results, the search debounce timer and signals. Service calls run as tasks and come
//! back as messages with their request id. A frame is drawn only when something changed, never
//! after a full clear, inside synchronized output. The terminal is restored on every way out:
//! the guard's `Drop`, a panic hook, SIGTERM (after a payment being written has finished) and
//! SIGHUP (the SSH link is gone: no more drawing, out as soon as no payment is in flight).

pub mod admin;
pub mod app;
pub mod capture;
pub mod desk_ui;
pub mod exec;
pub mod form;
pub mod frames;
pub mod import_ui;
pub mod input;
pub mod keymap;
pub mod keys;
pub mod net;
pub mod net_ui;
pub mod picker;
pub mod records;
pub mod records_ui;
pub mod refusals;
pub mod screens;
pub mod script;
pub mod sgr;
pub mod strings;
pub mod strings_admin;
pub mod strings_desk;
pub mod strings_net;
pub mod strings_serve;
pub mod theme;
pub mod thrifty;
pub mod ui;
pub mod widgets;

use std::io::{self, Write};
use std::time::Instant;

use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::crossterm::event::{
    DisableBracketedPaste, EnableBracketedPaste, Event, KeyboardEnhancementFlags,
    PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode, supports_keyboard_enhancement,
};
use ratatui::crossterm::{cursor, execute};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use app::{App, Effect, Outcome, ReqId};
use strings::Lang;
use theme::Theme;

use crate::service::{Actor, Service};

pub struct TuiOptions {
    pub lang: Lang,
    pub theme: Theme,
    /// Pre-filled operator login.
    pub operator: Option<String>,
    /// The database holds demo data: the login screen says which operators to try.
    pub demo: bool,
}

/// Raw mode, the alternate screen, bracketed paste and (where the terminal has it) key release
/// and repeat reporting, all undone on drop.
struct TerminalGuard {
    enhanced: bool,
}

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        enable_raw_mode()?;
        let mut out = io::stdout();
        execute!(out, EnterAlternateScreen, EnableBracketedPaste)?;
        let enhanced = supports_keyboard_enhancement().unwrap_or(false);
        if enhanced {
            execute!(out, PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::REPORT_EVENT_TYPES))?;
        }
        Ok(TerminalGuard { enhanced })
    }
}

/// Puts the terminal back as it was; safe to call more than once and from a panic hook.
pub fn restore_terminal(enhanced: bool) {
    let mut out = io::stdout();
    if enhanced {
        let _ = execute!(out, PopKeyboardEnhancementFlags);
    }
    let _ = execute!(out, DisableBracketedPaste, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal(self.enhanced);
    }
}

/// Runs one service call for the console (see `exec`).
pub async fn execute_effect(svc: &Service, actor: Option<&Actor>, effect: Effect) -> (ReqId, Outcome) {
    exec::execute(svc, actor, effect).await
}

/// What every console draws through, whatever carries its bytes (the terminal, an SSH channel,
/// a test's capture): ratatui's cells with short unchanged runs written again (`thrifty`),
/// frames that change nothing dropped (`frames`), colours as the 16 basic ones (`sgr`).
pub fn console_backend<W: Write>(
    out: W,
) -> thrifty::ThriftyBackend<frames::SkipEmptyFrames<sgr::Basic16<W>>> {
    thrifty::ThriftyBackend::new(CrosstermBackend::new(frames::SkipEmptyFrames::new(sgr::Basic16::new(out))))
}

/// Draws one frame inside synchronized output (the terminal shows it whole, never half-drawn).
fn draw<B: Backend + Write>(terminal: &mut Terminal<B>, app: &App) -> io::Result<()> {
    execute!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    let r = terminal.draw(|f| ui::draw(f, app)).map(drop);
    execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    r.map_err(|e| io::Error::other(e.to_string()))
}

/// The terminal's keys (read by kassa's own parser, `keys`) and window size changes.
fn terminal_events() -> io::Result<impl Stream<Item = io::Result<Event>> + Unpin> {
    let (tx, rx) = mpsc::unbounded_channel::<io::Result<Event>>();
    let keys = tx.clone();
    std::thread::Builder::new().name("kassa-keys".into()).spawn(move || {
        use std::io::Read;
        let mut parser = keys::KeyParser::new();
        let mut buf = [0u8; 4096];
        let mut stdin = io::stdin().lock();
        loop {
            match stdin.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    for ev in parser.feed(&buf[..n]) {
                        if keys.send(Ok(ev)).is_err() {
                            return;
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = keys.send(Err(e));
                    return;
                }
            }
        }
        // the terminal is gone: the stream ends
        drop(keys);
    })?;
    let mut winch = signal(SignalKind::window_change())?;
    tokio::spawn(async move {
        while winch.recv().await.is_some() {
            if let Ok((w, h)) = ratatui::crossterm::terminal::size()
                && tx.send(Ok(Event::Resize(w, h))).is_err()
            {
                break;
            }
        }
    });
    Ok(Box::pin(futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|ev| (ev, rx)) })))
}

/// What the loop hears besides the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The SSH link is gone: nothing more is drawn; out once no payment is in flight.
    Hangup,
    /// Asked to stop: out after a payment being written has finished.
    Terminate,
}

pub async fn run(svc: Service, opts: TuiOptions) -> anyhow::Result<()> {
    let guard = TerminalGuard::enter()?;
    let enhanced = guard.enhanced;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal(enhanced);
        previous(info);
    }));
    let mut terminal = Terminal::new(console_backend(io::BufWriter::with_capacity(64 * 1024, io::stdout())))?;
    let mut app = App::new(opts.lang, opts.theme, opts.operator.as_deref());
    app.demo = opts.demo;
    let (signal_tx, signals) = mpsc::unbounded_channel();
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        loop {
            let sig = tokio::select! {
                _ = hangup.recv() => Signal::Hangup,
                _ = terminate.recv() => Signal::Terminate,
            };
            if signal_tx.send(sig).is_err() {
                break;
            }
        }
    });
    event_loop(&mut terminal, &svc, &mut app, terminal_events()?, signals, LoopHooks::default()).await?;
    drop(terminal);
    drop(guard);
    Ok(())
}

/// What the loop's host wants to hear of it or give it besides keys and signals.
#[derive(Default)]
pub struct LoopHooks {
    /// Hears how many input events the loop has handled each time it has drawn and has nothing
    /// left to do (no call in flight, no search waiting) — how tests and the benchmark drive
    /// the real loop key by key without sleeping.
    pub idle: Option<mpsc::UnboundedSender<u64>>,
    /// Where the console is used from, for the login's audit row (`kassa serve`: the SSH
    /// peer's address); `None`: from this process's environment (`SSH_CLIENT`).
    pub origin: Option<String>,
    /// Told of every login the service refused (`kassa serve` counts them per address).
    pub login_refused: Option<Box<dyn Fn() + Send>>,
}

/// The console's one loop: key presses, pasted text, service results, the search debounce
/// timer and signals, each handled in turn by `App`; a frame is drawn when something changed.
/// Service calls run as tasks.
pub async fn event_loop<W, S>(
    terminal: &mut Terminal<thrifty::ThriftyBackend<W>>,
    svc: &Service,
    app: &mut App,
    mut events: S,
    mut signals: mpsc::UnboundedReceiver<Signal>,
    hooks: LoopHooks,
) -> io::Result<()>
where
    W: Write,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<(ReqId, Outcome)>();
    let mut gone = false;
    let mut in_flight = 0usize;
    let mut handled = 0u64;
    let area = terminal.get_frame().area();
    app.size = (area.width, area.height);
    loop {
        if app.quit && !app.posting() {
            break;
        }
        if app.quit && app.posting() && app.status.is_none() {
            app.status = Some(app.strings().quit_waiting.to_string());
            app.dirty = true;
        }
        if app.dirty && !gone {
            draw(terminal, app)?;
            app.dirty = false;
        }
        let deadline = app.next_deadline();
        if in_flight == 0
            && deadline.is_none()
            && let Some(idle) = &hooks.idle
        {
            let _ = idle.send(handled);
        }
        let effects = tokio::select! {
            ev = events.next(), if !gone => { handled += 1; match ev {
                Some(Ok(Event::Key(k))) => app.key(&k, Instant::now()),
                Some(Ok(Event::Paste(text))) => app.paste(&text),
                Some(Ok(Event::Resize(w, h))) => {
                    // the size the event says: the local terminal's, or an SSH client's
                    if terminal.get_frame().area().as_size() != ratatui::layout::Size::new(w, h) {
                        terminal.resize(ratatui::layout::Rect::new(0, 0, w, h))?;
                    }
                    app.size = (w, h);
                    app.dirty = true;
                    Vec::new()
                }
                Some(Ok(_)) => Vec::new(),
                Some(Err(_)) | None => {
                    gone = true;
                    app.quit = true;
                    app.forced_quit = true;
                    Vec::new()
                }
            }},
            Some((req, outcome)) = rx.recv() => {
                in_flight -= 1;
                if let (Outcome::Login(Err(crate::service::ServiceError::BadCredentials)), Some(told)) =
                    (&outcome, &hooks.login_refused)
                {
                    told();
                }
                app.outcome(req, outcome)
            }
            _ = async { if let Some(d) = deadline { tokio::time::sleep_until(d.into()).await } }, if deadline.is_some() => {
                app.due_search(Instant::now())
            }
            Some(sig) = signals.recv() => {
                if sig == Signal::Hangup {
                    gone = true;
                }
                app.quit = true;
                app.forced_quit = true;
                Vec::new()
            }
        };
        for effect in effects {
            let svc = svc.clone();
            let actor = app.actor.clone();
            let tx = tx.clone();
            let origin = hooks.origin.clone();
            in_flight += 1;
            tokio::spawn(async move {
                let result = exec::execute_from(&svc, actor.as_ref(), effect, origin).await;
                let _ = tx.send(result);
            });
        }
    }
    Ok(())
}
