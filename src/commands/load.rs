//! `scimreplay load`: resolves the target and profile, runs Okta's connection test, then the
//! timed mass push (`crate::load`), prints its table and maps the verdict to an exit code.

use super::target::{Tested, with_tested_target};
use super::usage_error;
use crate::cli::LoadArgs;
use crate::exit;
use crate::load::{LoadOptions, LoadTarget, execute, json_report, render};
use crate::profile::Profile;
use crate::replay::controls::Stop;
use crate::replay::render::random_alnum;

pub fn load(args: LoadArgs) -> u8 {
    let profile = match Profile::resolve(&args.profile) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    if let Some(path) = &args.report_json
        && let Err(e) = super::check_outputs(&[("--report-json", path.clone())])
    {
        return usage_error(e);
    }
    with_tested_target(&profile, &args.connection, |tested| {
        push(&args, &profile, tested)
    })
}

async fn push(args: &LoadArgs, profile: &Profile, tested: Tested) -> u8 {
    let Tested {
        client,
        credentials,
        info,
    } = tested;
    let token = credentials.token.clone();
    let stop = Stop::with_deadline(None);
    let opts = LoadOptions {
        users: args.users as usize,
        concurrency: args.concurrency as usize,
    };
    let target = LoadTarget {
        client,
        base_url: info.base_url.clone(),
        credentials: Some(credentials),
        max_retry_wait: args.connection.max_retry_wait,
        stop: stop.clone(),
    };
    let watcher = super::signals::watch(stop.clone());
    let outcome = execute(target, profile, &random_alnum(8), opts).await;
    drop(watcher);
    super::write_stdout(&render(&outcome, &info, &profile.name, opts));
    if let Some(path) = &args.report_json {
        let doc = json_report(&outcome, &info, &profile.name, opts);
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
        let secrets = [crate::secrets::Secret::new("token", token)];
        if let Err(e) = crate::fsutil::write_atomic(path, text.as_bytes(), &secrets) {
            return usage_error(e);
        }
    }
    let code = if outcome.fatal.is_some() {
        exit::TARGET
    } else if outcome.passed() {
        exit::SUCCESS
    } else {
        exit::FAILURES
    };
    super::signals::exit_code(&stop, code)
}
