//! OAuth and Microsoft (AADSTS) errors as sentences a person understands,
//! with the likely fix. The raw codes go to the log, never a secret. And
//! the token store's errors, which both the file and the keyring give.

use std::fmt;

use crate::sanitize::Clean;

/// The provider's `error` string goes into the log and onto the screen:
/// cleaned, and no longer than any real OAuth error code.
const MAX_ERROR_CODE: usize = 64;

/// What the account should do about a failed sign-in or refresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthErrorKind {
    /// Network trouble, HTTP 5xx, `temporarily_unavailable`: back off,
    /// keep the tokens.
    Transient,
    /// The refresh token is dead (`invalid_grant`, `interaction_required`):
    /// the user must sign in again.
    SignInNeeded,
    /// The user said no on the verification page.
    Declined,
    /// The device code ran out before the user finished.
    Expired,
    /// The app registration or config is wrong; retrying won't help.
    Config,
    /// The user cancelled.
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthError {
    pub kind: AuthErrorKind,
    /// The OAuth `error` and AADSTS code, for the log ("invalid_grant AADSTS70008").
    pub code: String,
    /// One or two sentences for the screen: what happened and what to do.
    pub message: String,
    /// The provider said the grant itself is dead (`invalid_grant`,
    /// `interaction_required`): the only refresh failure that forgets the
    /// stored tokens. Anything else (Conditional Access, an unknown error)
    /// may pass, so the tokens are kept.
    pub dead_grant: bool,
    /// Whose approval is missing, when that is the problem.
    pub consent: Consent,
}

/// A refusal for want of consent: the user can give it (a device sign-in
/// for the scope), or only a tenant admin can (the admin-consent link).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Consent {
    #[default]
    Given,
    UserCan,
    AdminOnly,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AuthError {}

impl AuthError {
    pub fn new(kind: AuthErrorKind, code: impl Into<String>, message: impl Into<String>) -> Self {
        AuthError {
            kind,
            code: code.into(),
            message: message.into(),
            dead_grant: false,
            consent: Consent::Given,
        }
    }

    /// An error after which the stored tokens can never work again.
    pub fn dead(kind: AuthErrorKind, code: impl Into<String>, message: impl Into<String>) -> Self {
        AuthError {
            dead_grant: true,
            ..Self::new(kind, code, message)
        }
    }

    pub fn transient(message: impl Into<String>) -> Self {
        Self::new(AuthErrorKind::Transient, "network", message)
    }

    pub fn cancelled() -> Self {
        Self::new(AuthErrorKind::Cancelled, "cancelled", "Sign-in cancelled.")
    }
}

/// The first "AADSTSnnnn" in a Microsoft error description.
pub fn aadsts_code(description: &str) -> Option<u32> {
    let start = description.find("AADSTS")? + 6;
    let digits: String = description[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Sentence and fix for a Microsoft error code, where we know one.
fn aadsts_text(code: u32) -> Option<(AuthErrorKind, &'static str)> {
    use AuthErrorKind::*;
    Some(match code {
        70008 | 700082 => (
            SignInNeeded,
            "Sign-in expired after a long period of inactivity. Sign in again.",
        ),
        50173 => (
            SignInNeeded,
            "Your sign-in was revoked (password change, or an admin or you revoked sessions). Sign in again.",
        ),
        70000 => (
            SignInNeeded,
            "The sign-in grant expired or is no longer valid. Sign in again.",
        ),
        50076 | 50079 | 50078 => (
            SignInNeeded,
            "Your organization now requires multi-factor authentication (or it expired). Sign in again.",
        ),
        70043 => (
            SignInNeeded,
            "Your organization's sign-in frequency policy requires signing in again.",
        ),
        65001 => (
            Config,
            "mailtui has not been granted access to your mailbox (or consent was withdrawn). Sign in and accept, or ask your admin to grant consent.",
        ),
        90094 | 90095 | 90008 => (
            Config,
            "Your administrator must approve mailtui before you can use it.",
        ),
        65004 => (
            Declined,
            "You declined the permissions mailtui asked for. Sign in again and accept them.",
        ),
        700016 => (
            Config,
            "This app isn't registered in your organization's directory: check client_id and tenant in the config.",
        ),
        7000218 => (
            Config,
            "The app registration does not allow device sign-in: in Microsoft Entra, set Authentication > Allow public client flows to Yes.",
        ),
        700025 => (
            Config,
            "The app is registered as a public client but a secret was sent (a mailtui bug; please report it).",
        ),
        7000112 => (
            Config,
            "This app has been disabled in Microsoft Entra. Register your own (see the README) and set client_id.",
        ),
        50020 => (
            Config,
            "Your account isn't in that tenant, or this account type isn't allowed there. Try tenant = \"common\" or \"consumers\".",
        ),
        50194 | 9002332 => (
            Config,
            "The app is single-tenant or work-accounts-only: set tenant to your tenant ID or domain, or use another account type.",
        ),
        53003 => (
            Config,
            "Blocked by your organization's Conditional Access policy (device sign-in may be blocked; try login = \"browser\").",
        ),
        530035 => (Config, "Blocked by your organization's security defaults."),
        70011 | 700022 => (
            Config,
            "The requested scope is invalid (a config or mailtui bug): check scopes.",
        ),
        500011 => (Config, "Exchange Online isn't available in this tenant."),
        50196 => (
            Transient,
            "Microsoft saw too many sign-in requests too fast; mailtui will wait and retry.",
        ),
        70016 => (Transient, "Still waiting for you to approve the sign-in."),
        70019 => (
            Expired,
            "The sign-in code expired before it was used. Press a to get a new one.",
        ),
        _ => return None,
    })
}

/// Classifies an OAuth error response (`error`, `error_description`).
pub fn explain(error: &str, description: Option<&str>) -> AuthError {
    use AuthErrorKind::*;
    let cleaned = Clean::line(error);
    let error: String = cleaned.as_str().chars().take(MAX_ERROR_CODE).collect();
    let error = error.as_str();
    let dead_grant = matches!(error, "invalid_grant" | "interaction_required");
    let aadsts = description.and_then(aadsts_code);
    let code = match aadsts {
        Some(n) => format!("{error} AADSTS{n}"),
        None => error.to_string(),
    };
    // The device flow's own outcomes say more than any AADSTS number.
    let flow_outcome = matches!(
        error,
        "authorization_declined" | "access_denied" | "expired_token" | "bad_verification_code"
    );
    let consent = consent_needed(error, aadsts, description.unwrap_or(""));
    if let Some((kind, text)) = aadsts.filter(|_| !flow_outcome).and_then(aadsts_text) {
        let text = match consent {
            Consent::AdminOnly => ADMIN_TEXT,
            _ => text,
        };
        return AuthError {
            dead_grant,
            consent,
            ..AuthError::new(kind, code, text)
        };
    }
    let (kind, text) = match error {
        "invalid_grant" => (
            SignInNeeded,
            "Your sign-in is no longer valid. Sign in again.",
        ),
        "interaction_required" | "login_required" | "consent_required" => (
            SignInNeeded,
            "You need to sign in again (the identity provider asks for it).",
        ),
        "authorization_declined" | "access_denied" => {
            (Declined, "The sign-in was declined. Press a to try again.")
        }
        "expired_token" => (
            Expired,
            "The sign-in code expired before it was used. Press a to get a new one.",
        ),
        "bad_verification_code" => (
            Config,
            "The identity provider did not recognize the device code (a mailtui bug).",
        ),
        "temporarily_unavailable" | "server_error" => (
            Transient,
            "The sign-in service is temporarily unavailable; mailtui will retry.",
        ),
        "invalid_client" | "unauthorized_client" => (
            Config,
            "The identity provider rejected the app: check client_id, tenant and that public client flows are allowed.",
        ),
        "invalid_scope" => (
            Config,
            "The requested scope was rejected: check scopes in the config.",
        ),
        "invalid_request" => (
            Config,
            "The identity provider rejected the request as malformed.",
        ),
        _ => (Config, "The identity provider refused the request."),
    };
    AuthError {
        dead_grant,
        consent,
        ..AuthError::new(kind, code, text)
    }
}

/// The permissions behind scopes, in words, for the sentence saying what
/// an admin must approve.
pub fn permissions_in_words(scopes: &[String]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for s in scopes {
        let s = s.to_ascii_lowercase();
        let w = if s.ends_with("imap.accessasuser.all") {
            "reading mail over IMAP"
        } else if s.ends_with("smtp.send") {
            "sending mail over SMTP"
        } else if s.contains("graph.microsoft.com/mail.send.shared") {
            "sending as shared mailboxes through Microsoft Graph"
        } else if s.contains("graph.microsoft.com/mail.send") {
            "sending mail through Microsoft Graph"
        } else if s == "offline_access" {
            "staying signed in"
        } else {
            continue;
        };
        if !words.contains(&w) {
            words.push(w);
        }
    }
    if words.is_empty() {
        "the permissions mailtui asks for".into()
    } else {
        words.join(", ")
    }
}

const ADMIN_TEXT: &str = "Your organisation lets only an administrator approve apps that read or send mail: an admin must grant mailtui's permissions once for the tenant (the link below).";

/// Microsoft says consent is missing with AADSTS65001 (`consent_required`);
/// admin-only variants are AADSTS90094/90095 ("Need admin approval"),
/// AADSTS90008, and 65001 whose text names the administrator.
fn consent_needed(error: &str, aadsts: Option<u32>, description: &str) -> Consent {
    // Not "administrator": Microsoft's ordinary 65001 text reads "The user
    // or administrator has not consented", which the user can fix.
    let d = description.to_ascii_lowercase();
    let admin_text = [
        "admin consent",
        "admin approval",
        "admin permission",
        "requires admin",
        "tenant admin",
    ]
    .iter()
    .any(|w| d.contains(w));
    match aadsts {
        Some(90094 | 90095 | 90008) => Consent::AdminOnly,
        Some(65001) if admin_text => Consent::AdminOnly,
        Some(65001) => Consent::UserCan,
        _ if error == "consent_required" => Consent::UserCan,
        _ => Consent::Given,
    }
}

/// Why a token or password could not be read or kept (file or keyring).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Io(String),
    #[error(
        "token file {path} is readable by other users (mode {mode:o}); run `chmod 600 {path}` or `mailtui logout` and sign in again"
    )]
    TooOpen { path: String, mode: u32 },
    #[error("token file {0} is damaged; run `mailtui logout` and sign in again")]
    Damaged(String),
    #[error(
        "the keyring gave no answer in {0}s (is the Secret Service locked, or hung? `mailtui doctor` checks it)"
    )]
    KeyringTimeout(u64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_aadsts_codes() {
        assert_eq!(
            aadsts_code(
                "AADSTS70008: The provided authorization code or refresh token has expired"
            ),
            Some(70008)
        );
        assert_eq!(
            aadsts_code("x AADSTS7000218: The request body must contain"),
            Some(7000218)
        );
        assert_eq!(aadsts_code("no code"), None);
        assert_eq!(aadsts_code("AADSTS"), None);
    }

    #[test]
    fn consent_says_who_can_give_it() {
        let user = explain(
            "invalid_grant",
            Some(
                "AADSTS65001: The user or administrator has not consented to use the application with ID 'x'. Send an interactive authorization request for this user and resource.",
            ),
        );
        // "administrator" in Microsoft's usual 65001 text: the user can consent.
        assert_eq!(user.consent, Consent::UserCan);
        let admin = explain(
            "invalid_grant",
            Some(
                "AADSTS65001: The user or administrator has not consented to use the application with ID 'x'. Send an authorization request to your tenant admin to act on behalf of the App : x for Resource : y.",
            ),
        );
        assert_eq!(admin.consent, Consent::AdminOnly);
        assert_eq!(explain("consent_required", None).consent, Consent::UserCan);
        for code in [90094, 90095, 90008] {
            let e = explain(
                "invalid_grant",
                Some(&format!("AADSTS{code}: Need admin approval.")),
            );
            assert_eq!(e.consent, Consent::AdminOnly, "{code}");
            assert!(e.message.contains("administrator"), "{e}");
        }
        assert_eq!(
            explain("invalid_grant", Some("AADSTS70008: expired")).consent,
            Consent::Given
        );
    }

    #[test]
    fn permissions_are_named() {
        let scopes: Vec<String> = [
            "https://outlook.office.com/IMAP.AccessAsUser.All",
            "https://outlook.office.com/SMTP.Send",
            "offline_access",
            "https://graph.microsoft.com/Mail.Send",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            permissions_in_words(&scopes),
            "reading mail over IMAP, sending mail over SMTP, staying signed in, sending mail through Microsoft Graph"
        );
        assert_eq!(
            permissions_in_words(&[]),
            "the permissions mailtui asks for"
        );
    }

    #[test]
    fn dead_refresh_tokens_need_sign_in_with_a_reason() {
        let e = explain(
            "invalid_grant",
            Some("AADSTS70008: expired due to inactivity. Trace ID: x"),
        );
        assert_eq!(e.kind, AuthErrorKind::SignInNeeded);
        assert_eq!(e.code, "invalid_grant AADSTS70008");
        assert!(e.message.contains("inactivity"));
        let e = explain(
            "invalid_grant",
            Some("AADSTS50173: The provided grant has expired due to it being revoked"),
        );
        assert!(e.message.contains("revoked"));
        assert_eq!(
            explain("interaction_required", Some("AADSTS50076: MFA")).kind,
            AuthErrorKind::SignInNeeded
        );
        assert_eq!(
            explain("invalid_grant", None).kind,
            AuthErrorKind::SignInNeeded
        );
    }

    #[test]
    fn registration_problems_say_how_to_fix_them() {
        let e = explain(
            "invalid_client",
            Some("AADSTS7000218: The request body must contain client_assertion"),
        );
        assert_eq!(e.kind, AuthErrorKind::Config);
        assert!(e.message.contains("Allow public client flows"));
        let e = explain(
            "unauthorized_client",
            Some("AADSTS700016: Application with identifier 'x' was not found"),
        );
        assert!(e.message.contains("client_id"));
        let e = explain(
            "invalid_request",
            Some("AADSTS50020: User account from identity provider does not exist in tenant"),
        );
        assert!(e.message.contains("common"));
    }

    #[test]
    fn transient_and_flow_endings() {
        assert_eq!(
            explain("temporarily_unavailable", None).kind,
            AuthErrorKind::Transient
        );
        assert_eq!(
            explain("authorization_declined", None).kind,
            AuthErrorKind::Declined
        );
        assert_eq!(
            explain("authorization_declined", Some("AADSTS70000: declined")).kind,
            AuthErrorKind::Declined
        );
        assert_eq!(
            explain("expired_token", Some("AADSTS70019: code expired")).kind,
            AuthErrorKind::Expired
        );
        assert_eq!(explain("some_new_error", None).kind, AuthErrorKind::Config);
    }

    #[test]
    fn only_a_dead_grant_forgets_tokens() {
        for (error, aadsts) in [
            ("invalid_grant", Some("AADSTS70008: expired")),
            ("invalid_grant", None),
            ("interaction_required", Some("AADSTS50076: MFA")),
        ] {
            assert!(explain(error, aadsts).dead_grant, "{error} {aadsts:?}");
        }
        for (error, aadsts) in [
            (
                "invalid_request",
                Some("AADSTS53003: Access has been blocked by Conditional Access policies."),
            ),
            // A dead-grant AADSTS number under another error is not a dead grant.
            ("invalid_request", Some("AADSTS70008: expired")),
            ("login_required", None),
            ("some_new_error", None),
            ("temporarily_unavailable", None),
            ("invalid_client", Some("AADSTS7000218: x")),
        ] {
            assert!(!explain(error, aadsts).dead_grant, "{error} {aadsts:?}");
        }
        let e = explain("invalid_request", Some("AADSTS53003: blocked"));
        assert_eq!(e.kind, AuthErrorKind::Config);
        assert!(e.message.contains("Conditional Access"), "{e}");
    }

    #[test]
    fn provider_error_codes_are_cleaned_and_capped() {
        let e = explain("x\u{1b}]0;owned\u{7}\u{1b}[31m\nred", None);
        assert!(!e.code.chars().any(char::is_control), "{:?}", e.code);
        assert!(e.code.contains("red"), "{:?}", e.code);
        let e = explain(&"e".repeat(10_000), Some("AADSTS53003: x"));
        assert!(
            e.code.len() <= MAX_ERROR_CODE + " AADSTS53003".len(),
            "{}",
            e.code.len()
        );
    }
}
