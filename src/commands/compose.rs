//! The shape of a `run`: announces it to the reporters, has the replay engine replay the
//! selected scenario instances, runs the steady-state pass after them (as the scenario
//! instance `steady-state/<profile>`), and closes with the run's result tree. The engine only
//! replays scenarios; the steady-state pass is `crate::steady`'s.

use crate::replay::engine::{Engine, Instance, RunAbort};
use crate::replay::result::{Event, RunReport, ScenarioReport, Status, TargetInfo};
use crate::report::Reporter;
use std::time::{Duration, Instant};

/// Runs the scenario instances, then the steady-state pass with `steady` sync-loop cycles
/// (`None`: no pass), emitting every event from `RunStarted` to `RunFinished`.
pub(super) async fn run_all(
    engine: &Engine<'_>,
    instances: &[Instance<'_>],
    steady: Option<u32>,
    target: TargetInfo,
    reporter: &mut dyn Reporter,
) -> Result<RunReport, RunAbort> {
    let started = Instant::now();
    let started_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    reporter.handle(&Event::RunStarted {
        target: &target,
        profile: &engine.profile.name,
        scenario_count: instances.len() + usize::from(steady.is_some()),
    })?;
    let replayed = engine.replay(instances, reporter).await?;
    let mut scenarios = replayed.scenarios;
    if let Some(cycles) = steady {
        let report = steady_pass(engine, cycles, replayed.fail_fast_stopped, reporter).await?;
        scenarios.push(report);
    }
    let report = engine.report(started, started_at, target, scenarios);
    reporter.handle(&Event::RunFinished { report: &report })?;
    Ok(report)
}

/// The steady-state checks as the scenario instance `steady-state/<profile>`, through the
/// engine's client, credentials and settle; skipped when the run was stopped.
async fn steady_pass(
    engine: &Engine<'_>,
    cycles: u32,
    fail_fast_stopped: bool,
    reporter: &mut dyn Reporter,
) -> Result<ScenarioReport, RunAbort> {
    let profile = engine.profile;
    let name = format!("steady-state/{}", profile.name);
    let dialect = profile.dialect;
    let halted = engine
        .stopped()
        .map(|r| format!("not run: {}", r.describe()));
    if fail_fast_stopped || halted.is_some() {
        let report =
            ScenarioReport {
                name,
                file: "steady-state (built in)".into(),
                dialect,
                status: Status::Skipped,
                skip_reason: Some(halted.unwrap_or_else(|| {
                    "not run: --fail-fast stopped the run after a failure".into()
                })),
                duration: Duration::ZERO,
                steps: Vec::new(),
            };
        reporter.handle(&Event::ScenarioFinished { scenario: &report })?;
        return Ok(report);
    }
    reporter.handle(&Event::ScenarioStarted {
        name: &name,
        dialect,
    })?;
    let mut session = crate::steady::http::Session {
        client: engine.client.clone(),
        base_url: engine.base_url.clone(),
        credentials: engine.credentials.clone(),
        max_retry_wait: engine.max_retry_wait,
        read_settle: engine.controls.settle.period(engine.read_settle),
        exchanges: Vec::new(),
        fatal: None,
        halt: engine.controls.stop.clone().into(),
    };
    let outcome = crate::steady::execute(&mut session, profile, &engine.run_id, cycles).await;
    let report = crate::steady::report::scenario_report(
        &outcome,
        &engine.base_url,
        &engine.secrets,
        engine.strict,
    );
    for step in &report.steps {
        reporter.handle(&Event::StepFinished {
            scenario: &name,
            dialect,
            step,
        })?;
    }
    reporter.handle(&Event::ScenarioFinished { scenario: &report })?;
    Ok(report)
}
