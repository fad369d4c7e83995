//! Shared mailboxes as accounts: each has its own store and worker but
//! no token service; it logs in with its delegate's tokens, shows the
//! delegate's token state and sends its sign-in requests there.

use tokio::sync::mpsc::UnboundedSender;

use super::{AccountTasks, RunSettings, open_store, spawn_account};
use crate::auth::store::TokenStore;
use crate::config::{Account, AccountKind, Provider};
use crate::imap::{ImapAuth, ImapBackend};
use crate::worker::{self, WorkerEvent};

/// Each account's token handle: its own, or for a shared mailbox its
/// delegate's.
pub(super) fn token_handles(
    tasks: &[AccountTasks],
) -> Vec<Option<crate::auth::service::TokenHandle>> {
    tasks
        .iter()
        .map(|t| {
            let owner = t.delegate.and_then(|d| tasks.get(d)).unwrap_or(t);
            owner.tokens.as_ref().map(|s| s.tokens.clone())
        })
        .collect()
}

/// Where an account's sign-in commands go: a shared mailbox's to its delegate.
pub(super) fn auth_target(tasks: &[AccountTasks], account: usize) -> usize {
    tasks
        .get(account)
        .and_then(|t| t.delegate)
        .unwrap_or(account)
}

/// Starts every account: those that sign in first, then the shared
/// mailboxes, which use their delegate's token service (no second
/// sign-in). A delegate's token statuses go to its shared mailboxes too,
/// so they connect, and show its state, with it.
pub fn spawn_accounts(
    accounts: &[Account],
    tokens: &TokenStore,
    events: &UnboundedSender<(usize, WorkerEvent)>,
    settings: &RunSettings,
) -> Vec<Result<AccountTasks, String>> {
    let delegate_of: Vec<Option<usize>> = accounts
        .iter()
        .map(|a| {
            let d = a.shared_mailbox()?;
            accounts.iter().position(|x| x.name == d.delegate)
        })
        .collect();
    let mut out: Vec<Option<Result<AccountTasks, String>>> = Vec::new();
    for (i, a) in accounts.iter().enumerate() {
        let task = match delegate_of[i] {
            Some(_) => None,
            None => {
                let mirrors: Vec<usize> = (0..accounts.len())
                    .filter(|&j| j == i || delegate_of[j] == Some(i))
                    .collect();
                Some(spawn_account(&mirrors, a, tokens, events, settings))
            }
        };
        out.push(task);
    }
    for (i, a) in accounts.iter().enumerate() {
        let Some(d) = delegate_of[i] else { continue };
        let handle = match out.get(d) {
            Some(Some(Ok(t))) => t.tokens.as_ref().map(|s| s.tokens.clone()),
            _ => None,
        };
        out[i] = Some(spawn_shared(i, d, a, handle, events, settings));
    }
    out.into_iter()
        .map(|t| t.unwrap_or_else(|| Err("not started".into())))
        .collect()
}

/// A shared mailbox: its own store and worker, logging in as the shared
/// address with the delegate's tokens.
fn spawn_shared(
    i: usize,
    delegate: usize,
    a: &Account,
    tokens: Option<crate::auth::service::TokenHandle>,
    events: &UnboundedSender<(usize, WorkerEvent)>,
    settings: &RunSettings,
) -> Result<AccountTasks, String> {
    let (AccountKind::OAuth2 { imap, oauth }, Some(shared)) = (&a.kind, a.shared_mailbox()) else {
        return Err("not a shared mailbox".into());
    };
    let Some(tokens) = tokens else {
        return Err(format!(
            "cannot open: \"{}\", whose sign-in it uses, did not start",
            shared.delegate
        ));
    };
    let store = open_store(a, settings);
    let auth = ImapAuth::Bearer {
        tokens,
        mechanism: oauth.mechanism,
        microsoft: oauth.provider == Provider::Microsoft,
    };
    let backend = ImapBackend::new(imap.clone(), auth).opened_by(crate::imap::shared::Delegate {
        account: shared.delegate.clone(),
        email: shared.delegate_login.clone(),
    });
    Ok(AccountTasks {
        worker: Some(worker::spawn(
            i,
            a.name.clone(),
            backend,
            store.clone(),
            settings.worker,
            events.clone(),
        )),
        tokens: None,
        store: Some(store),
        delegate: Some(delegate),
    })
}

#[cfg(test)]
#[path = "shared_mailboxes_tests.rs"]
mod tests;
