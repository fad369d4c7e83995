//! Providers and what choosing one presets: Microsoft's IMAP host, sign-in
//! authority and IMAP scope (its SMTP presets are in `sending.rs`).

use serde::Deserialize;

use super::sending;

pub const MICROSOFT_IMAP_HOST: &str = "outlook.office365.com";
pub const MICROSOFT_AUTHORITY: &str = "https://login.microsoftonline.com";
pub const MICROSOFT_IMAP_SCOPE: &str = "https://outlook.office.com/IMAP.AccessAsUser.All";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Microsoft,
    /// Outlook.com, Hotmail and Live personal accounts: Microsoft's
    /// consumer sign-in (tenant `consumers`) and submission host. Read as
    /// `Microsoft` with those defaults.
    #[serde(alias = "outlook.com")]
    Outlook,
    Generic,
    Maildir,
}

impl Provider {
    /// The kind of account the sending keys belong to.
    pub(super) fn sending_kind(self) -> sending::Kind {
        match self {
            Provider::Microsoft => sending::Kind::Microsoft,
            Provider::Outlook => sending::Kind::OutlookCom,
            Provider::Generic => sending::Kind::Generic,
            Provider::Maildir => sending::Kind::Maildir,
        }
    }
}
