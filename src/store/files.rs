//! The store's files on disk: the database, its `-wal` and `-shm`, the
//! copies moved aside as damaged, and the private folder they live in.
//! Mail bodies sit in these files, so they are for the user alone: the
//! folder 0700, every file 0600, and no symbolic link followed.

use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Damaged copies kept per account (newest first): enough to look at what
/// went wrong, few enough that a cache broken every day does not fill the
/// disk with mail.
pub const KEEP_BROKEN: usize = 2;

/// What SQLite keeps beside a database in WAL mode.
const COMPANIONS: [&str; 2] = ["-wal", "-shm"];

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// The database file and the WAL files beside it.
pub fn store_files(path: &Path) -> [PathBuf; 3] {
    [
        path.to_path_buf(),
        with_suffix(path, COMPANIONS[0]),
        with_suffix(path, COMPANIONS[1]),
    ]
}

/// The cache folder, created 0700, and made 0700 if it was made wider
/// before (as the token folder is).
pub fn private_dir(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let mode = fs::metadata(dir)?.permissions().mode() & 0o777;
    if mode != 0o700 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Why a database file cannot be used as it is; never a reason to move it.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(
        "{0} is a symbolic link; the cache does not follow links (it would write its tables wherever the link points); remove the link"
    )]
    Symlink(PathBuf),
    #[error("{0} is not a regular file")]
    NotAFile(PathBuf),
    #[error("cannot open {0}: {1}")]
    Io(PathBuf, io::Error),
}

/// Takes the lock that says this process uses the store at `path` (a
/// `.lock` file beside it, 0600, held with `flock` while the returned file
/// is open; the kernel lets go when the process ends, however it ends).
/// None when another process holds it.
pub fn lock(path: &Path) -> io::Result<Option<fs::File>> {
    if let Some(dir) = path.parent() {
        private_dir(dir)?;
    }
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(PathBuf::from(name))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(fs::TryLockError::WouldBlock) => Ok(None),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Makes the database file ready for SQLite: no link at any of its three
/// names, the database created 0600 by us, and any file left 0644 by an
/// older mailtui made 0600.
///
/// Why create it ourselves rather than set the umask: the umask is
/// process-wide (other threads create files meanwhile) and SQLite would
/// create the file with 0644 under the usual umask. SQLite creates `-wal`
/// and `-shm` with exactly the mode of the database file (it fchmods them,
/// whatever the umask), so a 0600 database gives 0600 companions;
/// [`tighten`] covers companions that already existed.
pub fn prepare(path: &Path) -> Result<(), FileError> {
    for p in store_files(path) {
        if fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(FileError::Symlink(p));
        }
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            // A link made between the check above and here.
            Some(libc::ELOOP) => FileError::Symlink(path.to_path_buf()),
            _ => FileError::Io(path.to_path_buf(), e),
        });
    let file = match file {
        Ok(f) => f,
        // A file we may not write (a read-only mount): SQLite opens it
        // read-only, or says why not; there is nothing to tighten.
        Err(FileError::Io(_, e))
            if matches!(e.raw_os_error(), Some(libc::EACCES | libc::EROFS))
                && fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) =>
        {
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let meta = file
        .metadata()
        .map_err(|e| FileError::Io(path.to_path_buf(), e))?;
    if !meta.is_file() {
        return Err(FileError::NotAFile(path.to_path_buf()));
    }
    if meta.permissions().mode() & 0o777 != 0o600 {
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| FileError::Io(path.to_path_buf(), e))?;
    }
    tighten(path);
    Ok(())
}

/// Makes existing `-wal` and `-shm` files 0600 (never through a link).
pub fn tighten(path: &Path) {
    for p in &store_files(path)[1..] {
        let Ok(meta) = fs::symlink_metadata(p) else {
            continue;
        };
        if meta.is_file() && meta.permissions().mode() & 0o777 != 0o600 {
            let _ = fs::set_permissions(p, fs::Permissions::from_mode(0o600));
        }
    }
}

/// A database moved aside as damaged, with its WAL files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenCopy {
    /// When it was moved, `YYYYmmddHHMMSS` in UTC (sorts by time).
    pub stamp: String,
    pub files: Vec<PathBuf>,
    pub bytes: u64,
}

impl BrokenCopy {
    /// The database file of the copy (absent if only its WAL survived).
    pub fn main_file(&self) -> Option<&Path> {
        self.files
            .iter()
            .find(|f| f.to_string_lossy().ends_with(&self.stamp))
            .map(PathBuf::as_path)
    }
}

/// The copies of `path` moved aside, oldest first.
pub fn broken_copies(path: &Path) -> Vec<BrokenCopy> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let prefix = format!("{}.broken-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut copies: Vec<BrokenCopy> = Vec::new();
    for e in entries.flatten() {
        let file_name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let stamp = COMPANIONS
            .iter()
            .find_map(|c| rest.strip_suffix(c))
            .unwrap_or(rest)
            .to_string();
        let bytes = e.metadata().map(|m| m.len()).unwrap_or(0);
        match copies.iter_mut().find(|c| c.stamp == stamp) {
            Some(c) => {
                c.files.push(e.path());
                c.bytes += bytes;
            }
            None => copies.push(BrokenCopy {
                stamp,
                files: vec![e.path()],
                bytes,
            }),
        }
    }
    copies.sort_by(|a, b| a.stamp.cmp(&b.stamp));
    copies
}

/// Deletes a copy's files; the bytes freed.
pub fn remove_copy(copy: &BrokenCopy) -> io::Result<u64> {
    for f in &copy.files {
        match fs::remove_file(f) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", f.display()))),
        }
    }
    Ok(copy.bytes)
}

/// Renames the database and its WAL files to `*.broken-<time>` (deletes
/// them if even that fails), then keeps only the newest [`KEEP_BROKEN`]
/// copies.
pub fn move_aside(path: &Path) {
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
    for (from, suffix) in store_files(path).iter().zip(["", "-wal", "-shm"]) {
        if fs::symlink_metadata(from).is_err() {
            continue;
        }
        let to = with_suffix(path, &format!(".broken-{stamp}{suffix}"));
        if fs::rename(from, to).is_err() {
            let _ = fs::remove_file(from);
        }
    }
    let copies = broken_copies(path);
    let extra = copies.len().saturating_sub(KEEP_BROKEN);
    for old in &copies[..extra] {
        if let Err(e) = remove_copy(old) {
            tracing::warn!("cannot delete an old damaged cache copy: {e}");
        }
    }
}
