//! The sort keys and the thread key's effect on what is remembered: each
//! change to a folder's order is kept for that folder (and saved by the
//! app), so opening it again shows it the same way.

use super::State;
use super::sort::{FolderView, FolderViews, SortOrder};
use crate::action::Command;

impl State {
    /// Sorts the open folder of the current account (`:sort size reverse`
    /// and the sort keys), says so, and remembers it for the folder.
    pub fn set_sort_order(&mut self, order: SortOrder) -> Vec<Command> {
        let Some(acc) = self.account_mut() else {
            return Vec::new();
        };
        acc.list.set_sort(order);
        let note = if acc.list.threads() {
            "sorting applies outside the thread view (T)".to_string()
        } else {
            format!("sorted by {}", order.label())
        };
        self.notify(&note, false);
        self.remember_view(None)
    }

    /// Reads `text` ("date reverse") as an order and sorts by it.
    pub fn sort_by_text(&mut self, text: &str) -> Result<Vec<Command>, String> {
        let order = SortOrder::parse(text)?;
        Ok(self.set_sort_order(order))
    }

    /// Keeps the open folder's order, and threads as `threads` says (else
    /// as shown), for the folder; a save for the app when that changed.
    pub(super) fn remember_view(&mut self, threads: Option<bool>) -> Vec<Command> {
        let Some(acc) = self.account_mut() else {
            return Vec::new();
        };
        let Some(path) = acc.list.path.clone() else {
            return Vec::new();
        };
        let view = FolderView {
            sort: acc.list.sort,
            threads: threads.unwrap_or_else(|| acc.list.threads()),
        };
        if !super::sort::remember(&mut acc.views, &path, view) {
            return Vec::new();
        }
        vec![Command::SaveFolderViews(self.folder_views())]
    }

    /// Every account's remembered views, as the app saves them.
    pub fn folder_views(&self) -> FolderViews {
        FolderViews {
            accounts: self
                .accounts
                .iter()
                .filter(|a| !a.views.is_empty())
                .map(|a| (a.info.name.clone(), a.views.clone()))
                .collect(),
        }
    }

    /// Views saved by an earlier run, before the accounts start.
    pub fn restore_folder_views(&mut self, mut saved: FolderViews) {
        for acc in &mut self.accounts {
            if let Some(v) = saved.accounts.remove(&acc.info.name) {
                acc.views = v;
            }
        }
    }
}

#[cfg(test)]
#[path = "sorting_tests.rs"]
mod tests;
