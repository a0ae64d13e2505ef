//! `kassa check` finds what was done around kassa (issue 14 items 1, 17, 18): each test
//! tampers with the database directly and expects the one violation it caused, in a sentence.

use chrono::{Duration, Utc};
use kassa::store::check::Violation;

use super::helpers::{customer, pay};
use crate::common::{Env, Kind};

async fn sql(env: &Env, statements: &[&str]) {
    use sqlx::Connection;
    match env.db.kind() {
        Kind::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&env.db.url).await.unwrap();
            for s in statements {
                sqlx::raw_sql(sqlx::AssertSqlSafe(s.to_string())).execute(&mut c).await.unwrap();
            }
        }
        Kind::Postgres => {
            let mut c = sqlx::PgConnection::connect(&env.db.url).await.unwrap();
            for s in statements {
                sqlx::raw_sql(sqlx::AssertSqlSafe(s.to_string())).execute(&mut c).await.unwrap();
            }
        }
    }
}

async fn violations(env: &Env) -> Vec<Violation> {
    env.svc.check_invariants(&env.admin).await.unwrap()
}

async fn each_kind(test: impl AsyncFn(&Env)) {
    for kind in [Kind::Sqlite, Kind::Postgres] {
        if let Some(env) = Env::new(kind).await {
            test(&env).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_counter_behind_a_used_number() {
    each_kind(async |env: &Env| {
        let c = customer(env, "Счётчиков", &[]).await;
        for _ in 0..3 {
            pay(env, c.id, "10").await;
        }
        assert!(violations(env).await.is_empty());
        sql(env, &["UPDATE counters SET value = 1 WHERE name = 'receipt'"]).await;
        let v = violations(env).await;
        assert_eq!(v, vec![Violation::ReceiptCounterBehind { counter: 1, used: 3 }]);
        assert!(v[0].to_string().contains("number 3 is already used"), "{}", v[0]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_newest_operation_deleted_with_its_balance_change() {
    each_kind(async |env: &Env| {
        let c = customer(env, "Удалёнов", &[]).await;
        pay(env, c.id, "100").await;
        let newest = pay(env, c.id, "50").await.operation.id;
        sql(
            env,
            &[
                &format!("DELETE FROM ledger WHERE id = {newest}"),
                &format!("UPDATE customers SET balance_minor = balance_minor - 5000 WHERE id = {}", c.id),
            ],
        )
        .await;
        let v = violations(env).await;
        assert!(
            matches!(v.as_slice(), [Violation::MissingOperation { operation_id, .. }] if *operation_id == newest),
            "{v:?}"
        );
        assert!(v[0].to_string().contains("missing from the ledger"), "{}", v[0]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_stamped_years_ahead_of_the_next() {
    each_kind(async |env: &Env| {
        let c = customer(env, "Часов", &[]).await;
        let ahead = pay(env, c.id, "100").await.operation.id;
        let next = pay(env, c.id, "50").await.operation.id;
        let stamp = (Utc::now() + Duration::days(3 * 365)).format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string();
        sql(env, &[&format!("UPDATE ledger SET created_at = '{stamp}' WHERE id = {ahead}")]).await;
        let v = violations(env).await;
        assert_eq!(v, vec![Violation::TimeGoesBack { operation_id: next, previous_id: ahead }]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cash_slipped_into_a_closed_shift() {
    each_kind(async |env: &Env| {
        let c = customer(env, "Сменов", &[]).await;
        pay(env, c.id, "100").await;
        let z = env
            .svc
            .close_shift(&env.cashier, kassa::domain::money::Money::parse("100").unwrap())
            .await
            .unwrap();
        assert!(violations(env).await.is_empty());
        // the opening cash of a closed shift raised by 50,00 behind kassa's back
        sql(env, &["UPDATE shifts SET opening_cash_minor = opening_cash_minor + 5000"]).await;
        let v = violations(env).await;
        assert_eq!(
            v,
            vec![Violation::ShiftMismatch { shift_id: z.shift.id, kept_minor: 10_000, ledger_minor: 15_000 }]
        );
        assert!(v[0].to_string().contains("closed expecting 100,00"), "{}", v[0]);
    })
    .await;
}
