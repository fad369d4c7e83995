//! Credentials: passwords now; OAuth2 tokens build on the same pieces.

pub mod password;
pub mod secret;

pub use password::PasswordSource;
pub use secret::Secret;
