//! `run --jobs N`: scenario instances replayed concurrently, reported in their given order.
//!
//! Each instance gets its own run id, so the users and groups of two instances in flight never
//! collide (snapshots normalize the id away, so they do not change). An instance tagged
//! `exclusive` — one that reads the whole target, like Okta's import paging through every user
//! — runs alone: the instances before it finish first and the ones after it wait. Events are
//! emitted from each finished instance's report, in order, so every reporter sees the same
//! stream as in a sequential run; only durations differ.

use super::client::TransportFailure;
use super::engine::{Engine, Instance, RunAbort, skipped};
use super::render::random_alnum;
use super::result::{Event, ScenarioReport, Status};
use crate::report::{ReportError, Reporter};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicBool, Ordering};

/// Scenarios with this tag never run alongside others.
pub const EXCLUSIVE_TAG: &str = "exclusive";

/// Discards events: a concurrent instance is reported from its finished report instead.
struct Silent;

impl Reporter for Silent {
    fn handle(&mut self, _: &Event<'_>) -> Result<(), ReportError> {
        Ok(())
    }
}

/// Splits `instances` into groups that may run together, in order: maximal runs of ordinary
/// instances, and each exclusive instance alone.
fn batches<'i, 'a>(instances: &'i [Instance<'a>]) -> Vec<&'i [Instance<'a>]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, inst) in instances.iter().enumerate() {
        if is_exclusive(inst) {
            if start < i {
                out.push(&instances[start..i]);
            }
            out.push(&instances[i..=i]);
            start = i + 1;
        }
    }
    if start < instances.len() {
        out.push(&instances[start..]);
    }
    out
}

fn is_exclusive(inst: &Instance<'_>) -> bool {
    inst.scenario.def.tags.iter().any(|t| t == EXCLUSIVE_TAG)
}

impl Engine<'_> {
    /// Replays the instances with up to `jobs` in flight; returns the reports in the given
    /// order and whether `--fail-fast` stopped the run (instances not yet started are skipped).
    pub(super) async fn run_concurrently(
        &self,
        instances: &[Instance<'_>],
        reporter: &mut dyn Reporter,
    ) -> Result<(Vec<ScenarioReport>, bool), RunAbort> {
        let stop = AtomicBool::new(false);
        let mut scenarios = Vec::new();
        for batch in batches(instances) {
            let mut finished = futures_util::stream::iter(batch)
                .map(|inst| self.run_detached(inst, &stop))
                .buffered(self.jobs);
            while let Some((report, fatal)) = finished.next().await {
                emit(&report, reporter)?;
                if let Some(f) = fatal {
                    return Err(RunAbort::Target(f));
                }
                scenarios.push(report);
            }
        }
        Ok((scenarios, stop.load(Ordering::SeqCst)))
    }

    /// One instance with its own run id and no live reporting.
    async fn run_detached(
        &self,
        inst: &Instance<'_>,
        stop: &AtomicBool,
    ) -> (ScenarioReport, Option<TransportFailure>) {
        if let Some(reason) = &inst.skip {
            return (skipped(inst, reason.clone()), None);
        }
        if self.stopped().is_some() {
            return (self.not_run(inst), None);
        }
        if stop.load(Ordering::SeqCst) {
            let why = "not run: --fail-fast stopped the run after a failure";
            return (skipped(inst, why.into()), None);
        }
        let run_id = random_alnum(self.run_id.len().max(8));
        match self.run_instance(inst, &run_id, &mut Silent).await {
            Ok((report, fatal)) => {
                if self.fail_fast && report.status == Status::Failed {
                    stop.store(true, Ordering::SeqCst);
                }
                (report, fatal)
            }
            // `Silent` never fails, so there is no report error to carry.
            Err(e) => (skipped(inst, format!("not run: {e}")), None),
        }
    }
}

/// The events a sequential run would have emitted for this finished instance.
fn emit(report: &ScenarioReport, reporter: &mut dyn Reporter) -> Result<(), RunAbort> {
    if report.status != Status::Skipped {
        reporter.handle(&Event::ScenarioStarted {
            name: &report.name,
            dialect: report.dialect,
        })?;
        for step in &report.steps {
            reporter.handle(&Event::StepFinished {
                scenario: &report.name,
                dialect: report.dialect,
                step,
            })?;
        }
    }
    reporter.handle(&Event::ScenarioFinished { scenario: report })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_instances_run_alone_in_their_place() {
        let tagged = |name: &str, tags: &[&str]| {
            let yaml = format!(
                "format: 1\nname: {name}\ndescription: d\ntags: [{}]\nsteps:\n  - name: s\n    request: {{method: GET, path: /Users}}\n",
                tags.join(", ")
            );
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("s.yaml");
            std::fs::write(&file, yaml).unwrap();
            crate::scenario::load_file(&file, &|_: &str| true).unwrap()
        };
        let scenarios = [
            tagged("a", &[]),
            tagged("b", &[]),
            tagged("import", &[EXCLUSIVE_TAG]),
            tagged("c", &[]),
            tagged("spec", &[EXCLUSIVE_TAG]),
        ];
        let instances: Vec<Instance<'_>> = scenarios
            .iter()
            .map(|scenario| Instance {
                scenario,
                dialect: crate::scenario::Dialect::Put,
                skip: None,
            })
            .collect();
        let names: Vec<Vec<&str>> = batches(&instances)
            .iter()
            .map(|b| b.iter().map(|i| i.scenario.def.name.as_str()).collect())
            .collect();
        assert_eq!(
            names,
            vec![vec!["a", "b"], vec!["import"], vec!["c"], vec!["spec"]]
        );
    }
}
