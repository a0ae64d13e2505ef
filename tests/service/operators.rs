use kassa::domain::role::Role;
use kassa::service::ServiceError;

use crate::both_backends;
use crate::common::{Env, PASSWORD};

async fn create_and_list(env: &Env) {
    let op = env
        .svc
        .create_operator(&env.admin, "kassir2", "Мария Ёлкина", Role::Cashier, "пароль-1")
        .await
        .unwrap();
    assert_eq!(op.role, Role::Cashier);
    let all = env.svc.list_operators(&env.admin).await.unwrap();
    assert_eq!(
        all.iter().map(|o| o.login.as_str()).collect::<Vec<_>>(),
        ["admin", "cashier", "kassir2", "noc", "viewer"]
    );
    let dup = env.svc.create_operator(&env.admin, "kassir2", "x", Role::Viewer, "пароль-1").await;
    // the unique key is known by kind on both backends, and said as such
    assert!(
        matches!(&dup, Err(ServiceError::Conflict(m)) if m.to_string() == "an operator with this login already exists"),
        "{dup:?}"
    );
    for (login, name, pw) in [("bad login", "n", "12345"), ("ok", "", "12345"), ("ok", "n", "1234")] {
        let r = env.svc.create_operator(&env.admin, login, name, Role::Viewer, pw).await;
        assert!(matches!(r, Err(ServiceError::Invalid { .. })), "{login}/{name}/{pw}: {r:?}");
    }
    assert_eq!(env.svc.list_operators(&env.admin).await.unwrap().len(), 5);
    // the second bootstrap is refused
    let again = env.svc.bootstrap_admin("root", "Root", "long-enough").await;
    assert!(matches!(again, Err(ServiceError::Conflict(_))));
    // a new operator can log in with the password given
    let a = env.svc.login("kassir2", "пароль-1", "10.1.1.1").await.unwrap();
    assert_eq!((a.role, a.origin.as_str()), (Role::Cashier, "10.1.1.1"));
}
both_backends!(create_and_list, create_and_list);

async fn wrong_passwords_lock_the_operator(env: &Env) {
    // unknown login and wrong password look the same
    assert!(matches!(env.svc.login("nobody", PASSWORD, "t").await, Err(ServiceError::BadCredentials)));
    assert!(matches!(env.svc.login("cashier", "wrong", "t").await, Err(ServiceError::BadCredentials)));
    // a right password resets the counter
    env.svc.login("cashier", PASSWORD, "t").await.unwrap();
    assert!(matches!(env.svc.login("cashier", "wrong", "t").await, Err(ServiceError::BadCredentials)));
    assert!(matches!(env.svc.login("cashier", "wrong", "t").await, Err(ServiceError::BadCredentials)));
    // the third wrong password in a row (test config: 3) locks
    assert!(matches!(env.svc.login("cashier", "wrong", "t").await, Err(ServiceError::BadCredentials)));
    // and while locked even the right password is refused
    assert!(matches!(env.svc.login("cashier", PASSWORD, "t").await, Err(ServiceError::BadCredentials)));
    // other operators are not affected
    env.svc.login("noc", PASSWORD, "t").await.unwrap();
    let log = env.svc.audit_log(&env.admin, Some("operator"), None, 100).await.unwrap();
    assert!(log.iter().any(|a| a.action == "operator.locked"));
}
both_backends!(wrong_passwords_lock_the_operator, wrong_passwords_lock_the_operator);

async fn edit_reset_lock_and_unlock(env: &Env) {
    let id = env.cashier.operator_id;
    // name and role; an empty name is refused and nothing changes
    let op = env.svc.edit_operator(&env.admin, id, Some("Анна Кассирова"), Some(Role::Noc)).await.unwrap();
    assert_eq!((op.name.as_str(), op.role), ("Анна Кассирова", Role::Noc));
    let r = env.svc.edit_operator(&env.admin, id, Some("  "), None).await;
    assert!(matches!(r, Err(ServiceError::Invalid { field, .. }) if field == "name"), "{r:?}");
    assert_eq!(env.svc.login("cashier", PASSWORD, "t").await.unwrap().role, Role::Noc);
    // the last administrator keeps the role and cannot be locked; nobody locks themselves
    let last = env.svc.edit_operator(&env.admin, env.admin.operator_id, None, Some(Role::Viewer)).await;
    assert!(
        matches!(last, Err(ServiceError::Conflict(ref m)) if m.to_string().contains("last active administrator"))
    );
    let me = env.svc.set_operator_active(&env.admin, env.admin.operator_id, false).await;
    assert!(matches!(me, Err(ServiceError::Conflict(_))), "{me:?}");
    // with a second administrator, the first may be locked by the second
    let second =
        env.svc.create_operator(&env.admin, "admin2", "Второй", Role::Admin, "пароль-2").await.unwrap();
    let admin2 = env.svc.login("admin2", "пароль-2", "t").await.unwrap();
    let locked = env.svc.set_operator_active(&admin2, env.admin.operator_id, false).await.unwrap();
    assert!(!locked.active);
    assert!(matches!(env.svc.login("admin", PASSWORD, "t").await, Err(ServiceError::BadCredentials)));
    // and now admin2 is the last active one
    let r = env.svc.set_operator_active(&admin2, second.id, false).await;
    assert!(matches!(r, Err(ServiceError::Conflict(_))), "{r:?}");
    env.svc.set_operator_active(&admin2, env.admin.operator_id, true).await.unwrap();
    env.svc.login("admin", PASSWORD, "t").await.unwrap();
    // a password reset: too short is refused; a new one works, the old one no longer; a lock
    // after wrong passwords ends with it
    for _ in 0..3 {
        let _ = env.svc.login("viewer", "wrong", "t").await;
    }
    assert!(matches!(env.svc.login("viewer", PASSWORD, "t").await, Err(ServiceError::BadCredentials)));
    let short = env.svc.reset_operator_password(&env.admin, env.viewer.operator_id, "1234").await;
    assert!(matches!(short, Err(ServiceError::Invalid { .. })), "{short:?}");
    env.svc.reset_operator_password(&env.admin, env.viewer.operator_id, "новый-пароль").await.unwrap();
    assert!(matches!(env.svc.login("viewer", PASSWORD, "t").await, Err(ServiceError::BadCredentials)));
    env.svc.login("viewer", "новый-пароль", "t").await.unwrap();
    // unknown operators
    let r = env.svc.set_operator_active(&env.admin, 424_242, true).await;
    assert!(matches!(r, Err(ServiceError::NotFound(..))), "{r:?}");
    assert!(matches!(env.svc.operator_by_login(&env.admin, "nobody").await, Err(ServiceError::NotFound(..))));
    // every change is in the audit log, never a password or its hash
    let log = env.svc.audit_log(&env.admin, Some("operator"), None, 100).await.unwrap();
    for action in ["operator.edit", "operator.lock", "operator.unlock", "operator.password"] {
        assert!(log.iter().any(|a| a.action == action), "{action} missing");
    }
    for a in &log {
        let text = format!("{:?} {:?}", a.before, a.after);
        assert!(!text.contains("новый-пароль") && !text.contains("argon2"), "{text}");
    }
    // the managers' list: every active operator's name, for any role that reads customers
    let names = env.svc.operator_names(&env.viewer).await.unwrap();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(names.iter().any(|(i, n)| *i == id && n == "Анна Кассирова"), "{names:?}");
}
both_backends!(edit_reset_lock_and_unlock, edit_reset_lock_and_unlock);

/// Issue 14 item 8: thirty wrong passwords at once each count, so the lock holds at the limit
/// (on PostgreSQL the count read-then-written stayed at 1 and 76 guesses went through).
async fn parallel_wrong_passwords_all_count(env: &Env) {
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let svc = env.svc.clone();
        tasks.push(tokio::spawn(async move { svc.login("cashier", "wrong", "t").await }));
    }
    for t in tasks {
        assert!(matches!(t.await.unwrap(), Err(ServiceError::BadCredentials)));
    }
    let log = env.svc.audit_log(&env.admin, Some("operator"), None, 1000).await.unwrap();
    let failed =
        log.iter().filter(|a| a.action == "operator.login_failed" || a.action == "operator.locked").count();
    let refused = log.iter().filter(|a| a.action == "operator.login_refused").count();
    assert_eq!(failed + refused, 30, "every guess is audited");
    assert!(log.iter().any(|a| a.action == "operator.locked"), "the limit (3) locked the operator");
    // at most the limit of guesses before the lock, plus those already past the lock check
    let op = env.svc.operator_by_login(&env.admin, "cashier").await.unwrap();
    assert!(op.locked_until.is_some(), "{op:?}");
    assert!(matches!(env.svc.login("cashier", PASSWORD, "t").await, Err(ServiceError::BadCredentials)));
}
both_backends!(parallel_wrong_passwords_all_count, parallel_wrong_passwords_all_count);

/// Issue 14 item 9: logins are audited, success and failure, and every refusal reads the same.
async fn logins_are_audited_and_refusals_alike(env: &Env) {
    env.svc.set_operator_active(&env.admin, env.viewer.operator_id, false).await.unwrap();
    let answers = [
        env.svc.login("nobody", PASSWORD, "10.0.0.9").await,
        env.svc.login("noc", "wrong", "10.0.0.9").await,
        env.svc.login("viewer", PASSWORD, "10.0.0.9").await,
    ];
    let texts: Vec<String> = answers.iter().map(|a| a.as_ref().unwrap_err().to_string()).collect();
    assert!(texts.iter().all(|t| t == &texts[0]), "{texts:?}");
    assert!(!texts[0].contains("UTC"), "{}", texts[0]);
    env.svc.login("noc", PASSWORD, "10.0.0.9\u{1b}[2J").await.unwrap();
    let log = env.svc.audit_log(&env.admin, Some("operator"), None, 1000).await.unwrap();
    let ok = log.iter().find(|a| a.action == "operator.login" && a.operator_login == "noc").unwrap();
    assert_eq!(ok.origin, "10.0.0.9[2J", "control characters never stored in the origin");
    let reasons: Vec<&str> = log
        .iter()
        .filter(|a| a.action == "operator.login_refused")
        .filter_map(|a| a.after.as_deref())
        .collect();
    assert!(reasons.iter().any(|r| r.contains("unknown login")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("administrator")), "{reasons:?}");
    assert!(log.iter().any(|a| a.action == "operator.login_failed" && a.operator_login == "noc"));
}
both_backends!(logins_are_audited_and_refusals_alike, logins_are_audited_and_refusals_alike);

/// Issue 14 item 7: an open session acts on the operator's current standing.
async fn a_locked_or_demoted_operator_can_do_nothing_more(env: &Env) {
    let c = crate::helpers::customer(env, "Сеансов Пётр", &[]).await;
    let kassir =
        env.svc.create_operator(&env.admin, "kassir2", "Кассир", Role::Cashier, "пароль-1").await.unwrap();
    let session = env.svc.login("kassir2", "пароль-1", "test").await.unwrap();
    env.svc.post_payment(&session, &crate::helpers::payment(c.id, "100", None)).await.unwrap();
    env.svc.set_operator_active(&env.admin, kassir.id, false).await.unwrap();
    let r = env.svc.post_payment(&session, &crate::helpers::payment(c.id, "100", None)).await;
    assert!(matches!(r, Err(ServiceError::SessionEnded(kassa::service::SessionEnd::Disabled))), "{r:?}");
    let r = env.svc.search_customers(&session, "Сеансов", false, 10).await;
    assert!(matches!(r, Err(ServiceError::SessionEnded(_))), "{r:?}");
    env.svc.set_operator_active(&env.admin, kassir.id, true).await.unwrap();
    env.svc.post_payment(&session, &crate::helpers::payment(c.id, "1", None)).await.unwrap();
    // a role lowered to viewer: the session's cashier rights are gone too
    env.svc.edit_operator(&env.admin, kassir.id, None, Some(Role::Viewer)).await.unwrap();
    let r = env.svc.post_payment(&session, &crate::helpers::payment(c.id, "100", None)).await;
    assert!(
        matches!(
            r,
            Err(ServiceError::SessionEnded(kassa::service::SessionEnd::RoleChanged {
                now: Role::Viewer,
                ..
            }))
        ),
        "{r:?}"
    );
    let card = env.svc.customer_card(&env.admin, c.id).await.unwrap();
    assert_eq!(card.customer.balance, crate::helpers::money("101"));
}
both_backends!(
    a_locked_or_demoted_operator_can_do_nothing_more,
    a_locked_or_demoted_operator_can_do_nothing_more
);
