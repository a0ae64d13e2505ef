//! Keys. Each screen has one table of bindings; the same table drives dispatch, the hint line
//! and the help overlay, so help cannot disagree with what a key does. Single-letter hotkeys
//! also match on a Russian layout (й→q, з→p, р→h …); text fields get letters as typed, so
//! letter hotkeys live only on screens without a focused text field.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::strings::Strings;
use crate::domain::role::Permission;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    Back,
    Open,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Pay,
    History,
    ToggleFormer,
    ToggleLang,
    NextField,
    PrevField,
    Submit,
    Confirm,
    NextMethod,
    PrevMethod,
    Refresh,
    Filter,
    Clear,
    Tariff,
    ToggleWhen,
    Command,
    Network,
    Houses,
    Switches,
    AddHouse,
    EditHouse,
    AddSwitch,
    EditSwitch,
    AddIp,
    AddSubnet,
    SetMac,
    BindPort,
    UnbindPort,
    DeleteIp,
    Reveal,
    Promise,
    CreditLimit,
    State,
    Former,
    NextChoice,
    PrevChoice,
    Pick,
    NextTab,
    PrevTab,
    EditCustomer,
    Marks,
    Merge,
    DeleteCustomer,
    /// A charge or a correction of the customer's balance (administrators).
    Charge,
    Correct,
    /// Reverse the chosen operation of the history (administrators).
    Reverse,
    /// Give back part of the chosen payment (a cash-out order).
    Refund,
    /// The bank lines' queue: accept the proposed customer, match one by searching, remember
    /// the payer, skip with a reason, post the accepted lines.
    ImportAccept,
    ImportMatch,
    ImportRemember,
    ImportSkip,
    ImportPost,
    ImportFile,
    AddCustomer,
    Admin,
    ServiceAdd,
    ServiceEdit,
    ServiceToggle,
    ServiceRemove,
    MessageFrom,
    MessageTo,
    MessageArchive,
    ShowArchived,
    MarkToggle,
    ItemAdd,
    ItemEdit,
    ItemDelete,
    Password,
    Lock,
    /// An operator's SSH keys (`kassa serve` logs them in by a key).
    SshKeys,
    /// The cash desk: the shift, its payments, its reports.
    Desk,
    OpenShift,
    CashIn,
    CashOut,
    XReport,
    CloseShift,
    /// The payment form's amount: what clears the debt; the debt and the next month.
    PayDebt,
    PayMonth,
    /// A payment's receipt on the desk's printer (a duplicate after the first).
    PrintReceipt,
}

impl Action {
    /// The permission an action needs; a role without it is never offered the action.
    pub fn permission(self) -> Option<Permission> {
        match self {
            Action::Pay => Some(Permission::PaymentPost),
            Action::History => Some(Permission::HistoryRead),
            Action::Tariff => Some(Permission::TariffAssign),
            Action::Network | Action::Switches => Some(Permission::NetworkRead),
            Action::Houses => Some(Permission::HouseRead),
            Action::AddHouse | Action::EditHouse => Some(Permission::HouseManage),
            Action::AddSwitch
            | Action::EditSwitch
            | Action::AddIp
            | Action::AddSubnet
            | Action::SetMac
            | Action::BindPort
            | Action::UnbindPort
            | Action::DeleteIp => Some(Permission::NetworkManage),
            Action::Reveal => Some(Permission::SwitchSecrets),
            Action::Promise => Some(Permission::PromisePayment),
            Action::CreditLimit => Some(Permission::CreditLimit),
            Action::State => Some(Permission::CustomerState),
            Action::Former => Some(Permission::CustomerArchive),
            Action::EditCustomer | Action::Marks | Action::MarkToggle => Some(Permission::CustomerEdit),
            Action::MessageFrom | Action::MessageTo | Action::MessageArchive => {
                Some(Permission::CustomerEdit)
            }
            Action::Merge => Some(Permission::CustomerMerge),
            Action::DeleteCustomer => Some(Permission::CustomerDelete),
            Action::Charge | Action::Correct => Some(Permission::LedgerAdjust),
            // a cashier cancels their own payment in its open shift; the service says which
            Action::Reverse | Action::Refund => Some(Permission::PaymentPost),
            Action::ImportAccept
            | Action::ImportMatch
            | Action::ImportRemember
            | Action::ImportSkip
            | Action::ImportPost
            | Action::ImportFile => Some(Permission::LedgerAdjust),
            Action::Desk
            | Action::OpenShift
            | Action::CashIn
            | Action::CashOut
            | Action::XReport
            | Action::CloseShift
            | Action::PrintReceipt => Some(Permission::PaymentPost),
            Action::AddCustomer => Some(Permission::CustomerCreate),
            Action::ServiceAdd | Action::ServiceEdit | Action::ServiceToggle | Action::ServiceRemove => {
                Some(Permission::TariffAssign)
            }
            // administration's lists are reached only by those who keep them
            Action::Admin => Some(Permission::CatalogueManage),
            _ => None,
        }
    }

    /// Movement may repeat while a key is held; nothing else acts on a repeat.
    pub fn repeats(self) -> bool {
        matches!(self, Action::Up | Action::Down | Action::PageUp | Action::PageDown)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    F(u8),
    Enter,
    Esc,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Tab,
    BackTab,
}

impl Key {
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::F(n) => format!("F{n}"),
            Key::Enter => "Enter".into(),
            Key::Esc => "Esc".into(),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::Left => "←".into(),
            Key::Right => "→".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
            Key::Home => "Home".into(),
            Key::End => "End".into(),
            Key::Tab => "Tab".into(),
            Key::BackTab => "Shift-Tab".into(),
        }
    }
}

/// Where the keys are read: each screen (and stage of the payment) has its own table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Login,
    Search,
    Card,
    PayForm,
    PayConfirm,
    PayDone,
    History,
    HistoryFilter,
    TariffList,
    TariffConfirm,
    TariffDone,
    Houses,
    HouseView,
    Switches,
    Ports,
    Network,
    NetworkConfirm,
    Form,
    FormChoice,
    FormPick,
    FormConfirm,
    Command,
    Help,
    CardServices,
    CardMessages,
    CustomerMarks,
    AdminMenu,
    Operators,
    /// Tariffs and the extra services' catalogue.
    AdminList,
    /// Marks, groups and tax rules: they can also be deleted.
    AdminCatalogue,
    /// Discounts: given and ended, never edited (charges name them).
    Discounts,
    /// Scripts' tokens: made on the command line, revoked here.
    Tokens,
    /// An operator's SSH keys: added (the `.pub` line pasted) and removed.
    OperatorKeys,
    /// The cash desk: the shift and its payments.
    Desk,
    /// The cash desk with no shift open: opening one is all there is to do.
    DeskClosed,
    /// A shift's X or Z report.
    ShiftReport,
    /// One payment whole: what it was, and everything done to it since.
    Payment,
    /// The bank lines waiting, proposed and accepted.
    ImportQueue,
    Picker,
    MergeConfirm,
    MergeDone,
    /// A payment, a change of tariff or a merge being written: nothing of the screen acts
    /// (only help, the language and quitting, which waits for it).
    Posting,
}

impl Context {
    pub const ALL: [Context; 42] = [
        Context::Login,
        Context::Search,
        Context::Card,
        Context::PayForm,
        Context::PayConfirm,
        Context::PayDone,
        Context::History,
        Context::HistoryFilter,
        Context::TariffList,
        Context::TariffConfirm,
        Context::TariffDone,
        Context::Houses,
        Context::HouseView,
        Context::Switches,
        Context::Ports,
        Context::Network,
        Context::NetworkConfirm,
        Context::Form,
        Context::FormChoice,
        Context::FormPick,
        Context::FormConfirm,
        Context::Command,
        Context::Help,
        Context::CardServices,
        Context::CardMessages,
        Context::CustomerMarks,
        Context::AdminMenu,
        Context::Operators,
        Context::AdminList,
        Context::AdminCatalogue,
        Context::Discounts,
        Context::Tokens,
        Context::OperatorKeys,
        Context::Desk,
        Context::DeskClosed,
        Context::ShiftReport,
        Context::Payment,
        Context::ImportQueue,
        Context::Picker,
        Context::MergeConfirm,
        Context::MergeDone,
        Context::Posting,
    ];
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub label: fn(&Strings) -> &'static str,
    /// Shown on the hint line (everything is shown in help).
    pub hint: bool,
}

macro_rules! b {
    ([$($k:expr),+], $a:ident, $($l:ident).+, $h:expr) => {
        Binding { keys: &[$($k),+], action: Action::$a, label: |s: &Strings| s.$($l).+, hint: $h }
    };
}

use Key::*;

const GLOBAL: &[Binding] = &[
    b!([F(1), Ctrl('g')], Help, key_help, true),
    b!([F(10), Ctrl('q')], Quit, key_quit, true),
    b!([F(12), Ctrl('l')], ToggleLang, key_lang, false),
];

const LOGIN: &[Binding] = &[
    b!([Enter], Submit, key_submit, true),
    b!([Tab, Down], NextField, key_next_field, true),
    b!([BackTab, Up], PrevField, key_prev_field, false),
];

const SEARCH: &[Binding] = &[
    b!([Enter], Open, key_open, true),
    b!([Up], Up, key_move, true),
    b!([Down], Down, key_move, false),
    b!([PageUp], PageUp, key_page, false),
    b!([PageDown], PageDown, key_page, false),
    b!([Home, Ctrl('a')], Home, key_home_end, false),
    b!([End, Ctrl('e')], End, key_home_end, false),
    b!([F(2), Ctrl('o')], ToggleFormer, key_former, true),
    b!([Ctrl('u')], Clear, key_clear, false),
    b!([Char(':')], Command, key_command_empty, false),
    b!([F(7), Ctrl('d')], Houses, key_houses, false),
    b!([F(8), Ctrl('k')], Switches, key_switches, false),
    b!([F(3), Ctrl('n')], AddCustomer, adm.key_add_customer, true),
    b!([F(9), Ctrl('t')], Admin, adm.key_admin, false),
    b!([F(6), Ctrl('y')], Desk, desk.key_desk, true),
];

/// The card's own keys on its main tab.
const CARD: &[Binding] = &[
    b!([Char('e'), F(4)], EditCustomer, adm.key_edit_customer, false),
    b!([Char('m')], Marks, adm.key_marks, false),
    b!([Char('j')], Merge, adm.key_merge, false),
    b!([Char('d')], DeleteCustomer, adm.key_delete_customer, false),
    b!([Char('c')], Charge, adm.key_charge, false),
    b!([Char('g')], Correct, adm.key_correct, false),
];

/// The card's keys on every tab.
const CARD_SHARED: &[Binding] = &[
    b!([Char('p'), F(2)], Pay, key_pay, true),
    b!([Char('h'), F(3)], History, key_history, true),
    b!([Char('t'), F(6)], Tariff, key_tariff, true),
    b!([Char('n'), F(7)], Network, key_network, true),
    b!([Char('o'), F(8)], Promise, key_promise, false),
    b!([Char('k'), F(9)], CreditLimit, key_credit, false),
    b!([Char('s')], State, key_state, false),
    b!([Char('x')], Former, key_former_move, false),
    b!([Char('r'), F(5)], Refresh, key_refresh, false),
    b!([Ctrl('y')], Desk, desk.key_desk, false),
    b!([Tab], NextTab, adm.key_tab, false),
    b!([BackTab], PrevTab, adm.key_tab, false),
    b!([Esc, Char('b')], Back, key_back, true),
    b!([Char(':')], Command, key_command, false),
    b!([Char('q')], Quit, key_quit, false),
    b!([Char('?')], Help, key_help, false),
];

/// Moving through a tab's rows.
const TAB_MOVES: &[Binding] = &[
    b!([Up], Up, key_move, false),
    b!([Down], Down, key_move, false),
    b!([Home], Home, key_home_end, false),
    b!([End], End, key_home_end, false),
];

const CARD_SERVICES: &[Binding] = &[
    b!([Char('a')], ServiceAdd, key_add, true),
    b!([Char('e')], ServiceEdit, key_edit, false),
    b!([Char(' ')], ServiceToggle, adm.key_toggle, false),
    b!([Char('d')], ServiceRemove, adm.key_remove, false),
];

const CARD_MESSAGES: &[Binding] = &[
    b!([Char('a')], MessageFrom, adm.key_msg_from, true),
    b!([Char('w')], MessageTo, adm.key_msg_to, false),
    b!([Char(' ')], MessageArchive, adm.key_archive, false),
    b!([Char('v')], ShowArchived, adm.key_show_archived, false),
];

const PAY_FORM: &[Binding] = &[
    b!([Enter], Submit, key_submit, true),
    b!([Tab, Down], NextField, key_next_field, true),
    b!([BackTab, Up], PrevField, key_prev_field, false),
    b!([Right, Char(' ')], NextMethod, key_method, false),
    b!([Left], PrevMethod, key_method, false),
    b!([F(2), Ctrl('d')], PayDebt, desk.key_pay_debt, true),
    b!([F(3), Ctrl('n')], PayMonth, desk.key_pay_month, false),
    b!([Ctrl('u')], Clear, key_clear, false),
    b!([Esc], Back, key_cancel, true),
];

const PAY_CONFIRM: &[Binding] =
    &[b!([Enter, Char('y')], Confirm, key_confirm, true), b!([Esc, Char('n')], Back, key_cancel, true)];

const PAY_DONE: &[Binding] =
    &[b!([Char('p'), F(9)], PrintReceipt, desk.key_print, true), b!([Enter, Esc], Back, key_back, true)];

const HISTORY: &[Binding] = &[
    b!([Up], Up, key_move, true),
    b!([Down], Down, key_move, false),
    b!([PageUp], PageUp, key_page, true),
    b!([PageDown], PageDown, key_page, false),
    b!([Home], Home, key_home_end, false),
    b!([End], End, key_home_end, false),
    b!([Char('f'), F(4)], Filter, key_filter, true),
    b!([Char('r'), F(5)], Refresh, key_refresh, false),
    b!([Char('v')], Reverse, adm.key_reverse, false),
    b!([Char('u')], Refund, desk.key_refund, false),
    b!([Char('p'), F(9)], PrintReceipt, desk.key_print, false),
    b!([Esc, Char('b')], Back, key_back, true),
    b!([Char(':')], Command, key_command, false),
    b!([Char('q')], Quit, key_quit, false),
    b!([Char('?')], Help, key_help, false),
];

const HISTORY_FILTER: &[Binding] = &[
    b!([Enter], Submit, key_submit, true),
    b!([Tab, Down], NextField, key_next_field, true),
    b!([BackTab, Up], PrevField, key_prev_field, false),
    b!([Esc], Back, key_cancel, true),
];

const TARIFF_LIST: &[Binding] = &[
    b!([Enter], Submit, key_choose, true),
    b!([Up], Up, key_move, false),
    b!([Down], Down, key_move, false),
    b!([Home], Home, key_home_end, false),
    b!([End], End, key_home_end, false),
    b!([Char(' '), Right, Left, Char('w')], ToggleWhen, key_when, true),
    b!([Esc, Char('b')], Back, key_back, true),
    b!([Char(':')], Command, key_command, false),
    b!([Char('q')], Quit, key_quit, false),
    b!([Char('?')], Help, key_help, false),
];

const TARIFF_CONFIRM: &[Binding] =
    &[b!([Enter, Char('y')], Confirm, key_apply, true), b!([Esc, Char('n')], Back, key_cancel, true)];

const TARIFF_DONE: &[Binding] = &[b!([Enter, Esc], Back, key_back, true)];

const COMMAND: &[Binding] = &[
    b!([Enter], Submit, key_run, true),
    b!([Up], Up, key_recall, true),
    b!([Down], Down, key_recall, false),
    b!([Esc], Back, key_cancel, true),
];

/// Movement through a list, shared by the list screens.
macro_rules! list_moves {
    // what refreshes besides F5: `r`, unless the screen's own `r` means something else
    ($refresh:expr) => {
        [
            b!([Up], Up, key_move, false),
            b!([Down], Down, key_move, false),
            b!([PageUp], PageUp, key_page, false),
            b!([PageDown], PageDown, key_page, false),
            b!([Home], Home, key_home_end, false),
            b!([End], End, key_home_end, false),
            b!([$refresh, F(5)], Refresh, key_refresh, false),
            b!([Esc, Char('b')], Back, key_back, true),
            b!([Char(':')], Command, key_command, false),
            b!([Char('q')], Quit, key_quit, false),
            b!([Char('?')], Help, key_help, false),
        ]
    };
}

const LIST_MOVES: [Binding; 11] = list_moves!(Char('r'));

/// The bank lines' queue: `r` is "remember the payer" there (Ctrl-R or F5 refreshes).
const IMPORT_MOVES: [Binding; 11] = list_moves!(Ctrl('r'));

const HOUSES: &[Binding] = &[
    b!([Enter], Open, key_open, true),
    b!([Char('a'), F(2)], AddHouse, key_add, true),
    b!([Char('e'), F(4)], EditHouse, key_edit, true),
];

const HOUSE_VIEW: &[Binding] = &[b!([Enter], Open, key_open, true)];

const SWITCHES: &[Binding] = &[
    b!([Enter], Open, key_open, true),
    b!([Char('a'), F(2)], AddSwitch, key_add, true),
    b!([Char('e'), F(4)], EditSwitch, key_edit, true),
];

const PORTS: &[Binding] =
    &[b!([Enter], Open, key_open, true), b!([Char('e'), F(4)], EditSwitch, key_edit, true)];

const NETWORK: &[Binding] = &[
    b!([Char('a'), F(2)], AddIp, key_add_ip, true),
    b!([Char('s')], AddSubnet, key_add_subnet, false),
    b!([Char('m'), F(4)], SetMac, key_set_mac, true),
    b!([Char('p'), F(6)], BindPort, key_bind, true),
    b!([Char('u')], UnbindPort, key_unbind, false),
    b!([Char('d'), F(8)], DeleteIp, key_delete, true),
];

const NETWORK_CONFIRM: &[Binding] =
    &[b!([Enter, Char('y')], Confirm, key_delete, true), b!([Esc, Char('n')], Back, key_cancel, true)];

const FORM: &[Binding] = &[
    b!([Enter], Submit, key_apply, true),
    b!([Tab, Down], NextField, key_next_field, true),
    b!([BackTab, Up], PrevField, key_prev_field, false),
    b!([Ctrl('r')], Reveal, key_reveal, false),
    b!([Ctrl('u')], Clear, key_clear, false),
    b!([Esc], Back, key_cancel, true),
];

const FORM_CHOICE: &[Binding] = &[
    b!([Enter], Submit, key_apply, true),
    b!([Right, Char(' ')], NextChoice, adm.key_choice, true),
    b!([Left], PrevChoice, adm.key_choice, false),
    b!([Tab, Down], NextField, key_next_field, true),
    b!([BackTab, Up], PrevField, key_prev_field, false),
    b!([Esc], Back, key_cancel, true),
];

const FORM_PICK: &[Binding] = &[
    b!([Enter, Char(' '), F(3)], Pick, adm.key_pick, true),
    b!([Tab, Down], NextField, key_next_field, true),
    b!([BackTab, Up], PrevField, key_prev_field, false),
    b!([Ctrl('u')], Clear, key_clear, false),
    b!([Esc], Back, key_cancel, true),
];

const PICKER: &[Binding] = &[
    b!([Enter], Open, adm.key_pick, true),
    b!([Up], Up, key_move, true),
    b!([Down], Down, key_move, false),
    b!([PageUp], PageUp, key_page, false),
    b!([PageDown], PageDown, key_page, false),
    b!([Ctrl('u')], Clear, key_clear, false),
    b!([Esc], Back, key_cancel, true),
];

const MERGE_CONFIRM: &[Binding] =
    &[b!([Enter, Char('y')], Confirm, adm.key_merge, true), b!([Esc, Char('n')], Back, key_cancel, true)];

const MERGE_DONE: &[Binding] = &[b!([Enter, Esc], Back, key_back, true)];

const CUSTOMER_MARKS: &[Binding] = &[b!([Char(' '), Enter], MarkToggle, adm.key_toggle_mark, true)];

const ADMIN_MENU: &[Binding] = &[b!([Enter], Open, key_open, true)];

const OPERATORS: &[Binding] = &[
    b!([Enter, Char('e'), F(4)], ItemEdit, key_edit, true),
    b!([Char('a'), F(2)], ItemAdd, key_add, true),
    b!([Char('w')], Password, adm.key_password, true),
    b!([Char('l')], Lock, adm.key_lock, true),
    b!([Char('k')], SshKeys, adm.key_ssh_keys, false),
];

const OPERATOR_KEYS: &[Binding] =
    &[b!([Char('a'), F(2)], ItemAdd, key_add, true), b!([Char('d'), F(8)], ItemDelete, key_delete, true)];

const ADMIN_LIST: &[Binding] =
    &[b!([Enter, Char('e'), F(4)], ItemEdit, key_edit, true), b!([Char('a'), F(2)], ItemAdd, key_add, true)];

const ADMIN_CATALOGUE: &[Binding] = &[
    b!([Enter, Char('e'), F(4)], ItemEdit, key_edit, true),
    b!([Char('a'), F(2)], ItemAdd, key_add, true),
    b!([Char('d'), F(8)], ItemDelete, key_delete, true),
];

const DESK: &[Binding] = &[
    b!([Enter], Open, key_open, false),
    b!([Char('i')], CashIn, desk.key_cash_in, true),
    b!([Char('w')], CashOut, desk.key_cash_out, true),
    b!([Char('x'), F(4)], XReport, desk.key_x, true),
    b!([Char('z'), F(8)], CloseShift, desk.key_close_shift, true),
    b!([Char('v')], Reverse, desk.key_cancel_payment, false),
    b!([Char('u')], Refund, desk.key_refund, false),
    b!([Char('p'), F(9)], PrintReceipt, desk.key_print, false),
    b!([Char('/'), F(7)], Filter, desk.key_find, false),
];

const DESK_CLOSED: &[Binding] = &[b!([Char('o'), F(2)], OpenShift, desk.key_open_shift, true)];

const SHIFT_REPORT: &[Binding] = &[];

const IMPORT_QUEUE: &[Binding] = &[
    b!([Char('a')], ImportAccept, desk.key_imp_accept, true),
    b!([Char('m')], ImportMatch, desk.key_imp_match, true),
    b!([Char('r')], ImportRemember, desk.key_imp_remember, false),
    b!([Char('s')], ImportSkip, desk.key_imp_skip, true),
    b!([Char('p')], ImportPost, desk.key_imp_post, true),
    b!([Char('f')], ImportFile, desk.key_imp_file, true),
    b!([Enter], Open, desk.key_imp_whole, true),
];

const PAYMENT: &[Binding] = &[
    b!([Enter, Char('c')], Open, desk.key_customer, true),
    b!([Char('p'), F(9)], PrintReceipt, desk.key_print, true),
];

const DISCOUNTS: &[Binding] = &[
    b!([Char('a'), F(2)], ItemAdd, key_add, true),
    b!([Char('d'), F(8)], ItemDelete, adm.key_end_discount, true),
];

const TOKENS: &[Binding] = &[b!([Char('d'), F(8)], ItemDelete, adm.key_revoke, true)];

const FORM_CONFIRM: &[Binding] =
    &[b!([Enter, Char('y')], Confirm, key_apply, true), b!([Esc, Char('n')], Back, key_cancel, true)];

const HELP: &[Binding] = &[
    b!([Esc, F(1), Char('?'), Enter], Back, key_back, true),
    b!([Up], Up, key_move, false),
    b!([Down], Down, key_move, false),
    b!([PageUp], PageUp, key_page, false),
    b!([PageDown], PageDown, key_page, false),
];

/// The screen's own bindings, then those it shares (movement, the card's keys), then the
/// global ones.
pub fn bindings(ctx: Context) -> impl Iterator<Item = &'static Binding> {
    let moves: &'static [Binding] = match ctx {
        Context::Houses
        | Context::HouseView
        | Context::Switches
        | Context::Ports
        | Context::Network
        | Context::CustomerMarks
        | Context::AdminMenu
        | Context::Operators
        | Context::AdminList
        | Context::AdminCatalogue
        | Context::Discounts
        | Context::Tokens
        | Context::OperatorKeys
        | Context::Desk
        | Context::DeskClosed
        | Context::ShiftReport
        | Context::Payment => &LIST_MOVES,
        Context::ImportQueue => &IMPORT_MOVES,
        Context::CardServices | Context::CardMessages => TAB_MOVES,
        _ => &[],
    };
    let shared: &'static [Binding] = match ctx {
        Context::Card | Context::CardServices | Context::CardMessages => CARD_SHARED,
        _ => &[],
    };
    let own: &'static [Binding] = match ctx {
        Context::Login => LOGIN,
        Context::Search => SEARCH,
        Context::Card => CARD,
        Context::PayForm => PAY_FORM,
        Context::PayConfirm => PAY_CONFIRM,
        Context::Posting => &[],
        Context::PayDone => PAY_DONE,
        Context::History => HISTORY,
        Context::HistoryFilter => HISTORY_FILTER,
        Context::TariffList => TARIFF_LIST,
        Context::TariffConfirm => TARIFF_CONFIRM,
        Context::TariffDone => TARIFF_DONE,
        Context::Houses => HOUSES,
        Context::HouseView => HOUSE_VIEW,
        Context::Switches => SWITCHES,
        Context::Ports => PORTS,
        Context::Network => NETWORK,
        Context::NetworkConfirm => NETWORK_CONFIRM,
        Context::Form => FORM,
        Context::FormChoice => FORM_CHOICE,
        Context::FormPick => FORM_PICK,
        Context::FormConfirm => FORM_CONFIRM,
        Context::Command => COMMAND,
        Context::Help => HELP,
        Context::CardServices => CARD_SERVICES,
        Context::CardMessages => CARD_MESSAGES,
        Context::CustomerMarks => CUSTOMER_MARKS,
        Context::AdminMenu => ADMIN_MENU,
        Context::Operators => OPERATORS,
        Context::AdminList => ADMIN_LIST,
        Context::AdminCatalogue => ADMIN_CATALOGUE,
        Context::Discounts => DISCOUNTS,
        Context::Tokens => TOKENS,
        Context::OperatorKeys => OPERATOR_KEYS,
        Context::Desk => DESK,
        Context::DeskClosed => DESK_CLOSED,
        Context::ShiftReport => SHIFT_REPORT,
        Context::Payment => PAYMENT,
        Context::ImportQueue => IMPORT_QUEUE,
        Context::Picker => PICKER,
        Context::MergeConfirm => MERGE_CONFIRM,
        Context::MergeDone => MERGE_DONE,
    };
    own.iter().chain(moves.iter()).chain(shared.iter()).chain(GLOBAL.iter())
}

/// Whether a binding is one of those every screen has (help, quit, language).
pub fn is_global(b: &Binding) -> bool {
    GLOBAL.iter().any(|g| std::ptr::eq(g, b))
}

/// The Latin key at the same place on a Russian (ЙЦУКЕН) keyboard.
pub fn latin_of(c: char) -> char {
    const RU: &str = "йцукенгшщзхъфывапролджэячсмитьбюё";
    const EN: &str = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
    let lower = c.to_lowercase().next().unwrap_or(c);
    RU.chars().position(|r| r == lower).and_then(|i| EN.chars().nth(i)).unwrap_or(lower)
}

/// What a key event means in `ctx`: only presses act, and repeats only for movement.
pub fn action_for(ctx: Context, ev: &KeyEvent) -> Option<Action> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let key = match ev.code {
        KeyCode::Char(c) if ev.modifiers.contains(KeyModifiers::CONTROL) => Key::Ctrl(latin_of(c)),
        // Shift+Ж is where ':' is on a Latin layout
        KeyCode::Char('Ж') => Key::Char(':'),
        KeyCode::Char(c) => Key::Char(latin_of(c)),
        KeyCode::F(n) => Key::F(n),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        _ => return None,
    };
    let action = bindings(ctx).find(|b| b.keys.contains(&key)).map(|b| b.action)?;
    if ev.kind == KeyEventKind::Repeat && !action.repeats() {
        return None;
    }
    Some(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn russian_layout_letters_are_the_same_hotkeys() {
        assert_eq!(action_for(Context::Card, &press(KeyCode::Char('з'))), Some(Action::Pay));
        assert_eq!(action_for(Context::Card, &press(KeyCode::Char('Р'))), Some(Action::History));
        assert_eq!(action_for(Context::Card, &press(KeyCode::Char('й'))), Some(Action::Quit));
        assert_eq!(latin_of('ё'), '`');
        assert_eq!(latin_of('x'), 'x');
    }

    #[test]
    fn no_key_means_two_things_on_one_screen() {
        for ctx in Context::ALL {
            // a screen may take a global key for itself (help closes with F1): the screen's own wins
            let own = bindings(ctx).take(bindings(ctx).count() - GLOBAL.len());
            let keys: Vec<Key> = own.flat_map(|b| b.keys.iter().copied()).collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(!keys[i + 1..].contains(k), "{ctx:?}: {k:?} is bound twice");
            }
        }
    }

    #[test]
    fn repeats_and_releases() {
        let mut enter = press(KeyCode::Enter);
        enter.kind = KeyEventKind::Repeat;
        assert_eq!(action_for(Context::PayConfirm, &enter), None, "a held Enter never posts");
        let mut down = press(KeyCode::Down);
        down.kind = KeyEventKind::Repeat;
        assert_eq!(action_for(Context::Search, &down), Some(Action::Down));
        down.kind = KeyEventKind::Release;
        assert_eq!(action_for(Context::Search, &down), None);
    }

    #[test]
    fn every_action_has_a_key_that_is_not_an_f_key() {
        for ctx in Context::ALL {
            for b in bindings(ctx) {
                assert!(b.keys.iter().any(|k| !matches!(k, Key::F(_))), "{ctx:?} {:?}", b.action);
            }
        }
    }
}
