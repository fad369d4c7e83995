//! How token statuses and keys drive sign-in, in `update`.

use super::State;
use super::test_kit::{StateBuilder, oauth_info};
use crate::action::{Action, Command, UiAction};
use crate::auth::oauth::DeviceCode;
use crate::auth::service::{AuthCommand, TokenPhase, TokenStatus};
use crate::sanitize::Clean;
use crate::worker::{WorkerCommand, WorkerEvent};

fn status(phase: TokenPhase) -> TokenStatus {
    TokenStatus {
        phase,
        ..TokenStatus::new()
    }
}

fn token(s: &mut State, account: usize, phase: TokenPhase) -> Vec<Command> {
    s.update(Action::Worker {
        account,
        event: WorkerEvent::Token(Box::new(status(phase))),
    })
}

fn state() -> State {
    StateBuilder::default()
        .account(oauth_info("work", "contoso"))
        .account(oauth_info("home", "fabrikam"))
        .now(1_000)
        .build()
}

fn code() -> TokenPhase {
    TokenPhase::WaitingForCode(DeviceCode {
        user_code: "FAPSJ9RX2".into(),
        verification_uri: "https://microsoft.com/devicelogin".into(),
        expires_at: 1_900,
    })
}

#[test]
fn a_signed_out_current_account_starts_signing_in_by_itself_once() {
    let mut s = state();
    assert_eq!(
        token(&mut s, 0, TokenPhase::SignedOut),
        vec![Command::Auth {
            account: 0,
            command: AuthCommand::SignIn
        }]
    );
    // The other account waits for the user.
    assert!(token(&mut s, 1, TokenPhase::SignedOut).is_empty());
    assert!(
        token(&mut s, 0, TokenPhase::SignedOut).is_empty(),
        "only the first status starts it"
    );
    assert!(s.accounts[1].wants_sign_in_panel());
}

#[test]
fn tokens_arriving_connect_the_account_once() {
    let mut s = state();
    token(&mut s, 0, TokenPhase::SignedOut);
    token(&mut s, 0, code());
    assert!(s.accounts[0].wants_sign_in_panel());
    assert_eq!(
        token(&mut s, 0, TokenPhase::SignedIn),
        vec![Command::Worker {
            account: 0,
            command: WorkerCommand::Connect
        }]
    );
    assert!(!s.accounts[0].wants_sign_in_panel());
    assert!(token(&mut s, 0, TokenPhase::Refreshing).is_empty());
    assert!(
        token(&mut s, 0, TokenPhase::SignedIn).is_empty(),
        "a refresh does not reconnect"
    );
}

#[test]
fn stored_tokens_connect_without_any_panel() {
    let mut s = state();
    assert_eq!(
        token(&mut s, 1, TokenPhase::SignedIn),
        vec![Command::Worker {
            account: 1,
            command: WorkerCommand::Connect
        }]
    );
}

#[test]
fn esc_cancels_the_code_and_a_starts_again() {
    let mut s = state();
    token(&mut s, 0, TokenPhase::SignedOut);
    token(&mut s, 0, code());
    assert_eq!(
        s.update(Action::Ui(UiAction::Copy)),
        vec![Command::Copy("FAPSJ9RX2".into())]
    );
    assert_eq!(
        s.update(Action::Ui(UiAction::Back)),
        vec![Command::Auth {
            account: 0,
            command: AuthCommand::Cancel
        }]
    );
    token(&mut s, 0, TokenPhase::SignedOut);
    assert!(!s.accounts[0].wants_sign_in_panel(), "dismissed until a");
    assert_eq!(
        s.update(Action::Ui(UiAction::Retry)),
        vec![Command::Auth {
            account: 0,
            command: AuthCommand::SignIn
        }]
    );
    assert!(s.accounts[0].wants_sign_in_panel());
}

#[test]
fn a_dead_refresh_token_offers_the_panel_again_and_keeps_the_rest() {
    let mut s = state();
    token(&mut s, 0, TokenPhase::SignedIn);
    s.accounts[0].panel_dismissed = true;
    let reason = Clean::line("Your sign-in was revoked. Sign in again.");
    assert!(token(&mut s, 0, TokenPhase::SignInNeeded(reason)).is_empty());
    assert!(s.accounts[0].wants_sign_in_panel());
    // The other account is untouched and a switch is one key.
    token(&mut s, 1, TokenPhase::SignedIn);
    s.update(Action::Ui(UiAction::Account(1)));
    assert_eq!(s.current, 1);
    assert!(!s.accounts[1].wants_sign_in_panel());
}

#[test]
fn copy_does_nothing_without_a_code() {
    let mut s = state();
    token(&mut s, 0, TokenPhase::SignedIn);
    assert!(s.update(Action::Ui(UiAction::Copy)).is_empty());
}
