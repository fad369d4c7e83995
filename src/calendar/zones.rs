//! Time zone names in invitations to zones chrono-tz knows: IANA names as
//! they are, Windows names (Outlook, Exchange) through CLDR's table, and
//! the odd prefixes some writers add. What none of these names is left to
//! the VTIMEZONE block of the same object (see [`super::vtimezone`]).
//!
//! chrono-tz because the parser crate already brings it (one zone
//! database in the binary, not two); `iana-time-zone` (already under
//! chrono's clock) names the system's zone.

use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// CLDR windowsZones, territory 001: see the file's header for its source.
const WINDOWS_ZONES: &str = include_str!("../../assets/calendar/windows-zones.tsv");

fn windows_table() -> &'static Vec<(&'static str, &'static str)> {
    static TABLE: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        WINDOWS_ZONES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once('\t'))
            .collect()
    })
}

/// The IANA zone for a Windows zone name ("W. Europe Standard Time").
pub fn windows_to_iana(name: &str) -> Option<Tz> {
    let name = name.trim();
    windows_table()
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(name))
        .and_then(|(_, iana)| Tz::from_str(iana).ok())
}

/// The zone a TZID names, if it names one we know without its VTIMEZONE.
pub fn resolve_tzid(tzid: &str) -> Option<Tz> {
    let t = tzid.trim().trim_matches('"');
    if t.is_empty() {
        return None;
    }
    if let Ok(tz) = Tz::from_str(t) {
        return Some(tz);
    }
    if let Some(tz) = windows_to_iana(t) {
        return Some(tz);
    }
    // "/mozilla.org/20070129_1/Europe/Berlin", "/softwarestudio.org/…":
    // the zone is the tail after some prefix.
    if t.contains('/') {
        let mut rest = t;
        while let Some((_, tail)) = rest.split_once('/') {
            if let Ok(tz) = Tz::from_str(tail) {
                return Some(tz);
            }
            rest = tail;
        }
    }
    None
}

/// The system's zone, for the reader; UTC when it cannot be told.
pub fn system_zone() -> Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|n| Tz::from_str(&n).ok())
        .unwrap_or(Tz::UTC)
}

/// A wall-clock time in `tz` as UTC. In the hour a clock skips, the time
/// an hour later (what calendars do); in the hour it repeats, the first.
pub fn to_utc(tz: &Tz, local: NaiveDateTime) -> Option<chrono::DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        LocalResult::None => match tz.from_local_datetime(&(local + chrono::Duration::hours(1))) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
            LocalResult::None => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names_map_to_iana_zones() {
        assert_eq!(
            windows_to_iana("W. Europe Standard Time"),
            Some(Tz::Europe__Berlin)
        );
        assert_eq!(
            windows_to_iana("GMT Standard Time"),
            Some(Tz::Europe__London)
        );
        assert_eq!(
            windows_to_iana("Pacific Standard Time"),
            Some(Tz::America__Los_Angeles)
        );
        assert_eq!(
            windows_to_iana("India Standard Time"),
            Some(Tz::Asia__Calcutta)
        );
        assert_eq!(windows_to_iana("Nowhere Standard Time"), None);
    }

    #[test]
    fn every_row_of_the_table_names_a_zone_chrono_tz_knows() {
        let t = windows_table();
        assert!(t.len() >= 139, "{}", t.len());
        for (w, iana) in t {
            assert!(Tz::from_str(iana).is_ok(), "{w} -> {iana}");
        }
    }

    #[test]
    fn tzids_with_prefixes_and_quotes() {
        assert_eq!(resolve_tzid("Europe/Paris"), Some(Tz::Europe__Paris));
        assert_eq!(resolve_tzid("\"Europe/Paris\""), Some(Tz::Europe__Paris));
        assert_eq!(
            resolve_tzid("/mozilla.org/20070129_1/Europe/Berlin"),
            Some(Tz::Europe__Berlin)
        );
        assert_eq!(resolve_tzid("Customized Time Zone"), None);
        assert_eq!(resolve_tzid(""), None);
    }

    #[test]
    fn a_skipped_hour_moves_on_and_a_repeated_one_takes_the_first() {
        let berlin = Tz::Europe__Berlin;
        let gap = NaiveDateTime::parse_from_str("2027-03-28 02:30", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            to_utc(&berlin, gap).unwrap().to_rfc3339(),
            "2027-03-28T01:30:00+00:00"
        );
        let rep = NaiveDateTime::parse_from_str("2027-10-31 02:30", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            to_utc(&berlin, rep).unwrap().to_rfc3339(),
            "2027-10-31T00:30:00+00:00"
        );
    }
}
