//! SMTP replies turned into sentences: Microsoft's documented refusals by
//! their enhanced status codes, then generic 4xx (try later) / 5xx (not
//! this way). The raw reply goes along for the log.

use super::error::{SendError, SendErrorKind};

/// Longest piece of server text put in a sentence.
const MAX_SERVER_TEXT: usize = 300;

/// Which command the reply answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    Greeting,
    Ehlo,
    Starttls,
    Auth {
        bearer: bool,
    },
    Mail {
        from: String,
    },
    Rcpt {
        to: String,
    },
    Data,
    /// The answer after the message's final dot.
    DataEnd,
}

/// Server text made fit for one line on screen: no control characters,
/// whitespace collapsed, cut at [`MAX_SERVER_TEXT`].
pub fn clean(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().filter(|c| !crate::sanitize::is_unsafe(*c)));
        if out.chars().count() > MAX_SERVER_TEXT {
            out = out.chars().take(MAX_SERVER_TEXT).collect();
            out.push('…');
            break;
        }
    }
    out
}

/// The enhanced status code (RFC 3463) a reply text starts with, if any.
pub fn enhanced_code(text: &str) -> Option<&str> {
    let first = text.split_whitespace().next()?;
    let mut parts = first.split('.');
    let ok = matches!(parts.next(), Some("2" | "4" | "5"))
        && parts.next().is_some_and(is_number)
        && parts.next().is_some_and(is_number)
        && parts.next().is_none();
    ok.then_some(first)
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The reply as the log shows it: "535 5.7.3 Authentication unsuccessful".
pub fn raw_reply(code: u16, text: &str) -> String {
    format!("{code} {}", clean(text))
}

/// One negative reply as a [`SendError`].
pub fn decode_reply(code: u16, text: &str, stage: &Stage) -> SendError {
    let raw = Some(raw_reply(code, text));
    let enhanced = enhanced_code(text).unwrap_or("");
    let lower = text.to_ascii_lowercase();
    let said = clean(text);
    let e = |kind, sentence: String| SendError::new(kind, sentence, raw.clone());
    use SendErrorKind as K;

    match (code, enhanced) {
        (_, "5.7.139") => {
            let why = if lower.contains("security defaults") || lower.contains("did not meet") {
                "your organization's security defaults or Conditional Access block SMTP sign-in \
                 for this mailbox. Ask your admin to allow it"
            } else if lower.contains("for the mailbox") {
                "SMTP AUTH is switched off for this mailbox. Ask your admin to allow SMTP AUTH for it"
            } else {
                "SMTP AUTH is switched off for your organization (the tenant). Ask your admin to \
                 allow SMTP AUTH for your mailbox"
            };
            e(
                K::AuthDisabled,
                format!(
                    "The server turned down sending although the sign-in is valid: {why} \
                     (Microsoft 365: 5.7.139)."
                ),
            )
        }
        (_, "5.7.3") => e(
            K::Auth,
            "The server turned down the sign-in for sending (5.7.3): sign in again, with the \
             permission to send mail; for a shared mailbox, sign in as yourself and send from its \
             address."
                .into(),
        ),
        (_, "5.7.30") => e(
            K::Auth,
            "The server no longer takes passwords for sending (5.7.30): use OAuth2 sign-in for \
             this account."
                .into(),
        ),
        (_, "5.7.57") => e(
            K::Auth,
            "The server wants a sign-in before it takes mail (5.7.57): set the account's SMTP \
             sign-in."
                .into(),
        ),
        (_, "5.7.60") => {
            let from = match stage {
                Stage::Mail { from } => format!(" {from}"),
                _ => String::new(),
            };
            e(
                K::SendAsDenied,
                format!(
                    "You may not send as this sender{from} (5.7.60): ask your admin for the Send As \
                     right, or send from your own address."
                ),
            )
        }
        (_, "4.3.2") if lower.contains("thread limit") || lower.contains("storedrv") => e(
            K::Transient,
            "The server is busy with other messages from this mailbox (4.3.2: more than three \
             at once). Try again in a minute."
                .into(),
        ),
        (_, "4.7.0") => e(
            K::Transient,
            format!("The server had a temporary problem (4.7.0): {said}. Try again later."),
        ),
        (552, _) | (_, "5.3.4") | (_, "5.2.3") => e(
            K::TooBig,
            "The message is bigger than the server takes (552 5.3.4). Make it smaller \
             (attachments) or share large files another way."
                .into(),
        ),
        (_, "5.1.1") | (550 | 551 | 553, _) if matches!(stage, Stage::Rcpt { .. }) => {
            let Stage::Rcpt { to } = stage else {
                unreachable!()
            };
            let why = if enhanced == "5.1.1" {
                "the server does not know this address".to_string()
            } else {
                said.clone()
            };
            e(
                K::RecipientRefused(vec![to.clone()]),
                format!("{to} was refused: {why}."),
            )
        }
        (535, _) | (_, "5.7.8") => {
            let what = match stage {
                Stage::Auth { bearer: true } => "the sign-in token",
                _ => "the user name or password",
            };
            e(
                K::Auth,
                format!("The server turned down {what} for sending: {said}."),
            )
        }
        (530, _) => e(
            K::Auth,
            format!("The server wants a sign-in before it takes mail: {said}."),
        ),
        (400..=499, _) => {
            let kind = match stage {
                Stage::Rcpt { to } => K::RecipientRefused(vec![to.clone()]),
                _ => K::Transient,
            };
            let whom = match stage {
                Stage::Rcpt { to } => format!("{to} was refused for now"),
                _ => "The server refused for now".into(),
            };
            e(kind, format!("{whom} ({code}): {said}. Try again later."))
        }
        _ => {
            let (kind, whom) = match stage {
                Stage::Rcpt { to } => (
                    K::RecipientRefused(vec![to.clone()]),
                    format!("{to} was refused"),
                ),
                _ => (K::Permanent, "The server refused the message".into()),
            };
            e(kind, format!("{whom} ({code}): {said}."))
        }
    }
}

/// Several refused recipients as one error naming them all; nothing was
/// sent to the others either.
pub fn refused_recipients(refusals: &[SendError], total: usize) -> SendError {
    let mut addresses = Vec::new();
    let mut reasons = Vec::new();
    let mut raw = Vec::new();
    for r in refusals {
        if let SendErrorKind::RecipientRefused(a) = &r.kind {
            addresses.extend(a.iter().cloned());
        }
        reasons.push(r.sentence.trim_end_matches('.').to_string());
        raw.extend(r.raw.clone());
    }
    let sentence = format!(
        "Nothing was sent: the server refused {} of {total} recipient{} ({}). Correct or remove \
         {} and send again.",
        addresses.len(),
        if total == 1 { "" } else { "s" },
        reasons.join("; "),
        if addresses.len() == 1 { "it" } else { "them" },
    );
    SendError::new(
        SendErrorKind::RecipientRefused(addresses),
        sentence,
        (!raw.is_empty()).then(|| raw.join(" | ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use SendErrorKind as K;

    fn auth(bearer: bool) -> Stage {
        Stage::Auth { bearer }
    }

    #[test]
    fn microsoft_tenant_switch_is_auth_disabled_and_says_so() {
        let text = "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for \
                    the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.";
        let e = decode_reply(535, text, &auth(true));
        assert_eq!(e.kind, K::AuthDisabled);
        assert!(e.sentence.contains("tenant"), "{}", e.sentence);
        assert!(e.sentence.contains("admin"), "{}", e.sentence);
        assert_eq!(e.raw.as_deref(), Some(&*format!("535 {text}")));

        let mailbox = decode_reply(
            535,
            "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the \
             Mailbox.",
            &auth(true),
        );
        assert!(mailbox.sentence.contains("for this mailbox"), "{mailbox:?}");
        let defaults = decode_reply(
            535,
            "5.7.139 Authentication unsuccessful, user is locked by your organization's security \
             defaults policy.",
            &auth(false),
        );
        assert_eq!(defaults.kind, K::AuthDisabled);
        assert!(defaults.sentence.contains("security defaults"));
    }

    #[test]
    fn documented_microsoft_replies() {
        let cases: [(u16, &str, Stage, K, &str); 9] = [
            (
                535,
                "5.7.3 Authentication unsuccessful",
                auth(true),
                K::Auth,
                "sign in again",
            ),
            (
                530,
                "5.7.57 Client not authenticated to send mail",
                Stage::Mail { from: "a@b".into() },
                K::Auth,
                "sign-in",
            ),
            (
                451,
                "4.7.0 Temporary server error. Please try again later. PRX4",
                Stage::DataEnd,
                K::Transient,
                "Try again later",
            ),
            (
                432,
                "4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded",
                Stage::DataEnd,
                K::Transient,
                "more than three",
            ),
            (
                550,
                "5.7.60 SMTP; Client does not have permissions to send as this sender",
                Stage::DataEnd,
                K::SendAsDenied,
                "Send As",
            ),
            (
                552,
                "5.3.4 Message size exceeds fixed maximum message size",
                Stage::DataEnd,
                K::TooBig,
                "bigger",
            ),
            (
                550,
                "5.1.1 User unknown",
                Stage::Rcpt {
                    to: "nobody@example.com".into(),
                },
                K::RecipientRefused(vec!["nobody@example.com".into()]),
                "does not know",
            ),
            (
                550,
                "5.7.30 Basic authentication is not supported for Client Submission",
                auth(false),
                K::Auth,
                "OAuth2",
            ),
            (
                535,
                "5.7.8 Username and Password not accepted",
                auth(false),
                K::Auth,
                "user name or password",
            ),
        ];
        for (code, text, stage, kind, words) in cases {
            let e = decode_reply(code, text, &stage);
            assert_eq!(e.kind, kind, "{code} {text}");
            assert!(e.sentence.contains(words), "{code} {text}: {}", e.sentence);
            assert!(e.raw.as_deref().unwrap().starts_with(&code.to_string()));
        }
    }

    #[test]
    fn generic_replies_by_class() {
        let t = decode_reply(421, "4.4.2 Connection dropped", &Stage::Data);
        assert_eq!(t.kind, K::Transient);
        let p = decode_reply(554, "5.6.0 Message rejected", &Stage::DataEnd);
        assert_eq!(p.kind, K::Permanent);
        assert!(p.sentence.contains("5.6.0 Message rejected"));
        // Hostile text: escapes and newlines never reach the screen, length is capped.
        let nasty = format!("5.0.0 \x1b[2Jgone\r\nnext {}", "x".repeat(5000));
        let n = decode_reply(550, &nasty, &Stage::DataEnd);
        assert!(!n.sentence.contains('\x1b') && !n.sentence.contains('\n'));
        assert!(n.sentence.len() < 1000);
    }

    #[test]
    fn enhanced_codes_are_recognised_only_at_the_start() {
        assert_eq!(enhanced_code("5.7.139 Authentication"), Some("5.7.139"));
        assert_eq!(enhanced_code("Authentication 5.7.3"), None);
        assert_eq!(enhanced_code("5.7 nope"), None);
        assert_eq!(enhanced_code("1.2.3 nope"), None);
    }

    #[test]
    fn refused_recipients_are_all_named() {
        let r = [
            decode_reply(
                550,
                "5.1.1 unknown",
                &Stage::Rcpt {
                    to: "x@example.com".into(),
                },
            ),
            decode_reply(
                450,
                "4.2.0 greylisted",
                &Stage::Rcpt {
                    to: "y@example.com".into(),
                },
            ),
        ];
        let e = refused_recipients(&r, 3);
        assert_eq!(
            e.kind,
            K::RecipientRefused(vec!["x@example.com".into(), "y@example.com".into()])
        );
        assert!(e.sentence.starts_with("Nothing was sent"), "{}", e.sentence);
        assert!(e.sentence.contains("2 of 3"), "{}", e.sentence);
        assert!(e.sentence.contains("x@example.com") && e.sentence.contains("y@example.com"));
    }
}
