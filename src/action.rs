//! Inputs to [`State::update`](crate::state::State::update) and the effects it asks for.

use crate::auth::service::AuthCommand;
use crate::files::{FileEvent, FilesCommand};
use crate::logging::LogRecord;
use crate::worker::{FolderRef, PartsRequest, WorkerCommand, WorkerEvent};

pub use crate::state::compose::{ComposeCommand, ComposeEvent};

/// What a key can be bound to. Names (snake_case) are what `[keys]` in the
/// config uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiAction {
    Quit,
    NextPane,
    PrevPane,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    /// In the reader: a page down, and at the end the next message
    /// (NeoMutt's next-page). Elsewhere a page down.
    NextPage,
    Open,
    Back,
    ToggleLog,
    Help,
    Retry,
    /// Copy the sign-in code to the clipboard (OSC 52).
    Copy,
    PrevAccount,
    NextAccount,
    /// 0-based account position.
    Account(usize),
    /// Show the message source instead of the message, or back.
    ToggleRaw,
    /// Mark or unmark the selected message (actions then apply to all marked).
    Mark,
    /// Take every mark off.
    UnmarkAll,
    /// Mark every shown message a query matches (asked at a prompt).
    MarkMatching,
    /// Mark the selected message's whole thread (or unmark it, when all
    /// of it is marked).
    MarkThread,
    ToggleRead,
    ToggleFlag,
    MarkFolderRead,
    /// To Trash; in Trash, for good (after asking).
    Delete,
    Archive,
    /// Move to a folder picked from a list.
    Move,
    Undo,
    Search,
    /// Show only the messages that match a query (Esc: all again).
    Limit,
    /// A query over every folder of every account, in a results view.
    SearchEverywhere,
    NextMatch,
    PrevMatch,
    /// Thread view on or off.
    Threads,
    /// Sort by arrival, date, sender, subject, size in turn.
    Sort,
    /// The same sort key, the other way.
    SortReverse,
    /// Open a folder picked by typing part of its name.
    GoToFolder,
    /// The parts menu: the message's attachments, text parts and attached
    /// messages.
    Parts,
    /// The links menu: the web addresses in the message.
    Links,
    /// In the parts menu: save the highlighted part to the download dir.
    SavePart,
    /// Save every attachment of the message (or of the attached message
    /// shown) to the download dir.
    SaveAll,
    /// In a menu: open the part or link with `[files] open_command`.
    OpenWith,
    /// In the links menu: copy the link to the clipboard (OSC 52).
    CopyLink,
    /// Write an answer to the sender (Reply-To, else From).
    Reply,
    /// Answer the sender and everyone else the message went to.
    ReplyAll,
    /// Forward the message (inline, or attached as `[compose]` says).
    Forward,
    /// Forward the other way than `[compose] forward_as_attachment` says.
    ForwardOther,
    /// Write a new message.
    Compose,
    /// A new message from this one's headers, text and attachments; in
    /// Drafts, continue the draft.
    EditAsNew,
    /// The review screen: send the message.
    SendMessage,
    /// The review screen: back into the editor.
    EditMessage,
    /// The review screen: attach a file.
    AttachFile,
    /// The review screen: take the highlighted attachment off.
    DetachFile,
    /// The review screen: store the message in Drafts for later.
    Postpone,
    /// The review screen: the message as its recipients will see it.
    Preview,
    /// The messages waiting to be sent (the outbox).
    Outbox,
    /// The review screen: change To, with completion.
    EditTo,
    /// The review screen: change Cc, with completion.
    EditCc,
    /// Accept, accept tentatively or decline the meeting invitation the
    /// open message carries.
    AnswerInvitation,
    /// The reader over the whole screen, and back.
    ToggleFullScreen,
    /// Show or hide the accounts and folders panes.
    ToggleSidePanes,
    /// The next / previous message, from the reader or the list.
    NextMessage,
    PrevMessage,
    /// The next / previous unread message.
    NextUnread,
    PrevUnread,
    /// All headers, or From/To/Cc/Subject/Date with long lists cut.
    ToggleHeaders,
    /// Fold long quoted blocks to one line each, or unfold them.
    ToggleQuotes,
    /// Search the text of the message in the reader.
    FindInMessage,
    /// The next / previous place the reader's search found.
    FindNext,
    FindPrev,
    /// The `:` command line: any action by name, with arguments.
    CommandLine,
    /// Pipe the message to a shell command typed at a prompt.
    Pipe,
}

impl UiAction {
    pub const NAMED: &'static [(&'static str, UiAction, &'static str)] = &[
        ("quit", UiAction::Quit, "quit"),
        ("next_pane", UiAction::NextPane, "next pane"),
        ("prev_pane", UiAction::PrevPane, "previous pane"),
        ("up", UiAction::Up, "move up"),
        ("down", UiAction::Down, "move down"),
        ("top", UiAction::Top, "first item"),
        ("bottom", UiAction::Bottom, "last item"),
        ("page_up", UiAction::PageUp, "page up"),
        ("page_down", UiAction::PageDown, "page down"),
        (
            "next_page",
            UiAction::NextPage,
            "reader: page down, then the next message",
        ),
        ("open", UiAction::Open, "open folder / message"),
        ("back", UiAction::Back, "back to the previous pane"),
        ("toggle_log", UiAction::ToggleLog, "show / hide the log"),
        ("help", UiAction::Help, "this help"),
        ("retry", UiAction::Retry, "sign in / reconnect"),
        ("copy", UiAction::Copy, "copy the sign-in code"),
        ("prev_account", UiAction::PrevAccount, "previous account"),
        ("next_account", UiAction::NextAccount, "next account"),
        (
            "toggle_raw",
            UiAction::ToggleRaw,
            "message source / message",
        ),
        (
            "toggle_full_screen",
            UiAction::ToggleFullScreen,
            "reader full screen / back",
        ),
        (
            "toggle_side_panes",
            UiAction::ToggleSidePanes,
            "show / hide the accounts and folders",
        ),
        ("next_message", UiAction::NextMessage, "next message"),
        ("prev_message", UiAction::PrevMessage, "previous message"),
        ("next_unread", UiAction::NextUnread, "next unread message"),
        (
            "prev_unread",
            UiAction::PrevUnread,
            "previous unread message",
        ),
        (
            "toggle_headers",
            UiAction::ToggleHeaders,
            "reader: all headers / the main ones",
        ),
        (
            "toggle_quotes",
            UiAction::ToggleQuotes,
            "reader: fold / unfold long quotes",
        ),
        (
            "find_in_message",
            UiAction::FindInMessage,
            "reader: search the message",
        ),
        ("find_next", UiAction::FindNext, "reader: next found"),
        ("find_prev", UiAction::FindPrev, "reader: previous found"),
        ("mark", UiAction::Mark, "mark / unmark a message"),
        ("unmark_all", UiAction::UnmarkAll, "unmark all"),
        (
            "mark_matching",
            UiAction::MarkMatching,
            "mark the messages a query matches",
        ),
        (
            "mark_thread",
            UiAction::MarkThread,
            "mark / unmark the whole thread",
        ),
        ("toggle_read", UiAction::ToggleRead, "read / unread"),
        ("toggle_flag", UiAction::ToggleFlag, "flag / unflag"),
        (
            "mark_folder_read",
            UiAction::MarkFolderRead,
            "mark the whole folder read",
        ),
        ("delete", UiAction::Delete, "delete (to Trash)"),
        ("archive", UiAction::Archive, "archive"),
        ("move", UiAction::Move, "move to a folder"),
        ("undo", UiAction::Undo, "undo the last change"),
        ("search", UiAction::Search, "search"),
        (
            "limit",
            UiAction::Limit,
            "show only matches (a row stays until re-applied; Esc: all)",
        ),
        (
            "search_everywhere",
            UiAction::SearchEverywhere,
            "search all folders of all accounts (results view)",
        ),
        ("next_match", UiAction::NextMatch, "next match"),
        ("prev_match", UiAction::PrevMatch, "previous match"),
        ("threads", UiAction::Threads, "threads on / off"),
        (
            "sort",
            UiAction::Sort,
            "sort (arrival, date, sender, subject, size)",
        ),
        ("sort_reverse", UiAction::SortReverse, "reverse the sort"),
        ("go_to_folder", UiAction::GoToFolder, "go to a folder"),
        ("parts", UiAction::Parts, "attachments and parts"),
        ("links", UiAction::Links, "links in the message"),
        (
            "save_part",
            UiAction::SavePart,
            "save the part (parts menu)",
        ),
        ("save_all", UiAction::SaveAll, "save all attachments"),
        ("open_with", UiAction::OpenWith, "open with open_command"),
        (
            "copy_link",
            UiAction::CopyLink,
            "copy the link (links menu)",
        ),
        ("reply", UiAction::Reply, "reply to the sender"),
        ("reply_all", UiAction::ReplyAll, "reply to all"),
        ("forward", UiAction::Forward, "forward"),
        (
            "forward_other",
            UiAction::ForwardOther,
            "forward the other way (attached/inline)",
        ),
        ("compose", UiAction::Compose, "write a new message"),
        (
            "edit_as_new",
            UiAction::EditAsNew,
            "edit as new / continue a draft",
        ),
        ("send_message", UiAction::SendMessage, "review: send"),
        ("edit_message", UiAction::EditMessage, "review: edit again"),
        ("attach_file", UiAction::AttachFile, "review: attach a file"),
        (
            "detach_file",
            UiAction::DetachFile,
            "review: remove the attachment",
        ),
        ("postpone", UiAction::Postpone, "review: postpone to Drafts"),
        ("preview", UiAction::Preview, "review: preview as sent"),
        ("outbox", UiAction::Outbox, "messages waiting to be sent"),
        ("edit_to", UiAction::EditTo, "review: change To (completes)"),
        ("edit_cc", UiAction::EditCc, "review: change Cc (completes)"),
        (
            "answer_invitation",
            UiAction::AnswerInvitation,
            "answer the invitation: accept, tentative, decline",
        ),
        (
            "command_line",
            UiAction::CommandLine,
            "command line (:move Sent, :sort date, :set …)",
        ),
        ("pipe", UiAction::Pipe, "pipe the message to a command"),
    ];

    pub fn from_name(name: &str) -> Option<UiAction> {
        if let Some(n) = name.strip_prefix("account_") {
            return match n.parse::<usize>() {
                Ok(k @ 1..=9) => Some(UiAction::Account(k - 1)),
                _ => None,
            };
        }
        Self::NAMED
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, a, _)| *a)
    }

    pub fn description(self) -> String {
        match self {
            UiAction::Account(i) => format!("account {}", i + 1),
            other => Self::NAMED
                .iter()
                .find(|(_, a, _)| *a == other)
                .map(|(_, _, d)| d.to_string())
                .unwrap_or_default(),
        }
    }
}

/// A key typed into a prompt: text, not a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKey {
    Char(char),
    Backspace,
    /// Ctrl-U: clear the line.
    Clear,
    Up,
    Down,
    /// Tab: completes a path; in a picker, the next entry.
    Complete,
    Enter,
    Esc,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Ui(UiAction),
    /// A key bound to several actions, for different contexts: the first
    /// that applies now runs.
    Keys(Vec<UiAction>),
    Prompt(PromptKey),
    /// A key with no binding (closes overlays).
    Unbound,
    /// A plain key with no binding, by name: the status bar says so.
    NotBound(String),
    Worker {
        account: usize,
        event: WorkerEvent,
    },
    Log(LogRecord),
    /// How saving or opening a file went.
    Files(FileEvent),
    /// Writing and sending mail: what the editor, the outbox and the
    /// senders did.
    Compose(ComposeEvent),
    /// Carries the time, so update() never reads a clock.
    Tick {
        now: i64,
    },
    Resize {
        width: u16,
        height: u16,
    },
    /// Only when the user turned the mouse on (`[ui] mouse`).
    Mouse(MouseInput),
    /// A command the message was piped to has ended.
    Piped(Box<crate::state::pipe::PipeDone>),
    /// The config file read again (`:reload`): what can change now, or
    /// why it could not be read.
    Reloaded(Result<Box<crate::state::reloaded::Reloaded>, String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MouseKind {
    /// The left button pressed.
    Click,
    ScrollUp,
    ScrollDown,
}

/// A mouse event at a screen cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MouseInput {
    pub kind: MouseKind,
    pub column: u16,
    pub row: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Worker {
        account: usize,
        command: WorkerCommand,
    },
    Auth {
        account: usize,
        command: AuthCommand,
    },
    /// Reads from the account's local store; answers come as worker events.
    Store {
        account: usize,
        command: StoreCommand,
    },
    /// Save or open attachments, open links (on a thread of their own).
    Files(FilesCommand),
    /// Put text on the user's clipboard through the terminal (OSC 52).
    Copy(String),
    /// New mail: ring the bell and/or send a desktop notification, as the
    /// settings say (text already cleaned).
    Alert {
        bell: bool,
        body: String,
    },
    /// The terminal's window title.
    SetTitle(String),
    /// Keep every folder's order and threads for the next run.
    SaveFolderViews(crate::state::sort::FolderViews),
    /// Writing and sending mail (the editor runs in the app loop).
    Compose(ComposeCommand),
    /// Run a shell command with the message on its stdin (the app; the
    /// answer is [`Action::Piped`]).
    Pipe(crate::state::pipe::PipeRequest),
    /// Read the config file again ([`Action::Reloaded`]).
    Reload,
    /// `:set theme`: build the styles from this preset.
    SetTheme(crate::config::theme::Preset),
    Quit,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreCommand {
    /// The folder list and counts as last seen.
    LoadFolders,
    /// A folder's stored rows (pages of [`WorkerEvent::Stored`]).
    LoadFolder { path: String, req: u64 },
    /// A message from the kept bodies, else fetched by the worker.
    LoadMessage {
        folder: FolderRef,
        uid: u32,
        req: u64,
    },
    /// The folder's messages in thread order ([`WorkerEvent::Threads`]).
    Threads { path: String, req: u64 },
    /// Parts of a message by section number, from the kept body, else
    /// fetched by the worker ([`WorkerCommand::FetchParts`]).
    LoadParts(PartsRequest),
    /// The stored rows of these folders a query may match
    /// ([`WorkerEvent::FoundEverywhere`]).
    Everywhere {
        paths: Vec<String>,
        query: crate::query::Query,
        now: crate::query::Now,
        req: u64,
    },
}
