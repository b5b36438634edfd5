//! The edge's certificates: a local CA made once and kept (so a browser or
//! curl told to trust it keeps trusting it), and a server certificate for
//! localhost issued from it at every start.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::{Error, Result};

const CA_NAME: &str = "cfsign local edge CA (development only)";

/// The CA's files under the work folder, and the server certificate it issued.
pub struct Certificates {
    pub ca_file: PathBuf,
    pub ca_der: CertificateDer<'static>,
    chain: Vec<CertificateDer<'static>>,
    key_der: Vec<u8>,
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, CA_NAME);
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2049, 12, 31);
    params
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())
}

impl Certificates {
    /// Loads the CA from `dir` (creating it on first use) and issues a server
    /// certificate for `localhost`, `127.0.0.1` and `::1`.
    pub fn load_or_create(dir: &Path) -> Result<Self> {
        let failed = |reason: String| Error::Certificate { path: dir.display().to_string(), reason };
        let ca_file = dir.join("ca.pem");
        let ca_key_file = dir.join("ca.key");
        fs::create_dir_all(dir).map_err(|e| failed(e.to_string()))?;
        if !ca_key_file.exists() {
            let key = KeyPair::generate().map_err(|e| failed(e.to_string()))?;
            let cert = ca_params().self_signed(&key).map_err(|e| failed(e.to_string()))?;
            write_private(&ca_key_file, &key.serialize_pem()).map_err(|e| failed(format!("ca.key: {e}")))?;
            fs::write(&ca_file, cert.pem()).map_err(|e| failed(format!("ca.pem: {e}")))?;
        }
        let key_pem = fs::read_to_string(&ca_key_file).map_err(|e| failed(format!("ca.key: {e}")))?;
        let ca_key = KeyPair::from_pem(&key_pem).map_err(|e| failed(format!("ca.key: {e}")))?;
        let ca_pem = fs::read_to_string(&ca_file).map_err(|e| failed(format!("ca.pem: {e}")))?;
        let ca_der: CertificateDer<'static> = rustls_pki_types::pem::PemObject::from_pem_slice(ca_pem.as_bytes())
            .map_err(|e| failed(format!("ca.pem: {e}")))?;
        // The CA's name and key are all an issuer needs: the certificate on disk
        // was made from the same parameters.
        let issuer = Issuer::new(ca_params(), ca_key);

        let mut server = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()])
            .map_err(|e| failed(e.to_string()))?;
        server.distinguished_name.push(DnType::CommonName, "localhost");
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let now = time::OffsetDateTime::now_utc();
        server.not_before = now - time::Duration::hours(1);
        // Within the 398 days browsers accept for a server certificate.
        server.not_after = now + time::Duration::days(397);
        let server_key = KeyPair::generate().map_err(|e| failed(e.to_string()))?;
        let cert = server.signed_by(&server_key, &issuer).map_err(|e| failed(e.to_string()))?;
        Ok(Self {
            ca_file,
            chain: vec![cert.der().clone(), ca_der.clone()],
            ca_der,
            key_der: server_key.serialize_der(),
        })
    }

    /// A rustls server configuration offering `alpn` (most preferred first).
    pub fn server_config(&self, alpn: &[&[u8]]) -> Result<ServerConfig> {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()));
        let mut config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), key)
            .map_err(|e| Error::Tls(e.to_string()))?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(config)
    }
}
