//! Writing parts to the download dir: each under a safe name that is new
//! there (" (1)", " (2)" … added), created with `create_new` so that
//! neither another program nor a symlink planted at that name can make
//! mailtui overwrite or write through it. Runs on a thread of its own.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::names::{numbered, safe_name};
use crate::mail::mime::parts::PartBytes;

/// Names tried for one file before giving up (" (1)" … " (999)").
pub const MAX_NAME_TRIES: usize = 1000;

/// Bytes written at a time; progress is reported between writes.
pub const WRITE_CHUNK: usize = 1 << 20;

/// What one save did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SaveReport {
    pub dir: PathBuf,
    /// Paths written, in the order asked.
    pub saved: Vec<PathBuf>,
    /// Names of saved parts whose transfer encoding was damaged (what
    /// decoded was saved).
    pub damaged: Vec<String>,
    /// Why a part (or the whole save) failed; nothing of a failed file is
    /// left behind.
    pub errors: Vec<String>,
}

/// Creates `dir` (and its parents) if it is missing.
pub fn ensure_dir(dir: &Path) -> Result<(), String> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(format!("{} is not a folder", dir.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {}", dir.display(), reason(&e))),
        Err(e) => Err(format!("cannot use {}: {}", dir.display(), reason(&e))),
    }
}

/// Opens a file that did not exist in `dir`: `name`, else `name (1)`, …
/// O_CREAT|O_EXCL fails on an existing name, a symlink included (it is
/// never followed), so the next name is tried.
pub fn create_unique(dir: &Path, name: &str) -> io::Result<(File, PathBuf)> {
    for n in 0..MAX_NAME_TRIES {
        let candidate = if n == 0 {
            name.to_string()
        } else {
            numbered(name, n)
        };
        let path = dir.join(&candidate);
        // A safe name is one component: nothing can land elsewhere.
        if path.parent() != Some(dir) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a plain file name",
            ));
        }
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((f, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{MAX_NAME_TRIES} files of that name exist already"),
    ))
}

/// Writes `parts` into `dir`; `progress(name, done, total)` is called
/// between chunks with bytes over all parts.
pub fn save(
    dir: &Path,
    parts: &[PartBytes],
    mut progress: impl FnMut(&str, u64, u64),
) -> SaveReport {
    let mut report = SaveReport {
        dir: dir.to_path_buf(),
        ..SaveReport::default()
    };
    if let Err(e) = ensure_dir(dir) {
        report.errors.push(e);
        return report;
    }
    let total: u64 = parts.iter().map(|p| p.bytes.len() as u64).sum();
    let mut done = 0u64;
    for part in parts {
        let name = safe_name(part.file_name.as_deref(), &part.mime);
        match write_new(dir, &name, &part.bytes, |n| {
            progress(&name, done + n, total);
        }) {
            Ok(path) => {
                if part.damaged {
                    report.damaged.push(file_name(&path));
                }
                report.saved.push(path);
            }
            Err(e) => report.errors.push(format!("{name}: {e}")),
        }
        done += part.bytes.len() as u64;
    }
    report
}

/// One file under a new name in `dir`; removed again if writing fails.
pub fn write_new(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    mut progress: impl FnMut(u64),
) -> Result<PathBuf, String> {
    let (mut file, path) = create_unique(dir, name).map_err(|e| match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => format!(
            "{} is not writable ({}); set [files] download_dir",
            dir.display(),
            reason(&e)
        ),
        _ => format!("cannot create a file in {}: {}", dir.display(), reason(&e)),
    })?;
    let mut written = 0u64;
    let result = (|| {
        for chunk in bytes.chunks(WRITE_CHUNK) {
            file.write_all(chunk)?;
            written += chunk.len() as u64;
            progress(written);
        }
        file.sync_all()
    })();
    if let Err(e) = result {
        drop(file);
        let _ = std::fs::remove_file(&path);
        return Err(format!("cannot write {}: {}", path.display(), reason(&e)));
    }
    Ok(path)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The OS error without Rust's "(os error 13)".
fn reason(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
#[path = "save_tests.rs"]
mod tests;
