//! The service layer: every operation kassa can do, as one async function with typed input and
//! output. Each one checks the acting operator's permission first (a denied call writes
//! nothing), validates its input, does its work in one transaction, and writes an audit row
//! in that same transaction.

mod access;
mod billing;
mod catalogue;
mod conflict;
mod customers;
pub mod demo;
mod desk;
mod discounts;
mod fiscal;
mod houses;
mod imports;
mod lifecycle;
mod maintenance;
mod merge;
mod messages;
mod money;
mod network;
mod operators;
mod personal_area;
mod promises;
mod receipts;
mod services;
mod tariffs;

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;

use crate::domain::role::{Permission, Role};
use crate::store::{self, Db, Store, StoreError};

pub use crate::domain::access::{ApiToken, OperatorKey, TokenSecret};
pub use crate::domain::address::{AddressRecord, MacChange};
pub use crate::domain::billing::{Applies, Discount, Percent, TaxItem, TaxRule, Whom};
pub use crate::domain::catalogue::{Group, Mark};
pub use crate::domain::customer::CustomerSummary;
pub use crate::domain::desk::{
    CashMove, CashMoveKind, DeskPayment, DeskView, MethodTotal, ReportBy, ReportLine, Shift, ShiftReport,
};
pub use crate::domain::extra_service::{CustomerService, ExtraService};
pub use crate::domain::house::{House, HouseLine};
pub use crate::domain::message::{Direction, Message};
pub use crate::domain::operator::Operator;
pub use crate::domain::problem::{Entity, Problem};
pub use crate::domain::promise::PromisedPayment;
pub use crate::domain::receipt::Receipt;
pub use crate::domain::switch::{DhcpRow, PortBinding, PortUser, Switch, SwitchLine};
pub use crate::domain::tariff::{Period, ScheduledChange, Tariff};
pub use billing::{BillingReport, DueCustomer};
pub use catalogue::{MARK_COLORS, MethodChange};
pub use conflict::{CancelWhy, Conflict, Holding};
pub use customers::{CustomerCard, CustomerChanges, NewCustomer, SearchResult};
pub use discounts::DiscountInput;
pub use fiscal::{FiscalResult, FiscalRun};
pub use houses::HouseInput;
pub use merge::{MergeOutcome, MergePreview};
pub use messages::MessageQuery;
pub use money::{AdjustmentRequest, HistoryPage, HistoryQuery, PaymentRequest, PostOutcome, RefundRequest};
pub use network::{CustomerNetwork, IpSelection, LastIp, PortMap, SwitchInput};
pub use operators::{LoginRecord, checked_origin};
pub use promises::{PromiseRefusal, PromiseRule, PromiseRules};
pub use receipts::{PaymentStory, PrintFormat, Printer, ReceiptConfig};
pub use services::{CustomerServiceInput, ServiceInput};
pub use store::billing::ChargeLine;
pub use store::customers::CustomerFilter;
pub use store::fiscal::FiscalEntry;
pub use tariffs::{TariffChangeOutcome, TariffInput, When, next_period_start};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("permission denied: the {role} role does not have '{permission}'")]
    Denied { permission: Permission, role: Role },
    /// Something named that is not there: what kind of thing, and how it was named.
    #[error("{}", not_found_text(*.0, .1))]
    NotFound(Entity, String),
    /// A value typed wrong: which field, and what is wrong with it.
    #[error("{field}: {problem}")]
    Invalid { field: &'static str, problem: Problem },
    /// Something that cannot be done as things stand.
    #[error(transparent)]
    Conflict(Conflict),
    /// A switch port another customer holds: a conflict the operator may resolve by moving them.
    #[error(
        "port {port} of '{switch}' is taken by customer #{holder_id} ({holder_name}): move them explicitly (--move, or confirm the move on screen)"
    )]
    PortTaken { port: i64, switch: String, holder_id: i64, holder_name: String },
    /// A MAC another customer has: refused unless forced (dhcpd hands one MAC's lease to one host).
    #[error("MAC {mac} belongs to customer #{holder_id} ({holder_name}): give it to both only with --force")]
    MacTaken { mac: String, holder_id: i64, holder_name: String },
    /// A promised payment one of the rules does not allow: which rule, and the figures.
    #[error("promised payment refused by the rule '{}': {}", .0.rule().as_str(), .0)]
    PromiseRefused(PromiseRefusal),
    /// One answer for an unknown login, a wrong password, a locked and a disabled operator:
    /// which of them it was is written to the audit log, never told to whoever is trying.
    #[error("login refused: wrong login or password, or the operator is locked out")]
    BadCredentials,
    /// The operator's standing changed since they logged in: the console goes back to its login.
    #[error("{0}")]
    SessionEnded(SessionEnd),
    /// A typed receipt (ПКО) number that another operation already has.
    #[error("receipt number {number} is already used{}", operation.map(|o| format!(" by operation {o}")).unwrap_or_default())]
    ReceiptUsed { number: String, operation: Option<i64> },
    /// Money for a customer that was merged into another: it belongs to that one now.
    #[error("customer #{customer_id} was merged into customer {}: post to that customer", into_agreement.clone().unwrap_or_else(|| format!("#{into_id}")))]
    MergedAway { customer_id: i64, into_id: i64, into_agreement: Option<String> },
    /// An SQLite file that is not there, for a command that does not make one.
    #[error("there is no database at {path}")]
    NoDatabase { path: String },
    /// A lock another desk holds was not released within the configured wait; nothing written.
    #[error("the database stayed locked by another desk for too long: nothing was written, try again")]
    Busy,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> ServiceError {
        if e.is_busy() {
            tracing::warn!(error = %e, "lock wait ran out");
            ServiceError::Busy
        } else if let StoreError::Missing { path } = e {
            ServiceError::NoDatabase { path }
        } else {
            ServiceError::Store(e)
        }
    }
}

fn not_found_text(what: Entity, key: &str) -> String {
    if key.is_empty() { format!("{what} not found") } else { format!("{what} {key} not found") }
}

/// Why an operator's session ended under them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// Locked out by an administrator (or gone).
    Disabled,
    /// Given another role by an administrator.
    RoleChanged { was: Role, now: Role },
}

impl std::fmt::Display for SessionEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionEnd::Disabled => f.write_str("session ended: an administrator locked this operator out"),
            SessionEnd::RoleChanged { was, now } => {
                write!(
                    f,
                    "session ended: an administrator changed this operator's role from {was} to {now}; log in again"
                )
            }
        }
    }
}

impl ServiceError {
    pub fn invalid(field: &'static str, problem: impl Into<Problem>) -> ServiceError {
        ServiceError::Invalid { field, problem: problem.into() }
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// Rules the service applies that an installation may tune (the `[service]` config section).
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Wrong passwords in a row before an operator is locked.
    pub max_failed_logins: i64,
    /// How long the lock lasts.
    pub lockout_minutes: i64,
    /// What a promised payment may be.
    pub promise: PromiseRules,
    /// The longest a statement waits for a lock another desk holds.
    pub lock_wait: std::time::Duration,
    /// The day of the month monthly tariffs are charged on (1–28).
    pub billing_day: u32,
    /// This desk's name (`[desk] name`); unset, a session's desk is its origin.
    pub desk: Option<String>,
    /// What receipts say at the top and where they are printed.
    pub receipts: ReceiptConfig,
    /// The online cash register's command (`[desk] fiscal_command`), given each cash or card
    /// payment's receipt as JSON.
    pub fiscal_command: Option<String>,
    /// How each payment agent's registry is read (`[import.presets.NAME]`), for the console's
    /// file loading (the command line reads them from the config itself).
    pub import_presets: std::collections::BTreeMap<String, crate::domain::bank::RegistryPreset>,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            max_failed_logins: 5,
            lockout_minutes: 15,
            promise: PromiseRules::default(),
            lock_wait: store::DEFAULT_LOCK_WAIT,
            billing_day: 1,
            desk: None,
            receipts: ReceiptConfig::default(),
            fiscal_command: None,
            import_presets: Default::default(),
        }
    }
}

/// The operator on whose behalf an operation runs, as established by `Service::login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub operator_id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    /// Where the operator works from: the SSH client address when there is one.
    pub origin: String,
    /// The cash desk the session works at: `[desk] name`, else the origin. Shifts are kept by it.
    pub desk: String,
}

impl Actor {
    pub fn can(&self, p: Permission) -> bool {
        self.role.allows(p)
    }
}

/// The service: a store and the rules.
#[derive(Clone, Debug)]
pub struct Service {
    store: Store,
    config: ServiceConfig,
    /// A one-shot command's login, its audit row not written yet (`defer_login`).
    deferred_login: Arc<std::sync::Mutex<Option<LoginRecord>>>,
}

impl Service {
    pub fn new(store: Store, config: ServiceConfig) -> Service {
        Service { store, config, deferred_login: Arc::default() }
    }

    /// Opens the database (creating an SQLite file that is not there) and ends the promised
    /// payments whose time is up.
    pub async fn open(location: &str, config: ServiceConfig) -> Result<Service> {
        Service::open_with(location, config, true, false).await
    }

    /// `open`; with `create` false a missing SQLite file is an error (`StoreError::Missing`);
    /// `one_shot` for a process that makes one call and ends (see `store::OpenOptions`).
    pub async fn open_with(
        location: &str,
        config: ServiceConfig,
        create: bool,
        one_shot: bool,
    ) -> Result<Service> {
        let options = store::OpenOptions { lock_wait: config.lock_wait, create, one_shot };
        let svc = Service::new(Store::open_with(location, options).await?, config);
        follow_server_clock(&svc.store).await?;
        svc.end_due_promises(None, now()).await?;
        Ok(svc)
    }

    pub fn backend(&self) -> store::Backend {
        self.store.backend()
    }

    pub async fn close(&self) {
        self.store.close().await
    }

    /// Refuses what the actor's role does not allow, then what the operator may no longer do:
    /// the operator's current standing (active, role) is read on every call, so an
    /// administrator's lock or change of role acts at once on an open console. The payment
    /// path reads it again inside its own transaction (`still_standing`).
    async fn require(&self, actor: &Actor, p: Permission) -> Result<()> {
        require_role(actor, p)?;
        let mut one = self.store.one().await?;
        still_standing(&mut one.db(), actor).await
    }
}

/// The permission check on the role the actor logged in with.
pub(crate) fn require_role(actor: &Actor, p: Permission) -> Result<()> {
    if actor.role.allows(p) {
        Ok(())
    } else {
        tracing::info!(operator = %actor.login, permission = %p, "permission denied");
        Err(ServiceError::Denied { permission: p, role: actor.role })
    }
}

/// Refuses an actor whose operator has since been locked out, deleted or given another role.
pub(crate) async fn still_standing(db: &mut Db<'_>, actor: &Actor) -> Result<()> {
    match store::operators::standing(db, actor.operator_id).await? {
        Some((true, role)) if role == actor.role => Ok(()),
        Some((true, role)) => {
            tracing::info!(operator = %actor.login, was = %actor.role, now = %role, "session ended: role changed");
            Err(ServiceError::SessionEnded(SessionEnd::RoleChanged { was: actor.role, now: role }))
        }
        Some((false, _)) | None => {
            tracing::info!(operator = %actor.login, "session ended: operator locked out");
            Err(ServiceError::SessionEnded(SessionEnd::Disabled))
        }
    }
}

/// How far the database server's clock is ahead of this machine's, in microseconds: set when
/// a PostgreSQL database is opened, so that every desk stamps rows with the server's time (a
/// desk whose clock is years ahead must not create a promise nobody can end). Zero on SQLite,
/// where every desk writing the file is on one machine.
static CLOCK_OFFSET_MICROS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// The time every row is stamped with: UTC, whole microseconds (what PostgreSQL keeps), on
/// the database server's clock (see `CLOCK_OFFSET_MICROS`).
pub(crate) fn now() -> DateTime<Utc> {
    let offset = CLOCK_OFFSET_MICROS.load(std::sync::atomic::Ordering::Relaxed);
    (Utc::now() + chrono::Duration::microseconds(offset)).trunc_subsecs(6)
}

/// How far `server` (read between `before` and `after` on this machine) is ahead, in µs.
fn clock_offset(before: DateTime<Utc>, server: DateTime<Utc>, after: DateTime<Utc>) -> i64 {
    let local = before + (after - before) / 2;
    (server - local).num_microseconds().unwrap_or(0)
}

/// Measures the server's clock against this machine's (half the round trip counted) and
/// keeps the difference for `now`.
async fn follow_server_clock(store: &Store) -> Result<()> {
    if store.backend() != store::Backend::Postgres {
        return Ok(());
    }
    let before = Utc::now();
    let server = {
        let mut one = store.one().await?;
        store::counters::server_time(&mut one.db()).await?
    };
    let offset = clock_offset(before, server, Utc::now());
    if offset.abs() > 5_000_000 {
        tracing::warn!(
            offset_ms = offset / 1000,
            "this machine's clock differs from the database server's; rows are stamped with the server's"
        );
    }
    CLOCK_OFFSET_MICROS.store(offset, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// Where this process works from: the client address in `SSH_CLIENT` when it is an IP
/// address, `local` without one; anything else there is not believed.
pub fn origin_from_env() -> String {
    match std::env::var("SSH_CLIENT") {
        Ok(v) if !v.trim().is_empty() => origin_from_ssh_client(&v),
        _ => "local".to_string(),
    }
}

/// The origin an `SSH_CLIENT` value ("ADDRESS PORT PORT") names.
pub fn origin_from_ssh_client(value: &str) -> String {
    value
        .split_whitespace()
        .next()
        .and_then(|a| a.parse::<std::net::IpAddr>().ok())
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown (SSH_CLIENT is not an address)".to_string())
}

/// Writes one audit row for `actor` (or for the system when there is none).
pub(crate) async fn audit<B: Serialize, A: Serialize>(
    db: &mut Db<'_>,
    actor: Option<&Actor>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let before = before.and_then(|b| serde_json::to_string(b).ok());
    let after = after.and_then(|a| serde_json::to_string(a).ok());
    store::audit::insert(
        db,
        now(),
        actor.map(|a| a.operator_id),
        actor.map(|a| a.login.as_str()).unwrap_or("system"),
        actor.map(|a| a.origin.as_str()).unwrap_or("local"),
        action,
        entity,
        entity_id,
        before,
        after,
    )
    .await?;
    Ok(())
}

/// Refuses, as "not found", a customer id no customer has.
pub(crate) async fn customer_exists(db: &mut Db<'_>, id: i64) -> Result<()> {
    if store::customers::exists(db, id).await? {
        Ok(())
    } else {
        Err(ServiceError::NotFound(Entity::Customer, format!("#{id}")))
    }
}

/// Maps a unique-constraint failure to a conflict saying which value is taken, passing other
/// errors on.
pub(crate) fn unique_to_conflict(e: StoreError) -> ServiceError {
    match e.unique_key() {
        Some(key) => ServiceError::Conflict(Conflict::Taken(key.clone())),
        None => ServiceError::from(e),
    }
}

#[cfg(test)]
mod clock_tests {
    use super::*;

    #[test]
    fn the_servers_clock_is_met_halfway_through_the_round_trip() {
        let t = |us: i64| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::microseconds(us);
        assert_eq!(clock_offset(t(1_000), t(1_500), t(2_000)), 0);
        // a desk three years ahead of its server stamps rows three years back, to the server's
        let three_years = 3 * 365 * 86_400 * 1_000_000i64;
        assert_eq!(clock_offset(t(three_years), t(0), t(three_years + 10)), -three_years - 5);
    }
}
