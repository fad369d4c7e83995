//! How long to wait before trying again, for reconnects and for resyncs a
//! server keeps asking for.

use std::time::Duration;

const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// 1, 2, 4 … seconds, up to a minute.
pub(super) fn backoff(attempt: u32) -> Duration {
    let secs = 1u64 << attempt.saturating_sub(1).min(6);
    Duration::from_secs(secs).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let secs: Vec<u64> = (1..=9).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
