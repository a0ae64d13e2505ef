//! The real console loop driven by a script instead of a keyboard: key events go in through a
//! channel, frames come out into a `Capture`, and every step waits until the loop reports that
//! it has handled what was sent and has nothing left to do. The flow tests and the benchmark
//! use it; nothing sleeps.

use std::io;
use std::time::Duration;

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::app::App;
use super::capture::Capture;
use super::{Signal, event_loop};
use crate::service::Service;

/// How long one step may take before the script gives up (a hung loop fails, never blocks).
const STEP_LIMIT: Duration = Duration::from_secs(60);

pub struct ScriptedConsole {
    events: mpsc::UnboundedSender<io::Result<Event>>,
    signals: mpsc::UnboundedSender<super::Signal>,
    idle: mpsc::UnboundedReceiver<u64>,
    sent: u64,
    pub capture: Capture,
    task: JoinHandle<io::Result<App>>,
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

impl ScriptedConsole {
    /// Starts the loop on a `width`×`height` screen and waits for its first frame.
    pub async fn start(svc: Service, mut app: App, width: u16, height: u16) -> io::Result<ScriptedConsole> {
        let capture = Capture::new();
        // the bytes a real terminal gets (see `sgr`)
        let backend = super::console_backend(capture.clone());
        let mut terminal = Terminal::with_options(
            backend,
            TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, width, height)) },
        )
        .map_err(|e| io::Error::other(e.to_string()))?;
        let (events, event_rx) = mpsc::unbounded_channel::<io::Result<Event>>();
        let (signals, signal_rx) = mpsc::unbounded_channel();
        let (idle_tx, idle) = mpsc::unbounded_channel();
        let stream = Box::pin(futures_util::stream::unfold(event_rx, |mut rx| async move {
            rx.recv().await.map(|ev| (ev, rx))
        }));
        let task = tokio::spawn(async move {
            let hooks = super::LoopHooks { idle: Some(idle_tx), ..Default::default() };
            event_loop(&mut terminal, &svc, &mut app, stream, signal_rx, hooks).await?;
            Ok(app)
        });
        let mut console = ScriptedConsole { events, signals, idle, sent: 0, capture, task };
        console.settle().await?;
        Ok(console)
    }

    /// Waits until the loop has handled every event sent and has nothing left to do.
    pub async fn settle(&mut self) -> io::Result<()> {
        loop {
            let handled = tokio::time::timeout(STEP_LIMIT, self.idle.recv())
                .await
                .map_err(|_| io::Error::other("the console did not settle"))?
                .ok_or_else(|| io::Error::other("the console has stopped"))?;
            if handled >= self.sent {
                return Ok(());
            }
        }
    }

    /// Input events sent so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Sends events without waiting (as fast as a person can never type).
    pub fn send(&mut self, events: impl IntoIterator<Item = Event>) -> io::Result<()> {
        for ev in events {
            self.events.send(Ok(ev)).map_err(|_| io::Error::other("the console has stopped"))?;
            self.sent += 1;
        }
        Ok(())
    }

    pub async fn key_event(&mut self, ev: KeyEvent) -> io::Result<()> {
        self.send([Event::Key(ev)])?;
        self.settle().await
    }

    pub async fn press(&mut self, code: KeyCode) -> io::Result<()> {
        self.key_event(key(code)).await
    }

    pub async fn ctrl(&mut self, c: char) -> io::Result<()> {
        self.key_event(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)).await
    }

    /// A held key: the terminal reports a repeat.
    pub async fn repeat(&mut self, code: KeyCode) -> io::Result<()> {
        let mut ev = key(code);
        ev.kind = KeyEventKind::Repeat;
        self.key_event(ev).await
    }

    /// Types `text` one key at a time, each handled before the next.
    pub async fn typ(&mut self, text: &str) -> io::Result<()> {
        for c in text.chars() {
            self.press(KeyCode::Char(c)).await?;
        }
        Ok(())
    }

    /// Types `text` in one burst, then waits for what it set off (one search, after the pause).
    pub async fn burst(&mut self, text: &str) -> io::Result<()> {
        self.send(text.chars().map(|c| Event::Key(key(KeyCode::Char(c)))))?;
        self.settle().await
    }

    pub async fn signal(&mut self, sig: Signal) -> io::Result<()> {
        self.signals.send(sig).map_err(|_| io::Error::other("the console has stopped"))
    }

    /// Waits for the loop to end (after a quit key, a signal or the end of input) and returns
    /// its final state.
    pub async fn finish(self) -> io::Result<App> {
        drop(self.events);
        tokio::time::timeout(STEP_LIMIT, self.task)
            .await
            .map_err(|_| io::Error::other("the console did not stop"))?
            .map_err(|e| io::Error::other(e.to_string()))?
    }
}
