//! What the config says about writing and sending mail: per account the
//! SMTP server, the Sent and Drafts folders, the user's other addresses;
//! and `[compose]` for the editor, the attribution line and the signature.

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use crate::imap::{TlsMode, is_loopback};

pub const MICROSOFT_SMTP_HOST: &str = "smtp.office365.com";
pub const MICROSOFT_SMTP_SCOPE: &str = "https://outlook.office.com/SMTP.Send";
/// Outlook.com's documented submission host.
pub const OUTLOOK_COM_SMTP_HOST: &str = "smtp-mail.outlook.com";
pub const MICROSOFT_GRAPH_URL: &str = "https://graph.microsoft.com";
/// The attribution line above a quoted original.
pub const DEFAULT_ATTRIBUTION: &str = "On {date}, {name} wrote:";

/// Where a message goes when the user sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// Submission over SMTP (587 STARTTLS or 465 implicit TLS).
    Smtp(SmtpServer),
    /// The demo: "sent" mail is delivered into this local Maildir.
    Maildir(PathBuf),
    /// Nothing configured: the review screen says how to set `smtp`.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
}

/// Which way a Microsoft account's mail leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SendRoute {
    /// SMTP, and Microsoft Graph once the tenant says SMTP AUTH is off.
    #[default]
    Auto,
    Smtp,
    Graph,
}

/// Whether a copy of sent mail is APPENDed to the Sent folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SaveSent {
    /// Yes, except where the server files it itself (Microsoft, Gmail).
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sending {
    pub transport: Option<Transport>,
    pub save_sent: SaveSent,
    /// Folder names for servers that say neither by SPECIAL-USE nor by a
    /// well-known name.
    pub sent: Option<String>,
    pub drafts: Option<String>,
    /// The user's other addresses: left out of reply-all, and a reply
    /// to mail sent to one of them goes out from it.
    pub aliases: Vec<String>,
    /// The name in From.
    pub full_name: Option<String>,
    /// Overrides `[compose] signature_file` for this account.
    pub signature_file: Option<PathBuf>,
    /// A Microsoft account: Exchange files what it was given in Sent Items.
    pub microsoft: bool,
    pub route: SendRoute,
    /// Microsoft Graph's base URL (national clouds and tests differ);
    /// `None` for accounts that are not Microsoft's.
    pub graph_url: Option<String>,
}

impl Sending {
    /// True when the server files sent mail in Sent by itself, so an
    /// APPEND would make a second copy.
    pub fn server_files_sent(&self) -> bool {
        if self.microsoft {
            return true;
        }
        match &self.transport {
            Some(Transport::Smtp(s)) => {
                let h = s.host.to_ascii_lowercase();
                h.ends_with("office365.com")
                    || h.ends_with("outlook.com")
                    || h.ends_with("gmail.com")
                    || h.ends_with("googlemail.com")
            }
            _ => false,
        }
    }

    /// Whether this account APPENDs a Sent copy after a send.
    pub fn appends_sent(&self) -> bool {
        match self.save_sent {
            SaveSent::Always => true,
            SaveSent::Never => false,
            SaveSent::Auto => !self.server_files_sent(),
        }
    }
}

/// `[compose]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeConfig {
    /// The editor's argv; else `$VISUAL`, `$EDITOR`, `vi`.
    pub editor: Option<Vec<String>>,
    pub attribution: String,
    pub signature_file: Option<PathBuf>,
    pub format_flowed: bool,
    pub forward_as_attachment: bool,
    /// An external address source, aerc's `address-book-cmd` shape.
    pub address_book_command: Option<Vec<String>>,
}

impl Default for ComposeConfig {
    fn default() -> Self {
        ComposeConfig {
            editor: None,
            attribution: DEFAULT_ATTRIBUTION.to_string(),
            signature_file: None,
            format_flowed: false,
            forward_as_attachment: false,
            address_book_command: None,
        }
    }
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmtp {
    host: Option<String>,
    port: Option<u16>,
    tls: Option<TlsMode>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawSaveSent {
    Flag(bool),
    Word(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCompose {
    editor: Option<Spanned<String>>,
    attribution: Option<String>,
    signature_file: Option<PathBuf>,
    format_flowed: Option<bool>,
    forward_as_attachment: Option<bool>,
    address_book_command: Option<Spanned<String>>,
}

/// An error: where (a span), which key, and why.
pub(super) type Problem = (Option<std::ops::Range<usize>>, &'static str, String);

/// The account's keys about sending, as written.
pub(super) struct RawSending<'a> {
    pub smtp: Option<&'a Spanned<RawSmtp>>,
    pub save_sent: Option<&'a Spanned<RawSaveSent>>,
    pub sent: Option<&'a String>,
    pub drafts: Option<&'a String>,
    pub aliases: Option<&'a Vec<String>>,
    pub full_name: Option<&'a String>,
    pub signature_file: Option<&'a PathBuf>,
    pub deliver_to: Option<&'a PathBuf>,
    pub send: Option<&'a Spanned<String>>,
    pub graph_url: Option<&'a Spanned<String>>,
}

/// What kind of account the sending keys belong to.
pub(super) enum Kind {
    Microsoft,
    /// Outlook.com, Hotmail, Live: Microsoft's consumer service.
    OutlookCom,
    Generic,
    Maildir,
}

pub(super) fn sending(
    raw: RawSending<'_>,
    kind: Kind,
    expand: impl Fn(&std::path::Path) -> PathBuf,
) -> Result<Sending, Problem> {
    let microsoft = matches!(kind, Kind::Microsoft | Kind::OutlookCom);
    let route = match raw.send.map(|s| (s.span(), s.get_ref().as_str())) {
        None | Some((_, "auto")) => SendRoute::Auto,
        Some((_, "smtp")) => SendRoute::Smtp,
        Some((span, "graph")) if !microsoft => {
            return Err((
                Some(span),
                "send",
                "\"graph\" is for Microsoft accounts (provider = \"microsoft\" or \"outlook\")"
                    .into(),
            ));
        }
        Some((_, "graph")) => SendRoute::Graph,
        Some((span, w)) => {
            return Err((
                Some(span),
                "send",
                format!("\"{w}\" is not one of \"auto\", \"smtp\", \"graph\""),
            ));
        }
    };
    let graph_url = match (raw.graph_url, microsoft) {
        (Some(u), false) => {
            return Err((
                Some(u.span()),
                "graph_url",
                "is for Microsoft accounts only".into(),
            ));
        }
        (Some(u), true) => {
            let v = u.get_ref().trim().trim_end_matches('/').to_string();
            if !super::values::secure_url(&v) {
                return Err((
                    Some(u.span()),
                    "graph_url",
                    "must be https:// (http:// only for loopback)".into(),
                ));
            }
            Some(v)
        }
        (None, true) => Some(MICROSOFT_GRAPH_URL.to_string()),
        (None, false) => None,
    };
    let transport = match (raw.smtp, raw.deliver_to, kind) {
        (Some(_), Some(_), _) => {
            return Err((
                None,
                "deliver_to",
                "give smtp or deliver_to, not both".into(),
            ));
        }
        (None, Some(p), _) => Some(Transport::Maildir(expand(p))),
        (Some(s), None, kind) => Some(Transport::Smtp(smtp(s, &kind)?)),
        (None, None, Kind::Microsoft) => Some(Transport::Smtp(SmtpServer {
            host: MICROSOFT_SMTP_HOST.to_string(),
            port: 587,
            tls: TlsMode::Starttls,
        })),
        (None, None, Kind::OutlookCom) => Some(Transport::Smtp(SmtpServer {
            host: OUTLOOK_COM_SMTP_HOST.to_string(),
            port: 587,
            tls: TlsMode::Starttls,
        })),
        (None, None, _) => None,
    };
    let save_sent = match raw.save_sent.map(|s| (s.span(), s.get_ref())) {
        None => SaveSent::Auto,
        Some((_, RawSaveSent::Flag(true))) => SaveSent::Always,
        Some((_, RawSaveSent::Flag(false))) => SaveSent::Never,
        Some((_, RawSaveSent::Word(w))) if w == "auto" => SaveSent::Auto,
        Some((span, RawSaveSent::Word(w))) => {
            return Err((
                Some(span),
                "save_sent",
                format!("\"{w}\" is not one of \"auto\", true, false"),
            ));
        }
    };
    let name = |v: Option<&String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(Sending {
        transport,
        save_sent,
        sent: name(raw.sent),
        drafts: name(raw.drafts),
        aliases: raw
            .aliases
            .map(|v| {
                v.iter()
                    .map(|a| a.trim().to_string())
                    .filter(|a| !a.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        full_name: name(raw.full_name),
        signature_file: raw.signature_file.map(|p| expand(p)),
        microsoft,
        route,
        graph_url,
    })
}

fn smtp(s: &Spanned<RawSmtp>, kind: &Kind) -> Result<SmtpServer, Problem> {
    let span = Some(s.span());
    let r = s.get_ref();
    let host = match (&r.host, kind) {
        (Some(h), _) if !h.trim().is_empty() => h.trim().to_string(),
        (_, Kind::Microsoft) => MICROSOFT_SMTP_HOST.to_string(),
        (_, Kind::OutlookCom) => OUTLOOK_COM_SMTP_HOST.to_string(),
        _ => {
            return Err((
                span,
                "smtp.host",
                "is required (smtp = { host = \"smtp.example.org\", port = 587, tls = \"starttls\" })"
                    .into(),
            ));
        }
    };
    let tls = r.tls.unwrap_or(match r.port {
        Some(465) => TlsMode::Implicit,
        _ => TlsMode::Starttls,
    });
    let port = r.port.unwrap_or(match tls {
        TlsMode::Implicit => 465,
        _ => 587,
    });
    if tls == TlsMode::None && !is_loopback(&host) {
        return Err((
            span,
            "smtp.tls",
            format!("\"none\" is only allowed for loopback hosts, not {host}"),
        ));
    }
    Ok(SmtpServer { host, port, tls })
}

pub(super) fn compose(
    raw: Option<&RawCompose>,
    expand: impl Fn(&std::path::Path) -> PathBuf,
) -> Result<ComposeConfig, Problem> {
    let mut c = ComposeConfig::default();
    let Some(r) = raw else { return Ok(c) };
    let words = |v: &Spanned<String>, key: &'static str| -> Result<Vec<String>, Problem> {
        match shlex::split(v.get_ref()) {
            Some(w) if !w.is_empty() => Ok(w),
            Some(_) => Err((Some(v.span()), key, "must name a program".into())),
            None => Err((
                Some(v.span()),
                key,
                "cannot be split into words (an unclosed quote?)".into(),
            )),
        }
    };
    if let Some(e) = &r.editor {
        c.editor = Some(words(e, "compose.editor")?);
    }
    if let Some(e) = &r.address_book_command {
        c.address_book_command = Some(words(e, "compose.address_book_command")?);
    }
    if let Some(a) = &r.attribution {
        c.attribution = a.clone();
    }
    c.signature_file = r.signature_file.as_deref().map(expand);
    c.format_flowed = r.format_flowed.unwrap_or(false);
    c.forward_as_attachment = r.forward_as_attachment.unwrap_or(false);
    Ok(c)
}

#[cfg(test)]
#[path = "sending_tests.rs"]
mod tests;
