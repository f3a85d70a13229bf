//! Reporters: turn the replay engine's event stream into terminal output ([`HumanReporter`]),
//! a versioned JSON report ([`JsonReporter`], `docs/report-json.md`) and JUnit XML
//! ([`JunitReporter`], `docs/reports.md`).
//!
//! The engine never prints and reporters never send requests: the engine emits [`Event`]s that
//! borrow from the result tree (`crate::replay::result`), and a [`Fanout`] forwards each event
//! to every enabled reporter (nextest's pattern). Exchanges arrive already secret-redacted;
//! file reporters still write through [`crate::fsutil::write_atomic`], which refuses any
//! content holding a secret's literal value.
//!
//! This module also holds the pieces the human and JUnit reporters share: the step verdict,
//! the failure block of a step and the HTTP transcript, as lines tagged with a [`Tone`] so the
//! terminal can colour them and JUnit can keep them plain.

pub mod human;
pub mod json;
pub mod junit;

pub use human::{HumanOptions, HumanReporter};
pub use json::JsonReporter;
pub use junit::JunitReporter;

use crate::check::Severity;
use crate::fsutil::WriteError;
use crate::replay::exchange::Exchange;
use crate::replay::result::{RunReport, ScenarioReport, Status, StepReport, Summary, TargetInfo};
use crate::scenario::Dialect;
use crate::snapshot::SnapshotOutcome;
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

/// Why a reporter could not do its job.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("could not write to the terminal: {0}")]
    Output(#[from] std::io::Error),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("could not serialize the JSON report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("could not serialize the JUnit report: {0}")]
    Junit(#[from] quick_junit::SerializeError),
}

/// A sink for run events.
pub trait Reporter {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError>;
}

/// Forwards each event to several reporters, in the order they were added. Every reporter
/// sees every event even when an earlier one fails; the first error is returned.
#[derive(Default)]
pub struct Fanout<'r> {
    reporters: Vec<Box<dyn Reporter + 'r>>,
}

impl<'r> Fanout<'r> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a reporter; it receives events after the ones added before it.
    pub fn push(&mut self, reporter: impl Reporter + 'r) -> &mut Self {
        self.reporters.push(Box::new(reporter));
        self
    }

    pub fn len(&self) -> usize {
        self.reporters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.reporters.is_empty()
    }
}

impl Reporter for Fanout<'_> {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        let mut first = None;
        for reporter in &mut self.reporters {
            if let Err(e) = reporter.handle(event) {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    }
}

/// The closing line of a run, read by CI tools: `12 passed, 1 failed`, plus `, 3 skipped`
/// when anything was skipped. Counts are scenario instances.
pub fn summary_line(summary: &Summary) -> String {
    let mut line = format!("{} passed, {} failed", summary.passed, summary.failed);
    if summary.skipped > 0 {
        line.push_str(&format!(", {} skipped", summary.skipped));
    }
    line
}

/// How a step is shown: `WARN` is a passed step with warn-severity check failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    Warn,
    Fail,
    Skip,
}

impl Verdict {
    pub(crate) fn of(step: &StepReport, strict: bool) -> Self {
        let warned = step.warnings().next().is_some();
        match step.status {
            Status::Failed => Verdict::Fail,
            Status::Skipped => Verdict::Skip,
            Status::Passed if warned && strict => Verdict::Fail,
            Status::Passed if warned => Verdict::Warn,
            Status::Passed => Verdict::Pass,
        }
    }

    pub(crate) fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Warn => "WARN",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "SKIP",
        }
    }
}

/// Fixed-width (8 characters) duration: `    12.3ms`-style below a second, `  1.234s` above.
pub(crate) fn format_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 999.95 {
        format!("{ms:>6.1}ms")
    } else {
        format!("{:>7.3}s", d.as_secs_f64())
    }
}

/// `count noun` with a plain English plural.
pub(crate) fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else if let Some(stem) = noun.strip_suffix('y') {
        format!("{count} {stem}ies")
    } else {
        format!("{count} {noun}s")
    }
}

/// How a line of a block is styled on a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Plain,
    Failure,
    Warning,
    Hint,
    Dim,
    Removed,
    Added,
    Hunk,
}

/// One line of a step block, `indent` spaces deeper than the block itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub indent: usize,
    pub tone: Tone,
    pub text: String,
}

impl Line {
    fn new(indent: usize, tone: Tone, text: impl Into<String>) -> Self {
        Line {
            indent,
            tone,
            text: text.into(),
        }
    }
}

/// Joins lines without styling, each prefixed by `base` spaces plus its own indent.
pub(crate) fn plain_text(lines: &[Line], base: usize) -> String {
    let mut out = String::new();
    for line in lines {
        push_indented(&mut out, base + line.indent, &line.text);
        out.push('\n');
    }
    out
}

fn push_indented(out: &mut String, indent: usize, text: &str) {
    if !text.is_empty() {
        out.extend(std::iter::repeat_n(' ', indent));
    }
    out.push_str(text);
}

/// Where a check is documented, as `see:` shows it.
fn reference_text(reference: &str) -> String {
    if reference.starts_with("okta-protocol.md") {
        reference.to_string()
    } else {
        format!("okta-protocol.md {reference}")
    }
}

/// The tone of one line of a unified diff.
fn diff_tone(line: &str) -> Tone {
    if line.starts_with("@@") {
        Tone::Hunk
    } else if line.starts_with('-') {
        Tone::Removed
    } else if line.starts_with('+') {
        Tone::Added
    } else {
        Tone::Plain
    }
}

fn failed_step_problem(step: &StepReport) -> bool {
    step.status != Status::Skipped
        && (step.assertions.iter().any(|a| !a.passed)
            || step.checks.iter().any(|c| !c.passed)
            || step.error.is_some()
            || matches!(step.snapshot, Some(SnapshotOutcome::Mismatch { .. })))
}

/// The block shown under a step: the request line, failed assertions (expected/actual),
/// failed checks with hint and reference (warn severity marked `warning`), the transport
/// error, the snapshot diff and where the pending file went, and a note for new snapshots.
/// Empty for a clean step.
pub(crate) fn step_details(step: &StepReport) -> Vec<Line> {
    let mut lines = Vec::new();
    if failed_step_problem(step) {
        let status = step
            .exchanges
            .last()
            .and_then(Exchange::status)
            .map(|s| format!(" -> {s}"))
            .unwrap_or_default();
        lines.push(Line::new(
            0,
            Tone::Plain,
            format!("request: {}{status}", step.request_line),
        ));
    }
    if step.status != Status::Skipped {
        for a in step.assertions.iter().filter(|a| !a.passed) {
            let what = match &a.check {
                Some(id) => format!("[{id}] {}", a.description),
                None => format!("assertion failed: {}", a.description),
            };
            lines.push(Line::new(0, Tone::Failure, what));
            lines.push(Line::new(
                2,
                Tone::Plain,
                format!("expected: {}", a.expected),
            ));
            lines.push(Line::new(2, Tone::Plain, format!("actual:   {}", a.actual)));
        }
        for c in step.checks.iter().filter(|c| !c.passed) {
            let (tone, text) = match c.severity {
                Severity::Fail => (Tone::Failure, format!("[{}] {}", c.id, c.message)),
                Severity::Warn => (Tone::Warning, format!("warning: [{}] {}", c.id, c.message)),
            };
            lines.push(Line::new(0, tone, text));
            if !c.hint.is_empty() {
                lines.push(Line::new(2, Tone::Hint, format!("hint: {}", c.hint)));
            }
            if !c.reference.is_empty() {
                let see = format!("see: {}", reference_text(&c.reference));
                lines.push(Line::new(2, Tone::Dim, see));
            }
        }
        if let Some(error) = &step.error {
            lines.push(Line::new(0, Tone::Failure, format!("error: {error}")));
        }
    }
    match &step.snapshot {
        Some(SnapshotOutcome::Mismatch {
            file,
            diff,
            changed_paths,
            written,
        }) => {
            lines.push(Line::new(
                0,
                Tone::Failure,
                format!("snapshot differs: {file}"),
            ));
            if !changed_paths.is_empty() {
                let changed = format!("changed: {}", changed_paths.join(", "));
                lines.push(Line::new(2, Tone::Plain, changed));
            }
            for d in diff.lines() {
                lines.push(Line::new(2, diff_tone(d), d));
            }
            let pending = match written {
                Some(w) => format!("pending snapshot written to {w}"),
                None => "no pending snapshot written".to_string(),
            };
            lines.push(Line::new(2, Tone::Dim, pending));
        }
        Some(SnapshotOutcome::New { file, written }) => {
            let note = match written {
                Some(w) => format!("new snapshot {file}, written to {w}"),
                None => format!("new snapshot {file}, not written"),
            };
            lines.push(Line::new(0, Tone::Dim, note));
        }
        Some(SnapshotOutcome::Matched { .. }) | None => {}
    }
    lines
}

/// Only the warn-severity check failures of a step, as the human block shows them.
pub(crate) fn warning_lines(step: &StepReport) -> Vec<Line> {
    let mut in_warning = false;
    step_details(step)
        .into_iter()
        .filter(|l| {
            if l.indent == 0 {
                in_warning = l.tone == Tone::Warning;
            }
            in_warning
        })
        .collect()
}

/// The one-line reason a step failed: the first failing check id in brackets, e.g.
/// `[status.expected] expected 201, got 200`. `None` when the step did not fail.
pub(crate) fn first_failure(step: &StepReport, strict: bool) -> Option<String> {
    if Verdict::of(step, strict) != Verdict::Fail {
        return None;
    }
    if let Some(a) = step.assertions.iter().find(|a| !a.passed) {
        return Some(match &a.check {
            Some(id) => format!("[{id}] expected {}, got {}", a.expected, a.actual),
            None => format!(
                "[assertion] {}: expected {}, got {}",
                a.description, a.expected, a.actual
            ),
        });
    }
    if let Some(c) = step.failing_checks(strict).next() {
        return Some(format!("[{}] {}", c.id, c.message));
    }
    if let Some(SnapshotOutcome::Mismatch { changed_paths, .. }) = &step.snapshot {
        let changed = if changed_paths.is_empty() {
            String::new()
        } else {
            format!(": {}", changed_paths.join(", "))
        };
        return Some(format!("[snapshot] snapshot differs{changed}"));
    }
    if let Some(error) = &step.error {
        return Some(format!("[error] {error}"));
    }
    Some("[step] failed".to_string())
}

/// True when the step's failure is a runtime error (transport, missing variable) rather
/// than a failed expectation: JUnit reports it as `error`, not `failure`.
pub(crate) fn is_error(step: &StepReport, strict: bool) -> bool {
    step.error.is_some()
        && step.assertions.iter().all(|a| a.passed)
        && step.failing_checks(strict).next().is_none()
        && !matches!(step.snapshot, Some(SnapshotOutcome::Mismatch { .. }))
}

/// The full HTTP transcript of a step, curl `-v` style: `>` request lines, `<` response lines.
/// Exchanges are already redacted by the engine.
pub(crate) fn transcript(step: &StepReport, base_url: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let count = step.exchanges.len();
    for (i, ex) in step.exchanges.iter().enumerate() {
        if count > 1 {
            let head = format!(
                "attempt {} of {count} [{}]",
                i + 1,
                format_duration(ex.duration)
            );
            lines.push(Line::new(0, Tone::Dim, head));
        }
        lines.push(Line::new(
            0,
            Tone::Plain,
            format!("> {}", ex.request_line(base_url)),
        ));
        for (name, value) in &ex.request.headers {
            lines.push(Line::new(0, Tone::Dim, format!("> {name}: {value}")));
        }
        if let Some(body) = ex.request.body.as_deref().filter(|b| !b.is_empty()) {
            lines.push(Line::new(0, Tone::Dim, ">"));
            let parsed = serde_json::from_str::<serde_json::Value>(body).ok();
            push_body(&mut lines, '>', body, parsed.as_ref());
        }
        match &ex.response {
            Some(resp) => {
                let reason = reqwest::StatusCode::from_u16(resp.status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default();
                let status = format!("< {}{reason}", resp.status);
                lines.push(Line::new(0, Tone::Plain, status));
                for (name, value) in &resp.headers {
                    lines.push(Line::new(0, Tone::Dim, format!("< {name}: {value}")));
                }
                if !resp.body.is_empty() {
                    lines.push(Line::new(0, Tone::Dim, "<"));
                    push_body(&mut lines, '<', &resp.body, resp.json.as_ref());
                }
                if resp.truncated {
                    let note = "< (body truncated at the response size limit)";
                    lines.push(Line::new(0, Tone::Warning, note));
                }
            }
            None => {
                let error = ex.error.as_deref().unwrap_or("no response");
                lines.push(Line::new(0, Tone::Failure, format!("! {error}")));
            }
        }
    }
    lines
}

fn push_body(lines: &mut Vec<Line>, mark: char, body: &str, json: Option<&serde_json::Value>) {
    let is_json = json.is_some() || serde_json::from_str::<serde_json::Value>(body).is_ok();
    let pretty = is_json.then(|| pretty_json(body));
    for l in pretty.as_deref().unwrap_or(body).lines() {
        lines.push(Line::new(0, Tone::Plain, format!("{mark} {l}")));
    }
}

/// Re-indents valid JSON text two spaces per level, keeping member order and every value
/// exactly as the server wrote it (a parsed `Value` would sort keys and reformat numbers).
fn pretty_json(text: &str) -> String {
    fn newline(out: &mut String, depth: usize) {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    }
    let mut out = String::with_capacity(text.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                out.push(c);
                if let Some(close) = chars.next_if(|&n| n == '}' || n == ']') {
                    out.push(close);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[test]
    fn summary_line_mentions_skipped_only_when_some() {
        let mut s = Summary {
            passed: 12,
            failed: 1,
            ..Summary::default()
        };
        assert_eq!(summary_line(&s), "12 passed, 1 failed");
        s.skipped = 3;
        assert_eq!(summary_line(&s), "12 passed, 1 failed, 3 skipped");
    }

    #[test]
    fn durations_keep_their_width() {
        for ms in [0, 1, 12, 999, 1000, 12_345, 999_999] {
            let shown = format_duration(Duration::from_millis(ms));
            assert_eq!(shown.len(), 8, "{shown:?}");
        }
        assert_eq!(format_duration(Duration::from_micros(12_300)), "  12.3ms");
        assert_eq!(format_duration(Duration::from_millis(1234)), "  1.234s");
    }

    struct Recorder(Rc<RefCell<Vec<String>>>, bool);

    impl Reporter for Recorder {
        fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
            let name = match event {
                Event::RunStarted { .. } => "run-started",
                Event::ScenarioStarted { .. } => "scenario-started",
                Event::StepFinished { .. } => "step-finished",
                Event::ScenarioFinished { .. } => "scenario-finished",
                Event::RunFinished { .. } => "run-finished",
            };
            self.0.borrow_mut().push(name.to_string());
            if self.1 {
                Err(std::io::Error::other("broken pipe").into())
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn fanout_forwards_to_every_reporter_and_returns_the_first_error() {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let mut fanout = Fanout::new();
        fanout.push(Recorder(seen.clone(), true));
        fanout.push(Recorder(seen.clone(), false));
        assert_eq!(fanout.len(), 2);
        let event = Event::ScenarioStarted {
            name: "okta/x",
            dialect: Dialect::Put,
        };
        let err = fanout.handle(&event).unwrap_err();
        assert!(err.to_string().contains("broken pipe"), "{err}");
        assert_eq!(*seen.borrow(), ["scenario-started", "scenario-started"]);
    }

    #[test]
    fn first_failure_names_the_check() {
        let report = fixtures::run_report(false);
        let failed = &report.scenarios[1].steps[1];
        assert_eq!(
            first_failure(failed, false).as_deref(),
            Some("[status.expected] expected 201, got 200")
        );
        assert_eq!(first_failure(&report.scenarios[0].steps[0], false), None);
    }

    #[test]
    fn pretty_json_keeps_order_and_values() {
        let text = r#" {"b":1.50,"a":[],"c":{ },"d":["x,\\\"y:",{"e":null}]}"#;
        let pretty = pretty_json(text);
        insta::assert_snapshot!(pretty, @r#"
        {
          "b": 1.50,
          "a": [],
          "c": {},
          "d": [
            "x,\\\"y:",
            {
              "e": null
            }
          ]
        }
        "#);
        let reparsed: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(
            reparsed,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
    }
}
