//! The text blocks the human and JUnit reporters share, as lines tagged with a [`Tone`] so
//! the terminal can colour them and JUnit can keep them plain: the failure block under a step
//! (expected/actual, check id with hint and reference, transport error, snapshot diff), its
//! one-line reason, and the curl `-v` style HTTP transcript.

use super::format_duration;
use crate::check::Severity;
use crate::replay::result::{Exchange, Status, StepReport};
use crate::snapshot::SnapshotOutcome;

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
    pub(crate) fn new(indent: usize, tone: Tone, text: impl Into<String>) -> Self {
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
pub(crate) fn reference_text(reference: &str) -> String {
    if reference.starts_with("docs/okta-reference.md") {
        reference.to_string()
    } else {
        format!("docs/okta-reference.md {reference}")
    }
}

/// The tone of one line of a unified diff.
pub(crate) fn diff_tone(line: &str) -> Tone {
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
            let last_for_id = step
                .assertions
                .iter()
                .rfind(|b| !b.passed && b.check == a.check)
                .is_some_and(|b| std::ptr::eq(a, b));
            let hinted_by_a_check = step
                .checks
                .iter()
                .any(|c| !c.passed && Some(&c.id) == a.check.as_ref());
            if let Some(def) = a.check.as_deref().and_then(crate::check::find)
                && last_for_id
                && !hinted_by_a_check
            {
                lines.push(Line::new(2, Tone::Hint, format!("hint: {}", def.hint)));
                let see = format!("see: {}", reference_text(def.reference));
                lines.push(Line::new(2, Tone::Dim, see));
            }
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
        Some(SnapshotOutcome::New { file, written, .. }) => {
            let note = match written {
                Some(w) => format!("new snapshot {file}, written to {w}"),
                None => format!("new snapshot {file}, not written"),
            };
            lines.push(Line::new(0, Tone::Dim, note));
        }
        Some(SnapshotOutcome::Error { file, message }) => {
            let what = if file.is_empty() {
                format!("snapshot not compared: {message}")
            } else {
                format!("snapshot {file} not compared: {message}")
            };
            lines.push(Line::new(0, Tone::Failure, what));
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

/// The one-line reason a step failed, led by its most specific check id in brackets, e.g.
/// `[status.expected] expected 201, got 200`. `None` when the step did not fail.
pub(crate) fn first_failure(step: &StepReport, strict: bool) -> Option<String> {
    super::problems::primary_failure(step, strict).map(|p| format!("[{}] {}", p.check, p.message))
}

/// True when the step's failure is a runtime error (transport, missing variable) rather
/// than a failed expectation: JUnit reports it as `error`, not `failure`.
pub(crate) fn is_error(step: &StepReport, strict: bool) -> bool {
    (step.error.is_some() || matches!(step.snapshot, Some(SnapshotOutcome::Error { .. })))
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

/// Transcripts show at most this many lines of a body, so a giant response cannot flood the
/// terminal (the JSON report keeps the body).
const MAX_BODY_LINES: usize = 400;

fn push_body(lines: &mut Vec<Line>, mark: char, body: &str, json: Option<&serde_json::Value>) {
    let is_json = json.is_some() || serde_json::from_str::<serde_json::Value>(body).is_ok();
    let pretty = is_json.then(|| pretty_json(body));
    let text = pretty.as_deref().unwrap_or(body);
    for l in text.lines().take(MAX_BODY_LINES) {
        let shown: String = l.chars().take(2000).collect();
        let cut = if shown.len() < l.len() { " …" } else { "" };
        lines.push(Line::new(0, Tone::Plain, format!("{mark} {shown}{cut}")));
    }
    let total = text.lines().count();
    if total > MAX_BODY_LINES {
        let note = format!(
            "{mark} … {} more lines (see --report-json for the whole body)",
            total - MAX_BODY_LINES
        );
        lines.push(Line::new(0, Tone::Dim, note));
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
mod tests {
    use super::*;
    use crate::report::fixtures;

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

    #[test]
    fn diff_lines_get_their_colours() {
        let tones: Vec<_> = ["@@ -1 +1 @@", "-  a", "+  b", "   c"]
            .into_iter()
            .map(diff_tone)
            .collect();
        assert_eq!(tones, [Tone::Hunk, Tone::Removed, Tone::Added, Tone::Plain]);
    }
}
