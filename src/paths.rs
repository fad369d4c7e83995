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
