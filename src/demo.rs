//! The bundled demo: two Maildir accounts compiled into the binary and
//! unpacked into a temporary directory, so `mailtui --demo` works from any
//! install with no network.

use include_dir::{Dir, include_dir};
use tempfile::TempDir;

use crate::config::{Account, AccountKind, Sending, Transport};

static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/demo");

/// Unpacks the demo; the directory is removed when the `TempDir` drops.
pub fn unpack() -> std::io::Result<(TempDir, Vec<Account>)> {
    let dir = tempfile::Builder::new().prefix("mailtui-demo-").tempdir()?;
    DEMO.extract(dir.path())?;
    let accounts = [
        ("work", "alice@contoso.example"),
        ("home", "alice@fabrikam.example"),
    ]
    .into_iter()
    .map(|(name, email)| {
        let root = dir.path().join(name);
        // Git keeps no empty directories; Maildir wants tmp/.
        let _ = std::fs::create_dir_all(root.join("tmp"));
        Account {
            name: name.to_string(),
            email: email.to_string(),
            kind: AccountKind::Maildir(root.clone()),
            trash: None,
            archive: None,
            // "Sent" mail lands in a folder of the demo account itself.
            sending: Sending {
                transport: Some(Transport::Maildir(root.join(".Delivered"))),
                full_name: Some("Alice Martin".to_string()),
                ..Sending::default()
            },
            lines: Default::default(),
        }
    })
    .collect();
    Ok((dir, accounts))
}
