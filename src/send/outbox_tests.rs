use std::os::unix::fs::PermissionsExt;

use super::*;
use crate::send::error::SendErrorKind;

fn entry(subject: &str) -> NewEntry {
    NewEntry {
        account: "work".into(),
        bytes: format!("Subject: {subject}\r\n\r\nHello\r\n").into_bytes(),
        envelope_from: "me@example.com".into(),
        recipients: vec!["you@example.com".into(), "them@example.com".into()],
        subject: subject.into(),
        after: AfterSend {
            answered: Some(("INBOX".into(), 7, 42)),
            ..AfterSend::default()
        },
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// The same folder as a later run of mailtui sees it: its own run id.
fn as_later_run(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "json") {
            let text = std::fs::read_to_string(&p).unwrap();
            let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
            if v.get("run").is_some() {
                v["run"] = "1-1".into();
            }
            std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
        }
    }
}

#[test]
fn add_writes_private_files_and_lists_them_oldest_first() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("outbox");
    let ob = Outbox::open(&dir).unwrap();
    assert_eq!(mode(&dir), 0o700);
    let a = ob.add(entry("first")).unwrap();
    let b = ob.add(entry("second")).unwrap();
    for id in [&a, &b] {
        assert_eq!(mode(&dir.join(format!("{id}.eml"))), 0o600);
        assert_eq!(mode(&dir.join(format!("{id}.json"))), 0o600);
    }
    // No temp files left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");

    let list = ob.list();
    assert_eq!(
        list.iter().map(|m| m.subject.as_str()).collect::<Vec<_>>(),
        ["first", "second"]
    );
    let m = &list[0];
    assert_eq!(m.id, a);
    assert_eq!(m.state, EntryState::Queued);
    assert_eq!(m.size, ob.bytes(&a).unwrap().len() as u64);
    assert_eq!(m.after.answered, Some(("INBOX".into(), 7, 42)));
    assert_eq!(m.recipients.len(), 2);
    assert!(!m.uncertain() && !m.is_broken());
    assert_eq!(ob.bytes(&b).unwrap(), entry("second").bytes);
}

#[test]
fn refuses_empty_messages_and_no_recipients() {
    let tmp = tempfile::tempdir().unwrap();
    let ob = Outbox::open(tmp.path()).unwrap();
    let mut e = entry("x");
    e.bytes.clear();
    assert!(ob.add(e).is_err());
    let mut e = entry("x");
    e.recipients.clear();
    assert!(ob.add(e).is_err());
    assert!(ob.list().is_empty());
}

#[test]
fn states_survive_reopening() {
    let tmp = tempfile::tempdir().unwrap();
    let ob = Outbox::open(tmp.path()).unwrap();
    let a = ob.add(entry("accepted")).unwrap();
    let f = ob.add(entry("failed")).unwrap();
    ob.set_state(
        &a,
        EntryState::Accepted {
            at: 5,
            reply: "250 2.0.0 OK".into(),
        },
    )
    .unwrap();
    let error = SendError::new(
        SendErrorKind::RecipientRefused(vec!["x@example.com".into()]),
        "refused",
        Some("550 5.1.1 unknown".into()),
    );
    ob.set_state(
        &f,
        EntryState::Failed {
            at: 6,
            error: error.clone(),
        },
    )
    .unwrap();
    drop(ob);
    let ob = Outbox::open(tmp.path()).unwrap();
    let list = ob.list();
    assert_eq!(
        list[0].state,
        EntryState::Accepted {
            at: 5,
            reply: "250 2.0.0 OK".into()
        }
    );
    assert_eq!(list[1].state, EntryState::Failed { at: 6, error });
}

#[test]
fn sending_is_in_flight_in_this_run_and_uncertain_in_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let ob = Outbox::open(tmp.path()).unwrap();
    let id = ob.add(entry("mid-send")).unwrap();
    ob.set_state(&id, EntryState::Sending { since: 9 }).unwrap();
    assert!(!ob.list()[0].uncertain(), "this run's own send is no doubt");
    drop(ob);
    as_later_run(tmp.path());
    let ob = Outbox::open(tmp.path()).unwrap();
    let m = &ob.list()[0];
    assert_eq!(m.state, EntryState::Sending { since: 9 });
    assert!(m.uncertain());
    // A retry the user agreed to makes it this run's again.
    ob.set_state(&id, EntryState::Sending { since: 10 })
        .unwrap();
    assert!(!ob.list()[0].uncertain());
}

#[test]
fn broken_entries_are_listed_with_their_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ob = Outbox::open(dir).unwrap();
    let good = ob.add(entry("good")).unwrap();
    let garbled = ob.add(entry("garbled")).unwrap();
    let lonely = ob.add(entry("no description")).unwrap();
    let cut = ob.add(entry("cut short")).unwrap();
    let orphan = ob.add(entry("no message")).unwrap();
    std::fs::write(dir.join(format!("{garbled}.json")), b"{not json").unwrap();
    std::fs::remove_file(dir.join(format!("{lonely}.json"))).unwrap();
    std::fs::write(dir.join(format!("{cut}.eml")), b"Subj").unwrap();
    std::fs::remove_file(dir.join(format!("{orphan}.eml"))).unwrap();
    // Not entries at all: ignored (and logged), never mistaken for one.
    std::fs::write(dir.join("notes.txt"), b"x").unwrap();
    std::fs::write(dir.join("x.json"), b"x").unwrap();

    let list = ob.list();
    assert_eq!(list.len(), 5, "{list:#?}");
    let problem = |id: &EntryId| match &list.iter().find(|m| &m.id == id).unwrap().state {
        EntryState::Broken { problem } => problem.clone(),
        other => panic!("{id}: {other:?}"),
    };
    assert!(problem(&garbled).contains("does not parse"));
    assert!(problem(&lonely).contains("description"));
    assert!(problem(&cut).contains("4 bytes"), "{}", problem(&cut));
    assert!(problem(&orphan).contains("message file"));
    assert!(!list.iter().find(|m| m.id == good).unwrap().is_broken());
    // Broken entries keep their place by the time in their id.
    assert_eq!(list[0].id, good);
    // And they can be removed.
    for id in [&garbled, &lonely, &cut, &orphan] {
        ob.remove(id).unwrap();
    }
    assert_eq!(ob.list().len(), 1);
}

#[test]
fn links_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("outbox");
    let ob = Outbox::open(&dir).unwrap();
    let id = ob.add(entry("linked")).unwrap();
    let secret = tmp.path().join("elsewhere");
    std::fs::write(&secret, b"not for the outbox").unwrap();
    let eml = dir.join(format!("{id}.eml"));
    std::fs::remove_file(&eml).unwrap();
    std::os::unix::fs::symlink(&secret, &eml).unwrap();
    assert!(ob.bytes(&id).is_err());
    assert!(ob.list()[0].is_broken());

    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&dir, &link).unwrap();
    assert!(Outbox::open(&link).is_err());
}

#[test]
fn remove_takes_both_files_and_later_state_changes_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let ob = Outbox::open(tmp.path()).unwrap();
    let id = ob.add(entry("gone")).unwrap();
    ob.remove(&id).unwrap();
    assert!(ob.list().is_empty());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    assert!(ob.set_state(&id, EntryState::Queued).is_err());
    assert!(ob.list().is_empty(), "no description brought back");
    assert_eq!(ob.remove(&id).unwrap_err().kind(), io::ErrorKind::NotFound);
}

#[test]
fn stale_temp_files_of_other_runs_are_cleared_on_open() {
    let tmp = tempfile::tempdir().unwrap();
    let stale = tmp.path().join(".1700000000000-1-0.eml.tmp");
    std::fs::write(&stale, b"half").unwrap();
    let ob = Outbox::open(tmp.path()).unwrap();
    assert!(!stale.exists());
    assert!(ob.list().is_empty());
}

#[test]
fn ids_from_outside_cannot_name_other_files() {
    for bad in ["", "../x", "a", "1/2", "-1", "1.json", &"1".repeat(65)] {
        assert!(EntryId::parse(bad).is_none(), "{bad:?}");
    }
    assert!(EntryId::parse("1765000000000-42-0").is_some());
    assert!(serde_json::from_str::<EntryId>("\"../../etc\"").is_err());
}
