//! The OS keyring (Secret Service on Linux, Keychain on macOS) through the
//! `keyring` crate. Its calls block, and with the Secret Service they must
//! not run on an async runtime thread, so callers use `spawn_blocking`.

use std::sync::mpsc;
use std::time::Duration;

use keyring::Entry;

use super::store::StoreError;

const SERVICE: &str = "mailtui";

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
        match entry(user)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(StoreError::Io(format!("keyring: {e}"))),
        }
    }

    pub fn set(&self, user: &str, value: &str) -> Result<(), StoreError> {
        entry(user)?
            .set_password(value)
            .map_err(|e| StoreError::Io(format!("keyring: {e}")))
    }

    pub fn delete(&self, user: &str) -> Result<(), StoreError> {
        match entry(user)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(StoreError::Io(format!("keyring: {e}"))),
        }
    }
}
