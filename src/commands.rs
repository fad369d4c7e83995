//! The plain-text subcommands: `login`, `logout`, `set-password`, `cache`.
//! They work over SSH with no full-screen view (`doctor` has its own module).

use crate::auth::PasswordSource;
use crate::auth::browser;
use crate::auth::keyring::Keyring;
use crate::auth::oauth::{OAuth, now};
use crate::auth::service::LoginMethod;
use crate::auth::store::TokenStore;
use crate::auth::store::password_entry;
use crate::config::{Account, AccountKind};
use crate::sanitize::Clean;
use crate::text::format::duration;
use crate::text::qr::qr_lines;

pub fn find<'a>(accounts: &'a [Account], name: &str) -> anyhow::Result<&'a Account> {
    accounts.iter().find(|a| a.name == name).ok_or_else(|| {
        let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
        anyhow::anyhow!(
            "no account named \"{name}\" (accounts: {})",
            names.join(", ")
        )
    })
}

/// A shared mailbox has no tokens of its own: its delegate's are meant.
fn not_shared(account: &Account, command: &str) -> anyhow::Result<()> {
    match account.shared_mailbox() {
        Some(s) => anyhow::bail!(
            "\"{}\" is a shared mailbox opened with the sign-in of \"{}\": run `mailtui {command} {}`",
            account.name,
            s.delegate,
            s.delegate
        ),
        None => Ok(()),
    }
}

/// `mailtui login ACCOUNT`: the sign-in flow in plain text.
pub async fn login(account: &Account, store: &TokenStore) -> anyhow::Result<()> {
    not_shared(account, "login")?;
    let AccountKind::OAuth2 { oauth, .. } = &account.kind else {
        anyhow::bail!("account \"{}\" does not sign in with OAuth2", account.name);
    };
    let client = OAuth::new(oauth.client.clone())?;
    let tokens = match oauth.login {
        LoginMethod::Device => {
            let (code, details) = client.start_device().await?;
            tracing::info!(account = %account.name, uri = %code.verification_uri, "device code issued");
            let uri = Clean::line(&code.verification_uri);
            println!("Sign in to {} ({}):", account.name, oauth.tenant);
            println!();
            println!("  1. On your phone or any browser, open  {uri}");
            println!(
                "  2. Enter the code                      {}",
                Clean::line(&code.user_code)
            );
            println!();
            if let Some(qr) = qr_lines(uri.as_str()) {
                for line in qr {
                    println!("  {line}");
                }
                println!();
            }
            println!(
                "The code expires in {}. Waiting for you to approve…",
                duration(code.expires_at - now())
            );
            client
                .finish_device(&details)
                .await
                .map_err(|e| admin_help(&client, e))?
        }
        LoginMethod::Browser => browser::sign_in(&client, |p| {
            println!(
                "Sign in to {} ({}): open this address in a browser:",
                account.name, oauth.tenant
            );
            println!();
            println!("  {}", Clean::line(&p.url));
            println!();
            println!("If the browser runs on another machine, first run there:");
            println!("  {}", p.ssh_hint());
            println!();
            println!("Waiting for the browser…");
        })
        .await
        .map_err(|e| admin_help(&client, e))?,
    };
    let name = account.name.clone();
    let saved = tokens.clone();
    let store2 = store.clone();
    tokio::task::spawn_blocking(move || store2.save(&name, &saved)).await??;
    tracing::info!(account = %account.name, expires_in = tokens.lifetime(), "signed in");
    println!(
        "Signed in to {}. Access token valid for {}; tokens stored in {}.",
        account.name,
        duration(tokens.lifetime()),
        store.describe()
    );
    Ok(())
}

/// A refusal only a tenant admin can lift: what to ask them, and the
/// link (with a QR code, to pass on from a phone).
fn admin_help(client: &OAuth, e: crate::auth::errors::AuthError) -> anyhow::Error {
    let url = client.config().admin_consent_url();
    if e.consent != crate::auth::errors::Consent::AdminOnly || url.is_none() {
        return e.into();
    }
    let url = url.unwrap_or_default();
    let permissions = crate::auth::errors::permissions_in_words(&client.config().scopes);
    println!();
    println!("{}", e.message);
    println!();
    println!(
        "Ask an admin of your tenant to open this link and approve mailtui for {permissions}:"
    );
    println!();
    println!("  {url}");
    println!();
    if let Some(qr) = qr_lines(&url) {
        for line in qr {
            println!("  {line}");
        }
        println!();
    }
    anyhow::anyhow!("an administrator must approve mailtui first ({})", e.code)
}

/// `mailtui set-password ACCOUNT`: put the password in the OS keyring.
pub fn set_password(account: &Account) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if !matches!(
        &account.kind,
        AccountKind::Imap {
            password: PasswordSource::Keyring(_),
            ..
        }
    ) {
        anyhow::bail!(
            "account \"{}\" does not read its password from the keyring; set auth = {{ method = \"password\", keyring = true }}",
            account.name
        );
    }
    let keyring = Keyring::probe().ok_or_else(|| {
        anyhow::anyhow!("no system keyring answers (is a Secret Service running?)")
    })?;
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Password for {}: ", account.name))?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    anyhow::ensure!(!password.is_empty(), "empty password, nothing stored");
    keyring.set(&password_entry(&account.name), &password)?;
    println!(
        "Stored the password for {} in the system keyring.",
        account.name
    );
    Ok(())
}

/// `mailtui logout ACCOUNT`: forget the stored tokens.
pub fn logout(account: &Account, store: &TokenStore) -> anyhow::Result<()> {
    not_shared(account, "logout")?;
    if !matches!(account.kind, AccountKind::OAuth2 { .. }) {
        anyhow::bail!("account \"{}\" does not sign in with OAuth2", account.name);
    }
    store.delete(&account.name)?;
    println!(
        "Signed out of {}: its tokens are deleted from {}.",
        account.name,
        store.describe()
    );
    Ok(())
}

/// `mailtui cache`: each account's store file, size and contents, and the
/// copies moved aside as damaged.
pub fn cache_info(accounts: &[Account], cache_dir: &std::path::Path) {
    use crate::store::files;
    use crate::text::format::human_size;
    println!("Local store: {}", cache_dir.display());
    for a in accounts {
        if matches!(a.kind, AccountKind::Maildir(_)) {
            println!("  {}: local Maildir, nothing stored", a.name);
            continue;
        }
        let file = crate::store::file_for(cache_dir, &a.name);
        let size = files::store_files(&file)
            .iter()
            .filter_map(|f| std::fs::symlink_metadata(f).ok())
            .map(|m| m.len())
            .sum::<u64>();
        if size == 0 {
            println!("  {}: empty", a.name);
        } else {
            let mut store = crate::store::Store::open(&file, &a.name, u64::MAX);
            let st = store.stats();
            println!(
                "  {}: {} in {} ({}, {}, {} kept using {})",
                a.name,
                human_size(size as usize),
                file.display(),
                crate::text::count(st.folders as usize, "folder"),
                crate::text::count(st.messages as usize, "message"),
                crate::text::count(st.bodies as usize, "body"),
                human_size(st.body_bytes as usize),
            );
        }
        for copy in files::broken_copies(&file) {
            let shown = copy.main_file().unwrap_or(&copy.files[0]);
            println!(
                "    damaged copy moved aside {}: {} in {}",
                moved_at(&copy.stamp),
                human_size(copy.bytes as usize),
                shown.display(),
            );
        }
    }
    println!(
        "`mailtui cache clear [ACCOUNT]` deletes it and the damaged copies; it is rebuilt from the server."
    );
}

/// A copy's stamp (`YYYYmmddHHMMSS`, UTC) as a reader would write it.
fn moved_at(stamp: &str) -> String {
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d%H%M%S")
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|_| Clean::line(stamp).to_string())
}

/// `mailtui cache clear [ACCOUNT]`: the database, its WAL files and the
/// damaged copies moved aside.
pub fn cache_clear(
    accounts: &[Account],
    cache_dir: &std::path::Path,
    only: Option<&str>,
) -> anyhow::Result<()> {
    use crate::store::files;
    let chosen: Vec<&Account> = match only {
        Some(name) => vec![find(accounts, name)?],
        None => accounts.iter().collect(),
    };
    for a in chosen {
        let file = crate::store::file_for(cache_dir, &a.name);
        let mut removed = 0u64;
        for f in files::store_files(&file) {
            // symlink_metadata: a link is removed, never what it points to.
            if let Ok(m) = std::fs::symlink_metadata(&f) {
                std::fs::remove_file(&f)
                    .map_err(|e| anyhow::anyhow!("cannot delete {}: {e}", f.display()))?;
                removed += m.len();
            }
        }
        let copies = files::broken_copies(&file);
        for copy in &copies {
            removed += files::remove_copy(copy)
                .map_err(|e| anyhow::anyhow!("cannot delete a damaged copy: {e}"))?;
        }
        let what = match copies.len() {
            0 => String::new(),
            1 => " (with 1 damaged copy)".to_string(),
            n => format!(" (with {n} damaged copies)"),
        };
        println!(
            "{}: {}",
            a.name,
            if removed > 0 || !copies.is_empty() {
                format!(
                    "deleted {}{what}",
                    crate::text::format::human_size(removed as usize)
                )
            } else {
                "nothing stored".to_string()
            }
        );
    }
    Ok(())
}
