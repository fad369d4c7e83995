//! Sending that needs one more approval: a sign-in made before mailtui
//! asked for the right to send, or Microsoft Graph's scope when SMTP is
//! turned off. The code screen comes back with the reason, and the
//! messages go once it is over.

use crate::action::Command;
use crate::state::State;
use crate::state::compose::ComposeCommand;

impl State {
    /// A sign-in made before mailtui asked for the right to send lacks
    /// it: the code screen comes back once, with the reason, and the
    /// message goes again once signed in. Reading goes on meanwhile.
    pub(super) fn sign_in_to_send(&mut self, account: usize, entry: &str) -> Option<Vec<Command>> {
        let acc = self.accounts.get_mut(account)?;
        let token = acc.token.as_ref()?;
        if has_send_scope(&token.scopes) || acc.sign_in_reason.is_some() {
            return None;
        }
        Some(self.ask_to_send(
            account,
            entry,
            "approve sending mail",
            None,
            "sending needs one more approval: sign in with the code on screen, then it goes",
        ))
    }

    /// Brings back the code screen with `reason` (for `scopes`, else the
    /// account's own), and queues `entry` for when it is over.
    fn ask_to_send(
        &mut self,
        account: usize,
        entry: &str,
        reason: &str,
        scopes: Option<Vec<String>>,
        notice: &str,
    ) -> Vec<Command> {
        use crate::auth::service::AuthCommand;
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        acc.sign_in_reason = Some(reason.into());
        acc.sign_in_flows_before = acc.token.as_ref().map_or(0, |t| t.flows_ended);
        acc.sign_in_scopes = scopes.clone();
        acc.panel_dismissed = false;
        self.resend_once_signed_in(account, entry);
        self.current = account;
        self.notify(notice, false);
        let command = match scopes {
            Some(s) => AuthCommand::SignInFor(s),
            None => AuthCommand::SignIn,
        };
        vec![Command::Auth { account, command }]
    }

    /// Sending through Microsoft Graph needs the user's approval of its
    /// scope once: a sign-in for that alone, with the reason on the code
    /// screen; the message goes once approved. Reading goes on meanwhile.
    pub(super) fn approve_to_send(
        &mut self,
        account: usize,
        entry: &str,
        scopes: Vec<String>,
    ) -> Option<Vec<Command>> {
        if self.approved_entries.contains(entry) {
            // Refused again right after an approval: not about consent
            // (a policy, a mailbox right); another code would not help.
            return None;
        }
        let acc = self.accounts.get(account)?;
        acc.token.as_ref()?;
        if acc.sign_in_reason.is_some() {
            // One approval at a time; this message goes with it.
            self.resend_once_signed_in(account, entry);
            return Some(Vec::new());
        }
        Some(self.ask_to_send(
            account,
            entry,
            "your organisation turned off SMTP sending; approve sending through Microsoft Graph",
            Some(scopes),
            "sending through Microsoft Graph needs one approval: use the code on screen, then it goes",
        ))
    }

    fn resend_once_signed_in(&mut self, account: usize, entry: &str) {
        let item = (account, entry.to_string());
        if !self.resend_after_sign_in.contains(&item) {
            self.resend_after_sign_in.push(item);
        }
    }

    /// Signed in again after [`Self::sign_in_to_send`] or approved after
    /// [`Self::approve_to_send`]: the messages go.
    pub(in crate::state) fn after_sign_in(&mut self, account: usize) -> Vec<Command> {
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        use crate::auth::service::TokenPhase as P;
        let Some(token) = acc.token.as_ref() else {
            return Vec::new();
        };
        if acc.sign_in_reason.is_none() {
            return Vec::new();
        }
        if token.flows_ended <= acc.sign_in_flows_before {
            // Still under way (or not begun: its first status).
            return Vec::new();
        }
        // The flow is over: approved, or cancelled, declined, refused.
        let approved = matches!(token.phase, P::SignedIn)
            && match &acc.sign_in_scopes {
                // A sign-in for other scopes says how it went in its note.
                Some(_) => token.note.is_none() && token.admin_consent.is_none(),
                None => has_send_scope(&token.scopes),
            };
        let why_not = token.note.as_ref().map(|n| n.to_string());
        let for_scopes = acc.sign_in_scopes.is_some();
        acc.sign_in_reason = None;
        acc.sign_in_scopes = None;
        let (now, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.resend_after_sign_in)
            .into_iter()
            .partition(|(a, _)| *a == account);
        self.resend_after_sign_in = later;
        if !approved {
            let why = why_not.unwrap_or_else(|| "not approved".into());
            self.notify(&format!("not sent: {why} (Q: outbox, a sends again)"), true);
            return Vec::new();
        }
        if for_scopes {
            self.approved_entries
                .extend(now.iter().map(|(_, e)| e.clone()));
        }
        now.into_iter()
            .map(|(_, entry)| Command::Compose(ComposeCommand::Retry { entry }))
            .collect()
    }
}

/// Whether a token's scopes include SMTP submission.
fn has_send_scope(scopes: &[String]) -> bool {
    scopes.iter().any(|s| {
        s.eq_ignore_ascii_case(crate::config::sending::MICROSOFT_SMTP_SCOPE)
            || s.eq_ignore_ascii_case("SMTP.Send")
    })
}
