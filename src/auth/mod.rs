//! Credentials: passwords, and OAuth2 tokens (device code or browser
//! sign-in, refresh, storage, SASL). Nothing here knows about the terminal.

pub mod browser;
pub mod clock;
pub mod errors;
pub mod keyring;
pub mod oauth;
pub mod password;
pub mod sasl;
pub mod secret;
pub mod service;
pub mod store;
pub mod tokens;

pub use password::PasswordSource;
pub use secret::Secret;
