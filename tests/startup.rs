//! The start-up timeline the binary writes to its log when asked
//! (`MAILTUI_LOG=mailtui::startup=debug`): every step of a cold start on a
//! real connection, each once, in the order a start takes them.

mod support;

use std::path::Path;

use support::dovecot::Dovecot;
use support::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_mailtui");
const USER: &str = "tess@example.com";

fn config(home: &Path, d: &Dovecot) -> std::path::PathBuf {
    let cfg = home.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"mail\"\nemail = \"{USER}\"\nprovider = \"generic\"\n\
             imap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\nca_file = \"{}\"\n\
             auth = {{ method = \"password\", password_command = \"echo pw\" }}\n",
            d.imaps_port,
            d.ca_file.display()
        ),
    )
    .unwrap();
    cfg
}

/// One line of the timeline: its step, and when it began and ended (a
/// moment has both the same).
#[derive(Debug)]
struct Step {
    name: String,
    start: f64,
    end: f64,
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let at = line.find(&format!(" {key}="))? + key.len() + 2;
    let rest = &line[at..];
    if let Some(quoted) = rest.strip_prefix('"') {
        return quoted.split('"').next();
    }
    rest.split_whitespace().next()
}

fn timeline(log: &str) -> Vec<Step> {
    log.lines()
        .filter(|l| l.contains("mailtui::startup"))
        .filter_map(|l| {
            let name = field(l, "step")?.to_string();
            let (start, end) = match field(l, "at_ms") {
                Some(at) => (at.parse().ok()?, at.parse().ok()?),
                None => (
                    field(l, "start_ms")?.parse().ok()?,
                    field(l, "end_ms")?.parse().ok()?,
                ),
            };
            Some(Step { name, start, end })
        })
        .collect()
}

fn find<'a>(steps: &'a [Step], name: &str) -> &'a Step {
    let found: Vec<&Step> = steps.iter().filter(|s| s.name == name).collect();
    assert_eq!(found.len(), 1, "{name} once in {steps:#?}");
    found[0]
}

#[test]
fn a_cold_start_logs_every_step_in_order() {
    let d = Dovecot::start();
    d.add_user(USER, "pw");
    d.deliver(USER, "INBOX", &support::fixtures::bulk(30, ""));
    let home = tempfile::tempdir().unwrap();
    let cfg = config(home.path(), &d);
    let log_file = home.path().join("state/mailtui/mailtui.log");
    let env = [("MAILTUI_LOG", "warn,mailtui=info,mailtui::startup=debug")];
    let t = Tmux::start_env(
        home.path(),
        120,
        40,
        &env,
        BIN,
        &["--config", cfg.to_str().unwrap()],
    );
    t.wait_until("the timeline's end in the log", |_| {
        std::fs::read_to_string(&log_file).is_ok_and(|l| l.contains("first frame with rows"))
    });
    let log = std::fs::read_to_string(&log_file).unwrap();
    let steps = timeline(&log);
    for s in &steps {
        assert!(s.start <= s.end, "{s:?}");
    }
    // One connection's steps, one after the other.
    let chain = [
        "tcp connect",
        "tls handshake",
        "greeting",
        "login",
        "capabilities and enable",
        "select",
        "first fetch",
        "first rows from the server",
        "first frame with rows",
    ];
    for pair in chain.windows(2) {
        let (a, b) = (find(&steps, pair[0]), find(&steps, pair[1]));
        assert!(
            a.end <= b.start,
            "{} before {}: {steps:#?}",
            pair[0],
            pair[1]
        );
    }
    // What the connection needs is ready before it is used: the system's
    // roots (read on their own thread from the start), then the account's
    // TLS setup with its ca_file, while TCP was on the way.
    let setup = find(&steps, "tls setup");
    assert!(find(&steps, "trust roots").end <= setup.end, "{steps:#?}");
    assert!(
        setup.end <= find(&steps, "tls handshake").start,
        "{steps:#?}"
    );
    assert!(
        find(&steps, "password").end <= find(&steps, "login").start,
        "{steps:#?}"
    );
    // Local work: the config first, the store on its own.
    let config = find(&steps, "config read");
    assert!(
        config.end <= find(&steps, "tcp connect").start,
        "{steps:#?}"
    );
    find(&steps, "store open");
    find(&steps, "store schema");
    find(&steps, "first frame");
    // The start is over: nothing more is logged as part of it.
    t.send(&["q"]);
    t.wait_exit();
    let after = timeline(&std::fs::read_to_string(&log_file).unwrap());
    assert_eq!(after.len(), steps.len(), "{after:#?}");
}
