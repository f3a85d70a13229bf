//! Target and credential resolution shared by `run` and `steady`: the embedded reference
//! server (with `--quirk`) or a remote `--target`, the token (`--token-env`, `SCIM_TOKEN`,
//! `--token`, or a fresh random one for the embedded server), and starting the server.

use super::error::{CommandError, report};
use crate::cli::ConnectionArgs;
use crate::profile::{Auth, Profile};
use crate::replay::client::{Client, ClientConfig, Credentials};
use crate::replay::render::random_alnum;
use crate::replay::result::TargetInfo;
use crate::server::{RunningServer, ServerConfig};

/// Where the requests go.
pub enum Target {
    Embedded { quirks: Vec<String> },
    Remote { base_url: String },
}

/// A started target: base URL, the embedded server (to stop), the quirks switched on.
pub type Started = (String, Option<RunningServer>, Vec<String>);

pub fn resolve_target(opts: &ConnectionArgs) -> Result<Target, CommandError> {
    let Some(raw) = opts.target.as_deref() else {
        return Ok(Target::Embedded {
            quirks: opts.quirks.to_vec(),
        });
    };
    if !opts.quirks.is_empty() {
        return Err(CommandError::usage(
            "--quirk switches on reference-server bugs: it only works without --target",
        ));
    }
    let url = reqwest::Url::parse(raw).map_err(|e| {
        CommandError::Usage(format!(
            "--target `{raw}` is not a URL: {e} (expected e.g. https://scim.example.com/scim/v2)"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CommandError::Usage(format!(
            "--target must be an http:// or https:// URL, not `{}`",
            url.scheme()
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(CommandError::usage(
            "--target must not carry credentials: pass the token with --token-env VAR",
        ));
    }
    if url.query().is_some() {
        return Err(CommandError::usage(
            "--target must be the SCIM base URL without a query string",
        ));
    }
    Ok(Target::Remote {
        base_url: raw.trim_end_matches('/').to_string(),
    })
}

pub fn resolve_token(opts: &ConnectionArgs, target: &Target) -> Result<String, CommandError> {
    if let Target::Embedded { .. } = target {
        return Ok(format!("srt-{}", random_alnum(32))); // a fresh random token per run
    }
    if let Some(var) = opts.token_env.as_deref() {
        return match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
            Ok(_) => Err(CommandError::Usage(format!(
                "environment variable {var} (from --token-env) is empty"
            ))),
            Err(_) => Err(CommandError::Usage(format!(
                "environment variable {var} (from --token-env) is not set"
            ))),
        };
    }
    match opts.token.as_deref() {
        Some(t) if !t.trim().is_empty() => Ok(t.trim().to_string()),
        _ => Err(CommandError::usage(
            "the target needs a token: set --token-env VAR (preferred), SCIM_TOKEN, or --token",
        )),
    }
}

/// Starts the embedded server (profile quirks plus `--quirk`s) or passes the remote URL on.
pub async fn start_target(
    target: &Target,
    profile: &Profile,
    auth: Option<Auth>,
    token: &str,
) -> Result<Started, CommandError> {
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
                ..Default::default()
            };
            match crate::server::start(config).await {
                Ok(server) => Ok((server.base_url().to_string(), Some(server), all)),
                Err(e) => Err(CommandError::usage(e)),
            }
        }
    }
}

/// The two-worker async runtime the commands run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CommandError::Usage(format!("cannot start the async runtime: {e}")))
}

/// A resolved connection: where requests go, the token, the HTTP client, and the runtime that
/// drives them. Everything is validated before any request is sent.
pub struct Connection {
    target: Target,
    auth: Option<Auth>,
    pub token: String,
    pub client: Client,
    runtime: tokio::runtime::Runtime,
}

/// Resolves `--target`/`--quirk`, the token and the client settings; a problem is a usage error.
pub fn connect(args: &ConnectionArgs) -> Result<Connection, CommandError> {
    let target = resolve_target(args)?;
    let token = resolve_token(args, &target)?;
    if let Some(warning) =
        crate::secrets::short_secret_warning(&crate::secrets::Secret::new("token", token.as_str()))
    {
        eprintln!("{warning}");
    }
    let client = Client::new(&ClientConfig {
        timeout: args.timeout,
        insecure: args.insecure,
        ca_cert: args.ca_cert.clone(),
    })
    .map_err(CommandError::usage)?;
    let runtime = runtime()?;
    Ok(Connection {
        target,
        auth: args.auth,
        token,
        client,
        runtime,
    })
}

impl Connection {
    /// Starts the target (the embedded server when there is no `--target`), runs `work` with
    /// the client, token and target description, then stops the embedded server.
    pub fn run<Fut>(
        self,
        profile: &Profile,
        work: impl FnOnce(Client, String, TargetInfo) -> Fut,
    ) -> u8
    where
        Fut: std::future::Future<Output = u8>,
    {
        let Connection {
            target,
            auth,
            token,
            client,
            runtime,
        } = self;
        runtime.block_on(async {
            let (base_url, server, quirks) =
                match start_target(&target, profile, auth, &token).await {
                    Ok(t) => t,
                    Err(e) => return report(e),
                };
            let info = TargetInfo {
                base_url,
                embedded: server.is_some(),
                quirks,
            };
            let code = work(client, token, info).await;
            if let Some(server) = server {
                server.shutdown().await;
            }
            code
        })
    }
}

/// Okta's connection test against the started target, for the commands that do not replay
/// scenarios (`steady`, `load`).
async fn connection_test(
    client: &Client,
    base_url: &str,
    credentials: &Credentials,
    profile: &Profile,
    args: &ConnectionArgs,
) -> Result<(), CommandError> {
    let engine = crate::replay::engine::Engine {
        client: client.clone(),
        base_url: base_url.to_string(),
        credentials: Some(credentials.clone()),
        profile,
        run_id: String::new(),
        strict: false,
        fail_fast: false,
        max_retry_wait: args.max_retry_wait,
        read_settle: args.read_settle,
        snapshots: None,
        new_snapshots_fail: false,
        secrets: vec![crate::secrets::Secret::new(
            "token",
            credentials.token.clone(),
        )],
        jobs: 1,
        controls: Default::default(),
    };
    engine
        .preflight()
        .await
        .map_err(|abort| CommandError::Aborted {
            abort,
            base_url: base_url.to_string(),
        })
}

/// A started target that passed Okta's connection test.
pub struct Tested {
    pub client: Client,
    pub credentials: Credentials,
    pub info: TargetInfo,
}

/// For the commands that do not replay scenarios (`steady`, `load`): starts the target (the
/// embedded server without `--target`), runs Okta's connection test, then `work`; connection
/// problems become their exit codes.
pub fn with_tested_target<F, Fut>(profile: &Profile, args: &ConnectionArgs, work: F) -> u8
where
    F: FnOnce(Tested) -> Fut,
    Fut: std::future::Future<Output = u8>,
{
    let connection = match connect(args) {
        Ok(c) => c,
        Err(e) => return report(e),
    };
    connection.run(profile, |client, token, info| async move {
        let credentials = Credentials {
            auth: args.auth.unwrap_or(profile.auth),
            token,
        };
        if let Err(e) = connection_test(&client, &info.base_url, &credentials, profile, args).await
        {
            return report(e);
        }
        work(Tested {
            client,
            credentials,
            info,
        })
        .await
    })
}
