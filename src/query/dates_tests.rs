use chrono::{FixedOffset, NaiveDate, TimeZone};

use super::dates::{Bounds, bounds, imap_date, is_midnight, local_day};
use super::*;

const OFFSET: i32 = 3600;

/// Unix seconds of a local time at UTC+1.
fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    FixedOffset::east_opt(OFFSET)
        .expect("offset")
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid")
        .timestamp()
}

/// Friday 27 November 2026, 15:30 at UTC+1.
fn now() -> Now {
    Now {
        unix: local(2026, 11, 27, 15, 30),
        utc_offset: OFFSET,
    }
}

fn b(text: &str, now: &Now) -> Bounds {
    match parse(&format!("date:{text}")).map(|q| q.expr().clone()) {
        Ok(Expr::Term(Term::Date(spec))) => bounds(&spec, now),
        other => panic!("{text}: {other:?}"),
    }
}

fn closed(start: i64, end: i64) -> Bounds {
    Bounds {
        start: Some(start),
        end: Some(end),
    }
}

#[test]
fn days_months_and_years_cover_all_of_them_in_local_time() {
    let n = now();
    assert_eq!(
        b("2026-11-27", &n),
        closed(local(2026, 11, 27, 0, 0), local(2026, 11, 28, 0, 0))
    );
    assert_eq!(
        b("2026-11", &n),
        closed(local(2026, 11, 1, 0, 0), local(2026, 12, 1, 0, 0))
    );
    assert_eq!(
        b("2026-12", &n),
        closed(local(2026, 12, 1, 0, 0), local(2027, 1, 1, 0, 0))
    );
    assert_eq!(
        b("2025", &n),
        closed(local(2025, 1, 1, 0, 0), local(2026, 1, 1, 0, 0))
    );
    assert_eq!(
        b("2024-02-29", &n),
        closed(local(2024, 2, 29, 0, 0), local(2024, 3, 1, 0, 0))
    );
}

#[test]
fn ranges_run_from_the_start_of_one_end_to_the_end_of_the_other() {
    let n = now();
    let q1 = closed(local(2025, 1, 1, 0, 0), local(2025, 4, 1, 0, 0));
    assert_eq!(b("2025-01-01..2025-03-31", &n), q1);
    assert_eq!(b("2025-01..2025-03", &n), q1);
    // Either order.
    assert_eq!(b("2025-03..2025-01", &n), q1);
    assert_eq!(
        b("2025-01-01..", &n),
        Bounds {
            start: Some(local(2025, 1, 1, 0, 0)),
            end: None
        }
    );
    assert_eq!(
        b("..2025-01", &n),
        Bounds {
            start: None,
            end: Some(local(2025, 2, 1, 0, 0))
        }
    );
}

#[test]
fn relative_dates_count_back_from_now_as_ages() {
    let n = now();
    let week_ago = n.unix - 7 * 86_400;
    let within = Bounds {
        start: Some(week_ago),
        end: None,
    };
    assert_eq!(b("7d", &n), within);
    assert_eq!(b("..7d", &n), within);
    assert_eq!(b("1w", &n), within);
    assert_eq!(
        b("7d..", &n),
        Bounds {
            start: None,
            end: Some(week_ago)
        }
    );
    // Months and years are calendar ones, at the same local time.
    assert_eq!(
        b("1m..2m", &n),
        closed(local(2026, 9, 27, 15, 30), local(2026, 10, 27, 15, 30))
    );
    assert_eq!(b("1y", &n).start, Some(local(2025, 11, 27, 15, 30)));
    let end_of_march = Now {
        unix: local(2026, 3, 31, 12, 0),
        utc_offset: OFFSET,
    };
    assert_eq!(
        b("1m", &end_of_march).start,
        Some(local(2026, 2, 28, 12, 0))
    );
    // A day and a relative end mix.
    assert_eq!(
        b("2025-01-01..7d", &n),
        closed(local(2025, 1, 1, 0, 0), week_ago)
    );
}

#[test]
fn bounds_include_the_start_and_not_the_end() {
    let day = closed(100, 200);
    assert!(day.contains(100));
    assert!(day.contains(199));
    assert!(!day.contains(200));
    assert!(!day.contains(99));
}

#[test]
fn local_days_and_imap_dates() {
    let n = now();
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("day");
    // 00:30 at UTC+1 is still the previous day in UTC.
    assert_eq!(
        local_day(local(2026, 11, 27, 0, 30), &n),
        Some(d(2026, 11, 27))
    );
    assert!(is_midnight(local(2026, 11, 27, 0, 0), &n));
    assert!(!is_midnight(local(2026, 11, 27, 0, 1), &n));
    assert_eq!(imap_date(d(2026, 11, 27)), "27-Nov-2026");
    assert_eq!(imap_date(d(2026, 1, 5)), "5-Jan-2026");
}
