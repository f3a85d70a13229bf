//! The embedded reference SCIM 2.0 server: in-memory, Okta-exact behaviour, with quirk modes
//! that reproduce real-world server bugs. (Skeleton: filled in by the reference-server work.)

use std::net::SocketAddr;

/// How the server authenticates requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum AuthMode {
    /// `Authorization: Bearer <token>`
    #[default]
    Bearer,
    /// `Authorization: <token>` (raw token, Okta's "HTTP Header" mode)
    Header,
    /// `Authorization: Basic base64(user:password)`; the token is `user:password`
    Basic,
    /// No authentication at all
    None,
}

/// Everything needed to start a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub host: String,
    pub port: u16,
    pub token: Option<String>,
    pub auth: AuthMode,
    pub base_path: String,
    pub quirks: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            host: "127.0.0.1".into(),
            port: 0,
            token: None,
            auth: AuthMode::Bearer,
            base_path: "/scim/v2".into(),
            quirks: Vec::new(),
        }
    }
}

/// A server running on the current tokio runtime.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub base_url: String,
}

/// Arguments of `scimreplay serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {}
