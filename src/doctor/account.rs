//! One account's checklist, in the order a connection goes: config, DNS,
//! TCP, STARTTLS, TLS, capabilities, credentials, login, features, folders.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::network;
use super::place::Place;
use super::session::{self, LoginInput, Method};
use super::settings;
use super::signin;
use super::step::{Check, Failed, Passed, Run, Step};
use crate::auth::PasswordSource;
use crate::auth::oauth::OAuth;
use crate::auth::service::{self, AuthCommand, TokenStatus};
use crate::auth::store::TokenStore;
use crate::config::{Account, AccountKind, OAuthAccount, Provider};
use crate::imap::connect::Transport;
use crate::imap::login::LoggedIn;
use crate::imap::{ImapAuth, ImapBackend, ImapSettings, TlsMode};
use crate::mail::MailBackend;
use crate::mail::maildir::MaildirBackend;

/// Everything the checks of one run share.
pub struct Context<'a> {
    pub config_path: &'a Path,
    pub store: &'a TokenStore,
}

/// How one account's checks went.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AccountReport {
    pub name: String,
    /// "IMAP 127.0.0.1:993, password", "Maildir /home/u/Mail".
    pub summary: String,
    pub ok: bool,
    pub steps: Vec<Step>,
}

/// One line that says what the account is.
pub fn summary(a: &Account) -> String {
    match &a.kind {
        AccountKind::Imap { imap, .. } => format!("IMAP {}, password", network::addr(imap)),
        AccountKind::OAuth2 { imap, oauth } => {
            format!("IMAP {}, OAuth2 ({})", network::addr(imap), oauth.tenant)
        }
        AccountKind::Maildir(p) => format!("Maildir {}", p.display()),
    }
}

pub async fn check(
    a: &Account,
    ctx: &Context<'_>,
    on_step: &mut dyn FnMut(&Step),
) -> AccountReport {
    let place = Place::of(ctx.config_path, a);
    let mut run = Run::new(&a.name, on_step);
    match &a.kind {
        AccountKind::Maildir(path) => {
            maildir(&mut run, path).await;
        }
        AccountKind::Imap { imap, password } => {
            let about = settings::password_source(password).to_string();
            imap_account(
                &mut run,
                imap,
                Credentials::Password(password),
                about,
                &place,
                ctx,
            )
            .await;
        }
        AccountKind::OAuth2 { imap, oauth } => match settings::oauth(oauth, &place) {
            Ok(about) => {
                imap_account(
                    &mut run,
                    imap,
                    Credentials::OAuth(oauth),
                    about,
                    &place,
                    ctx,
                )
                .await;
            }
            Err(failed) => {
                run.step::<()>(Check::Config, async { Err(failed) }).await;
            }
        },
    }
    let steps = run.into_steps();
    AccountReport {
        name: a.name.clone(),
        summary: summary(a),
        ok: steps.iter().all(|s| s.ok),
        steps,
    }
}

async fn maildir(run: &mut Run<'_>, path: &Path) -> Option<()> {
    let detail = format!("local Maildir {}", path.display());
    run.step(Check::Config, async { Ok(((), Passed::new(detail))) })
        .await?;
    let mut backend = MaildirBackend::new(path.to_path_buf());
    run.step(Check::Folders, async {
        backend.connect().await.map_err(|e| {
            Failed::new(
                e.to_string(),
                "check that the maildir setting names an existing Maildir (with cur/, new/, tmp/)",
            )
        })?;
        session::folders(&mut backend).await
    })
    .await?;
    Some(())
}

enum Credentials<'a> {
    Password(&'a PasswordSource),
    OAuth(&'a OAuthAccount),
}

async fn imap_account(
    run: &mut Run<'_>,
    s: &ImapSettings,
    creds: Credentials<'_>,
    about: String,
    place: &Place<'_>,
    ctx: &Context<'_>,
) -> Option<()> {
    let roots = run
        .step(Check::Config, settings::imap(s, about, place))
        .await?;
    // Past every limit of the commands inside one check.
    run.limit_steps(s.timeouts.step() + s.timeouts.connect);
    let addrs = run.step(Check::Dns, network::dns(s, place)).await?;
    let tcp = run.step(Check::Tcp, network::tcp(s, &addrs, place)).await?;
    let (transport, read_greeting) = match (s.tls, &roots) {
        (TlsMode::None, _) => (Transport::plain(tcp), true),
        (TlsMode::Implicit, Some(roots)) => {
            let t = run
                .step(Check::Tls, network::tls_handshake(s, tcp, roots, place))
                .await?;
            (t, true)
        }
        (TlsMode::Starttls, Some(roots)) => {
            let tcp = run
                .step(Check::Starttls, network::starttls(s, tcp, place))
                .await?;
            let t = run
                .step(Check::Tls, network::tls_handshake(s, tcp, roots, place))
                .await?;
            (t, false)
        }
        // The config step loads roots for every mode but "none".
        (_, None) => return None,
    };
    let method = match &creds {
        Credentials::Password(_) => Method::Password,
        Credentials::OAuth(o) => Method::Bearer {
            forced: o.mechanism,
            microsoft: o.provider == Provider::Microsoft,
        },
    };
    let (client, caps) = run
        .step(
            Check::Capabilities,
            session::capabilities(transport, read_greeting, s, &method, place),
        )
        .await?;
    match creds {
        Credentials::Password(source) => {
            let password = run
                .step(Check::Password, session::password(source, place))
                .await?;
            let auth = ImapAuth::Password(source.clone());
            let input = LoginInput {
                client,
                caps: &caps,
                settings: s,
                auth: &auth,
                password: Some(password),
                status: None,
            };
            let logged = run.step(Check::Login, session::login(input, place)).await?;
            after_login(run, s, auth, logged, caps).await
        }
        Credentials::OAuth(o) => {
            let reachable = run
                .step(Check::IdentityProvider, signin::identity_provider(o))
                .await?;
            run.step(
                Check::Tokens,
                signin::tokens(o, ctx.store, reachable, place),
            )
            .await?;
            bearer_login(run, o, client, caps, s, place, ctx).await
        }
    }
}

/// Logs in with tokens from the token service the app would run: it
/// renews a stale access token (and stores the new one) before handing it
/// out, and its last status explains a failed login (AADSTS included).
async fn bearer_login(
    run: &mut Run<'_>,
    o: &OAuthAccount,
    client: async_imap::Client<Transport>,
    caps: Vec<String>,
    s: &ImapSettings,
    place: &Place<'_>,
    ctx: &Context<'_>,
) -> Option<()> {
    let client_oauth = match OAuth::new(o.client.clone()) {
        Ok(c) => c,
        Err(e) => {
            let failed = Failed::new(
                e.message,
                format!("check the OAuth settings ({})", place.at(place.lines.auth)),
            );
            run.step::<()>(Check::Login, async { Err(failed) }).await;
            return None;
        }
    };
    let last: Arc<Mutex<Option<TokenStatus>>> = Arc::default();
    let sink_last = last.clone();
    // A shared mailbox signs in with its delegate's stored tokens.
    let owner = o
        .shared
        .as_ref()
        .map_or(place.account, |s| s.delegate.as_str());
    let svc = service::spawn(
        owner.to_string(),
        client_oauth,
        o.login,
        ctx.store.clone(),
        Box::new(move |st| {
            if let Ok(mut l) = sink_last.lock() {
                *l = Some(st);
            }
        }),
    );
    let auth = ImapAuth::Bearer {
        tokens: svc.tokens.clone(),
        mechanism: o.mechanism,
        microsoft: o.provider == Provider::Microsoft,
    };
    let input = LoginInput {
        client,
        caps: &caps,
        settings: s,
        auth: &auth,
        password: None,
        status: Some(last),
    };
    let logged = run.step(Check::Login, session::login(input, place)).await;
    let result = match logged {
        Some(logged) => after_login(run, s, auth, logged, caps).await,
        None => None,
    };
    // Let the service finish what it was doing (a refresh is stored
    // before its token is handed out), then stop it.
    let _ = svc.commands.send(AuthCommand::Shutdown);
    let _ = tokio::time::timeout(Duration::from_secs(5), svc.join).await;
    result
}

async fn after_login(
    run: &mut Run<'_>,
    s: &ImapSettings,
    auth: ImapAuth,
    logged: LoggedIn,
    caps: Vec<String>,
) -> Option<()> {
    let mut backend = ImapBackend::new(s.clone(), auth);
    run.step(
        Check::Features,
        session::features(&mut backend, logged, caps, s),
    )
    .await?;
    let listed = run
        .step(Check::Folders, session::folders(&mut backend))
        .await;
    backend.disconnect().await;
    listed.map(|_| ())
}
