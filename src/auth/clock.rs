//! The identity provider's clock, read from the `Date` header of any answer
//! it gives. Token lifetimes and device-code expiry are counted on both
//! sides, so a machine whose clock is off sees tokens die early or late.

use std::time::{Duration, Instant};

use crate::sanitize::Clean;

/// What one plain request to the identity provider showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderClock {
    /// `host[:port]` asked.
    pub host: String,
    /// The HTTP status (any status will do: only the answer's time counts).
    pub status: u16,
    /// The provider's clock minus ours, in seconds; `None` when the
    /// answer had no readable `Date` header.
    pub skew: Option<i64>,
    pub round_trip: Duration,
}

const TIMEOUT: Duration = Duration::from_secs(10);

/// Asks `url` (a GET with no credentials: the token endpoint will refuse it,
/// which is fine) and compares its `Date` with this machine's clock.
pub async fn probe(url: &str) -> Result<ProviderClock, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url} is not a valid URL: {e}"))?;
    let host = match (parsed.host_str(), parsed.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => return Err(format!("{url} names no host")),
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| format!("HTTP client: {e}"))?;
    let before = chrono::Utc::now().timestamp_millis();
    let started = Instant::now();
    let answer = http.get(parsed).send().await.map_err(|e| {
        let mut why = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            why = format!("{why}: {s}");
            source = s.source();
        }
        format!("cannot reach {host}: {}", Clean::line(&why))
    })?;
    let round_trip = started.elapsed();
    let after = chrono::Utc::now().timestamp_millis();
    let date = answer
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok());
    Ok(ProviderClock {
        host,
        status: answer.status().as_u16(),
        skew: date.map(|d| skew(d.timestamp(), before, after)),
        round_trip,
    })
}

/// The provider's whole-second `Date` against the middle of the exchange
/// (milliseconds on our side); a `Date` is truncated, so half a second is
/// added before comparing.
fn skew(provider_secs: i64, before_ms: i64, after_ms: i64) -> i64 {
    let ours_ms = before_ms + (after_ms - before_ms) / 2;
    ((provider_secs * 1000 + 500 - ours_ms) as f64 / 1000.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_is_measured_from_the_middle_of_the_exchange() {
        assert_eq!(skew(1000, 1_000_000, 1_000_400), 0);
        assert_eq!(skew(1000 + 300, 1_000_000, 1_000_100), 300);
        assert_eq!(skew(1000 - 180, 1_000_000, 1_000_100), -180);
    }

    #[tokio::test]
    async fn an_unreachable_provider_is_an_error_that_names_it() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = probe(&format!("http://127.0.0.1:{port}/common/oauth2/v2.0/token"))
            .await
            .unwrap_err();
        assert!(e.contains(&format!("127.0.0.1:{port}")), "{e}");
    }
}
