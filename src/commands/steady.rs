//! `scimreplay steady`: runs only the steady-state checks (fidelity, idempotency, sync loop)
//! for a profile against a target (the embedded reference server by default, `--quirk`
//! allowed), prints the drift table and optionally writes the JSON report.

use super::target::{Tested, with_tested_target};
use super::{apply_color, usage_error};
use crate::cli::SteadyArgs;
use crate::exit;
use crate::profile::Profile;
use crate::replay::controls::Stop;
use crate::replay::render::random_alnum;
use crate::steady::http::Session;
use crate::steady::report::checks;
use crate::steady::{execute, json, table};

pub fn steady(args: SteadyArgs) -> u8 {
    apply_color(args.color);
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
        check(&args, &profile, tested)
    })
}

async fn check(args: &SteadyArgs, profile: &Profile, tested: Tested) -> u8 {
    let Tested {
        client,
        credentials,
        info,
    } = tested;
    let secrets = vec![crate::secrets::Secret::new(
        "token",
        credentials.token.clone(),
    )];
    let stop = Stop::with_deadline(None);
    let mut session = Session {
        client,
        base_url: info.base_url.clone(),
        credentials: Some(credentials),
        max_retry_wait: args.connection.max_retry_wait,
        read_settle: args.connection.read_settle,
        exchanges: Vec::new(),
        fatal: None,
        halt: stop.clone().into(),
    };
    let watcher = super::signals::watch(stop.clone());
    let outcome = execute(&mut session, profile, &random_alnum(8), args.cycles).await;
    drop(watcher);
    print!("{}", table::render(&outcome, &info));
    if let Some(path) = &args.report_json {
        let doc = json::report(&outcome, &info, args.strict);
        let mut all = secrets.clone();
        all.extend(outcome.secrets.iter().cloned());
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
        if let Err(e) = crate::fsutil::write_atomic(path, text.as_bytes(), &all) {
            return usage_error(e);
        }
    }
    if let Some(f) = &session.fatal {
        eprintln!("error: {f}\n  target: {}", info.base_url);
        return exit::TARGET;
    }
    let code = if checks(&outcome).passed(args.strict) {
        exit::SUCCESS
    } else {
        exit::FAILURES
    };
    super::signals::exit_code(&stop, code)
}
