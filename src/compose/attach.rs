//! Reading a file to attach, with the checks that keep a send from
//! hanging or swallowing memory: the path must be a regular file (a FIFO
//! would block the read forever, a device never end) and not too big.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest file attached (Exchange's own ceiling is 150 MB for the whole
/// message, base64 adds a third, and most servers take far less).
pub const MAX_ATTACHMENT_BYTES: u64 = 100 << 20;
/// Largest sum of all attachments of one message.
pub const MAX_TOTAL_ATTACHMENT_BYTES: u64 = 150 << 20;
/// Most attachments in one message.
pub const MAX_ATTACHMENTS: usize = 200;

#[derive(Debug)]
pub enum AttachmentError {
    Missing(PathBuf),
    Directory(PathBuf),
    NotAFile(PathBuf),
    TooBig {
        path: PathBuf,
        size: u64,
    },
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl fmt::Display for AttachmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttachmentError::Missing(p) => {
                write!(f, "The attachment {} does not exist.", p.display())
            }
            AttachmentError::Directory(p) => write!(
                f,
                "The attachment {} is a directory; only files can be attached.",
                p.display()
            ),
            AttachmentError::NotAFile(p) => write!(
                f,
                "The attachment {} is not a regular file (a pipe, device or socket); only files can be attached.",
                p.display()
            ),
            AttachmentError::TooBig { path, size } => write!(
                f,
                "The attachment {} is {} MB; attachments are limited to {} MB.",
                path.display(),
                size.div_ceil(1 << 20),
                MAX_ATTACHMENT_BYTES >> 20
            ),
            AttachmentError::Unreadable { path, error } => {
                write!(
                    f,
                    "The attachment {} could not be read: {error}.",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for AttachmentError {}

/// Checks `path` as [`read_file`] does, without reading it: for the
/// review screen's attach prompt.
pub fn check_file(path: &Path) -> Result<u64, AttachmentError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => AttachmentError::Missing(path.to_path_buf()),
        _ => AttachmentError::Unreadable {
            path: path.to_path_buf(),
            error: e,
        },
    })?;
    check_meta(path, &meta)
}

fn check_meta(path: &Path, meta: &std::fs::Metadata) -> Result<u64, AttachmentError> {
    if meta.is_dir() {
        return Err(AttachmentError::Directory(path.to_path_buf()));
    }
    if !meta.is_file() {
        return Err(AttachmentError::NotAFile(path.to_path_buf()));
    }
    if meta.len() > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooBig {
            path: path.to_path_buf(),
            size: meta.len(),
        });
    }
    Ok(meta.len())
}

/// The bytes of the file at `path`. Checked before it is opened, opened
/// without blocking (a FIFO swapped in after the check cannot hang), and
/// checked again on the open file; read no further than the limit.
pub fn read_file(path: &Path) -> Result<Vec<u8>, AttachmentError> {
    check_file(path)?;
    let unreadable = |error| AttachmentError::Unreadable {
        path: path.to_path_buf(),
        error,
    };
    let file = open_nonblocking(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    let size = check_meta(path, &meta)?;
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_ATTACHMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooBig {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
        });
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().read(true).open(path)
}
