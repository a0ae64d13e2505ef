//! `kassa serve` and tokens measured from outside, as desks and scripts meet them.
//!
//! `ssh`: the release `kassa serve` beside this binary is started on the database; `--sessions`
//! SSH clients (russh, in this process) log in at once with a key registered for the run and
//! type surname fragments into the search, a key every `--pace-ms`. Each key's time is from
//! its bytes handed to the client to the end of the first frame it causes (the echo; the
//! search's answer follows the debounce); bytes are counted on the TCP stream itself (SSH
//! framing, encryption and MAC included) over every frame of a query, answers too. The server's
//! resident memory is read from /proc while they type and at the end.
//!
//! `token-pay`: `kassa pay` run as a separate process `--count` times with `KASSA_TOKEN`, each
//! timed from spawn to exit (start, open, authenticate, post, print), then a few with a password
//! for comparison, then `kassa customer show` with the token as many times (a call that reads).

use std::pin::Pin;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use kassa::service::Service;
use kassa::service::demo::DEMO_PASSWORD;
use russh::ChannelMsg;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::pct;

const FRAME_BEGIN: &[u8] = b"\x1b[?2026h";
const FRAME_END: &[u8] = b"\x1b[?2026l";

/// The `kassa` binary built beside this one.
pub(crate) fn kassa_bin() -> std::path::PathBuf {
    let me = std::env::current_exe().expect("current exe");
    me.with_file_name("kassa")
}

/// A TCP stream that counts the bytes it reads.
struct Counted {
    inner: TcpStream,
    read: Arc<AtomicU64>,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &r {
            self.read.fetch_add((buf.filled().len() - before) as u64, Ordering::Relaxed);
        }
        r
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

struct Client;

impl russh::client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// What one desk measured.
#[derive(Default)]
struct Desk {
    key_to_frame: Vec<Duration>,
    /// Bytes on the wire from a key to the end of its echo frame.
    echo_bytes: Vec<u64>,
    keys: u64,
    bytes: u64,
}

/// Whether `data` ends a frame: its synchronized-output end, or a message with no bracket at
/// all (the server sends a small frame bare, one frame a message).
fn has_frame_end(tail: &mut Vec<u8>, data: &[u8]) -> bool {
    if tail.is_empty() && !data.windows(FRAME_BEGIN.len()).any(|w| w == FRAME_BEGIN) && !data.is_empty() {
        return true;
    }
    tail.extend_from_slice(data);
    let found = tail.windows(FRAME_END.len()).any(|w| w == FRAME_END);
    let keep = tail.len().saturating_sub(FRAME_END.len() - 1);
    tail.drain(..keep);
    found
}

/// Reads what comes until nothing has come for `quiet`.
async fn drain(channel: &mut russh::Channel<russh::client::Msg>, quiet: Duration) {
    while let Ok(Some(_)) = tokio::time::timeout(quiet, channel.wait()).await {}
}

/// How the desks of a run type.
#[derive(Clone, Copy)]
pub struct Desks {
    pub sessions: usize,
    /// Queries each desk types.
    pub per_desk: usize,
    /// Between two keys of a desk.
    pub pace: Duration,
    /// Ask for zlib compression, as `ssh -C` does (the client's order decides).
    pub compress: bool,
}

async fn desk(
    port: u16,
    key: Arc<PrivateKey>,
    queries: Vec<String>,
    pace: Duration,
    compress: bool,
) -> Result<Desk, String> {
    let read = Arc::new(AtomicU64::new(0));
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut config = russh::client::Config::default();
    if compress {
        use russh::compression::{NONE, ZLIB, ZLIB_LEGACY};
        config.preferred.compression = std::borrow::Cow::Borrowed(&[ZLIB_LEGACY, ZLIB, NONE]);
    }
    let config = Arc::new(config);
    let mut session =
        russh::client::connect_stream(config, Counted { inner: tcp, read: read.clone() }, Client)
            .await
            .map_err(|e| format!("connect: {e}"))?;
    let auth = session
        .authenticate_publickey("cashier", PrivateKeyWithHashAlg::new(key, None))
        .await
        .map_err(|e| format!("auth: {e}"))?;
    if !auth.success() {
        return Err("the key was refused".into());
    }
    let mut channel = session.channel_open_session().await.map_err(|e| e.to_string())?;
    channel.request_pty(false, "xterm", 80, 24, 0, 0, &[]).await.map_err(|e| e.to_string())?;
    channel.request_shell(false).await.map_err(|e| e.to_string())?;
    // the search screen, whole
    drain(&mut channel, Duration::from_millis(700)).await;
    let mut out = Desk::default();
    for query in queries {
        let start_bytes = read.load(Ordering::Relaxed);
        for ch in query.chars() {
            let mut buf = [0u8; 4];
            let bytes = ch.encode_utf8(&mut buf).as_bytes().to_vec();
            let before = read.load(Ordering::Relaxed);
            let sent = Instant::now();
            channel.data_bytes(bytes).await.map_err(|e| e.to_string())?;
            let mut tail = Vec::new();
            loop {
                match tokio::time::timeout(Duration::from_secs(10), channel.wait()).await {
                    Ok(Some(ChannelMsg::Data { data })) => {
                        if std::env::var_os("KASSA_BENCH_DUMP").is_some() {
                            eprintln!(
                                "{} bytes on the wire so far: {:?}",
                                read.load(Ordering::Relaxed) - before,
                                String::from_utf8_lossy(&data)
                            );
                        }
                        if has_frame_end(&mut tail, &data) {
                            out.key_to_frame.push(sent.elapsed());
                            out.echo_bytes.push(read.load(Ordering::Relaxed) - before);
                            break;
                        }
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => return Err("the console closed".into()),
                    Err(_) => return Err(format!("no frame for {ch:?} in 10 s")),
                }
            }
            out.keys += 1;
            // the rest of the pause between two keys: what else comes (the search's answer)
            let next = sent + pace;
            let before = read.load(Ordering::Relaxed);
            while let Ok(Some(msg)) = tokio::time::timeout_at(next.into(), channel.wait()).await {
                if let (Some(_), ChannelMsg::Data { data }) = (std::env::var_os("KASSA_BENCH_DUMP"), msg) {
                    eprintln!(
                        "  then {} bytes on the wire: {:?}",
                        read.load(Ordering::Relaxed) - before,
                        String::from_utf8_lossy(&data)
                    );
                }
            }
        }
        // the last answer
        drain(&mut channel, Duration::from_millis(500)).await;
        out.bytes += read.load(Ordering::Relaxed) - start_bytes;
        // Ctrl-U clears the field for the next query
        channel.data_bytes(vec![0x15]).await.map_err(|e| e.to_string())?;
        drain(&mut channel, Duration::from_millis(500)).await;
    }
    let _ = channel.data_bytes(b"\x1b[21~".to_vec()).await;
    drain(&mut channel, Duration::from_millis(300)).await;
    Ok(out)
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

pub async fn ssh_bench(svc: &Service, db: &str, queries: &[String], desks: Desks) {
    let Desks { sessions, per_desk, pace, compress } = desks;
    let admin = svc.login("admin", DEMO_PASSWORD, "bench").await.expect("admin login");
    // a key of this run, registered to the cashier, removed at the end
    let key = Arc::new(PrivateKey::from(Ed25519Keypair::from_seed(&rand::random::<[u8; 32]>())));
    let public = key.public_key().to_openssh().expect("public key");
    let added = svc.add_operator_keys(&admin, "cashier", &public).await.expect("register the key");
    let dir = tempfile_dir();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[serve]\nlisten = \"127.0.0.1:0\"\nhost_key = \"{}\"\nmax_sessions = {}\n",
            dir.join("host_key").display(),
            sessions + 10
        ),
    )
    .expect("config");
    let log = dir.join("serve.out");
    let mut server = Command::new(kassa_bin())
        .args(["--db", db, "--config", config.to_str().unwrap(), "serve"])
        .stdout(std::fs::File::create(&log).expect("log"))
        .stderr(Stdio::null())
        .spawn()
        .expect("start kassa serve (build it: cargo build --release --bin kassa)");
    let started = Instant::now();
    let port: u16 = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(rest) = text.split("listening on 127.0.0.1:").nth(1) {
            break rest.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap();
        }
        assert!(started.elapsed() < Duration::from_secs(120), "kassa serve did not start: {text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let pid = server.id();
    let idle_rss = rss_kib(pid, "VmRSS:");
    println!(
        "kassa serve started in {:.2} s; resident memory before any session {} KiB",
        started.elapsed().as_secs_f64(),
        idle_rss
    );
    let began = Instant::now();
    let tasks: Vec<_> = (0..sessions)
        .map(|i| {
            let mine: Vec<String> =
                (0..per_desk).map(|q| queries[(i * per_desk + q) % queries.len()].clone()).collect();
            let key = key.clone();
            // the desks start a little apart, as people do
            let delay = Duration::from_millis((i as u64 * 37) % 1000);
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                desk(port, key, mine, pace, compress).await
            })
        })
        .collect();
    let mut all = Desk::default();
    let mut failed = 0;
    for t in tasks {
        match t.await.expect("desk task") {
            Ok(d) => {
                all.key_to_frame.extend(d.key_to_frame);
                all.echo_bytes.extend(d.echo_bytes);
                all.keys += d.keys;
                all.bytes += d.bytes;
            }
            Err(e) => {
                failed += 1;
                eprintln!("a desk failed: {e}");
            }
        }
    }
    let took = began.elapsed();
    // the kernel's high-water mark of the server's resident memory over the whole run
    let hwm = rss_kib(pid, "VmHWM:");
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let _ = server.wait();
    let _ = svc.remove_operator_key(&admin, "cashier", &added[0].fingerprint).await;
    let _ = std::fs::remove_dir_all(&dir);
    let n = all.key_to_frame.len();
    println!(
        "{sessions} SSH sessions at once ({failed} failed), {} keys typed in {:.1} s, a key every {} ms per desk{}:",
        all.keys,
        took.as_secs_f64(),
        pace.as_millis(),
        if compress { ", compression asked for" } else { "" }
    );
    println!(
        "  key to frame over SSH ({n} keys): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(&mut all.key_to_frame, 50),
        pct(&mut all.key_to_frame, 99),
        pct(&mut all.key_to_frame, 100)
    );
    all.echo_bytes.sort_unstable();
    let echo = |p: usize| {
        all.echo_bytes
            .get((all.echo_bytes.len() * p / 100).min(all.echo_bytes.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    println!(
        "  bytes on the wire, server to desk: a key's echo frame p50 {} (p99 {}); every frame of a query with its answers, per key typed {:.1}",
        echo(50),
        echo(99),
        all.bytes as f64 / all.keys.max(1) as f64
    );
    println!(
        "  kassa serve resident memory: {} KiB idle, peak {} KiB ({:.2} MiB + {:.2} MiB per session over idle)",
        idle_rss,
        hwm,
        idle_rss as f64 / 1024.0,
        (hwm.saturating_sub(idle_rss)) as f64 / 1024.0 / sessions.max(1) as f64
    );
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kassa-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub async fn token_pay_bench(svc: &Service, db: &str, count: usize, agreements: &[String]) {
    let admin = svc.login("admin", DEMO_PASSWORD, "bench").await.expect("admin login");
    // `kassa pay` works at desk "local" (no SSH_CLIENT): its shift is opened for the run
    let cashier = svc.login("cashier", DEMO_PASSWORD, "local").await.expect("cashier login");
    super::ensure_shift(svc, &cashier).await;
    let (token, secret) =
        svc.create_token(&admin, Some("cashier"), "kassa-bench", None).await.expect("token");
    // `kassa pay AGREEMENT 10 --key …`, or with `show` `kassa customer show AGREEMENT`
    let call = |i: usize, auth: &[(&str, &str)], show: bool| {
        let started = Instant::now();
        let mut cmd = Command::new(kassa_bin());
        let agreement = &agreements[i % agreements.len()];
        if show {
            cmd.args(["--db", db, "customer", "show", agreement]);
        } else {
            cmd.args(["--db", db, "pay", agreement, "10", "--key"])
                .arg(format!("bench-token-{}", uuid::Uuid::new_v4().simple()));
        }
        cmd.env_remove("KASSA_OPERATOR")
            .env_remove("KASSA_PASSWORD")
            .env_remove("KASSA_TOKEN")
            .env_remove("SSH_CLIENT")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        for (k, v) in auth {
            cmd.env(k, v);
        }
        let o = cmd.output().expect("run kassa");
        assert!(o.status.success(), "kassa: {}", String::from_utf8_lossy(&o.stderr));
        started.elapsed()
    };
    let run = |i: usize, auth: &[(&str, &str)]| call(i, auth, false);
    // one unmeasured run: the binary and the database in the page cache
    run(0, &[("KASSA_TOKEN", secret.as_str())]);
    let mut with_token: Vec<Duration> =
        (0..count).map(|i| run(i + 1, &[("KASSA_TOKEN", secret.as_str())])).collect();
    let password = (count / 10).max(10);
    let mut with_password: Vec<Duration> = (0..password)
        .map(|i| run(i + count + 1, &[("KASSA_OPERATOR", "cashier"), ("KASSA_PASSWORD", DEMO_PASSWORD)]))
        .collect();
    let mut shown: Vec<Duration> =
        (0..count).map(|i| call(i, &[("KASSA_TOKEN", secret.as_str())], true)).collect();
    let _ = svc.revoke_token(&admin, token.id).await;
    println!(
        "kassa pay as a separate process with KASSA_TOKEN ({count}): p50 {:.2} ms, p99 {:.2} ms",
        pct(&mut with_token, 50),
        pct(&mut with_token, 99)
    );
    println!(
        "kassa pay as a separate process with a password ({password}): p50 {:.2} ms, p99 {:.2} ms",
        pct(&mut with_password, 50),
        pct(&mut with_password, 99)
    );
    println!(
        "kassa customer show as a separate process with KASSA_TOKEN ({count}): p50 {:.2} ms, p99 {:.2} ms",
        pct(&mut shown, 50),
        pct(&mut shown, 99)
    );
}
