//! The command line, as clap sees it. Every command and flag has its help text here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kassa",
    version,
    about = "The billing desk of an Internet service provider: customers, payments, tariffs, houses",
    long_about = "kassa keeps an ISP's customers and their money. Without a command it prepares the \
                  embedded demo database on first use and tells you what to do next. Every command \
                  runs as an operator (--as or KASSA_OPERATOR, password from KASSA_PASSWORD or a \
                  prompt) and prints JSON with --json.\n\n\
                  A <CUSTOMER> is an agreement number (10234) or an id written #57 or id:57.\n\n\
                  Exit codes: 0 done; 2 bad input; 3 not found (a database file too); 4 conflict; \
                  5 permission denied; 6 login refused or session ended; 7 done, but the answer \
                  could not be written (do not repeat it); 8 the database stayed locked by another \
                  desk (nothing written); 10 cancelled; 1 anything else."
)]
pub struct Cli {
    /// Database: a path to an SQLite file or a postgres:// URL [default: the data directory's kassa.db]
    #[arg(long, global = true, env = "KASSA_DB")]
    pub db: Option<String>,
    /// Configuration file [default: the platform config directory's kassa/config.toml]
    #[arg(long, global = true, env = "KASSA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,
    /// The operator to act as (password from KASSA_PASSWORD or a prompt)
    #[arg(long = "as", global = true, env = "KASSA_OPERATOR", value_name = "LOGIN")]
    pub operator: Option<String>,
    /// Do not ask for confirmation before moving money or deleting
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or migrate the database and its first administrator (password from KASSA_PASSWORD or a prompt)
    Init {
        /// Login of the first administrator
        #[arg(long, default_value = "admin")]
        login: String,
        /// Name of the first administrator
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
    /// Fill an empty database with demo data and the operators admin, cashier, noc, viewer (password "kassa")
    Demo {
        /// How many customers
        #[arg(long, default_value_t = 2000)]
        customers: u64,
        /// Random seed: the same seed builds the same data
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Months of payment history per customer
        #[arg(long, default_value_t = 10)]
        months: u32,
    },
    /// Operators: the people who log in
    #[command(subcommand)]
    Operator(OperatorCmd),
    /// Customers: add, edit, show, look up, search, list
    #[command(subcommand)]
    Customer(CustomerCmd),
    /// Post a payment from a customer
    Pay {
        customer: String,
        /// Amount: 500, 500.5, 500,50 or "1 234,50"
        #[arg(allow_hyphen_values = true)]
        amount: String,
        /// The payment method's code: cash, card, bank, terminal or one the administrator
        /// added (kassa method list)
        #[arg(long, default_value = "cash")]
        method: String,
        /// Receipt (ПКО) number [default: the next from the sequence]
        #[arg(long)]
        receipt: Option<String>,
        #[arg(long)]
        comment: Option<String>,
        /// Idempotency key (1–128 visible characters; an empty one is refused): the same key
        /// again returns the first operation and writes nothing
        #[arg(long)]
        key: Option<String>,
        /// Cash handed over (cash only, at least the amount): the change is printed
        #[arg(long)]
        received: Option<String>,
        /// A bank payment's own day, when earlier than today (admin, --method bank)
        #[arg(long)]
        paid_on: Option<String>,
        /// The bank document's number (admin, --method bank)
        #[arg(long)]
        document: Option<String>,
        /// The bank document's date (admin, --method bank)
        #[arg(long)]
        document_date: Option<String>,
        /// Who paid, as the bank names them (admin, --method bank)
        #[arg(long)]
        payer: Option<String>,
    },
    /// Charge a customer (take a positive amount off the balance; admin only)
    Charge {
        customer: String,
        #[arg(allow_hyphen_values = true)]
        amount: String,
        /// Why (required)
        #[arg(long)]
        comment: String,
        #[arg(long)]
        key: Option<String>,
    },
    /// Correct a customer's balance by a signed amount (admin only)
    Correct {
        customer: String,
        /// Signed amount, such as -150 or 200,50
        #[arg(allow_hyphen_values = true)]
        amount: String,
        /// Why (required)
        #[arg(long)]
        comment: String,
        #[arg(long)]
        key: Option<String>,
    },
    /// A payment's receipt (the ПКО slip with the amount in words): as text, as ESC/POS bytes,
    /// or on the desk's printer ([desk] printer). Every print after the first says «ДУБЛИКАТ»
    Receipt {
        operation: i64,
        /// text, escpos or pdf (written to standard output)
        #[arg(long, default_value = "text")]
        format: String,
        /// Characters per line of the text (32 for a 58 mm printer, 48 for 80 mm)
        #[arg(long, default_value_t = 32)]
        width: usize,
        /// Print on the desk's printer instead of writing to standard output
        #[arg(long)]
        print: bool,
    },
    /// A payment's own story: who took it, when, at which desk; its cancellation; every
    /// receipt printed and reprinted and every fiscal attempt, who and from where
    Payment { operation: i64 },
    /// Reverse a payment or charge with a linked operation of the opposite amount. An
    /// administrator reverses any; a cashier cancels their own payment while its shift is open
    Reverse {
        operation: i64,
        /// Why (required)
        #[arg(long)]
        comment: String,
        #[arg(long)]
        key: Option<String>,
    },
    /// Give back part of a payment, with a cash-out order (РКО) number from its own sequence;
    /// a cashier refunds only their own payment during its shift
    Refund {
        /// The payment's operation number
        operation: i64,
        /// How much to give back (at most what is left of the payment)
        amount: String,
        /// Why (required)
        #[arg(long)]
        reason: String,
        #[arg(long)]
        key: Option<String>,
    },
    /// Payment methods: the catalogue the administrator keeps (Ubilling's cashtype)
    #[command(subcommand)]
    Method(MethodCmd),
    /// Serve the console over SSH: every connection gets its own console, one database for all
    /// (listen address, host key and limits in the config's [serve]); stops on SIGTERM or Ctrl-C
    /// once every payment being written has finished
    Serve {
        /// ADDRESS:PORT to listen on [default: [serve] listen, else 127.0.0.1:2222]
        #[arg(long)]
        listen: Option<String>,
    },
    /// Tokens for scripts: KASSA_TOKEN=… authenticates any command without a password
    #[command(subcommand)]
    Token(TokenCmd),
    /// A customer's operations, newest first, with totals
    History {
        customer: String,
        /// First day (YYYY-MM-DD or DD.MM.YYYY)
        #[arg(long)]
        from: Option<String>,
        /// Last day, included
        #[arg(long)]
        to: Option<String>,
        /// Only these kinds: payment, charge, correction, reversal (repeatable)
        #[arg(long)]
        kind: Vec<String>,
        /// Lines per page
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Page number, from 1
        #[arg(long, default_value_t = 1)]
        page: i64,
    },
    /// Tariffs: the catalogue and switching customers between them
    #[command(subcommand)]
    Tariff(TariffCmd),
    /// Houses customers live in
    #[command(subcommand)]
    House(HouseCmd),
    /// Marks: the catalogue of coloured labels on customers (admin keeps it)
    #[command(subcommand)]
    Mark(MarkCmd),
    /// Customer groups: the catalogue (admin keeps it)
    #[command(subcommand)]
    Group(GroupCmd),
    /// Extra services: the catalogue (admin keeps it)
    #[command(subcommand)]
    Service(ServiceCmd),
    /// Messages with customers: from them, to them, and the archive
    #[command(subcommand)]
    Message(MessageCmd),
    /// Promised payments: spend now, pay within a few days (the balance does not move)
    #[command(subcommand)]
    Promise(PromiseCmd),
    /// Charging: the tariff of every customer for each period come due (admin only)
    #[command(subcommand)]
    Billing(BillingCmd),
    /// Discounts: a percentage off a customer's or a group's charges (admin only)
    #[command(subcommand)]
    Discount(DiscountCmd),
    /// Tax rules: the tax included in charges, recorded on each (admin only)
    #[command(subcommand)]
    Tax(TaxCmd),
    /// The cash desk's shift: opened with the cash in the drawer, closed with a blind count.
    /// The desk is `[desk] name` in the config, else the SSH client's address, else `local`
    #[command(subcommand)]
    Shift(ShiftCmd),
    /// Reports for the administrator
    #[command(subcommand)]
    Report(ReportCmd),
    /// Fiscal receipts: the queue for the online cash register ([desk] fiscal_command)
    #[command(subcommand)]
    Fiscal(FiscalCmd),
    /// Switches: the catalogue, their ports (CLN_SWITCH_EDIT, CLN_SWITCH_LIST)
    #[command(subcommand)]
    Switch(SwitchCmd),
    /// Customers' IP and MAC addresses, subnets and switch ports
    #[command(subcommand)]
    Ip(IpCmd),
    /// Export for the DHCP server
    #[command(subcommand)]
    Dhcp(DhcpCmd),
    /// Export of the addresses that may use the network now, for the firewall
    #[command(subcommand)]
    Access(AccessCmd),
    /// Payments from banks: statements (1CClientBankExchange) and agents' registries, matched
    /// to customers in a triage queue, posted once (admin)
    #[command(subcommand)]
    Import(ImportCmd),
    /// The newest audit rows (admin only)
    Audit {
        /// Only this kind of entity: customer, house, tariff, operator
        #[arg(long)]
        entity: Option<String>,
        /// Only this entity id
        #[arg(long)]
        id: Option<i64>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Verify every ledger invariant; exits non-zero and lists the violations if any
    Check,
    /// Write a consistent copy of the SQLite database to FILE while desks keep working (admin);
    /// a PostgreSQL database is backed up with pg_dump
    Backup {
        /// The new file (must not exist yet)
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum OperatorCmd {
    /// Add an operator (password from KASSA_NEW_PASSWORD or a prompt)
    Add {
        login: String,
        #[arg(long)]
        name: String,
        /// admin, cashier, noc or viewer
        #[arg(long)]
        role: String,
    },
    /// List operators
    List,
    /// Change an operator's name or role
    Edit {
        login: String,
        #[arg(long)]
        name: Option<String>,
        /// admin, cashier, noc or viewer
        #[arg(long)]
        role: Option<String>,
    },
    /// Set a new password for an operator (from KASSA_NEW_PASSWORD or a prompt); ends a lock after wrong passwords
    Password { login: String },
    /// Lock an operator out: they cannot log in until unlocked (never yourself or the last administrator)
    Lock { login: String },
    /// Let a locked operator in again (also ends a lock after wrong passwords)
    Unlock { login: String },
    /// SSH public keys an operator logs in to `kassa serve` with
    #[command(subcommand)]
    Key(KeyCmd),
}

#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// Register the keys of a .pub or authorized_keys FILE to LOGIN (admin)
    Add { login: String, file: PathBuf },
    /// An operator's keys with their fingerprints
    List { login: String },
    /// Remove one of LOGIN's keys, named by its id or its SHA256: fingerprint (admin)
    Remove { login: String, key: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Create a token acting as you (or, for an administrator, as --for LOGIN); its secret is
    /// printed once: keep it, kassa keeps only its hash. Scripts set KASSA_TOKEN to it.
    Create {
        /// What the token is for (a script's or a machine's name)
        #[arg(long)]
        name: String,
        /// The operator the token acts as [default: you]
        #[arg(long = "for", value_name = "LOGIN")]
        for_login: Option<String>,
        /// The last day the token works (DD.MM.YYYY or YYYY-MM-DD); without it, until revoked
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
    },
    /// Tokens: every operator's for an administrator, your own otherwise (never their secrets)
    List {
        /// Only this operator's
        #[arg(long = "for", value_name = "LOGIN")]
        for_login: Option<String>,
    },
    /// Revoke a token by its id: it stops working at once
    Revoke { id: i64 },
}

#[derive(Debug, Args)]
pub struct FieldArgs {
    /// A field to set, as FIELD=VALUE (repeatable; an empty VALUE clears the field). Fields: name,
    /// account_number, agreement_number, agreement_date, apartment_number, entrance, floor,
    /// house_id, phone0..phone4, email, login, group_id, manager_id, parent_id, comment,
    /// date_connect, date_activity, date_activity_inet, date_activity_lk, flag_corporate, is_potential,
    /// billing_id, billing_uid, codeti
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum CustomerCmd {
    /// Add a customer
    Add {
        /// Name (surname, first name, patronymic; or the company)
        #[arg(long)]
        name: String,
        /// Starting tariff id
        #[arg(long)]
        tariff: Option<i64>,
        /// A company rather than a person
        #[arg(long)]
        corporate: bool,
        /// A potential customer (no agreement yet)
        #[arg(long)]
        potential: bool,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Edit a customer's fields
    Edit {
        customer: String,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// The customer card
    Show {
        /// Agreement number or #id
        customer: Option<String>,
        /// Find the customer by account number instead
        #[arg(long, conflicts_with = "customer")]
        account: Option<String>,
    },
    /// Customer ids by one value (account, billing_uid, codeti, agreement, ip, login, mac, mail, phone)
    Find {
        kind: String,
        value: String,
        /// Leave former customers out
        #[arg(long)]
        skip_former: bool,
    },
    /// The free-text search: agreement, phone, IP, MAC, name, "street house-flat", login, e-mail
    Search {
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
        /// Include former customers
        #[arg(long)]
        former: bool,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Customers by filters
    List(ListArgs),
    /// Customer groups
    Groups,
    /// The largest numeric agreement number in use
    MaxAgreement {
        /// Only among this billing's customers
        #[arg(long)]
        billing: Option<i64>,
    },
    /// How many current customers were active lately: net, internet or personal_area
    ActivityCounter {
        kind: String,
        /// The last this many days
        #[arg(long, default_value_t = 1)]
        days: i64,
    },
    /// Set the working state: stop, pause or active (0, 1, 2)
    State {
        /// Agreement number or #id
        customer: String,
        /// stop, pause or active (or 0, 1, 2)
        state: String,
    },
    /// The history of state changes and moves to the former customers and back
    StateHistory {
        /// Agreement number or #id
        customer: String,
    },
    /// Move to the former customers (left out of search and look-ups unless asked for)
    ToFormer {
        /// Agreement number or #id
        customer: String,
    },
    /// Bring back from the former customers
    ToNormal {
        /// Agreement number or #id
        customer: String,
    },
    /// Set the personal-area password (the new one from KASSA_LK_PASSWORD or a prompt; the current
    /// one from KASSA_LK_OLD_PASSWORD or a prompt, not needed by an administrator)
    LkPassword {
        /// Agreement number or #id
        customer: String,
        /// Ask for the current password (needed unless you are an administrator or none is set)
        #[arg(long)]
        old: bool,
    },
    /// Merge the second customer into the first: everything moves, its balance by two linked
    /// operations, and it becomes a former customer (admin; asks first, listing what moves)
    Merge {
        /// The customer who stays (agreement number or #id)
        main: String,
        /// The customer merged into it
        secondary: String,
    },
    /// A customer's extra services
    Services {
        /// Agreement number or #id
        customer: String,
    },
    /// Give a customer an extra service from the catalogue
    ServiceAdd {
        /// Agreement number or #id
        customer: String,
        /// The service's id (kassa service list)
        service: i64,
        #[command(flatten)]
        args: CustomerServiceArgs,
    },
    /// Change a customer's service (unspecified fields stay)
    ServiceEdit {
        /// The customer service's id (kassa customer services)
        id: i64,
        #[command(flatten)]
        args: CustomerServiceArgs,
    },
    /// Take a service off a customer
    ServiceRemove { id: i64 },
    /// Give a customer a mark
    Mark {
        /// Agreement number or #id
        customer: String,
        /// The mark's id (kassa mark list)
        mark: i64,
    },
    /// Take a mark off a customer
    Unmark {
        /// Agreement number or #id
        customer: String,
        mark: i64,
    },
    /// Set how far below zero the balance may go (admin)
    CreditLimit {
        /// Agreement number or #id
        customer: String,
        /// 0 for none, or an amount such as 500 or 1 000,50
        amount: String,
    },
    /// Delete a customer entered by mistake (only one without ledger operations)
    Delete {
        /// Agreement number or #id
        customer: String,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    pub account: Option<String>,
    #[arg(long)]
    pub agreement: Option<String>,
    #[arg(long)]
    pub apartment: Option<String>,
    /// Balance at least
    #[arg(long, allow_hyphen_values = true)]
    pub balance_from: Option<String>,
    /// Balance at most
    #[arg(long, allow_hyphen_values = true)]
    pub balance_to: Option<String>,
    #[arg(long)]
    pub billing_id: Option<i64>,
    #[arg(long)]
    pub billing_uid: Option<String>,
    /// Connected on or after (date)
    #[arg(long)]
    pub connected_from: Option<String>,
    /// Connected on or before (date)
    #[arg(long)]
    pub connected_to: Option<String>,
    #[arg(long)]
    pub house: Option<i64>,
    /// Only companies (true) or only persons (false)
    #[arg(long)]
    pub corporate: Option<bool>,
    /// Only former customers (true) or only current ones (false)
    #[arg(long)]
    pub former: Option<bool>,
    #[arg(long)]
    pub potential: Option<bool>,
    /// Manager operator id; 0 for customers without one
    #[arg(long)]
    pub manager: Option<i64>,
    #[arg(long)]
    pub mark: Option<i64>,
    #[arg(long)]
    pub group: Option<i64>,
    #[arg(long)]
    pub name: Option<String>,
    /// stop, pause or active
    #[arg(long)]
    pub state: Option<String>,
    #[arg(long)]
    pub tariff: Option<i64>,
    /// Substring match for name, account and agreement
    #[arg(long)]
    pub like: bool,
    #[arg(long, default_value_t = 100)]
    pub limit: i64,
}

#[derive(Debug, Args)]
pub struct TariffArgs {
    #[arg(long)]
    pub name: Option<String>,
    /// Price per period
    #[arg(long)]
    pub price: Option<String>,
    /// month or day
    #[arg(long)]
    pub period: Option<String>,
    /// Active (offered) or not
    #[arg(long)]
    pub active: Option<bool>,
    /// Offered to every customer, or only through transitions
    #[arg(long)]
    pub public: Option<bool>,
    /// Charged per period while a customer is paused ("" for none: a pause costs nothing)
    #[arg(long)]
    pub pause_price: Option<String>,
    /// Comma-separated tariff ids customers of this tariff may switch to ("" for any public one)
    #[arg(long)]
    pub transitions: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TariffCmd {
    /// The catalogue
    List {
        /// Include inactive tariffs
        #[arg(long)]
        all: bool,
    },
    /// Add a tariff
    Add(TariffArgs),
    /// Edit a tariff (unspecified fields stay)
    Edit {
        id: i64,
        #[command(flatten)]
        args: TariffArgs,
    },
    /// The tariffs a customer may switch to
    Available { customer: String },
    /// Switch a customer's tariff now or from the next period
    Change {
        customer: String,
        tariff: i64,
        /// From the start of the next period instead of now
        #[arg(long)]
        next_period: bool,
    },
    /// Apply the scheduled changes that have come due
    ApplyDue {
        /// Apply as of this date [default: today]
        #[arg(long)]
        date: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct HouseArgs {
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    #[arg(long)]
    pub street: Option<String>,
    #[arg(long)]
    pub number: Option<String>,
    #[arg(long)]
    pub letter: Option<String>,
    #[arg(long)]
    pub postcode: Option<String>,
    /// Connection date
    #[arg(long)]
    pub connect_date: Option<String>,
    #[arg(long)]
    pub ip_pool: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum HouseCmd {
    /// Houses with their customer counts
    List {
        #[arg(long)]
        id: Option<i64>,
    },
    /// Add a house
    Add(HouseArgs),
    /// Edit a house (unspecified fields stay)
    Edit {
        id: i64,
        #[command(flatten)]
        args: HouseArgs,
    },
    /// Delete a house (refused while customers live in it)
    Delete { id: i64 },
}

#[derive(Debug, Args)]
pub struct SwitchArgs {
    #[arg(long)]
    pub name: Option<String>,
    /// Management IP address
    #[arg(long)]
    pub ip: Option<String>,
    /// Model (switch type)
    #[arg(long)]
    pub model: Option<String>,
    /// SNMP community (shown only to noc and admin, never written to the audit log). A value
    /// on the command line is seen by `ps` and kept in the shell's history: give `-` to be
    /// asked for it (or, without a terminal, to read it from the first line of stdin), or
    /// `env:NAME` to take it from the environment variable NAME
    #[arg(long, value_name = "VALUE|-|env:NAME")]
    pub snmp_community: Option<String>,
    /// SSH password (as above: `-` asks, `env:NAME` reads the environment)
    #[arg(long, value_name = "VALUE|-|env:NAME")]
    pub ssh_password: Option<String>,
    /// Telnet password (as above: `-` asks, `env:NAME` reads the environment)
    #[arg(long, value_name = "VALUE|-|env:NAME")]
    pub telnet_password: Option<String>,
    /// House id ("" for none)
    #[arg(long)]
    pub house: Option<String>,
    /// Number of ports (1–1024)
    #[arg(long)]
    pub ports: Option<String>,
    /// Serves every customer of its house without a port of their own: yes or no
    #[arg(long)]
    pub serves_house: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SwitchCmd {
    /// Switches with their house and ports used
    List {
        /// Only this switch id
        #[arg(long)]
        id: Option<i64>,
        /// Only the switches of this house id
        #[arg(long)]
        house: Option<i64>,
        /// Show the SNMP community and passwords (noc and admin only)
        #[arg(long)]
        show_secrets: bool,
    },
    /// Add a switch
    Add(SwitchArgs),
    /// Edit a switch (unspecified fields stay)
    Edit {
        /// Switch name, IP, or id written #3
        switch: String,
        #[command(flatten)]
        args: SwitchArgs,
    },
    /// Delete a switch (refused while customers are on its ports)
    Delete {
        /// Switch name, IP, or id written #3
        switch: String,
    },
    /// The port map: each port and who is on it
    Ports {
        /// Switch name, IP, or id written #3
        switch: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum IpCmd {
    /// A customer's addresses, switch port and MAC changes
    Show {
        /// Agreement number or #id
        customer: String,
    },
    /// Add an IP address (IPv4 or IPv6), with an optional MAC; or a MAC alone with --mac only
    Add {
        /// Agreement number or #id
        customer: String,
        /// The address
        ip: Option<String>,
        /// 00:11:22:33:44:55, 00-11-22-33-44-55, 0011.2233.4455 or 001122334455
        #[arg(long)]
        mac: Option<String>,
        /// Give the MAC even though another customer has it (dhcpd then has two hosts with it)
        #[arg(long)]
        force: bool,
    },
    /// Delete an address, the MAC-only records (-1) or every record (all)
    Delete {
        /// Agreement number or #id
        customer: String,
        /// An IP, -1 or all
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
    /// Give a customer a subnet by its first address and prefix length
    SubnetAdd {
        /// Agreement number or #id
        customer: String,
        /// The first address: 10.0.3.8
        ip: String,
        /// The prefix length: 29
        prefix: String,
    },
    /// Take a subnet off a customer by its first address
    SubnetDelete {
        /// Agreement number or #id
        customer: String,
        ip: String,
    },
    /// Set the MAC of an address ("" clears it); the old one goes into the MAC history
    SetMac {
        ip: String,
        mac: String,
        /// Set it even though another customer has this MAC
        #[arg(long)]
        force: bool,
    },
    /// A customer's MAC changes, newest first
    MacHistory {
        /// Agreement number or #id
        customer: String,
    },
    /// The highest IPv4 address in use, also in hex
    Last,
    /// Put a customer on a switch port
    Bind {
        /// Agreement number or #id
        customer: String,
        /// Switch name, IP, or id written #3
        switch: String,
        port: String,
        /// Take the port from the customer on it now
        #[arg(long = "move")]
        take_over: bool,
    },
    /// Take a customer off their switch port
    Unbind {
        /// Agreement number or #id
        customer: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccessCmd {
    /// Every address of a customer who may use the network now: not former, not stopped, not
    /// blocked for debt
    Export {
        /// plain (one address a line), ipset (for `ipset restore`) or nft (for `nft -f`)
        #[arg(long, default_value = "plain")]
        format: String,
        /// The set's name (ipset; nft: the table `kassa` holds NAME_v4 and NAME_v6)
        #[arg(long, default_value = "kassa_allowed")]
        set: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DhcpCmd {
    /// IP, MAC, switch IP, switch name and port of every current customer's address
    Export {
        /// csv, json, or dhcpd (ISC dhcpd host blocks, ready to include)
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum FiscalCmd {
    /// Run the register's command again for every receipt still pending, oldest first
    Retry,
    /// The queue, newest first: each payment's fiscal number, or its attempts and last error
    List {
        /// Only those still pending
        #[arg(long)]
        pending: bool,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// Payments taken and given back in a period (local days), by day, desk, cashier or
    /// method, with totals equal to the ledger's (admin)
    Payments {
        /// First day: DD.MM.YYYY or YYYY-MM-DD
        #[arg(long)]
        from: String,
        /// Last day, included [default: the first]
        #[arg(long)]
        to: Option<String>,
        /// day, desk, operator or method
        #[arg(long, default_value = "method")]
        by: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Read a 1CClientBankExchange statement (1.02/1.03, cp1251, cp866 or UTF-8): checked,
    /// its incoming documents queued and matched; the same document is never queued twice
    Statement {
        file: std::path::PathBuf,
        /// Say what would be queued and matched; write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Read a payment agent's registry by a preset of the config ([import.presets.NAME])
    Registry {
        file: std::path::PathBuf,
        #[arg(long)]
        preset: String,
        #[arg(long)]
        dry_run: bool,
    },
    /// The queue: waiting (nothing or several matched), proposed, accepted, skipped, posted
    Queue {
        /// open (waiting, proposed and accepted), waiting, proposed, accepted, skipped, posted
        /// or all
        #[arg(long, default_value = "open")]
        state: String,
        #[arg(long, default_value_t = 200)]
        limit: i64,
    },
    /// Accept a line for posting: for the proposed customer, or --customer (agreement or #id);
    /// --sure accepts every line a rule is sure of
    Accept {
        line: Option<i64>,
        #[arg(long)]
        customer: Option<String>,
        #[arg(long, conflicts_with_all = ["line", "customer"])]
        sure: bool,
    },
    /// Skip a line, with the reason: it is not posted
    Skip {
        line: i64,
        #[arg(long)]
        reason: String,
    },
    /// Remember a line's payer (account and INN) as its customer, for the next statements
    Remember { line: i64 },
    /// Post every accepted line as a bank payment with its document (exactly once)
    Post,
}

#[derive(Debug, Subcommand)]
pub enum MethodCmd {
    /// The methods switched on, in their order (with --all the switched-off ones too)
    List {
        #[arg(long)]
        all: bool,
    },
    /// Add a method: a code scripts type, the name receipts and reports print, and its kind
    /// (cash goes through the drawer; cash and card are fiscalised; bank takes the document)
    Add {
        code: String,
        name: String,
        /// cash, card, bank or terminal
        #[arg(long)]
        kind: String,
    },
    /// Rename a method, move it in the list, switch it on or off
    Edit {
        code: String,
        #[arg(long)]
        name: Option<String>,
        /// Its place in the list (1 first)
        #[arg(long)]
        position: Option<i64>,
        #[arg(long, conflicts_with = "off")]
        on: bool,
        #[arg(long)]
        off: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ShiftCmd {
    /// Open a shift at this desk with the cash counted in the drawer (cash is taken only in
    /// an open shift)
    Open {
        /// The cash in the drawer: 0, 5000, "5 000,00"
        #[arg(long)]
        cash: String,
    },
    /// Put cash into the drawer (внесение), with the reason
    CashIn {
        amount: String,
        #[arg(long)]
        reason: String,
    },
    /// Take cash out of the drawer (изъятие), with the reason
    CashOut {
        amount: String,
        #[arg(long)]
        reason: String,
    },
    /// The X report of the open shift: payments by method, cancellations, cash in and out,
    /// the cash the drawer should hold
    X,
    /// Close the shift with a blind count: type the cash counted in the drawer; only then the
    /// Z report shows what it should hold and the difference
    Close {
        #[arg(long)]
        counted: String,
    },
    /// Shifts newest first: this desk's (an administrator: every desk's, or --desk)
    List {
        #[arg(long)]
        desk: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// One shift's report: X while it is open, Z once it is closed
    Show { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum BillingCmd {
    /// Charge every period due up to a day (today): exactly once per customer and period, however
    /// often it runs; a run after downtime catches up. For cron: `0 1 * * * kassa billing run`
    Run {
        /// The ISP's local day to charge up to: DD.MM.YYYY or YYYY-MM-DD [default: today]
        #[arg(long)]
        date: Option<String>,
        /// Say what would be charged and write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Active customers whose money runs out within DAYS (or has run out): for reminders
    Due {
        #[arg(long, default_value_t = 3)]
        days: i64,
    },
    /// Keep charging: a run now, then one every MINUTES, until stopped (SIGTERM, Ctrl-C)
    Daemon {
        #[arg(long, default_value_t = 60)]
        every: u64,
    },
    /// The billing day monthly periods begin on: shown, or set to DAY (1–28)
    Day { day: Option<u32> },
    /// A customer's charges: what each was for, its discount and its tax, newest first
    Charges {
        /// Agreement number or #id
        customer: String,
        #[arg(long, default_value_t = 24)]
        limit: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum DiscountCmd {
    /// Discounts in force today or later (with --all, ended ones too)
    List {
        #[arg(long)]
        all: bool,
    },
    /// Give a discount to a customer (--customer) or to a group (--group)
    Add {
        /// Agreement number or #id
        #[arg(long)]
        customer: Option<String>,
        /// Group id
        #[arg(long)]
        group: Option<i64>,
        /// Percent off: 10, 12.5
        #[arg(long)]
        percent: String,
        /// all, tariff or service
        #[arg(long, default_value = "all")]
        applies: String,
        /// The one tariff or catalogue service it applies to (none: every one)
        #[arg(long)]
        item: Option<i64>,
        /// First day [default: today]
        #[arg(long)]
        from: Option<String>,
        /// Last day [default: open]
        #[arg(long)]
        to: Option<String>,
        /// Where several apply, the highest priority wins (-1000…1000)
        #[arg(long, default_value_t = 0)]
        priority: i64,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// End a discount: its last day (a discount not yet begun is removed)
    End {
        id: i64,
        /// The last day it applies [default: today]
        #[arg(long)]
        on: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TaxCmd {
    /// The tax rules: the rate of tax included in each kind of charge
    List,
    /// Set the rate included in the charges of one kind of item (tariff or service)
    Set {
        item: String,
        /// Percent: 20, 22, 0 for none
        #[arg(long)]
        rate: String,
        /// What receipts call it: «НДС 22 %», «Без НДС»
        #[arg(long)]
        name: String,
    },
    /// Stop recording tax on one kind of item
    Delete { item: String },
}

#[derive(Debug, Subcommand)]
pub enum PromiseCmd {
    /// Give a promised payment; refused, with the rule named, when the config's rules do not allow it
    Add {
        /// Agreement number or #id
        customer: String,
        amount: String,
        /// How many days it lasts
        #[arg(long, default_value_t = 3)]
        days: i64,
    },
    /// A customer's promised payments, newest first
    List {
        /// Agreement number or #id
        customer: String,
    },
    /// End the promised payments whose time is up (also done whenever kassa starts)
    Expire,
}

#[derive(Debug, Subcommand)]
pub enum MarkCmd {
    /// Marks with their colours and how many customers carry each
    List,
    /// Add a mark
    Add {
        name: String,
        /// red, green, yellow, blue, magenta, cyan or white
        #[arg(long, default_value = "yellow")]
        color: String,
    },
    /// Rename a mark or change its colour
    Edit {
        id: i64,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        color: Option<String>,
    },
    /// Delete a mark no customer carries
    Delete { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum GroupCmd {
    /// Groups and how many customers are in each
    List,
    /// Add a group
    Add { name: String },
    /// Rename a group
    Rename { id: i64, name: String },
    /// Delete a group no customer is in
    Delete { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum MessageCmd {
    /// Messages, newest first: by customer, by days, by the employee who entered them
    List {
        /// Agreement number or #id
        #[arg(long)]
        customer: Option<String>,
        /// Only those entered by this employee (login)
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        from: Option<String>,
        /// The last day, included
        #[arg(long)]
        to: Option<String>,
        /// Only archived (true) or only current (false)
        #[arg(long)]
        archived: Option<bool>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Take down a message from the customer
    FromCustomer {
        /// Agreement number or #id
        customer: String,
        text: String,
    },
    /// Send a message to the customer
    ToCustomer {
        /// Agreement number or #id
        customer: String,
        text: String,
    },
    /// Move a message to the archive (--undo brings it back)
    Archive {
        id: i64,
        #[arg(long)]
        undo: bool,
    },
}

#[derive(Debug, Args)]
pub struct CustomerServiceArgs {
    /// The customer's own price ("" for the catalogue's)
    #[arg(long)]
    pub price: Option<String>,
    #[arg(long)]
    pub quantity: Option<String>,
    #[arg(long)]
    pub comment: Option<String>,
    /// yes or no
    #[arg(long)]
    pub enabled: Option<String>,
    /// The next charge date ("" for none)
    #[arg(long)]
    pub next_charge: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServiceArgs {
    #[arg(long)]
    pub name: Option<String>,
    /// Price per period
    #[arg(long)]
    pub price: Option<String>,
    /// month or day
    #[arg(long)]
    pub period: Option<String>,
    /// Offered (yes) or not (no)
    #[arg(long)]
    pub active: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ServiceCmd {
    /// The catalogue
    List {
        /// Include those no longer offered
        #[arg(long)]
        all: bool,
    },
    /// Add a service
    Add(ServiceArgs),
    /// Edit a service (unspecified fields stay)
    Edit {
        id: i64,
        #[command(flatten)]
        args: ServiceArgs,
    },
}
