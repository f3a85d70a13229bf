//! Reporters: turn the replay engine's event stream into terminal output ([`HumanReporter`]),
//! a versioned JSON report ([`JsonReporter`], `docs/report-json.md`), JUnit XML
//! ([`JunitReporter`], `docs/reports.md`), a self-contained HTML page ([`HtmlReporter`]) and
//! the evidence bundle ([`EvidenceReporter`]).
//!
//! The engine never prints and reporters never send requests: a run emits
//! [`Event`](crate::replay::result::Event)s that borrow from the result tree, both defined in
//! `crate::replay::result` (the one module reporters read), and a [`Fanout`] forwards each
//! event to every enabled reporter (nextest's pattern). Exchanges arrive already secret-redacted;
//! file reporters still write through [`crate::fsutil::write_atomic`], which refuses any
//! content holding any form of a secret (`crate::secrets`).
//!
//! The step verdict and duration format live here; the text blocks the human and JUnit
//! reporters share (failure block, HTTP transcript) live in `block`.

mod block;
pub mod evidence;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod problems;

pub use evidence::EvidenceReporter;
pub use html::HtmlReporter;
pub use human::{HumanOptions, HumanReporter};
pub use json::JsonReporter;
pub use junit::JunitReporter;

pub(crate) use block::{
    Line, Tone, first_failure, is_error, plain_text, step_details, transcript, warning_lines,
};

use crate::fsutil::WriteError;
use crate::replay::result::{Event, Status, StepReport, Summary};
use std::time::Duration;

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

#[cfg(test)]
pub(crate) mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Dialect;
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
}
