//! Administration: operators (add, role, new password, lock and unlock), tariffs, the catalogue
//! of extra services, marks and customer groups. Reached from the search screen by those whose
//! role keeps any of them; every change goes through the service, which checks the role again.

use super::form::{FormKind, FormScreen, Values, choice, field, secret, yes_no};
use super::net::ListKind;
use super::records::{AfterSave, FormData};
use super::strings::Strings;
use super::strings::period_name;
use crate::domain::ledger::{PayMethod, PaymentMethod};
use crate::domain::money::Money;
use crate::domain::role::{Permission, Role};
use crate::service::{
    Actor, Applies, DiscountInput, ExtraService, Group, MARK_COLORS, Mark, MethodChange, Operator, Percent,
    Period, Problem, Service, ServiceError, ServiceInput, TariffInput, TaxItem, TaxRule, Whom,
};

/// The sections of administration, each kept by one permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminItem {
    Operators,
    Tariffs,
    Catalogue,
    Marks,
    /// The payment methods' catalogue.
    Methods,
    Groups,
    Discounts,
    /// Tax rules, and the billing day (read from the config).
    Taxes,
    /// The bank lines' triage queue.
    Imports,
    /// The audit log: who changed what, when, from where.
    Audit,
    /// Scripts' tokens: who they act as, when they were last used; revoked here.
    Tokens,
}

impl AdminItem {
    pub const ALL: [AdminItem; 11] = [
        AdminItem::Operators,
        AdminItem::Tariffs,
        AdminItem::Catalogue,
        AdminItem::Marks,
        AdminItem::Methods,
        AdminItem::Groups,
        AdminItem::Discounts,
        AdminItem::Taxes,
        AdminItem::Imports,
        AdminItem::Audit,
        AdminItem::Tokens,
    ];

    pub fn permission(self) -> Permission {
        match self {
            AdminItem::Operators | AdminItem::Tokens => Permission::OperatorManage,
            AdminItem::Tariffs | AdminItem::Catalogue | AdminItem::Discounts | AdminItem::Taxes => {
                Permission::TariffManage
            }
            AdminItem::Marks | AdminItem::Methods | AdminItem::Groups => Permission::CatalogueManage,
            AdminItem::Audit => Permission::AuditRead,
            AdminItem::Imports => Permission::LedgerAdjust,
        }
    }

    pub fn name(self, s: &Strings) -> &'static str {
        let i = AdminItem::ALL.iter().position(|x| *x == self).unwrap_or(0);
        s.adm.admin_items[i]
    }

    pub fn list(self) -> ListKind {
        match self {
            AdminItem::Operators => ListKind::Operators,
            AdminItem::Tariffs => ListKind::Tariffs,
            AdminItem::Catalogue => ListKind::Catalogue,
            AdminItem::Marks => ListKind::MarkCatalogue,
            AdminItem::Methods => ListKind::Methods,
            AdminItem::Groups => ListKind::Groups,
            AdminItem::Discounts => ListKind::Discounts,
            AdminItem::Taxes => ListKind::Taxes,
            AdminItem::Audit => ListKind::Audit,
            AdminItem::Imports => ListKind::ImportQueue,
            AdminItem::Tokens => ListKind::Tokens,
        }
    }

    /// The sections `actor` may keep.
    pub fn for_actor(actor: &Actor) -> Vec<AdminItem> {
        AdminItem::ALL.into_iter().filter(|i| actor.can(i.permission())).collect()
    }
}

fn period_options(s: &Strings) -> Vec<(String, String)> {
    [Period::Month, Period::Day]
        .map(|p| (period_value(p).to_string(), period_name(s, p).to_string()))
        .to_vec()
}

fn period_value(p: Period) -> &'static str {
    match p {
        Period::Month => "month",
        Period::Day => "day",
    }
}

fn role_options(s: &Strings) -> Vec<(String, String)> {
    Role::ALL.iter().zip(s.roles).map(|(r, name)| (r.as_str().to_string(), name.to_string())).collect()
}

/// A new operator, or an operator's name and role.
pub fn operator_form(s: &Strings, op: Option<&Operator>) -> FormScreen {
    match op {
        None => FormScreen::new(
            FormKind::OperatorAdd,
            vec![
                field("login", |s| s.adm.col_login, 64, ""),
                field("name", |s| s.adm.f_op_name, 128, ""),
                choice("role", |s| s.adm.f_role, role_options(s), Role::Cashier.as_str()),
                secret("password", |s| s.adm.f_password),
                secret("password2", |s| s.adm.f_password2),
            ],
        ),
        Some(op) => FormScreen::new(
            FormKind::OperatorEdit(op.id),
            vec![
                field("name", |s| s.adm.f_op_name, 128, &op.name),
                choice("role", |s| s.adm.f_role, role_options(s), op.role.as_str()),
            ],
        ),
    }
}

/// A tariff: new, or as it is with its transitions.
pub fn tariff_form(s: &Strings, data: Option<FormData>) -> Option<FormScreen> {
    let (kind, t, transitions) = match data {
        None => (FormKind::TariffAdd, None, Vec::new()),
        Some(FormData::TariffEdit(t, tr)) => (FormKind::TariffEdit(t.id), Some(t), tr),
        Some(_) => return None,
    };
    let t = t.as_ref();
    let ids: Vec<String> = transitions.iter().map(i64::to_string).collect();
    Some(FormScreen::new(
        kind,
        vec![
            field("name", |s| s.net.f_name, 100, &t.map(|t| t.name.clone()).unwrap_or_default()),
            field("price", |s| s.adm.f_price, 16, &t.map(|t| t.price.format_ru()).unwrap_or_default()),
            choice(
                "period",
                |s| s.adm.f_period,
                period_options(s),
                period_value(t.map(|t| t.period).unwrap_or(Period::Month)),
            ),
            yes_no("active", |s| s.adm.f_active, s, t.is_none_or(|t| t.active)),
            yes_no("public", |s| s.adm.f_public, s, t.is_none_or(|t| t.public)),
            field(
                "pause_price",
                |s| s.adm.f_pause_price,
                16,
                &t.and_then(|t| t.pause_price).map(Money::format_ru).unwrap_or_default(),
            )
            .with_hint(|s| s.adm.hint_pause_price),
            field("transitions", |s| s.adm.f_transitions, 200, &ids.join(", "))
                .with_hint(|s| s.adm.hint_transitions),
        ],
    ))
}

/// An entry of the extra services' catalogue.
pub fn catalogue_form(s: &Strings, x: Option<&ExtraService>) -> FormScreen {
    let kind = x.map(|x| FormKind::CatalogueEdit(x.id)).unwrap_or(FormKind::CatalogueAdd);
    FormScreen::new(
        kind,
        vec![
            field("name", |s| s.net.f_name, 128, &x.map(|x| x.name.clone()).unwrap_or_default()),
            field("price", |s| s.adm.f_price, 16, &x.map(|x| x.price.format_ru()).unwrap_or_default()),
            choice(
                "period",
                |s| s.adm.f_period,
                period_options(s),
                period_value(x.map(|x| x.period).unwrap_or(Period::Month)),
            ),
            yes_no("active", |s| s.adm.f_active, s, x.is_none_or(|x| x.active)),
        ],
    )
}

/// A mark: its name and one of the terminal's colours.
pub fn mark_form(s: &Strings, m: Option<&Mark>) -> FormScreen {
    let kind = m.map(|m| FormKind::MarkEdit(m.id)).unwrap_or(FormKind::MarkAdd);
    let colors =
        MARK_COLORS.iter().zip(s.adm.colors).map(|(c, name)| (c.to_string(), name.to_string())).collect();
    FormScreen::new(
        kind,
        vec![
            field("name", |s| s.net.f_name, 64, &m.map(|m| m.name.clone()).unwrap_or_default()),
            choice("color", |s| s.adm.f_color, colors, m.map(|m| m.color.as_str()).unwrap_or("green")),
        ],
    )
}

/// A payment method: a new one (its code and kind are for good), or one's name, place and state.
pub fn method_form(s: &Strings, m: Option<&PayMethod>) -> FormScreen {
    match m {
        None => {
            let kinds = PaymentMethod::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), super::strings::method_name(s, *k).to_string()))
                .collect();
            FormScreen::new(
                FormKind::MethodAdd,
                vec![
                    field("code", |s| s.adm.f_code, 32, ""),
                    field("name", |s| s.net.f_name, 64, ""),
                    choice("kind", |s| s.adm.f_kind, kinds, "card"),
                ],
            )
        }
        Some(m) => FormScreen::new(
            FormKind::MethodEdit(m.code.clone()),
            vec![
                field("name", |s| s.net.f_name, 64, &m.name),
                field("position", |s| s.adm.f_position, 4, &m.position.to_string()),
                yes_no("active", |s| s.adm.f_active, s, m.active),
            ],
        ),
    }
}

pub fn group_form(g: Option<&Group>) -> FormScreen {
    let kind = g.map(|g| FormKind::GroupRename(g.id)).unwrap_or(FormKind::GroupAdd);
    FormScreen::new(
        kind,
        vec![field("name", |s| s.net.f_name, 64, &g.map(|g| g.name.clone()).unwrap_or_default())],
    )
}

/// A new discount: for a customer picked by searching or a group, what it applies to, when.
pub fn discount_form(s: &Strings, groups: &[(String, String)]) -> FormScreen {
    let applies = vec![
        ("all".to_string(), s.adm.applies_all.to_string()),
        ("tariff".to_string(), s.adm.applies_tariff.to_string()),
        ("service".to_string(), s.adm.applies_service.to_string()),
    ];
    let mut group_options = vec![(String::new(), s.adm.no.to_string())];
    group_options.extend(groups.iter().cloned());
    let today = crate::domain::dates::today().format("%d.%m.%Y").to_string();
    FormScreen::new(
        FormKind::DiscountAdd,
        vec![
            super::form::pick(
                "customer",
                |s| s.adm.f_discount_customer,
                super::picker::PickKind::Customer,
                None,
                "",
            )
            .with_hint(|s| s.adm.hint_whom),
            choice("group", |s| s.adm.f_discount_group, group_options, ""),
            field("percent", |s| s.adm.col_percent, 8, ""),
            choice("applies", |s| s.adm.col_applies, applies, "all"),
            field("item", |s| s.adm.f_item_id, 10, "").with_hint(|s| s.adm.hint_item_id),
            field("from", |s| s.adm.f_date_from, 10, &today),
            field("to", |s| s.adm.f_date_to, 10, ""),
            field("priority", |s| s.adm.f_priority, 5, "0").with_hint(|s| s.adm.hint_priority),
            field("comment", |s| s.adm.f_comment, 200, ""),
        ],
    )
}

/// The tax rule of a kind of item: as it is, or a new one.
pub fn tax_form(s: &Strings, rule: Option<&TaxRule>) -> FormScreen {
    let items =
        TaxItem::ALL.iter().zip(s.adm.tax_items).map(|(i, n)| (i.as_str().to_string(), n.to_string()));
    FormScreen::new(
        FormKind::TaxSet(rule.map(|r| r.item)),
        vec![
            choice(
                "item",
                |s| s.adm.col_tax_item,
                items.collect(),
                rule.map_or("tariff", |r| r.item.as_str()),
            ),
            field("name", |s| s.adm.f_tax_name, 64, rule.map(|r| r.name.as_str()).unwrap_or("")),
            field(
                "rate",
                |s| s.adm.f_rate,
                8,
                &rule.map(|r| r.rate.format_ru().replace(" %", "")).unwrap_or_default(),
            ),
        ],
    )
}

/// The billing day: the day of the month monthly periods begin on.
pub fn billing_day_form(day: u32) -> FormScreen {
    FormScreen::new(
        FormKind::BillingDay,
        vec![
            field("billing_day", |s| s.adm.billing_day_line, 2, &day.to_string())
                .with_hint(|s| s.adm.billing_day_hint),
        ],
    )
}

fn discount_input(values: &Values) -> Result<DiscountInput, ServiceError> {
    let text = |n: &str| values.text(n).trim().to_string();
    let number = |n: &'static str| -> Result<Option<i64>, ServiceError> {
        match text(n).as_str() {
            "" => Ok(None),
            t => t
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ServiceError::invalid(n, Problem::NotANumber(t.to_string()))),
        }
    };
    let whom = match (number("customer")?, number("group")?) {
        (Some(c), None) => Whom::Customer(c),
        (None, Some(g)) => Whom::Group(g),
        _ => return Err(ServiceError::invalid("whom", Problem::DiscountWhom)),
    };
    let day = |n: &'static str| -> Result<Option<chrono::NaiveDate>, ServiceError> {
        match text(n).as_str() {
            "" => Ok(None),
            t => crate::domain::dates::parse_date(t)
                .map(Some)
                .map_err(|e| ServiceError::invalid(n, Problem::Date(e))),
        }
    };
    let applies_kind = text("applies");
    let applies = Applies::from_parts(&applies_kind, number("item")?)
        .map_err(|e| ServiceError::invalid("applies", e))?;
    Ok(DiscountInput {
        whom,
        percent: Percent::parse(&text("percent")).map_err(|e| ServiceError::invalid("percent", e))?,
        applies,
        from: day("from")?.unwrap_or_else(crate::domain::dates::today),
        to: day("to")?,
        priority: number("priority")?.unwrap_or(0),
        comment: text("comment"),
    })
}

/// Whether an operator cannot log in now: locked out, or locked after wrong passwords.
pub fn is_locked(op: &Operator) -> bool {
    !op.active || op.locked_until.is_some_and(|u| u > chrono::Utc::now())
}

fn money_field(field: &'static str, v: &str) -> Result<Money, ServiceError> {
    Money::parse(v).map_err(|e| ServiceError::invalid(field, e))
}

fn tariff_input(get: &dyn Fn(&str) -> Option<String>) -> Result<TariffInput, ServiceError> {
    let text = |n: &str| get(n).unwrap_or_default();
    let yes = |n: &str| text(n) == "yes";
    // the field as the form sends it: absent when untouched (kept), empty when cleared
    let transitions = TariffInput::parse_transitions(get("transitions").as_deref())?;
    Ok(TariffInput {
        name: text("name"),
        price: money_field("price", &text("price"))?,
        period: text("period").parse::<Period>().map_err(|e| ServiceError::invalid("period", e))?,
        active: yes("active"),
        public: yes("public"),
        pause_price: match text("pause_price").trim() {
            "" => None,
            p => Some(money_field("pause_price", p)?),
        },
        transitions,
    })
}

/// Saves one of the administration forms (`exec::saver` sends only those here).
pub async fn save(
    svc: &Service,
    a: &Actor,
    kind: &FormKind,
    values: &Values,
) -> Result<AfterSave, ServiceError> {
    let get = |n: &str| values.get(n);
    let text = |n: &str| values.text(n);
    let role = || text("role").parse::<Role>().map_err(|e| ServiceError::invalid("role", e));
    let done = |r: Result<(), ServiceError>| r.map(|_| AfterSave::Reload);
    match kind {
        FormKind::OperatorAdd => done(match role() {
            Ok(r) => {
                svc.create_operator(a, &text("login"), &text("name"), r, &text("password")).await.map(drop)
            }
            Err(e) => Err(e),
        }),
        FormKind::OperatorEdit(id) => done(match role() {
            Ok(r) => svc.edit_operator(a, *id, Some(&text("name")), Some(r)).await.map(drop),
            Err(e) => Err(e),
        }),
        FormKind::OperatorPassword(id) => {
            done(svc.reset_operator_password(a, *id, &text("password")).await.map(drop))
        }
        FormKind::OperatorActive(id, active) => {
            done(svc.set_operator_active(a, *id, *active).await.map(drop))
        }
        FormKind::TariffAdd => done(match tariff_input(&get) {
            Ok(t) => svc.create_tariff(a, &t).await.map(drop),
            Err(e) => Err(e),
        }),
        FormKind::TariffEdit(id) => done(match tariff_input(&get) {
            Ok(t) => svc.edit_tariff(a, *id, &t).await.map(drop),
            Err(e) => Err(e),
        }),
        FormKind::CatalogueAdd | FormKind::CatalogueEdit(_) => {
            let input = ServiceInput {
                name: get("name"),
                price: get("price"),
                period: get("period"),
                active: get("active"),
            };
            done(match kind {
                FormKind::CatalogueEdit(id) => svc.edit_service(a, *id, &input).await.map(drop),
                _ => svc.add_service(a, &input).await.map(drop),
            })
        }
        FormKind::MarkAdd => done(svc.add_mark(a, &text("name"), &text("color")).await.map(drop)),
        FormKind::MarkEdit(id) => {
            done(svc.edit_mark(a, *id, Some(&text("name")), Some(&text("color"))).await.map(drop))
        }
        FormKind::MarkDelete(id) => done(svc.delete_mark(a, *id).await.map(drop)),
        FormKind::TokenRevoke(id) => done(svc.revoke_token(a, *id).await.map(drop)),
        FormKind::KeyAdd(login) => done(svc.add_operator_keys(a, login, &text("key")).await.map(drop)),
        FormKind::KeyRemove(login, fp) => done(svc.remove_operator_key(a, login, fp).await.map(drop)),
        FormKind::MethodAdd => {
            let kind = text("kind").parse::<PaymentMethod>().map_err(|e| ServiceError::invalid("kind", e))?;
            done(svc.add_payment_method(a, &text("code"), &text("name"), kind).await.map(drop))
        }
        FormKind::MethodEdit(code) => {
            let typed = text("position");
            let position = typed.trim().parse::<i64>().map_err(|_| {
                ServiceError::invalid("position", Problem::NotANumber(typed.trim().to_string()))
            })?;
            let change = MethodChange {
                name: Some(text("name")),
                position: Some(position),
                active: Some(text("active") == "yes"),
            };
            done(svc.edit_payment_method(a, code, &change).await.map(drop))
        }
        FormKind::GroupAdd => done(svc.add_group(a, &text("name")).await.map(drop)),
        FormKind::GroupRename(id) => done(svc.rename_group(a, *id, &text("name")).await.map(drop)),
        FormKind::GroupDelete(id) => done(svc.delete_group(a, *id).await.map(drop)),
        FormKind::DiscountAdd => done(match discount_input(values) {
            Ok(input) => svc.add_discount(a, &input).await.map(drop),
            Err(e) => Err(e),
        }),
        FormKind::DiscountEnd(id) => {
            done(svc.end_discount(a, *id, crate::domain::dates::today()).await.map(drop))
        }
        FormKind::TaxSet(_) => {
            let item = text("item").parse::<TaxItem>().map_err(|e| ServiceError::invalid("item", e))?;
            let rate = Percent::parse(&text("rate")).map_err(|e| ServiceError::invalid("rate", e))?;
            done(svc.set_tax_rule(a, item, &text("name"), rate).await.map(drop))
        }
        FormKind::TaxDelete(item) => done(svc.delete_tax_rule(a, *item).await.map(drop)),
        FormKind::BillingDay => {
            let typed = text("billing_day");
            let day = typed.trim().parse::<u32>().map_err(|_| {
                ServiceError::invalid("billing_day", Problem::NotANumber(typed.trim().to_string()))
            })?;
            done(svc.set_billing_day(a, day).await.map(drop))
        }
        other => Err(super::records::not_mine(other)),
    }
}
