//! What is wrong with one value somebody typed, and the kinds of thing a value can name, said in
//! no language in particular: the command line prints a problem in English (`Display`), the
//! console says it in its own words (`tui::refusals`). No sentence is built where the problem is
//! found, so no face ever shows another face's language.

use crate::domain::dates::{DateError, PeriodError};
use crate::domain::money::MoneyError;
use crate::domain::network::AddressError;
use crate::domain::phone::PhoneError;

/// What is wrong with a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error(transparent)]
    Address(#[from] AddressError),
    #[error(transparent)]
    Phone(#[from] PhoneError),
    #[error(transparent)]
    Date(#[from] DateError),
    #[error(transparent)]
    Period(#[from] PeriodError),
    /// Empty where a value is needed.
    #[error("nothing given")]
    Missing,
    #[error("at most {0} characters")]
    TooLong(usize),
    #[error("at least {0} characters")]
    TooShort(usize),
    #[error("at least {0}")]
    AtLeast(i64),
    #[error("{0} to {1} characters")]
    Length(usize, usize),
    #[error("between {0} and {1}")]
    Range(i64, i64),
    #[error("cannot be negative")]
    Negative,
    #[error("must be greater than zero")]
    NotPositive,
    #[error("control characters are not allowed")]
    ControlChars,
    #[error("'{0}' is not yes or no (1 or 0)")]
    NotYesNo(String),
    #[error("'{0}' is not a number")]
    NotANumber(String),
    /// A word that must be one of a few (roles, periods, states…); `allowed` lists them as typed.
    #[error("'{value}' is not one of: {}", .allowed.join(", "))]
    NotOneOf { value: String, allowed: &'static [&'static str] },
    /// A value that names something that is not there.
    #[error("there is no {what} {key}")]
    NoSuch { what: Entity, key: String },
    #[error("tariff {0} is no longer offered")]
    Withdrawn(String),
    #[error("'{0}' is not a login: 1–64 letters, digits, '.', '-', '_'")]
    OperatorLogin(String),
    #[error("'{0}' is not a login: letters, digits, '.', '-', '_', '@'")]
    CustomerLogin(String),
    #[error("'{0}' is not an e-mail address")]
    Email(String),
    #[error("1–128 visible ASCII characters")]
    Key,
    #[error("1–32 characters without spaces")]
    Receipt,
    #[error("digits and letters only")]
    LettersAndDigits,
    #[error("'{0}' is not a house number: a number from 1, its letter in a field of its own")]
    HouseNumber(String),
    #[error("type a street and a house number")]
    StreetAndNumber,
    #[error("switch '{switch}' has ports 1–{ports}: there is no port {port}")]
    NoPort { switch: String, ports: i64, port: i64 },
    #[error("give an IP, a MAC or both")]
    IpOrMac,
    #[error("a switch serves a house only when it stands in one")]
    ServesWithoutHouse,
    #[error("a customer cannot be its own parent or ancestor")]
    OwnAncestor,
    #[error("the chain of parent customers is too long")]
    ParentChain,
    #[error("a customer cannot be merged into itself")]
    SelfMerge,
    #[error("a tariff cannot list itself")]
    ListsItself,
    #[error("say why: this operation needs a comment")]
    ReasonRequired,
    #[error("give a charge as a positive amount to take off")]
    ChargePositive,
    #[error("a correction of zero changes nothing")]
    ZeroCorrection,
    #[error("the balance would leave the range kassa keeps")]
    BalanceRange,
    #[error("the current password is needed (an administrator may set one without it)")]
    PasswordNeeded,
    #[error("the current password does not match")]
    PasswordMismatch,
    #[error("{0} exists already: name a new file")]
    FileExists(String),
    #[error(
        "a PostgreSQL database is backed up with pg_dump: pg_dump --format=custom --file=FILE DATABASE_URL"
    )]
    PgDump,
    #[error("nothing to look up")]
    NothingToLookUp,
    #[error("name a customer by agreement number or #id")]
    CustomerRef,
    #[error("'{0}' is not a percentage: a number from 0 to 100 with at most two decimals")]
    Percent(String),
    #[error("a discount is for one customer or for one group: name exactly one")]
    DiscountWhom,
    #[error("less than the amount: the customer must hand over at least the amount")]
    ReceivedShort,
    #[error("the cash received is typed for cash payments only")]
    ReceivedNotCash,
    #[error("more than the drawer holds ({0})")]
    DrawerShort(String),
    #[error("{0}: a day from 01.01.2000 to today, never ahead")]
    DayOutOfRange(String),
    #[error("'{0}' is not a method code: 1 to 32 of a-z, 0-9, _ and -, starting with a letter")]
    MethodCode(String),
    #[error("there is no payment method '{0}' (kassa method list shows them)")]
    MethodUnknown(String),
    #[error("the payment method '{0}' is switched off")]
    MethodInactive(String),
    #[error("at least one payment method stays switched on")]
    LastMethod,
    #[error("more than is left to give back of this payment ({0})")]
    RefundTooMuch(String),
    /// A bank statement or registry refused whole (what is wrong with it, and where).
    #[error("the file is refused, nothing imported: {0}")]
    BankFile(crate::domain::bank::StatementError),
    #[error("line {0} is posted already")]
    LinePosted(i64),
    /// A file to load could not be read.
    #[error("cannot read the file: {0}")]
    FileUnreadable(FileTrouble),
    /// A registry named by a preset the config does not have.
    #[error("no registry preset '{0}' in the config ([import.presets.NAME])")]
    UnknownPreset(String),
    #[error("line {0} has no customer to accept: match it to one")]
    NoCustomer(i64),
    #[error("not an SSH public key: {0}")]
    PublicKey(String),
    #[error("the date must be after today")]
    NotInFuture,
    /// A `--set name=value` list that does not make a customer's changes (what serde said).
    #[error("{0}; the fields are: {1}")]
    Fields(String, String),
}

/// The kinds of thing an operation can find missing (their English names say them on the
/// command line; the console says them in its own words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Customer,
    /// A customer named by agreement number.
    Agreement,
    /// A customer named by account number.
    Account,
    House,
    Switch,
    Tariff,
    Service,
    CustomerService,
    Message,
    Mark,
    Group,
    Operator,
    Operation,
    Promise,
    Address,
    MacOnlyAddress,
    Subnet,
    Port,
    Form,
    Discount,
    Shift,
    /// An imported bank line.
    BankLine,
    Token,
    PublicKey,
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Entity::Customer => "customer",
            Entity::Agreement => "customer with agreement number",
            Entity::Account => "customer with account number",
            Entity::House => "house",
            Entity::Switch => "switch",
            Entity::Tariff => "tariff",
            Entity::Service => "service",
            Entity::CustomerService => "customer service",
            Entity::Message => "message",
            Entity::Mark => "mark",
            Entity::Group => "group",
            Entity::Operator => "operator",
            Entity::Operation => "operation",
            Entity::Promise => "promise",
            Entity::Address => "address",
            Entity::MacOnlyAddress => "MAC-only records of customer",
            Entity::Subnet => "subnet",
            Entity::Port => "switch port of customer",
            Entity::Form => "form",
            Entity::Discount => "discount",
            Entity::Shift => "shift",
            Entity::BankLine => "imported bank line",
            Entity::Token => "token",
            Entity::PublicKey => "SSH key of the operator",
        })
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FileTrouble {
    #[error("no such file")]
    NotFound,
    #[error("permission denied")]
    Denied,
    #[error("it is a directory")]
    Directory,
    #[error("a read error")]
    Other,
}

impl FileTrouble {
    pub fn of(e: &std::io::Error) -> FileTrouble {
        match e.kind() {
            std::io::ErrorKind::NotFound => FileTrouble::NotFound,
            std::io::ErrorKind::PermissionDenied => FileTrouble::Denied,
            std::io::ErrorKind::IsADirectory => FileTrouble::Directory,
            _ => FileTrouble::Other,
        }
    }
}
