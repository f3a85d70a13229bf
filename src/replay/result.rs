//! The typed result tree of a run: run → scenario instance → step → assertions, checks and
//! snapshot outcome. Kept apart from errors: a failed check is a result, never an `Err`.
//! Reporters consume this tree; nothing here is printed by the engine.

use crate::check::Severity;
use crate::replay::exchange::{Exchange, serialize_millis};
use crate::scenario::Dialect;
use crate::snapshot::SnapshotOutcome;
use serde::Serialize;
use std::time::Duration;

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
}
