//! Operators' roles and what each may do. The service layer asks `Role::allows` before
//! every operation; the screens only use it to hide what would be refused anyway.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Cashier,
    Noc,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Cashier, Role::Noc, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Cashier => "cashier",
            Role::Noc => "noc",
            Role::Viewer => "viewer",
        }
    }

    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Cashier => matches!(
                p,
                CustomerRead
                    | CustomerCreate
                    | CustomerEdit
                    | CustomerState
                    | HistoryRead
                    | PaymentPost
                    | PromisePayment
                    | TariffRead
                    | TariffAssign
                    | HouseRead
                    | NetworkRead
            ),
            Role::Noc => {
                matches!(
                    p,
                    CustomerRead
                        | HistoryRead
                        | TariffRead
                        | HouseRead
                        | HouseManage
                        | NetworkRead
                        | NetworkManage
                        | SwitchSecrets
                )
            }
            Role::Viewer => matches!(p, CustomerRead | HistoryRead | TariffRead | HouseRead | NetworkRead),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = crate::domain::problem::Problem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "cashier" => Ok(Role::Cashier),
            "noc" => Ok(Role::Noc),
            "viewer" => Ok(Role::Viewer),
            other => Err(crate::domain::problem::Problem::NotOneOf {
                value: other.to_string(),
                allowed: &["admin", "cashier", "noc", "viewer"],
            }),
        }
    }
}

/// One thing an operator may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    CustomerRead,
    CustomerCreate,
    CustomerEdit,
    /// Stop, pause, active.
    CustomerState,
    /// Moving to the former customers and back.
    CustomerArchive,
    /// Deleting a customer that never had money (one entered by mistake).
    CustomerDelete,
    HistoryRead,
    PaymentPost,
    /// Charges and corrections: amounts that take money off or fix a mistake.
    LedgerAdjust,
    /// Giving a promised payment.
    PromisePayment,
    /// Setting a customer's credit limit.
    CreditLimit,
    /// The catalogues of customer groups and marks.
    CatalogueManage,
    /// Merging two records of one customer.
    CustomerMerge,
    TariffRead,
    TariffManage,
    /// Switching a customer's tariff.
    TariffAssign,
    HouseRead,
    HouseManage,
    /// Switches, ports, customers' addresses and the DHCP export (never the credentials).
    NetworkRead,
    /// Switches, customers' addresses and ports: adding, changing, binding.
    NetworkManage,
    /// Seeing switches' SNMP community and SSH/telnet passwords.
    SwitchSecrets,
    OperatorManage,
    AuditRead,
    /// Maintenance: invariant checks and applying due scheduled changes.
    Maintenance,
}

impl Permission {
    pub fn as_str(self) -> &'static str {
        use Permission::*;
        match self {
            CustomerRead => "customer.read",
            CustomerCreate => "customer.create",
            CustomerEdit => "customer.edit",
            CustomerState => "customer.state",
            CustomerArchive => "customer.archive",
            CustomerDelete => "customer.delete",
            HistoryRead => "history.read",
            PaymentPost => "payment.post",
            LedgerAdjust => "ledger.adjust",
            PromisePayment => "payment.promise",
            CreditLimit => "customer.credit_limit",
            CatalogueManage => "catalogue.manage",
            CustomerMerge => "customer.merge",
            TariffRead => "tariff.read",
            TariffManage => "tariff.manage",
            TariffAssign => "tariff.assign",
            HouseRead => "house.read",
            HouseManage => "house.manage",
            NetworkRead => "network.read",
            NetworkManage => "network.manage",
            SwitchSecrets => "switch.secrets",
            OperatorManage => "operator.manage",
            AuditRead => "audit.read",
            Maintenance => "maintenance",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_never_moves_money_and_admin_does_everything() {
        assert!(!Role::Viewer.allows(Permission::PaymentPost));
        assert!(!Role::Noc.allows(Permission::PaymentPost));
        assert!(Role::Cashier.allows(Permission::PaymentPost));
        assert!(!Role::Cashier.allows(Permission::LedgerAdjust));
        assert!(Role::Admin.allows(Permission::LedgerAdjust));
        assert!(Role::Noc.allows(Permission::HouseManage));
        assert!(!Role::Cashier.allows(Permission::HouseManage));
        assert_eq!("NOC".parse::<Role>(), Ok(Role::Noc));
        assert!("root".parse::<Role>().is_err());
    }
}
