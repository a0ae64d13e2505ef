//! The console's state and how it changes. `App::key` and `App::outcome` are plain functions:
//! they change the state and return the effects to run (service calls). Every effect carries a
//! request id; an outcome for an id that is no longer awaited is dropped, so a slow search for
//! an older query never replaces a newer one.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::form::{FieldKind, FormKind, FormScreen, FormStage, Values, choice, field};
use super::input::Input;
use super::keymap::{Action, Context, action_for, latin_of};
use super::net::{ListData, ListKind, ListScreen, NetworkScreen};
use super::picker::{PickItem, PickKind, PickerScreen};
use super::records::{AfterSave, CardTab, FormData, MergeScreen, MergeStage, TabData};
use super::strings::{Lang, Strings};
use super::theme::Theme;
use crate::domain::customer::LookupKind;
use crate::domain::dates::{check_period, parse_date};
use crate::domain::ledger::{PaymentMethod, valid_receipt_number};
use crate::domain::money::{Money, MoneyError};
use crate::domain::role::Permission;
use crate::domain::search::SearchQuery;
use crate::service::{
    Actor, AddressRecord, CustomerCard, CustomerNetwork, CustomerService, CustomerSummary, HistoryPage,
    HistoryQuery, MergeOutcome, MergePreview, Message, PaymentRequest, Period, PostOutcome, SearchResult,
    ServiceError, Switch, Tariff, TariffChangeOutcome, When, next_period_start,
};

/// How long typing must pause before a search runs.
pub const SEARCH_DEBOUNCE: Duration = Duration::from_millis(120);
/// Results asked for per search.
pub const SEARCH_LIMIT: i64 = 100;
/// History lines per page.
pub const HISTORY_PAGE: i64 = 50;

pub type ReqId = u64;

/// A service call the state asks for.
#[derive(Debug, Clone)]
pub enum Effect {
    Login { req: ReqId, login: String, password: String },
    Search { req: ReqId, text: String, former: bool },
    Card { req: ReqId, id: i64 },
    PeekReceipt { req: ReqId },
    Post { req: ReqId, request: PaymentRequest },
    History { req: ReqId, query: HistoryQuery },
    Tariffs { req: ReqId, customer_id: i64 },
    ChangeTariff { req: ReqId, customer_id: i64, tariff_id: i64, when: When, today: NaiveDate },
    Resolve { req: ReqId, reference: String },
    LoadList { req: ReqId, kind: ListKind },
    LoadNetwork { req: ReqId, customer_id: i64 },
    SaveForm { req: ReqId, kind: FormKind, values: Values, take_over: bool },
    DeleteAddress { req: ReqId, customer_id: i64, record: AddressRecord },
    Unbind { req: ReqId, customer_id: i64 },
    Secrets { req: ReqId, switch_id: i64 },
    Lookup { req: ReqId, kind: LookupKind, value: String },
    PrepareForm { req: ReqId, kind: FormKind },
    PickSearch { req: ReqId, kind: PickKind, text: String },
    MergePreview { req: ReqId, main: i64, secondary: i64 },
    Merge { req: ReqId, main: i64, secondary: i64 },
    LoadTab { req: ReqId, customer_id: i64, tab: CardTab, archived: bool },
    ToggleService { req: ReqId, id: i64, enabled: bool },
    ArchiveMessage { req: ReqId, id: i64, archived: bool },
    SetMark { req: ReqId, customer_id: i64, mark_id: i64, on: bool },
}

impl Effect {
    /// The request id the answer comes back with.
    pub fn req(&self) -> ReqId {
        match self {
            Effect::Login { req, .. }
            | Effect::Search { req, .. }
            | Effect::Card { req, .. }
            | Effect::PeekReceipt { req }
            | Effect::Post { req, .. }
            | Effect::History { req, .. }
            | Effect::Tariffs { req, .. }
            | Effect::ChangeTariff { req, .. }
            | Effect::Resolve { req, .. }
            | Effect::LoadList { req, .. }
            | Effect::LoadNetwork { req, .. }
            | Effect::SaveForm { req, .. }
            | Effect::DeleteAddress { req, .. }
            | Effect::Unbind { req, .. }
            | Effect::Secrets { req, .. }
            | Effect::Lookup { req, .. }
            | Effect::PrepareForm { req, .. }
            | Effect::PickSearch { req, .. }
            | Effect::MergePreview { req, .. }
            | Effect::Merge { req, .. }
            | Effect::LoadTab { req, .. }
            | Effect::ToggleService { req, .. }
            | Effect::ArchiveMessage { req, .. }
            | Effect::SetMark { req, .. } => *req,
        }
    }
}

/// What came back from a service call.
#[derive(Debug)]
pub enum Outcome {
    /// A call made without a logged-in operator: the console goes back to its login.
    NoSession(ServiceError),
    Login(Result<Actor, ServiceError>),
    Search(Result<SearchResult, ServiceError>),
    Card(Box<Result<CustomerCard, ServiceError>>),
    Receipt(Result<String, ServiceError>),
    Posted(Result<PostOutcome, ServiceError>),
    History(Result<HistoryPage, ServiceError>),
    Tariffs(Result<Vec<Tariff>, ServiceError>),
    TariffChanged(Box<Result<TariffChangeOutcome, ServiceError>>),
    Resolved(Result<i64, ServiceError>),
    List(Box<Result<ListData, ServiceError>>),
    Network(Box<Result<CustomerNetwork, ServiceError>>),
    Saved(Result<AfterSave, ServiceError>),
    Secrets(Result<Switch, ServiceError>),
    FormData(Box<Result<FormData, ServiceError>>),
    Picks(Result<Vec<PickItem>, ServiceError>),
    MergePreview(Box<Result<MergePreview, ServiceError>>),
    Merged(Box<Result<MergeOutcome, ServiceError>>),
    /// A tab's rows, or `None` after a change made from the tab.
    Tab(Box<Result<Option<TabData>, ServiceError>>),
}

pub struct LoginScreen {
    pub operator: Input,
    pub password: Input,
    pub focus: usize,
    pub error: Option<String>,
    pub pending: Option<ReqId>,
}

pub struct SearchScreen {
    pub input: Input,
    pub query: SearchQuery,
    pub results: Vec<CustomerSummary>,
    pub selected: usize,
    pub former: bool,
    /// Set when the text changed and a search is due after the pause.
    pub due_at: Option<Instant>,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
}

impl SearchScreen {
    /// The empty search the console starts on.
    pub fn new() -> SearchScreen {
        SearchScreen {
            input: Input::new(100),
            query: SearchQuery::Empty,
            results: Vec::new(),
            selected: 0,
            former: false,
            due_at: None,
            pending: None,
            error: None,
        }
    }
}

impl Default for SearchScreen {
    fn default() -> SearchScreen {
        SearchScreen::new()
    }
}

pub struct CardScreen {
    pub id: i64,
    pub card: Option<CustomerCard>,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
    pub tab: CardTab,
    /// The services tab's rows, once loaded.
    pub services: Option<Vec<CustomerService>>,
    /// The messages tab's rows, once loaded.
    pub messages: Option<Vec<Message>>,
    /// The chosen row of the tab.
    pub row: usize,
    /// The messages tab shows the archived ones too.
    pub archived: bool,
    /// The tab's own request.
    pub tab_pending: Option<ReqId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayStage {
    Form,
    Confirm { amount: Money },
    Posting { amount: Money },
    Done(Box<PostOutcome>),
}

pub struct PayScreen {
    pub card: CustomerCard,
    pub amount: Input,
    pub method: usize,
    /// A typed receipt number; left empty, the number is the counter's at posting time.
    pub receipt: Input,
    /// The number the counter would give now (shown in the empty receipt field).
    pub next_receipt: Option<String>,
    pub comment: Input,
    pub focus: usize,
    /// (field index, message) shown under the field.
    pub error: Option<(usize, String)>,
    pub stage: PayStage,
    /// Made when the form opens: a second Enter, a repeat or a retry cannot post twice.
    pub key: String,
    pub pending: Option<ReqId>,
}

pub const PAY_FIELDS: usize = 4;

pub struct HistoryScreen {
    pub customer_id: i64,
    pub title: String,
    pub page: Option<HistoryPage>,
    pub offset: i64,
    pub selected: usize,
    pub from: Input,
    pub to: Input,
    pub filter_open: bool,
    pub filter_focus: usize,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum TariffStage {
    List,
    Confirm,
    Saving,
    Done(Box<TariffChangeOutcome>),
}

pub struct TariffScreen {
    pub card: CustomerCard,
    /// The tariffs the customer may take (the current one is not among them).
    pub tariffs: Option<Vec<Tariff>>,
    pub selected: usize,
    pub when: When,
    /// The day the change is asked on: "from the next period" is counted from it.
    pub today: NaiveDate,
    pub stage: TariffStage,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
}

impl TariffScreen {
    /// The day the chosen change would take effect.
    pub fn effective_on(&self) -> NaiveDate {
        match self.when {
            When::Now => self.today,
            When::NextPeriod => {
                let period = self.card.tariff.as_ref().map(|t| t.period).unwrap_or(Period::Month);
                next_period_start(self.today, period)
            }
        }
    }

    pub fn chosen(&self) -> Option<&Tariff> {
        self.tariffs.as_ref().and_then(|t| t.get(self.selected))
    }
}

/// The `:` command line: what is being typed and where in the history Up/Down has got to.
pub struct CommandLine {
    pub input: Input,
    pub recall: Option<usize>,
}

impl HistoryScreen {
    /// The first page of a customer's history, not yet loaded.
    pub fn new(customer_id: i64, title: String) -> HistoryScreen {
        HistoryScreen {
            customer_id,
            title,
            page: None,
            offset: 0,
            selected: 0,
            from: Input::new(10),
            to: Input::new(10),
            filter_open: false,
            filter_focus: 0,
            pending: None,
            error: None,
        }
    }
}

impl PayScreen {
    /// An empty payment form; the idempotency key is made here, once.
    pub fn new(card: CustomerCard) -> PayScreen {
        PayScreen {
            card,
            amount: Input::new(16),
            method: 0,
            receipt: Input::new(32),
            next_receipt: None,
            comment: Input::new(200),
            focus: 0,
            error: None,
            stage: PayStage::Form,
            key: format!("tui-{}", uuid::Uuid::new_v4().simple()),
            pending: None,
        }
    }
}

impl TariffScreen {
    /// The choice of tariff for the customer on `card`, not yet loaded.
    pub fn new(card: CustomerCard, today: NaiveDate) -> TariffScreen {
        TariffScreen {
            card,
            tariffs: None,
            selected: 0,
            when: When::NextPeriod,
            today,
            stage: TariffStage::List,
            pending: None,
            error: None,
        }
    }
}

pub enum Screen {
    Login(LoginScreen),
    Search(SearchScreen),
    Card(Box<CardScreen>),
    Pay(Box<PayScreen>),
    History(HistoryScreen),
    Tariff(Box<TariffScreen>),
    List(Box<ListScreen>),
    Network(Box<NetworkScreen>),
    Form(Box<FormScreen>),
    Picker(Box<PickerScreen>),
    Merge(Box<MergeScreen>),
}

pub struct App {
    pub lang: Lang,
    pub theme: Theme,
    pub actor: Option<Actor>,
    pub screens: Vec<Screen>,
    pub help: bool,
    pub quit: bool,
    /// A status line message (errors that belong to no field).
    pub status: Option<String>,
    next_req: ReqId,
    /// Whether anything changed since the last frame.
    pub dirty: bool,
    /// The login screen names the demo operators on a demo database.
    pub demo: bool,
    /// The `:` command line, while open.
    pub command: Option<CommandLine>,
    /// Commands run in this session, oldest first (Up/Down in the command line recall them).
    pub command_history: Vec<String>,
    /// The `:c` look-up being awaited.
    pub(super) resolving: Option<(ReqId, String)>,
    /// The form being prepared (its data asked for).
    pub(super) preparing: Option<ReqId>,
    /// Set by a signal (SIGTERM, SIGHUP): the console goes whatever an answer says.
    pub forced_quit: bool,
    /// Set when an answer said the operator's session ended (locked out, role changed): the
    /// console goes back to its login screen with this text.
    session_end: std::cell::Cell<Option<String>>,
}

/// How many commands the command line remembers.
pub const COMMAND_HISTORY: usize = 100;

fn method_of(i: usize) -> PaymentMethod {
    PaymentMethod::ALL[i % PaymentMethod::ALL.len()]
}

impl App {
    pub fn new(lang: Lang, theme: Theme, operator: Option<&str>) -> App {
        let mut login = LoginScreen {
            operator: Input::new(64),
            password: Input::masked(128),
            focus: 0,
            error: None,
            pending: None,
        };
        if let Some(op) = operator {
            login.operator.set(op);
            login.focus = 1;
        }
        App {
            lang,
            theme,
            actor: None,
            screens: vec![Screen::Login(login)],
            help: false,
            quit: false,
            status: None,
            next_req: 0,
            dirty: true,
            demo: false,
            command: None,
            command_history: Vec::new(),
            resolving: None,
            preparing: None,
            forced_quit: false,
            session_end: std::cell::Cell::new(None),
        }
    }

    /// Back to the login screen, the operator's login filled in, with why.
    fn end_session(&mut self, why: String) {
        let login = self.actor.take().map(|a| a.login);
        let mut screen = LoginScreen {
            operator: Input::new(64),
            password: Input::masked(128),
            focus: 0,
            error: Some(why),
            pending: None,
        };
        if let Some(l) = login {
            screen.operator.set(&l);
            screen.focus = 1;
        }
        self.screens = vec![Screen::Login(screen)];
        self.command = None;
        self.help = false;
        self.status = None;
    }

    pub fn strings(&self) -> &'static Strings {
        Strings::get(self.lang)
    }

    pub(super) fn req(&mut self) -> ReqId {
        self.next_req += 1;
        self.next_req
    }

    pub fn screen(&self) -> &Screen {
        // the stack is never empty: the login or search screen stays at its bottom
        &self.screens[self.screens.len() - 1]
    }

    /// The screen a question on top is about (drawn under it), when the top is a question.
    pub fn under_question(&self) -> Option<&Screen> {
        match self.screen() {
            Screen::Form(f) if f.fields.is_empty() && self.screens.len() > 1 => {
                self.screens.get(self.screens.len() - 2)
            }
            Screen::Merge(_) if self.screens.len() > 1 => self.screens.get(self.screens.len() - 2),
            _ => None,
        }
    }

    pub(super) fn screen_mut(&mut self) -> &mut Screen {
        let n = self.screens.len() - 1;
        &mut self.screens[n]
    }

    /// The key table in force.
    pub fn context(&self) -> Context {
        if self.help {
            return Context::Help;
        }
        if self.command.is_some() {
            return Context::Command;
        }
        self.screen_context()
    }

    /// The key table of the screen on top, leaving aside help and the command line.
    pub fn screen_context(&self) -> Context {
        match self.screen() {
            Screen::Login(_) => Context::Login,
            Screen::Search(_) => Context::Search,
            Screen::Card(c) => match c.tab {
                CardTab::Main => Context::Card,
                CardTab::Services => Context::CardServices,
                CardTab::Messages => Context::CardMessages,
            },
            Screen::Pay(p) => match p.stage {
                PayStage::Form => Context::PayForm,
                PayStage::Confirm { .. } | PayStage::Posting { .. } => Context::PayConfirm,
                PayStage::Done(_) => Context::PayDone,
            },
            Screen::History(h) if h.filter_open => Context::HistoryFilter,
            Screen::History(_) => Context::History,
            Screen::Tariff(t) => match t.stage {
                TariffStage::List => Context::TariffList,
                TariffStage::Confirm | TariffStage::Saving => Context::TariffConfirm,
                TariffStage::Done(_) => Context::TariffDone,
            },
            Screen::List(l) => match l.kind {
                ListKind::Houses => Context::Houses,
                ListKind::House(_) => Context::HouseView,
                ListKind::Switches => Context::Switches,
                ListKind::Ports(_) => Context::Ports,
                ListKind::CustomerMarks(_) => Context::CustomerMarks,
                ListKind::Admin => Context::AdminMenu,
                ListKind::Operators => Context::Operators,
                ListKind::Tariffs | ListKind::Catalogue => Context::AdminList,
                ListKind::MarkCatalogue | ListKind::Groups => Context::AdminCatalogue,
            },
            Screen::Network(n) if n.confirm_delete => Context::NetworkConfirm,
            Screen::Network(_) => Context::Network,
            Screen::Form(f) if f.stage == FormStage::Edit && !f.fields.is_empty() => {
                match f.focused().map(|x| &x.kind) {
                    Some(FieldKind::Choice { .. }) => Context::FormChoice,
                    Some(FieldKind::Pick { .. }) => Context::FormPick,
                    _ => Context::Form,
                }
            }
            Screen::Form(_) => Context::FormConfirm,
            Screen::Picker(_) => Context::Picker,
            Screen::Merge(m) => match m.stage {
                MergeStage::Confirm | MergeStage::Saving => Context::MergeConfirm,
                MergeStage::Done(_) => Context::MergeDone,
            },
        }
    }

    /// Whether a payment is being written (quitting waits for it).
    pub fn posting(&self) -> bool {
        self.screens
            .iter()
            .any(|s| matches!(s, Screen::Pay(p) if matches!(p.stage, PayStage::Posting { .. })))
    }

    /// Whether the operator's role lacks what `action` needs (`Action::permission`); then the
    /// status line says so and nothing else happens. What a role may not do is not offered
    /// either: this answers the key pressed (or the command typed) anyway.
    pub(super) fn refused(&mut self, action: Option<Action>) -> bool {
        let lacking = action.and_then(Action::permission).is_some_and(|p| !self.can(p));
        if lacking {
            self.status = Some(self.strings().denied.to_string());
        }
        lacking
    }

    pub(super) fn can(&self, p: Permission) -> bool {
        self.actor.as_ref().is_some_and(|a| a.can(p))
    }

    pub fn error_text(&self, e: &ServiceError) -> String {
        let s = self.strings();
        if let ServiceError::SessionEnded(end) = e {
            let text = match end {
                crate::service::SessionEnd::Disabled => s.session_disabled,
                crate::service::SessionEnd::RoleChanged { .. } => s.session_role,
            };
            self.session_end.set(Some(text.to_string()));
        }
        match e {
            ServiceError::Denied { .. } => s.denied.to_string(),
            ServiceError::BadCredentials => s.login_wrong.to_string(),
            ServiceError::SessionEnded(crate::service::SessionEnd::Disabled) => {
                s.session_disabled.to_string()
            }
            ServiceError::SessionEnded(_) => s.session_role.to_string(),
            ServiceError::ReceiptUsed { number, .. } => format!("№ {number} {}", s.receipt_used),
            ServiceError::MergedAway { into_id, into_agreement, .. } => format!(
                "{} {}",
                s.merged_away,
                into_agreement.clone().unwrap_or_else(|| format!("#{into_id}"))
            ),
            ServiceError::Busy => s.busy.to_string(),
            ServiceError::MacTaken { mac, holder_id, holder_name } => {
                format!("{mac}: {} #{holder_id} {holder_name}", s.mac_taken)
            }
            // rules the console checks itself never get here; what does is said as it is
            other => format!("{}: {other}", s.error_prefix),
        }
    }

    /// Why an amount was refused, in the console's language.
    pub fn money_error_text(&self, e: &MoneyError) -> String {
        let s = self.strings();
        match e {
            MoneyError::Empty => s.money_empty.to_string(),
            MoneyError::NotANumber(t) => format!("«{t}» {}", s.money_nan),
            MoneyError::TooManyDecimals(t) => format!("«{t}» {}", s.money_decimals),
            MoneyError::TooLarge(t) => format!("«{t}» {}", s.money_large),
            MoneyError::NotPositive => s.money_not_positive.to_string(),
        }
    }

    /// Handles pasted text: it goes to the focused text field, if any.
    #[allow(clippy::collapsible_match)] // the search arm must change state after inserting
    pub fn paste(&mut self, text: &str) -> Vec<Effect> {
        self.dirty = true;
        let now = Instant::now();
        if let Some(c) = &mut self.command {
            c.input.insert(text);
            return Vec::new();
        }
        match self.screen_mut() {
            Screen::Login(l) => {
                if l.focus == 0 {
                    l.operator.insert(text)
                } else {
                    l.password.insert(text)
                };
            }
            Screen::Search(s) => {
                if s.input.insert(text) {
                    s.due_at = Some(now + SEARCH_DEBOUNCE);
                }
            }
            Screen::Pay(p) if p.stage == PayStage::Form => {
                match p.focus {
                    0 => p.amount.insert(text),
                    2 => p.receipt.insert(text),
                    3 => p.comment.insert(text),
                    _ => false,
                };
            }
            Screen::Form(f) if f.stage == FormStage::Edit => {
                if let Some(x) = f.fields.get_mut(f.focus)
                    && x.kind == FieldKind::Text
                {
                    x.input.insert(text);
                }
            }
            Screen::Picker(p) => {
                if p.input.insert(text) {
                    p.due_at = Some(now + SEARCH_DEBOUNCE);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Handles one key event; returns the service calls it asks for.
    pub fn key(&mut self, ev: &KeyEvent, now: Instant) -> Vec<Effect> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        self.dirty = true;
        let ctx = self.context();
        let action = action_for(ctx, ev);
        match action {
            Some(Action::Quit) => {
                self.quit = true;
                return Vec::new();
            }
            Some(Action::ToggleLang) => {
                self.lang = self.lang.other();
                return Vec::new();
            }
            Some(Action::Help) if ctx != Context::Help => {
                self.help = true;
                return Vec::new();
            }
            _ => {}
        }
        if ctx == Context::Help {
            if action == Some(Action::Back) {
                self.help = false;
            }
            return Vec::new();
        }
        self.status = None;
        if action == Some(Action::Command) && ctx != Context::Search {
            self.open_command();
            return Vec::new();
        }
        match ctx {
            Context::Login => self.login_key(ev, action),
            Context::Search => self.search_key(ev, action, now),
            Context::Card => self.card_key(action),
            Context::CardServices | Context::CardMessages => self.card_tab_key(action),
            Context::PayForm | Context::PayConfirm | Context::PayDone => self.pay_key(ev, action),
            Context::History | Context::HistoryFilter => self.history_key(ev, action),
            Context::TariffList | Context::TariffConfirm | Context::TariffDone => self.tariff_key(action),
            Context::Houses
            | Context::HouseView
            | Context::Switches
            | Context::Ports
            | Context::CustomerMarks
            | Context::AdminMenu
            | Context::Operators
            | Context::AdminList
            | Context::AdminCatalogue => self.list_key(action),
            Context::Network | Context::NetworkConfirm => self.network_key(action),
            Context::Form | Context::FormChoice | Context::FormPick | Context::FormConfirm => {
                self.form_key(ev, action)
            }
            Context::Picker => self.picker_key(ev, action, now),
            Context::MergeConfirm | Context::MergeDone => self.merge_key(action),
            Context::Command => self.command_key(ev, action, now),
            Context::Help => Vec::new(),
        }
    }

    fn open_command(&mut self) {
        self.command = Some(CommandLine { input: Input::new(120), recall: None });
    }

    fn command_key(&mut self, ev: &KeyEvent, action: Option<Action>, now: Instant) -> Vec<Effect> {
        let history_len = self.command_history.len();
        let Some(c) = &mut self.command else { return Vec::new() };
        match action {
            Some(Action::Back) => self.command = None,
            Some(Action::Submit) => {
                let line = c.input.text();
                self.command = None;
                return self.run_command(&line, now);
            }
            Some(Action::Up) if history_len > 0 => {
                let i = c.recall.map(|i| i.saturating_sub(1)).unwrap_or(history_len - 1);
                c.recall = Some(i);
                c.input.set(&self.command_history[i]);
            }
            Some(Action::Down) => match c.recall {
                Some(i) if i + 1 < history_len => {
                    c.recall = Some(i + 1);
                    c.input.set(&self.command_history[i + 1]);
                }
                Some(_) => {
                    c.recall = None;
                    c.input.clear();
                }
                None => {}
            },
            _ => {
                c.input.handle(ev);
            }
        }
        Vec::new()
    }

    /// Runs one command-line command (`:c 10234`, `:pay 500`, `:q` …). Command words also work
    /// when typed on a Russian layout (`:зфн` is `:pay`).
    pub fn run_command(&mut self, line: &str, now: Instant) -> Vec<Effect> {
        let line = line.trim().trim_start_matches(':').trim();
        if line.is_empty() {
            return Vec::new();
        }
        if self.command_history.last().map(String::as_str) != Some(line) {
            self.command_history.push(line.to_string());
            if self.command_history.len() > COMMAND_HISTORY {
                self.command_history.remove(0);
            }
        }
        let (word, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let word: String = word.chars().map(latin_of).collect();
        let arg = arg.trim();
        let s = self.strings();
        let on_card = matches!(self.screen(), Screen::Card(c) if c.card.is_some());
        match word.as_str() {
            "q" | "quit" | "exit" => self.quit = true,
            "help" | "?" => self.help = true,
            "lang" => {
                self.lang = match arg.to_lowercase().as_str() {
                    "ru" | "рус" => Lang::Ru,
                    "en" | "eng" => Lang::En,
                    _ => self.lang.other(),
                }
            }
            "c" | "customer" | "open" if arg.is_empty() => {
                self.status = Some(format!("{}: :{word} …", s.cmd_needs_arg));
            }
            "c" | "customer" | "open" => {
                let req = self.req();
                self.resolving = Some((req, arg.to_string()));
                return vec![Effect::Resolve { req, reference: arg.to_string() }];
            }
            "s" | "search" | "find" => {
                self.screens.truncate(1);
                if let Screen::Search(search) = self.screen_mut() {
                    search.input.set(arg);
                    search.due_at = Some(now);
                }
            }
            "pay" | "p" | "h" | "history" | "t" | "tariff" if !on_card => {
                self.status = Some(s.cmd_needs_card.to_string());
            }
            "h" | "history" => return self.card_key(Some(Action::History)),
            "t" | "tariff" => return self.card_key(Some(Action::Tariff)),
            "pay" | "p" => {
                let parsed = Money::parse_positive(arg).map_err(|e| self.money_error_text(&e));
                let effects = self.card_key(Some(Action::Pay));
                if !arg.is_empty()
                    && let Screen::Pay(p) = self.screen_mut()
                {
                    p.amount.set(arg);
                    match parsed {
                        Ok(amount) => p.stage = PayStage::Confirm { amount },
                        Err(text) => p.error = Some((0, text)),
                    }
                }
                return effects;
            }
            other => {
                if let Some(effects) = self.network_command(other, arg) {
                    return effects;
                }
                self.status = Some(format!("{} «{word}». {}", s.cmd_unknown, s.cmd_list));
            }
        }
        Vec::new()
    }

    /// A card's action asked for from the command line: only on a card.
    pub(super) fn card_action(&mut self, action: Action) -> Vec<Effect> {
        if matches!(self.screen(), Screen::Card(c) if c.card.is_some()) {
            self.card_key(Some(action))
        } else {
            self.status = Some(self.strings().cmd_needs_card.to_string());
            Vec::new()
        }
    }

    fn login_key(&mut self, ev: &KeyEvent, action: Option<Action>) -> Vec<Effect> {
        let req = self.req();
        let Screen::Login(l) = self.screen_mut() else { return Vec::new() };
        if l.pending.is_some() {
            return Vec::new();
        }
        match action {
            Some(Action::NextField) | Some(Action::PrevField) => l.focus = 1 - l.focus,
            Some(Action::Submit) if l.focus == 0 => l.focus = 1,
            Some(Action::Submit) => {
                l.pending = Some(req);
                l.error = None;
                return vec![Effect::Login { req, login: l.operator.text(), password: l.password.text() }];
            }
            _ => {
                let field = if l.focus == 0 { &mut l.operator } else { &mut l.password };
                field.handle(ev);
            }
        }
        Vec::new()
    }

    fn search_key(&mut self, ev: &KeyEvent, action: Option<Action>, now: Instant) -> Vec<Effect> {
        if self.refused(action) {
            return Vec::new();
        }
        let req = self.req();
        let Screen::Search(s) = self.screen_mut() else { return Vec::new() };
        let n = s.results.len();
        match action {
            Some(Action::Up) => s.selected = s.selected.saturating_sub(1),
            Some(Action::Down) => s.selected = (s.selected + 1).min(n.saturating_sub(1)),
            Some(Action::PageUp) => s.selected = s.selected.saturating_sub(10),
            Some(Action::PageDown) => s.selected = (s.selected + 10).min(n.saturating_sub(1)),
            Some(Action::Home) => s.selected = 0,
            Some(Action::End) => s.selected = n.saturating_sub(1),
            Some(Action::ToggleFormer) => {
                s.former = !s.former;
                s.due_at = Some(now);
            }
            Some(Action::Clear) => {
                s.input.clear();
                s.due_at = Some(now);
            }
            Some(Action::Command) if s.input.is_empty() && ev.code == KeyCode::Char(':') => {
                self.open_command();
            }
            Some(Action::Houses) => {
                return self.open_list(ListKind::Houses);
            }
            Some(Action::Switches) => {
                return self.open_list(ListKind::Switches);
            }
            Some(Action::AddCustomer) => return self.prepare_form(FormKind::CustomerAdd),
            Some(Action::Admin) => return self.open_list(ListKind::Admin),
            Some(Action::Open) => {
                if s.due_at.is_some() || s.pending.is_some() {
                    // Enter before the results of what was typed: search now, open nothing yet
                    s.due_at = None;
                    s.pending = Some(req);
                    return vec![Effect::Search { req, text: s.input.text(), former: s.former }];
                }
                if let Some(c) = s.results.get(s.selected) {
                    let id = c.id;
                    return self.open_card(id);
                }
            }
            _ => {
                if s.input.handle(ev) == Some(true) {
                    s.due_at = Some(now + SEARCH_DEBOUNCE);
                }
            }
        }
        Vec::new()
    }

    /// The search that has waited out the pause, if any (called from the loop's timer).
    pub fn due_search(&mut self, now: Instant) -> Vec<Effect> {
        if matches!(self.screen(), Screen::Picker(_)) {
            return self.due_pick(now);
        }
        let req = self.next_req + 1;
        let Screen::Search(s) = self.screen_mut() else { return Vec::new() };
        match s.due_at {
            Some(at) if at <= now => {
                s.due_at = None;
                s.pending = Some(req);
                let effect = Effect::Search { req, text: s.input.text(), former: s.former };
                self.next_req = req;
                vec![effect]
            }
            _ => Vec::new(),
        }
    }

    /// When the next debounced search is due.
    pub fn next_deadline(&self) -> Option<Instant> {
        match self.screen() {
            Screen::Search(s) => s.due_at,
            Screen::Picker(p) => p.due_at,
            _ => None,
        }
    }

    pub(super) fn open_card(&mut self, id: i64) -> Vec<Effect> {
        let req = self.req();
        self.screens.push(Screen::Card(Box::new(CardScreen::new(id, Some(req)))));
        vec![Effect::Card { req, id }]
    }

    pub(super) fn card_key(&mut self, action: Option<Action>) -> Vec<Effect> {
        if self.refused(action) {
            return Vec::new();
        }
        let s = self.strings();
        let req = self.req();
        let Screen::Card(c) = self.screen_mut() else { return Vec::new() };
        match action {
            Some(Action::NextTab) => return self.switch_tab(1),
            Some(Action::PrevTab) => return self.switch_tab(-1),
            Some(a @ (Action::EditCustomer | Action::Marks | Action::Merge | Action::DeleteCustomer)) => {
                if let Some(card) = c.card.clone() {
                    return self.record_action(a, &card);
                }
            }
            Some(Action::Back) => {
                self.screens.pop();
            }
            Some(Action::Refresh) => return self.reload_top(),
            Some(Action::Pay) => {
                if let Some(card) = c.card.clone() {
                    let mut pay = PayScreen::new(card);
                    pay.pending = Some(req);
                    self.screens.push(Screen::Pay(Box::new(pay)));
                    return vec![Effect::PeekReceipt { req }];
                }
            }
            Some(Action::History) => {
                let (id, title) =
                    (c.id, c.card.as_ref().map(|k| k.customer.name.clone()).unwrap_or_default());
                let mut history = HistoryScreen::new(id, title);
                history.pending = Some(req);
                self.screens.push(Screen::History(history));
                return vec![Effect::History { req, query: history_query(id, 0, None, None) }];
            }
            Some(Action::Tariff) => {
                if let Some(card) = c.card.clone() {
                    let customer_id = card.customer.id;
                    let mut tariff = TariffScreen::new(card, chrono::Utc::now().date_naive());
                    tariff.pending = Some(req);
                    self.screens.push(Screen::Tariff(Box::new(tariff)));
                    return vec![Effect::Tariffs { req, customer_id }];
                }
            }
            Some(Action::Network) => {
                if let Some(card) = &c.card {
                    let title = format!(
                        "{}  {}",
                        card.customer.name,
                        card.customer.agreement_number.as_deref().unwrap_or("")
                    );
                    let id = c.id;
                    return self.open_network(id, title);
                }
            }
            Some(Action::Promise) => {
                let id = c.id;
                let form = FormScreen::new(
                    FormKind::Promise(id),
                    vec![
                        field("amount", |s| s.net.f_amount, 16, ""),
                        field("days", |s| s.net.f_days, 3, "3"),
                    ],
                );
                return self.open_form(form);
            }
            Some(Action::CreditLimit) => {
                if let Some(card) = &c.card {
                    let id = c.id;
                    let now = card.customer.credit_limit.format_ru();
                    let form = FormScreen::new(
                        FormKind::CreditLimit(id),
                        vec![field("amount", |s| s.net.f_amount, 16, &now)],
                    );
                    return self.open_form(form);
                }
            }
            Some(Action::State) => {
                if let Some(card) = &c.card {
                    use crate::domain::customer::CustomerState;
                    let id = c.id;
                    let options = [
                        (CustomerState::Active, s.state_active),
                        (CustomerState::Pause, s.state_pause),
                        (CustomerState::Stop, s.state_stop),
                    ]
                    .iter()
                    .map(|(st, name)| (st.as_str().to_string(), name.to_string()))
                    .collect();
                    let form = FormScreen::new(
                        FormKind::State(id),
                        vec![choice("state", |s| s.net.f_state, options, card.customer.state.as_str())],
                    );
                    return self.open_form(form);
                }
            }
            Some(Action::Former) => {
                if let Some(card) = &c.card {
                    let subject = format!(
                        "{} {}",
                        card.customer.agreement_number.as_deref().unwrap_or("—"),
                        card.customer.name
                    );
                    let form =
                        FormScreen::question(FormKind::Former(c.id, !card.customer.is_former), subject);
                    return self.open_form(form);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn tariff_key(&mut self, action: Option<Action>) -> Vec<Effect> {
        let req = self.req();
        let none = self.strings().tariff_none;
        let Screen::Tariff(t) = self.screen_mut() else { return Vec::new() };
        let n = t.tariffs.as_ref().map(Vec::len).unwrap_or(0);
        match (&t.stage, action) {
            (TariffStage::List, Some(Action::Back)) => {
                self.screens.pop();
            }
            (TariffStage::List, Some(Action::Up)) => t.selected = t.selected.saturating_sub(1),
            (TariffStage::List, Some(Action::Down)) => t.selected = (t.selected + 1).min(n.saturating_sub(1)),
            (TariffStage::List, Some(Action::Home)) => t.selected = 0,
            (TariffStage::List, Some(Action::End)) => t.selected = n.saturating_sub(1),
            (TariffStage::List, Some(Action::ToggleWhen)) => {
                t.when = match t.when {
                    When::Now => When::NextPeriod,
                    When::NextPeriod => When::Now,
                }
            }
            (TariffStage::List, Some(Action::Submit)) if t.pending.is_none() => {
                if t.chosen().is_some() {
                    t.error = None;
                    t.stage = TariffStage::Confirm;
                } else {
                    t.error = Some(none.to_string());
                }
            }
            (TariffStage::Confirm, Some(Action::Back)) => t.stage = TariffStage::List,
            (TariffStage::Confirm, Some(Action::Confirm)) => {
                if let Some(to) = t.chosen() {
                    let effect = Effect::ChangeTariff {
                        req,
                        customer_id: t.card.customer.id,
                        tariff_id: to.id,
                        when: t.when,
                        today: t.today,
                    };
                    t.stage = TariffStage::Saving;
                    t.pending = Some(req);
                    return vec![effect];
                }
            }
            // back on the card, which now shows the change
            (TariffStage::Done(_), Some(Action::Back)) => return self.back_to_card(),
            _ => {}
        }
        Vec::new()
    }

    fn pay_key(&mut self, ev: &KeyEvent, action: Option<Action>) -> Vec<Effect> {
        let req = self.req();
        let parsed = match self.screen() {
            Screen::Pay(p) => Money::parse_positive(&p.amount.text()).map_err(|e| self.money_error_text(&e)),
            _ => return Vec::new(),
        };
        let bad_receipt = self.strings().receipt_invalid;
        let Screen::Pay(p) = self.screen_mut() else { return Vec::new() };
        match (&p.stage, action) {
            (PayStage::Form, Some(Action::Back)) => {
                self.screens.pop();
            }
            (PayStage::Form, Some(Action::NextField)) => p.focus = (p.focus + 1) % PAY_FIELDS,
            (PayStage::Form, Some(Action::PrevField)) => p.focus = (p.focus + PAY_FIELDS - 1) % PAY_FIELDS,
            (PayStage::Form, Some(Action::NextMethod)) if p.focus == 1 => p.method = (p.method + 1) % 4,
            (PayStage::Form, Some(Action::PrevMethod)) if p.focus == 1 => p.method = (p.method + 3) % 4,
            (PayStage::Form, Some(Action::Clear)) => {
                match p.focus {
                    0 => p.amount.clear(),
                    2 => p.receipt.clear(),
                    3 => p.comment.clear(),
                    _ => {}
                }
                p.error = None;
            }
            (PayStage::Form, Some(Action::Submit)) => match parsed {
                Ok(_) if !receipt_ok(&p.receipt.text()) => {
                    p.error = Some((2, bad_receipt.to_string()));
                    p.focus = 2;
                }
                Ok(amount) => {
                    p.error = None;
                    p.stage = PayStage::Confirm { amount };
                }
                Err(text) => {
                    p.error = Some((0, text));
                    p.focus = 0;
                }
            },
            (PayStage::Form, _) => {
                let field = match p.focus {
                    0 => Some(&mut p.amount),
                    2 => Some(&mut p.receipt),
                    3 => Some(&mut p.comment),
                    _ => None,
                };
                if let Some(f) = field
                    && f.handle(ev) == Some(true)
                {
                    p.error = None;
                }
            }
            (PayStage::Confirm { .. }, Some(Action::Back)) => p.stage = PayStage::Form,
            (PayStage::Confirm { amount }, Some(Action::Confirm)) => {
                let amount = *amount;
                p.stage = PayStage::Posting { amount };
                p.pending = Some(req);
                let receipt = p.receipt.text();
                let comment = p.comment.text();
                let request = PaymentRequest {
                    customer_id: p.card.customer.id,
                    amount,
                    method: method_of(p.method),
                    receipt_number: Some(receipt).filter(|r| !r.trim().is_empty()),
                    comment: Some(comment).filter(|c| !c.trim().is_empty()),
                    idempotency_key: Some(p.key.clone()),
                };
                return vec![Effect::Post { req, request }];
            }
            // back on the card, with the new balance
            (PayStage::Done(_), Some(Action::Back)) => return self.back_to_card(),
            _ => {}
        }
        Vec::new()
    }

    fn history_key(&mut self, ev: &KeyEvent, action: Option<Action>) -> Vec<Effect> {
        let req = self.req();
        let not_a_date = self.strings().date_invalid;
        let wrong_order = self.strings().date_order;
        let Screen::History(h) = self.screen_mut() else { return Vec::new() };
        let rows = h.page.as_ref().map(|p| p.operations.len()).unwrap_or(0);
        let total = h.page.as_ref().map(|p| p.total_count).unwrap_or(0);
        if h.filter_open {
            match action {
                Some(Action::Back) => h.filter_open = false,
                Some(Action::NextField) | Some(Action::PrevField) => h.filter_focus = 1 - h.filter_focus,
                Some(Action::Submit) => {
                    let parse = |i: &Input| -> Result<Option<NaiveDate>, String> {
                        let t = i.text();
                        if t.trim().is_empty() {
                            Ok(None)
                        } else {
                            parse_date(&t).map(Some).map_err(|_| format!("«{}» {not_a_date}", t.trim()))
                        }
                    };
                    match (parse(&h.from), parse(&h.to)) {
                        (Ok(from), Ok(to)) if check_period(from, to).is_err() => {
                            h.error = Some(wrong_order.to_string())
                        }
                        (Ok(from), Ok(to)) => {
                            h.filter_open = false;
                            h.offset = 0;
                            h.selected = 0;
                            h.error = None;
                            h.pending = Some(req);
                            return vec![Effect::History {
                                req,
                                query: history_query(h.customer_id, 0, from, to),
                            }];
                        }
                        (Err(e), _) | (_, Err(e)) => h.error = Some(e),
                    }
                }
                _ => {
                    let f = if h.filter_focus == 0 { &mut h.from } else { &mut h.to };
                    f.handle(ev);
                }
            }
            return Vec::new();
        }
        let reload = |h: &mut HistoryScreen, offset: i64| {
            h.offset = offset;
            h.selected = 0;
            h.pending = Some(req);
            let from = parse_date(&h.from.text()).ok();
            let to = parse_date(&h.to.text()).ok();
            vec![Effect::History { req, query: history_query(h.customer_id, offset, from, to) }]
        };
        match action {
            Some(Action::Back) => {
                self.screens.pop();
            }
            Some(Action::Up) => h.selected = h.selected.saturating_sub(1),
            Some(Action::Down) => h.selected = (h.selected + 1).min(rows.saturating_sub(1)),
            Some(Action::Home) => return reload(h, 0),
            Some(Action::End) => return reload(h, ((total - 1).max(0) / HISTORY_PAGE) * HISTORY_PAGE),
            Some(Action::PageDown) if h.offset + HISTORY_PAGE < total => {
                return reload(h, h.offset + HISTORY_PAGE);
            }
            Some(Action::PageUp) if h.offset > 0 => return reload(h, (h.offset - HISTORY_PAGE).max(0)),
            Some(Action::Refresh) => return reload(h, h.offset),
            Some(Action::Filter) => {
                h.filter_open = true;
                h.filter_focus = 0;
            }
            _ => {}
        }
        Vec::new()
    }

    /// Takes a service result. Results for requests no longer awaited are dropped.
    /// Applies a service answer. A payment that failed after the cashier asked to quit keeps
    /// the console open on its form (the cashier may have taken the cash); an answer saying
    /// the operator's session ended takes the console back to its login screen.
    pub fn outcome(&mut self, req: ReqId, outcome: Outcome) -> Vec<Effect> {
        let post_failed = matches!(&outcome, Outcome::Posted(Err(_)));
        let effects = self.outcome_inner(req, outcome);
        if post_failed && self.quit && !self.forced_quit {
            self.quit = false;
            self.status = Some(self.strings().quit_post_failed.to_string());
        }
        if let Some(why) = self.session_end.take() {
            self.end_session(why);
            return Vec::new();
        }
        effects
    }

    fn outcome_inner(&mut self, req: ReqId, outcome: Outcome) -> Vec<Effect> {
        self.dirty = true;
        let outcome = match self.net_outcome(req, outcome) {
            Ok(effects) => return effects,
            Err(other) => *other,
        };
        match outcome {
            Outcome::NoSession(e) => {
                // error_text notes the session's end; `outcome` then goes back to the login
                let _ = self.error_text(&e);
            }
            Outcome::Login(r) => {
                if self.awaiting(req).is_none() {
                    return Vec::new();
                }
                match r {
                    Ok(actor) => {
                        self.actor = Some(actor);
                        self.screens = vec![Screen::Search(SearchScreen::new())];
                    }
                    Err(e) => {
                        let text = self.error_text(&e);
                        if let Screen::Login(l) = self.screen_mut() {
                            l.error = Some(text);
                            l.password.clear();
                        }
                    }
                }
            }
            Outcome::Search(r) => {
                let text = r.as_ref().err().map(|e| self.error_text(e));
                if let Some(Screen::Search(s)) = self.awaiting(req) {
                    match r {
                        Ok(res) => {
                            s.query = res.query;
                            s.results = res.customers;
                            s.selected = 0;
                            s.error = None;
                        }
                        Err(_) => s.error = text,
                    }
                }
            }
            Outcome::Card(r) => {
                let text = r.as_ref().as_ref().err().map(|e| self.error_text(e));
                if let Some(Screen::Card(c)) = self.awaiting(req) {
                    match *r {
                        Ok(card) => {
                            c.card = Some(card);
                            c.error = None;
                        }
                        Err(_) => c.error = text,
                    }
                }
            }
            Outcome::Receipt(r) => {
                if let Some(Screen::Pay(p)) = self.awaiting(req)
                    && let Ok(next) = r
                {
                    p.next_receipt = Some(next);
                }
            }
            Outcome::Posted(r) => {
                let text = r.as_ref().err().map(|e| self.error_text(e));
                if let Some(Screen::Pay(p)) = self.awaiting(req) {
                    match r {
                        Ok(done) => p.stage = PayStage::Done(Box::new(done)),
                        Err(e) => {
                            // nothing was written: back to the form with the reason, under
                            // the field it is about
                            let field = pay_field_of(&e);
                            p.stage = PayStage::Form;
                            p.focus = field;
                            p.error = Some((field, text.unwrap_or_default()));
                        }
                    }
                }
            }
            Outcome::History(r) => {
                let text = r.as_ref().err().map(|e| self.error_text(e));
                if let Some(Screen::History(h)) = self.awaiting(req) {
                    match r {
                        Ok(page) => {
                            h.page = Some(page);
                            h.error = None;
                        }
                        Err(_) => h.error = text,
                    }
                }
            }
            Outcome::Tariffs(r) => {
                let text = r.as_ref().err().map(|e| self.error_text(e));
                if let Some(Screen::Tariff(t)) = self.awaiting(req) {
                    match r {
                        Ok(list) => {
                            t.tariffs = Some(list);
                            t.selected = 0;
                        }
                        Err(_) => t.error = text,
                    }
                }
            }
            Outcome::TariffChanged(r) => {
                let text = r.as_ref().as_ref().err().map(|e| self.error_text(e));
                if let Some(Screen::Tariff(t)) = self.awaiting(req) {
                    match *r {
                        Ok(done) => t.stage = TariffStage::Done(Box::new(done)),
                        Err(_) => {
                            t.stage = TariffStage::List;
                            t.error = text;
                        }
                    }
                }
            }
            Outcome::List(_) | Outcome::Network(_) | Outcome::Saved(_) | Outcome::Secrets(_) => {}
            Outcome::FormData(r) => return self.form_data_outcome(req, *r),
            Outcome::Picks(r) => self.picks_outcome(req, r),
            o @ (Outcome::MergePreview(_) | Outcome::Merged(_)) => return self.merge_outcome(req, o),
            Outcome::Tab(r) => return self.tab_outcome(req, *r),
            Outcome::Resolved(_) if self.resolving.as_ref().map(|r| r.0) != Some(req) => {}
            Outcome::Resolved(r) => match r {
                Ok(id) => {
                    self.resolving = None;
                    // the new card opens over the search screen: Esc goes back to searching
                    self.screens.truncate(1);
                    return self.open_card(id);
                }
                Err(e) => {
                    let typed = self.resolving.take().map(|r| r.1).unwrap_or_default();
                    self.status = Some(match e {
                        ServiceError::NotFound(_) => format!("{} {typed}", self.strings().customer_not_found),
                        other => self.error_text(&other),
                    });
                }
            },
        }
        Vec::new()
    }

    /// The screen waiting for request `req`, no longer waiting; `None` when no screen waits for
    /// it any more (its answer is stale and is dropped).
    pub(super) fn awaiting(&mut self, req: ReqId) -> Option<&mut Screen> {
        let screen = self.screens.iter_mut().find(|s| s.pending() == Some(req))?;
        screen.set_pending(None);
        Some(screen)
    }

    /// Leaves the screen on top for the card under it, reloading the card (its balance or
    /// tariff has just changed).
    pub(super) fn back_to_card(&mut self) -> Vec<Effect> {
        self.screens.pop();
        match self.screen() {
            Screen::Card(_) => self.reload_top(),
            _ => Vec::new(),
        }
    }
}

impl Screen {
    /// The request this screen waits for, if any.
    fn pending(&self) -> Option<ReqId> {
        match self {
            Screen::Login(s) => s.pending,
            Screen::Search(s) => s.pending,
            Screen::Card(s) => s.pending,
            Screen::Pay(s) => s.pending,
            Screen::History(s) => s.pending,
            Screen::Tariff(s) => s.pending,
            Screen::List(s) => s.pending,
            Screen::Network(s) => s.pending,
            Screen::Form(s) => s.pending,
            Screen::Picker(s) => s.pending,
            Screen::Merge(s) => s.pending,
        }
    }

    fn set_pending(&mut self, req: Option<ReqId>) {
        match self {
            Screen::Login(s) => s.pending = req,
            Screen::Search(s) => s.pending = req,
            Screen::Card(s) => s.pending = req,
            Screen::Pay(s) => s.pending = req,
            Screen::History(s) => s.pending = req,
            Screen::Tariff(s) => s.pending = req,
            Screen::List(s) => s.pending = req,
            Screen::Network(s) => s.pending = req,
            Screen::Form(s) => s.pending = req,
            Screen::Picker(s) => s.pending = req,
            Screen::Merge(s) => s.pending = req,
        }
    }
}

/// The payment form's field a refusal is about (the amount when it names none).
fn pay_field_of(e: &ServiceError) -> usize {
    match e {
        ServiceError::Invalid { field, .. } if field == "receipt" => 2,
        ServiceError::Invalid { field, .. } if field == "comment" => 3,
        ServiceError::Invalid { field, .. } if field == "method" => 1,
        ServiceError::ReceiptUsed { .. } => 2,
        _ => 0,
    }
}

/// A receipt number the service will take: empty (the next one is used) or a valid number.
fn receipt_ok(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || valid_receipt_number(t)
}

fn history_query(
    customer_id: i64,
    offset: i64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> HistoryQuery {
    HistoryQuery { customer_id, from, to, kinds: Vec::new(), limit: HISTORY_PAGE, offset }
}
