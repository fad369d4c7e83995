//! Opening a shared mailbox (Microsoft 365): XOAUTH2 with the shared
//! address as `user=` and the delegate's token. A refusal there means a
//! missing permission far more often than a bad token, so it is said so.

use crate::mail::MailError;

/// Whose sign-in opens a shared mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delegate {
    /// The delegate account's name in the config.
    pub account: String,
    /// The address it signs in as.
    pub email: String,
}

/// Exchange's answer after AUTHENTICATE for a mailbox the token's owner
/// may not open: the login "works", the first command is refused.
const NOT_CONNECTED: &str = "User is authenticated but not connected";

/// The server's words inside a login error, without the general advice
/// `login` adds for a user's own mailbox.
fn server_words(msg: &str) -> &str {
    let msg = msg
        .split(". The sign-in itself worked")
        .next()
        .unwrap_or(msg);
    msg.split_once(" refused: ").map_or(msg, |(_, text)| text)
}

/// A refused login (or Exchange's "authenticated but not connected") on a
/// shared mailbox becomes a sentence naming the permission to ask for.
/// Other errors (network, sign-in needed) pass unchanged.
pub fn explain(e: MailError, shared: &str, delegate: &Delegate) -> MailError {
    let said = match &e {
        MailError::Auth(msg) => server_words(msg).to_string(),
        MailError::Command(msg) | MailError::Network(msg) if msg.contains(NOT_CONNECTED) => {
            NOT_CONNECTED.to_string()
        }
        _ => return e,
    };
    MailError::Auth(format!(
        "{} ({}) has no FullAccess to {shared}, or IMAP is off for that mailbox: ask an admin to \
         grant FullAccess (Exchange admin center: Mailboxes → {shared} → Delegation → Read and \
         manage) and to leave IMAP on for {shared}. The server said: {said}",
        delegate.account, delegate.email
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work() -> Delegate {
        Delegate {
            account: "work".into(),
            email: "alice@contoso.com".into(),
        }
    }

    #[test]
    fn exchange_and_dovecot_refusals_name_the_missing_permission() {
        for (e, said) in [
            (
                MailError::Auth(
                    "login as support@contoso.com refused: AUTHENTICATE failed.. The sign-in itself \
                     worked, so IMAP may be switched off for this mailbox"
                        .into(),
                ),
                "AUTHENTICATE failed.",
            ),
            (
                MailError::Command(
                    "open the shared mailbox: User is authenticated but not connected.".into(),
                ),
                NOT_CONNECTED,
            ),
            (
                MailError::Auth(
                    "login as support@contoso.com refused: [AUTHENTICATIONFAILED] Authentication failed."
                        .into(),
                ),
                "[AUTHENTICATIONFAILED] Authentication failed.",
            ),
        ] {
            let MailError::Auth(msg) = explain(e, "support@contoso.com", &work()) else {
                panic!("an auth error")
            };
            assert!(
                msg.starts_with(
                    "work (alice@contoso.com) has no FullAccess to support@contoso.com, or IMAP is off"
                ) && msg.contains("grant FullAccess")
                    && msg.ends_with(&format!("The server said: {said}")),
                "{msg}"
            );
        }
    }

    #[test]
    fn other_errors_pass_unchanged() {
        let e = explain(
            MailError::Network("connection reset".into()),
            "support@contoso.com",
            &work(),
        );
        assert!(matches!(e, MailError::Network(m) if m == "connection reset"));
        let e = explain(
            MailError::SignIn("sign in again".into()),
            "support@contoso.com",
            &work(),
        );
        assert!(matches!(e, MailError::SignIn(_)));
    }
}
