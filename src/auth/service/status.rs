//! What the UI reads of a token service: the commands it takes and the
//! status it reports. Never the tokens.

use super::super::browser::BrowserPrompt;
use super::super::oauth::DeviceCode;
use super::super::secret::Secret;
use crate::sanitize::Clean;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoginMethod {
    Device,
    Browser,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthCommand {
    SignIn,
    /// A sign-in asking for these scopes alone: consent for one more
    /// resource (Microsoft Graph's `Mail.Send`). The account's own tokens
    /// stay; the new refresh token replaces the old one.
    SignInFor(Vec<String>),
    /// An access token for another resource, from the refresh token.
    TokenFor(super::handle::TokenRequest),
    /// That resource turned its token down: drop it.
    ForgetTokenFor(Vec<String>),
    Cancel,
    SignOut,
    /// The access token is stale: refresh unless that just happened.
    Refresh,
    /// The server turned this access token down: replace it now, unless it
    /// has been replaced already.
    Rejected(Secret),
    Shutdown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenPhase {
    SignedOut,
    WaitingForCode(DeviceCode),
    WaitingForBrowser(BrowserPrompt),
    SignedIn,
    Refreshing,
    SignInNeeded(Clean),
}

/// What the UI shows about an account's tokens. Never the tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenStatus {
    pub phase: TokenPhase,
    pub access_expires_at: Option<i64>,
    /// When the last refresh happened and how it went.
    pub last_refresh: Option<(i64, Result<(), Clean>)>,
    pub refresh_issued_at: Option<i64>,
    pub signed_in_at: Option<i64>,
    pub scopes: Vec<String>,
    /// Why the last sign-in attempt ended without tokens (declined, expired …).
    pub note: Option<Clean>,
    /// Only a tenant admin can approve what was asked: what, and where.
    pub admin_consent: Option<AdminConsent>,
    /// The scopes a sign-in under way asks for, when not the account's own.
    pub asking: Option<Vec<String>>,
    /// Sign-in flows ended so far (approved, failed, cancelled): a change
    /// tells the screen that the one it asked for is over.
    pub flows_ended: u64,
}

/// What an admin must approve, and the link that does it for the tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminConsent {
    /// "reading mail over IMAP, sending mail over SMTP".
    pub permissions: String,
    pub url: String,
}

impl TokenStatus {
    /// Signed out, nothing known yet.
    pub fn new() -> Self {
        TokenStatus {
            phase: TokenPhase::SignedOut,
            access_expires_at: None,
            last_refresh: None,
            refresh_issued_at: None,
            signed_in_at: None,
            scopes: Vec::new(),
            note: None,
            admin_consent: None,
            asking: None,
            flows_ended: 0,
        }
    }
}

impl Default for TokenStatus {
    fn default() -> Self {
        Self::new()
    }
}
