//! `mailtui doctor` on real parts: the binary against a private Dovecot
//! (good, without STARTTLS, with bad certificates) and the test identity
//! provider, each failure stopping at its own step with a cause and a fix.

mod support;

use std::path::Path;

use mailtui::auth::oauth::{OAuth, OAuthConfig};
use mailtui::auth::store::TokenStore;
use support::bin::{run, text};
use support::certs::Leaf;
use support::dovecot::{Dovecot, Options};
use support::idp::{CLIENT_ID, Failure, Idp};

const CAROL: &str = "carol@example.com";
const ALICE: &str = "alice@example.com";
const PASSWORD: &str = "s3cret-pw";

/// A password account; `extra` is added inside the account (ca_file …).
fn password_account(name: &str, host: &str, port: u16, tls: &str, pw: &str, extra: &str) -> String {
    format!(
        "[[accounts]]\nname = \"{name}\"\nemail = \"{CAROL}\"\nprovider = \"generic\"\n\
         imap = {{ host = \"{host}\", port = {port}, tls = \"{tls}\" }}\n{extra}\
         auth = {{ method = \"password\", password_command = \"echo {pw}\" }}\n"
    )
}

fn ca(d: &Dovecot) -> String {
    format!("ca_file = \"{}\"\n", d.ca_file.display())
}

/// Writes the config and runs `mailtui --config … doctor ARGS`.
fn doctor(home: &Path, config: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let cfg = home.join("config.toml");
    std::fs::write(&cfg, config).unwrap();
    let c = cfg.to_str().unwrap();
    let mut all = vec!["--config", c, "doctor"];
    all.extend_from_slice(args);
    let o = run(home, &all);
    let (out, err) = text(&o);
    (o.status.code(), out, err)
}

/// The step lines of the text checklist: (mark, label); the accounts'
/// only, not the `[notify]` section after them.
fn marks(out: &str) -> Vec<(char, String)> {
    let accounts = out.split("\n[notify]").next().unwrap_or(out);
    accounts
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("  ")?;
            let mark = rest.chars().next().filter(|c| "✓!✗".contains(*c))?;
            let label = rest[mark.len_utf8()..].trim_start();
            let label = label.split("  ").next()?.trim().to_string();
            Some((mark, label))
        })
        .collect()
}

fn labels(out: &str) -> Vec<String> {
    marks(out).into_iter().map(|(_, l)| l).collect()
}

/// The text after `fix:` under the failed step.
fn fix(out: &str) -> String {
    out.lines()
        .find_map(|l| l.trim_start().strip_prefix("fix: "))
        .unwrap_or_default()
        .to_string()
}

fn no_secret(out: &str, err: &str, home: &Path, secrets: &[String]) {
    let log = std::fs::read_to_string(home.join("state/mailtui/mailtui.log")).unwrap_or_default();
    for s in secrets {
        assert!(
            !out.contains(s.as_str()) && !err.contains(s.as_str()) && !log.contains(s.as_str()),
            "{s} leaked"
        );
    }
}

#[test]
fn a_good_account_passes_every_step_and_a_wrong_password_fails_at_login() {
    let d = Dovecot::start();
    d.add_user(CAROL, PASSWORD);
    d.folder_dir(CAROL, "Archive");
    let home = tempfile::tempdir().unwrap();
    let config = password_account(
        "good",
        "127.0.0.1",
        d.imaps_port,
        "implicit",
        PASSWORD,
        &ca(&d),
    ) + &password_account(
        "bad",
        "127.0.0.1",
        d.imaps_port,
        "implicit",
        "wrong-pw",
        &ca(&d),
    );

    let (code, out, err) = doctor(home.path(), &config, &["good"]);
    assert_eq!(code, Some(0), "{out}{err}");
    // What new mail does in this terminal, after the accounts.
    let notify = &out[out.find("\n[notify]\n").expect("a [notify] section")..];
    assert!(
        notify.contains("  ✓ bell             on: new mail rings"),
        "{notify}"
    );
    assert!(notify.contains("  ✓ title            on"), "{notify}");
    assert_eq!(
        labels(&out),
        [
            "config",
            "DNS",
            "TCP",
            "TLS",
            "capabilities",
            "password",
            "login",
            "features",
            "folders"
        ],
        "{out}"
    );
    assert!(marks(&out).iter().all(|(m, _)| *m == '✓'), "{out}");
    for words in [
        "good: IMAP 127.0.0.1:",
        "127.0.0.1 → 127.0.0.1",
        "TLS 1.3",
        "certificate CN=localhost for localhost, 127.0.0.1, 127.0.0.2, ::1, issued by CN=mailtui test CA dovecot",
        &format!(
            "trusted through ca_file {} (CN=mailtui test CA dovecot)",
            d.ca_file.display()
        ),
        "mailtui will sign in with LOGIN",
        "LOGIN as carol@example.com",
        "uses IDLE for new mail, QRESYNC to catch up, MOVE, UIDPLUS",
        "2 folders: Inbox, Archive",
        "1 account checked: 1 passed, 0 failed",
    ] {
        assert!(out.contains(words), "{words:?} missing:\n{out}");
    }

    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    let bad = &out[out.find("bad: IMAP").expect("bad account")..];
    assert_eq!(
        labels(bad).last().map(String::as_str),
        Some("login"),
        "{bad}"
    );
    assert_eq!(marks(bad).last().map(|m| m.0), Some('✗'), "{bad}");
    assert!(bad.contains("login as carol@example.com refused"), "{bad}");
    assert!(
        fix(bad).contains("the password") && fix(bad).contains("config.toml line 14"),
        "{bad}"
    );
    assert!(
        out.contains("2 accounts checked: 1 passed, 1 failed"),
        "{out}"
    );
    no_secret(
        &out,
        &err,
        home.path(),
        &[PASSWORD.into(), "wrong-pw".into()],
    );
}

#[test]
fn json_is_one_document_with_every_step() {
    let d = Dovecot::start();
    d.add_user(CAROL, PASSWORD);
    let home = tempfile::tempdir().unwrap();
    let config = password_account(
        "good",
        "127.0.0.1",
        d.imaps_port,
        "implicit",
        PASSWORD,
        &ca(&d),
    ) + &password_account(
        "bad",
        "127.0.0.1",
        d.imaps_port,
        "implicit",
        "wrong-pw",
        &ca(&d),
    );
    let (code, out, err) = doctor(home.path(), &config, &["--json"]);
    assert_eq!(code, Some(1), "{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(doc["ok"], false);
    assert!(doc["config"].as_str().unwrap().ends_with("config.toml"));
    assert_eq!(
        (&doc["notify"]["bell"], &doc["notify"]["desktop"]),
        (&serde_json::json!(true), &serde_json::json!("off"))
    );
    let accounts = doc["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    let names = |a: &serde_json::Value| -> Vec<String> {
        a["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(accounts[0]["name"], "good");
    assert_eq!(accounts[0]["ok"], true);
    assert_eq!(
        names(&accounts[0]),
        [
            "config",
            "dns",
            "tcp",
            "tls",
            "capabilities",
            "password",
            "login",
            "features",
            "folders"
        ]
    );
    for s in accounts[0]["steps"].as_array().unwrap() {
        assert_eq!(s["ok"], true, "{s}");
        assert!(s["duration_ms"].is_u64() && s["detail"].is_string(), "{s}");
        assert!(s["fix"].is_null() && s["warning"].is_null(), "{s}");
    }
    assert_eq!(accounts[1]["ok"], false);
    let last = accounts[1]["steps"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["name"].as_str(), last["ok"].as_bool()),
        (Some("login"), Some(false))
    );
    assert!(last["fix"].as_str().unwrap().contains("password"), "{last}");
    no_secret(
        &out,
        &err,
        home.path(),
        &[PASSWORD.into(), "wrong-pw".into()],
    );
}

#[test]
fn a_host_that_does_not_resolve_fails_at_dns() {
    let home = tempfile::tempdir().unwrap();
    let config = password_account("a", "imap.mailtui.invalid", 993, "implicit", "x", "");
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(labels(&out), ["config", "DNS"], "{out}");
    assert!(
        out.contains("✗ DNS") && out.contains("cannot find imap.mailtui.invalid"),
        "{out}"
    );
    assert!(
        fix(&out).contains("config.toml line 5") && fix(&out).contains("host imap.mailtui.invalid"),
        "{out}"
    );
}

#[test]
fn a_closed_port_fails_at_tcp() {
    let home = tempfile::tempdir().unwrap();
    let port = support::free_port();
    let config = password_account("a", "127.0.0.1", port, "implicit", "x", "");
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(labels(&out), ["config", "DNS", "TCP"], "{out}");
    assert!(
        out.contains(&format!("cannot connect to 127.0.0.1:{port}")),
        "{out}"
    );
    assert!(out.contains("refused"), "{out}");
    assert!(
        fix(&out).contains(&format!("nothing listens on port {port}")) && fix(&out).contains("993"),
        "{out}"
    );
}

#[test]
fn implicit_tls_on_the_plain_port_says_to_use_starttls() {
    let d = Dovecot::start();
    let home = tempfile::tempdir().unwrap();
    let config = password_account("a", "127.0.0.1", d.imap_port, "implicit", PASSWORD, &ca(&d));
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(
        labels(&out).last().map(String::as_str),
        Some("TLS"),
        "{out}"
    );
    assert!(
        fix(&out).contains(&format!("port {} did not answer in TLS", d.imap_port))
            && fix(&out).contains("tls = \"starttls\""),
        "{out}"
    );
}

#[test]
fn a_certificate_from_an_unknown_ca_fails_at_tls_and_says_to_set_ca_file() {
    let d = Dovecot::start();
    d.add_user(CAROL, PASSWORD);
    let home = tempfile::tempdir().unwrap();
    let config = password_account("a", "127.0.0.1", d.imaps_port, "implicit", PASSWORD, "");
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(labels(&out), ["config", "DNS", "TCP", "TLS"], "{out}");
    assert!(out.contains("not signed by a trusted CA"), "{out}");
    assert!(
        out.contains("the server showed certificate CN=localhost"),
        "{out}"
    );
    assert!(
        fix(&out).contains("\"CN=mailtui test CA dovecot\" is not a CA this machine trusts")
            && fix(&out).contains("ca_file"),
        "{out}"
    );
    assert!(!d.log().contains("Login: user=<carol"), "{}", d.log());
}

#[test]
fn expired_and_wrong_host_certificates_fail_at_tls_and_one_about_to_expire_warns() {
    let home = tempfile::tempdir().unwrap();
    let start = |leaf| {
        let d = Dovecot::start_with(Options {
            leaf,
            ..Default::default()
        });
        d.add_user(CAROL, PASSWORD);
        d
    };

    let d = start(Leaf::Expired);
    let config = password_account(
        "a",
        "127.0.0.1",
        d.imaps_port,
        "implicit",
        PASSWORD,
        &ca(&d),
    );
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(
        labels(&out).last().map(String::as_str),
        Some("TLS"),
        "{out}"
    );
    assert!(
        out.contains("its certificate has expired") && out.contains("expired 2 days ago"),
        "{out}"
    );
    assert!(fix(&out).contains("must renew it"), "{out}");
    drop(d);

    let d = start(Leaf::OtherHost);
    let config = password_account(
        "a",
        "127.0.0.1",
        d.imaps_port,
        "implicit",
        PASSWORD,
        &ca(&d),
    );
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("not valid for the name 127.0.0.1"), "{out}");
    assert!(
        fix(&out).contains("the certificate is for mail.example.net, not 127.0.0.1"),
        "{out}"
    );
    drop(d);

    let d = start(Leaf::ExpiresInDays(5));
    let config = password_account(
        "a",
        "127.0.0.1",
        d.imaps_port,
        "implicit",
        PASSWORD,
        &ca(&d),
    );
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(0), "a warning is not a failure: {out}{err}");
    assert!(marks(&out).contains(&('!', "TLS".into())), "{out}");
    assert!(
        out.contains("warning: the server's certificate expires in 5 days"),
        "{out}"
    );
    assert!(out.contains("✓ folders"), "{out}");
}

#[test]
fn a_server_without_starttls_fails_at_starttls_before_any_login() {
    let d = Dovecot::start_with(Options {
        tls: false,
        ..Default::default()
    });
    d.add_user(CAROL, PASSWORD);
    let home = tempfile::tempdir().unwrap();
    let config = password_account("a", "127.0.0.1", d.imap_port, "starttls", PASSWORD, &ca(&d));
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(labels(&out), ["config", "DNS", "TCP", "STARTTLS"], "{out}");
    assert!(
        out.contains("refused STARTTLS") && out.contains("not continuing"),
        "{out}"
    );
    assert!(fix(&out).contains("tls = \"implicit\""), "{out}");
    assert!(!d.log().contains("Login: user=<carol"), "{}", d.log());
}

#[test]
fn an_exchange_shaped_server_is_caught_up_without_condstore() {
    let d = Dovecot::start_with(Options {
        exchange: true,
        ..Default::default()
    });
    d.add_user(CAROL, PASSWORD);
    let home = tempfile::tempdir().unwrap();
    let config = password_account(
        "a",
        "127.0.0.1",
        d.imaps_port,
        "implicit",
        PASSWORD,
        &ca(&d),
    );
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains(
            "uses IDLE for new mail, no CONDSTORE/QRESYNC: UIDNEXT and a flag scan to catch up, \
             MOVE, UIDPLUS (undo by COPYUID), no SPECIAL-USE: folder roles by name, \
             no LIST-STATUS: STATUS per folder; after login the server offers \
             IMAP4rev1 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+"
        ),
        "{out}"
    );
}

#[test]
fn ipv6_starttls_and_plaintext_loopback_accounts_pass() {
    let d = Dovecot::start_with(Options {
        listen_v6: true,
        ..Default::default()
    });
    d.add_user(CAROL, PASSWORD);
    let home = tempfile::tempdir().unwrap();
    let config = password_account("tls", "[::1]", d.imaps_port, "implicit", PASSWORD, &ca(&d))
        + &password_account(
            "starttls",
            "[::1]",
            d.imap_port,
            "starttls",
            PASSWORD,
            &ca(&d),
        )
        + &password_account("plain", "[::1]", d.imap_port, "none", PASSWORD, "");
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(0), "{out}{err}\n{}", d.log());
    let starttls = &out[out.find("starttls: IMAP").unwrap()..out.find("plain: IMAP").unwrap()];
    assert_eq!(
        labels(starttls),
        [
            "config",
            "DNS",
            "TCP",
            "STARTTLS",
            "TLS",
            "capabilities",
            "password",
            "login",
            "features",
            "folders"
        ],
        "{out}"
    );
    assert_eq!(out.matches("✓ folders").count(), 3, "{out}");
    // Really over IPv6: the server saw the logins come from ::1.
    assert_eq!(d.log().matches("rip=::1").count(), 3, "{}", d.log());
}

#[test]
fn a_config_error_and_a_maildir_account() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = doctor(
        home.path(),
        "[[accounts]]\nname = \"a\"\nprovider = \"generic\"\nhots = \"x\"\n",
        &[],
    );
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("✗ config") && out.contains("accounts[0].hots"),
        "{out}"
    );
    assert!(fix(&out).contains("correct line 4"), "{out}");
    let (code, out, _) = doctor(
        home.path(),
        "[[accounts]]\nname = \"a\"\nprovider = \"generic\"\nhots = \"x\"\n",
        &["--json"],
    );
    assert_eq!(code, Some(1));
    let doc: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(
        (
            doc["ok"].as_bool(),
            doc["accounts"].as_array().map(Vec::len)
        ),
        (Some(false), Some(0))
    );
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .contains(":4:1: accounts[0].hots"),
        "{doc}"
    );

    let maildir = home.path().join("Mail");
    for sub in ["cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let config = format!(
        "[[accounts]]\nname = \"local\"\nprovider = \"maildir\"\nmaildir = \"{}\"\n",
        maildir.display()
    );
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(labels(&out), ["config", "folders"], "{out}");
    assert!(out.contains("2 folders"), "{out}");
    let (code, _, err) = doctor(home.path(), &config, &["nobody"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no account named \"nobody\""), "{err}");
}

// ---- OAuth accounts, with the test identity provider ----

fn microsoft_account(idp: &Idp, d: &Dovecot) -> String {
    format!(
        "[[accounts]]\nname = \"work\"\nemail = \"{ALICE}\"\nprovider = \"microsoft\"\n\
         tenant = \"contoso.onmicrosoft.com\"\nclient_id = \"{CLIENT_ID}\"\nauthority = \"{}\"\n\
         imap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\nca_file = \"{}\"\n",
        idp.base,
        d.imaps_port,
        d.ca_file.display()
    )
}

fn oauth_dovecot(idp: &Idp) -> Dovecot {
    let d = Dovecot::start_with(Options {
        oauth2_introspection: Some(idp.introspection_url()),
        ..Default::default()
    });
    d.folder_dir(ALICE, "INBOX");
    d.folder_dir(ALICE, "Archive");
    d
}

/// A device sign-in through the library, approved at once; the tokens go
/// where the binary will look for them.
fn sign_in(idp: &Idp, home: &Path) -> TokenStore {
    let scopes = vec![
        "https://outlook.office.com/IMAP.AccessAsUser.All".to_string(),
        "offline_access".to_string(),
    ];
    let config = OAuthConfig::microsoft(&idp.base, "contoso.onmicrosoft.com", CLIENT_ID, scopes);
    let store = TokenStore::Files(home.join("data/mailtui/tokens"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tokens = rt.block_on(async {
        let client = OAuth::new(config).unwrap();
        let (code, details) = client.start_device().await.unwrap();
        idp.approve(&code.user_code, ALICE);
        client.finish_device(&details).await.unwrap()
    });
    store.save("work", &tokens).unwrap();
    store
}

#[test]
fn an_oauth_account_that_is_not_signed_in_is_told_to_sign_in() {
    let idp = Idp::start();
    let d = oauth_dovecot(&idp);
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = doctor(home.path(), &microsoft_account(&idp, &d), &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(
        labels(&out),
        [
            "config",
            "DNS",
            "TCP",
            "TLS",
            "capabilities",
            "sign-in service",
            "tokens"
        ],
        "{out}"
    );
    assert!(
        out.contains(
            "OAuth2 with Microsoft, tenant contoso.onmicrosoft.com, client id mailtui-test-client"
        ),
        "{out}"
    );
    assert!(
        out.contains("mailtui will sign in with AUTHENTICATE XOAUTH2 (SASL-IR)"),
        "{out}"
    );
    assert!(
        out.contains("✗ tokens") && out.contains("not signed in"),
        "{out}"
    );
    assert_eq!(fix(&out), "run `mailtui login work`", "{out}");
}

#[test]
fn a_signed_in_oauth_account_passes_and_a_skewed_clock_warns() {
    let idp = Idp::start();
    let d = oauth_dovecot(&idp);
    let home = tempfile::tempdir().unwrap();
    sign_in(&idp, home.path());
    let config = microsoft_account(&idp, &d);

    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(0), "{out}{err}\n{}", d.log());
    assert_eq!(
        labels(&out),
        [
            "config",
            "DNS",
            "TCP",
            "TLS",
            "capabilities",
            "sign-in service",
            "tokens",
            "login",
            "features",
            "folders"
        ],
        "{out}"
    );
    assert!(marks(&out).iter().all(|(m, _)| *m == '✓'), "{out}");
    for words in [
        "clocks agree within",
        "access token valid ",
        "s old; signed in ",
        "scopes: https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
        "XOAUTH2 as alice@example.com; the access token has ",
        "2 folders",
    ] {
        assert!(out.contains(words), "{words:?} missing:\n{out}");
    }

    // The provider's clock an hour ahead: a warning, not a failure.
    idp.set_clock_offset(3600);
    let (code, out, err) = doctor(home.path(), &config, &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        marks(&out).contains(&('!', "sign-in service".into())),
        "{out}"
    );
    assert!(
        out.contains("clocks differ by ")
            && out.contains("warning: this machine's clock is ")
            && out.contains(" behind the identity provider's"),
        "{out}"
    );
    assert!(fix(&out).contains("timedatectl"), "{out}");
    let (_, json, _) = doctor(home.path(), &config, &["--json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let idp_step = &doc["accounts"][0]["steps"][5];
    assert_eq!(idp_step["name"], "identity_provider");
    assert_eq!(idp_step["ok"], true);
    assert!(
        idp_step["warning"].as_str().unwrap().contains("behind"),
        "{idp_step}"
    );
    no_secret(&out, &err, home.path(), &idp.issued_secrets());
    no_secret(&json, "", home.path(), &idp.issued_secrets());
}

#[test]
fn a_dead_grant_is_explained_through_the_aadsts_mapping() {
    let idp = Idp::start();
    let d = oauth_dovecot(&idp);
    let home = tempfile::tempdir().unwrap();
    let store = sign_in(&idp, home.path());
    // The access token has run out, and the refresh is refused as unused for too long.
    let mut t = store.load("work").unwrap().unwrap();
    t.access_expires_at = t.access_issued_at - 60;
    store.save("work", &t).unwrap();
    idp.fail_next(&[Failure::InvalidGrant(70008)]);

    let (code, out, err) = doctor(home.path(), &microsoft_account(&idp, &d), &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("access token expired") && out.contains("(renewed at login)"),
        "{out}"
    );
    assert_eq!(
        labels(&out).last().map(String::as_str),
        Some("login"),
        "{out}"
    );
    assert!(
        out.contains("✗ login")
            && out.contains("Sign-in expired after a long period of inactivity"),
        "{out}"
    );
    assert_eq!(fix(&out), "run `mailtui login work`", "{out}");
    no_secret(&out, &err, home.path(), &idp.issued_secrets());
}
