//! From a key press to the first draft.

use super::address::{format_address, format_list};
use super::original::{attachments, main_text, read_headers};
use super::quote::{attribution, quoted_reply, with_signature};
use super::reply::{from_for, is_mine, my_address, reply_all, reply_to};
use super::subject::{forward_subject, reply_subject};
use super::thread::references_for;
use super::{ComposeKind, ComposeSettings, Draft, Identity, forward};

/// Fields a message taken up again ("edit as new") keeps besides the
/// addresses and the subject: the ones a person sets, not a server.
const KEPT_AS_NEW: &[&str] = &[
    "reply-to",
    "mail-followup-to",
    "mail-reply-to",
    "organization",
    "keywords",
    "comments",
];

/// Fields a recalled draft does not keep: set again when it is built,
/// or added on the way by servers and other programs.
const DROPPED_ON_RECALL: &[&str] = &[
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-id",
    "content-description",
    "content-language",
    "received",
    "return-path",
    "delivered-to",
    "x-original-to",
    "user-agent",
    "x-mailer",
    "status",
    "x-status",
    "x-keywords",
    "x-uid",
    "lines",
    "content-length",
    "authentication-results",
    "dkim-signature",
    "arc-seal",
    "arc-message-signature",
    "arc-authentication-results",
    "received-spf",
    "thread-topic",
    "thread-index",
    "accept-language",
    "x-identity-key",
    "x-account-key",
    "x-forwarded-message-id",
];

/// Prefixes of fields that other mail programs and servers add for
/// themselves: a recalled draft does not keep them either.
const DROPPED_PREFIXES_ON_RECALL: &[&str] = &[
    "x-mozilla-",
    "x-ms-",
    "x-microsoft-",
    "x-google-",
    "x-gm-",
    "x-apple-",
    "x-spam",
    "x-received",
    "arc-",
];

/// The first draft for `kind`. Without an original (or for
/// [`ComposeKind::New`]) a new message from the identity. `now` and
/// `zone_offset_secs` are the writer's time; the attribution shows the
/// original's own date in its sender's zone.
pub fn start(
    kind: ComposeKind,
    original: Option<&[u8]>,
    me: &Identity,
    settings: &ComposeSettings,
    now: i64,
    zone_offset_secs: i32,
) -> Draft {
    // Reserved for templates that show the writer's own time.
    let _ = (now, zone_offset_secs);
    let sig = settings.signature.as_deref();
    let Some(raw) = original.filter(|_| kind != ComposeKind::New) else {
        return new_draft(me, sig);
    };
    let orig = read_headers(raw);
    match kind {
        ComposeKind::New => new_draft(me, sig),
        // Its own draft comes from `answer_draft`; a plain reply otherwise.
        ComposeKind::Answer(_) => start(
            ComposeKind::Reply,
            original,
            me,
            settings,
            now,
            zone_offset_secs,
        ),
        ComposeKind::Reply | ComposeKind::ReplyAll => {
            let (to, cc) = if kind == ComposeKind::Reply {
                (reply_to(me, &orig), Vec::new())
            } else {
                reply_all(me, &orig)
            };
            let text = main_text(raw);
            let line = attribution(&settings.attribution, orig.from.first(), orig.date);
            let body = format!("{}\n", quoted_reply(&line, &text.text, text.from_html));
            Draft {
                from: format_address(&from_for(me, &orig)),
                to: format_list(&to),
                cc: format_list(&cc),
                subject: reply_subject(&orig.subject),
                body: with_signature(&body, sig),
                in_reply_to: orig.message_id.clone(),
                references: references_for(
                    &orig.references,
                    orig.in_reply_to.as_deref(),
                    orig.message_id.as_deref(),
                ),
                ..Draft::default()
            }
        }
        ComposeKind::Forward { as_attachment } => {
            let (body, attached) = if as_attachment {
                (String::new(), vec![forward::as_attachment(&orig, raw)])
            } else {
                let text = main_text(raw);
                (
                    format!("\n\n{}", forward::inline_block(&orig, &text)),
                    attachments(raw),
                )
            };
            Draft {
                from: format_address(&from_for(me, &orig)),
                subject: forward_subject(&orig.subject),
                body: with_signature(&body, sig),
                attachments: attached,
                ..Draft::default()
            }
        }
        ComposeKind::EditAsNew | ComposeKind::Recall => {
            let recall = kind == ComposeKind::Recall;
            let from = match orig.from.first() {
                Some(a) if is_mine(me, &a.email) => format_address(a),
                _ => format_address(&my_address(me)),
            };
            let extra = orig
                .other
                .iter()
                .filter(|(name, value)| {
                    let lower = name.to_ascii_lowercase();
                    !value.is_empty()
                        && if recall {
                            !DROPPED_ON_RECALL.contains(&lower.as_str())
                                && !DROPPED_PREFIXES_ON_RECALL
                                    .iter()
                                    .any(|p| lower.starts_with(p))
                        } else {
                            KEPT_AS_NEW.contains(&lower.as_str())
                        }
                })
                .cloned()
                .collect();
            let text = main_text(raw);
            Draft {
                from,
                to: format_list(&orig.to),
                cc: format_list(&orig.cc),
                bcc: if recall {
                    format_list(&orig.bcc)
                } else {
                    String::new()
                },
                subject: orig.subject.clone(),
                extra,
                body: text.text,
                in_reply_to: if recall {
                    orig.in_reply_to.clone()
                } else {
                    None
                },
                references: if recall {
                    orig.references.clone()
                } else {
                    Vec::new()
                },
                attachments: attachments(raw),
                calendar: None,
            }
        }
    }
}

/// A new message: the identity and the signature.
fn new_draft(me: &Identity, sig: Option<&str>) -> Draft {
    Draft {
        from: format_address(&my_address(me)),
        body: with_signature("", sig),
        ..Draft::default()
    }
}
