//! `scimreplay run`: resolves arguments into a validated run (profile, scenarios, target,
//! credentials, snapshot store, reporters), starts the embedded server when no target is
//! given, replays, and maps the outcome to an exit code.

use super::catalog::{dialects, load_all, selection, unknown_names};
use super::error::{CommandError, report};
use super::target::connect;
use super::{apply_color, check_outputs};
use crate::cli::RunArgs;
use crate::exit;
use crate::profile::Profile;
use crate::replay::client::{Client, Credentials};
use crate::replay::controls::{Controls, Stop, StopReason};
use crate::replay::engine::{Engine, RunAbort, SnapshotJudge, SnapshotRequest};
use crate::replay::render::random_alnum;
use crate::replay::result::{RunReport, TargetInfo};
use crate::report::{
    EvidenceReporter, Fanout, HtmlReporter, HumanOptions, HumanReporter, JsonReporter,
    JunitReporter,
};
use crate::scenario::rerun::{LastRunRecorder, read_failed};
use crate::scenario::select::instances;
use crate::secrets::Secret;
use crate::snapshot::{SnapshotKey, SnapshotStore};

pub fn run(args: RunArgs) -> u8 {
    run_checked(args).unwrap_or_else(report)
}

/// Resolves and vets everything before the first request; `Err` is a problem found on the way.
fn run_checked(args: RunArgs) -> Result<u8, CommandError> {
    apply_color(args.color);
    let profile = Profile::resolve(&args.select.profile)?;
    let (paths, mut filters) = selection(&args.select)?;
    let mut steady_failed = false;
    let mut dialect_args = args.select.clone();
    if let Some(report) = &args.rerun_failed {
        let failed = read_failed(report)?;
        if failed.instances.is_empty() && !failed.steady_state {
            return Err(CommandError::NothingSelected(format!(
                "nothing to rerun: no scenario failed in {}",
                report.display()
            )));
        }
        steady_failed = failed.steady_state;
        if dialect_args.dialect.is_none() {
            // replay each failed instance in the dialect it failed in
            dialect_args.dialect = Some(crate::cli::DialectChoice::Both);
        }
        filters = filters.only(failed.instances);
    }
    let scenarios = load_all(&paths).map_err(CommandError::InvalidScenarios)?;
    unknown_names(&args.select, &scenarios)?;
    let (dialects, explicit) = dialects(&dialect_args, &profile);
    let selected = instances(&scenarios, &filters, &profile, &dialects, explicit);
    let steady = runs_steady_state(&args, filters.narrows(), steady_failed);
    if selected.is_empty() && !steady {
        return Err(CommandError::NothingSelected(
            "nothing selected: no scenario matches the filters (see `scimreplay list`)".into(),
        ));
    }
    check_outputs(&report_outputs(&args))?;
    let connection = connect(&args.connection)?;
    Ok(connection.run(&profile, |client, token, info| async {
        let base_url = info.base_url.clone();
        let plan = Plan {
            selected: &selected,
            steady,
        };
        replay(&args, &profile, client, &base_url, token, plan, info).await
    }))
}

/// Every file the reporters will write, with the option that names it.
fn report_outputs(args: &RunArgs) -> Vec<(&'static str, std::path::PathBuf)> {
    let mut outputs = Vec::new();
    if let Some(path) = &args.report_json {
        outputs.push(("--report-json", path.clone()));
    }
    if let Some(path) = &args.report_junit {
        outputs.push(("--report-junit", path.clone()));
    }
    if let Some(path) = &args.report_html {
        outputs.push(("--report-html", path.clone()));
    }
    if let Some(dir) = &args.evidence {
        outputs.push((
            "--evidence",
            dir.join(crate::report::evidence::MARKDOWN_FILE),
        ));
        outputs.push(("--evidence", dir.join(crate::report::evidence::JSON_FILE)));
        outputs.push(("--evidence", dir.join(crate::report::evidence::HTML_FILE)));
    }
    outputs
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
/// A selection narrowed by names, tags or `--rerun-failed` leaves it out unless
/// `--steady-state` asks for it (or it is itself among the failures rerun).
fn runs_steady_state(args: &RunArgs, narrowed: bool, steady_failed: bool) -> bool {
    let wanted = args.steady_state || steady_failed || !narrowed;
    wanted && !args.no_steady_state && args.select.partition.is_none_or(|p| p.runs_steady_state())
}

/// What a run replays: the scenario instances and whether the steady-state pass follows.
struct Plan<'p, 'a> {
    selected: &'p [crate::replay::engine::Instance<'a>],
    steady: bool,
}

async fn replay(
    args: &RunArgs,
    profile: &Profile,
    client: Client,
    base_url: &str,
    token: String,
    plan: Plan<'_, '_>,
    info: TargetInfo,
) -> u8 {
    let secrets = vec![Secret::new("token", token.clone())];
    let auth = args.connection.auth.unwrap_or(profile.auth);
    let store = SnapshotStore::new(
        args.snapshots.clone(),
        &baseline(args, &info),
        args.update,
        args.ci || crate::snapshot::ci_from_env(),
        &info.base_url,
    );
    let profile_name = profile.name.clone();
    // A new snapshot fails its step only where the baseline covers the scenario instance
    // (`SnapshotOutcome::New::expected`): partial baselines and users' own scenarios do not.
    let new_snapshots_fail = true;
    let kept = store.clone();
    // A committed snapshot that cannot be parsed is a broken input (exit 2), not a difference.
    let corrupt_snapshot: std::sync::Mutex<Option<String>> = Default::default();
    let corrupt = &corrupt_snapshot;
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
            .map_err(|e| {
                if matches!(e, crate::snapshot::SnapshotError::Corrupt { .. }) {
                    let mut first = corrupt.lock().unwrap_or_else(|p| p.into_inner());
                    first.get_or_insert_with(|| e.to_string());
                }
                e.to_string()
            })
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
        jobs: args.jobs as usize,
        controls: Controls {
            settle: Default::default(),
            stop: Stop::with_deadline(args.deadline),
            keep_going: args.keep_going,
        },
    };
    let stop = engine.controls.stop.clone();
    let watcher = super::signals::watch(stop.clone());
    let code = replay_checked(args, profile, &engine, base_url, plan, info, &kept).await;
    drop(watcher);
    let corrupt = corrupt_snapshot
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    match corrupt {
        Some(e) if code != exit::TARGET => {
            eprintln!(
                "error: {e}\n  hint: restore it from version control, or delete it and re-record it with --update always"
            );
            exit::USAGE
        }
        _ => code,
    }
}

/// The connection test, then the scenarios and the steady-state pass, reported to every
/// enabled reporter.
async fn replay_checked(
    args: &RunArgs,
    profile: &Profile,
    engine: &Engine<'_>,
    base_url: &str,
    plan: Plan<'_, '_>,
    info: TargetInfo,
    kept: &SnapshotStore,
) -> u8 {
    let secrets = &engine.secrets;
    if let Err(abort) = engine.preflight().await {
        return aborted(abort, base_url);
    }
    let mut fanout = Fanout::new();
    fanout.push(
        HumanReporter::new(
            std::io::stdout(),
            HumanOptions {
                verbose: args.verbose,
                strict: args.strict,
                base_url: base_url.to_string(),
                ci: args.ci || crate::snapshot::ci_from_env(),
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
    if let Some(path) = &args.report_html {
        fanout.push(HtmlReporter::new(
            path.clone(),
            profile.description.clone(),
            secrets.clone(),
        ));
    }
    if let Some(dir) = &args.evidence {
        fanout.push(EvidenceReporter::new(
            dir.clone(),
            profile.description.clone(),
            secrets.to_vec(),
        ));
    }
    fanout.push(LastRunRecorder::new());
    let steady = plan.steady.then_some(args.cycles);
    match super::compose::run_all(engine, plan.selected, steady, info, &mut fanout).await {
        Ok(report) => {
            if compares_snapshots(args) {
                finish_snapshots(kept, &report, &profile.name, args.strict);
            }
            outcome_code(&report, engine.controls.stop.reason())
        }
        Err(abort) => aborted(abort, base_url),
    }
}

fn aborted(abort: RunAbort, base_url: &str) -> u8 {
    report(CommandError::Aborted {
        abort,
        base_url: base_url.to_string(),
    })
}

/// After the run: pending files of failed steps are marked (so `accept` leaves them alone),
/// and committed snapshots that no step of a fully run scenario produced any more are listed.
fn finish_snapshots(store: &SnapshotStore, report: &RunReport, profile: &str, strict: bool) {
    for step in report.scenarios.iter().flat_map(|s| &s.steps) {
        let pending = step.snapshot.as_ref().and_then(|s| s.pending_file());
        // a step failing only on its snapshot is what review and accept are for
        let why =
            crate::report::first_failure(step, strict).filter(|w| !w.starts_with("[snapshot]"));
        if let (Some(file), Some(why)) = (pending, why)
            && let Err(e) = crate::snapshot::mark_failing(std::path::Path::new(&file.path), &why)
        {
            eprintln!("warning: {e}");
        }
    }
    let complete: Vec<(&str, &str, crate::scenario::Dialect)> = report
        .scenarios
        .iter()
        .filter(|s| {
            use crate::replay::result::Status::Skipped;
            s.status != Skipped
                && !s.steps.is_empty()
                && s.steps.iter().all(|st| st.status != Skipped)
        })
        .map(|s| (s.name.as_str(), profile, s.dialect))
        .collect();
    let orphans = store.orphans(&complete);
    if !orphans.is_empty() {
        eprintln!(
            "warning: {} orphaned snapshot{} (no step produces {} any more: a step was renamed, inserted or removed); delete {} or re-record the baseline:",
            orphans.len(),
            if orphans.len() == 1 { "" } else { "s" },
            if orphans.len() == 1 { "it" } else { "them" },
            if orphans.len() == 1 { "it" } else { "them" },
        );
        for path in orphans {
            eprintln!("    {}", path.display());
        }
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
    let summary = &report.summary;
    if summary.failed > 0 || summary.snapshot_differences > 0 {
        exit::FAILURES
    } else if summary.passed == 0 && summary.skipped > 0 {
        eprintln!(
            "nothing ran: every selected scenario was skipped (reasons above); see `scimreplay list` and the profile's features"
        );
        exit::NOTHING_SELECTED
    } else {
        exit::SUCCESS
    }
}
