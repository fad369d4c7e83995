//! How a sign-in or refresh result changes a token service: plain
//! functions of (state, result, now), so every branch is tested without an
//! identity provider. The task applies what they return (store writes,
//! status, log lines).

use super::super::errors::{AuthError, AuthErrorKind};
use super::super::tokens::TokenSet;
use super::TokenPhase;
use crate::sanitize::Clean;

/// After a refresh the provider refused without killing the grant
/// (Conditional Access, an error we don't know), try again this much later.
pub const REFUSED_RETRY: i64 = 300;

/// Seconds before the next try after `failures` transient refresh failures
/// in a row: 30 s doubling to five minutes.
pub fn backoff(failures: u32) -> i64 {
    (15i64 << failures.min(5)).min(300)
}

/// What decides the phase.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Held {
    pub tokens: Option<TokenSet>,
    /// Set while the provider refuses refreshes but the grant may live.
    pub refused: Option<AuthError>,
    /// Consecutive transient refresh failures, for backoff.
    pub failures: u32,
    pub next_refresh: Option<i64>,
}

/// What happens to the stored tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keep {
    Save(TokenSet),
    Forget,
    Unchanged,
}

/// How a refresh ended, for the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refresh {
    Done {
        rotated: bool,
    },
    /// A network or server hiccup: tried again in `retry_in` seconds.
    Transient {
        retry_in: i64,
    },
    /// The grant is dead: tokens forgotten, sign in again.
    DeadGrant,
    /// Refused, grant maybe alive: tokens kept, retried later.
    Refused,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Next<O> {
    pub held: Held,
    pub phase: TokenPhase,
    pub keep: Keep,
    pub outcome: O,
}

/// The phase to return to when a sign-in flow ends without new tokens.
pub fn resting_phase(held: &Held) -> TokenPhase {
    match (&held.tokens, &held.refused) {
        (None, _) => TokenPhase::SignedOut,
        (Some(_), Some(e)) => TokenPhase::SignInNeeded(Clean::line(&e.message)),
        (Some(_), None) => TokenPhase::SignedIn,
    }
}

/// What the user sees when a refresh is refused but the tokens are kept.
fn refused_error(e: &AuthError) -> AuthError {
    AuthError::new(
        AuthErrorKind::SignInNeeded,
        e.code.clone(),
        format!(
            "{} [{}] Your sign-in is kept and retried every {} min; press a to sign in again.",
            e.message,
            e.code,
            REFUSED_RETRY / 60
        ),
    )
}

fn fresh(tokens: TokenSet) -> Held {
    Held {
        next_refresh: Some(tokens.refresh_at()),
        tokens: Some(tokens),
        refused: None,
        failures: 0,
    }
}

/// A refresh of `current` gave `result` at `now`. The outcome's error
/// text (for the status bar's last-refresh slot) is in `last_error`.
pub fn after_refresh(
    held: Held,
    current: &TokenSet,
    result: Result<TokenSet, AuthError>,
    now: i64,
) -> Next<Refresh> {
    match result {
        Ok(tokens) => Next {
            outcome: Refresh::Done {
                rotated: tokens.refresh_token != current.refresh_token,
            },
            keep: Keep::Save(tokens.clone()),
            held: fresh(tokens),
            phase: TokenPhase::SignedIn,
        },
        Err(e) if e.kind == AuthErrorKind::Transient => {
            let failures = held.failures + 1;
            let wait = backoff(failures);
            // The tokens stay: the access token may still have time left.
            Next {
                held: Held {
                    failures,
                    next_refresh: Some(now + wait),
                    ..held
                },
                phase: TokenPhase::SignedIn,
                keep: Keep::Unchanged,
                outcome: Refresh::Transient { retry_in: wait },
            }
        }
        Err(e) if e.dead_grant => Next {
            held: Held::default(),
            phase: TokenPhase::SignInNeeded(Clean::line(&e.message)),
            keep: Keep::Forget,
            outcome: Refresh::DeadGrant,
        },
        Err(e) => {
            // Not a dead grant: the tokens stay (on disk too), the user is
            // told why and how to fix it, and the refresh is retried.
            let shown = refused_error(&e);
            Next {
                phase: TokenPhase::SignInNeeded(Clean::line(&shown.message)),
                held: Held {
                    next_refresh: Some(now + REFUSED_RETRY),
                    refused: Some(shown),
                    ..held
                },
                keep: Keep::Unchanged,
                outcome: Refresh::Refused,
            }
        }
    }
}

/// A sign-in flow ended with `result`. The outcome is the note to show
/// (why it ended without tokens), if any.
pub fn after_sign_in(held: Held, result: Result<TokenSet, AuthError>) -> Next<Option<Clean>> {
    match result {
        Ok(tokens) => Next {
            keep: Keep::Save(tokens.clone()),
            held: fresh(tokens),
            phase: TokenPhase::SignedIn,
            outcome: None,
        },
        Err(e) => {
            let phase = match (&held.tokens, e.kind) {
                (Some(_), _) => resting_phase(&held),
                (None, AuthErrorKind::Config) => TokenPhase::SignInNeeded(Clean::line(&e.message)),
                (None, _) => TokenPhase::SignedOut,
            };
            Next {
                held,
                phase,
                keep: Keep::Unchanged,
                outcome: Some(Clean::line(&e.message)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::secret::Secret;

    const NOW: i64 = 1_800_000_000;

    fn tokens(refresh: &str) -> TokenSet {
        TokenSet {
            access_token: Secret::new("at"),
            access_issued_at: NOW,
            access_expires_at: NOW + 3600,
            refresh_token: Some(Secret::new(refresh)),
            refresh_issued_at: Some(NOW),
            signed_in_at: NOW - 100,
            scopes: vec!["imap".into()],
        }
    }

    fn signed_in() -> Held {
        Held {
            tokens: Some(tokens("r1")),
            next_refresh: Some(NOW),
            ..Held::default()
        }
    }

    fn err(kind: AuthErrorKind, code: &str) -> AuthError {
        AuthError::new(kind, code, "the provider said no")
    }

    #[test]
    fn refresh_backoff_grows_to_five_minutes() {
        let v: Vec<i64> = (1..=7).map(backoff).collect();
        assert_eq!(v, [30, 60, 120, 240, 300, 300, 300]);
    }

    #[test]
    fn a_refresh_saves_the_rotated_token_and_clears_failures() {
        let held = Held {
            failures: 3,
            refused: Some(err(AuthErrorKind::SignInNeeded, "x")),
            ..signed_in()
        };
        let new = tokens("r2");
        let n = after_refresh(held, &tokens("r1"), Ok(new.clone()), NOW);
        assert_eq!(n.outcome, Refresh::Done { rotated: true });
        assert_eq!(n.keep, Keep::Save(new.clone()));
        assert_eq!(n.phase, TokenPhase::SignedIn);
        assert_eq!((n.held.failures, n.held.refused), (0, None));
        assert_eq!(n.held.next_refresh, Some(new.refresh_at()));
    }

    #[test]
    fn a_network_failure_keeps_the_tokens_and_backs_off() {
        let mut held = signed_in();
        for (i, wait) in [30, 60, 120].into_iter().enumerate() {
            let n = after_refresh(held, &tokens("r1"), Err(AuthError::transient("down")), NOW);
            assert_eq!(n.outcome, Refresh::Transient { retry_in: wait });
            assert_eq!(
                (n.keep.clone(), n.phase.clone()),
                (Keep::Unchanged, TokenPhase::SignedIn)
            );
            assert!(n.held.tokens.is_some());
            assert_eq!(n.held.failures, i as u32 + 1);
            assert_eq!(n.held.next_refresh, Some(NOW + wait));
            held = n.held;
        }
    }

    #[test]
    fn only_a_dead_grant_forgets_the_tokens() {
        let dead = AuthError::dead(AuthErrorKind::SignInNeeded, "invalid_grant", "expired");
        let n = after_refresh(signed_in(), &tokens("r1"), Err(dead), NOW);
        assert_eq!((n.outcome, n.keep), (Refresh::DeadGrant, Keep::Forget));
        assert_eq!(n.held, Held::default());
        assert!(matches!(n.phase, TokenPhase::SignInNeeded(m) if m.as_str() == "expired"));

        // Conditional Access, or an error nobody knows: kept, retried, said.
        let ca = err(AuthErrorKind::SignInNeeded, "invalid_request AADSTS53003");
        let n = after_refresh(signed_in(), &tokens("r1"), Err(ca), NOW);
        assert_eq!((n.outcome, n.keep), (Refresh::Refused, Keep::Unchanged));
        assert!(n.held.tokens.is_some());
        assert_eq!(n.held.next_refresh, Some(NOW + REFUSED_RETRY));
        let TokenPhase::SignInNeeded(shown) = &n.phase else {
            panic!("{:?}", n.phase)
        };
        assert!(shown.as_str().contains("AADSTS53003") && shown.as_str().contains("kept"));
        assert_eq!(
            resting_phase(&n.held),
            n.phase,
            "a cancelled sign-in shows it again"
        );
    }

    #[test]
    fn a_sign_in_that_fails_rests_where_it_was() {
        let declined = || err(AuthErrorKind::SignInNeeded, "access_denied");
        let n = after_sign_in(Held::default(), Err(declined()));
        assert_eq!(n.phase, TokenPhase::SignedOut);
        assert_eq!(
            n.outcome.as_ref().map(Clean::as_str),
            Some("the provider said no")
        );
        let n = after_sign_in(signed_in(), Err(declined()));
        assert_eq!(n.phase, TokenPhase::SignedIn, "the old tokens still work");
        let n = after_sign_in(
            Held::default(),
            Err(err(AuthErrorKind::Config, "bad_client")),
        );
        assert!(
            matches!(n.phase, TokenPhase::SignInNeeded(_)),
            "a config error stays shown"
        );
        let t = tokens("r9");
        let n = after_sign_in(Held::default(), Ok(t.clone()));
        assert_eq!(
            (n.phase, n.keep, n.outcome),
            (TokenPhase::SignedIn, Keep::Save(t), None)
        );
    }
}
