//! `run --rerun-failed [REPORT.json]`: which scenario instances failed last time. Every `run`
//! leaves a small record of its outcome in [`LAST_RUN`]; a JSON report (`--report-json`) is read
//! the same way. Only `scenarios[].name`, `.dialect`, `.status` and `.steps[].status` are read,
//! so any report format that keeps those fields works.

use super::model::Dialect;
use crate::replay::result::{Event, RunReport, Status};
use crate::report::{ReportError, Reporter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where `run` records its outcome for a later `--rerun-failed` without a file.
pub const LAST_RUN: &str = ".scimreplay/last-run.json";

/// Name prefix of the steady-state pass's pseudo-scenario (`steady-state/<profile>`).
const STEADY_PREFIX: &str = "steady-state/";

/// The `status` value of a failed scenario or step in the report.
const FAILED: &str = "failed";

fn status_text(status: Status) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// What failed in an earlier run.
#[derive(Debug, Default, PartialEq)]
pub struct Failed {
    pub instances: BTreeSet<(String, Dialect)>,
    /// The steady-state pass failed too.
    pub steady_state: bool,
}

#[derive(Deserialize, Serialize)]
struct Record {
    scenarios: Vec<RecordScenario>,
}

#[derive(Deserialize, Serialize)]
struct RecordScenario {
    name: String,
    dialect: Dialect,
    status: String,
    #[serde(default)]
    steps: Vec<RecordStep>,
}

#[derive(Deserialize, Serialize)]
struct RecordStep {
    status: String,
}

/// Why `--rerun-failed` cannot tell what failed.
#[derive(Debug, thiserror::Error)]
pub enum RerunError {
    #[error(
        "--rerun-failed: no earlier run recorded here ({LAST_RUN} is missing); run once first or name a --report-json file"
    )]
    NoEarlierRun,
    #[error("--rerun-failed: cannot read {path}: {source}")]
    Unreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("--rerun-failed: {path} is not a scimreplay JSON report: {source}")]
    NotAReport {
        path: String,
        #[source]
        source: serde_json::Error,
    },
}

/// Reads the failed instances of the run recorded in `path`.
pub fn read_failed(path: &Path) -> Result<Failed, RerunError> {
    let text = std::fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound && path == Path::new(LAST_RUN) {
            RerunError::NoEarlierRun
        } else {
            RerunError::Unreadable {
                path: path.display().to_string(),
                source,
            }
        }
    })?;
    let record: Record = serde_json::from_str(&text).map_err(|source| RerunError::NotAReport {
        path: path.display().to_string(),
        source,
    })?;
    let mut failed = Failed::default();
    for s in record.scenarios {
        let step_failed = s.steps.iter().any(|st| st.status == FAILED);
        if s.status != FAILED && !step_failed {
            continue;
        }
        if s.name.starts_with(STEADY_PREFIX) {
            failed.steady_state = true;
        } else {
            failed.instances.insert((s.name, s.dialect));
        }
    }
    Ok(failed)
}

/// Writes [`LAST_RUN`] when the run finishes. A record that cannot be written only costs a
/// later `--rerun-failed` its default, so it is a warning, never a failed run.
pub struct LastRunRecorder {
    path: PathBuf,
}

impl LastRunRecorder {
    pub fn new() -> Self {
        LastRunRecorder {
            path: PathBuf::from(LAST_RUN),
        }
    }
}

impl Default for LastRunRecorder {
    fn default() -> Self {
        Self::new()
    }
}

fn record_of(report: &RunReport) -> Record {
    Record {
        scenarios: report
            .scenarios
            .iter()
            .map(|s| RecordScenario {
                name: s.name.clone(),
                dialect: s.dialect,
                status: status_text(s.status),
                steps: s
                    .steps
                    .iter()
                    .map(|st| RecordStep {
                        status: status_text(st.status),
                    })
                    .collect(),
            })
            .collect(),
    }
}

impl Reporter for LastRunRecorder {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        if let Event::RunFinished { report } = event {
            let written = serde_json::to_vec_pretty(&record_of(report))
                .map_err(std::io::Error::other)
                .and_then(|bytes| {
                    if let Some(dir) = self.path.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    std::fs::write(&self.path, bytes)
                });
            if let Err(e) = written {
                eprintln!(
                    "warning: could not record this run in {} ({e}); --rerun-failed will need a report file",
                    self.path.display()
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_instances_and_steady_state_are_read_from_a_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(
            &path,
            r#"{"report_format": 1, "extra": true, "scenarios": [
              {"name": "okta/a", "dialect": "put", "status": "passed", "steps": []},
              {"name": "okta/b", "dialect": "patch", "status": "failed", "steps": []},
              {"name": "okta/c", "dialect": "put", "status": "passed", "steps": [{"status": "failed"}]},
              {"name": "okta/d", "dialect": "put", "status": "skipped"},
              {"name": "steady-state/okta-aiw", "dialect": "put", "status": "failed", "steps": []}
            ]}"#,
        )
        .unwrap();
        let failed = read_failed(&path).unwrap();
        let names: Vec<_> = failed.instances.iter().cloned().collect();
        assert_eq!(
            names,
            vec![
                ("okta/b".to_string(), Dialect::Patch),
                ("okta/c".to_string(), Dialect::Put)
            ]
        );
        assert!(failed.steady_state);
    }

    #[test]
    fn unreadable_reports_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        assert!(
            read_failed(&path)
                .unwrap_err()
                .to_string()
                .contains("cannot read")
        );
        std::fs::write(&path, "not json").unwrap();
        assert!(
            read_failed(&path)
                .unwrap_err()
                .to_string()
                .contains("not a scimreplay JSON report")
        );
    }
}
