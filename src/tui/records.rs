//! The customer's record beyond money: the add/edit form with every field, the forms of an
//! extra service and a message, what the card's tabs load, what a form needs loaded first, and
//! how these forms are saved through the service. The card itself is `screens::card`.

use super::form::{FormKind, FormScreen, Values, choice, field, pick, yes_no};
use super::picker::PickKind;
pub use super::screens::merge::{MergeScreen, MergeStage};
use super::strings::Strings;
use super::strings::period_name;
use crate::domain::ledger::OperationKind;
use crate::domain::money::Money;
use crate::domain::phone::Phone;
use crate::service::AdjustmentRequest;
use crate::service::{
    Actor, CustomerCard, CustomerChanges, CustomerService, CustomerServiceInput, ExtraService, Message,
    NewCustomer, Service, ServiceError, Tariff,
};
use crate::service::{Entity, Problem};

/// The card's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardTab {
    Main,
    Services,
    Messages,
}

impl CardTab {
    pub const ALL: [CardTab; 3] = [CardTab::Main, CardTab::Services, CardTab::Messages];

    fn index(self) -> usize {
        CardTab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn step(self, by: isize) -> CardTab {
        let n = CardTab::ALL.len() as isize;
        CardTab::ALL[(self.index() as isize + by).rem_euclid(n) as usize]
    }
}

/// What a tab has loaded.
#[derive(Debug)]
pub enum TabData {
    Services(Vec<CustomerService>),
    Messages(Vec<Message>),
}

/// How many messages the messages tab shows.
pub const MESSAGES_SHOWN: i64 = 200;

/// What a form needs from the service before it opens.
#[derive(Debug)]
pub enum FormData {
    Customer {
        /// The customer being edited (none when adding).
        card: Option<Box<CustomerCard>>,
        tariffs: Vec<Tariff>,
        groups: Vec<(i64, String)>,
        managers: Vec<(i64, String)>,
        /// The parent customer, as the field shows it.
        parent: Option<String>,
    },
    ServiceAdd(i64, Vec<ExtraService>),
    ServiceEdit(CustomerService),
    TariffEdit(Tariff, Vec<i64>),
    /// The promised-payment form: whose, and the rules it must keep.
    Promise(Box<CustomerCard>, crate::service::PromiseRules),
    /// A new discount: the groups it may be given to.
    Discount(Vec<(i64, String)>),
}

/// What happens once a form has been saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterSave {
    /// Back to the screen under the form, reloaded.
    Reload,
    /// The card of this (new) customer.
    OpenCard(i64),
    /// The customer is gone: back past their card.
    CloseCard,
    /// Another list over the screen under the form (what a search found).
    OpenList(crate::tui::screens::list::ListKind),
    /// Back to the bank lines' queue, reloaded, with what the file loaded on the status line:
    /// its documents, the new lines (`proposed` of them with a customer), the lines seen before.
    Loaded { documents: usize, new_lines: usize, proposed: usize, known: usize },
}

fn date_text(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%d.%m.%Y").to_string()).unwrap_or_default()
}

fn ts_text(d: Option<chrono::DateTime<chrono::Utc>>) -> String {
    date_text(d.map(|t| crate::domain::dates::local(t).date_naive()))
}

fn with_none(s: &Strings, items: &[(i64, String)]) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), s.adm.none.to_string())];
    v.extend(items.iter().map(|(id, name)| (id.to_string(), name.clone())));
    v
}

/// The customer form: every field of the edit list in groups (main, address, contacts, dates,
/// external billing), in the order a cashier fills them. Editing sends only what changed.
pub fn customer_form(s: &Strings, data: FormData) -> Option<FormScreen> {
    let FormData::Customer { card, tariffs, groups, managers, parent } = data else { return None };
    let a = s.adm;
    let c = card.as_ref().map(|c| &c.customer);
    let t = |f: fn(&crate::domain::customer::Customer) -> Option<String>| c.and_then(f).unwrap_or_default();
    let id_of = |v: Option<i64>| v.map(|i| i.to_string()).unwrap_or_default();
    let mut fields = vec![
        field("name", |s| s.adm.f_name, 200, &c.map(|c| c.name.clone()).unwrap_or_default())
            .in_section(|s| s.adm.sec_main),
        yes_no("flag_corporate", |s| s.adm.f_corporate, s, c.is_some_and(|c| c.is_corporate)),
        yes_no("is_potential", |s| s.adm.f_potential, s, c.is_some_and(|c| c.is_potential)),
        field("agreement_number", |s| s.adm.f_agreement, 32, &t(|c| c.agreement_number.clone()))
            .with_hint(|s| s.adm.hint_agreement_next),
        field("agreement_date", |s| s.adm.f_agreement_date, 10, &date_text(c.and_then(|c| c.agreement_date)))
            .with_hint(|s| s.adm.hint_date),
        field("account_number", |s| s.adm.f_account, 32, &t(|c| c.account_number.clone())),
    ];
    if card.is_none() {
        let mut options = vec![(String::new(), a.none.to_string())];
        options.extend(tariffs.iter().filter(|t| t.active).map(|t| {
            (t.id.to_string(), format!("{} — {} {}", t.name, t.price.format_ru(), period_name(s, t.period)))
        }));
        fields.push(choice("tariff_id", |s| s.adm.f_tariff, options, ""));
    }
    fields.extend([
        choice("group_id", |s| s.adm.f_group, with_none(s, &groups), &id_of(c.and_then(|c| c.group_id))),
        choice(
            "manager_id",
            |s| s.adm.f_manager,
            with_none(s, &managers),
            &id_of(c.and_then(|c| c.manager_id)),
        ),
        pick(
            "parent_id",
            |s| s.adm.f_parent,
            PickKind::Customer,
            c.and_then(|c| c.parent_id),
            parent.as_deref().unwrap_or(""),
        )
        .with_hint(|s| s.adm.hint_pick),
        field("comment", |s| s.adm.f_comment, 2000, &t(|c| c.comment.clone())),
    ]);
    let house =
        card.as_ref().and_then(|c| c.house.as_ref()).map(|h| format!("{}, {}", h.city, h.short_address()));
    fields.extend([
        pick(
            "house_id",
            |s| s.adm.f_house,
            PickKind::House,
            c.and_then(|c| c.house_id),
            &house.unwrap_or_default(),
        )
        .in_section(|s| s.adm.sec_address)
        .with_hint(|s| s.adm.hint_pick),
        field("entrance", |s| s.adm.f_entrance, 16, &t(|c| c.entrance.clone())),
        field("floor", |s| s.adm.f_floor, 16, &t(|c| c.floor.clone())),
        field("apartment_number", |s| s.adm.f_apartment, 16, &t(|c| c.apartment.clone())),
    ]);
    const PHONES: [&str; 5] = ["phone0", "phone1", "phone2", "phone3", "phone4"];
    const PHONE_LABELS: [fn(&Strings) -> &'static str; 5] = [
        |s| s.adm.f_phones[0],
        |s| s.adm.f_phones[1],
        |s| s.adm.f_phones[2],
        |s| s.adm.f_phones[3],
        |s| s.adm.f_phones[4],
    ];
    for (i, name) in PHONES.iter().enumerate() {
        let value = c.and_then(|c| c.phones[i].clone()).map(|p| Phone::from_stored(p).to_string());
        let f = field(name, PHONE_LABELS[i], 32, &value.unwrap_or_default());
        fields.push(if i == 0 { f.in_section(|s| s.adm.sec_contacts) } else { f });
    }
    fields.extend([
        field("email", |s| s.adm.f_email, 128, &t(|c| c.email.clone())),
        field("login", |s| s.adm.f_login, 64, &t(|c| c.login.clone())),
        field("date_connect", |s| s.adm.f_date_connect, 10, &date_text(c.and_then(|c| c.date_connect)))
            .in_section(|s| s.adm.sec_dates)
            .with_hint(|s| s.adm.hint_date),
        field("date_activity", |s| s.adm.f_activity, 10, &ts_text(c.and_then(|c| c.date_activity))),
        field(
            "date_activity_inet",
            |s| s.adm.f_activity_inet,
            10,
            &ts_text(c.and_then(|c| c.date_activity_inet)),
        ),
        field("date_activity_lk", |s| s.adm.f_activity_lk, 10, &ts_text(c.and_then(|c| c.date_activity_lk))),
        field("billing_id", |s| s.adm.f_billing_id, 12, &id_of(c.and_then(|c| c.billing_id)))
            .in_section(|s| s.adm.sec_billing),
        field("billing_uid", |s| s.adm.f_billing_uid, 64, &t(|c| c.billing_uid.clone())),
        field("codeti", |s| s.adm.f_codeti, 64, &t(|c| c.codeti.clone())),
    ]);
    let kind = match c {
        Some(c) => FormKind::CustomerEdit(c.id),
        None => FormKind::CustomerAdd,
    };
    let mut form = FormScreen::new(kind, fields);
    form.only_changed = c.is_some();
    Some(form)
}

/// The form of a customer's extra service: which one (when adding), own price, quantity,
/// comment, enabled, next charge date.
pub fn service_form(s: &Strings, data: FormData) -> Option<FormScreen> {
    let (kind, current, catalogue) = match data {
        FormData::ServiceAdd(customer, catalogue) => (FormKind::ServiceAdd(customer), None, catalogue),
        FormData::ServiceEdit(cs) => (FormKind::ServiceEdit(cs.id), Some(cs), Vec::new()),
        _ => return None,
    };
    let mut fields = Vec::new();
    if current.is_none() {
        let options = catalogue
            .iter()
            .filter(|x| x.active)
            .map(|x| {
                (
                    x.id.to_string(),
                    format!("{} — {} {}", x.name, x.price.format_ru(), period_name(s, x.period)),
                )
            })
            .collect::<Vec<_>>();
        if options.is_empty() {
            return None;
        }
        fields.push(choice("service", |s| s.adm.f_service, options, ""));
    }
    let c = current.as_ref();
    fields.extend([
        field(
            "price",
            |s| s.adm.f_own_price,
            16,
            &c.and_then(|c| c.own_price).map(|p| p.format_ru()).unwrap_or_default(),
        )
        .with_hint(|s| s.adm.hint_own_price),
        field("quantity", |s| s.adm.f_quantity, 5, &c.map(|c| c.quantity).unwrap_or(1).to_string()),
        field("comment", |s| s.adm.f_comment, 500, &c.and_then(|c| c.comment.clone()).unwrap_or_default()),
        yes_no("enabled", |s| s.adm.f_enabled, s, c.is_none_or(|c| c.enabled)),
        field("next_charge_on", |s| s.adm.f_next_charge, 10, &date_text(c.and_then(|c| c.next_charge_on)))
            .with_hint(|s| s.adm.hint_date),
    ]);
    Some(FormScreen::new(kind, fields))
}

/// Loads what a form needs.
pub async fn prepare(svc: &Service, a: &Actor, kind: &FormKind) -> Result<FormData, ServiceError> {
    match kind {
        FormKind::CustomerAdd | FormKind::CustomerEdit(_) => {
            let card = match kind {
                FormKind::CustomerEdit(id) => Some(Box::new(svc.customer_card(a, *id).await?)),
                _ => None,
            };
            let tariffs = if card.is_none() { svc.list_tariffs(a, false).await? } else { Vec::new() };
            let groups = svc.customer_groups(a).await?;
            let managers = svc.operator_names(a).await?;
            let parent = match card.as_ref().and_then(|c| c.customer.parent_id) {
                Some(p) => {
                    let pc = svc.customer_card(a, p).await?.customer;
                    Some(format!("{} {}", pc.agreement_number.as_deref().unwrap_or("—"), pc.name))
                }
                None => None,
            };
            Ok(FormData::Customer { card, tariffs, groups, managers, parent })
        }
        FormKind::ServiceAdd(customer) => {
            Ok(FormData::ServiceAdd(*customer, svc.list_services(a, false).await?))
        }
        FormKind::TariffEdit(id) => {
            let (t, transitions) = svc.tariff(a, *id).await?;
            Ok(FormData::TariffEdit(t, transitions))
        }
        FormKind::Promise(id) => {
            let card = svc.customer_card(a, *id).await?;
            Ok(FormData::Promise(Box::new(card), svc.promise_rules(a).await?))
        }
        FormKind::DiscountAdd => Ok(FormData::Discount(svc.customer_groups(a).await?)),
        other => Err(ServiceError::NotFound(Entity::Form, format!("{other:?}"))),
    }
}

/// Saves one of the record forms (`exec::saver` sends only those here).
pub async fn save(
    svc: &Service,
    a: &Actor,
    kind: &FormKind,
    values: &Values,
) -> Result<AfterSave, ServiceError> {
    let get = |name: &str| values.get(name);
    // the customer's own fields: the tariff is not one of them
    let pairs = || values.given().into_iter().filter(|(n, _)| *n != "tariff_id").collect::<Vec<_>>();
    match kind {
        FormKind::CustomerAdd => {
            async {
                let fields = CustomerChanges::from_pairs(pairs())?;
                let tariff_id = match get("tariff_id").filter(|t| !t.is_empty()) {
                    Some(t) => Some(t.parse::<i64>().map_err(|_| {
                        ServiceError::invalid("tariff_id", Problem::NotANumber(t.to_string()))
                    })?),
                    None => None,
                };
                let c = svc.add_customer(a, &NewCustomer { fields, tariff_id }).await?;
                Ok(AfterSave::OpenCard(c.id))
            }
            .await
        }
        FormKind::CustomerEdit(id) => {
            async {
                let changes = pairs();
                if !changes.is_empty() {
                    svc.edit_customer(a, *id, &CustomerChanges::from_pairs(changes)?).await?;
                }
                Ok(AfterSave::Reload)
            }
            .await
        }
        FormKind::CustomerDelete(id) => svc.delete_customer(a, *id).await.map(|_| AfterSave::CloseCard),
        FormKind::Refund(op) => {
            let text = get("amount").unwrap_or_default();
            let amount = Money::parse(text.trim()).map_err(|e| ServiceError::invalid("amount", e))?;
            let req = crate::service::RefundRequest {
                operation_id: *op,
                amount,
                reason: get("reason").unwrap_or_default(),
                idempotency_key: None,
            };
            svc.refund_payment(a, &req).await.map(|_| AfterSave::Reload)
        }
        FormKind::Reverse(op) => svc
            .reverse_operation(a, *op, &get("comment").unwrap_or_default(), None)
            .await
            .map(|_| AfterSave::Reload),
        FormKind::Charge(id) | FormKind::Correction(id) => {
            let kind = if matches!(kind, FormKind::Charge(_)) {
                OperationKind::Charge
            } else {
                OperationKind::Correction
            };
            let text = get("amount").unwrap_or_default();
            let amount = Money::parse(&text).map_err(|e| ServiceError::invalid("amount", e))?;
            let req = AdjustmentRequest {
                customer_id: *id,
                kind,
                amount,
                comment: get("comment").unwrap_or_default(),
                idempotency_key: None,
            };
            svc.post_adjustment(a, &req).await.map(|_| AfterSave::Reload)
        }
        FormKind::ServiceAdd(customer) => {
            async {
                let service = get("service").unwrap_or_default();
                let service = service
                    .parse::<i64>()
                    .map_err(|_| ServiceError::invalid("service", Problem::NotANumber(service.clone())))?;
                let input = service_input(&get);
                svc.add_customer_service(a, *customer, service, &input).await.map(|_| AfterSave::Reload)
            }
            .await
        }
        FormKind::ServiceEdit(id) => {
            svc.edit_customer_service(a, *id, &service_input(&get)).await.map(|_| AfterSave::Reload)
        }
        FormKind::ServiceRemove(id) => svc.remove_customer_service(a, *id).await.map(|_| AfterSave::Reload),
        FormKind::Message(customer, dir) => {
            let text = get("text").unwrap_or_default();
            svc.add_message(a, *customer, *dir, &text).await.map(|_| AfterSave::Reload)
        }
        other => Err(not_mine(other)),
    }
}

/// A form `exec::saver` should have sent elsewhere.
pub fn not_mine(kind: &FormKind) -> ServiceError {
    ServiceError::NotFound(Entity::Form, format!("{kind:?}"))
}

fn service_input(get: &dyn Fn(&str) -> Option<String>) -> CustomerServiceInput {
    CustomerServiceInput {
        price: get("price"),
        quantity: get("quantity"),
        comment: get("comment"),
        enabled: get("enabled"),
        next_charge_on: get("next_charge_on"),
    }
}

/// The promised-payment form, saying whose it is, their balance and the rules it must keep.
pub fn promise_form(s: &Strings, card: &CustomerCard, rules: &crate::service::PromiseRules) -> FormScreen {
    let cu = &card.customer;
    let mut form = FormScreen::new(
        FormKind::Promise(cu.id),
        vec![
            field("amount", |s| s.net.f_amount, 16, ""),
            field("days", |s| s.net.f_days, 3, &rules.max_days.min(3).to_string()),
        ],
    );
    form.subject = Some(format!(
        "{} {} · {} {} · {} {}, {} {}, {} {}, {} {}",
        cu.agreement_number.as_deref().unwrap_or("—"),
        cu.name,
        s.card_balance,
        cu.balance.format_ru(),
        s.promise_rule_max,
        rules.max_amount.format_ru(),
        s.promise_rule_days,
        rules.max_days,
        s.promise_rule_month,
        rules.per_month,
        s.promise_rule_floor,
        rules.balance_floor.format_ru(),
    ));
    form
}
