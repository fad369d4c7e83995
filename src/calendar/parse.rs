//! A `text/calendar` body to an [`Invitation`].
//!
//! The parser is `calcard` (Stalwart Labs, Apache-2.0/MIT), chosen over
//! `icalendar` (its parser feature is a nom grammar that rejects whole
//! objects for one odd line) and `ical` (little maintenance since 2022):
//! calcard is what the Stalwart mail and CalDAV server parses its users'
//! mail with, so it is kept up and fed every real-world oddity; it is
//! lenient (non-strict mode keeps going past bad lines, unbalanced END
//! and missing END), iterative (nesting costs a stack entry, not a frame),
//! `forbid(unsafe_code)`, unfolds lines, handles quoted parameters and
//! TEXT escapes, and keeps a value it cannot read as text instead of
//! failing. It does not decode RFC 6868 caret escapes: [`decode_param`]
//! does. Its time zone code (chrono-tz) is not called, so it stays out of
//! the binary: zones are [`zones`]' job, with jiff.
//!
//! Bounded: the size is checked before parsing; only the first VEVENT is
//! described, attendees past [`MAX_ATTENDEES`] are only counted, long
//! values are cut, RRULE is kept as a rule (never expanded).

use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarEntry, ICalendarFrequency,
    ICalendarMethod, ICalendarParameterName, ICalendarParameterValue, ICalendarParticipationRole,
    ICalendarParticipationStatus, ICalendarProperty, ICalendarStatus, ICalendarValue, Uri,
};
use calcard::{Entry, Parser};
use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::limits::{MAX_ATTENDEES, MAX_COMPONENTS, MAX_DESCRIPTION_SCAN, MAX_ICS_BYTES};
use super::model::*;
use super::text::{capped, decode_param};
use super::zones::offset_text;
use super::{vtimezone, zones};

/// Why a calendar part is not shown as an invitation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotRead {
    #[error(
        "The calendar part is {0} KB; parts over {max} KB are not read (it is in the parts list).",
        max = MAX_ICS_BYTES >> 10
    )]
    TooBig(usize),
    #[error("The calendar part holds no event.")]
    NoEvent,
}

/// The invitation in `source` (the part's text).
pub fn parse(source: &str) -> Result<Invitation, NotRead> {
    if source.len() > MAX_ICS_BYTES {
        return Err(NotRead::TooBig(source.len() >> 10));
    }
    let (ical, method) = first_calendar(source).ok_or(NotRead::NoEvent)?;
    let mut events = ical
        .components
        .iter()
        .take(MAX_COMPONENTS)
        .filter(|c| c.component_type == ICalendarComponentType::VEvent);
    let first = events.next().ok_or(NotRead::NoEvent)?;
    let mut inv = event(&ical, first, source);
    inv.method = method;
    for e in events {
        let same = text(e, &ICalendarProperty::Uid)
            .is_some_and(|u| Some(u.as_str()) == inv.uid.as_deref());
        if same && e.property(&ICalendarProperty::RecurrenceId).is_some() {
            inv.overrides += 1;
        } else {
            inv.other_events += 1;
        }
    }
    if ical.components.len() > MAX_COMPONENTS {
        inv.notes.push(format!(
            "This calendar part has more than {MAX_COMPONENTS} components; only the first are read."
        ));
    }
    Ok(inv)
}

/// The first calendar object in `source` that holds an event, skipping
/// anything before it, and the METHOD of the first that named one (an
/// END that closes the wrong component ends a calendar early in lenient
/// parsing; the event after it comes as an object of its own).
fn first_calendar(source: &str) -> Option<(ICalendar, Method)> {
    let mut p = Parser::new(source);
    let mut seen = Method::None;
    // Each entry consumes input, so this ends; the bound is for safety.
    for _ in 0..MAX_COMPONENTS {
        match p.entry() {
            Entry::ICalendar(i) => {
                if seen == Method::None {
                    seen = method(&i);
                }
                if i.components
                    .iter()
                    .any(|c| c.component_type == ICalendarComponentType::VEvent)
                {
                    let m = match method(&i) {
                        Method::None => seen,
                        m => m,
                    };
                    return Some((i, m));
                }
            }
            Entry::Eof => return None,
            _ => {}
        }
    }
    None
}

fn method(ical: &ICalendar) -> Method {
    let Some(cal) = ical
        .components
        .iter()
        .find(|c| c.component_type == ICalendarComponentType::VCalendar)
    else {
        return Method::None;
    };
    match cal
        .property(&ICalendarProperty::Method)
        .and_then(|e| e.values.first())
    {
        Some(ICalendarValue::Method(m)) => match m {
            ICalendarMethod::Request => Method::Request,
            ICalendarMethod::Cancel => Method::Cancel,
            ICalendarMethod::Reply => Method::Reply,
            ICalendarMethod::Counter => Method::Counter,
            ICalendarMethod::Publish => Method::Publish,
            other => Method::Other(format!("{other:?}").to_ascii_uppercase()),
        },
        Some(v) => match v.as_text() {
            Some(t) => Method::Other(capped(&t.to_ascii_uppercase())),
            None => Method::None,
        },
        None => Method::None,
    }
}

/// All text values of the first `prop` line, joined (an unescaped comma
/// splits a value in some writers' output).
fn text(c: &ICalendarComponent, prop: &ICalendarProperty) -> Option<String> {
    let e = c.property(prop)?;
    entry_text(e)
}

fn entry_text(e: &ICalendarEntry) -> Option<String> {
    let parts: Vec<&str> = e.values.iter().filter_map(|v| v.as_text()).collect();
    (!parts.is_empty()).then(|| capped(&parts.join(",")))
}

/// A property named `name` that the parser does not know (X-…).
fn other<'a>(c: &'a ICalendarComponent, name: &str) -> Option<&'a ICalendarEntry> {
    c.entries.iter().find(|e| match &e.name {
        ICalendarProperty::Other(n) => n.eq_ignore_ascii_case(name),
        _ => false,
    })
}

fn param_text(e: &ICalendarEntry, name: &ICalendarParameterName) -> Option<String> {
    match e.parameter(name)? {
        ICalendarParameterValue::Text(t) => Some(capped(&decode_param(t))),
        ICalendarParameterValue::Uri(Uri::Location(t)) => Some(capped(t)),
        _ => None,
    }
}

fn address(e: &ICalendarEntry) -> Option<String> {
    let v = match e.values.first()? {
        ICalendarValue::Uri(Uri::Location(s)) => s.as_str(),
        v => v.as_text()?,
    };
    let v = v.trim();
    // By `get`: a multi-byte character across byte 7 is no "mailto:".
    let a = match (v.get(..7), v.get(7..)) {
        (Some(p), Some(rest)) if p.eq_ignore_ascii_case("mailto:") => rest,
        _ => v,
    };
    Some(capped(a.trim()))
}

fn person(e: &ICalendarEntry) -> Option<Person> {
    Some(Person {
        address: address(e)?,
        name: param_text(e, &ICalendarParameterName::Cn).filter(|n| !n.trim().is_empty()),
    })
}

fn partstat(e: &ICalendarEntry) -> PartStat {
    match e.parameter(&ICalendarParameterName::Partstat) {
        None => PartStat::NeedsAction,
        Some(ICalendarParameterValue::Partstat(p)) => match p {
            ICalendarParticipationStatus::NeedsAction => PartStat::NeedsAction,
            ICalendarParticipationStatus::Accepted => PartStat::Accepted,
            ICalendarParticipationStatus::Declined => PartStat::Declined,
            ICalendarParticipationStatus::Tentative => PartStat::Tentative,
            ICalendarParticipationStatus::Delegated => PartStat::Delegated,
            other => PartStat::Other(format!("{other:?}").to_ascii_uppercase()),
        },
        Some(ICalendarParameterValue::Text(t)) => PartStat::Other(capped(&t.to_ascii_uppercase())),
        Some(_) => PartStat::Other(String::new()),
    }
}

fn role(e: &ICalendarEntry) -> Role {
    match e.parameter(&ICalendarParameterName::Role) {
        Some(ICalendarParameterValue::Role(r)) => match r {
            ICalendarParticipationRole::Chair => Role::Chair,
            ICalendarParticipationRole::OptParticipant => Role::Optional,
            ICalendarParticipationRole::NonParticipant => Role::NonParticipant,
            _ => Role::Required,
        },
        _ => Role::Required,
    }
}

fn event(ical: &ICalendar, c: &ICalendarComponent, source: &str) -> Invitation {
    let mut notes = Vec::new();
    let start = c
        .property(&ICalendarProperty::Dtstart)
        .map(|e| time(ical, e));
    let mut duration = None;
    let end = match c.property(&ICalendarProperty::Dtend) {
        Some(e) => Some(time(ical, e)),
        None => c.property(&ICalendarProperty::Duration).and_then(|e| {
            let ICalendarValue::Duration(d) = e.values.first()? else {
                return None;
            };
            let secs = i64::from(d.weeks) * 7 * 86400
                + i64::from(d.days) * 86400
                + i64::from(d.hours) * 3600
                + i64::from(d.minutes) * 60
                + i64::from(d.seconds);
            let span = Duration::seconds(if d.neg { -secs } else { secs });
            duration = Some(format_duration(d));
            start.as_ref().and_then(|s| shifted(s, span))
        }),
    };
    let mut attendees = Vec::new();
    let mut attendees_total = 0;
    for e in c.properties(&ICalendarProperty::Attendee) {
        attendees_total += 1;
        if attendees.len() < MAX_ATTENDEES
            && let Some(p) = person(e)
        {
            attendees.push(Attendee {
                person: p,
                role: role(e),
                partstat: partstat(e),
            });
        }
    }
    let repeat = c
        .property(&ICalendarProperty::Rrule)
        .map(|e| match e.values.first() {
            Some(ICalendarValue::RecurrenceRule(r)) => Repeat::Rule(recurrence(ical, r)),
            Some(v) => Repeat::NotUnderstood(capped(v.as_text().unwrap_or_default())),
            None => Repeat::NotUnderstood(String::new()),
        });
    let exdates = c
        .properties(&ICalendarProperty::Exdate)
        .map(|e| e.values.len())
        .sum();
    let seq = |e: Option<&ICalendarEntry>| -> u32 {
        e.and_then(|e| match e.values.first()? {
            ICalendarValue::Integer(n) => u32::try_from(*n).ok(),
            v => v.as_text()?.trim().parse().ok(),
        })
        .unwrap_or(0)
    };
    let sequence = seq(c.property(&ICalendarProperty::Sequence))
        .max(seq(other(c, "X-MICROSOFT-CDO-APPT-SEQUENCE")));
    let cancelled = matches!(
        c.property(&ICalendarProperty::Status)
            .and_then(|e| e.values.first()),
        Some(ICalendarValue::Status(ICalendarStatus::Cancelled))
    );
    for t in [&start, &end].into_iter().flatten() {
        if t.value == TimeValue::NotUnderstood {
            notes.push(format!("The date “{}” is not understood.", t.raw));
        }
    }
    let mut tzids: Vec<&str> = [&start, &end]
        .into_iter()
        .flatten()
        .filter_map(|t| t.tzid.as_deref())
        .collect();
    tzids.dedup();
    let vtimezones = vtimezone::blocks(source, &tzids);
    Invitation {
        method: Method::None,
        summary: text(c, &ICalendarProperty::Summary),
        organizer: c.property(&ICalendarProperty::Organizer).and_then(person),
        start,
        end,
        duration,
        location: text(c, &ICalendarProperty::Location),
        meeting_url: meeting_url(c),
        attendees,
        attendees_total,
        repeat,
        exdates,
        uid: text(c, &ICalendarProperty::Uid),
        sequence,
        dtstamp: c
            .property(&ICalendarProperty::Dtstamp)
            .map(|e| time(ical, e)),
        cancelled,
        recurrence_id: c
            .property(&ICalendarProperty::RecurrenceId)
            .map(|e| time(ical, e)),
        comment: text(c, &ICalendarProperty::Comment),
        other_events: 0,
        overrides: 0,
        vtimezones,
        notes,
    }
}

fn format_duration(d: &calcard::icalendar::ICalendarDuration) -> String {
    let mut s = String::from(if d.neg { "-P" } else { "P" });
    if d.weeks > 0 {
        s.push_str(&format!("{}W", d.weeks));
    }
    if d.days > 0 {
        s.push_str(&format!("{}D", d.days));
    }
    if d.hours + d.minutes + d.seconds > 0 {
        s.push('T');
        for (n, u) in [(d.hours, 'H'), (d.minutes, 'M'), (d.seconds, 'S')] {
            if n > 0 {
                s.push_str(&format!("{n}{u}"));
            }
        }
    }
    if s.ends_with('P') {
        s.push_str("T0S");
    }
    s
}

/// `t` moved by `span` (for DTSTART + DURATION); the raw form is not the
/// source's, so a reply does not copy it.
fn shifted(t: &EventTime, span: Duration) -> Option<EventTime> {
    let value = match &t.value {
        TimeValue::Instant { utc, zone } => TimeValue::Instant {
            utc: utc.checked_add_signed(span)?,
            zone: zone.clone(),
        },
        TimeValue::Floating(n) => TimeValue::Floating(n.checked_add_signed(span)?),
        TimeValue::Date(d) => TimeValue::Date(d.checked_add_signed(span)?),
        TimeValue::NotUnderstood => return None,
    };
    Some(EventTime {
        raw: String::new(),
        tzid: t.tzid.clone(),
        value,
    })
}

/// One DTSTART-like property.
fn time(ical: &ICalendar, e: &ICalendarEntry) -> EventTime {
    let tzid = param_text(e, &ICalendarParameterName::Tzid);
    let (raw, value) = match e.values.first() {
        Some(ICalendarValue::PartialDateTime(d)) => {
            let raw = raw_date(d);
            (raw, date_value(ical, d, tzid.as_deref()))
        }
        Some(v) => (
            capped(v.as_text().unwrap_or_default()),
            TimeValue::NotUnderstood,
        ),
        None => (String::new(), TimeValue::NotUnderstood),
    };
    EventTime { raw, tzid, value }
}

fn raw_date(d: &calcard::common::PartialDateTime) -> String {
    let mut s = format!(
        "{:04}{:02}{:02}",
        d.year.unwrap_or(0),
        d.month.unwrap_or(0),
        d.day.unwrap_or(0)
    );
    if d.has_time() {
        s.push_str(&format!(
            "T{:02}{:02}{:02}",
            d.hour.unwrap_or(0),
            d.minute.unwrap_or(0),
            d.second.unwrap_or(0)
        ));
        if d.tz_hour == Some(0) && d.tz_minute.unwrap_or(0) == 0 {
            s.push('Z');
        }
    }
    s
}

fn date_value(
    ical: &ICalendar,
    d: &calcard::common::PartialDateTime,
    tzid: Option<&str>,
) -> TimeValue {
    let Some(date) =
        (|| NaiveDate::from_ymd_opt(i32::from(d.year?), u32::from(d.month?), u32::from(d.day?)))()
    else {
        return TimeValue::NotUnderstood;
    };
    if !d.has_time() {
        return TimeValue::Date(date);
    }
    let Some(local) = date.and_hms_opt(
        u32::from(d.hour.unwrap_or(0)),
        u32::from(d.minute.unwrap_or(0)),
        // A leap second (60) reads as :59.
        u32::from(d.second.unwrap_or(0).min(59)),
    ) else {
        return TimeValue::NotUnderstood;
    };
    if let Some(h) = d.tz_hour {
        let secs = i32::from(h) * 3600 + i32::from(d.tz_minute.unwrap_or(0)) * 60;
        let secs = if d.tz_minus { -secs } else { secs };
        if secs == 0 {
            return TimeValue::Instant {
                utc: Utc.from_utc_datetime(&local),
                zone: EventZone::Utc,
            };
        }
        return instant_at_offset(local, secs, format!("UTC{}", offset_text(secs)));
    }
    let Some(tzid) = tzid else {
        return TimeValue::Floating(local);
    };
    if let Some(tz) = zones::resolve_tzid(tzid) {
        return match zones::to_utc(&tz, local) {
            Some(utc) => TimeValue::Instant {
                utc,
                zone: EventZone::Named {
                    tzid: tzid.to_string(),
                    tz,
                },
            },
            None => TimeValue::Floating(local),
        };
    }
    match vtimezone::offset_at(&vtimezone::observances(ical, tzid), local) {
        Some(secs) => instant_at_offset(local, secs, tzid.to_string()),
        None => TimeValue::Floating(local),
    }
}

fn instant_at_offset(local: NaiveDateTime, secs: i32, tzid: String) -> TimeValue {
    match local.checked_sub_signed(Duration::seconds(i64::from(secs))) {
        Some(u) => TimeValue::Instant {
            utc: Utc.from_utc_datetime(&u),
            zone: EventZone::Offset {
                tzid,
                seconds: secs,
            },
        },
        None => TimeValue::NotUnderstood,
    }
}

fn recurrence(ical: &ICalendar, r: &calcard::icalendar::ICalendarRecurrenceRule) -> Recurrence {
    let freq = match r.freq {
        ICalendarFrequency::Yearly => Frequency::Yearly,
        ICalendarFrequency::Monthly => Frequency::Monthly,
        ICalendarFrequency::Weekly => Frequency::Weekly,
        ICalendarFrequency::Daily => Frequency::Daily,
        ICalendarFrequency::Hourly => Frequency::Hourly,
        ICalendarFrequency::Minutely => Frequency::Minutely,
        ICalendarFrequency::Secondly => Frequency::Secondly,
    };
    Recurrence {
        freq,
        interval: u32::from(r.interval.unwrap_or(1)).max(1),
        count: r.count,
        until: r.until.as_ref().map(|u| EventTime {
            raw: raw_date(u),
            tzid: None,
            value: date_value(ical, u, None),
        }),
        by_day: r
            .byday
            .iter()
            .take(7 * 5)
            .map(|d| {
                let wd = vtimezone::weekday(d.weekday);
                (d.ordwk, wd.num_days_from_monday() as u8)
            })
            .collect(),
        by_month_day: r.bymonthday.iter().take(31).copied().collect(),
        by_month: r.bymonth.iter().take(12).map(|m| m.month()).collect(),
        by_set_pos: r.bysetpos.iter().take(8).copied().collect(),
    }
}

/// Where the meeting is held online: the properties Teams, Google and
/// Skype write, then RFC 7986 CONFERENCE, then a meeting link in the
/// description. Only ever shown.
fn meeting_url(c: &ICalendarComponent) -> Option<String> {
    for name in [
        "X-MICROSOFT-SKYPETEAMSMEETINGURL",
        "X-GOOGLE-CONFERENCE",
        "X-MICROSOFT-ONLINEMEETINGCONFLINK",
        "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
    ] {
        if let Some(v) = other(c, name)
            .and_then(entry_text)
            .filter(|v| !v.trim().is_empty())
        {
            return Some(v.trim().to_string());
        }
    }
    if let Some(e) = c.property(&ICalendarProperty::Conference)
        && let Some(v) = address_like(e)
    {
        return Some(v);
    }
    let desc = text_uncapped(c, &ICalendarProperty::Description)?;
    let scan: String = desc.chars().take(MAX_DESCRIPTION_SCAN).collect();
    linkify::LinkFinder::new()
        .kinds(&[linkify::LinkKind::Url])
        .links(&scan)
        .map(|l| l.as_str())
        .find(|u| is_meeting_link(u))
        .map(capped)
}

fn address_like(e: &ICalendarEntry) -> Option<String> {
    match e.values.first()? {
        ICalendarValue::Uri(Uri::Location(s)) => Some(capped(s)),
        v => v.as_text().map(capped),
    }
}

fn text_uncapped(c: &ICalendarComponent, prop: &ICalendarProperty) -> Option<String> {
    let parts: Vec<&str> = c
        .property(prop)?
        .values
        .iter()
        .filter_map(|v| v.as_text())
        .collect();
    (!parts.is_empty()).then(|| parts.join(","))
}

/// Teams, Zoom, Meet, Webex, Skype meeting links.
pub fn is_meeting_link(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    if u.scheme() != "https" {
        return false;
    }
    let host = u.host_str().unwrap_or_default().to_ascii_lowercase();
    let under = |d: &str| host == d || host.ends_with(&format!(".{d}"));
    (under("teams.microsoft.com") && u.path().starts_with("/l/meetup-join"))
        || (under("teams.microsoft.com") && u.path().starts_with("/meet"))
        || under("teams.live.com")
        || (under("zoom.us") && (u.path().starts_with("/j/") || u.path().starts_with("/my/")))
        || host == "meet.google.com"
        || (under("webex.com") && u.path().contains("/j.php")
            || under("webex.com") && u.path().starts_with("/meet"))
        || host == "join.skype.com"
}
