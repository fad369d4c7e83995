use std::path::Path;

use super::*;
use crate::config::parse;

fn one(extra: &str) -> Result<crate::config::Config, crate::config::ConfigError> {
    let text = format!(
        "[[accounts]]\nname = \"home\"\nemail = \"me@example.org\"\nprovider = \"generic\"\nimap = {{ host = \"imap.example.org\" }}\nauth = {{ method = \"password\", password_command = \"pass x\" }}\n{extra}"
    );
    parse(Path::new("c.toml"), &text)
}

#[test]
fn microsoft_accounts_submit_to_office365_with_starttls() {
    let text = "[[accounts]]\nname = \"work\"\nemail = \"a@contoso.com\"\nprovider = \"microsoft\"\nclient_id = \"x\"\n";
    let c = parse(Path::new("c.toml"), text).expect("parses");
    let s = &c.accounts[0].sending;
    assert_eq!(
        s.transport,
        Some(Transport::Smtp(SmtpServer {
            host: MICROSOFT_SMTP_HOST.into(),
            port: 587,
            tls: TlsMode::Starttls,
        }))
    );
    // Exchange files SMTP-submitted mail in Sent Items itself.
    assert!(s.server_files_sent());
    assert!(!s.appends_sent());
}

#[test]
fn a_generic_account_sends_only_where_it_is_told() {
    let c = one("").expect("parses");
    assert_eq!(c.accounts[0].sending.transport, None);
    let c = one("smtp = { host = \"smtp.example.org\" }").expect("parses");
    let s = &c.accounts[0].sending;
    assert_eq!(
        s.transport,
        Some(Transport::Smtp(SmtpServer {
            host: "smtp.example.org".into(),
            port: 587,
            tls: TlsMode::Starttls
        }))
    );
    assert!(s.appends_sent());
    let c = one("smtp = { host = \"smtp.example.org\", port = 465 }").expect("parses");
    assert!(matches!(
        &c.accounts[0].sending.transport,
        Some(Transport::Smtp(SmtpServer {
            tls: TlsMode::Implicit,
            port: 465,
            ..
        }))
    ));
}

#[test]
fn bad_sending_settings_name_the_key() {
    let e = one("smtp = { port = 587 }").expect_err("no host");
    assert_eq!(e.key.as_deref(), Some("accounts[0].smtp.host"));
    let e = one("smtp = { host = \"smtp.example.org\", tls = \"none\" }").expect_err("plaintext");
    assert!(e.message.contains("loopback"), "{e}");
    let e = one("save_sent = \"sometimes\"").expect_err("bad word");
    assert_eq!(e.key.as_deref(), Some("accounts[0].save_sent"));
    assert!(e.to_string().contains("c.toml:7:"), "{e}");
    let e = one("smtp = { host = \"h\", pot = 1 }").expect_err("typo");
    assert!(e.message.contains("pot"), "{e}");
}

#[test]
fn save_sent_and_folders_and_aliases() {
    let c = one(
        "smtp = { host = \"smtp.gmail.com\" }\nsave_sent = true\nsent = \"Gesendet\"\ndrafts = \" Entwürfe \"\naliases = [\"me@alias.org\", \" \"]\nfull_name = \"Mé Myself\"",
    )
    .expect("parses");
    let s = &c.accounts[0].sending;
    assert_eq!(s.save_sent, SaveSent::Always);
    assert!(s.appends_sent(), "true wins over the Gmail guess");
    assert_eq!(s.sent.as_deref(), Some("Gesendet"));
    assert_eq!(s.drafts.as_deref(), Some("Entwürfe"));
    assert_eq!(s.aliases, ["me@alias.org"]);
    assert_eq!(s.full_name.as_deref(), Some("Mé Myself"));
    let c = one("smtp = { host = \"mail.example.org\" }\nsave_sent = false").expect("parses");
    assert!(!c.accounts[0].sending.appends_sent());
}

#[test]
fn compose_section() {
    let c = one("[compose]\neditor = \"nvim -c 'set tw=72'\"\nformat_flowed = true\nattribution = \"{name} wrote:\"\naddress_book_command = \"khard email --parsable\"")
        .expect("parses");
    assert_eq!(
        c.compose.editor,
        Some(vec!["nvim".into(), "-c".into(), "set tw=72".into()])
    );
    assert!(c.compose.format_flowed);
    assert_eq!(c.compose.attribution, "{name} wrote:");
    assert_eq!(
        c.compose.address_book_command.as_ref().map(Vec::len),
        Some(3)
    );
    let d = one("").expect("parses");
    assert_eq!(d.compose, ComposeConfig::default());
    let e = one("[compose]\neditor = \"vim 'x\"").expect_err("unclosed quote");
    assert_eq!(e.key.as_deref(), Some("compose.editor"));
}

fn microsoft(extra: &str) -> Result<crate::config::Config, crate::config::ConfigError> {
    let text = format!(
        "[[accounts]]\nname = \"work\"\nemail = \"a@contoso.com\"\nprovider = \"microsoft\"\nclient_id = \"x\"\n{extra}"
    );
    parse(Path::new("c.toml"), &text)
}

#[test]
fn microsoft_accounts_send_over_smtp_then_graph() {
    let c = microsoft("").expect("parses");
    let s = &c.accounts[0].sending;
    assert_eq!(s.route, SendRoute::Auto);
    assert_eq!(s.graph_url.as_deref(), Some(MICROSOFT_GRAPH_URL));
    let c = microsoft("send = \"graph\"\ngraph_url = \"https://graph.microsoft.us/\"\n")
        .expect("parses");
    let s = &c.accounts[0].sending;
    assert_eq!(s.route, SendRoute::Graph);
    assert_eq!(s.graph_url.as_deref(), Some("https://graph.microsoft.us"));
    // Tests point Graph at a loopback server.
    assert!(microsoft("graph_url = \"http://127.0.0.1:4000\"\n").is_ok());
    let e = microsoft("graph_url = \"http://graph.example.com\"\n").expect_err("plain http");
    assert_eq!(e.key.as_deref(), Some("accounts[0].graph_url"));
    let e = microsoft("send = \"carrier pigeon\"\n").expect_err("unknown route");
    assert_eq!(e.key.as_deref(), Some("accounts[0].send"));
    assert!(e.message.contains("\"auto\", \"smtp\", \"graph\""), "{e}");
    // Graph is Microsoft's.
    let e = one("send = \"graph\"").expect_err("generic");
    assert_eq!(e.key.as_deref(), Some("accounts[0].send"));
    let e = one("graph_url = \"https://graph.microsoft.com\"").expect_err("generic");
    assert_eq!(e.key.as_deref(), Some("accounts[0].graph_url"));
    assert_eq!(one("").expect("parses").accounts[0].sending.graph_url, None);
}

#[test]
fn outlook_com_is_a_preset() {
    let text = "[[accounts]]\nname = \"home\"\nemail = \"me@outlook.com\"\nprovider = \"outlook\"\nclient_id = \"x\"\n";
    let c = parse(Path::new("c.toml"), text).expect("parses");
    let a = &c.accounts[0];
    let crate::config::AccountKind::OAuth2 { imap, oauth } = &a.kind else {
        panic!("an OAuth2 account: {:?}", a.kind);
    };
    assert_eq!(imap.host, crate::config::MICROSOFT_IMAP_HOST);
    assert_eq!(oauth.provider, crate::config::Provider::Microsoft);
    assert_eq!(oauth.tenant, "consumers");
    assert!(
        oauth
            .client
            .token_url
            .contains("/consumers/oauth2/v2.0/token")
    );
    assert!(
        oauth
            .client
            .scopes
            .iter()
            .any(|s| s == "https://outlook.office.com/IMAP.AccessAsUser.All")
    );
    assert_eq!(
        a.sending.transport,
        Some(Transport::Smtp(SmtpServer {
            host: OUTLOOK_COM_SMTP_HOST.into(),
            port: 587,
            tls: TlsMode::Starttls,
        }))
    );
    assert!(a.sending.server_files_sent());
    assert_eq!(a.sending.graph_url.as_deref(), Some(MICROSOFT_GRAPH_URL));
    // "outlook.com" reads the same; a tenant can still be set.
    let text = text.replace("\"outlook\"", "\"outlook.com\"")
        + "tenant = \"9188040d-6c67-4c5b-b112-36a304b66dad\"\n";
    let c = parse(Path::new("c.toml"), &text).expect("parses");
    let crate::config::AccountKind::OAuth2 { oauth, .. } = &c.accounts[0].kind else {
        panic!("an OAuth2 account");
    };
    assert_eq!(oauth.tenant, "9188040d-6c67-4c5b-b112-36a304b66dad");
}
