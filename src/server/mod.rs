//! The embedded reference SCIM 2.0 server: in-memory, Okta-exact behaviour, with quirk modes
//! that reproduce real-world server bugs. This module is the public API: configure, start on
//! the current tokio runtime, stop; plus the `serve` command and the quirk catalogue.

mod app;
mod auth;
mod cli;
mod errors;
pub mod filter;
mod handlers;
mod patch;
#[cfg(test)]
mod properties;
mod query;
mod quirks;
mod resource;
pub mod schema;
mod state;
mod store;

pub use app::MAX_BODY_BYTES;
pub(crate) use cli::wait_for_signal;
pub use cli::{ServeArgs, run_serve};
pub use errors::ServerError;
pub use query::MAX_PAGE_SIZE;
pub use quirks::{Catch, OktaVerdict, Quirk, QuirkInfo};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

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
    /// 0 picks a free port.
    pub port: u16,
    /// The secret (`user:password` for Basic). Required unless `auth` is `None`.
    pub token: Option<String>,
    pub auth: AuthMode,
    /// Path prefix of every endpoint, e.g. `/scim/v2` or `/scim/v2/my-org`.
    pub base_path: String,
    /// Quirk names, optionally `name=value` (e.g. `stale-reads=300ms`).
    pub quirks: Vec<String>,
    /// Stored users and groups past which a create is answered 507 (bounds memory).
    pub max_resources: usize,
}

/// Default of `serve --max-resources`: room for the largest `load` run (100,000 users and a
/// group) twice over, about 400 MB of memory.
pub const DEFAULT_MAX_RESOURCES: usize = 200_000;

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            host: "127.0.0.1".into(),
            port: 0,
            token: None,
            auth: AuthMode::Bearer,
            base_path: "/scim/v2".into(),
            quirks: Vec::new(),
            max_resources: DEFAULT_MAX_RESOURCES,
        }
    }
}

/// A server running on the current tokio runtime. Stop it with [`RunningServer::shutdown`].
pub struct RunningServer {
    pub addr: SocketAddr,
    pub base_url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// `http://127.0.0.1:PORT/scim/v2`
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Stops accepting connections, lets in-flight requests finish (at most 5 s), and returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(5), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

/// Every quirk mode with its description.
pub fn quirks() -> &'static [QuirkInfo] {
    quirks::QUIRKS
}

/// Checks quirk specs (`name` or `name=value`) as the server would parse them, so that
/// `--quirk` and profile `server_quirks` fail at argument or profile load.
pub fn check_quirks(specs: &[String]) -> Result<(), String> {
    quirks::Quirks::parse(specs).map(|_| ())
}

/// Normalises a base path: leading `/`, no trailing `/`; `/` becomes the empty prefix.
fn normalize_base_path(p: &str) -> Result<String, ServerError> {
    if p.contains(['?', '#', ' ']) {
        return Err(ServerError::Config(format!(
            "invalid base path '{p}': no '?', '#' or spaces allowed"
        )));
    }
    let trimmed = p.trim_matches('/');
    Ok(if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    })
}

/// Starts a server with extra options not in [`ServerConfig`].
pub(crate) async fn start_with(
    config: ServerConfig,
    verbose: bool,
) -> Result<RunningServer, ServerError> {
    let quirks = quirks::Quirks::parse(&config.quirks).map_err(ServerError::Config)?;
    let base_path = normalize_base_path(&config.base_path)?;
    let token = config.token.filter(|t| !t.is_empty());
    if config.auth != AuthMode::None && token.is_none() {
        return Err(ServerError::Config(
            "a token is required unless authentication is disabled (auth mode none)".into(),
        ));
    }
    let addr_text = format!("{}:{}", config.host, config.port);
    let listener = tokio::net::TcpListener::bind(&addr_text)
        .await
        .map_err(|source| ServerError::Bind {
            addr: addr_text.clone(),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: addr_text,
        source,
    })?;
    let mut state = state::AppState::new(config.auth, token, base_path.clone(), quirks, verbose);
    state.max_resources = config.max_resources.max(1);
    let state = Arc::new(state);
    let router = axum::Router::new().fallback(app::handle).with_state(state);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    let host = match addr {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => format!("[{}]", a.ip()),
    };
    Ok(RunningServer {
        addr,
        base_url: format!("http://{host}:{}{base_path}", addr.port()),
        stop,
        task,
    })
}

/// Binds (port 0 = ephemeral) and serves on the current tokio runtime; returns once listening.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    start_with(config, false).await
}
