//! `date:` values: reading them, and turning them into times once the
//! caller says what "now" is (the parser never reads the clock).
//!
//! A day, month or year covers all of it in local time. A relative value
//! (`7d`, `2w`, `3m`, `1y`) is that long before now; read as an age, `..7d`
//! and a lone `7d` mean "at most 7 days old", `7d..` "at least 7 days
//! old". A closed range covers everything between its two ends, in either
//! order.

use std::ops::Range;

use chrono::{
    DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveTime, Offset, TimeZone, Utc,
};

use super::ast::{AgoUnit, DatePoint, DateSpec};
use super::limits::MAX_AGO_DAYS;

/// What "now" is when a query runs: Unix seconds and the local offset from
/// UTC in seconds (as the list's dates use).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    pub unix: i64,
    pub utc_offset: i32,
}

/// Unix seconds, `start` inclusive, `end` exclusive; None is unbounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

impl Bounds {
    pub fn contains(&self, t: i64) -> bool {
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t < e)
    }
}

/// Why a value is not a date: the bytes of `text` at fault, and a detail
/// for the message (may be empty).
pub type DateError = (Range<usize>, String);

pub fn parse_spec(text: &str) -> Result<DateSpec, DateError> {
    let Some((a, b)) = text.split_once("..") else {
        return point(text)
            .map(DateSpec::Single)
            .map_err(|d| (0..text.len(), d));
    };
    if a.is_empty() && b.is_empty() {
        return Err((0..text.len(), " (a range needs at least one end)".into()));
    }
    let end_at = a.len() + 2;
    let side = |s: &str, at: usize| {
        if s.is_empty() {
            Ok(None)
        } else {
            point(s).map(Some).map_err(|d| (at..at + s.len(), d))
        }
    };
    Ok(DateSpec::Range(side(a, 0)?, side(b, end_at)?))
}

fn digits(s: &str, min: usize, max: usize) -> Option<u32> {
    let ok = (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| s.parse().ok()).flatten()
}

fn point(s: &str) -> Result<DatePoint, String> {
    if let Some(last) = s.chars().last()
        && let Some(unit) = ago_unit(last)
    {
        let n = &s[..s.len() - 1];
        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            let days_each: u64 = match unit {
                AgoUnit::Days => 1,
                AgoUnit::Weeks => 7,
                AgoUnit::Months => 31,
                AgoUnit::Years => 366,
            };
            return match n.parse::<u32>() {
                Ok(n) if u64::from(n) * days_each <= MAX_AGO_DAYS => Ok(DatePoint::Ago(n, unit)),
                _ => Err(" (it reaches back more than 300 years)".into()),
            };
        }
    }
    let parts: Vec<&str> = s.split('-').collect();
    let year = || digits(parts[0], 4, 4).map(|y| y as i32);
    match parts.len() {
        1 => year().map(DatePoint::Year).ok_or_else(String::new),
        2 => {
            let (Some(year), Some(month)) = (year(), digits(parts[1], 1, 2)) else {
                return Err(String::new());
            };
            check_month(month)?;
            Ok(DatePoint::Month { year, month })
        }
        3 => {
            let (Some(year), Some(month), Some(day)) =
                (year(), digits(parts[1], 1, 2), digits(parts[2], 1, 2))
            else {
                return Err(String::new());
            };
            check_month(month)?;
            if NaiveDate::from_ymd_opt(year, month, day).is_none() {
                let name = NaiveDate::from_ymd_opt(year, month, 1)
                    .map(|d| d.format("%B %Y").to_string())
                    .unwrap_or_default();
                return Err(format!(
                    " ({name} has {} days)",
                    days_in_month(year, month).unwrap_or(31)
                ));
            }
            Ok(DatePoint::Day { year, month, day })
        }
        _ => Err(String::new()),
    }
}

fn ago_unit(c: char) -> Option<AgoUnit> {
    match c.to_ascii_lowercase() {
        'd' => Some(AgoUnit::Days),
        'w' => Some(AgoUnit::Weeks),
        'm' => Some(AgoUnit::Months),
        'y' => Some(AgoUnit::Years),
        _ => None,
    }
}

fn check_month(month: u32) -> Result<(), String> {
    if (1..=12).contains(&month) {
        Ok(())
    } else {
        Err(format!(" (there is no month {month})"))
    }
}

fn days_in_month(year: i32, month: u32) -> Option<i64> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = first.checked_add_months(Months::new(1))?;
    Some((next - first).num_days())
}

fn zone(now: &Now) -> FixedOffset {
    FixedOffset::east_opt(now.utc_offset).unwrap_or(Utc.fix())
}

/// Local midnight at the start of `day`, as Unix seconds.
fn midnight(day: NaiveDate, now: &Now) -> i64 {
    let local = day.and_time(NaiveTime::MIN).and_utc().timestamp();
    local - i64::from(zone(now).local_minus_utc())
}

/// The local calendar day of `t`.
pub fn local_day(t: i64, now: &Now) -> Option<NaiveDate> {
    DateTime::<Utc>::from_timestamp(t, 0).map(|d| d.with_timezone(&zone(now)).date_naive())
}

/// Whether `t` is a local midnight.
pub fn is_midnight(t: i64, now: &Now) -> bool {
    local_day(t, now).is_some_and(|d| midnight(d, now) == t)
}

fn ago(n: u32, unit: AgoUnit, now: &Now) -> i64 {
    let secs = |days: i64| now.unix.saturating_sub(days.saturating_mul(86_400));
    let months = match unit {
        AgoUnit::Days => return secs(i64::from(n)),
        AgoUnit::Weeks => return secs(i64::from(n) * 7),
        AgoUnit::Months => n,
        AgoUnit::Years => n.saturating_mul(12),
    };
    // Calendar months back in local time (31 March - 1m = 28/29 February).
    zone(now)
        .timestamp_opt(now.unix, 0)
        .single()
        .and_then(|d| d.checked_sub_months(Months::new(months)))
        .map_or_else(|| secs(i64::from(months) * 31), |d| d.timestamp())
}

/// The time a point covers, `[start, end)`; a relative point is an instant.
fn span(p: DatePoint, now: &Now) -> (i64, i64) {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let (first, next) = match p {
        DatePoint::Ago(n, unit) => {
            let t = ago(n, unit, now);
            return (t, t);
        }
        DatePoint::Day {
            year,
            month,
            day: d,
        } => {
            let first = day(year, month, d);
            (first, first.and_then(|f| f.succ_opt()))
        }
        DatePoint::Month { year, month } => {
            let first = day(year, month, 1);
            (
                first,
                first.and_then(|f| f.checked_add_months(Months::new(1))),
            )
        }
        DatePoint::Year(year) => (day(year, 1, 1), day(year.saturating_add(1), 1, 1)),
    };
    // The parser only makes valid points; an impossible one covers nothing.
    match (first, next) {
        (Some(a), Some(b)) => (midnight(a, now), midnight(b, now)),
        _ => (0, 0),
    }
}

pub fn bounds(spec: &DateSpec, now: &Now) -> Bounds {
    let relative = |p: &DatePoint| matches!(p, DatePoint::Ago(..));
    match spec {
        DateSpec::Single(p) if relative(p) => bounds(&DateSpec::Range(None, Some(*p)), now),
        DateSpec::Single(p) => {
            let (s, e) = span(*p, now);
            Bounds {
                start: Some(s),
                end: Some(e),
            }
        }
        DateSpec::Range(Some(a), Some(b)) => {
            let (sa, ea) = span(*a, now);
            let (sb, eb) = span(*b, now);
            Bounds {
                start: Some(sa.min(sb)),
                end: Some(ea.max(eb)),
            }
        }
        DateSpec::Range(Some(a), None) => {
            let (s, _) = span(*a, now);
            if relative(a) {
                Bounds {
                    start: None,
                    end: Some(s),
                }
            } else {
                Bounds {
                    start: Some(s),
                    end: None,
                }
            }
        }
        DateSpec::Range(None, Some(b)) => {
            let (_, e) = span(*b, now);
            if relative(b) {
                Bounds {
                    start: Some(e),
                    end: None,
                }
            } else {
                Bounds {
                    start: None,
                    end: Some(e),
                }
            }
        }
        DateSpec::Range(None, None) => Bounds {
            start: None,
            end: None,
        },
    }
}

/// `27-Nov-2026`, as IMAP's SEARCH wants dates.
pub fn imap_date(d: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS[d.month0() as usize % 12];
    format!("{}-{month}-{:04}", d.day(), d.year())
}
