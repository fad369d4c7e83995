use std::path::Path;

use crate::config::{AccountKind, Config, ConfigError, Provider, Transport, parse};

fn parse_str(s: &str) -> Result<Config, ConfigError> {
    parse(Path::new("/home/u/.config/mailtui/config.toml"), s)
}

fn error(s: &str) -> String {
    parse_str(s).unwrap_err().to_string()
}

const WORK: &str = r#"
[[accounts]]
name = "work"
email = "alice@contoso.com"
provider = "microsoft"
tenant = "contoso.onmicrosoft.com"
client_id = "11111111-2222-3333-4444-555555555555"
authority = "http://127.0.0.1:8080"
login = "browser"
imap = { host = "127.0.0.1", port = 1993, tls = "implicit" }
smtp = { host = "127.0.0.1", port = 1587, tls = "starttls" }
ca_file = "/tmp/ca.pem"
"#;

#[test]
fn a_shared_mailbox_takes_its_delegates_settings() {
    let text = format!(
        "{WORK}\n[[accounts]]\nname = \"support\"\nemail = \"support@contoso.com\"\nshared_with = \"work\"\n"
    );
    let c = parse_str(&text).unwrap();
    let work = &c.accounts[0];
    let support = &c.accounts[1];
    assert!(work.shared_mailbox().is_none());
    let shared = support.shared_mailbox().expect("marked as shared");
    assert_eq!(shared.delegate, "work");
    assert_eq!(shared.delegate_login, "alice@contoso.com");
    assert_eq!(support.email, "support@contoso.com");
    let (
        AccountKind::OAuth2 {
            imap: wi,
            oauth: wo,
        },
        AccountKind::OAuth2 {
            imap: si,
            oauth: so,
        },
    ) = (&work.kind, &support.kind)
    else {
        panic!("both OAuth2: {:?}", support.kind)
    };
    // XOAUTH2 carries the shared address as user=.
    assert_eq!(si.username, "support@contoso.com");
    assert_eq!((&si.host, si.port, si.tls), (&wi.host, wi.port, wi.tls));
    assert_eq!(si.ca_file, wi.ca_file);
    assert_eq!(so.provider, Provider::Microsoft);
    assert_eq!(so.tenant, wo.tenant);
    assert_eq!(so.client, wo.client);
    assert_eq!(so.login, wo.login);
    assert_eq!(support.sending.transport, work.sending.transport);
    assert!(matches!(
        support.sending.transport,
        Some(Transport::Smtp(_))
    ));
}

#[test]
fn a_shared_mailbox_may_set_its_own_imap_and_smtp() {
    let text = format!(
        "{WORK}\n[[accounts]]\nname = \"support\"\nemail = \"support@contoso.com\"\nshared_with = \"work\"\n\
         imap = {{ host = \"127.0.0.1\", port = 2993 }}\nsmtp = {{ host = \"127.0.0.1\", port = 2587, tls = \"starttls\" }}\n"
    );
    let c = parse_str(&text).unwrap();
    let AccountKind::OAuth2 { imap, .. } = &c.accounts[1].kind else {
        panic!()
    };
    assert_eq!(imap.port, 2993);
    let Some(Transport::Smtp(s)) = &c.accounts[1].sending.transport else {
        panic!()
    };
    assert_eq!(s.port, 2587);
}

#[test]
fn the_order_of_accounts_does_not_matter() {
    let text = format!(
        "[[accounts]]\nname = \"support\"\nemail = \"support@contoso.com\"\nshared_with = \"work\"\n{WORK}"
    );
    let c = parse_str(&text).unwrap();
    assert_eq!(
        c.accounts[0].shared_mailbox().map(|s| s.delegate.as_str()),
        Some("work")
    );
}

#[test]
fn an_unknown_delegate_names_the_line() {
    let text = format!(
        "{WORK}\n[[accounts]]\nname = \"support\"\nemail = \"support@contoso.com\"\nshared_with = \"wrok\"\n"
    );
    let e = error(&text);
    let line = text
        .lines()
        .position(|l| l.starts_with("shared_with"))
        .unwrap()
        + 1;
    assert!(
        e.contains(&format!(":{line}:15: accounts[1].shared_with")) && e.contains("\"wrok\""),
        "{e}"
    );
}

#[test]
fn a_chain_of_shared_mailboxes_is_refused() {
    let text = format!(
        "{WORK}\n[[accounts]]\nname = \"support\"\nemail = \"support@contoso.com\"\nshared_with = \"work\"\n\
         [[accounts]]\nname = \"sales\"\nemail = \"sales@contoso.com\"\nshared_with = \"support\"\n"
    );
    let e = error(&text);
    assert!(
        e.contains("accounts[2].shared_with")
            && e.contains("\"support\" is itself a shared mailbox"),
        "{e}"
    );
    let own = format!(
        "{WORK}\n[[accounts]]\nname = \"support\"\nemail = \"support@contoso.com\"\nshared_with = \"support\"\n"
    );
    assert!(
        error(&own).contains("names this account itself"),
        "{}",
        error(&own)
    );
}

#[test]
fn a_delegate_without_oauth2_is_refused() {
    let text = r#"
[[accounts]]
name = "home"
email = "me@example.org"
provider = "generic"
imap = { host = "imap.example.org" }
auth = { method = "password", password_command = "pass show mail/home" }

[[accounts]]
name = "family"
email = "family@example.org"
shared_with = "home"
"#;
    let e = error(text);
    assert!(
        e.contains(":12:15: accounts[1].shared_with") && e.contains("does not sign in with OAuth2"),
        "{e}"
    );
}

#[test]
fn a_shared_mailbox_needs_its_address_and_no_password() {
    let text = format!("{WORK}\n[[accounts]]\nname = \"support\"\nshared_with = \"work\"\n");
    let e = error(&text);
    assert!(
        e.contains("accounts[1].email") && e.contains("shared mailbox's address"),
        "{e}"
    );
    let text = format!(
        "{WORK}\n[[accounts]]\nname = \"support\"\nemail = \"s@contoso.com\"\nshared_with = \"work\"\n\
         auth = {{ method = \"password\", password = \"x\" }}\n"
    );
    let e = error(&text);
    assert!(
        e.contains("accounts[1].auth") && e.contains("leave auth out"),
        "{e}"
    );
}

#[test]
fn an_account_without_provider_or_shared_with_is_an_error() {
    let e = error("[[accounts]]\nname = \"x\"\nemail = \"x@example.org\"\n");
    assert!(
        e.contains(":2:8: accounts[0].provider") && e.contains("missing field `provider`"),
        "{e}"
    );
}

#[test]
fn the_example_configs_shared_mailbox_parses_uncommented() {
    let example = include_str!("../../assets/config.example.toml");
    let block: Vec<&str> = example
        .lines()
        .skip_while(|l| !l.starts_with("# A shared mailbox"))
        .skip(1)
        .take_while(|l| l.starts_with("# "))
        .map(|l| l.trim_start_matches("# "))
        .collect();
    assert!(block.len() >= 4, "{block:?}");
    let text = format!("{example}\n{}\n", block.join("\n"));
    let c = parse_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let support = c
        .accounts
        .iter()
        .find(|a| a.name == "support")
        .expect("support");
    assert_eq!(
        support.shared_mailbox().map(|s| s.delegate_login.as_str()),
        Some("alice@contoso.com")
    );
}
