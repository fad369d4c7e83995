//! Where mailtui keeps things, by the XDG base directory rules (the
//! `directories` crate reads XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME …).

use std::path::PathBuf;

use directories::ProjectDirs;

#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
    pub cache_dir: PathBuf,
}

impl Paths {
    pub fn discover() -> anyhow::Result<Self> {
        let dirs = ProjectDirs::from("", "", "mailtui")
            .ok_or_else(|| anyhow::anyhow!("cannot find a home directory (is HOME set?)"))?;
        // state_dir is Linux-only in `directories`; elsewhere the data dir serves.
        let state_dir = dirs
            .state_dir()
            .unwrap_or(dirs.data_local_dir())
            .to_path_buf();
        Ok(Paths {
            config_file: dirs.config_dir().join("config.toml"),
            data_dir: dirs.data_dir().to_path_buf(),
            state_dir,
            cache_dir: dirs.cache_dir().to_path_buf(),
        })
    }

    pub fn log_file(&self) -> PathBuf {
        self.state_dir.join("mailtui.log")
    }
}

/// Replaces a small file of ours whole: written to a file of this run's
/// own (two instances never write into one), readable by the user only
/// (a history may hold a piped command's arguments), then renamed over
/// the old, so a crash leaves the old file or the new, never half.
pub fn replace_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp{}", std::process::id()));
    let tmp = path.with_file_name(name);
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::replace_private;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn a_replaced_file_is_whole_and_the_users_alone() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("state").join("history");
        replace_private(&path, b"first").expect("write");
        replace_private(&path, b"second").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let left: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("list")
            .collect();
        assert_eq!(left.len(), 1, "no temporary file left");
    }
}
