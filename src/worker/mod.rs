//! One background task per account. It owns the account's backend (and so
//! its connection), turns [`WorkerCommand`]s into mailbox operations and
//! reports [`WorkerEvent`]s. The UI never awaits it.
//!
//! The loop is generic over [`MailBackend`](crate::mail::MailBackend), so
//! the demo's Maildir accounts run through exactly the code IMAP uses.

mod protocol;
mod run;

pub use protocol::{ConnState, WorkerCommand, WorkerEvent};
pub use run::{WorkerHandle, spawn};
