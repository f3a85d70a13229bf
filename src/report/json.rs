//! The machine-readable run report (`--report-json FILE`), format version
//! [`REPORT_FORMAT`], documented field by field in `docs/report-json.md`.
//!
//! The document is built from borrowed views over the result tree, so the published schema
//! stays stable when internal types change: durations are `*_ms` floats, headers are
//! `[name, value]` pairs in wire order. Exchanges are already redacted by the engine; the file
//! is written atomically on `RunFinished` through the secret guard of
//! [`write_atomic`](crate::fsutil::write_atomic).

use super::{ReportError, Reporter};
use crate::fsutil::write_atomic;
use crate::replay::result::{
    AssertionOutcome, CheckOutcome, Event, Exchange, Problem, RecordedRequest, RecordedResponse,
    RunReport, ScenarioReport, Status, StepReport, Summary, TargetInfo,
};
use crate::scenario::Dialect;
use crate::secrets::Secret;
use crate::snapshot::SnapshotOutcome;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// Version of the JSON report schema; bumped on any incompatible change.
pub const REPORT_FORMAT: u32 = 2;

/// Writes the JSON report when the run finishes.
pub struct JsonReporter {
    path: PathBuf,
    secrets: Vec<Secret>,
}

impl JsonReporter {
    /// The file is refused if it holds any form of one of `secrets`.
    pub fn new(path: PathBuf, secrets: Vec<Secret>) -> Self {
        JsonReporter { path, secrets }
    }
}

impl Reporter for JsonReporter {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        if let Event::RunFinished { report } = event {
            let text = render_json(report)?;
            write_atomic(&self.path, text.as_bytes(), &self.secrets)?;
        }
        Ok(())
    }
}

/// The report as pretty-printed JSON, newline-terminated.
pub fn render_json(report: &RunReport) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&JsonReport::from(report))?;
    text.push('\n');
    Ok(text)
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

#[derive(Serialize)]
struct JsonReport<'a> {
    report_format: u32,
    run: JsonRun<'a>,
    summary: &'a Summary,
    problems: &'a [Problem],
    scenarios: Vec<JsonScenario<'a>>,
}

#[derive(Serialize)]
struct JsonRun<'a> {
    tool: &'static str,
    tool_version: &'a str,
    started_at: &'a str,
    duration_ms: f64,
    target: &'a TargetInfo,
    profile: &'a str,
    strict: bool,
    interrupted: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonScenario<'a> {
    name: &'a str,
    file: &'a str,
    dialect: Dialect,
    status: Status,
    skip_reason: Option<&'a str>,
    duration_ms: f64,
    steps: Vec<JsonStep<'a>>,
}

#[derive(Serialize)]
struct JsonStep<'a> {
    index: usize,
    name: &'a str,
    teardown: bool,
    status: Status,
    request_line: &'a str,
    attempts: u32,
    duration_ms: f64,
    assertions: &'a [AssertionOutcome],
    checks: &'a [CheckOutcome],
    snapshot: Option<&'a SnapshotOutcome>,
    error: Option<&'a str>,
    consequence_of: Option<usize>,
    exchanges: Vec<JsonExchange<'a>>,
}

#[derive(Serialize)]
struct JsonExchange<'a> {
    request: JsonRequest<'a>,
    response: Option<JsonResponse<'a>>,
    error: Option<&'a str>,
    duration_ms: f64,
}

#[derive(Serialize)]
struct JsonRequest<'a> {
    method: &'a str,
    url: &'a str,
    headers: &'a [(String, String)],
    body: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonResponse<'a> {
    status: u16,
    headers: &'a [(String, String)],
    body: &'a str,
    truncated: bool,
}

impl<'a> From<&'a RunReport> for JsonReport<'a> {
    fn from(r: &'a RunReport) -> Self {
        JsonReport {
            report_format: REPORT_FORMAT,
            run: JsonRun {
                tool: "scimreplay",
                tool_version: &r.tool_version,
                started_at: &r.started_at,
                duration_ms: millis(r.duration),
                target: &r.target,
                profile: &r.profile,
                strict: r.strict,
                interrupted: r.interrupted.as_deref(),
            },
            summary: &r.summary,
            problems: &r.problems,
            scenarios: r.scenarios.iter().map(JsonScenario::from).collect(),
        }
    }
}

impl<'a> From<&'a ScenarioReport> for JsonScenario<'a> {
    fn from(s: &'a ScenarioReport) -> Self {
        JsonScenario {
            name: &s.name,
            file: &s.file,
            dialect: s.dialect,
            status: s.status,
            skip_reason: s.skip_reason.as_deref(),
            duration_ms: millis(s.duration),
            steps: s.steps.iter().map(JsonStep::from).collect(),
        }
    }
}

impl<'a> From<&'a StepReport> for JsonStep<'a> {
    fn from(s: &'a StepReport) -> Self {
        JsonStep {
            index: s.index,
            name: &s.name,
            teardown: s.teardown,
            status: s.status,
            request_line: &s.request_line,
            attempts: s.attempts,
            duration_ms: millis(s.duration),
            assertions: &s.assertions,
            checks: &s.checks,
            snapshot: s.snapshot.as_ref(),
            error: s.error.as_deref(),
            consequence_of: s.consequence_of,
            exchanges: s.exchanges.iter().map(JsonExchange::from).collect(),
        }
    }
}

impl<'a> From<&'a Exchange> for JsonExchange<'a> {
    fn from(e: &'a Exchange) -> Self {
        let RecordedRequest {
            method,
            url,
            headers,
            body,
        } = &e.request;
        JsonExchange {
            request: JsonRequest {
                method: method.as_str(),
                url,
                headers,
                body: body.as_deref(),
            },
            response: e
                .response
                .as_ref()
                .map(|r: &RecordedResponse| JsonResponse {
                    status: r.status,
                    headers: &r.headers,
                    body: &r.body,
                    truncated: r.truncated,
                }),
            error: e.error.as_deref(),
            duration_ms: millis(e.duration),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsutil::WriteError;
    use crate::report::fixtures;

    #[test]
    fn json_report() {
        let report = fixtures::run_report(false);
        let text = render_json(&report).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["report_format"], 2);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn written_atomically_on_run_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/report.json");
        let mut reporter = JsonReporter::new(path.clone(), Vec::new());
        let report = fixtures::run_report(false);
        fixtures::drive(&report, &mut reporter);
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written, render_json(&report).unwrap());
    }

    #[test]
    fn refuses_a_report_that_contains_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        let secret = Secret::new("SCIM_TOKEN", "tok-9f8e7d6c5b");
        let mut reporter = JsonReporter::new(path.clone(), vec![secret]);
        let mut report = fixtures::run_report(false);
        report.scenarios[0].steps[0].exchanges[0].request.headers[1].1 =
            "Bearer tok-9f8e7d6c5b".to_string();
        let err = reporter
            .handle(&Event::RunFinished { report: &report })
            .unwrap_err();
        assert!(
            matches!(err, ReportError::Write(WriteError::SecretLeak { .. })),
            "{err}"
        );
        assert!(err.to_string().contains("SCIM_TOKEN"), "{err}");
        assert!(!err.to_string().contains("tok-9f8e7d6c5b"), "{err}");
        assert!(!path.exists());
    }
}
