//! Scratch: servers for driving mailtui by hand (not committed).
mod support;
use std::sync::Arc;
use support::dovecot::{Dovecot, Options, SUBMISSION_HOST};
use support::fake_smtp::{FakeSmtp, Script, TENANT_DISABLED};
use support::graph::dovecot_sink;
use support::relay::Relay;

#[test]
#[ignore]
fn hold() {
    use support::idp::{CLIENT_ID, Idp};
    let exchange = std::env::var("QA_EXCHANGE").is_ok();
    let idp = Idp::start();
    let me = "alice@contoso.example";
    let support_box = "support@contoso.example";
    let d = Arc::new(Dovecot::start_with(Options {
        submission: true,
        exchange,
        oauth2_introspection: Some(idp.introspection_url()),
        shared_mailboxes: vec![support_box.into()],
        ..Default::default()
    }));
    idp.set_mail_sink(dovecot_sink(d.clone()));
    idp.grant_full_access(support_box, me);
    idp.grant_send_as(support_box, me);
    for u in [
        "bob@example.com",
        "carol@example.com",
        "chen.wei@contoso.example",
    ] {
        d.add_user(u, "pw");
    }
    d.add_user(me, "pw");
    d.deliver(me, "INBOX", &support::fixtures::bulk(300, ""));
    let orig = format!(
        "From: Bob Example <bob@example.com>\r\nTo: Alice <{me}>\r\nSubject: Budget review\r\nDate: Sun, 06 Dec 2026 07:00:00 +0100\r\nMessage-ID: <budget-1@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCan you send me the figures?\r\n"
    );
    d.deliver(me, "INBOX", &[(orig.into_bytes(), "")]);
    let outlook = std::fs::read("tests/fixtures/calendar/outlook-request.eml").unwrap();
    d.deliver(me, "INBOX", &[(outlook, "")]);
    let ics = std::fs::read_to_string("tests/fixtures/calendar/google-recurring.ics")
        .unwrap()
        .replace("maria.lopez@gmail.example", "bob@example.com")
        .replace("alice@contoso.example", me);
    let g = format!(
        "From: Maria Lopez <bob@example.com>\r\nTo: {me}\r\nSubject: Invitation: Stand-up\r\nDate: Sun, 06 Dec 2026 08:00:00 +0000\r\nMessage-ID: <invite-1@google.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n\r\n{ics}"
    );
    d.deliver(me, "INBOX", &[(g.into_bytes(), "")]);
    d.deliver(me, "Sent Items", &[]);
    d.deliver(me, "Drafts", &[]);
    d.deliver(support_box, "INBOX", &[(format!("From: Customer <carol@example.com>\r\nTo: {support_box}\r\nSubject: Where is my order?\r\nDate: Sun, 06 Dec 2026 06:00:00 +0100\r\nMessage-ID: <order-7@example.com>\r\n\r\nOrder 4711 has not arrived.\r\n").into_bytes(), "")]);
    let _relay = Relay::start(&d);
    let fake = FakeSmtp::start(Script {
        auth_replies: std::iter::repeat_n(TENANT_DISABLED.to_string(), 1000).collect(),
        ..Script::default()
    });
    let dir = std::path::PathBuf::from(std::env::var("QA_DIR").unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let mut pem = std::fs::read(&d.ca_file).unwrap();
    pem.extend(std::fs::read(&fake.ca_file).unwrap());
    std::fs::write(&ca, pem).unwrap();
    let cfg = if exchange {
        format!(
            "[[accounts]]\nname = \"work\"\nemail = \"{me}\"\nfull_name = \"Alice Martin\"\nprovider = \"microsoft\"\ntenant = \"contoso.onmicrosoft.com\"\nclient_id = \"{CLIENT_ID}\"\nauthority = \"{b}\"\ngraph_url = \"{b}\"\nca_file = \"{ca}\"\nimap = {{ host = \"127.0.0.1\", port = {i}, tls = \"implicit\" }}\nsmtp = {{ host = \"127.0.0.1\", port = {s}, tls = \"starttls\" }}\n\n[[accounts]]\nname = \"support\"\nemail = \"{support_box}\"\nfull_name = \"Contoso Support\"\nshared_with = \"work\"\n",
            b = idp.base,
            ca = ca.display(),
            i = d.imaps_port,
            s = fake.port
        )
    } else {
        format!(
            "[[accounts]]\nname = \"work\"\nemail = \"{me}\"\nfull_name = \"Alice Martin\"\nprovider = \"generic\"\nauth = {{ method = \"password\", password = \"pw\" }}\nca_file = \"{}\"\nimap = {{ host = \"127.0.0.1\", port = {}, tls = \"implicit\" }}\nsmtp = {{ host = \"{SUBMISSION_HOST}\", port = {}, tls = \"starttls\" }}\n",
            d.ca_file.display(),
            d.imaps_port,
            d.submission_port
        )
    };
    std::fs::write(dir.join("config.toml"), cfg).unwrap();
    std::fs::write(dir.join("ready"), format!("{}", d.dir.path().display())).unwrap();
    eprintln!("QA ready: {}", dir.display());
    while !dir.join("stop").exists() {
        if let Ok(code) = std::fs::read_to_string(dir.join("approve")) {
            let _ = std::fs::remove_file(dir.join("approve"));
            idp.approve(code.trim(), me);
        }
        if dir.join("admin").exists() {
            let _ = std::fs::remove_file(dir.join("admin"));
            idp.require_admin_approval(support::idp::GRAPH_MAIL_SEND);
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    eprintln!("graph calls: {:?}", idp.graph_calls());
}
