//! Rendering of a steady-state [`Outcome`]: the drift table (resource, attribute, sent,
//! stored, verdict, then where it showed and what it does to Okta), the per-resource sync-loop
//! verdicts, the read lag, the idempotency probes and the checks.

use super::Outcome;
use super::report::checks;
use super::sync_loop::LoopVerdict;
use crate::check::Severity;
use crate::replay::result::TargetInfo;
use colored::Colorize;
use serde_json::Value;

/// Widest cell shown for a value; longer values are cut with `…`.
const CELL: usize = 40;

/// The whole human-readable report.
pub fn render(out: &Outcome, target: &TargetInfo) -> String {
    let mut s = header(out, target);
    s.push_str(&drift_table(out));
    s.push_str(&loop_section(out));
    if let Some(ms) = out.max_lag() {
        s.push_str(&format!(
            "\nRead lag: writes showed in reads only after up to {ms} ms (eventually consistent; reported, not failed)\n"
        ));
    }
    s.push_str(&idempotency_section(out));
    s.push_str(&checks_section(out));
    for note in &out.notes {
        s.push_str(&format!("\n{} {note}\n", "note (inferred shape):".dimmed()));
    }
    for r in &out.rejected {
        s.push_str(&format!("\n{} {r}\n", "write rejected:".red().bold()));
    }
    for e in &out.errors {
        s.push_str(&format!("\n{} {e}\n", "error:".red().bold()));
    }
    if out.stopped {
        s.push_str(&format!(
            "\n{} the checks were cut short; the table shows what ran before clean-up\n",
            "stopped:".red().bold()
        ));
    }
    s
}

fn header(out: &Outcome, target: &TargetInfo) -> String {
    let quirks = if target.quirks.is_empty() {
        String::new()
    } else {
        format!(", quirks: {}", target.quirks.join(", "))
    };
    let users: Vec<String> = out
        .users
        .iter()
        .map(|(k, id, name)| format!("{k}={name} (id {})", id.as_deref().unwrap_or("-")))
        .collect();
    format!(
        "Steady state of profile {} ({} dialect) against {}{quirks}\n{} sync cycles, {}; {} requests in {:.2}s\n",
        out.profile.bold(),
        out.dialect,
        target.base_url.bold(),
        out.cycles,
        users.join(", "),
        request_count(out),
        out.duration.as_secs_f64()
    )
}

/// Requests sent over all phases.
pub fn request_count(out: &Outcome) -> usize {
    [
        &out.fidelity,
        &out.idempotency_phase,
        &out.sync_loop,
        &out.cleanup,
    ]
    .iter()
    .map(|p| p.exchanges.len())
    .sum()
}

/// The drift table.
pub fn drift_table(out: &Outcome) -> String {
    let mut s = String::from("\nDrift table\n");
    if out.rows.is_empty() {
        s.push_str("  (none: every attribute reads back exactly as Okta sent it)\n");
        return s;
    }
    let width = out
        .rows
        .iter()
        .map(|r| r.attribute.chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    s.push_str(&format!(
        "  {:<8} {:<width$} {:<CELL$} {:<CELL$} {}\n",
        "RESOURCE", "ATTRIBUTE", "SENT", "STORED", "VERDICT"
    ));
    for r in &out.rows {
        let stored = r.stored.as_ref().map_or("(absent)".to_string(), cell);
        // A row that converged is a read lag, not judged; the others show their severity.
        let verdict = match (r.verdict.starts_with("converges"), r.severity) {
            (true, _) => r.verdict.yellow().to_string(),
            (false, Severity::Fail) => format!("{} (fail)", r.verdict).red().bold().to_string(),
            (false, Severity::Warn) => format!("{} (warn)", r.verdict).yellow().to_string(),
        };
        s.push_str(&format!(
            "  {:<8} {:<width$} {:<CELL$} {:<CELL$} {verdict}\n",
            r.resource,
            r.attribute,
            cell(&r.sent),
            stored
        ));
        s.push_str(&format!(
            "  {:<8} {}\n  {:<8} {}\n",
            "",
            format!("seen in: {}", r.seen_in.join(", ")).dimmed(),
            "",
            format!("consequence: {}", r.consequence).dimmed()
        ));
    }
    s
}

fn cell(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= CELL {
        return text;
    }
    let cut: String = text.chars().take(CELL - 1).collect();
    format!("{cut}…")
}

fn loop_section(out: &Outcome) -> String {
    let mut s = format!(
        "\nSync loop ({} cycles of import → compare → push)\n",
        out.cycles
    );
    for r in &out.resources {
        let label = match &r.verdict {
            LoopVerdict::Stable => "stable".green().to_string(),
            v @ LoopVerdict::Converges { .. } => v.label().yellow().to_string(),
            LoopVerdict::Loops { .. } => "loops".red().bold().to_string(),
        };
        s.push_str(&format!("  {:<8} {:<6} {label}\n", r.resource, r.kind));
        if let LoopVerdict::Loops { flips } = &r.verdict {
            for f in flips {
                let all_same = f
                    .values
                    .windows(2)
                    .all(|w| w[0].okta == w[1].okta && w[0].server == w[1].server);
                if all_same && let Some(v) = f.values.first() {
                    s.push_str(&format!(
                        "    {} flips in every cycle (1–{}): Okta pushes {}, the import reads {}\n",
                        f.path,
                        f.values.len(),
                        v.okta,
                        v.server
                            .as_ref()
                            .map_or("(absent)".into(), Value::to_string)
                    ));
                    continue;
                }
                let per: Vec<String> = f
                    .values
                    .iter()
                    .map(|v| {
                        format!(
                            "cycle {}: Okta {} / server {}",
                            v.cycle,
                            cell(&v.okta),
                            v.server.as_ref().map_or("(absent)".into(), cell)
                        )
                    })
                    .collect();
                s.push_str(&format!("    {} flips: {}\n", f.path, per.join("; ")));
            }
        }
    }
    s
}

fn idempotency_section(out: &Outcome) -> String {
    let mut s = String::from("\nIdempotency\n");
    for f in &out.idempotency {
        if f.passed && f.message.is_empty() {
            s.push_str(&format!("  {} {}\n", "ok  ".green(), f.probe));
        } else if f.passed {
            s.push_str(&format!(
                "  {} {}: {}\n",
                "ok  ".green(),
                f.probe,
                f.message
            ));
        } else {
            s.push_str(&format!(
                "  {} {}: {}\n",
                "FAIL".red().bold(),
                f.probe,
                f.message
            ));
        }
    }
    s
}

fn checks_section(out: &Outcome) -> String {
    let mut s = String::from("\nChecks\n");
    for check in checks(out).all() {
        if check.passed {
            s.push_str(&format!("  {} {}\n", "PASS".green(), check.id));
            continue;
        }
        let label = match check.severity {
            Severity::Fail => "FAIL".red().bold().to_string(),
            Severity::Warn => "WARN".yellow().bold().to_string(),
        };
        s.push_str(&format!(
            "  {label} {}\n       hint: {}\n       see: {}\n",
            check.id, check.hint, check.reference
        ));
    }
    s
}
