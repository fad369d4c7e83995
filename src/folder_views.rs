//! The file that keeps each folder's order and threads between runs
//! (`folder-views.json` in the state dir); see [`crate::state::sort`] for
//! why it is not in the store. A file that is missing, too big or does not
//! parse is no views (the default order), never an error: it only holds
//! preferences.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::state::sort::{FolderViews, MAX_FOLDER_VIEWS};

/// Largest file read: 1000 folders of a few accounts with long paths fit
/// well within it.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Accounts read from the file; more are dropped.
pub const MAX_ACCOUNTS: usize = 100;

/// Where the running app keeps its views (unset: kept in memory only, as
/// in the demo and in tests).
static FILE: OnceLock<PathBuf> = OnceLock::new();

pub fn file_name(state_dir: &Path) -> PathBuf {
    state_dir.join("folder-views.json")
}

/// Sets the file for this run and reads what it holds.
pub fn open(path: PathBuf) -> FolderViews {
    let views = load(&path);
    let _ = FILE.set(path);
    views
}

pub fn load(path: &Path) -> FolderViews {
    let Ok(meta) = std::fs::metadata(path) else {
        return FolderViews::default();
    };
    if meta.len() > MAX_FILE_BYTES {
        tracing::warn!(path = %path.display(), "folder views file too big; not read");
        return FolderViews::default();
    }
    let Ok(text) = std::fs::read(path) else {
        return FolderViews::default();
    };
    match serde_json::from_slice::<FolderViews>(&text) {
        Ok(mut v) => {
            let names: Vec<String> = v.accounts.keys().skip(MAX_ACCOUNTS).cloned().collect();
            for n in names {
                v.accounts.remove(&n);
            }
            for views in v.accounts.values_mut() {
                while views.len() > MAX_FOLDER_VIEWS {
                    views.pop_last();
                }
            }
            v
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), "folder views file unreadable ({e}); not used");
            FolderViews::default()
        }
    }
}

/// Writes the views (a temporary file renamed over the old one, so a
/// crash leaves either whole).
pub fn save_to(path: &Path, views: &FolderViews) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(views).map_err(std::io::Error::other)?;
    crate::paths::replace_private(path, &text)
}

/// Saves to this run's file, if it has one. Small and rare (a sort key
/// pressed), so on the caller's thread: saves land in the order made.
pub fn save(views: &FolderViews) {
    if let Some(path) = FILE.get()
        && let Err(e) = save_to(path, views)
    {
        tracing::warn!(path = %path.display(), "could not save folder views: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::sort::{FolderView, SortBy, SortOrder, remember};

    #[test]
    fn views_survive_a_restart_and_bad_files_are_no_views() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_name(dir.path());
        assert_eq!(load(&path), FolderViews::default());
        let mut v = FolderViews::default();
        let work = v.accounts.entry("work".into()).or_default();
        let view = FolderView {
            sort: SortOrder {
                by: SortBy::Size,
                reverse: true,
            },
            threads: false,
        };
        assert!(remember(work, "Sent", view));
        save_to(&path, &v).unwrap();
        assert_eq!(load(&path), v);
        std::fs::write(&path, b"{ not json").unwrap();
        assert_eq!(load(&path), FolderViews::default());
        std::fs::write(&path, vec![b' '; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert_eq!(load(&path), FolderViews::default());
    }
}
