//! Where tokens live between runs: one file per account under the XDG data
//! dir (mode 0600 in a 0700 folder, replaced atomically), or the OS keyring
//! where one answers.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

pub use super::errors::StoreError;
use super::keyring::Keyring;
use super::tokens::TokenSet;

/// Token storage for all accounts.
#[derive(Clone, Debug)]
pub enum TokenStore {
    Files(PathBuf),
    Keyring(Keyring),
}

/// Keyring entry names: tokens and passwords of an account.
pub fn tokens_entry(account: &str) -> String {
    format!("tokens:{account}")
}

pub fn password_entry(account: &str) -> String {
    format!("password:{account}")
}

impl TokenStore {
    /// The OS keyring when one answers, else files under `data_dir/tokens`.
    /// `MAILTUI_TOKEN_STORE=file` or `=keyring` decides instead.
    pub fn open(data_dir: &Path) -> TokenStore {
        let files = TokenStore::Files(data_dir.join("tokens"));
        match std::env::var("MAILTUI_TOKEN_STORE").as_deref() {
            Ok("file") => files,
            Ok("keyring") => TokenStore::Keyring(Keyring),
            _ => Keyring::probe().map(TokenStore::Keyring).unwrap_or(files),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            TokenStore::Files(dir) => format!("files in {}", dir.display()),
            TokenStore::Keyring(_) => "the system keyring".to_string(),
        }
    }

    pub fn load(&self, account: &str) -> Result<Option<TokenSet>, StoreError> {
        match self {
            TokenStore::Files(dir) => load_file(&file_for(dir, account)),
            TokenStore::Keyring(k) => match k.get(&tokens_entry(account))? {
                None => Ok(None),
                Some(json) => serde_json::from_str(&json).map(Some).map_err(|_| {
                    StoreError::Damaged(format!("keyring entry {}", tokens_entry(account)))
                }),
            },
        }
    }

    pub fn save(&self, account: &str, tokens: &TokenSet) -> Result<(), StoreError> {
        match self {
            TokenStore::Files(dir) => save_file(dir, &file_for(dir, account), tokens),
            TokenStore::Keyring(k) => {
                let json =
                    serde_json::to_string(tokens).map_err(|e| StoreError::Io(e.to_string()))?;
                k.set(&tokens_entry(account), &json)
            }
        }
    }

    pub fn delete(&self, account: &str) -> Result<(), StoreError> {
        match self {
            TokenStore::Files(dir) => match fs::remove_file(file_for(dir, account)) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(StoreError::Io(format!("cannot delete token file: {e}"))),
            },
            TokenStore::Keyring(k) => k.delete(&tokens_entry(account)),
        }
    }
}

/// Account names become file names; anything odd is hex-escaped.
fn file_for(dir: &Path, account: &str) -> PathBuf {
    let mut name = String::new();
    for b in account.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            name.push(b as char);
        } else {
            name.push_str(&format!("%{b:02x}"));
        }
    }
    dir.join(format!("{name}.json"))
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io(format!("{what} {}: {e}", path.display()))
}

fn load_file(path: &Path) -> Result<Option<TokenSet>, StoreError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io("cannot open", path, e)),
    };
    let mode = file
        .metadata()
        .map_err(|e| io("cannot inspect", path, e))?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(StoreError::TooOpen {
            path: path.display().to_string(),
            mode,
        });
    }
    serde_json::from_reader(file)
        .map(Some)
        .map_err(|_| StoreError::Damaged(path.display().to_string()))
}

fn ensure_private_dir(dir: &Path) -> Result<(), StoreError> {
    fs::create_dir_all(dir).map_err(|e| io("cannot create", dir, e))?;
    let mode = fs::metadata(dir)
        .map_err(|e| io("cannot inspect", dir, e))?
        .permissions()
        .mode()
        & 0o777;
    if mode != 0o700 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| io("cannot chmod", dir, e))?;
    }
    Ok(())
}

/// A new file only we can read: never an existing one (O_EXCL), never
/// through a symbolic link (O_NOFOLLOW), 0600 from the start.
fn create_private(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Write to a temp file, fsync, rename over the old one, fsync the folder:
/// a crash leaves either the old tokens or the new ones, never neither.
fn save_file(dir: &Path, path: &Path, tokens: &TokenSet) -> Result<(), StoreError> {
    ensure_private_dir(dir)?;
    let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = match create_private(&tmp) {
            // Left by a crashed run with our pid (never a link: removing
            // one removes the link, not its target).
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                fs::remove_file(&tmp).map_err(|e| io("cannot remove", &tmp, e))?;
                create_private(&tmp)
            }
            other => other,
        }
        .map_err(|e| io("cannot write", &tmp, e))?;
        let bytes = serde_json::to_vec_pretty(tokens).map_err(|e| StoreError::Io(e.to_string()))?;
        f.write_all(&bytes)
            .map_err(|e| io("cannot write", &tmp, e))?;
        f.sync_all().map_err(|e| io("cannot sync", &tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| io("cannot replace", path, e))?;
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io("cannot sync", dir, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Secret;

    fn tokens(n: i64) -> TokenSet {
        TokenSet {
            access_token: Secret::new(format!("access-{n}")),
            access_issued_at: n,
            access_expires_at: 1000 + n,
            refresh_token: Some(Secret::new(format!("refresh-{n}"))),
            refresh_issued_at: Some(900),
            signed_in_at: 800,
            scopes: vec!["offline_access".into()],
        }
    }

    #[test]
    fn files_are_private_and_replaced_atomically() {
        let tmp = tempfile::tempdir().unwrap();
        let store = TokenStore::Files(tmp.path().join("tokens"));
        assert_eq!(store.load("work").unwrap(), None);
        store.save("work", &tokens(1)).unwrap();
        store.save("work", &tokens(2)).unwrap();
        assert_eq!(store.load("work").unwrap(), Some(tokens(2)));
        let dir_mode = fs::metadata(tmp.path().join("tokens"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        let file = tmp.path().join("tokens/work.json");
        let file_mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!((dir_mode, file_mode), (0o700, 0o600));
        let names: Vec<_> = fs::read_dir(tmp.path().join("tokens"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temp files left: {names:?}");
        store.delete("work").unwrap();
        store.delete("work").unwrap();
        assert_eq!(store.load("work").unwrap(), None);
    }

    #[test]
    fn a_readable_token_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let store = TokenStore::Files(tmp.path().to_path_buf());
        store.save("home", &tokens(1)).unwrap();
        let file = tmp.path().join("home.json");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        let e = store.load("home").unwrap_err().to_string();
        assert!(
            e.contains("readable by other users") && e.contains("chmod 600"),
            "{e}"
        );
        assert!(!e.contains("refresh-1"));
    }

    #[test]
    fn odd_account_names_make_safe_file_names() {
        assert_eq!(
            file_for(Path::new("/t"), "../x y"),
            PathBuf::from("/t/%2e%2e%2fx%20y.json")
        );
    }

    #[test]
    fn the_temp_file_is_never_written_through_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("tokens");
        let store = TokenStore::Files(dir.clone());
        store.save("a", &tokens(1)).unwrap();
        // A link planted where the next save puts its temp file.
        let victim = tmp.path().join("victim");
        fs::write(&victim, b"keep me").unwrap();
        let planted = dir.join(format!("a.json.tmp{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        store.save("a", &tokens(2)).unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"keep me");
        assert_eq!(store.load("a").unwrap(), Some(tokens(2)));
        let mode = fs::metadata(dir.join("a.json"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        assert!(fs::symlink_metadata(&planted).is_err(), "the link is gone");
        // And create_private itself refuses a link outright.
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        assert!(create_private(&planted).is_err());
        assert_eq!(fs::read(&victim).unwrap(), b"keep me");
    }

    #[test]
    fn a_crash_before_rename_keeps_the_old_tokens() {
        let tmp = tempfile::tempdir().unwrap();
        let store = TokenStore::Files(tmp.path().to_path_buf());
        store.save("a", &tokens(1)).unwrap();
        // A half-written temp file from a crashed run is ignored.
        fs::write(tmp.path().join("a.json.tmp999"), b"{\"access_tok").unwrap();
        assert_eq!(store.load("a").unwrap(), Some(tokens(1)));
    }
}
