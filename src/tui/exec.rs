//! The console's one executor: every service call a screen can ask for (`Effect`) is run here,
//! each by its own arm of one `match` with no catch-all, so a new kind of call that nothing runs
//! does not compile. Every answer goes back with the request id it was asked with.

use super::app::{Effect, Outcome, ReqId};
use super::form::{FormKind, Values};
use super::net::{ListData, ListKind, flat_order};
use super::records::{AfterSave, CardTab, MESSAGES_SHOWN, TabData};
use super::{admin, net, picker, records};
use crate::service::Entity;
use crate::service::{
    Actor, CustomerFilter, CustomerServiceInput, IpSelection, MessageQuery, Service, ServiceError, SessionEnd,
};

/// Runs one service call for the console as `actor` (`None` before the login: only the login
/// itself runs then, anything else is answered as a session that has ended).
pub async fn execute(svc: &Service, actor: Option<&Actor>, effect: Effect) -> (ReqId, Outcome) {
    execute_from(svc, actor, effect, None).await
}

/// `execute` for a console used from `origin` (`None`: from this process's environment).
pub async fn execute_from(
    svc: &Service,
    actor: Option<&Actor>,
    effect: Effect,
    origin: Option<String>,
) -> (ReqId, Outcome) {
    let (req, a) = match (&effect, actor) {
        (Effect::Login { req, login, password }, _) => {
            let origin = origin.unwrap_or_else(crate::service::origin_from_env);
            return (*req, Outcome::Login(svc.login(login, password, &origin).await));
        }
        (_, Some(a)) => (effect.req(), a),
        (_, None) => {
            return (effect.req(), Outcome::NoSession(ServiceError::SessionEnded(SessionEnd::Disabled)));
        }
    };
    let outcome = match effect {
        Effect::Login { .. } => {
            return (req, Outcome::NoSession(ServiceError::SessionEnded(SessionEnd::Disabled)));
        }
        Effect::Search { text, former, .. } => {
            // one more than is shown: the screen says "100+" when there are more
            Outcome::Search(svc.search_customers(a, &text, former, super::app::SEARCH_LIMIT + 1).await)
        }
        Effect::Card { id, .. } => Outcome::Card(Box::new(svc.customer_card(a, id).await)),
        Effect::PeekReceipt { .. } => Outcome::Receipt(match svc.peek_next_receipt(a).await {
            Ok(next) => svc.payment_methods(a, false).await.map(|m| (next, m)),
            Err(e) => Err(e),
        }),
        Effect::Post { request, .. } => Outcome::Posted(Box::new(svc.post_payment(a, &request).await)),
        Effect::History { query, .. } => Outcome::History(svc.history(a, &query).await),
        Effect::Tariffs { customer_id, .. } => Outcome::Tariffs(svc.available_tariffs(a, customer_id).await),
        Effect::ChangeTariff { customer_id, tariff_id, when, today, .. } => {
            Outcome::TariffChanged(Box::new(svc.change_tariff(a, customer_id, tariff_id, when, today).await))
        }
        Effect::Resolve { reference, .. } => Outcome::Resolved(svc.resolve_customer(a, &reference).await),
        Effect::LoadList { kind, .. } => Outcome::List(Box::new(load_list(svc, a, &kind).await)),
        Effect::LoadNetwork { customer_id, .. } => {
            Outcome::Network(Box::new(svc.customer_network(a, customer_id).await))
        }
        Effect::SaveForm { kind, values, take_over, .. } => {
            Outcome::Saved(save_form(svc, a, &kind, &values, take_over).await)
        }
        Effect::DeleteAddress { customer_id, record, .. } => {
            let r = match (&record.ip, record.prefix) {
                (Some(ip), Some(_)) => svc.delete_subnet(a, customer_id, ip).await.map(drop),
                (Some(ip), None) => {
                    svc.delete_ip(a, customer_id, &IpSelection::One(ip.clone())).await.map(drop)
                }
                (None, _) => svc.delete_ip(a, customer_id, &IpSelection::MacOnly).await.map(drop),
            };
            Outcome::Saved(r.map(|_| AfterSave::Reload))
        }
        Effect::Unbind { customer_id, .. } => {
            Outcome::Saved(svc.unbind_port(a, customer_id).await.map(|_| AfterSave::Reload))
        }
        Effect::Secrets { switch_id, .. } => {
            let r = svc.list_switches(a, Some(switch_id), None, true).await.and_then(|mut l| {
                l.pop()
                    .map(|l| l.switch)
                    .ok_or_else(|| ServiceError::NotFound(Entity::Switch, format!("{switch_id}")))
            });
            Outcome::Secrets(r)
        }
        Effect::Lookup { kind, value, .. } => {
            let r = svc.find_customer_ids(a, kind, &value, false).await.and_then(|ids| {
                ids.first()
                    .copied()
                    .ok_or_else(|| ServiceError::NotFound(Entity::Customer, format!("with {value}")))
            });
            Outcome::Resolved(r)
        }
        Effect::PrepareForm { kind, .. } => {
            Outcome::FormData(Box::new(records::prepare(svc, a, &kind).await))
        }
        Effect::PickSearch { kind, text, .. } => Outcome::Picks(picker::search(svc, a, kind, &text).await),
        Effect::MergePreview { main, secondary, .. } => {
            Outcome::MergePreview(Box::new(svc.merge_preview(a, main, secondary).await))
        }
        Effect::Merge { main, secondary, .. } => {
            Outcome::Merged(Box::new(svc.merge_customers(a, main, secondary).await))
        }
        Effect::LoadTab { customer_id, tab, archived, .. } => {
            let r = match tab {
                CardTab::Main => Ok(None),
                CardTab::Services => {
                    svc.customer_services(a, customer_id).await.map(|v| Some(TabData::Services(v)))
                }
                CardTab::Messages => {
                    let q = MessageQuery {
                        customer_id: Some(customer_id),
                        archived: (!archived).then_some(false),
                        limit: MESSAGES_SHOWN,
                        ..Default::default()
                    };
                    svc.messages(a, &q).await.map(|v| Some(TabData::Messages(v)))
                }
            };
            Outcome::Tab(Box::new(r))
        }
        Effect::ToggleService { id, enabled, .. } => {
            let input = CustomerServiceInput {
                enabled: Some(if enabled { "yes" } else { "no" }.into()),
                ..Default::default()
            };
            Outcome::Tab(Box::new(svc.edit_customer_service(a, id, &input).await.map(|_| None)))
        }
        Effect::ArchiveMessage { id, archived, .. } => {
            Outcome::Tab(Box::new(svc.archive_message(a, id, archived).await.map(|_| None)))
        }
        Effect::PrintReceipt { operation_id, .. } => {
            Outcome::Printed(Box::new(svc.print_receipt(a, operation_id).await))
        }
        Effect::SetMark { customer_id, mark_id, on, .. } => {
            Outcome::Saved(svc.set_mark(a, customer_id, mark_id, on).await.map(|_| AfterSave::Reload))
        }
    };
    (req, outcome)
}

/// Loads a list screen's rows; every kind of list by its own arm.
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
        ListKind::CustomerMarks(id) => {
            let all = svc.list_marks(a).await?;
            let on = svc.customer_marks(a, *id).await?.into_iter().map(|m| m.id).collect();
            ListData::CustomerMarks { all, on }
        }
        ListKind::Admin => ListData::Admin(admin::AdminItem::for_actor(a)),
        ListKind::Operators => ListData::Operators(svc.list_operators(a).await?),
        ListKind::Tariffs => ListData::Tariffs(svc.list_tariffs(a, true).await?),
        ListKind::Catalogue => ListData::Catalogue(svc.list_services(a, true).await?),
        ListKind::MarkCatalogue => ListData::Marks(svc.list_marks(a).await?),
        ListKind::Methods => ListData::Methods(svc.payment_methods(a, true).await?),
        ListKind::Groups => ListData::Groups(svc.list_groups(a).await?),
        ListKind::Audit => ListData::Audit(svc.audit_log(a, None, None, 500).await?),
        ListKind::Discounts => ListData::Discounts(
            svc.discounts(a, false, crate::domain::dates::today()).await?,
            svc.customer_groups(a).await?,
        ),
        ListKind::Desk => ListData::Desk(Box::new(svc.desk_view(a, 500, None).await?)),
        ListKind::ImportQueue => ListData::Import(svc.import_queue(a, &super::import_ui::OPEN, 5000).await?),
        ListKind::ImportLine(id) => ListData::ImportLine(Box::new(svc.import_line(a, *id).await?)),
        ListKind::Payment(id) => ListData::Payment(Box::new(svc.payment_story(a, *id).await?)),
        ListKind::DeskFind(text) => ListData::Desk(Box::new(svc.desk_view(a, 500, Some(text)).await?)),
        ListKind::ShiftReport(id) => ListData::Shift(Box::new(svc.shift_report(a, *id).await?)),
        ListKind::Tokens => ListData::Tokens(svc.list_tokens(a, None).await?),
        ListKind::OperatorKeys(login) => {
            ListData::OperatorKeys(login.clone(), svc.operator_keys(a, login).await?)
        }
        ListKind::Taxes => {
            ListData::Taxes { rules: svc.tax_rules(a).await?, billing_day: svc.billing_day(a).await? }
        }
    })
}

/// Which part of the console saves a form: every kind of form by name, so a new one that no
/// part saves does not compile.
enum Saver {
    Records,
    Admin,
    Network,
    Desk,
    Import,
}

fn saver(kind: &FormKind) -> Saver {
    match kind {
        FormKind::CustomerAdd
        | FormKind::CustomerEdit(_)
        | FormKind::CustomerDelete(_)
        | FormKind::Charge(_)
        | FormKind::Correction(_)
        | FormKind::Reverse(_)
        | FormKind::Refund(_)
        | FormKind::ServiceAdd(_)
        | FormKind::ServiceEdit(_)
        | FormKind::ServiceRemove(_)
        | FormKind::Message(..) => Saver::Records,
        FormKind::OperatorAdd
        | FormKind::OperatorEdit(_)
        | FormKind::OperatorPassword(_)
        | FormKind::OperatorActive(..)
        | FormKind::TariffAdd
        | FormKind::TariffEdit(_)
        | FormKind::CatalogueAdd
        | FormKind::CatalogueEdit(_)
        | FormKind::MarkAdd
        | FormKind::MethodAdd
        | FormKind::MethodEdit(_)
        | FormKind::MarkEdit(_)
        | FormKind::MarkDelete(_)
        | FormKind::TokenRevoke(_)
        | FormKind::KeyAdd(_)
        | FormKind::KeyRemove(..)
        | FormKind::GroupAdd
        | FormKind::GroupRename(_)
        | FormKind::GroupDelete(_)
        | FormKind::DiscountAdd
        | FormKind::DiscountEnd(_)
        | FormKind::TaxSet(_)
        | FormKind::TaxDelete(_)
        | FormKind::BillingDay => Saver::Admin,
        FormKind::ShiftOpen
        | FormKind::CashIn
        | FormKind::CashOut
        | FormKind::ShiftClose
        | FormKind::DeskFind => Saver::Desk,
        FormKind::ImportAccept(_)
        | FormKind::ImportMatch(..)
        | FormKind::ImportRemember(_)
        | FormKind::ImportSkip(_)
        | FormKind::ImportPost
        | FormKind::ImportFile => Saver::Import,
        FormKind::HouseAdd
        | FormKind::HouseEdit(_)
        | FormKind::SwitchAdd
        | FormKind::SwitchEdit(_)
        | FormKind::IpAdd(_)
        | FormKind::SubnetAdd(_)
        | FormKind::SetMac(_)
        | FormKind::BindPort(_)
        | FormKind::Promise(_)
        | FormKind::CreditLimit(_)
        | FormKind::State(_)
        | FormKind::Former(..) => Saver::Network,
    }
}

async fn save_form(
    svc: &Service,
    a: &Actor,
    kind: &FormKind,
    values: &Values,
    take_over: bool,
) -> Result<AfterSave, ServiceError> {
    match saver(kind) {
        Saver::Records => records::save(svc, a, kind, values).await,
        Saver::Admin => admin::save(svc, a, kind, values).await,
        Saver::Network => net::save(svc, a, kind, values, take_over).await.map(|_| AfterSave::Reload),
        Saver::Desk => super::desk_ui::save(svc, a, kind, values).await,
        Saver::Import => super::import_ui::save(svc, a, kind, values).await,
    }
}
