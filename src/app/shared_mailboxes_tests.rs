use std::time::Duration;

use tokio::sync::mpsc::unbounded_channel;

use super::*;
use crate::auth::service::{AuthCommand, TokenPhase};

const CONFIG: &str = r#"
[[accounts]]
name = "support"
email = "support@contoso.com"
shared_with = "work"

[[accounts]]
name = "work"
email = "alice@contoso.com"
provider = "microsoft"
client_id = "mailtui-test-client"
authority = "http://127.0.0.1:9"
imap = { host = "127.0.0.1", port = 9, tls = "implicit" }
"#;

fn settings(dir: &std::path::Path) -> RunSettings {
    RunSettings {
        cache_dir: None,
        body_budget: 1 << 20,
        worker: Default::default(),
        notify: Default::default(),
        files: Default::default(),
        theme: Default::default(),
        mouse: false,
        side_panes: Default::default(),
        dates: Default::default(),
        compose: Default::default(),
        data_dir: dir.to_path_buf(),
        columns: Vec::new(),
        searches: Default::default(),
        views_file: None,
        command_line: Default::default(),
    }
}

/// The next token status for each of these accounts, in any order.
async fn statuses_for(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<(usize, WorkerEvent)>,
    accounts: &[usize],
) -> Vec<(usize, TokenPhase)> {
    let mut got: Vec<(usize, TokenPhase)> = Vec::new();
    while accounts.iter().any(|a| !got.iter().any(|(g, _)| g == a)) {
        let (i, ev) = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("a token status within 10 s")
            .expect("the channel stays open");
        if let WorkerEvent::Token(s) = ev {
            got.push((i, s.phase));
        }
    }
    got
}

#[tokio::test]
async fn a_shared_mailbox_uses_and_mirrors_its_delegates_token_service() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = crate::config::parse(&dir.path().join("config.toml"), CONFIG).expect("config");
    let store = TokenStore::Files(dir.path().join("tokens"));
    let (tx, mut rx) = unbounded_channel();
    let tasks: Vec<AccountTasks> =
        spawn_accounts(&config.accounts, &store, &tx, &settings(dir.path()))
            .into_iter()
            .map(|t| t.expect("started"))
            .collect();

    // One token service, the delegate's; the shared mailbox has its own
    // worker and store and borrows the delegate's token handle.
    assert!(tasks[0].tokens.is_none() && tasks[0].worker.is_some() && tasks[0].store.is_some());
    assert_eq!(tasks[0].delegate, Some(1));
    assert!(tasks[1].tokens.is_some() && tasks[1].delegate.is_none());
    let handles = token_handles(&tasks);
    assert!(handles[0].is_some() && handles[1].is_some());
    assert_eq!((auth_target(&tasks, 0), auth_target(&tasks, 1)), (1, 1));

    // Every status of the delegate's service reaches both accounts.
    let first = statuses_for(&mut rx, &[0, 1]).await;
    assert!(
        first.iter().all(|(_, p)| *p == TokenPhase::SignedOut),
        "{first:?}"
    );
    // Signing in from the shared mailbox signs in the delegate: its
    // service tries (the provider is unreachable here) and says so to both.
    let target = auth_target(&tasks, 0);
    let svc = tasks[target]
        .tokens
        .as_ref()
        .expect("the delegate's service");
    svc.commands.send(AuthCommand::SignIn).expect("sign in");
    let next = statuses_for(&mut rx, &[0, 1]).await;
    assert_eq!(next[0].1, next[1].1, "{next:?}");
    for t in &tasks {
        if let Some(s) = &t.tokens {
            let _ = s.commands.send(AuthCommand::Shutdown);
        }
        if let Some(w) = &t.worker {
            let _ = w.commands.send(crate::worker::WorkerCommand::Shutdown);
        }
    }
}
