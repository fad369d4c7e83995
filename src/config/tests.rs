use std::path::Path;

use super::*;
use crate::auth::PasswordSource;
use crate::auth::sasl::Mechanism;
use crate::auth::service::LoginMethod;
use crate::imap::TlsMode;

#[test]
fn a_password_in_a_file_others_can_read_warns_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let chmod =
        |mode| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    let base = "[[accounts]]\nname = \"a\"\nemail = \"a@b\"\nprovider = \"generic\"\nimap = { host = \"h\" }\n";
    std::fs::write(
        &path,
        format!("{base}auth = {{ method = \"password\", password = \"hunter2\" }}\n"),
    )
    .unwrap();
    chmod(0o644);
    let c = load(&path).unwrap();
    let shown = format!("{}", path.display());
    let w = c
        .warnings
        .iter()
        .find(|w| w.contains("other users can read"))
        .expect("warned");
    assert!(
        w.contains(&format!("chmod 600 {shown}")) && w.contains("644"),
        "{w}"
    );
    assert!(!w.contains("hunter2"));
    chmod(0o640);
    assert!(
        load(&path)
            .unwrap()
            .warnings
            .iter()
            .any(|w| w.contains("640"))
    );
    chmod(0o600);
    let c = load(&path).unwrap();
    assert!(
        !c.warnings.iter().any(|w| w.contains("other users")),
        "{:?}",
        c.warnings
    );
    // No secret in the file: its mode is nobody's business.
    std::fs::write(
        &path,
        format!("{base}auth = {{ method = \"password\", password_command = \"x\" }}\n"),
    )
    .unwrap();
    chmod(0o644);
    assert!(load(&path).unwrap().warnings.is_empty());
}

fn parse_str(s: &str) -> Result<Config, ConfigError> {
    parse(Path::new("/home/u/.config/mailtui/config.toml"), s)
}

fn error(s: &str) -> String {
    parse_str(s).unwrap_err().to_string()
}

const GOOD: &str = r#"
[[accounts]]
name = "home"
email = "me@example.org"
provider = "generic"
imap = { host = "imap.example.org", port = 993, tls = "implicit" }
auth = { method = "password", password_command = "pass show mail/home" }

[[accounts]]
name = "work"
email = "alice@contoso.com"
provider = "microsoft"
tenant = "contoso.onmicrosoft.com"
client_id = "00000000-0000-0000-0000-000000000000"

[[accounts]]
name = "local"
provider = "maildir"
maildir = "/var/mail/me"

[keys]
"ctrl-n" = "down"
"#;

#[test]
fn parses_the_documented_schema() {
    let c = parse_str(GOOD).unwrap();
    assert_eq!(c.accounts.len(), 3);
    let AccountKind::Imap { imap: s, password } = &c.accounts[0].kind else {
        panic!("imap")
    };
    assert_eq!(
        (s.host.as_str(), s.port, s.tls),
        ("imap.example.org", 993, TlsMode::Implicit)
    );
    assert_eq!(s.username, "me@example.org");
    assert_eq!(
        *password,
        PasswordSource::Command("pass show mail/home".into())
    );
    let AccountKind::OAuth2 { imap, oauth: o } = &c.accounts[1].kind else {
        panic!("oauth")
    };
    assert_eq!((imap.host.as_str(), imap.port), (MICROSOFT_IMAP_HOST, 993));
    assert_eq!(imap.username, "alice@contoso.com");
    assert_eq!(o.tenant, "contoso.onmicrosoft.com");
    assert_eq!(o.login, LoginMethod::Device);
    assert_eq!(
        o.client.scopes,
        [
            MICROSOFT_IMAP_SCOPE,
            sending::MICROSOFT_SMTP_SCOPE,
            "offline_access"
        ]
    );
    assert_eq!(
        o.client.token_url,
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    assert!(
        matches!(&c.accounts[2].kind, AccountKind::Maildir(p) if p == Path::new("/var/mail/me"))
    );
    assert_eq!(c.keys[0].key, "ctrl-n");
    assert_eq!(c.keys[0].action, "down");
    assert!(c.warnings.is_empty());
}

#[test]
fn each_account_knows_the_lines_of_its_settings() {
    let c = parse_str(GOOD).unwrap();
    assert_eq!(
        c.accounts[0].lines,
        ConfigLines {
            name: 3,
            imap: Some(6),
            auth: Some(7),
            ..Default::default()
        }
    );
    let work = c.accounts[1].lines;
    assert_eq!(
        (work.name, work.tenant, work.client_id, work.imap),
        (10, Some(13), Some(14), None)
    );
    let c = parse_str(
        "[[accounts]]\nname = \"a\"\nemail = \"a@b\"\nprovider = \"generic\"\n\
         imap = { host = \"h\" }\nca_file = \"/ca.pem\"\nauth = { method = \"password\", password_command = \"x\" }\n",
    )
    .unwrap();
    assert_eq!(c.accounts[0].lines.ca_file, Some(6));
}

#[test]
fn unknown_key_names_file_line_and_key() {
    let e = error("[[accounts]]\nname = \"a\"\nprovider = \"generic\"\nhots = \"x\"\n");
    assert!(
        e.starts_with("/home/u/.config/mailtui/config.toml:4:1: accounts[0]"),
        "{e}"
    );
    assert!(e.contains("unknown field `hots`"), "{e}");
}

#[test]
fn bad_value_names_the_nested_key() {
    let e = error(
        "[[accounts]]\nname = \"a\"\nprovider = \"generic\"\nimap = { host = \"h\", tls = \"maybe\" }\n",
    );
    assert!(
        e.contains(":4:") && e.contains("accounts[0].imap.tls") && e.contains("maybe"),
        "{e}"
    );
    let e = error("[[accounts]]\nname = \"a\"\nprovider = \"yahoo\"\n");
    assert!(
        e.contains(":3:12: accounts[0].provider") && e.contains("yahoo"),
        "{e}"
    );
}

#[test]
fn toml_syntax_errors_point_at_the_line() {
    let e = error("[[accounts]]\nname = \"a\n");
    assert!(e.contains("config.toml:2:"), "{e}");
}

#[test]
fn plaintext_tls_only_for_loopback() {
    let base = "[[accounts]]\nname = \"a\"\nemail = \"a@b\"\nprovider = \"generic\"\nauth = { method = \"password\", password = \"x\" }\n";
    let e = error(&format!(
        "{base}imap = {{ host = \"mail.example.org\", tls = \"none\" }}\n"
    ));
    assert!(
        e.contains(":6:") && e.contains("imap.tls") && e.contains("loopback"),
        "{e}"
    );
    let ok = parse_str(&format!(
        "{base}imap = {{ host = \"127.0.0.1\", tls = \"none\" }}\n"
    ))
    .unwrap();
    let AccountKind::Imap { imap: s, .. } = &ok.accounts[0].kind else {
        panic!()
    };
    assert_eq!(s.port, 143);
    assert_eq!(ok.warnings.len(), 1, "plaintext password warns");
}

#[test]
fn bracketed_ipv6_hosts_are_plain_addresses() {
    let base = "[[accounts]]\nname = \"a\"\nemail = \"a@b\"\nprovider = \"generic\"\nauth = { method = \"password\", password_command = \"x\" }\n";
    for (written, tls, host) in [
        ("[::1]", "none", "::1"),
        ("::1", "none", "::1"),
        (" [::1] ", "none", "::1"),
        ("[2001:db8::1]", "implicit", "2001:db8::1"),
        ("imap.example.org", "implicit", "imap.example.org"),
    ] {
        let c = parse_str(&format!(
            "{base}imap = {{ host = \"{written}\", tls = \"{tls}\" }}\n"
        ))
        .unwrap_or_else(|e| panic!("{written}: {e}"));
        let AccountKind::Imap { imap: s, .. } = &c.accounts[0].kind else {
            panic!()
        };
        assert_eq!(s.host, host);
    }
    let e = error(&format!(
        "{base}imap = {{ host = \"[2001:db8::1]\", tls = \"none\" }}\n"
    ));
    assert!(e.contains("loopback"), "{e}");
    for bad in ["[imap.example.org]", "[::1", "::1]", "[::1]:993"] {
        let e = error(&format!("{base}imap = {{ host = \"{bad}\" }}\n"));
        assert!(
            e.contains(":6:") && e.contains("imap.host") && e.contains("IPv6"),
            "{e}"
        );
    }
}

#[test]
fn semantic_errors_name_the_account_line() {
    let e = error(
        "[[accounts]]\nname = \"a\"\nprovider = \"generic\"\nauth = { method = \"password\", password = \"x\" }\n",
    );
    assert!(e.contains(":2:") && e.contains("imap.host"), "{e}");
    let e = error(
        "[[accounts]]\nname = \"a\"\nprovider = \"maildir\"\n[[accounts]]\nname = \"a\"\nprovider = \"maildir\"\nmaildir = \"/x\"\n",
    );
    assert!(e.contains("maildir"), "{e}");
    let two = "[[accounts]]\nname = \"a\"\nprovider = \"maildir\"\nmaildir = \"/x\"\n[[accounts]]\nname = \"a\"\nprovider = \"maildir\"\nmaildir = \"/y\"\n";
    let e = error(two);
    assert!(
        e.contains(":6:") && e.contains("used by another account"),
        "{e}"
    );
}

#[test]
fn authority_must_be_https_except_loopback() {
    let base = "[[accounts]]\nname = \"w\"\nemail = \"a@b\"\nprovider = \"microsoft\"\nclient_id = \"x\"\n";
    let e = error(&format!("{base}authority = \"http://login.example.com\"\n"));
    assert!(e.contains(":6:") && e.contains("authority"), "{e}");
    assert!(parse_str(&format!("{base}authority = \"http://127.0.0.1:8080\"\n")).is_ok());
    assert!(parse_str(&format!("{base}authority = \"http://[::1]:8080\"\n")).is_ok());
    assert!(parse_str(&format!("{base}authority = \"ftp://x\"\n")).is_err());
}

#[test]
fn microsoft_needs_a_client_id_and_generic_oauth_its_endpoints() {
    let e = error("[[accounts]]\nname = \"w\"\nemail = \"a@b\"\nprovider = \"microsoft\"\n");
    assert!(e.contains("client_id") && e.contains("Entra"), "{e}");
    let generic = "[[accounts]]\nname = \"g\"\nemail = \"a@b\"\nprovider = \"generic\"\nimap = { host = \"imap.example.org\" }\n";
    let e = error(&format!(
        "{generic}auth = {{ method = \"oauth2\", client_id = \"c\", token_url = \"https://id.example.org/token\" }}\n"
    ));
    assert!(e.contains("auth.device_authorization_url"), "{e}");
    let e = error(&format!(
        "{generic}auth = {{ method = \"oauth2\", client_id = \"c\", token_url = \"http://id.example.org/token\", device_authorization_url = \"https://id.example.org/d\" }}\n"
    ));
    assert!(e.contains("auth.token_url") && e.contains("https"), "{e}");
    let ok = parse_str(&format!(
        "{generic}login = \"browser\"\nauth = {{ method = \"oauth2\", client_id = \"c\", token_url = \"https://id.example.org/token\", authorization_url = \"https://id.example.org/auth\", scopes = [\"mail\"], sasl = \"oauthbearer\" }}\n"
    ))
    .unwrap();
    let AccountKind::OAuth2 { oauth, .. } = &ok.accounts[0].kind else {
        panic!()
    };
    assert_eq!(oauth.tenant, "id.example.org");
    assert_eq!(oauth.mechanism, Some(Mechanism::Oauthbearer));
    assert_eq!(oauth.login, LoginMethod::Browser);
}

#[test]
fn password_sources_are_exclusive() {
    let base = "[[accounts]]\nname = \"h\"\nemail = \"a@b\"\nprovider = \"generic\"\nimap = { host = \"imap.example.org\" }\n";
    let c = parse_str(&format!(
        "{base}auth = {{ method = \"password\", keyring = true }}\n"
    ))
    .unwrap();
    let AccountKind::Imap { password, .. } = &c.accounts[0].kind else {
        panic!()
    };
    assert_eq!(*password, PasswordSource::Keyring("h".into()));
    let e = error(&format!(
        "{base}auth = {{ method = \"password\", keyring = true, password = \"x\" }}\n"
    ));
    assert!(e.contains(":6:") && e.contains("one of"), "{e}");
}

#[test]
fn the_example_config_parses() {
    let text = include_str!("../../assets/config.example.toml");
    let c = parse_str(text).unwrap();
    assert_eq!(c.accounts.len(), 3);
}

#[test]
fn the_example_config_shows_the_files_options_as_they_work() {
    let text = include_str!("../../assets/config.example.toml")
        .replace("# download_dir", "download_dir")
        .replace("# open_command", "open_command")
        .replace("# \"ctrl-s\"", "\"ctrl-s\"");
    let c = parse_str(&text).unwrap();
    assert!(
        c.files
            .download_dir
            .is_some_and(|d| d.ends_with("Downloads"))
    );
    assert_eq!(c.files.open_command, Some(vec!["xdg-open".to_string()]));
    assert!(
        c.keys
            .iter()
            .any(|k| k.key == "ctrl-s" && k.action == "save_all")
    );
    let readme = include_str!("../../README.md");
    for (name, _, _) in crate::action::UiAction::NAMED
        .iter()
        .skip_while(|(n, _, _)| *n != "parts")
    {
        assert!(readme.contains(&format!("`{name}`")), "README: {name}");
    }
    assert!(readme.contains("download_dir") && readme.contains("open_command"));
}

#[test]
fn the_mouse_is_off_unless_turned_on() {
    assert!(!parse_str("").unwrap().mouse);
    assert!(parse_str("[ui]\nmouse = true\n").unwrap().mouse);
    let e = parse_str("[ui]\nmouse = \"yes\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains(":2:"), "{e}");
}

#[test]
fn side_panes_are_auto_unless_set() {
    use crate::config::SidePanes;
    assert_eq!(parse_str("").unwrap().side_panes, SidePanes::Auto);
    let c = parse_str("[ui]\nside_panes = \"hide\"\n").unwrap();
    assert_eq!(c.side_panes, SidePanes::Hide);
    let e = parse_str("[ui]\nside_panes = \"left\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains(":2:"), "{e}");
}

#[test]
fn date_formats_are_strftime_checked_with_their_place() {
    assert_eq!(parse_str("").unwrap().dates, Default::default());
    let c = parse_str("[ui]\ndate_format_older = \"%d.%m.%Y\"\n").unwrap();
    assert_eq!(c.dates.older, "%d.%m.%Y");
    assert_eq!(c.dates.today, "%H:%M");
    let e = parse_str("[ui]\nmouse = true\ndate_format_this_year = \"%Q %d\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains(":3:"), "{e}");
    assert!(e.contains("ui.date_format_this_year"), "{e}");
    assert!(e.contains("strftime"), "{e}");
    assert!(parse_str("[ui]\ndate_format_today = \"\"\n").is_err());
}

#[test]
fn columns_are_read_and_a_bad_one_is_named_with_its_place() {
    use crate::config::columns::{ColumnKind, default_columns};
    assert_eq!(parse_str("").unwrap().columns, default_columns());
    let c = parse_str(
        "[ui]\ncolumns = [\"flags\", \"date\", \"correspondent:22\", \"size\", \"subject\"]\n",
    )
    .unwrap();
    let kinds: Vec<ColumnKind> = c.columns.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            ColumnKind::Flags,
            ColumnKind::Date,
            ColumnKind::Correspondent,
            ColumnKind::Size,
            ColumnKind::Subject
        ]
    );
    assert_eq!(c.columns[2].width, Some(22));
    let e = parse_str("[ui]\nmouse = true\ncolumns = [\"date\", \"sendr:20\"]\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains(":3:"), "{e}");
    assert!(e.contains("ui.columns"), "{e}");
    assert!(e.contains("\"sendr:20\": unknown column"), "{e}");
    assert!(parse_str("[ui]\ncolumns = []\n").is_err());
    assert!(parse_str("[ui]\ncolumns = \"subject\"\n").is_err());
}

#[test]
fn notify_section_sets_bell_desktop_and_title() {
    let c = parse_str("[notify]\nbell = true\ndesktop = \"osc777\"\ntitle = false\n").unwrap();
    assert!(c.notify.bell && !c.notify.title && !c.notify.show_sender);
    assert_eq!(c.notify.desktop, crate::notify::Desktop::Osc777);
    let e = parse_str("[notify]\ndesktop = \"growl\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains(":2:"), "{e}");
    assert_eq!(parse_str("").unwrap().notify, Default::default());
}

#[test]
fn files_section_sets_the_download_dir_and_the_open_command() {
    let c = parse_str(
        "[files]\ndownload_dir = \"/srv/dl\"\nopen_command = \"open -a 'Preview App'\"\n",
    )
    .unwrap();
    assert_eq!(c.files.download_dir.as_deref(), Some(Path::new("/srv/dl")));
    assert_eq!(
        c.files.open_command.as_deref(),
        Some(&["open".to_string(), "-a".into(), "Preview App".into()][..])
    );
    let s = parse_str("").unwrap().files.settings();
    assert!(s.download_dir.ends_with("Downloads") || s.download_dir.is_absolute());
    assert_eq!(s.open_command, None);
    let e = error("[files]\nopen_command = \"xdg-open 'x\"\n");
    assert!(
        e.contains(":2:") && e.contains("files.open_command") && e.contains("quote"),
        "{e}"
    );
    let e = error("[files]\nopen_command = \"  \"\n");
    assert!(e.contains("must name a program"), "{e}");
    let e = error("[files]\ndownload = \"/x\"\n");
    assert!(e.contains(":2:") && e.contains("download"), "{e}");
}

#[test]
fn empty_file_is_a_valid_config_with_no_accounts() {
    assert!(parse_str("").unwrap().accounts.is_empty());
}

#[test]
fn cache_and_sync_sections_set_the_store_and_polling() {
    let c = parse_str(
        "[cache]\nbody_cache_mb = 10\nprefetch = 25\n[sync]\npoll_seconds = 120\n\
         [[accounts]]\nname = \"h\"\nemail = \"a@b\"\nprovider = \"generic\"\n\
         imap = { host = \"imap.example.org\" }\nauth = { method = \"password\", password_command = \"x\" }\n",
    )
    .unwrap();
    assert_eq!(
        c.sync,
        SyncSettings {
            body_budget: 10 * 1024 * 1024,
            prefetch: 25,
            sync_text: None,
            poll_secs: 120
        }
    );
    let AccountKind::Imap { imap, .. } = &c.accounts[0].kind else {
        panic!()
    };
    assert_eq!(imap.timeouts.poll.as_secs(), 120);
    assert_eq!(parse_str("").unwrap().sync, SyncSettings::default());
    let e = error("[sync]\npoll_seconds = 1\n");
    assert!(
        e.contains(":2:") && e.contains("sync.poll_seconds") && e.contains("between 5"),
        "{e}"
    );
    let e = error("[cache]\nbody_cache_gb = 1\n");
    assert!(e.contains(":2:") && e.contains("body_cache_gb"), "{e}");
}

#[test]
fn trash_and_archive_folders_can_be_named() {
    let c = parse_str(
        "[[accounts]]\nname = \"h\"\nemail = \"a@b\"\nprovider = \"generic\"\ntrash = \"Papierkorb\"\narchive = \"  \"\n\
         imap = { host = \"imap.example.org\" }\nauth = { method = \"password\", password_command = \"x\" }\n",
    )
    .unwrap();
    assert_eq!(c.accounts[0].trash.as_deref(), Some("Papierkorb"));
    assert_eq!(c.accounts[0].archive, None, "blank means not set");
}

#[test]
fn sync_bodies_text_takes_caps_and_refuses_other_values() {
    let sync = |s: &str| parse_str(s).map(|c| c.sync.sync_text);
    assert_eq!(sync("").unwrap(), None);
    assert_eq!(sync("[cache]\nsync_bodies = \"off\"\n").unwrap(), None);
    assert_eq!(
        sync("[cache]\nsync_bodies = \"text\"\n").unwrap(),
        Some((256 * 1024, 200 * 1024 * 1024))
    );
    assert_eq!(
        sync("[cache]\nsync_bodies = \"text\"\nsync_bodies_message_kb = 64\nsync_bodies_mb = 50\n")
            .unwrap(),
        Some((64 * 1024, 50 * 1024 * 1024))
    );
    let e = error("[cache]\nsync_bodies = \"all\"\n");
    assert!(e.contains("sync_bodies") && e.contains("\"text\""), "{e}");
    let e = error("[cache]\nsync_bodies = \"text\"\nsync_bodies_mb = 0\n");
    assert!(e.contains("sync_bodies_mb"), "{e}");
}

#[test]
fn saved_searches_are_read_and_a_bad_query_is_named_with_its_place() {
    let c = parse_str(
        "[[searches]]\nname = \"Flagged\"\nquery = \"is:flagged\"\n\n[[searches]]\nname = \"Bob\"\nquery = 'from:bob date:..7d'\n",
    )
    .unwrap();
    let names: Vec<&str> = c.searches.saved.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Flagged", "Bob"]);
    assert_eq!(c.searches.saved[1].query.to_string(), "from:bob date:..7d");
    assert!(c.searches.all_inboxes);
    let e = parse_str("[[searches]]\nname = \"a\"\nquery = \"is:flagged\"\n\n[[searches]]\nname = \"b\"\nquery = \"form:bob\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains(":7:"), "{e}");
    assert!(e.contains("searches[1].query"), "{e}");
    assert!(e.contains("did you mean “from:”"), "{e}");
    // Escapes and wide characters before the fault: the place is the
    // value's, never a panic inside a character.
    let e = parse_str("[[searches]]\nname = \"x\"\nquery = \"from:\\\"x\\\" 会議)\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("searches[0].query"), "{e}");
    // Names: taken ones (All inboxes too, unless turned off), blank ones.
    assert!(parse_str("[[searches]]\nname = \"all INBOXES\"\nquery = \"\"\n").is_err());
    let c = parse_str("[ui]\nall_inboxes = false\n[[searches]]\nname = \"All inboxes\"\nquery = \"folder:inbox\"\n")
        .unwrap();
    assert!(!c.searches.all_inboxes);
    assert!(
        parse_str(
            "[[searches]]\nname = \"a\"\nquery = \"\"\n[[searches]]\nname = \"A\"\nquery = \"\"\n"
        )
        .is_err()
    );
    assert!(parse_str("[[searches]]\nname = \" \"\nquery = \"\"\n").is_err());
    assert!(parse_str("[[searches]]\nname = \"a\"\nquery = \"x\"\nlimit = 3\n").is_err());
}
