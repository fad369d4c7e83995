//! One token service per OAuth account: signs in (device code or
//! browser), refreshes ahead of expiry, stores every rotated refresh token,
//! and tells the UI (events) and the IMAP connection (a watch channel)
//! where things stand.
//!
//! - `status`: the types the UI reads (commands in, status out);
//! - `handle`: what the IMAP side holds to get a valid access token;
//! - `phase`: how a sign-in or refresh result changes the state, as a
//!   plain function of (state, result, now);
//! - `task`: the task that runs it all.

mod handle;
mod phase;
mod status;
mod task;

pub use handle::{TokenHandle, TokenRequest};
pub use status::{AdminConsent, AuthCommand, LoginMethod, TokenPhase, TokenStatus};
pub use task::{ServiceHandle, StatusSink, TokenService, spawn};
