//! Switches and their ports: what the NOC keeps (`CLN_SWITCH_EDIT`, `CLN_SWITCH_LIST`) and the
//! rows of the DHCP export (`get_ip_port_device_commutation`). Credentials are masked in every
//! `Debug` and audit row.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A switch, with its credentials. Its `Debug` hides them: a switch may end up in a log line.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Switch {
    pub id: i64,
    pub name: String,
    pub ip: String,
    pub model: String,
    pub snmp_community: String,
    pub ssh_password: String,
    pub telnet_password: String,
    pub house_id: Option<i64>,
    pub ports: i64,
    /// Serves every customer of its house without a port of their own (`UPDATE_HOME_FLAG`).
    pub serves_house: bool,
}

/// What a hidden credential looks like wherever it is shown or written down.
pub const MASK: &str = "••••••";

impl Switch {
    /// The switch with every set credential replaced by [`MASK`] (an unset one stays empty,
    /// so the reader still sees whether there is one).
    pub fn masked(&self) -> Switch {
        let m = |s: &str| if s.is_empty() { String::new() } else { MASK.to_string() };
        Switch {
            snmp_community: m(&self.snmp_community),
            ssh_password: m(&self.ssh_password),
            telnet_password: m(&self.telnet_password),
            ..self.clone()
        }
    }
}

impl Switch {
    /// `masked`, with every credential that differs from `before`'s shown as changed: the
    /// audit log says that a password changed without ever holding one.
    pub fn masked_against(&self, before: &Switch) -> Switch {
        let m = |now: &str, was: &str| match (now.is_empty(), now == was) {
            (true, _) => String::new(),
            (false, true) => MASK.to_string(),
            (false, false) => format!("{MASK} (changed)"),
        };
        Switch {
            snmp_community: m(&self.snmp_community, &before.snmp_community),
            ssh_password: m(&self.ssh_password, &before.ssh_password),
            telnet_password: m(&self.telnet_password, &before.telnet_password),
            ..self.clone()
        }
    }
}

impl std::fmt::Debug for Switch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = self.masked();
        f.debug_struct("Switch")
            .field("id", &m.id)
            .field("name", &m.name)
            .field("ip", &m.ip)
            .field("model", &m.model)
            .field("snmp_community", &m.snmp_community)
            .field("ssh_password", &m.ssh_password)
            .field("telnet_password", &m.telnet_password)
            .field("house_id", &m.house_id)
            .field("ports", &m.ports)
            .field("serves_house", &m.serves_house)
            .finish()
    }
}

/// A switch in a list: its house and how many of its ports are taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwitchLine {
    #[serde(flatten)]
    pub switch: Switch,
    /// `Ленина 5а`
    pub house: Option<String>,
    pub ports_used: i64,
}

/// A customer's switch port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortBinding {
    pub customer_id: i64,
    pub switch_id: i64,
    pub switch_name: String,
    pub switch_ip: String,
    pub port: i64,
    pub bound_at: DateTime<Utc>,
}

/// A taken port on a switch's port map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortUser {
    pub port: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub agreement: Option<String>,
    /// The customer is a former one: the port is held by someone who left.
    pub former: bool,
}

/// One address for the DHCP server: who, where and on which port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DhcpRow {
    pub record_id: i64,
    pub customer_id: i64,
    pub agreement: Option<String>,
    pub ip: String,
    pub prefix: Option<i64>,
    pub mac: Option<String>,
    pub switch_name: Option<String>,
    pub switch_ip: Option<String>,
    /// None when the customer is served by their house's switch rather than a port of their own.
    pub port: Option<i64>,
    #[serde(skip)]
    pub key: String,
}
