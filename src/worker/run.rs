//! The worker loop: take commands, then do the most urgent piece of work,
//! one exchange with the server at a time, so a new command never waits
//! behind more than one; with nothing to do, watch the open folder for
//! changes until a command comes.

use std::time::Duration;

use tokio::time::Instant;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::backoff::backoff;
use super::open::{OpenFolder, Phase};
use super::protocol::{ConnState, FolderRef, PartsRequest, WorkerCommand, WorkerEvent};
use crate::mail::backend::{MailBackend, MailError};
use crate::mail::types::{FlagKind, Folder};
use crate::sanitize::Clean;
use crate::store::StoreHandle;

/// While waiting to retry an unreachable server, how often to check
/// whether it answers again.
/// Server searches kept waiting; an older one is dropped for a newer.
const MAX_PENDING_SEARCHES: usize = 4;

/// A server search waiting its turn.
pub struct PendingSearch {
    pub folder: FolderRef,
    pub query: crate::query::Query,
    pub now: crate::query::Now,
    pub req: u64,
    /// The index's answer went out alone (the server was unreachable).
    pub local_sent: bool,
}

const PROBE_EVERY: Duration = Duration::from_secs(2);
/// A session that lasted this long counts as healthy: the next loss
/// reconnects at once.
const HEALTHY_SESSION: Duration = Duration::from_secs(120);

/// Tuning from the config.
#[derive(Clone, Copy, Debug)]
pub struct WorkerOptions {
    /// Bodies of the newest messages of the open folder fetched ahead of
    /// time, for reading offline (0: off).
    pub prefetch: usize,
    /// How often counts of the other folders are refreshed.
    pub counts_every: Duration,
    /// The text of the open folder's messages fetched for offline search
    /// and reading, when the user leaves the connection idle (config
    /// `sync_bodies = "text"`).
    pub sync_text: Option<super::TextSync>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            prefetch: 0,
            counts_every: Duration::from_secs(300),
            sync_text: None,
        }
    }
}

pub struct WorkerHandle {
    pub commands: UnboundedSender<WorkerCommand>,
    pub join: JoinHandle<()>,
}

pub fn spawn<B: MailBackend>(
    account: usize,
    name: String,
    backend: B,
    store: StoreHandle,
    options: WorkerOptions,
    events: UnboundedSender<(usize, WorkerEvent)>,
) -> WorkerHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let progress = events.clone();
    store.send(move |s| s.tell_index_progress(account, progress));
    let worker = Worker {
        account,
        name,
        backend,
        store,
        options,
        events,
        connected: false,
        want_connection: false,
        ever_connected: false,
        attempt: 0,
        losses: 0,
        session_start: Instant::now(),
        repeated: None,
        folders_wanted: false,
        folders: Vec::new(),
        open: None,
        message: None,
        parts: std::collections::VecDeque::new(),
        ops: std::collections::VecDeque::new(),
        searches: Default::default(),
        counts_due: None,
    };
    // Every line the worker logs names its account through this span.
    let span = tracing::info_span!("worker", account = %worker.name);
    let join = tokio::spawn(tracing::Instrument::instrument(worker.run(rx), span));
    WorkerHandle { commands: tx, join }
}

/// A change to messages waiting for the server, in the order asked.
pub(super) enum Op {
    Flag {
        folder: FolderRef,
        uids: Vec<u32>,
        flag: FlagKind,
        on: bool,
    },
    Move {
        folder: FolderRef,
        uids: Vec<u32>,
        message_ids: Vec<String>,
        to: String,
        op: u64,
        /// Tries so far: a retried COPY first checks the target, so a
        /// connection lost between COPY and EXPUNGE leaves no duplicate.
        attempts: u32,
    },
    Expunge {
        folder: FolderRef,
        uids: Vec<u32>,
        op: u64,
    },
    Append {
        folder: FolderRef,
        bytes: std::sync::Arc<Vec<u8>>,
        flags: Vec<FlagKind>,
        message_id: Option<String>,
        op: u64,
    },
    FetchNew {
        folder: FolderRef,
        op: u64,
    },
}

impl Op {
    pub fn folder(&self) -> &FolderRef {
        match self {
            Op::Flag { folder, .. }
            | Op::Move { folder, .. }
            | Op::Expunge { folder, .. }
            | Op::Append { folder, .. }
            | Op::FetchNew { folder, .. } => folder,
        }
    }

    /// The id the UI knows the answer by (0 for flag changes).
    pub fn id(&self) -> u64 {
        match self {
            Op::Flag { .. } => 0,
            Op::Move { op, .. }
            | Op::Expunge { op, .. }
            | Op::Append { op, .. }
            | Op::FetchNew { op, .. } => *op,
        }
    }
}

pub(super) struct Worker<B> {
    pub account: usize,
    pub name: String,
    pub backend: B,
    pub store: StoreHandle,
    pub options: WorkerOptions,
    events: UnboundedSender<(usize, WorkerEvent)>,
    pub connected: bool,
    want_connection: bool,
    ever_connected: bool,
    /// Failed connection attempts in a row.
    attempt: u32,
    /// Sessions lost in a row without a healthy stretch between; the next
    /// reconnect waits by this, so a step that kills every session cannot
    /// turn into a reconnect storm.
    losses: u32,
    session_start: Instant,
    /// The last step that failed with an unreadable answer; failing the
    /// same way again makes it that command's error instead of a retry.
    pub repeated: Option<String>,
    pub folders_wanted: bool,
    pub folders: Vec<Folder>,
    pub open: Option<OpenFolder>,
    pub message: Option<(FolderRef, u32, u64, Option<u32>)>,
    /// Parts asked for (saves, views), in the order asked.
    pub parts: std::collections::VecDeque<PartsRequest>,
    pub ops: std::collections::VecDeque<Op>,
    /// Server searches asked for, oldest first; only the latest few are
    /// kept (a search and a limit may wait at once).
    pub searches: std::collections::VecDeque<PendingSearch>,
    pub counts_due: Option<Instant>,
}

enum Flow {
    Continue,
    Stop,
}

impl<B: MailBackend> Worker<B> {
    pub fn events_sender(&self) -> UnboundedSender<(usize, WorkerEvent)> {
        self.events.clone()
    }

    pub fn emit(&self, event: WorkerEvent) {
        // The UI is gone only while quitting; nothing to do then.
        let _ = self.events.send((self.account, event));
    }

    fn absorb(&mut self, cmd: WorkerCommand) -> Flow {
        match cmd {
            WorkerCommand::Connect => {
                self.want_connection = true;
                self.attempt = 0;
            }
            WorkerCommand::OpenFolder { path, req } => {
                self.open = Some(OpenFolder::new(path, req));
                // A body requested for the old folder can't be served now.
                self.message = None;
            }
            WorkerCommand::FetchMessage {
                folder,
                uid,
                req,
                size,
            } => {
                self.message = Some((folder, uid, req, size));
            }
            WorkerCommand::FetchParts(request) => self.parts.push_back(request),
            WorkerCommand::SetFlag {
                folder,
                uids,
                flag,
                on,
            } => self.ops.push_back(Op::Flag {
                folder,
                uids,
                flag,
                on,
            }),
            WorkerCommand::Move {
                folder,
                uids,
                message_ids,
                to,
                op,
            } => self.ops.push_back(Op::Move {
                folder,
                uids,
                message_ids,
                to,
                op,
                attempts: 0,
            }),
            WorkerCommand::Expunge { folder, uids, op } => {
                self.ops.push_back(Op::Expunge { folder, uids, op })
            }
            WorkerCommand::FetchNew { folder, op } => {
                // One at a time per folder: asked again while queued, it
                // would fetch the same rows.
                let queued = self
                    .ops
                    .iter()
                    .any(|o| matches!(o, Op::FetchNew { folder: f, .. } if f.path == folder.path));
                if queued {
                    self.emit(WorkerEvent::Done { op, note: None });
                } else {
                    self.ops.push_back(Op::FetchNew { folder, op });
                }
            }
            WorkerCommand::Append {
                folder,
                bytes,
                flags,
                message_id,
                op,
            } => self.ops.push_back(Op::Append {
                // Any UIDVALIDITY: a new message has no UID to keep.
                folder: FolderRef {
                    path: folder,
                    uid_validity: 0,
                },
                bytes,
                flags,
                message_id,
                op,
            }),
            WorkerCommand::Search {
                folder,
                query,
                now,
                req,
            } => {
                if self.searches.len() == MAX_PENDING_SEARCHES {
                    self.searches.pop_front();
                }
                self.searches.push_back(PendingSearch {
                    folder,
                    query,
                    now,
                    req,
                    local_sent: false,
                });
                if !self.connected {
                    self.answer_offline("offline");
                }
            }
            WorkerCommand::Cancel { op } => self.ops.retain(|o| o.id() != op),
            WorkerCommand::Shutdown => return Flow::Stop,
        }
        Flow::Continue
    }

    async fn run(mut self, mut rx: UnboundedReceiver<WorkerCommand>) {
        loop {
            while let Ok(cmd) = rx.try_recv() {
                if let Flow::Stop = self.absorb(cmd) {
                    return self.backend.disconnect().await;
                }
            }
            if !self.connected && self.want_connection {
                if let Flow::Stop = self.connect(&mut rx).await {
                    return self.backend.disconnect().await;
                }
                continue;
            }
            if self.connected && self.credentials_expiring() {
                info!("access token about to expire; reconnecting with a fresh one");
                self.backend.disconnect().await;
                self.connected = false;
                self.want_connection = true;
                if let Some(o) = &mut self.open {
                    o.phase = Phase::Select;
                }
                continue;
            }
            if self.connected && self.step().await {
                self.apply_changes();
                continue;
            }
            let renew_in = self
                .backend
                .reconnect_at()
                .filter(|_| self.connected)
                .map(|at| Duration::from_secs((at - crate::auth::oauth::now()).max(0) as u64));
            let got = if self.connected && self.open.as_ref().is_some_and(OpenFolder::live) {
                self.watch(&mut rx, renew_in).await
            } else {
                // Nothing to watch: wait for a command, until the session's
                // token needs replacing, or until a held resync is due.
                let hold = self
                    .open
                    .as_ref()
                    .and_then(|o| o.hold_until)
                    .filter(|t| self.connected && *t > Instant::now())
                    .map(|t| t.saturating_duration_since(Instant::now()));
                tokio::select! {
                    cmd = rx.recv() => Some(cmd),
                    _ = tokio::time::sleep(renew_in.unwrap_or_default()), if renew_in.is_some() => None,
                    _ = tokio::time::sleep(hold.unwrap_or_default()), if hold.is_some() => None,
                }
            };
            match got {
                Some(Some(cmd)) => {
                    if let Flow::Stop = self.absorb(cmd) {
                        return self.backend.disconnect().await;
                    }
                }
                Some(None) => return self.backend.disconnect().await,
                None => {}
            }
        }
    }

    /// Waits for the open folder to change, or for a command (returned).
    async fn watch(
        &mut self,
        rx: &mut UnboundedReceiver<WorkerCommand>,
        renew_in: Option<Duration>,
    ) -> Option<Option<WorkerCommand>> {
        let max = renew_in.unwrap_or(Duration::from_secs(3600));
        let mut got = None;
        let result = {
            let stop = async {
                got = Some(rx.recv().await);
            };
            self.backend.watch(max, stop).await
        };
        match result {
            Ok(()) => {
                self.apply_changes();
                self.still_current();
            }
            Err(e) => {
                self.failed("watch for changes", &e);
            }
        }
        got
    }

    /// One connection attempt; waits out the backoff while taking commands.
    async fn connect(&mut self, rx: &mut UnboundedReceiver<WorkerCommand>) -> Flow {
        if self.losses > 1 {
            // Sessions keep dying soon after they start: slow down.
            let wait = backoff(self.losses - 1);
            warn!(
                losses = self.losses,
                "the connection keeps dropping; reconnecting in {}s",
                wait.as_secs()
            );
            self.emit(WorkerEvent::Conn(ConnState::Retrying {
                attempt: self.losses,
                error: Clean::line("the connection keeps dropping"),
                retry_in_secs: wait.as_secs(),
            }));
            if let Flow::Stop = self.wait(rx, wait, false).await {
                return Flow::Stop;
            }
        }
        self.emit(WorkerEvent::Conn(if self.ever_connected {
            ConnState::Reconnecting
        } else {
            ConnState::Connecting
        }));
        match self.backend.connect().await {
            Ok(()) => {
                info!("connected");
                self.connected = true;
                self.ever_connected = true;
                self.attempt = 0;
                self.session_start = Instant::now();
                self.folders_wanted = true;
                if let Some(f) = &mut self.open {
                    f.phase = Phase::Select;
                }
                self.emit(WorkerEvent::Conn(ConnState::Connected));
                Flow::Continue
            }
            Err(e) if e.is_transient() => {
                self.attempt += 1;
                let wait = backoff(self.attempt);
                warn!(
                    attempt = self.attempt,
                    "connection failed: {e}; retrying in {}s",
                    wait.as_secs()
                );
                self.emit(WorkerEvent::Conn(ConnState::Retrying {
                    attempt: self.attempt,
                    error: Clean::line(&e.to_string()),
                    retry_in_secs: wait.as_secs(),
                }));
                self.answer_offline("the server does not answer");
                self.wait(rx, wait, true).await
            }
            Err(e) => {
                warn!("cannot connect: {e}");
                self.want_connection = false;
                self.answer_offline("cannot connect");
                self.emit(WorkerEvent::Conn(ConnState::Failed(Clean::line(
                    &e.to_string(),
                ))));
                Flow::Continue
            }
        }
    }

    /// Sleeps while taking commands; a Connect cuts it short. With
    /// `probe`, checks every [`PROBE_EVERY`] whether the server answers;
    /// once it goes from silent to answering, the wait ends. A server that
    /// answered all along (the failure came later, at TLS or login) gets
    /// the whole backoff: probing is no way around it.
    async fn wait(
        &mut self,
        rx: &mut UnboundedReceiver<WorkerCommand>,
        wait: Duration,
        probe: bool,
    ) -> Flow {
        let deadline = Instant::now() + wait;
        let mut was_down = probe && !self.backend.reachable().await;
        loop {
            let next = if probe {
                (Instant::now() + PROBE_EVERY).min(deadline)
            } else {
                deadline
            };
            tokio::select! {
                _ = tokio::time::sleep_until(next) => {
                    if Instant::now() >= deadline {
                        return Flow::Continue;
                    }
                    let up = self.backend.reachable().await;
                    if up && was_down {
                        info!("the server answers again; reconnecting now");
                        return Flow::Continue;
                    }
                    was_down |= !up;
                }
                cmd = rx.recv() => match cmd {
                    None => return Flow::Stop,
                    Some(cmd) => {
                        let retry_now = cmd == WorkerCommand::Connect;
                        if let Flow::Stop = self.absorb(cmd) {
                            return Flow::Stop;
                        }
                        if retry_now {
                            self.losses = 0;
                            return Flow::Continue;
                        }
                    }
                },
            }
        }
    }

    fn credentials_expiring(&self) -> bool {
        self.backend
            .reconnect_at()
            .is_some_and(|at| crate::auth::oauth::now() >= at)
    }

    /// A step failed. Transport trouble reconnects (and the step is tried
    /// again there); an unreadable answer does too, once. Returns whether
    /// the caller should give up the command behind the step.
    pub fn failed(&mut self, step: &str, e: &MailError) -> bool {
        if !e.ends_session() {
            return true;
        }
        let give_up = matches!(e, MailError::Protocol(_)) && self.repeated.as_deref() == Some(step);
        if matches!(e, MailError::Protocol(_)) {
            self.repeated = Some(step.to_string());
        }
        warn!("connection lost ({step}): {e}");
        self.connected = false;
        self.want_connection = true;
        if self.session_start.elapsed() < HEALTHY_SESSION {
            self.losses += 1;
        } else {
            self.losses = 1;
        }
        if let Some(o) = &mut self.open {
            o.phase = Phase::Select;
        }
        // Never show "connected" for a dead connection.
        self.emit(WorkerEvent::Conn(ConnState::Reconnecting));
        give_up
    }

    /// Does the most urgent pending piece of work. Returns false when idle.
    async fn step(&mut self) -> bool {
        let held = self.open.as_ref().is_some_and(|o| o.held(Instant::now()));
        if !held && self.open.as_ref().is_some_and(|o| o.phase == Phase::Select) {
            self.select().await;
            return true;
        }
        let selected = self.open.as_ref().is_some_and(|o| o.sel.is_some());
        if selected && self.message.is_some() {
            self.fetch_message().await;
            return true;
        }
        if selected && !self.parts.is_empty() {
            self.fetch_parts().await;
            return true;
        }
        if selected && !self.ops.is_empty() {
            self.run_op().await;
            return true;
        }
        if selected && !self.searches.is_empty() {
            self.run_search().await;
            return true;
        }
        // The first screen of a new folder before the folder list.
        let first_screen = self
            .open
            .as_ref()
            .is_some_and(OpenFolder::first_screen_pending);
        if self.folders_wanted && !first_screen {
            self.list_folders().await;
            return true;
        }
        if !held && self.open.as_ref().is_some_and(|o| !o.live()) {
            self.sync_step().await;
            return true;
        }
        if self.counts_due.is_some_and(|at| Instant::now() >= at) {
            self.refresh_counts().await;
            return true;
        }
        if self
            .open
            .as_ref()
            .is_some_and(|o| o.prefetch_pending(self.options.prefetch))
        {
            self.prefetch_step().await;
            return true;
        }
        // Last: every command of the user's goes first, one FETCH apart.
        if self
            .open
            .as_ref()
            .is_some_and(|o| o.text_sync_pending(self.options.sync_text.is_some()))
        {
            self.text_sync_step().await;
            return true;
        }
        false
    }

    async fn list_folders(&mut self) {
        match self.backend.list_folders().await {
            Ok(folders) => {
                self.folders_wanted = false;
                info!(count = folders.len(), "folders listed");
                let save = folders.clone();
                self.store.send(move |s| s.save_folders(&save));
                self.folders = folders.clone();
                self.emit(WorkerEvent::Folders(folders));
            }
            Err(e) => {
                if self.failed("list folders", &e) {
                    self.folders_wanted = false;
                    warn!("cannot list folders: {e}");
                    if !e.ends_session() {
                        self.emit(WorkerEvent::Conn(ConnState::Failed(Clean::line(
                            &e.to_string(),
                        ))));
                    }
                }
            }
        }
    }
}
