//! Terminal output in nextest's and hurl's spirit, readable in CI logs: one line per step with
//! a right-aligned status word (`PASS`, `FAIL`, `WARN`, `SKIP`) in a fixed gutter and a
//! fixed-width bracketed duration; an indented block under failed and warned steps (expected
//! and actual values, check id with hint and protocol reference, transport error, coloured
//! snapshot diff); full HTTP transcripts with `-v`; and a closing summary whose last line is
//! exactly [`summary_line`](super::summary_line). Layout documented in `docs/reports.md`.
//!
//! Colour is decided globally by the caller (`colored::control::set_override`).

use super::{
    Event, Line, ReportError, Reporter, Tone, Verdict, first_failure, format_duration, plural,
    step_details, summary_line, transcript,
};
use crate::replay::result::{RunReport, ScenarioReport, Status, StepReport, TargetInfo};
use crate::snapshot::SnapshotOutcome;
use colored::Colorize;
use std::io::Write;

/// Width of the right-aligned status-word column.
const GUTTER: usize = 12;
/// Indentation of the blocks under a step line (aligned with its duration bracket).
const INDENT: usize = GUTTER + 1;

/// What the human reporter shows.
#[derive(Debug, Clone, Default)]
pub struct HumanOptions {
    /// Print the full HTTP transcript of every step (`-v`).
    pub verbose: bool,
    /// Warn-severity check failures fail the step (`--strict`).
    pub strict: bool,
    /// Base URL of the target, stripped from request lines in transcripts.
    pub base_url: String,
}

/// Writes the run to a terminal or a CI log.
pub struct HumanReporter<W: Write> {
    out: W,
    options: HumanOptions,
}

impl<W: Write> HumanReporter<W> {
    pub fn new(out: W, options: HumanOptions) -> Self {
        HumanReporter { out, options }
    }

    /// Gives the writer back (tests read what was written).
    pub fn into_inner(self) -> W {
        self.out
    }

    fn run_started(
        &mut self,
        target: &TargetInfo,
        profile: &str,
        count: usize,
    ) -> std::io::Result<()> {
        let mut what = String::new();
        if target.embedded {
            what.push_str(" (embedded reference server");
            if !target.quirks.is_empty() {
                what.push_str(&format!(", quirks: {}", target.quirks.join(", ")));
            }
            what.push(')');
        }
        writeln!(
            self.out,
            "Replaying {} against {}{what} with profile {}",
            plural(count, "scenario"),
            target.base_url.bold(),
            profile.bold()
        )
    }

    fn step_finished(&mut self, step: &StepReport) -> std::io::Result<()> {
        let verdict = Verdict::of(step, self.options.strict);
        let attempts = if step.attempts > 1 {
            format!(" ({} attempts)", step.attempts)
        } else {
            String::new()
        };
        let teardown = if step.teardown {
            format!(" {}", "(teardown)".dimmed())
        } else {
            String::new()
        };
        writeln!(
            self.out,
            "{} [{}] {:02} {}{teardown}  {}{attempts}",
            status_word(verdict),
            format_duration(step.duration),
            step.index,
            step.name,
            step.request_line.cyan(),
        )?;
        let mut block = step_details(step);
        if verdict == Verdict::Skip
            && let Some(reason) = &step.error
        {
            block.insert(
                0,
                Line {
                    indent: 0,
                    tone: Tone::Dim,
                    text: format!("skipped: {reason}"),
                },
            );
        }
        self.write_lines(&block)?;
        if self.options.verbose && !step.exchanges.is_empty() {
            let lines = transcript(step, &self.options.base_url);
            self.write_lines(&lines)?;
        }
        Ok(())
    }

    fn scenario_finished(&mut self, scenario: &ScenarioReport) -> std::io::Result<()> {
        if scenario.status != Status::Skipped {
            return Ok(());
        }
        let reason = scenario.skip_reason.as_deref().unwrap_or("skipped");
        writeln!(
            self.out,
            "{} scenario {} [{}]: {reason}",
            status_word(Verdict::Skip),
            scenario.name,
            scenario.dialect
        )
    }

    fn run_finished(&mut self, report: &RunReport) -> std::io::Result<()> {
        let strict = self.options.strict || report.strict;
        writeln!(self.out)?;
        let failed: Vec<_> = report
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Failed)
            .collect();
        if !failed.is_empty() {
            writeln!(self.out, "{}", "Failed scenarios:".red().bold())?;
            for s in failed {
                writeln!(self.out, "    {} [{}]", s.name, s.dialect)?;
                for step in &s.steps {
                    if let Some(why) = first_failure(step, strict) {
                        writeln!(self.out, "        {:02} {}: {why}", step.index, step.name)?;
                    }
                }
            }
        }
        let mismatches: Vec<_> = report
            .scenarios
            .iter()
            .flat_map(|s| &s.steps)
            .filter_map(|step| match &step.snapshot {
                Some(SnapshotOutcome::Mismatch { file, written, .. }) => Some((file, written)),
                Some(o @ SnapshotOutcome::New { file, written, .. }) if o.fails_step() => {
                    Some((file, written))
                }
                _ => None,
            })
            .collect();
        if !mismatches.is_empty() {
            writeln!(self.out, "{}", "Snapshot differences:".yellow().bold())?;
            for (file, written) in mismatches {
                match written {
                    Some(w) => writeln!(self.out, "    {file} (pending: {w})")?,
                    None => writeln!(self.out, "    {file}")?,
                }
            }
        }
        let recorded = report
            .scenarios
            .iter()
            .flat_map(|s| &s.steps)
            .filter(|step| step.status != Status::Failed)
            .filter(|step| matches!(&step.snapshot, Some(SnapshotOutcome::New { written: Some(w), .. }) if w.is_pending()))
            .count();
        if recorded > 0 {
            writeln!(
                self.out,
                "{} recorded as pending files (no baseline for this target and profile yet): review them with `scimreplay review`, or `scimreplay accept` to make them the baseline",
                plural(recorded, "new snapshot")
            )?;
        }
        let (mut passed, mut failed, mut skipped) = (0, 0, 0);
        for step in report.scenarios.iter().flat_map(|s| &s.steps) {
            match Verdict::of(step, strict) {
                Verdict::Pass | Verdict::Warn => passed += 1,
                Verdict::Fail => failed += 1,
                Verdict::Skip => skipped += 1,
            }
        }
        writeln!(
            self.out,
            "steps: {passed} passed, {failed} failed, {skipped} skipped; {}; {}; took {}",
            plural(report.summary.warnings, "warning"),
            plural(report.summary.snapshot_differences, "snapshot difference"),
            format_duration(report.duration).trim_start()
        )?;
        writeln!(self.out, "{}", summary_line(&report.summary))?;
        self.out.flush()
    }

    fn write_lines(&mut self, lines: &[Line]) -> std::io::Result<()> {
        for line in lines {
            let pad = if line.text.is_empty() {
                0
            } else {
                INDENT + line.indent
            };
            writeln!(self.out, "{:pad$}{}", "", paint(line.tone, &line.text))?;
        }
        Ok(())
    }
}

impl<W: Write> Reporter for HumanReporter<W> {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        match *event {
            Event::RunStarted {
                target,
                profile,
                scenario_count,
            } => self.run_started(target, profile, scenario_count)?,
            Event::ScenarioStarted { name, dialect } => {
                let header = format!("scenario {name} [{dialect}]");
                writeln!(self.out, "{}", header.bold())?;
            }
            Event::StepFinished { step, .. } => self.step_finished(step)?,
            Event::ScenarioFinished { scenario } => self.scenario_finished(scenario)?,
            Event::RunFinished { report } => self.run_finished(report)?,
        }
        Ok(())
    }
}

/// The status word right-aligned in the gutter, coloured.
fn status_word(verdict: Verdict) -> String {
    let word = verdict.word();
    let styled = match verdict {
        Verdict::Pass => word.green().bold(),
        Verdict::Warn => word.yellow().bold(),
        Verdict::Fail => word.red().bold(),
        Verdict::Skip => word.yellow(),
    };
    format!("{:pad$}{styled}", "", pad = GUTTER - word.len())
}

/// Styles one block line; diff lines get the usual colours (`-` red, `+` green, `@@` cyan).
fn paint(tone: Tone, text: &str) -> String {
    match tone {
        Tone::Plain => text.to_string(),
        Tone::Failure | Tone::Removed => text.red().to_string(),
        Tone::Warning => text.yellow().to_string(),
        Tone::Hint => text.bold().to_string(),
        Tone::Dim => text.dimmed().to_string(),
        Tone::Added => text.green().to_string(),
        Tone::Hunk => text.cyan().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    fn render(report: &RunReport, verbose: bool) -> String {
        colored::control::set_override(false);
        let options = HumanOptions {
            verbose,
            strict: report.strict,
            base_url: fixtures::BASE.to_string(),
        };
        let mut reporter = HumanReporter::new(Vec::new(), options);
        fixtures::drive(report, &mut reporter);
        String::from_utf8(reporter.into_inner()).unwrap()
    }

    #[test]
    fn passing_run() {
        let report = fixtures::report_of(vec![fixtures::passing_scenario()], false);
        let out = render(&report, false);
        assert!(out.ends_with("\n1 passed, 0 failed\n"), "{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn failures_with_diff_checks_errors_and_skips() {
        let out = render(&fixtures::run_report(false), false);
        assert!(out.ends_with("\n2 passed, 2 failed, 1 skipped\n"), "{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn verbose_transcripts() {
        let report = fixtures::report_of(
            vec![
                fixtures::failing_scenario(),
                fixtures::warning_scenario(false),
                fixtures::transport_error_scenario(),
            ],
            false,
        );
        insta::assert_snapshot!(render(&report, true));
    }

    #[test]
    fn warnings_do_not_fail_without_strict() {
        let report = fixtures::report_of(vec![fixtures::warning_scenario(false)], false);
        let out = render(&report, false);
        assert!(out.contains("WARN ["), "{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn warnings_fail_under_strict() {
        let report = fixtures::report_of(vec![fixtures::warning_scenario(true)], true);
        let out = render(&report, false);
        assert!(out.contains("FAIL ["), "{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn quirks_are_named_in_the_first_line() {
        let mut report = fixtures::report_of(Vec::new(), false);
        report.target.quirks = vec!["string-booleans".to_string(), "slow".to_string()];
        let out = render(&report, false);
        insta::assert_snapshot!(out.lines().next().unwrap(), @"Replaying 0 scenarios against http://127.0.0.1:40123/scim/v2 (embedded reference server, quirks: string-booleans, slow) with profile okta-aiw");
    }
}
