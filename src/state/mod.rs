//! Everything the screen shows, and `update`, the one place it changes.
//! `update` is plain: no I/O, no clock; it returns the effects to run.

mod account;
mod attachments;
pub mod command_line;
pub mod commanding;
pub mod compose;
mod everywhere;
pub mod find;
mod finding;
pub mod help;
mod keys;
pub mod limit;
mod list;
mod mail_actions;
mod marking;
pub mod menu;
pub mod mouse;
mod new_mail;
mod pager;
pub mod pipe;
pub mod prompt;
pub mod reader;
pub mod reloaded;
pub mod results;
pub mod sort;
mod sorting;
mod uid_set;
mod update;
pub mod writing;

#[cfg(test)]
mod sign_in_tests;
#[cfg(test)]
pub(crate) mod test_kit;

use std::collections::VecDeque;

pub use account::{AccountInfo, AccountState, OuterView, Reach, ReaderContent, ServerKind};
pub use list::{MessageList, SortBy, SortOrder};
pub use mail_actions::{Notice, Undo};
pub use pager::AUTO_SIDES_MIN_WIDTH;

use crate::logging::LogRecord;

/// Keep this many log lines for the pane.
pub const LOG_CAPACITY: usize = 2000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Accounts,
    Folders,
    Messages,
    Reader,
    Log,
}

#[derive(Debug)]
pub struct State {
    pub accounts: Vec<AccountState>,
    pub current: usize,
    pub focus: Pane,
    pub show_log: bool,
    pub show_help: bool,
    /// Lines the help overlay is scrolled down.
    pub help_scroll: usize,
    pub log: VecDeque<LogRecord>,
    /// Lines scrolled up from the newest log line.
    pub log_scroll: usize,
    /// Unix seconds, from the last tick.
    pub now: i64,
    /// Local time offset from UTC in seconds, fixed at start (tests use 0).
    pub utc_offset: i32,
    /// The local time zone, for invitations (whose times may fall on the
    /// other side of a clock change); UTC until the app sets the system's.
    pub zone: jiff::tz::TimeZone,
    pub width: u16,
    pub height: u16,
    /// The help overlay's lines.
    pub help: Vec<crate::keymap::HelpEntry>,
    /// Advances on every tick; drives spinners.
    pub frame: u64,
    pub quitting: bool,
    /// The line being typed (search, folder picker, a question).
    pub prompt: Option<prompt::Prompt>,
    /// A short message in the status bar (what an action did, or why not).
    pub notice: Option<Notice>,
    /// What to tell the terminal when new mail arrives.
    pub notify: crate::notify::NotifySettings,
    /// The window title last set.
    pub title: String,
    /// When the last new-mail alert went out (unix seconds).
    pub last_alert: Option<i64>,
    /// The parts or links menu over the reader, while open.
    pub menu: Option<menu::Menu>,
    /// `[files]`: where attachments go and what opens them.
    pub files: crate::files::FilesSettings,
    /// `[ui] date_format_*`: how the list writes dates.
    pub dates: crate::text::dates::DateFormats,
    /// `[ui] columns`: the list's columns, in order.
    pub columns: Vec<crate::config::columns::Column>,
    /// The message being written, from the key to the outbox.
    pub composing: Option<compose::Composing>,
    /// Messages not yet (or not surely) sent, as the outbox reports them.
    pub outbox: Vec<compose::OutboxRow>,
    pub show_outbox: bool,
    pub outbox_cursor: usize,
    /// An outbox entry whose retry or deletion waits for the same key again.
    pub outbox_confirm: Option<(crate::action::UiAction, String)>,
    /// Source of ids for messages being written.
    pub next_compose: u64,
    /// Worker ops started for writing mail, by account and op id (op ids
    /// count per account).
    pub writing_ops: std::collections::HashMap<(usize, u64), writing::WritingOp>,
    /// `[compose] forward_as_attachment`.
    pub forward_as_attachment: bool,
    /// Outbox entries to send again once their account signed in anew.
    pub resend_after_sign_in: Vec<(usize, String)>,
    /// Entries sent again after an approval for other scopes: a second
    /// refusal for want of it is said, not asked again.
    pub approved_entries: std::collections::HashSet<String>,
    /// Each account's SMTP SIZE, as its server last said.
    pub server_sizes: std::collections::HashMap<usize, u64>,
    /// Accepted messages whose follow-ups wait for the folder list.
    pub sent_waiting: Vec<compose::ComposeEvent>,
    /// An account's address book, read when a recipients prompt opened.
    pub contacts: Option<(usize, std::sync::Arc<Vec<crate::store::addresses::Contact>>)>,
    /// The reader over the whole screen (while it has the focus).
    pub reader_full: bool,
    /// `[ui] side_panes`, then what the key made of it.
    pub side_panes: crate::config::SidePanes,
    /// The reader shows every header it has, long address lists whole.
    pub all_headers: bool,
    /// The reader folds long quoted blocks to one line each.
    pub fold_quotes: bool,
    /// The `:` command line's history and the `|` command's output.
    pub cli: commanding::CommandLine,
    /// `[[searches]]`: the saved searches, shown as virtual folders.
    pub searches: Vec<results::SavedSearch>,
    /// `[ui] all_inboxes`: the built-in All inboxes (with 2+ accounts).
    pub all_inboxes: bool,
    /// The folder pane's cursor is on this virtual folder (above the
    /// account's folders) rather than on a folder.
    pub on_virtual: Option<usize>,
    /// Results across folders and accounts, while open.
    pub results: Option<results::Results>,
}

impl State {
    pub fn new(
        accounts: Vec<AccountInfo>,
        help: Vec<crate::keymap::HelpEntry>,
        now: i64,
        utc_offset: i32,
    ) -> Self {
        State {
            accounts: accounts.into_iter().map(AccountState::new).collect(),
            current: 0,
            focus: Pane::Messages,
            show_log: false,
            show_help: false,
            help_scroll: 0,
            log: VecDeque::new(),
            log_scroll: 0,
            now,
            utc_offset,
            zone: jiff::tz::TimeZone::UTC,
            width: 80,
            height: 24,
            help,
            frame: 0,
            quitting: false,
            prompt: None,
            notice: None,
            notify: Default::default(),
            // What the app sets at start.
            title: "mailtui".to_string(),
            last_alert: None,
            menu: None,
            files: Default::default(),
            dates: Default::default(),
            columns: crate::config::columns::default_columns(),
            composing: None,
            outbox: Vec::new(),
            show_outbox: false,
            outbox_cursor: 0,
            outbox_confirm: None,
            next_compose: 0,
            writing_ops: Default::default(),
            forward_as_attachment: false,
            resend_after_sign_in: Vec::new(),
            approved_entries: Default::default(),
            server_sizes: Default::default(),
            contacts: None,
            sent_waiting: Vec::new(),
            reader_full: false,
            side_panes: Default::default(),
            all_headers: false,
            fold_quotes: false,
            cli: Default::default(),
            searches: Vec::new(),
            all_inboxes: true,
            on_virtual: None,
            results: None,
        }
    }

    /// Whether keys are text for a prompt rather than commands.
    pub fn typing(&self) -> bool {
        self.prompt.is_some()
    }

    pub fn account(&self) -> Option<&AccountState> {
        self.accounts.get(self.current)
    }

    pub(crate) fn account_mut(&mut self) -> Option<&mut AccountState> {
        self.accounts.get_mut(self.current)
    }

    /// Whether something on screen moves by itself (spinners), so the app
    /// knows a tick needs a redraw.
    pub fn animating(&self) -> bool {
        self.accounts
            .iter()
            .any(|a| a.busy() || a.retry_in(self.now).is_some_and(|s| s > 0))
    }
}
