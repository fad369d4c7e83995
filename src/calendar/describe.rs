//! An invitation as the reader's lines: what it is (new, update,
//! cancellation, answer), title, organizer, when in the reader's zone,
//! where, the online link, who comes, how it repeats.

use chrono::{DateTime, FixedOffset, Offset, Utc};
use jiff::tz::TimeZone as Zone;

use super::model::*;
use super::{words, zones};
use crate::sanitize::Clean;

/// Attendees listed one per line; the rest are a count, so the block
/// fits an 80×24 screen.
pub const ATTENDEES_SHOWN: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// What the message is: "New invitation", "Cancelled" …
    Status,
    Field,
    /// One attendee, or the "and N more" line.
    Attendee,
    /// A cancellation or something not understood.
    Warning,
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub label: &'static str,
    pub value: Clean,
    pub kind: LineKind,
}

fn line(label: &'static str, value: &str, kind: LineKind) -> Line {
    Line {
        label,
        value: Clean::line(value),
        kind,
    }
}

fn answer_word(p: &PartStat) -> String {
    match p {
        PartStat::NeedsAction => "has not answered".into(),
        PartStat::Accepted => "accepted".into(),
        PartStat::Declined => "declined".into(),
        PartStat::Tentative => "accepted tentatively".into(),
        PartStat::Delegated => "delegated".into(),
        PartStat::Other(s) if s.is_empty() => "answered".into(),
        PartStat::Other(s) => format!("answered {}", s.to_ascii_lowercase()),
    }
}

/// An attendee's answer in the list.
fn short_answer(p: &PartStat) -> String {
    match p {
        PartStat::NeedsAction => "no answer yet".into(),
        PartStat::Tentative => "tentative".into(),
        other => answer_word(other),
    }
}

/// What the message is, in a few words.
pub fn status(inv: &Invitation) -> (String, LineKind) {
    let who = || {
        inv.attendees
            .first()
            .map(|a| a.person.short().to_string())
            .unwrap_or_else(|| "Someone".into())
    };
    match &inv.method {
        Method::Cancel => ("Cancelled by the organizer".into(), LineKind::Warning),
        _ if inv.cancelled => ("Cancelled".into(), LineKind::Warning),
        Method::Reply => {
            let a = inv.attendees.first().map(|a| &a.partstat);
            let w = a.map(answer_word).unwrap_or_else(|| "answered".into());
            (format!("{} {w}", who()), LineKind::Status)
        }
        Method::Counter => (format!("{} proposes another time", who()), LineKind::Status),
        Method::Request if inv.sequence > 0 => (
            format!("Updated invitation (revision {})", inv.sequence),
            LineKind::Status,
        ),
        Method::Request => ("New invitation".into(), LineKind::Status),
        Method::Publish | Method::None => ("Calendar event".into(), LineKind::Status),
        Method::Other(m) => (format!("Calendar message ({m})"), LineKind::Status),
    }
}

/// The reader's lines for `inv`, times in `local`.
pub fn describe(inv: &Invitation, local: &Zone, now: DateTime<Utc>) -> Vec<Line> {
    let mut out = Vec::new();
    let (s, kind) = status(inv);
    out.push(line("Meeting", &s, kind));
    out.push(line(
        "Title",
        inv.summary.as_deref().unwrap_or("(no title)"),
        LineKind::Field,
    ));
    if let Some(o) = &inv.organizer {
        out.push(line("Organizer", &o.display(), LineKind::Field));
    }
    if let Some(start) = &inv.start {
        let mut when = when(start, inv.end.as_ref(), local);
        let last = inv
            .end
            .as_ref()
            .and_then(instant)
            .or_else(|| instant(start));
        if inv.repeat.is_none() && last.is_some_and(|t| t < now) {
            when.push_str(" (past)");
        }
        out.push(line("When", &when, LineKind::Field));
    }
    if let Some(r) = &inv.recurrence_id {
        out.push(line(
            "Occurrence",
            &format!("only the one of {}", when(r, None, local)),
            LineKind::Field,
        ));
    }
    if let Some(rep) = &inv.repeat {
        let mut text = match rep {
            Repeat::Rule(r) => words::describe(r),
            Repeat::NotUnderstood(raw) => format!("{raw} (not understood)"),
        };
        if inv.exdates > 0 {
            text.push_str(&format!(
                "; {} date{} left out",
                inv.exdates,
                if inv.exdates == 1 { "" } else { "s" }
            ));
        }
        if inv.overrides > 0 {
            text.push_str(&format!(
                "; {} occurrence{} changed",
                inv.overrides,
                if inv.overrides == 1 { "" } else { "s" }
            ));
        }
        out.push(line("Repeats", &text, LineKind::Field));
    }
    if let Some(l) = inv.location.as_deref().filter(|l| !l.trim().is_empty()) {
        out.push(line("Where", l, LineKind::Field));
    }
    if let Some(u) = &inv.meeting_url {
        out.push(line("Online", u, LineKind::Field));
    }
    attendees(inv, &mut out);
    if let Some(c) = inv.comment.as_deref().filter(|c| !c.trim().is_empty()) {
        out.push(line("Comment", c, LineKind::Field));
    }
    if inv.other_events > 0 {
        out.push(line(
            "Note",
            &format!(
                "This calendar part holds {} more event{}; only the first is shown.",
                inv.other_events,
                if inv.other_events == 1 { "" } else { "s" }
            ),
            LineKind::Note,
        ));
    }
    for n in &inv.notes {
        out.push(line("Note", n, LineKind::Note));
    }
    out
}

fn attendees(inv: &Invitation, out: &mut Vec<Line>) {
    if inv.attendees_total == 0 {
        return;
    }
    let count = |p: fn(&PartStat) -> bool| inv.attendees.iter().filter(|a| p(&a.partstat)).count();
    let mut parts = vec![format!("{} invited", inv.attendees_total)];
    let kept = inv.attendees.len();
    for (n, word) in [
        (count(|p| *p == PartStat::Accepted), "accepted"),
        (count(|p| *p == PartStat::Tentative), "tentative"),
        (count(|p| *p == PartStat::Declined), "declined"),
        (count(|p| *p == PartStat::NeedsAction), "not answered"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    let mut summary = parts.join(" · ");
    if kept < inv.attendees_total {
        summary.push_str(&format!(" (answers counted for the first {kept})"));
    }
    out.push(line("Attendees", &summary, LineKind::Field));
    for a in inv.attendees.iter().take(ATTENDEES_SHOWN) {
        let role = match a.role {
            Role::Chair => ", chair",
            Role::Optional => ", optional",
            Role::NonParticipant => ", for information",
            Role::Required => "",
        };
        out.push(line(
            "",
            &format!(
                "{} — {}{role}",
                a.person.display(),
                short_answer(&a.partstat)
            ),
            LineKind::Attendee,
        ));
    }
    if inv.attendees_total > ATTENDEES_SHOWN {
        out.push(line(
            "",
            &format!("and {} more", inv.attendees_total - ATTENDEES_SHOWN),
            LineKind::Attendee,
        ));
    }
}

fn instant(t: &EventTime) -> Option<DateTime<Utc>> {
    match &t.value {
        TimeValue::Instant { utc, .. } => Some(*utc),
        _ => None,
    }
}

const DAY: &str = "%a %-d %b %Y";

/// "Thu 15 Jul 2027, 10:00–11:00 CEST (08:00–09:00 UTC)" and the like.
pub fn when(start: &EventTime, end: Option<&EventTime>, local: &Zone) -> String {
    match &start.value {
        TimeValue::NotUnderstood => format!("{} (not understood)", start.raw),
        TimeValue::Date(d) => {
            let last = match end.map(|e| &e.value) {
                // DTEND of an all-day event is the day after.
                Some(TimeValue::Date(e)) if *e > *d + chrono::Duration::days(1) => {
                    Some(*e - chrono::Duration::days(1))
                }
                _ => None,
            };
            match last {
                Some(l) => format!(
                    "{} – {}, all day ({} days)",
                    d.format(DAY),
                    l.format(DAY),
                    (l - *d).num_days() + 1
                ),
                None => format!("{}, all day", d.format(DAY)),
            }
        }
        TimeValue::Floating(s) => {
            let end = match end.map(|e| &e.value) {
                Some(TimeValue::Floating(e)) => Some(*e),
                _ => None,
            };
            let mut text = span(s.date(), s.time(), end.map(|e| (e.date(), e.time())), "");
            match &start.tzid {
                Some(t) => text.push_str(&format!(" (time zone “{t}” not known; as written)")),
                None => text.push_str(" (floating: the same clock time in every zone)"),
            }
            text
        }
        TimeValue::Instant { utc, zone } => {
            // Each end in its own offset: a meeting may span a clock change.
            let fixed = |t: &DateTime<Utc>, secs: i32| {
                t.with_timezone(&FixedOffset::east_opt(secs).unwrap_or(Utc.fix()))
            };
            let here = zones::offset_at(local, *utc);
            let s = fixed(utc, here);
            let e = end
                .and_then(instant)
                .map(|e| fixed(&e, zones::offset_at(local, e)));
            let abbr = zones::abbreviation(local, *utc);
            let mut text = span(
                s.date_naive(),
                s.time(),
                e.map(|e| (e.date_naive(), e.time())),
                &abbr,
            );
            let (there, name) = match zone {
                EventZone::Utc => (0, "UTC".to_string()),
                EventZone::Named { tzid, tz } => (zones::offset_at(tz, *utc), tzid.clone()),
                EventZone::Offset { tzid, seconds } => (*seconds, tzid.clone()),
            };
            if there != here {
                let so = fixed(utc, there);
                let eo = end.and_then(instant).map(|e| fixed(&e, there));
                let there = match eo {
                    // On the day shown: the times say enough.
                    Some(eo)
                        if so.date_naive() == s.date_naive()
                            && eo.date_naive() == so.date_naive() =>
                    {
                        format!("{}–{}", so.format("%H:%M"), eo.format("%H:%M"))
                    }
                    None if so.date_naive() == s.date_naive() => so.format("%H:%M").to_string(),
                    _ => span(
                        so.date_naive(),
                        so.time(),
                        eo.map(|e| (e.date_naive(), e.time())),
                        "",
                    ),
                };
                text.push_str(&format!(" ({there} {name})"));
            }
            text
        }
    }
}

/// "Thu 15 Jul 2027, 10:00–11:00 CEST", or across days
/// "Thu 15 Jul 2027 22:00 – Fri 16 Jul 2027 01:00 CEST".
fn span(
    d: chrono::NaiveDate,
    t: chrono::NaiveTime,
    end: Option<(chrono::NaiveDate, chrono::NaiveTime)>,
    zone: &str,
) -> String {
    let zone = if zone.is_empty() {
        String::new()
    } else {
        format!(" {zone}")
    };
    match end {
        Some((ed, et)) if ed == d => format!(
            "{}, {}–{}{zone}",
            d.format(DAY),
            t.format("%H:%M"),
            et.format("%H:%M")
        ),
        Some((ed, et)) => format!(
            "{} {} – {} {}{zone}",
            d.format(DAY),
            t.format("%H:%M"),
            ed.format(DAY),
            et.format("%H:%M")
        ),
        None => format!("{}, {}{zone}", d.format(DAY), t.format("%H:%M")),
    }
}
