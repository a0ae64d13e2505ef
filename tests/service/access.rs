//! Tokens for scripts and SSH keys: created, used, expired, revoked; a locked operator's refused.

use kassa::domain::access::{TokenSecret, parse_public_key};
use kassa::domain::dates;
use kassa::domain::role::Role;
use kassa::service::ServiceError;

use crate::both_backends;
use crate::common::{Env, Kind};
use crate::helpers::{customer, payment};

/// Ends every token's time: its end set to when it was made (a test cannot wait a day).
async fn end_tokens(env: &Env) {
    use sqlx::Connection;
    let sql = "UPDATE api_tokens SET expires_at = created_at";
    match env.db.kind() {
        Kind::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", env.db.url)).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        Kind::Postgres => {
            let mut c = sqlx::PgConnection::connect(&env.db.url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }
}

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICngkzz6UNxgwuMlV+zuVEWyxL1puFA9EUw/3eDJ4RCm kassa@desk1";
const OTHER_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE3hBuk9RQI9eGbrXZVDCvZlc0e9fo5Z4FGlx8VQbOT3 other";

fn refused<T: std::fmt::Debug>(r: Result<T, ServiceError>) {
    assert!(matches!(r, Err(ServiceError::BadCredentials)), "{r:?}");
}

async fn a_token_acts_as_its_operator_until_revoked(env: &Env) {
    let svc = &env.svc;
    // a cashier makes one for their own script
    let (token, secret) = svc.create_token(&env.cashier, None, "касса-скрипт", None).await.unwrap();
    assert_eq!((token.operator_login.as_str(), token.last_used_at), ("cashier", None));
    let (actor, record) = svc.authenticate_token(secret.as_str(), "test").await.unwrap();
    assert_eq!((actor.login.as_str(), actor.role, actor.origin.as_str()), ("cashier", Role::Cashier, "test"));
    svc.record_login(&record).await.unwrap();
    // the token is marked used and the login audited with it
    let mine = svc.list_tokens(&env.cashier, None).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert!(mine[0].last_used_at.is_some());
    let log = svc.audit_log(&env.admin, Some("operator"), None, 50).await.unwrap();
    assert!(
        log.iter()
            .any(|a| a.action == "operator.login"
                && a.after.as_deref().is_some_and(|d| d.contains("\"token\""))),
        "{log:?}"
    );
    // the actor can pay like a logged-in cashier
    let c = customer(env, "Иванов Иван", &[]).await.id;
    svc.post_payment(&actor, &payment(c, "100", None)).await.unwrap();
    // the database keeps the hash, never the secret
    assert_ne!(secret.digest(), secret.as_str());
    // a cashier may not make one for another operator, nor see the others'
    assert!(matches!(
        svc.create_token(&env.cashier, Some("admin"), "x", None).await,
        Err(ServiceError::Denied { .. })
    ));
    // an administrator sees every token and revokes this one
    let (_, admin_secret) = svc.create_token(&env.admin, Some("noc"), "мониторинг", None).await.unwrap();
    assert_eq!(svc.list_tokens(&env.admin, None).await.unwrap().len(), 2);
    assert_eq!(svc.list_tokens(&env.cashier, None).await.unwrap().len(), 1);
    assert!(matches!(svc.revoke_token(&env.cashier, mine[0].id + 1).await, Err(ServiceError::Denied { .. })));
    let revoked = svc.revoke_token(&env.admin, mine[0].id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    refused(svc.authenticate_token(secret.as_str(), "t").await);
    // the other token still works; a wrong, malformed or empty one does not
    assert_eq!(svc.authenticate_token(admin_secret.as_str(), "t").await.unwrap().0.login, "noc");
    refused(svc.authenticate_token(TokenSecret::generate().as_str(), "t").await);
    refused(svc.authenticate_token("kassa_123", "t").await);
    refused(svc.authenticate_token("", "t").await);
    let log = svc.audit_log(&env.admin, Some("operator"), None, 100).await.unwrap();
    for reason in ["token revoked", "unknown token", "malformed token"] {
        assert!(
            log.iter().any(|a| a.action == "operator.login_refused"
                && a.after.as_deref().is_some_and(|d| d.contains(reason))),
            "{reason}: {log:?}"
        );
    }
    env.assert_invariants().await;
}
both_backends!(a_token_acts_as_its_operator_until_revoked, a_token_acts_as_its_operator_until_revoked);

async fn a_tokens_operator_is_judged_at_each_call(env: &Env) {
    let svc = &env.svc;
    let (_, secret) = svc.create_token(&env.admin, Some("cashier"), "script", None).await.unwrap();
    let (actor, _) = svc.authenticate_token(secret.as_str(), "test").await.unwrap();
    // locked out: the token is refused at the next call, and an actor it made is ended
    svc.set_operator_active(&env.admin, env.cashier.operator_id, false).await.unwrap();
    refused(svc.authenticate_token(secret.as_str(), "t").await);
    let c = customer(env, "Петров Пётр", &[]).await.id;
    let r = svc.post_payment(&actor, &payment(c, "10", None)).await;
    assert!(matches!(r, Err(ServiceError::SessionEnded(_))), "{r:?}");
    // unlocked, but made a viewer: the token works with the role the operator has now
    svc.set_operator_active(&env.admin, env.cashier.operator_id, true).await.unwrap();
    svc.edit_operator(&env.admin, env.cashier.operator_id, None, Some(Role::Viewer)).await.unwrap();
    let (now_viewer, _) = svc.authenticate_token(secret.as_str(), "t").await.unwrap();
    assert_eq!(now_viewer.role, Role::Viewer);
    let r = svc.post_payment(&now_viewer, &payment(c, "10", None)).await;
    assert!(matches!(r, Err(ServiceError::Denied { .. })), "{r:?}");
}
both_backends!(a_tokens_operator_is_judged_at_each_call, a_tokens_operator_is_judged_at_each_call);

async fn a_token_expires_after_its_last_day(env: &Env) {
    let svc = &env.svc;
    let today = dates::today();
    // the last day must be in the future; a name is needed
    for (name, day) in [("x", Some(today)), ("", None), ("y", Some(today - chrono::Days::new(3)))] {
        let r = svc.create_token(&env.admin, None, name, day).await;
        assert!(matches!(r, Err(ServiceError::Invalid { .. })), "{name} {day:?}: {r:?}");
    }
    let (t, secret) =
        svc.create_token(&env.admin, None, "tomorrow", Some(today + chrono::Days::new(1))).await.unwrap();
    // valid through the whole local day it names
    assert_eq!(t.expires_at, Some(dates::day_end(today + chrono::Days::new(1))));
    assert!(t.refusal(chrono::Utc::now()).is_none());
    assert_eq!(t.refusal(dates::day_end(today + chrono::Days::new(1))), Some("token expired"));
    svc.authenticate_token(secret.as_str(), "t").await.unwrap();
    // one that has come to its end is refused (the row aged by hand: no clock to wait for)
    end_tokens(env).await;
    refused(svc.authenticate_token(secret.as_str(), "t").await);
    let log = svc.audit_log(&env.admin, Some("operator"), None, 50).await.unwrap();
    assert!(log.iter().any(|a| a.after.as_deref().is_some_and(|d| d.contains("token expired"))));
}
both_backends!(a_token_expires_after_its_last_day, a_token_expires_after_its_last_day);

async fn ssh_keys_are_registered_listed_and_removed(env: &Env) {
    let svc = &env.svc;
    let text = format!("# desk 1\n{KEY}\n");
    let added = svc.add_operator_keys(&env.admin, "cashier", &text).await.unwrap();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].fingerprint, "SHA256:kkgUE0J/8LulR3KhAFk3FNC5YrwTN/aC5oQ7TUoc0ZQ");
    // the same key again (to anyone) is a conflict, and nothing of that file is added
    let again = svc.add_operator_keys(&env.admin, "noc", &format!("{OTHER_KEY}\n{KEY}\n")).await;
    assert!(matches!(again, Err(ServiceError::Conflict(_))), "{again:?}");
    assert!(svc.operator_keys(&env.admin, "noc").await.unwrap().is_empty());
    // not a key; not an administrator
    assert!(matches!(
        svc.add_operator_keys(&env.admin, "noc", "hello").await,
        Err(ServiceError::Invalid { .. })
    ));
    assert!(matches!(
        svc.add_operator_keys(&env.cashier, "cashier", KEY).await,
        Err(ServiceError::Denied { .. })
    ));
    // a registered key logs its operator in; another key, or another login, does not
    let offered = parse_public_key(KEY).unwrap();
    let (actor, _) = svc.authenticate_key("cashier", &offered, "10.0.0.7").await.unwrap();
    assert_eq!((actor.login.as_str(), actor.origin.as_str()), ("cashier", "10.0.0.7"));
    refused(svc.authenticate_key("noc", &offered, "t").await);
    refused(svc.authenticate_key("cashier", &parse_public_key(OTHER_KEY).unwrap(), "t").await);
    refused(svc.authenticate_key("nobody", &offered, "t").await);
    // a locked operator's key is refused
    svc.set_operator_active(&env.admin, env.cashier.operator_id, false).await.unwrap();
    refused(svc.authenticate_key("cashier", &offered, "t").await);
    svc.set_operator_active(&env.admin, env.cashier.operator_id, true).await.unwrap();
    // the operator sees their own keys; removed by fingerprint, the key no longer works
    assert_eq!(svc.operator_keys(&env.cashier, "cashier").await.unwrap().len(), 1);
    let gone = svc.remove_operator_key(&env.admin, "cashier", &added[0].fingerprint).await.unwrap();
    assert_eq!(gone.id, added[0].id);
    refused(svc.authenticate_key("cashier", &offered, "t").await);
    assert!(matches!(
        svc.remove_operator_key(&env.admin, "cashier", &added[0].fingerprint).await,
        Err(ServiceError::NotFound(..))
    ));
    let log = svc.audit_log(&env.admin, Some("operator"), None, 100).await.unwrap();
    for action in ["operator.key_add", "operator.key_remove"] {
        assert!(log.iter().any(|a| a.action == action), "{action}");
    }
}
both_backends!(ssh_keys_are_registered_listed_and_removed, ssh_keys_are_registered_listed_and_removed);

/// One token used by two scripts at once, a hundred calls each: every call is let in, each
/// login is audited, and the token ends marked used.
async fn a_token_used_from_two_places_at_once(env: &Env) {
    let (token, secret) =
        env.svc.create_token(&env.admin, Some("cashier"), "two-scripts", None).await.unwrap();
    let secret = secret.as_str().to_string();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (svc, secret) = (env.svc.clone(), secret.clone());
            tokio::spawn(async move {
                for _ in 0..100 {
                    let (actor, record) = svc.authenticate_token(&secret, "test").await.unwrap();
                    assert_eq!(actor.login, "cashier");
                    svc.record_login(&record).await.unwrap();
                }
            })
        })
        .collect();
    for r in runs {
        r.await.unwrap();
    }
    let listed = env.svc.list_tokens(&env.admin, None).await.unwrap();
    assert!(listed.iter().any(|t| t.id == token.id && t.last_used_at.is_some()));
    let log = env.svc.audit_log(&env.admin, Some("operator"), None, 1000).await.unwrap();
    let uses = log
        .iter()
        .filter(|a| {
            a.action == "operator.login" && a.after.as_deref().is_some_and(|d| d.contains("\"token\""))
        })
        .count();
    assert_eq!(uses, 200);
}
both_backends!(a_token_used_from_two_places_at_once, a_token_used_from_two_places_at_once);
