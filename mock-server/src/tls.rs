//! HTTPS for the mock: at start a throw-away CA is generated (rcgen) and signs a leaf
//! certificate for `127.0.0.1`, `::1` and `localhost`; the server speaks TLS with it (rustls via
//! axum-server). Clients that refuse plain `http://` (requests-oauthlib, httpx) trust the mock by
//! trusting the CA's PEM (`msp-mock --tls --ca-out ca.pem`, or [`crate::MockServer::ca_pem`]).
//!
//! Nothing is written to disk except where the caller asks, and the CA key never leaves memory:
//! it is dropped once the leaf is signed.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio::net::TcpListener;

use crate::AppState;

/// A generated CA and the server certificate it signed.
#[derive(Clone)]
pub struct TlsMaterial {
    ca_pem: String,
    cert_pem: String,
    key_pem: String,
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial").finish_non_exhaustive()
    }
}

impl TlsMaterial {
    /// Generates a CA ("msp-mock test CA") and a leaf for `127.0.0.1`, `::1` and `localhost`.
    pub fn generate() -> Result<Self, rcgen::Error> {
        let ca_key = KeyPair::generate()?;
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.distinguished_name
            .push(DnType::CommonName, "msp-mock test CA");
        ca.distinguished_name
            .push(DnType::OrganizationName, "msp-harness");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key)?;

        let leaf_key = KeyPair::generate()?;
        let mut leaf = CertificateParams::new(vec![
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
            "localhost".to_owned(),
        ])?;
        leaf.distinguished_name
            .push(DnType::CommonName, "localhost");
        leaf.is_ca = IsCa::ExplicitNoCa;
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let issuer = Issuer::from_params(&ca, &ca_key);
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;
        Ok(Self {
            ca_pem: ca_cert.pem(),
            cert_pem: leaf_cert.pem(),
            key_pem: leaf_key.serialize_pem(),
        })
    }

    /// The CA certificate (PEM) clients must trust.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The rustls configuration serving the leaf certificate.
    pub async fn rustls_config(&self) -> std::io::Result<RustlsConfig> {
        RustlsConfig::from_pem(
            self.cert_pem.as_bytes().to_vec(),
            self.key_pem.as_bytes().to_vec(),
        )
        .await
    }
}

/// Serves `state` over HTTPS on `listener` until `shutdown` completes (then drains for up to
/// 5 seconds).
pub async fn serve_tls(
    listener: TcpListener,
    state: Arc<AppState>,
    tls: &TlsMaterial,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let config = tls.rustls_config().await?;
    let handle: Handle<std::net::SocketAddr> = Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(5)));
    });
    axum_server::from_tcp_rustls(listener.into_std()?, config)?
        .handle(handle)
        .serve(crate::app(state).into_make_service())
        .await
}
