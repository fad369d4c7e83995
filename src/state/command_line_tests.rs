use super::*;

#[test]
fn every_action_runs_by_its_keys_name() {
    for (name, action, _) in UiAction::NAMED {
        assert_eq!(parse(name), Ok(Cmd::Action(*action)), "{name}");
    }
    assert_eq!(parse("  account_2 "), Ok(Cmd::Action(UiAction::Account(1))));
    assert_eq!(parse("Toggle-Flag"), Ok(Cmd::Action(UiAction::ToggleFlag)));
}

#[test]
fn commands_take_their_arguments() {
    assert_eq!(
        parse("move Projects/2026"),
        Ok(Cmd::Move("Projects/2026".into()))
    );
    assert_eq!(parse("go_to_folder  sent "), Ok(Cmd::GoTo("sent".into())));
    assert_eq!(
        parse("search from:bob is:unread"),
        Ok(Cmd::Search("from:bob is:unread".into()))
    );
    assert_eq!(parse("limit"), Ok(Cmd::Action(UiAction::Limit)));
    assert_eq!(
        parse("sort date reverse"),
        Ok(Cmd::Sort {
            by: SortBy::Date,
            reverse: true
        })
    );
    assert_eq!(
        parse("sort Subject"),
        Ok(Cmd::Sort {
            by: SortBy::Subject,
            reverse: false
        })
    );
    assert_eq!(
        parse("set theme LIGHT"),
        Ok(Cmd::Set {
            name: "theme",
            value: "light"
        })
    );
    assert_eq!(parse("reload"), Ok(Cmd::Reload));
    assert_eq!(
        parse("pipe-text w3m -T text/html"),
        Ok(Cmd::Pipe {
            command: "w3m -T text/html".into(),
            text: true
        })
    );
    // Bare, the action with arguments opens its prompt.
    assert_eq!(parse("move"), Ok(Cmd::Action(UiAction::Move)));
    assert_eq!(parse("sort"), Ok(Cmd::Action(UiAction::Sort)));
}

#[test]
fn errors_say_what_is_wrong() {
    assert_eq!(
        parse("mvoe Projects").unwrap_err(),
        "unknown command “mvoe”; did you mean “move”?"
    );
    assert_eq!(
        parse("xyzzy").unwrap_err(),
        "unknown command “xyzzy” (Tab lists them)"
    );
    assert_eq!(
        parse("reload now").unwrap_err(),
        "“reload” takes no arguments (got “now”)"
    );
    assert_eq!(
        parse("toggle_flag now").unwrap_err(),
        "“toggle_flag” takes no arguments (got “now”)"
    );
    assert!(
        parse("sort colour")
            .unwrap_err()
            .contains("unknown sort key \"colour\"")
    );
    assert!(
        parse("sort date up")
            .unwrap_err()
            .contains("\"up\" after the sort key")
    );
    assert!(
        parse("sort date reverse now")
            .unwrap_err()
            .contains("“now”")
    );
    assert_eq!(
        parse("set colour dark").unwrap_err(),
        "unknown setting “colour”; what can change now: theme, side_panes"
    );
    assert_eq!(
        parse("set theme pink").unwrap_err(),
        "“pink” is no value for theme: one of dark, light, 16, none"
    );
    assert!(parse("set theme").unwrap_err().contains("needs a value"));
    assert!(
        parse("pipe_text")
            .unwrap_err()
            .contains("needs a shell command")
    );
    assert!(parse("reload now").is_err());
    assert!(parse("   ").is_err());
    assert_eq!(did_you_mean("relaod"), Some("reload"));
    assert_eq!(did_you_mean("sreach"), Some("search"));
    assert_eq!(did_you_mean("q"), None);
}

#[test]
fn sort_words_read_a_name_and_reverse() {
    assert_eq!(sort_words("arrival", None), Ok((SortBy::Arrival, false)));
    assert_eq!(
        sort_words("size", Some("reverse")),
        Ok((SortBy::Size, true))
    );
    assert!(sort_words("colour", None).is_err());
    assert_eq!(
        sort_words("SENDER", Some("rev")),
        Ok((SortBy::Sender, true))
    );
    for s in SortBy::ALL {
        assert_eq!(SortBy::parse(s.label()), Ok(s));
    }
}

#[test]
fn tab_completes_names_folders_and_settings() {
    let folders: Vec<String> = ["INBOX", "Projects", "Projects/2026", "Sent"]
        .map(String::from)
        .to_vec();
    let saved = vec!["All inboxes".to_string(), "Flagged".to_string()];
    let c = complete("mo", &folders, &saved);
    assert_eq!(c.line, "move ");
    assert!(c.choices.is_empty());
    let c = complete("toggle_", &folders, &saved);
    assert_eq!(c.line, "toggle_");
    assert!(c.choices.contains(&"toggle_flag".to_string()), "{c:?}");
    let c = complete("move proj", &folders, &saved);
    assert_eq!(c.line, "move Projects");
    assert_eq!(c.choices, ["Projects", "Projects/2026"]);
    assert_eq!(
        complete("go_to_folder se", &folders, &saved).line,
        "go_to_folder Sent"
    );
    assert_eq!(complete("set th", &folders, &saved).line, "set theme ");
    assert_eq!(
        complete("set theme l", &folders, &saved).line,
        "set theme light"
    );
    assert_eq!(
        complete("set side-panes h", &folders, &saved).line,
        "set side_panes hide"
    );
    assert_eq!(complete("sort su", &folders, &saved).line, "sort subject ");
    assert_eq!(complete("saved fl", &folders, &saved).line, "saved Flagged");
    assert_eq!(
        complete("saved all", &folders, &saved).line,
        "saved All inboxes"
    );
    // Nothing fits, or nothing to complete: the line stays.
    assert_eq!(complete("move zz", &folders, &saved).line, "move zz");
    assert_eq!(
        complete("search from:", &folders, &saved).line,
        "search from:"
    );
    assert_eq!(
        complete("", &folders, &saved).choices.len(),
        names().count()
    );
}

#[test]
fn history_walks_back_and_forward_to_the_draft() {
    let mut h = History::default();
    assert_eq!(h.up("typed"), None);
    for l in ["move Sent", "sort date", "sort date", "  ", "reload"] {
        h.push(l);
    }
    assert_eq!(h.len(), 3, "blank and repeated lines are not kept");
    assert_eq!(h.up("dra").as_deref(), Some("reload"));
    assert_eq!(h.up("ignored").as_deref(), Some("sort date"));
    assert_eq!(h.up("").as_deref(), Some("move Sent"));
    assert_eq!(h.up(""), None, "at the oldest");
    assert_eq!(h.down().as_deref(), Some("sort date"));
    assert_eq!(h.down().as_deref(), Some("reload"));
    assert_eq!(h.down().as_deref(), Some("dra"));
    assert_eq!(h.down(), None);
}

#[test]
fn the_pipe_prompt_walks_only_the_pipe_lines() {
    let mut h = History::default();
    for l in ["pipe wc -c", "sort date", "pipe less", "reload"] {
        h.push(l);
    }
    assert_eq!(h.up_in("gi", "pipe ").as_deref(), Some("less"));
    assert_eq!(h.up_in("", "pipe ").as_deref(), Some("wc -c"));
    assert_eq!(h.up_in("", "pipe "), None);
    assert_eq!(h.down_in("pipe ").as_deref(), Some("less"));
    assert_eq!(h.down_in("pipe ").as_deref(), Some("gi"));
}

#[test]
fn history_keeps_the_newest_hundred_and_reads_its_file_within_limits() {
    let mut h = History::default();
    for i in 0..250 {
        h.push(&format!("search n{i}"));
    }
    assert_eq!(h.len(), HISTORY_ENTRIES);
    assert_eq!(h.up("").as_deref(), Some("search n249"));
    let back = History::from_text(&h.to_text());
    assert_eq!(back.len(), HISTORY_ENTRIES);
    assert_eq!(back.to_text(), h.to_text());
    // A huge or hostile file: cut, control characters dropped, no panic.
    let mut text = "é".repeat(HISTORY_FILE_BYTES);
    text.push_str("\nlast\n");
    let h = History::from_text(&text);
    assert_eq!(h.to_text(), "last\n", "the newest whole lines are kept");
    let h = History::from_text("ok\n\u{1b}[31mred\nfine\n");
    assert_eq!(h.to_text(), "ok\nfine\n");
}
