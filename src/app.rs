//! The TUI: one select! loop that merges keys, account events, log records
//! and a tick into actions, runs `update`, carries out the commands and
//! draws when something changed.

use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tracing::{info, warn};

use crate::action::{Action, Command, ComposeCommand, PromptKey, StoreCommand};
use crate::auth::oauth::OAuth;
use crate::auth::service::{self, AuthCommand, ServiceHandle};
use crate::auth::store::TokenStore;
use crate::config::{Account, AccountKind, Provider};
use crate::files::FileEvent;
use crate::imap::{ImapAuth, ImapBackend};
use crate::keymap::Keymap;
use crate::logging::LogRecord;
use crate::mail::maildir::MaildirBackend;
use crate::sanitize::Clean;
use crate::state::{AccountInfo, ServerKind, State};
use crate::store::{self as local, Store, StoreHandle};
use crate::worker::{self, ConnState, WorkerCommand, WorkerEvent, WorkerHandle, WorkerOptions};

mod pipe;
mod reload;
mod shared_mailboxes;

pub use shared_mailboxes::spawn_accounts;
use shared_mailboxes::{auth_target, token_handles};

const TICK: Duration = Duration::from_millis(250);
/// How long quitting waits for workers to log out politely.
pub const QUIT_GRACE: Duration = Duration::from_millis(500);
/// And then for the stores to write what they were sent.
const STORE_GRACE: Duration = Duration::from_millis(300);

pub fn account_info(a: &Account) -> AccountInfo {
    let (kind, server, auth, tenant) = match &a.kind {
        AccountKind::Imap { imap, .. } => (
            ServerKind::Imap,
            format!("{}:{}", imap.host, imap.port),
            "password".to_string(),
            None,
        ),
        AccountKind::Maildir(p) => (
            ServerKind::Maildir,
            p.display().to_string(),
            "local".to_string(),
            None,
        ),
        AccountKind::OAuth2 { imap, oauth } => (
            ServerKind::Imap,
            format!("{}:{}", imap.host, imap.port),
            match &oauth.shared {
                Some(s) => format!("OAuth2, shared, signed in through {}", s.delegate),
                None => "OAuth2".to_string(),
            },
            Some(oauth.tenant.clone()),
        ),
    };
    AccountInfo {
        name: a.name.clone(),
        email: a.email.clone(),
        kind,
        server,
        auth,
        tenant,
        trash: a.trash.clone(),
        archive: a.archive.clone(),
        sent: a.sending.sent.clone(),
        drafts: a.sending.drafts.clone(),
        appends_sent: a.sending.appends_sent(),
    }
}

/// How the app runs: where and how the accounts keep their local stores,
/// and what to tell the terminal about new mail.
#[derive(Clone, Debug)]
pub struct RunSettings {
    /// None: every store in memory (nothing written to disk).
    pub cache_dir: Option<std::path::PathBuf>,
    pub body_budget: u64,
    pub worker: WorkerOptions,
    pub notify: crate::notify::NotifySettings,
    pub files: crate::files::FilesSettings,
    /// Built once from `[theme]` and NO_COLOR.
    pub theme: crate::ui::Theme,
    /// `[ui] mouse`: report clicks and the wheel (the terminal's own text
    /// selection then needs Shift).
    pub mouse: bool,
    /// `[ui] date_format_*`.
    pub dates: crate::text::dates::DateFormats,
    /// `[ui] side_panes`.
    pub side_panes: crate::config::SidePanes,
    /// `[ui] columns` (empty: the default).
    pub columns: Vec<crate::config::columns::Column>,
    /// `[[searches]]` and `[ui] all_inboxes`.
    pub searches: crate::config::searches::Searches,
    /// `[compose]`: the editor, attribution, signature.
    pub compose: crate::config::ComposeConfig,
    /// Where the outbox and the editor's files live.
    pub data_dir: std::path::PathBuf,
    /// The file of each folder's order; None: not kept (the demo).
    pub views_file: Option<std::path::PathBuf>,
    /// What `:reload`, `:set` and `|` need.
    pub command_line: CommandLineSettings,
}

/// The config file to read again, where the `:` history is kept, the
/// theme as written and `[pipe]`.
#[derive(Clone, Debug, Default)]
pub struct CommandLineSettings {
    /// None: nothing to reload (the demo).
    pub config_path: Option<std::path::PathBuf>,
    /// None: the history lasts as long as the run.
    pub history_file: Option<std::path::PathBuf>,
    pub theme: crate::config::theme::ThemeConfig,
    pub pipe: crate::config::pipe::PipeConfig,
}

/// Fixed at start: how keys read and how the screen looks.
#[derive(Clone, Copy)]
struct Ui<'a> {
    keymap: &'a Keymap,
    theme: &'a crate::ui::Theme,
    /// A real terminal, not a test's: frames in synchronized updates, and
    /// the screen handed over to the editor and taken back.
    synchronized: bool,
    /// Mouse reports are on (turned off while the editor runs).
    mouse: bool,
}

/// Where keys come from. A real terminal's reader must stop while the
/// editor has the terminal, or it would take the editor's keys.
pub trait KeySource: futures::Stream<Item = std::io::Result<Event>> + Unpin {
    fn pause(&mut self) {}
    fn resume(&mut self) {}
}

/// The terminal's keys; none while paused.
pub struct TerminalKeys(Option<EventStream>);

impl futures::Stream for TerminalKeys {
    type Item = std::io::Result<Event>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        match self.0.as_mut() {
            Some(s) => s.poll_next_unpin(cx),
            None => std::task::Poll::Pending,
        }
    }
}

impl KeySource for TerminalKeys {
    fn pause(&mut self) {
        // Dropping the stream stops crossterm's reader thread.
        self.0 = None;
    }
    fn resume(&mut self) {
        self.0 = Some(EventStream::new());
    }
}

impl KeySource for futures::channel::mpsc::UnboundedReceiver<std::io::Result<Event>> {}

/// The background parts of one account.
#[derive(Default)]
pub struct AccountTasks {
    pub worker: Option<WorkerHandle>,
    pub tokens: Option<ServiceHandle>,
    pub store: Option<StoreHandle>,
    /// A shared mailbox: the account whose token service it uses.
    pub delegate: Option<usize>,
}

/// The account's store: a file in the cache dir for IMAP accounts, memory
/// for local Maildir (its files are the store).
fn open_store(a: &Account, settings: &RunSettings) -> StoreHandle {
    let name = a.name.clone();
    let budget = settings.body_budget;
    let file = match (&a.kind, &settings.cache_dir) {
        (AccountKind::Maildir(_), _) | (_, None) => None,
        (_, Some(dir)) => Some(local::file_for(dir, &a.name)),
    };
    StoreHandle::spawn(&a.name, move || match file {
        Some(f) => Store::open_exclusive(&f, &name, budget),
        None => Store::in_memory(&name, budget),
    })
}

/// Starts an account's store, worker (and token service for OAuth
/// accounts). Token statuses travel on the same channel as worker events,
/// to every account in `mirrors` (this one, `mirrors[0]`, and the shared
/// mailboxes it opens).
pub fn spawn_account(
    mirrors: &[usize],
    a: &Account,
    tokens: &TokenStore,
    events: &UnboundedSender<(usize, WorkerEvent)>,
    settings: &RunSettings,
) -> Result<AccountTasks, String> {
    let i = mirrors.first().copied().unwrap_or_default();
    let name = a.name.clone();
    let store = open_store(a, settings);
    let opts = settings.worker;
    Ok(match &a.kind {
        AccountKind::Imap { imap, password } => AccountTasks {
            worker: Some(worker::spawn(
                i,
                name,
                ImapBackend::new(imap.clone(), ImapAuth::Password(password.clone())),
                store.clone(),
                opts,
                events.clone(),
            )),
            tokens: None,
            store: Some(store),
            delegate: None,
        },
        AccountKind::Maildir(p) => AccountTasks {
            worker: Some(worker::spawn(
                i,
                name,
                MaildirBackend::new(p.clone()),
                store.clone(),
                opts,
                events.clone(),
            )),
            tokens: None,
            store: Some(store),
            delegate: None,
        },
        AccountKind::OAuth2 { imap, oauth } => {
            let client = OAuth::new(oauth.client.clone()).map_err(|e| e.message)?;
            let tx = events.clone();
            let mirrors = mirrors.to_vec();
            let sink: service::StatusSink = Box::new(move |status| {
                for &m in &mirrors {
                    let _ = tx.send((m, WorkerEvent::Token(Box::new(status.clone()))));
                }
            });
            let svc = service::spawn(name.clone(), client, oauth.login, tokens.clone(), sink);
            let auth = ImapAuth::Bearer {
                tokens: svc.tokens.clone(),
                mechanism: oauth.mechanism,
                microsoft: oauth.provider == Provider::Microsoft,
            };
            AccountTasks {
                worker: Some(worker::spawn(
                    i,
                    name,
                    ImapBackend::new(imap.clone(), auth),
                    store.clone(),
                    opts,
                    events.clone(),
                )),
                tokens: Some(svc),
                store: Some(store),
                delegate: None,
            }
        }
    })
}

/// How the app ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The quit key.
    Quit,
    /// SIGTERM, SIGHUP or SIGINT from outside (its number).
    Signal(i32),
}

impl Ended {
    /// The process's exit status: 0, or 128 + the signal's number.
    pub fn exit_status(self) -> u8 {
        match self {
            Ended::Quit => 0,
            Ended::Signal(n) => crate::signals::exit_status(n),
        }
    }
}

pub async fn run(
    accounts: Vec<Account>,
    keymap: Keymap,
    store: TokenStore,
    mut log_rx: UnboundedReceiver<LogRecord>,
    settings: RunSettings,
) -> anyhow::Result<Ended> {
    crate::startup::mark("app start");
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        anyhow::bail!(
            "the reader needs a terminal (stdout is not one); try `mailtui doctor` for a plain-text check"
        );
    }
    let (ev_tx, mut ev_rx) = unbounded_channel();
    let utc_offset = chrono::Local::now().offset().local_minus_utc();
    let mut state = State::new(
        accounts.iter().map(account_info).collect(),
        keymap.help(),
        chrono::Utc::now().timestamp(),
        utc_offset,
    );
    let mut tasks = Vec::new();
    let spawning = crate::startup::step("accounts started");
    let spawned = spawn_accounts(&accounts, &store, &ev_tx, &settings);
    spawning.end();
    for (i, (a, spawned)) in accounts.iter().zip(spawned).enumerate() {
        match spawned {
            Ok(t) => tasks.push(t),
            Err(e) => {
                warn!(account = %a.name, "{e}");
                let event = WorkerEvent::Conn(ConnState::Failed(Clean::line(&e)));
                state.update(Action::Worker { account: i, event });
                tasks.push(AccountTasks::default());
            }
        }
    }
    // The network first: password and local accounts connect now, before
    // the terminal is set up; OAuth accounts when their token service
    // reports tokens (see `event_loop`).
    for t in &tasks {
        if let Some(w) = &t.worker
            && t.tokens.is_none()
            && t.delegate.is_none()
        {
            let _ = w.commands.send(WorkerCommand::Connect);
        }
    }
    // A walk of the zone database (a few ms), after the connections began.
    state.zone = crate::calendar::zones::system_zone();
    info!(accounts = accounts.len(), tokens = %store.describe(), "mailtui started");

    state.notify = settings.notify;
    state.files = settings.files.clone();
    // Before the terminal goes raw: from here on a signal ends the loop
    // and the terminal is put back below.
    let mut signals_rx = crate::signals::quit_signals()?;
    state.dates = settings.dates.clone();
    if !settings.columns.is_empty() {
        state.columns = settings.columns.clone();
    }
    if let Some(path) = settings.views_file.clone() {
        state.restore_folder_views(crate::folder_views::open(path));
    }
    state.side_panes = settings.side_panes;
    state.searches = settings.searches.saved.clone();
    state.all_inboxes = settings.searches.all_inboxes;
    state.cli.pipe = settings.command_line.pipe.clone();
    if let Some(f) = &settings.command_line.history_file {
        state.cli.history = read_history(f);
    }
    let terminal_init = crate::startup::step("terminal init");
    let mut terminal = ratatui::try_init()?;
    if settings.mouse {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
    }
    terminal_init.end();
    if settings.notify.title {
        // Keep the user's title to put back on exit (xterm's title stack).
        let mut out = std::io::stdout();
        let _ = std::io::Write::write_all(&mut out, b"\x1b[22;0t");
        let _ = std::io::Write::write_all(&mut out, crate::notify::title(&state.title).as_bytes());
    }
    // Test hook, in test (debug) builds only: proves a panic in a
    // background task restores the terminal. Release builds have no such
    // switch.
    #[cfg(debug_assertions)]
    if std::env::var_os("MAILTUI_TEST_PANIC").is_some() {
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            panic!("MAILTUI_TEST_PANIC was set");
        });
    }
    // Copies of opened attachments live until the app ends.
    let opened = crate::files::OpenedFiles::default();
    let (files_tx, mut files_rx) = unbounded_channel();
    let (compose_tx, mut compose_rx) = unbounded_channel();
    state.forward_as_attachment = settings.compose.forward_as_attachment;
    let tokens = token_handles(&tasks);
    let stores = tasks.iter().map(|t| t.store.clone()).collect();
    let outgoing = crate::outgoing::Outgoing::new(
        &accounts,
        &tokens,
        stores,
        settings.compose.clone(),
        &settings.data_dir,
        compose_tx,
        utc_offset,
    );
    {
        // What the last run left unsent, on screen; off the loop.
        let o = outgoing.clone();
        tokio::task::spawn_blocking(move || o.resume());
    }
    let (actions_tx, mut actions_rx) = unbounded_channel();
    let running = reload::Running {
        path: settings.command_line.config_path.clone(),
        accounts: &accounts,
        settings: &settings,
    };
    let effects = Effects {
        tasks: &tasks,
        events: &ev_tx,
        files: &files_tx,
        opened: &opened,
        outgoing: &outgoing,
        actions: &actions_tx,
        running: Some(&running),
    };
    let result = event_loop(
        &mut terminal,
        &mut TerminalKeys(Some(EventStream::new())),
        &mut state,
        &effects,
        Ui {
            keymap: &keymap,
            theme: &settings.theme,
            synchronized: true,
            mouse: settings.mouse,
        },
        Inputs {
            events: &mut ev_rx,
            log: &mut log_rx,
            files: &mut files_rx,
            signals: &mut signals_rx,
            compose: &mut compose_rx,
            actions: &mut actions_rx,
        },
    )
    .await;
    // Quitting never waits for a piped command: it is stopped.
    pipe::stop_all();
    restore_terminal(settings.mouse, settings.notify.title);
    if let Some(f) = &settings.command_line.history_file {
        write_history(f, &state.cli.history);
    }
    if let Ok(Ended::Signal(n)) = result {
        info!(signal = n, "quitting on a signal");
    }

    for t in &tasks {
        if let Some(w) = &t.worker {
            let _ = w.commands.send(WorkerCommand::Shutdown);
        }
        if let Some(s) = &t.tokens {
            let _ = s.commands.send(AuthCommand::Shutdown);
        }
    }
    // Give workers a moment to log out politely; never hang on exit.
    let deadline = tokio::time::Instant::now() + QUIT_GRACE;
    let mut stores = Vec::new();
    let mut joins = Vec::new();
    for t in tasks {
        joins.extend(t.worker.map(|w| w.join));
        joins.extend(t.tokens.map(|s| s.join));
        stores.extend(t.store);
    }
    let _ = tokio::time::timeout_at(deadline, futures::future::join_all(joins)).await;
    // Then let each store write what it was sent (its jobs run in order),
    // so a body read just before quitting is there next time, and fold its
    // WAL into the database; bounded, like the workers' goodbye.
    let closed = stores.iter().map(|s| s.close(deadline + STORE_GRACE));
    futures::future::join_all(closed).await;
    result
}

/// Puts the terminal back as the user had it. Each step on its own: one
/// failing (a closed SSH session) must not skip the others.
fn restore_terminal(mouse: bool, title: bool) {
    use std::io::Write as _;
    crate::outgoing::editor::hand_over(mouse);
    if title {
        // The user's title, kept on xterm's title stack at start.
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x1b[23;0t");
        let _ = out.flush();
    }
}

/// Where commands go: the accounts' background parts, the file threads.
struct Effects<'a> {
    tasks: &'a [AccountTasks],
    events: &'a UnboundedSender<(usize, WorkerEvent)>,
    files: &'a UnboundedSender<FileEvent>,
    opened: &'a crate::files::OpenedFiles,
    outgoing: &'a crate::outgoing::Outgoing,
    /// Answers that come back as actions (a piped command's output).
    actions: &'a UnboundedSender<Action>,
    /// What `:reload` reads and compares with; None in tests.
    running: Option<&'a reload::Running<'a>>,
}

/// What comes in besides keys: account events, log records, file results,
/// quit signals (by number).
struct Inputs<'a> {
    events: &'a mut UnboundedReceiver<(usize, WorkerEvent)>,
    log: &'a mut UnboundedReceiver<LogRecord>,
    files: &'a mut UnboundedReceiver<FileEvent>,
    signals: &'a mut UnboundedReceiver<i32>,
    compose: &'a mut UnboundedReceiver<crate::action::ComposeEvent>,
    actions: &'a mut UnboundedReceiver<Action>,
}

/// The loop, over any ratatui backend and any stream of terminal events,
/// so a test drives the whole app headless (keys and worker events in,
/// a TestBackend's buffer out).
async fn event_loop<B, K>(
    terminal: &mut ratatui::Terminal<B>,
    keys: &mut K,
    state: &mut State,
    effects: &Effects<'_>,
    ui: Ui<'_>,
    inputs: Inputs<'_>,
) -> anyhow::Result<Ended>
where
    B: ratatui::backend::Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    K: KeySource,
{
    let Inputs {
        events: ev_rx,
        log: log_rx,
        files: files_rx,
        signals,
        compose: compose_rx,
        actions: actions_rx,
    } = inputs;
    // What `:reload` and `:set theme` made of the keys and styles.
    let mut keymap_now: Option<Keymap> = None;
    let mut theme_now: Option<crate::ui::Theme> = None;
    let mut theme_config = effects
        .running
        .map(|r| r.settings.command_line.theme.clone())
        .unwrap_or_default();
    let size = terminal.size()?;
    let mut pending = vec![Action::Resize {
        width: size.width,
        height: size.height,
    }];
    // Stored folders first (password and local accounts were told to
    // connect in `run`; OAuth accounts connect when their token service
    // reports tokens).
    let start = state.start();
    execute(effects, start, state.notify.desktop);
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_second = state.now;
    let mut firsts = Firsts::default();
    loop {
        let mut edited = Vec::new();
        // The first rows ever are drawn before anything queued behind them
        // (the store's next pages, a whole folder's worth) is taken in.
        let mut first_rows = false;
        let mut batch = std::mem::take(&mut pending).into_iter();
        for action in batch.by_ref() {
            first_rows = firsts.saw(&action);
            // A log record changes nothing on screen while the log is hidden.
            let shown = !matches!(action, Action::Log(_)) || state.show_log;
            let commands = state.update(action);
            if commands.contains(&Command::Quit) {
                return Ok(Ended::Quit);
            }
            let (edits, commands): (Vec<_>, Vec<_>) = commands.into_iter().partition(|c| {
                matches!(
                    c,
                    Command::Compose(ComposeCommand::Edit { .. })
                        | Command::Pipe(crate::state::pipe::PipeRequest {
                            interactive: true,
                            ..
                        })
                )
            });
            let mut rest = Vec::new();
            for c in commands {
                match c {
                    Command::Reload => {
                        let fresh = match effects.running {
                            Some(r) => reload::reload(r),
                            None => Err("there is no config file to read".into()),
                        };
                        let fresh = fresh.map(|f| {
                            keymap_now = Some(f.keymap);
                            theme_config = f.theme;
                            theme_now = Some(crate::ui::Theme::new(&theme_config, no_color()));
                            f.state
                        });
                        pending.push(Action::Reloaded(fresh));
                    }
                    Command::SetTheme(preset) => {
                        theme_config.preset = preset;
                        theme_now = Some(crate::ui::Theme::new(&theme_config, no_color()));
                    }
                    other => rest.push(other),
                }
            }
            execute(effects, rest, state.notify.desktop);
            for e in edits {
                let title = state.notify.title.then(|| state.title.clone());
                let done = match e {
                    Command::Pipe(req) => {
                        hand_terminal(terminal, keys, ui, title.as_deref(), pipe::interactive(req))
                            .await
                            .map(|d| Action::Piped(Box::new(d)))?
                    }
                    e => edit(terminal, keys, ui, effects.outgoing, e, title.as_deref()).await?,
                };
                edited.push(done);
                // Ctrl-C typed in the editor reached mailtui too: not a
                // reason to quit. Any other signal is.
                while let Ok(n) = signals.try_recv() {
                    if n != libc::SIGINT {
                        return Ok(Ended::Signal(n));
                    }
                }
            }
            dirty |= shown;
            if first_rows {
                break;
            }
        }
        pending.extend(batch);
        pending.extend(edited);
        if !pending.is_empty() && !first_rows {
            continue;
        }
        if dirty {
            // One frame appears at once in terminals that support it (no
            // half-drawn screen while a big list redraws); others ignore it.
            if ui.synchronized {
                crossterm::queue!(
                    std::io::stdout(),
                    crossterm::terminal::BeginSynchronizedUpdate
                )?;
            }
            let theme = theme_now.as_ref().unwrap_or(ui.theme);
            terminal.draw(|f| crate::ui::draw(state, theme, f))?;
            if ui.synchronized {
                crossterm::execute!(
                    std::io::stdout(),
                    crossterm::terminal::EndSynchronizedUpdate
                )?;
            }
            dirty = false;
            firsts.drew();
        }
        // What the first rows' frame left for later.
        if !pending.is_empty() {
            continue;
        }
        let first = tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(ev)) => key_action(keymap_now.as_ref().unwrap_or(ui.keymap), ev, state.typing()),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(Ended::Quit),
            },
            // SIGTERM, SIGHUP, SIGINT: out the way `q` goes.
            Some(n) = signals.recv() => return Ok(Ended::Signal(n)),
            Some((account, event)) = ev_rx.recv() => Some(Action::Worker { account, event }),
            Some(record) = log_rx.recv() => Some(Action::Log(record)),
            Some(event) = files_rx.recv() => Some(Action::Files(event)),
            Some(event) = compose_rx.recv() => Some(Action::Compose(event)),
            Some(action) = actions_rx.recv() => Some(action),
            _ = tick.tick() => {
                let now = chrono::Utc::now().timestamp();
                let changed = now != last_second || state.animating();
                last_second = now;
                let commands = state.update(Action::Tick { now });
                execute(effects, commands, state.notify.desktop);
                dirty |= changed;
                None
            }
        };
        pending.extend(first);
        // Take everything else already waiting before drawing once.
        while let Ok((account, event)) = ev_rx.try_recv() {
            pending.push(Action::Worker { account, event });
        }
        while let Ok(record) = log_rx.try_recv() {
            pending.push(Action::Log(record));
        }
        while let Ok(event) = files_rx.try_recv() {
            pending.push(Action::Files(event));
        }
        while let Ok(event) = compose_rx.try_recv() {
            pending.push(Action::Compose(event));
        }
        while let Ok(action) = actions_rx.try_recv() {
            pending.push(action);
        }
    }
}

/// The loop's part of the start-up timeline ([`crate::startup`]): when
/// the first rows came, and the first frames.
#[derive(Default)]
struct Firsts {
    frame: bool,
    stored: bool,
    fetched: bool,
}

impl Firsts {
    /// Notes rows arriving; true for the first rows of the run.
    fn saw(&mut self, action: &Action) -> bool {
        let Action::Worker { event, .. } = action else {
            return false;
        };
        let before = self.stored || self.fetched;
        match event {
            WorkerEvent::Stored { envelopes, .. } if !envelopes.is_empty() && !self.stored => {
                self.stored = true;
                crate::startup::mark("first rows from the store");
            }
            WorkerEvent::Inserted { envelopes, .. } if !envelopes.is_empty() && !self.fetched => {
                self.fetched = true;
                crate::startup::mark("first rows from the server");
            }
            _ => {}
        }
        !before && (self.stored || self.fetched)
    }

    fn drew(&mut self) {
        if crate::startup::over() {
            return;
        }
        if !self.frame {
            self.frame = true;
            crate::startup::mark("first frame");
        }
        if self.stored || self.fetched {
            crate::startup::finish();
        }
    }
}

/// Runs `run` (an interactive program) with the terminal handed over,
/// and takes the terminal back after.
async fn hand_terminal<B, K, T>(
    terminal: &mut ratatui::Terminal<B>,
    keys: &mut K,
    ui: Ui<'_>,
    title: Option<&str>,
    run: impl std::future::Future<Output = T>,
) -> anyhow::Result<T>
where
    B: ratatui::backend::Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    K: KeySource,
{
    if ui.synchronized {
        keys.pause();
        crate::outgoing::editor::hand_over(ui.mouse);
    }
    let out = run.await;
    if ui.synchronized {
        crate::outgoing::editor::take_back(ui.mouse, title);
        keys.resume();
    }
    // As after the editor: the next frame draws every cell.
    terminal.draw(|_| {})?;
    Ok(out)
}

fn no_color() -> bool {
    crate::ui::theme::no_color(std::env::var_os("NO_COLOR").as_deref())
}

/// The `:` history kept from the last run: its newest lines, within
/// [`crate::state::command_line::HISTORY_FILE_BYTES`].
fn read_history(file: &std::path::Path) -> crate::state::command_line::History {
    use crate::state::command_line::{HISTORY_FILE_BYTES, History};
    use std::io::{Read as _, Seek as _};
    let mut bytes = Vec::new();
    if let Ok(mut f) = std::fs::File::open(file) {
        let len = f.metadata().map_or(0, |m| m.len());
        let limit = HISTORY_FILE_BYTES as u64;
        let start = len.saturating_sub(limit);
        if f.seek(std::io::SeekFrom::Start(start)).is_ok() {
            let _ = f.take(limit).read_to_end(&mut bytes);
        }
        if start > 0 {
            // The first line read is only its end.
            let at = bytes
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |i| i + 1);
            bytes.drain(..at);
        }
    }
    History::from_text(&String::from_utf8_lossy(&bytes))
}

fn write_history(file: &std::path::Path, history: &crate::state::command_line::History) {
    if let Err(e) = crate::paths::replace_private(file, history.to_text().as_bytes()) {
        warn!("could not keep the command history: {e}");
    }
}

/// Runs the editor on a message's file with the terminal handed over,
/// and reads the file back.
async fn edit<B, K>(
    terminal: &mut ratatui::Terminal<B>,
    keys: &mut K,
    ui: Ui<'_>,
    outgoing: &crate::outgoing::Outgoing,
    command: Command,
    title: Option<&str>,
) -> anyhow::Result<Action>
where
    B: ratatui::backend::Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    K: KeySource,
{
    use crate::outgoing::editor;
    let Command::Compose(ComposeCommand::Edit {
        id,
        file,
        draft,
        rewrite,
    }) = command
    else {
        anyhow::bail!("not an editor command");
    };
    if rewrite && let Err(e) = outgoing.rewrite(&file, &draft) {
        return Ok(Action::Compose(crate::action::ComposeEvent::Edited {
            id,
            result: Err(e),
            note: None,
            sizes: Vec::new(),
        }));
    }
    let argv = outgoing.editor(&file);
    info!(editor = %argv[0], "editing a message");
    if ui.synchronized {
        keys.pause();
        editor::hand_over(ui.mouse);
    }
    let status = tokio::process::Command::new(&argv[0])
        .args(&argv[1..])
        .status()
        .await;
    if ui.synchronized {
        editor::take_back(ui.mouse, title);
        keys.resume();
    }
    // The screen was cleared; an empty frame makes the next one draw
    // every cell. (Terminal::clear would ask the terminal where the
    // cursor is, racing the key reader for the answer.)
    terminal.draw(|_| {})?;
    let note = editor::describe_exit(&argv[0], status);
    if let Some(n) = &note {
        warn!("{n}");
    }
    Ok(Action::Compose(outgoing.edited(id, &file, &draft, note)))
}

fn key_action(keymap: &Keymap, ev: Event, typing: bool) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != crossterm::event::KeyEventKind::Release => {
            if typing {
                return prompt_key(&k).map(Action::Prompt);
            }
            Some(match keymap.resolve_all(&k) {
                [] => match crate::keymap::not_bound_name(&k) {
                    Some(name) => Action::NotBound(name),
                    None => Action::Unbound,
                },
                [one] => Action::Ui(*one),
                several => Action::Keys(several.to_vec()),
            })
        }
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        // Reported only when `[ui] mouse` turned it on.
        Event::Mouse(m) => {
            use crate::action::{MouseInput, MouseKind};
            use crossterm::event::{MouseButton, MouseEventKind};
            let kind = match m.kind {
                MouseEventKind::Down(MouseButton::Left) => MouseKind::Click,
                MouseEventKind::ScrollUp => MouseKind::ScrollUp,
                MouseEventKind::ScrollDown => MouseKind::ScrollDown,
                _ => return None,
            };
            Some(Action::Mouse(MouseInput {
                kind,
                column: m.column,
                row: m.row,
            }))
        }
        _ => None,
    }
}

/// Keys while a prompt is open: text and line editing, not commands.
fn prompt_key(k: &crossterm::event::KeyEvent) -> Option<PromptKey> {
    use crossterm::event::{KeyCode, KeyModifiers};
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    Some(match k.code {
        KeyCode::Char('u') if ctrl => PromptKey::Clear,
        KeyCode::Char('h') if ctrl => PromptKey::Backspace,
        KeyCode::Char('c' | 'g') if ctrl => PromptKey::Esc,
        KeyCode::Char('p') if ctrl => PromptKey::Up,
        KeyCode::Char('n') if ctrl => PromptKey::Down,
        KeyCode::Char(c) if !ctrl && !k.modifiers.contains(KeyModifiers::ALT) => PromptKey::Char(c),
        KeyCode::Backspace => PromptKey::Backspace,
        KeyCode::Enter => PromptKey::Enter,
        KeyCode::Esc => PromptKey::Esc,
        KeyCode::Up | KeyCode::BackTab => PromptKey::Up,
        KeyCode::Down => PromptKey::Down,
        KeyCode::Tab => PromptKey::Complete,
        _ => return None,
    })
}

/// Carries out what `update` asked for.
fn execute(effects: &Effects<'_>, commands: Vec<Command>, desktop: crate::notify::Desktop) {
    let (tasks, events) = (effects.tasks, effects.events);
    for c in commands {
        match c {
            Command::Store { account, command } => {
                let Some(t) = tasks.get(account) else {
                    continue;
                };
                let Some(store) = &t.store else { continue };
                match command {
                    StoreCommand::LoadFolders => store.load_folders(account, events.clone()),
                    StoreCommand::LoadFolder { path, req } => {
                        store.load_folder(account, path, req, events.clone())
                    }
                    StoreCommand::Threads { path, req } => {
                        store.load_threads(account, path, req, events.clone())
                    }
                    StoreCommand::Everywhere {
                        paths,
                        query,
                        now,
                        req,
                    } => store.search_everywhere(account, paths, query, now, req, events.clone()),
                    StoreCommand::LoadParts(request) => {
                        if let Some(w) = &t.worker {
                            store.load_parts(account, request, events.clone(), w.commands.clone());
                        }
                    }
                    StoreCommand::LoadMessage { folder, uid, req } => {
                        if let Some(w) = &t.worker {
                            store.load_message(
                                account,
                                folder,
                                uid,
                                req,
                                events.clone(),
                                w.commands.clone(),
                            );
                        }
                    }
                }
            }
            Command::Worker { account, command } => {
                if let Some(w) = tasks.get(account).and_then(|t| t.worker.as_ref())
                    && w.commands.send(command).is_err()
                {
                    warn!(account, "account worker has stopped");
                }
            }
            Command::Auth { account, command } => {
                let account = auth_target(tasks, account);
                if let Some(s) = tasks.get(account).and_then(|t| t.tokens.as_ref()) {
                    let _ = s.commands.send(command);
                }
            }
            Command::Files(command) => {
                crate::files::spawn(command, effects.files.clone(), effects.opened.clone())
            }
            // OSC 52: the terminal (even over SSH) puts the text on the
            // clipboard of the machine the user sits at.
            Command::Copy(text) => {
                let copy = crossterm::clipboard::CopyToClipboard::to_clipboard_from(text);
                if let Err(e) = crossterm::execute!(std::io::stdout(), copy) {
                    warn!("could not copy to the clipboard: {e}");
                }
            }
            Command::Alert { bell, body } => {
                use std::io::Write as _;
                let mut out = std::io::stdout();
                if bell {
                    let _ = out.write_all(b"\x07");
                }
                if let Some(seq) = crate::notify::desktop(desktop, "mailtui", &body) {
                    let _ = out.write_all(seq.as_bytes());
                }
                let _ = out.flush();
            }
            Command::SaveFolderViews(views) => {
                crate::folder_views::save(&views);
            }
            Command::SetTitle(title) => {
                use std::io::Write as _;
                let mut out = std::io::stdout();
                let _ = out.write_all(crate::notify::title(&title).as_bytes());
                let _ = out.flush();
            }
            // The editor is run by the loop itself (it needs the terminal).
            Command::Compose(ComposeCommand::Edit { .. }) => {}
            Command::Compose(c) => effects.outgoing.handle(c),
            Command::Pipe(req) => {
                let tx = effects.actions.clone();
                pipe::spawn(req, move |done| {
                    let _ = tx.send(Action::Piped(Box::new(done)));
                });
            }
            // Run by the loop itself (they change the keys and styles).
            Command::Reload | Command::SetTheme(_) => {}
            Command::Quit => {}
        }
    }
}

#[cfg(test)]
#[path = "app_tests.rs"]
mod tests;
