//! An RRULE in words: "every week on Monday and Wednesday, until
//! 30 Jan 2027", "every 2 months on day 15, 10 times", "every weekday".
//! Nothing is expanded, so a COUNT of a billion costs what 1 does.

use super::model::{Frequency, Recurrence, TimeValue};

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "a, b and c".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn ordinal(n: i64) -> String {
    if n == -1 {
        return "last".into();
    }
    if n < 0 {
        return format!("{} to last", ordinal(-n));
    }
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn unit(freq: Frequency) -> (&'static str, &'static str) {
    match freq {
        Frequency::Yearly => ("year", "years"),
        Frequency::Monthly => ("month", "months"),
        Frequency::Weekly => ("week", "weeks"),
        Frequency::Daily => ("day", "days"),
        Frequency::Hourly => ("hour", "hours"),
        Frequency::Minutely => ("minute", "minutes"),
        Frequency::Secondly => ("second", "seconds"),
    }
}

fn day_name(d: u8) -> &'static str {
    DAYS.get(usize::from(d)).copied().unwrap_or("?")
}

/// The rule in words. `until_text` formats the UNTIL date.
pub fn describe(r: &Recurrence) -> String {
    let plain_days: Vec<u8> = r
        .by_day
        .iter()
        .filter(|(n, _)| n.is_none())
        .map(|(_, d)| *d)
        .collect();
    let weekdays = {
        let mut d = plain_days.clone();
        d.sort_unstable();
        d.dedup();
        d == [0, 1, 2, 3, 4]
    };
    let mut s = if weekdays
        && r.interval == 1
        && matches!(r.freq, Frequency::Daily | Frequency::Weekly)
        && r.by_day.len() == 5
    {
        "every weekday".to_string()
    } else {
        let (one, many) = unit(r.freq);
        let mut s = if r.interval == 1 {
            format!("every {one}")
        } else {
            format!("every {} {many}", r.interval)
        };
        if !r.by_month.is_empty() {
            let months: Vec<String> = r
                .by_month
                .iter()
                .filter_map(|m| {
                    MONTHS
                        .get(usize::from(m.saturating_sub(1)))
                        .map(|m| m.to_string())
                })
                .collect();
            s.push_str(&format!(" in {}", list(&months)));
        }
        if !r.by_day.is_empty() {
            let days: Vec<String> = r
                .by_day
                .iter()
                .map(|(n, d)| match n {
                    Some(n) => format!("the {} {}", ordinal(i64::from(*n)), day_name(*d)),
                    None => day_name(*d).to_string(),
                })
                .collect();
            if let [pos] = r.by_set_pos[..] {
                s.push_str(&format!(
                    " on the {} of {}",
                    ordinal(i64::from(pos)),
                    list(&days).replace("the ", "")
                ));
            } else {
                s.push_str(&format!(" on {}", list(&days)));
            }
        }
        if !r.by_month_day.is_empty() {
            let days: Vec<String> = r
                .by_month_day
                .iter()
                .map(|d| {
                    if *d < 0 {
                        format!("the {} day", ordinal(i64::from(*d)))
                    } else {
                        d.to_string()
                    }
                })
                .collect();
            let word = if r.by_month_day.len() == 1 {
                "day"
            } else {
                "days"
            };
            if r.by_month_day.iter().all(|d| *d > 0) {
                s.push_str(&format!(" on {word} {}", list(&days)));
            } else {
                s.push_str(&format!(" on {}", list(&days)));
            }
        }
        s
    };
    if let Some(n) = r.count {
        if n == 1 {
            s.push_str(", once");
        } else {
            s.push_str(&format!(", {n} times"));
        }
    }
    if let Some(u) = &r.until {
        match &u.value {
            TimeValue::Date(d) => s.push_str(&format!(", until {}", d.format("%-d %b %Y"))),
            TimeValue::Floating(t) => s.push_str(&format!(", until {}", t.format("%-d %b %Y"))),
            TimeValue::Instant { utc, .. } => {
                s.push_str(&format!(", until {}", utc.format("%-d %b %Y")))
            }
            TimeValue::NotUnderstood => s.push_str(&format!(", until {} (not understood)", u.raw)),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::model::EventTime;

    fn rule(freq: Frequency) -> Recurrence {
        Recurrence {
            freq,
            interval: 1,
            count: None,
            until: None,
            by_day: Vec::new(),
            by_month_day: Vec::new(),
            by_month: Vec::new(),
            by_set_pos: Vec::new(),
        }
    }

    #[test]
    fn weekly_with_days_until_a_date() {
        let mut r = rule(Frequency::Weekly);
        r.by_day = vec![(None, 0), (None, 2)];
        r.until = Some(EventTime {
            raw: "20270130".into(),
            tzid: None,
            value: TimeValue::Date(chrono::NaiveDate::from_ymd_opt(2027, 1, 30).unwrap()),
        });
        assert_eq!(
            describe(&r),
            "every week on Monday and Wednesday, until 30 Jan 2027"
        );
    }

    #[test]
    fn monthly_by_day_with_a_count() {
        let mut r = rule(Frequency::Monthly);
        r.interval = 2;
        r.by_month_day = vec![15];
        r.count = Some(10);
        assert_eq!(describe(&r), "every 2 months on day 15, 10 times");
    }

    #[test]
    fn weekdays_and_positions() {
        let mut r = rule(Frequency::Weekly);
        r.by_day = (0..5).map(|d| (None, d)).collect();
        assert_eq!(describe(&r), "every weekday");
        let mut r = rule(Frequency::Monthly);
        r.by_day = vec![(Some(-1), 4)];
        assert_eq!(describe(&r), "every month on the last Friday");
        let mut r = rule(Frequency::Yearly);
        r.by_month = vec![3];
        r.by_day = vec![(Some(2), 6)];
        assert_eq!(describe(&r), "every year in March on the 2nd Sunday");
        let mut r = rule(Frequency::Secondly);
        r.count = Some(1_000_000_000);
        assert_eq!(describe(&r), "every second, 1000000000 times");
    }
}
