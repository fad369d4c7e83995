//! OAuth accounts: the identity provider (reachable, and its clock against
//! ours) and the stored tokens (present, how long they last, scopes).
//! Nothing here shows a token.

use crate::auth::clock;
use crate::auth::oauth::now;
use crate::auth::store::{StoreError, TokenStore};
use crate::auth::tokens::TokenSet;
use crate::config::{OAuthAccount, Provider};
use crate::sanitize::Clean;
use crate::text::format::duration;

use super::place::Place;
use super::step::{Failed, Outcome, Passed};

/// Beyond this the clocks disagree enough to matter (seconds).
pub const MAX_SKEW: i64 = 120;

/// Microsoft ends a sign-in whose refresh token went unused this long.
const MICROSOFT_IDLE_DAYS: i64 = 90;
/// Warn this many days before that.
const IDLE_WARN_DAYS: i64 = 80;

/// Whether the provider answered; the tokens step needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reachable(pub bool);

fn ahead_or_behind(skew: i64) -> String {
    let by = duration(skew.abs());
    if skew > 0 {
        format!("this machine's clock is {by} behind the identity provider's")
    } else {
        format!("this machine's clock is {by} ahead of the identity provider's")
    }
}

/// Asks the token endpoint for nothing, to see that it answers and what
/// time it says. Never a failure: valid tokens still work without it.
pub async fn identity_provider(o: &OAuthAccount) -> Outcome<Reachable> {
    match clock::probe(&o.client.token_url).await {
        Err(why) => {
            let passed = Passed::new(format!("{} cannot be reached", o.client.token_url)).warn(
                why,
                "check this machine's network and proxy settings: until the sign-in service \
                 answers, tokens cannot be renewed and signing in cannot start",
            );
            Ok((Reachable(false), passed))
        }
        Ok(c) => {
            let ms = c.round_trip.as_millis();
            let mut detail = format!("{} answered (HTTP {}) in {ms} ms", c.host, c.status);
            let passed = match c.skew {
                None => {
                    detail.push_str("; it sent no Date, so the clocks were not compared");
                    Passed::new(detail)
                }
                Some(skew) if skew.abs() > MAX_SKEW => {
                    detail.push_str(&format!("; clocks differ by {}", duration(skew.abs())));
                    Passed::new(detail).warn(
                        ahead_or_behind(skew),
                        "set the clock right (e.g. `timedatectl set-ntp true`): token lifetimes \
                         and the sign-in code's expiry are counted by the provider's clock",
                    )
                }
                Some(skew) => {
                    detail.push_str(&format!("; clocks agree within {}s", skew.abs().max(1)));
                    Passed::new(detail)
                }
            };
            Ok((Reachable(true), passed))
        }
    }
}

fn scopes(t: &TokenSet) -> String {
    let s: Vec<String> = t
        .scopes
        .iter()
        .map(|s| Clean::line(s).as_str().to_string())
        .collect();
    if s.is_empty() {
        "none recorded".into()
    } else {
        s.join(" ")
    }
}

/// The stored tokens: there, usable, and for what.
pub async fn tokens(
    o: &OAuthAccount,
    store: &TokenStore,
    reachable: Reachable,
    place: &Place<'_>,
) -> Outcome<()> {
    let login = place.login_command();
    let (s, name) = (store.clone(), place.account.to_string());
    let loaded = tokio::task::spawn_blocking(move || s.load(&name))
        .await
        .unwrap_or_else(|e| Err(StoreError::Io(e.to_string())));
    let t = match loaded {
        Ok(Some(t)) => t,
        Ok(None) => {
            return Err(Failed::new(
                format!("not signed in: no tokens stored in {}", store.describe()),
                format!("run `{login}`"),
            ));
        }
        Err(e @ StoreError::TooOpen { .. }) => {
            return Err(Failed::new(
                e.to_string(),
                "make the token file private (chmod 600), or sign out and in again",
            ));
        }
        Err(e) => {
            return Err(Failed::new(
                e.to_string(),
                format!("run `mailtui logout {}`, then `{login}`", place.account),
            ));
        }
    };
    let now = now();
    let left = t.access_expires_at - now;
    let mut detail = format!("stored in {}; ", store.describe());
    if left > 0 {
        detail.push_str(&format!("access token valid {} more", duration(left)));
    } else {
        detail.push_str(&format!(
            "access token expired {} ago (renewed at login)",
            duration(-left)
        ));
    }
    let refresh_age = t.refresh_issued_at.map(|at| now - at);
    match (&t.refresh_token, refresh_age) {
        (None, _) => detail.push_str("; no refresh token"),
        (Some(_), Some(age)) => detail.push_str(&format!("; refresh token {} old", duration(age))),
        (Some(_), None) => detail.push_str("; refresh token of unknown age"),
    }
    detail.push_str(&format!(
        "; signed in {} ago; scopes: {}",
        duration(now - t.signed_in_at),
        scopes(&t)
    ));
    if left <= 0 && t.refresh_token.is_none() {
        return Err(Failed::new(
            format!("{detail}: nothing can renew the expired access token"),
            format!("run `{login}` (and ask for offline_access in scopes, for a refresh token)"),
        ));
    }
    if left <= 0 && !reachable.0 {
        return Err(Failed::new(
            format!("{detail}, but the sign-in service cannot be reached to renew it"),
            "check this machine's network and proxy settings (see the sign-in service line)",
        ));
    }
    let mut passed = Passed::new(detail);
    if t.refresh_token.is_none() {
        passed = passed.warn(
            format!(
                "no refresh token: you must sign in again in {}",
                duration(left)
            ),
            format!("add offline_access to the scopes and run `{login}`"),
        );
    } else if o.provider == Provider::Microsoft
        && let Some(age) = refresh_age
        && age > IDLE_WARN_DAYS * 86_400
    {
        passed = passed.warn(
            format!(
                "the refresh token is {} old; Microsoft ends sign-ins unused for {MICROSOFT_IDLE_DAYS} days",
                duration(age)
            ),
            "start mailtui (it renews the token), or sign in again",
        );
    }
    Ok(((), passed))
}
