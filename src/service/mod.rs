//! The service layer: every operation kassa can do, as one async function with typed input and
//! output. Each one checks the acting operator's permission first (a denied call writes
//! nothing), validates its input, does its work in one transaction, and writes an audit row
//! in that same transaction.

mod catalogue;
mod customers;
pub mod demo;
mod houses;
mod lifecycle;
mod maintenance;
mod merge;
mod messages;
mod money;
mod network;
mod operators;
mod personal_area;
mod promises;
mod services;
mod tariffs;

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;

use crate::domain::role::{Permission, Role};
use crate::store::{self, Db, Store, StoreError};

pub use catalogue::MARK_COLORS;
pub use customers::{CustomerCard, CustomerChanges, NewCustomer, SearchResult};
pub use houses::HouseInput;
pub use merge::{MergeOutcome, MergePreview};
pub use messages::MessageQuery;
pub use money::{AdjustmentRequest, HistoryPage, HistoryQuery, PaymentRequest, PostOutcome};
pub use network::{CustomerNetwork, IpSelection, LastIp, PortMap, SwitchInput};
pub use promises::{PromiseRule, PromiseRules};
pub use services::{CustomerServiceInput, ServiceInput};
pub use store::catalogue::{Group, Mark};
pub use store::customers::{CustomerFilter, CustomerSummary};
pub use store::houses::{House, HouseLine};
pub use store::messages::{Direction, Message};
pub use store::network::{AddressRecord, DhcpRow, MacChange, PortBinding, PortUser, Switch, SwitchLine};
pub use store::operators::Operator;
pub use store::promises::PromisedPayment;
pub use store::services::{CustomerService, ExtraService};
pub use store::tariffs::{Period, ScheduledChange, Tariff};
pub use tariffs::{TariffChangeOutcome, TariffInput, When, next_period_start};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("permission denied: the {role} role does not have '{permission}'")]
    Denied { permission: Permission, role: Role },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    /// A switch port another customer holds: a conflict the operator may resolve by moving them.
    #[error(
        "port {port} of '{switch}' is taken by customer #{holder_id} ({holder_name}): move them explicitly (--move, or confirm the move on screen)"
    )]
    PortTaken { port: i64, switch: String, holder_id: i64, holder_name: String },
    /// A promised payment one of the rules does not allow; the message says which and why.
    #[error("promised payment refused by the rule '{}': {message}", rule.as_str())]
    PromiseRefused { rule: PromiseRule, message: String },
    #[error("wrong login or password")]
    BadCredentials,
    #[error("operator '{login}' is locked after repeated wrong passwords until {until} UTC")]
    Locked { login: String, until: DateTime<Utc> },
    #[error("operator '{0}' is disabled")]
    Disabled(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    pub fn invalid(field: &str, message: impl std::fmt::Display) -> ServiceError {
        ServiceError::Invalid { field: field.to_string(), message: message.to_string() }
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
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig { max_failed_logins: 5, lockout_minutes: 15, promise: PromiseRules::default() }
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
}

impl Service {
    pub fn new(store: Store, config: ServiceConfig) -> Service {
        Service { store, config }
    }

    /// Opens the database and ends the promised payments whose time is up.
    pub async fn open(location: &str, config: ServiceConfig) -> Result<Service> {
        let svc = Service::new(Store::open(location).await?, config);
        svc.end_due_promises(None, now()).await?;
        Ok(svc)
    }

    pub fn backend(&self) -> store::Backend {
        self.store.backend()
    }

    pub async fn close(&self) {
        self.store.close().await
    }

    fn require(&self, actor: &Actor, p: Permission) -> Result<()> {
        if actor.role.allows(p) {
            Ok(())
        } else {
            tracing::info!(operator = %actor.login, permission = %p, "permission denied");
            Err(ServiceError::Denied { permission: p, role: actor.role })
        }
    }
}

/// The time every row is stamped with: UTC, whole microseconds (what PostgreSQL keeps).
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Where this process works from: the address in `SSH_CLIENT`, or `local`.
pub fn origin_from_env() -> String {
    std::env::var("SSH_CLIENT")
        .ok()
        .and_then(|v| v.split_whitespace().next().map(str::to_string))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "local".to_string())
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
        Err(ServiceError::NotFound(format!("customer #{id}")))
    }
}

/// Maps a unique-constraint failure to a conflict naming the field, passing other errors on.
pub(crate) fn unique_to_conflict(e: StoreError, fields: &[(&str, &str)]) -> ServiceError {
    if let Some(what) = e.unique_violation() {
        for (needle, message) in fields {
            if what.contains(needle) {
                return ServiceError::Conflict((*message).to_string());
            }
        }
        return ServiceError::Conflict(format!("already exists ({what})"));
    }
    ServiceError::Store(e)
}
