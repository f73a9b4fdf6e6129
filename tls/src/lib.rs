//! HTTPS for Orbital's servers: a certificate authority generated once and kept in a data
//! directory ([`CertificateAuthority`]), serving certificates it issues, certificates given as
//! files, and the accept loop ([`serve`]).

mod authority;
mod serve;

pub use authority::{
    CertificateAuthority, TlsError, certificate_hosts, server_config_from_files, write_private,
};
pub use serve::serve;
