//! The sandbox's certificate authority and serving certificate.
//!
//! The CA is generated on first start and kept in the data directory, so kubeconfigs written
//! earlier stay valid; the serving certificate is issued afresh at every start.

use std::fs;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const CA_CERT: &str = "ca.crt";
const CA_KEY: &str = "ca.key";

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A key or certificate file could not be read or written.
    #[error("cannot access {}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: io::Error,
    },
    /// A key or certificate could not be generated or parsed.
    #[error("certificate error: {0}")]
    Certificate(#[from] rcgen::Error),
    /// A PEM file is malformed.
    #[error("malformed PEM in {}", .0.display())]
    Pem(PathBuf),
    /// rustls refused the certificate and key.
    #[error("TLS configuration error: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The sandbox's CA, loaded from or created in the data directory.
pub struct CertificateAuthority {
    certificate_pem: String,
    key: KeyPair,
}

impl CertificateAuthority {
    /// Loads the CA from `dir`, generating and saving one if there is none yet.
    pub fn load_or_create(dir: &Path) -> Result<Self, TlsError> {
        let cert_path = dir.join(CA_CERT);
        let key_path = dir.join(CA_KEY);
        if cert_path.is_file() && key_path.is_file() {
            let certificate_pem = read(&cert_path)?;
            let key = KeyPair::from_pem(&read(&key_path)?)?;
            return Ok(Self {
                certificate_pem,
                key,
            });
        }
        let key = KeyPair::generate()?;
        let certificate = ca_params()?.self_signed(&key)?;
        write_secret(&key_path, &key.serialize_pem())?;
        write_secret(&cert_path, &certificate.pem())?;
        Ok(Self {
            certificate_pem: certificate.pem(),
            key,
        })
    }

    /// The CA certificate in PEM, as kubeconfigs embed it.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// A rustls server configuration with a fresh certificate for `hosts`, signed by this CA.
    pub fn server_config(&self, hosts: &[IpAddr]) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
        params.distinguished_name = name("orbital-sandbox");
        params
            .subject_alt_names
            .extend(hosts.iter().map(|ip| SanType::IpAddress(*ip)));
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate()?;
        let issuer = Issuer::new(ca_params()?, &self.key);
        let certificate = params.signed_by(&key, &issuer)?;

        let chain = vec![
            certificate.der().clone(),
            CertificateDer::from_pem_slice(self.certificate_pem.as_bytes())
                .map_err(|_| TlsError::Pem(PathBuf::from(CA_CERT)))?,
        ];
        let private_key = PrivateKeyDer::try_from(key.serialize_der())
            .map_err(|_| TlsError::Pem(PathBuf::from("server key")))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, private_key)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// The CA's parameters; the same on every start, so certificates it issues chain to the
/// certificate saved on the first.
fn ca_params() -> Result<CertificateParams, TlsError> {
    let mut params = CertificateParams::new(Vec::new())?;
    params.distinguished_name = name("orbital-sandbox-ca");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2124, 1, 1);
    Ok(params)
}

fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name
}

fn read(path: &Path) -> Result<String, TlsError> {
    fs::read_to_string(path).map_err(|source| TlsError::File {
        path: path.to_owned(),
        source,
    })
}

/// Writes a file only its owner can read, and flushes it to disk.
pub(crate) fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

fn write_secret(path: &Path, contents: &str) -> Result<(), TlsError> {
    write_private(path, contents).map_err(|source| TlsError::File {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use tempfile::TempDir;

    use super::*;

    #[test]
    fn the_ca_is_created_once_and_reused() {
        let dir = TempDir::new().unwrap();
        let first = CertificateAuthority::load_or_create(dir.path()).unwrap();
        let second = CertificateAuthority::load_or_create(dir.path()).unwrap();
        assert_eq!(first.certificate_pem(), second.certificate_pem());
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &fs::metadata(dir.path().join(CA_KEY)).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600);
        second
            .server_config(&["127.0.0.1".parse().unwrap()])
            .unwrap();
    }
}
