//! Local Maildir++ folders: the root is INBOX, `.Name.Sub` directories are
//! subfolders with modified UTF-7 names. Powers the bundled demo and local
//! mail. File I/O runs on the blocking pool so the worker's runtime thread
//! stays free.

use std::fs;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::backend::{FolderStatus, MailBackend, MailError, MailResult};
use super::envelope::{self, EnvelopeMeta};
use super::types::{Envelope, Flags, Folder, FolderRole, sort_folders};
use super::utf7;
use crate::sanitize::Clean;

pub struct MaildirBackend {
    root: PathBuf,
    /// Files of the open folder, oldest first; UID n is `files[n - 1]`.
    files: Vec<PathBuf>,
}

impl MaildirBackend {
    pub fn new(root: PathBuf) -> Self {
        MaildirBackend {
            root,
            files: Vec::new(),
        }
    }

    fn folder_dir(&self, path: &str) -> PathBuf {
        if path.eq_ignore_ascii_case("INBOX") {
            return self.root.clone();
        }
        let encoded: Vec<String> = path.split('/').map(utf7::encode).collect();
        self.root.join(format!(".{}", encoded.join(".")))
    }

    fn file(&self, uid: u32) -> MailResult<&PathBuf> {
        uid.checked_sub(1)
            .and_then(|i| self.files.get(i as usize))
            .ok_or_else(|| MailError::Command(format!("no message with id {uid}")))
    }
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> MailError {
    MailError::Network(format!("{what} {}: {e}", path.display()))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> MailResult<T> + Send + 'static,
) -> MailResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| MailError::Network(format!("maildir task failed: {e}")))?
}

fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() || dir.join("new").is_dir()
}

fn list_folders(root: &Path) -> MailResult<Vec<Folder>> {
    if !is_maildir(root) {
        return Err(MailError::Config(format!(
            "{} is not a Maildir (no cur/ or new/)",
            root.display()
        )));
    }
    let mut folders = vec![Folder {
        path: "INBOX".to_string(),
        name: Clean::line("Inbox"),
        depth: 0,
        selectable: true,
        role: FolderRole::Inbox,
    }];
    let entries = fs::read_dir(root).map_err(|e| io_err("cannot read", root, e))?;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else {
            continue;
        };
        let Some(dotted) = name.strip_prefix('.') else {
            continue;
        };
        if dotted.is_empty() || dotted.starts_with('.') || !entry.path().is_dir() {
            continue;
        }
        let parts: Vec<String> = dotted.split('.').map(utf7::decode).collect();
        let display = parts.last().cloned().unwrap_or_default();
        let path = parts.join("/");
        folders.push(Folder {
            role: FolderRole::guess(&path, &display),
            name: Clean::line(&display),
            depth: parts.len() - 1,
            selectable: is_maildir(&entry.path()),
            path,
        });
    }
    sort_folders(&mut folders, '/');
    Ok(folders)
}

fn list_files(dir: &Path) -> MailResult<Vec<PathBuf>> {
    let mut files = Vec::new();
    for sub in ["new", "cur"] {
        let d = dir.join(sub);
        match fs::read_dir(&d) {
            Ok(entries) => {
                files.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_file()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("cannot read", &d, e)),
        }
    }
    // Unique names start with the delivery time, so name order is arrival
    // order; new/ and cur/ interleave correctly.
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// Flags live in the file name after ":2,".
fn flags_of(path: &Path) -> Flags {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let info = name.rsplit_once(":2,").map(|(_, f)| f).unwrap_or("");
    Flags {
        seen: info.contains('S'),
        flagged: info.contains('F'),
        answered: info.contains('R'),
        draft: info.contains('D'),
        deleted: info.contains('T'),
    }
}

fn read_envelope(uid: u32, path: &Path) -> MailResult<Envelope> {
    let bytes = fs::read(path).map_err(|e| io_err("cannot read", path, e))?;
    let received = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64);
    let meta = EnvelopeMeta {
        uid,
        flags: flags_of(path),
        size: bytes.len() as u32,
        received,
        has_attachment: false,
    };
    Ok(envelope::envelope_from_raw(&bytes, meta))
}

/// Moves the file to cur/ with the seen flag set or cleared; returns the new path.
fn set_seen_flag(path: &Path, seen: bool) -> MailResult<PathBuf> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let (base, info) = name.rsplit_once(":2,").unwrap_or((name, ""));
    let mut letters: Vec<char> = info.chars().filter(|&c| c != 'S').collect();
    if seen {
        letters.push('S');
    }
    letters.sort_unstable();
    let folder = path
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| MailError::Command(format!("odd maildir path {}", path.display())))?;
    let target = folder
        .join("cur")
        .join(format!("{base}:2,{}", letters.iter().collect::<String>()));
    fs::rename(path, &target).map_err(|e| io_err("cannot rename", path, e))?;
    Ok(target)
}

impl MailBackend for MaildirBackend {
    async fn connect(&mut self) -> MailResult<()> {
        let root = self.root.clone();
        blocking(move || {
            if is_maildir(&root) {
                Ok(())
            } else {
                Err(MailError::Config(format!(
                    "{} is not a Maildir (no cur/ or new/)",
                    root.display()
                )))
            }
        })
        .await
    }

    async fn list_folders(&mut self) -> MailResult<Vec<Folder>> {
        let root = self.root.clone();
        blocking(move || list_folders(&root)).await
    }

    async fn open_folder(&mut self, path: &str) -> MailResult<FolderStatus> {
        let dir = self.folder_dir(path);
        self.files = blocking(move || list_files(&dir)).await?;
        Ok(FolderStatus {
            exists: self.files.len() as u32,
            uid_validity: None,
        })
    }

    async fn fetch_envelopes(&mut self, seqs: RangeInclusive<u32>) -> MailResult<Vec<Envelope>> {
        let wanted: Vec<(u32, PathBuf)> = seqs
            .filter_map(|seq| Some((seq, self.file(seq).ok()?.clone())))
            .collect();
        blocking(move || {
            wanted
                .iter()
                .map(|(uid, p)| read_envelope(*uid, p))
                .collect()
        })
        .await
    }

    async fn fetch_message(&mut self, uid: u32) -> MailResult<Vec<u8>> {
        let path = self.file(uid)?.clone();
        blocking(move || fs::read(&path).map_err(|e| io_err("cannot read", &path, e))).await
    }

    async fn set_seen(&mut self, uid: u32, seen: bool) -> MailResult<()> {
        let path = self.file(uid)?.clone();
        let new_path = blocking(move || set_seen_flag(&path, seen)).await?;
        if let Some(slot) = uid
            .checked_sub(1)
            .and_then(|i| self.files.get_mut(i as usize))
        {
            *slot = new_path;
        }
        Ok(())
    }

    async fn disconnect(&mut self) {
        self.files.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, body: &str) {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, body).unwrap();
    }

    #[tokio::test]
    async fn lists_nested_folders_opens_and_reads() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "cur/1000.a:2,S", "Subject: old\r\n\r\nx");
        write(
            root,
            "new/2000.b",
            "Subject: new\r\nFrom: Bob <b@x>\r\n\r\ny",
        );
        write(root, ".Work/cur/1.c:2,F", "Subject: w\r\n\r\n");
        write(root, ".Work.Entw&APw-rfe/cur/1.d:2,", "Subject: d\r\n\r\n");
        fs::create_dir_all(root.join(".Trash/new")).unwrap();

        let mut b = MaildirBackend::new(root.to_path_buf());
        b.connect().await.unwrap();
        let folders = b.list_folders().await.unwrap();
        let paths: Vec<&str> = folders.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["INBOX", "Trash", "Work", "Work/Entwürfe"]);
        assert_eq!(folders[3].name.as_str(), "Entwürfe");
        assert_eq!(folders[3].depth, 1);

        let st = b.open_folder("INBOX").await.unwrap();
        assert_eq!(st.exists, 2);
        let mut envs = b.fetch_envelopes(1..=2).await.unwrap();
        envs.sort_by_key(|e| e.uid);
        assert_eq!(envs[0].subject.as_str(), "old");
        assert!(envs[0].flags.seen);
        assert_eq!(envs[1].from.as_str(), "Bob");
        assert!(!envs[1].flags.seen);

        b.set_seen(2, true).await.unwrap();
        let envs = b.fetch_envelopes(2..=2).await.unwrap();
        assert!(envs[0].flags.seen);
        assert!(root.join("cur/2000.b:2,S").exists());

        let raw = b.fetch_message(1).await.unwrap();
        assert!(raw.starts_with(b"Subject: old"));
        assert!(b.fetch_message(9).await.is_err());

        assert_eq!(b.open_folder("Work/Entwürfe").await.unwrap().exists, 1);
    }

    #[tokio::test]
    async fn a_missing_maildir_is_a_config_error() {
        let mut b = MaildirBackend::new(PathBuf::from("/nonexistent/mailtui"));
        assert!(matches!(b.connect().await, Err(MailError::Config(_))));
    }
}
