//! The console's state and how it changes. `App::key` and `App::outcome` are plain functions:
//! they change the state and return the effects to run (service calls). Every effect carries a
//! request id; an outcome for an id that is no longer awaited is dropped, so a slow search for
//! an older query never replaces a newer one.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyEvent, KeyEventKind};

use super::form::{FormKind, FormScreen, Values};
use super::input::Input;
use super::keymap::{Action, Context, action_for, latin_of};
use super::net::{ListData, ListKind, ListScreen, NetworkScreen};
use super::picker::{PickFor, PickItem, PickKind, PickerScreen};
use super::records::{AfterSave, CardTab, FormData, MergeScreen, TabData, customer_form, service_form};
use super::screens::{Cx, Nav, Step};
use super::strings::{Lang, Strings};

pub use super::screens::card::CardScreen;
pub use super::screens::history::{HISTORY_PAGE, HistoryScreen};
pub use super::screens::login::LoginScreen;
pub use super::screens::pay::{PAY_FIELDS, PayScreen, PayStage};
pub use super::screens::search::SearchScreen;
pub use super::screens::tariff::{TariffScreen, TariffStage};
use super::theme::Theme;
use crate::domain::customer::LookupKind;
use crate::domain::money::{Money, MoneyError};
use crate::domain::role::Permission;
use crate::service::{
    Actor, AddressRecord, CustomerCard, CustomerNetwork, HistoryPage, HistoryQuery, MergeOutcome,
    MergePreview, PaymentRequest, PostOutcome, SearchResult, ServiceError, Switch, Tariff,
    TariffChangeOutcome, When,
};

/// How long typing must pause before a search runs.
pub const SEARCH_DEBOUNCE: Duration = Duration::from_millis(120);
/// Results asked for per search.
pub const SEARCH_LIMIT: i64 = 100;

pub type ReqId = u64;

/// A service call the state asks for.
#[derive(Debug, Clone)]
pub enum Effect {
    Login {
        req: ReqId,
        login: String,
        password: String,
    },
    Search {
        req: ReqId,
        text: String,
        former: bool,
    },
    Card {
        req: ReqId,
        id: i64,
    },
    PeekReceipt {
        req: ReqId,
    },
    Post {
        req: ReqId,
        request: PaymentRequest,
    },
    History {
        req: ReqId,
        query: HistoryQuery,
    },
    Tariffs {
        req: ReqId,
        customer_id: i64,
    },
    ChangeTariff {
        req: ReqId,
        customer_id: i64,
        tariff_id: i64,
        when: When,
        today: NaiveDate,
    },
    Resolve {
        req: ReqId,
        reference: String,
    },
    LoadList {
        req: ReqId,
        kind: ListKind,
    },
    LoadNetwork {
        req: ReqId,
        customer_id: i64,
    },
    SaveForm {
        req: ReqId,
        kind: FormKind,
        values: Values,
        take_over: bool,
    },
    DeleteAddress {
        req: ReqId,
        customer_id: i64,
        record: AddressRecord,
    },
    Unbind {
        req: ReqId,
        customer_id: i64,
    },
    Secrets {
        req: ReqId,
        switch_id: i64,
    },
    Lookup {
        req: ReqId,
        kind: LookupKind,
        value: String,
    },
    PrepareForm {
        req: ReqId,
        kind: FormKind,
    },
    PickSearch {
        req: ReqId,
        kind: PickKind,
        text: String,
    },
    MergePreview {
        req: ReqId,
        main: i64,
        secondary: i64,
    },
    Merge {
        req: ReqId,
        main: i64,
        secondary: i64,
    },
    LoadTab {
        req: ReqId,
        customer_id: i64,
        tab: CardTab,
        archived: bool,
    },
    ToggleService {
        req: ReqId,
        id: i64,
        enabled: bool,
    },
    ArchiveMessage {
        req: ReqId,
        id: i64,
        archived: bool,
    },
    SetMark {
        req: ReqId,
        customer_id: i64,
        mark_id: i64,
        on: bool,
    },
    /// A payment's receipt on the desk's printer (the answer goes to the status line).
    PrintReceipt {
        req: ReqId,
        operation_id: i64,
    },
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
            | Effect::SetMark { req, .. }
            | Effect::PrintReceipt { req, .. } => *req,
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
    /// The counter's next receipt number and the payment methods switched on.
    Receipt(Result<(String, Vec<crate::domain::ledger::PayMethod>), ServiceError>),
    Posted(Box<Result<PostOutcome, ServiceError>>),
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
    Printed(Box<Result<crate::service::Receipt, ServiceError>>),
}

impl Outcome {
    /// The service's refusal carried by this answer, if it is one.
    fn refusal(&self) -> Option<&ServiceError> {
        match self {
            Outcome::NoSession(e) => Some(e),
            Outcome::Login(r) => r.as_ref().err(),
            Outcome::Search(r) => r.as_ref().err(),
            Outcome::Card(r) => r.as_ref().as_ref().err(),
            Outcome::Receipt(r) => r.as_ref().err(),
            Outcome::Posted(r) => r.as_ref().as_ref().err(),
            Outcome::History(r) => r.as_ref().err(),
            Outcome::Tariffs(r) => r.as_ref().err(),
            Outcome::TariffChanged(r) => r.as_ref().as_ref().err(),
            Outcome::Resolved(r) => r.as_ref().err(),
            Outcome::List(r) => r.as_ref().as_ref().err(),
            Outcome::Network(r) => r.as_ref().as_ref().err(),
            Outcome::Saved(r) => r.as_ref().err(),
            Outcome::Secrets(r) => r.as_ref().err(),
            Outcome::FormData(r) => r.as_ref().as_ref().err(),
            Outcome::Picks(r) => r.as_ref().err(),
            Outcome::MergePreview(r) => r.as_ref().as_ref().err(),
            Outcome::Merged(r) => r.as_ref().as_ref().err(),
            Outcome::Tab(r) => r.as_ref().as_ref().err(),
            Outcome::Printed(r) => r.as_ref().as_ref().err(),
        }
    }

    /// Whether this answer says the operator's session has ended (locked out, another role).
    pub fn session_end(&self) -> Option<crate::service::SessionEnd> {
        match self.refusal() {
            Some(ServiceError::SessionEnded(end)) => Some(*end),
            _ => None,
        }
    }
}

/// The `:` command line: what is being typed and where in the history Up/Down has got to.
pub struct CommandLine {
    pub input: Input,
    pub recall: Option<usize>,
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
    /// How far the help is scrolled (it can be longer than the window).
    pub help_scroll: u16,
    pub quit: bool,
    /// A status line message (errors that belong to no field).
    pub status: Option<String>,
    pub(super) next_req: ReqId,
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
    /// The window's size as the loop last saw it. Below 80×24 only quitting acts: a key
    /// typed blind must never take a payment on a screen nobody can read.
    pub size: (u16, u16),
}

/// How many commands the command line remembers.
pub const COMMAND_HISTORY: usize = 100;

impl App {
    pub fn new(lang: Lang, theme: Theme, operator: Option<&str>) -> App {
        let login = LoginScreen::new(operator, None);
        App {
            lang,
            theme,
            actor: None,
            screens: vec![Screen::Login(login)],
            help: false,
            help_scroll: 0,
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
            size: (super::ui::MIN_WIDTH, super::ui::MIN_HEIGHT),
        }
    }

    /// Starts with `actor` logged in already (`kassa serve`: an SSH key the operator has).
    pub fn logged_in(mut self, actor: Actor) -> App {
        self.actor = Some(actor);
        self.screens = vec![Screen::Search(SearchScreen::new())];
        self
    }

    /// Back to the login screen, the operator's login filled in, with why.
    fn end_session(&mut self, why: String) {
        let login = self.actor.take().map(|a| a.login);
        let screen = LoginScreen::new(login.as_deref(), Some(why));
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
            Screen::Login(l) => l.context(),
            Screen::Search(s) => s.context(),
            Screen::Card(c) => c.context(),
            Screen::Pay(p) => p.context(),
            Screen::History(h) => h.context(),
            Screen::Tariff(t) => t.context(),
            Screen::List(l) => l.context(),
            Screen::Network(n) => n.context(),
            Screen::Form(fm) => fm.context(),
            Screen::Picker(p) => p.context(),
            Screen::Merge(m) => m.context(),
        }
    }

    /// Whether a payment is being written (quitting waits for it).
    pub fn posting(&self) -> bool {
        self.screens.iter().any(|s| matches!(s, Screen::Pay(p) if p.posting()))
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

    /// A service refusal in the console's words (see `screens::error_text`).
    pub fn error_text(&self, e: &ServiceError) -> String {
        super::screens::error_text(self.strings(), e)
    }

    /// Why an amount was refused, in the console's language.
    pub fn money_error_text(&self, e: &MoneyError) -> String {
        super::screens::money_error_text(self.strings(), e)
    }

    /// Whether the window is below the size every screen needs (then it says so, and only
    /// quitting acts).
    pub fn too_small(&self) -> bool {
        self.size.0 < super::ui::MIN_WIDTH || self.size.1 < super::ui::MIN_HEIGHT
    }

    /// Handles pasted text: it goes to the focused text field, if any.
    #[allow(clippy::collapsible_match)] // the search arm must change state after inserting
    pub fn paste(&mut self, text: &str) -> Vec<Effect> {
        if self.too_small() {
            return Vec::new();
        }
        self.dirty = true;
        let now = Instant::now();
        if let Some(c) = &mut self.command {
            c.input.insert(text);
            return Vec::new();
        }
        match self.screen_mut() {
            Screen::Login(l) => l.paste(text),
            Screen::Search(s) => s.paste(text, now),
            Screen::Pay(p) => p.paste(text),
            Screen::History(h) => h.paste(text),
            Screen::Form(fm) => fm.paste(text),
            Screen::Picker(p) => p.paste(text, now),
            _ => {}
        }
        Vec::new()
    }

    /// Handles one key event; returns the service calls it asks for.
    pub fn key(&mut self, ev: &KeyEvent, now: Instant) -> Vec<Effect> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let ev = &terminal_key(ev);
        self.dirty = true;
        let ctx = self.context();
        let action = action_for(ctx, ev);
        if self.too_small() {
            self.quit |= action == Some(Action::Quit);
            return Vec::new();
        }
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
            let max = super::ui::help_scroll_max(self, self.size.1);
            self.help_scroll = match action {
                Some(Action::Back) => {
                    self.help = false;
                    0
                }
                Some(Action::Up) => self.help_scroll.saturating_sub(1),
                Some(Action::Down) => (self.help_scroll + 1).min(max),
                Some(Action::PageUp) => self.help_scroll.saturating_sub(10),
                Some(Action::PageDown) => (self.help_scroll + 10).min(max),
                _ => self.help_scroll,
            };
            return Vec::new();
        }
        self.status = None;
        if action == Some(Action::Command) && !matches!(ctx, Context::Search | Context::Posting) {
            self.open_command();
            return Vec::new();
        }
        match ctx {
            Context::Login => self.screen_key(ev, action, now),
            Context::Search => self.screen_key(ev, action, now),
            Context::Card => self.card_key(action),
            Context::CardServices | Context::CardMessages => self.card_key(action),
            Context::PayForm
            | Context::PayConfirm
            | Context::PayDone
            | Context::History
            | Context::HistoryFilter
            | Context::TariffList
            | Context::TariffConfirm
            | Context::TariffDone => self.screen_key(ev, action, now),
            Context::Houses
            | Context::HouseView
            | Context::Switches
            | Context::Ports
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
            | Context::Payment
            | Context::ImportQueue => self.screen_key(ev, action, now),
            Context::Network | Context::NetworkConfirm => self.screen_key(ev, action, now),
            Context::Form | Context::FormChoice | Context::FormPick | Context::FormConfirm => {
                self.screen_key(ev, action, now)
            }
            Context::Picker | Context::MergeConfirm | Context::MergeDone => self.screen_key(ev, action, now),
            Context::Command => self.command_key(ev, action, now),
            Context::Help | Context::Posting => Vec::new(),
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
                    search.search_for(arg, now);
                }
            }
            "pay" | "p" | "h" | "history" | "t" | "tariff" if !on_card => {
                self.status = Some(s.cmd_needs_card.to_string());
            }
            "h" | "history" => return self.card_key(Some(Action::History)),
            "t" | "tariff" => return self.card_key(Some(Action::Tariff)),
            "pay" | "p" if !arg.is_empty() && Money::parse_positive(arg).is_err() => {
                // `:pay abc`: said here, and no form is opened with it
                if let Err(e) = Money::parse_positive(arg) {
                    self.status = Some(self.money_error_text(&e));
                }
            }
            "pay" | "p" => {
                let effects = self.card_key(Some(Action::Pay));
                let mut next = self.next_req;
                let cx = Cx::new(s, self.actor.as_ref(), now, &mut next);
                if let Some(Screen::Pay(p)) = self.screens.last_mut() {
                    p.prefill(&cx, arg);
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

    /// The search that has waited out the pause, if any (called from the loop's timer).
    pub fn due_search(&mut self, now: Instant) -> Vec<Effect> {
        let mut cx = Cx::new(Strings::get(self.lang), self.actor.as_ref(), now, &mut self.next_req);
        let step = match self.screens.last_mut() {
            Some(Screen::Search(s)) => s.due(&mut cx),
            Some(Screen::Picker(p)) => p.due(&mut cx),
            _ => Step::none(),
        };
        self.apply(step)
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

    /// An action for the card on top (its keys, and `:h`, `:t`, `:pay`, `:n` from the command
    /// line); nothing when the top is not a card.
    pub(super) fn card_key(&mut self, action: Option<Action>) -> Vec<Effect> {
        if self.refused(action) {
            return Vec::new();
        }
        let mut cx =
            Cx::new(Strings::get(self.lang), self.actor.as_ref(), Instant::now(), &mut self.next_req);
        let step = match self.screens.last_mut() {
            Some(Screen::Card(c)) => c.key(&mut cx, action),
            _ => Step::none(),
        };
        self.apply(step)
    }

    /// Takes a service result. Results for requests no longer awaited are dropped.
    /// Applies a service answer. A payment that failed after the cashier asked to quit keeps
    /// the console open on its form (the cashier may have taken the cash); an answer saying
    /// the operator's session ended takes the console back to its login screen.
    pub fn outcome(&mut self, req: ReqId, outcome: Outcome) -> Vec<Effect> {
        let post_failed = matches!(&outcome, Outcome::Posted(r) if r.is_err());
        let ended = outcome.session_end().map(|end| match end {
            crate::service::SessionEnd::Disabled => self.strings().session_disabled.to_string(),
            crate::service::SessionEnd::RoleChanged { .. } => self.strings().session_role.to_string(),
        });
        let effects = self.outcome_inner(req, outcome);
        if post_failed && self.quit && !self.forced_quit {
            self.quit = false;
            self.status = Some(self.strings().quit_post_failed.to_string());
        }
        if let Some(why) = ended {
            self.end_session(why);
            return Vec::new();
        }
        effects
    }

    fn outcome_inner(&mut self, req: ReqId, outcome: Outcome) -> Vec<Effect> {
        self.dirty = true;
        let outcome = match self.screen_answer(req, outcome) {
            Ok(effects) => return effects,
            Err(other) => *other,
        };
        match outcome {
            // `outcome` has taken the console back to its login already
            Outcome::NoSession(_) => {}
            Outcome::Login(Ok(actor)) => {
                if self.awaiting(req).is_some() {
                    self.actor = Some(actor);
                    self.screens = vec![Screen::Search(SearchScreen::new())];
                }
            }
            // answers for the screens in `screens` that no screen awaits any more: stale
            Outcome::Login(Err(_))
            | Outcome::Search(_)
            | Outcome::Card(_)
            | Outcome::Tab(_)
            | Outcome::Picks(_)
            | Outcome::MergePreview(_)
            | Outcome::Merged(_)
            | Outcome::Receipt(_)
            | Outcome::Posted(_)
            | Outcome::History(_)
            | Outcome::Tariffs(_)
            | Outcome::TariffChanged(_) => {}
            Outcome::List(_) | Outcome::Network(_) | Outcome::Saved(_) | Outcome::Secrets(_) => {}
            Outcome::FormData(r) => return self.form_data_outcome(req, *r),
            Outcome::Printed(r) => {
                let d = self.strings().desk;
                self.status = Some(match *r {
                    Ok(p) if p.duplicate => format!("{} № {}", d.printed_duplicate, p.receipt_number),
                    Ok(p) => format!("{} № {}", d.printed, p.receipt_number),
                    Err(e) => self.error_text(&e),
                });
            }
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
                        ServiceError::NotFound(..) => {
                            format!("{} {typed}", self.strings().customer_not_found)
                        }
                        other => self.error_text(&other),
                    });
                }
            },
        }
        Vec::new()
    }

    /// Does what a screen asked: its status message, where to go, and the calls to run.
    pub(super) fn apply(&mut self, step: Step) -> Vec<Effect> {
        if let Some(msg) = step.status {
            self.status = Some(msg);
        }
        let mut effects = step.effects;
        match step.nav {
            None => {}
            Some(Nav::Pop) => {
                self.screens.pop();
                // back on the search: what it lists may have changed (a payment, an edit)
                if let Some(Screen::Search(s)) = self.screens.last_mut() {
                    s.refresh(Instant::now());
                }
                // back on the bank lines' queue from one line: what was decided there shows
                if let Some(Screen::List(l)) = self.screens.last()
                    && l.kind == super::screens::list::ListKind::ImportQueue
                {
                    effects.extend(self.reload_top());
                }
            }
            Some(Nav::BackToCard) => effects.extend(self.back_to_card()),
            Some(Nav::Push(screen)) => self.screens.push(*screen),
            Some(Nav::OpenCommand) => self.open_command(),
            Some(Nav::OpenCard(id)) => effects.extend(self.open_card(id)),
            Some(Nav::OpenList(kind)) => effects.extend(self.open_list(kind)),
            Some(Nav::PrepareForm(kind)) => effects.extend(self.prepare_form(kind)),
            Some(Nav::OpenForm(form)) => effects.extend(self.open_form(*form)),
            Some(Nav::OpenNetwork { customer_id, title }) => {
                effects.extend(self.open_network(customer_id, title))
            }
            Some(Nav::OpenPicker { kind, purpose, typed }) => {
                effects.extend(self.open_picker(kind, purpose, &typed))
            }
            Some(Nav::Saved(after)) => {
                self.screens.pop();
                effects.extend(match after {
                    AfterSave::Reload => self.reload_top(),
                    AfterSave::Loaded { documents, new_lines, proposed, known } => {
                        let d = &self.strings().desk;
                        self.status = Some(format!(
                            "{} {documents}: {} {new_lines}, {} {proposed}, {} {known}",
                            d.imp_loaded, d.imp_loaded_new, d.imp_loaded_sure, d.imp_loaded_known
                        ));
                        self.reload_top()
                    }
                    AfterSave::OpenCard(id) => self.open_card(id),
                    AfterSave::OpenList(kind) => self.open_list(kind),
                    AfterSave::CloseCard => {
                        if matches!(self.screen(), Screen::Card(_)) {
                            self.screens.pop();
                        }
                        self.reload_top()
                    }
                });
            }
            Some(Nav::Picked { at, id, text }) => {
                self.screens.pop();
                if let Some(Screen::Form(fm)) = self.screens.last_mut()
                    && let Some(f) = fm.fields.get_mut(at)
                {
                    f.set_pick(Some(id), &text);
                    fm.error = None;
                }
            }
            Some(Nav::Replace(screen)) => {
                self.screens.pop();
                self.screens.push(*screen);
            }
        }
        effects
    }

    /// A key for the screen on top, when it is one of those in `screens`.
    fn screen_key(&mut self, ev: &KeyEvent, action: Option<Action>, now: Instant) -> Vec<Effect> {
        if self.refused(action) {
            return Vec::new();
        }
        let mut cx = Cx::new(Strings::get(self.lang), self.actor.as_ref(), now, &mut self.next_req);
        let step = match self.screens.last_mut() {
            Some(Screen::Login(l)) => l.key(&mut cx, ev, action),
            Some(Screen::Search(s)) => s.key(&mut cx, ev, action),
            Some(Screen::Pay(p)) => p.key(&mut cx, ev, action),
            Some(Screen::History(h)) => h.key(&mut cx, ev, action),
            Some(Screen::Tariff(t)) => t.key(&mut cx, action),
            Some(Screen::Picker(p)) => p.key(&mut cx, ev, action),
            Some(Screen::Merge(m)) => m.key(&mut cx, action),
            Some(Screen::Network(n)) => n.key(&mut cx, action),
            Some(Screen::List(l)) => l.key(&mut cx, action),
            Some(Screen::Form(fm)) => fm.key(&mut cx, ev, action),
            _ => Step::none(),
        };
        self.apply(step)
    }

    /// The answer to a request of one of the screens in `screens`, given to the screen that
    /// asked; any other answer comes back to be handled here.
    fn screen_answer(&mut self, req: ReqId, outcome: Outcome) -> Result<Vec<Effect>, Box<Outcome>> {
        if matches!(outcome, Outcome::Login(Ok(_))) {
            // the console's own: it keeps the operator and opens the search
            return Err(Box::new(outcome));
        }
        let mut cx =
            Cx::new(Strings::get(self.lang), self.actor.as_ref(), Instant::now(), &mut self.next_req);
        // a card's tab has requests of its own
        let tab = matches!(outcome, Outcome::Tab(_));
        let asked = |s: &Screen| match s {
            Screen::Card(c) if tab => c.tab_pending == Some(req),
            _ => !tab && s.pending() == Some(req),
        };
        let step = match self.screens.iter_mut().find(|s| asked(s)) {
            Some(Screen::Card(c)) => {
                if tab {
                    c.tab_pending = None;
                } else {
                    c.pending = None;
                }
                c.answer(&mut cx, outcome)
            }
            Some(Screen::Login(l)) => {
                l.pending = None;
                l.answer(&mut cx, outcome)
            }
            Some(Screen::Search(s)) => {
                s.pending = None;
                s.answer(&mut cx, outcome)
            }
            Some(Screen::Pay(p)) => {
                p.pending = None;
                p.answer(&mut cx, outcome)
            }
            Some(Screen::History(h)) => {
                h.pending = None;
                h.answer(&mut cx, outcome)
            }
            Some(Screen::Tariff(t)) => {
                t.pending = None;
                t.answer(&mut cx, outcome)
            }
            Some(Screen::Picker(p)) => {
                p.pending = None;
                p.answer(&mut cx, outcome)
            }
            Some(Screen::Merge(m)) => {
                m.pending = None;
                m.answer(&mut cx, outcome)
            }
            Some(Screen::Network(n)) => {
                n.pending = None;
                n.answer(&mut cx, outcome)
            }
            Some(Screen::List(l)) => {
                l.pending = None;
                l.answer(&mut cx, outcome)
            }
            Some(Screen::Form(fm)) => {
                fm.pending = None;
                fm.answer(&mut cx, outcome)
            }
            _ => return Err(Box::new(outcome)),
        };
        Ok(self.apply(step))
    }

    /// Opens a picker over the current screen with `typed` in its box.
    pub(super) fn open_picker(&mut self, kind: PickKind, purpose: PickFor, typed: &str) -> Vec<Effect> {
        self.screens.push(Screen::Picker(Box::new(PickerScreen::new(kind, purpose, typed, Instant::now()))));
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

/// Where the console goes: the screens opened by navigation, and forms once prepared.
impl App {
    /// Opens a list screen over the current one.
    pub(super) fn open_list(&mut self, kind: ListKind) -> Vec<Effect> {
        let req = self.req();
        self.screens.push(Screen::List(Box::new(ListScreen::new(kind.clone(), req))));
        vec![Effect::LoadList { req, kind }]
    }

    /// Opens a customer's network over their card.
    pub(super) fn open_network(&mut self, customer_id: i64, title: String) -> Vec<Effect> {
        let req = self.req();
        self.screens.push(Screen::Network(Box::new(NetworkScreen::new(customer_id, title, req))));
        vec![Effect::LoadNetwork { req, customer_id }]
    }

    /// The reload of the screen on top (after a change saved from a form over it).
    pub(super) fn reload_top(&mut self) -> Vec<Effect> {
        let mut cx =
            Cx::new(Strings::get(self.lang), self.actor.as_ref(), Instant::now(), &mut self.next_req);
        let step = match self.screens.last_mut() {
            Some(Screen::Card(c)) => c.reload(&mut cx),
            Some(Screen::Network(n)) => n.reload(&mut cx),
            Some(Screen::List(l)) => l.reload(&mut cx),
            Some(Screen::History(h)) => h.reload(&mut cx),
            _ => Step::none(),
        };
        self.apply(step)
    }

    /// `:ip`, `:mac`, `:sw`, `:house` and `:n`: the NOC's jumps. `None` when `word` is none of them.
    pub(super) fn network_command(&mut self, word: &str, arg: &str) -> Option<Vec<Effect>> {
        let needs_arg = self.strings().cmd_needs_arg;
        let lookup = |kind| (kind, arg.to_string());
        let found = match word {
            "ip" => Some(lookup(LookupKind::Ip)),
            "mac" => Some(lookup(LookupKind::Mac)),
            _ => None,
        };
        if let Some((kind, value)) = found {
            if value.is_empty() {
                self.status = Some(format!("{needs_arg}: :{word} …"));
                return Some(Vec::new());
            }
            let req = self.req();
            self.resolving = Some((req, value.clone()));
            return Some(vec![Effect::Lookup { req, kind, value }]);
        }
        let kind = match (word, arg.is_empty()) {
            ("sw" | "switch" | "switches", true) => ListKind::Switches,
            ("sw" | "switch", false) => ListKind::Ports(arg.to_string()),
            ("house" | "houses", true) => ListKind::Houses,
            ("house", false) => ListKind::House(arg.to_string()),
            ("n" | "net" | "network", _) => return Some(self.card_action(Action::Network)),
            _ => return None,
        };
        // a jump starts from the search screen: Esc goes back to searching
        self.screens.truncate(1);
        Some(self.open_list(kind))
    }

    pub(super) fn open_form(&mut self, form: FormScreen) -> Vec<Effect> {
        self.screens.push(Screen::Form(Box::new(form)));
        Vec::new()
    }

    /// Asks the service for what a form needs (a customer's fields, the catalogue…) and opens it
    /// when that comes back.
    pub(super) fn prepare_form(&mut self, kind: FormKind) -> Vec<Effect> {
        let req = self.req();
        self.preparing = Some(req);
        vec![Effect::PrepareForm { req, kind }]
    }

    /// Opens the form a service call prepared.
    pub(super) fn form_data_outcome(&mut self, req: ReqId, r: Result<FormData, ServiceError>) -> Vec<Effect> {
        if self.preparing != Some(req) {
            return Vec::new();
        }
        self.preparing = None;
        let s = self.strings();
        match r {
            Ok(data) => {
                let form = match &data {
                    FormData::Customer { .. } => customer_form(s, data),
                    FormData::ServiceAdd(..) | FormData::ServiceEdit(_) => service_form(s, data),
                    FormData::TariffEdit(..) => super::admin::tariff_form(s, Some(data)),
                    FormData::Promise(card, rules) => Some(super::records::promise_form(s, card, rules)),
                    FormData::Discount(groups) => {
                        let groups: Vec<(String, String)> =
                            groups.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
                        Some(super::admin::discount_form(s, &groups))
                    }
                };
                match form {
                    Some(form) => return self.open_form(form),
                    None => self.status = Some(s.adm.no_catalogue.to_string()),
                }
            }
            Err(e) => self.status = Some(self.error_text(&e)),
        }
        Vec::new()
    }
}

/// A key as the terminal meant it. Backspace sent as ^H (0x08: vt100, PuTTY's "Control-H"
/// setting) reaches crossterm as Ctrl-H; it is Backspace.
fn terminal_key(ev: &KeyEvent) -> KeyEvent {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    match ev.code {
        KeyCode::Char('h') if ev.modifiers == KeyModifiers::CONTROL => {
            KeyEvent { code: KeyCode::Backspace, modifiers: KeyModifiers::NONE, ..*ev }
        }
        _ => *ev,
    }
}
