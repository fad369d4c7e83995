//! Mailbox backends and the mail data they hand to the rest of the app.
//! Nothing here knows about the terminal.

pub mod backend;
pub mod envelope;
pub mod link_numbers;
pub mod links;
pub mod list_row;
pub mod maildir;
pub mod message;
pub mod mime;
pub mod partial;
pub mod row_text;
pub mod threads;
pub mod types;
pub mod utf7;
pub mod view;

pub use backend::{MailBackend, MailError};
