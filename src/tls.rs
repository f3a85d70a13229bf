//! Installs rustls' `ring` crypto provider once per process, before any HTTP client is built.

/// Installs the process-wide rustls crypto provider. Safe to call any number of times.
pub fn init() {
    // An Err only means another provider is already installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
