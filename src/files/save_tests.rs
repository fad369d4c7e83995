use std::os::unix::fs::PermissionsExt;

use super::*;

fn part(name: &str, bytes: &[u8]) -> PartBytes {
    PartBytes {
        section: "2".into(),
        file_name: Some(name.into()),
        mime: "application/pdf".into(),
        charset: None,
        bytes: bytes.to_vec(),
        damaged: false,
    }
}

/// Every file under `dir`, as paths relative to it.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
        }
    }
    out.sort();
    out
}

#[test]
fn an_existing_name_gets_a_number_and_nothing_is_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("Downloads");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("report.pdf"), b"mine").unwrap();
    let parts = [
        part("report.pdf", b"one"),
        part("report.pdf", b"two"),
        part("../report.pdf", b"three"),
    ];
    let r = save(&dir, &parts, |_, _, _| {});
    assert!(r.errors.is_empty(), "{r:?}");
    assert_eq!(
        tree(&dir),
        [
            "report (1).pdf",
            "report (2).pdf",
            "report (3).pdf",
            "report.pdf"
        ]
    );
    assert_eq!(std::fs::read(dir.join("report.pdf")).unwrap(), b"mine");
    assert_eq!(std::fs::read(dir.join("report (3).pdf")).unwrap(), b"three");
    assert_eq!(tree(tmp.path()).len(), 5, "nothing outside the dir");
}

#[test]
fn a_symlink_at_the_name_is_never_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dl");
    std::fs::create_dir(&dir).unwrap();
    let target = tmp.path().join("outside.txt");
    std::os::unix::fs::symlink(&target, dir.join("notes.txt")).unwrap();
    let r = save(&dir, &[part("notes.txt", b"payload")], |_, _, _| {});
    assert_eq!(r.saved, [dir.join("notes (1).txt")]);
    assert!(!target.exists(), "written through the symlink");
}

#[test]
fn a_missing_dir_is_created_and_a_file_in_the_way_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a/b/Downloads");
    let r = save(&dir, &[part("x.pdf", b"x")], |_, _, _| {});
    assert_eq!(r.saved, [dir.join("x.pdf")]);
    let file = tmp.path().join("plain-file");
    std::fs::write(&file, b"").unwrap();
    let r = save(&file, &[part("x.pdf", b"x")], |_, _, _| {});
    assert!(r.saved.is_empty());
    assert!(r.errors[0].contains("is not a folder"), "{r:?}");
    let r = save(&file.join("sub"), &[part("x.pdf", b"x")], |_, _, _| {});
    assert!(r.errors[0].contains("cannot"), "{r:?}");
}

#[test]
fn an_unwritable_dir_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ro");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o500)).unwrap();
    // Root writes anyway; the check needs an ordinary user.
    let root = std::fs::write(dir.join("probe"), b"").is_ok();
    let _ = std::fs::remove_file(dir.join("probe"));
    let r = save(&dir, &[part("x.pdf", b"x")], |_, _, _| {});
    if !root {
        assert!(r.saved.is_empty());
        assert!(
            r.errors[0].contains("is not writable") && r.errors[0].contains("download_dir"),
            "{r:?}"
        );
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    // /proc refuses new files even to root.
    let r = save(
        Path::new("/proc/self"),
        &[part("x.pdf", b"x")],
        |_, _, _| {},
    );
    assert!(r.saved.is_empty() && !r.errors.is_empty(), "{r:?}");
}

#[test]
fn progress_counts_bytes_over_all_parts_and_damage_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let big = vec![7u8; WRITE_CHUNK * 2 + 10];
    let mut broken = part("broken.bin", b"Hel");
    broken.damaged = true;
    let mut seen = Vec::new();
    let r = save(
        tmp.path(),
        &[part("big.bin", &big), broken],
        |name, done, total| seen.push((name.to_string(), done, total)),
    );
    let total = big.len() as u64 + 3;
    assert_eq!(
        seen.first(),
        Some(&("big.bin".into(), WRITE_CHUNK as u64, total))
    );
    assert_eq!(seen.last(), Some(&("broken.bin".into(), total, total)));
    assert_eq!(r.damaged, ["broken.bin"]);
    assert_eq!(std::fs::read(tmp.path().join("big.bin")).unwrap(), big);
}
