//! SIGTERM, SIGHUP and SIGINT from outside (`kill`, `timeout`, tmux
//! kill-session, a dropped SSH session) end mailtui the way `q` does: the
//! event loop gets them as input and returns, and the normal quit path puts
//! the terminal back. Left to their default, they would kill the process
//! with the terminal still raw and on the alternate screen.
//!
//! In raw mode Ctrl-C is a key, not SIGINT; SIGINT only comes from outside.

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// The signals that end the app.
const QUIT: [SignalKind; 3] = [
    SignalKind::terminate(),
    SignalKind::hangup(),
    SignalKind::interrupt(),
];

/// Takes over the quit signals from now on (call before the terminal goes
/// raw); each one that arrives comes out of the receiver as its number.
/// Needs a running tokio runtime.
pub fn quit_signals() -> std::io::Result<UnboundedReceiver<i32>> {
    let (tx, rx) = unbounded_channel();
    for kind in QUIT {
        let mut stream = signal(kind)?;
        let tx = tx.clone();
        tokio::spawn(async move {
            while stream.recv().await.is_some() {
                if tx.send(kind.as_raw_value()).is_err() {
                    break;
                }
            }
        });
    }
    Ok(rx)
}

/// The exit status after a signal: 128 + its number, as a shell reports a
/// process the signal killed (143 for SIGTERM, 129 SIGHUP, 130 SIGINT),
/// so scripts and `timeout` see what happened.
pub fn exit_status(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_is_128_plus_the_signal() {
        assert_eq!(exit_status(SignalKind::terminate().as_raw_value()), 143);
        assert_eq!(exit_status(SignalKind::hangup().as_raw_value()), 129);
        assert_eq!(exit_status(SignalKind::interrupt().as_raw_value()), 130);
    }

    /// A real SIGHUP to this test process reaches the receiver instead of
    /// ending the process.
    #[tokio::test]
    async fn a_signal_arrives_as_its_number() {
        let mut rx = quit_signals().expect("signal handlers");
        let pid = std::process::id().to_string();
        let status = std::process::Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .expect("kill");
        assert!(status.success());
        let got = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
            .await
            .expect("the signal arrives");
        assert_eq!(got, Some(SignalKind::hangup().as_raw_value()));
    }
}
