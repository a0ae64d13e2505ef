//! Configuration: `config.toml` in the platform config directory (or `--config`/`KASSA_CONFIG`),
//! every key optional. `config.example.toml` documents each one.

use std::path::{Path, PathBuf};

use directories::ProjectDirs;
use serde::Deserialize;

use crate::domain::money::Money;
use crate::service::{PromiseRules, ServiceConfig};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A path to an SQLite file or a `postgres://` URL.
    pub database: Option<String>,
    #[serde(default)]
    pub service: ServiceSection,
    #[serde(default)]
    pub log: LogSection,
    #[serde(default)]
    pub ui: UiSection,
    #[serde(default)]
    pub billing: BillingSection,
    #[serde(default)]
    pub desk: DeskSection,
    #[serde(default)]
    pub import: ImportSection,
    #[serde(default)]
    pub serve: ServeSection,
}

/// `kassa serve`: the SSH server that gives every desk its console.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeSection {
    /// The address and port to listen on ("0.0.0.0:2222" for every interface).
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The host key file [default: the data directory's ssh_host_ed25519_key], made on first start.
    pub host_key: Option<PathBuf>,
    /// Consoles open at once; one more is told so and closed.
    #[serde(default = "default_max_sessions")]
    pub max_sessions: i64,
    /// Refused logins from one address within `login_window_minutes` before that address is
    /// turned away for the rest of the window.
    #[serde(default = "default_max_login_failures")]
    pub max_login_failures: i64,
    #[serde(default = "default_login_window")]
    pub login_window_minutes: i64,
    /// A console with no key pressed for this long is logged out and closed.
    #[serde(default = "default_idle_minutes")]
    pub idle_minutes: i64,
}

fn default_listen() -> String {
    "127.0.0.1:2222".into()
}
fn default_max_sessions() -> i64 {
    100
}
fn default_max_login_failures() -> i64 {
    10
}
fn default_login_window() -> i64 {
    15
}
fn default_idle_minutes() -> i64 {
    30
}

impl Default for ServeSection {
    fn default() -> Self {
        ServeSection {
            listen: default_listen(),
            host_key: None,
            max_sessions: default_max_sessions(),
            max_login_failures: default_max_login_failures(),
            login_window_minutes: default_login_window(),
            idle_minutes: default_idle_minutes(),
        }
    }
}

/// Payments from banks: how each payment agent's registry is read (`[import.presets.NAME]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportSection {
    #[serde(default)]
    pub presets: std::collections::BTreeMap<String, crate::domain::bank::RegistryPreset>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskSection {
    /// This desk's name («Касса 1»): shifts and payments are kept by it. Unset: the SSH
    /// client's address, `local` without one.
    pub name: Option<String>,
    /// The ISP's name printed at the top of every receipt.
    pub organisation: Option<String>,
    /// A receipt printer's device (`/dev/usb/lp0`): receipts are written to it.
    pub printer: Option<String>,
    /// A command that prints a receipt given on its standard input (`lp -d kassa -o raw`),
    /// run by `sh -c`; used when `printer` is not set.
    pub printer_command: Option<String>,
    /// What the printer is sent: `escpos` (the default), `text`, or `pdf` (for a command
    /// such as `lp`, which prints a PDF on any printer).
    pub printer_format: Option<String>,
    /// The TrueType font PDF receipts are written in (monospaced, with Cyrillic).
    pub pdf_font: Option<String>,
    /// The online cash register's command (54-ФЗ): given each cash or card payment's receipt
    /// as JSON on its standard input, it prints the fiscal document's number.
    pub fiscal_command: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingSection {
    /// The day of the month monthly tariffs are charged on: 1–28.
    #[serde(default = "default_billing_day")]
    pub day: i64,
}

impl Default for BillingSection {
    fn default() -> Self {
        BillingSection { day: default_billing_day() }
    }
}

fn default_billing_day() -> i64 {
    1
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiSection {
    /// `ru` or `en`; from LANG when not set.
    pub language: Option<String>,
    /// The ISP's time zone by its IANA name (`Europe/Moscow`): the time people see and the day
    /// they mean, in the console and on the command line. Unset: `TZ`, else the system's.
    pub timezone: Option<String>,
}

/// Where the system keeps its time zones (`TZDIR`, else Debian's place).
fn zoneinfo_dir() -> std::path::PathBuf {
    std::env::var_os("TZDIR").map(Into::into).unwrap_or_else(|| "/usr/share/zoneinfo".into())
}

/// Whether `name` is a zone this system knows (`Europe/Moscow`, `UTC`).
fn known_zone(name: &str) -> bool {
    let plain = !name.is_empty()
        && !name.starts_with('/')
        && name.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
    plain && (name == "UTC" || zoneinfo_dir().join(name).is_file())
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSection {
    #[serde(default = "default_max_failed")]
    pub max_failed_logins: i64,
    #[serde(default = "default_lockout")]
    pub lockout_minutes: i64,
    /// The largest promised payment, as an amount ("1000", "1 000,00").
    pub promise_max_amount: Option<String>,
    /// The longest a promised payment lasts, in days.
    pub promise_max_days: Option<i64>,
    /// Promised payments a customer may get in one calendar month.
    pub promise_per_month: Option<i64>,
    /// A promised payment is given only while the balance is above this amount ("-500").
    pub promise_balance_floor: Option<String>,
    /// The longest a statement waits for a lock another desk holds, in seconds.
    #[serde(default = "default_lock_wait")]
    pub lock_wait_seconds: i64,
}

fn default_lock_wait() -> i64 {
    crate::store::DEFAULT_LOCK_WAIT.as_secs() as i64
}

/// The ranges every number of `[service]` must be in; outside them kassa refuses to start
/// (a lockout of a million years would overflow the clock at the first wrong password).
const MAX_FAILED_LOGINS: std::ops::RangeInclusive<i64> = 1..=100;
const LOCKOUT_MINUTES: std::ops::RangeInclusive<i64> = 1..=10_080;
const PROMISE_MAX_DAYS: std::ops::RangeInclusive<i64> = 1..=365;
const PROMISE_PER_MONTH: std::ops::RangeInclusive<i64> = 0..=31;
const LOCK_WAIT_SECONDS: std::ops::RangeInclusive<i64> = 1..=600;

fn in_range(key: &str, value: i64, range: std::ops::RangeInclusive<i64>) -> Result<(), ConfigError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::Invalid(format!(
            "{key} = {value}: must be from {} to {}",
            range.start(),
            range.end()
        )))
    }
}

fn default_max_failed() -> i64 {
    ServiceConfig::default().max_failed_logins
}
fn default_lockout() -> i64 {
    ServiceConfig::default().lockout_minutes
}

impl Default for ServiceSection {
    fn default() -> Self {
        ServiceSection {
            max_failed_logins: default_max_failed(),
            lockout_minutes: default_lockout(),
            promise_max_amount: None,
            promise_max_days: None,
            promise_per_month: None,
            promise_balance_floor: None,
            lock_wait_seconds: default_lock_wait(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSection {
    /// `error`, `warn`, `info`, `debug` or `trace`.
    #[serde(default = "default_level")]
    pub level: String,
    /// Folder for log files; the data directory's `logs/` when not set.
    pub dir: Option<PathBuf>,
}

fn default_level() -> String {
    "info".into()
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection { level: default_level(), dir: None }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text)
            .map_err(|e| ConfigError::Parse { path: "-".into(), reason: e.to_string() })?;
        cfg.check()?;
        Ok(cfg)
    }

    #[test]
    fn every_number_is_checked_for_its_range() {
        assert!(parse("").is_ok());
        for bad in [
            "[service]\nlockout_minutes = 9223372036854775807",
            "[service]\nlockout_minutes = 0",
            "[service]\nmax_failed_logins = -1",
            "[service]\nmax_failed_logins = 1000000",
            "[service]\nlock_wait_seconds = 0",
            "[service]\nlock_wait_seconds = 100000",
            "[service]\npromise_max_days = 100000",
            "[service]\npromise_per_month = -1",
            "[ui]\nlanguage = \"de\"",
            "[log]\nlevel = \"loud\"",
        ] {
            let e = parse(bad).err().unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(e.to_string().contains("must be"), "{bad}: {e}");
        }
        let cfg = parse("[service]\nlock_wait_seconds = 3\nlockout_minutes = 10080").unwrap();
        assert_eq!(cfg.service().lock_wait, std::time::Duration::from_secs(3));
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: {reason}")]
    Parse { path: String, reason: String },
    #[error("{0}")]
    Invalid(String),
}

impl Config {
    /// Reads `path`, or the default file when `path` is `None` (a missing default file is fine).
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => match default_config_path() {
                Some(p) => (p, false),
                None => return Ok(Config::default()),
            },
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config::default());
            }
            Err(e) => {
                return Err(ConfigError::Read { path: path.display().to_string(), reason: e.to_string() });
            }
        };
        let cfg: Config = toml::from_str(&text)
            .map_err(|e| ConfigError::Parse { path: path.display().to_string(), reason: e.to_string() })?;
        cfg.check()?;
        Ok(cfg)
    }

    /// Checks every value's range.
    pub fn check(&self) -> Result<(), ConfigError> {
        let s = &self.service;
        in_range("service.max_failed_logins", s.max_failed_logins, MAX_FAILED_LOGINS)?;
        in_range("service.lockout_minutes", s.lockout_minutes, LOCKOUT_MINUTES)?;
        in_range("service.lock_wait_seconds", s.lock_wait_seconds, LOCK_WAIT_SECONDS)?;
        in_range("billing.day", self.billing.day, 1..=28)?;
        in_range("serve.max_sessions", self.serve.max_sessions, 1..=10_000)?;
        in_range("serve.max_login_failures", self.serve.max_login_failures, 1..=1000)?;
        in_range("serve.login_window_minutes", self.serve.login_window_minutes, 1..=10_080)?;
        in_range("serve.idle_minutes", self.serve.idle_minutes, 1..=10_080)?;
        if let Some(f) = &self.desk.printer_format
            && !matches!(f.as_str(), "escpos" | "text" | "pdf")
        {
            return Err(ConfigError::Invalid(format!("desk.printer_format = {f:?}: escpos, text or pdf")));
        }
        if let Some(name) = &self.desk.name
            && !crate::domain::desk::valid_desk_name(name)
        {
            return Err(ConfigError::Invalid(format!(
                "desk.name = {name:?}: must be 1 to {} characters, no spaces around it",
                crate::domain::desk::DESK_NAME_MAX
            )));
        }
        if let Some(d) = s.promise_max_days {
            in_range("service.promise_max_days", d, PROMISE_MAX_DAYS)?;
        }
        if let Some(n) = s.promise_per_month {
            in_range("service.promise_per_month", n, PROMISE_PER_MONTH)?;
        }
        if let Some(l) = &self.ui.language
            && !matches!(l.as_str(), "ru" | "en")
        {
            return Err(ConfigError::Invalid(format!("ui.language = {l:?}: must be \"ru\" or \"en\"")));
        }
        if let Some(z) = &self.ui.timezone
            && !known_zone(z)
        {
            return Err(ConfigError::Invalid(format!(
                "ui.timezone = {z:?}: must be a time zone this system has, such as \"Europe/Moscow\" (see {})",
                zoneinfo_dir().display()
            )));
        }
        if !matches!(self.log.level.as_str(), "error" | "warn" | "info" | "debug" | "trace") {
            return Err(ConfigError::Invalid(format!(
                "log.level = {:?}: must be error, warn, info, debug or trace",
                self.log.level
            )));
        }
        self.promise_rules()?;
        Ok(())
    }

    /// The promised-payment rules, checked.
    fn promise_rules(&self) -> Result<PromiseRules, ConfigError> {
        let d = PromiseRules::default();
        let s = &self.service;
        let money = |key: &str, v: &Option<String>, default: Money| -> Result<Money, ConfigError> {
            match v {
                None => Ok(default),
                Some(t) => Money::parse(t).map_err(|e| ConfigError::Invalid(format!("service.{key}: {e}"))),
            }
        };
        let rules = PromiseRules {
            max_amount: money("promise_max_amount", &s.promise_max_amount, d.max_amount)?,
            max_days: s.promise_max_days.unwrap_or(d.max_days),
            per_month: s.promise_per_month.unwrap_or(d.per_month),
            balance_floor: money("promise_balance_floor", &s.promise_balance_floor, d.balance_floor)?,
        };
        if !rules.max_amount.is_positive() || rules.max_days < 1 || rules.per_month < 0 {
            return Err(ConfigError::Invalid(
                "service.promise_max_amount must be above zero, promise_max_days at least 1 and \
                 promise_per_month not negative (0 turns promised payments off)"
                    .into(),
            ));
        }
        Ok(rules)
    }

    pub fn service(&self) -> ServiceConfig {
        ServiceConfig {
            max_failed_logins: self.service.max_failed_logins,
            lockout_minutes: self.service.lockout_minutes,
            // checked by load(); a config built in code falls back to the defaults
            promise: self.promise_rules().unwrap_or_default(),
            lock_wait: std::time::Duration::from_secs(
                self.service.lock_wait_seconds.clamp(*LOCK_WAIT_SECONDS.start(), *LOCK_WAIT_SECONDS.end())
                    as u64,
            ),
            billing_day: self.billing.day.clamp(1, 28) as u32,
            desk: self.desk.name.clone(),
            receipts: crate::service::ReceiptConfig {
                organisation: self.desk.organisation.clone(),
                printer: match (&self.desk.printer, &self.desk.printer_command) {
                    (Some(path), _) => Some(crate::service::Printer::Device(path.into())),
                    (None, Some(cmd)) => Some(crate::service::Printer::Command(cmd.clone())),
                    (None, None) => None,
                },
                format: match self.desk.printer_format.as_deref() {
                    Some("text") => crate::service::PrintFormat::Text,
                    Some("pdf") => crate::service::PrintFormat::Pdf,
                    _ => crate::service::PrintFormat::EscPos,
                },
                pdf_font: self.desk.pdf_font.as_ref().map(Into::into),
            },
            fiscal_command: self.desk.fiscal_command.clone(),
            import_presets: self.import.presets.clone(),
        }
    }
}

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "kassa")
}

pub fn default_config_path() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("config.toml"))
}

/// The platform data directory (`~/.local/share/kassa` on Linux).
pub fn data_dir() -> PathBuf {
    dirs().map(|d| d.data_dir().to_path_buf()).unwrap_or_else(|| PathBuf::from(".kassa"))
}

/// The embedded default database.
pub fn default_database() -> String {
    data_dir().join("kassa.db").display().to_string()
}
