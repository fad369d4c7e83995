//! Where formatted log lines go: every event is cleaned as one line (no
//! escape sequence, no forged second line), and the log file is rotated
//! so a reconnect storm cannot fill the disk.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;

use crate::sanitize::Clean;

/// The log file is rotated when the next line would take it past this;
/// the previous file is kept as `mailtui.log.1`, so the log never takes
/// more than twice this on disk.
pub const LOG_FILE_MAX: u64 = 5 * 1024 * 1024;

/// One event longer than this is cut: a single record must not be able to
/// rotate the whole log away.
pub const LOG_LINE_MAX: usize = 16 * 1024;

/// Receives whole, cleaned lines (ending in a newline).
pub trait LineSink: Send + Sync + 'static {
    fn write_line(&self, line: &str);
}

/// Gives the fmt layer a writer per event that cleans what it wrote.
pub struct CleanLines<S>(pub S);

impl<'a, S: LineSink> MakeWriter<'a> for CleanLines<S> {
    type Writer = CleanLine<'a, S>;

    fn make_writer(&'a self) -> Self::Writer {
        CleanLine {
            sink: &self.0,
            buf: Vec::new(),
        }
    }
}

/// Collects one event's bytes; cleans and hands them on when dropped.
pub struct CleanLine<'a, S: LineSink> {
    sink: &'a S,
    buf: Vec<u8>,
}

impl<S: LineSink> Write for CleanLine<'_, S> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        // Past the cap the rest is dropped (but accepted, so fmt goes on).
        let room = (LOG_LINE_MAX * 4).saturating_sub(self.buf.len());
        self.buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<S: LineSink> Drop for CleanLine<'_, S> {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            self.sink.write_line(&clean_line(&self.buf));
        }
    }
}

/// One event as one clean line: escape sequences and controls removed,
/// line breaks folded (a record cannot forge the next one), length capped.
pub fn clean_line(raw: &[u8]) -> String {
    let clean = Clean::line(&String::from_utf8_lossy(raw));
    let text = clean.as_str().trim_end();
    let mut line = match text.char_indices().nth(LOG_LINE_MAX) {
        Some((cut, _)) => format!("{}… (cut)", &text[..cut]),
        None => text.to_string(),
    };
    line.push('\n');
    line
}

/// Warnings of the plain subcommands.
pub struct Stderr;

impl LineSink for Stderr {
    fn write_line(&self, line: &str) {
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

/// Lines collected in memory (tests).
impl LineSink for Arc<Mutex<String>> {
    fn write_line(&self, line: &str) {
        if let Ok(mut s) = self.lock() {
            s.push_str(line);
        }
    }
}

/// The log file, rotated past `max` bytes.
pub struct LogFile {
    path: PathBuf,
    max: u64,
    file: Mutex<Option<File>>,
}

impl LogFile {
    pub fn open(path: &Path, max: u64) -> std::io::Result<Self> {
        let file = open_append(path)?;
        Ok(LogFile {
            path: path.to_path_buf(),
            max,
            file: Mutex::new(Some(file)),
        })
    }

    /// Where the previous file is kept.
    pub fn previous(path: &Path) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(".1");
        PathBuf::from(name)
    }

    /// Moves the full file aside and starts a new one. Another mailtui may
    /// have rotated it already (our handle then points at the old file):
    /// only a file that is still ours is moved.
    fn rotate(&self, current: &File) -> Option<File> {
        let ours = match (current.metadata(), std::fs::metadata(&self.path)) {
            (Ok(a), Ok(b)) => same_file(&a, &b),
            _ => false,
        };
        if ours {
            let _ = std::fs::rename(&self.path, Self::previous(&self.path));
        }
        open_append(&self.path).ok()
    }
}

impl LineSink for LogFile {
    fn write_line(&self, line: &str) {
        let Ok(mut slot) = self.file.lock() else {
            return;
        };
        let len = slot
            .as_ref()
            .and_then(|f| f.metadata().ok())
            .map(|m| m.len());
        if let (Some(f), Some(len)) = (slot.as_ref(), len)
            && len > 0
            && len + line.len() as u64 > self.max
        {
            *slot = self.rotate(f);
        }
        if slot.is_none() {
            *slot = open_append(&self.path).ok();
        }
        if let Some(f) = slot.as_mut() {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    true
}

/// Appends, creating the file (mode 0600) and its folder as needed.
fn open_append(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cleaned_folded_and_capped() {
        let l = clean_line(b"a \x1b]0;title\x07b\x1b[31mred\nforged line\n");
        assert_eq!(l, "a bred forged line\n");
        let l = clean_line("x".repeat(LOG_LINE_MAX * 2).as_bytes());
        assert!(
            l.len() < LOG_LINE_MAX + 20 && l.ends_with("… (cut)\n"),
            "{}",
            l.len()
        );
    }

    #[test]
    fn the_file_is_rotated_past_the_cap_keeping_one_previous() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/mailtui.log");
        let max = 1000;
        let log = LogFile::open(&path, max).unwrap();
        for i in 0..500 {
            log.write_line(&format!("line {i:04} {}\n", "x".repeat(40)));
        }
        let size = |p: &Path| std::fs::metadata(p).unwrap().len();
        let previous = LogFile::previous(&path);
        assert!(size(&path) <= max && size(&previous) <= max);
        assert!(size(&previous) > max / 2, "the previous file was full");
        let now = std::fs::read_to_string(&path).unwrap();
        assert!(
            now.ends_with(&format!("line 0499 {}\n", "x".repeat(40))),
            "{now}"
        );
        let before = std::fs::read_to_string(&previous).unwrap();
        let first_now = now.lines().next().unwrap();
        let last_before = before.lines().last().unwrap();
        let n = |l: &str| l[5..9].parse::<u32>().unwrap();
        assert_eq!(n(last_before) + 1, n(first_now), "no line lost at rotation");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_file_rotated_by_another_process_is_not_rotated_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mailtui.log");
        let a = LogFile::open(&path, 100).unwrap();
        let b = LogFile::open(&path, 100).unwrap();
        a.write_line(&format!("{}\n", "a".repeat(80)));
        // b rotates (a's lines move to .1), then a finds its handle stale.
        b.write_line(&format!("{}\n", "b".repeat(80)));
        a.write_line(&format!("{}\n", "c".repeat(80)));
        let previous = std::fs::read_to_string(LogFile::previous(&path)).unwrap();
        assert!(previous.starts_with("aaa"), "{previous}");
        let now = std::fs::read_to_string(&path).unwrap();
        assert!(
            now.contains("bbb") || previous.contains("bbb"),
            "b's line kept"
        );
        assert!(now.contains("ccc"), "{now}");
    }
}
