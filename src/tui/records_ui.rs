//! Drawing the customer record's screens (the card's tabs, the pickers, the merge question, a
//! customer's marks) and administration's lists. Like `ui`, it only reads the state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::admin::{AdminItem, is_locked};
use super::app::{App, Screen};
use super::net::{ListData, ListKind, ListScreen};
use super::net_ui::{head, row, window};
use super::picker::{PickFor, PickKind};
use super::strings::Strings;
use super::ui::{period_name, right, role_name};
use crate::domain::text::fit_width as fit;

/// The top line's title of a picker or the merge.
pub fn title(app: &App, screen: &Screen) -> &'static str {
    let a = app.strings().adm;
    match screen {
        Screen::Picker(p) => match (p.kind, p.purpose) {
            (_, PickFor::Merge(_)) => a.picker_merge_title,
            (PickKind::House, _) => a.picker_house_title,
            (PickKind::Customer, _) => a.picker_customer_title,
        },
        Screen::Merge(_) => a.merge_title,
        _ => "",
    }
}

/// The title of a list this module draws.
pub fn list_title(s: &Strings, kind: &ListKind) -> &'static str {
    let a = s.adm;
    match kind {
        ListKind::CustomerMarks(_) => a.marks_title,
        ListKind::Admin => a.admin_title,
        ListKind::Operators => AdminItem::Operators.name(s),
        ListKind::Tariffs => AdminItem::Tariffs.name(s),
        ListKind::Catalogue => AdminItem::Catalogue.name(s),
        ListKind::MarkCatalogue => AdminItem::Marks.name(s),
        ListKind::Groups => AdminItem::Groups.name(s),
        ListKind::Audit => AdminItem::Audit.name(s),
        _ => "",
    }
}

fn yes(s: &Strings, b: bool) -> &'static str {
    if b { s.adm.yes } else { s.adm.no }
}

/// The colour's name for a mark, in the console's language.
fn color_name(s: &Strings, color: &str) -> &'static str {
    crate::service::MARK_COLORS.iter().position(|c| *c == color).map(|i| s.adm.colors[i]).unwrap_or("")
}

/// Draws a customer's marks or an administration list; false when `l` is another list.
pub fn draw_list(f: &mut Frame, v: &super::screens::View, l: &ListScreen, area: Rect) -> bool {
    let s = v.s;
    let a = s.adm;
    let t = v.t;
    let ours = matches!(
        l.kind,
        ListKind::CustomerMarks(_)
            | ListKind::Admin
            | ListKind::Operators
            | ListKind::Tariffs
            | ListKind::Catalogue
            | ListKind::MarkCatalogue
            | ListKind::Groups
            | ListKind::Audit
    );
    if !ours {
        return false;
    }
    let mut lines: Vec<Line<'static>> = Vec::new();
    let Some(data) = &l.data else {
        let (text, style) = match &l.error {
            Some(e) => (e.clone(), t.error),
            None => (s.loading.to_string(), t.dim),
        };
        f.render_widget(Paragraph::new(Span::styled(text, style)), area);
        return true;
    };
    let header = match data {
        ListData::Admin(_) | ListData::CustomerMarks { .. } => None,
        ListData::Operators(_) => {
            Some(vec![fit(a.col_login, 12), fit(a.f_op_name, 28), fit(a.col_role, 14), fit(s.col_state, 20)])
        }
        ListData::Tariffs(_) => Some(vec![
            right("id", 4),
            fit(s.col_tariff, 30),
            right(s.col_price, 11),
            fit(s.col_period, 9),
            fit(a.col_active, 7),
            fit(a.col_public, 6),
        ]),
        ListData::Catalogue(_) => Some(vec![
            right("id", 4),
            fit(a.col_service, 36),
            right(s.col_price, 11),
            fit(s.col_period, 9),
            fit(a.col_active, 7),
        ]),
        ListData::Marks(_) => Some(vec![fit(s.net.f_name, 30), fit(a.col_color, 12), right(a.col_count, 10)]),
        ListData::Groups(_) => Some(vec![fit(s.net.f_name, 40), right(a.col_count, 10)]),
        ListData::Audit(_) => {
            let c = a.audit_cols;
            Some(vec![fit(c[0], 16), fit(c[1], 10), fit(c[2], 15), fit(c[3], 20), fit(c[4], 14)])
        }
        _ => return false,
    };
    if let Some(h) = header {
        lines.push(head(t, h));
    }
    if let Some(e) = &l.error {
        lines.push(Line::from(Span::styled(e.clone(), t.error)));
    }
    let rows = data.rows();
    if rows == 0 {
        let empty =
            if matches!(data, ListData::CustomerMarks { .. }) { a.no_marks } else { s.net.empty_list };
        lines.push(Line::from(Span::styled(empty, t.dim)));
    }
    let height = (area.height as usize).saturating_sub(lines.len());
    let first = window(l.selected, height);
    for i in (first..rows).take(height) {
        let sel = i == l.selected;
        let cells = match data {
            ListData::Admin(items) => vec![items[i].name(s).to_string()],
            ListData::CustomerMarks { all, on } => {
                let m = &all[i];
                let tick = if on.contains(&m.id) { "[x]" } else { "[ ]" };
                vec![tick.to_string(), fit(&m.name, 30), color_name(s, &m.color).to_string()]
            }
            ListData::Operators(v) => {
                let o = &v[i];
                let state = match o.locked_until {
                    _ if !o.active => a.op_locked.to_string(),
                    Some(u) if is_locked(o) => format!(
                        "{} {}",
                        a.op_locked_until,
                        crate::domain::dates::local(u).format("%d.%m.%Y %H:%M")
                    ),
                    _ => a.op_active.to_string(),
                };
                vec![fit(&o.login, 12), fit(&o.name, 28), fit(role_name(s, o.role), 14), fit(&state, 20)]
            }
            ListData::Tariffs(v) => {
                let x = &v[i];
                vec![
                    right(&x.id.to_string(), 4),
                    fit(&x.name, 30),
                    right(&x.price.format_ru(), 11),
                    fit(period_name(s, x.period), 9),
                    fit(yes(s, x.active), 7),
                    fit(yes(s, x.public), 6),
                ]
            }
            ListData::Catalogue(v) => {
                let x = &v[i];
                vec![
                    right(&x.id.to_string(), 4),
                    fit(&x.name, 36),
                    right(&x.price.format_ru(), 11),
                    fit(period_name(s, x.period), 9),
                    fit(yes(s, x.active), 7),
                ]
            }
            ListData::Marks(v) => {
                let m = &v[i];
                vec![fit(&m.name, 30), fit(color_name(s, &m.color), 12), right(&m.customers.to_string(), 10)]
            }
            ListData::Groups(v) => {
                let g = &v[i];
                vec![fit(&g.name, 40), right(&g.customers.to_string(), 10)]
            }
            ListData::Audit(v) => {
                let e = &v[i];
                let about = match e.entity_id {
                    Some(id) => format!("{}#{id}", e.entity),
                    None => e.entity.clone(),
                };
                vec![
                    fit(&crate::domain::dates::local(e.at).format("%d.%m.%Y %H:%M").to_string(), 16),
                    fit(&e.operator_login, 10),
                    fit(&e.origin, 15),
                    fit(&e.action, 20),
                    fit(&about, 14),
                ]
            }
            _ => Vec::new(),
        };
        let mut line = row(t, sel, cells);
        // a locked operator and an inactive tariff or service are dimmed (and say so in words)
        let dim = match data {
            ListData::Operators(v) => is_locked(&v[i]),
            ListData::Tariffs(v) => !v[i].active,
            ListData::Catalogue(v) => !v[i].active,
            _ => false,
        };
        if dim && !sel {
            line = line.style(t.dim);
        }
        lines.push(line);
    }
    f.render_widget(Paragraph::new(lines), area);
    true
}
