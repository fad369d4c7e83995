//! What the sending tests and benchmarks share: a scripted editor and the
//! config of a password account that reads from and sends to a test
//! Dovecot (started with `submission: true`).

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use super::dovecot::{Dovecot, SUBMISSION_HOST};

/// A shell "editor": fills an empty To and Subject from the files `to`
/// and `subject` next to it and puts the text of `text` after the
/// headers, as a user would type; with `crash` in `mode` it dies after
/// writing (kill -9), as an editor may.
pub const EDITOR: &str = r#"#!/bin/sh
f="$1"
d="$(dirname "$0")"
to="$(cat "$d/to" 2>/dev/null)"
subject="$(cat "$d/subject" 2>/dev/null)"
awk -v to="$to" -v subject="$subject" -v textfile="$d/text" '
  !done && /^To:[ ]*$/ && to != "" { print "To: " to; next }
  !done && /^Subject:[ ]*$/ && subject != "" { print "Subject: " subject; next }
  !done && /^$/ { print; while ((getline line < textfile) > 0) print line; done = 1; next }
  { print }' "$f" > "$f.new" && cat "$f.new" > "$f" && rm -f "$f.new"
echo "$f" >> "$d/edited"
[ "$(cat "$d/mode" 2>/dev/null)" = crash ] && kill -9 $$
exit 0
"#;

/// Writes the editor into `home/editor/edit.sh`; returns its path.
pub fn install_editor(home: &Path) -> PathBuf {
    let dir = home.join("editor");
    std::fs::create_dir_all(&dir).expect("mkdir editor");
    let script = dir.join("edit.sh");
    std::fs::write(&script, EDITOR).expect("write the editor");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    script
}

/// `home/config.toml` (0600) for a password account `email` ("pw") on
/// this Dovecot, sending through its submission service, editing with
/// `editor`.
pub fn password_config(home: &Path, d: &Dovecot, email: &str, editor: &Path) -> PathBuf {
    let cfg = home.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[accounts]]\nname = \"mail\"\nemail = \"{email}\"\nprovider = \"generic\"\nfull_name = \"Erin Example\"\n\
             imap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\nca_file = \"{}\"\n\
             smtp = {{ host = \"{SUBMISSION_HOST}\", port = {}, tls = \"starttls\" }}\n\
             auth = {{ method = \"password\", password = \"pw\" }}\n\
             [compose]\neditor = \"{}\"\n",
            d.imaps_port,
            d.ca_file.display(),
            d.submission_port,
            editor.display()
        ),
    )
    .expect("write the config");
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    cfg
}
