//! Target and credential resolution shared by `run` and `steady`: the embedded reference
//! server (with `--quirk`) or a remote `--target`, the token (`--token-env`, `SCIM_TOKEN`,
//! `--token`, or a fresh random one for the embedded server), and starting the server.

use super::usage_error;
use crate::profile::{Auth, Profile};
use crate::replay::render::random_alnum;
use crate::server::{RunningServer, ServerConfig};

/// The target-related arguments of a command.
pub struct TargetOptions<'a> {
    pub target: Option<&'a str>,
    pub quirks: &'a [String],
    pub token_env: Option<&'a str>,
    pub token: Option<&'a str>,
}

/// Where the requests go.
pub enum Target {
    Embedded { quirks: Vec<String> },
    Remote { base_url: String },
}

/// A started target: base URL, the embedded server (to stop), the quirks switched on.
pub type Started = (String, Option<RunningServer>, Vec<String>);

pub fn resolve_target(opts: &TargetOptions) -> Result<Target, String> {
    let Some(raw) = opts.target else {
        return Ok(Target::Embedded {
            quirks: opts.quirks.to_vec(),
        });
    };
    if !opts.quirks.is_empty() {
        return Err(
            "--quirk switches on reference-server bugs: it only works without --target".into(),
        );
    }
    let url = reqwest::Url::parse(raw).map_err(|e| {
        format!(
            "--target `{raw}` is not a URL: {e} (expected e.g. https://scim.example.com/scim/v2)"
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "--target must be an http:// or https:// URL, not `{}`",
            url.scheme()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "--target must not carry credentials: pass the token with --token-env VAR".into(),
        );
    }
    if url.query().is_some() {
        return Err("--target must be the SCIM base URL without a query string".into());
    }
    Ok(Target::Remote {
        base_url: raw.trim_end_matches('/').to_string(),
    })
}

pub fn resolve_token(opts: &TargetOptions, target: &Target) -> Result<String, String> {
    if let Target::Embedded { .. } = target {
        return Ok(format!("srt-{}", random_alnum(32))); // a fresh random token per run
    }
    if let Some(var) = opts.token_env {
        return match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
            Ok(_) => Err(format!(
                "environment variable {var} (from --token-env) is empty"
            )),
            Err(_) => Err(format!(
                "environment variable {var} (from --token-env) is not set"
            )),
        };
    }
    match opts.token {
        Some(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
        _ => Err(
            "the target needs a token: set --token-env VAR (preferred), SCIM_TOKEN, or --token"
                .into(),
        ),
    }
}

/// Starts the embedded server (profile quirks plus `--quirk`s) or passes the remote URL on.
pub async fn start_target(
    target: &Target,
    profile: &Profile,
    auth: Option<Auth>,
    token: &str,
) -> Result<Started, u8> {
    match target {
        Target::Remote { base_url } => Ok((base_url.clone(), None, Vec::new())),
        Target::Embedded { quirks } => {
            let mut all = profile.server_quirks.clone();
            all.extend(quirks.iter().cloned());
            let auth = auth.unwrap_or(profile.auth);
            let config = ServerConfig {
                host: "127.0.0.1".into(),
                port: 0,
                token: Some(token.to_string()),
                auth: auth.server_mode(),
                base_path: profile.base_path.clone(),
                quirks: all.clone(),
            };
            match crate::server::start(config).await {
                Ok(server) => Ok((server.base_url().to_string(), Some(server), all)),
                Err(e) => Err(usage_error(e)),
            }
        }
    }
}

/// The two-worker async runtime the commands run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}
