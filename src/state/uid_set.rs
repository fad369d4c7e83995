//! A set of UIDs, as the list, a limit and the marks keep them.

/// Hashed for speed, not against collisions chosen by an attacker (UIDs are
/// the server's counters): a limit on 100,000 rows fills one in a key's time.
pub type UidSet = rustc_hash::FxHashSet<u32>;
