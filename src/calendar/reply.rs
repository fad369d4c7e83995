//! The answer to an invitation: a METHOD:REPLY calendar object (RFC 5546
//! §3.2.3) for the organizer, with the subject and text of the mail that
//! carries it. Building the mail and sending it is the sending path's job.

use chrono::{DateTime, Utc};

use super::model::*;
use super::text::{escape_param, escape_text, fold, plain};

/// The user's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Accepted,
    Tentative,
    Declined,
}

impl Answer {
    pub fn partstat(self) -> &'static str {
        match self {
            Answer::Accepted => "ACCEPTED",
            Answer::Tentative => "TENTATIVE",
            Answer::Declined => "DECLINED",
        }
    }

    /// The subject prefix Outlook and Google use.
    pub fn subject_prefix(self) -> &'static str {
        match self {
            Answer::Accepted => "Accepted",
            Answer::Tentative => "Tentative",
            Answer::Declined => "Declined",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Answer::Accepted => "accepted",
            Answer::Tentative => "tentatively accepted",
            Answer::Declined => "declined",
        }
    }
}

/// What the reply mail is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyParts {
    /// "Accepted: Quarterly review".
    pub subject: String,
    /// The organizer.
    pub to: Person,
    /// The attendee who answers (the user, as the invitation names them).
    pub from: Person,
    /// None of the user's addresses is among the attendees: the account
    /// address answers (the organizer may not accept it), and this says so.
    pub not_invited: Option<String>,
    /// The text/plain part.
    pub text: String,
    /// The text/calendar part (method=REPLY), folded, CRLF line ends.
    pub ics: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("This is a cancellation; there is nothing to answer.")]
    Cancelled,
    #[error("This is not an invitation (it is {0}); only invitations are answered.")]
    NotARequest(&'static str),
    #[error("The invitation names no organizer, so there is nobody to answer to.")]
    NoOrganizer,
    #[error("The invitation has no UID, so the organizer's calendar could not match an answer.")]
    NoUid,
    #[error("No address to answer from.")]
    NoAddress,
}

/// The REPLY to `inv` with `answer`. `me` are the user's addresses, the
/// account's first (then aliases); the attendee line that matches one of
/// them answers, keeping its name.
pub fn reply(
    inv: &Invitation,
    me: &[&str],
    answer: Answer,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ReplyParts, ReplyError> {
    match inv.method {
        Method::Cancel => return Err(ReplyError::Cancelled),
        Method::Reply => return Err(ReplyError::NotARequest("an answer")),
        Method::Counter => return Err(ReplyError::NotARequest("a counter-proposal")),
        _ if inv.cancelled => return Err(ReplyError::Cancelled),
        _ => {}
    }
    let organizer = inv.organizer.clone().ok_or(ReplyError::NoOrganizer)?;
    let uid = inv
        .uid
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .ok_or(ReplyError::NoUid)?;
    let account = me.first().copied().ok_or(ReplyError::NoAddress)?;
    let found = inv.attendees.iter().find(|a| {
        me.iter()
            .any(|m| m.trim().eq_ignore_ascii_case(a.person.address.trim()))
    });
    let (from, not_invited) = match found {
        Some(a) => (a.person.clone(), None),
        None => (
            Person {
                name: None,
                address: account.to_string(),
            },
            Some(format!(
                "None of your addresses is among the invitation's attendees; the answer comes from {account}."
            )),
        ),
    };
    let summary = inv.summary.as_deref().unwrap_or("(no title)");
    let subject = format!("{}: {summary}", answer.subject_prefix());
    let mut text = format!(
        "{} has {} this invitation: {summary}\n",
        from.short(),
        answer.verb()
    );
    if let Some(c) = comment.filter(|c| !c.trim().is_empty()) {
        text.push('\n');
        text.push_str(c);
        text.push('\n');
    }
    let ics = ics(inv, uid, &organizer, &from, answer, comment, now);
    Ok(ReplyParts {
        subject,
        to: organizer,
        from,
        not_invited,
        text,
        ics,
    })
}

fn person_line(name: &str, params: &[String], p: &Person) -> String {
    let mut l = name.to_string();
    for param in params {
        l.push(';');
        l.push_str(param);
    }
    if let Some(cn) = p.name.as_deref().filter(|n| !n.is_empty()) {
        l.push_str(&format!(";CN={}", escape_param(cn)));
    }
    l.push_str(&format!(":mailto:{}", plain(&p.address)));
    l
}

/// A date property copied as the invitation wrote it.
fn time_line(name: &str, t: &EventTime) -> Option<String> {
    if t.raw.is_empty() || t.value == TimeValue::NotUnderstood {
        return None;
    }
    let mut l = name.to_string();
    if matches!(t.value, TimeValue::Date(_)) {
        l.push_str(";VALUE=DATE");
    } else if let Some(z) = &t.tzid
        && !t.raw.ends_with('Z')
    {
        l.push_str(&format!(";TZID={}", escape_param(z)));
    }
    l.push(':');
    l.push_str(&plain(&t.raw));
    Some(l)
}

fn ics(
    inv: &Invitation,
    uid: &str,
    organizer: &Person,
    me: &Person,
    answer: Answer,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        format!(
            "PRODID:-//mailtui//mailtui {}//EN",
            env!("CARGO_PKG_VERSION")
        ),
        "VERSION:2.0".into(),
        "METHOD:REPLY".into(),
    ];
    lines.extend(inv.vtimezones.iter().map(|l| plain(l)));
    lines.push("BEGIN:VEVENT".into());
    lines.push(format!("UID:{}", escape_text(uid)));
    lines.push(format!("SEQUENCE:{}", inv.sequence));
    if let Some(r) = inv
        .recurrence_id
        .as_ref()
        .and_then(|r| time_line("RECURRENCE-ID", r))
    {
        lines.push(r);
    }
    lines.push(format!("DTSTAMP:{}", now.format("%Y%m%dT%H%M%SZ")));
    if let Some(s) = inv.start.as_ref().and_then(|s| time_line("DTSTART", s)) {
        lines.push(s);
    }
    if let Some(e) = inv.end.as_ref().and_then(|e| time_line("DTEND", e)) {
        lines.push(e);
    } else if let Some(d) = &inv.duration {
        lines.push(format!("DURATION:{}", plain(d)));
    }
    if let Some(s) = &inv.summary {
        lines.push(format!("SUMMARY:{}", escape_text(s)));
    }
    lines.push(person_line("ORGANIZER", &[], organizer));
    lines.push(person_line(
        "ATTENDEE",
        &[format!("PARTSTAT={}", answer.partstat())],
        me,
    ));
    if let Some(c) = comment.filter(|c| !c.trim().is_empty()) {
        lines.push(format!("COMMENT:{}", escape_text(c)));
    }
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect()
}
