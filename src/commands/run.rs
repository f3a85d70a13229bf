//! `scimreplay run`: resolves arguments into a validated run (profile, scenarios, target,
//! credentials, snapshot store, reporters), starts the embedded server when no target is
//! given, replays, and maps the outcome to an exit code.

use super::catalog::{dialects, load_all};
use super::target::connect;
use super::{apply_color, usage_error};
use crate::cli::RunArgs;
use crate::exit;
use crate::profile::Profile;
use crate::replay::client::{Client, Credentials, TransportFailure};
use crate::replay::controls::{Controls, Stop, StopReason};
use crate::replay::engine::{Engine, RunAbort, SnapshotJudge, SnapshotRequest};
use crate::replay::render::random_alnum;
use crate::replay::result::{RunReport, TargetInfo};
use crate::report::{
    EvidenceReporter, Fanout, HumanOptions, HumanReporter, JsonReporter, JunitReporter,
};
use crate::scenario::select::{Filters, instances};
use crate::snapshot::{SnapshotKey, SnapshotStore};

pub fn run(args: RunArgs) -> u8 {
    apply_color(args.color);
    let profile = match Profile::resolve(&args.select.profile) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let scenarios = match load_all(&args.select.paths) {
        Ok(s) => s,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}\n");
            }
            return exit::USAGE;
        }
    };
    let filters = match Filters::new(&args.select.scenarios, &args.select.tags) {
        Ok(f) => f.with_partition(args.select.partition),
        Err(e) => return usage_error(e),
    };
    let (dialects, explicit) = dialects(&args.select, &profile);
    let selected = instances(&scenarios, &filters, &profile, &dialects, explicit);
    if selected.is_empty() {
        eprintln!("nothing selected: no scenario matches the filters (see `scimreplay list`)");
        return exit::NOTHING_SELECTED;
    }
    let connection = match connect(&args.connection) {
        Ok(c) => c,
        Err(code) => return code,
    };
    connection.run(&profile, |client, token, info| async {
        let base_url = info.base_url.clone();
        replay(&args, &profile, client, &base_url, token, &selected, info).await
    })
}

fn baseline(args: &RunArgs, info: &TargetInfo) -> String {
    if let Some(b) = &args.baseline {
        return b.clone();
    }
    if info.embedded {
        return "reference".into();
    }
    let host = reqwest::Url::parse(&info.base_url).ok().and_then(|u| {
        u.host_str().map(|h| match u.port() {
            Some(p) => format!("{h}-{p}"),
            None => h.to_string(),
        })
    });
    host.unwrap_or_else(|| "target".into()).replace(
        |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '.',
        "_",
    )
}

/// Snapshots are compared unless switched off. A quirky embedded server is not the reference
/// server its committed snapshots describe: its runs are judged by the checks alone, unless a
/// `--baseline` of its own is named.
fn compares_snapshots(args: &RunArgs) -> bool {
    !args.no_snapshots && (args.connection.quirks.is_empty() || args.baseline.is_some())
}

/// The steady-state pass runs unless skipped, and in the first shard only when partitioned.
fn runs_steady_state(args: &RunArgs) -> bool {
    !args.no_steady_state && args.select.partition.is_none_or(|p| p.runs_steady_state())
}

fn ci_env() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

async fn replay(
    args: &RunArgs,
    profile: &Profile,
    client: Client,
    base_url: &str,
    token: String,
    selected: &[crate::replay::engine::Instance<'_>],
    info: TargetInfo,
) -> u8 {
    let secrets = vec![("token".to_string(), token.clone())];
    let auth = args.connection.auth.unwrap_or(profile.auth);
    let store = SnapshotStore::new(
        args.snapshots.clone(),
        &baseline(args, &info),
        args.update,
        args.ci || ci_env(),
        &info.base_url,
    );
    let profile_name = profile.name.clone();
    let new_snapshots_fail = store.has_baseline(&profile.name);
    let judge = move |req: &SnapshotRequest| -> Result<crate::snapshot::SnapshotOutcome, String> {
        let ctx = crate::normalize::NormalizeContext {
            base_url: req.base_url,
            ids: req.ids,
            run_values: req.run_values,
            secrets: req.secrets,
        };
        let normalized = crate::normalize::normalize_response(req.response, &ctx);
        let source = req.scenario.display_path();
        let key = SnapshotKey {
            scenario: &req.scenario.def.name,
            source: &source,
            profile: &profile_name,
            dialect: req.dialect,
            index: req.index,
            step: req.step,
            request_line: req.request_line,
        };
        store
            .compare(&key, &normalized.document, req.secrets)
            .map_err(|e| e.to_string())
    };
    let judge_ref: &SnapshotJudge = &judge;
    let engine = Engine {
        client,
        base_url: base_url.to_string(),
        credentials: Some(Credentials { auth, token }),
        profile,
        run_id: random_alnum(8),
        strict: args.strict,
        fail_fast: args.fail_fast,
        max_retry_wait: args.connection.max_retry_wait,
        read_settle: args.connection.read_settle,
        snapshots: compares_snapshots(args).then_some(judge_ref),
        new_snapshots_fail,
        secrets: secrets.clone(),
        steady_state: runs_steady_state(args).then_some(args.cycles),
        jobs: args.jobs as usize,
        controls: Controls {
            settle: Default::default(),
            stop: Stop::with_deadline(args.deadline),
            keep_going: args.keep_going,
        },
    };
    let stop = engine.controls.stop.clone();
    let signals = tokio::spawn(watch_signals(stop.clone()));
    let code = replay_checked(args, profile, &engine, base_url, selected, info, &secrets).await;
    signals.abort();
    code
}

/// The connection test, then the scenarios, reported to every enabled reporter.
async fn replay_checked(
    args: &RunArgs,
    profile: &Profile,
    engine: &Engine<'_>,
    base_url: &str,
    selected: &[crate::replay::engine::Instance<'_>],
    info: TargetInfo,
    secrets: &[(String, String)],
) -> u8 {
    if let Err(abort) = engine.preflight().await {
        return report_abort(&abort, base_url);
    }
    let mut fanout = Fanout::new();
    fanout.push(
        HumanReporter::new(
            std::io::stdout(),
            HumanOptions {
                verbose: args.verbose,
                strict: args.strict,
                base_url: base_url.to_string(),
                ci: args.ci || ci_env(),
            },
        )
        .with_progress(),
    );
    if let Some(path) = &args.report_json {
        fanout.push(JsonReporter::new(path.clone(), secrets.to_vec()));
    }
    if let Some(path) = &args.report_junit {
        fanout.push(JunitReporter::new(path.clone(), secrets.to_vec()));
    }
    if let Some(dir) = &args.evidence {
        fanout.push(EvidenceReporter::new(
            dir.clone(),
            profile.description.clone(),
            secrets.to_vec(),
        ));
    }
    match engine.run(selected, info, &mut fanout).await {
        Ok(report) => outcome_code(&report, engine.controls.stop.reason()),
        Err(abort) => report_abort(&abort, base_url),
    }
}

/// Ctrl-C and SIGTERM: the first asks the run to stop (no new step, clean-up, reports); a
/// second exits at once.
async fn watch_signals(stop: std::sync::Arc<Stop>) {
    loop {
        let reason = next_signal().await;
        if stop.request(reason) {
            eprintln!(
                "{}: stopping after the steps in flight, cleaning up what the run created and writing the reports (signal again to exit at once)",
                reason.describe()
            );
        } else {
            std::process::exit(i32::from(reason.exit_code()));
        }
    }
}

#[cfg(unix)]
async fn next_signal() -> StopReason {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => StopReason::Interrupt,
        _ = term.recv() => StopReason::Terminate,
    }
}

#[cfg(not(unix))]
async fn next_signal() -> StopReason {
    match tokio::signal::ctrl_c().await {
        Ok(()) => StopReason::Interrupt,
        Err(_) => std::future::pending().await,
    }
}

fn outcome_code(report: &RunReport, stopped: Option<StopReason>) -> u8 {
    if let Some(reason) = stopped {
        eprintln!(
            "error: the run stopped early: {}; the report covers what ran",
            reason.describe()
        );
        return reason.exit_code();
    }
    if report.summary.failed > 0 || report.summary.snapshot_differences > 0 {
        exit::FAILURES
    } else {
        exit::SUCCESS
    }
}

pub(super) fn report_abort(abort: &RunAbort, base_url: &str) -> u8 {
    match abort {
        RunAbort::Target(f) => {
            let hint = match f {
                TransportFailure::Timeout(_) => {
                    "the server accepted the connection but did not answer Okta's connection test within --timeout (Okta waits 60 s); check its logs or raise --timeout"
                }
                _ => {
                    "check the URL, that the server is running, and TLS settings (--ca-cert, --insecure)"
                }
            };
            eprintln!("error: {f}\n  target: {base_url}\n  hint: {hint}");
            exit::TARGET
        }
        RunAbort::AuthRejected(m) => {
            eprintln!("error: authentication rejected by {base_url}: {m}");
            exit::TARGET
        }
        RunAbort::ConnectionTest(paragraph) => {
            eprintln!("error: {paragraph}\n  target: {base_url}");
            exit::TARGET
        }
        RunAbort::BadToken(m) => {
            eprintln!("error: {m}");
            exit::USAGE
        }
        RunAbort::Report(crate::report::ReportError::Output(e))
            if e.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            exit::SUCCESS
        }
        RunAbort::Report(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
}
