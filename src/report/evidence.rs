//! The evidence bundle (`run --evidence DIR`): what a vendor hands over in place of Okta's
//! hosted test links. `DIR/evidence.md` is a Markdown account of the run — verdict, target and
//! profile, every scenario instance with its result, each failure and warning with its check,
//! fix hint and protocol reference, skipped scenarios with their reason, and how often each
//! Okta check was judged — `DIR/report.json` is the full JSON report
//! (`docs/report-json.md`) and `DIR/report.html` the HTML report (`report::html`). All are
//! written atomically through the secret guard on
//! `RunFinished`; exchanges arrive already redacted.

use super::json::render_json;
use super::{
    ReportError, Reporter, Verdict, first_failure, plain_text, plural, step_details, summary_line,
};
use crate::check::Severity;
use crate::fsutil::write_atomic;
use crate::replay::result::{Event, RunReport, ScenarioReport, Status, StepReport};
use crate::secrets::Secret;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// File names inside the evidence directory.
pub const MARKDOWN_FILE: &str = "evidence.md";
pub const JSON_FILE: &str = "report.json";
pub const HTML_FILE: &str = "report.html";

/// Writes the evidence bundle when the run finishes.
pub struct EvidenceReporter {
    dir: PathBuf,
    profile_description: String,
    secrets: Vec<Secret>,
}

impl EvidenceReporter {
    /// A file holding any form of one of `secrets` is refused.
    pub fn new(dir: PathBuf, profile_description: String, secrets: Vec<Secret>) -> Self {
        EvidenceReporter {
            dir,
            profile_description,
            secrets,
        }
    }
}

impl Reporter for EvidenceReporter {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        if let Event::RunFinished { report } = event {
            let markdown = render_markdown(report, &self.profile_description);
            write_atomic(
                &self.dir.join(MARKDOWN_FILE),
                markdown.as_bytes(),
                &self.secrets,
            )?;
            let json = render_json(report)?;
            write_atomic(&self.dir.join(JSON_FILE), json.as_bytes(), &self.secrets)?;
            let html = super::html::render_html(report, &self.profile_description);
            write_atomic(&self.dir.join(HTML_FILE), html.as_bytes(), &self.secrets)?;
        }
        Ok(())
    }
}

/// The run as a Markdown document.
pub fn render_markdown(report: &RunReport, profile_description: &str) -> String {
    let mut md = String::new();
    header(&mut md, report, profile_description);
    ranked_problems(&mut md, report);
    scenarios_table(&mut md, report);
    problems(&mut md, report, Verdict::Fail, "Failures");
    problems(&mut md, report, Verdict::Warn, "Warnings");
    skipped(&mut md, report);
    checks_table(&mut md, report);
    while md.contains("\n\n\n") {
        md = md.replace("\n\n\n", "\n\n");
    }
    md
}

fn header(md: &mut String, report: &RunReport, profile_description: &str) {
    let s = &report.summary;
    let passed = s.failed == 0 && !(report.strict && s.warnings > 0);
    let verdict = if passed {
        format!(
            "**PASS** — every selected Okta sequence behaved as Okta needs ({})",
            plural(s.warnings, "warning")
        )
    } else {
        format!(
            "**FAIL** — {} of {} scenario instances failed; see Failures",
            s.failed,
            s.passed + s.failed
        )
    };
    let mut target = format!("`{}`", report.target.base_url);
    if report.target.embedded {
        target.push_str(" (the embedded reference server");
        if !report.target.quirks.is_empty() {
            let _ = write!(target, ", quirks: {}", report.target.quirks.join(", "));
        }
        target.push(')');
    }
    let _ = writeln!(md, "# scimreplay evidence: profile `{}`\n", report.profile);
    md.push_str("| | |\n|---|---|\n");
    for (key, value) in [
        ("Verdict", verdict),
        ("Target", target),
        (
            "Okta app profile",
            cell(&format!("`{}` — {}", report.profile, profile_description)),
        ),
        ("Scenarios", summary_line(s)),
        (
            "Checks",
            format!(
                "{}, {}",
                plural(s.warnings, "warning"),
                plural(s.snapshot_differences, "snapshot difference")
            ),
        ),
        (
            "Strict (warnings fail)",
            if report.strict { "yes" } else { "no" }.to_string(),
        ),
        ("Started", report.started_at.clone()),
        (
            "Duration",
            format!("{:.3} s", report.duration.as_secs_f64()),
        ),
        ("Tool", format!("scimreplay {}", report.tool_version)),
    ] {
        let _ = writeln!(md, "| {key} | {value} |");
    }
    md.push_str(
        "\nEvery request was replayed with Okta's own wire format; tokens and passwords are \
         redacted throughout. `report.json` beside this file holds every request and response.\n",
    );
}

/// The distinct problems, ranked, each led by its check: what to fix first.
fn ranked_problems(md: &mut String, report: &RunReport) {
    if report.problems.is_empty() {
        return;
    }
    md.push_str("\n## Problems, most important first\n\n");
    for (n, p) in report.problems.iter().enumerate() {
        let e = &p.example;
        let _ = writeln!(
            md,
            "{}. **{}** `[{}]` {} — {} in {}; first in `{}` [{}] step {:02} {}: `{}` → {}",
            n + 1,
            p.severity,
            p.check,
            p.message.replace('\n', " "),
            plural(p.steps, "step"),
            plural(p.scenarios, "scenario"),
            e.scenario,
            e.dialect,
            e.step_index,
            e.step,
            e.request_line,
            e.status
                .map_or("no response".to_string(), |s| s.to_string()),
        );
        if !p.hint.is_empty() {
            let _ = writeln!(md, "   Fix: {}", p.hint);
        }
    }
}

fn scenarios_table(md: &mut String, report: &RunReport) {
    md.push_str("\n## Scenarios\n\n| Scenario | Dialect | Result | Steps passed | File |\n|---|---|---|---|---|\n");
    for sc in &report.scenarios {
        let result = scenario_word(sc, report.strict);
        let steps = if sc.status == Status::Skipped {
            "—".to_string()
        } else {
            let passed = sc
                .steps
                .iter()
                .filter(|st| st.status == Status::Passed)
                .count();
            format!("{passed}/{}", sc.steps.len())
        };
        let _ = writeln!(
            md,
            "| `{}` | {} | {result} | {steps} | `{}` |",
            sc.name,
            sc.dialect,
            cell(&sc.file)
        );
    }
}

fn scenario_word(sc: &ScenarioReport, strict: bool) -> &'static str {
    let verdicts = || sc.steps.iter().map(|st| Verdict::of(st, strict));
    match sc.status {
        Status::Skipped => "SKIP",
        Status::Failed => "FAIL",
        Status::Passed if verdicts().any(|v| v == Verdict::Fail) => "FAIL",
        Status::Passed if verdicts().any(|v| v == Verdict::Warn) => "WARN",
        Status::Passed => "PASS",
    }
}

/// Every step with verdict `which`, under a heading, each with its failure block.
fn problems(md: &mut String, report: &RunReport, which: Verdict, title: &str) {
    let steps: Vec<(&ScenarioReport, &StepReport)> = report
        .scenarios
        .iter()
        .flat_map(|sc| sc.steps.iter().map(move |st| (sc, st)))
        .filter(|(_, st)| Verdict::of(st, report.strict) == which)
        .collect();
    if steps.is_empty() {
        return;
    }
    let _ = writeln!(md, "\n## {title}\n");
    for (sc, st) in steps {
        let _ = writeln!(
            md,
            "### `{}` [{}] — {:02} {}\n",
            sc.name, sc.dialect, st.index, st.name
        );
        if let Some(reason) = first_failure(st, report.strict) {
            let _ = writeln!(md, "{}\n", reason.replace('\n', " "));
        }
        let _ = writeln!(md, "Request: `{}`\n", st.request_line);
        let block = plain_text(&step_details(st), 0);
        if !block.is_empty() {
            let _ = writeln!(md, "```text\n{}```\n", block);
        }
    }
}

fn skipped(md: &mut String, report: &RunReport) {
    let skipped: Vec<&ScenarioReport> = report
        .scenarios
        .iter()
        .filter(|sc| sc.status == Status::Skipped)
        .collect();
    if skipped.is_empty() {
        return;
    }
    md.push_str("\n## Skipped\n\n");
    for sc in skipped {
        let reason = sc.skip_reason.as_deref().unwrap_or("skipped");
        let _ = writeln!(md, "- `{}` [{}]: {reason}", sc.name, sc.dialect);
    }
}

/// How often each Okta check was judged, and with what outcome.
fn checks_table(md: &mut String, report: &RunReport) {
    let mut counts: BTreeMap<&str, (Severity, usize, usize)> = BTreeMap::new();
    let outcomes = report
        .scenarios
        .iter()
        .flat_map(|sc| &sc.steps)
        .flat_map(|st| &st.checks);
    for c in outcomes {
        let entry = counts.entry(c.id.as_str()).or_insert((c.severity, 0, 0));
        if c.passed {
            entry.1 += 1;
        } else {
            entry.2 += 1;
        }
    }
    if counts.is_empty() {
        return;
    }
    md.push_str(
        "\n## Okta checks judged\n\n| Check | Severity | Passed | Failed |\n|---|---|---|---|\n",
    );
    for (id, (severity, passed, failed)) in counts {
        let _ = writeln!(md, "| `{id}` | {severity} | {passed} | {failed} |");
    }
    md.push_str(
        "\nWhat each check means, its fix hint and its protocol reference: `scimreplay checks`.\n",
    );
}

/// A Markdown table cell: pipes escaped, one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn markdown_of_a_mixed_run() {
        let md = render_markdown(
            &fixtures::run_report(false),
            "A test profile | with a pipe.",
        );
        insta::assert_snapshot!(md);
    }

    #[test]
    fn a_clean_run_passes_and_strict_warnings_fail() {
        let clean = fixtures::report_of(vec![fixtures::passing_scenario()], false);
        assert!(render_markdown(&clean, "p").contains("**PASS**"));
        let warned = fixtures::report_of(vec![fixtures::warning_scenario(true)], true);
        let md = render_markdown(&warned, "p");
        assert!(md.contains("**FAIL**"), "{md}");
    }

    #[test]
    fn the_bundle_refuses_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        let report = fixtures::run_report(false);
        let mut reporter = EvidenceReporter::new(
            dir.path().to_path_buf(),
            "p".into(),
            vec![crate::secrets::Secret::new("token", report.profile.clone())],
        );
        let err = reporter
            .handle(&Event::RunFinished { report: &report })
            .unwrap_err();
        assert!(err.to_string().contains("secret"), "{err}");
        assert!(!dir.path().join(MARKDOWN_FILE).exists());
    }
}
