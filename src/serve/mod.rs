//! `kassa serve`: an SSH server whose every connection is a console, all of them over one
//! `Service` in one process (on SQLite one writer for every desk, on PostgreSQL one pool).
//!
//! A connection can do nothing but the console: no shell, no commands, no forwarding. The
//! operator logs in on the console's login screen (the SSH login names whom to fill in), or is
//! logged in already by an SSH public key registered to them (`kassa operator key add`). The
//! session's origin is the peer's address; window size changes follow the client's. A dropped
//! connection is the console's SIGHUP: nothing more is drawn, and the console ends once a
//! payment being written has finished — never half. Limits: consoles at once, refused logins
//! per address, minutes without a key.

mod gate;
mod hostkey;

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event};
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::crossterm::{cursor, execute};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use russh::server::{Auth, Msg, Session};
use russh::{Channel, ChannelId, MethodKind, MethodSet};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

pub use gate::LoginGate;

use crate::domain::access::from_public_key;
use crate::service::{Actor, Service};
use crate::tui::app::App;
use crate::tui::keys::KeyParser;
use crate::tui::strings::Lang;
use crate::tui::strings_serve::ServeStrings;
use crate::tui::theme::Theme;
use crate::tui::{LoopHooks, Signal, event_loop};

/// What `[serve]` and the command line set.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: String,
    pub host_key: PathBuf,
    pub max_sessions: usize,
    pub max_login_failures: usize,
    pub login_window: Duration,
    pub idle: Duration,
    /// `[ui] language`; unset, each desk's by its client's `LANG`.
    pub language: Option<String>,
}

/// Why a console ended, for the line the desk sees after it.
const END_QUIT: u8 = 0;
const END_IDLE: u8 = 1;
const END_STOP: u8 = 2;
const END_GATE: u8 = 3;

struct Shared {
    svc: Service,
    opts: ServeOptions,
    demo: bool,
    consoles: AtomicUsize,
    connections: AtomicUsize,
    gate: Mutex<LoginGate>,
    stop: watch::Receiver<bool>,
}

impl Shared {
    fn closed(&self, ip: Option<IpAddr>) -> bool {
        match (ip, self.gate.lock()) {
            (Some(ip), Ok(mut g)) => g.closed(ip, Instant::now()),
            _ => false,
        }
    }

    /// Counts a refused login; whether the address is turned away now.
    fn refuse(&self, ip: Option<IpAddr>) -> bool {
        match (ip, self.gate.lock()) {
            (Some(ip), Ok(mut g)) => {
                let closed = g.refuse(ip, Instant::now());
                if closed {
                    tracing::warn!(%ip, "too many refused logins: the address is turned away for a while");
                }
                closed
            }
            _ => false,
        }
    }
}

/// A server bound to its address, its host key read or made.
pub struct Server {
    listener: TcpListener,
    config: Arc<russh::server::Config>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    /// The host key's `SHA256:` fingerprint.
    pub fingerprint: String,
    /// Whether the host key was made by this start.
    pub key_made: bool,
    pub address: SocketAddr,
}

impl Server {
    pub async fn bind(svc: Service, opts: ServeOptions) -> Result<Server, String> {
        let (key, key_made) = hostkey::load_or_create(&opts.host_key)?;
        let fingerprint = hostkey::fingerprint(&key);
        let listener = TcpListener::bind(&opts.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", opts.listen))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let config = russh::server::Config {
            server_id: russh::SshId::Standard(format!("SSH-2.0-kassa_{}", env!("CARGO_PKG_VERSION")).into()),
            methods: MethodSet::from(&[MethodKind::PublicKey, MethodKind::KeyboardInteractive][..]),
            keys: vec![key],
            // an offered key kassa does not know is turned down at once: an agent with many
            // keys must not keep a desk waiting (a refused login is counted per address)
            auth_rejection_time: Duration::from_millis(300),
            auth_rejection_time_initial: Some(Duration::ZERO),
            // the console logs an idle desk out itself; this only drops dead links
            inactivity_timeout: None,
            keepalive_interval: Some(Duration::from_secs(30)),
            keepalive_max: 3,
            nodelay: true,
            ..Default::default()
        };
        let demo = svc.is_demo_database().await.map_err(|e| e.to_string())?;
        let (stop, stop_rx) = watch::channel(false);
        let gate = LoginGate::new(opts.max_login_failures, opts.login_window);
        let shared = Arc::new(Shared {
            svc,
            opts,
            demo,
            consoles: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            gate: Mutex::new(gate),
            stop: stop_rx,
        });
        Ok(Server { listener, config: Arc::new(config), shared, stop, fingerprint, key_made, address })
    }

    /// Consoles open now.
    pub fn consoles(&self) -> usize {
        self.shared.consoles.load(Ordering::SeqCst)
    }

    /// Accepts connections until `stop` resolves; then every console is told to end (each
    /// finishes a payment being written first) and waited for, up to a minute.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) -> io::Result<()> {
        tokio::pin!(stop);
        let mut sweep = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = sweep.tick() => {
                    if let Ok(mut g) = self.shared.gate.lock() {
                        g.sweep(Instant::now());
                    }
                }
                accepted = self.listener.accept() => match accepted {
                    Ok((socket, peer)) => self.connect(socket, peer),
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
            }
        }
        tracing::info!(consoles = self.consoles(), "kassa serve stopping");
        let _ = self.stop.send(true);
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.consoles() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    fn connect(&self, socket: tokio::net::TcpStream, peer: SocketAddr) {
        let shared = &self.shared;
        // room for every console and as many connections again still logging in
        if shared.connections.load(Ordering::SeqCst) >= shared.opts.max_sessions * 2
            || shared.closed(Some(peer.ip()))
        {
            tracing::info!(%peer, "connection turned away");
            return;
        }
        let _ = socket.set_nodelay(true);
        let handler = Connection::new(shared.clone(), peer);
        let config = self.config.clone();
        tokio::spawn(async move {
            match russh::server::run_stream(config, socket, handler).await {
                Ok(session) => {
                    if let Err(e) = session.await {
                        tracing::debug!(%peer, error = %e, "connection ended");
                    }
                }
                Err(e) => tracing::debug!(%peer, error = %e, "connection setup failed"),
            }
        });
    }
}

/// Bytes for the console's link: key presses, pasted text, and the client's window size.
enum Input {
    Bytes(Vec<u8>),
    Resize(u16, u16),
}

/// One SSH connection.
struct Connection {
    shared: Arc<Shared>,
    ip: Option<IpAddr>,
    origin: String,
    /// The login the SSH client gave (filled in on the login screen).
    user: String,
    /// Logged in by a registered key.
    actor: Option<Actor>,
    channel: Option<ChannelId>,
    term: String,
    size: Option<(u16, u16)>,
    env: Vec<(String, String)>,
    input: Option<mpsc::UnboundedSender<Input>>,
    signals: Option<mpsc::UnboundedSender<Signal>>,
}

impl Connection {
    fn new(shared: Arc<Shared>, peer: SocketAddr) -> Connection {
        shared.connections.fetch_add(1, Ordering::SeqCst);
        Connection {
            shared,
            ip: Some(peer.ip()),
            origin: peer.ip().to_string(),
            user: String::new(),
            actor: None,
            channel: None,
            term: String::new(),
            size: None,
            env: Vec::new(),
            input: None,
            signals: None,
        }
    }

    /// Passes what came on the console's channel to the console, once it runs.
    fn to_console(&self, channel: ChannelId, what: Input) {
        if self.channel == Some(channel)
            && let Some(input) = &self.input
        {
            let _ = input.send(what);
        }
    }

    fn hang_up(&mut self) {
        self.input = None;
        if let Some(s) = &self.signals {
            let _ = s.send(Signal::Hangup);
        }
    }

    /// What the client sent of a variable of its environment.
    fn sent(&self, name: &str) -> Option<String> {
        self.env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn lang(&self) -> Lang {
        Lang::from_locale(self.shared.opts.language.as_deref(), |var| self.sent(var))
    }

    fn theme(&self) -> Theme {
        Theme::for_terminal(&self.term, self.sent("NO_COLOR").as_deref())
    }

    /// Says `text` on the channel and closes it (no console).
    fn refuse_console(
        &self,
        session: &mut Session,
        channel: ChannelId,
        text: &str,
    ) -> Result<(), russh::Error> {
        session.data(channel, format!("\r\n{text}\r\n").into_bytes())?;
        session.exit_status_request(channel, 1)?;
        session.eof(channel)?;
        session.close(channel)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.shared.connections.fetch_sub(1, Ordering::SeqCst);
        self.hang_up();
    }
}

fn clamp(v: u32) -> u16 {
    v.min(u16::MAX as u32) as u16
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn auth_none(&mut self, user: &str) -> Result<Auth, Self::Error> {
        self.user = user.to_string();
        Ok(Auth::Reject {
            proceed_with_methods: Some(MethodSet::from(
                &[MethodKind::PublicKey, MethodKind::KeyboardInteractive][..],
            )),
            partial_success: false,
        })
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: russh::server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.shared.closed(self.ip) {
            return Ok(Auth::reject());
        }
        let key = from_public_key(offer.public_key, String::new());
        match self.shared.svc.key_is_registered(user, &key).await {
            Ok(true) => Ok(Auth::Accept),
            _ => Ok(Auth::reject()),
        }
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: russh::server::VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.shared.closed(self.ip) {
            return Ok(Auth::reject());
        }
        let key = from_public_key(key.public_key, String::new());
        let svc = &self.shared.svc;
        match svc.authenticate_key(user, &key, &self.origin).await {
            Ok((actor, record)) => {
                if let Err(e) = svc.record_login(&record).await {
                    tracing::warn!(error = %e, "a login's audit row was not written");
                    return Ok(Auth::reject());
                }
                self.user = actor.login.clone();
                self.actor = Some(actor);
                Ok(Auth::Accept)
            }
            Err(_) => {
                self.shared.refuse(self.ip);
                Ok(Auth::reject())
            }
        }
    }

    /// Lets the connection on to the console's login screen, where the password is asked.
    async fn auth_keyboard_interactive<'a>(
        &'a mut self,
        user: &str,
        _submethods: &str,
        _response: Option<russh::server::Response<'a>>,
    ) -> Result<Auth, Self::Error> {
        if self.shared.closed(self.ip) {
            return Ok(Auth::reject());
        }
        self.user = user.to_string();
        Ok(Auth::Accept)
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel.is_some() {
            // one console per connection
            reply.reject(russh::ChannelOpenFailure::AdministrativelyProhibited).await;
            return Ok(());
        }
        self.channel = Some(channel.id());
        reply.accept().await;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.term = term.chars().take(64).collect();
        self.size = Some((clamp(col_width), clamp(row_height)));
        session.channel_success(channel)
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if matches!(name, "LANG" | "LC_ALL" | "LC_MESSAGES" | "NO_COLOR") && self.env.len() < 16 {
            self.env.push((name.to_string(), value.chars().take(64).collect()));
            session.channel_success(channel)
        } else {
            session.channel_failure(channel)
        }
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        if self.channel != Some(channel) || self.input.is_some() {
            return session.channel_failure(channel);
        }
        session.channel_success(channel)?;
        let s = ServeStrings::of(self.lang());
        let Some((width, height)) = self.size else {
            return self.refuse_console(session, channel, s.no_pty);
        };
        let shared = &self.shared;
        if shared.consoles.fetch_add(1, Ordering::SeqCst) >= shared.opts.max_sessions {
            shared.consoles.fetch_sub(1, Ordering::SeqCst);
            tracing::info!(origin = %self.origin, "every console is taken");
            return self.refuse_console(session, channel, s.full);
        }
        let (input, input_rx) = mpsc::unbounded_channel();
        let (signals, signals_rx) = mpsc::unbounded_channel();
        self.input = Some(input);
        self.signals = Some(signals.clone());
        let link = ConsoleLink {
            shared: shared.clone(),
            handle: session.handle(),
            channel,
            size: (width, height),
            lang: self.lang(),
            theme: self.theme(),
            user: self.user.clone(),
            actor: self.actor.take(),
            origin: self.origin.clone(),
            ip: self.ip,
        };
        tokio::spawn(link.run(input_rx, signals, signals_rx));
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.to_console(channel, Input::Bytes(data.to_vec()));
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.to_console(channel, Input::Resize(clamp(col_width), clamp(row_height)));
        Ok(())
    }

    async fn channel_eof(&mut self, channel: ChannelId, _session: &mut Session) -> Result<(), Self::Error> {
        if self.channel == Some(channel) {
            self.hang_up();
        }
        Ok(())
    }

    async fn channel_close(&mut self, channel: ChannelId, _session: &mut Session) -> Result<(), Self::Error> {
        if self.channel == Some(channel) {
            self.hang_up();
        }
        Ok(())
    }
}

/// The bytes a console writes, sent on its channel at every flush (ratatui flushes once a frame).
struct ChannelWriter {
    buf: Vec<u8>,
    out: mpsc::UnboundedSender<Vec<u8>>,
}

use crate::tui::frames::{BEGIN as BEGIN_FRAME, END as END_FRAME};
/// A frame this small goes without its synchronized-output brackets.
const SMALL_FRAME: usize = 128;

/// A small frame without its brackets. Each flush is one SSH packet, which the client writes
/// to its terminal in one piece; the brackets (16 bytes) keep a big redraw from showing half
/// done, and cost a typed key's echo a third of its bytes.
fn unbracketed(mut frame: Vec<u8>) -> Vec<u8> {
    let small = frame.len() <= SMALL_FRAME && frame.starts_with(BEGIN_FRAME) && frame.ends_with(END_FRAME);
    if small && frame.windows(BEGIN_FRAME.len()).filter(|w| *w == BEGIN_FRAME).count() == 1 {
        frame.truncate(frame.len() - END_FRAME.len());
        frame.drain(..BEGIN_FRAME.len());
    }
    frame
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let frame = unbracketed(std::mem::take(&mut self.buf));
        self.out.send(frame).map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

/// Everything one console needs, moved into its task.
struct ConsoleLink {
    shared: Arc<Shared>,
    handle: russh::server::Handle,
    channel: ChannelId,
    size: (u16, u16),
    lang: Lang,
    theme: Theme,
    user: String,
    actor: Option<Actor>,
    origin: String,
    ip: Option<IpAddr>,
}

impl ConsoleLink {
    async fn run(
        self,
        mut input: mpsc::UnboundedReceiver<Input>,
        signals: mpsc::UnboundedSender<Signal>,
        signals_rx: mpsc::UnboundedReceiver<Signal>,
    ) {
        let ConsoleLink { shared, handle, channel, size, lang, theme, user, actor, origin, ip } = self;
        tracing::info!(%origin, login = %user, by_key = actor.is_some(), "console opened");
        let end = Arc::new(AtomicU8::new(END_QUIT));
        // the channel's bytes in order, sent by one task
        let (out, mut out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let sender_handle = handle.clone();
        let sender = tokio::spawn(async move {
            while let Some(bytes) = out_rx.recv().await {
                if sender_handle.data(channel, bytes).await.is_err() {
                    break;
                }
            }
        });
        // key presses and window sizes into events; no key for `idle` ends the console, and
        // so does the server stopping
        let (events, events_rx) = mpsc::unbounded_channel::<io::Result<Event>>();
        let (idle, mut stop) = (shared.opts.idle, shared.stop.clone());
        let (told, why) = (signals.clone(), end.clone());
        tokio::spawn(async move {
            let mut parser = KeyParser::new();
            let mut stopping = false;
            loop {
                tokio::select! {
                    got = tokio::time::timeout(idle, input.recv()) => match got {
                        Ok(Some(Input::Bytes(b))) => {
                            for ev in parser.feed(&b) {
                                let _ = events.send(Ok(ev));
                            }
                        }
                        Ok(Some(Input::Resize(w, h))) => {
                            let _ = events.send(Ok(Event::Resize(w, h)));
                        }
                        Ok(None) => break,
                        Err(_) => {
                            why.store(END_IDLE, Ordering::SeqCst);
                            let _ = told.send(Signal::Terminate);
                            break;
                        }
                    },
                    changed = stop.changed(), if !stopping => {
                        stopping = true;
                        if changed.is_ok() && *stop.borrow() {
                            why.store(END_STOP, Ordering::SeqCst);
                            let _ = told.send(Signal::Terminate);
                        }
                    }
                }
            }
        });
        let stream = Box::pin(futures_util::stream::unfold(events_rx, |mut rx| async move {
            rx.recv().await.map(|ev| (ev, rx))
        }));
        let writer = ChannelWriter { buf: Vec::with_capacity(16 * 1024), out };
        let backend = crate::tui::console_backend(writer);
        let area = Rect::new(0, 0, size.0, size.1);
        match Terminal::with_options(backend, TerminalOptions { viewport: Viewport::Fixed(area) }) {
            Ok(mut terminal) => {
                let _ = execute!(terminal.backend_mut(), EnterAlternateScreen, EnableBracketedPaste);
                let mut app = App::new(lang, theme, Some(user.as_str()).filter(|u| !u.is_empty()));
                app.demo = shared.demo;
                if let Some(actor) = actor {
                    app = app.logged_in(actor);
                }
                let gate = (shared.clone(), signals.clone(), end.clone());
                let hooks = LoopHooks {
                    idle: None,
                    origin: Some(origin.clone()),
                    login_refused: Some(Box::new(move || {
                        let (shared, signals, end) = (&gate.0, &gate.1, &gate.2);
                        if shared.refuse(ip) {
                            end.store(END_GATE, Ordering::SeqCst);
                            let _ = signals.send(Signal::Terminate);
                        }
                    })),
                };
                if let Err(e) =
                    event_loop(&mut terminal, &shared.svc, &mut app, stream, signals_rx, hooks).await
                {
                    tracing::debug!(error = %e, "a console's link failed");
                }
                let s = ServeStrings::of(lang);
                let farewell = match end.load(Ordering::SeqCst) {
                    END_IDLE => format!("{} {} {}", s.idle, idle.as_secs() / 60, s.minutes),
                    END_STOP => s.stopping.to_string(),
                    END_GATE => s.closed_address.to_string(),
                    _ => String::new(),
                };
                let w = terminal.backend_mut();
                let _ = execute!(w, DisableBracketedPaste, LeaveAlternateScreen, cursor::Show);
                if !farewell.is_empty() {
                    let _ = write!(w, "{farewell}\r\n");
                }
                let _ = w.flush();
            }
            Err(e) => tracing::warn!(error = %e, "cannot start a console"),
        }
        // every byte written is sent before the channel closes
        let _ = sender.await;
        let _ = handle.exit_status_request(channel, 0).await;
        let _ = handle.eof(channel).await;
        let _ = handle.close(channel).await;
        shared.consoles.fetch_sub(1, Ordering::SeqCst);
        tracing::info!(%origin, "console closed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_frames_go_without_brackets_big_ones_with() {
        let echo = b"\x1b[?2026h\x1b[2;11H\xd0\xb0\x1b[0m\x1b[2;12H\x1b[?2026l".to_vec();
        assert_eq!(unbracketed(echo), b"\x1b[2;11H\xd0\xb0\x1b[0m\x1b[2;12H".to_vec());
        let big = [BEGIN_FRAME, &[b'x'; 200][..], END_FRAME].concat();
        assert_eq!(unbracketed(big.clone()), big);
        // two frames in one flush, or bytes outside a frame, are left as they are
        let two = [BEGIN_FRAME, b"a", END_FRAME, BEGIN_FRAME, b"b", END_FRAME].concat();
        assert_eq!(unbracketed(two.clone()), two);
        assert_eq!(unbracketed(b"\x1b[?1049h".to_vec()), b"\x1b[?1049h".to_vec());
    }
}
