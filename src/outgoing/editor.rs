//! The user's editor on a message being written: the screen is handed
//! over (main screen, cooked mode, no mouse reports) and taken back
//! exactly as it was, whatever the editor did (exit non-zero, crash, get
//! killed).

use std::path::Path;
use std::process::ExitStatus;

/// The biggest editor file read back: a message's text, not its
/// attachments (those are files of their own).
pub const MAX_EDITOR_FILE: u64 = 16 * 1024 * 1024;

/// The editor to run: `[compose] editor`, else `$VISUAL`, else `$EDITOR`,
/// else `vi`; split like a shell would, the file added last.
pub fn editor_argv(configured: Option<&[String]>, file: &Path) -> Vec<String> {
    let from_env = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| shlex::split(&v))
            .filter(|w| !w.is_empty())
    };
    let mut argv = configured
        .map(<[String]>::to_vec)
        .filter(|w| !w.is_empty())
        .or_else(|| from_env("VISUAL"))
        .or_else(|| from_env("EDITOR"))
        .unwrap_or_else(|| vec!["vi".to_string()]);
    argv.push(file.display().to_string());
    argv
}

/// What became of the editor, as a sentence when it went wrong.
pub fn describe_exit(argv0: &str, status: std::io::Result<ExitStatus>) -> Option<String> {
    use std::os::unix::process::ExitStatusExt as _;
    match status {
        Ok(s) if s.success() => None,
        Ok(s) => Some(match (s.code(), s.signal()) {
            (Some(code), _) => format!("the editor ({argv0}) exited with status {code}"),
            (None, Some(sig)) => format!("the editor ({argv0}) was killed by signal {sig}"),
            _ => format!("the editor ({argv0}) failed"),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(format!(
            "no editor {argv0} found: set [compose] editor, $VISUAL or $EDITOR"
        )),
        Err(e) => Some(format!("the editor ({argv0}) could not start: {e}")),
    }
}

/// Gives the terminal back as a shell has it: off the alternate screen,
/// out of raw mode, no mouse reports, the cursor shown. Each step on its
/// own: one failing (a closed SSH session) must not skip the others. For
/// the editor, and on the way out.
pub fn hand_over(mouse: bool) {
    use crossterm::{cursor, event, terminal};
    let mut out = std::io::stdout();
    let _ = crossterm::execute!(out, terminal::EndSynchronizedUpdate);
    if mouse {
        let _ = crossterm::execute!(out, event::DisableMouseCapture);
    }
    let _ = crossterm::execute!(out, cursor::Show);
    let _ = terminal::disable_raw_mode();
    let _ = crossterm::execute!(out, terminal::LeaveAlternateScreen);
}

/// Takes the terminal back as mailtui had it; each step on its own so
/// one failing does not skip the others.
pub fn take_back(mouse: bool, title: Option<&str>) {
    use crossterm::{cursor, event, terminal};
    use std::io::Write as _;
    let mut out = std::io::stdout();
    let _ = crossterm::execute!(
        out,
        terminal::EnterAlternateScreen,
        terminal::Clear(terminal::ClearType::All)
    );
    let _ = terminal::enable_raw_mode();
    let _ = crossterm::execute!(out, cursor::Hide);
    if mouse {
        let _ = crossterm::execute!(out, event::EnableMouseCapture);
    }
    // Editors set the window title; put ours back.
    if let Some(t) = title {
        let _ = out.write_all(crate::notify::title(t).as_bytes());
        let _ = out.flush();
    }
}

/// Reads the file the editor left, bounded.
pub fn read_back(file: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let f =
        std::fs::File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let mut bytes = Vec::new();
    f.take(MAX_EDITOR_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    if bytes.len() as u64 > MAX_EDITOR_FILE {
        return Err(format!(
            "{} is bigger than {} MiB: attach big things with a instead",
            file.display(),
            MAX_EDITOR_FILE >> 20
        ));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_editor_wins_and_the_file_comes_last() {
        let f = Path::new("/tmp/x.eml");
        let argv = editor_argv(Some(&["nvim".into(), "+set tw=72".into()]), f);
        assert_eq!(argv, ["nvim", "+set tw=72", "/tmp/x.eml"]);
    }

    #[test]
    fn exits_read_as_sentences() {
        use std::os::unix::process::ExitStatusExt as _;
        assert_eq!(describe_exit("vi", Ok(ExitStatus::from_raw(0))), None);
        let code = describe_exit("vi", Ok(ExitStatus::from_raw(1 << 8)));
        assert_eq!(
            code.as_deref(),
            Some("the editor (vi) exited with status 1")
        );
        let killed = describe_exit("vi", Ok(ExitStatus::from_raw(9)));
        assert_eq!(
            killed.as_deref(),
            Some("the editor (vi) was killed by signal 9")
        );
        let missing = describe_exit("nope", Err(std::io::ErrorKind::NotFound.into()));
        assert!(missing.is_some_and(|m| m.contains("[compose] editor")));
    }

    #[test]
    fn an_oversized_file_is_refused_not_read() {
        let dir = tempfile::tempdir().expect("dir");
        let f = dir.path().join("big.eml");
        let file = std::fs::File::create(&f).expect("create");
        file.set_len(MAX_EDITOR_FILE + 10).expect("sparse");
        let e = read_back(&f).expect_err("too big");
        assert!(e.contains("MiB"), "{e}");
        std::fs::write(&f, "To: a@b\n\nhi\n").expect("write");
        assert_eq!(read_back(&f).as_deref(), Ok("To: a@b\n\nhi\n"));
    }
}
