//! The typed result tree of a run (run → scenario instance → step → assertions, checks and
//! snapshot outcome) and the [`Event`]s that carry it to the reporters as the run goes (like
//! nextest's `reporter/events.rs`, events and their payloads live together). Kept apart from
//! errors: a failed check is a result, never an `Err`. Reporters read only this module;
//! nothing here is printed by the engine.

use crate::check::Severity;
use crate::replay::exchange::serialize_millis;
/// The exchanges a step report carries (payloads of [`Event::StepFinished`]).
pub use crate::replay::exchange::{Exchange, RecordedRequest, RecordedResponse};
use crate::scenario::Dialect;
use crate::snapshot::SnapshotOutcome;
use serde::Serialize;
use std::time::Duration;

/// One thing that happened during a run, in the order it happened.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// Before the first scenario; `scenario_count` counts scenario instances (scenario × dialect).
    RunStarted {
        target: &'a TargetInfo,
        profile: &'a str,
        scenario_count: usize,
    },
    /// A scenario instance starts running (not sent for skipped scenarios).
    ScenarioStarted { name: &'a str, dialect: Dialect },
    /// A step (teardown included) finished, passed, failed or was skipped.
    StepFinished {
        scenario: &'a str,
        dialect: Dialect,
        step: &'a StepReport,
    },
    /// A scenario instance finished; also sent, alone, for skipped scenarios
    /// (status `Skipped` with a `skip_reason`).
    ScenarioFinished { scenario: &'a ScenarioReport },
    /// The run is over; file reporters write their file now.
    RunFinished { report: &'a RunReport },
}

/// Pass/fail state of a step or scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
}

/// The outcome of one JSONPath, header or status assertion written in the scenario.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AssertionOutcome {
    /// What was asserted, e.g. `$.totalResults equals 0`.
    pub description: String,
    pub passed: bool,
    pub expected: String,
    pub actual: String,
    /// The check id this assertion stands for (`status.expected` for status assertions).
    pub check: Option<String>,
}

/// The outcome of one named Okta check on a step.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckOutcome {
    pub id: String,
    pub severity: Severity,
    pub passed: bool,
    /// What was found (empty when passed).
    pub message: String,
    /// One-line fix hint from the registry.
    pub hint: String,
    /// Reference into docs/okta-reference.md.
    pub reference: String,
}

/// One executed (or skipped) step.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    /// 1-based position in the scenario (teardown steps continue the numbering).
    pub index: usize,
    pub name: String,
    pub teardown: bool,
    pub status: Status,
    /// `METHOD /path?query` as sent, relative to the base URL.
    pub request_line: String,
    #[serde(serialize_with = "serialize_millis")]
    pub duration: Duration,
    /// Number of attempts (more than 1 with `eventually` polling or 429 retries).
    pub attempts: u32,
    /// The exchanges of this step (the last one is the one judged).
    pub exchanges: Vec<Exchange>,
    pub assertions: Vec<AssertionOutcome>,
    pub checks: Vec<CheckOutcome>,
    pub snapshot: Option<SnapshotOutcome>,
    /// Why the step was skipped or could not be run (missing variable, transport error...).
    pub error: Option<String>,
    /// Index of the earlier step of the same scenario whose failure this step's failure (or
    /// skip) follows from: a read-back after a refused write, an unset variable. Such a step
    /// is not a problem of its own.
    pub consequence_of: Option<usize>,
}

impl StepReport {
    /// Failed checks of `fail` severity, or of any severity when `strict`.
    pub fn failing_checks(&self, strict: bool) -> impl Iterator<Item = &CheckOutcome> {
        self.checks
            .iter()
            .filter(move |c| !c.passed && (strict || c.severity == Severity::Fail))
    }

    pub fn warnings(&self) -> impl Iterator<Item = &CheckOutcome> {
        self.checks
            .iter()
            .filter(|c| !c.passed && c.severity == Severity::Warn)
    }
}

/// One scenario run under one dialect.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioReport {
    pub name: String,
    /// Scenario file, relative to the working directory.
    pub file: String,
    pub dialect: Dialect,
    pub status: Status,
    /// Why the scenario was skipped (feature disabled in the profile, ...).
    pub skip_reason: Option<String>,
    #[serde(serialize_with = "serialize_millis")]
    pub duration: Duration,
    pub steps: Vec<StepReport>,
}

/// Counts shown in the final summary line.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub warnings: usize,
    pub snapshot_differences: usize,
}

/// The target a run talked to.
#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    /// Base URL with any credentials removed.
    pub base_url: String,
    /// True when the embedded reference server was the target.
    pub embedded: bool,
    /// Reference-server quirks switched on (embedded target only).
    pub quirks: Vec<String>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// Version of the JSON report schema (docs/report-json.md).
    pub report_format: u32,
    pub tool_version: String,
    /// RFC 3339 start time.
    pub started_at: String,
    #[serde(serialize_with = "serialize_millis")]
    pub duration: Duration,
    pub target: TargetInfo,
    pub profile: String,
    pub strict: bool,
    pub scenarios: Vec<ScenarioReport>,
    pub summary: Summary,
    /// Distinct problems, ranked (fails first, then Okta's lifecycle order).
    pub problems: Vec<Problem>,
    /// Why the run stopped before replaying everything (`--deadline`, a signal), if it did.
    pub interrupted: Option<String>,
}

/// One distinct problem of a run: one check failing for one cause, however many steps show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    /// The check id (`status.expected`, `filter.case-insensitive`...), `assertion` for a
    /// scenario assertion without one, `error` for a step that could not run, `snapshot`.
    pub check: String,
    pub severity: Severity,
    /// What was found, from the first step that shows it.
    pub message: String,
    /// The normalised cause the steps were grouped by (check id, request kind, answer).
    pub cause: String,
    /// Steps showing the problem (consequences not counted).
    pub steps: usize,
    /// Scenario instances with at least one such step.
    pub scenarios: usize,
    /// Later steps that failed or were skipped only because of these steps.
    pub consequences: usize,
    pub hint: String,
    pub reference: String,
    pub example: ProblemExample,
}

/// Where a problem was first seen.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProblemExample {
    pub scenario: String,
    pub dialect: Dialect,
    pub step_index: usize,
    pub step: String,
    pub request_line: String,
    /// The response status, or `None` when no response came back.
    pub status: Option<u16>,
    /// What came back, in one line: `400 {"detail":"…"}` or the transport error.
    pub response: String,
}
