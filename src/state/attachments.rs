//! Acting on the parts and links of the message in the reader: the
//! menus, saving and opening parts, showing an attached message or a text
//! part inside the reader (Esc goes back), copying and opening links, and
//! what the file thread reports. Parts are asked of the store by section
//! number; the worker fetches them when the body is not kept.

use super::account::{OuterView, PartUse, ReaderContent};
use super::menu::{Menu, MenuKind, Target, attachments};
use super::{Pane, State};
use crate::action::{Command, StoreCommand, UiAction};
use crate::files::{FileEvent, FilesCommand, save::SaveReport};
use crate::mail::links::{MAX_LINK_CHARS, find_in_lines, merge};
use crate::mail::message::PartEntry;
use crate::mail::mime::parts::join;
use crate::sanitize::Clean;
use crate::text::format::human_size;
use crate::worker::{PartsRequest, WorkerEvent};

/// Rows a page key moves in a menu.
const MENU_PAGE: isize = 10;

/// Said when something would be opened but no command is set.
pub const NO_OPEN_COMMAND: &str =
    "no open command: set open_command = \"xdg-open\" under [files] in the config";

fn label(p: &PartEntry) -> String {
    if p.label.is_empty() {
        format!("part {}", p.section)
    } else {
        p.label.to_string()
    }
}

impl State {
    /// Keys about parts and links (all keys while a menu is open); None
    /// for the others.
    pub(super) fn on_files_key(&mut self, a: UiAction) -> Option<Vec<Command>> {
        if self.menu.is_some() {
            return self.on_menu_key(a);
        }
        match a {
            UiAction::Parts | UiAction::SavePart => Some(self.open_parts_menu()),
            UiAction::Links => Some(self.open_links_menu()),
            UiAction::SaveAll => Some(self.save_all(None)),
            // Only mean something in a menu.
            UiAction::OpenWith | UiAction::CopyLink => Some(Vec::new()),
            UiAction::Back
                if self.focus == Pane::Reader
                    && self.account().is_some_and(|a| !a.reader.outer.is_empty()) =>
            {
                self.close_part();
                Some(Vec::new())
            }
            _ => None,
        }
    }

    /// The message in the reader as menus and requests address it.
    fn target(&mut self) -> Option<Target> {
        let account = self.current;
        let why = match self.account() {
            None => return None,
            Some(acc) => match (&acc.reader.content, acc.reader.uid, acc.folder_ref()) {
                (ReaderContent::Loaded(_), Some(uid), Some(folder)) => {
                    return Some(Target {
                        account,
                        folder,
                        uid,
                        base: acc.reader.base.clone(),
                    });
                }
                (ReaderContent::Loading, ..) => "the message is still loading",
                _ => "no message open",
            },
        };
        self.notify(why, false);
        None
    }

    fn shown_parts(&self) -> Vec<PartEntry> {
        match self.account().map(|a| &a.reader.content) {
            Some(ReaderContent::Loaded(m)) => m.parts.clone(),
            _ => Vec::new(),
        }
    }

    fn open_parts_menu(&mut self) -> Vec<Command> {
        let Some(target) = self.target() else {
            return Vec::new();
        };
        let parts = self.shown_parts();
        if parts.is_empty() {
            self.notify("no parts to list here", false);
            return Vec::new();
        }
        // The first attachment is what one usually wants.
        let cursor = parts.iter().position(|p| p.attachment).unwrap_or(0);
        self.menu = Some(Menu {
            kind: MenuKind::Parts(parts),
            cursor,
            target,
        });
        Vec::new()
    }

    fn open_links_menu(&mut self) -> Vec<Command> {
        let Some(target) = self.target() else {
            return Vec::new();
        };
        let Some(acc) = self.account() else {
            return Vec::new();
        };
        // An HTML part's links are its hrefs, whole; the shown text adds
        // the addresses written out in it (all of them, in the source).
        let hrefs = match &acc.reader.content {
            ReaderContent::Loaded(m) if !acc.reader.layout.raw => m.html_links.clone(),
            _ => Vec::new(),
        };
        let in_text = acc
            .reader
            .layout
            .doc
            .as_ref()
            .map(|d| find_in_lines(d.lines_text()))
            .unwrap_or_default();
        let links = merge(hrefs, in_text);
        if links.is_empty() {
            self.notify("no links in this message", false);
            return Vec::new();
        }
        self.menu = Some(Menu {
            kind: MenuKind::Links(links),
            cursor: 0,
            target,
        });
        Vec::new()
    }

    fn on_menu_key(&mut self, a: UiAction) -> Option<Vec<Command>> {
        let menu = self.menu.as_mut()?;
        let cmds = match a {
            UiAction::Quit | UiAction::Help => return None,
            UiAction::Up => {
                menu.move_by(-1);
                Vec::new()
            }
            UiAction::Down => {
                menu.move_by(1);
                Vec::new()
            }
            UiAction::PageUp => {
                menu.move_by(-MENU_PAGE);
                Vec::new()
            }
            UiAction::PageDown | UiAction::NextPage => {
                menu.move_by(MENU_PAGE);
                Vec::new()
            }
            UiAction::Top => {
                menu.cursor = 0;
                Vec::new()
            }
            UiAction::Bottom => {
                menu.cursor = menu.len().saturating_sub(1);
                Vec::new()
            }
            UiAction::Account(i) => {
                menu.pick(i);
                Vec::new()
            }
            UiAction::Back => {
                self.menu = None;
                Vec::new()
            }
            UiAction::Parts if !menu.is_links() => {
                self.menu = None;
                Vec::new()
            }
            UiAction::Links if menu.is_links() => {
                self.menu = None;
                Vec::new()
            }
            UiAction::Parts => {
                self.menu = None;
                self.open_parts_menu()
            }
            UiAction::Links => {
                self.menu = None;
                self.open_links_menu()
            }
            UiAction::Open => match (menu.part().cloned(), menu.link().is_some()) {
                (Some(p), _) if p.kind.viewable() => self.view_part(&p),
                (Some(p), _) => self.ask_parts(&[p], PartUse::Open),
                (None, true) => self.open_link(),
                (None, false) => Vec::new(),
            },
            UiAction::OpenWith => match menu.part().cloned() {
                Some(p) => self.ask_parts(&[p], PartUse::Open),
                None => self.open_link(),
            },
            UiAction::SavePart => match menu.part().cloned() {
                Some(p) => self.ask_parts(&[p], PartUse::Save),
                None => Vec::new(),
            },
            UiAction::SaveAll => match &menu.kind {
                MenuKind::Parts(parts) => {
                    let parts = parts.clone();
                    self.save_all(Some(&parts))
                }
                MenuKind::Links(_) => Vec::new(),
            },
            UiAction::CopyLink => self.copy_link(),
            // Everything else waits until the menu is closed.
            _ => Vec::new(),
        };
        Some(cmds)
    }

    /// Saves every attachment of the shown message (or of `parts`, the
    /// menu's list of it).
    fn save_all(&mut self, parts: Option<&[PartEntry]>) -> Vec<Command> {
        let owned;
        let parts = match parts {
            Some(p) => p,
            None => {
                if self.target().is_none() {
                    return Vec::new();
                }
                owned = self.shown_parts();
                &owned
            }
        };
        let chosen: Vec<PartEntry> = attachments(parts).into_iter().cloned().collect();
        if chosen.is_empty() {
            self.notify("no attachments to save", false);
            return Vec::new();
        }
        self.ask_parts(&chosen, PartUse::Save)
    }

    /// Asks the store (or the worker) for these parts of the target
    /// message; what to do with them is kept until they come.
    fn ask_parts(&mut self, parts: &[PartEntry], how: PartUse) -> Vec<Command> {
        if how == PartUse::Open && self.files.open_command.is_none() {
            self.notify(NO_OPEN_COMMAND, true);
            return Vec::new();
        }
        let target = match &self.menu {
            Some(m) => m.target.clone(),
            None => match self.target() {
                Some(t) => t,
                None => return Vec::new(),
            },
        };
        let Some(acc) = self.accounts.get_mut(target.account) else {
            return Vec::new();
        };
        let req = acc.next_req_id();
        acc.part_requests.insert(req, how);
        let what = match parts {
            [one] => label(one),
            many => crate::text::count(many.len(), "attachment"),
        };
        let verb = match how {
            PartUse::Save => "saving",
            PartUse::Open => "opening",
        };
        self.notify(&format!("{verb} {what}…"), false);
        vec![Command::Store {
            account: target.account,
            command: StoreCommand::LoadParts(PartsRequest {
                folder: target.folder,
                uid: target.uid,
                sections: parts
                    .iter()
                    .map(|p| join(&target.base, &p.section))
                    .collect(),
                req,
                view: false,
            }),
        }]
    }

    /// Shows an attached message or a text part in the reader; Esc goes
    /// back to what was there.
    fn view_part(&mut self, part: &PartEntry) -> Vec<Command> {
        let Some(menu) = self.menu.take() else {
            return Vec::new();
        };
        let target = menu.target;
        let Some(acc) = self.accounts.get_mut(target.account) else {
            return Vec::new();
        };
        let req = acc.next_req_id();
        let r = &mut acc.reader;
        let section = join(&target.base, &part.section);
        let title = match part.kind {
            crate::mail::message::PartKind::Message => {
                format!("Attached message {section}: {}", label(part))
            }
            _ => format!("Part {section}: {}", label(part)),
        };
        r.outer.push(OuterView {
            req: r.req,
            content: std::mem::replace(&mut r.content, ReaderContent::Loading),
            layout: std::mem::take(&mut r.layout),
            scroll: std::mem::take(&mut r.scroll),
            base: std::mem::replace(&mut r.base, section.clone()),
            title: r.title.replace(Clean::line(&title)),
        });
        r.req = req;
        self.focus = Pane::Reader;
        vec![Command::Store {
            account: target.account,
            command: StoreCommand::LoadParts(PartsRequest {
                folder: target.folder,
                uid: target.uid,
                sections: vec![section],
                req,
                view: true,
            }),
        }]
    }

    /// Esc from a part: the view it was opened from, as it was.
    fn close_part(&mut self) {
        let Some(acc) = self.accounts.get_mut(self.current) else {
            return;
        };
        let r = &mut acc.reader;
        let Some(o) = r.outer.pop() else {
            return;
        };
        r.req = o.req;
        r.content = o.content;
        r.layout = o.layout;
        r.scroll = o.scroll;
        r.base = o.base;
        r.title = o.title;
    }

    fn open_link(&mut self) -> Vec<Command> {
        let Some(menu) = &self.menu else {
            return Vec::new();
        };
        let Some(link) = menu.link().cloned() else {
            return Vec::new();
        };
        let (n, account) = (menu.cursor + 1, menu.target.account);
        let Some(command) = self.files.open_command.clone() else {
            self.notify(&format!("{NO_OPEN_COMMAND} (y copies the link)"), true);
            return Vec::new();
        };
        let Some(acc) = self.accounts.get_mut(account) else {
            return Vec::new();
        };
        let op = acc.next_req_id();
        let cut = if link.cut {
            format!(" (cut at {MAX_LINK_CHARS} characters)")
        } else {
            String::new()
        };
        self.notify(&format!("opening link {n}…{cut}"), false);
        vec![Command::Files(FilesCommand::OpenLink {
            op,
            command,
            url: link.url,
        })]
    }

    fn copy_link(&mut self) -> Vec<Command> {
        let Some(menu) = &self.menu else {
            return Vec::new();
        };
        let Some(link) = menu.link().cloned() else {
            return Vec::new();
        };
        let n = menu.cursor + 1;
        let cut = if link.cut {
            format!(" (cut at {MAX_LINK_CHARS} characters)")
        } else {
            String::new()
        };
        self.notify(
            &format!("link {n} copied to the clipboard (OSC 52){cut}"),
            false,
        );
        vec![Command::Copy(link.url)]
    }

    /// Parts that came from the store or the worker; gives back events
    /// that are not about parts.
    pub(super) fn on_parts_event(
        &mut self,
        account: usize,
        event: WorkerEvent,
    ) -> Result<Vec<Command>, WorkerEvent> {
        let is_current = account == self.current;
        let Some(acc) = self.accounts.get_mut(account) else {
            return Err(event);
        };
        match event {
            WorkerEvent::Parts { req, parts } => {
                let Some(how) = acc.part_requests.remove(&req) else {
                    return Ok(Vec::new());
                };
                let command = match (how, self.files.open_command.clone()) {
                    (PartUse::Save, _) => FilesCommand::Save {
                        op: req,
                        dir: self.files.download_dir.clone(),
                        parts,
                    },
                    (PartUse::Open, Some(command)) => match parts.into_iter().next() {
                        Some(part) => FilesCommand::OpenPart {
                            op: req,
                            command,
                            part,
                        },
                        None => return Ok(Vec::new()),
                    },
                    (PartUse::Open, None) => return Ok(Vec::new()),
                };
                Ok(vec![Command::Files(command)])
            }
            WorkerEvent::PartsFailed { req, error } => {
                if acc.part_requests.remove(&req).is_some() {
                    if is_current {
                        self.notify(error.as_ref(), true);
                    }
                } else if req == acc.reader.req {
                    acc.reader.content = ReaderContent::Failed(error);
                }
                Ok(Vec::new())
            }
            other => Err(other),
        }
    }

    /// How saving or opening went, in the status bar.
    pub(super) fn on_file_event(&mut self, event: FileEvent) -> Vec<Command> {
        match event {
            FileEvent::Progress {
                name, done, total, ..
            } => {
                let pct = (done * 100).checked_div(total).unwrap_or(100);
                self.notify(
                    &format!(
                        "saving {name}: {} of {} ({pct}%)",
                        human_size(done as usize),
                        human_size(total as usize)
                    ),
                    false,
                );
            }
            FileEvent::Saved { report, .. } => {
                let (text, error) = saved_text(&report);
                self.notify(&text, error);
            }
            FileEvent::Opened { what, .. } => self.notify(&format!("opened {what}"), false),
            FileEvent::Failed { error, .. } => self.notify(&error, true),
        }
        Vec::new()
    }
}

/// "saved report.pdf in /home/a/Downloads", and what went wrong.
pub fn saved_text(r: &SaveReport) -> (String, bool) {
    let dir = r.dir.display();
    let mut text = match r.saved.as_slice() {
        [] => String::new(),
        [one] => format!(
            "saved {} in {dir}",
            one.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        many => format!("saved {} in {dir}", crate::text::count(many.len(), "file")),
    };
    if !r.damaged.is_empty() {
        text.push_str(&format!(
            "; {}: damaged transfer encoding, saved what could be decoded",
            r.damaged.join(", ")
        ));
    }
    if !r.errors.is_empty() {
        if !text.is_empty() {
            text.push_str("; not saved: ");
        }
        text.push_str(&r.errors.join("; "));
    }
    (text, !r.errors.is_empty() || !r.damaged.is_empty())
}

#[cfg(test)]
#[path = "attachments_tests.rs"]
mod tests;
