//! `kassa switch …`, `kassa ip …`, `kassa dhcp export`: the network commands.

use super::args::{DhcpCmd, IpCmd, SwitchArgs, SwitchCmd};
use super::{CliError, CliResult, confirm, out};
use crate::cli::Cli;
use crate::domain::text::{fit_width as cell, pad_left as right};
use crate::service::{
    Actor, AddressRecord, CustomerNetwork, DhcpRow, IpSelection, MacChange, PortMap, Service, SwitchInput,
    SwitchLine,
};

/// A credential as given on the command line: the value itself, `-` (asked for on a
/// terminal, else the first line of stdin) or `env:NAME` (the environment variable NAME).
fn secret(flag: &str, given: &Option<String>) -> CliResult<Option<String>> {
    use std::io::{BufRead, IsTerminal};
    let Some(v) = given else { return Ok(None) };
    if v == "-" {
        if std::io::stdin().is_terminal() {
            return rpassword::prompt_password(format!("{flag}: "))
                .map(Some)
                .map_err(|e| CliError::usage(format!("--{flag}: cannot read it: {e}")));
        }
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::usage(format!("--{flag}: cannot read it from stdin: {e}")))?;
        return Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()));
    }
    if let Some(name) = v.strip_prefix("env:") {
        return std::env::var(name)
            .map(Some)
            .map_err(|_| CliError::usage(format!("--{flag}: the environment variable {name} is not set")));
    }
    Ok(Some(v.clone()))
}

fn switch_input(a: &SwitchArgs) -> CliResult<SwitchInput> {
    Ok(SwitchInput {
        name: a.name.clone(),
        ip: a.ip.clone(),
        model: a.model.clone(),
        snmp_community: secret("snmp-community", &a.snmp_community)?,
        ssh_password: secret("ssh-password", &a.ssh_password)?,
        telnet_password: secret("telnet-password", &a.telnet_password)?,
        house_id: a.house.clone(),
        ports: a.ports.clone(),
        serves_house: a.serves_house.clone(),
    })
}

pub async fn switch(cli: &Cli, svc: &Service, actor: &Actor, cmd: &SwitchCmd) -> CliResult {
    let json = cli.json;
    match cmd {
        SwitchCmd::List { id, house, show_secrets } => {
            let list = svc.list_switches(actor, *id, *house, *show_secrets).await?;
            out(json, &list, |l| switches(l, *show_secrets));
        }
        SwitchCmd::Add(a) => {
            let s = svc.add_switch(actor, &switch_input(a)?).await?;
            out(json, &s.masked(), |s| {
                format!("Switch {} added: {} ({}), {} ports.", s.id, s.name, s.ip, s.ports)
            });
        }
        SwitchCmd::Edit { switch, args } => {
            let id = svc.find_switch(actor, switch).await?.switch.id;
            let s = svc.edit_switch(actor, id, &switch_input(args)?).await?;
            out(json, &s.masked(), |s| {
                format!("Switch {} saved: {} ({}), {} ports.", s.id, s.name, s.ip, s.ports)
            });
        }
        SwitchCmd::Delete { switch } => {
            let line = svc.find_switch(actor, switch).await?;
            confirm(cli, &format!("Delete switch {} ({})?", line.switch.name, line.switch.ip))?;
            let s = svc.delete_switch(actor, line.switch.id).await?;
            out(json, &serde_json::json!({"deleted": s.id}), |_| format!("Switch {} deleted.", s.name));
        }
        SwitchCmd::Ports { switch } => {
            let id = svc.find_switch(actor, switch).await?.switch.id;
            let map = svc.port_map(actor, id).await?;
            out(json, &map, port_map);
        }
    }
    Ok(())
}

pub async fn ip(cli: &Cli, svc: &Service, actor: &Actor, cmd: &IpCmd) -> CliResult {
    let json = cli.json;
    match cmd {
        IpCmd::Show { customer } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let n = svc.customer_network(actor, id).await?;
            out(json, &n, network);
        }
        IpCmd::Add { customer, ip, mac, force } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let (ip, mac) = (ip.as_deref().unwrap_or(""), mac.as_deref().unwrap_or(""));
            let r = svc.add_ip(actor, id, ip, mac, *force).await?;
            out(json, &r, |r| {
                format!(
                    "Added {} {} to customer #{}.",
                    r.address(),
                    r.mac.as_deref().unwrap_or(""),
                    r.customer_id
                )
            });
        }
        IpCmd::Delete { customer, value } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let which = IpSelection::parse(value);
            if which != IpSelection::One(value.trim().to_string()) {
                confirm(
                    cli,
                    &format!(
                        "Delete {} records of customer #{id}?",
                        if which == IpSelection::All { "all" } else { "the MAC-only" }
                    ),
                )?;
            }
            let gone = svc.delete_ip(actor, id, &which).await?;
            out(json, &gone, |g| {
                format!(
                    "Deleted {} record(s): {}.",
                    g.len(),
                    g.iter().map(record_text).collect::<Vec<_>>().join(", ")
                )
            });
        }
        IpCmd::SubnetAdd { customer, ip, prefix } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let r = svc.add_subnet(actor, id, ip, prefix).await?;
            out(json, &r, |r| format!("Subnet {} given to customer #{}.", r.address(), r.customer_id));
        }
        IpCmd::SubnetDelete { customer, ip } => {
            let id = svc.resolve_customer(actor, customer).await?;
            confirm(cli, &format!("Take subnet {ip} off customer #{id}?"))?;
            let r = svc.delete_subnet(actor, id, ip).await?;
            out(json, &r, |r| format!("Subnet {} taken off customer #{}.", r.address(), r.customer_id));
        }
        IpCmd::SetMac { ip, mac, force } => {
            let r = svc.set_mac(actor, ip, mac, *force).await?;
            out(json, &r, |r| match &r.mac {
                Some(m) => format!("{} of customer #{} now has MAC {m}.", r.address(), r.customer_id),
                None => format!("{} of customer #{} has no MAC now.", r.address(), r.customer_id),
            });
        }
        IpCmd::MacHistory { customer } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let h = svc.mac_history(actor, id).await?;
            out(json, &h, |h| if h.is_empty() { "No MAC changes.".into() } else { mac_changes(h) });
        }
        IpCmd::Last => {
            let last = svc.last_ip(actor).await?;
            out(json, &last, |l| match l {
                Some(l) => format!("{} (hex {})", l.ip, l.hex),
                None => "No customer has an IPv4 address.".into(),
            });
        }
        IpCmd::Bind { customer, switch, port, take_over } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let sw = svc.find_switch(actor, switch).await?.switch.id;
            if *take_over {
                confirm(
                    cli,
                    &format!("Move whoever is on port {port} off it and put customer #{id} there?"),
                )?;
            }
            let b = svc.bind_port(actor, id, sw, port, *take_over).await?;
            out(json, &b, |b| {
                format!(
                    "Customer #{} is on port {} of {} ({}).",
                    b.customer_id, b.port, b.switch_name, b.switch_ip
                )
            });
        }
        IpCmd::Unbind { customer } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let b = svc.unbind_port(actor, id).await?;
            out(json, &b, |b| {
                format!("Customer #{} is off port {} of {}.", b.customer_id, b.port, b.switch_name)
            });
        }
    }
    Ok(())
}

/// The export formats of `kassa dhcp export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DhcpFormat {
    Csv,
    Json,
    Dhcpd,
}

impl DhcpFormat {
    pub fn parse(s: &str) -> Result<DhcpFormat, String> {
        match s.trim().to_lowercase().as_str() {
            "csv" => Ok(DhcpFormat::Csv),
            "json" => Ok(DhcpFormat::Json),
            "dhcpd" | "isc" => Ok(DhcpFormat::Dhcpd),
            other => Err(format!("unknown format '{other}': use csv, json or dhcpd")),
        }
    }
}

/// Rows asked for per page of the export.
const DHCP_PAGE: i64 = 5000;

pub async fn dhcp(cli: &Cli, svc: &Service, actor: &Actor, cmd: &DhcpCmd) -> CliResult {
    let DhcpCmd::Export { format } = cmd;
    let format =
        if cli.json { DhcpFormat::Json } else { DhcpFormat::parse(format).map_err(CliError::usage)? };
    let mut export = DhcpWriter::new(format);
    let mut after = String::new();
    // a page at a time; a closed pipe or a failed write ends the export (see `output`)
    let write = |text: String| {
        if format == DhcpFormat::Json {
            super::output::write_stdout(&super::output::printable_json(&text))
        } else {
            super::output::write_stdout(&super::output::printable(&text))
        }
    };
    loop {
        let page = svc.dhcp_export_page(actor, &after, DHCP_PAGE).await?;
        let text: String = page.iter().map(|row| export.row(row)).collect();
        if !write(text) {
            return Ok(());
        }
        match page.last() {
            Some(last) if page.len() as i64 == DHCP_PAGE => after = last.key.clone(),
            _ => break,
        }
    }
    write(export.finish());
    Ok(())
}

/// `kassa access export`: the addresses that may use the network now (the DHCP export's rows:
/// no former, stopped or blocked customer), for a firewall's allow list.
pub async fn access(svc: &Service, actor: &Actor, format: &str, set: &str) -> CliResult {
    let format = format.trim().to_lowercase();
    if !matches!(format.as_str(), "plain" | "ipset" | "nft") {
        return Err(CliError::usage(format!("unknown format '{format}': use plain, ipset or nft")));
    }
    if set.is_empty() || !set.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(CliError::usage(format!("--set '{set}': letters, digits, '_' and '-' only")));
    }
    let mut addresses = Vec::new();
    let mut after = String::new();
    loop {
        let page = svc.dhcp_export_page(actor, &after, DHCP_PAGE).await?;
        addresses.extend(page.iter().map(|r| match r.prefix {
            Some(p) => format!("{}/{p}", r.ip),
            None => r.ip.clone(),
        }));
        match page.last() {
            Some(last) if page.len() as i64 == DHCP_PAGE => after = last.key.clone(),
            _ => break,
        }
    }
    let text = access_text(&format, set, &addresses);
    super::output::write_stdout(&super::output::printable(&text));
    Ok(())
}

/// The allow list in `format`.
pub fn access_text(format: &str, set: &str, addresses: &[String]) -> String {
    let (v6, v4): (Vec<&String>, Vec<&String>) = addresses.iter().partition(|a| a.contains(':'));
    let mut out = String::new();
    match format {
        "ipset" => {
            // replaced whole: a new set is filled, then swapped in for the old one
            for (name, family, list) in [(set.to_string(), "inet", &v4), (format!("{set}6"), "inet6", &v6)] {
                out.push_str(&format!("create {name} hash:net family {family} -exist\n"));
                out.push_str(&format!("create {name}-new hash:net family {family} -exist\n"));
                out.push_str(&format!("flush {name}-new\n"));
                for a in list.iter() {
                    out.push_str(&format!("add {name}-new {a}\n"));
                }
                out.push_str(&format!("swap {name}-new {name}\n"));
                out.push_str(&format!("destroy {name}-new\n"));
            }
        }
        "nft" => {
            // made, removed and made again in one `nft -f`: whether or not it was there before
            out.push_str("table inet kassa\ndelete table inet kassa\ntable inet kassa {\n");
            for (suffix, kind, list) in [("v4", "ipv4_addr", &v4), ("v6", "ipv6_addr", &v6)] {
                out.push_str(&format!("\tset {set}_{suffix} {{\n\t\ttype {kind}\n\t\tflags interval\n"));
                if !list.is_empty() {
                    let items: Vec<&str> = list.iter().map(|s| s.as_str()).collect();
                    out.push_str(&format!("\t\telements = {{ {} }}\n", items.join(", ")));
                }
                out.push_str("\t}\n");
            }
            out.push_str("}\n");
        }
        _ => {
            for a in addresses {
                out.push_str(a);
                out.push('\n');
            }
        }
    }
    out
}

/// Turns export rows into one of the formats, row by row (the export is streamed).
pub struct DhcpWriter {
    format: DhcpFormat,
    rows: usize,
    /// Addresses the dhcpd format cannot carry (no MAC, a subnet, IPv6).
    left_out: usize,
}

impl DhcpWriter {
    pub fn new(format: DhcpFormat) -> DhcpWriter {
        DhcpWriter { format, rows: 0, left_out: 0 }
    }

    /// The text for one row, with the header before the first.
    pub fn row(&mut self, r: &DhcpRow) -> String {
        let first = self.rows == 0;
        self.rows += 1;
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let port = r.port.map(|p| p.to_string()).unwrap_or_default();
        let ip = match r.prefix {
            Some(p) => format!("{}/{p}", r.ip),
            None => r.ip.clone(),
        };
        match self.format {
            DhcpFormat::Csv => {
                let head =
                    if first { "ip,mac,switch_ip,switch_name,port,customer_id,agreement\n" } else { "" };
                let fields = [
                    ip,
                    opt(&r.mac),
                    opt(&r.switch_ip),
                    opt(&r.switch_name),
                    port,
                    r.customer_id.to_string(),
                    opt(&r.agreement),
                ];
                format!("{head}{}\n", fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","))
            }
            DhcpFormat::Json => {
                let v = serde_json::json!({
                    "ip": ip, "mac": r.mac, "switch_ip": r.switch_ip, "switch_name": r.switch_name,
                    "port": r.port, "customer_id": r.customer_id, "agreement": r.agreement,
                });
                format!("{}\n  {v}", if first { "[" } else { "," })
            }
            DhcpFormat::Dhcpd => {
                let head = if first {
                    "# kassa: fixed addresses of current customers (ISC dhcpd host blocks)\n"
                } else {
                    ""
                };
                let v4 = r.ip.parse::<std::net::Ipv4Addr>().is_ok();
                let Some(mac) = r.mac.as_ref().filter(|_| v4 && r.prefix.is_none()) else {
                    self.left_out += 1;
                    return head.to_string();
                };
                let place = match (&r.switch_name, &r.switch_ip) {
                    (Some(name), Some(sw_ip)) => {
                        let port = r
                            .port
                            .map(|p| format!(" port {p}"))
                            .unwrap_or_else(|| " (serves the house)".into());
                        format!(", switch {} ({sw_ip}){port}", comment_safe(name))
                    }
                    _ => String::new(),
                };
                let agreement = r
                    .agreement
                    .as_deref()
                    .map(|a| format!(" agreement {}", comment_safe(a)))
                    .unwrap_or_default();
                format!(
                    "{head}host kassa-{}-{} {{\n    # customer #{}{agreement}{place}\n    hardware ethernet {mac};\n    fixed-address {};\n}}\n",
                    r.customer_id, r.record_id, r.customer_id, r.ip
                )
            }
        }
    }

    /// What closes the export (and, for an empty one, its header).
    pub fn finish(&self) -> String {
        match self.format {
            DhcpFormat::Csv if self.rows == 0 => {
                "ip,mac,switch_ip,switch_name,port,customer_id,agreement\n".into()
            }
            DhcpFormat::Csv => String::new(),
            DhcpFormat::Json if self.rows == 0 => "[]\n".into(),
            DhcpFormat::Json => "\n]\n".into(),
            DhcpFormat::Dhcpd => {
                let head = if self.rows == 0 {
                    "# kassa: fixed addresses of current customers (ISC dhcpd host blocks)\n"
                } else {
                    ""
                };
                format!(
                    "{head}# {} host(s); {} address(es) left out: no MAC, a subnet, or IPv6 (dhcpd6 takes those)\n",
                    self.rows - self.left_out,
                    self.left_out
                )
            }
        }
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Text fit for a dhcpd comment: one line.
fn comment_safe(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn record_text(r: &AddressRecord) -> String {
    match &r.mac {
        Some(m) if r.ip.is_some() => format!("{} ({m})", r.address()),
        Some(m) => format!("MAC {m}"),
        None => r.address(),
    }
}

fn switches(list: &[SwitchLine], secrets: bool) -> String {
    if list.is_empty() {
        return "No switches.".into();
    }
    list.iter()
        .map(|l| {
            let s = &l.switch;
            let mut line = format!(
                "{} {} {} {} {} {}/{} ports{}",
                right(&s.id.to_string(), 4),
                cell(&s.name, 18),
                cell(&s.ip, 15),
                cell(&s.model, 14),
                cell(l.house.as_deref().unwrap_or("-"), 18),
                l.ports_used,
                s.ports,
                if s.serves_house { ", serves the house" } else { "" }
            );
            if secrets {
                line.push_str(&format!(
                    "\n     snmp {}  ssh {}  telnet {}",
                    s.snmp_community, s.ssh_password, s.telnet_password
                ));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn port_map(m: &PortMap) -> String {
    let s = &m.switch.switch;
    let mut l = vec![format!(
        "{} ({}), {}, {}: {} of {} ports used",
        s.name,
        s.ip,
        if s.model.is_empty() { "-" } else { s.model.as_str() },
        m.switch.house.as_deref().unwrap_or("no house"),
        m.users.len(),
        s.ports
    )];
    let mut users = m.users.iter().peekable();
    for port in 1..=s.ports {
        match users.peek() {
            Some(u) if u.port == port => {
                l.push(format!(
                    "{} #{} {} {}",
                    right(&port.to_string(), 4),
                    cell(&u.customer_id.to_string(), 7),
                    cell(u.agreement.as_deref().unwrap_or("-"), 10),
                    u.customer_name
                ));
                users.next();
            }
            _ => l.push(format!("{} free", right(&port.to_string(), 4))),
        }
    }
    l.join("\n")
}

fn mac_changes(h: &[MacChange]) -> String {
    h.iter()
        .map(|m| {
            format!(
                "{} {} {} → {} by {}",
                crate::domain::dates::local(m.changed_at).format("%Y-%m-%d %H:%M"),
                cell(m.ip.as_deref().unwrap_or("-"), 15),
                m.mac_before.as_deref().unwrap_or("(none)"),
                m.mac_after.as_deref().unwrap_or("(none)"),
                m.operator_login.as_deref().unwrap_or("system")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn network(n: &CustomerNetwork) -> String {
    let mut l = Vec::new();
    if n.records.is_empty() {
        l.push("No addresses.".to_string());
    }
    for r in &n.records {
        l.push(format!("address   {} {}", cell(&r.address(), 20), r.mac.as_deref().unwrap_or("")));
    }
    match (&n.binding, &n.house_switch) {
        (Some(b), _) => l.push(format!("port      {} ({}) port {}", b.switch_name, b.switch_ip, b.port)),
        (None, Some((name, ip))) => l.push(format!("port      {name} ({ip}), serving the whole house")),
        (None, None) => l.push("port      none".into()),
    }
    if !n.mac_history.is_empty() {
        l.push("MAC changes:".into());
        l.push(mac_changes(&n.mac_history));
    }
    l.join("\n")
}
