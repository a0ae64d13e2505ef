//! What `kassa check` can find wrong in the ledger, each said as a sentence.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "violation", rename_all = "snake_case")]
pub enum Violation {
    /// The cached balance is not the sum of the customer's operations.
    BalanceMismatch { customer_id: i64, cached_minor: i64, ledger_minor: i64 },
    /// An operation's balance-before is not the previous operation's balance-after.
    BrokenChain { operation_id: i64, customer_id: i64, before_minor: i64, expected_minor: i64 },
    /// A reversal whose amount does not cancel the operation it reverses.
    BadReversal { operation_id: i64, reverses_id: i64 },
    /// One half of a merge's pair that does not cancel the other.
    BadLink { operation_id: i64, linked_id: i64 },
    /// A reversal of one half of a merge's pair: the money moved between two customers would
    /// come back to one while the other keeps it.
    ReversedLinkHalf { operation_id: i64, reverses_id: i64 },
    /// The receipt counter is behind a number already used: the next payment would be refused.
    ReceiptCounterBehind { counter: i64, used: i64 },
    /// An operation stamped more than a minute before the one written ahead of it for the
    /// same customer (a desk's clock wrong, or a row written around kassa). Per customer: bulk
    /// loads (the demo, imports) write each customer's past in order, not the whole ledger's.
    TimeGoesBack { operation_id: i64, previous_id: i64 },
    /// An operation the audit log recorded that the ledger no longer has as recorded (deleted
    /// or changed around kassa).
    MissingOperation { operation_id: i64, audit_id: i64 },
    /// How far a customer's tariff is charged, as kept on the customer, is not the last day
    /// of the periods decided: a run could pass over a period.
    ReachMismatch { customer_id: i64 },
    /// A charge whose money is not what its ledger operation took.
    ChargeMismatch { charge_id: i64 },
    /// A closed shift whose kept expected cash is not what its payments and cash moves add up
    /// to: something was posted into it after its close.
    ShiftMismatch { shift_id: i64, kept_minor: i64, ledger_minor: i64 },
    /// A payment whose refunds give back more than it brought, or a refund of what is not a
    /// payment or of another customer's.
    OverRefunded { payment_id: i64 },
    /// The cash-out order numbers are not 1, 2, … without a gap.
    RkoGap { count: i64, highest: i64 },
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let money = |m: i64| crate::domain::money::Money::from_minor(m).format_ru();
        match self {
            Violation::BalanceMismatch { customer_id, cached_minor, ledger_minor } => write!(
                f,
                "customer #{customer_id}: the balance kept is {}, but the operations add up to {}",
                money(*cached_minor),
                money(*ledger_minor)
            ),
            Violation::BrokenChain { operation_id, customer_id, before_minor, expected_minor } => write!(
                f,
                "operation {operation_id} (customer #{customer_id}) starts from a balance of {}, but the operation before it ended at {}",
                money(*before_minor),
                money(*expected_minor)
            ),
            Violation::BadReversal { operation_id, reverses_id } => write!(
                f,
                "operation {operation_id} reverses {reverses_id} but does not cancel it exactly (another amount or customer)"
            ),
            Violation::BadLink { operation_id, linked_id } => write!(
                f,
                "operation {operation_id} and {linked_id}, the two halves of a merge, do not cancel each other"
            ),
            Violation::ReversedLinkHalf { operation_id, reverses_id } => write!(
                f,
                "operation {operation_id} reverses {reverses_id}, one half of a merge's transfer, without the other half"
            ),
            Violation::ReceiptCounterBehind { counter, used } => write!(
                f,
                "the receipt counter stands at {counter}, but number {used} is already used: the next payments would be refused"
            ),
            Violation::TimeGoesBack { operation_id, previous_id } => write!(
                f,
                "operation {operation_id} is stamped more than a minute before operation {previous_id}, the same customer's operation written ahead of it"
            ),
            Violation::MissingOperation { operation_id, audit_id } => write!(
                f,
                "operation {operation_id}, recorded by audit row {audit_id}, is missing from the ledger or changed"
            ),
            Violation::ReachMismatch { customer_id } => write!(
                f,
                "customer #{customer_id}: the day the tariff is charged through is not the last day of the periods decided"
            ),
            Violation::ChargeMismatch { charge_id } => {
                write!(f, "charge {charge_id} does not equal what its ledger operation took")
            }
            Violation::ShiftMismatch { shift_id, kept_minor, ledger_minor } => write!(
                f,
                "shift {shift_id} closed expecting {} in the drawer, its operations and cash moves say {}",
                money(*kept_minor),
                money(*ledger_minor)
            ),
            Violation::OverRefunded { payment_id } => write!(
                f,
                "payment {payment_id}: its refunds give back more than it brought, or belong to another customer"
            ),
            Violation::RkoGap { count, highest } => write!(
                f,
                "{count} cash-out orders (РКО) carry numbers up to {highest}: the sequence has gaps or repeats"
            ),
        }
    }
}
