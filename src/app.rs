//! The TUI: one select! loop that merges keys, worker events, log records
//! and a tick into actions, runs `update`, carries out the commands and
//! draws when something changed.

use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tracing::{info, warn};

use crate::action::{Action, Command};
use crate::config::{Account, AccountKind};
use crate::imap::ImapBackend;
use crate::keymap::Keymap;
use crate::logging::LogRecord;
use crate::mail::maildir::MaildirBackend;
use crate::sanitize::Clean;
use crate::state::{AccountInfo, State};
use crate::worker::{self, ConnState, WorkerCommand, WorkerEvent, WorkerHandle};

const TICK: Duration = Duration::from_millis(250);

pub fn account_info(a: &Account) -> AccountInfo {
    let (kind, server, auth) = match &a.kind {
        AccountKind::Imap(s) => (
            "IMAP",
            format!("{}:{}", s.host, s.port),
            "password".to_string(),
        ),
        AccountKind::Maildir(p) => ("Maildir", p.display().to_string(), "local".to_string()),
        AccountKind::OAuth2(o) => (
            "IMAP",
            format!("{}:{}", o.host, o.port),
            format!("OAuth2 ({})", o.tenant),
        ),
    };
    AccountInfo {
        name: a.name.clone(),
        email: a.email.clone(),
        kind,
        server,
        auth,
    }
}

fn spawn_worker(
    i: usize,
    a: &Account,
    events: &UnboundedSender<(usize, WorkerEvent)>,
) -> Option<WorkerHandle> {
    match &a.kind {
        AccountKind::Imap(s) => Some(worker::spawn(
            i,
            a.name.clone(),
            ImapBackend::new(s.clone()),
            events.clone(),
        )),
        AccountKind::Maildir(p) => Some(worker::spawn(
            i,
            a.name.clone(),
            MaildirBackend::new(p.clone()),
            events.clone(),
        )),
        AccountKind::OAuth2(_) => None,
    }
}

pub async fn run(
    accounts: Vec<Account>,
    keymap: Keymap,
    mut log_rx: UnboundedReceiver<LogRecord>,
) -> anyhow::Result<()> {
    let (ev_tx, mut ev_rx) = unbounded_channel();
    let workers: Vec<Option<WorkerHandle>> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| spawn_worker(i, a, &ev_tx))
        .collect();
    let utc_offset = chrono::Local::now().offset().local_minus_utc();
    let mut state = State::new(
        accounts.iter().map(account_info).collect(),
        keymap.help(),
        chrono::Utc::now().timestamp(),
        utc_offset,
    );
    for (i, w) in workers.iter().enumerate() {
        if w.is_none() {
            let msg = "OAuth2 sign-in is not available in this build yet";
            state.update(Action::Worker {
                account: i,
                event: WorkerEvent::Conn(ConnState::Failed(Clean::line(msg))),
            });
        }
    }
    info!(accounts = accounts.len(), "mailtui started");

    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        anyhow::bail!(
            "the reader needs a terminal (stdout is not one); try `mailtui doctor` for a plain-text check"
        );
    }
    let mut terminal = ratatui::try_init()?;
    // Test hook: proves a panic in a background task restores the terminal.
    if std::env::var_os("MAILTUI_TEST_PANIC").is_some() {
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            panic!("MAILTUI_TEST_PANIC was set");
        });
    }
    let result = event_loop(
        &mut terminal,
        &mut state,
        &workers,
        &keymap,
        &mut ev_rx,
        &mut log_rx,
    )
    .await;
    ratatui::restore();

    for w in workers.iter().flatten() {
        let _ = w.commands.send(WorkerCommand::Shutdown);
    }
    // Give workers a moment to log out politely; never hang on exit.
    let joins = workers.into_iter().flatten().map(|w| w.join);
    let _ = tokio::time::timeout(Duration::from_secs(2), futures::future::join_all(joins)).await;
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    state: &mut State,
    workers: &[Option<WorkerHandle>],
    keymap: &Keymap,
    ev_rx: &mut UnboundedReceiver<(usize, WorkerEvent)>,
    log_rx: &mut UnboundedReceiver<LogRecord>,
) -> anyhow::Result<()> {
    let size = terminal.size()?;
    let mut pending = vec![Action::Resize {
        width: size.width,
        height: size.height,
    }];
    let connect_all = (0..workers.len()).map(|account| Command::Worker {
        account,
        command: WorkerCommand::Connect,
    });
    send(workers, connect_all.collect());
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_second = state.now;
    loop {
        for action in pending.drain(..) {
            let commands = state.update(action);
            if commands.contains(&Command::Quit) {
                return Ok(());
            }
            send(workers, commands);
            dirty = true;
        }
        if dirty {
            terminal.draw(|f| crate::ui::draw(state, f))?;
            dirty = false;
        }
        let first = tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(ev)) => key_action(keymap, ev),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some((account, event)) = ev_rx.recv() => Some(Action::Worker { account, event }),
            Some(record) = log_rx.recv() => Some(Action::Log(record)),
            _ = tick.tick() => {
                let now = chrono::Utc::now().timestamp();
                let changed = now != last_second || state.animating();
                last_second = now;
                state.update(Action::Tick { now });
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
    }
}

fn key_action(keymap: &Keymap, ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != crossterm::event::KeyEventKind::Release => Some(
            keymap
                .resolve(&k)
                .map(Action::Ui)
                .unwrap_or(Action::Unbound),
        ),
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        _ => None,
    }
}

/// Hands worker commands to their workers (accounts without one ignore them).
fn send(workers: &[Option<WorkerHandle>], commands: Vec<Command>) {
    for c in commands {
        if let Command::Worker { account, command } = c
            && let Some(Some(w)) = workers.get(account)
            && w.commands.send(command).is_err()
        {
            warn!(account, "account worker has stopped");
        }
    }
}
