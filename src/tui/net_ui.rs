//! Drawing the network screens: houses, a house, switches, a switch's ports, a customer's
//! network, the forms, and the network lines of the card. Like `ui`, it only reads the state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, Screen};
use super::net::{ListData, ListKind};
use super::strings::Strings;
use super::theme::Theme;
use super::ui::right;
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

fn message(f: &mut Frame, t: &Theme, area: Rect, text: &str, style: Style) {
    let _ = t;
    f.render_widget(Paragraph::new(Line::from(Span::styled(text.to_string(), style))), area);
}

pub fn draw_list(f: &mut Frame, app: &App, screen: &Screen, area: Rect) {
    let Screen::List(l) = screen else { return };
    let s = app.strings();
    let n = s.net;
    let t = &app.theme;
    if super::records_ui::draw_list(f, app, l, area) {
        return;
    }
    let Some(data) = &l.data else {
        let (text, style) = match &l.error {
            Some(e) => (e.clone(), t.error),
            None => (s.loading.to_string(), t.dim),
        };
        message(f, t, area, &text, style);
        return;
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    // a header of one or two lines, then the rows
    match data {
        ListData::Houses(_) => lines.push(head(
            t,
            vec![
                fit(n.col_city, 10),
                fit(n.col_street, 23),
                fit(n.col_number, 6),
                fit(n.col_postcode, 8),
                fit(n.col_connected, 10),
                right(n.col_customers, 6),
                right(n.col_switches, 5),
            ],
        )),
        ListData::House { house, .. } => {
            let h = &house.house;
            let mut text = format!("{}, {}", h.city, h.short_address());
            if !h.postcode.is_empty() {
                text.push_str(&format!(" · {}", h.postcode));
            }
            if let Some(d) = h.connect_date {
                text.push_str(&format!(" · {} {}", n.col_connected.to_lowercase(), d.format("%d.%m.%Y")));
            }
            lines.push(Line::from(Span::styled(text, t.title)));
            lines.push(Line::from(Span::styled(
                format!("{}: {}   {}: {}", n.col_customers, house.customers, n.col_switches, house.switches),
                t.dim,
            )));
        }
        ListData::Switches(_) => lines.push(head(
            t,
            vec![
                fit(n.col_switch, 20),
                fit(n.col_ip, 15),
                fit(n.col_model, 15),
                fit(n.col_house, 16),
                right(n.col_ports, 7),
            ],
        )),
        ListData::Ports(m) => {
            let sw = &m.switch.switch;
            lines.push(Line::from(Span::styled(
                format!(
                    "{} ({}) {} · {}",
                    sw.name,
                    sw.ip,
                    sw.model,
                    m.switch.house.as_deref().unwrap_or(n.none)
                ),
                t.title,
            )));
            let mut info = format!("{} {} / {}", n.ports_used, m.users.len(), sw.ports);
            if sw.serves_house {
                info.push_str(&format!(" · {}", n.serves_house));
            }
            lines.push(Line::from(Span::styled(info, t.dim)));
        }
        // drawn by records_ui
        _ => {}
    }
    if let Some(e) = &l.error {
        lines.push(Line::from(Span::styled(e.clone(), t.error)));
    }
    let height = (area.height as usize).saturating_sub(lines.len());
    let first = window(l.selected, height);
    let rows = data.rows();
    if rows == 0 {
        lines.push(Line::from(Span::styled(n.empty_list, t.dim)));
    }
    for i in (first..rows).take(height) {
        let sel = i == l.selected;
        let cells = match data {
            ListData::Houses(hs) => {
                let h = &hs[i];
                vec![
                    fit(&h.house.city, 10),
                    fit(&h.house.street, 23),
                    fit(&format!("{}{}", h.house.number, h.house.letter), 6),
                    fit(&h.house.postcode, 8),
                    fit(
                        &h.house.connect_date.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_default(),
                        10,
                    ),
                    right(&h.customers.to_string(), 6),
                    right(&h.switches.to_string(), 5),
                ]
            }
            ListData::House { switches, customers, .. } => match switches.get(i) {
                Some(sl) => vec![
                    fit(n.switch_tag, 10),
                    fit(&sl.switch.name, 24),
                    fit(&sl.switch.ip, 15),
                    right(&format!("{}/{}", sl.ports_used, sl.switch.ports), 7),
                ],
                None => {
                    let c = &customers[i - switches.len()];
                    let flat =
                        c.apartment.as_deref().map(|a| format!("{} {a}", n.flat_tag)).unwrap_or_default();
                    vec![
                        fit(&flat, 10),
                        fit(c.agreement_number.as_deref().unwrap_or("—"), 8),
                        fit(&c.name, 34),
                        right(&c.balance.format_ru(), 12),
                    ]
                }
            },
            ListData::Switches(ss) => {
                let sl = &ss[i];
                vec![
                    fit(&sl.switch.name, 20),
                    fit(&sl.switch.ip, 15),
                    fit(&sl.switch.model, 15),
                    fit(sl.house.as_deref().unwrap_or(n.none), 16),
                    right(&format!("{}/{}", sl.ports_used, sl.switch.ports), 7),
                ]
            }
            ListData::Ports(m) => {
                let port = i as i64 + 1;
                match m.users.iter().find(|u| u.port == port) {
                    Some(u) => vec![
                        right(&port.to_string(), 4),
                        fit(u.agreement.as_deref().unwrap_or("—"), 8),
                        fit(&u.customer_name, 50),
                    ],
                    None => vec![right(&port.to_string(), 4), n.port_free.to_string()],
                }
            }
            _ => Vec::new(),
        };
        let mut line = row(t, sel, cells);
        if !sel && matches!(data, ListData::Ports(m) if !m.users.iter().any(|u| u.port == i as i64 + 1)) {
            line = line.style(t.dim);
        }
        lines.push(line);
    }
    f.render_widget(Paragraph::new(lines), area);
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
                    m.changed_at.format("%d.%m.%Y"),
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
