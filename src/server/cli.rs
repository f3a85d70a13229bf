//! The `scimreplay serve` command: its flags, token resolution, startup line, signal handling
//! and exit codes.

use super::{AuthMode, ServerConfig, ServerError, quirks};
use crate::exit;
use std::io::Write;

const AFTER_HELP: &str = "\
Examples:
  scimreplay serve --token s3cret
  SCIM_TOKEN=s3cret scimreplay serve --port 0 --token-env SCIM_TOKEN -v
  scimreplay serve --auth basic --token admin:pass --base-path /scim/v2/acme
  scimreplay serve --auth none --quirk string-booleans --quirk stale-reads=500ms
  scimreplay serve --list-quirks

On start, one line is printed to stdout: `SCIM base URL: http://HOST:PORT/scim/v2`.
The server keeps everything in memory and runs until SIGINT (Ctrl-C) or SIGTERM.
Exit codes: 0 stopped by a signal, 2 usage error (missing token, unknown quirk), 3 cannot bind.";

/// Arguments of `scimreplay serve`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct ServeArgs {
    /// Interface to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// TCP port; 0 picks a free port (read it from the startup line).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The secret clients must send (for --auth basic: `user:password`). Prefer --token-env.
    #[arg(long, value_name = "VALUE", conflicts_with = "token_env")]
    pub token: Option<String>,
    /// Read the secret from this environment variable instead of the command line.
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// How clients authenticate: `Authorization: Bearer <token>`, raw `Authorization: <token>`,
    /// Basic, or not at all.
    #[arg(long, value_enum, default_value_t = AuthMode::Bearer)]
    pub auth: AuthMode,
    /// Path prefix of every SCIM endpoint (e.g. /scim/v2/my-org).
    #[arg(long, default_value = "/scim/v2", value_name = "PATH")]
    pub base_path: String,
    /// Enable a quirk mode that reproduces a real-world server bug; repeatable. Some take a
    /// value: stale-reads=300ms, rate-limit=5, slow=200ms. See --list-quirks.
    #[arg(long = "quirk", value_name = "NAME[=VALUE]")]
    pub quirks: Vec<String>,
    /// Most users and groups stored at once; past it a create is answered 507 (bounds memory).
    #[arg(long, default_value_t = super::DEFAULT_MAX_RESOURCES, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..), value_name = "N")]
    pub max_resources: usize,
    /// Print every quirk with a one-line description and exit.
    #[arg(long)]
    pub list_quirks: bool,
    /// Log one line per request to stderr: method, path and query, status, duration (never
    /// headers or bodies).
    #[arg(short, long)]
    pub verbose: bool,
}

fn list_quirks() -> String {
    let width = quirks::QUIRKS
        .iter()
        .map(|q| q.name.len())
        .max()
        .unwrap_or(0);
    let mut out = String::from(
        "Quirk modes (enable with --quirk NAME[=VALUE]; [okta-ok] = neither Okta's provisioning nor its SPEC certification test fails it):\n",
    );
    for q in quirks::QUIRKS {
        let mark = if q.tolerated_by_okta() {
            " [okta-ok]"
        } else {
            ""
        };
        out.push_str(&format!("  {:width$}  {}{mark}\n", q.name, q.description));
    }
    out
}

fn resolve_token(args: &ServeArgs) -> Result<Option<String>, String> {
    let token = match (&args.token, &args.token_env) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(var)) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => Some(v),
            _ => {
                return Err(format!(
                    "environment variable {var} (from --token-env) is not set or empty"
                ));
            }
        },
        (None, None) => None,
    };
    if token.is_none() && args.auth != AuthMode::None {
        return Err("a token is required: pass --token VALUE or --token-env VAR (or --auth none to disable authentication)".into());
    }
    if args.auth == AuthMode::Basic && token.as_deref().is_some_and(|t| !t.contains(':')) {
        return Err("with --auth basic the token must be `user:password`".into());
    }
    Ok(token)
}

/// Runs `scimreplay serve` to completion and returns the process exit code.
pub fn run_serve(args: ServeArgs) -> u8 {
    if args.list_quirks {
        print!("{}", list_quirks());
        return exit::SUCCESS;
    }
    let token = match resolve_token(&args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let config = ServerConfig {
        host: args.host.clone(),
        port: args.port,
        token,
        auth: args.auth,
        base_path: args.base_path.clone(),
        quirks: args.quirks.clone(),
        max_resources: args.max_resources,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::TARGET;
        }
    };
    runtime.block_on(async move {
        let server = match super::start_with(config, args.verbose).await {
            Ok(s) => s,
            Err(e @ ServerError::Config(_)) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
            Err(e @ ServerError::Bind { .. }) => {
                eprintln!("error: {e}");
                return exit::TARGET;
            }
        };
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "SCIM base URL: {}", server.base_url());
        let _ = stdout.flush();
        wait_for_signal().await;
        server.shutdown().await;
        exit::SUCCESS
    })
}

pub(crate) async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_marks_tolerated_quirks() {
        let l = list_quirks();
        assert!(l.contains("filter-miss-404"));
        assert!(
            l.lines()
                .any(|x| x.contains("patch-returns-204") && x.contains("[okta-ok]"))
        );
        assert!(
            l.lines()
                .any(|x| x.contains("string-booleans") && !x.contains("[okta-ok]"))
        );
    }
}
