//! Meeting invitations from real writers (Outlook/Exchange, Google
//! Calendar, Apple Calendar, Thunderbird) and hostile ones, read into an
//! Invitation, described in the reader's zone, and answered with a REPLY
//! that reads back the same.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jiff::tz::TimeZone as Tz;
use mailtui::calendar::limits::{MAX_ATTENDEES, MAX_ICS_BYTES};
use mailtui::calendar::{
    self, Answer, CalendarPart, EventZone, Invitation, Method, PartStat, Repeat, ReplyError, Role,
    TimeValue, describe, reply,
};

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/calendar")
        .join(name);
    String::from_utf8_lossy(&std::fs::read(&p).expect("fixture")).into_owned()
}

fn tz(name: &str) -> Tz {
    calendar::zones::iana(name).expect("zone")
}

fn ics(name: &str) -> Invitation {
    calendar::parse(&fixture(name)).expect("parses")
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn start_utc(inv: &Invitation) -> DateTime<Utc> {
    match &inv.start.as_ref().unwrap().value {
        TimeValue::Instant { utc, .. } => *utc,
        other => panic!("not an instant: {other:?}"),
    }
}

/// `describe` as "Label: value" lines (attendee lines indented).
fn lines(inv: &Invitation, zone: Tz, now: &str) -> Vec<String> {
    describe(inv, &zone, utc(now))
        .iter()
        .map(|l| {
            if l.label.is_empty() {
                format!("  {}", l.value.as_str())
            } else {
                format!("{}: {}", l.label, l.value.as_str())
            }
        })
        .collect()
}

fn field<'a>(lines: &'a [String], label: &str) -> &'a str {
    let p = format!("{label}: ");
    lines
        .iter()
        .find_map(|l| l.strip_prefix(&p))
        .unwrap_or_else(|| panic!("no {label} in {lines:#?}"))
}

const BEFORE: &str = "2026-10-01T00:00:00Z";

#[test]
fn outlook_request_in_a_whole_message() {
    let raw = fixture("outlook-request.eml");
    let view = mailtui::mail::message::parse(1, raw.as_bytes());
    let Some(CalendarPart::Invitation(inv)) = &view.calendar else {
        panic!("no invitation: {:?}", view.calendar);
    };
    assert_eq!(inv.method, Method::Request);
    assert_eq!(inv.summary.as_deref(), Some("Q3 review"));
    let org = inv.organizer.as_ref().unwrap();
    assert_eq!(org.name.as_deref(), Some("Chen Wei"));
    assert_eq!(org.address, "chen.wei@contoso.example");
    // W. Europe Standard Time 10:00 in July is 08:00 UTC.
    assert_eq!(start_utc(inv), utc("2027-07-15T08:00:00Z"));
    match &inv.start.as_ref().unwrap().value {
        TimeValue::Instant {
            zone: EventZone::Named { tzid, tz },
            ..
        } => {
            assert_eq!(tzid, "W. Europe Standard Time");
            assert_eq!(tz.iana_name(), Some("Europe/Berlin"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(inv.location.as_deref(), Some("Room 4.12 (Berlin)"));
    assert!(
        inv.meeting_url
            .as_deref()
            .unwrap()
            .starts_with("https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ1MmE2"),
        "{:?}",
        inv.meeting_url
    );
    assert_eq!(inv.attendees_total, 3);
    assert_eq!(inv.attendees[2].person.name.as_deref(), Some("Doe, Jane"));
    assert_eq!(inv.attendees[2].role, Role::Optional);
    assert_eq!(inv.sequence, 0);
    assert!(
        inv.uid
            .as_deref()
            .unwrap()
            .starts_with("040000008200E00074C5B7101A82E008")
    );
    assert!(
        inv.uid
            .as_deref()
            .unwrap()
            .ends_with("4B7E9A0A5C1F2B44A54F3A8E0D1C2B3A")
    );
    assert_eq!(
        inv.vtimezones.first().map(String::as_str),
        Some("BEGIN:VTIMEZONE")
    );
    // The .ics attached as well is still a part to save.
    assert!(
        view.attachments
            .iter()
            .any(|a| a.name.as_str() == "invite.ics")
    );

    let l = lines(inv, tz("Europe/London"), BEFORE);
    assert_eq!(field(&l, "Meeting"), "New invitation");
    assert_eq!(
        field(&l, "When"),
        "Thu 15 Jul 2027, 09:00–10:00 BST (10:00–11:00 W. Europe Standard Time)"
    );
    let l = lines(inv, tz("Europe/Berlin"), BEFORE);
    assert_eq!(field(&l, "When"), "Thu 15 Jul 2027, 10:00–11:00 CEST");
    assert_eq!(field(&l, "Attendees"), "3 invited · 3 not answered");
    assert!(
        l.contains(&"  Doe, Jane <jane.doe@fabrikam.example> — no answer yet, optional".into()),
        "{l:#?}"
    );
}

#[test]
fn an_ics_attachment_alone_is_found_too() {
    let body = fixture("apple-allday.ics");
    let raw = format!(
        "From: j@x\r\nSubject: offsite\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
Content-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/octet-stream; name=invite.ics\r\n\
Content-Disposition: attachment; filename=invite.ics\r\n\r\n{body}\r\n--b--\r\n"
    );
    let view = mailtui::mail::message::parse(1, raw.as_bytes());
    assert_eq!(
        view.calendar
            .as_ref()
            .and_then(|c| c.invitation())
            .and_then(|i| i.summary.as_deref()),
        Some("Team offsite")
    );
    assert!(view.body.as_str().contains("See attached."));
}

#[test]
fn outlook_cancellation() {
    let inv = ics("outlook-cancel.ics");
    assert_eq!(inv.method, Method::Cancel);
    assert!(inv.cancelled);
    assert_eq!(inv.sequence, 1);
    // GMT Standard Time in January is UTC.
    assert_eq!(start_utc(&inv), utc("2027-01-20T14:00:00Z"));
    let l = lines(&inv, Tz::UTC, BEFORE);
    assert_eq!(field(&l, "Meeting"), "Cancelled by the organizer");
    assert_eq!(field(&l, "When"), "Wed 20 Jan 2027, 14:00–15:30 UTC");
    assert_eq!(
        reply(
            &inv,
            &["alice@contoso.example"],
            Answer::Accepted,
            None,
            utc(BEFORE)
        ),
        Err(ReplyError::Cancelled)
    );
}

#[test]
fn google_recurring_invitation() {
    let inv = ics("google-recurring.ics");
    assert_eq!(inv.method, Method::Request);
    assert_eq!(start_utc(&inv), utc("2026-11-02T14:30:00Z"));
    assert_eq!(
        inv.meeting_url.as_deref(),
        Some("https://meet.google.com/abc-defg-hij")
    );
    assert_eq!(inv.exdates, 2);
    let Some(Repeat::Rule(r)) = &inv.repeat else {
        panic!("{:?}", inv.repeat)
    };
    assert_eq!(r.by_day, vec![(None, 0), (None, 2)]);
    let l = lines(&inv, tz("America/New_York"), BEFORE);
    assert_eq!(
        field(&l, "Repeats"),
        "every week on Monday and Wednesday, until 31 Jan 2027; 2 dates left out"
    );
    assert_eq!(field(&l, "When"), "Mon 2 Nov 2026, 09:30–09:45 EST");
    assert_eq!(
        field(&l, "Attendees"),
        "3 invited · 1 accepted · 1 tentative · 1 not answered"
    );
    // An empty LOCATION says nothing.
    assert!(!l.iter().any(|x| x.starts_with("Where")), "{l:#?}");
}

#[test]
fn apple_all_day_event_over_three_days() {
    let inv = ics("apple-allday.ics");
    assert!(matches!(
        inv.start.as_ref().unwrap().value,
        TimeValue::Date(_)
    ));
    assert_eq!(
        inv.organizer.as_ref().unwrap().name.as_deref(),
        Some("Jörg Müller")
    );
    assert_eq!(inv.attendees[0].role, Role::Chair);
    let l = lines(&inv, tz("Asia/Tokyo"), BEFORE);
    assert_eq!(
        field(&l, "When"),
        "Sat 14 Aug 2027 – Mon 16 Aug 2027, all day (3 days)"
    );
    assert_eq!(field(&l, "Where"), "Lake Constance");
}

#[test]
fn thunderbird_update_with_escapes_and_caret_names() {
    let inv = ics("thunderbird-update.ics");
    assert_eq!(inv.sequence, 2);
    assert_eq!(
        inv.summary.as_deref(),
        Some("Release planning, part 2: scope; dates")
    );
    assert_eq!(
        inv.organizer.as_ref().unwrap().name.as_deref(),
        Some("Hans \"HK\" Kraus")
    );
    assert_eq!(start_utc(&inv), utc("2027-01-15T13:00:00Z"));
    let l = lines(&inv, tz("Europe/Berlin"), BEFORE);
    assert_eq!(field(&l, "Meeting"), "Updated invitation (revision 2)");
    assert_eq!(field(&l, "Repeats"), "every 2 months on day 15, 10 times");
}

#[test]
fn a_reply_and_a_counter_proposal() {
    let inv = ics("reply.ics");
    assert_eq!(inv.method, Method::Reply);
    let l = lines(&inv, Tz::UTC, BEFORE);
    assert_eq!(field(&l, "Meeting"), "Bob Okafor accepted");
    assert_eq!(field(&l, "Comment"), "See you there!");

    let inv = ics("counter.ics");
    assert_eq!(inv.method, Method::Counter);
    let l = lines(&inv, Tz::UTC, BEFORE);
    assert_eq!(field(&l, "Meeting"), "Bob Okafor proposes another time");
    assert_eq!(field(&l, "When"), "Thu 15 Jul 2027, 10:00–11:00 UTC");
    assert!(field(&l, "Comment").starts_with("I'm on a train until 11; could we"));
    assert!(matches!(
        reply(
            &inv,
            &["alice@contoso.example"],
            Answer::Accepted,
            None,
            utc(BEFORE)
        ),
        Err(ReplyError::NotARequest(_))
    ));
}

#[test]
fn a_zone_known_only_from_its_vtimezone() {
    let inv = ics("custom-zone.ics");
    // "Customized Time Zone" is +01:00 in January by its STANDARD part.
    assert_eq!(start_utc(&inv), utc("2027-01-15T09:00:00Z"));
    let l = lines(&inv, Tz::UTC, BEFORE);
    assert_eq!(
        field(&l, "When"),
        "Fri 15 Jan 2027, 09:00–10:00 UTC (10:00–11:00 Customized Time Zone)"
    );
}

#[test]
fn past_events_say_so() {
    let inv = ics("outlook-cancel.ics");
    let l = lines(&inv, Tz::UTC, "2027-02-01T00:00:00Z");
    assert!(field(&l, "When").ends_with("(past)"));
}

#[test]
fn answering_writes_a_reply_that_reads_back() {
    let raw = fixture("outlook-request.eml");
    let view = mailtui::mail::message::parse(1, raw.as_bytes());
    let inv = view.calendar.as_ref().and_then(|c| c.invitation()).unwrap();
    let now = utc("2027-07-02T10:00:00Z");
    let r = reply(
        inv,
        &["alice@work.example", "ALICE@contoso.example"],
        Answer::Tentative,
        Some("Might be late; train, then taxi"),
        now,
    )
    .unwrap();
    assert_eq!(r.subject, "Tentative: Q3 review");
    assert_eq!(r.to.address, "chen.wei@contoso.example");
    assert_eq!(r.from.name.as_deref(), Some("Alice Martin"));
    assert_eq!(r.not_invited, None);
    assert!(
        r.text.contains("Alice Martin has tentatively accepted"),
        "{}",
        r.text
    );
    for piece in r.ics.split("\r\n") {
        assert!(piece.len() <= 75, "{piece:?}");
    }
    assert!(
        !r.ics.replace("\r\n", "").contains('\n'),
        "bare LF in {}",
        r.ics
    );
    assert!(r.ics.contains("METHOD:REPLY\r\n"));
    assert!(r.ics.contains("DTSTAMP:20270702T100000Z\r\n"));
    assert!(
        r.ics
            .contains("DTSTART;TZID=W. Europe Standard Time:20270715T100000\r\n")
    );
    assert!(
        r.ics
            .contains("BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n")
    );
    assert!(r.ics.contains("PRODID:-//mailtui//"));

    let back = calendar::parse(&r.ics).unwrap();
    assert_eq!(back.method, Method::Reply);
    assert_eq!(back.uid, inv.uid);
    assert_eq!(back.sequence, inv.sequence);
    assert_eq!(back.attendees.len(), 1);
    assert_eq!(back.attendees[0].partstat, PartStat::Tentative);
    assert_eq!(back.attendees[0].person.address, "alice@contoso.example");
    assert_eq!(
        back.attendees[0].person.name.as_deref(),
        Some("Alice Martin")
    );
    assert_eq!(
        back.comment.as_deref(),
        Some("Might be late; train, then taxi")
    );
    assert_eq!(start_utc(&back), start_utc(inv));
    assert_eq!(back.organizer, inv.organizer);
}

#[test]
fn answers_keep_sequence_and_recurrence_id_and_say_when_the_user_is_not_invited() {
    let mut inv = ics("thunderbird-update.ics");
    inv.recurrence_id = inv.start.clone();
    let r = reply(
        &inv,
        &["me@elsewhere.example"],
        Answer::Declined,
        None,
        utc(BEFORE),
    )
    .unwrap();
    assert_eq!(
        r.subject,
        "Declined: Release planning, part 2: scope; dates"
    );
    assert!(
        r.not_invited
            .as_deref()
            .unwrap()
            .contains("me@elsewhere.example")
    );
    assert!(
        r.ics
            .contains("SUMMARY:Release planning\\, part 2: scope\\; dates\r\n")
    );
    assert!(
        r.ics
            .contains("ORGANIZER;CN=Hans ^'HK^' Kraus:mailto:hans@example.de\r\n")
    );
    let back = calendar::parse(&r.ics).unwrap();
    assert_eq!(back.sequence, 2);
    assert_eq!(back.attendees[0].partstat, PartStat::Declined);
    assert_eq!(
        back.recurrence_id.map(|r| r.raw),
        Some("20270115T140000".into())
    );
    assert_eq!(back.summary, inv.summary);

    let all_day = ics("apple-allday.ics");
    let r = reply(
        &all_day,
        &["alice@contoso.example"],
        Answer::Accepted,
        None,
        utc(BEFORE),
    )
    .unwrap();
    assert!(
        r.ics.contains("DTSTART;VALUE=DATE:20270814\r\n"),
        "{}",
        r.ics
    );
    assert_eq!(r.from.name.as_deref(), Some("Alice Martin"));
}

#[test]
fn no_organizer_or_no_uid_is_refused_with_a_sentence() {
    let mut inv = ics("apple-allday.ics");
    inv.uid = None;
    let e = reply(
        &inv,
        &["alice@contoso.example"],
        Answer::Accepted,
        None,
        utc(BEFORE),
    )
    .unwrap_err();
    assert_eq!(e, ReplyError::NoUid);
    assert!(e.to_string().ends_with('.'));
    inv.organizer = None;
    assert_eq!(
        reply(
            &inv,
            &["alice@contoso.example"],
            Answer::Accepted,
            None,
            utc(BEFORE)
        ),
        Err(ReplyError::NoOrganizer)
    );
}

/// Hostile input ends fast: every case here in well under a second.
fn quick<T>(f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
    out
}

#[test]
fn a_billion_seconds_of_recurrence_costs_nothing() {
    let inv = quick(|| ics("hostile-rrule.ics"));
    let l = lines(&inv, Tz::UTC, BEFORE);
    assert!(field(&l, "Repeats").starts_with("every second"), "{l:#?}");
    assert!(field(&l, "Repeats").ends_with("1000000000 times"), "{l:#?}");
}

#[test]
fn malformed_dates_are_shown_as_written() {
    let inv = ics("hostile-dates.ics");
    let start = inv.start.as_ref().unwrap();
    assert_eq!(start.value, TimeValue::NotUnderstood);
    let l = lines(&inv, Tz::UTC, BEFORE);
    assert!(field(&l, "When").ends_with("(not understood)"), "{l:#?}");
    assert!(l.iter().any(|x| x.starts_with("Note: The date")), "{l:#?}");
    assert!(matches!(
        inv.repeat,
        Some(Repeat::NotUnderstood(_)) | Some(Repeat::Rule(_))
    ));
    // Answering still works: the bad dates are left out, not copied.
    let r = reply(&inv, &["a@x.example"], Answer::Accepted, None, utc(BEFORE)).unwrap();
    assert!(!r.ics.contains("DTSTART"), "{}", r.ics);
}

#[test]
fn unbalanced_components_still_read() {
    let inv = quick(|| ics("hostile-unbalanced.ics"));
    assert_eq!(inv.summary.as_deref(), Some("Never ends"));
    assert_eq!(start_utc(&inv), utc("2027-03-01T09:00:00Z"));
}

#[test]
fn escape_sequences_never_reach_the_screen() {
    let inv = ics("hostile-escapes.ics");
    for l in describe(&inv, &Tz::UTC, utc(BEFORE)) {
        let v = l.value.as_str();
        assert!(!v.chars().any(|c| c.is_control()), "{v:?}");
    }
    let l = lines(&inv, Tz::UTC, BEFORE);
    assert!(field(&l, "Title").contains("now"), "{l:#?}");
    assert!(!field(&l, "Where").contains("evil"), "{l:#?}");
}

#[test]
fn ten_thousand_attendees_are_counted_not_kept() {
    let mut s = String::from(
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:many@x\r\nDTSTART:20270301T090000Z\r\n",
    );
    for i in 0..10_000 {
        s.push_str(&format!(
            "ATTENDEE;CN=P{i};PARTSTAT=ACCEPTED:mailto:p{i}@x.example\r\n"
        ));
    }
    s.push_str("END:VEVENT\r\nEND:VCALENDAR\r\n");
    assert!(s.len() < MAX_ICS_BYTES);
    let inv = quick(|| calendar::parse(&s).unwrap());
    assert_eq!(inv.attendees_total, 10_000);
    assert_eq!(inv.attendees.len(), MAX_ATTENDEES);
    let l = lines(&inv, Tz::UTC, BEFORE);
    assert_eq!(
        field(&l, "Attendees"),
        "10000 invited · 50 accepted (answers counted for the first 50)"
    );
    assert_eq!(l.last().map(String::as_str), Some("  and 9996 more"));
    assert!(l.len() < 20, "{}", l.len());
}

#[test]
fn a_five_megabyte_description_is_not_parsed() {
    let s = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:big@x\r\nDESCRIPTION:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "x".repeat(5 << 20)
    );
    let e = quick(|| calendar::parse(&s)).unwrap_err();
    assert!(e.to_string().contains("not read"), "{e}");
    // In a message, the part says why instead of an invitation.
    let raw = format!("Content-Type: text/calendar\r\n\r\n{s}");
    let view = quick(|| mailtui::mail::message::parse(1, raw.as_bytes()));
    assert!(
        matches!(view.calendar, Some(CalendarPart::NotRead(_))),
        "{:?}",
        view.calendar.is_some()
    );
}

#[test]
fn deep_nesting_is_iterative() {
    let mut s = String::from("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:deep@x\r\nSUMMARY:Deep\r\n");
    for _ in 0..50_000 {
        s.push_str("BEGIN:X\r\n");
    }
    s.push_str("END:VCALENDAR\r\n");
    let inv = quick(|| calendar::parse(&s).unwrap());
    assert_eq!(inv.summary.as_deref(), Some("Deep"));
}

#[test]
fn nothing_that_is_not_a_calendar() {
    assert!(calendar::parse("hello").is_err());
    assert!(calendar::parse("").is_err());
    assert!(calendar::parse("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").is_err());
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn cases() -> u32 {
        std::env::var("MAILTUI_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256)
    }

    /// Lines an invitation is made of, broken in every way: folds in odd
    /// places, stray BEGIN/END, bad dates and rules, quotes, escapes.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("BEGIN:VCALENDAR".to_string()),
            Just("END:VCALENDAR".to_string()),
            Just("BEGIN:VEVENT".to_string()),
            Just("END:VEVENT".to_string()),
            Just("BEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nEND:VTIMEZONE".to_string()),
            Just("METHOD:REQUEST".to_string()),
            Just("METHOD:CANCEL".to_string()),
            Just("UID:u1".to_string()),
            Just("ORGANIZER;CN=\"A, B\":mailto:a@x".to_string()),
            "ATTENDEE;PARTSTAT=[A-Z-]{0,12};CN=[a-z ^'\"]{0,8}:mailto:[a-z@.]{0,10}",
            "DTSTART(;TZID=[A-Za-z/ .]{0,20})?:[0-9TZ]{0,17}",
            "DTEND(;VALUE=DATE)?:[0-9TZ+-]{0,17}",
            "DURATION:[-+PTWDHMS0-9]{0,10}",
            "RRULE:(FREQ=[A-Z]{0,8};)?(COUNT=[0-9]{0,12};)?(INTERVAL=[0-9]{0,6};)?(BYDAY=[-0-9A-Z,]{0,12};)?(UNTIL=[0-9TZ]{0,16})?",
            "SUMMARY:[ -~\u{80}-\u{10ff}\\\\;,\u{1b}\u{0}]{0,30}",
            "SEQUENCE:[-0-9a-z]{0,12}",
            "[ \t][ -~]{0,20}",
            "[A-Z-]{1,10}[;:][ -~]{0,20}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

        #[test]
        fn any_calendar_text_parses_describes_and_answers_without_panicking(
            lines in prop::collection::vec(piece(), 0..30),
            crlf in any::<bool>(),
        ) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" });
            if let Ok(inv) = calendar::parse(&text) {
                for l in describe(&inv, &tz("Europe/Berlin"), utc(BEFORE)) {
                    prop_assert!(!l.value.as_str().chars().any(|c| c.is_control()));
                }
                if let Ok(r) = reply(&inv, &["a@x"], Answer::Accepted, Some("ok"), utc(BEFORE)) {
                    let back = calendar::parse(&r.ics);
                    prop_assert!(back.is_ok(), "{}", r.ics);
                    let back = back.unwrap();
                    prop_assert_eq!(back.method, Method::Reply);
                    prop_assert_eq!(back.uid, inv.uid);
                    prop_assert_eq!(back.sequence, inv.sequence);
                }
            }
        }
    }
}

fn event(props: &str) -> Invitation {
    let s = format!(
        "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x@y\r\nORGANIZER:mailto:o@y\r\n{props}END:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    calendar::parse(&s).unwrap()
}

#[test]
fn outlooks_own_sequence_counts_when_higher() {
    let inv = event("SEQUENCE:0\r\nX-MICROSOFT-CDO-APPT-SEQUENCE:3\r\n");
    assert_eq!(inv.sequence, 3);
    let l = lines(&inv, Tz::UTC, BEFORE);
    assert_eq!(field(&l, "Meeting"), "Updated invitation (revision 3)");
}

#[test]
fn floating_times_durations_and_an_unknown_zone_without_vtimezone() {
    let inv = event("DTSTART:20270301T090000\r\nDURATION:PT1H30M\r\n");
    let l = lines(&inv, tz("Asia/Kolkata"), BEFORE);
    assert_eq!(
        field(&l, "When"),
        "Mon 1 Mar 2027, 09:00–10:30 (floating: the same clock time in every zone)"
    );
    let r = reply(&inv, &["a@y"], Answer::Accepted, None, utc(BEFORE)).unwrap();
    assert!(
        r.ics
            .contains("DTSTART:20270301T090000\r\nDURATION:PT1H30M\r\n"),
        "{}",
        r.ics
    );

    let inv = event("DTSTART;TZID=Mars/Olympus_Mons:20270301T090000\r\n");
    let l = lines(&inv, Tz::UTC, BEFORE);
    assert_eq!(
        field(&l, "When"),
        "Mon 1 Mar 2027, 09:00 (time zone “Mars/Olympus_Mons” not known; as written)"
    );
}

#[test]
fn an_india_time_meeting_seen_from_new_york() {
    let inv = event(
        "DTSTART;TZID=India Standard Time:20270310T190000\r\nDTEND;TZID=India Standard Time:20270310T200000\r\n",
    );
    assert_eq!(start_utc(&inv), utc("2027-03-10T13:30:00Z"));
    let l = lines(&inv, tz("America/New_York"), BEFORE);
    assert_eq!(
        field(&l, "When"),
        "Wed 10 Mar 2027, 08:30–09:30 EST (19:00–20:00 India Standard Time)"
    );
}

/// A multi-byte character where "mailto:" would end is no crash.
#[test]
fn a_multi_byte_address_where_mailto_would_end_is_read() {
    for organizer in [
        "abcdefé@x.example",
        "mailtoé:x@y",
        "ééé",
        "mailto:ü@x.example",
    ] {
        let text = format!(
            "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:x\r\n\
             ORGANIZER:{organizer}\r\nATTENDEE:{organizer}\r\nDTSTART:20270101T100000Z\r\n\
             END:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let inv = mailtui::calendar::parse(&text).expect("parses");
        let got = inv.organizer.expect("an organizer").address;
        assert_eq!(got, organizer.strip_prefix("mailto:").unwrap_or(organizer));
    }
}
