//! Terminal output in nextest's and hurl's spirit, readable in CI logs, quiet by default: one
//! line per scenario instance with a right-aligned status word (`PASS`, `FAIL`, `WARN`,
//! `SKIP`) in a fixed gutter and a fixed-width bracketed duration; under a failed scenario, its
//! failed steps (each by its most specific check) with the steps that only followed from them
//! folded into one line; one line of snapshot bookkeeping; the ranked list of distinct problems
//! (`super::problems`); and a closing summary whose last line is exactly
//! [`summary_line`](super::summary_line). `-v` brings back every step line, the block under
//! each failed or warned step and full HTTP transcripts. On a terminal (not `--ci`) a progress
//! line on stderr shows the scenario being replayed. Layout documented in `docs/reports.md`.
//!
//! Colour is decided globally by the caller (`colored::control::set_override`).

use super::{
    Line, ReportError, Reporter, Tone, Verdict, format_duration, plural, step_details,
    summary_line, transcript,
};
use crate::replay::result::{
    Event, Problem, RunReport, ScenarioReport, Status, StepReport, TargetInfo,
};
use crate::snapshot::SnapshotOutcome;
use colored::Colorize;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Width of the right-aligned status-word column.
const GUTTER: usize = 12;
/// Indentation of the blocks under a step line (aligned with its duration bracket).
const INDENT: usize = GUTTER + 1;
/// Lines of a snapshot diff shown without `-v`.
const QUIET_DIFF_LINES: usize = 12;

/// What the human reporter shows.
#[derive(Debug, Clone, Default)]
pub struct HumanOptions {
    /// Print every step, its block and the full HTTP transcript of every step (`-v`).
    pub verbose: bool,
    /// Warn-severity check failures fail the step (`--strict`).
    pub strict: bool,
    /// Base URL of the target, stripped from request lines in transcripts.
    pub base_url: String,
    /// Running under `--ci` (or `CI`): no progress line, new snapshots are not written.
    pub ci: bool,
}

/// Writes the run to a terminal or a CI log.
pub struct HumanReporter<W: Write> {
    out: W,
    options: HumanOptions,
    progress: Option<indicatif::ProgressBar>,
}

impl<W: Write> HumanReporter<W> {
    pub fn new(out: W, options: HumanOptions) -> Self {
        HumanReporter {
            out,
            options,
            progress: None,
        }
    }

    /// Shows a progress line on stderr while scenarios run, when stderr is a terminal and the
    /// run is neither `--ci` nor `-v`.
    pub fn with_progress(mut self) -> Self {
        let wanted = std::io::stderr().is_terminal() && !self.options.ci && !self.options.verbose;
        if wanted {
            let bar = indicatif::ProgressBar::new(0);
            let style = indicatif::ProgressStyle::with_template(
                "{spinner} [{pos}/{len}] {elapsed} {wide_msg}",
            );
            if let Ok(style) = style {
                bar.set_style(style);
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            self.progress = Some(bar);
        }
        self
    }

    /// Gives the writer back (tests read what was written).
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Writes one line, with the progress line out of the way.
    fn line(&mut self, text: &str) -> std::io::Result<()> {
        let out = &mut self.out;
        match &self.progress {
            Some(bar) => bar.suspend(|| writeln!(out, "{text}")),
            None => writeln!(out, "{text}"),
        }
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
        if let Some(bar) = &self.progress {
            bar.set_length(count as u64);
        }
        self.line(&format!(
            "Replaying {} against {}{what} with profile {}",
            plural(count, "scenario"),
            target.base_url.bold(),
            profile.bold()
        ))
    }

    /// `-v`: the step line, its block (a consequence's without its misleading hint), and the
    /// HTTP transcript.
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
        self.line(&format!(
            "{} [{}] {:02} {}{teardown}  {}{attempts}",
            status_word(verdict),
            format_duration(step.duration),
            step.index,
            step.name,
            step.request_line.cyan(),
        ))?;
        let mut block = step_details(step);
        if let Some(root) = step.consequence_of {
            block.retain(|l| !l.text.starts_with("hint: ") && !l.text.starts_with("see: "));
            let note = format!(
                "consequence of step {root:02} failing: not a problem of its own (its hint would mislead)"
            );
            block.insert(0, Line::new(0, Tone::Dim, note));
        } else if verdict == Verdict::Skip
            && let Some(reason) = &step.error
        {
            block.insert(0, Line::new(0, Tone::Dim, format!("skipped: {reason}")));
        }
        self.write_lines(&block)?;
        if !step.exchanges.is_empty() {
            let lines = transcript(step, &self.options.base_url);
            self.write_lines(&lines)?;
        }
        Ok(())
    }

    fn scenario_finished(&mut self, scenario: &ScenarioReport) -> std::io::Result<()> {
        if let Some(bar) = &self.progress {
            bar.inc(1);
        }
        if scenario.status == Status::Skipped {
            let reason = scenario.skip_reason.as_deref().unwrap_or("skipped");
            return self.line(&format!(
                "{} scenario {} [{}]: {reason}",
                status_word(Verdict::Skip),
                scenario.name,
                scenario.dialect
            ));
        }
        if self.options.verbose {
            return Ok(());
        }
        self.scenario_line(scenario)?;
        let strict = self.options.strict;
        for step in &scenario.steps {
            if step.consequence_of.is_some() {
                continue;
            }
            let Some(p) = super::problems::primary_failure(step, strict) else {
                continue;
            };
            let status = step
                .exchanges
                .last()
                .and_then(|e| e.status())
                .map(|s| format!(" -> {s}"))
                .unwrap_or_default();
            let lines = vec![
                Line::new(
                    0,
                    Tone::Plain,
                    format!(
                        "{:02} {}  {}{status}",
                        step.index, step.name, step.request_line
                    ),
                ),
                Line::new(2, Tone::Failure, format!("[{}] {}", p.check, p.message)),
            ];
            self.write_lines(&lines)?;
            if let Some(SnapshotOutcome::Mismatch { diff, .. }) = &step.snapshot
                && p.check == "snapshot"
            {
                self.snapshot_diff(diff)?;
            }
            let followers: Vec<String> = scenario
                .steps
                .iter()
                .filter(|s| s.consequence_of == Some(step.index))
                .map(|s| format!("{:02} {}", s.index, s.name))
                .collect();
            if !followers.is_empty() {
                let note = format!(
                    "+ {} only because of it (not counted as problems): {}",
                    followers_phrase(followers.len()),
                    followers.join(", ")
                );
                self.write_lines(&[Line::new(2, Tone::Dim, note)])?;
            }
        }
        Ok(())
    }

    /// A snapshot diff under its step, cut to [`QUIET_DIFF_LINES`] lines unless `-v`.
    fn snapshot_diff(&mut self, diff: &str) -> std::io::Result<()> {
        let total = diff.lines().count();
        let mut lines: Vec<Line> = diff
            .lines()
            .take(QUIET_DIFF_LINES)
            .map(|d| Line::new(4, super::block::diff_tone(d), d))
            .collect();
        if total > QUIET_DIFF_LINES {
            let more = format!(
                "… {} more diff lines (-v shows them)",
                total - QUIET_DIFF_LINES
            );
            lines.push(Line::new(4, Tone::Dim, more));
        }
        self.write_lines(&lines)
    }

    /// The one line of a scenario instance: verdict, duration, name, step counts.
    fn scenario_line(&mut self, scenario: &ScenarioReport) -> std::io::Result<()> {
        let strict = self.options.strict;
        let mut counts = [0usize; 4];
        let mut warnings = 0;
        for step in &scenario.steps {
            let v = Verdict::of(step, strict);
            counts[v as usize] += 1;
            warnings += step.warnings().count();
        }
        let verdict = if scenario.status == Status::Failed || counts[Verdict::Fail as usize] > 0 {
            Verdict::Fail
        } else if warnings > 0 && !strict {
            Verdict::Warn
        } else {
            Verdict::Pass
        };
        let mut detail = vec![plural(scenario.steps.len(), "step")];
        if counts[Verdict::Fail as usize] > 0 {
            detail.push(format!("{} failed", counts[Verdict::Fail as usize]));
        }
        if counts[Verdict::Skip as usize] > 0 {
            detail.push(format!("{} skipped", counts[Verdict::Skip as usize]));
        }
        if warnings > 0 && !strict {
            detail.push(plural(warnings, "warning"));
        }
        self.line(&format!(
            "{} [{}] {} [{}]  {}",
            status_word(verdict),
            format_duration(scenario.duration),
            scenario.name,
            scenario.dialect,
            detail.join(", ").dimmed()
        ))
    }

    fn run_finished(&mut self, report: &RunReport) -> std::io::Result<()> {
        if let Some(bar) = self.progress.take() {
            bar.finish_and_clear();
        }
        let strict = self.options.strict || report.strict;
        writeln!(self.out)?;
        if self.options.verbose {
            self.snapshot_differences(report)?;
        }
        self.snapshot_bookkeeping(report)?;
        self.problems(&report.problems)?;
        if let Some(why) = &report.interrupted {
            writeln!(
                self.out,
                "{}",
                format!(
                    "Stopped early ({why}): scenarios not started are listed as skipped; what the run created was cleaned up"
                )
                .yellow()
                .bold()
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

    /// `-v`: every differing snapshot file.
    fn snapshot_differences(&mut self, report: &RunReport) -> std::io::Result<()> {
        let mismatches: Vec<_> = report
            .scenarios
            .iter()
            .flat_map(|s| &s.steps)
            .filter_map(|step| match &step.snapshot {
                Some(SnapshotOutcome::Mismatch { file, written, .. }) => Some((file, written)),
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
        Ok(())
    }

    /// One line about the snapshots recorded for steps that passed (no baseline yet).
    fn snapshot_bookkeeping(&mut self, report: &RunReport) -> std::io::Result<()> {
        let mut pending = Vec::new();
        let mut committed = Vec::new();
        let mut unwritten = 0;
        let new = report
            .scenarios
            .iter()
            .flat_map(|s| &s.steps)
            .filter(|step| step.status != Status::Failed)
            .filter_map(|step| match &step.snapshot {
                Some(SnapshotOutcome::New { written, .. }) => Some(written),
                _ => None,
            });
        for written in new {
            match written {
                Some(w) if w.is_pending() => pending.push(PathBuf::from(&w.path)),
                Some(w) => committed.push(PathBuf::from(&w.path)),
                None => unwritten += 1,
            }
        }
        if !pending.is_empty() {
            writeln!(
                self.out,
                "{}, no baseline for this target and profile yet — written as pending files under {}: review them with `scimreplay review`, or `scimreplay accept` to make them the baseline",
                plural(pending.len(), "new snapshot"),
                common_dir(&pending).display()
            )?;
        }
        if !committed.is_empty() {
            writeln!(
                self.out,
                "{} written to {}",
                plural(committed.len(), "new snapshot"),
                common_dir(&committed).display()
            )?;
        }
        if unwritten > 0 {
            let why = if self.options.ci {
                "not written under --ci"
            } else {
                "not written (--update no)"
            };
            writeln!(
                self.out,
                "{}, no baseline for this target and profile yet — {why}",
                plural(unwritten, "new snapshot")
            )?;
        }
        Ok(())
    }

    /// The ranked list of distinct problems.
    fn problems(&mut self, problems: &[Problem]) -> std::io::Result<()> {
        if problems.is_empty() {
            return Ok(());
        }
        let title = format!(
            "{} to fix, most important first:",
            plural(problems.len(), "problem")
        );
        writeln!(self.out, "{}", title.bold())?;
        for (n, p) in problems.iter().enumerate() {
            let word = match p.severity {
                crate::check::Severity::Fail => "FAIL".red().bold(),
                crate::check::Severity::Warn => "WARN".yellow().bold(),
            };
            writeln!(self.out, "{:>3}. {word} [{}] {}", n + 1, p.check, p.message)?;
            let e = &p.example;
            let mut lines = vec![Line::new(
                0,
                Tone::Plain,
                format!(
                    "{} in {}; first in {} [{}] step {:02} {}",
                    plural(p.steps, "step"),
                    plural(p.scenarios, "scenario"),
                    e.scenario,
                    e.dialect,
                    e.step_index,
                    e.step
                ),
            )];
            lines.push(Line::new(
                0,
                Tone::Plain,
                format!("request: {}", e.request_line),
            ));
            lines.push(Line::new(
                0,
                Tone::Plain,
                format!("answer:  {}", e.response),
            ));
            if p.consequences > 0 {
                let note = format!(
                    "{} only because of it (not counted)",
                    followers_phrase(p.consequences)
                );
                lines.push(Line::new(0, Tone::Dim, note));
            }
            if !p.hint.is_empty() {
                lines.push(Line::new(0, Tone::Hint, format!("hint: {}", p.hint)));
            }
            if !p.reference.is_empty() {
                let see = format!("see: {}", super::block::reference_text(&p.reference));
                lines.push(Line::new(0, Tone::Dim, see));
            }
            for line in lines {
                writeln!(self.out, "       {}", paint(line.tone, &line.text))?;
            }
        }
        Ok(())
    }

    fn write_lines(&mut self, lines: &[Line]) -> std::io::Result<()> {
        for line in lines {
            let pad = if line.text.is_empty() {
                0
            } else {
                INDENT + line.indent
            };
            let text = format!("{:pad$}{}", "", paint(line.tone, &line.text));
            self.line(&text)?;
        }
        Ok(())
    }
}

/// `1 later step failed or was skipped`, `3 later steps failed or were skipped`.
fn followers_phrase(count: usize) -> String {
    if count == 1 {
        "1 later step failed or was skipped".into()
    } else {
        format!("{count} later steps failed or were skipped")
    }
}

/// The deepest directory holding every path.
fn common_dir(paths: &[PathBuf]) -> PathBuf {
    let mut common: PathBuf = paths
        .first()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for p in paths {
        while !p.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
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
                if let Some(bar) = &self.progress {
                    bar.set_message(format!("{name} [{dialect}]"));
                }
                if self.options.verbose {
                    let header = format!("scenario {name} [{dialect}]");
                    self.line(&header.bold().to_string())?;
                }
            }
            Event::StepFinished { step, .. } if self.options.verbose => self.step_finished(step)?,
            Event::StepFinished { .. } => {}
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
            ci: false,
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
