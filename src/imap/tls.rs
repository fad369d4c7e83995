//! rustls client configuration: system roots plus an optional CA file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{
    self, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::mail::MailError;

/// The CA certificates a connection trusts, kept apart by where they came
/// from so `doctor` can say which one vouched for a server.
pub struct Roots {
    store: Arc<RootCertStore>,
    /// The operating system's store, as read once for the process.
    pub system: Arc<SystemRoots>,
    /// The account's `ca_file` and what it holds.
    pub ca_file: Option<(PathBuf, Vec<CertificateDer<'static>>)>,
}

/// The operating system's CA certificates and where they were read from.
pub struct SystemRoots {
    pub certs: Vec<CertificateDer<'static>>,
    /// The bundle file, or a sentence when the full loader was used.
    pub source: String,
    store: Arc<RootCertStore>,
}

static SYSTEM: OnceLock<Arc<SystemRoots>> = OnceLock::new();

/// The system's roots, read on first use and shared by every account and
/// reconnect; a caller arriving while another reads them waits for that
/// read rather than doing its own.
pub fn system_roots() -> Arc<SystemRoots> {
    SYSTEM
        .get_or_init(|| {
            let step = crate::startup::step("trust roots");
            let (certs, source) = read_system_roots(bundle_file().as_deref());
            let mut store = RootCertStore::empty();
            store.add_parsable_certificates(certs.iter().cloned());
            step.end();
            Arc::new(SystemRoots {
                certs,
                source,
                store: Arc::new(store),
            })
        })
        .clone()
}

/// Starts reading the system's roots on a thread of their own, so they
/// are ready by the time the first connection's handshake needs them.
pub fn preload() {
    let started = std::thread::Builder::new()
        .name("trust roots".into())
        .spawn(|| {
            system_roots();
        });
    // Without the thread, the first connection reads them itself.
    drop(started);
}

/// The one file that holds all of the system's roots (openssl-probe's
/// answer: `SSL_CERT_FILE`, else the distribution's bundle, such as
/// /etc/ssl/certs/ca-certificates.crt). None where there is none, or where
/// `SSL_CERT_DIR` names another directory than the bundle's own (whose
/// files are the bundle's certificates once more, one per file).
#[cfg(all(unix, not(target_os = "macos")))]
fn bundle_file() -> Option<PathBuf> {
    let file = openssl_probe::probe().cert_file?;
    match std::env::var_os("SSL_CERT_DIR") {
        Some(dirs) if !dirs.is_empty() => {
            let home = file.parent().and_then(|d| d.canonicalize().ok());
            let same = std::env::split_paths(&dirs)
                .all(|d| d.canonicalize().ok().is_some_and(|d| Some(d) == home));
            same.then_some(file)
        }
        _ => Some(file),
    }
}

/// Elsewhere the platform's own store is the source.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn bundle_file() -> Option<PathBuf> {
    None
}

/// The bundle alone: the directory beside it holds the same certificates
/// once more, one file each (146 files on Debian, 30-40 ms before the
/// first connection). Without a bundle (or an empty one), everything the
/// platform offers, as rustls-native-certs finds it.
fn read_system_roots(bundle: Option<&Path>) -> (Vec<CertificateDer<'static>>, String) {
    if let Some(file) = bundle {
        let read = rustls_native_certs::load_certs_from_paths(Some(file), None);
        if !read.certs.is_empty() {
            return (read.certs, file.display().to_string());
        }
    }
    let all = rustls_native_certs::load_native_certs();
    (all.certs, "the platform's certificate store".to_string())
}

impl Roots {
    /// The system store plus the account's `ca_file`, if it has one.
    pub fn load(ca_file: Option<&Path>) -> Result<Roots, MailError> {
        let system = system_roots();
        let Some(path) = ca_file else {
            if system.store.is_empty() {
                return Err(no_roots());
            }
            return Ok(Roots {
                store: system.store.clone(),
                system,
                ca_file: None,
            });
        };
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .and_then(|it| it.collect())
            .map_err(|e| MailError::Config(format!("ca_file {}: {e}", path.display())))?;
        if certs.is_empty() {
            return Err(MailError::Config(format!(
                "ca_file {}: no certificates in it",
                path.display()
            )));
        }
        let mut store = (*system.store).clone();
        let (added, _ignored) = store.add_parsable_certificates(certs.iter().cloned());
        if added == 0 {
            return Err(MailError::Config(format!(
                "ca_file {}: no usable CA certificate",
                path.display()
            )));
        }
        Ok(Roots {
            store: Arc::new(store),
            system,
            ca_file: Some((path.to_path_buf(), certs)),
        })
    }

    /// How many roots the system store gave.
    pub fn system_count(&self) -> usize {
        self.system.certs.len()
    }
}

fn no_roots() -> MailError {
    MailError::Config(
        "no trusted CA certificates: install ca-certificates or set ca_file".to_string(),
    )
}

pub fn connector(ca_file: Option<&Path>) -> Result<TlsConnector, MailError> {
    connector_for(&Roots::load(ca_file)?, None)
}

/// The certificates a server presented in a handshake, kept whether or not
/// they were trusted, so a refusal can say what the server showed.
pub type Presented = Arc<Mutex<Vec<CertificateDer<'static>>>>;

/// A connector trusting `roots`; with `keep`, it also records what each
/// server presents. The verification itself is the same either way.
pub fn connector_for(roots: &Roots, keep: Option<Presented>) -> Result<TlsConnector, MailError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| MailError::Tls(format!("TLS setup: {e}")))?;
    let config = match keep {
        None => builder.with_root_certificates(roots.store.clone()),
        Some(presented) => {
            let inner = WebPkiServerVerifier::builder_with_provider(roots.store.clone(), provider)
                .build()
                .map_err(|e| MailError::Tls(format!("TLS setup: {e}")))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(Recording { inner, presented }))
        }
    }
    .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The standard verifier, writing down the chain before it judges it.
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    presented: Presented,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut p) = self.presented.lock() {
            *p = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.clone().into_owned())
                .collect();
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The rustls error inside a failed handshake, if that is what failed it.
pub fn rustls_error(e: &std::io::Error) -> Option<&rustls::Error> {
    e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
}

/// A handshake error as a sentence with the likely fix.
pub fn describe_handshake_error(host: &str, e: &std::io::Error) -> MailError {
    let Some(inner) = rustls_error(e) else {
        return MailError::Network(format!("TLS handshake with {host} failed: {e}"));
    };
    use rustls::CertificateError as C;
    let why = match inner {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            "its certificate is not signed by a trusted CA (for a private CA, set ca_file)"
                .to_string()
        }
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => {
            format!("its certificate is not valid for the name {host}")
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "its certificate has expired".to_string()
        }
        other => other.to_string(),
    };
    MailError::Tls(format!("TLS with {host} refused: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(name: &str) -> String {
        rcgen::generate_simple_self_signed(vec![name.to_string()])
            .unwrap()
            .cert
            .pem()
    }

    #[test]
    fn the_bundle_file_alone_gives_the_system_roots() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("ca-certificates.crt");
        std::fs::write(&bundle, pem("a.example") + &pem("b.example")).unwrap();
        // Files beside it are not read: only the bundle counts.
        std::fs::write(dir.path().join("other.pem"), pem("c.example")).unwrap();
        let (certs, source) = read_system_roots(Some(&bundle));
        assert_eq!(certs.len(), 2);
        assert_eq!(source, bundle.display().to_string());
    }

    #[test]
    fn an_empty_or_missing_bundle_falls_back_to_the_full_loader() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.crt");
        std::fs::write(&empty, "").unwrap();
        for bundle in [
            Some(empty.as_path()),
            Some(&dir.path().join("none.crt")),
            None,
        ] {
            let (_, source) = read_system_roots(bundle);
            assert_eq!(source, "the platform's certificate store");
        }
    }

    #[test]
    fn a_ca_file_is_trusted_beside_the_system_roots_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, pem("ca.example")).unwrap();
        let roots = Roots::load(Some(&ca)).unwrap();
        let (path, certs) = roots.ca_file.as_ref().unwrap();
        assert_eq!((path, certs.len()), (&ca, 1));
        assert_eq!(roots.store.len(), roots.system.store.len() + 1);
        // One read for the process: every account shares it.
        assert!(Arc::ptr_eq(&roots.system, &system_roots()));
        std::fs::write(&ca, "not a certificate").unwrap();
        assert!(Roots::load(Some(&ca)).is_err());
    }
}
