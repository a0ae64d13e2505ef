//! Drawing the network screens: houses, a house, switches, a switch's ports, a customer's
//! network, the forms, and the network lines of the card. Like `ui`, it only reads the state.

use ratatui::text::{Line, Span};

use super::app::{App, Screen};
use super::net::ListKind;
use super::strings::Strings;
use super::theme::Theme;
use crate::domain::text::fit_width as fit;
use crate::service::{CustomerCard, CustomerNetwork};

/// The title of a network screen for the top line.
pub fn title(app: &App, screen: &Screen) -> &'static str {
    let n = app.strings().net;
    match screen {
        Screen::List(l) => match l.kind {
            ListKind::Houses => n.houses_title,
            ListKind::House(_) => n.house_title,
            ListKind::Switches => n.switches_title,
            ListKind::Ports(_) => n.ports_title,
            _ => super::records_ui::list_title(app.strings(), &l.kind),
        },
        Screen::Network(_) => n.network_title,
        Screen::Form(f) => f.title(app.strings()),
        _ => "",
    }
}

/// Rows `first..` that fit in `height` with `selected` among them.
pub(super) fn window(selected: usize, height: usize) -> usize {
    selected.saturating_sub(height.saturating_sub(1))
}

pub(super) fn row(t: &Theme, selected: bool, cells: Vec<String>) -> Line<'static> {
    let style = if selected { t.selected } else { t.normal };
    let marker = if selected { "▶ " } else { "  " };
    Line::from(Span::styled(format!("{marker}{}", cells.join(" ")), style))
}

pub(super) fn head(t: &Theme, cells: Vec<String>) -> Line<'static> {
    Line::from(Span::styled(format!("  {}", cells.join(" ")), t.dim))
}

/// The addresses and the port of a customer in a line or two, for the card.
pub fn card_lines(v: &super::screens::View, card: &CustomerCard) -> Vec<Line<'static>> {
    let n = v.s.net;
    let t = v.t;
    let net = &card.network;
    let addresses: Vec<String> = net
        .records
        .iter()
        .map(|r| match &r.mac {
            Some(m) if r.ip.is_some() => format!("{} ({m})", r.address()),
            Some(m) => m.clone(),
            None => r.address(),
        })
        .collect();
    let addresses = if addresses.is_empty() { n.no_addresses.to_string() } else { addresses.join(", ") };
    let mut lines = vec![
        Line::from(vec![Span::styled(fit(n.card_network, 14), t.dim), Span::styled(addresses, t.normal)]),
        Line::from(vec![
            Span::styled(fit(n.card_port, 14), t.dim),
            Span::styled(port_text(v.s, net), t.normal),
        ]),
    ];
    // the newest MAC change: a new router is the usual reason a customer calls
    if let Some(m) = net.mac_history.first() {
        lines.push(Line::from(vec![
            Span::styled(fit(n.mac_history, 14), t.dim),
            Span::styled(
                format!(
                    "{}  {}  {} → {}",
                    crate::domain::dates::local(m.changed_at).format("%d.%m.%Y"),
                    m.ip.as_deref().unwrap_or("—"),
                    m.mac_before.as_deref().unwrap_or("—"),
                    m.mac_after.as_deref().unwrap_or("—")
                ),
                t.normal,
            ),
        ]));
    }
    lines
}

pub fn port_text(s: &Strings, net: &CustomerNetwork) -> String {
    let n = s.net;
    match (&net.binding, &net.house_switch) {
        (Some(b), _) => {
            format!("{} ({}) · {} {}", b.switch_name, b.switch_ip, n.col_port.to_lowercase(), b.port)
        }
        (None, Some((name, ip))) => format!("{name} ({ip}) · {}", n.via_house),
        (None, None) => n.no_port.to_string(),
    }
}
