//! The answer to a meeting invitation as a draft: to the organizer, from
//! the address the invitation names (the account's or an alias), threaded
//! under the invitation, with the METHOD:REPLY object beside the text.

use super::address::{Address, format_address};
use super::{ComposeSettings, Draft, Identity, start};
use crate::calendar::{Answer, reply};

/// The draft answering the invitation `raw` carries, or why there is none.
pub fn answer_draft(
    raw: &[u8],
    me: &Identity,
    settings: &ComposeSettings,
    answer: Answer,
    comment: Option<&str>,
    now: i64,
    utc_offset: i32,
) -> Result<Draft, String> {
    let view = crate::mail::message::parse(0, raw);
    let invitation = match &view.calendar {
        Some(crate::calendar::CalendarPart::Invitation(i)) => i,
        Some(crate::calendar::CalendarPart::NotRead(why)) => {
            return Err(format!("the invitation cannot be read: {why}"));
        }
        None => return Err("this message carries no invitation".into()),
    };
    // Threading and the From a reply would have (an alias written to).
    let base = start(
        super::ComposeKind::Reply,
        Some(raw),
        me,
        settings,
        now,
        utc_offset,
    );
    let mut mine: Vec<&str> = vec![me.email.as_str()];
    mine.extend(
        me.aliases
            .iter()
            .map(String::as_str)
            .filter(|a| !a.starts_with('*')),
    );
    // An attendee line with no name (Google writes the address as CN)
    // answers with the account's name.
    let mut invitation = invitation.clone();
    if let Some(name) = me.name.as_ref().filter(|n| !n.trim().is_empty()) {
        for a in invitation.attendees.iter_mut() {
            let p = &mut a.person;
            let is_mine = mine.iter().any(|m| m.eq_ignore_ascii_case(&p.address));
            let unnamed = p
                .name
                .as_ref()
                .is_none_or(|n| n.trim().is_empty() || n.eq_ignore_ascii_case(&p.address));
            if is_mine && unnamed {
                p.name = Some(name.clone());
            }
        }
    }
    let invitation = &invitation;
    let when = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
    let parts = reply(invitation, &mine, answer, comment, when).map_err(|e| e.to_string())?;
    if let Some(note) = &parts.not_invited {
        tracing::info!("{note}");
    }
    let from = if parts.from.address.eq_ignore_ascii_case(&me.email)
        || me
            .aliases
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&parts.from.address))
    {
        format_address(&Address {
            name: me.name.clone(),
            email: parts.from.address.clone(),
        })
    } else {
        base.from.clone()
    };
    Ok(Draft {
        from,
        // Quoted where the name needs it ("Okafor, Bob").
        to: format_address(&Address {
            name: parts.to.name.clone(),
            email: parts.to.address.clone(),
        }),
        subject: parts.subject,
        body: parts.text,
        in_reply_to: base.in_reply_to,
        references: base.references,
        calendar: Some(parts.ics),
        ..Draft::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Answer, Method, PartStat};

    const OUTLOOK: &[u8] = include_bytes!("../../tests/fixtures/calendar/outlook-request.eml");

    fn alice() -> Identity {
        Identity {
            name: Some("Alice Martin".into()),
            email: "alice@contoso.example".into(),
            aliases: Vec::new(),
        }
    }

    /// From Outlook's invitation: to the organizer, threaded under it,
    /// the REPLY beside the text, and the built message carries a REPLY
    /// that parses back with the answer.
    #[test]
    fn an_answer_to_outlook_goes_to_the_organizer_threaded() {
        let d = answer_draft(
            OUTLOOK,
            &alice(),
            &ComposeSettings::default(),
            Answer::Declined,
            Some("On holiday that week, sorry."),
            1_800_000_000,
            3600,
        )
        .expect("an answer");
        assert!(d.to.contains("chen.wei@contoso.example"), "{}", d.to);
        assert_eq!(d.from, "Alice Martin <alice@contoso.example>");
        assert!(d.subject.starts_with("Declined: "), "{}", d.subject);
        assert_eq!(
            d.in_reply_to.as_deref(),
            Some("AM0PR01MB1234ABCD@AM0PR01MB1234.eurprd01.prod.exchangelabs.com")
        );
        assert!(d.body.contains("On holiday that week, sorry."));
        let built = super::super::build(
            &d,
            &super::super::BuildOptions {
                now: 1_800_000_000,
                zone_offset_secs: 3600,
                keep_bcc: false,
                message_id: None,
                format_flowed: false,
            },
        )
        .expect("builds");
        assert_eq!(built.recipients, ["chen.wei@contoso.example"]);
        let sent = crate::mail::message::parse(1, &built.bytes);
        let Some(crate::calendar::CalendarPart::Invitation(back)) = sent.calendar else {
            panic!("the REPLY reads back: {:?}", sent.calendar);
        };
        assert_eq!(back.method, Method::Reply);
        let me = back
            .attendees
            .iter()
            .find(|a| {
                a.person
                    .address
                    .eq_ignore_ascii_case("alice@contoso.example")
            })
            .expect("alice answers");
        assert_eq!(me.partstat, PartStat::Declined);
    }

    /// Google names the attendee by address: the answer carries the
    /// account's name instead.
    #[test]
    fn an_unnamed_attendee_answers_with_the_account_name() {
        let ics = std::fs::read_to_string("tests/fixtures/calendar/google-recurring.ics").unwrap();
        let raw = format!(
            "From: maria.lopez@gmail.example\r\nSubject: Invitation\r\nMessage-ID: <g@x>\r\n\
             Content-Type: text/calendar; method=REQUEST\r\n\r\n{ics}"
        );
        let d = answer_draft(
            raw.as_bytes(),
            &alice(),
            &ComposeSettings::default(),
            Answer::Accepted,
            None,
            1_800_000_000,
            0,
        )
        .expect("an answer");
        assert!(
            d.body.starts_with("Alice Martin has accepted"),
            "{}",
            d.body
        );
        assert!(
            d.calendar
                .as_deref()
                .is_some_and(|c| c.contains("CN=Alice Martin")),
            "{:?}",
            d.calendar
        );
    }

    #[test]
    fn a_message_without_an_invitation_is_said() {
        let e = answer_draft(
            b"From: a@b.example\r\nSubject: hi\r\n\r\nhello\r\n",
            &alice(),
            &ComposeSettings::default(),
            Answer::Accepted,
            None,
            0,
            0,
        )
        .expect_err("nothing to answer");
        assert!(e.contains("no invitation"), "{e}");
    }
}
