//! A throwaway CA and a server certificate for localhost, made per run;
//! or a deliberately bad one (expired, for another host, about to expire).

use chrono::Datelike;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

pub struct TestCa {
    pub ca_pem: String,
    pub server_cert_pem: String,
    pub server_key_pem: String,
}

/// What the server certificate is like.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Leaf {
    /// Valid for localhost, 127.0.0.1, 127.0.0.2 and ::1 for years.
    #[default]
    Localhost,
    /// Valid for those names, but expired two days ago.
    Expired,
    /// Valid, but only for mail.example.net.
    OtherHost,
    /// Valid for localhost, expiring after this many days.
    ExpiresInDays(u64),
}

const DAY: std::time::Duration = std::time::Duration::from_secs(86_400);

/// Today's date (UTC).
fn ymd() -> (i32, u8, u8) {
    let d = chrono::Utc::now().date_naive();
    (d.year(), d.month() as u8, d.day() as u8)
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        Self::with_leaf(name, Leaf::Localhost)
    }

    pub fn with_leaf(name: &str, kind: Leaf) -> TestCa {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.distinguished_name
            .push(DnType::CommonName, format!("mailtui test CA {name}"));
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).expect("self-signed CA");
        let issuer = Issuer::new(ca, ca_key);

        let key = KeyPair::generate().expect("server key");
        let names = match kind {
            Leaf::OtherHost => vec!["mail.example.net".to_string()],
            _ => vec![
                "localhost".to_string(),
                "127.0.0.1".to_string(),
                // The submission service's own loopback address.
                "127.0.0.2".to_string(),
                "::1".to_string(),
            ],
        };
        let mut leaf = CertificateParams::new(names).expect("leaf params");
        leaf.distinguished_name
            .push(DnType::CommonName, "localhost");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let (y, m, d) = ymd();
        let today = rcgen::date_time_ymd(y, m, d);
        match kind {
            Leaf::Expired => {
                leaf.not_before = today - 60 * DAY;
                leaf.not_after = today - 2 * DAY;
            }
            Leaf::ExpiresInDays(n) => {
                leaf.not_before = today - DAY;
                leaf.not_after = today + (n as u32 + 1) * DAY;
            }
            Leaf::Localhost | Leaf::OtherHost => {}
        }
        let cert = leaf.signed_by(&key, &issuer).expect("leaf signed by CA");
        TestCa {
            ca_pem: ca_cert.pem(),
            server_cert_pem: cert.pem(),
            server_key_pem: key.serialize_pem(),
        }
    }
}
