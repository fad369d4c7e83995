//! A token service signed in through the test identity provider with a
//! device code, as a test needs it before sending or reading.

use std::time::Duration;

use mailtui::auth::oauth::{OAuth, OAuthConfig};
use mailtui::auth::service::{
    self, AuthCommand, LoginMethod, ServiceHandle, TokenPhase, TokenStatus,
};
use mailtui::auth::store::TokenStore;
use tokio::sync::mpsc::UnboundedReceiver;

use super::idp::{CLIENT_ID, Idp};

/// The service and the statuses it reports.
pub struct Signed {
    pub svc: ServiceHandle,
    pub statuses: UnboundedReceiver<TokenStatus>,
}

/// Account "work" signed in as `user` for `scopes` (tenant `common`),
/// tokens stored as files in `dir`.
pub async fn device_sign_in(
    idp: &Idp,
    dir: &std::path::Path,
    scopes: &[&str],
    user: &str,
) -> Signed {
    let scopes = scopes.iter().map(|s| s.to_string()).collect();
    let oauth = OAuth::new(OAuthConfig::microsoft(
        &idp.base, "common", CLIENT_ID, scopes,
    ))
    .expect("oauth client");
    let (tx, mut statuses) = tokio::sync::mpsc::unbounded_channel();
    let sink: service::StatusSink = Box::new(move |s| {
        let _ = tx.send(s);
    });
    let store = TokenStore::Files(dir.to_path_buf());
    let svc = service::spawn("work".into(), oauth, LoginMethod::Device, store, sink);
    until(&mut statuses, |s| {
        matches!(s.phase, TokenPhase::SignedOut | TokenPhase::SignedIn)
    })
    .await;
    svc.commands.send(AuthCommand::SignIn).unwrap();
    let code = next_code(&mut statuses).await;
    idp.approve(&code, user);
    until(&mut statuses, |s| s.phase == TokenPhase::SignedIn).await;
    Signed { svc, statuses }
}

/// The user code of the next device sign-in the service shows.
pub async fn next_code(statuses: &mut UnboundedReceiver<TokenStatus>) -> String {
    match until(statuses, |s| {
        matches!(s.phase, TokenPhase::WaitingForCode(_))
    })
    .await
    .phase
    {
        TokenPhase::WaitingForCode(c) => c.user_code,
        _ => unreachable!(),
    }
}

/// The first status (within 10 s) that `ok` accepts.
pub async fn until(
    statuses: &mut UnboundedReceiver<TokenStatus>,
    ok: impl Fn(&TokenStatus) -> bool,
) -> TokenStatus {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), statuses.recv()).await {
            Ok(Some(s)) if ok(&s) => return s,
            Ok(Some(_)) => {}
            other => panic!("no such token status within 10s: {other:?}"),
        }
    }
}
