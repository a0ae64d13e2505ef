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
    assert!(matches!(dup, Err(ServiceError::Conflict(_))), "{dup:?}");
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
    assert!(matches!(env.svc.login("cashier", "wrong", "t").await, Err(ServiceError::Locked { .. })));
    // and while locked even the right password is refused
    assert!(matches!(env.svc.login("cashier", PASSWORD, "t").await, Err(ServiceError::Locked { .. })));
    // other operators are not affected
    env.svc.login("noc", PASSWORD, "t").await.unwrap();
    let log = env.svc.audit_log(&env.admin, Some("operator"), None, 100).await.unwrap();
    assert!(log.iter().any(|a| a.action == "operator.locked"));
}
both_backends!(wrong_passwords_lock_the_operator, wrong_passwords_lock_the_operator);
