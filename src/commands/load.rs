//! `scimreplay load`: resolves the target and profile, runs Okta's connection test, then the
//! timed mass push (`crate::load`), prints its table and maps the verdict to an exit code.

use super::target::{connect, connection_test};
use super::usage_error;
use crate::cli::LoadArgs;
use crate::exit;
use crate::load::{LoadOptions, LoadTarget, execute, json_report, render};
use crate::profile::Profile;
use crate::replay::client::{Client, Credentials};
use crate::replay::render::random_alnum;
use crate::replay::result::TargetInfo;

pub fn load(args: LoadArgs) -> u8 {
    let profile = match Profile::resolve(&args.profile) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let connection = match connect(&args.connection) {
        Ok(c) => c,
        Err(code) => return code,
    };
    connection.run(&profile, |client, token, info| {
        push(&args, &profile, client, token, info)
    })
}

async fn push(
    args: &LoadArgs,
    profile: &Profile,
    client: Client,
    token: String,
    info: TargetInfo,
) -> u8 {
    let credentials = Credentials {
        auth: args.connection.auth.unwrap_or(profile.auth),
        token: token.clone(),
    };
    if let Err(code) = connection_test(
        &client,
        &info.base_url,
        &credentials,
        profile,
        &args.connection,
    )
    .await
    {
        return code;
    }
    let opts = LoadOptions {
        users: args.users as usize,
        concurrency: args.concurrency as usize,
    };
    let target = LoadTarget {
        client,
        base_url: info.base_url.clone(),
        credentials: Some(credentials),
        max_retry_wait: args.connection.max_retry_wait,
    };
    let outcome = execute(target, profile, &random_alnum(8), opts).await;
    super::write_stdout(&render(&outcome, &info, &profile.name, opts));
    if let Some(path) = &args.report_json {
        let doc = json_report(&outcome, &info, &profile.name, opts);
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
        let secrets = [("token".to_string(), token)];
        if let Err(e) = crate::fsutil::write_atomic(path, text.as_bytes(), &secrets) {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    }
    if outcome.fatal.is_some() {
        exit::TARGET
    } else if outcome.passed() {
        exit::SUCCESS
    } else {
        exit::FAILURES
    }
}
