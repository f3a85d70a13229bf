//! The JSON document `scimreplay steady --report-json` writes: its own typed format
//! (`steady_report_format`, versioned separately from `run`'s report; docs/steady-state.md).

use super::idempotency::Finding;
use super::report::checks;
use super::sync_loop::ResourceLoop;
use super::table::request_count;
use super::{DriftRow, Lag, Outcome};
use crate::replay::result::{CheckOutcome, TargetInfo};
use crate::scenario::Dialect;
use serde::Serialize;

/// The version of this document's format; it changes only when a field is removed, renamed or
/// changes meaning.
pub const STEADY_REPORT_FORMAT: u32 = 1;

/// The whole `steady --report-json` document.
#[derive(Debug, Serialize)]
pub struct SteadyReport<'a> {
    pub steady_report_format: u32,
    pub tool_version: &'static str,
    pub profile: &'a str,
    pub dialect: Dialect,
    pub target: &'a TargetInfo,
    pub cycles: u32,
    pub duration_ms: u64,
    pub requests: usize,
    /// No check of `fail` severity failed (and, with `--strict`, none of `warn` severity).
    pub passed: bool,
    pub strict: bool,
    /// Failed checks of `warn` severity.
    pub warnings: usize,
    pub users: Vec<UserEntry<'a>>,
    pub drift: &'a [DriftRow],
    pub resources: &'a [ResourceLoop],
    pub idempotency: &'a [Finding],
    pub lags: &'a [Lag],
    pub max_lag_ms: Option<u64>,
    pub notes: &'a [String],
    pub errors: &'a [String],
    pub rejected: &'a [String],
    pub checks: Vec<StepCheck>,
    /// The run was stopped (Ctrl-C, SIGTERM) before its checks were over: the document holds
    /// what ran, and clean-up deleted what the run created.
    pub stopped: bool,
}

/// One user the run created.
#[derive(Debug, Serialize)]
pub struct UserEntry<'a> {
    pub resource: &'a str,
    pub id: Option<&'a str>,
    #[serde(rename = "userName")]
    pub user_name: &'a str,
}

/// A check outcome with the step (`fidelity`, `idempotency`, `sync-loop`) it was judged on.
#[derive(Debug, Serialize)]
pub struct StepCheck {
    pub step: &'static str,
    #[serde(flatten)]
    pub check: CheckOutcome,
}

/// Builds the document for `out`.
pub fn report<'a>(out: &'a Outcome, target: &'a TargetInfo, strict: bool) -> SteadyReport<'a> {
    let all = checks(out);
    let passed = all.passed(strict);
    let warnings = if strict {
        0
    } else {
        all.all()
            .filter(|c| !c.passed && c.severity == crate::check::Severity::Warn)
            .count()
    };
    let step_checks = [
        ("fidelity", all.fidelity),
        ("idempotency", all.idempotency),
        ("sync-loop", all.sync_loop),
    ]
    .into_iter()
    .flat_map(|(step, list)| list.into_iter().map(move |check| StepCheck { step, check }))
    .collect();
    SteadyReport {
        steady_report_format: STEADY_REPORT_FORMAT,
        tool_version: env!("CARGO_PKG_VERSION"),
        profile: &out.profile,
        dialect: out.dialect,
        target,
        cycles: out.cycles,
        duration_ms: out.duration.as_millis() as u64,
        requests: request_count(out),
        passed,
        strict,
        warnings,
        users: out
            .users
            .iter()
            .map(|(k, id, name)| UserEntry {
                resource: k,
                id: id.as_deref(),
                user_name: name,
            })
            .collect(),
        drift: &out.rows,
        resources: &out.resources,
        idempotency: &out.idempotency,
        lags: &out.lags,
        max_lag_ms: out.max_lag(),
        notes: &out.notes,
        errors: &out.errors,
        rejected: &out.rejected,
        checks: step_checks,
        stopped: out.stopped,
    }
}
