//! Receipts: a payment's slip built from the ledger (`domain::receipt`), the first print
//! the original and every later one a duplicate (the audit log keeps each print), and the
//! printing itself on the desk's receipt printer or through its command.

use std::io::Write;

use super::{Actor, Conflict, Entity, Result, Service, ServiceError, audit};
use crate::domain::ledger::OperationKind;
use crate::domain::receipt::{Receipt, SLIP_WIDTH};
use crate::domain::role::Permission;
use crate::store::{Db, audit as audit_log, customers, ledger, operators};

/// Where receipts are printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printer {
    /// A device or file the bytes are written to.
    Device(std::path::PathBuf),
    /// A command run by `sh -c` that is given the bytes on its standard input.
    Command(String),
}

/// What a printer is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PrintFormat {
    #[default]
    EscPos,
    Text,
    Pdf,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptConfig {
    pub organisation: Option<String>,
    pub printer: Option<Printer>,
    pub format: PrintFormat,
    /// The font of PDF receipts (`receipt_pdf::DEFAULT_FONT` when not set).
    pub pdf_font: Option<std::path::PathBuf>,
}

impl ReceiptConfig {
    /// The configured font's bytes and the name it is shown by.
    fn font(&self) -> Result<(Vec<u8>, String)> {
        let path = self.pdf_font.clone().unwrap_or_else(|| crate::domain::receipt_pdf::DEFAULT_FONT.into());
        let shown = path.display().to_string();
        let font = std::fs::read(&path)
            .map_err(|e| ServiceError::Conflict(Conflict::PdfFont(format!("{shown}: {e}"))))?;
        Ok((font, shown))
    }

    /// `r` as a PDF in `font` (its bytes and shown name).
    fn pdf_in(r: &Receipt, font: &(Vec<u8>, String)) -> Result<Vec<u8>> {
        crate::domain::receipt_pdf::receipt_pdf(r, &font.0, &font.1)
            .map_err(|e| ServiceError::Conflict(Conflict::PdfFont(e.to_string())))
    }

    /// `r` as a PDF in the configured font.
    pub fn pdf(&self, r: &Receipt) -> Result<Vec<u8>> {
        Self::pdf_in(r, &self.font()?)
    }

    /// `r` as the printer takes it.
    pub fn bytes(&self, r: &Receipt) -> Result<Vec<u8>> {
        Ok(match self.format {
            PrintFormat::EscPos => r.escpos(),
            PrintFormat::Text => r.text(SLIP_WIDTH).into_bytes(),
            PrintFormat::Pdf => self.pdf(r)?,
        })
    }
}

fn send(printer: &Printer, bytes: &[u8]) -> std::result::Result<(), String> {
    match printer {
        Printer::Device(path) => std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes).and_then(|_| f.flush()))
            .map_err(|e| format!("{}: {e}", path.display())),
        Printer::Command(cmd) => {
            let mut child = std::process::Command::new("sh")
                .args(["-c", cmd])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .map_err(|e| format!("{cmd}: {e}"))?;
            // a command that fails without reading all of it is judged by its status
            if let Some(mut stdin) = child.stdin.take() {
                let _ = stdin.write_all(bytes);
            }
            let out = child.wait_with_output().map_err(|e| format!("{cmd}: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                let why = String::from_utf8_lossy(&out.stderr).trim().chars().take(200).collect::<String>();
                Err(format!("{cmd}: {} {why}", out.status))
            }
        }
    }
}

/// The receipt of payment `operation_id` as it is recorded, a duplicate when printed before.
pub(super) async fn build(
    db: &mut Db<'_>,
    organisation: Option<String>,
    operation_id: i64,
) -> Result<Receipt> {
    let op = ledger::get(db, operation_id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(Entity::Operation, operation_id.to_string()))?;
    let method = match (op.kind, op.method) {
        (OperationKind::Payment, Some(m)) => m,
        (OperationKind::Reversal, Some(m)) if op.refund_of.is_some() => m,
        _ => return Err(ServiceError::Conflict(Conflict::NotAPayment(operation_id))),
    };
    // a refund's slip is its cash-out order, naming the payment's receipt
    let refund_of = match op.refund_of {
        Some(id) => {
            Some(ledger::get(db, id).await?.and_then(|p| p.receipt_number).unwrap_or_else(|| id.to_string()))
        }
        None => None,
    };
    let customer = customers::get(db, op.customer_id)
        .await?
        .ok_or_else(|| ServiceError::NotFound(Entity::Customer, format!("#{}", op.customer_id)))?;
    let cashier = match op.operator_id {
        Some(id) => operators::get(db, id).await?.map(|o| o.name),
        None => None,
    };
    let printed = audit_log::list(db, Some("operation"), Some(operation_id), 1000)
        .await?
        .iter()
        .any(|e| e.action.starts_with("receipt."));
    Ok(Receipt {
        organisation,
        operation_id,
        receipt_number: match op.rko_number {
            Some(n) => n.to_string(),
            None => op.receipt_number.clone().unwrap_or_else(|| op.id.to_string()),
        },
        at: crate::domain::dates::local(op.created_at),
        customer: customer.name,
        agreement: customer.agreement_number,
        amount: op.amount.abs(),
        method,
        method_name: op.method_name.clone().unwrap_or_else(|| method.as_str().to_string()),
        received: op.received,
        balance_after: op.balance_after,
        cashier: cashier.or(op.operator_login.clone()).unwrap_or_default(),
        desk: op.desk.clone(),
        comment: op.comment.clone(),
        duplicate: printed,
        cancelled: op.reversed_by.is_some(),
        refund_of,
    })
}

/// A payment's own story: the operation, its cancellation if any, and everything done to it
/// since (receipts printed and reprinted, fiscal attempts), who and from where.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PaymentStory {
    pub operation: crate::domain::ledger::Operation,
    /// Whom it was for.
    pub customer: String,
    pub agreement: Option<String>,
    pub reversal: Option<crate::domain::ledger::Operation>,
    /// Its partial refunds, oldest first.
    pub refunds: Vec<crate::domain::ledger::Operation>,
    /// Oldest first.
    pub events: Vec<crate::domain::audit::AuditEntry>,
}

impl Service {
    /// Payment `operation_id` with its cancellation and what was done to it since.
    pub async fn payment_story(&self, actor: &Actor, operation_id: i64) -> Result<PaymentStory> {
        self.require(actor, Permission::HistoryRead).await?;
        let mut tx = self.store.read().await?;
        let mut db = tx.db();
        let operation = ledger::get(&mut db, operation_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Operation, operation_id.to_string()))?;
        if operation.kind != OperationKind::Payment {
            return Err(ServiceError::Conflict(Conflict::NotAPayment(operation_id)));
        }
        let reversal = match operation.reversed_by {
            Some(id) => ledger::get(&mut db, id).await?,
            None => None,
        };
        let refunds = ledger::refunds_of(&mut db, operation_id).await?;
        let customer = customers::get(&mut db, operation.customer_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(Entity::Customer, format!("#{}", operation.customer_id)))?;
        let mut events = audit_log::list(&mut db, Some("operation"), Some(operation_id), 1000).await?;
        events.reverse();
        Ok(PaymentStory {
            operation,
            customer: customer.name,
            agreement: customer.agreement_number,
            reversal,
            refunds,
            events,
        })
    }

    /// The receipt of payment `operation_id`, recorded as printed (`receipt.print`, or
    /// `receipt.reprint` for a duplicate: any print after the first).
    pub async fn receipt(&self, actor: &Actor, operation_id: i64) -> Result<Receipt> {
        self.require(actor, Permission::PaymentPost).await?;
        let mut tx = self.store.write().await?;
        let mut db = tx.db();
        let receipt = build(&mut db, self.config.receipts.organisation.clone(), operation_id).await?;
        let action = if receipt.duplicate { "receipt.reprint" } else { "receipt.print" };
        audit::<(), _>(&mut db, Some(actor), action, "operation", Some(operation_id), None, Some(&receipt))
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// The receipt as a PDF (recorded as printed, like `receipt`).
    pub async fn receipt_pdf(&self, actor: &Actor, operation_id: i64) -> Result<(Receipt, Vec<u8>)> {
        self.require(actor, Permission::PaymentPost).await?;
        // the font is read before anything is recorded: a missing one prints nothing
        let font = self.config.receipts.font()?;
        let r = self.receipt(actor, operation_id).await?;
        let pdf = ReceiptConfig::pdf_in(&r, &font)?;
        Ok((r, pdf))
    }

    /// Prints the receipt of payment `operation_id` on the desk's printer; recorded as
    /// printed only once the printer took it.
    pub async fn print_receipt(&self, actor: &Actor, operation_id: i64) -> Result<Receipt> {
        self.require(actor, Permission::PaymentPost).await?;
        let printer =
            self.config.receipts.printer.clone().ok_or(ServiceError::Conflict(Conflict::NoPrinter))?;
        let receipt = {
            let mut tx = self.store.read().await?;
            build(&mut tx.db(), self.config.receipts.organisation.clone(), operation_id).await?
        };
        let bytes = self.config.receipts.bytes(&receipt)?;
        let sent = tokio::task::spawn_blocking(move || send(&printer, &bytes))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
        if let Err(why) = sent {
            tracing::warn!(operator = %actor.login, operation = operation_id, %why, "receipt not printed");
            return Err(ServiceError::Conflict(Conflict::PrinterFailed(why)));
        }
        self.receipt(actor, operation_id).await
    }
}
