//! The tokens of one account, as stored and as refreshed.

use serde::{Deserialize, Serialize};

use super::secret::Secret;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: Secret,
    /// Unix seconds.
    pub access_issued_at: i64,
    pub access_expires_at: i64,
    pub refresh_token: Option<Secret>,
    /// When the current refresh token was issued (it rotates on every use).
    pub refresh_issued_at: Option<i64>,
    /// When the user last signed in interactively.
    pub signed_in_at: i64,
    pub scopes: Vec<String>,
}

impl TokenSet {
    pub fn lifetime(&self) -> i64 {
        self.access_expires_at - self.access_issued_at
    }

    /// When to refresh ahead of expiry.
    pub fn refresh_at(&self) -> i64 {
        self.access_expires_at - refresh_margin(self.lifetime())
    }

    /// When a connection authenticated with this token should be replaced.
    pub fn reconnect_at(&self) -> i64 {
        self.access_expires_at - reconnect_margin(self.lifetime())
    }

    /// Valid for at least `margin` more seconds at `now`.
    pub fn fresh(&self, now: i64, margin: i64) -> bool {
        self.access_expires_at - now > margin
    }
}

/// How long before expiry to refresh: five minutes, or half the lifetime
/// for short-lived tokens, so a refresh never races the expiry.
pub fn refresh_margin(lifetime_secs: i64) -> i64 {
    (lifetime_secs / 2).clamp(1, 300)
}

/// How long before the access token's expiry a connection authenticated
/// with it is replaced: a minute, or a quarter of short lifetimes.
pub fn reconnect_margin(lifetime_secs: i64) -> i64 {
    (lifetime_secs / 4).clamp(1, 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins() {
        assert_eq!(refresh_margin(3600), 300);
        assert_eq!(refresh_margin(20), 10);
        assert_eq!(reconnect_margin(3600), 60);
        assert_eq!(reconnect_margin(20), 5);
        assert_eq!(refresh_margin(0), 1);
    }
}
