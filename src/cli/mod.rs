//! The command line: parses arguments, logs the operator in, calls one service function,
//! prints the result as text or JSON. No rule lives here.

mod access;
pub mod args;
mod billing;
mod desk;
mod imports;
mod network;
pub mod output;
mod print;

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use chrono::Utc;
use serde::Serialize;

pub use args::Cli;
use args::{
    AccessCmd, Command, CustomerCmd, GroupCmd, HouseArgs, HouseCmd, ListArgs, MarkCmd, MessageCmd,
    OperatorCmd, PromiseCmd, ServiceCmd, TariffArgs, TariffCmd,
};

use crate::config::{self, Config};
use crate::domain::customer::CustomerState;
use crate::domain::customer::LookupKind;
use crate::domain::dates::parse_date;
use crate::domain::ledger::{OperationKind, PaymentMethod};
use crate::domain::money::Money;
use crate::domain::role::Role;
use crate::service::demo::{DEMO_PASSWORD, DemoOptions};
use crate::service::{
    Actor, AdjustmentRequest, CustomerChanges, CustomerFilter, HistoryQuery, HouseInput, LoginRecord,
    NewCustomer, PaymentRequest, Service, ServiceError, TariffInput, When, origin_from_env,
};

/// An error at the command line's edge, with the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    fn usage(message: impl std::fmt::Display) -> CliError {
        CliError { code: 2, message: message.to_string() }
    }
}

impl From<ServiceError> for CliError {
    fn from(e: ServiceError) -> CliError {
        let code = match &e {
            ServiceError::Invalid { .. } => 2,
            ServiceError::NotFound(..) | ServiceError::NoDatabase { .. } => 3,
            // what a cashier may not cancel is a matter of rights, as a denial is
            ServiceError::Conflict(
                crate::service::Conflict::CancelRefused(_) | crate::service::Conflict::RefundRefused(_),
            ) => 5,
            ServiceError::Conflict(_)
            | ServiceError::PortTaken { .. }
            | ServiceError::PromiseRefused { .. }
            | ServiceError::ReceiptUsed { .. }
            | ServiceError::MacTaken { .. }
            | ServiceError::MergedAway { .. } => 4,
            ServiceError::Denied { .. } => 5,
            ServiceError::BadCredentials | ServiceError::SessionEnded(_) => 6,
            ServiceError::Busy => 8,
            ServiceError::Store(_) => 1,
        };
        CliError { code, message: e.to_string() }
    }
}

impl From<config::ConfigError> for CliError {
    fn from(e: config::ConfigError) -> CliError {
        CliError { code: 2, message: e.to_string() }
    }
}

type CliResult<T = ()> = Result<T, CliError>;

/// Where the database is: `--db`/`KASSA_DB`, `DATABASE_URL`, the config file, the default file.
pub fn database_location(cli: &Cli, cfg: &Config) -> String {
    cli.db
        .clone()
        .or_else(|| std::env::var("DATABASE_URL").ok().filter(|s| !s.is_empty()))
        .or_else(|| cfg.database.clone())
        .unwrap_or_else(config::default_database)
}

/// A command line clap refused, said in one line like every other refusal (exit 2); help
/// and version are printed whole.
pub fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        output::write_stdout(&output::printable(&e.render().to_string()));
        return ExitCode::from(if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            2
        } else {
            0
        });
    }
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("error:").unwrap_or(first).trim();
    output::err_line(&format!(
        "kassa: {first} (kassa --help, or kassa <command> --help, explains every flag)"
    ));
    ExitCode::from(2)
}

/// What a command leaves to finish before the process ends: the service it opened (closed
/// cleanly: SQLite's committed pages back into the database file) with the login's audit row
/// when the command's own payment did not write it (`Service::defer_login`).
#[derive(Default)]
struct Leftovers {
    services: Vec<Service>,
}

static LEFTOVERS: std::sync::Mutex<Leftovers> = std::sync::Mutex::new(Leftovers { services: Vec::new() });

/// How long the end of a command waits to write its login's audit row (after the command has
/// answered, so a read-only command never waits for another desk's write lock first); past it
/// the row is given up and the log file says so.
const LOGIN_AUDIT_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

async fn finish() {
    let services = match LEFTOVERS.lock() {
        Ok(mut l) => std::mem::take(&mut l.services),
        Err(_) => return,
    };
    for svc in services {
        match tokio::time::timeout(LOGIN_AUDIT_WAIT, svc.write_deferred_login()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "a login's audit row was not written"),
            Err(_) => tracing::warn!("a login's audit row was not written: the database stayed busy"),
        }
        svc.close().await;
    }
}

/// Runs one parsed command line; returns the process exit code.
pub async fn run(cli: Cli, cfg: Config) -> ExitCode {
    let result = dispatch(&cli, &cfg).await;
    finish().await;
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            output::err_line(&format!("kassa: {}", e.message));
            ExitCode::from(e.code)
        }
    };
    match output::exit_override() {
        Some(c) => ExitCode::from(c),
        None => code,
    }
}

/// Prints a command's answer: JSON, or the text `text` makes of it (see `output`).
fn out<T: Serialize>(json: bool, value: &T, text: impl FnOnce(&T) -> String) {
    if json {
        match serde_json::to_string_pretty(value) {
            Ok(s) => {
                output::write_stdout(&format!("{}\n", output::printable_json(&s)));
            }
            Err(e) => output::err_line(&format!("kassa: cannot print JSON: {e}")),
        }
    } else {
        let t = text(value);
        if !t.is_empty() {
            output::line(&t);
        }
    }
}

fn read_password(prompt: &str, env: &str) -> CliResult<String> {
    if let Ok(p) = std::env::var(env) {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(format!("no password: set {env} or run on a terminal")));
    }
    rpassword::prompt_password(prompt).map_err(|e| CliError::usage(format!("cannot read the password: {e}")))
}

/// Whether `confirm` asks: on a terminal, without `--yes` or `--json`.
fn asks(cli: &Cli) -> bool {
    !(cli.yes || cli.json || !std::io::stdin().is_terminal())
}

/// Asks "… [y/N]" on a terminal; scripts (no terminal) and `--yes` go ahead.
fn confirm(cli: &Cli, question: &str) -> CliResult<()> {
    if !asks(cli) {
        return Ok(());
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{} [y/N] ", output::printable(question));
    let _ = err.flush();
    drop(err);
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| CliError::usage(e.to_string()))?;
    if matches!(line.trim().to_lowercase().as_str(), "y" | "yes" | "д" | "да") {
        Ok(())
    } else {
        Err(CliError { code: 10, message: "cancelled: nothing was written".into() })
    }
}

/// Whether `location` is the embedded default database (the only one kassa ever fills with
/// demo data by itself, on its first start).
fn is_default_database(location: &str) -> bool {
    location == config::default_database()
}

/// Opens the database. Only `init`, `demo` and the first start on the default database create
/// an SQLite file; any other command on a path that is not there says what to run instead of
/// working on a new empty database.
async fn open(cli: &Cli, cfg: &Config) -> CliResult<Service> {
    let location = database_location(cli, cfg);
    let create = match &cli.command {
        Some(Command::Init { .. }) | Some(Command::Demo { .. }) => true,
        None | Some(Command::Serve { .. }) => is_default_database(&location),
        Some(_) => false,
    };
    let one_shot = one_shot(cli);
    let svc = Service::open_with(&location, cfg.service(), create, one_shot).await.map_err(|e| match e {
        ServiceError::NoDatabase { path } => CliError {
            code: 3,
            message: format!(
                "there is no database at {path}: `kassa init` creates one with its first administrator, \
                 `kassa demo` one with demo data"
            ),
        },
        e => CliError { code: 1, message: format!("cannot open the database {}: {e}", redact(&location)) },
    })?;
    if let Ok(mut l) = LEFTOVERS.lock() {
        l.services.push(svc.clone());
    }
    Ok(svc)
}

/// Whether the command is a short call that reads and writes a little: it shares one SQLite
/// connection (one schema parsed) and writes its login's audit row with its payment or at its
/// end. The console, the server and the long runs, whose tasks read while others write, keep a
/// pool, and their login is written before they start.
fn one_shot(cli: &Cli) -> bool {
    !matches!(
        &cli.command,
        None | Some(
            Command::Serve { .. }
                | Command::Init { .. }
                | Command::Demo { .. }
                | Command::Billing(_)
                | Command::Import(_)
                | Command::Check
                | Command::Backup { .. }
        )
    )
}

/// A database location fit for messages: the password of a URL hidden.
fn redact(location: &str) -> String {
    match (location.find("://"), location.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &location[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &location[..s + 3], &creds[..c], &location[at..]),
                None => location.to_string(),
            }
        }
        _ => location.to_string(),
    }
}

async fn login(cli: &Cli, svc: &Service) -> CliResult<Actor> {
    let token = std::env::var("KASSA_TOKEN").ok().filter(|t| !t.trim().is_empty());
    let (actor, record) = match token {
        Some(token) => {
            let (actor, record) = svc.authenticate_token(&token, &origin_from_env()).await?;
            if let Some(named) = cli.operator.as_deref().filter(|s| !s.is_empty() && *s != actor.login) {
                return Err(CliError::usage(format!(
                    "KASSA_TOKEN acts as '{}', but --as or KASSA_OPERATOR names '{named}': give one of them",
                    actor.login
                )));
            }
            (actor, record)
        }
        None => password_login(cli, svc).await?,
    };
    // a short call's login row goes in with its payment, or is written at its end (`finish`):
    // not before it, which would wait for another desk's write lock; a long run's first
    if one_shot(cli) {
        svc.defer_login(record);
    } else {
        svc.record_login(&record).await?;
    }
    Ok(actor)
}

async fn password_login(cli: &Cli, svc: &Service) -> CliResult<(Actor, LoginRecord)> {
    let Some(login) = cli.operator.as_deref().filter(|s| !s.is_empty()) else {
        return Err(CliError::usage(
            "say who you are: KASSA_TOKEN, or --as LOGIN or KASSA_OPERATOR (the password from KASSA_PASSWORD or a prompt)",
        ));
    };
    let password = read_password(&format!("password for {login}: "), "KASSA_PASSWORD")?;
    Ok(svc.authenticate(login, &password, &origin_from_env()).await?)
}

/// Bytes to standard output as they are (a receipt as ESC/POS or PDF).
fn write_raw(bytes: &[u8]) -> CliResult<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes).and_then(|_| stdout.flush()).map_err(|e| CliError {
        code: 7,
        message: format!("the receipt was recorded but could not be written: {e}"),
    })
}

fn parse_money(field: &str, s: &str) -> CliResult<Money> {
    Money::parse(s).map_err(|e| CliError::usage(format!("{field}: {e}")))
}

fn parse_day(field: &str, s: &Option<String>) -> CliResult<Option<chrono::NaiveDate>> {
    s.as_deref().map(parse_date).transpose().map_err(|e| CliError::usage(format!("{field}: {e}")))
}

fn changes(set: &[String]) -> CliResult<CustomerChanges> {
    let mut pairs = Vec::new();
    for s in set {
        let (k, v) =
            s.split_once('=').ok_or_else(|| CliError::usage(format!("--set '{s}': write FIELD=VALUE")))?;
        pairs.push((k, v));
    }
    Ok(CustomerChanges::from_pairs(pairs)?)
}

fn tariff_input(a: &TariffArgs, base: Option<TariffInput>) -> CliResult<TariffInput> {
    let transitions = TariffInput::parse_transitions(a.transitions.as_deref())?;
    let price = a.price.as_deref().map(|p| parse_money("price", p)).transpose()?;
    let period = a.period.as_deref().map(|p| p.parse().map_err(CliError::usage)).transpose()?;
    // absent: kept; blank: none
    let pause_price = match a.pause_price.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(p) => Some(Some(parse_money("pause_price", p)?)),
    };
    Ok(match base {
        Some(b) => TariffInput {
            name: a.name.clone().unwrap_or(b.name),
            price: price.unwrap_or(b.price),
            period: period.unwrap_or(b.period),
            active: a.active.unwrap_or(b.active),
            public: a.public.unwrap_or(b.public),
            pause_price: pause_price.unwrap_or(b.pause_price),
            transitions,
        },
        None => TariffInput {
            name: a.name.clone().ok_or_else(|| CliError::usage("--name is required"))?,
            price: price.ok_or_else(|| CliError::usage("--price is required"))?,
            period: period.unwrap_or(crate::service::Period::Month),
            active: a.active.unwrap_or(true),
            public: a.public.unwrap_or(true),
            pause_price: pause_price.flatten(),
            transitions,
        },
    })
}

fn customer_service_input(a: &args::CustomerServiceArgs) -> crate::service::CustomerServiceInput {
    crate::service::CustomerServiceInput {
        price: a.price.clone(),
        quantity: a.quantity.clone(),
        comment: a.comment.clone(),
        enabled: a.enabled.clone(),
        next_charge_on: a.next_charge.clone(),
    }
}

fn house_input(a: &HouseArgs) -> HouseInput {
    HouseInput {
        country: a.country.clone(),
        region: a.region.clone(),
        city: a.city.clone(),
        street: a.street.clone(),
        number: a.number.clone(),
        letter: a.letter.clone(),
        postcode: a.postcode.clone(),
        connect_date: a.connect_date.clone(),
        ip_pool_id: a.ip_pool.clone(),
    }
}

fn filter(a: &ListArgs) -> CliResult<CustomerFilter> {
    Ok(CustomerFilter {
        account_number: a.account.clone(),
        agreement_number: a.agreement.clone(),
        apartment: a.apartment.clone(),
        balance_from: a.balance_from.as_deref().map(|s| parse_money("balance-from", s)).transpose()?,
        balance_to: a.balance_to.as_deref().map(|s| parse_money("balance-to", s)).transpose()?,
        billing_id: a.billing_id,
        billing_uid: a.billing_uid.clone(),
        date_connect_from: parse_day("connected-from", &a.connected_from)?,
        date_connect_to: parse_day("connected-to", &a.connected_to)?,
        house_id: a.house,
        is_corporate: a.corporate,
        is_former: a.former,
        is_potential: a.potential,
        manager_id: a.manager.map(|m| (m != 0).then_some(m)),
        mark_id: a.mark,
        group_id: a.group,
        name: a.name.clone(),
        state: a.state.as_deref().map(|s| s.parse::<CustomerState>().map_err(CliError::usage)).transpose()?,
        tariff_id: a.tariff,
        limit: a.limit,
        is_like: a.like,
    })
}

async fn dispatch(cli: &Cli, cfg: &Config) -> CliResult<ExitCode> {
    let json = cli.json;
    let Some(command) = &cli.command else {
        return start(cli, cfg).await;
    };
    match command {
        Command::Init { login, name } => {
            let svc = open(cli, cfg).await?;
            if svc.has_operators().await? {
                out(
                    json,
                    &serde_json::json!({"database": redact(&database_location(cli, cfg)), "migrated": true}),
                    |_| {
                        format!(
                            "The database at {} is up to date; it already has operators.",
                            redact(&database_location(cli, cfg))
                        )
                    },
                );
                return Ok(ExitCode::SUCCESS);
            }
            let password = read_password(&format!("new password for {login}: "), "KASSA_PASSWORD")?;
            let op = svc.bootstrap_admin(login, name, &password).await?;
            out(json, &op, |op| format!("Created the database and the administrator '{}'.", op.login));
        }
        Command::Demo { customers, seed, months } => {
            let svc = open(cli, cfg).await?;
            let s = svc
                .generate_demo(DemoOptions { customers: *customers, seed: *seed, months: *months })
                .await?;
            out(json, &s, |s| {
                format!(
                    "Demo data: {} customers, {} houses, {} tariffs, {} operations in {:.1} s.\nOperators admin, cashier, noc, viewer; password '{DEMO_PASSWORD}'.",
                    s.customers, s.houses, s.tariffs, s.operations, s.seconds
                )
            });
        }
        Command::Operator(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            match cmd {
                OperatorCmd::Add { login, name, role } => {
                    let role: Role = role.parse().map_err(CliError::usage)?;
                    let password =
                        read_password(&format!("new password for {login}: "), "KASSA_NEW_PASSWORD")?;
                    let op = svc.create_operator(&actor, login, name, role, &password).await?;
                    out(json, &op, |op| {
                        format!("Operator '{}' ({}) created, id {}.", op.login, op.role, op.id)
                    });
                }
                OperatorCmd::List => {
                    let ops = svc.list_operators(&actor).await?;
                    out(json, &ops, |ops| print::operators(ops));
                }
                OperatorCmd::Edit { login, name, role } => {
                    let role: Option<Role> =
                        role.as_deref().map(str::parse).transpose().map_err(CliError::usage)?;
                    if name.is_none() && role.is_none() {
                        return Err(CliError::usage("nothing to change: give --name or --role"));
                    }
                    let id = svc.operator_by_login(&actor, login).await?.id;
                    let op = svc.edit_operator(&actor, id, name.as_deref(), role).await?;
                    out(json, &op, |op| format!("Operator '{}': {} ({}).", op.login, op.name, op.role));
                }
                OperatorCmd::Password { login } => {
                    let id = svc.operator_by_login(&actor, login).await?.id;
                    let password =
                        read_password(&format!("new password for {login}: "), "KASSA_NEW_PASSWORD")?;
                    let op = svc.reset_operator_password(&actor, id, &password).await?;
                    out(json, &op, |op| format!("Operator '{}' has a new password.", op.login));
                }
                OperatorCmd::Key(cmd) => access::key(cli, &svc, &actor, cmd).await?,
                OperatorCmd::Lock { login } | OperatorCmd::Unlock { login } => {
                    let active = matches!(cmd, OperatorCmd::Unlock { .. });
                    let id = svc.operator_by_login(&actor, login).await?.id;
                    let op = svc.set_operator_active(&actor, id, active).await?;
                    out(json, &op, |op| {
                        let state = if op.active { "may log in" } else { "is locked out" };
                        format!("Operator '{}' {state}.", op.login)
                    });
                }
            }
        }
        Command::Customer(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            customer(cli, &svc, &actor, cmd).await?;
        }
        Command::Pay {
            customer,
            amount,
            method,
            receipt,
            comment,
            key,
            received,
            paid_on,
            document,
            document_date,
            payer,
        } => {
            let bank = crate::domain::ledger::BankDetails {
                paid_on: parse_day("paid-on", paid_on)?,
                document_number: document.clone(),
                document_date: parse_day("document-date", document_date)?,
                payer: payer.clone(),
            };
            let bank = (!bank.is_empty()).then_some(bank);
            let amount =
                Money::parse_positive(amount).map_err(|e| CliError::usage(format!("amount: {e}")))?;
            let received = received.as_deref().map(|r| parse_money("received", r)).transpose()?;
            // a kind by its name, or a catalogue entry by its code (its kind then decides)
            let code = method.trim().to_lowercase();
            let method: PaymentMethod = code.parse().unwrap_or(PaymentMethod::Cash);
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            let id = svc.resolve_customer(&actor, customer).await?;
            // the question shows whom and the balance; a script is asked nothing and its
            // process does not read the card for it
            if asks(cli) {
                let card = svc.customer_card(&actor, id).await?;
                confirm(
                    cli,
                    &format!(
                        "Post {} ({}) to {} {}? Balance {} -> {}.",
                        amount,
                        method,
                        card.customer.agreement_number.as_deref().unwrap_or("-"),
                        card.customer.name,
                        card.customer.balance,
                        Money::from_minor(card.customer.balance.minor() + amount.minor())
                    ),
                )?;
            }
            let req = PaymentRequest {
                customer_id: id,
                amount,
                method,
                method_code: Some(code),
                receipt_number: receipt.clone(),
                comment: comment.clone(),
                idempotency_key: key.clone(),
                received,
                bank,
            };
            let outcome = svc.post_payment(&actor, &req).await?;
            out(json, &outcome, print::posted);
        }
        Command::Charge { customer, amount, comment, key }
        | Command::Correct { customer, amount, comment, key } => {
            let kind = if matches!(command, Command::Charge { .. }) {
                OperationKind::Charge
            } else {
                OperationKind::Correction
            };
            let amount = parse_money("amount", amount)?;
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            let id = svc.resolve_customer(&actor, customer).await?;
            confirm(cli, &format!("Post a {kind} of {amount} to customer #{id}?"))?;
            let req = AdjustmentRequest {
                customer_id: id,
                kind,
                amount,
                comment: comment.clone(),
                idempotency_key: key.clone(),
            };
            let outcome = svc.post_adjustment(&actor, &req).await?;
            out(json, &outcome, print::posted);
        }
        Command::Payment { operation } => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            let story = svc.payment_story(&actor, *operation).await?;
            out(json, &story, print::payment_story);
        }
        Command::Receipt { operation, format, width, print } => {
            if !matches!(format.as_str(), "text" | "escpos" | "pdf") {
                return Err(CliError::usage("--format: text, escpos or pdf"));
            }
            if !(24..=80).contains(width) {
                return Err(CliError::usage("--width: from 24 to 80 characters"));
            }
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            if *print {
                let r = svc.print_receipt(&actor, *operation).await?;
                out(json, &r, |r| {
                    format!(
                        "Receipt {} printed{}.",
                        r.receipt_number,
                        if r.duplicate { " (a duplicate)" } else { "" }
                    )
                });
            } else if format == "pdf" && !json {
                let (_, pdf) = svc.receipt_pdf(&actor, *operation).await?;
                write_raw(&pdf)?;
            } else {
                let r = svc.receipt(&actor, *operation).await?;
                if json {
                    out(json, &r, |_| String::new());
                } else if format == "escpos" {
                    write_raw(&r.escpos())?;
                } else {
                    out(false, &r, |r| r.text(*width).trim_end().to_string());
                }
            }
        }
        Command::Reverse { operation, comment, key } => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            confirm(cli, &format!("Reverse operation {operation}?"))?;
            let outcome = svc.reverse_operation(&actor, *operation, comment, key.clone()).await?;
            out(json, &outcome, print::posted);
        }
        Command::Refund { operation, amount, reason, key } => {
            let amount =
                Money::parse_positive(amount).map_err(|e| CliError::usage(format!("amount: {e}")))?;
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            confirm(cli, &format!("Give back {amount} of payment {operation}?"))?;
            let req = crate::service::RefundRequest {
                operation_id: *operation,
                amount,
                reason: reason.clone(),
                idempotency_key: key.clone(),
            };
            let outcome = svc.refund_payment(&actor, &req).await?;
            out(json, &outcome, print::posted);
        }
        Command::Import(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            imports::run(cli, cfg, &svc, &actor, cmd).await?;
        }
        Command::Serve { listen } => return serve(cli, cfg, listen).await,
        Command::Token(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            access::token(cli, &svc, &actor, cmd).await?;
        }
        Command::Method(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            desk::method(cli, &svc, &actor, cmd).await?;
        }
        Command::History { customer, from, to, kind, limit, page } => {
            let kinds = kind
                .iter()
                .map(|k| k.parse::<OperationKind>().map_err(CliError::usage))
                .collect::<CliResult<Vec<_>>>()?;
            let (from, to) = (parse_day("from", from)?, parse_day("to", to)?);
            if *page < 1 {
                return Err(CliError::usage("--page starts at 1"));
            }
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            let id = svc.resolve_customer(&actor, customer).await?;
            let q = HistoryQuery {
                customer_id: id,
                from,
                to,
                kinds,
                limit: *limit,
                offset: (page - 1).saturating_mul(*limit),
            };
            let h = svc.history(&actor, &q).await?;
            out(json, &h, print::history);
        }
        Command::Tariff(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            tariff(cli, &svc, &actor, cmd).await?;
        }
        Command::House(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            match cmd {
                HouseCmd::List { id } => {
                    let hs = svc.list_houses(&actor, *id).await?;
                    out(json, &hs, |hs| print::houses(hs));
                }
                HouseCmd::Add(a) => {
                    let h = svc.add_house(&actor, &house_input(a)).await?;
                    out(json, &h, |h| format!("House {} added: {}, {}.", h.id, h.city, h.short_address()));
                }
                HouseCmd::Edit { id, args } => {
                    let h = svc.edit_house(&actor, *id, &house_input(args)).await?;
                    out(json, &h, |h| format!("House {} saved: {}, {}.", h.id, h.city, h.short_address()));
                }
                HouseCmd::Delete { id } => {
                    confirm(cli, &format!("Delete house {id}?"))?;
                    svc.delete_house(&actor, *id).await?;
                    out(json, &serde_json::json!({"deleted": id}), |_| format!("House {id} deleted."));
                }
            }
        }
        Command::Service(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            let input = |a: &args::ServiceArgs| crate::service::ServiceInput {
                name: a.name.clone(),
                price: a.price.clone(),
                period: a.period.clone(),
                active: a.active.clone(),
            };
            match cmd {
                ServiceCmd::List { all } => {
                    let ss = svc.list_services(&actor, *all).await?;
                    out(json, &ss, |ss| print::services(ss));
                }
                ServiceCmd::Add(a) => {
                    let s = svc.add_service(&actor, &input(a)).await?;
                    out(json, &s, |s| {
                        format!("Service {} added: {} ({} per {}).", s.id, s.name, s.price, s.period.as_str())
                    });
                }
                ServiceCmd::Edit { id, args } => {
                    let s = svc.edit_service(&actor, *id, &input(args)).await?;
                    out(json, &s, |s| {
                        format!("Service {} saved: {} ({} per {}).", s.id, s.name, s.price, s.period.as_str())
                    });
                }
            }
        }
        Command::Message(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            match cmd {
                MessageCmd::List { customer, by, from, to, archived, limit } => {
                    let (from, to) = (parse_day("from", from)?, parse_day("to", to)?);
                    let customer_id = match customer {
                        Some(c) => Some(svc.resolve_customer(&actor, c).await?),
                        None => None,
                    };
                    let q = crate::service::MessageQuery {
                        customer_id,
                        operator: by.clone(),
                        from,
                        to,
                        archived: *archived,
                        limit: *limit,
                    };
                    let ms = svc.messages(&actor, &q).await?;
                    out(json, &ms, |ms| print::messages(ms));
                }
                MessageCmd::FromCustomer { customer, text } | MessageCmd::ToCustomer { customer, text } => {
                    let direction = if matches!(cmd, MessageCmd::FromCustomer { .. }) {
                        crate::service::Direction::Customer
                    } else {
                        crate::service::Direction::Operator
                    };
                    let id = svc.resolve_customer(&actor, customer).await?;
                    let m = svc.add_message(&actor, id, direction, text).await?;
                    out(json, &m, |m| format!("Message {} kept for customer #{}.", m.id, m.customer_id));
                }
                MessageCmd::Archive { id, undo } => {
                    let m = svc.archive_message(&actor, *id, !undo).await?;
                    out(json, &m, |m| {
                        if m.archived {
                            format!("Message {} is in the archive.", m.id)
                        } else {
                            format!("Message {} is back.", m.id)
                        }
                    });
                }
            }
        }
        Command::Mark(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            match cmd {
                MarkCmd::List => {
                    let ms = svc.list_marks(&actor).await?;
                    out(json, &ms, |ms| {
                        ms.iter()
                            .map(|m| {
                                format!(
                                    "{:>4} {:<24} {:<8} {} customer(s)",
                                    m.id, m.name, m.color, m.customers
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    });
                }
                MarkCmd::Add { name, color } => {
                    let m = svc.add_mark(&actor, name, color).await?;
                    out(json, &m, |m| format!("Mark {} added: {} ({}).", m.id, m.name, m.color));
                }
                MarkCmd::Edit { id, name, color } => {
                    let m = svc.edit_mark(&actor, *id, name.as_deref(), color.as_deref()).await?;
                    out(json, &m, |m| format!("Mark {} saved: {} ({}).", m.id, m.name, m.color));
                }
                MarkCmd::Delete { id } => {
                    confirm(cli, &format!("Delete mark {id}?"))?;
                    let m = svc.delete_mark(&actor, *id).await?;
                    out(json, &m, |m| format!("Mark {} ({}) deleted.", m.id, m.name));
                }
            }
        }
        Command::Group(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            match cmd {
                GroupCmd::List => {
                    let gs = svc.list_groups(&actor).await?;
                    out(json, &gs, |gs| {
                        gs.iter()
                            .map(|g| format!("{:>4} {:<32} {} customer(s)", g.id, g.name, g.customers))
                            .collect::<Vec<_>>()
                            .join("\n")
                    });
                }
                GroupCmd::Add { name } => {
                    let g = svc.add_group(&actor, name).await?;
                    out(json, &g, |g| format!("Group {} added: {}.", g.id, g.name));
                }
                GroupCmd::Rename { id, name } => {
                    let g = svc.rename_group(&actor, *id, name).await?;
                    out(json, &g, |g| format!("Group {} is now {}.", g.id, g.name));
                }
                GroupCmd::Delete { id } => {
                    confirm(cli, &format!("Delete group {id}?"))?;
                    let g = svc.delete_group(&actor, *id).await?;
                    out(json, &g, |g| format!("Group {} ({}) deleted.", g.id, g.name));
                }
            }
        }
        Command::Billing(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            billing::billing(json, &svc, &actor, cmd).await?;
        }
        Command::Discount(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            billing::discount(cli, &svc, &actor, cmd).await?;
        }
        Command::Tax(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            billing::tax(json, &svc, &actor, cmd).await?;
        }
        Command::Shift(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            desk::shift(cli, &svc, &actor, cmd).await?;
        }
        Command::Fiscal(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            match cmd {
                args::FiscalCmd::Retry => {
                    let r = svc.fiscal_retry(&actor).await?;
                    out(json, &r, |r| {
                        format!(
                            "{} fiscalised, {} failed again; {} still pending.",
                            r.done, r.failed, r.still_pending
                        )
                    });
                }
                args::FiscalCmd::List { pending, limit } => {
                    let q = svc.fiscal_queue(&actor, *pending, *limit).await?;
                    out(json, &q, |q| {
                        if q.is_empty() {
                            return "The fiscal queue is empty.".to_string();
                        }
                        q.iter()
                            .map(|e| match &e.fiscal_number {
                                Some(n) => format!("operation {}: fiscal number {n}", e.operation_id),
                                None => format!(
                                    "operation {}: pending after {} attempt(s){}",
                                    e.operation_id,
                                    e.attempts,
                                    e.last_error.as_deref().map(|x| format!(": {x}")).unwrap_or_default()
                                ),
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    });
                }
            }
        }
        Command::Report(args::ReportCmd::Payments { from, to, by }) => {
            let by: crate::service::ReportBy = by.parse().map_err(CliError::usage)?;
            let from = parse_day("from", &Some(from.clone()))?.unwrap_or_else(crate::domain::dates::today);
            let to = parse_day("to", to)?.unwrap_or(from);
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            let lines = svc.payments_report(&actor, from, to, by).await?;
            out(json, &lines, |l| desk::payments_text(l, from, to));
        }
        Command::Promise(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            match cmd {
                PromiseCmd::Add { customer, amount, days } => {
                    let amount = parse_money("amount", amount)?;
                    let id = svc.resolve_customer(&actor, customer).await?;
                    confirm(
                        cli,
                        &format!("Give customer #{id} a promised payment of {amount} for {days} day(s)?"),
                    )?;
                    let p = svc.promise_payment(&actor, id, amount, *days).await?;
                    out(json, &p, |p| {
                        format!(
                            "Promised payment {} of {} for customer #{} until {}.",
                            p.id,
                            p.amount,
                            p.customer_id,
                            crate::domain::dates::local(p.expires_at).format("%Y-%m-%d %H:%M")
                        )
                    });
                }
                PromiseCmd::List { customer } => {
                    let id = svc.resolve_customer(&actor, customer).await?;
                    let ps = svc.promises(&actor, id).await?;
                    out(json, &ps, |ps| print::promises(ps));
                }
                PromiseCmd::Expire => {
                    let ended = svc.end_due_promises(Some(&actor), Utc::now()).await?;
                    out(json, &ended, |e| format!("{} promised payment(s) ended.", e.len()));
                }
            }
        }
        Command::Switch(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            network::switch(cli, &svc, &actor, cmd).await?;
        }
        Command::Ip(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            network::ip(cli, &svc, &actor, cmd).await?;
        }
        Command::Access(AccessCmd::Export { format, set }) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            network::access(&svc, &actor, format, set).await?;
        }
        Command::Dhcp(cmd) => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            network::dhcp(cli, &svc, &actor, cmd).await?;
        }
        Command::Audit { entity, id, limit } => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            let rows = svc.audit_log(&actor, entity.as_deref(), *id, *limit).await?;
            out(json, &rows, |rows| print::audit(rows));
        }
        Command::Backup { file } => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            let bytes = svc.backup(&actor, file).await?;
            out(json, &serde_json::json!({"file": file, "bytes": bytes}), |_| {
                format!("A consistent copy of the database is in {} ({bytes} bytes).", file.display())
            });
        }
        Command::Check => {
            let svc = open(cli, cfg).await?;
            let actor = login(cli, &svc).await?;
            let v = svc.check_invariants(&actor).await?;
            out(json, &v, |v| {
                if v.is_empty() {
                    "All invariants hold: every balance is the sum of its operations, every chain is unbroken, \
                     every audited operation is in the ledger and the receipt counter is ahead of every number used."
                        .into()
                } else {
                    v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\n")
                }
            });
            if !v.is_empty() {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn customer(cli: &Cli, svc: &Service, actor: &Actor, cmd: &CustomerCmd) -> CliResult {
    let json = cli.json;
    match cmd {
        CustomerCmd::Add { name, tariff, corporate, potential, fields } => {
            let mut ch = changes(&fields.set)?;
            ch.name = Some(name.clone());
            if *corporate {
                ch.flag_corporate = Some("1".into());
            }
            if *potential {
                ch.is_potential = Some("1".into());
            }
            let c = svc.add_customer(actor, &NewCustomer { fields: ch, tariff_id: *tariff }).await?;
            out(json, &c, |c| {
                format!(
                    "Customer #{} added, agreement {}.",
                    c.id,
                    c.agreement_number.as_deref().unwrap_or("-")
                )
            });
        }
        CustomerCmd::Edit { customer, fields } => {
            if fields.set.is_empty() {
                return Err(CliError::usage("nothing to change: give --set FIELD=VALUE"));
            }
            let ch = changes(&fields.set)?;
            let id = svc.resolve_customer(actor, customer).await?;
            let c = svc.edit_customer(actor, id, &ch).await?;
            out(json, &c, |c| format!("Customer #{} saved.", c.id));
        }
        CustomerCmd::Show { customer, account } => {
            let card = match (customer, account) {
                (_, Some(acc)) => svc.customer_card_by_account(actor, acc).await?,
                (Some(c), None) => {
                    let id = svc.resolve_customer(actor, c).await?;
                    svc.customer_card(actor, id).await?
                }
                (None, None) => {
                    return Err(CliError::usage(
                        "name a customer (agreement number or #id) or give --account",
                    ));
                }
            };
            out(json, &card, print::card);
        }
        CustomerCmd::Find { kind, value, skip_former } => {
            let kind: LookupKind = kind.parse().map_err(CliError::usage)?;
            let ids = svc.find_customer_ids(actor, kind, value, *skip_former).await?;
            if ids.is_empty() {
                return Err(ServiceError::NotFound(
                    crate::service::Entity::Customer,
                    format!(
                        "with {} '{value}'",
                        serde_json::to_string(&kind).unwrap_or_default().trim_matches('"')
                    ),
                )
                .into());
            }
            out(json, &ids, |ids| ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("\n"));
        }
        CustomerCmd::Search { text, former, limit } => {
            let r = svc.search_customers(actor, &text.join(" "), *former, *limit).await?;
            out(json, &r, print::search);
        }
        CustomerCmd::List(a) => {
            let list = svc.list_customers(actor, &filter(a)?).await?;
            out(json, &list, |l| print::summaries(l));
        }
        CustomerCmd::Groups => {
            let g = svc.customer_groups(actor).await?;
            out(json, &g, |g| g.iter().map(|(id, n)| format!("{id:>4}  {n}")).collect::<Vec<_>>().join("\n"));
        }
        CustomerCmd::ActivityCounter { kind, days } => {
            let k = kind.parse::<crate::domain::customer::Activity>().map_err(CliError::usage)?;
            let n = svc.activity_counter(actor, k, *days).await?;
            out(json, &n, |n| n.to_string());
        }
        CustomerCmd::MaxAgreement { billing } => {
            let n = svc.max_agreement_number(actor, *billing).await?;
            out(json, &n, |n| n.to_string());
        }
        CustomerCmd::State { customer, state } => {
            let state: CustomerState =
                state.parse().map_err(|e: crate::domain::problem::Problem| CliError::usage(e.to_string()))?;
            let id = svc.resolve_customer(actor, customer).await?;
            let c = svc.change_state(actor, id, state).await?;
            out(json, &c, |c| format!("Customer #{} is now {}.", c.id, c.state.as_str()));
        }
        CustomerCmd::StateHistory { customer } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let h = svc.state_history(actor, id).await?;
            out(json, &h, |h| print::state_history(h));
        }
        CustomerCmd::ToFormer { customer } | CustomerCmd::ToNormal { customer } => {
            let former = matches!(cmd, CustomerCmd::ToFormer { .. });
            let id = svc.resolve_customer(actor, customer).await?;
            let c = svc.set_former(actor, id, former).await?;
            out(json, &c, |c| {
                if former {
                    format!("Customer #{} moved to the former customers.", c.id)
                } else {
                    format!("Customer #{} is back among the customers.", c.id)
                }
            });
        }
        CustomerCmd::LkPassword { customer, old } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let old = if *old {
                Some(read_password("current personal-area password: ", "KASSA_LK_OLD_PASSWORD")?)
            } else {
                std::env::var("KASSA_LK_OLD_PASSWORD").ok()
            };
            let new = read_password("new personal-area password: ", "KASSA_LK_PASSWORD")?;
            svc.change_lk_password(actor, id, old.as_deref(), &new).await?;
            out(json, &serde_json::json!({"customer_id": id, "lk_password": "changed"}), |_| {
                format!("Customer #{id}'s personal-area password is changed.")
            });
        }
        CustomerCmd::Merge { main, secondary } => {
            let main_id = svc.resolve_customer(actor, main).await?;
            let secondary_id = svc.resolve_customer(actor, secondary).await?;
            let p = svc.merge_preview(actor, main_id, secondary_id).await?;
            confirm(cli, &format!("{}\nMerge?", print::merge_preview(&p)))?;
            let done = svc.merge_customers(actor, main_id, secondary_id).await?;
            out(json, &done, |d| {
                format!(
                    "Customer #{} merged into #{}; it is a former customer now.",
                    d.preview.secondary.id, d.preview.main.id
                )
            });
        }
        CustomerCmd::Services { customer } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let cs = svc.customer_services(actor, id).await?;
            out(json, &cs, |cs| print::customer_services(cs));
        }
        CustomerCmd::ServiceAdd { customer, service, args } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let c = svc.add_customer_service(actor, id, *service, &customer_service_input(args)).await?;
            out(json, &c, |c| {
                format!("Customer #{} has service {} ({}) now.", c.customer_id, c.id, c.service_name)
            });
        }
        CustomerCmd::ServiceEdit { id, args } => {
            let c = svc.edit_customer_service(actor, *id, &customer_service_input(args)).await?;
            out(json, &c, |c| format!("Service {} of customer #{} saved.", c.id, c.customer_id));
        }
        CustomerCmd::ServiceRemove { id } => {
            confirm(cli, &format!("Take service {id} off its customer?"))?;
            let c = svc.remove_customer_service(actor, *id).await?;
            out(json, &c, |c| {
                format!("Service {} ({}) taken off customer #{}.", c.id, c.service_name, c.customer_id)
            });
        }
        CustomerCmd::Mark { customer, mark } | CustomerCmd::Unmark { customer, mark } => {
            let on = matches!(cmd, CustomerCmd::Mark { .. });
            let id = svc.resolve_customer(actor, customer).await?;
            svc.set_mark(actor, id, *mark, on).await?;
            out(json, &serde_json::json!({"customer_id": id, "mark": mark, "on": on}), |_| {
                if on {
                    format!("Customer #{id} carries mark {mark}.")
                } else {
                    format!("Mark {mark} taken off customer #{id}.")
                }
            });
        }
        CustomerCmd::CreditLimit { customer, amount } => {
            let limit = parse_money("amount", amount)?;
            let id = svc.resolve_customer(actor, customer).await?;
            let c = svc.set_credit_limit(actor, id, limit).await?;
            out(json, &c, |c| format!("Customer #{}'s credit limit is {} now.", c.id, c.credit_limit));
        }
        CustomerCmd::Delete { customer } => {
            let id = svc.resolve_customer(actor, customer).await?;
            confirm(cli, &format!("Delete customer #{id} ({customer})? This cannot be undone."))?;
            let c = svc.delete_customer(actor, id).await?;
            out(json, &c, |c| format!("Customer #{} ({}) deleted.", c.id, c.name));
        }
    }
    Ok(())
}

async fn tariff(cli: &Cli, svc: &Service, actor: &Actor, cmd: &TariffCmd) -> CliResult {
    let json = cli.json;
    match cmd {
        TariffCmd::List { all } => {
            let ts = svc.list_tariffs(actor, *all).await?;
            out(json, &ts, |ts| print::tariffs(ts));
        }
        TariffCmd::Add(a) => {
            let t = svc.create_tariff(actor, &tariff_input(a, None)?).await?;
            out(json, &t, |t| format!("Tariff {} '{}' added.", t.id, t.name));
        }
        TariffCmd::Edit { id, args } => {
            let (t, transitions) = svc.tariff(actor, *id).await?;
            let base = TariffInput {
                name: t.name,
                price: t.price,
                period: t.period,
                active: t.active,
                public: t.public,
                pause_price: t.pause_price,
                transitions: Some(transitions),
            };
            let mut input = tariff_input(args, Some(base.clone()))?;
            if args.transitions.is_none() {
                input.transitions = base.transitions;
            }
            let t = svc.edit_tariff(actor, *id, &input).await?;
            out(json, &t, |t| format!("Tariff {} '{}' saved.", t.id, t.name));
        }
        TariffCmd::Available { customer } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let ts = svc.available_tariffs(actor, id).await?;
            out(json, &ts, |ts| print::tariffs(ts));
        }
        TariffCmd::Change { customer, tariff, next_period } => {
            let id = svc.resolve_customer(actor, customer).await?;
            let when = if *next_period { When::NextPeriod } else { When::Now };
            let o = svc.change_tariff(actor, id, *tariff, when, crate::domain::dates::today()).await?;
            out(json, &o, |o| {
                if o.applied {
                    format!("Customer #{} is now on '{}'.", o.customer_id, o.to.name)
                } else {
                    format!("Customer #{} moves to '{}' on {}.", o.customer_id, o.to.name, o.effective_on)
                }
            });
        }
        TariffCmd::ApplyDue { date } => {
            let day = parse_day("date", date)?.unwrap_or_else(crate::domain::dates::today);
            let applied = svc.apply_due_tariff_changes(actor, day).await?;
            out(json, &applied, |a| format!("{} scheduled change(s) applied.", a.len()));
        }
    }
    Ok(())
}

/// `kassa` with no command: the desk. On first use it creates the default database with demo
/// data; on a terminal it then opens the console, otherwise it says how to work with it.
/// A database without operators: the embedded default becomes the demo desk; any other is an
/// error saying how to set it up. What the demo made, when it was made now.
async fn demo_if_new(svc: &Service, location: &str) -> CliResult<Option<crate::service::demo::DemoSummary>> {
    if svc.has_operators().await? {
        return Ok(None);
    }
    if !is_default_database(location) {
        return Err(CliError::usage(format!(
            "the database at {} has no operators: `kassa init` makes its first administrator, \
             `kassa demo` fills it with demo data",
            redact(location)
        )));
    }
    output::err_line(&format!("Preparing a demo database at {} …", redact(location)));
    Ok(Some(svc.generate_demo(DemoOptions::default()).await?))
}

/// `kassa serve`: the SSH server, until SIGTERM or Ctrl-C.
async fn serve(cli: &Cli, cfg: &Config, listen: &Option<String>) -> CliResult<ExitCode> {
    let location = database_location(cli, cfg);
    // every connection is a desk of its own, named by its address: `[desk] name` names the one
    // desk a process of its own works at, and would put every console in one shift
    let mut own = cfg.clone();
    if let Some(name) = own.desk.name.take() {
        output::err_line(&format!(
            "kassa serve: [desk] name = {name:?} is not used: each desk is named by its address"
        ));
    }
    let cfg = &own;
    let svc = open(cli, cfg).await?;
    demo_if_new(&svc, &location).await?;
    let s = &cfg.serve;
    let opts = crate::serve::ServeOptions {
        listen: listen.clone().unwrap_or_else(|| s.listen.clone()),
        host_key: s.host_key.clone().unwrap_or_else(|| config::data_dir().join("ssh_host_ed25519_key")),
        max_sessions: s.max_sessions as usize,
        max_login_failures: s.max_login_failures as usize,
        login_window: std::time::Duration::from_secs(s.login_window_minutes as u64 * 60),
        idle: std::time::Duration::from_secs(s.idle_minutes as u64 * 60),
        language: cfg.ui.language.clone(),
    };
    let key_file = opts.host_key.clone();
    let server = crate::serve::Server::bind(svc.clone(), opts)
        .await
        .map_err(|message| CliError { code: 1, message })?;
    let made = if server.key_made { "made now in" } else { "from" };
    output::line(&format!(
        "kassa serve: listening on {}, database {}
  host key {} ({made} {})
  desks connect with: ssh -p {} LOGIN@THIS-HOST",
        server.address,
        redact(&location),
        server.fingerprint,
        key_file.display(),
        server.address.port()
    ));
    let stop = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
        }
    };
    server.run(stop).await.map_err(|e| CliError { code: 1, message: format!("kassa serve: {e}") })?;
    output::line("kassa serve: stopped; every console ended.");
    svc.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn start(cli: &Cli, cfg: &Config) -> CliResult<ExitCode> {
    let location = database_location(cli, cfg);
    let svc = open(cli, cfg).await?;
    let created = demo_if_new(&svc, &location).await?;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() && !cli.json {
        let opts = crate::tui::TuiOptions {
            lang: crate::tui::strings::Lang::detect(cfg.ui.language.as_deref()),
            theme: crate::tui::theme::Theme::from_env(),
            operator: cli.operator.clone(),
            demo: svc.is_demo_database().await?,
        };
        crate::tui::run(svc.clone(), opts)
            .await
            .map_err(|e| CliError { code: 1, message: format!("the console stopped: {e}") })?;
        svc.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let db_flag = if cli.db.is_some() { format!(" --db {}", redact(&location)) } else { String::new() };
    if let Some(s) = &created {
        output::line(&format!(
            "kassa: demo database ready at {}\n  {} customers, {} houses, {} tariffs, {} operations.\n",
            redact(&location),
            s.customers,
            s.houses,
            s.tariffs,
            s.operations
        ));
    } else {
        output::line(&format!("kassa: database at {}\n", redact(&location)));
    }
    output::line(&format!(
        "Operators of the demo: admin, cashier, noc, viewer — password '{DEMO_PASSWORD}'. Try:\n\
         \n  export KASSA_OPERATOR=cashier KASSA_PASSWORD={DEMO_PASSWORD}\
         \n  kassa{db_flag} customer search Иванов\
         \n  kassa{db_flag} customer show 10001\
         \n  kassa{db_flag} pay 10001 500\
         \n  kassa{db_flag} history 10001\
         \n\n`kassa --help` lists every command."
    ));
    Ok(ExitCode::SUCCESS)
}
