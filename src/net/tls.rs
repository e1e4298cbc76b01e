//! TLS for `https://` endpoints (LLM, speech): rustls with the `ring` provider, trusting the system's
//! CA store (Debian's ca-certificates, read by rustls-native-certs, so OS updates reach it)
//! plus, for private deployments, the roots in `[llm] ca_file`.
//!
//! The handshake runs eagerly here, bounded by the socket timeouts for each read and by a
//! deadline for the whole exchange, so a server that accepts TCP and then stalls cannot
//! hold the worker longer than the configured timeout.

use std::io;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// A TLS stream over TCP, ready for the HTTP request.
pub type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// Why no TLS client could be set up (before any connection is made).
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error(
        "no trusted CA certificates found ({reason}); install Debian's ca-certificates package \
         or set ca_file ([llm] ca_file, [speech.openai] ca_file)"
    )]
    NoRoots { reason: String },
    #[error(
        "cannot read the CA file given as ca_file ({reason}); it must hold PEM certificates: {path:?}"
    )]
    CaFile { reason: String, path: PathBuf },
    #[error("TLS setup failed ({reason})")]
    Rustls { reason: String },
}

/// The client configuration: system roots plus `ca_file` (PEM, one or more certificates).
/// A `ca_file` alone is enough when the system store is empty (a minimal container).
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    // Unparsable system certificates are skipped; one bad file must not disable TLS.
    let (added, _ignored) = roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_file {
        let ca_err = |reason: String| TlsSetupError::CaFile {
            reason,
            path: path.to_path_buf(),
        };
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| ca_err(e.to_string()))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ca_err(e.to_string()))?;
        if certs.is_empty() {
            return Err(ca_err("no CERTIFICATE blocks".into()));
        }
        for cert in certs {
            roots.add(cert).map_err(|e| ca_err(e.to_string()))?;
        }
    } else if added == 0 {
        let reason = native.errors.first().map_or_else(
            || "the system store is empty".to_string(),
            ToString::to_string,
        );
        return Err(TlsSetupError::NoRoots { reason });
    }
    // Name the provider instead of relying on crate features: another crate in the build
    // may enable a second provider, which would make the implicit choice ambiguous.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::Rustls {
            reason: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Runs the TLS handshake with `host` over `tcp` (whose read/write timeouts are already
/// set), giving up at `deadline`.
pub fn connect(
    mut tcp: TcpStream,
    host: &str,
    config: Arc<ClientConfig>,
    deadline: Instant,
) -> io::Result<TlsStream> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut conn = ClientConnection::new(config, name).map_err(io::Error::other)?;
    while conn.is_handshaking() {
        if Instant::now() >= deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "TLS handshake did not finish in time",
            ));
        }
        conn.complete_io(&mut tcp)?;
    }
    Ok(StreamOwned::new(conn, tcp))
}

/// The rustls error inside an I/O error, if the failure was TLS (certificate, protocol).
pub fn tls_cause(err: &io::Error) -> Option<&rustls::Error> {
    err.get_ref()?.downcast_ref::<rustls::Error>()
}
