//! `scimreplay steady`: runs only the steady-state checks (fidelity, idempotency, sync loop)
//! for a profile against a target (the embedded reference server by default, `--quirk`
//! allowed), prints the drift table and optionally writes the JSON report.

use super::run::report_abort;
use super::target::{TargetOptions, resolve_target, resolve_token, runtime, start_target};
use super::{apply_color, usage_error};
use crate::cli::SteadyArgs;
use crate::exit;
use crate::profile::Profile;
use crate::replay::client::{Client, ClientConfig, Credentials};
use crate::replay::engine::Engine;
use crate::replay::render::random_alnum;
use crate::replay::result::TargetInfo;
use crate::steady::http::Session;
use crate::steady::{execute, table};

pub fn steady(args: SteadyArgs) -> u8 {
    apply_color(args.color);
    let profile = match Profile::resolve(&args.profile) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let opts = TargetOptions {
        target: args.target.as_deref(),
        quirks: &args.quirks,
        token_env: args.token_env.as_deref(),
        token: args.token.as_deref(),
    };
    let target = match resolve_target(&opts) {
        Ok(t) => t,
        Err(e) => return usage_error(e),
    };
    let token = match resolve_token(&opts, &target) {
        Ok(t) => t,
        Err(e) => return usage_error(e),
    };
    let client = match Client::new(&ClientConfig {
        timeout: args.timeout,
        insecure: args.insecure,
        ca_cert: args.ca_cert.clone(),
    }) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let rt = match runtime() {
        Ok(r) => r,
        Err(e) => return usage_error(e),
    };
    rt.block_on(async {
        let (base_url, server, quirks) =
            match start_target(&target, &profile, args.auth, &token).await {
                Ok(t) => t,
                Err(code) => return code,
            };
        let info = TargetInfo {
            base_url: base_url.clone(),
            embedded: server.is_some(),
            quirks,
        };
        let code = check(&args, &profile, client, token, info).await;
        if let Some(server) = server {
            server.shutdown().await;
        }
        code
    })
}

async fn check(
    args: &SteadyArgs,
    profile: &Profile,
    client: Client,
    token: String,
    info: TargetInfo,
) -> u8 {
    let credentials = Credentials {
        auth: args.auth.unwrap_or(profile.auth),
        token: token.clone(),
    };
    let secrets = vec![("token".to_string(), token)];
    let preflight = Engine {
        client: client.clone(),
        base_url: info.base_url.clone(),
        credentials: Some(credentials.clone()),
        profile,
        run_id: String::new(),
        strict: false,
        fail_fast: false,
        max_retry_wait: args.max_retry_wait,
        read_settle: args.read_settle,
        snapshots: None,
        secrets: secrets.clone(),
        steady_state: None,
    };
    if let Err(abort) = preflight.preflight().await {
        return report_abort(&abort, &info.base_url);
    }
    let mut session = Session {
        client,
        base_url: info.base_url.clone(),
        credentials: Some(credentials),
        max_retry_wait: args.max_retry_wait,
        read_settle: args.read_settle,
        exchanges: Vec::new(),
        fatal: None,
    };
    let outcome = execute(&mut session, profile, &random_alnum(8), args.cycles).await;
    print!("{}", table::render(&outcome, &info));
    if let Some(path) = &args.report_json {
        let doc = table::json_report(&outcome, &info);
        let mut all = secrets.clone();
        all.extend(outcome.secrets.iter().cloned());
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
        if let Err(e) = crate::fsutil::write_atomic(path, text.as_bytes(), &all) {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    }
    if let Some(f) = &session.fatal {
        eprintln!("error: {f}\n  target: {}", info.base_url);
        return exit::TARGET;
    }
    if table::passed(&outcome) {
        exit::SUCCESS
    } else {
        exit::FAILURES
    }
}
