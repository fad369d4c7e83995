//! `State::update`: (state, action) → state', commands.

use super::account::ReaderContent;
use super::{LOG_CAPACITY, Pane, State};
use crate::action::{Action, Command, UiAction};
use crate::auth::service::{AuthCommand, TokenPhase};
use crate::layout::{Areas, areas, inner_height, inner_width};
use crate::worker::{ConnState, WorkerCommand, WorkerEvent};
use ratatui::layout::Rect;

impl State {
    /// What every account does first (the app runs these at start).
    pub fn start(&mut self) -> Vec<Command> {
        let mut cmds = Vec::new();
        for (i, acc) in self.accounts.iter_mut().enumerate() {
            cmds.extend(acc.start(i));
        }
        cmds
    }

    pub fn update(&mut self, action: Action) -> Vec<Command> {
        let mut cmds = self.apply(action);
        // A menu belongs to the message it was opened on.
        if let Some(m) = &self.menu
            && self
                .accounts
                .get(m.target.account)
                .and_then(|a| a.reader.uid)
                != Some(m.target.uid)
        {
            self.menu = None;
        }
        // Full screen is the reader's: leaving it leaves full screen.
        if self.focus != Pane::Reader {
            self.reader_full = false;
        }
        self.lay_out_reader();
        // Reading or marking mail changes the unread count in the title.
        let current = self.current;
        cmds.extend(self.check_new_mail(current));
        cmds
    }

    fn apply(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::Ui(a) => self.on_key(a),
            Action::Keys(candidates) => match candidates.into_iter().find(|a| self.applies(*a)) {
                Some(a) => self.on_key(a),
                None => self.update(Action::Unbound),
            },
            Action::Prompt(key) => self.on_prompt(key),
            Action::Unbound => {
                self.show_help = false;
                Vec::new()
            }
            Action::NotBound(key) => {
                self.not_bound(&key);
                Vec::new()
            }
            Action::Compose(event) => self.on_compose_event(event),
            Action::Worker { account, event } => {
                let rows = self.list_rows();
                let event = match self.on_writing_worker_event(account, event) {
                    Ok(cmds) => return cmds,
                    Err(event) => event,
                };
                let event = match self.on_parts_event(account, event) {
                    Ok(cmds) => return cmds,
                    Err(event) => event,
                };
                let event = match self.results_found(account, event) {
                    Ok(cmds) => return cmds,
                    Err(event) => event,
                };
                let mut cmds = self.on_action_event(account, &event);
                cmds.extend(self.results_event(account, &event));
                let mut joined = false;
                let is_current = account == self.current;
                let retry_at = match &event {
                    WorkerEvent::Conn(ConnState::Retrying { retry_in_secs, .. }) => {
                        Some(self.now + *retry_in_secs as i64)
                    }
                    _ => None,
                };
                if let Some(acc) = self.accounts.get_mut(account) {
                    if matches!(event, WorkerEvent::Conn(_)) {
                        acc.retry_at = retry_at;
                    }
                    let was_gone = acc.reader.gone;
                    let folders = matches!(event, WorkerEvent::Folders(_));
                    cmds.extend(acc.apply(event, account, is_current));
                    if folders {
                        joined = true;
                    }
                    if let Some(uid) = acc.list.select_on_arrival
                        && acc.list.envelope(uid).is_some()
                    {
                        acc.list.select_on_arrival = None;
                        acc.list.select_uid(uid, rows);
                        if is_current {
                            cmds.extend(acc.preview(account));
                        }
                    }
                    if acc.reader.gone && !was_gone && is_current {
                        // Its parts and links went with it.
                        self.menu = None;
                    }
                }
                if joined {
                    cmds.extend(self.results_join(account));
                }
                cmds.extend(self.open_pending_result());
                cmds.extend(self.limit_follow_up(account));
                cmds.extend(self.check_new_mail(account));
                cmds.extend(self.after_sign_in(account));
                cmds.extend(self.folders_known(account));
                cmds
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
            Action::Files(event) => self.on_file_event(event),
            Action::Mouse(m) => self.on_mouse(m),
            Action::Piped(done) => self.on_piped(*done),
            Action::Reloaded(r) => self.on_reloaded(r),
            Action::Tick { now } => {
                self.now = now;
                if self.notice.as_ref().is_some_and(|n| n.until <= now) {
                    self.notice = None;
                }
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
        self.areas_for(self.shape())
    }

    fn areas_for(&self, shape: crate::layout::Shape) -> Areas {
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
            shape,
        )
    }

    /// Rows of the list, as it shows beside the reader (while the reader
    /// is full screen, the list keeps the place it will show in).
    pub(super) fn list_rows(&self) -> usize {
        let shape = crate::layout::Shape {
            reader_only: false,
            ..self.shape()
        };
        inner_height(self.areas_for(shape).messages).max(1)
    }

    /// Rows of text the reader shows.
    pub(super) fn reader_height(&self) -> usize {
        inner_height(self.areas().reader)
    }

    fn panes(&self) -> Vec<Pane> {
        let mut p = vec![Pane::Accounts, Pane::Folders, Pane::Messages];
        // The results take the reader's place until a row is opened.
        if !self.results_shown() {
            p.push(Pane::Reader);
        }
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

    pub(super) fn switch_account(&mut self, index: usize) {
        if index < self.accounts.len() {
            self.current = index;
            // The layout may differ (status rows); keep the selection in view.
            let rows = self.list_rows();
            self.accounts[index].list.scroll_into_view(rows);
        }
    }

    pub(super) fn on_key(&mut self, a: UiAction) -> Vec<Command> {
        if self.cli.view.is_some() {
            return self.on_pipe_view_key(a);
        }
        if let Some(cmds) = self.on_command_line_key(a) {
            return cmds;
        }
        if self.show_help {
            return self.on_help_key(a);
        }
        if let Some(cmds) = self.on_results_key(a) {
            return cmds;
        }
        if let Some(cmds) = self.on_writing_key(a) {
            return cmds;
        }
        if let Some(cmds) = self.on_result_reader_key(a) {
            return cmds;
        }
        if self.menu.is_none()
            && let Some(cmds) = self.on_pager_key(a)
        {
            return cmds;
        }
        if let Some(cmds) = self.on_files_key(a) {
            return cmds;
        }
        if let Some(cmds) = self.on_mail_key(a) {
            return cmds;
        }
        let n = self.accounts.len();
        match a {
            UiAction::Quit => {
                self.quitting = true;
                vec![Command::Quit]
            }
            UiAction::Help => {
                self.open_help();
                Vec::new()
            }
            UiAction::SearchEverywhere => {
                self.open_everywhere_prompt();
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
                let token = self.account().and_then(|a| a.token.as_ref());
                match token.map(|t| (&t.phase, &t.admin_consent)) {
                    Some((TokenPhase::WaitingForCode(code), _)) => {
                        vec![Command::Copy(code.user_code.clone())]
                    }
                    Some((TokenPhase::WaitingForBrowser(p), _)) => {
                        vec![Command::Copy(p.url.clone())]
                    }
                    // The admin-consent link, for whoever can approve it.
                    Some((_, Some(admin))) => vec![Command::Copy(admin.url.clone())],
                    _ => Vec::new(),
                }
            }
            UiAction::Up => self.move_by(-1),
            UiAction::Down => self.move_by(1),
            UiAction::PageUp => self.move_by(-(self.page() as isize)),
            UiAction::PageDown => self.move_by(self.page() as isize),
            UiAction::NextPage if self.focus == Pane::Reader => self.next_page(),
            UiAction::NextPage => self.move_by(self.page() as isize),
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
            UiAction::Back if self.focus == Pane::Messages && self.end_search() => Vec::new(),
            UiAction::Back if self.focus == Pane::Messages && self.end_limit() => Vec::new(),
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
            // Handled by on_files_key and on_mail_key above.
            UiAction::Mark
            | UiAction::UnmarkAll
            | UiAction::MarkMatching
            | UiAction::MarkThread
            | UiAction::ToggleRead
            | UiAction::ToggleFlag
            | UiAction::MarkFolderRead
            | UiAction::Delete
            | UiAction::Archive
            | UiAction::Move
            | UiAction::Undo
            | UiAction::Search
            | UiAction::Limit
            | UiAction::NextMatch
            | UiAction::PrevMatch
            | UiAction::Threads
            | UiAction::Sort
            | UiAction::SortReverse
            | UiAction::GoToFolder
            | UiAction::Parts
            | UiAction::Links
            | UiAction::SavePart
            | UiAction::SaveAll
            | UiAction::OpenWith
            | UiAction::CopyLink => Vec::new(),
            // Handled by on_writing_key above; the review keys outside the
            // review mean nothing.
            UiAction::Reply
            | UiAction::ReplyAll
            | UiAction::Forward
            | UiAction::ForwardOther
            | UiAction::Compose
            | UiAction::EditAsNew
            | UiAction::Outbox
            | UiAction::AnswerInvitation
            | UiAction::SendMessage
            | UiAction::EditMessage
            | UiAction::AttachFile
            | UiAction::DetachFile
            | UiAction::Postpone
            | UiAction::Preview
            | UiAction::EditTo
            | UiAction::EditCc => Vec::new(),
            // Handled by on_pager_key above (not while a menu is open).
            UiAction::ToggleFullScreen
            | UiAction::ToggleSidePanes
            | UiAction::NextMessage
            | UiAction::PrevMessage
            | UiAction::NextUnread
            | UiAction::PrevUnread
            | UiAction::ToggleHeaders
            | UiAction::ToggleQuotes
            | UiAction::FindInMessage
            | UiAction::FindNext
            | UiAction::FindPrev => Vec::new(),
            // Handled by on_command_line_key above.
            UiAction::CommandLine | UiAction::Pipe => Vec::new(),
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
        let (utc_offset, zone, now) = (self.utc_offset, self.zone.clone(), self.now);
        let shown = crate::state::reader::Shown {
            all_headers: self.all_headers,
            fold_quotes: self.fold_quotes,
            every_field: self.all_headers,
        };
        let Some(acc) = self.accounts.get_mut(self.current) else {
            return;
        };
        let r = &mut acc.reader;
        let made = match &r.content {
            ReaderContent::Loaded(m) => {
                let made = r.layout.ensure(m, width, utc_offset, &zone, now, shown);
                r.scroll = r.scroll.min(r.layout.max_scroll(height));
                made
            }
            _ => {
                r.layout = Default::default();
                false
            }
        };
        if made {
            self.refind();
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
            ConnState::Connected => {
                self.notify("connected already", false);
                Vec::new()
            }
            ConnState::Connecting | ConnState::Reconnecting => {
                self.notify("connecting now", false);
                Vec::new()
            }
        }
    }

    /// Rows in one page of the focused pane.
    pub(super) fn page(&self) -> usize {
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

    /// The "deleted on the server" notice goes once the user moved on.
    pub(super) fn clear_gone_notice(&mut self) {
        if self
            .notice
            .as_ref()
            .is_some_and(|n| n.text.as_str().contains("deleted on the server"))
        {
            self.notice = None;
        }
    }

    pub(super) fn move_by(&mut self, delta: isize) -> Vec<Command> {
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
                // Virtual folders first, then the account's own.
                let v = self.virtual_folders().len();
                if let Some(acc) = self.accounts.get_mut(current)
                    && v + acc.folders.len() > 0
                {
                    let at = self.on_virtual.unwrap_or(v + acc.folder_cursor);
                    let to = at
                        .saturating_add_signed(delta)
                        .min(v + acc.folders.len() - 1);
                    if to < v {
                        self.on_virtual = Some(to);
                    } else {
                        self.on_virtual = None;
                        acc.folder_cursor = to - v;
                    }
                }
                Vec::new()
            }
            Pane::Messages => match self.accounts.get_mut(current) {
                Some(acc) => {
                    let was_gone = acc.reader.gone;
                    acc.list.move_by(acc.steps_from_reader(delta), rows);
                    let cmds = acc.preview(current);
                    if was_gone {
                        self.clear_gone_notice();
                    }
                    cmds
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
        if self.focus == Pane::Folders
            && let Some(i) = self.on_virtual
        {
            return self.open_virtual(i);
        }
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
                    self.results = None;
                }
                cmds
            }
            Pane::Messages => {
                let mut cmds = acc.preview(current);
                if acc.list.selected_envelope().is_some() {
                    self.focus = Pane::Reader;
                    cmds.extend(acc.mark_selected_read(current));
                }
                cmds
            }
            Pane::Reader | Pane::Log => Vec::new(),
        }
    }

    /// How far the reader can scroll: the last row at the bottom.
    pub(super) fn reader_max_scroll(&self) -> usize {
        let Some(acc) = self.account() else { return 0 };
        acc.reader
            .layout
            .max_scroll(inner_height(self.areas().reader))
    }
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
