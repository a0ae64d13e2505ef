//! A customer's network: addresses (an IP, a subnet, a MAC alone) with their MACs, the switch
//! port, the MAC history; adding, changing and deleting them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Cx, Nav, Step, View};
use crate::domain::text::fit_width as fit;
use crate::service::{AddressRecord, CustomerNetwork};
use crate::tui::app::{Effect, Outcome, ReqId};
use crate::tui::form::{FormKind, FormScreen, field};
use crate::tui::keymap::{Action, Context};
use crate::tui::net_ui::{head, port_text, row, window};
use crate::tui::widgets::dialog;

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
    /// The network of customer `customer_id`, about to be loaded with request `req`.
    pub fn new(customer_id: i64, title: String, req: ReqId) -> NetworkScreen {
        NetworkScreen {
            customer_id,
            title,
            network: None,
            selected: 0,
            confirm_delete: false,
            pending: Some(req),
            error: None,
        }
    }

    pub fn selected_record(&self) -> Option<&AddressRecord> {
        self.network.as_ref().and_then(|n| n.records.get(self.selected))
    }

    pub fn context(&self) -> Context {
        if self.confirm_delete { Context::NetworkConfirm } else { Context::Network }
    }

    /// The network asked for again.
    pub fn reload(&mut self, cx: &mut Cx) -> Step {
        let req = cx.req();
        self.pending = Some(req);
        Step::run(Effect::LoadNetwork { req, customer_id: self.customer_id })
    }

    pub fn key(&mut self, cx: &mut Cx, action: Option<Action>) -> Step {
        let pick = cx.s.net.pick_address;
        let n = self;
        let rows = n.network.as_ref().map(|x| x.records.len()).unwrap_or(0);
        let customer_id = n.customer_id;
        if n.confirm_delete {
            match action {
                Some(Action::Confirm) => {
                    n.confirm_delete = false;
                    if let Some(record) = n.selected_record().cloned() {
                        let req = cx.req();
                        n.pending = Some(req);
                        return Step::run(Effect::DeleteAddress { req, customer_id, record });
                    }
                }
                Some(Action::Back) => n.confirm_delete = false,
                _ => {}
            }
            return Step::none();
        }
        match action {
            Some(Action::Back) => {
                // back on the card, which shows the network as it is now
                return Step::go(Nav::BackToCard);
            }
            Some(Action::Up) => n.selected = n.selected.saturating_sub(1),
            Some(Action::Down) => n.selected = (n.selected + 1).min(rows.saturating_sub(1)),
            Some(Action::Home | Action::PageUp) => n.selected = 0,
            Some(Action::End | Action::PageDown) => n.selected = rows.saturating_sub(1),
            Some(Action::Refresh) => return n.reload(cx),
            Some(Action::AddIp) => {
                let form = FormScreen::new(
                    FormKind::IpAdd(customer_id),
                    vec![field("ip", |s| s.net.f_ip, 45, ""), field("mac", |s| s.net.f_mac, 17, "")],
                );
                return Step::go(Nav::OpenForm(Box::new(form)));
            }
            Some(Action::AddSubnet) => {
                let form = FormScreen::new(
                    FormKind::SubnetAdd(customer_id),
                    vec![
                        field("ip", |s| s.net.f_first_ip, 45, ""),
                        field("prefix", |s| s.net.f_prefix, 4, ""),
                    ],
                );
                return Step::go(Nav::OpenForm(Box::new(form)));
            }
            Some(Action::SetMac) => {
                match n.selected_record().and_then(|r| r.ip.clone().map(|ip| (ip, r.mac.clone()))) {
                    Some((ip, mac)) => {
                        let form = FormScreen::new(
                            FormKind::SetMac(ip),
                            vec![field("mac", |s| s.net.f_mac, 17, mac.as_deref().unwrap_or(""))],
                        );
                        return Step::go(Nav::OpenForm(Box::new(form)));
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
                    vec![
                        field("switch", |s| s.net.f_switch, 256, &sw),
                        field("port", |s| s.net.f_port, 4, &port),
                    ],
                );
                return Step::go(Nav::OpenForm(Box::new(form)));
            }
            Some(Action::UnbindPort) if n.network.as_ref().is_some_and(|x| x.binding.is_some()) => {
                let req = cx.req();
                n.pending = Some(req);
                return Step::run(Effect::Unbind { req, customer_id });
            }
            Some(Action::DeleteIp) if rows > 0 => n.confirm_delete = true,
            _ => {}
        }
        Step::none()
    }

    /// The network, or the result of a change made from it (then the network again).
    pub fn answer(&mut self, cx: &mut Cx, outcome: Outcome) -> Step {
        match outcome {
            Outcome::Network(r) => match *r {
                Ok(net) => {
                    self.selected = self.selected.min(net.records.len().saturating_sub(1));
                    self.network = Some(net);
                    self.error = None;
                }
                Err(e) => self.error = Some(cx.error_text(&e)),
            },
            Outcome::Saved(Ok(_)) => return self.reload(cx),
            Outcome::Saved(Err(e)) => self.error = Some(cx.error_text(&e)),
            _ => {}
        }
        Step::none()
    }

    /// The addresses with their MACs, the switch port, the MAC history; the question before a
    /// deletion over them.
    pub fn draw(&self, f: &mut Frame, v: &View, area: Rect) {
        let ns = self;
        let s = v.s;
        let n = s.net;
        let t = v.t;
        let mut lines = vec![Line::from(Span::styled(ns.title.clone(), t.title))];
        let Some(net) = &ns.network else {
            let (text, style) = match &ns.error {
                Some(e) => (e.clone(), t.error),
                None => (s.loading.to_string(), t.dim),
            };
            lines.push(Line::from(Span::styled(text, style)));
            f.render_widget(Paragraph::new(lines), area);
            return;
        };
        lines.push(Line::from(vec![Span::styled(fit(n.card_port, 12), t.dim), Span::raw(port_text(s, net))]));
        lines.push(Line::from(""));
        lines.push(head(t, vec![fit(n.col_ip, 30), fit(n.col_mac, 18), fit(n.col_added, 16)]));
        if net.records.is_empty() {
            lines.push(Line::from(Span::styled(format!("  {}", n.no_addresses), t.dim)));
        }
        let history_rows = net.mac_history.len().max(1) + 2;
        let height = (area.height as usize).saturating_sub(lines.len() + history_rows + 1).max(1);
        let first = window(ns.selected, height);
        for (i, r) in net.records.iter().enumerate().skip(first).take(height) {
            lines.push(row(
                t,
                i == ns.selected,
                vec![
                    fit(&r.address(), 30),
                    fit(r.mac.as_deref().unwrap_or("—"), 18),
                    fit(&crate::domain::dates::local(r.created_at).format("%d.%m.%Y %H:%M").to_string(), 16),
                ],
            ));
        }
        if let Some(e) = &ns.error {
            lines.push(Line::from(Span::styled(e.clone(), t.error)));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(n.mac_history, t.accent)));
        if net.mac_history.is_empty() {
            lines.push(Line::from(Span::styled(format!("  {}", n.mac_none), t.dim)));
        }
        for m in &net.mac_history {
            lines.push(Line::from(Span::raw(format!(
                "  {}  {}  {} → {}  {}",
                crate::domain::dates::local(m.changed_at).format("%d.%m.%Y %H:%M"),
                fit(m.ip.as_deref().unwrap_or("—"), 15),
                m.mac_before.as_deref().unwrap_or("—"),
                m.mac_after.as_deref().unwrap_or("—"),
                m.operator_login.as_deref().unwrap_or("")
            ))));
        }
        f.render_widget(Paragraph::new(lines), area);
        if ns.confirm_delete
            && let Some(r) = ns.selected_record()
        {
            let what = match &r.mac {
                Some(m) if r.ip.is_some() => format!("{} ({m})", r.address()),
                Some(m) => m.clone(),
                None => r.address(),
            };
            let body = vec![
                Line::from(Span::styled(what, t.title)),
                Line::from(""),
                Line::from(Span::styled(
                    format!("Enter / y — {}   Esc / n — {}", s.key_delete, s.key_cancel),
                    t.key,
                )),
            ];
            dialog(f, area, 60, n.delete_question, body);
        }
    }
}
