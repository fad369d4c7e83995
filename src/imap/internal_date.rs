//! INTERNALDATE (`27-Nov-2026 14:05:09 +0100`) to unix seconds. Every list
//! row carries one; chrono's `parse_from_str` reads its format string again
//! for each, which was 3–4% of the worker's CPU in a full load.

use chrono::NaiveDate;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// RFC 3501 `date-time` without its quotes; the day may be one digit, with
/// or without the leading space. `None` for anything else.
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    let (day, rest) = s.split_once('-')?;
    let (month, rest) = rest.split_once('-')?;
    let (year, rest) = rest.split_once(' ')?;
    let (time, zone) = rest.split_once(' ')?;
    let day = number(day.trim_start(), 1, 2)?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))?;
    let year = number(year, 4, 4)?;
    let mut hms = time.split(':');
    let (h, m, sec) = (hms.next()?, hms.next()?, hms.next()?);
    if hms.next().is_some() {
        return None;
    }
    let (h, m, sec) = (number(h, 2, 2)?, number(m, 2, 2)?, number(sec, 2, 2)?);
    // A leap second (23:59:60) counts as the second before it.
    let sec = if sec == 60 { 59 } else { sec };
    let (sign, hhmm) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let hhmm = number(hhmm, 4, 4)?;
    let (zh, zm) = (hhmm / 100, hhmm % 100);
    if zm > 59 {
        return None;
    }
    let offset = sign * i64::from(zh * 3600 + zm * 60);
    let local = NaiveDate::from_ymd_opt(year as i32, month as u32 + 1, day)?
        .and_hms_opt(h, m, sec)?
        .and_utc()
        .timestamp();
    Some(local - offset)
}

/// ASCII digits only (no sign, no spaces), `min..=max` of them.
fn number(s: &str, min: usize, max: usize) -> Option<u32> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn chrono(s: &str) -> Option<i64> {
        DateTime::parse_from_str(s, "%d-%b-%Y %H:%M:%S %z")
            .ok()
            .map(|d| d.timestamp())
    }

    #[test]
    fn agrees_with_chrono_on_the_forms_servers_send() {
        for s in [
            "27-Nov-2026 14:05:09 +0100",
            " 5-Nov-2026 09:05:00 -0800",
            "05-nov-2026 09:05:00 -0800",
            "31-Dec-1999 23:59:59 +0000",
            "01-Jan-2026 00:00:00 +1400",
            "29-Feb-2024 12:00:00 -1200",
            "15-Jul-2026 08:00:00 +0530",
        ] {
            assert_eq!(parse(s), chrono(s.trim()), "{s}");
            assert!(parse(s).is_some(), "{s}");
        }
    }

    #[test]
    fn agrees_with_chrono_over_a_span_of_times_and_zones() {
        for step in 0..2_000i64 {
            let t = 946_684_800 + step * 1_234_567;
            let zone =
                chrono::FixedOffset::east_opt(((step % 53) as i32 - 26) * 1800).expect("zone");
            let s = DateTime::from_timestamp(t, 0)
                .expect("time")
                .with_timezone(&zone)
                .format("%d-%b-%Y %H:%M:%S %z")
                .to_string();
            assert_eq!(parse(&s), Some(t), "{s}");
        }
    }

    #[test]
    fn a_leap_second_is_the_second_before() {
        assert_eq!(
            parse("31-Dec-2016 23:59:60 +0000"),
            parse("31-Dec-2016 23:59:59 +0000")
        );
        assert!(parse("31-Dec-2016 23:59:60 +0000").is_some());
    }

    #[test]
    fn refuses_what_is_not_a_date_time() {
        for s in [
            "",
            "x",
            "32-Jan-2026 00:00:00 +0000",
            "30-Feb-2026 00:00:00 +0000",
            "01-Foo-2026 00:00:00 +0000",
            "01-Jan-26 00:00:00 +0000",
            "01-Jan-2026 24:00:00 +0000",
            "01-Jan-2026 00:00 +0000",
            "01-Jan-2026 00:00:00:00 +0000",
            "01-Jan-2026 00:00:00 0100",
            "01-Jan-2026 00:00:00 +01",
            "01-Jan-2026 00:00:00 +0160",
            "01-Jan-2026 +0:00:00 +0000",
            "01-Jan-2026 00:00:00 +0000 extra",
            "01-Jan-2026 00:00:00 +ÿÿÿÿ",
        ] {
            assert_eq!(parse(s), None, "{s:?}");
        }
    }
}
