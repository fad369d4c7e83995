//! Opening a part or a link with the command from `[files] open_command`:
//! run directly (no shell), the file or link as its last argument. A part
//! is written to a private temporary folder first (mode 0700), kept until
//! mailtui exits, since the viewer may read it after the command returns.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use super::names::safe_name;
use super::save::write_new;
use crate::mail::mime::parts::PartBytes;

/// Temporary folders of opened parts, removed when the last handle drops
/// (when the app ends).
#[derive(Clone, Debug, Default)]
pub struct OpenedFiles(Arc<Mutex<Vec<tempfile::TempDir>>>);

impl OpenedFiles {
    /// A new private folder, kept as long as this list.
    fn folder(&self) -> Result<PathBuf, String> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new()
            .prefix("mailtui-open-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()
            .map_err(|e| format!("cannot make a temporary folder: {e}"))?;
        let path = dir.path().to_path_buf();
        if let Ok(mut dirs) = self.0.lock() {
            dirs.push(dir);
        } else {
            // A poisoned lock: keep the folder rather than lose the file.
            let _ = dir.keep();
        }
        Ok(path)
    }
}

/// Saves `part` to a private temporary folder and runs `command` on it.
/// Returns the file's name on success.
pub fn open_part(
    command: &[String],
    part: &PartBytes,
    opened: &OpenedFiles,
) -> Result<String, String> {
    let dir = opened.folder()?;
    let name = safe_name(part.file_name.as_deref(), &part.mime);
    let path = write_new(&dir, &name, &part.bytes, |_| {})?;
    run(command, path.as_os_str())?;
    Ok(name)
}

/// Runs `command` with `url` as its last argument.
pub fn open_link(command: &[String], url: &str) -> Result<(), String> {
    run(command, std::ffi::OsStr::new(url))
}

/// Runs the command and waits for it, with no terminal: its output would
/// land on mailtui's screen.
fn run(command: &[String], arg: &std::ffi::OsStr) -> Result<(), String> {
    let Some((program, args)) = command.split_first() else {
        return Err("open_command is empty".into());
    };
    let status = Command::new(program)
        .args(args)
        .arg(arg)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", shown(program)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} ended with {status}", shown(program)))
    }
}

fn shown(program: &str) -> String {
    Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| program.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(name: &str) -> PartBytes {
        PartBytes {
            section: "2".into(),
            file_name: Some(name.into()),
            mime: "text/plain".into(),
            charset: None,
            bytes: b"opened".to_vec(),
            damaged: false,
        }
    }

    #[test]
    fn a_part_is_written_privately_and_given_to_the_command() {
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join("copy");
        let script = format!("cp \"$1\" {}", copy.display());
        let command = vec!["sh".into(), "-c".into(), script, "sh".into()];
        let opened = OpenedFiles::default();
        let name = open_part(&command, &part("../note.txt"), &opened).unwrap();
        assert_eq!(name, "note.txt");
        assert_eq!(std::fs::read(&copy).unwrap(), b"opened");
        let dir = opened.0.lock().unwrap()[0].path().to_path_buf();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        drop(opened);
        assert!(!dir.exists(), "removed with the last handle");
    }

    #[test]
    fn failures_say_what_failed() {
        let e = open_link(&["/nonexistent/opener".into()], "https://x.example").unwrap_err();
        assert!(e.contains("cannot run opener"), "{e}");
        let e = open_link(&["false".into()], "https://x.example").unwrap_err();
        assert!(e.contains("false ended with"), "{e}");
        assert!(open_link(&[], "https://x.example").is_err());
        // The link is one argument, never shell text.
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("arg");
        let cmd = vec![
            "sh".into(),
            "-c".into(),
            format!("printf %s \"$1\" > {}", out.display()),
            "sh".into(),
        ];
        open_link(&cmd, "https://x.example/?a=1;touch${IFS}pwned").unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "https://x.example/?a=1;touch${IFS}pwned"
        );
    }
}
