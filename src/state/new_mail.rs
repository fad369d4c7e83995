//! New mail in an INBOX: the bell, a desktop notification and the window
//! title, as the user configured them. Decided here from the counts the
//! state already has; the app only writes the escapes. Only mail that
//! arrives while mailtui runs is new: the count is taken after an
//! account's first sync. A burst (a folder filled by a filter, 500
//! messages in batches) alerts once: at most one alert per
//! [`ALERT_INTERVAL_SECS`] seconds.

use super::State;
use crate::action::Command;
use crate::mail::types::FolderRole;
use crate::notify::ALERT_INTERVAL_SECS;

impl State {
    /// INBOX's unread count for an account, when it is known for sure:
    /// from its list once reconciled, else from the server's count.
    fn inbox_unread_now(&self, account: usize) -> Option<(u32, Option<(String, String)>)> {
        let acc = self.accounts.get(account)?;
        let inbox = acc
            .folders
            .iter()
            .find(|f| f.role == FolderRole::Inbox)
            .map_or("INBOX", |f| f.path.as_str());
        if acc.list.path.as_deref() == Some(inbox) {
            if acc.list.synced_at.is_none() || acc.list.syncing {
                return None;
            }
            let newest = acc
                .list
                .items
                .first()
                .map(|e| (e.from.to_string(), e.subject.to_string()));
            return Some((acc.list.unread as u32, newest));
        }
        acc.counts.get(inbox).map(|(_, unseen)| (*unseen, None))
    }

    /// After a worker event: tell the user if an INBOX gained unread mail,
    /// and keep the title's count current.
    pub(super) fn check_new_mail(&mut self, account: usize) -> Vec<Command> {
        let mut cmds = Vec::new();
        let clock = self.now;
        let quiet = self
            .last_alert
            .is_some_and(|t| (t..t + ALERT_INTERVAL_SECS).contains(&clock));
        if let Some((now, newest)) = self.inbox_unread_now(account)
            && let Some(acc) = self.accounts.get_mut(account)
        {
            let armed = acc.alerts_armed;
            acc.alerts_armed |= acc.server_synced;
            let before = acc.inbox_unread.replace(now);
            // Unread messages an undo brought back raise the count too.
            let back = before.map_or(0, |b| {
                let back = (now.saturating_sub(b) as usize).min(acc.expect_back);
                acc.expect_back -= back;
                back as u32
            });
            if let Some(before) = before
                && armed
                && !quiet
                && now > before + back
                && (self.notify.bell || self.notify.desktop != crate::notify::Desktop::Off)
            {
                self.last_alert = Some(clock);
                let count = (now - before - back) as usize;
                let newest = newest.as_ref().map(|(f, s)| (f.as_str(), s.as_str()));
                let body = crate::notify::body(count, newest, self.notify.show_sender);
                let body = format!("{}: {body}", acc.info.name);
                cmds.push(Command::Alert {
                    bell: self.notify.bell,
                    body,
                });
            }
        }
        if self.notify.title {
            let total: u32 = self.accounts.iter().filter_map(|a| a.inbox_unread).sum();
            let title = if total == 0 {
                "mailtui".to_string()
            } else {
                format!("mailtui: {total} unread")
            };
            if title != self.title {
                self.title = title.clone();
                cmds.push(Command::SetTitle(title));
            }
        }
        cmds
    }
}

#[cfg(test)]
mod tests {
    use crate::action::{Action, Command, UiAction};
    use crate::notify::{Desktop, NotifySettings};
    use crate::state::test_kit::*;
    use crate::worker::WorkerEvent;

    fn alerts(cmds: &[Command]) -> Vec<String> {
        cmds.iter()
            .filter_map(|c| match c {
                Command::Alert { body, .. } => Some(body.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn new_mail_in_the_inbox_rings_once_and_the_title_counts() {
        let mut s = state();
        s.notify = NotifySettings {
            bell: true,
            desktop: Desktop::Osc9,
            title: true,
            show_sender: false,
        };
        // Loading the inbox is not new mail.
        let req = loaded(&mut s, 0, 5);
        assert_eq!(s.title, "mailtui: 3 unread");
        let cmds = worker(
            &mut s,
            0,
            WorkerEvent::Inserted {
                req,
                envelopes: vec![env(6, false), env(7, false)],
                remaining: 0,
            },
        );
        assert_eq!(alerts(&cmds), ["work: 2 new messages"]);
        assert!(cmds.contains(&Command::SetTitle("mailtui: 5 unread".into())));
        // Reading one only changes the title.
        s.focus = crate::state::Pane::Messages;
        let cmds = s.update(Action::Ui(UiAction::Open));
        assert!(alerts(&cmds).is_empty());
        assert!(cmds.contains(&Command::SetTitle("mailtui: 4 unread".into())));
    }

    #[test]
    fn the_sender_only_when_asked_and_nothing_when_off() {
        let mut s = state();
        s.notify.show_sender = true;
        s.notify.desktop = Desktop::Osc777;
        let req = loaded(&mut s, 0, 2);
        let mut e = env(3, false);
        e.from = crate::mail::row_text::SharedClean::line("Ann\x1b]0;x\x07");
        let cmds = worker(
            &mut s,
            0,
            WorkerEvent::Inserted {
                req,
                envelopes: vec![e],
                remaining: 0,
            },
        );
        assert_eq!(
            alerts(&cmds),
            ["work: 1 new message, latest from Ann: message 3"]
        );
        let mut s = state();
        let req = loaded(&mut s, 0, 2);
        let cmds = worker(
            &mut s,
            0,
            WorkerEvent::Inserted {
                req,
                envelopes: vec![env(3, false)],
                remaining: 0,
            },
        );
        assert_eq!(alerts(&cmds), ["work: 1 new message"], "the bell is on");
        assert!(cmds.contains(&Command::Alert {
            bell: true,
            body: "work: 1 new message".into()
        }));
        let mut s = state();
        s.notify.bell = false;
        let req = loaded(&mut s, 0, 2);
        let cmds = worker(
            &mut s,
            0,
            WorkerEvent::Inserted {
                req,
                envelopes: vec![env(3, false)],
                remaining: 0,
            },
        );
        assert!(alerts(&cmds).is_empty(), "bell off, desktop off by default");
    }

    fn arrive(
        s: &mut crate::state::State,
        req: u64,
        uids: std::ops::RangeInclusive<u32>,
    ) -> Vec<Command> {
        let mut cmds = worker(
            s,
            0,
            WorkerEvent::Inserted {
                req,
                envelopes: uids.rev().map(|u| env(u, false)).collect(),
                remaining: 0,
            },
        );
        cmds.extend(worker(s, 0, WorkerEvent::Synced { req, at: s.now }));
        cmds
    }

    #[test]
    fn mail_that_came_while_not_running_rings_nothing() {
        let mut s = state();
        assert_eq!(s.notify, NotifySettings::default());
        let cmds = s.accounts[0].start(0);
        let req = open_req(&cmds, "INBOX");
        worker(
            &mut s,
            0,
            WorkerEvent::Conn(crate::worker::ConnState::Connected),
        );
        // The last run's rows, synced then, with 2 unread.
        worker(
            &mut s,
            0,
            WorkerEvent::Stored {
                req,
                uid_validity: 1,
                envelopes: (1..=4).rev().map(|u| env(u, u > 2)).collect(),
                done: true,
                synced_at: Some(1_600_000_000),
            },
        );
        selected(&mut s, 0, req, 10);
        // The first sync brings what came meanwhile: counted, not rung.
        let cmds = arrive(&mut s, req, 5..=10);
        assert!(alerts(&cmds).is_empty(), "{cmds:?}");
        assert_eq!(s.title, "mailtui: 8 unread");
        // Mail while running rings.
        let cmds = arrive(&mut s, req, 11..=11);
        assert_eq!(alerts(&cmds), ["work: 1 new message"]);
    }

    #[test]
    fn a_burst_rings_once_per_interval() {
        let mut s = state();
        s.now = 1_000;
        let req = loaded(&mut s, 0, 2);
        let mut rung = 0;
        // 500 messages in batches of 50, a second apart.
        for batch in 0..10u32 {
            s.now = 1_000 + i64::from(batch);
            let first = 3 + batch * 50;
            rung += alerts(&arrive(&mut s, req, first..=first + 49)).len();
        }
        assert_eq!(rung, 1);
        assert_eq!(s.title, "mailtui: 501 unread", "the title counts them all");
        s.now = 1_000 + crate::notify::ALERT_INTERVAL_SECS;
        assert_eq!(
            alerts(&arrive(&mut s, req, 503..=503)),
            ["work: 1 new message"]
        );
    }
}
