//! The replay engine: replays selected scenario instances in order (steps, then teardown),
//! feeds every result to the reporters as events, and builds the run's result tree. It runs
//! scenarios only: `commands::run` composes a run (its start and finish events, the scenarios,
//! the steady-state pass). It never prints.

use super::client::{Client, Credentials, TransportFailure};
use super::controls::{Controls, SettleObservation, StopReason};
use super::exchange::{Exchange, RecordedResponse};
use super::instance::InstanceState;
use super::render::{RenderContext, scenario_vars};
use super::result::{Event, RunReport, ScenarioReport, Status, StepReport, Summary, TargetInfo};
use super::step::{StepRun, StepSettings, run_step};
use crate::check::Severity;
use crate::profile::Profile;
use crate::report::{ReportError, Reporter};
use crate::scenario::template::Vars;
use crate::scenario::{Dialect, Scenario, Step};
use crate::secrets::{Secret, scrub as scrub_secrets};
use crate::snapshot::SnapshotOutcome;
use std::time::{Duration, Instant};

/// A scenario under one dialect, selected to run or skipped with a reason.
#[derive(Debug, Clone)]
pub struct Instance<'a> {
    pub scenario: &'a Scenario,
    pub dialect: Dialect,
    pub skip: Option<String>,
}

/// What the snapshot judge is asked to compare.
pub struct SnapshotRequest<'a> {
    /// The target's base URL (replaced by a placeholder).
    pub base_url: &'a str,
    pub scenario: &'a Scenario,
    pub dialect: Dialect,
    pub index: usize,
    pub step: &'a str,
    pub request_line: &'a str,
    pub response: &'a RecordedResponse,
    /// (server id value, capture name), in the order first captured.
    pub ids: &'a [(String, String)],
    /// (per-run value, variable name) replaced wherever they occur.
    pub run_values: &'a [(String, String)],
    pub secrets: &'a [Secret],
}

/// Compares a step's response with its snapshot; `Err` is a snapshot file problem.
pub type SnapshotJudge<'a> = dyn Fn(&SnapshotRequest) -> Result<SnapshotOutcome, String> + 'a;

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RunAbort {
    #[error("{0}")]
    Target(TransportFailure),
    #[error("authentication rejected: {0}")]
    AuthRejected(String),
    /// Okta's connection test got an answer Okta would stop at (404, HTML, a dropped
    /// connection...): one paragraph saying what came back and what to check.
    #[error("{0}")]
    ConnectionTest(String),
    /// The token cannot be sent as an HTTP header value (a usage error).
    #[error("{0}")]
    BadToken(String),
    #[error(transparent)]
    Report(#[from] ReportError),
}

/// Run-wide settings.
pub struct Engine<'a> {
    pub client: Client,
    pub base_url: String,
    pub credentials: Option<Credentials>,
    pub profile: &'a Profile,
    pub run_id: String,
    pub strict: bool,
    pub fail_fast: bool,
    pub max_retry_wait: Duration,
    pub read_settle: Duration,
    pub snapshots: Option<&'a SnapshotJudge<'a>>,
    /// Whether a step with no committed snapshot fails (a baseline exists for this target and
    /// profile); on a first run new snapshots are only recorded.
    pub new_snapshots_fail: bool,
    /// Extra secrets (the token) scrubbed from every record.
    pub secrets: Vec<Secret>,
    /// Scenario instances in flight at once (`--jobs`); 1 replays them one after another.
    pub jobs: usize,
    /// The adaptive read-settle, the stop request and `--keep-going`.
    pub controls: Controls,
}

/// The scenario instances of a run, replayed.
pub struct Replayed {
    /// One report per instance, in the given order (skipped ones included).
    pub scenarios: Vec<ScenarioReport>,
    /// `--fail-fast` stopped the run after a failure: what would follow is not run.
    pub fail_fast_stopped: bool,
}

impl Engine<'_> {
    /// Replays every instance (one after another, or `jobs` at a time), emitting each
    /// instance's events. Run-level events and any other pass are the caller's
    /// (`commands::run` composes the scenario run and the steady-state pass).
    pub async fn replay(
        &self,
        instances: &[Instance<'_>],
        reporter: &mut dyn Reporter,
    ) -> Result<Replayed, RunAbort> {
        let (scenarios, fail_fast_stopped) = if self.jobs > 1 {
            self.run_concurrently(instances, reporter).await?
        } else {
            self.run_in_order(instances, reporter).await?
        };
        Ok(Replayed {
            scenarios,
            fail_fast_stopped,
        })
    }

    /// The run's result tree over every scenario report (steady-state pass included):
    /// summary, ranked problems, and why the run stopped early, if it did.
    pub fn report(
        &self,
        started: Instant,
        started_at: String,
        target: TargetInfo,
        scenarios: Vec<ScenarioReport>,
    ) -> RunReport {
        RunReport {
            report_format: crate::report::json::REPORT_FORMAT,
            problems: crate::report::problems::rank(&scenarios, self.strict),
            interrupted: self.stopped().map(|r| r.describe().to_string()),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at,
            duration: started.elapsed(),
            target,
            profile: self.profile.name.clone(),
            strict: self.strict,
            summary: summarize(&scenarios, self.strict),
            scenarios,
        }
    }

    /// Replays the instances one after another, reporting each step as it finishes. Returns
    /// the reports and whether `--fail-fast` stopped the run.
    async fn run_in_order(
        &self,
        instances: &[Instance<'_>],
        reporter: &mut dyn Reporter,
    ) -> Result<(Vec<ScenarioReport>, bool), RunAbort> {
        let mut scenarios = Vec::new();
        let mut stop = false;
        for inst in instances {
            let report = match (&inst.skip, stop) {
                (Some(reason), _) => skipped(inst, reason.clone()),
                (None, _) if self.stopped().is_some() => self.not_run(inst),
                (None, true) => skipped(
                    inst,
                    "not run: --fail-fast stopped the run after a failure".into(),
                ),
                (None, false) => {
                    reporter.handle(&Event::ScenarioStarted {
                        name: &inst.scenario.def.name,
                        dialect: inst.dialect,
                    })?;
                    // Each instance names what it creates with its own id, so nothing an
                    // earlier instance left behind (a soft-deleted or reserved userName) can
                    // collide with it.
                    let run_id = super::render::random_alnum(self.run_id.len().max(8));
                    let (report, fatal) = self.run_instance(inst, &run_id, reporter).await?;
                    if let Some(f) = fatal {
                        reporter.handle(&Event::ScenarioFinished { scenario: &report })?;
                        return Err(RunAbort::Target(f));
                    }
                    stop = self.fail_fast && report.status == Status::Failed;
                    report
                }
            };
            reporter.handle(&Event::ScenarioFinished { scenario: &report })?;
            scenarios.push(report);
        }
        Ok((scenarios, stop))
    }

    /// Replays one scenario instance; `run_id` makes its names unique (the run's id, or one
    /// per instance when instances run concurrently).
    pub(super) async fn run_instance(
        &self,
        inst: &Instance<'_>,
        run_id: &str,
        reporter: &mut dyn Reporter,
    ) -> Result<(ScenarioReport, Option<TransportFailure>), RunAbort> {
        let started = Instant::now();
        let scenario = inst.scenario;
        let mut state = InstanceState::default();
        let mut vars = match scenario_vars(scenario, self.profile, run_id) {
            Ok(v) => v,
            Err(e) => return Ok((failed_setup(inst, e.to_string(), started.elapsed()), None)),
        };
        state.run_values.push((run_id.to_string(), "run_id".into()));
        state
            .run_values
            .push((run_id.to_uppercase(), "run_id|upper".into()));
        for user in scenario.def.users.keys() {
            let key = format!("{user}.external_id");
            if let Some(v) = vars.get(&key) {
                state
                    .run_values
                    .push((super::super::scenario::template::as_text(&v.value), key));
            }
        }
        let steps = scenario.def.steps.iter().map(|s| (s, false));
        let teardown = scenario.def.teardown.iter().map(|s| (s, true));
        let mut reports: Vec<StepReport> = Vec::new();
        let mut fatal = None;
        for (index, (step, is_teardown)) in steps.chain(teardown).enumerate() {
            let halted = self.stopped().is_some();
            if step.dialect.is_some_and(|d| d != inst.dialect)
                || ((fatal.is_some() || halted) && !is_teardown)
            {
                continue;
            }
            let unmet = super::needs::unmet(step, &reports);
            let mut report = if let Some(reason) = self.feature_gap(step) {
                skipped_step(index + 1, step, is_teardown, reason)
            } else if let Some((reason, _)) = &unmet {
                skipped_step(index + 1, step, is_teardown, reason.clone())
            } else {
                let run = self.run_one(inst, index + 1, step, is_teardown, &mut vars, &mut state);
                match self.controls.stop.teardown_left() {
                    // Once stopped, clean-up gets a bounded time, then is abandoned.
                    Some(left) => match tokio::time::timeout(left, run).await {
                        Ok((report, f)) => {
                            fatal = fatal.or(f);
                            report
                        }
                        Err(_) => break,
                    },
                    None => {
                        let (report, f) = run.await;
                        fatal = fatal.or(f);
                        report
                    }
                }
            };
            report.consequence_of = match unmet {
                Some((_, root)) => root,
                // A probe with another credential (a wrong-token 401 probe) judges the server's
                // authentication, never what an earlier write left behind.
                None if step.request.auth != crate::scenario::model::StepAuth::Default => None,
                None => crate::report::problems::consequence_of(&reports, &report),
            };
            reporter.handle(&Event::StepFinished {
                scenario: &scenario.def.name,
                dialect: inst.dialect,
                step: &report,
            })?;
            reports.push(report);
            if fatal.is_some() {
                break;
            }
        }
        // The sweep completes a teardown: a scenario without one cleans nothing up.
        if fatal.is_none()
            && !scenario.def.teardown.is_empty()
            && let Some(report) = self.sweep_leftovers(reports.len() + 1, &state, &vars).await
        {
            reporter.handle(&Event::StepFinished {
                scenario: &scenario.def.name,
                dialect: inst.dialect,
                step: &report,
            })?;
            reports.push(report);
        }
        let status = if reports.iter().any(|r| r.status == Status::Failed) {
            Status::Failed
        } else {
            Status::Passed
        };
        let report = ScenarioReport {
            name: scenario.def.name.clone(),
            file: scenario.display_path(),
            dialect: inst.dialect,
            status,
            skip_reason: None,
            duration: started.elapsed(),
            steps: reports,
        };
        Ok((report, fatal))
    }

    /// Harness clean-up after the teardown: deletes what the instance's POSTs created and no
    /// DELETE removed (see `cleanup`). `None` when there was nothing left.
    async fn sweep_leftovers(
        &self,
        index: usize,
        state: &InstanceState,
        vars: &Vars,
    ) -> Option<StepReport> {
        let started = Instant::now();
        let settings =
            StepSettings::without_settle(&self.client, &self.base_url, self.max_retry_wait);
        let sweep = super::cleanup::Sweep {
            settings: &settings,
            credentials: self.credentials.as_ref(),
        };
        let mut exchanges = sweep.run(&state.created, &state.deleted).await;
        let first = exchanges.first()?.request_line(&self.base_url);
        let secrets = self.all_secrets(vars);
        for ex in &mut exchanges {
            ex.scrub(&secrets);
        }
        Some(StepReport {
            index,
            name: "delete-leftovers".into(),
            teardown: true,
            status: Status::Passed,
            request_line: scrub_secrets(&first, &secrets),
            duration: started.elapsed(),
            attempts: 1,
            exchanges,
            assertions: Vec::new(),
            checks: Vec::new(),
            snapshot: None,
            error: None,
            consequence_of: None,
        })
    }

    /// A single GET of one resource verifies the last successful write to that resource.
    fn implicit_write<'s>(
        &self,
        step: &Step,
        vars: &Vars,
        state: &'s InstanceState,
    ) -> Option<&'s Exchange> {
        let looping = step.repeat.is_some() || step.for_each.is_some() || step.pages;
        if step.request.method != crate::scenario::Method::Get
            || looping
            || step.request.query.is_some()
        {
            return None;
        }
        let path = vars.render_path(&step.request.path).ok()?;
        state.writes.get(path.trim_end_matches('/'))
    }

    fn feature_gap(&self, step: &Step) -> Option<String> {
        let missing = self.profile.missing(&step.features);
        (!missing.is_empty()).then(|| {
            let names: Vec<String> = missing.iter().map(|f| f.to_string()).collect();
            format!(
                "profile {} does not enable {}",
                self.profile.name,
                names.join(", ")
            )
        })
    }

    async fn run_one(
        &self,
        inst: &Instance<'_>,
        index: usize,
        step: &Step,
        teardown: bool,
        vars: &mut Vars,
        state: &mut InstanceState,
    ) -> (StepReport, Option<TransportFailure>) {
        let started = Instant::now();
        let echo_bodies = &state.bodies;
        let echo = |name: &str| echo_bodies.get(name).cloned();
        let ctx = RenderContext {
            base_url: &self.base_url,
            credentials: self.credentials.as_ref(),
            profile: self.profile,
            scenario: inst.scenario,
            echo: &echo,
        };
        let settings = StepSettings {
            client: &self.client,
            base_url: &self.base_url,
            max_retry_wait: self.max_retry_wait,
            read_settle: self.controls.settle.period(self.read_settle),
            lag: self.controls.settle.lag(),
        };
        let verified = match &step.verifies {
            Some(v) => state.last_exchange.get(v),
            None => self.implicit_write(step, vars, state),
        };
        let just_created = state.just_created(verified);
        let mut run = run_step(step, vars, &ctx, &settings, verified).await;
        let clean = run.error.is_none()
            && run.assertions.iter().all(|a| a.passed)
            && run.checks.iter().all(|c| c.passed);
        if just_created && clean && run.attempts == 1 {
            // The read right after a create already showed it: writes are visible at once.
            self.controls.settle.observe(SettleObservation::Immediate);
        }
        if teardown {
            // Harness clean-up, not Okta traffic: only the checks it lists judge it.
            run.checks
                .retain(|c| step.expect.checks.iter().any(|id| id.as_str() == c.id));
        }
        let fatal = run.fatal.take();
        if let Some(last) = run.exchanges.last() {
            if let Some(json) = last.json() {
                state.bodies.insert(step.name.clone(), json.clone());
            }
            state.last_exchange.insert(step.name.clone(), last.clone());
            state.note_write(last, &self.base_url);
            state.note_created(&run.exchanges, &self.base_url);
            let write = last.request.method.is_write();
            if write && last.status().is_some_and(|s| (200..300).contains(&s)) {
                self.controls.settle.note_write();
            }
        }
        if let Some(observed) = run.settle {
            self.controls.settle.observe(observed);
        }
        state.note_ids(step, vars);
        state.previous = Some(step.name.clone());
        let secrets = self.all_secrets(vars);
        let request_line = run
            .exchanges
            .first()
            .map(|e| e.request_line(&self.base_url))
            .unwrap_or_else(|| format!("{} {}", step.request.method, step.request.path));
        let snapshot = self.snapshot(inst, index, step, &run, &request_line, state, &secrets);
        scrub_run(&mut run, &secrets);
        let mut report = StepReport {
            index,
            name: step.name.clone(),
            teardown,
            status: Status::Passed,
            request_line: scrub_secrets(&request_line, &secrets),
            duration: started.elapsed(),
            attempts: run.attempts,
            exchanges: run.exchanges,
            assertions: run.assertions,
            checks: run.checks,
            snapshot,
            error: run.error,
            consequence_of: None,
        };
        report.status = step_status(&report, run.skipped, self.strict, self.new_snapshots_fail);
        (report, fatal)
    }

    #[allow(clippy::too_many_arguments)]
    fn snapshot(
        &self,
        inst: &Instance<'_>,
        index: usize,
        step: &Step,
        run: &StepRun,
        request_line: &str,
        state: &InstanceState,
        secrets: &[Secret],
    ) -> Option<SnapshotOutcome> {
        let judge = self.snapshots?;
        let looping = step.repeat.is_some() || step.for_each.is_some() || step.pages;
        if !step.snapshot || looping || run.skipped {
            return None;
        }
        let response = run.exchanges.last()?.response.as_ref()?;
        let request = SnapshotRequest {
            base_url: &self.base_url,
            scenario: inst.scenario,
            dialect: inst.dialect,
            index,
            step: &step.name,
            request_line,
            response,
            ids: &state.ids,
            run_values: &state.run_values,
            secrets,
        };
        Some(
            judge(&request).unwrap_or_else(|message| SnapshotOutcome::Error {
                file: String::new(),
                message,
            }),
        )
    }

    /// Why the run must stop (`--deadline`, a signal), if it must.
    pub fn stopped(&self) -> Option<StopReason> {
        self.controls.stop.reason()
    }

    /// An instance never started because the run was stopped.
    pub(super) fn not_run(&self, inst: &Instance<'_>) -> ScenarioReport {
        let why = self.stopped().map_or("stopped", |r| r.describe());
        skipped(inst, format!("not run: {why}"))
    }

    fn all_secrets(&self, vars: &Vars) -> Vec<Secret> {
        let mut all = self.secrets.clone();
        all.extend(vars.secrets());
        all
    }
}

/// Scrubs everything of a step that can quote what was sent or received: exchanges, assertion
/// values, check messages and the error.
fn scrub_run(run: &mut StepRun, secrets: &[Secret]) {
    for ex in &mut run.exchanges {
        ex.scrub(secrets);
    }
    for a in &mut run.assertions {
        a.expected = scrub_secrets(&a.expected, secrets);
        a.actual = scrub_secrets(&a.actual, secrets);
        a.description = scrub_secrets(&a.description, secrets);
    }
    for c in &mut run.checks {
        c.message = scrub_secrets(&c.message, secrets);
    }
    if let Some(e) = &mut run.error {
        *e = scrub_secrets(e, secrets);
    }
}

fn step_status(
    report: &StepReport,
    skipped: bool,
    strict: bool,
    new_snapshots_fail: bool,
) -> Status {
    if skipped {
        return Status::Skipped;
    }
    let assertion_fails = report.assertions.iter().any(|a| {
        !a.passed
            && a.check
                .as_deref()
                .and_then(crate::check::find)
                .is_none_or(|d| strict || d.severity == Severity::Fail)
    });
    let check_fails = report.failing_checks(strict).next().is_some();
    let snapshot_fails = report.snapshot.as_ref().is_some_and(|s| {
        s.fails_step() && (new_snapshots_fail || !matches!(s, SnapshotOutcome::New { .. }))
    });
    if report.error.is_some() || assertion_fails || check_fails || snapshot_fails {
        Status::Failed
    } else {
        Status::Passed
    }
}

pub(super) fn skipped(inst: &Instance<'_>, reason: String) -> ScenarioReport {
    ScenarioReport {
        name: inst.scenario.def.name.clone(),
        file: inst.scenario.display_path(),
        dialect: inst.dialect,
        status: Status::Skipped,
        skip_reason: Some(reason),
        duration: Duration::ZERO,
        steps: Vec::new(),
    }
}

fn failed_setup(inst: &Instance<'_>, why: String, duration: Duration) -> ScenarioReport {
    let mut report = skipped(inst, why);
    report.status = Status::Failed;
    report.duration = duration;
    report
}

fn skipped_step(index: usize, step: &Step, teardown: bool, reason: String) -> StepReport {
    StepReport {
        index,
        name: step.name.clone(),
        teardown,
        status: Status::Skipped,
        request_line: format!("{} {}", step.request.method, step.request.path),
        duration: Duration::ZERO,
        attempts: 0,
        exchanges: Vec::new(),
        assertions: Vec::new(),
        checks: Vec::new(),
        snapshot: None,
        error: Some(reason),
        consequence_of: None,
    }
}

fn summarize(scenarios: &[ScenarioReport], strict: bool) -> Summary {
    let mut s = Summary::default();
    for sc in scenarios {
        match sc.status {
            Status::Passed => s.passed += 1,
            Status::Failed => s.failed += 1,
            Status::Skipped => s.skipped += 1,
        }
        for step in &sc.steps {
            s.warnings += if strict { 0 } else { step.warnings().count() };
            let differs = step
                .snapshot
                .as_ref()
                .is_some_and(|o| o.fails_step() && !matches!(o, SnapshotOutcome::Error { .. }));
            if differs && step.status == Status::Failed {
                s.snapshot_differences += 1;
            }
        }
    }
    s
}
