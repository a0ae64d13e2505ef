use kassa::domain::ledger::OperationKind;
use kassa::service::{Direction, HistoryQuery, ServiceError, SwitchInput};

use super::helpers::{audit_count, customer, money, pay};
use crate::both_backends;
use crate::common::Env;

async fn merge_moves_everything_and_the_money_exactly(env: &Env) {
    let main = customer(env, "Основной", &[]).await;
    let second = customer(env, "Дубль", &[]).await;
    let child = customer(env, "Ребёнок", &[("parent_id", &second.id.to_string())]).await;
    pay(env, main.id, "100").await;
    pay(env, second.id, "250.50").await;
    env.svc.add_ip(&env.noc, second.id, "10.9.0.2", "00:11:22:33:44:55", false).await.unwrap();
    env.svc.set_mac(&env.noc, "10.9.0.2", "00:11:22:33:44:66", false).await.unwrap();
    let mark = env.svc.add_mark(&env.admin, "Проверить", "cyan").await.unwrap();
    env.svc.set_mark(&env.admin, second.id, mark.id, true).await.unwrap();
    env.svc.set_mark(&env.admin, main.id, mark.id, true).await.unwrap();
    env.svc.add_message(&env.cashier, second.id, Direction::Customer, "Два договора").await.unwrap();
    let sw = env
        .svc
        .add_switch(
            &env.noc,
            &SwitchInput {
                name: Some("sw".into()),
                ip: Some("10.250.0.1".into()),
                ports: Some("8".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    env.svc.bind_port(&env.noc, second.id, sw.id, "3", false).await.unwrap();
    // refused before anything is written
    let before = audit_count(env).await;
    assert!(matches!(
        env.svc.merge_customers(&env.admin, main.id, main.id).await,
        Err(ServiceError::Invalid { .. })
    ));
    assert!(matches!(
        env.svc.merge_customers(&env.cashier, main.id, second.id).await,
        Err(ServiceError::Denied { .. })
    ));
    assert!(matches!(
        env.svc.merge_customers(&env.admin, main.id, 999_999).await,
        Err(ServiceError::NotFound(..))
    ));
    let p = env.svc.merge_preview(&env.admin, main.id, second.id).await.unwrap();
    assert_eq!(audit_count(env).await, before, "the preview writes nothing");
    assert_eq!((p.moves.addresses, p.moves.mac_changes, p.moves.marks, p.moves.messages), (1, 2, 1, 1));
    assert_eq!((p.moves.children, p.moves.port, p.port_released), (1, true, false));
    assert_eq!(p.balance, money("250.50"));

    let done = env.svc.merge_customers(&env.admin, main.id, second.id).await.unwrap();
    let (out, into) = done.operations.clone().unwrap();
    assert_eq!((out.customer_id, out.amount, out.balance_after), (second.id, money("-250.50"), money("0")));
    assert_eq!(
        (into.customer_id, into.amount, into.balance_after),
        (main.id, money("250.50"), money("350.50"))
    );
    assert_eq!((out.kind, into.kind), (OperationKind::Correction, OperationKind::Correction));
    let main_card = env.svc.customer_card(&env.viewer, main.id).await.unwrap();
    assert_eq!(main_card.customer.balance, money("350.50"));
    assert_eq!(main_card.network.records[0].ip.as_deref(), Some("10.9.0.2"));
    assert_eq!(main_card.network.binding.as_ref().map(|b| b.port), Some(3));
    assert_eq!(main_card.network.mac_history.len(), 2);
    assert_eq!(main_card.marks, vec!["Проверить".to_string()], "a mark both carried stays once");
    let gone = env.svc.customer_card(&env.viewer, second.id).await.unwrap();
    assert!(gone.customer.is_former);
    assert_eq!(gone.customer.balance, money("0"));
    assert!(gone.network.records.is_empty() && gone.marks.is_empty());
    assert_eq!(env.svc.customer_card(&env.viewer, child.id).await.unwrap().customer.parent_id, Some(main.id));
    let q = |id| HistoryQuery { customer_id: id, limit: 50, ..Default::default() };
    assert_eq!(
        env.svc.history(&env.viewer, &q(second.id)).await.unwrap().total_count,
        2,
        "its history stays its own"
    );
    let msgs = env
        .svc
        .messages(
            &env.viewer,
            &kassa::service::MessageQuery { customer_id: Some(main.id), limit: 10, ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(msgs.len(), 1);
    let states = env.svc.state_history(&env.viewer, second.id).await.unwrap();
    assert!(states.iter().any(|s| s.describe().contains("former")));
    // once merged it cannot be merged again; the harness checks every invariant, the link too
    assert!(matches!(
        env.svc.merge_customers(&env.admin, main.id, second.id).await,
        Err(ServiceError::Conflict(_))
    ));
    let log = env.svc.audit_log(&env.admin, Some("customer"), Some(main.id), 50).await.unwrap();
    assert!(log.iter().any(|e| e.action == "customer.merge"));
    // neither half of the transfer is reversed alone: that would create money (issue 14 item 14)
    for half in [out.id, into.id] {
        let r = env.svc.reverse_operation(&env.admin, half, "ошибка", None).await;
        assert!(matches!(&r, Err(ServiceError::Conflict(m)) if m.to_string().contains("merge")), "{r:?}");
    }
    // money for the merged-away customer is refused, naming the one it went into (item 15)
    let agreement = env.svc.customer_card(&env.viewer, main.id).await.unwrap().customer.agreement_number;
    let r = env.svc.post_payment(&env.cashier, &super::helpers::payment(second.id, "10", None)).await;
    match &r {
        Err(e @ ServiceError::MergedAway { into_id, .. }) => {
            assert_eq!(*into_id, main.id);
            let named = agreement.clone().unwrap_or_else(|| format!("#{}", main.id));
            assert!(e.to_string().contains(&named), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // brought back from the former customers on its own, it may be paid again
    env.svc.set_former(&env.admin, second.id, false).await.unwrap();
    pay(env, second.id, "10").await;
}
both_backends!(merge_moves_everything_and_the_money_exactly, merge_moves_everything_and_the_money_exactly);

async fn merge_without_money_and_with_two_ports(env: &Env) {
    let main = customer(env, "Главный", &[]).await;
    let second = customer(env, "Второй", &[]).await;
    let sw = env
        .svc
        .add_switch(
            &env.noc,
            &SwitchInput {
                name: Some("sw2".into()),
                ip: Some("10.250.0.2".into()),
                ports: Some("8".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    env.svc.bind_port(&env.noc, main.id, sw.id, "1", false).await.unwrap();
    env.svc.bind_port(&env.noc, second.id, sw.id, "2", false).await.unwrap();
    let done = env.svc.merge_customers(&env.admin, main.id, second.id).await.unwrap();
    assert!(done.operations.is_none(), "a zero balance moves no money");
    assert!(done.preview.port_released);
    let map = env.svc.port_map(&env.viewer, sw.id).await.unwrap();
    assert_eq!(map.users.iter().map(|u| (u.port, u.customer_id)).collect::<Vec<_>>(), vec![(1, main.id)]);
    // a child cannot swallow its parent; a former main customer is refused
    let parent = customer(env, "Родитель", &[]).await;
    let kid = customer(env, "Дочерний", &[("parent_id", &parent.id.to_string())]).await;
    assert!(matches!(
        env.svc.merge_customers(&env.admin, kid.id, parent.id).await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        env.svc.merge_customers(&env.admin, second.id, parent.id).await,
        Err(ServiceError::Conflict(_))
    ));
    // negative balances move the same way
    pay(env, kid.id, "10").await;
    env.svc
        .post_adjustment(
            &env.admin,
            &kassa::service::AdjustmentRequest {
                customer_id: kid.id,
                kind: OperationKind::Charge,
                amount: money("110"),
                comment: "долг".into(),
                idempotency_key: None,
            },
        )
        .await
        .unwrap();
    env.svc.merge_customers(&env.admin, parent.id, kid.id).await.unwrap();
    assert_eq!(env.svc.customer_card(&env.viewer, parent.id).await.unwrap().customer.balance, money("-100"));
}
both_backends!(merge_without_money_and_with_two_ports, merge_without_money_and_with_two_ports);
