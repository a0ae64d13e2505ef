//! Money: payments, charges, corrections, reversals and the history of a customer.
//!
//! Every movement is one new ledger row with the balance before and after; the customer's
//! cached balance changes in the same transaction, under the customer's row lock. Nothing is
//! ever edited or deleted in the ledger.

use super::Entity;
use super::{Conflict, Problem};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Actor, CancelWhy, Result, Service, ServiceError, audit, now, still_standing};
use crate::domain::dates::check_period;
use crate::domain::ledger::{
    Operation, OperationKind, PaymentMethod, normalise_receipt_number, receipt_sequence_number,
    valid_receipt_number,
};
use crate::domain::money::Money;
use crate::domain::role::Permission;
use crate::domain::text;
use crate::store::ledger::{self, HistoryFilter, NewOperation};
use crate::store::{Db, StoreError, UniqueKey, catalogue, counters, customers, desk};

/// A payment from a customer (`change_balance`, `CLN_FIN_OPER_ADD`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentRequest {
    pub customer_id: i64,
    pub amount: Money,
    /// The method's kind: what is taken when `method_code` is not given.
    pub method: PaymentMethod,
    /// The payment method's catalogue entry (its code); its kind then decides.
    #[serde(default)]
    pub method_code: Option<String>,
    /// The cash receipt (ПКО) number; the next one from the sequence when not given.
    pub receipt_number: Option<String>,
    pub comment: Option<String>,
    /// Makes a retried post harmless: the same key again returns the first operation.
    pub idempotency_key: Option<String>,
    /// Cash handed over, when the cashier typed it: at least the amount; the change is the rest.
    #[serde(default)]
    pub received: Option<Money>,
    /// A bank payment's own day, document and payer (administrators; method `bank` only).
    #[serde(default)]
    pub bank: Option<crate::domain::ledger::BankDetails>,
}

/// A partial refund of a payment: the amount given back and why (`payment.refund`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefundRequest {
    pub operation_id: i64,
    pub amount: Money,
    pub reason: String,
    /// Makes a retried refund harmless, as for a payment.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// A charge (money taken off, given as a positive amount) or a correction (either sign).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdjustmentRequest {
    pub customer_id: i64,
    pub kind: OperationKind,
    pub amount: Money,
    pub comment: String,
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostOutcome {
    pub operation: Operation,
    /// True when the idempotency key had been used already and nothing was written now.
    pub replayed: bool,
    /// What the online cash register answered, when there is one and the payment needs it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fiscal: Option<super::FiscalResult>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HistoryQuery {
    pub customer_id: i64,
    /// First day included.
    pub from: Option<NaiveDate>,
    /// Last day included.
    pub to: Option<NaiveDate>,
    pub kinds: Vec<OperationKind>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryPage {
    pub operations: Vec<Operation>,
    /// Operations matching the filter, over all pages.
    pub total_count: i64,
    /// Sum of the positive amounts matching the filter.
    pub income: Money,
    /// Sum of the negative amounts matching the filter.
    pub outcome: Money,
    /// Promised payments given in the range (they are not ledger operations).
    pub promises: Vec<crate::store::promises::PromisedPayment>,
}

/// The most a balance may reach either way; far beyond any real customer.
const BALANCE_LIMIT_MINOR: i64 = 100_000_000_000_000;

/// An idempotency key as given: absent is no key; an empty or blank one is refused (it would
/// silently turn the protection against a second post off).
fn check_key(key: &Option<String>) -> Result<Option<String>> {
    match key.as_deref().map(str::trim) {
        None => Ok(None),
        Some(k) if !k.is_empty() && k.len() <= 128 && k.chars().all(|c| c.is_ascii_graphic()) => {
            Ok(Some(k.to_string()))
        }
        Some(_) => Err(ServiceError::invalid("key", Problem::Key)),
    }
}

fn check_comment(comment: Option<&str>) -> Result<Option<String>> {
    let c = comment.map(text::clean).filter(|s| !s.is_empty());
    if c.as_deref().map(|s| s.chars().count()).unwrap_or(0) > 500 {
        return Err(ServiceError::invalid("comment", Problem::TooLong(500)));
    }
    Ok(c)
}

/// What an operation must look like to be a replay of `new`.
fn same_request(existing: &Operation, new: &NewOperation) -> bool {
    existing.customer_id == new.customer_id && existing.amount == new.amount && existing.kind == new.kind
}

pub(super) enum Appended {
    New(Operation),
    Replay(Operation),
}

/// Commits `tx` with `login`'s audit row written in it first, when there is one.
async fn commit_with_login(mut tx: crate::store::Tx, login: Option<&super::LoginRecord>) -> Result<()> {
    if let Some(r) = login {
        super::operators::write_login(&mut tx.db(), r).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Appends `op` under the customer's lock: checks the key, takes a receipt number when asked,
/// computes balances, writes the row, moves the cached balance, writes the audit row.
pub(super) async fn append(
    db: &mut Db<'_>,
    actor: &Actor,
    mut op: NewOperation,
    want_receipt: bool,
) -> Result<Appended> {
    // the operator's standing as of this transaction: locked out a moment ago posts nothing
    still_standing(db, actor).await?;
    let posting = customers::get_for_posting(db, op.customer_id, op.idempotency_key.as_deref())
        .await?
        .ok_or_else(|| ServiceError::NotFound(Entity::Customer, format!("#{}", op.customer_id)))?;
    let (customer, keyed) = (posting.customer, posting.keyed_operation);
    if let (Some(key), Some(id)) = (&op.idempotency_key, keyed)
        && let Some(existing) = ledger::get(db, id).await?
    {
        return if same_request(&existing, &op) {
            Ok(Appended::Replay(existing))
        } else {
            Err(ServiceError::Conflict(Conflict::KeyUsed { key: key.clone(), operation: existing.id }))
        };
    }
    if let Some(into_id) = posting.merged_into {
        return Err(ServiceError::MergedAway {
            customer_id: op.customer_id,
            into_id,
            into_agreement: posting.merged_into_agreement,
        });
    }
    // the method as the catalogue has it now: one switched off a moment ago takes nothing
    if op.kind == OperationKind::Payment
        && let Some(kind) = op.method
    {
        let code = op.method_code.clone().unwrap_or_else(|| kind.as_str().to_string());
        match catalogue::get_pay_method(db, &code).await? {
            Some(m) if m.active && m.kind == kind => op.method_name = Some(m.name),
            Some(m) if m.kind == kind => {
                return Err(ServiceError::invalid("method", Problem::MethodInactive(m.name)));
            }
            _ => return Err(ServiceError::invalid("method", Problem::MethodUnknown(code))),
        }
    }
    // a payment given back in part is not cancelled whole
    if let Some(id) = op.reverses_id
        && ledger::refunded(db, id).await? != Money::ZERO
    {
        return Err(ServiceError::Conflict(Conflict::PartlyRefunded(id)));
    }
    if let Some(id) = op.refund_of {
        refund_checks(db, actor, &mut op, id).await?;
    }
    // a payment at a desk belongs to the shift open there; cash needs one
    if op.kind == OperationKind::Payment
        && let Some(d) = &op.desk
    {
        op.shift_id = desk::current_held(db, d).await?;
        if op.shift_id.is_none() && op.method == Some(PaymentMethod::Cash) {
            return Err(ServiceError::Conflict(Conflict::NoShift(d.clone())));
        }
    }
    // a cancellation in the payment's still open shift gives the cash back from its drawer
    if op.kind == OperationKind::Reversal
        && let Some(s) = op.shift_id
        && !desk::held_open(db, s).await?
    {
        if !actor.can(Permission::LedgerAdjust) {
            return Err(ServiceError::Conflict(Conflict::CancelRefused(CancelWhy::ShiftClosed)));
        }
        op.shift_id = None;
    }
    if let Some(r) = &op.receipt_number
        && let Some(other) = ledger::receipt_taken(db, r).await?
    {
        return Err(ServiceError::ReceiptUsed { number: r.clone(), operation: Some(other) });
    }
    op.balance_before = customer.balance;
    let after = customer.balance.minor() + op.amount.minor();
    if after.abs() > BALANCE_LIMIT_MINOR {
        return Err(ServiceError::invalid("amount", Problem::BalanceRange));
    }
    customers::set_balance(db, op.customer_id, Money::from_minor(after)).await?;
    // The receipt number last: on PostgreSQL the counter's row stays locked until the commit,
    // so every other desk's payment waits from here on; nothing that can wait comes after it.
    let written = if op.receipt_number.is_none() && want_receipt {
        loop {
            // a number someone typed by hand earlier is skipped: the next one
            if let Some(written) = ledger::insert_numbered(db, &op, Some(&actor.login)).await? {
                break written;
            }
        }
    } else {
        let written =
            ledger::insert(db, &op, Some(&actor.login)).await?.ok_or_else(|| ServiceError::ReceiptUsed {
                number: op.receipt_number.clone().unwrap_or_default(),
                operation: None,
            })?;
        // a typed number of the sequence moves the counter past it: the next untyped payment
        // never offers a number that is already used
        if let Some(n) = op.receipt_number.as_deref().and_then(receipt_sequence_number) {
            counters::raise_to(db, counters::RECEIPT, n).await?;
        }
        written
    };
    super::billing::settle_debt(db, op.customer_id, Some(written.id), op.created_at).await?;
    let action =
        if op.refund_of.is_some() { "ledger.refund".to_string() } else { format!("ledger.{}", op.kind) };
    audit::<(), _>(db, Some(actor), &action, "customer", Some(op.customer_id), None, Some(&written)).await?;
    Ok(Appended::New(written))
}

/// The operation that gives `amount` of `original` back to where it came from: a reversal
/// row of the same customer, method and catalogue entry, at the actor's desk. A cancellation
/// and a refund each add what points it at the original.
fn giving_back(
    actor: &Actor,
    original: &Operation,
    amount: Money,
    comment: String,
    key: Option<String>,
) -> NewOperation {
    NewOperation {
        customer_id: original.customer_id,
        kind: OperationKind::Reversal,
        amount: Money::from_minor(-amount.minor()),
        balance_before: Money::ZERO,
        method: original.method,
        receipt_number: None,
        comment: Some(comment),
        operator_id: Some(actor.operator_id),
        created_at: now(),
        reverses_id: None,
        idempotency_key: key,
        linked_id: None,
        desk: Some(actor.desk.clone()),
        shift_id: None,
        received: None,
        bank: None,
        method_code: original.method_code.clone().filter(|c| original.method.map(|m| m.as_str()) != Some(c)),
        method_name: original.method_name.clone(),
        refund_of: None,
        rko_number: None,
    }
}

/// A refund of payment `id` as it is written, under the customer's lock: never more than is
/// left of the payment, never of one cancelled; the money leaves the drawer of the shift open
/// at the desk (a cashier's refund: the payment's own shift, still open, or nothing); the
/// cash-out order's number is the next of its sequence, taken in this transaction so that a
/// refund rolled back leaves no gap.
async fn refund_checks(db: &mut Db<'_>, actor: &Actor, op: &mut NewOperation, id: i64) -> Result<()> {
    let original = ledger::get(db, id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(Entity::Operation, id.to_string()))?;
    if let Some(by) = original.reversed_by {
        return Err(ServiceError::Conflict(Conflict::Reversed { operation: id, by: Some(by) }));
    }
    let left = original.refundable();
    if -op.amount.minor() > left.minor() {
        return Err(ServiceError::invalid("amount", Problem::RefundTooMuch(left.to_string())));
    }
    op.shift_id = match &op.desk {
        Some(d) => desk::current_held(db, d).await?,
        None => None,
    };
    if !actor.can(Permission::LedgerAdjust) && (op.shift_id.is_none() || op.shift_id != original.shift_id) {
        return Err(ServiceError::Conflict(Conflict::RefundRefused(CancelWhy::ShiftClosed)));
    }
    op.rko_number = Some(counters::next(db, counters::RKO).await?);
    Ok(())
}

/// Refuses a cashier's cancellation (or refund, as `refusal` says) of anything but their own
/// payment in its open shift at their desk.
async fn cashier_may_cancel(
    db: &mut Db<'_>,
    actor: &Actor,
    original: &Operation,
    refusal: fn(CancelWhy) -> Conflict,
) -> Result<()> {
    let refuse = |why| Err(ServiceError::Conflict(refusal(why)));
    if original.kind != OperationKind::Payment {
        return refuse(CancelWhy::NotPayment);
    }
    if original.operator_id != Some(actor.operator_id) {
        return refuse(CancelWhy::NotOwn);
    }
    let shift = match original.shift_id {
        Some(id) => desk::get(db, id).await?,
        None => None,
    };
    match shift {
        Some(s) if s.is_open() && s.desk == actor.desk => Ok(()),
        Some(s) if s.is_open() => refuse(CancelWhy::OtherDesk),
        _ => refuse(CancelWhy::ShiftClosed),
    }
}

impl Service {
    /// Posts `op`: on PostgreSQL the usual post in one statement (`post_at_once`), otherwise
    /// and whenever that did not apply, `append` in a write transaction. Two desks racing with
    /// one key on PostgreSQL can both pass the key check before either commits; the loser's
    /// unique violation is then answered by reading the winner's operation.
    pub(super) async fn post(
        &self,
        actor: &Actor,
        op: NewOperation,
        want_receipt: bool,
    ) -> Result<PostOutcome> {
        let operation = match self.post_at_once(actor, &op, want_receipt).await? {
            Some(operation) => operation,
            None => match self.post_in_transaction(actor, op, want_receipt).await? {
                Appended::New(operation) => operation,
                Appended::Replay(operation) => {
                    return Ok(PostOutcome { operation, replayed: true, fiscal: None });
                }
            },
        };
        tracing::info!(operator = %actor.login, customer = operation.customer_id, op = operation.id, kind = %operation.kind, amount = %operation.amount, "posted");
        Ok(PostOutcome { operation, replayed: false, fiscal: None })
    }

    /// PostgreSQL: the usual post as one statement outside a transaction, with its audit row
    /// (see `ledger::post_at_once`). `None` when nothing was written: not the usual case, a
    /// number or key a concurrent post took first, or SQLite; the general path then decides.
    async fn post_at_once(
        &self,
        actor: &Actor,
        op: &NewOperation,
        want_receipt: bool,
    ) -> Result<Option<Operation>> {
        // a typed number of the sequence also moves the counter: the general path does that
        if op.receipt_number.as_deref().and_then(receipt_sequence_number).is_some() {
            return Ok(None);
        }
        let Some(mut one) = self.store.autocommit().await? else { return Ok(None) };
        let audit = ledger::AuditOfPost {
            at: now(),
            operator_id: Some(actor.operator_id),
            operator_login: &actor.login,
            origin: &actor.origin,
            action: &format!("ledger.{}", op.kind),
            // a plain struct: serializing it cannot fail
            after_json: serde_json::to_string(&ledger::unwritten(op, &actor.login))
                .unwrap_or_else(|_| "{}".into()),
        };
        let numbered = op.receipt_number.is_none() && want_receipt;
        let standing = ledger::Standing { operator_id: actor.operator_id, role: actor.role.as_str() };
        match ledger::post_at_once(&mut one.db(), op, numbered, BALANCE_LIMIT_MINOR, &audit, &standing).await
        {
            Ok(posted) => Ok(posted),
            Err(e) if e.unique_key().is_some() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn post_in_transaction(
        &self,
        actor: &Actor,
        op: NewOperation,
        want_receipt: bool,
    ) -> Result<Appended> {
        let mut tx = self.store.write().await?;
        let result = append(&mut tx.db(), actor, op.clone(), want_receipt).await;
        match result {
            Ok(Appended::New(operation)) => {
                // a one-shot command's login goes in with its payment: one commit
                let login = self.take_deferred_login();
                if let Err(e) = commit_with_login(tx, login.as_ref()).await {
                    self.restore_deferred_login(login);
                    return Err(e);
                }
                Ok(Appended::New(operation))
            }
            Ok(replay) => Ok(replay),
            Err(ServiceError::Store(e)) if e.unique_key().is_some() => {
                drop(tx);
                let what = e.unique_key().cloned();
                if let Some(key) =
                    op.idempotency_key.as_deref().filter(|_| what == Some(UniqueKey::IdempotencyKey))
                {
                    let mut rtx = self.store.read().await?;
                    if let Some(existing) = ledger::by_key(&mut rtx.db(), key).await? {
                        return if same_request(&existing, &op) {
                            Ok(Appended::Replay(existing))
                        } else {
                            Err(ServiceError::Conflict(Conflict::KeyUsed {
                                key: key.to_string(),
                                operation: existing.id,
                            }))
                        };
                    }
                }
                if what == Some(UniqueKey::ReceiptNumber) {
                    return Err(ServiceError::ReceiptUsed {
                        number: op.receipt_number.unwrap_or_default(),
                        operation: None,
                    });
                }
                Err(ServiceError::Store(e))
            }
            Err(e) => Err(e),
        }
    }

    /// Posts a payment: a positive amount, a method, a receipt number (the next one unless
    /// given), a comment; with an idempotency key a retry is a no-op that returns the original.
    pub async fn post_payment(&self, actor: &Actor, req: &PaymentRequest) -> Result<PostOutcome> {
        let result = self.post_payment_checked(actor, req).await;
        if let Err(e) = &result {
            // a cashier may have taken the cash: every refused or failed post is in the log
            tracing::warn!(operator = %actor.login, customer = req.customer_id, amount = %req.amount,
                method = %req.method, error = %e, "payment not posted");
        }
        result
    }

    async fn post_payment_checked(&self, actor: &Actor, req: &PaymentRequest) -> Result<PostOutcome> {
        let op = self.checked_payment(actor, req).await?;
        let mut outcome = self.post(actor, op, true).await?;
        if !outcome.replayed {
            outcome.fiscal = self.fiscalise_posted(actor, &outcome.operation).await;
        }
        Ok(outcome)
    }

    /// The operation a payment request becomes once every check that needs no lock passed
    /// (the rest are `append`'s, where they hold).
    pub(super) async fn checked_payment(&self, actor: &Actor, req: &PaymentRequest) -> Result<NewOperation> {
        self.require(actor, Permission::PaymentPost).await?;
        // a bank payment's own day and document are an administrator's to give
        if req.bank.as_ref().is_some_and(|b| !b.is_empty()) {
            self.require(actor, Permission::LedgerAdjust).await?;
        }
        self.payment_operation(actor, req).await
    }

    /// `checked_payment` without its look at the operator's rights, for a caller that has
    /// just checked them (an administrator's import): a round trip less per payment; the
    /// operator's standing is checked again where each payment is written (`append`).
    pub(super) async fn payment_operation(
        &self,
        actor: &Actor,
        req: &PaymentRequest,
    ) -> Result<NewOperation> {
        if !req.amount.is_positive() {
            return Err(ServiceError::invalid("amount", Problem::NotPositive));
        }
        // "777", "777" with a zero-width space and a full-width "７７７" are one number
        let receipt = req.receipt_number.as_deref().and_then(normalise_receipt_number);
        if let Some(r) = &receipt
            && !valid_receipt_number(r)
        {
            return Err(ServiceError::invalid("receipt", Problem::Receipt));
        }
        let entry = self.method_entry(req.method, req.method_code.as_deref()).await?;
        let method = entry.kind;
        if let Some(received) = req.received {
            crate::domain::ledger::change_for(method, req.amount, received)
                .map_err(|p| ServiceError::invalid("received", p))?;
            if received.minor() > BALANCE_LIMIT_MINOR {
                return Err(ServiceError::invalid("received", Problem::BalanceRange));
            }
        }
        let bank = match req.bank.as_ref().filter(|b| !b.is_empty()) {
            Some(b) => Some(Self::check_bank_details(method, b)?),
            None => None,
        };
        let op = NewOperation {
            customer_id: req.customer_id,
            kind: OperationKind::Payment,
            amount: req.amount,
            balance_before: Money::ZERO,
            method: Some(method),
            receipt_number: receipt,
            comment: check_comment(req.comment.as_deref())?,
            operator_id: Some(actor.operator_id),
            created_at: now(),
            reverses_id: None,
            idempotency_key: check_key(&req.idempotency_key)?,
            linked_id: None,
            desk: Some(actor.desk.clone()),
            shift_id: None,
            received: req.received,
            bank,
            method_code: (entry.code != method.as_str()).then_some(entry.code),
            method_name: None,
            refund_of: None,
            rko_number: None,
        };
        Ok(op)
    }

    /// A bank payment's details as they are kept: for method `bank` only, given by an
    /// administrator; the day paid and the document's date never ahead of today (local) nor
    /// before 2000; a document number of 1–64 visible characters; a payer of at most 200.
    fn check_bank_details(
        method: PaymentMethod,
        b: &crate::domain::ledger::BankDetails,
    ) -> Result<crate::domain::ledger::BankDetails> {
        if method != PaymentMethod::Bank {
            return Err(ServiceError::invalid(
                "method",
                Problem::NotOneOf { value: method.to_string(), allowed: &["bank"] },
            ));
        }
        let today = crate::domain::dates::today();
        let oldest = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN);
        for (field, day) in [("paid_on", b.paid_on), ("document_date", b.document_date)] {
            if let Some(d) = day
                && (d > today || d < oldest)
            {
                return Err(ServiceError::invalid(
                    field,
                    Problem::DayOutOfRange(d.format("%d.%m.%Y").to_string()),
                ));
            }
        }
        let number = b.document_number.as_deref().map(text::clean).filter(|n| !n.is_empty());
        if let Some(n) = &number
            && (n.chars().count() > 64 || n.chars().any(char::is_whitespace))
        {
            return Err(ServiceError::invalid("document_number", Problem::TooLong(64)));
        }
        let payer = b.payer.as_deref().map(text::clean).filter(|p| !p.is_empty());
        if payer.as_ref().is_some_and(|p| p.chars().count() > 200) {
            return Err(ServiceError::invalid("payer", Problem::TooLong(200)));
        }
        Ok(crate::domain::ledger::BankDetails {
            paid_on: b.paid_on,
            document_number: number,
            document_date: b.document_date,
            payer,
        })
    }

    /// Posts a charge (a positive amount taken off the balance) or a correction (an amount of
    /// either sign). Administrators only; a comment saying why is required.
    pub async fn post_adjustment(&self, actor: &Actor, req: &AdjustmentRequest) -> Result<PostOutcome> {
        self.require(actor, Permission::LedgerAdjust).await?;
        let amount = match req.kind {
            OperationKind::Charge if req.amount.is_positive() => Money::from_minor(-req.amount.minor()),
            OperationKind::Charge => {
                return Err(ServiceError::invalid("amount", Problem::ChargePositive));
            }
            OperationKind::Correction if req.amount != Money::ZERO => req.amount,
            OperationKind::Correction => {
                return Err(ServiceError::invalid("amount", Problem::ZeroCorrection));
            }
            other => {
                return Err(ServiceError::invalid(
                    "kind",
                    Problem::NotOneOf { value: other.to_string(), allowed: &["charge", "correction"] },
                ));
            }
        };
        let comment = check_comment(Some(&req.comment))?
            .ok_or_else(|| ServiceError::invalid("comment", Problem::ReasonRequired))?;
        let op = NewOperation {
            comment: Some(comment),
            operator_id: Some(actor.operator_id),
            idempotency_key: check_key(&req.idempotency_key)?,
            ..NewOperation::bare(req.customer_id, req.kind, amount, Money::ZERO, now())
        };
        self.post(actor, op, false).await
    }

    /// Reverses a payment or a charge with a new, linked operation of the opposite amount.
    /// An operation is reversed at most once; a reversal is never reversed. An administrator
    /// reverses any; a cashier cancels only their own payment, during its shift, at its desk
    /// (the cash then goes back out of that shift's drawer).
    pub async fn reverse_operation(
        &self,
        actor: &Actor,
        operation_id: i64,
        comment: &str,
        key: Option<String>,
    ) -> Result<PostOutcome> {
        // one who takes no payments may reverse nothing: refused for the general right
        let admin = actor.can(Permission::LedgerAdjust) || !actor.can(Permission::PaymentPost);
        self.require(actor, if admin { Permission::LedgerAdjust } else { Permission::PaymentPost }).await?;
        let comment = check_comment(Some(comment))?
            .ok_or_else(|| ServiceError::invalid("comment", Problem::ReasonRequired))?;
        let key = check_key(&key)?;
        let original = {
            let mut tx = self.store.read().await?;
            let mut db = tx.db();
            let original = ledger::get(&mut db, operation_id)
                .await?
                .ok_or_else(|| ServiceError::NotFound(Entity::Operation, format!("{operation_id}")))?;
            if original.kind == OperationKind::Reversal {
                return Err(ServiceError::Conflict(Conflict::ReversalOfReversal));
            }
            if !admin {
                cashier_may_cancel(&mut db, actor, &original, Conflict::CancelRefused).await?;
            }
            // one half of a merge's transfer alone would give the money back to one customer
            // while the other keeps it
            if let Some(partner) = ledger::link_partner(&mut db, operation_id).await? {
                return Err(ServiceError::Conflict(Conflict::HalfOfMerge {
                    operation: operation_id,
                    partner,
                }));
            }
            if key.is_none()
                && let Some(r) = ledger::reversal_of(&mut db, operation_id).await?
            {
                return Err(ServiceError::Conflict(Conflict::Reversed {
                    operation: operation_id,
                    by: Some(r),
                }));
            }
            original
        };
        let op = NewOperation {
            reverses_id: Some(operation_id),
            // checked again, held, when it is written (`append`)
            shift_id: original.shift_id,
            ..giving_back(actor, &original, original.amount, comment, key)
        };
        self.post(actor, op, false).await.map_err(|e| match e {
            ServiceError::Store(StoreError::Unique { key: UniqueKey::Reversal }) => {
                ServiceError::Conflict(Conflict::Reversed { operation: operation_id, by: None })
            }
            other => other,
        })
    }

    /// Gives back part of a payment (`payment.refund`): a linked reversal of `amount` with the
    /// reason, numbered as a cash-out order (РКО) from its own gap-free sequence; a payment
    /// may be refunded in several parts, never beyond its amount, and not once cancelled (nor
    /// cancelled whole once refunded in part). An administrator refunds any payment; a cashier
    /// only their own, during its shift, at its desk. A cash refund leaves the drawer of the
    /// shift open at the desk.
    pub async fn refund_payment(&self, actor: &Actor, req: &RefundRequest) -> Result<PostOutcome> {
        let admin = actor.can(Permission::LedgerAdjust) || !actor.can(Permission::PaymentPost);
        self.require(actor, if admin { Permission::LedgerAdjust } else { Permission::PaymentPost }).await?;
        if !req.amount.is_positive() {
            return Err(ServiceError::invalid("amount", Problem::NotPositive));
        }
        let reason = check_comment(Some(&req.reason))?
            .ok_or_else(|| ServiceError::invalid("comment", Problem::ReasonRequired))?;
        let key = check_key(&req.idempotency_key)?;
        let original = {
            let mut tx = self.store.read().await?;
            let mut db = tx.db();
            let id = req.operation_id;
            let original = ledger::get(&mut db, id)
                .await?
                .ok_or_else(|| ServiceError::NotFound(Entity::Operation, id.to_string()))?;
            if original.kind != OperationKind::Payment {
                return Err(ServiceError::Conflict(Conflict::NotRefundable(id)));
            }
            if !admin {
                cashier_may_cancel(&mut db, actor, &original, Conflict::RefundRefused).await?;
            }
            original
        };
        // the shift, the checks against what is left and the РКО number: when written
        let op = NewOperation {
            refund_of: Some(original.id),
            ..giving_back(actor, &original, req.amount, reason, key)
        };
        let mut outcome = self.post(actor, op, false).await?;
        if !outcome.replayed {
            outcome.fiscal = self.fiscalise_posted(actor, &outcome.operation).await;
        }
        Ok(outcome)
    }

    /// A customer's operations, newest first, with totals over the whole filtered range
    /// (`abon_hist`, `CLN_FIN_OPER`).
    pub async fn history(&self, actor: &Actor, q: &HistoryQuery) -> Result<HistoryPage> {
        self.require(actor, Permission::HistoryRead).await?;
        if !(1..=1000).contains(&q.limit) {
            return Err(ServiceError::invalid("limit", Problem::Range(1, 1000)));
        }
        if q.offset < 0 {
            return Err(ServiceError::invalid("offset", Problem::Negative));
        }
        check_period(q.from, q.to).map_err(|e| ServiceError::invalid("from", e))?;
        let filter = HistoryFilter {
            from: q.from.map(crate::domain::dates::day_start),
            until: q.to.map(crate::domain::dates::day_end),
            kinds: q.kinds.clone(),
        };
        // The page and its totals are one statement, so PostgreSQL answers them outside a
        // transaction in one round trip; the promised payments are not ledger rows and need
        // no common snapshot with them. SQLite reads in a transaction (no round trips there).
        let mut tx = match self.store.autocommit().await? {
            Some(one) => one,
            None => self.store.read().await?,
        };
        let mut db = tx.db();
        let page = ledger::history_page(&mut db, q.customer_id, &filter, q.limit, q.offset)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Customer, format!("#{}", q.customer_id)))?;
        let promises =
            crate::store::promises::list(&mut db, q.customer_id, filter.from, filter.until).await?;
        let ledger::HistoryPage { operations, total_count, income, outcome } = page;
        Ok(HistoryPage { operations, total_count, income, outcome, promises })
    }

    /// The next receipt number the sequence would give (shown pre-filled on the payment form).
    pub async fn peek_next_receipt(&self, actor: &Actor) -> Result<String> {
        self.require(actor, Permission::PaymentPost).await?;
        let mut tx = self.store.read().await?;
        Ok((counters::get(&mut tx.db(), counters::RECEIPT).await? + 1).to_string())
    }
}
