//! Time zone names in invitations to zones: IANA names as they are,
//! Windows names (Outlook, Exchange) through CLDR's table, and the odd
//! prefixes some writers add. What none of these names is left to the
//! VTIMEZONE block of the same object (see [`super::vtimezone`]).
//!
//! jiff reads the system's zone database (kept current by the system) and
//! falls back to its bundled copy: for a name the system lacks (Debian
//! moved old names like CLDR's "Asia/Calcutta" to an optional package) or
//! a system without one. Its binary cost is a third of chrono-tz's.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDateTime, Utc};
use jiff::tz::{TimeZone, TimeZoneDatabase};

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

/// The zone an IANA name names: the system's, else the bundled copy's.
pub fn iana(name: &str) -> Option<TimeZone> {
    static BUNDLED: OnceLock<TimeZoneDatabase> = OnceLock::new();
    // Only names: a TZID is never read as a path or a POSIX rule.
    if name.is_empty() || name.starts_with(['/', '.']) || name.contains("..") {
        return None;
    }
    jiff::tz::db()
        .get(name)
        .or_else(|_| BUNDLED.get_or_init(TimeZoneDatabase::bundled).get(name))
        .ok()
}

/// The IANA zone for a Windows zone name ("W. Europe Standard Time").
pub fn windows_to_iana(name: &str) -> Option<TimeZone> {
    let name = name.trim();
    windows_table()
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(name))
        .and_then(|(_, z)| iana(z))
}

/// The zone a TZID names, if it names one we know without its VTIMEZONE.
pub fn resolve_tzid(tzid: &str) -> Option<TimeZone> {
    let t = tzid.trim().trim_matches('"');
    if t.is_empty() {
        return None;
    }
    if let Some(tz) = iana(t).or_else(|| windows_to_iana(t)) {
        return Some(tz);
    }
    // "/mozilla.org/20070129_1/Europe/Berlin", "/softwarestudio.org/…":
    // the zone is the tail after some prefix.
    let mut rest = t;
    while let Some((_, tail)) = rest.split_once('/') {
        if let Some(tz) = iana(tail) {
            return Some(tz);
        }
        rest = tail;
    }
    None
}

/// The system's zone, for the reader; UTC when it cannot be told.
pub fn system_zone() -> TimeZone {
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

fn stamp(t: DateTime<Utc>) -> Option<jiff::Timestamp> {
    jiff::Timestamp::from_second(t.timestamp()).ok()
}

/// A wall-clock time in `tz` as UTC. In the hour a clock skips, the time
/// an hour later (what RFC 5545 §3.3.5 asks); in the hour it repeats, the
/// first.
pub fn to_utc(tz: &TimeZone, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    use chrono::{Datelike, Timelike};
    let civil = jiff::civil::DateTime::new(
        i16::try_from(local.year()).ok()?,
        i8::try_from(local.month()).ok()?,
        i8::try_from(local.day()).ok()?,
        i8::try_from(local.hour()).ok()?,
        i8::try_from(local.minute()).ok()?,
        i8::try_from(local.second()).ok()?,
        0,
    )
    .ok()?;
    let ts = tz.to_ambiguous_timestamp(civil).compatible().ok()?;
    DateTime::from_timestamp(ts.as_second(), 0)
}

/// Seconds east of UTC in `tz` at `t`.
pub fn offset_at(tz: &TimeZone, t: DateTime<Utc>) -> i32 {
    stamp(t).map_or(0, |s| tz.to_offset(s).seconds())
}

/// The zone's abbreviation at `t` ("CEST"), else its offset ("+05:30").
pub fn abbreviation(tz: &TimeZone, t: DateTime<Utc>) -> String {
    let Some(s) = stamp(t) else {
        return String::new();
    };
    let info = tz.to_offset_info(s);
    let a = info.abbreviation();
    if a.is_empty() || a.starts_with(['+', '-']) {
        offset_text(info.offset().seconds())
    } else {
        a.to_string()
    }
}

/// "+01:00".
pub fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(tz: Option<TimeZone>) -> Option<String> {
        tz.and_then(|t| t.iana_name().map(str::to_string))
    }

    #[test]
    fn windows_names_map_to_iana_zones() {
        assert_eq!(
            name(windows_to_iana("W. Europe Standard Time")).as_deref(),
            Some("Europe/Berlin")
        );
        assert_eq!(
            name(windows_to_iana("GMT Standard Time")).as_deref(),
            Some("Europe/London")
        );
        assert_eq!(
            name(windows_to_iana("pacific standard time")).as_deref(),
            Some("America/Los_Angeles")
        );
        assert!(windows_to_iana("India Standard Time").is_some());
        assert!(windows_to_iana("Nowhere Standard Time").is_none());
    }

    #[test]
    fn every_row_of_the_table_names_a_known_zone() {
        let t = windows_table();
        assert!(t.len() >= 139, "{}", t.len());
        for (w, z) in t {
            assert!(iana(z).is_some(), "{w} -> {z}");
        }
    }

    #[test]
    fn tzids_with_prefixes_and_quotes_and_never_a_path() {
        assert_eq!(
            name(resolve_tzid("Europe/Paris")).as_deref(),
            Some("Europe/Paris")
        );
        assert_eq!(
            name(resolve_tzid("\"Europe/Paris\"")).as_deref(),
            Some("Europe/Paris")
        );
        assert_eq!(
            name(resolve_tzid("/mozilla.org/20070129_1/Europe/Berlin")).as_deref(),
            Some("Europe/Berlin")
        );
        assert!(resolve_tzid("Customized Time Zone").is_none());
        assert!(resolve_tzid("").is_none());
        assert!(iana("../../../etc/passwd").is_none());
        assert!(iana("/etc/localtime").is_none());
    }

    #[test]
    fn a_skipped_hour_moves_on_and_a_repeated_one_takes_the_first() {
        let berlin = iana("Europe/Berlin").unwrap();
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
        let summer = DateTime::parse_from_rfc3339("2027-07-15T08:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(offset_at(&berlin, summer), 7200);
        assert_eq!(abbreviation(&berlin, summer), "CEST");
    }
}
