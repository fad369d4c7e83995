//! The worker loop: drain commands, then do the most urgent piece of work,
//! one network round-trip at a time, so a new command never waits behind
//! more than one batch.

use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::protocol::{ConnState, WorkerCommand, WorkerEvent};
use crate::mail::backend::{MailBackend, MailError};
use crate::mail::message;
use crate::sanitize::Clean;

/// Rows fetched before anything else, so the first screen appears at once.
pub const FIRST_BATCH: u32 = 100;
/// Later batches: large enough to be efficient, small enough that a body
/// fetch queued behind one is not noticeably delayed.
pub const BATCH: u32 = 1000;
const MAX_BACKOFF: Duration = Duration::from_secs(60);

pub struct WorkerHandle {
    pub commands: UnboundedSender<WorkerCommand>,
    pub join: JoinHandle<()>,
}

pub fn spawn<B: MailBackend>(
    account: usize,
    name: String,
    backend: B,
    events: UnboundedSender<(usize, WorkerEvent)>,
) -> WorkerHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    let worker = Worker {
        account,
        name,
        backend,
        events,
        connected: false,
        want_connection: false,
        attempt: 0,
        folder: None,
        message: None,
        seen: Vec::new(),
        folders_wanted: false,
        ever_connected: false,
    };
    let join = tokio::spawn(worker.run(rx));
    WorkerHandle { commands: tx, join }
}

/// The open folder and how far its envelopes have been loaded.
struct OpenFolder {
    path: String,
    req: u64,
    /// SELECT has succeeded on the current connection.
    selected: bool,
    /// Message count at the last SELECT.
    exists: Option<u32>,
    uid_validity: Option<u32>,
    /// Highest sequence number not yet fetched (0 = all loaded).
    next_hi: u32,
}

struct Worker<B> {
    account: usize,
    name: String,
    backend: B,
    events: UnboundedSender<(usize, WorkerEvent)>,
    connected: bool,
    want_connection: bool,
    attempt: u32,
    folder: Option<OpenFolder>,
    message: Option<(u32, u64)>,
    seen: Vec<(u32, bool)>,
    folders_wanted: bool,
    ever_connected: bool,
}

enum Flow {
    Continue,
    Stop,
}

impl<B: MailBackend> Worker<B> {
    fn emit(&self, event: WorkerEvent) {
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
                self.folder = Some(OpenFolder {
                    path,
                    req,
                    selected: false,
                    exists: None,
                    uid_validity: None,
                    next_hi: 0,
                });
                // A body requested for the old folder can't be served now.
                self.message = None;
            }
            WorkerCommand::FetchMessage { uid, req } => self.message = Some((uid, req)),
            WorkerCommand::SetSeen { uid, seen } => self.seen.push((uid, seen)),
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
                info!(account = %self.name, "access token about to expire; reconnecting with a fresh one");
                self.reconnect().await;
                continue;
            }
            if self.connected && self.step().await {
                continue;
            }
            // Idle: wait for a command, or until the session's token needs replacing.
            let renew_in = self
                .backend
                .reconnect_at()
                .filter(|_| self.connected)
                .map(|at| Duration::from_secs((at - crate::auth::oauth::now()).max(0) as u64));
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    Some(cmd) => {
                        if let Flow::Stop = self.absorb(cmd) {
                            return self.backend.disconnect().await;
                        }
                    }
                    None => return self.backend.disconnect().await,
                },
                _ = tokio::time::sleep(renew_in.unwrap_or_default()), if renew_in.is_some() => {}
            }
        }
    }

    /// One connection attempt; on a transient failure, waits out the
    /// backoff while still taking commands.
    async fn connect(&mut self, rx: &mut UnboundedReceiver<WorkerCommand>) -> Flow {
        self.emit(WorkerEvent::Conn(if self.ever_connected {
            ConnState::Reconnecting
        } else {
            ConnState::Connecting
        }));
        match self.backend.connect().await {
            Ok(()) => {
                info!(account = %self.name, "connected");
                self.connected = true;
                self.ever_connected = true;
                self.attempt = 0;
                self.folders_wanted = true;
                if let Some(f) = &mut self.folder {
                    f.selected = false;
                }
                self.emit(WorkerEvent::Conn(ConnState::Connected));
                Flow::Continue
            }
            Err(e) if e.is_transient() => {
                self.attempt += 1;
                let wait = backoff(self.attempt);
                warn!(account = %self.name, attempt = self.attempt, "connection failed: {e}; retrying in {}s", wait.as_secs());
                self.emit(WorkerEvent::Conn(ConnState::Retrying {
                    attempt: self.attempt,
                    error: Clean::line(&e.to_string()),
                    retry_in_secs: wait.as_secs(),
                }));
                let sleep = tokio::time::sleep(wait);
                tokio::pin!(sleep);
                loop {
                    tokio::select! {
                        _ = &mut sleep => return Flow::Continue,
                        cmd = rx.recv() => match cmd {
                            None => return Flow::Stop,
                            Some(cmd) => {
                                let retry_now = cmd == WorkerCommand::Connect;
                                if let Flow::Stop = self.absorb(cmd) {
                                    return Flow::Stop;
                                }
                                if retry_now {
                                    return Flow::Continue;
                                }
                            }
                        },
                    }
                }
            }
            Err(e) => {
                warn!(account = %self.name, "cannot connect: {e}");
                self.want_connection = false;
                self.emit(WorkerEvent::Conn(ConnState::Failed(Clean::line(
                    &e.to_string(),
                ))));
                Flow::Continue
            }
        }
    }

    fn credentials_expiring(&self) -> bool {
        self.backend
            .reconnect_at()
            .is_some_and(|at| crate::auth::oauth::now() >= at)
    }

    /// Replaces a working session (its token is about to expire); the open
    /// folder is re-selected and loading resumes where it was.
    async fn reconnect(&mut self) {
        self.backend.disconnect().await;
        self.connected = false;
        self.want_connection = true;
    }

    /// A transport failure mid-session: reconnect and carry on where we were.
    fn lost(&mut self, e: &MailError) {
        warn!(account = %self.name, "connection lost: {e}");
        self.connected = false;
        self.want_connection = true;
    }

    /// Does the most urgent pending piece of work. Returns false when idle.
    async fn step(&mut self) -> bool {
        if self.folders_wanted {
            match self.backend.list_folders().await {
                Ok(folders) => {
                    self.folders_wanted = false;
                    info!(account = %self.name, count = folders.len(), "folders listed");
                    self.emit(WorkerEvent::Folders(folders));
                }
                Err(e) => self.fail_folders(e),
            }
            return true;
        }
        if let Some(f) = self.folder.as_ref().filter(|f| !f.selected) {
            let (path, req) = (f.path.clone(), f.req);
            self.select(path, req).await;
            return true;
        }
        if let Some((uid, req)) = self.message.take() {
            match self.backend.fetch_message(uid).await {
                Ok(raw) => {
                    let view = tokio::task::spawn_blocking(move || message::parse(uid, &raw)).await;
                    match view {
                        Ok(view) => self.emit(WorkerEvent::Message {
                            req,
                            message: Box::new(view),
                        }),
                        Err(e) => self.emit(WorkerEvent::MessageFailed {
                            req,
                            error: Clean::line(&format!("message could not be read: {e}")),
                        }),
                    }
                }
                Err(e) if e.is_transient() => {
                    self.message = Some((uid, req));
                    self.lost(&e);
                }
                Err(e) => self.emit(WorkerEvent::MessageFailed {
                    req,
                    error: Clean::line(&e.to_string()),
                }),
            }
            return true;
        }
        if let Some(&(uid, seen)) = self.seen.first() {
            match self.backend.set_seen(uid, seen).await {
                Ok(()) => {
                    self.seen.remove(0);
                }
                Err(e) if e.is_transient() => self.lost(&e),
                Err(e) => {
                    self.seen.remove(0);
                    warn!(account = %self.name, "could not mark message {uid}: {e}");
                }
            }
            return true;
        }
        if let Some(f) = self.folder.as_ref().filter(|f| f.next_hi > 0) {
            let hi = f.next_hi;
            let size = if f.exists == Some(hi) {
                FIRST_BATCH
            } else {
                BATCH
            };
            let lo = hi.saturating_sub(size - 1).max(1);
            let req = f.req;
            match self.backend.fetch_envelopes(lo..=hi).await {
                Ok(mut envelopes) => {
                    envelopes.sort_by_key(|e| std::cmp::Reverse(e.uid));
                    if let Some(f) = &mut self.folder {
                        f.next_hi = lo - 1;
                    }
                    self.emit(WorkerEvent::Envelopes {
                        req,
                        envelopes,
                        remaining: lo - 1,
                    });
                }
                Err(e) if e.is_transient() => self.lost(&e),
                Err(e) => {
                    if let Some(f) = &mut self.folder {
                        f.next_hi = 0;
                    }
                    self.emit(WorkerEvent::FolderFailed {
                        req,
                        error: Clean::line(&e.to_string()),
                    });
                }
            }
            return true;
        }
        false
    }

    fn fail_folders(&mut self, e: MailError) {
        if e.is_transient() {
            self.lost(&e);
        } else {
            self.folders_wanted = false;
            warn!(account = %self.name, "cannot list folders: {e}");
            self.emit(WorkerEvent::Conn(ConnState::Failed(Clean::line(
                &e.to_string(),
            ))));
        }
    }

    async fn select(&mut self, path: String, req: u64) {
        match self.backend.open_folder(&path).await {
            Ok(status) => {
                let Some(f) = &mut self.folder else { return };
                // After a reconnect, keep what was loaded if the folder is unchanged.
                let resumed = status.uid_validity.is_some()
                    && f.uid_validity == status.uid_validity
                    && f.exists == Some(status.exists);
                f.selected = true;
                f.exists = Some(status.exists);
                f.uid_validity = status.uid_validity;
                if !resumed {
                    f.next_hi = status.exists;
                    info!(account = %self.name, folder = %Clean::line(&path), messages = status.exists, "folder opened");
                    self.emit(WorkerEvent::FolderOpened {
                        path,
                        req,
                        exists: status.exists,
                    });
                }
            }
            Err(e) if e.is_transient() => self.lost(&e),
            Err(e) => {
                self.folder = None;
                warn!(account = %self.name, "cannot open folder: {e}");
                self.emit(WorkerEvent::FolderFailed {
                    req,
                    error: Clean::line(&e.to_string()),
                });
            }
        }
    }
}

fn backoff(attempt: u32) -> Duration {
    let secs = 1u64 << attempt.saturating_sub(1).min(6);
    Duration::from_secs(secs).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let secs: Vec<u64> = (1..=9).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
