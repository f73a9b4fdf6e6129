//! A server's certificate authority and serving certificate.
//!
//! The CA is generated on first start and kept in the data directory, so kubeconfigs written
//! earlier stay valid; the serving certificate is issued afresh at every start.

use std::fs;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
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

/// A server's CA, loaded from or created in its data directory.
pub struct CertificateAuthority {
    certificate_pem: String,
    key: KeyPair,
    /// The server's name: the CA is `{name}-ca`, its certificates `{name}`.
    name: String,
}

impl CertificateAuthority {
    /// Loads the CA of the server `name` from `dir`, generating and saving one if there is none
    /// yet. The name must stay the same from one start to the next.
    pub fn load_or_create(dir: &Path, name: &str) -> Result<Self, TlsError> {
        let cert_path = dir.join(CA_CERT);
        let key_path = dir.join(CA_KEY);
        if cert_path.is_file() && key_path.is_file() {
            let certificate_pem = read(&cert_path)?;
            let key = KeyPair::from_pem(&read(&key_path)?)?;
            return Ok(Self {
                certificate_pem,
                key,
                name: name.to_owned(),
            });
        }
        let key = KeyPair::generate()?;
        let certificate = ca_params(name)?.self_signed(&key)?;
        write_secret(&key_path, &key.serialize_pem())?;
        write_secret(&cert_path, &certificate.pem())?;
        Ok(Self {
            certificate_pem: certificate.pem(),
            key,
            name: name.to_owned(),
        })
    }

    /// The CA certificate in PEM, as kubeconfigs embed it.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// A rustls server configuration with a fresh certificate for `hosts`, signed by this CA.
    pub fn server_config(&self, hosts: &[IpAddr]) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
        params.distinguished_name = distinguished(&self.name);
        params
            .subject_alt_names
            .extend(hosts.iter().map(|ip| SanType::IpAddress(*ip)));
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate()?;
        let issuer = Issuer::new(ca_params(&self.name)?, &self.key);
        let certificate = params.signed_by(&key, &issuer)?;

        let chain = vec![
            certificate.der().clone(),
            CertificateDer::from_pem_slice(self.certificate_pem.as_bytes())
                .map_err(|_| TlsError::Pem(PathBuf::from(CA_CERT)))?,
        ];
        let private_key = PrivateKeyDer::try_from(key.serialize_der())
            .map_err(|_| TlsError::Pem(PathBuf::from("server key")))?;
        server_config(chain, private_key)
    }
}

/// A rustls server configuration from a certificate chain and its key, as PEM files (an
/// operator's own certificate).
pub fn server_config_from_files(
    certificate: &Path,
    key: &Path,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let chain = CertificateDer::pem_slice_iter(read(certificate)?.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| TlsError::Pem(certificate.to_owned()))?;
    if chain.is_empty() {
        return Err(TlsError::Pem(certificate.to_owned()));
    }
    let private_key = PrivateKeyDer::from_pem_slice(read(key)?.as_bytes())
        .map_err(|_| TlsError::Pem(key.to_owned()))?;
    server_config(chain, private_key)
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The IP addresses the serving certificate names.
pub fn certificate_hosts(ip: IpAddr) -> Vec<IpAddr> {
    let mut hosts = vec![
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ];
    if !ip.is_unspecified() && !hosts.contains(&ip) {
        hosts.push(ip);
    }
    hosts
}

/// The CA's parameters; the same on every start, so certificates it issues chain to the
/// certificate saved on the first.
fn ca_params(name: &str) -> Result<CertificateParams, TlsError> {
    let mut params = CertificateParams::new(Vec::new())?;
    params.distinguished_name = distinguished(&format!("{name}-ca"));
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

fn distinguished(common_name: &str) -> DistinguishedName {
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

/// Writes a file only its owner can read, and flushes it to disk. The contents go to a file
/// beside it that then takes its name, so a reader (or a restart after a crash) finds either
/// the old file or the whole new one, never a part.
pub fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    let mut partial = path.as_os_str().to_owned();
    partial.push(format!(".partial-{}", std::process::id()));
    let partial = std::path::PathBuf::from(partial);
    let written = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&partial)
        .and_then(|mut file| {
            file.write_all(contents.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&partial, path));
    if written.is_err() {
        let _ = fs::remove_file(&partial);
    }
    written
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
    fn a_private_file_replaces_the_old_one_whole_and_only_its_owner_reads_it() {
        use std::os::unix::fs::PermissionsExt;

        let dir = TempDir::new().unwrap();
        let path = dir.path().join("kubeconfig");
        fs::write(&path, "old contents, readable by anyone").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, "new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["kubeconfig"], "nothing is left beside it");
    }

    #[test]
    fn the_ca_is_created_once_and_reused() {
        let dir = TempDir::new().unwrap();
        let first = CertificateAuthority::load_or_create(dir.path(), "test").unwrap();
        let second = CertificateAuthority::load_or_create(dir.path(), "test").unwrap();
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
