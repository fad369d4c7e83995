//! Render snapshots of the sign-in panel and of token state on screen.

use insta::assert_snapshot;
use ratatui::backend::TestBackend;
use ratatui::{Frame, Terminal};

use super::Theme;

use crate::action::Action;
use crate::auth::browser::BrowserPrompt;
use crate::auth::oauth::DeviceCode;
use crate::auth::service::{TokenPhase, TokenStatus};
use crate::sanitize::Clean;
use crate::state::test_kit::{StateBuilder, oauth_info};
use crate::state::{AccountInfo, State};
use crate::worker::{ConnState, WorkerEvent};

const NOW: i64 = 1_793_711_100;

fn info(name: &str, tenant: &str) -> AccountInfo {
    AccountInfo {
        email: format!("alice@{name}.example"),
        ..oauth_info(name, tenant)
    }
}

fn status(phase: TokenPhase) -> TokenStatus {
    TokenStatus {
        phase,
        ..TokenStatus::new()
    }
}

pub(super) fn signed_in() -> TokenStatus {
    TokenStatus {
        access_expires_at: Some(NOW + 52 * 60 + 5),
        last_refresh: Some((NOW - 8 * 60, Ok(()))),
        refresh_issued_at: Some(NOW - 3 * 86400),
        signed_in_at: Some(NOW - 10 * 86400),
        scopes: vec![
            "https://outlook.office.com/IMAP.AccessAsUser.All".into(),
            "offline_access".into(),
        ],
        ..status(TokenPhase::SignedIn)
    }
}

/// Three Microsoft accounts in three tenants: signed in and connected,
/// waiting for a code, sign-in needed.
pub(super) fn state(width: u16, height: u16, first: TokenStatus) -> State {
    let mut s = StateBuilder::default()
        .account(info("work", "contoso.onmicrosoft.com"))
        .account(info("school", "fabrikam.edu"))
        .account(info("home", "consumers"))
        .now(NOW)
        .size(width, height)
        .build();
    let tok = |s: &mut State, account, t: TokenStatus| {
        s.update(Action::Worker {
            account,
            event: WorkerEvent::Token(Box::new(t)),
        });
    };
    tok(&mut s, 0, first);
    s.update(Action::Worker {
        account: 0,
        event: WorkerEvent::Conn(ConnState::Connected),
    });
    tok(&mut s, 1, status(TokenPhase::WaitingForCode(code())));
    let reason = Clean::line("Sign-in expired after a long period of inactivity. Sign in again.");
    tok(&mut s, 2, status(TokenPhase::SignInNeeded(reason)));
    s
}

fn code() -> DeviceCode {
    DeviceCode {
        user_code: "FAPSJ9RX2".into(),
        verification_uri: "https://microsoft.com/devicelogin".into(),
        expires_at: NOW + 14 * 60 + 32,
    }
}

fn render(s: &State) -> String {
    let mut t = Terminal::new(TestBackend::new(s.width, s.height)).expect("terminal");
    t.draw(|f: &mut Frame<'_>| super::draw(s, &Theme::default(), f))
        .expect("draw");
    t.backend().to_string()
}

#[test]
fn device_code_panel_80x24() {
    let mut s = state(80, 24, signed_in());
    s.current = 1;
    assert_snapshot!(render(&s));
}

#[test]
fn device_code_panel_120x40() {
    let mut s = state(120, 40, signed_in());
    s.current = 1;
    assert_snapshot!(render(&s));
}

#[test]
fn sign_in_needed_panel_80x24() {
    let mut s = state(80, 24, signed_in());
    s.current = 2;
    assert_snapshot!(render(&s));
}

#[test]
fn signed_in_account_shows_token_state_120x40() {
    let s = state(120, 40, signed_in());
    assert_snapshot!(render(&s));
}

#[test]
fn failed_refresh_in_the_status_bar_120x40() {
    let t = TokenStatus {
        last_refresh: Some((
            NOW - 30,
            Err(Clean::line("Cannot reach the sign-in service")),
        )),
        access_expires_at: Some(NOW + 200),
        ..signed_in()
    };
    let s = state(120, 40, t);
    let screen = render(&s);
    let status_line = screen.lines().last().unwrap_or_default().to_string();
    assert_snapshot!(status_line);
}

#[test]
fn browser_panel_100x30() {
    let prompt = BrowserPrompt {
        url: "http://127.0.0.1:9/common/oauth2/v2.0/authorize?response_type=code&client_id=00000000-0000-0000-0000-000000000000&state=abc&code_challenge=xyz&code_challenge_method=S256&redirect_uri=http%3A%2F%2Flocalhost%3A43123%2F".into(),
        port: 43123,
    };
    let s = state(100, 30, status(TokenPhase::WaitingForBrowser(prompt)));
    assert_snapshot!(render(&s));
}

#[test]
fn declined_note_on_the_signed_out_panel_80x24() {
    let t = TokenStatus {
        note: Some(Clean::line(
            "The sign-in was declined. Press a to try again.",
        )),
        ..status(TokenPhase::SignedOut)
    };
    let s = state(80, 24, t);
    assert_snapshot!(render(&s));
}

#[test]
fn the_code_is_never_cut_at_small_sizes() {
    for (w, h) in [(60, 20), (80, 24), (120, 40), (200, 60)] {
        let mut s = state(w, h, signed_in());
        s.current = 1;
        let screen = render(&s);
        assert!(screen.contains("Code: FAPSJ9RX2"), "{w}x{h}:\n{screen}");
        assert!(
            screen.contains("https://microsoft.com/devicelogin"),
            "{w}x{h}:\n{screen}"
        );
        assert!(screen.contains("expires in 14:32"), "{w}x{h}:\n{screen}");
    }
}

fn admin() -> crate::auth::service::AdminConsent {
    crate::auth::service::AdminConsent {
        permissions: "reading mail over IMAP, sending mail over SMTP, staying signed in".into(),
        url: "https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=11111111-2222-3333-4444-555555555555".into(),
    }
}

#[test]
fn admin_approval_panel_120x40() {
    let t = TokenStatus {
        admin_consent: Some(admin()),
        ..status(TokenPhase::SignInNeeded(Clean::line(
            "Your organisation lets only an administrator approve apps that read or send mail.",
        )))
    };
    let s = state(120, 40, t);
    assert_snapshot!(render(&s));
}

/// At 80×24 there is no room for the QR code: the link is whole, and the
/// keys are there.
#[test]
fn admin_approval_panel_80x24_keeps_the_link_whole() {
    for (w, h) in [(80, 24), (60, 20)] {
        let t = TokenStatus {
            admin_consent: Some(admin()),
            ..status(TokenPhase::SignInNeeded(Clean::line("x")))
        };
        let s = state(w, h, t);
        let screen = render(&s);
        let joined: String = screen
            .lines()
            .map(|l| {
                l.trim_matches(|c| c == '"' || c == ' ')
                    .trim_matches(|c| c == '┃' || c == '│' || c == ' ')
            })
            .collect();
        assert!(joined.contains(&admin().url), "{w}x{h}:\n{screen}");
        assert!(screen.contains("copy the link"), "{w}x{h}:\n{screen}");
        if (w, h) == (80, 24) {
            assert_snapshot!(screen);
        }
    }
}

/// Signed in, but sending through Graph needs an admin: the panel comes
/// up over the mailbox; `c` copies the link, Esc closes it.
#[test]
fn admin_approval_while_signed_in_copies_and_closes() {
    use crate::action::{Command, UiAction};
    let t = TokenStatus {
        admin_consent: Some(admin()),
        ..signed_in()
    };
    let mut s = state(120, 40, t);
    assert!(s.accounts[0].wants_sign_in_panel());
    assert!(render(&s).contains("An administrator must approve mailtui"));
    let cmds = s.update(Action::Ui(UiAction::Copy));
    assert_eq!(cmds, [Command::Copy(admin().url)]);
    s.update(Action::Ui(UiAction::Back));
    assert!(!s.accounts[0].wants_sign_in_panel());
    assert!(!render(&s).contains("An administrator must approve mailtui"));
}
