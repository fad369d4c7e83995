//! One background task per account. It owns the account's backend (and so
//! its connection), keeps the open folder in step with the server and the
//! local store, turns [`WorkerCommand`]s into mailbox operations and
//! reports [`WorkerEvent`]s. The UI never awaits it.
//!
//! The loop is generic over [`MailBackend`](crate::mail::MailBackend), so
//! the demo's Maildir accounts run through exactly the code IMAP uses.

mod backoff;
mod elsewhere;
mod open;
mod ops;
mod parts;
mod protocol;
mod run;
mod sync;
mod tasks;
mod text_sync;

#[cfg(test)]
mod schedule_tests;

pub use parts::answer as parts_answer;
pub use protocol::{ConnState, FolderRef, PartsRequest, WorkerCommand, WorkerEvent};
pub use run::{WorkerHandle, WorkerOptions, spawn};
pub use sync::{BATCH, FIRST_BATCH};
pub use text_sync::TextSync;
