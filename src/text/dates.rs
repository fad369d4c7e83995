//! Dates as the list and the reader show them.

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Datelike, FixedOffset, Utc};
use unicode_width::UnicodeWidthStr;

/// Longest date format accepted from the config, in bytes.
pub const MAX_FORMAT_LEN: usize = 40;
/// The list's date column is never wider than this.
pub const MAX_COLUMN: usize = 24;

/// strftime formats for the list's date column (`[ui] date_format_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateFormats {
    /// Mail from today (local time): the time of day.
    pub today: String,
    /// Earlier this year: month and day.
    pub this_year: String,
    /// Before this year: the whole date.
    pub older: String,
}

impl Default for DateFormats {
    fn default() -> Self {
        DateFormats {
            today: "%H:%M".into(),
            this_year: "%b %d".into(),
            older: "%Y-%m-%d".into(),
        }
    }
}

/// Checks a strftime format from the config: known specifiers only, short,
/// and one line (it is drawn in a table row).
pub fn validate(format: &str) -> Result<(), String> {
    if format.is_empty() {
        return Err("is empty".into());
    }
    if format.len() > MAX_FORMAT_LEN {
        return Err(format!("is longer than {MAX_FORMAT_LEN} bytes"));
    }
    if format.chars().any(char::is_control) {
        return Err("holds a control character".into());
    }
    if StrftimeItems::new(format).any(|i| matches!(i, Item::Error)) {
        return Err(format!(
            "{format:?} is not a strftime format (e.g. \"%b %d\", \"%Y-%m-%d\")"
        ));
    }
    Ok(())
}

fn at(ts: i64, offset: i32) -> Option<DateTime<FixedOffset>> {
    let tz = FixedOffset::east_opt(offset)?;
    Some(DateTime::<Utc>::from_timestamp(ts, 0)?.with_timezone(&tz))
}

/// chrono's `to_string` panics on a format it cannot write; a format that
/// passed [`validate`] never is one, but a failed write gives "".
fn write(d: &DateTime<FixedOffset>, format: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    match write!(out, "{}", d.format(format)) {
        Ok(()) => out,
        Err(_) => String::new(),
    }
}

fn sample_width(format: &str) -> usize {
    // Wed 30 Sep 2026 23:59 UTC.
    DateTime::<Utc>::from_timestamp(1_790_812_740, 0)
        .map_or(0, |d| write(&d.fixed_offset(), format).width())
}

impl DateFormats {
    /// The list's date for `ts` at a fixed offset from UTC, by how long
    /// ago it was.
    pub fn short(&self, ts: Option<i64>, now: i64, utc_offset: i32) -> String {
        match (ts.and_then(|t| at(t, utc_offset)), at(now, utc_offset)) {
            (Some(d), Some(n)) => self.pick(&d, &n),
            _ => String::new(),
        }
    }

    /// `d` in the format for how long before `now` it is.
    fn pick(&self, d: &DateTime<FixedOffset>, now: &DateTime<FixedOffset>) -> String {
        let format = if d.date_naive() == now.date_naive() {
            &self.today
        } else if d.year() == now.year() {
            &self.this_year
        } else {
            &self.older
        };
        write(d, format)
    }

    /// As [`DateFormats::short`], in the local time zone: each time with
    /// the offset the zone had then (a summer date read in winter keeps
    /// its summer hour, and its day).
    pub fn short_in(&self, ts: Option<i64>, now: i64, zone: &jiff::tz::TimeZone) -> String {
        let offset = |t: i64| {
            jiff::Timestamp::from_second(t)
                .map(|s| zone.to_offset(s).seconds())
                .unwrap_or(0)
        };
        match (ts.and_then(|t| at(t, offset(t))), at(now, offset(now))) {
            (Some(d), Some(n)) => self.pick(&d, &n),
            _ => String::new(),
        }
    }

    /// Columns for dates of this year (the usual case), so that the list
    /// keeps its columns while scrolling: `today` and `this_year` written
    /// on a date with long names and two-digit fields.
    pub fn width(&self) -> usize {
        [&self.today, &self.this_year]
            .iter()
            .map(|f| sample_width(f))
            .max()
            .unwrap_or(1)
            .clamp(1, MAX_COLUMN)
    }

    /// Columns when an older date is on screen too.
    pub fn width_with_older(&self) -> usize {
        self.width().max(sample_width(&self.older).min(MAX_COLUMN))
    }
}

/// The reader's Date: the time as the sender wrote it, with the sender's
/// offset (`Thu 27 Nov 2026 14:03 +0100`), then the local time where the
/// offset differs (`, 15:03 here`, with the day when that differs too).
/// Without the sender's offset, local time alone.
pub fn long(ts: i64, sender_offset: Option<i32>, utc_offset: i32) -> String {
    let Some(local) = at(ts, utc_offset) else {
        return String::new();
    };
    let Some(sent) = sender_offset.and_then(|o| at(ts, o)) else {
        return write(&local, "%a %d %b %Y %H:%M");
    };
    let mut out = write(&sent, "%a %d %b %Y %H:%M %z");
    if sent.offset() != local.offset() {
        let here = if sent.date_naive() == local.date_naive() {
            write(&local, "%H:%M")
        } else {
            write(&local, "%a %d %b %H:%M")
        };
        out.push_str(&format!(" ({here} here)"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_793_711_100; // Tue 03 Nov 2026 13:05 UTC
    const DAY: i64 = 86_400;

    #[test]
    fn the_list_shows_time_today_day_this_year_whole_date_before() {
        let f = DateFormats::default();
        assert_eq!(f.short(Some(NOW - 3600), NOW, 0), "12:05");
        assert_eq!(f.short(Some(NOW - DAY * 20), NOW, 0), "Oct 14");
        // Last December: the day, not just the month.
        assert_eq!(f.short(Some(NOW - DAY * 333), NOW, 0), "2025-12-05");
        assert_eq!(f.short(None, NOW, 0), "");
        // The local offset moves the day boundary.
        assert_eq!(f.short(Some(NOW), NOW, 3600 * 11), "00:05");
        assert_eq!((f.width(), f.width_with_older()), (6, 10));
    }

    #[test]
    fn dates_take_the_zones_offset_of_their_own_time() {
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let f = DateFormats::default();
        // 22:30 UTC on 10 July 2026 is 00:30 on the 11th in Berlin (summer
        // time, +2), though "now" (3 November) is +1.
        let july = 1_783_722_600;
        assert_eq!(f.short_in(Some(july), NOW, &berlin), "Jul 11");
        assert_eq!(
            f.short(Some(july), NOW, 3600),
            "Jul 10",
            "a fixed offset errs"
        );
        assert_eq!(f.short_in(Some(NOW - 3600), NOW, &berlin), "13:05");
        let utc = jiff::tz::TimeZone::UTC;
        assert_eq!(f.short_in(Some(NOW - DAY * 333), NOW, &utc), "2025-12-05");
        assert_eq!(f.short_in(None, NOW, &utc), "");
    }

    #[test]
    fn formats_from_the_config_are_checked_and_set_the_column() {
        assert_eq!(validate("%d.%m.%Y"), Ok(()));
        assert_eq!(validate("%e %B"), Ok(()));
        for bad in ["%Q", "", "%", "x\x1b[2J", &"%Y".repeat(30)] {
            assert!(validate(bad).is_err(), "{bad:?} accepted");
        }
        let f = DateFormats {
            this_year: "%e %B".into(),
            ..Default::default()
        };
        assert_eq!(f.short(Some(NOW - DAY * 20), NOW, 0), "14 October");
        assert_eq!(f.width(), "30 September".len());
        let long = DateFormats {
            older: "%A %d %B %Y %H:%M:%S %z".into(),
            ..Default::default()
        };
        assert_eq!(long.width_with_older(), MAX_COLUMN);
    }

    #[test]
    fn the_reader_shows_the_senders_offset() {
        // 14:03 in Berlin (+0100) is 13:03 UTC.
        let ts = 1_795_784_580;
        assert_eq!(long(ts, Some(3600), 3600), "Fri 27 Nov 2026 14:03 +0100");
        assert_eq!(
            long(ts, Some(3600), 0),
            "Fri 27 Nov 2026 14:03 +0100 (13:03 here)"
        );
        assert_eq!(
            long(ts, Some(-8 * 3600), 3600),
            "Fri 27 Nov 2026 05:03 -0800 (14:03 here)"
        );
        assert_eq!(
            long(ts, Some(13 * 3600), 0),
            "Sat 28 Nov 2026 02:03 +1300 (Fri 27 Nov 13:03 here)"
        );
        assert_eq!(long(ts, None, 0), "Fri 27 Nov 2026 13:03");
    }
}
