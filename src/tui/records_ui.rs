//! Drawing the customer record's screens (the card's tabs, the pickers, the merge question, a
//! customer's marks) and administration's lists. Like `ui`, it only reads the state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::admin::{AdminItem, is_locked};
use super::app::{App, Screen};
use super::net::{ListData, ListKind, ListScreen};
use super::picker::{PickFor, PickKind};
use super::strings::Strings;
use super::strings::{period_name, role_name};
use super::widgets::table::{self, Column, Fit, GridRow};
use crate::domain::access::TokenState;
use crate::service::{Applies, TaxItem, Whom};

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
        ListKind::Methods => AdminItem::Methods.name(s),
        ListKind::Groups => AdminItem::Groups.name(s),
        ListKind::Discounts => AdminItem::Discounts.name(s),
        ListKind::Taxes => AdminItem::Taxes.name(s),
        ListKind::Audit => AdminItem::Audit.name(s),
        ListKind::Tokens => AdminItem::Tokens.name(s),
        ListKind::OperatorKeys(_) => a.keys_title,
        ListKind::Desk => s.desk.title,
        ListKind::DeskFind(_) => s.desk.found_title,
        ListKind::Payment(_) => s.desk.payment_title,
        ListKind::ImportQueue => s.desk.imp_title,
        ListKind::ImportLine(_) => s.desk.imp_line_title,
        ListKind::ShiftReport(_) => s.desk.x_title,
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

/// Who a discount is for, in the console's words.
pub fn whom_text(s: &Strings, whom: Whom, groups: &[(i64, String)]) -> String {
    match whom {
        Whom::Customer(id) => format!("{} #{id}", s.adm.whom_customer),
        Whom::Group(id) => match groups.iter().find(|g| g.0 == id) {
            Some((_, name)) => format!("{} «{name}»", s.adm.whom_group),
            None => format!("{} {id}", s.adm.whom_group),
        },
    }
}

/// What a discount applies to, in the console's words.
pub fn applies_text(s: &Strings, applies: Applies) -> String {
    let a = s.adm;
    match applies {
        Applies::All => a.applies_all.to_string(),
        Applies::Tariff(None) => a.applies_tariff.to_string(),
        Applies::Tariff(Some(id)) => format!("{} {id}", a.applies_tariff),
        Applies::Service(None) => a.applies_service.to_string(),
        Applies::Service(Some(id)) => format!("{} {id}", a.applies_service),
    }
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
            | ListKind::Methods
            | ListKind::Groups
            | ListKind::Discounts
            | ListKind::Taxes
            | ListKind::Audit
            | ListKind::Tokens
            | ListKind::OperatorKeys(_)
    );
    if !ours {
        return false;
    }
    let Some(data) = &l.data else {
        l.draw_unloaded(f, v, area);
        return true;
    };
    let columns: Vec<Column> = match data {
        ListData::Admin(_) => vec![Column::new("", Fit::Text)],
        ListData::CustomerMarks { .. } => {
            vec![Column::new("", Fit::Fixed), Column::new("", Fit::Text), Column::new("", Fit::Text)]
        }
        ListData::Operators(_) => vec![
            Column::new(a.col_login, Fit::Text),
            Column::new(a.f_op_name, Fit::Text),
            Column::new(a.col_role, Fit::Text),
            Column::new(s.col_state, Fit::Text),
        ],
        ListData::Tariffs(_) => vec![
            Column::new("id", Fit::Number),
            Column::new(s.col_tariff, Fit::Text),
            Column::new(s.col_price, Fit::Number),
            Column::new(s.col_period, Fit::Text),
            Column::new(a.col_active, Fit::Text),
            Column::new(a.col_public, Fit::Text),
        ],
        ListData::Catalogue(_) => vec![
            Column::new("id", Fit::Number),
            Column::new(a.col_service, Fit::Text),
            Column::new(s.col_price, Fit::Number),
            Column::new(s.col_period, Fit::Text),
            Column::new(a.col_active, Fit::Text),
        ],
        ListData::Marks(_) => vec![
            Column::new(s.net.f_name, Fit::Text),
            Column::new(a.col_color, Fit::Text),
            Column::new(a.col_count, Fit::Number),
        ],
        ListData::Groups(_) => {
            vec![Column::new(s.net.f_name, Fit::Text), Column::new(a.col_count, Fit::Number)]
        }
        ListData::OperatorKeys(..) => vec![
            Column::new(a.key_cols[0], Fit::Number),
            Column::new(a.key_cols[1], Fit::Fixed),
            // whole, to compare with what `ssh-keygen -l` prints; the comment is cut instead
            Column::new(a.key_cols[2], Fit::Fixed),
            Column::new(a.key_cols[3], Fit::Text),
        ],
        ListData::Tokens(_) => vec![
            Column::new(a.token_cols[0], Fit::Number),
            Column::new(a.token_cols[1], Fit::Text).min(10),
            Column::new(a.token_cols[2], Fit::Text),
            Column::new(a.token_cols[3], Fit::Fixed),
            Column::new(a.token_cols[4], Fit::Fixed),
            Column::new(a.token_cols[5], Fit::Fixed),
            Column::new(a.token_cols[6], Fit::Text),
        ],
        ListData::Methods(_) => vec![
            Column::new("№", Fit::Number),
            Column::new(a.col_code, Fit::Text),
            Column::new(s.net.f_name, Fit::Text),
            Column::new(a.col_kind, Fit::Text),
            Column::new(a.col_active, Fit::Text),
        ],
        ListData::Discounts(..) => vec![
            Column::new("id", Fit::Number),
            Column::new(a.col_whom, Fit::Text),
            Column::new(a.col_percent, Fit::Number),
            Column::new(a.col_applies, Fit::Text),
            Column::new(a.col_from, Fit::Fixed),
            Column::new(a.col_to, Fit::Fixed),
            Column::new(a.col_priority, Fit::Number),
            Column::new(a.f_comment, Fit::Text),
        ],
        ListData::Taxes { .. } => vec![
            Column::new(a.col_tax_item, Fit::Text),
            Column::new(a.f_tax_name, Fit::Text),
            Column::new(a.col_rate, Fit::Number),
        ],
        ListData::Audit(_) => {
            let c = a.audit_cols;
            vec![
                Column::new(c[0], Fit::Fixed),
                Column::new(c[1], Fit::Text),
                Column::new(c[2], Fit::Text),
                Column::new(c[3], Fit::Text),
                Column::new(c[4], Fit::Text),
            ]
        }
        _ => return false,
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let ListData::OperatorKeys(login, _) = data {
        lines.push(Line::from(Span::styled(login.clone(), t.title)));
    }
    if let ListData::Taxes { rules, .. } = data
        && rules.is_empty()
    {
        lines.push(Line::from(Span::styled(a.no_tax_rules, t.dim)));
    }
    if let Some(e) = &l.error {
        lines.push(Line::from(Span::styled(e.clone(), t.error)));
    }
    let count = data.rows();
    if count == 0 {
        let empty = match data {
            ListData::CustomerMarks { .. } => a.no_marks,
            ListData::Taxes { .. } => a.no_tax_rules,
            ListData::OperatorKeys(..) => a.keys_none,
            _ => s.net.empty_list,
        };
        lines.push(Line::from(Span::styled(empty, t.dim)));
    }
    let rows: Vec<GridRow> = (0..count)
        .map(|i| {
            let cells = match data {
                ListData::Admin(items) => vec![items[i].name(s).to_string()],
                ListData::CustomerMarks { all, on } => {
                    let m = &all[i];
                    let tick = if on.contains(&m.id) { "[x]" } else { "[ ]" };
                    vec![tick.to_string(), m.name.clone(), color_name(s, &m.color).to_string()]
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
                    vec![o.login.clone(), o.name.clone(), role_name(s, o.role).to_string(), state]
                }
                ListData::Tariffs(v) => {
                    let x = &v[i];
                    vec![
                        x.id.to_string(),
                        x.name.clone(),
                        x.price.format_ru(),
                        period_name(s, x.period).to_string(),
                        yes(s, x.active).to_string(),
                        yes(s, x.public).to_string(),
                    ]
                }
                ListData::Catalogue(v) => {
                    let x = &v[i];
                    vec![
                        x.id.to_string(),
                        x.name.clone(),
                        x.price.format_ru(),
                        period_name(s, x.period).to_string(),
                        yes(s, x.active).to_string(),
                    ]
                }
                ListData::Marks(v) => {
                    let m = &v[i];
                    vec![m.name.clone(), color_name(s, &m.color).to_string(), m.customers.to_string()]
                }
                ListData::Methods(v) => {
                    let m = &v[i];
                    vec![
                        m.position.to_string(),
                        m.code.clone(),
                        m.name.clone(),
                        crate::tui::strings::method_name(s, m.kind).to_string(),
                        yes(s, m.active).to_string(),
                    ]
                }
                ListData::Groups(v) => {
                    let g = &v[i];
                    vec![g.name.clone(), g.customers.to_string()]
                }
                ListData::Discounts(v, groups) => {
                    let d = &v[i];
                    vec![
                        d.id.to_string(),
                        whom_text(s, d.whom, groups),
                        d.percent.format_ru(),
                        applies_text(s, d.applies),
                        d.from.format("%d.%m.%Y").to_string(),
                        d.to.map(|t| t.format("%d.%m.%Y").to_string()).unwrap_or_default(),
                        d.priority.to_string(),
                        d.comment.clone(),
                    ]
                }
                ListData::Taxes { billing_day, .. } if i == 0 => {
                    vec![
                        a.billing_day_line.to_string(),
                        a.billing_day_hint.to_string(),
                        billing_day.to_string(),
                    ]
                }
                ListData::Taxes { rules, .. } => {
                    let r = &rules[i - 1];
                    let item =
                        TaxItem::ALL.iter().position(|x| *x == r.item).map(|i| a.tax_items[i]).unwrap_or("");
                    vec![item.to_string(), r.name.clone(), r.rate.format_ru()]
                }
                ListData::OperatorKeys(_, v) => {
                    let k = &v[i];
                    vec![
                        k.id.to_string(),
                        k.algorithm.strip_prefix("ssh-").unwrap_or(&k.algorithm).to_string(),
                        k.fingerprint.clone(),
                        k.comment.clone(),
                    ]
                }
                ListData::Tokens(v) => {
                    let tk = &v[i];
                    let state = match tk.state(chrono::Utc::now()) {
                        TokenState::Valid => a.token_live,
                        TokenState::Revoked => a.token_revoked,
                        TokenState::Expired => a.token_expired,
                    };
                    vec![
                        tk.id.to_string(),
                        tk.name.clone(),
                        tk.operator_login.clone(),
                        crate::domain::dates::local(tk.created_at).format("%d.%m.%Y").to_string(),
                        tk.valid_through()
                            .map(|d| d.format("%d.%m.%Y").to_string())
                            .unwrap_or_else(|| a.token_never.to_string()),
                        tk.last_used_at
                            .map(|u| crate::domain::dates::local(u).format("%d.%m.%Y %H:%M").to_string())
                            .unwrap_or_else(|| a.token_never.to_string()),
                        state.to_string(),
                    ]
                }
                ListData::Audit(v) => {
                    let e = &v[i];
                    let about = match e.entity_id {
                        Some(id) => format!("{}#{id}", e.entity),
                        None => e.entity.clone(),
                    };
                    vec![
                        crate::domain::dates::local(e.at).format("%d.%m.%Y %H:%M").to_string(),
                        e.operator_login.clone(),
                        e.origin.clone(),
                        e.action.clone(),
                        about,
                    ]
                }
                _ => Vec::new(),
            };
            // a locked operator and an inactive tariff or service are dimmed (and say so in words)
            let dim = match data {
                ListData::Operators(v) => is_locked(&v[i]),
                ListData::Tariffs(v) => !v[i].active,
                ListData::Catalogue(v) => !v[i].active,
                ListData::Tokens(v) => v[i].state(chrono::Utc::now()) != TokenState::Valid,
                _ => false,
            };
            GridRow::new(cells).style(dim.then_some(t.dim))
        })
        .collect();
    table::draw_below(f, t, area, lines, &columns, &rows, l.selected);
    true
}
