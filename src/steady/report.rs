//! Turns a steady-state [`Outcome`] into verdicts: drift-row verdicts and consequences from the
//! sync loop, the three named checks, and a `steady-state/<profile>` scenario report (steps
//! `fidelity`, `idempotency`, `sync-loop`, teardown `cleanup`) that every `run` reporter shows.

use super::sync_loop::LoopVerdict;
use super::{DriftRow, Outcome, Phase};
use crate::normalize::scrub_secrets as scrub;
use crate::replay::result::{CheckOutcome, ScenarioReport, Status, StepReport};

/// Fills each drift row's verdict and consequence from the sync loop, and adds rows for
/// attributes that only the import showed.
pub fn merge_verdicts(out: &mut Outcome) {
    let imports = true; // the simulation imports; a real app without imports still re-pushes
    for r in &out.resources {
        if let LoopVerdict::Converges { .. } = &r.verdict {
            for d in r.cycles.iter().flatten() {
                if !out
                    .rows
                    .iter()
                    .any(|row| row.resource == r.resource && row.attribute == d.path)
                {
                    out.rows.push(DriftRow {
                        resource: r.resource.clone(),
                        attribute: d.path.clone(),
                        sent: d.sent.clone(),
                        stored: d.stored.clone(),
                        kind: d.kind,
                        seen_in: vec!["import".into()],
                        consequence: String::new(),
                        verdict: String::new(),
                    });
                }
            }
        }
        if let LoopVerdict::Loops { flips } = &r.verdict {
            for f in flips {
                let Some(last) = f.values.last() else {
                    continue;
                };
                if !out
                    .rows
                    .iter()
                    .any(|row| row.resource == r.resource && row.attribute == f.path)
                {
                    let kind = r
                        .cycles
                        .last()
                        .and_then(|c| c.iter().find(|d| d.path == f.path))
                        .map_or(super::DriftKind::Changed, |d| d.kind);
                    out.rows.push(DriftRow {
                        resource: r.resource.clone(),
                        attribute: f.path.clone(),
                        sent: last.okta.clone(),
                        stored: last.server.clone(),
                        kind,
                        seen_in: vec!["import".into()],
                        consequence: String::new(),
                        verdict: String::new(),
                    });
                }
            }
        }
    }
    for row in &mut out.rows {
        let resource = out.resources.iter().find(|r| r.resource == row.resource);
        row.verdict = match resource.map(|r| &r.verdict) {
            Some(LoopVerdict::Loops { flips }) if flips.iter().any(|f| f.path == row.attribute) => {
                "loops".into()
            }
            Some(v @ LoopVerdict::Converges { .. }) => v.label(),
            Some(LoopVerdict::Loops { .. } | LoopVerdict::Stable) | None => "drift".into(),
        };
        let d = super::fidelity::Drift {
            path: row.attribute.clone(),
            sent: row.sent.clone(),
            stored: row.stored.clone(),
            kind: row.kind,
        };
        row.consequence = d.consequence(imports);
        if row.verdict.starts_with("converges") && row.seen_in.iter().all(|x| x == "import") {
            row.consequence =
                "a stale import: Okta re-pushes once, then the write shows (read lag)".into();
        }
    }
}

/// The three named checks.
pub fn checks(out: &Outcome) -> (CheckOutcome, CheckOutcome, CheckOutcome) {
    let mut fidelity_problems: Vec<String> = out.errors.clone();
    fidelity_problems.extend(out.rejected.iter().map(|r| format!("write rejected: {r}")));
    fidelity_problems.extend(
        out.rows
            .iter()
            .filter(|r| r.seen_in.iter().any(|s| s != "import"))
            .map(|r| {
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
            }),
    );
    let idem: Vec<String> = out
        .idempotency
        .iter()
        .filter(|f| !f.passed)
        .map(|f| format!("{}: {}", f.probe, f.message))
        .collect();
    let loops: Vec<String> = out
        .resources
        .iter()
        .filter_map(|r| match &r.verdict {
            LoopVerdict::Loops { flips } => Some(format!(
                "{} loops on {}",
                r.resource,
                flips
                    .iter()
                    .map(|f| f.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            _ => None,
        })
        .collect();
    let mut sync_problems = loops;
    if out.resources.is_empty() && !out.errors.is_empty() {
        sync_problems.push("not simulated: the resources could not be created".into());
    }
    (
        outcome("steady-state.fidelity", fidelity_problems),
        outcome("steady-state.idempotent", idem),
        outcome("steady-state.sync-loop", sync_problems),
    )
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

/// The scenario instance `steady-state/<profile>` with secret-scrubbed exchanges.
pub fn scenario_report(
    out: &Outcome,
    base_url: &str,
    secrets: &[(String, String)],
) -> ScenarioReport {
    let (fid, idem, sync) = checks(out);
    let mut all: Vec<(String, String)> = secrets.to_vec();
    all.extend(out.secrets.iter().cloned());
    all.sort_by_key(|s| std::cmp::Reverse(s.1.len()));
    let secrets = &all[..];
    let steps = vec![
        step(
            1,
            "fidelity",
            false,
            &out.fidelity,
            vec![fid],
            base_url,
            secrets,
        ),
        step(
            2,
            "idempotency",
            false,
            &out.idempotency_phase,
            vec![idem],
            base_url,
            secrets,
        ),
        step(
            3,
            "sync-loop",
            false,
            &out.sync_loop,
            vec![sync],
            base_url,
            secrets,
        ),
        step(
            4,
            "cleanup",
            true,
            &out.cleanup,
            Vec::new(),
            base_url,
            secrets,
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
    base_url: &str,
    secrets: &[(String, String)],
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
    let failed = checks.iter().any(|c| !c.passed);
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
