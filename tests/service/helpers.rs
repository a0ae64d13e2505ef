use kassa::domain::ledger::PaymentMethod;
use kassa::domain::money::Money;
use kassa::service::{CustomerChanges, HouseInput, NewCustomer, PaymentRequest, PostOutcome, TariffInput};
use kassa::store::tariffs::Period;

use crate::common::Env;

pub fn money(s: &str) -> Money {
    Money::parse(s).unwrap()
}

pub async fn house(env: &Env, street: &str, number: &str, letter: &str) -> i64 {
    env.svc
        .add_house(
            &env.admin,
            &HouseInput {
                city: Some("Казань".into()),
                street: Some(street.into()),
                number: Some(number.into()),
                letter: Some(letter.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
}

pub async fn customer(env: &Env, name: &str, pairs: &[(&str, &str)]) -> kassa::domain::Customer {
    let mut fields = CustomerChanges::from_pairs(pairs.iter().copied()).unwrap();
    fields.name = Some(name.into());
    env.svc.add_customer(&env.admin, &NewCustomer { fields, tariff_id: None }).await.unwrap()
}

pub async fn tariff(env: &Env, name: &str, price: &str, period: Period, public: bool) -> i64 {
    env.svc
        .create_tariff(
            &env.admin,
            &TariffInput {
                name: name.into(),
                price: money(price),
                period,
                active: true,
                public,
                pause_price: None,
                transitions: None,
            },
        )
        .await
        .unwrap()
        .id
}

pub fn payment(customer_id: i64, amount: &str, key: Option<&str>) -> PaymentRequest {
    PaymentRequest {
        customer_id,
        amount: money(amount),
        method: PaymentMethod::Cash,
        method_code: None,
        receipt_number: None,
        comment: None,
        idempotency_key: key.map(str::to_string),
        received: None,
        bank: None,
    }
}

pub async fn pay(env: &Env, customer_id: i64, amount: &str) -> PostOutcome {
    env.svc.post_payment(&env.cashier, &payment(customer_id, amount, None)).await.unwrap()
}

/// Rows in the audit log: every change adds at least one.
pub async fn audit_count(env: &Env) -> usize {
    env.svc.audit_log(&env.admin, None, None, 10_000).await.unwrap().len()
}

/// Moves a customer to the former customers (`to_ex`).
pub async fn set_former(env: &Env, id: i64) {
    env.svc.set_former(&env.admin, id, true).await.unwrap();
}
