//! The OS keyring (Secret Service on Linux, Keychain on macOS) through the
//! `keyring` crate. Its calls block (a D-Bus round trip, maybe an unlock
//! prompt), so they never run on an async runtime thread: callers use
//! `spawn_blocking`, and each call here runs bounded on a thread of its own.

use std::sync::mpsc;
use std::time::Duration;

use keyring::Entry;

use super::errors::StoreError;

const SERVICE: &str = "mailtui";

/// How long one keyring call may take. A Secret Service that accepts the
/// D-Bus call and never answers (a stuck daemon, a prompt nobody sees)
/// would otherwise hold the account, or `mailtui set-password`, forever;
/// 30 s leaves time to type the keyring's password into an unlock prompt.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(30);

/// Handle to the keyring; present only when one answered at start.
#[derive(Clone, Debug)]
pub struct Keyring;

fn entry(user: &str) -> Result<Entry, StoreError> {
    Entry::new(SERVICE, user).map_err(|e| StoreError::Io(format!("keyring: {e}")))
}

impl Keyring {
    /// Asks the keyring for a missing entry: "no such entry" means it works.
    /// Bounded, since a half-configured D-Bus can hang instead of failing.
    pub fn probe() -> Option<Keyring> {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let answer = Entry::new(SERVICE, "probe").map(|e| e.get_password());
            let _ = tx.send(matches!(
                answer,
                Ok(Ok(_)) | Ok(Err(keyring::Error::NoEntry))
            ));
        });
        rx.recv_timeout(Duration::from_secs(3))
            .ok()
            .filter(|ok| *ok)
            .map(|_| Keyring)
    }

    pub fn get(&self, user: &str) -> Result<Option<String>, StoreError> {
        let user = user.to_string();
        bounded(KEYRING_TIMEOUT, move || {
            match entry(&user)?.get_password() {
                Ok(v) => Ok(Some(v)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(StoreError::Io(format!("keyring: {e}"))),
            }
        })
    }

    pub fn set(&self, user: &str, value: &str) -> Result<(), StoreError> {
        let (user, value) = (user.to_string(), super::Secret::new(value));
        bounded(KEYRING_TIMEOUT, move || {
            entry(&user)?
                .set_password(value.expose())
                .map_err(|e| StoreError::Io(format!("keyring: {e}")))
        })
    }

    pub fn delete(&self, user: &str) -> Result<(), StoreError> {
        let user = user.to_string();
        bounded(KEYRING_TIMEOUT, move || {
            match entry(&user)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(StoreError::Io(format!("keyring: {e}"))),
            }
        })
    }
}

/// Runs a keyring call on a thread of its own and waits at most `limit`.
/// A call that hangs is left behind on its thread (it cannot be
/// cancelled); the caller gets a clear error instead of a hang.
fn bounded<T: Send + 'static>(
    limit: Duration,
    call: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = tx.send(call());
        })
        .map_err(|e| StoreError::Io(format!("keyring: cannot start a thread: {e}")))?;
    match rx.recv_timeout(limit) {
        Ok(answer) => answer,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(StoreError::KeyringTimeout(limit.as_secs())),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(StoreError::Io("keyring: the call failed".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyring_call_that_hangs_gives_a_clear_error_in_time() {
        let (_never, hang) = mpsc::channel::<()>();
        let start = std::time::Instant::now();
        let e = bounded(Duration::from_millis(50), move || {
            let _ = hang.recv();
            Ok(())
        })
        .unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(matches!(e, StoreError::KeyringTimeout(_)), "{e}");
        assert!(e.to_string().contains("no answer"), "{e}");
        assert_eq!(bounded(Duration::from_secs(5), || Ok(7)).unwrap(), 7);
    }
}
