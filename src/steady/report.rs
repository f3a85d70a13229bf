//! Turns a steady-state [`Outcome`] into verdicts: drift-row verdicts and consequences from the
//! sync loop, the three named checks, and a `steady-state/<profile>` scenario report (steps
//! `fidelity`, `idempotency`, `sync-loop`, teardown `cleanup`) that every `run` reporter shows.

use super::sync_loop::LoopVerdict;
use super::{DriftRow, Outcome, Phase};
use crate::check::Severity;
use crate::check::drift::{self as fidelity, Drift};
use crate::replay::result::{CheckOutcome, ScenarioReport, Status, StepReport};
use crate::secrets::{Secret, scrub};
use serde_json::Value;

/// Fills each drift row's verdict, consequence and severity from the sync loop, and adds rows
/// for attributes that only the import showed.
pub fn merge_verdicts(out: &mut Outcome) {
    let mut import_rows = Vec::new();
    for r in &out.resources {
        let drifts: Vec<&Drift> = match &r.verdict {
            LoopVerdict::Converges { .. } => r.cycles.iter().flatten().collect(),
            LoopVerdict::Loops { .. } => r.cycles.last().into_iter().flatten().collect(),
            LoopVerdict::Stable => Vec::new(),
        };
        for d in drifts {
            let known = |row: &DriftRow| row.resource == r.resource && row.attribute == d.path;
            if !out.rows.iter().any(known) && !import_rows.iter().any(known) {
                import_rows.push(DriftRow {
                    resource: r.resource.clone(),
                    resource_kind: r.resource_kind(),
                    attribute: d.path.clone(),
                    sent: d.sent.clone(),
                    stored: d.stored.clone(),
                    kind: d.kind,
                    seen_in: vec!["import".into()],
                    consequence: String::new(),
                    verdict: String::new(),
                    severity: d.severity(r.resource_kind()),
                });
            }
        }
    }
    out.rows.extend(import_rows);
    let mut rows = std::mem::take(&mut out.rows);
    for row in &mut rows {
        judge_row(out, row);
    }
    out.rows = rows;
}

/// One row's sync-loop verdict, consequence and severity (the escalation rule).
fn judge_row(out: &Outcome, row: &mut DriftRow) {
    let resource = out.resources.iter().find(|r| r.resource == row.resource);
    row.verdict = match resource.map(|r| &r.verdict) {
        Some(LoopVerdict::Loops { flips }) if flips.iter().any(|f| f.path == row.attribute) => {
            "loops".into()
        }
        Some(v @ LoopVerdict::Converges { .. }) => v.label(),
        Some(LoopVerdict::Loops { .. } | LoopVerdict::Stable) | None => "drift".into(),
    };
    let d = Drift {
        path: row.attribute.clone(),
        sent: row.sent.clone(),
        stored: row.stored.clone(),
        kind: row.kind,
    };
    let flows_back = out.flows_back(&row.attribute);
    row.consequence = d.consequence(row.resource_kind, flows_back);
    row.severity = d.severity(row.resource_kind);
    if row.verdict == "loops" && flows_back {
        row.severity = Severity::Fail;
    }
    if row.verdict.starts_with("converges") && row.seen_in.iter().all(|x| x == "import") {
        row.consequence =
            "a stale import: Okta re-pushes once, then the write shows (read lag)".into();
    }
}

/// The outcomes of the named checks, per step of the steady-state pass.
#[derive(Debug, Clone)]
pub struct Checks {
    /// `status.expected` (writes Okta needs were refused), `read-after-write` (wrong Okta
    /// state after a write) and `steady-state.fidelity` (profile attribute drift).
    pub fidelity: Vec<CheckOutcome>,
    /// `steady-state.idempotent`.
    pub idempotency: Vec<CheckOutcome>,
    /// `steady-state.sync-loop` (loops on Okta state, or on attributes that flow back into Okta)
    /// and `steady-state.fidelity` (profile attributes Okta re-pushes after every import).
    pub sync_loop: Vec<CheckOutcome>,
}

impl Checks {
    /// Every outcome, in step order.
    pub fn all(&self) -> impl Iterator<Item = &CheckOutcome> {
        self.fidelity
            .iter()
            .chain(&self.idempotency)
            .chain(&self.sync_loop)
    }

    /// Whether no check of `fail` severity (or, with `strict`, of any severity) failed.
    pub fn passed(&self, strict: bool) -> bool {
        self.all()
            .all(|c| c.passed || (!strict && c.severity == Severity::Warn))
    }
}

/// The named checks of the pass.
pub fn checks(out: &Outcome) -> Checks {
    let mut refused: Vec<String> = out.errors.clone();
    refused.extend(out.rejected.iter().map(|r| format!("write rejected: {r}")));
    let written = |sev: Severity| -> Vec<String> {
        out.rows
            .iter()
            .filter(|r| r.seen_in.iter().any(|s| s != "import"))
            .filter(|r| base_severity(r) == sev)
            .map(row_message)
            .collect()
    };
    let idem: Vec<String> = out
        .idempotency
        .iter()
        .filter(|f| !f.passed)
        .map(|f| format!("{}: {}", f.probe, f.message))
        .collect();
    let (mut loops, repushed) = loop_problems(out);
    if out.resources.is_empty() && !out.errors.is_empty() {
        loops.push("not simulated: the resources could not be created".into());
    }
    Checks {
        fidelity: vec![
            outcome("status.expected", refused),
            outcome("read-after-write", written(Severity::Fail)),
            outcome("steady-state.fidelity", written(Severity::Warn)),
        ],
        idempotency: vec![outcome("steady-state.idempotent", idem)],
        sync_loop: vec![
            outcome("steady-state.sync-loop", loops),
            outcome("steady-state.fidelity", repushed),
        ],
    }
}

/// A row's severity before the escalation rule (what a single write shows).
fn base_severity(row: &DriftRow) -> Severity {
    Drift {
        path: row.attribute.clone(),
        sent: Value::Null,
        stored: None,
        kind: row.kind,
    }
    .severity(row.resource_kind)
}

fn row_message(r: &DriftRow) -> String {
    format!(
        "{} {}: sent {}, stored {} ({})",
        r.resource,
        r.attribute,
        r.sent,
        r.stored
            .as_ref()
            .map_or("(absent)".into(), |v| v.to_string()),
        r.consequence
    )
}

/// Looping resources: (sync loops — attributes of Okta state or that flow back into Okta,
/// profile attributes Okta only re-pushes).
fn loop_problems(out: &Outcome) -> (Vec<String>, Vec<String>) {
    let mut loops = Vec::new();
    let mut repushed = Vec::new();
    for r in &out.resources {
        let LoopVerdict::Loops { flips } = &r.verdict else {
            continue;
        };
        let kind = r.resource_kind();
        let (hard, soft): (Vec<&str>, Vec<&str>) = flips
            .iter()
            .map(|f| f.path.as_str())
            .partition(|p| fidelity::okta_state(kind, p) || out.flows_back(p));
        if !hard.is_empty() {
            loops.push(format!("{} loops on {}", r.resource, hard.join(", ")));
        }
        if !soft.is_empty() {
            repushed.push(format!(
                "{} differs from Okta's profile after every import on {}: Okta re-pushes Okta's values on every update (drift, not a sync loop: the profile does not declare that imports update Okta profiles)",
                r.resource,
                soft.join(", ")
            ));
        }
    }
    (loops, repushed)
}

fn outcome(id: &str, problems: Vec<String>) -> CheckOutcome {
    let def = crate::check::find(id).expect("steady-state checks are registered");
    CheckOutcome {
        id: id.to_string(),
        severity: def.severity,
        passed: problems.is_empty(),
        message: problems.join("; "),
        hint: def.hint.to_string(),
        reference: def.reference.to_string(),
    }
}

/// The scenario instance `steady-state/<profile>` with secret-scrubbed exchanges; `strict`
/// makes warn-severity failures fail their step (`run --strict`).
pub fn scenario_report(
    out: &Outcome,
    base_url: &str,
    secrets: &[Secret],
    strict: bool,
) -> ScenarioReport {
    let Checks {
        fidelity: fid,
        idempotency: idem,
        sync_loop: sync,
    } = checks(out);
    let mut all: Vec<Secret> = secrets.to_vec();
    all.extend(out.secrets.iter().cloned());
    let secrets = &all[..];
    let steps = vec![
        step(
            1,
            "fidelity",
            false,
            &out.fidelity,
            fid,
            (base_url, secrets, strict),
        ),
        step(
            2,
            "idempotency",
            false,
            &out.idempotency_phase,
            idem,
            (base_url, secrets, strict),
        ),
        step(
            3,
            "sync-loop",
            false,
            &out.sync_loop,
            sync,
            (base_url, secrets, strict),
        ),
        step(
            4,
            "cleanup",
            true,
            &out.cleanup,
            Vec::new(),
            (base_url, secrets, strict),
        ),
    ];
    let status = if steps.iter().any(|s| s.status == Status::Failed) {
        Status::Failed
    } else {
        Status::Passed
    };
    ScenarioReport {
        name: format!("steady-state/{}", out.profile),
        file: "steady-state (built in)".into(),
        dialect: out.dialect,
        status,
        skip_reason: None,
        duration: out.duration,
        steps,
    }
}

fn step(
    index: usize,
    name: &str,
    teardown: bool,
    phase: &Phase,
    checks: Vec<CheckOutcome>,
    (base_url, secrets, strict): (&str, &[Secret], bool),
) -> StepReport {
    let mut exchanges = phase.exchanges.clone();
    for ex in &mut exchanges {
        ex.scrub(secrets);
    }
    let request_line = match exchanges.len() {
        0 => "(no requests)".to_string(),
        1 => exchanges[0].request_line(base_url),
        n => format!("{} (+{} more)", exchanges[0].request_line(base_url), n - 1),
    };
    let failed = checks
        .iter()
        .any(|c| !c.passed && (strict || c.severity == Severity::Fail));
    StepReport {
        index,
        name: name.to_string(),
        teardown,
        status: if failed {
            Status::Failed
        } else {
            Status::Passed
        },
        request_line: scrub(&request_line, secrets),
        duration: phase.duration,
        attempts: 1,
        exchanges,
        assertions: Vec::new(),
        checks,
        snapshot: None,
        error: None,
        consequence_of: None,
    }
}
