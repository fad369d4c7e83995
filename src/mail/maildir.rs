//! Local Maildir++ folders: the root is INBOX, `.Name.Sub` directories are
//! subfolders with modified UTF-7 names. Powers the bundled demo and local
//! mail. File I/O runs on the blocking pool so the worker's runtime thread
//! stays free.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use super::backend::{
    Change, Features, FlagScan, FolderCount, KnownState, MailBackend, MailError, MailResult, Moved,
    Noticed, Selected,
};
use super::envelope::EnvelopeMeta;
use super::list_row;
use super::types::{FlagKind, FlagUpdate, Flags, Folder, FolderRole, NewMessage, sort_folders};
use super::utf7;
use crate::sanitize::Clean;

pub struct MaildirBackend {
    root: PathBuf,
    /// Fixed for the life of the process: the UIDs below are too.
    uid_validity: u32,
    folders: HashMap<String, FolderIndex>,
    selected: Option<String>,
    changes: Vec<Change>,
}

/// UIDs of one folder's files, given in name order the first time a file
/// is seen, so they stay put while files come and go.
#[derive(Default)]
struct FolderIndex {
    next_uid: u32,
    by_name: HashMap<String, u32>,
    files: BTreeMap<u32, PathBuf>,
}

/// How often the selected folder is looked at for changes.
const POLL: Duration = Duration::from_secs(2);
/// Messages larger than this are not searched through.
const SEARCH_FILE_LIMIT: u64 = 16 * 1024 * 1024;
/// Bytes read of a file for its list row: the header block is enough.
const HEADER_LIMIT: usize = 256 * 1024;

impl MaildirBackend {
    pub fn new(root: PathBuf) -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_secs() as u32);
        MaildirBackend {
            root,
            uid_validity: now.max(1),
            folders: HashMap::new(),
            selected: None,
            changes: Vec::new(),
        }
    }

    fn folder_dir(&self, path: &str) -> PathBuf {
        if path.eq_ignore_ascii_case("INBOX") {
            return self.root.clone();
        }
        let encoded: Vec<String> = path.split('/').map(utf7::encode).collect();
        self.root.join(format!(".{}", encoded.join(".")))
    }

    fn index(&self) -> MailResult<&FolderIndex> {
        self.selected
            .as_ref()
            .and_then(|p| self.folders.get(p))
            .ok_or_else(|| MailError::Command("no folder is open".into()))
    }

    fn file(&self, uid: u32) -> MailResult<PathBuf> {
        self.index()?
            .files
            .get(&uid)
            .cloned()
            .ok_or_else(|| MailError::Command(format!("message {uid} is gone")))
    }

    /// Reads the folder again; returns what changed since the last look.
    async fn rescan(&mut self, path: &str) -> MailResult<Rescan> {
        let dir = self.folder_dir(path);
        let files = blocking(move || list_files(&dir)).await?;
        let index = self.folders.entry(path.to_string()).or_default();
        let mut files_by_uid = BTreeMap::new();
        let mut seen = std::collections::HashSet::new();
        for f in files {
            let name = unique_name(&f);
            let uid = *index.by_name.entry(name.clone()).or_insert_with(|| {
                index.next_uid += 1;
                index.next_uid
            });
            seen.insert(name);
            files_by_uid.insert(uid, f);
        }
        index.by_name.retain(|n, _| seen.contains(n));
        let old = std::mem::replace(&mut index.files, files_by_uid);
        let mut r = Rescan::default();
        for (uid, f) in &index.files {
            match old.get(uid) {
                None => r.new = true,
                Some(o) if flags_of(o) != flags_of(f) => r.flags.push(FlagUpdate {
                    uid: *uid,
                    flags: flags_of(f),
                }),
                _ => {}
            }
        }
        r.gone = old
            .keys()
            .filter(|u| !index.files.contains_key(u))
            .copied()
            .collect();
        Ok(r)
    }
}

#[derive(Default)]
struct Rescan {
    new: bool,
    gone: Vec<u32>,
    flags: Vec<FlagUpdate>,
}

/// The part of a Maildir file name that stays when its flags change.
fn unique_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.rsplit_once(":2,") {
        Some((base, _)) => base.to_string(),
        None => name,
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

fn read_row(uid: u32, path: &Path) -> MailResult<NewMessage> {
    use std::io::Read;
    let mut head = Vec::new();
    let file = fs::File::open(path).map_err(|e| io_err("cannot read", path, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    file.take(HEADER_LIMIT as u64)
        .read_to_end(&mut head)
        .map_err(|e| io_err("cannot read", path, e))?;
    let end = find_blank_line(&head).unwrap_or(head.len());
    let received = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64);
    let meta = EnvelopeMeta {
        uid,
        flags: flags_of(path),
        size: size.min(u64::from(u32::MAX)) as u32,
        received,
        has_attachment: false,
    };
    Ok(list_row::from_headers(&head[..end], meta))
}

/// Whether one message may match (within [`SEARCH_FILE_LIMIT`]): its
/// headers decide, unless the query `reads_text` (bare words, `body:`,
/// `has:attachment`), which needs the message parsed. What it cannot tell
/// (`folder:`, `account:`) counts as a match: the list checks.
fn search_file(
    matcher: &crate::query::Matcher<'_>,
    reads_text: bool,
    uid: u32,
    path: &Path,
) -> bool {
    use crate::query::{Facts, Known, Verdict};
    let small = fs::metadata(path).is_ok_and(|m| m.len() <= SEARCH_FILE_LIMIT);
    let Some(bytes) = small.then(|| fs::read(path).ok()).flatten() else {
        return false;
    };
    let block = super::mime::headers::find_block(&bytes, 0, bytes.len(), |_| false);
    let h = super::mime::headers::message_headers(&bytes, block.header.clone());
    let meta = EnvelopeMeta {
        uid,
        flags: flags_of(path),
        size: bytes.len().min(u32::MAX as usize) as u32,
        received: None,
        has_attachment: false,
    };
    let row = list_row::from_headers(&bytes[block.header.clone()], meta).envelope;
    fn whole(f: &Option<String>) -> Known<'_> {
        Known::Whole(f.as_deref().unwrap_or(""))
    }
    let headers = Facts {
        from: whole(&h.from),
        to: whole(&h.to),
        cc: whole(&h.cc),
        // The attachment mark needs the parts: see below.
        has_attachment: None,
        ..Facts::envelope(&row)
    };
    if !reads_text {
        return matcher.eval(&headers) != Verdict::No;
    }
    let view = super::message::parse(uid, &bytes);
    let all = Facts {
        body: Known::Whole(view.body.as_str()),
        has_attachment: Some(!view.attachments.is_empty()),
        ..headers
    };
    matcher.eval(&all) != Verdict::No
}

/// End of the header block (the empty line), if it is within `head`.
fn find_blank_line(head: &[u8]) -> Option<usize> {
    let crlf = head
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = head.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn flag_letter(flag: FlagKind) -> char {
    match flag {
        FlagKind::Seen => 'S',
        FlagKind::Flagged => 'F',
        FlagKind::Answered => 'R',
        FlagKind::Deleted => 'T',
        FlagKind::Draft => 'D',
        FlagKind::Forwarded => 'P',
    }
}

/// Puts a message into a Maildir (made if missing) the way delivery
/// agents do: written in tmp/, then renamed into cur/ with its flags, so
/// a reader never sees half a file.
pub fn deliver(dir: &Path, bytes: &[u8], letters: &str) -> std::io::Result<PathBuf> {
    use std::io::Write as _;
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    for sub in ["tmp", "new", "cur"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let base = format!(
        "{}.M{}P{}Q{}.mailtui",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    );
    let tmp = dir.join("tmp").join(&base);
    let mut f = fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    let mut letters: Vec<char> = letters.chars().collect();
    letters.sort_unstable();
    letters.dedup();
    let target = dir
        .join("cur")
        .join(format!("{base}:2,{}", letters.iter().collect::<String>()));
    fs::rename(&tmp, &target)?;
    Ok(target)
}

/// Moves the file to cur/ with one flag set or cleared; returns the new path.
fn set_flag(path: &Path, flag: FlagKind, on: bool) -> MailResult<PathBuf> {
    let letter = flag_letter(flag);
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let (base, info) = name.rsplit_once(":2,").unwrap_or((name, ""));
    let mut letters: Vec<char> = info.chars().filter(|&c| c != letter).collect();
    if on {
        letters.push(letter);
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

    fn features(&self) -> Features {
        Features::default()
    }

    async fn list_folders(&mut self) -> MailResult<Vec<Folder>> {
        let root = self.root.clone();
        blocking(move || list_folders(&root)).await
    }

    async fn select(&mut self, path: &str, _known: Option<KnownState>) -> MailResult<Selected> {
        self.rescan(path).await?;
        self.selected = Some(path.to_string());
        self.changes.clear();
        let index = self.index()?;
        Ok(Selected {
            exists: index.files.len() as u32,
            uid_validity: self.uid_validity,
            uid_next: Some(index.next_uid + 1),
            highest_modseq: None,
            changes: None,
            read_only: false,
        })
    }

    async fn all_uids(&mut self) -> MailResult<Vec<u32>> {
        Ok(self.index()?.files.keys().copied().collect())
    }

    async fn fetch_rows(&mut self, uids: &[u32]) -> MailResult<Vec<NewMessage>> {
        let index = self.index()?;
        let wanted: Vec<(u32, PathBuf)> = uids
            .iter()
            .filter_map(|u| Some((*u, index.files.get(u)?.clone())))
            .collect();
        blocking(move || {
            // A file moved away meanwhile is simply not listed.
            Ok(wanted
                .iter()
                .filter_map(|(uid, p)| read_row(*uid, p).ok())
                .collect())
        })
        .await
    }

    async fn fetch_rows_above(&mut self, uid: u32) -> MailResult<Vec<NewMessage>> {
        let above: Vec<u32> = self
            .index()?
            .files
            .range(uid.saturating_add(1)..)
            .map(|(u, _)| *u)
            .collect();
        self.fetch_rows(&above).await
    }

    async fn fetch_flags(&mut self, lo: u32, hi: u32, _since: Option<u64>) -> MailResult<FlagScan> {
        Ok(FlagScan {
            flags: self
                .index()?
                .files
                .range(lo..=hi.max(lo))
                .map(|(uid, p)| FlagUpdate {
                    uid: *uid,
                    flags: flags_of(p),
                })
                .collect(),
            vanished: Vec::new(),
        })
    }

    async fn fetch_message(&mut self, uid: u32) -> MailResult<Vec<u8>> {
        let path = self.file(uid)?;
        blocking(move || fs::read(&path).map_err(|e| io_err("cannot read", &path, e))).await
    }

    async fn store_flag(&mut self, uids: &[u32], flag: FlagKind, on: bool) -> MailResult<()> {
        for uid in uids {
            let path = self.file(*uid)?;
            let new_path = blocking(move || set_flag(&path, flag, on)).await?;
            if let Some(p) = self
                .selected
                .as_ref()
                .and_then(|s| self.folders.get_mut(s))
                .and_then(|i| i.files.get_mut(uid))
            {
                *p = new_path;
            }
        }
        Ok(())
    }

    async fn append(&mut self, path: &str, bytes: &[u8], flags: &[FlagKind]) -> MailResult<()> {
        let dir = self.folder_dir(path);
        let bytes = bytes.to_vec();
        let letters: String = flags.iter().map(|f| flag_letter(*f)).collect();
        blocking(move || {
            deliver(&dir, &bytes, &letters)
                .map(|_| ())
                .map_err(|e| io_err("cannot store a message in", &dir, e))
        })
        .await?;
        // Into the open folder: the list learns of it now, as an IMAP
        // server would say EXISTS, not at the next poll.
        if self.selected.as_deref() == Some(path) && self.rescan(path).await?.new {
            self.changes.push(Change::NewMail);
        }
        Ok(())
    }

    async fn move_messages(&mut self, uids: &[u32], to: &str) -> MailResult<Moved> {
        let target = self.folder_dir(to);
        if !is_maildir(&target) {
            return Err(MailError::Command(format!("there is no folder {to}")));
        }
        let mut moved = Vec::new();
        for uid in uids {
            let Ok(from) = self.file(*uid) else { continue };
            let name = from
                .file_name()
                .map(|n| n.to_os_string())
                .unwrap_or_default();
            let dest = target.join("cur").join(&name);
            let f = from.clone();
            blocking(move || fs::rename(&f, &dest).map_err(|e| io_err("cannot move", &f, e)))
                .await?;
            moved.push((*uid, unique_name(&from)));
        }
        if let Some(index) = self.selected.as_ref().and_then(|s| self.folders.get_mut(s)) {
            for (uid, name) in &moved {
                index.files.remove(uid);
                index.by_name.remove(name);
            }
        }
        // The target learns the names now, so the new UIDs can be told.
        let index = self.folders.entry(to.to_string()).or_default();
        let pairs = moved
            .into_iter()
            .map(|(uid, name)| {
                let new = *index.by_name.entry(name).or_insert_with(|| {
                    index.next_uid += 1;
                    index.next_uid
                });
                (uid, new)
            })
            .collect::<Vec<_>>();
        Ok(Moved {
            copyuid: (!pairs.is_empty()).then_some((self.uid_validity, pairs)),
            removed: true,
        })
    }

    async fn expunge_messages(&mut self, uids: &[u32]) -> MailResult<bool> {
        for uid in uids {
            let Ok(path) = self.file(*uid) else { continue };
            let p = path.clone();
            blocking(move || fs::remove_file(&p).map_err(|e| io_err("cannot delete", &p, e)))
                .await?;
            if let Some(index) = self.selected.as_ref().and_then(|s| self.folders.get_mut(s)) {
                index.files.remove(uid);
                index.by_name.remove(&unique_name(&path));
            }
        }
        Ok(true)
    }

    async fn search(
        &mut self,
        query: &crate::query::Query,
        now: &crate::query::Now,
    ) -> MailResult<Vec<u32>> {
        let files: Vec<(u32, PathBuf)> = self
            .index()?
            .files
            .iter()
            .map(|(u, p)| (*u, p.clone()))
            .collect();
        let (query, now) = (query.clone(), *now);
        let mut reads_text = false;
        query.expr().each_term(&mut |t| {
            use crate::query::{Term, TextField};
            reads_text |= matches!(
                t,
                Term::Text(TextField::Any | TextField::Body, _) | Term::HasAttachment
            );
        });
        blocking(move || {
            let matcher = query.matcher(&now);
            Ok(files
                .into_iter()
                .filter(|(uid, p)| search_file(&matcher, reads_text, *uid, p))
                .map(|(u, _)| u)
                .collect())
        })
        .await
    }

    async fn find_message_ids(&mut self, ids: &[String]) -> MailResult<Vec<u32>> {
        let files: Vec<(u32, PathBuf)> = self
            .index()?
            .files
            .iter()
            .map(|(u, p)| (*u, p.clone()))
            .collect();
        let ids: std::collections::HashSet<String> = ids.iter().cloned().collect();
        blocking(move || {
            Ok(files
                .into_iter()
                .filter(|(u, p)| {
                    read_row(*u, p)
                        .is_ok_and(|r| r.ids.message_id.is_some_and(|m| ids.contains(&m)))
                })
                .map(|(u, _)| u)
                .collect())
        })
        .await
    }

    async fn watch(
        &mut self,
        max: Duration,
        stop: impl Future<Output = ()> + Send,
    ) -> MailResult<()> {
        tokio::select! {
            () = stop => return Ok(()),
            () = tokio::time::sleep(max.min(POLL)) => {}
        }
        let Some(path) = self.selected.clone() else {
            return Ok(());
        };
        let r = self.rescan(&path).await?;
        if !r.gone.is_empty() {
            self.changes.push(Change::Expunged(r.gone));
        }
        if !r.flags.is_empty() {
            self.changes.push(Change::Flags(r.flags));
        }
        if r.new {
            self.changes.push(Change::NewMail);
        }
        Ok(())
    }

    fn take_changes(&mut self) -> Noticed {
        Noticed {
            folder: self.selected.clone(),
            changes: std::mem::take(&mut self.changes),
        }
    }

    async fn folder_counts(&mut self, paths: &[String]) -> MailResult<Vec<FolderCount>> {
        let dirs: Vec<(String, PathBuf)> = paths
            .iter()
            .map(|p| (p.clone(), self.folder_dir(p)))
            .collect();
        blocking(move || {
            Ok(dirs
                .into_iter()
                .filter_map(|(path, dir)| {
                    let files = list_files(&dir).ok()?;
                    Some(FolderCount {
                        path,
                        total: files.len() as u32,
                        unseen: files.iter().filter(|f| !flags_of(f).seen).count() as u32,
                    })
                })
                .collect())
        })
        .await
    }

    async fn disconnect(&mut self) {
        // UIDs must outlive a reconnect; only the selection goes.
        self.selected = None;
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

        let st = b.select("INBOX", None).await.unwrap();
        assert_eq!(st.exists, 2);
        let uids = b.all_uids().await.unwrap();
        assert_eq!(uids, [1, 2], "name order: oldest first");
        let mut rows = b.fetch_rows(&uids).await.unwrap();
        rows.sort_by_key(|r| r.envelope.uid);
        assert_eq!(rows[0].envelope.subject.as_str(), "old");
        assert!(rows[0].envelope.flags.seen);
        assert_eq!(rows[1].envelope.from.as_str(), "Bob");
        assert!(!rows[1].envelope.flags.seen);

        b.store_flag(&[2], FlagKind::Seen, true).await.unwrap();
        b.store_flag(&[2], FlagKind::Flagged, true).await.unwrap();
        let scan = b.fetch_flags(1, 2, None).await.unwrap();
        assert!(scan.flags[1].flags.seen && scan.flags[1].flags.flagged);
        assert!(root.join("cur/2000.b:2,FS").exists());

        let raw = b.fetch_message(1).await.unwrap();
        assert!(raw.starts_with(b"Subject: old"));
        assert!(b.fetch_message(9).await.is_err());

        assert_eq!(b.select("Work/Entwürfe", None).await.unwrap().exists, 1);
    }

    #[tokio::test]
    async fn uids_stay_put_and_watch_sees_changes_from_outside() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "cur/1000.a:2,", "Subject: a\r\n\r\n");
        write(root, "cur/2000.b:2,", "Subject: b\r\n\r\n");
        let mut b = MaildirBackend::new(root.to_path_buf());
        let v = b.select("INBOX", None).await.unwrap().uid_validity;
        // Another program delivers, reads and deletes.
        write(root, "new/0500.early", "Subject: sorts first\r\n\r\n");
        fs::rename(root.join("cur/2000.b:2,"), root.join("cur/2000.b:2,S")).unwrap();
        fs::remove_file(root.join("cur/1000.a:2,")).unwrap();
        b.watch(Duration::from_millis(10), std::future::pending())
            .await
            .unwrap();
        let changes = b.take_changes().changes;
        assert!(changes.contains(&Change::Expunged(vec![1])), "{changes:?}");
        assert!(changes.contains(&Change::NewMail), "{changes:?}");
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::Flags(f) if f[0].uid == 2 && f[0].flags.seen))
        );
        // The newcomer gets a new UID even though its name sorts first.
        let rows = b.fetch_rows_above(2).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].envelope.uid, rows[0].envelope.subject.as_str()),
            (3, "sorts first")
        );
        b.disconnect().await;
        assert_eq!(b.select("INBOX", None).await.unwrap().uid_validity, v);
        assert_eq!(b.all_uids().await.unwrap(), [2, 3]);
    }

    #[tokio::test]
    async fn a_query_is_evaluated_over_whole_messages() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let msg = |from: &str, to: &str, subject: &str, body: &str| {
            format!(
                "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
            )
        };
        write(
            root,
            "cur/1.a:2,S",
            &msg("Jürgen <j@x>", "Bob <bob@y>", "Grüße", "Der Schlüssel."),
        );
        write(
            root,
            "cur/2.b:2,",
            &msg("Anna <a@x>", "Carol <c@y>", "Hallo", "SCHLÜSSEL hier."),
        );
        write(
            root,
            "cur/3.c:2,",
            &msg("Anna <a@x>", "Bob <bob@y>", "Rechnung", "Nichts."),
        );
        let mut b = MaildirBackend::new(root.to_path_buf());
        b.select("INBOX", None).await.unwrap();
        let now = crate::query::Now {
            unix: 1_800_000_000,
            utc_offset: 0,
        };
        for (q, want) in [
            ("schlüssel", vec![1, 2]),
            ("body:schlüssel -from:jürgen", vec![2]),
            ("to:bob", vec![1, 3]),
            ("to:bob is:unread", vec![3]),
            ("from:a@x subject:hallo", vec![2]),
            // Not the list's to tell here: counted in, the list checks.
            ("folder:Archive", vec![1, 2, 3]),
        ] {
            let query = crate::query::parse(q).unwrap();
            assert_eq!(b.search(&query, &now).await.unwrap(), want, "{q}");
        }
    }

    #[tokio::test]
    async fn a_stop_ends_the_wait_at_once() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "cur/1.a:2,", "Subject: a\r\n\r\n");
        let mut b = MaildirBackend::new(tmp.path().to_path_buf());
        b.select("INBOX", None).await.unwrap();
        let t = std::time::Instant::now();
        b.watch(Duration::from_secs(30), async {}).await.unwrap();
        assert!(t.elapsed() < Duration::from_secs(1));
        assert!(b.take_changes().changes.is_empty());
    }

    #[tokio::test]
    async fn a_missing_maildir_is_a_config_error() {
        let mut b = MaildirBackend::new(PathBuf::from("/nonexistent/mailtui"));
        assert!(matches!(b.connect().await, Err(MailError::Config(_))));
    }
}
