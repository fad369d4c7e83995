//! What mailtui understood of a `text/calendar` part: the invitation as
//! plain data, independent of the parser crate. Recurrences are kept as
//! their rule, never expanded.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// The scheduling method (RFC 5546) of the calendar object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    Request,
    Cancel,
    Reply,
    Counter,
    Publish,
    /// Another method, as written (upper case).
    Other(String),
    /// No METHOD property: a plain calendar file, not a scheduling message.
    None,
}

/// Where a zoned time's offset came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventZone {
    /// Written in UTC (a trailing `Z`).
    Utc,
    /// A TZID that names an IANA zone, directly or as a Windows zone name.
    Named {
        tzid: String,
        tz: jiff::tz::TimeZone,
    },
    /// A TZID known only from the VTIMEZONE block in the same object: its
    /// offset (seconds east of UTC) at the event's date.
    Offset { tzid: String, seconds: i32 },
}

/// One date or date-time property (DTSTART, DTEND, RECURRENCE-ID …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventTime {
    /// The value as written (`20270115T100000`, `20270115`), for copying
    /// into a reply and for showing when it is not understood.
    pub raw: String,
    /// The TZID parameter as written.
    pub tzid: Option<String>,
    pub value: TimeValue,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeValue {
    /// A point in time: UTC, or a local time in a zone we could resolve.
    Instant { utc: DateTime<Utc>, zone: EventZone },
    /// A local time with no zone (or a TZID nobody defines): the same
    /// clock time wherever the reader is.
    Floating(NaiveDateTime),
    /// An all-day date.
    Date(NaiveDate),
    /// Could not be read as a date; `raw` holds what was written.
    NotUnderstood,
}

/// A calendar user: name (CN) and address (the `mailto:` stripped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: Option<String>,
    pub address: String,
}

impl Person {
    /// "Name <address>", or the address alone.
    pub fn display(&self) -> String {
        match &self.name {
            Some(n) if !n.is_empty() && !n.eq_ignore_ascii_case(&self.address) => {
                format!("{n} <{}>", self.address)
            }
            _ => self.address.clone(),
        }
    }

    /// The name if there is one, else the address.
    pub fn short(&self) -> &str {
        self.name
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.address)
    }
}

/// An attendee's answer (PARTSTAT).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartStat {
    NeedsAction,
    Accepted,
    Declined,
    Tentative,
    Delegated,
    Other(String),
}

/// ROLE of an attendee.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Chair,
    Required,
    Optional,
    NonParticipant,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendee {
    pub person: Person,
    pub role: Role,
    pub partstat: PartStat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    Yearly,
    Monthly,
    Weekly,
    Daily,
    Hourly,
    Minutely,
    Secondly,
}

/// An RRULE as data: described in words, never expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recurrence {
    pub freq: Frequency,
    pub interval: u32,
    pub count: Option<u32>,
    pub until: Option<EventTime>,
    /// (n-th, weekday 0 = Monday); n None means every such day.
    pub by_day: Vec<(Option<i16>, u8)>,
    pub by_month_day: Vec<i8>,
    pub by_month: Vec<u8>,
    pub by_set_pos: Vec<i32>,
}

/// How the event repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Repeat {
    Rule(Recurrence),
    /// An RRULE the parser could not read, as written.
    NotUnderstood(String),
}

/// One meeting invitation (or cancellation, reply, counter-proposal): the
/// first VEVENT of a calendar part, with counts of what else was there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub method: Method,
    pub summary: Option<String>,
    pub organizer: Option<Person>,
    pub start: Option<EventTime>,
    /// DTEND, or DTSTART + DURATION.
    pub end: Option<EventTime>,
    /// DURATION as written back ("PT1H"), when the end came from it.
    pub duration: Option<String>,
    pub location: Option<String>,
    /// The online-meeting link (Teams, Zoom, Meet …), shown, never opened.
    pub meeting_url: Option<String>,
    /// The first [`super::limits::MAX_ATTENDEES`] attendees.
    pub attendees: Vec<Attendee>,
    /// All ATTENDEE lines of the event (≥ `attendees.len()`).
    pub attendees_total: usize,
    pub repeat: Option<Repeat>,
    pub exdates: usize,
    pub uid: Option<String>,
    /// SEQUENCE, or Outlook's X-MICROSOFT-CDO-APPT-SEQUENCE when higher.
    pub sequence: u32,
    pub dtstamp: Option<EventTime>,
    /// STATUS:CANCELLED on the event.
    pub cancelled: bool,
    pub recurrence_id: Option<EventTime>,
    /// COMMENT (a reply's or counter-proposal's note).
    pub comment: Option<String>,
    /// Further VEVENTs that are not overrides of this one.
    pub other_events: usize,
    /// VEVENTs of the same UID with a RECURRENCE-ID (changed occurrences).
    pub overrides: usize,
    /// The VTIMEZONE blocks for the TZIDs of DTSTART/DTEND, as unfolded
    /// lines, to copy into a reply.
    pub vtimezones: Vec<String>,
    /// Limits met and parts not understood, as sentences.
    pub notes: Vec<String>,
}
