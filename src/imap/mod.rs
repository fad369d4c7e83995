//! IMAP over TLS: connecting, logging in, and the [`MailBackend`] the
//! account worker drives. Never imports anything of the terminal.
//!
//! [`MailBackend`]: crate::mail::MailBackend

mod backend;
pub(crate) mod connect;
mod convert;
mod fetch;
pub mod guard;
mod idle;
mod internal_date;
mod listing;
pub(crate) mod login;
mod ops;
mod pipeline;
mod quote;
mod raw;
mod select;
pub mod shared;
mod structure;
mod text;
pub(crate) mod tls;
mod tracker;
pub(crate) mod transport;

#[cfg(test)]
mod fuzz_tests;

use std::path::PathBuf;
use std::time::Duration;

pub use backend::ImapBackend;
pub use login::capabilities_in;

use crate::auth::PasswordSource;
use crate::auth::sasl::Mechanism;
use crate::auth::service::TokenHandle;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS from the first byte (port 993).
    Implicit,
    /// Plain connection upgraded with STARTTLS (port 143); never falls back.
    Starttls,
    /// No encryption; accepted for loopback hosts only.
    None,
}

impl TlsMode {
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::Implicit => 993,
            TlsMode::Starttls | TlsMode::None => 143,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub ca_file: Option<PathBuf>,
    pub username: String,
    pub timeouts: Timeouts,
}

/// How the connection logs in.
#[derive(Clone, Debug)]
pub enum ImapAuth {
    Password(PasswordSource),
    /// SASL XOAUTH2 / OAUTHBEARER with tokens from the account's token service.
    Bearer {
        tokens: TokenHandle,
        /// Force one mechanism; otherwise chosen from what the server offers.
        mechanism: Option<Mechanism>,
        /// Microsoft documents only XOAUTH2, so it goes first there.
        microsoft: bool,
    },
}

/// Every network await is bounded by one of these.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub connect: Duration,
    pub command: Duration,
    /// Longest pause inside one message body transfer.
    pub transfer: Duration,
    /// IDLE is ended and begun again this often, which also proves the
    /// connection alive: a silent server is noticed within this plus
    /// `command`. Well inside RFC 2177's 29 minutes and Microsoft 365's
    /// habit of going quiet on long IDLEs.
    pub idle_slice: Duration,
    /// Where the server has no IDLE: how often to ask for changes (NOOP).
    pub poll: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(15),
            command: Duration::from_secs(15),
            transfer: Duration::from_secs(60),
            idle_slice: Duration::from_secs(40),
            poll: Duration::from_secs(30),
        }
    }
}

impl Timeouts {
    /// Longest whole answer to a command whose answer grows with the
    /// mailbox (LIST, SELECT, SEARCH, flag scans): eight silences' worth,
    /// 2 minutes by default. Bodies have no such limit, only `transfer`.
    pub fn step(&self) -> Duration {
        self.command * 8
    }
}

/// Reads the system's trust roots on a thread of their own, so the first
/// connection finds them ready.
pub fn preload_trust_roots() {
    tls::preload();
}

pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
