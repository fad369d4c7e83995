//! The draft as MIME bytes, built once: the same bytes go to SMTP, to
//! IMAP APPEND (Sent, Drafts) and to the outbox.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};

use chrono::{DateTime, FixedOffset, Offset, Utc};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address as MbAddress;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::headers::text::Text;
use mail_builder::mime::{BodyPart, MimePart};

use super::address::{Address, BadAddress, dedup, one_line, parse_addresses};
use super::attach::{AttachmentError, MAX_ATTACHMENTS, MAX_TOTAL_ATTACHMENT_BYTES, read_file};
use super::flowed::to_flowed;
use super::thread::clean_id;
use super::{AttachmentSource, Draft, guess_mime};

pub struct BuildOptions {
    pub now: i64,
    /// The writer's offset from UTC, for the Date field.
    pub zone_offset_secs: i32,
    /// Keep Bcc in the bytes (for Drafts; never for sending).
    pub keep_bcc: bool,
    /// With or without angle brackets; else a random one at the From domain.
    pub message_id: Option<String>,
    /// Send the text as format=flowed.
    pub format_flowed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Built {
    pub bytes: Vec<u8>,
    /// Without angle brackets.
    pub message_id: String,
    pub envelope_from: String,
    /// To, Cc and Bcc addresses, each once.
    pub recipients: Vec<String>,
}

#[derive(Debug)]
pub enum BuildError {
    /// From is empty, or not one address.
    From(String),
    Address {
        field: String,
        bad: BadAddress,
    },
    NoRecipient,
    HeaderName(String),
    TooManyAttachments(usize),
    AttachmentsTooBig(u64),
    Attachment(AttachmentError),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::From(s) if s.trim().is_empty() => {
                f.write_str("The message has no From address.")
            }
            BuildError::From(s) => write!(f, "From: “{s}” is not one email address."),
            BuildError::Address { field, bad } => write!(f, "{field}: {bad}."),
            BuildError::NoRecipient => {
                f.write_str("The message has no recipient: write one in To, Cc or Bcc.")
            }
            BuildError::HeaderName(n) => write!(f, "“{n}” is not a header name."),
            BuildError::TooManyAttachments(n) => write!(
                f,
                "The message has {n} attachments; at most {MAX_ATTACHMENTS} can be sent."
            ),
            BuildError::AttachmentsTooBig(total) => write!(
                f,
                "The attachments add up to {} MB; at most {} MB can be sent in one message.",
                total.div_ceil(1 << 20),
                MAX_TOTAL_ATTACHMENT_BYTES >> 20
            ),
            BuildError::Attachment(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BuildError {}

impl From<AttachmentError> for BuildError {
    fn from(e: AttachmentError) -> Self {
        BuildError::Attachment(e)
    }
}

/// Fields written from the draft's own members (an extra of the same
/// name is dropped), or by mailtui and mail-builder.
const OWN_FIELDS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
];

/// Extra fields that hold addresses: written as addresses, so that a
/// non-ASCII name is encoded as a name.
const ADDRESS_FIELDS: &[&str] = &[
    "reply-to",
    "mail-followup-to",
    "mail-reply-to",
    "sender",
    "resent-to",
    "resent-cc",
];

pub fn build(draft: &Draft, opts: &BuildOptions) -> Result<Built, BuildError> {
    let from = match parse_addresses(&draft.from) {
        Ok(list) if list.len() == 1 => list.into_iter().next(),
        _ => None,
    }
    .ok_or_else(|| BuildError::From(one_line(draft.from.trim())))?;
    let list = |field: &str, value: &str| {
        parse_addresses(value).map_err(|bad| BuildError::Address {
            field: field.to_string(),
            bad,
        })
    };
    let to = list("To", &draft.to)?;
    let cc = list("Cc", &draft.cc)?;
    let bcc = list("Bcc", &draft.bcc)?;
    let recipients: Vec<String> = dedup(to.iter().chain(&cc).chain(&bcc).cloned().collect())
        .into_iter()
        .map(|a| a.email)
        .collect();
    if recipients.is_empty() && !opts.keep_bcc {
        return Err(BuildError::NoRecipient);
    }
    if draft.attachments.len() > MAX_ATTACHMENTS {
        return Err(BuildError::TooManyAttachments(draft.attachments.len()));
    }

    let domain = domain_of(&from.email);
    let message_id = opts
        .message_id
        .as_deref()
        .and_then(clean_id)
        .unwrap_or_else(|| new_message_id(&domain, opts.now));

    let mut b = MessageBuilder::new()
        .from(mb_address(&from))
        .header(
            "Date",
            Raw::new(rfc2822_date(opts.now, opts.zone_offset_secs)),
        )
        .message_id(message_id.clone());
    if !to.is_empty() {
        b = b.to(mb_list(&to));
    }
    if !cc.is_empty() {
        b = b.cc(mb_list(&cc));
    }
    if opts.keep_bcc && !bcc.is_empty() {
        b = b.bcc(mb_list(&bcc));
    }
    b = b.subject(Text::new(one_line(draft.subject.trim())));
    if let Some(id) = draft.in_reply_to.as_deref().and_then(clean_id) {
        b = b.in_reply_to(MessageId::new(id));
    }
    let refs: Vec<String> = draft
        .references
        .iter()
        .filter_map(|r| clean_id(r))
        .collect();
    if !refs.is_empty() {
        b = b.references(MessageId::from(refs));
    }
    for (name, value) in &draft.extra {
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_graphic() && c != ':') {
            return Err(BuildError::HeaderName(one_line(name)));
        }
        let lower = name.to_ascii_lowercase();
        if OWN_FIELDS.contains(&lower.as_str()) {
            continue;
        }
        let value = one_line(value.trim());
        if ADDRESS_FIELDS.contains(&lower.as_str()) {
            let list = list(name, &value)?;
            if !list.is_empty() {
                b = b.header(name.to_string(), mb_list(&list));
            }
        } else if !value.is_empty() {
            b = b.header(name.to_string(), Text::new(value));
        }
    }

    // File attachments are read first, so the parts can borrow them.
    let mut files: Vec<Vec<u8>> = Vec::new();
    let mut total: u64 = 0;
    for a in &draft.attachments {
        let len = match &a.source {
            AttachmentSource::File(path) => {
                let bytes = read_file(path)?;
                let len = bytes.len() as u64;
                files.push(bytes);
                len
            }
            AttachmentSource::Bytes(bytes) => bytes.len() as u64,
        };
        total += len;
        if total > MAX_TOTAL_ATTACHMENT_BYTES {
            return Err(BuildError::AttachmentsTooBig(total));
        }
    }

    let text = body_text(&draft.body, opts.format_flowed);
    let mut ct = ContentType::new("text/plain").attribute("charset", "utf-8");
    if opts.format_flowed {
        ct = ct.attribute("format", "flowed");
    }
    let mut text_part = MimePart::new(ct, BodyPart::Text(Cow::Owned(text)));
    if let Some(ics) = &draft.calendar {
        // What Outlook and Google send: the text and the calendar object as
        // alternatives, the object's method in its Content-Type (RFC 6047).
        let cal = MimePart::new(
            ContentType::new("text/calendar")
                .attribute("method", "REPLY")
                .attribute("charset", "utf-8"),
            BodyPart::Text(Cow::Owned(ics.clone())),
        );
        text_part = MimePart::new("multipart/alternative", vec![text_part, cal]);
    }
    if draft.attachments.is_empty() {
        b = b.body(text_part);
    } else {
        let mut parts = vec![text_part];
        let mut files = files.iter();
        for a in &draft.attachments {
            let bytes: &[u8] = match &a.source {
                AttachmentSource::File(_) => files.next().map(Vec::as_slice).unwrap_or_default(),
                AttachmentSource::Bytes(b) => b.as_slice(),
            };
            parts.push(attachment_part(&a.name, &a.mime, bytes));
        }
        b = b.body(MimePart::new("multipart/mixed", parts));
    }
    let bytes = b.write_to_vec().unwrap_or_default();
    Ok(Built {
        bytes,
        message_id,
        envelope_from: from.email,
        recipients,
    })
}

/// The text with CRLF line ends the way mail-builder expects, ending in a
/// line break, as format=flowed when asked.
fn body_text(body: &str, flowed: bool) -> String {
    let mut text = body.replace("\r\n", "\n");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    if flowed { to_flowed(&text) } else { text }
}

fn attachment_part<'a>(name: &str, mime: &str, bytes: &'a [u8]) -> MimePart<'a> {
    let name: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string();
    let name = if name.is_empty() {
        "attachment".to_string()
    } else {
        name
    };
    let mime = mime.trim().to_ascii_lowercase();
    let mime = if valid_mime(&mime) {
        mime
    } else {
        guess_mime(&name)
    };
    if mime == "message/rfc822" {
        return message_part(name, bytes);
    }
    MimePart::new(
        ContentType::new(mime).attribute("name", name.clone()),
        BodyPart::Binary(Cow::Borrowed(bytes)),
    )
    .attachment(name)
}

/// An attached message: RFC 2046 allows it only unencoded (7bit or 8bit),
/// so it goes as it is when its lines allow, else as base64 (which most
/// programs still open).
fn message_part(name: String, bytes: &[u8]) -> MimePart<'_> {
    let plain = !bytes.contains(&0) && bytes.split(|&b| b == b'\n').all(|l| l.len() <= 998);
    let part = MimePart::new(
        ContentType::new("message/rfc822"),
        BodyPart::Binary(if plain {
            Cow::Owned(crlf(bytes))
        } else {
            Cow::Borrowed(bytes)
        }),
    )
    .attachment(name);
    if plain {
        let enc = if bytes.is_ascii() { "7bit" } else { "8bit" };
        part.transfer_encoding(enc)
    } else {
        part
    }
}

/// Bare line feeds as CRLF (SMTP's line end).
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut prev = 0u8;
    for &b in bytes {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

fn valid_mime(m: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    matches!(m.split_once('/'), Some((t, s)) if token(t) && token(s))
}

fn mb_address(a: &Address) -> MbAddress<'static> {
    MbAddress::new_address(
        a.name
            .as_deref()
            .map(|n| one_line(n.trim()))
            .filter(|n| !n.is_empty()),
        one_line(a.email.trim()),
    )
}

fn mb_list(list: &[Address]) -> MbAddress<'static> {
    if list.len() == 1 {
        return mb_address(&list[0]);
    }
    MbAddress::new_list(list.iter().map(mb_address).collect())
}

/// "Sun, 6 Dec 2026 07:12:00 +0100".
fn rfc2822_date(now: i64, offset: i32) -> String {
    let zone = FixedOffset::east_opt(offset).unwrap_or(Utc.fix());
    DateTime::from_timestamp(now, 0)
        .unwrap_or_default()
        .with_timezone(&zone)
        .to_rfc2822()
}

/// The From address's domain as ASCII (IDNA for a non-ASCII one).
fn domain_of(email: &str) -> String {
    let domain = email.rsplit_once('@').map_or("", |(_, d)| d).trim();
    if domain.is_ascii() && !domain.is_empty() {
        return domain.to_ascii_lowercase();
    }
    match url::Host::parse(domain) {
        Ok(url::Host::Domain(d)) => d,
        _ => "localhost".to_string(),
    }
}

/// A fresh id: 128 bits from the process's random hash keys (seeded by
/// the operating system), the time and a counter.
fn new_message_id(domain: &str, now: i64) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut words = [0u64; 2];
    for (i, w) in words.iter_mut().enumerate() {
        let mut h = RandomState::new().build_hasher();
        h.write_i64(now);
        h.write_u64(n);
        h.write_usize(i);
        *w = h.finish();
    }
    format!("{:016x}{:016x}@{domain}", words[0], words[1])
}
