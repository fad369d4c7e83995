//! The fallback for a TZID no zone database knows (Outlook writes
//! "Customized Time Zone" and display names like "(UTC+01:00) Amsterdam,
//! Berlin …"): the VTIMEZONE block of the same object says the offsets
//! and when they change. Only the yearly rules writers use in practice
//! (BYMONTH with one BYDAY like 2SU or -1SU) are followed; an observance
//! without a rule starts at its DTSTART.

use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarProperty, ICalendarValue,
    ICalendarWeekday,
};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

/// One STANDARD or DAYLIGHT part of a VTIMEZONE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observance {
    pub start: NaiveDateTime,
    /// TZOFFSETTO, seconds east of UTC.
    pub offset: i32,
    /// Yearly onset: (month, n-th weekday, weekday); n < 0 counts from
    /// the end of the month.
    pub rule: Option<(u32, i16, Weekday)>,
}

/// The observances of the VTIMEZONE whose TZID is `tzid`.
pub fn observances(ical: &ICalendar, tzid: &str) -> Vec<Observance> {
    let Some(tz) = ical.components.iter().find(|c| {
        c.component_type == ICalendarComponentType::VTimezone
            && text(c, &ICalendarProperty::Tzid) == Some(tzid)
    }) else {
        return Vec::new();
    };
    tz.component_ids
        .iter()
        .filter_map(|&id| ical.component_by_id(id))
        .filter(|c| {
            matches!(
                c.component_type,
                ICalendarComponentType::Standard | ICalendarComponentType::Daylight
            )
        })
        .filter_map(observance)
        .collect()
}

fn text<'a>(c: &'a ICalendarComponent, p: &ICalendarProperty) -> Option<&'a str> {
    c.property(p)?.values.first()?.as_text()
}

fn observance(c: &ICalendarComponent) -> Option<Observance> {
    let start = match c.property(&ICalendarProperty::Dtstart)?.values.first()? {
        ICalendarValue::PartialDateTime(d) => {
            let date = NaiveDate::from_ymd_opt(
                i32::from(d.year?),
                u32::from(d.month?),
                u32::from(d.day?),
            )?;
            date.and_hms_opt(
                u32::from(d.hour.unwrap_or(0)),
                u32::from(d.minute.unwrap_or(0)),
                u32::from(d.second.unwrap_or(0)),
            )?
        }
        _ => return None,
    };
    let offset = match c.property(&ICalendarProperty::Tzoffsetto)?.values.first()? {
        ICalendarValue::PartialDateTime(d) => {
            let secs = i32::from(d.tz_hour?) * 3600 + i32::from(d.tz_minute.unwrap_or(0)) * 60;
            if d.tz_minus { -secs } else { secs }
        }
        _ => return None,
    };
    let rule = c
        .property(&ICalendarProperty::Rrule)
        .and_then(|e| match e.values.first() {
            Some(ICalendarValue::RecurrenceRule(r)) => {
                let month = u32::from(r.bymonth.first()?.month());
                let day = r.byday.first()?;
                Some((month, day.ordwk.unwrap_or(1), weekday(day.weekday)))
            }
            _ => None,
        });
    Some(Observance {
        start,
        offset,
        rule,
    })
}

pub fn weekday(w: ICalendarWeekday) -> Weekday {
    match w {
        ICalendarWeekday::Monday => Weekday::Mon,
        ICalendarWeekday::Tuesday => Weekday::Tue,
        ICalendarWeekday::Wednesday => Weekday::Wed,
        ICalendarWeekday::Thursday => Weekday::Thu,
        ICalendarWeekday::Friday => Weekday::Fri,
        ICalendarWeekday::Saturday => Weekday::Sat,
        ICalendarWeekday::Sunday => Weekday::Sun,
    }
}

/// The n-th `wd` of a month (n < 0: from the end), if the month has it.
fn nth_weekday(year: i32, month: u32, n: i16, wd: Weekday) -> Option<NaiveDate> {
    if n >= 0 {
        NaiveDate::from_weekday_of_month_opt(year, month, wd, u8::try_from(n.max(1)).ok()?)
    } else {
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        let last = next - Duration::days(1);
        let back = (7 + last.weekday().num_days_from_monday() - wd.num_days_from_monday()) % 7;
        let d = last - Duration::days(i64::from(back) + 7 * i64::from(-n - 1));
        (d.month() == month).then_some(d)
    }
}

/// When `o` last began at or before `local`.
fn last_onset(o: &Observance, local: NaiveDateTime) -> Option<NaiveDateTime> {
    let Some((month, n, wd)) = o.rule else {
        return (o.start <= local).then_some(o.start);
    };
    for year in [local.year(), local.year() - 1] {
        let at = nth_weekday(year, month, n, wd)?.and_time(o.start.time());
        if at <= local && at >= o.start {
            return Some(at);
        }
    }
    None
}

/// The offset in force at wall-clock time `local`; the first observance's
/// when none has begun yet.
pub fn offset_at(obs: &[Observance], local: NaiveDateTime) -> Option<i32> {
    obs.iter()
        .filter_map(|o| Some((last_onset(o, local)?, o.offset)))
        .max_by_key(|(at, _)| *at)
        .map(|(_, off)| off)
        .or_else(|| obs.iter().min_by_key(|o| o.start).map(|o| o.offset))
}

/// The VTIMEZONE blocks for `tzids`, as unfolded lines, from the source
/// text: what a reply copies. Bounded by [`super::limits::MAX_VTIMEZONE_LINES`].
pub fn blocks(source: &str, tzids: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut block: Option<Vec<String>> = None;
    for line in super::text::unfolded_lines(source) {
        let upper = line.to_ascii_uppercase();
        if upper == "BEGIN:VTIMEZONE" {
            block = Some(vec![line]);
            continue;
        }
        let Some(b) = block.as_mut() else { continue };
        if b.len() < super::limits::MAX_VTIMEZONE_LINES {
            b.push(line);
        }
        if upper == "END:VTIMEZONE" {
            let wanted = b.iter().any(|l| {
                l.to_ascii_uppercase().starts_with("TZID")
                    && l.split_once(':')
                        .is_some_and(|(_, v)| tzids.contains(&v.trim()))
            });
            let done = block.take().unwrap_or_default();
            if wanted
                && done
                    .last()
                    .is_some_and(|l| l.eq_ignore_ascii_case("END:VTIMEZONE"))
            {
                out.extend(done);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn nth_and_last_weekdays() {
        assert_eq!(
            nth_weekday(2027, 3, -1, Weekday::Sun).unwrap().to_string(),
            "2027-03-28"
        );
        assert_eq!(
            nth_weekday(2027, 10, -1, Weekday::Sun).unwrap().to_string(),
            "2027-10-31"
        );
        assert_eq!(
            nth_weekday(2027, 3, 2, Weekday::Sun).unwrap().to_string(),
            "2027-03-14"
        );
        assert_eq!(nth_weekday(2027, 2, 5, Weekday::Mon), None);
    }

    #[test]
    fn offsets_follow_the_yearly_rules() {
        let obs = vec![
            Observance {
                start: at("1601-10-28 03:00"),
                offset: 3600,
                rule: Some((10, -1, Weekday::Sun)),
            },
            Observance {
                start: at("1601-03-25 02:00"),
                offset: 7200,
                rule: Some((3, -1, Weekday::Sun)),
            },
        ];
        assert_eq!(offset_at(&obs, at("2027-07-15 10:00")), Some(7200));
        assert_eq!(offset_at(&obs, at("2027-01-15 10:00")), Some(3600));
        assert_eq!(offset_at(&obs, at("2027-12-15 10:00")), Some(3600));
        assert_eq!(offset_at(&[], at("2027-12-15 10:00")), None);
    }
}
