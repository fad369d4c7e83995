//! What the reader costs for big messages: parse, the one layout per
//! width, then one frame and one key. Prints medians; asserts nothing.
//! Run: `cargo bench --bench reader`.

use std::time::{Duration, Instant};

use mailtui::action::{Action, UiAction};
use mailtui::mail::message::parse;
use mailtui::state::{AccountInfo, Pane, ReaderContent, State};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn state() -> State {
    let info = AccountInfo {
        name: "bench".into(),
        email: "bench@example.org".into(),
        kind: mailtui::state::ServerKind::Maildir,
        server: "/tmp".into(),
        auth: "none".into(),
        tenant: None,
        trash: None,
        archive: None,
        sent: None,
        drafts: None,
        appends_sent: true,
    };
    let mut s = State::new(vec![info], Vec::new(), 1_700_000_000, 0);
    s.update(Action::Resize {
        width: 120,
        height: 40,
    });
    s.focus = Pane::Reader;
    s
}

fn run(label: &str, raw: &[u8]) {
    let (view, parse_t) = timed(|| parse(1, raw));
    let mut s = state();
    s.accounts[0].reader.content = ReaderContent::Loaded(Box::new(view));
    // The first update lays the message out at the pane's width.
    let ((), layout_t) = timed(|| {
        s.update(Action::Resize {
            width: 120,
            height: 40,
        });
    });
    let rows = s.accounts[0].reader.layout.rows.len();
    let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut frames = Vec::new();
    let mut keys = Vec::new();
    for i in 0..50 {
        let key = [
            UiAction::Bottom,
            UiAction::Top,
            UiAction::PageDown,
            UiAction::Down,
        ][i % 4];
        keys.push(timed(|| s.update(Action::Ui(key))).1);
        frames.push(
            timed(|| {
                t.draw(|f| mailtui::ui::draw(&s, &Default::default(), f))
                    .map(|_| ())
            })
            .1,
        );
    }
    println!(
        "{label}: {} KB, {rows} rows; parse {parse_t:?}, layout {layout_t:?}, \
         frame {:?} (median of 50), key {:?}",
        raw.len() / 1024,
        median(frames),
        median(keys),
    );
}

fn main() {
    let mut single = b"Subject: one long line\r\n\r\n".to_vec();
    single.extend(std::iter::repeat_n(b"lorem ipsum ".as_slice(), (20 << 20) / 12 + 1).flatten());
    single.truncate(20 << 20);
    run("20 MB single line", &single);

    let mut normal = b"Subject: a long letter\r\n\r\n".to_vec();
    let mut i = 0;
    while normal.len() < 3 << 20 {
        normal.extend_from_slice(
            format!("{i:6} The quick brown fox jumps over the lazy dog; a line of an ordinary letter.\r\n")
                .as_bytes(),
        );
        i += 1;
    }
    run("3 MB of ordinary lines", &normal);

    let depth = 90_000;
    let html = format!(
        "{}deep text{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let raw = format!("Subject: divs\r\nContent-Type: text/html\r\n\r\n{html}");
    run("1 MB nested-div HTML", raw.as_bytes());
}
