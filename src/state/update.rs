//! `State::update`: (state, action) → state', commands.

use super::account::ReaderContent;
use super::{LOG_CAPACITY, Pane, State};
use crate::action::{Action, Command, UiAction};
use crate::auth::service::{AuthCommand, TokenPhase};
use crate::ui::layout::{Areas, areas, inner_height, inner_width};
use crate::worker::{ConnState, WorkerCommand};
use ratatui::layout::Rect;

impl State {
    pub fn update(&mut self, action: Action) -> Vec<Command> {
        let cmds = self.apply(action);
        self.lay_out_reader();
        cmds
    }

    fn apply(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::Ui(a) => self.on_key(a),
            Action::Unbound => {
                self.show_help = false;
                Vec::new()
            }
            Action::Worker { account, event } => {
                let is_current = account == self.current;
                match self.accounts.get_mut(account) {
                    Some(acc) => acc.apply(event, account, is_current),
                    None => Vec::new(),
                }
            }
            Action::Log(record) => {
                if self.log.len() == LOG_CAPACITY {
                    self.log.pop_front();
                }
                self.log.push_back(record);
                // A scrolled-back view stays on the same lines.
                if self.log_scroll > 0 {
                    self.log_scroll = (self.log_scroll + 1).min(self.log.len().saturating_sub(1));
                }
                Vec::new()
            }
            Action::Tick { now } => {
                self.now = now;
                self.frame = self.frame.wrapping_add(1);
                Vec::new()
            }
            Action::Resize { width, height } => {
                self.width = width;
                self.height = height;
                let rows = self.list_rows();
                for acc in &mut self.accounts {
                    acc.list.scroll_into_view(rows);
                }
                Vec::new()
            }
        }
    }

    pub fn areas(&self) -> Areas {
        // Accounts with tokens get a second status line for them.
        let status_rows = if self.account().is_some_and(|a| a.token.is_some()) {
            2
        } else {
            1
        };
        areas(
            Rect::new(0, 0, self.width, self.height),
            self.show_log,
            self.accounts.len(),
            status_rows,
        )
    }

    fn list_rows(&self) -> usize {
        inner_height(self.areas().messages).max(1)
    }

    fn panes(&self) -> Vec<Pane> {
        let mut p = vec![Pane::Accounts, Pane::Folders, Pane::Messages, Pane::Reader];
        if self.show_log {
            p.push(Pane::Log);
        }
        p
    }

    fn cycle_focus(&mut self, forward: bool) {
        let panes = self.panes();
        let i = panes.iter().position(|p| *p == self.focus).unwrap_or(0);
        let n = panes.len();
        self.focus = panes[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    fn switch_account(&mut self, index: usize) {
        if index < self.accounts.len() {
            self.current = index;
            // The layout may differ (status rows); keep the selection in view.
            let rows = self.list_rows();
            self.accounts[index].list.scroll_into_view(rows);
        }
    }

    fn on_key(&mut self, a: UiAction) -> Vec<Command> {
        if self.show_help {
            // Any key closes help; only quit still works through it.
            self.show_help = false;
            if a != UiAction::Quit {
                return Vec::new();
            }
        }
        let n = self.accounts.len();
        match a {
            UiAction::Quit => {
                self.quitting = true;
                vec![Command::Quit]
            }
            UiAction::Help => {
                self.show_help = true;
                Vec::new()
            }
            UiAction::NextPane => {
                self.cycle_focus(true);
                Vec::new()
            }
            UiAction::PrevPane => {
                self.cycle_focus(false);
                Vec::new()
            }
            UiAction::ToggleLog => {
                self.show_log = !self.show_log;
                self.log_scroll = 0;
                if !self.show_log && self.focus == Pane::Log {
                    self.focus = Pane::Messages;
                }
                let rows = self.list_rows();
                for acc in &mut self.accounts {
                    acc.list.scroll_into_view(rows);
                }
                Vec::new()
            }
            UiAction::Account(i) => {
                self.switch_account(i);
                Vec::new()
            }
            UiAction::NextAccount if n > 0 => {
                self.switch_account((self.current + 1) % n);
                Vec::new()
            }
            UiAction::PrevAccount if n > 0 => {
                self.switch_account((self.current + n - 1) % n);
                Vec::new()
            }
            UiAction::Retry => self.retry(),
            UiAction::Copy => {
                let phase = self
                    .account()
                    .and_then(|a| a.token.as_ref())
                    .map(|t| &t.phase);
                match phase {
                    Some(TokenPhase::WaitingForCode(code)) => {
                        vec![Command::Copy(code.user_code.clone())]
                    }
                    Some(TokenPhase::WaitingForBrowser(p)) => vec![Command::Copy(p.url.clone())],
                    _ => Vec::new(),
                }
            }
            UiAction::Up => self.move_by(-1),
            UiAction::Down => self.move_by(1),
            UiAction::PageUp => self.move_by(-(self.page() as isize)),
            UiAction::PageDown => self.move_by(self.page() as isize),
            UiAction::Top => self.move_by(isize::MIN / 2),
            UiAction::Bottom => self.move_by(isize::MAX / 2),
            UiAction::Open => self.open(),
            UiAction::Back if self.account().is_some_and(|a| a.wants_sign_in_panel()) => {
                let current = self.current;
                let acc = &mut self.accounts[current];
                acc.panel_dismissed = true;
                match acc.token.as_ref().map(|t| &t.phase) {
                    Some(TokenPhase::WaitingForCode(_) | TokenPhase::WaitingForBrowser(_)) => {
                        vec![Command::Auth {
                            account: current,
                            command: AuthCommand::Cancel,
                        }]
                    }
                    _ => Vec::new(),
                }
            }
            UiAction::Back => {
                self.focus = match self.focus {
                    Pane::Reader => Pane::Messages,
                    Pane::Messages => Pane::Folders,
                    Pane::Folders | Pane::Accounts => Pane::Accounts,
                    Pane::Log => Pane::Messages,
                };
                Vec::new()
            }
            UiAction::NextAccount | UiAction::PrevAccount => Vec::new(),
            UiAction::ToggleRaw => {
                if let Some(acc) = self.accounts.get_mut(self.current)
                    && matches!(acc.reader.content, ReaderContent::Loaded(_))
                {
                    acc.reader.layout.toggle_raw();
                    acc.reader.scroll = 0;
                }
                Vec::new()
            }
        }
    }

    /// Keeps the current account's message laid out at the reader's width
    /// (once per message and width) and its scroll within the rows.
    fn lay_out_reader(&mut self) {
        let a = self.areas();
        let (width, height) = (inner_width(a.reader), inner_height(a.reader));
        let utc_offset = self.utc_offset;
        let Some(acc) = self.accounts.get_mut(self.current) else {
            return;
        };
        let r = &mut acc.reader;
        match &r.content {
            ReaderContent::Loaded(m) => {
                r.layout.ensure(m, width, utc_offset);
                r.scroll = r.scroll.min(r.layout.max_scroll(height));
            }
            _ => r.layout = Default::default(),
        }
    }

    /// `a`: sign in an OAuth account that has no tokens, else reconnect.
    fn retry(&mut self) -> Vec<Command> {
        let account = self.current;
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let needs_sign_in = acc.token.as_ref().is_some_and(|t| {
            matches!(t.phase, TokenPhase::SignedOut | TokenPhase::SignInNeeded(_))
        });
        if needs_sign_in {
            acc.panel_dismissed = false;
            return vec![Command::Auth {
                account,
                command: AuthCommand::SignIn,
            }];
        }
        match acc.conn {
            ConnState::Failed(_) | ConnState::Retrying { .. } | ConnState::Idle => {
                vec![Command::Worker {
                    account,
                    command: WorkerCommand::Connect,
                }]
            }
            _ => Vec::new(),
        }
    }

    /// Rows in one page of the focused pane.
    fn page(&self) -> usize {
        let a = self.areas();
        let h = match self.focus {
            Pane::Accounts => inner_height(a.accounts),
            Pane::Folders => inner_height(a.folders),
            Pane::Messages => inner_height(a.messages),
            Pane::Reader => inner_height(a.reader),
            Pane::Log => a.log.map(inner_height).unwrap_or(1),
        };
        h.saturating_sub(1).max(1)
    }

    fn move_by(&mut self, delta: isize) -> Vec<Command> {
        let rows = self.list_rows();
        let reader_limit = self.reader_max_scroll();
        let current = self.current;
        match self.focus {
            Pane::Accounts => {
                let n = self.accounts.len();
                if n > 0 {
                    self.current = self.current.saturating_add_signed(delta).min(n - 1);
                }
                Vec::new()
            }
            Pane::Folders => {
                if let Some(acc) = self.accounts.get_mut(current)
                    && !acc.folders.is_empty()
                {
                    acc.folder_cursor = acc
                        .folder_cursor
                        .saturating_add_signed(delta)
                        .min(acc.folders.len() - 1);
                }
                Vec::new()
            }
            Pane::Messages => match self.accounts.get_mut(current) {
                Some(acc) => {
                    acc.list.move_by(delta, rows);
                    acc.preview(current)
                }
                None => Vec::new(),
            },
            Pane::Reader => {
                if let Some(acc) = self.accounts.get_mut(current) {
                    acc.reader.scroll = acc
                        .reader
                        .scroll
                        .saturating_add_signed(delta)
                        .min(reader_limit);
                }
                Vec::new()
            }
            Pane::Log => {
                // Up means older lines.
                let max = self.log.len().saturating_sub(1);
                self.log_scroll = self.log_scroll.saturating_add_signed(-delta).min(max);
                Vec::new()
            }
        }
    }

    fn open(&mut self) -> Vec<Command> {
        let current = self.current;
        let Some(acc) = self.accounts.get_mut(current) else {
            return Vec::new();
        };
        match self.focus {
            Pane::Accounts => {
                self.focus = Pane::Folders;
                Vec::new()
            }
            Pane::Folders => {
                let cmds = acc.open_folder(acc.folder_cursor, current);
                if !cmds.is_empty() {
                    self.focus = Pane::Messages;
                }
                cmds
            }
            Pane::Messages => {
                let mut cmds = acc.preview(current);
                let selected = acc.list.selected;
                if let Some(env) = acc.list.items.get_mut(selected) {
                    self.focus = Pane::Reader;
                    if !env.flags.seen {
                        env.flags.seen = true;
                        cmds.push(Command::Worker {
                            account: current,
                            command: WorkerCommand::SetSeen {
                                uid: env.uid,
                                seen: true,
                            },
                        });
                    }
                }
                cmds
            }
            Pane::Reader | Pane::Log => Vec::new(),
        }
    }

    /// How far the reader can scroll: the last row at the bottom.
    fn reader_max_scroll(&self) -> usize {
        let Some(acc) = self.account() else { return 0 };
        acc.reader
            .layout
            .max_scroll(inner_height(self.areas().reader))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Action;
    use crate::mail::message::{BodySource, MessageView};
    use crate::mail::types::{Envelope, Flags, Folder, FolderRole};
    use crate::sanitize::Clean;
    use crate::state::AccountInfo;
    use crate::worker::WorkerEvent;

    fn info(name: &str) -> AccountInfo {
        AccountInfo {
            name: name.into(),
            email: format!("{name}@example.com"),
            kind: "IMAP",
            server: "imap.example.com:993".into(),
            auth: "password".into(),
            tenant: None,
        }
    }

    fn folder(path: &str, role: FolderRole) -> Folder {
        Folder {
            path: path.into(),
            name: Clean::line(path),
            depth: 0,
            selectable: true,
            role,
        }
    }

    fn env(uid: u32, seen: bool) -> Envelope {
        Envelope {
            uid,
            date: Some(1_700_000_000 + uid as i64),
            from: Clean::line("Alice"),
            subject: Clean::line(&format!("message {uid}")),
            flags: Flags {
                seen,
                ..Flags::default()
            },
            has_attachment: false,
            size: 100,
        }
    }

    fn state() -> State {
        State::new(
            vec![info("work"), info("home")],
            Vec::new(),
            1_700_000_000,
            0,
        )
    }

    fn worker(s: &mut State, account: usize, event: WorkerEvent) -> Vec<Command> {
        s.update(Action::Worker { account, event })
    }

    /// Folders arrive, INBOX opens, first batch arrives and is previewed.
    fn loaded(s: &mut State, account: usize, n: u32) -> u64 {
        let cmds = worker(
            s,
            account,
            WorkerEvent::Folders(vec![
                folder("Archive", FolderRole::Archive),
                folder("INBOX", FolderRole::Inbox),
            ]),
        );
        let Some(Command::Worker {
            command: WorkerCommand::OpenFolder { path, req },
            ..
        }) = cmds.first()
        else {
            panic!("expected OpenFolder, got {cmds:?}")
        };
        assert_eq!(path, "INBOX");
        let req = *req;
        worker(
            s,
            account,
            WorkerEvent::FolderOpened {
                path: "INBOX".into(),
                req,
                exists: n,
            },
        );
        let batch: Vec<Envelope> = (1..=n).rev().map(|u| env(u, u % 2 == 0)).collect();
        worker(
            s,
            account,
            WorkerEvent::Envelopes {
                req,
                envelopes: batch,
                remaining: 0,
            },
        );
        req
    }

    #[test]
    fn folders_open_inbox_and_first_batch_is_previewed() {
        let mut s = state();
        let cmds = worker(
            &mut s,
            0,
            WorkerEvent::Folders(vec![folder("INBOX", FolderRole::Inbox)]),
        );
        let Command::Worker {
            account: 0,
            command: WorkerCommand::OpenFolder { req, .. },
        } = cmds[0].clone()
        else {
            panic!("{cmds:?}")
        };
        assert!(s.accounts[0].list.loading());
        worker(
            &mut s,
            0,
            WorkerEvent::FolderOpened {
                path: "INBOX".into(),
                req,
                exists: 3000,
            },
        );
        let cmds = worker(
            &mut s,
            0,
            WorkerEvent::Envelopes {
                req,
                envelopes: vec![env(3000, true), env(2999, true)],
                remaining: 2998,
            },
        );
        assert!(
            matches!(
                &cmds[..],
                [Command::Worker {
                    command: WorkerCommand::FetchMessage { uid: 3000, .. },
                    ..
                }]
            ),
            "{cmds:?}"
        );
        assert!(
            s.accounts[0].list.loading(),
            "still loading older envelopes"
        );
        assert_eq!(s.accounts[0].list.items.len(), 2);
    }

    #[test]
    fn stale_results_are_dropped() {
        let mut s = state();
        let req = loaded(&mut s, 0, 5);
        // The user opens another folder; a late batch of the old one arrives.
        s.focus = Pane::Folders;
        s.update(Action::Ui(UiAction::Top));
        let cmds = s.update(Action::Ui(UiAction::Open));
        assert!(
            matches!(&cmds[..], [Command::Worker { command: WorkerCommand::OpenFolder { path, .. }, .. }] if path == "Archive")
        );
        worker(
            &mut s,
            0,
            WorkerEvent::Envelopes {
                req,
                envelopes: vec![env(99, false)],
                remaining: 0,
            },
        );
        assert!(s.accounts[0].list.items.is_empty());
        assert_eq!(s.focus, Pane::Messages);
    }

    #[test]
    fn moving_the_selection_fetches_only_the_new_message_and_ignores_old_bodies() {
        let mut s = state();
        loaded(&mut s, 0, 5);
        let first_req = s.accounts[0].reader.req;
        s.focus = Pane::Messages;
        let cmds = s.update(Action::Ui(UiAction::Down));
        let [
            Command::Worker {
                command: WorkerCommand::FetchMessage { uid: 4, req },
                ..
            },
        ] = cmds[..]
        else {
            panic!("{cmds:?}")
        };
        let view = |uid| MessageView {
            uid,
            headers: vec![],
            date: None,
            body: Clean::text("hello"),
            source: BodySource::Plain,
            attachments: vec![],
            notes: vec![],
            warnings: vec![],
            nested: vec![],
            raw: Clean::default(),
        };
        worker(
            &mut s,
            0,
            WorkerEvent::Message {
                req: first_req,
                message: Box::new(view(5)),
            },
        );
        assert!(matches!(
            s.accounts[0].reader.content,
            ReaderContent::Loading
        ));
        worker(
            &mut s,
            0,
            WorkerEvent::Message {
                req,
                message: Box::new(view(4)),
            },
        );
        assert!(matches!(&s.accounts[0].reader.content, ReaderContent::Loaded(m) if m.uid == 4));
    }

    #[test]
    fn open_marks_read_once_and_focuses_the_reader() {
        let mut s = state();
        loaded(&mut s, 0, 5);
        s.focus = Pane::Messages;
        // uid 5 is unread (odd).
        let cmds = s.update(Action::Ui(UiAction::Open));
        assert!(cmds.contains(&Command::Worker {
            account: 0,
            command: WorkerCommand::SetSeen { uid: 5, seen: true }
        }));
        assert!(s.accounts[0].list.items[0].flags.seen);
        assert_eq!(s.focus, Pane::Reader);
        s.focus = Pane::Messages;
        assert!(s.update(Action::Ui(UiAction::Open)).is_empty());
    }

    #[test]
    fn accounts_keep_their_own_selection() {
        let mut s = state();
        loaded(&mut s, 0, 30);
        loaded(&mut s, 1, 10);
        s.focus = Pane::Messages;
        s.update(Action::Ui(UiAction::PageDown));
        let work_sel = s.accounts[0].list.selected;
        assert!(work_sel > 0);
        s.update(Action::Ui(UiAction::Account(1)));
        assert_eq!(s.current, 1);
        s.update(Action::Ui(UiAction::Down));
        assert_eq!(s.accounts[1].list.selected, 1);
        s.update(Action::Ui(UiAction::NextAccount));
        assert_eq!(s.current, 0);
        assert_eq!(s.accounts[0].list.selected, work_sel);
        s.update(Action::Ui(UiAction::PrevAccount));
        assert_eq!(s.current, 1);
        s.update(Action::Ui(UiAction::Account(7)));
        assert_eq!(s.current, 1, "no 8th account: unchanged");
    }

    #[test]
    fn page_down_and_bottom_keep_the_selection_visible() {
        let mut s = state();
        loaded(&mut s, 0, 200);
        s.focus = Pane::Messages;
        s.update(Action::Ui(UiAction::Bottom));
        let l = &s.accounts[0].list;
        let rows = inner_height(s.areas().messages);
        assert_eq!(l.selected, 199);
        assert_eq!(l.offset, 200 - rows);
        s.update(Action::Resize {
            width: 120,
            height: 40,
        });
        let rows = inner_height(s.areas().messages);
        let l = &s.accounts[0].list;
        assert!(l.selected >= l.offset && l.selected < l.offset + rows);
    }

    #[test]
    fn help_closes_on_any_key_and_quit_quits() {
        let mut s = state();
        s.update(Action::Ui(UiAction::Help));
        assert!(s.show_help);
        s.update(Action::Unbound);
        assert!(!s.show_help);
        s.update(Action::Ui(UiAction::Help));
        assert!(s.update(Action::Ui(UiAction::Down)).is_empty());
        assert!(!s.show_help);
        assert_eq!(s.update(Action::Ui(UiAction::Quit)), vec![Command::Quit]);
        assert!(s.quitting);
    }

    #[test]
    fn tab_cycles_panes_including_log_when_shown() {
        let mut s = state();
        s.focus = Pane::Accounts;
        let mut seen = vec![];
        for _ in 0..4 {
            s.update(Action::Ui(UiAction::NextPane));
            seen.push(s.focus);
        }
        assert_eq!(
            seen,
            [Pane::Folders, Pane::Messages, Pane::Reader, Pane::Accounts]
        );
        s.update(Action::Ui(UiAction::ToggleLog));
        s.focus = Pane::Reader;
        s.update(Action::Ui(UiAction::NextPane));
        assert_eq!(s.focus, Pane::Log);
        s.update(Action::Ui(UiAction::ToggleLog));
        assert_eq!(s.focus, Pane::Messages);
        s.update(Action::Ui(UiAction::PrevPane));
        assert_eq!(s.focus, Pane::Folders);
    }

    #[test]
    fn retry_only_when_the_account_is_not_connected() {
        let mut s = state();
        worker(&mut s, 0, WorkerEvent::Conn(ConnState::Connected));
        assert!(s.update(Action::Ui(UiAction::Retry)).is_empty());
        worker(
            &mut s,
            0,
            WorkerEvent::Conn(ConnState::Failed(Clean::line("login refused"))),
        );
        assert_eq!(
            s.update(Action::Ui(UiAction::Retry)),
            vec![Command::Worker {
                account: 0,
                command: WorkerCommand::Connect
            }]
        );
    }

    #[test]
    fn log_is_bounded_and_scrolls() {
        let mut s = state();
        for i in 0..(LOG_CAPACITY + 10) {
            s.update(Action::Log(crate::logging::LogRecord {
                time: i as i64,
                level: tracing::Level::INFO,
                text: Clean::line("x"),
            }));
        }
        assert_eq!(s.log.len(), LOG_CAPACITY);
        assert_eq!(s.log.front().map(|r| r.time), Some(10));
        s.show_log = true;
        s.focus = Pane::Log;
        s.update(Action::Ui(UiAction::Up));
        assert_eq!(s.log_scroll, 1);
        s.update(Action::Ui(UiAction::Bottom));
        assert_eq!(s.log_scroll, 0);
    }

    #[test]
    fn reader_scroll_is_bounded_by_the_message() {
        let mut s = state();
        loaded(&mut s, 0, 1);
        let req = s.accounts[0].reader.req;
        let body = (0..100)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let m = MessageView {
            uid: 1,
            headers: vec![],
            date: None,
            body: Clean::text(&body),
            source: BodySource::Plain,
            attachments: vec![],
            notes: vec![],
            warnings: vec![],
            nested: vec![],
            raw: Clean::default(),
        };
        worker(
            &mut s,
            0,
            WorkerEvent::Message {
                req,
                message: Box::new(m),
            },
        );
        s.focus = Pane::Reader;
        s.update(Action::Ui(UiAction::Bottom));
        let max = s.accounts[0].reader.scroll;
        assert!(max > 50 && max < 100, "{max}");
        s.update(Action::Ui(UiAction::Down));
        assert_eq!(s.accounts[0].reader.scroll, max);
    }

    fn show(s: &mut State, raw: &str) {
        loaded(s, 0, 1);
        let req = s.accounts[0].reader.req;
        let message = Box::new(crate::mail::message::parse(1, raw.as_bytes()));
        worker(s, 0, WorkerEvent::Message { req, message });
        s.focus = Pane::Reader;
    }

    /// The rows on screen, as text.
    fn screen_rows(s: &State) -> Vec<String> {
        let r = &s.accounts[0].reader;
        let h = inner_height(s.areas().reader);
        r.layout.rows[r.scroll..(r.scroll + h).min(r.layout.rows.len())]
            .iter()
            .map(|row| r.layout.row_text(row).1.to_string())
            .collect()
    }

    #[test]
    fn the_last_line_of_long_wrapped_lines_is_reachable() {
        let mut s = state();
        s.update(Action::Resize {
            width: 80,
            height: 24,
        });
        // Long lines wrap to many rows each; the old guess lost some.
        let body: String = (0..40)
            .map(|i| format!("{}END{i}\r\n", "word ".repeat(60)))
            .collect();
        show(&mut s, &format!("Subject: long\r\n\r\n{body}"));
        s.update(Action::Ui(UiAction::Bottom));
        let rows = screen_rows(&s);
        assert!(
            rows.last().is_some_and(|r| r.ends_with("END39")),
            "{rows:?}"
        );
        let at_bottom = s.accounts[0].reader.scroll;
        s.update(Action::Ui(UiAction::PageDown));
        assert_eq!(s.accounts[0].reader.scroll, at_bottom);
        // A narrower pane wraps again and the end is still the end.
        s.update(Action::Resize {
            width: 50,
            height: 24,
        });
        s.update(Action::Ui(UiAction::Bottom));
        let rows = screen_rows(&s);
        assert!(
            rows.last().is_some_and(|r| r.ends_with("END39")),
            "{rows:?}"
        );
        s.update(Action::Ui(UiAction::Top));
        assert_eq!(screen_rows(&s)[0], "Subject: long");
    }

    #[test]
    fn the_source_is_behind_a_key() {
        let mut s = state();
        show(
            &mut s,
            "Subject: s\r\nContent-Type: text/plain\r\nX-Secret-Header: shown in source\r\n\r\nbody\r\n",
        );
        let all = |s: &State| {
            let l = &s.accounts[0].reader.layout;
            l.rows
                .iter()
                .map(|r| l.row_text(r).1.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert!(!all(&s).contains("X-Secret-Header"));
        s.update(Action::Ui(UiAction::ToggleRaw));
        assert!(s.accounts[0].reader.layout.raw);
        assert!(
            all(&s).contains("X-Secret-Header: shown in source"),
            "{}",
            all(&s)
        );
        s.update(Action::Ui(UiAction::ToggleRaw));
        assert!(!all(&s).contains("X-Secret-Header"));
    }
}
