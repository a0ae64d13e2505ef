//! The permission matrix: every operation × every role. A role without the permission gets
//! `Denied` naming it, and the denied call writes nothing.

use chrono::NaiveDate;
use kassa::domain::customer::{CustomerState, LookupKind};
use kassa::domain::ledger::OperationKind;
use kassa::domain::role::{Permission, Role};
use kassa::service::{
    Actor, AdjustmentRequest, CustomerChanges, CustomerFilter, HistoryQuery, HouseInput, IpSelection,
    NewCustomer, ServiceError, SwitchInput, TariffInput, When,
};
use kassa::store::customers::Activity;
use kassa::store::tariffs::Period;

use super::helpers::{audit_count, customer, house, money, pay, payment, tariff};
use crate::both_backends;
use crate::common::Env;

#[derive(Debug, Clone, Copy)]
enum Op {
    CreateOperator,
    ListOperators,
    AddCustomer,
    EditCustomer,
    ResolveCustomer,
    Card,
    CardByAccount,
    Find,
    List,
    Search,
    Groups,
    MaxAgreement,
    Pay,
    Adjust,
    Reverse,
    History,
    PeekReceipt,
    CreateTariff,
    EditTariff,
    Tariff,
    ListTariffs,
    AvailableTariffs,
    ChangeTariff,
    ApplyDue,
    AddHouse,
    EditHouse,
    DeleteHouse,
    ListHouses,
    Check,
    Audit,
    ChangeState,
    StateHistory,
    SetFormer,
    DeleteCustomer,
    AddSwitch,
    EditSwitch,
    DeleteSwitch,
    ListSwitches,
    RevealSecrets,
    FindSwitch,
    PortMap,
    AddIp,
    DeleteIp,
    AddSubnet,
    DeleteSubnet,
    SetMac,
    MacHistory,
    LastIp,
    BindPort,
    UnbindPort,
    CustomerNetwork,
    DhcpExport,
    FindHouse,
    Promise,
    Promises,
    EndDuePromises,
    SetCreditLimit,
    ActivityCounter,
    LkPassword,
    AddMark,
    ListMarks,
    SetMark,
    AddGroup,
    ListGroups,
    AddMessage,
    Messages,
    MergePreview,
    Merge,
    AddService,
    ListServices,
    CustomerServices,
    EditOperator,
    ResetOperatorPassword,
    SetOperatorActive,
    OperatorNames,
    SearchHouses,
    CustomerMarks,
}

const MATRIX: &[(Op, Permission)] = &[
    (Op::CreateOperator, Permission::OperatorManage),
    (Op::ListOperators, Permission::OperatorManage),
    (Op::AddCustomer, Permission::CustomerCreate),
    (Op::EditCustomer, Permission::CustomerEdit),
    (Op::ResolveCustomer, Permission::CustomerRead),
    (Op::Card, Permission::CustomerRead),
    (Op::CardByAccount, Permission::CustomerRead),
    (Op::Find, Permission::CustomerRead),
    (Op::List, Permission::CustomerRead),
    (Op::Search, Permission::CustomerRead),
    (Op::Groups, Permission::CustomerRead),
    (Op::MaxAgreement, Permission::CustomerRead),
    (Op::Pay, Permission::PaymentPost),
    (Op::Adjust, Permission::LedgerAdjust),
    (Op::Reverse, Permission::LedgerAdjust),
    (Op::History, Permission::HistoryRead),
    (Op::PeekReceipt, Permission::PaymentPost),
    (Op::CreateTariff, Permission::TariffManage),
    (Op::EditTariff, Permission::TariffManage),
    (Op::Tariff, Permission::TariffRead),
    (Op::ListTariffs, Permission::TariffRead),
    (Op::AvailableTariffs, Permission::TariffRead),
    (Op::ChangeTariff, Permission::TariffAssign),
    (Op::ApplyDue, Permission::Maintenance),
    (Op::AddHouse, Permission::HouseManage),
    (Op::EditHouse, Permission::HouseManage),
    (Op::DeleteHouse, Permission::HouseManage),
    (Op::ListHouses, Permission::HouseRead),
    (Op::Check, Permission::Maintenance),
    (Op::Audit, Permission::AuditRead),
    (Op::ChangeState, Permission::CustomerState),
    (Op::StateHistory, Permission::CustomerRead),
    (Op::SetFormer, Permission::CustomerArchive),
    (Op::DeleteCustomer, Permission::CustomerDelete),
    (Op::AddSwitch, Permission::NetworkManage),
    (Op::EditSwitch, Permission::NetworkManage),
    (Op::DeleteSwitch, Permission::NetworkManage),
    (Op::ListSwitches, Permission::NetworkRead),
    (Op::RevealSecrets, Permission::SwitchSecrets),
    (Op::FindSwitch, Permission::NetworkRead),
    (Op::PortMap, Permission::NetworkRead),
    (Op::AddIp, Permission::NetworkManage),
    (Op::DeleteIp, Permission::NetworkManage),
    (Op::AddSubnet, Permission::NetworkManage),
    (Op::DeleteSubnet, Permission::NetworkManage),
    (Op::SetMac, Permission::NetworkManage),
    (Op::MacHistory, Permission::NetworkRead),
    (Op::LastIp, Permission::NetworkRead),
    (Op::BindPort, Permission::NetworkManage),
    (Op::UnbindPort, Permission::NetworkManage),
    (Op::CustomerNetwork, Permission::NetworkRead),
    (Op::DhcpExport, Permission::NetworkRead),
    (Op::FindHouse, Permission::HouseRead),
    (Op::Promise, Permission::PromisePayment),
    (Op::Promises, Permission::HistoryRead),
    (Op::EndDuePromises, Permission::Maintenance),
    (Op::SetCreditLimit, Permission::CreditLimit),
    (Op::ActivityCounter, Permission::CustomerRead),
    (Op::LkPassword, Permission::CustomerEdit),
    (Op::AddMark, Permission::CatalogueManage),
    (Op::ListMarks, Permission::CustomerRead),
    (Op::SetMark, Permission::CustomerEdit),
    (Op::AddGroup, Permission::CatalogueManage),
    (Op::ListGroups, Permission::CustomerRead),
    (Op::AddMessage, Permission::CustomerEdit),
    (Op::Messages, Permission::CustomerRead),
    (Op::MergePreview, Permission::CustomerMerge),
    (Op::Merge, Permission::CustomerMerge),
    (Op::AddService, Permission::TariffManage),
    (Op::ListServices, Permission::TariffRead),
    (Op::CustomerServices, Permission::CustomerRead),
    (Op::EditOperator, Permission::OperatorManage),
    (Op::ResetOperatorPassword, Permission::OperatorManage),
    (Op::SetOperatorActive, Permission::OperatorManage),
    (Op::OperatorNames, Permission::CustomerRead),
    (Op::SearchHouses, Permission::HouseRead),
    (Op::CustomerMarks, Permission::CustomerRead),
];

struct Fixture {
    customer: i64,
    operation: i64,
    tariff: i64,
    other_tariff: i64,
    house: i64,
    switch: i64,
}

async fn call(env: &Env, a: &Actor, op: Op, f: &Fixture, n: usize) -> Result<(), ServiceError> {
    let s = &env.svc;
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    match op {
        Op::CreateOperator => {
            s.create_operator(a, &format!("op{n}"), "x", Role::Viewer, "12345").await.map(drop)
        }
        Op::ListOperators => s.list_operators(a).await.map(drop),
        Op::EditOperator => {
            s.edit_operator(a, env.noc.operator_id, Some(&format!("noc {n}")), None).await.map(drop)
        }
        Op::ResetOperatorPassword => {
            s.reset_operator_password(a, env.viewer.operator_id, &format!("pass-{n}")).await.map(drop)
        }
        Op::SetOperatorActive => s.set_operator_active(a, env.noc.operator_id, true).await.map(drop),
        Op::OperatorNames => s.operator_names(a).await.map(drop),
        Op::SearchHouses => s.search_houses(a, "матр 100", 10).await.map(drop),
        Op::CustomerMarks => s.customer_marks(a, f.customer).await.map(drop),
        Op::AddCustomer => {
            let mut new = NewCustomer::default();
            new.fields.name = Some(format!("Новый {n}"));
            s.add_customer(a, &new).await.map(drop)
        }
        Op::EditCustomer => s
            .edit_customer(
                a,
                f.customer,
                &CustomerChanges { comment: Some(format!("c{n}")), ..Default::default() },
            )
            .await
            .map(drop),
        Op::ResolveCustomer => s.resolve_customer(a, &format!("#{}", f.customer)).await.map(drop),
        Op::Card => s.customer_card(a, f.customer).await.map(drop),
        Op::CardByAccount => s.customer_card_by_account(a, "A-1").await.map(drop),
        Op::Find => s.find_customer_ids(a, LookupKind::Account, "A-1", false).await.map(drop),
        Op::List => s.list_customers(a, &CustomerFilter { limit: 10, ..Default::default() }).await.map(drop),
        Op::Search => s.search_customers(a, "Матрица", false, 10).await.map(drop),
        Op::Groups => s.customer_groups(a).await.map(drop),
        Op::MaxAgreement => s.max_agreement_number(a, None).await.map(drop),
        Op::AddMark => s.add_mark(a, &format!("Метка {n}"), "green").await.map(drop),
        Op::ListMarks => s.list_marks(a).await.map(drop),
        // the mark is made by the first allowed role and toggled by the next
        Op::SetMark => match s.list_marks(a).await?.first() {
            Some(m) => s.set_mark(a, f.customer, m.id, n.is_multiple_of(2)).await.map(drop),
            None => s.set_mark(a, f.customer, 424_242, true).await.map(drop),
        },
        Op::AddGroup => s.add_group(a, &format!("Группа {n}")).await.map(drop),
        Op::ListGroups => s.list_groups(a).await.map(drop),
        Op::AddService => s
            .add_service(
                a,
                &kassa::service::ServiceInput {
                    name: Some(format!("Услуга {n}")),
                    price: Some("1".into()),
                    ..Default::default()
                },
            )
            .await
            .map(drop),
        Op::ListServices => s.list_services(a, true).await.map(drop),
        Op::CustomerServices => s.customer_services(a, f.customer).await.map(drop),
        // merging the customer into itself: an allowed role is refused as invalid
        Op::MergePreview => s.merge_preview(a, f.customer, f.customer).await.map(drop),
        Op::Merge => s.merge_customers(a, f.customer, f.customer).await.map(drop),
        Op::AddMessage => {
            s.add_message(a, f.customer, kassa::service::Direction::Customer, "Привет").await.map(drop)
        }
        Op::Messages => {
            s.messages(a, &kassa::service::MessageQuery { limit: 5, ..Default::default() }).await.map(drop)
        }
        Op::ActivityCounter => s.activity_counter(a, Activity::Net, 1).await.map(drop),
        // set by the first allowed role; a cashier then needs the old one (refused as invalid)
        Op::LkPassword => s.change_lk_password(a, f.customer, None, "пароль-лк").await.map(drop),
        Op::Pay => s.post_payment(a, &payment(f.customer, "1", None)).await.map(drop),
        Op::Adjust => s
            .post_adjustment(
                a,
                &AdjustmentRequest {
                    customer_id: f.customer,
                    kind: OperationKind::Correction,
                    amount: money("1"),
                    comment: "m".into(),
                    idempotency_key: None,
                },
            )
            .await
            .map(drop),
        Op::Reverse => s.reverse_operation(a, f.operation, "m", None).await.map(drop),
        Op::History => s
            .history(a, &HistoryQuery { customer_id: f.customer, limit: 10, ..Default::default() })
            .await
            .map(drop),
        Op::PeekReceipt => s.peek_next_receipt(a).await.map(drop),
        Op::CreateTariff => s
            .create_tariff(
                a,
                &TariffInput {
                    name: format!("T{n}"),
                    price: money("1"),
                    period: Period::Day,
                    active: true,
                    public: true,
                    pause_price: None,
                    transitions: None,
                },
            )
            .await
            .map(drop),
        Op::EditTariff => s
            .edit_tariff(
                a,
                f.other_tariff,
                &TariffInput {
                    name: "Другой".into(),
                    price: money("2"),
                    period: Period::Day,
                    active: true,
                    public: true,
                    pause_price: None,
                    transitions: None,
                },
            )
            .await
            .map(drop),
        Op::Tariff => s.tariff(a, f.tariff).await.map(drop),
        Op::ListTariffs => s.list_tariffs(a, true).await.map(drop),
        Op::AvailableTariffs => s.available_tariffs(a, f.customer).await.map(drop),
        Op::ChangeTariff => {
            let to = if n.is_multiple_of(2) { f.tariff } else { f.other_tariff };
            s.change_tariff(a, f.customer, to, When::Now, today).await.map(drop)
        }
        Op::ApplyDue => s.apply_due_tariff_changes(a, today).await.map(drop),
        Op::AddHouse => s
            .add_house(
                a,
                &HouseInput {
                    city: Some("Казань".into()),
                    street: Some("ул. Матрицы".into()),
                    number: Some((n + 1).to_string()),
                    ..Default::default()
                },
            )
            .await
            .map(drop),
        Op::EditHouse => s
            .edit_house(a, f.house, &HouseInput { postcode: Some(format!("42{n:04}")), ..Default::default() })
            .await
            .map(drop),
        Op::DeleteHouse => s.delete_house(a, 424_242).await.map(drop),
        Op::ListHouses => s.list_houses(a, None).await.map(drop),
        Op::Check => s.check_invariants(a).await.map(drop),
        Op::Audit => s.audit_log(a, None, None, 5).await.map(drop),
        Op::ChangeState => {
            let state = if n.is_multiple_of(2) { CustomerState::Pause } else { CustomerState::Active };
            s.change_state(a, f.customer, state).await.map(drop)
        }
        Op::StateHistory => s.state_history(a, f.customer).await.map(drop),
        Op::SetFormer => s.set_former(a, f.customer, n.is_multiple_of(2)).await.map(drop),
        // the fixture customer has money: an allowed role is refused with a conflict, not denied
        Op::DeleteCustomer => s.delete_customer(a, f.customer).await.map(drop),
        Op::AddSwitch => s
            .add_switch(
                a,
                &SwitchInput {
                    name: Some(format!("sw-m{n}")),
                    ip: Some(format!("10.250.{}.{}", n / 250, n % 250 + 1)),
                    ports: Some("8".into()),
                    ..Default::default()
                },
            )
            .await
            .map(drop),
        Op::EditSwitch => s
            .edit_switch(a, f.switch, &SwitchInput { model: Some(format!("m{n}")), ..Default::default() })
            .await
            .map(drop),
        Op::DeleteSwitch => s.delete_switch(a, 424_242).await.map(drop),
        Op::ListSwitches => s.list_switches(a, None, None, false).await.map(drop),
        Op::RevealSecrets => s.list_switches(a, None, None, true).await.map(drop),
        Op::FindSwitch => s.find_switch(a, "sw-matrix").await.map(drop),
        Op::PortMap => s.port_map(a, f.switch).await.map(drop),
        Op::AddIp => {
            s.add_ip(a, f.customer, &format!("10.251.{}.{}", n / 250, n % 250 + 1), "", false).await.map(drop)
        }
        // nothing to delete: an allowed role gets "not found", not "denied"
        Op::DeleteIp => s.delete_ip(a, f.customer, &IpSelection::MacOnly).await.map(drop),
        Op::AddSubnet => s.add_subnet(a, f.customer, &format!("10.252.{n}.0"), "30").await.map(drop),
        Op::DeleteSubnet => s.delete_subnet(a, f.customer, "10.253.0.0").await.map(drop),
        Op::SetMac => s
            .set_mac(a, "10.254.0.1", &format!("00:00:00:00:{:02x}:{:02x}", n / 256, n % 256), false)
            .await
            .map(drop),
        Op::MacHistory => s.mac_history(a, f.customer).await.map(drop),
        Op::LastIp => s.last_ip(a).await.map(drop),
        Op::BindPort => s.bind_port(a, f.customer, f.switch, &(n % 8 + 1).to_string(), true).await.map(drop),
        Op::UnbindPort => s.unbind_port(a, 424_242).await.map(drop),
        Op::CustomerNetwork => s.customer_network(a, f.customer).await.map(drop),
        Op::DhcpExport => s.dhcp_export_page(a, "", 10).await.map(drop),
        Op::FindHouse => s.find_house(a, "Матрицы 100").await.map(drop),
        // after the first, an allowed role is refused by a rule, not denied
        Op::Promise => s.promise_payment(a, f.customer, money("10"), 1).await.map(drop),
        Op::Promises => s.promises(a, f.customer).await.map(drop),
        Op::EndDuePromises => s.end_due_promises(Some(a), chrono::Utc::now()).await.map(drop),
        Op::SetCreditLimit => s.set_credit_limit(a, f.customer, money(&format!("{n}"))).await.map(drop),
    }
}

async fn every_operation_for_every_role(env: &Env) {
    let h = house(env, "ул. Матрицы", "100", "").await;
    let c = customer(env, "Матрица", &[("account_number", "A-1"), ("house_id", &h.to_string())]).await;
    let t = tariff(env, "Матричный", "100", Period::Month, true).await;
    let t2 = tariff(env, "Другой", "200", Period::Month, true).await;
    let operation = pay(env, c.id, "1000").await.operation.id;
    let switch = env
        .svc
        .add_switch(
            &env.admin,
            &SwitchInput {
                name: Some("sw-matrix".into()),
                ip: Some("10.249.0.1".into()),
                ports: Some("8".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    env.svc.add_ip(&env.admin, c.id, "10.254.0.1", "", false).await.unwrap();
    let f = Fixture { customer: c.id, operation, tariff: t, other_tariff: t2, house: h, switch };
    let mut n = 0;
    for role in Role::ALL {
        let actor = env.actor(role).clone();
        for (op, permission) in MATRIX {
            n += 1;
            let before = audit_count(env).await;
            let r = call(env, &actor, *op, &f, n).await;
            if role == Role::Cashier && matches!(op, Op::Reverse) {
                // a cashier cancels only their own payment in its open shift (tests/service/desk.rs):
                // never a denial, and here nothing to cancel
                assert!(matches!(r, Err(ServiceError::Conflict(_))), "{r:?}");
                assert_eq!(audit_count(env).await, before, "{role} {op:?} wrote something");
            } else if role.allows(*permission) {
                assert!(!matches!(r, Err(ServiceError::Denied { .. })), "{role} {op:?}: {r:?}");
            } else {
                match &r {
                    Err(ServiceError::Denied { permission: p, role: r }) => {
                        assert_eq!((p, r), (permission, &role));
                    }
                    other => panic!("{role} {op:?} should be denied, got {other:?}"),
                }
                assert_eq!(audit_count(env).await, before, "{role} {op:?} wrote something");
                let msg = r.err().map(|e| e.to_string()).unwrap_or_default();
                assert!(msg.contains(permission.as_str()), "the refusal names the permission: {msg}");
            }
        }
    }
    // what each role may do, in words: viewers and NOC never move money, cashiers never adjust
    assert!(!Role::Viewer.allows(Permission::PaymentPost) && !Role::Noc.allows(Permission::PaymentPost));
    assert!(!Role::Cashier.allows(Permission::LedgerAdjust));
}
both_backends!(every_operation_for_every_role, every_operation_for_every_role);
