//! What `:reload` read that can change while running (its own file: the
//! actions carry it, and it must not lead back to them).

use super::help::HelpEntry;
use crate::config::SidePanes;
use crate::config::pipe::PipeConfig;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reloaded {
    pub help: Vec<HelpEntry>,
    pub notify: crate::notify::NotifySettings,
    pub files: crate::files::FilesSettings,
    pub dates: crate::text::dates::DateFormats,
    pub side_panes: SidePanes,
    /// `[ui] columns` (empty: the default).
    pub columns: Vec<crate::config::columns::Column>,
    pub pipe: PipeConfig,
    /// `[[searches]]` and `[ui] all_inboxes`.
    pub searches: crate::config::searches::Searches,
    pub forward_as_attachment: bool,
    /// Sections that changed but need a restart (`accounts`, `[cache]`).
    pub restart: Vec<String>,
}
