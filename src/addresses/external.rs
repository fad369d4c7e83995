//! An external address book: the `address_book_command` (an argv vector,
//! no shell) runs with the query as its last argument and prints
//! `email<TAB>name` lines, as aerc's `address-book-cmd` does (khard,
//! abook --mutt-query, notmuch-addrlookup, a script over a CardDAV dump).
//!
//! Only the first two fields count; a line whose first field is not an
//! address (a mutt-style status line, a blank) is skipped. Named limits:
//! [`TIMEOUT`], [`MAX_OUTPUT`] bytes, [`MAX_LINES`] lines. Whatever goes
//! wrong becomes a sentence ([`Lookup::problem`]) beside the candidates
//! read so far, never an error that stops completion. A command that
//! exits non-zero and says nothing on stderr found nothing (abook and
//! khard do that): no problem then.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

use super::Candidate;
use crate::sanitize::Clean;
use crate::store::addresses::{address_key, clean_name};

/// How long the command may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Output read at most; the rest is ignored and the command stopped.
pub const MAX_OUTPUT: usize = 1024 * 1024;
/// Lines of output looked at.
pub const MAX_LINES: usize = 1000;
/// Of stderr, only the start is kept, for the sentence.
const MAX_STDERR: usize = 4096;

/// What the command gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lookup {
    pub candidates: Vec<Candidate>,
    /// What went wrong, for the status line; None when all went well.
    pub problem: Option<String>,
}

/// The candidates in the command's output, in its order, each address
/// once, from the first [`MAX_LINES`] lines.
pub fn parse_output(text: &str) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    for line in text.lines().take(MAX_LINES) {
        let mut fields = line.split('\t');
        let Some(email) = fields.next().and_then(address_key) else {
            continue;
        };
        if out.iter().any(|c| c.email == email) {
            continue;
        }
        let name = clean_name(fields.next().unwrap_or(""), &email);
        out.push(Candidate { email, name });
    }
    out
}

/// Reads at most `cap` bytes, then lets go of the pipe (a command still
/// writing gets EPIPE rather than blocking forever).
async fn read_capped(pipe: Option<impl AsyncRead + Unpin>, cap: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if let Some(pipe) = pipe {
        pipe.take(cap as u64).read_to_end(&mut buf).await?;
    }
    Ok(buf)
}

/// The program's name as the sentences show it.
fn shown(argv: &[String]) -> String {
    Clean::line(argv.first().map_or("", String::as_str)).to_string()
}

/// Runs the command for `query` (see the module comment).
pub async fn lookup(argv: &[String], query: &str) -> Lookup {
    lookup_within(argv, query, TIMEOUT).await
}

async fn lookup_within(argv: &[String], query: &str, timeout: Duration) -> Lookup {
    let Some(program) = argv.first() else {
        return Lookup {
            problem: Some("address_book_command is empty".into()),
            ..Default::default()
        };
    };
    let name = shown(argv);
    let spawned = Command::new(program)
        .args(&argv[1..])
        .arg(query)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            return Lookup {
                problem: Some(format!(
                    "the address book command `{name}` could not start: {e}"
                )),
                ..Default::default()
            };
        }
    };
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let run = async {
        let (out, err) = tokio::join!(
            read_capped(stdout, MAX_OUTPUT + 1),
            read_capped(stderr, MAX_STDERR)
        );
        let (mut out, err) = (out.unwrap_or_default(), err.unwrap_or_default());
        let too_much = out.len() > MAX_OUTPUT;
        if too_much {
            let _ = child.start_kill();
            // Only whole lines: the one cut in two is dropped.
            out.truncate(MAX_OUTPUT);
            let end = out.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            out.truncate(end);
        }
        let status = child.wait().await;
        (out, err, status, too_much)
    };
    let Ok((out, err, status, too_much)) = tokio::time::timeout(timeout, run).await else {
        // Dropping the child (kill_on_drop) stops it.
        return Lookup {
            problem: Some(format!(
                "the address book command `{name}` gave no answer within {} s; stopped it",
                timeout.as_secs_f32()
            )),
            ..Default::default()
        };
    };
    let text = String::from_utf8_lossy(&out);
    let candidates = parse_output(&text);
    let problem = if too_much {
        Some(format!(
            "the address book command `{name}` printed more than {} MB; the rest was ignored",
            MAX_OUTPUT / (1024 * 1024)
        ))
    } else {
        match status {
            Ok(s) if s.success() => None,
            Ok(s) => {
                let err = String::from_utf8_lossy(&err);
                let first = err.lines().map(str::trim).find(|l| !l.is_empty());
                first.map(|line| {
                    format!(
                        "the address book command `{name}` failed ({s}): {}",
                        Clean::line(line)
                    )
                })
            }
            Err(e) => Some(format!("the address book command `{name}`: {e}")),
        }
    };
    if text.lines().nth(MAX_LINES).is_some() && problem.is_none() {
        return Lookup {
            candidates,
            problem: Some(format!(
                "the address book command `{name}` printed more than {MAX_LINES} lines; the rest was ignored"
            )),
        };
    }
    Lookup {
        candidates,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into(), "lookup".into()]
    }

    #[test]
    fn output_lines_are_email_tab_name() {
        let text = "Searching database ... 3 entries\n\
                    ann@x.example\tAnn Smith\textra field\n\
                    \n\
                    Bob@X.example\r\n\
                    not an address\tNobody\n\
                    ann@x.example\tAnn again\n\
                    eve@x.example\t\"Eve\u{1b}[31m Red\"\n";
        let got = parse_output(text);
        let pairs: Vec<(&str, &str)> = got
            .iter()
            .map(|c| (c.email.as_str(), c.name.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("ann@x.example", "Ann Smith"),
                ("bob@x.example", ""),
                ("eve@x.example", "Eve Red"),
            ]
        );
    }

    #[test]
    fn only_the_first_lines_count() {
        let text: String = (0..MAX_LINES + 5)
            .map(|i| format!("u{i}@x.example\tU {i}\n"))
            .collect();
        let got = parse_output(&text);
        assert_eq!(got.len(), MAX_LINES);
        assert_eq!(
            got[MAX_LINES - 1].email,
            format!("u{}@x.example", MAX_LINES - 1)
        );
    }

    #[tokio::test]
    async fn the_query_is_the_last_argument() {
        let l = lookup(&sh(r#"printf '%s@x.example\tFound %s\n' "$1" "$1""#), "jo").await;
        assert_eq!(l.problem, None);
        assert_eq!(
            l.candidates,
            [Candidate {
                email: "jo@x.example".into(),
                name: "Found jo".into()
            }]
        );
        // No shell: the query is one argument, whatever it holds.
        let l = lookup(
            &sh(r#"printf 'q@x.example\t%s\n' "$1""#),
            "a; rm -rf ~ $(x)",
        )
        .await;
        assert_eq!(l.candidates[0].name, "a; rm -rf ~ $(x)");
    }

    #[tokio::test]
    async fn failures_are_sentences() {
        let l = lookup(&["/nonexistent/abook".to_string()], "x").await;
        assert!(l.candidates.is_empty());
        let p = l.problem.unwrap();
        assert!(p.contains("`/nonexistent/abook` could not start"), "{p}");

        let l = lookup(
            &sh("echo 'a@x.example'; echo 'database locked' >&2; exit 2"),
            "x",
        )
        .await;
        assert_eq!(l.candidates.len(), 1, "what it printed still counts");
        let p = l.problem.unwrap();
        assert!(
            p.contains("failed (exit status: 2): database locked"),
            "{p}"
        );

        // Non-zero and silent: nothing found, not a problem.
        let l = lookup(&sh("exit 1"), "x").await;
        assert_eq!(l, Lookup::default());

        assert!(lookup(&[], "x").await.problem.unwrap().contains("empty"));
    }

    #[tokio::test]
    async fn a_slow_command_is_stopped() {
        let t = std::time::Instant::now();
        let short = Duration::from_millis(300);
        let l = lookup_within(&sh("echo a@x.example; exec sleep 30"), "x", short).await;
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "stopped, not waited for"
        );
        let p = l.problem.unwrap();
        assert!(p.contains("no answer within 0.3 s; stopped it"), "{p}");
        assert!(l.candidates.is_empty());
    }

    #[tokio::test]
    async fn endless_output_is_cut_at_the_limit() {
        let l = lookup(&sh("yes 'y@x.example\tY'"), "x").await;
        let p = l.problem.unwrap();
        assert!(p.contains("more than 1 MB"), "{p}");
        assert_eq!(l.candidates.len(), 1, "one address, repeated");
        let l = lookup(
            &sh("i=0; while [ $i -lt 1100 ]; do echo \"u$i@x.example\"; i=$((i+1)); done"),
            "x",
        )
        .await;
        assert_eq!(l.candidates.len(), MAX_LINES);
        assert!(l.problem.unwrap().contains("more than 1000 lines"));
    }
}
