use crate::action::{Action, Command, StoreCommand, UiAction};
use crate::state::sort::{FolderView, FolderViews, SortBy, SortOrder};
use crate::state::test_kit::*;
use crate::state::{Pane, State};

fn key(s: &mut State, a: UiAction) -> Vec<Command> {
    s.update(Action::Ui(a))
}

fn saved(cmds: &[Command]) -> Option<FolderViews> {
    cmds.iter().find_map(|c| match c {
        Command::SaveFolderViews(v) => Some(v.clone()),
        _ => None,
    })
}

fn asks_threads(cmds: &[Command]) -> bool {
    cmds.iter().any(|c| {
        matches!(
            c,
            Command::Store {
                command: StoreCommand::Threads { .. },
                ..
            }
        )
    })
}

#[test]
fn each_folder_keeps_its_order_and_threads() {
    let mut s = state();
    loaded(&mut s, 0, 5);
    s.focus = Pane::Messages;
    key(&mut s, UiAction::Sort);
    let cmds = key(&mut s, UiAction::SortReverse);
    let date_rev = SortOrder {
        by: SortBy::Date,
        reverse: true,
    };
    assert_eq!(s.accounts[0].list.sort, date_rev);
    let views = saved(&cmds).expect("the change is saved");
    assert_eq!(views.accounts["work"]["INBOX"].sort, date_rev);
    assert!(!views.accounts.contains_key("home"));
    // Another folder has its own (the default); back in INBOX, its order.
    let cmds = s.accounts[0].open_folder(1, 0);
    assert!(!asks_threads(&cmds));
    assert_eq!(s.accounts[0].list.sort, SortOrder::default());
    let at = s.accounts[0]
        .folders
        .iter()
        .position(|f| f.path == "INBOX")
        .unwrap();
    s.accounts[0].open_folder(at, 0);
    assert_eq!(s.accounts[0].list.sort, date_rev);
    // Threads are remembered too, and asked for when the folder opens.
    let cmds = key(&mut s, UiAction::Threads);
    assert!(asks_threads(&cmds));
    let views = saved(&cmds).expect("threads on is saved");
    assert!(views.accounts["work"]["INBOX"].threads);
    s.accounts[0].open_folder(1, 0);
    let cmds = s.accounts[0].open_folder(at, 0);
    assert!(asks_threads(&cmds), "threads come back with the folder");
}

#[test]
fn views_from_an_earlier_run_apply_when_the_folder_opens() {
    let mut s = state();
    let mut views = FolderViews::default();
    let order = SortOrder::parse("size reverse").unwrap();
    views.accounts.entry("home".into()).or_default().insert(
        "INBOX".into(),
        FolderView {
            sort: order,
            threads: false,
        },
    );
    s.restore_folder_views(views.clone());
    assert_eq!(s.folder_views(), views);
    loaded(&mut s, 1, 3);
    assert_eq!(s.accounts[1].list.sort, order);
    assert_eq!(s.accounts[0].list.sort, SortOrder::default());
}

#[test]
fn sort_from_text_says_what_is_wrong() {
    let mut s = state();
    loaded(&mut s, 0, 4);
    let cmds = s.sort_by_text("size").unwrap();
    assert!(saved(&cmds).is_some());
    assert_eq!(s.accounts[0].list.sort.by, SortBy::Size);
    assert!(s.sort_by_text("bogus").unwrap_err().contains("bogus"));
    // Back to the default: nothing left to keep for the folder.
    let cmds = s.sort_by_text("arrival").unwrap();
    assert_eq!(saved(&cmds), Some(FolderViews::default()));
}
