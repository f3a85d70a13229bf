//! JUnit XML (`--report-junit FILE`) built with quick-junit, layout in `docs/reports.md`:
//! one `testsuite` per scenario instance (`<scenario> [<dialect>]`), one `testcase` per step
//! (teardown included; classname = scenario name, name = `NN step-name`, time = step
//! duration). A failed step carries a `failure` whose message starts with the first failing
//! check id in brackets and whose text is the human failure block without colour; a runtime
//! error (transport, missing variable) is an `error`; skipped steps and skipped scenarios are
//! `skipped` with their reason. Warnings and, for failed steps, the HTTP transcript go to the
//! testcase's `system-out`. Written atomically on `RunFinished` through the secret guard.

use super::{
    ReportError, Reporter, Verdict, first_failure, is_error, plain_text, step_details, transcript,
    warning_lines,
};
use crate::fsutil::write_atomic;
use crate::replay::result::{Event, RunReport, ScenarioReport, Status, StepReport};
use crate::secrets::Secret;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::path::PathBuf;

/// Writes the JUnit XML report when the run finishes.
pub struct JunitReporter {
    path: PathBuf,
    secrets: Vec<Secret>,
}

impl JunitReporter {
    /// The file is refused if it holds any form of one of `secrets`.
    pub fn new(path: PathBuf, secrets: Vec<Secret>) -> Self {
        JunitReporter { path, secrets }
    }
}

impl Reporter for JunitReporter {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        if let Event::RunFinished { report } = event {
            let xml = render_junit(report)?;
            write_atomic(&self.path, xml.as_bytes(), &self.secrets)?;
        }
        Ok(())
    }
}

/// The run as JUnit XML.
pub fn render_junit(report: &RunReport) -> Result<String, quick_junit::SerializeError> {
    let mut junit = Report::new("scimreplay");
    junit.set_time(report.duration);
    for scenario in &report.scenarios {
        junit.add_test_suite(suite(scenario, report));
    }
    let mut xml = junit.to_string()?;
    if !xml.ends_with('\n') {
        xml.push('\n');
    }
    Ok(xml)
}

fn suite(scenario: &ScenarioReport, report: &RunReport) -> TestSuite {
    let mut suite = TestSuite::new(format!("{} [{}]", scenario.name, scenario.dialect));
    suite.set_time(scenario.duration);
    suite.add_property(("file", scenario.file.as_str()));
    suite.add_property(("dialect", scenario.dialect.as_str()));
    if scenario.status == Status::Skipped {
        let mut status = TestCaseStatus::skipped();
        status.set_message(scenario.skip_reason.as_deref().unwrap_or("skipped"));
        let mut case = TestCase::new("scenario skipped", status);
        case.set_classname(scenario.name.as_str());
        suite.add_test_case(case);
        return suite;
    }
    for step in &scenario.steps {
        suite.add_test_case(step_case(scenario, step, report));
    }
    suite
}

fn step_case(scenario: &ScenarioReport, step: &StepReport, report: &RunReport) -> TestCase {
    let strict = report.strict;
    let verdict = Verdict::of(step, strict);
    let mut out = plain_text(&warning_lines(step), 0);
    let status = match verdict {
        Verdict::Pass | Verdict::Warn => TestCaseStatus::success(),
        Verdict::Skip => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(step.error.as_deref().unwrap_or("skipped"));
            status
        }
        Verdict::Fail => {
            let block = plain_text(&step_details(step), 0);
            let mut status = if is_error(step, strict) {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_message(step.error.as_deref().unwrap_or("error"));
                status
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let reason = first_failure(step, strict).unwrap_or_default();
                status.set_message(match step.consequence_of {
                    Some(root) => format!("consequence of step {root:02} failing: {reason}"),
                    None => reason,
                });
                status
            };
            status.set_description(block);
            let exchanges = plain_text(&transcript(step, &report.target.base_url), 0);
            if !exchanges.is_empty() {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&exchanges);
            }
            status
        }
    };
    let mut case = TestCase::new(format!("{:02} {}", step.index, step.name), status);
    case.set_classname(scenario.name.as_str());
    case.set_time(step.duration);
    if !out.is_empty() {
        case.set_system_out(out);
    }
    case
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn junit_report() {
        let xml = render_junit(&fixtures::run_report(false)).unwrap();
        assert!(
            xml.contains(r#"message="[status.expected] expected 201, got 200""#),
            "{xml}"
        );
        insta::assert_snapshot!(xml);
    }

    #[test]
    fn strict_turns_warnings_into_failures() {
        let report = fixtures::report_of(vec![fixtures::warning_scenario(true)], true);
        let xml = render_junit(&report).unwrap();
        assert!(
            xml.contains(r#"<failure message="[list-response.schema-urn] the ListResponse has no schemas member""#),
            "{xml}"
        );
        insta::assert_snapshot!(xml);
    }

    #[test]
    fn written_atomically_on_run_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junit.xml");
        let secrets = vec![Secret::new("SCIM_TOKEN", "never-in-output")];
        let mut reporter = JunitReporter::new(path.clone(), secrets);
        let report = fixtures::run_report(false);
        fixtures::drive(&report, &mut reporter);
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written, render_junit(&report).unwrap());
    }

    #[test]
    fn refuses_a_report_that_contains_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junit.xml");
        let secrets = vec![Secret::new("SCIM_TOKEN", "tok-9f8e7d6c5b")];
        let mut reporter = JunitReporter::new(path.clone(), secrets);
        let mut report = fixtures::run_report(false);
        report.scenarios[1].steps[1].exchanges[0].request.body =
            Some(r#"{"password":"tok-9f8e7d6c5b"}"#.to_string());
        let err = reporter
            .handle(&Event::RunFinished { report: &report })
            .unwrap_err();
        assert!(matches!(err, ReportError::Write(_)), "{err}");
        assert!(!path.exists());
    }
}
