//! Why a message was not sent: a sentence for the user, the server's own
//! reply for the log, and a kind the UI decides on (retry, sign in, edit).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendError {
    /// What the user reads.
    pub sentence: String,
    /// The server's reply (e.g. "535 5.7.139 …") or the local error, for the log.
    pub raw: Option<String>,
    pub kind: SendErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SendErrorKind {
    /// Try again later (4xx, 4.3.2, 4.7.0).
    Transient,
    /// The server refused for good (5xx not covered below).
    Permanent,
    /// The user name, password or token was turned down.
    Auth,
    /// SMTP AUTH is switched off (5.7.139: tenant, mailbox, security
    /// defaults, Conditional Access): another way of sending is needed.
    AuthDisabled,
    /// No right to send as the From address (5.7.60).
    SendAsDenied,
    /// No usable token: the account needs a sign-in.
    SignIn,
    /// The user has not approved this way of sending yet (Graph's
    /// `Mail.Send`): a sign-in for that permission alone.
    Consent,
    /// The account's settings cannot work (plaintext to a remote host, a
    /// bad ca_file, a password command that fails, no STARTTLS offered).
    Config,
    Tls,
    Connect,
    Timeout,
    /// The connection broke during the transfer.
    Interrupted,
    /// Bigger than the server takes.
    TooBig,
    /// These recipients were refused; nothing was sent to anyone.
    RecipientRefused(Vec<String>),
    /// The outbox already says the server took it: not sent again.
    AlreadyAccepted,
    /// The entry cannot be read from the outbox.
    Outbox,
}

impl SendErrorKind {
    /// Whether trying again unchanged may work.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            SendErrorKind::Transient
                | SendErrorKind::Connect
                | SendErrorKind::Timeout
                | SendErrorKind::Interrupted
        )
    }
}

impl SendError {
    pub fn new(kind: SendErrorKind, sentence: impl Into<String>, raw: Option<String>) -> Self {
        SendError {
            sentence: sentence.into(),
            raw,
            kind,
        }
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sentence)
    }
}

impl std::error::Error for SendError {}
