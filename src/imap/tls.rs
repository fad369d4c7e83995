//! rustls client configuration: system roots plus an optional CA file.

use std::path::Path;
use std::sync::Arc;

use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::mail::MailError;

pub fn connector(ca_file: Option<&Path>) -> Result<TlsConnector, MailError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_file {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .and_then(|it| it.collect())
            .map_err(|e| MailError::Config(format!("ca_file {}: {e}", path.display())))?;
        if certs.is_empty() {
            return Err(MailError::Config(format!(
                "ca_file {}: no certificates in it",
                path.display()
            )));
        }
        let (added, _ignored) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(MailError::Config(format!(
                "ca_file {}: no usable CA certificate",
                path.display()
            )));
        }
    }
    if roots.is_empty() {
        return Err(MailError::Config(
            "no trusted CA certificates: install ca-certificates or set ca_file".to_string(),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| MailError::Tls(format!("TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// A handshake error as a sentence with the likely fix.
pub fn describe_handshake_error(host: &str, e: &std::io::Error) -> MailError {
    let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) else {
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
