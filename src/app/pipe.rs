//! Runs the command a message is piped to (`sh -c`, the message on its
//! stdin). Output is read on threads of its own and comes back as an
//! action; the loop never waits for it. Interactive programs get the
//! terminal instead (see `interactive`).

use std::io::{Read as _, Write as _};
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::state::pipe::{MAX_PIPE_OUTPUT_BYTES, PIPE_TIME_LIMIT, PipeDone, PipeEnd, PipeRequest};

/// `sh -c COMMAND` in a session of its own: a time limit (or quitting)
/// stops everything it started, and it has no controlling terminal, so a
/// program that opens `/dev/tty` (a password prompt, pinentry) fails at
/// once instead of drawing over the screen and waiting for keys.
fn shell(command: &str) -> std::process::Command {
    let mut c = std::process::Command::new("sh");
    c.arg("-c").arg(command);
    // SAFETY: setsid(2) and prctl(2) are async-signal-safe and touch no
    // memory of the parent; they run in the child between fork and exec.
    unsafe {
        c.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            // Should mailtui die without cleaning up, the shell goes too.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    c
}

/// Process groups of the commands running now, stopped when mailtui quits
/// (quitting never waits for them).
static RUNNING: std::sync::Mutex<Vec<i32>> = std::sync::Mutex::new(Vec::new());

fn running(pgid: i32, on: bool) {
    if let Ok(mut r) = RUNNING.lock() {
        if on {
            r.push(pgid);
        } else {
            r.retain(|p| *p != pgid);
        }
    }
}

/// Kills every piped command still running (on quit).
pub fn stop_all() {
    if let Ok(mut r) = RUNNING.lock() {
        for pgid in r.drain(..) {
            kill_group(pgid);
        }
    }
}

/// Feeds the message on a thread of its own: a command that stops
/// reading (exits early: EPIPE) only ends the feeding.
fn feed(child: &mut Child, input: Vec<u8>) {
    if let Some(mut stdin) = child.stdin.take() {
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
}

fn end_of(status: std::process::ExitStatus) -> PipeEnd {
    match (status.code(), status.signal()) {
        (Some(c), _) => PipeEnd::Exited(c),
        (None, Some(s)) => PipeEnd::Signal(s),
        (None, None) => PipeEnd::Failed("no exit status".into()),
    }
}

/// Runs the command with its output captured (stdout and stderr in one
/// stream, as they came), within [`PIPE_TIME_LIMIT`] and
/// [`MAX_PIPE_OUTPUT_BYTES`]; calls `done` from another thread.
pub fn spawn(req: PipeRequest, done: impl FnOnce(PipeDone) + Send + 'static) {
    std::thread::spawn(move || done(run(req, PIPE_TIME_LIMIT)));
}

pub(crate) fn run(req: PipeRequest, limit: Duration) -> PipeDone {
    let PipeRequest {
        id,
        command,
        input,
        interactive,
    } = req;
    let finish = |output, end| PipeDone {
        id,
        command: command.clone(),
        output,
        end,
        interactive,
    };
    let (mut reader, writer) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => return finish(Vec::new(), PipeEnd::Failed(e.to_string())),
    };
    let spawned = writer.try_clone().and_then(|w2| {
        let mut c = shell(&command);
        c.stdin(Stdio::piped()).stdout(writer).stderr(w2);
        // `c` goes out of scope here: our copies of the pipe's writing end
        // close, so the reader sees the end when the command's do.
        c.spawn()
    });
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return finish(Vec::new(), PipeEnd::Failed(e.to_string())),
    };
    feed(&mut child, input);
    let pgid = child.id() as i32;
    running(pgid, true);
    // The output is read on a thread of its own: a program that left the
    // group (a daemon) may hold the pipe open for ever, and the time limit
    // must end the wait all the same.
    let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(4);
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
    });
    let deadline = std::time::Instant::now() + limit;
    let mut output = Vec::new();
    let (mut too_much, mut timed_out) = (false, false);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(chunk) => {
                let room = MAX_PIPE_OUTPUT_BYTES - output.len();
                output.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if chunk.len() > room {
                    too_much = true;
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                timed_out = true;
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if too_much || timed_out {
        kill_group(pgid);
    }
    // Dropping the receiver ends the reading thread at its next chunk.
    drop(rx);
    let status = child.wait();
    running(pgid, false);
    let end = match status {
        _ if too_much => PipeEnd::TooMuch,
        _ if timed_out => PipeEnd::TimedOut,
        Ok(s) => end_of(s),
        Err(e) => PipeEnd::Failed(e.to_string()),
    };
    finish(output, end)
}

fn kill_group(pgid: i32) {
    // SAFETY: kill(2) with a negative pid signals the process group the
    // command was started in; it touches no memory of ours.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

/// Runs an interactive program with the terminal (the caller has handed
/// it over): the message on stdin, no time limit, nothing captured.
pub async fn interactive(req: PipeRequest) -> PipeDone {
    let mut c = tokio::process::Command::new("sh");
    c.arg("-c").arg(&req.command).stdin(Stdio::piped());
    let end = match c.spawn() {
        Ok(mut child) => {
            if let Some(mut stdin) = child.stdin.take() {
                let input = req.input.clone();
                tokio::spawn(async move {
                    use tokio::io::AsyncWriteExt as _;
                    let _ = stdin.write_all(&input).await;
                });
            }
            match child.wait().await {
                Ok(s) => end_of(s),
                Err(e) => PipeEnd::Failed(e.to_string()),
            }
        }
        Err(e) => PipeEnd::Failed(e.to_string()),
    };
    PipeDone {
        id: req.id,
        command: req.command,
        output: Vec::new(),
        end,
        interactive: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(command: &str, input: &[u8]) -> PipeRequest {
        PipeRequest {
            id: 7,
            command: command.into(),
            input: input.to_vec(),
            interactive: false,
        }
    }

    #[test]
    fn the_message_goes_in_and_both_outputs_come_back() {
        let d = run(req("wc -c; echo oops >&2", b"12345"), PIPE_TIME_LIMIT);
        assert_eq!(d.end, PipeEnd::Exited(0));
        let out = String::from_utf8_lossy(&d.output);
        assert!(out.contains('5') && out.contains("oops"), "{out}");
        assert_eq!(d.id, 7);
    }

    #[test]
    fn a_missing_command_and_a_failing_one_say_so() {
        let d = run(req("no-such-command-mailtui", b"x"), PIPE_TIME_LIMIT);
        assert_eq!(d.end, PipeEnd::Exited(127));
        let d = run(req("exit 3", b""), PIPE_TIME_LIMIT);
        assert_eq!(d.end, PipeEnd::Exited(3));
    }

    #[test]
    fn a_command_that_does_not_read_its_input_is_no_trouble() {
        // 8 MiB to a command that exits at once: EPIPE, not a crash.
        let d = run(req("true", &vec![b'x'; 8 << 20]), PIPE_TIME_LIMIT);
        assert_eq!(d.end, PipeEnd::Exited(0));
    }

    #[test]
    fn endless_output_is_cut_and_the_command_stopped() {
        let d = run(req("yes", b""), PIPE_TIME_LIMIT);
        assert_eq!(d.end, PipeEnd::TooMuch);
        assert_eq!(d.output.len(), MAX_PIPE_OUTPUT_BYTES);
    }

    #[test]
    fn a_command_past_the_time_limit_is_killed_with_what_it_started() {
        let started = std::time::Instant::now();
        let d = run(req("sleep 30 | cat", b""), Duration::from_millis(300));
        assert_eq!(d.end, PipeEnd::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_program_that_leaves_the_group_holding_the_output_ends_at_the_limit() {
        // setsid: the grandchild is out of reach of the group's kill and
        // keeps the pipe open; the wait ends at the limit all the same.
        let d = run(
            req("setsid sleep 20 & echo started", b""),
            Duration::from_millis(500),
        );
        assert_eq!(d.end, PipeEnd::TimedOut);
        assert!(String::from_utf8_lossy(&d.output).contains("started"));
    }

    #[test]
    fn a_piped_command_has_no_terminal_to_draw_on() {
        let d = run(
            req(
                "if (: </dev/tty) 2>/dev/null; then echo tty; else echo none; fi",
                b"",
            ),
            PIPE_TIME_LIMIT,
        );
        assert_eq!(d.end, PipeEnd::Exited(0));
        assert!(
            String::from_utf8_lossy(&d.output).contains("none"),
            "{:?}",
            d.output
        );
    }
}
