//! The TOML config: schema, provider presets and validation. Every error
//! names the file, line, column and key.
//!
//! Bottom up: `error.rs` (places and errors), `values.rs` (single values),
//! `presets.rs` (providers), `schema.rs` (the file as written),
//! `account.rs` (an account as parsed), `server.rs`, `oauth.rs`, `kind.rs`
//! (what an account is), `shared.rs` (shared mailboxes), `sending.rs`,
//! `settings.rs` (the sections for all accounts), `parse.rs`, `load.rs`.

mod account;
pub mod columns;
mod error;
mod kind;
mod load;
mod oauth;
mod parse;
pub mod pipe;
mod presets;
mod schema;
pub mod searches;
pub mod sending;
mod server;
mod settings;
mod shared;
pub mod theme;
mod values;

pub use account::{Account, AccountKind, ConfigLines, OAuthAccount, SharedMailbox};
pub use error::{ConfigError, Location};
pub use load::load;
pub use parse::parse;
pub use presets::{MICROSOFT_AUTHORITY, MICROSOFT_IMAP_HOST, MICROSOFT_IMAP_SCOPE, Provider};
pub use schema::SidePanes;
pub use sending::{ComposeConfig, SaveSent, Sending, SmtpServer, Transport};
pub use settings::{Config, FilesConfig, KeyBinding, SyncSettings};

#[cfg(test)]
mod tests;
