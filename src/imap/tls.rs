//! rustls client configuration: system roots plus an optional CA file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    /// The operating system's store (rustls-native-certs).
    pub system: Vec<CertificateDer<'static>>,
    /// The account's `ca_file` and what it holds.
    pub ca_file: Option<(PathBuf, Vec<CertificateDer<'static>>)>,
}

impl Roots {
    /// The system store plus the account's `ca_file`, if it has one.
    pub fn load(ca_file: Option<&Path>) -> Result<Roots, MailError> {
        let mut store = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        let system = native.certs;
        store.add_parsable_certificates(system.iter().cloned());
        let ca_file = match ca_file {
            None => None,
            Some(path) => {
                let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                    .and_then(|it| it.collect())
                    .map_err(|e| MailError::Config(format!("ca_file {}: {e}", path.display())))?;
                if certs.is_empty() {
                    return Err(MailError::Config(format!(
                        "ca_file {}: no certificates in it",
                        path.display()
                    )));
                }
                let (added, _ignored) = store.add_parsable_certificates(certs.iter().cloned());
                if added == 0 {
                    return Err(MailError::Config(format!(
                        "ca_file {}: no usable CA certificate",
                        path.display()
                    )));
                }
                Some((path.to_path_buf(), certs))
            }
        };
        if store.is_empty() {
            return Err(MailError::Config(
                "no trusted CA certificates: install ca-certificates or set ca_file".to_string(),
            ));
        }
        Ok(Roots {
            store: Arc::new(store),
            system,
            ca_file,
        })
    }

    /// How many roots the system store gave.
    pub fn system_count(&self) -> usize {
        self.system.len()
    }
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
