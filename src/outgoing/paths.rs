//! Files around writing mail: the editor's file, a file to attach (checked
//! before anything opens it), and Tab completion of a typed path.

use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

/// Entries of one directory looked at for a completion.
pub const MAX_COMPLETION_ENTRIES: usize = 10_000;

/// Writes the editor's file, readable by the user alone, never over
/// another.
pub fn new_editor_file(dir: &Path, id: u64, now: i64, text: &str) -> std::io::Result<PathBuf> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let file = dir.join(format!("{now}-{}-{id}.eml", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&file)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(file)
}

/// `~/x` as the home directory's x.
pub fn expand(path: &str) -> PathBuf {
    let path = path.trim();
    match path.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|b| b.home_dir().join(rest))
            .unwrap_or_else(|| PathBuf::from(path)),
        None => PathBuf::from(path),
    }
}

/// A file fit to attach.
#[derive(Debug, PartialEq, Eq)]
pub struct Attachable {
    pub path: PathBuf,
    pub name: String,
    pub mime: String,
    pub size: u64,
}

/// Checks a path before anything opens it (see
/// [`compose::check_file`](crate::compose::check_file): a regular file
/// within the size limit; a FIFO or device is never opened). Each refusal
/// is a sentence naming the path.
pub fn attachable(typed: &str) -> Result<Attachable, String> {
    if typed.trim().is_empty() {
        return Err("no file named".into());
    }
    let path = expand(typed);
    let size = crate::compose::check_file(&path).map_err(|e| e.to_string())?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "attachment".to_string());
    let mime = crate::compose::guess_mime(&name);
    Ok(Attachable {
        path,
        name,
        mime,
        size,
    })
}

/// Completes the last part of a typed path as far as the names that fit
/// agree; a single folder gets its `/`. Returns the new text and, when
/// several names fit, those names.
pub fn complete(typed: &str) -> (String, Vec<String>) {
    let (dir_part, prefix) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let dir = if dir_part.is_empty() {
        PathBuf::from(".")
    } else {
        expand(dir_part)
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (typed.to_string(), Vec::new());
    };
    let mut names: Vec<(String, bool)> = entries
        .take(MAX_COMPLETION_ENTRIES)
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let hidden_ok = prefix.starts_with('.') || !name.starts_with('.');
            (name.starts_with(prefix) && hidden_ok).then(|| {
                let is_dir = std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir());
                (name, is_dir)
            })
        })
        .collect();
    names.sort();
    match names.as_slice() {
        [] => (typed.to_string(), Vec::new()),
        [(name, is_dir)] => {
            let slash = if *is_dir { "/" } else { "" };
            (format!("{dir_part}{name}{slash}"), Vec::new())
        }
        many => {
            let first = &many[0].0;
            let common = many.iter().fold(first.len(), |n, (name, _)| {
                first
                    .char_indices()
                    .zip(name.chars())
                    .take_while(|((_, a), b)| a == b)
                    .last()
                    .map_or(0, |((i, a), _)| i + a.len_utf8())
                    .min(n)
            });
            let shown = many
                .iter()
                .map(|(n, d)| if *d { format!("{n}/") } else { n.clone() })
                .collect();
            (format!("{dir_part}{}", &first[..common]), shown)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_attach() {
        let dir = tempfile::tempdir().expect("dir");
        let p = |n: &str| dir.path().join(n).display().to_string();
        std::fs::write(dir.path().join("report.pdf"), b"%PDF-1.4").expect("write");
        let ok = attachable(&p("report.pdf")).expect("a file");
        assert_eq!(
            (ok.name.as_str(), ok.mime.as_str(), ok.size),
            ("report.pdf", "application/pdf", 8)
        );
        let e = attachable(&p("missing.txt")).expect_err("missing");
        assert!(
            e.contains("missing.txt") && e.contains("does not exist"),
            "{e}"
        );
        let e = attachable(&dir.path().display().to_string()).expect_err("a folder");
        assert!(e.contains("folder") || e.contains("directory"), "{e}");
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.display().to_string()).expect("path");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = attachable(&p("pipe")).expect_err("a FIFO is never opened");
        assert!(e.contains("pipe") || e.contains("regular"), "{e}");
        let big = std::fs::File::create(dir.path().join("big.iso")).expect("create");
        big.set_len(crate::compose::MAX_ATTACHMENT_BYTES + 1)
            .expect("sparse");
        let e = attachable(&p("big.iso")).expect_err("too big");
        assert!(e.contains("big.iso") && e.contains("MB"), "{e}");
    }

    #[test]
    fn tab_completes_as_far_as_the_names_agree() {
        let dir = tempfile::tempdir().expect("dir");
        for f in ["notes-2026.txt", "notes-2025.txt", "photo.jpg", ".hidden"] {
            std::fs::write(dir.path().join(f), b"x").expect("write");
        }
        std::fs::create_dir(dir.path().join("papers")).expect("mkdir");
        let base = format!("{}/", dir.path().display());
        let (text, choices) = complete(&format!("{base}no"));
        assert_eq!(text, format!("{base}notes-202"));
        assert_eq!(choices, ["notes-2025.txt", "notes-2026.txt"]);
        let (text, choices) = complete(&format!("{base}pa"));
        assert_eq!((text, choices.len()), (format!("{base}papers/"), 0));
        let (_, choices) = complete(&base);
        assert!(!choices.iter().any(|c| c.starts_with('.')), "{choices:?}");
        let (text, _) = complete(&format!("{base}zzz"));
        assert_eq!(text, format!("{base}zzz"));
    }

    #[test]
    fn the_editor_file_is_private_and_never_replaces_another() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path().join("compose");
        let f = new_editor_file(&d, 1, 100, "To: x\n\nhi\n").expect("written");
        let mode = std::fs::metadata(&f).expect("meta").permissions().mode() & 0o777;
        let dmode = std::fs::metadata(&d).expect("meta").permissions().mode() & 0o777;
        assert_eq!((mode, dmode), (0o600, 0o700));
        assert!(new_editor_file(&d, 1, 100, "again").is_err(), "create_new");
        assert_eq!(std::fs::read_to_string(&f).expect("read"), "To: x\n\nhi\n");
    }
}
