//! Attachments leaving mailtui: saved to the download dir, or opened with
//! the user's command. Runs on threads of its own, never on the UI task;
//! [`FileEvent`]s say how it went.

pub mod names;
pub mod open;
pub mod save;

use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use crate::mail::mime::parts::PartBytes;
pub use open::OpenedFiles;

/// Saves of at least this many bytes report progress.
pub const PROGRESS_MIN_BYTES: u64 = 1 << 20;

/// `[files]` in the config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilesSettings {
    pub download_dir: PathBuf,
    /// Program and arguments (split like a shell would, run without one);
    /// None: not set, opening says how to set it.
    pub open_command: Option<Vec<String>>,
}

impl Default for FilesSettings {
    fn default() -> Self {
        FilesSettings {
            download_dir: PathBuf::from("Downloads"),
            open_command: None,
        }
    }
}

/// The XDG download dir (`XDG_DOWNLOAD_DIR` in user-dirs.dirs), else
/// ~/Downloads.
pub fn default_download_dir() -> PathBuf {
    let user = directories::UserDirs::new();
    if let Some(d) = user.as_ref().and_then(|u| u.download_dir()) {
        return d.to_path_buf();
    }
    match user {
        Some(u) => u.home_dir().join("Downloads"),
        None => PathBuf::from("Downloads"),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilesCommand {
    /// Write the parts into `dir` under safe, new names.
    Save {
        op: u64,
        dir: PathBuf,
        parts: Vec<PartBytes>,
    },
    /// Write the part to a private temporary folder and run `command` on it.
    OpenPart {
        op: u64,
        command: Vec<String>,
        part: PartBytes,
    },
    /// Run `command` on a link.
    OpenLink {
        op: u64,
        command: Vec<String>,
        url: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileEvent {
    /// Bytes written so far of a large save.
    Progress {
        op: u64,
        name: String,
        done: u64,
        total: u64,
    },
    Saved {
        op: u64,
        report: save::SaveReport,
    },
    /// The command was run on this file or link.
    Opened {
        op: u64,
        what: String,
    },
    Failed {
        op: u64,
        error: String,
    },
}

/// Carries out one command on the calling thread, reporting to `events`.
pub fn run(command: FilesCommand, events: &UnboundedSender<FileEvent>, opened: &OpenedFiles) {
    // Nobody listening means the app is quitting: nothing to tell.
    let event = match command {
        FilesCommand::Save { op, dir, parts } => {
            let mut last = 0u64;
            let report = save::save(&dir, &parts, |name, done, total| {
                // About a hundred updates at most, only for large saves.
                if total >= PROGRESS_MIN_BYTES && (done - last >= total / 100 || done == total) {
                    last = done;
                    let _ = events.send(FileEvent::Progress {
                        op,
                        name: name.to_string(),
                        done,
                        total,
                    });
                }
            });
            FileEvent::Saved { op, report }
        }
        FilesCommand::OpenPart { op, command, part } => {
            match open::open_part(&command, &part, opened) {
                Ok(what) => FileEvent::Opened { op, what },
                Err(error) => FileEvent::Failed { op, error },
            }
        }
        FilesCommand::OpenLink { op, command, url } => match open::open_link(&command, &url) {
            Ok(()) => FileEvent::Opened { op, what: url },
            Err(error) => FileEvent::Failed { op, error },
        },
    };
    // File names are made safe already; links may carry tokens (a
    // password reset link): never logged.
    match &event {
        FileEvent::Saved { report, .. } => tracing::info!(
            dir = %report.dir.display(),
            saved = report.saved.len(),
            damaged = report.damaged.len(),
            failed = report.errors.len(),
            "attachments saved"
        ),
        FileEvent::Opened { .. } => tracing::info!("opened with open_command"),
        FileEvent::Failed { error, .. } => tracing::warn!("cannot open: {error}"),
        FileEvent::Progress { .. } => {}
    }
    let _ = events.send(event);
}

/// [`run`] on a new thread.
pub fn spawn(command: FilesCommand, events: UnboundedSender<FileEvent>, opened: OpenedFiles) {
    let started = std::thread::Builder::new()
        .name("mailtui-files".into())
        .spawn(move || run(command, &events, &opened));
    if let Err(e) = started {
        tracing::warn!("cannot start a thread for files: {e}");
    }
}
