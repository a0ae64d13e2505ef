//! The network screens' state and keys: houses, a house, switches, a switch's ports, a
//! customer's network, and the one form every change outside a payment is typed into (the
//! network's, a promised payment, a credit limit). Like `app`, these
//! are plain functions: they change the state and return the service calls to run.

use super::app::{App, Effect, Outcome, ReqId, Screen};
use super::input::Input;
use super::keymap::Action;
use super::strings_net::NetStrings;
use crate::domain::customer::LookupKind;
use crate::domain::role::Permission;
use crate::service::{
    Actor, AddressRecord, CustomerFilter, CustomerNetwork, CustomerSummary, HouseInput, HouseLine,
    IpSelection, PortMap, Service, ServiceError, SwitchInput, SwitchLine,
};

/// Which list a list screen shows. A house or a switch is named as typed (`#12`, `Ленина 5`,
/// `sw-lenina-5`): the service finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    Houses,
    House(String),
    Switches,
    Ports(String),
}

/// What a list screen has loaded.
#[derive(Debug, Clone)]
pub enum ListData {
    Houses(Vec<HouseLine>),
    House { house: HouseLine, switches: Vec<SwitchLine>, customers: Vec<CustomerSummary> },
    Switches(Vec<SwitchLine>),
    Ports(PortMap),
}

/// What Enter on a row opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Card(i64),
    House(i64),
    Ports(i64),
    Nothing,
}

impl ListData {
    pub fn rows(&self) -> usize {
        match self {
            ListData::Houses(h) => h.len(),
            ListData::House { switches, customers, .. } => switches.len() + customers.len(),
            ListData::Switches(s) => s.len(),
            ListData::Ports(m) => m.switch.switch.ports.max(0) as usize,
        }
    }

    pub fn target(&self, row: usize) -> Target {
        match self {
            ListData::Houses(h) => h.get(row).map(|h| Target::House(h.house.id)).unwrap_or(Target::Nothing),
            ListData::House { switches, customers, .. } => match switches.get(row) {
                Some(s) => Target::Ports(s.switch.id),
                None => {
                    customers.get(row - switches.len()).map(|c| Target::Card(c.id)).unwrap_or(Target::Nothing)
                }
            },
            ListData::Switches(s) => {
                s.get(row).map(|s| Target::Ports(s.switch.id)).unwrap_or(Target::Nothing)
            }
            ListData::Ports(m) => {
                let port = row as i64 + 1;
                m.users
                    .iter()
                    .find(|u| u.port == port)
                    .map(|u| Target::Card(u.customer_id))
                    .unwrap_or(Target::Nothing)
            }
        }
    }
}

pub struct ListScreen {
    pub kind: ListKind,
    pub data: Option<ListData>,
    pub selected: usize,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
}

pub struct NetworkScreen {
    pub customer_id: i64,
    /// The customer's name and agreement, for the header.
    pub title: String,
    pub network: Option<CustomerNetwork>,
    pub selected: usize,
    /// Asking whether to delete the selected record.
    pub confirm_delete: bool,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
}

impl NetworkScreen {
    pub fn selected_record(&self) -> Option<&AddressRecord> {
        self.network.as_ref().and_then(|n| n.records.get(self.selected))
    }
}

/// What a form saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    HouseAdd,
    HouseEdit(i64),
    SwitchAdd,
    SwitchEdit(i64),
    IpAdd(i64),
    SubnetAdd(i64),
    SetMac(String),
    BindPort(i64),
    Promise(i64),
    CreditLimit(i64),
    State(i64),
    /// Move to the former customers (`true`) or back.
    Former(i64, bool),
}

pub struct FormField {
    /// The service's name for the field: its errors come back under this name.
    pub name: &'static str,
    pub label: fn(&NetStrings) -> &'static str,
    pub input: Input,
    /// A credential: typed masked, shown only when asked for.
    pub secret: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormStage {
    Edit,
    /// The port is taken; the message names who is on it.
    ConfirmMove(String),
    Saving,
}

pub struct FormScreen {
    pub kind: FormKind,
    pub fields: Vec<FormField>,
    pub focus: usize,
    /// (field index, message); an index past the fields is the form's own error.
    pub error: Option<(usize, String)>,
    pub stage: FormStage,
    /// Whether the credentials are shown (and, when editing, loaded).
    pub revealed: bool,
    pub pending: Option<ReqId>,
}

pub fn field(
    name: &'static str,
    label: fn(&NetStrings) -> &'static str,
    max: usize,
    value: &str,
) -> FormField {
    FormField { name, label, input: Input::new(max).with_text(value), secret: false }
}

fn secret(name: &'static str, label: fn(&NetStrings) -> &'static str) -> FormField {
    FormField { name, label, input: Input::masked(40), secret: true }
}

impl FormScreen {
    pub fn new(kind: FormKind, fields: Vec<FormField>) -> FormScreen {
        FormScreen {
            kind,
            fields,
            focus: 0,
            error: None,
            stage: FormStage::Edit,
            revealed: false,
            pending: None,
        }
    }

    pub fn house(kind: FormKind, h: Option<&HouseLine>) -> FormScreen {
        let v = |f: fn(&crate::service::House) -> String| h.map(|h| f(&h.house)).unwrap_or_default();
        FormScreen::new(
            kind,
            vec![
                field(
                    "city",
                    |s| s.f_city,
                    256,
                    &h.map(|h| h.house.city.clone()).unwrap_or_else(|| "Казань".into()),
                ),
                field("street", |s| s.f_street, 256, &v(|h| h.street.clone())),
                field(
                    "number",
                    |s| s.f_number,
                    6,
                    &v(|h| if h.number > 0 { h.number.to_string() } else { String::new() }),
                ),
                field("letter", |s| s.f_letter, 32, &v(|h| h.letter.clone())),
                field("postcode", |s| s.f_postcode, 10, &v(|h| h.postcode.clone())),
                field(
                    "connect_date",
                    |s| s.f_connect_date,
                    10,
                    &v(|h| h.connect_date.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_default()),
                ),
            ],
        )
    }

    pub fn switch(kind: FormKind, sw: Option<&SwitchLine>, house_id: Option<i64>) -> FormScreen {
        let v = |f: fn(&crate::service::Switch) -> String| sw.map(|l| f(&l.switch)).unwrap_or_default();
        let house =
            sw.and_then(|l| l.switch.house_id).or(house_id).map(|h| h.to_string()).unwrap_or_default();
        FormScreen::new(
            kind,
            vec![
                field("name", |s| s.f_name, 256, &v(|s| s.name.clone())),
                field("ip", |s| s.f_ip, 45, &v(|s| s.ip.clone())),
                field("model", |s| s.f_model, 256, &v(|s| s.model.clone())),
                field("house_id", |s| s.f_house_id, 12, &house),
                field(
                    "ports",
                    |s| s.f_ports,
                    4,
                    &v(|s| if s.ports > 0 { s.ports.to_string() } else { String::new() }),
                ),
                field(
                    "serves_house",
                    |s| s.f_serves_house,
                    5,
                    &v(|s| if s.serves_house { "да".into() } else { "нет".into() }),
                ),
                secret("snmp_community", |s| s.f_snmp),
                secret("ssh_password", |s| s.f_ssh),
                secret("telnet_password", |s| s.f_telnet),
            ],
        )
    }

    /// The typed values, in field order. A credential left empty while editing, unseen, is
    /// `None`: kept as it is.
    pub fn values(&self) -> Vec<Option<String>> {
        let editing = matches!(self.kind, FormKind::SwitchEdit(_));
        self.fields
            .iter()
            .map(|f| {
                let t = f.input.text();
                if f.secret && editing && !self.revealed && t.is_empty() { None } else { Some(t) }
            })
            .collect()
    }

    pub fn title(&self, s: &NetStrings) -> &'static str {
        match self.kind {
            FormKind::HouseAdd => s.form_house_add,
            FormKind::HouseEdit(_) => s.form_house_edit,
            FormKind::SwitchAdd => s.form_switch_add,
            FormKind::SwitchEdit(_) => s.form_switch_edit,
            FormKind::IpAdd(_) => s.form_ip_add,
            FormKind::SubnetAdd(_) => s.form_subnet_add,
            FormKind::SetMac(_) => s.form_set_mac,
            FormKind::BindPort(_) => s.form_bind,
            FormKind::Promise(_) => s.form_promise,
            FormKind::CreditLimit(_) => s.form_credit,
            FormKind::State(_) => s.form_state,
            FormKind::Former(_, true) => s.form_to_former,
            FormKind::Former(_, false) => s.form_back,
        }
    }

    /// Sends what is typed to the service (`take_over`: the operator agreed to move whoever
    /// holds the port).
    fn save(&mut self, req: ReqId, take_over: bool) -> Vec<Effect> {
        self.error = None;
        self.stage = FormStage::Saving;
        self.pending = Some(req);
        vec![Effect::SaveForm { req, kind: self.kind.clone(), values: self.values(), take_over }]
    }

    fn show_secrets(&mut self, shown: bool) {
        self.revealed = shown;
        for f in self.fields.iter_mut().filter(|f| f.secret) {
            f.input.masked = !shown;
        }
    }
}

impl App {
    fn net(&self) -> &'static NetStrings {
        self.strings().net
    }

    /// Opens a list screen over the current one.
    pub(super) fn open_list(&mut self, kind: ListKind) -> Vec<Effect> {
        let req = self.req();
        self.screens.push(Screen::List(Box::new(ListScreen {
            kind: kind.clone(),
            data: None,
            selected: 0,
            pending: Some(req),
            error: None,
        })));
        vec![Effect::LoadList { req, kind }]
    }

    /// Opens a customer's network over their card.
    pub(super) fn open_network(&mut self, customer_id: i64, title: String) -> Vec<Effect> {
        let req = self.req();
        self.screens.push(Screen::Network(Box::new(NetworkScreen {
            customer_id,
            title,
            network: None,
            selected: 0,
            confirm_delete: false,
            pending: Some(req),
            error: None,
        })));
        vec![Effect::LoadNetwork { req, customer_id }]
    }

    pub(super) fn open_form(&mut self, form: FormScreen) -> Vec<Effect> {
        self.screens.push(Screen::Form(Box::new(form)));
        Vec::new()
    }

    /// The reload of the screen on top (after a change saved from a form over it).
    pub(super) fn reload_top(&mut self) -> Vec<Effect> {
        let req = self.req();
        match self.screen_mut() {
            Screen::List(l) => {
                l.pending = Some(req);
                vec![Effect::LoadList { req, kind: l.kind.clone() }]
            }
            Screen::Network(n) => {
                n.pending = Some(req);
                vec![Effect::LoadNetwork { req, customer_id: n.customer_id }]
            }
            Screen::Card(c) => {
                c.pending = Some(req);
                vec![Effect::Card { req, id: c.id }]
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn list_key(&mut self, action: Option<Action>) -> Vec<Effect> {
        let can_house = self.can(Permission::HouseManage);
        let can_net = self.can(Permission::NetworkManage);
        let denied = self.strings().denied;
        let Screen::List(l) = self.screen_mut() else { return Vec::new() };
        let n = l.data.as_ref().map(ListData::rows).unwrap_or(0);
        let last = n.saturating_sub(1);
        match action {
            Some(Action::Back) => {
                self.screens.pop();
            }
            Some(Action::Up) => l.selected = l.selected.saturating_sub(1),
            Some(Action::Down) => l.selected = (l.selected + 1).min(last),
            Some(Action::PageUp) => l.selected = l.selected.saturating_sub(10),
            Some(Action::PageDown) => l.selected = (l.selected + 10).min(last),
            Some(Action::Home) => l.selected = 0,
            Some(Action::End) => l.selected = last,
            Some(Action::Refresh) => return self.reload_top(),
            Some(Action::Open) => {
                let target = l.data.as_ref().map(|d| d.target(l.selected)).unwrap_or(Target::Nothing);
                return match target {
                    Target::Card(id) => self.open_card(id),
                    Target::House(id) => self.open_list(ListKind::House(format!("#{id}"))),
                    Target::Ports(id) => self.open_list(ListKind::Ports(format!("#{id}"))),
                    Target::Nothing => Vec::new(),
                };
            }
            Some(Action::AddHouse) if can_house => {
                return self.open_form(FormScreen::house(FormKind::HouseAdd, None));
            }
            Some(Action::EditHouse) if can_house => {
                if let Some(ListData::Houses(h)) = &l.data
                    && let Some(line) = h.get(l.selected)
                {
                    let form = FormScreen::house(FormKind::HouseEdit(line.house.id), Some(line));
                    return self.open_form(form);
                }
            }
            Some(Action::AddSwitch) if can_net => {
                return self.open_form(FormScreen::switch(FormKind::SwitchAdd, None, None));
            }
            Some(Action::EditSwitch) if can_net => {
                let line = match &l.data {
                    Some(ListData::Switches(s)) => s.get(l.selected).cloned(),
                    Some(ListData::Ports(m)) => Some(m.switch.clone()),
                    _ => None,
                };
                if let Some(line) = line {
                    return self.open_form(FormScreen::switch(
                        FormKind::SwitchEdit(line.switch.id),
                        Some(&line),
                        None,
                    ));
                }
            }
            Some(Action::AddHouse | Action::EditHouse | Action::AddSwitch | Action::EditSwitch) => {
                self.status = Some(denied.to_string());
            }
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn network_key(&mut self, action: Option<Action>) -> Vec<Effect> {
        let can = self.can(Permission::NetworkManage);
        let denied = self.strings().denied;
        let pick = self.net().pick_address;
        let req = self.req();
        let Screen::Network(n) = self.screen_mut() else { return Vec::new() };
        let rows = n.network.as_ref().map(|x| x.records.len()).unwrap_or(0);
        let customer_id = n.customer_id;
        if n.confirm_delete {
            match action {
                Some(Action::Confirm) => {
                    n.confirm_delete = false;
                    if let Some(record) = n.selected_record().cloned() {
                        n.pending = Some(req);
                        return vec![Effect::DeleteAddress { req, customer_id, record }];
                    }
                }
                Some(Action::Back) => n.confirm_delete = false,
                _ => {}
            }
            return Vec::new();
        }
        match action {
            Some(Action::Back) => {
                // back on the card, which shows the network as it is now
                return self.back_to_card(req);
            }
            Some(Action::Up) => n.selected = n.selected.saturating_sub(1),
            Some(Action::Down) => n.selected = (n.selected + 1).min(rows.saturating_sub(1)),
            Some(Action::Home | Action::PageUp) => n.selected = 0,
            Some(Action::End | Action::PageDown) => n.selected = rows.saturating_sub(1),
            Some(Action::Refresh) => return self.reload_top(),
            Some(
                Action::AddIp
                | Action::AddSubnet
                | Action::SetMac
                | Action::BindPort
                | Action::UnbindPort
                | Action::DeleteIp,
            ) if !can => {
                self.status = Some(denied.to_string());
            }
            Some(Action::AddIp) => {
                let form = FormScreen::new(
                    FormKind::IpAdd(customer_id),
                    vec![field("ip", |s| s.f_ip, 45, ""), field("mac", |s| s.f_mac, 17, "")],
                );
                return self.open_form(form);
            }
            Some(Action::AddSubnet) => {
                let form = FormScreen::new(
                    FormKind::SubnetAdd(customer_id),
                    vec![field("ip", |s| s.f_first_ip, 45, ""), field("prefix", |s| s.f_prefix, 4, "")],
                );
                return self.open_form(form);
            }
            Some(Action::SetMac) => {
                match n.selected_record().and_then(|r| r.ip.clone().map(|ip| (ip, r.mac.clone()))) {
                    Some((ip, mac)) => {
                        let form = FormScreen::new(
                            FormKind::SetMac(ip),
                            vec![field("mac", |s| s.f_mac, 17, mac.as_deref().unwrap_or(""))],
                        );
                        return self.open_form(form);
                    }
                    None => n.error = Some(pick.to_string()),
                }
            }
            Some(Action::BindPort) => {
                let (sw, port) = match n.network.as_ref().and_then(|x| x.binding.as_ref()) {
                    Some(b) => (b.switch_name.clone(), b.port.to_string()),
                    None => (
                        n.network
                            .as_ref()
                            .and_then(|x| x.house_switch.clone())
                            .map(|h| h.0)
                            .unwrap_or_default(),
                        String::new(),
                    ),
                };
                let form = FormScreen::new(
                    FormKind::BindPort(customer_id),
                    vec![field("switch", |s| s.f_switch, 256, &sw), field("port", |s| s.f_port, 4, &port)],
                );
                return self.open_form(form);
            }
            Some(Action::UnbindPort) if n.network.as_ref().is_some_and(|x| x.binding.is_some()) => {
                n.pending = Some(req);
                return vec![Effect::Unbind { req, customer_id }];
            }
            Some(Action::DeleteIp) if rows > 0 => n.confirm_delete = true,
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn form_key(
        &mut self,
        ev: &ratatui::crossterm::event::KeyEvent,
        action: Option<Action>,
    ) -> Vec<Effect> {
        let can_reveal = self.can(Permission::SwitchSecrets);
        let req = self.req();
        let Screen::Form(fm) = self.screen_mut() else { return Vec::new() };
        let n = fm.fields.len();
        match (&fm.stage, action) {
            (FormStage::Edit, Some(Action::Back)) => {
                self.screens.pop();
            }
            (FormStage::Edit, Some(Action::NextField)) if n > 0 => fm.focus = (fm.focus + 1) % n,
            (FormStage::Edit, Some(Action::PrevField)) if n > 0 => fm.focus = (fm.focus + n - 1) % n,
            (FormStage::Edit, Some(Action::Reveal)) if can_reveal && fm.fields.iter().any(|f| f.secret) => {
                if fm.revealed {
                    fm.show_secrets(false);
                } else if let FormKind::SwitchEdit(id) = fm.kind {
                    fm.pending = Some(req);
                    return vec![Effect::Secrets { req, switch_id: id }];
                } else {
                    fm.show_secrets(true);
                }
            }
            (FormStage::Edit, Some(Action::Clear)) => {
                if let Some(f) = fm.fields.get_mut(fm.focus) {
                    f.input.clear();
                }
                fm.error = None;
            }
            (FormStage::Edit, Some(Action::Submit)) => return fm.save(req, false),
            (FormStage::Edit, _) => {
                if let Some(f) = fm.fields.get_mut(fm.focus)
                    && f.input.handle(ev) == Some(true)
                {
                    fm.error = None;
                }
            }
            (FormStage::ConfirmMove(_), Some(Action::Confirm)) => return fm.save(req, true),
            (FormStage::ConfirmMove(_), Some(Action::Back)) => fm.stage = FormStage::Edit,
            _ => {}
        }
        Vec::new()
    }

    /// `:ip`, `:mac`, `:sw`, `:house` and `:n`: the NOC's jumps. `None` when `word` is none of them.
    pub(super) fn network_command(&mut self, word: &str, arg: &str) -> Option<Vec<Effect>> {
        let needs_arg = self.strings().cmd_needs_arg;
        let lookup = |kind| (kind, arg.to_string());
        let found = match word {
            "ip" => Some(lookup(LookupKind::Ip)),
            "mac" => Some(lookup(LookupKind::Mac)),
            _ => None,
        };
        if let Some((kind, value)) = found {
            if value.is_empty() {
                self.status = Some(format!("{needs_arg}: :{word} …"));
                return Some(Vec::new());
            }
            let req = self.req();
            self.resolving = Some((req, value.clone()));
            return Some(vec![Effect::Lookup { req, kind, value }]);
        }
        let kind = match (word, arg.is_empty()) {
            ("sw" | "switch" | "switches", true) => ListKind::Switches,
            ("sw" | "switch", false) => ListKind::Ports(arg.to_string()),
            ("house" | "houses", true) => ListKind::Houses,
            ("house", false) => ListKind::House(arg.to_string()),
            ("n" | "net" | "network", _) => return Some(self.card_action(Action::Network)),
            _ => return None,
        };
        // a jump starts from the search screen: Esc goes back to searching
        self.screens.truncate(1);
        Some(self.open_list(kind))
    }

    /// Takes the result of a network service call; gives `outcome` back when it is not one of theirs.
    pub(super) fn net_outcome(&mut self, req: ReqId, outcome: Outcome) -> Result<Vec<Effect>, Box<Outcome>> {
        match outcome {
            Outcome::List(r) => {
                let text = r.as_ref().as_ref().err().map(|e| self.error_text(e));
                if let Some(Screen::List(l)) = self.awaiting(req) {
                    match *r {
                        Ok(data) => {
                            l.selected = l.selected.min(data.rows().saturating_sub(1));
                            l.data = Some(data);
                            l.error = None;
                        }
                        Err(_) => l.error = text,
                    }
                }
                Ok(Vec::new())
            }
            Outcome::Network(r) => {
                let text = r.as_ref().as_ref().err().map(|e| self.error_text(e));
                if let Some(Screen::Network(n)) = self.awaiting(req) {
                    match *r {
                        Ok(net) => {
                            n.selected = n.selected.min(net.records.len().saturating_sub(1));
                            n.network = Some(net);
                            n.error = None;
                        }
                        Err(_) => n.error = text,
                    }
                }
                Ok(Vec::new())
            }
            Outcome::Secrets(r) => {
                let text = r.as_ref().err().map(|e| self.error_text(e));
                if let Some(Screen::Form(fm)) = self.awaiting(req) {
                    match r {
                        Ok(sw) => {
                            for f in fm.fields.iter_mut() {
                                match f.name {
                                    "snmp_community" => f.input.set(&sw.snmp_community),
                                    "ssh_password" => f.input.set(&sw.ssh_password),
                                    "telnet_password" => f.input.set(&sw.telnet_password),
                                    _ => {}
                                }
                            }
                            fm.show_secrets(true);
                        }
                        Err(_) => fm.error = Some((usize::MAX, text.unwrap_or_default())),
                    }
                }
                Ok(Vec::new())
            }
            Outcome::Saved(r) => {
                let text = r.as_ref().err().map(|e| self.error_text(e));
                let words = self.net().port_taken;
                let rule_words = self.strings().promise_rules;
                match self.awaiting(req) {
                    Some(Screen::Form(fm)) => match r {
                        Ok(()) => {
                            self.screens.pop();
                            return Ok(self.reload_top());
                        }
                        Err(ServiceError::PortTaken { port, switch, holder_id, holder_name }) => {
                            let [p, of, by] = words;
                            fm.stage = FormStage::ConfirmMove(format!(
                                "{p} {port} {of} «{switch}» {by} #{holder_id} ({holder_name})"
                            ));
                        }
                        Err(ServiceError::PromiseRefused { rule, message }) => {
                            let i = rule as usize;
                            fm.stage = FormStage::Edit;
                            fm.error = Some((usize::MAX, format!("{}. {message}", rule_words[i])));
                        }
                        Err(ServiceError::Invalid { field, message }) => {
                            fm.stage = FormStage::Edit;
                            match fm.fields.iter().position(|f| f.name == field) {
                                Some(i) => {
                                    fm.focus = i;
                                    fm.error = Some((i, message));
                                }
                                None => fm.error = Some((usize::MAX, text.unwrap_or_default())),
                            }
                        }
                        Err(_) => {
                            fm.stage = FormStage::Edit;
                            fm.error = Some((usize::MAX, text.unwrap_or_default()));
                        }
                    },
                    Some(Screen::Network(n)) => match r {
                        Ok(()) => return Ok(self.reload_top()),
                        Err(_) => n.error = text,
                    },
                    _ => {}
                }
                Ok(Vec::new())
            }
            other => Err(Box::new(other)),
        }
    }
}

/// Runs one network effect against the service.
pub async fn execute(svc: &Service, a: &Actor, effect: Effect) -> (ReqId, Outcome) {
    match effect {
        Effect::LoadList { req, kind } => (req, Outcome::List(Box::new(load_list(svc, a, &kind).await))),
        Effect::LoadNetwork { req, customer_id } => {
            (req, Outcome::Network(Box::new(svc.customer_network(a, customer_id).await)))
        }
        Effect::SaveForm { req, kind, values, take_over } => {
            (req, Outcome::Saved(save(svc, a, &kind, values, take_over).await))
        }
        Effect::DeleteAddress { req, customer_id, record } => {
            let r = match (&record.ip, record.prefix) {
                (Some(ip), Some(_)) => svc.delete_subnet(a, customer_id, ip).await.map(drop),
                (Some(ip), None) => {
                    svc.delete_ip(a, customer_id, &IpSelection::One(ip.clone())).await.map(drop)
                }
                (None, _) => svc.delete_ip(a, customer_id, &IpSelection::MacOnly).await.map(drop),
            };
            (req, Outcome::Saved(r))
        }
        Effect::Unbind { req, customer_id } => {
            (req, Outcome::Saved(svc.unbind_port(a, customer_id).await.map(drop)))
        }
        Effect::Secrets { req, switch_id } => {
            let r = svc.list_switches(a, Some(switch_id), None, true).await.and_then(|mut l| {
                l.pop().map(|l| l.switch).ok_or_else(|| ServiceError::NotFound(format!("switch {switch_id}")))
            });
            (req, Outcome::Secrets(r))
        }
        Effect::Lookup { req, kind, value } => {
            let r = svc.find_customer_ids(a, kind, &value, false).await.and_then(|ids| {
                ids.first().copied().ok_or_else(|| ServiceError::NotFound(format!("customer with {value}")))
            });
            (req, Outcome::Resolved(r))
        }
        other => (0, Outcome::Resolved(Err(ServiceError::NotFound(format!("effect {other:?}"))))),
    }
}

async fn load_list(svc: &Service, a: &Actor, kind: &ListKind) -> Result<ListData, ServiceError> {
    Ok(match kind {
        ListKind::Houses => ListData::Houses(svc.list_houses(a, None).await?),
        ListKind::House(reference) => {
            let house = svc.find_house(a, reference).await?;
            let switches = svc.list_switches(a, None, Some(house.house.id), false).await?;
            let filter = CustomerFilter { house_id: Some(house.house.id), limit: 1000, ..Default::default() };
            let mut customers = svc.list_customers(a, &filter).await?;
            customers.sort_by_key(|c| (flat_order(c.apartment.as_deref()), c.id));
            ListData::House { house, switches, customers }
        }
        ListKind::Switches => ListData::Switches(svc.list_switches(a, None, None, false).await?),
        ListKind::Ports(reference) => {
            let id = svc.find_switch(a, reference).await?.switch.id;
            ListData::Ports(svc.port_map(a, id).await?)
        }
    })
}

/// Flats in the order of their numbers (`2` before `10`), the unnumbered last.
fn flat_order(apartment: Option<&str>) -> (u64, String) {
    let a = apartment.unwrap_or("");
    let digits: String = a.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), a.to_string())
}

async fn save(
    svc: &Service,
    a: &Actor,
    kind: &FormKind,
    values: Vec<Option<String>>,
    take_over: bool,
) -> Result<(), ServiceError> {
    let v = |i: usize| values.get(i).cloned().flatten();
    let text = |i: usize| v(i).unwrap_or_default();
    match kind {
        FormKind::HouseAdd | FormKind::HouseEdit(_) => {
            let input = HouseInput {
                city: v(0),
                street: v(1),
                number: v(2),
                letter: v(3),
                postcode: v(4),
                connect_date: v(5),
                ..Default::default()
            };
            match kind {
                FormKind::HouseEdit(id) => svc.edit_house(a, *id, &input).await.map(drop),
                _ => svc.add_house(a, &input).await.map(drop),
            }
        }
        FormKind::SwitchAdd | FormKind::SwitchEdit(_) => {
            let input = SwitchInput {
                name: v(0),
                ip: v(1),
                model: v(2),
                house_id: v(3),
                ports: v(4),
                serves_house: v(5),
                snmp_community: v(6),
                ssh_password: v(7),
                telnet_password: v(8),
            };
            match kind {
                FormKind::SwitchEdit(id) => svc.edit_switch(a, *id, &input).await.map(drop),
                _ => svc.add_switch(a, &input).await.map(drop),
            }
        }
        FormKind::IpAdd(c) => svc.add_ip(a, *c, &text(0), &text(1)).await.map(drop),
        FormKind::SubnetAdd(c) => svc.add_subnet(a, *c, &text(0), &text(1)).await.map(drop),
        FormKind::SetMac(ip) => svc.set_mac(a, ip, &text(0)).await.map(drop),
        FormKind::Promise(c) => {
            let amount = crate::domain::money::Money::parse_positive(&text(0))
                .map_err(|e| ServiceError::invalid("amount", e))?;
            let days = text(1).trim().parse::<i64>().map_err(|_| {
                ServiceError::invalid("days", format!("'{}' is not a number of days", text(1).trim()))
            })?;
            svc.promise_payment(a, *c, amount, days).await.map(drop)
        }
        FormKind::State(c) => {
            let t = text(0).trim().to_lowercase();
            let state = match t.as_str() {
                "стоп" => Ok(crate::domain::customer::CustomerState::Stop),
                "пауза" => Ok(crate::domain::customer::CustomerState::Pause),
                "активен" | "актив" => Ok(crate::domain::customer::CustomerState::Active),
                other => other.parse(),
            }
            .map_err(|e| ServiceError::invalid("state", e))?;
            svc.change_state(a, *c, state).await.map(drop)
        }
        FormKind::Former(c, to_former) => svc.set_former(a, *c, *to_former).await.map(drop),
        FormKind::CreditLimit(c) => {
            let limit = crate::domain::money::Money::parse(&text(0))
                .map_err(|e| ServiceError::invalid("amount", e))?;
            svc.set_credit_limit(a, *c, limit).await.map(drop)
        }
        FormKind::BindPort(c) => {
            let sw = match svc.find_switch(a, &text(0)).await {
                Ok(l) => l.switch.id,
                Err(ServiceError::NotFound(what)) => {
                    return Err(ServiceError::invalid("switch", format!("{what} not found")));
                }
                Err(e) => return Err(e),
            };
            svc.bind_port(a, *c, sw, &text(1), take_over).await.map(drop)
        }
    }
}
