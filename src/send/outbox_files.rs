//! The outbox's file operations: private (0600 in a 0700 folder), never
//! through a symbolic link (O_NOFOLLOW), replaced atomically (temp file,
//! fsync, rename, fsync of the folder), read with a size limit.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Writes `bytes` to `dir/name` so that a crash leaves the old file or
/// the new one, never a piece. `tmp` is a name in `dir` only this process
/// uses.
pub fn write_atomic(dir: &Path, name: &str, tmp: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp_path = dir.join(tmp);
    let result = (|| {
        let mut f = match create_private(&tmp_path) {
            // Left by a crash of this very process id: never a link we follow
            // (removing a link removes the link).
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                fs::remove_file(&tmp_path)?;
                create_private(&tmp_path)
            }
            other => other,
        }?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp_path, dir.join(name))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp_path);
    }
    result
}

pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// The whole of a regular file, refusing links, other kinds of file and
/// anything over `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                io::Error::new(io::ErrorKind::InvalidData, "it is a symbolic link")
            } else {
                e
            }
        })?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "it is not a regular file",
        ));
    }
    if meta.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is {} bytes, over the limit of {limit}", meta.len()),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    f.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it grew over the limit of {limit} bytes"),
        ));
    }
    Ok(bytes)
}
