//! Why an operation cannot be done as things stand (as opposed to a value typed wrong), typed so
//! the command line says it in English (`Display`) and the console in its own words
//! (`tui::refusals`). Each variant carries what a person needs to put it right.

use crate::domain::customer::CustomerState;
use crate::domain::money::Money;
use crate::store::UniqueKey;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// A value another row has (a name, a number, an address…).
    #[error("{}", taken_text(.0))]
    Taken(UniqueKey),
    #[error("the database already has customers: demo data goes into an empty database")]
    NotEmpty,
    #[error("the database already has operators: an administrator adds new ones")]
    OperatorsExist,
    #[error("cannot {} the last active administrator: make another operator an administrator first", if *.lock { "lock" } else { "take the administrator role from" })]
    LastAdmin { lock: bool },
    #[error("you cannot lock yourself out")]
    LockSelf,
    #[error("the service '{0}' is no longer offered")]
    ServiceWithdrawn(String),
    /// An address or subnet that overlaps one a customer holds.
    #[error("{}", held_text(.0))]
    AddressHeld(Box<Holding>),
    /// An address or subnet that holds a switch's address.
    #[error("{}{what} holds the address {ip} of switch '{switch}'", if *.subnet { "subnet " } else { "" })]
    SwitchAddress { what: String, subnet: bool, ip: String, switch: String },
    #[error("switch '{0}' already serves this house: only one switch may serve a whole house")]
    HouseServed(String),
    #[error("port {0} is in use: the switch cannot have fewer than {0} ports")]
    PortInUse(i64),
    #[error("{count} customer(s) are on the ports of switch '{switch}': move them to other ports first")]
    SwitchInUse { count: i64, switch: String },
    #[error("{0} is a subnet: delete it as a subnet (kassa ip subnet-delete)")]
    IsSubnet(String),
    #[error("{0} already has this MAC")]
    SameMac(String),
    #[error("customer #{customer} is already on port {port} of '{switch}'")]
    OnPortAlready { customer: i64, port: i64, switch: String },
    #[error("message {id} is {} in the archive", if *.archived { "already" } else { "not" })]
    Archive { id: i64, archived: bool },
    #[error("{count} customer(s) carry the mark '{name}': take it off them first")]
    MarkInUse { count: i64, name: String },
    #[error("{count} customer(s) are in the group '{name}': move them first")]
    GroupInUse { count: i64, name: String },
    #[error("the group '{0}' has discounts: a group with discounts is kept")]
    GroupHasDiscounts(String),
    #[error("discount {0} was given to charges already: end it on a day after it began")]
    DiscountUsed(i64),
    /// Cash is taken only in a shift open at the desk (`kassa shift open`).
    #[error("no shift is open at desk '{0}': cash is taken in an open shift (kassa shift open)")]
    NoShift(String),
    #[error("a shift is already open at desk '{desk}' (by {by})")]
    ShiftOpen { desk: String, by: String },
    /// A receipt asked for an operation that is not a payment.
    #[error("operation {0} is not a payment: only a payment has a receipt")]
    NotAPayment(i64),
    /// A fiscal retry with no register's command in the config.
    #[error("no fiscal register is set: [desk] fiscal_command in the config")]
    NoFiscal,
    /// Printing asked for with no printer in the config.
    #[error("no receipt printer is set: [desk] printer (a device) or printer_command in the config")]
    NoPrinter,
    /// The font a PDF receipt is written in cannot be read.
    #[error(
        "PDF receipts need a TrueType font with Cyrillic: {0} ([desk] pdf_font; Debian: apt install fonts-dejavu-core)"
    )]
    PdfFont(String),
    /// The printer or its command failed: the receipt was not printed.
    #[error("the receipt printer failed: {0}")]
    PrinterFailed(String),
    /// A cashier cancelling a payment they may not: only an administrator may.
    #[error("only an administrator may cancel this: {}", .0.as_str())]
    CancelRefused(CancelWhy),
    /// A cashier refunding a payment they may not: only an administrator may.
    #[error("only an administrator may refund this: {}", .0.as_str())]
    RefundRefused(CancelWhy),
    #[error("operation {0} is not a payment: only a payment is refunded")]
    NotRefundable(i64),
    /// A payment partly refunded is not cancelled whole: the rest is refunded instead.
    #[error("payment {0} was partly refunded already: refund what is left instead of cancelling it")]
    PartlyRefunded(i64),
    #[error("customer #{customer} {} the mark '{name}'", if *.on { "already carries" } else { "does not carry" })]
    MarkAlready { customer: i64, on: bool, name: String },
    #[error("the main customer #{0} is a former customer: bring it back first")]
    MainIsFormer(i64),
    #[error("customer #{0} is already a former customer")]
    AlreadyFormer(i64),
    #[error("customer #{0} is not a former customer")]
    NotFormer(i64),
    #[error(
        "customer #{main} is a child of #{secondary}: merge the other way round or change the parent first"
    )]
    ChildOf { main: i64, secondary: i64 },
    #[error("both customers have an active promised payment ({amount} on #{secondary}): wait for one to end")]
    TwoPromises { amount: Money, secondary: i64 },
    #[error("a correction was refused by the ledger")]
    CorrectionRefused,
    #[error("the customer already has '{0}'")]
    SameTariff(String),
    #[error("'{0}' is not available to this customer")]
    TariffNotAllowed(String),
    #[error("customer #{customer}'s credit limit is already {limit}")]
    SameCreditLimit { customer: i64, limit: Money },
    /// An idempotency key used before for another operation.
    #[error("the key '{key}' was already used for operation {operation}")]
    KeyUsed { key: String, operation: i64 },
    #[error("a reversal cannot itself be reversed")]
    ReversalOfReversal,
    #[error(
        "operation {operation} is one half of a merge's transfer (with operation {partner}): it cannot be reversed alone; correct the balances with corrections instead"
    )]
    HalfOfMerge { operation: i64, partner: i64 },
    #[error("operation {operation} is already reversed{}", .by.map(|b| format!(" by {b}")).unwrap_or_default())]
    Reversed { operation: i64, by: Option<i64> },
    #[error("customer #{customer} is already '{}'", .state.as_str())]
    SameState { customer: i64, state: CustomerState },
    #[error(
        "customer #{customer} has {count} ledger operation(s) and cannot be deleted: move it to the former customers instead (kassa customer to-former)"
    )]
    HasOperations { customer: i64, count: i64 },
    #[error("customer #{customer} is the parent of {count} customer(s): change their parent first")]
    HasChildren { customer: i64, count: i64 },
    #[error("{count} customer(s) live at {address}: move them to another house first")]
    HouseLived { count: i64, address: String },
    #[error("{count} switch(es) stand at {address}: move or delete them first")]
    HouseSwitches { count: i64, address: String },
}

/// Why a cashier may not cancel an operation themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelWhy {
    /// Only a payment is cancelled by its cashier.
    NotPayment,
    /// Another operator took it.
    NotOwn,
    /// Its shift is closed (or it had none).
    ShiftClosed,
    /// Its shift is open at another desk.
    OtherDesk,
}

impl CancelWhy {
    pub fn as_str(self) -> &'static str {
        match self {
            CancelWhy::NotPayment => "a cashier cancels only a payment",
            CancelWhy::NotOwn => "another cashier took it",
            CancelWhy::ShiftClosed => "its shift is closed",
            CancelWhy::OtherDesk => "its shift is open at another desk",
        }
    }
}

/// Who holds an address range a new one would overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    /// What was asked for: an IP, or a subnet (`10.0.3.8/29`).
    pub what: String,
    pub subnet: bool,
    /// The address or subnet that is held.
    pub held: String,
    pub customer_id: i64,
    pub agreement: Option<String>,
    pub customer_name: String,
}

fn held_text(h: &Holding) -> String {
    let what = if h.subnet { format!("subnet {}", h.what) } else { h.what.clone() };
    let agreement = h.agreement.as_deref().map(|a| format!("agreement {a}, ")).unwrap_or_default();
    let owner = format!("customer #{} ({agreement}{})", h.customer_id, h.customer_name);
    if h.what == h.held {
        format!("{what} already belongs to {owner}")
    } else {
        format!("{what} overlaps {} of {owner}", h.held)
    }
}

fn taken_text(key: &UniqueKey) -> String {
    match key {
        UniqueKey::OperatorLogin => "an operator with this login already exists".into(),
        UniqueKey::GroupName => "a group with this name already exists".into(),
        UniqueKey::MarkName => "a mark with this name already exists".into(),
        UniqueKey::TariffName => "a tariff with this name already exists".into(),
        UniqueKey::ServiceName => "a service with this name already exists".into(),
        UniqueKey::HouseAddress => "this house (city, street, number, letter) already exists".into(),
        UniqueKey::AgreementNumber => "another customer already has this agreement number".into(),
        UniqueKey::AccountNumber => "another customer already has this account number".into(),
        UniqueKey::CustomerLogin => "another customer already has this login".into(),
        UniqueKey::Address => "this address is already in use".into(),
        UniqueKey::SwitchName => "a switch with this name already exists".into(),
        UniqueKey::SwitchIp => "a switch with this IP already exists".into(),
        UniqueKey::MethodCode => "a payment method with this code already exists".into(),
        UniqueKey::MethodName => "a payment method with this name already exists".into(),
        UniqueKey::PublicKey => "this key is already registered (to this or another operator)".into(),
        other => format!("already exists ({other})"),
    }
}
