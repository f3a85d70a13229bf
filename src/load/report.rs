//! The load run's results as a terminal table and as a typed JSON document with its own
//! format key, `load_report_format` (`docs/load.md`).

use super::{CLEAN_UP, LoadOptions, LoadOutcome, OpStats};
use crate::replay::result::TargetInfo;
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

/// Latency summary of one operation.
struct Summary {
    requests: usize,
    errors: usize,
    p50: Duration,
    p95: Duration,
    p99: Duration,
    max: Duration,
}

fn summarize(stats: &OpStats) -> Summary {
    let mut sorted = stats.latencies.clone();
    sorted.sort();
    Summary {
        requests: sorted.len(),
        errors: stats.errors,
        p50: percentile(&sorted, 50),
        p95: percentile(&sorted, 95),
        p99: percentile(&sorted, 99),
        max: sorted.last().copied().unwrap_or_default(),
    }
}

/// Nearest-rank percentile of sorted values (zero when there are none).
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// The terminal table: one row per operation, then the verifications and the verdict.
pub fn render(out: &LoadOutcome, target: &TargetInfo, profile: &str, opts: LoadOptions) -> String {
    let mut s = String::new();
    let embedded = if target.embedded {
        " (embedded reference server)"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "Load against {}{embedded} with profile {profile}: {} users, {} in flight\n",
        target.base_url, opts.users, opts.concurrency
    );
    let _ = writeln!(
        s,
        "{:<16} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "OPERATION", "REQUESTS", "ERRORS", "P50 ms", "P95 ms", "P99 ms", "MAX ms"
    );
    for (name, stats) in &out.ops {
        let m = summarize(stats);
        let _ = writeln!(
            s,
            "{name:<16} {:>8} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            m.requests,
            m.errors,
            ms(m.p50),
            ms(m.p95),
            ms(m.p99),
            ms(m.max)
        );
    }
    let requests: usize = out.ops.iter().map(|(_, st)| st.latencies.len()).sum();
    let secs = out.duration.as_secs_f64();
    let _ = writeln!(
        s,
        "\n{requests} requests in {secs:.3} s ({:.0} requests/s)\n",
        requests as f64 / secs.max(1e-9)
    );
    for v in &out.verifications {
        let _ = writeln!(s, "{} {}", if v.passed { "ok  " } else { "FAIL" }, v.detail);
    }
    if let Some(f) = &out.fatal {
        let _ = writeln!(s, "FAIL the target went away: {f}");
    }
    if out.stopped {
        let _ = writeln!(
            s,
            "stopped part-way: the phase cut short and later ones were not verified; clean-up deleted what the run created"
        );
    }
    let failed_ops: Vec<&str> = out
        .ops
        .iter()
        .filter(|(name, st)| *name != CLEAN_UP && st.errors > 0)
        .map(|(name, _)| *name)
        .collect();
    if !failed_ops.is_empty() {
        let _ = writeln!(
            s,
            "FAIL requests failed in: {} (replay a scenario with -v to see why)",
            failed_ops.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "\n{}",
        if out.passed() {
            "load: passed"
        } else if out.stopped {
            "load: stopped"
        } else {
            "load: failed"
        }
    );
    s
}

/// The version of the `load --report-json` document's format (`load_report_format`,
/// versioned apart from `run`'s and `steady`'s reports); it changes only when a field is
/// removed, renamed or changes meaning.
pub const LOAD_REPORT_FORMAT: u32 = 1;

/// The whole `load --report-json` document (docs/load.md).
#[derive(Debug, Serialize)]
pub struct LoadReport<'a> {
    pub load_report_format: u32,
    pub tool_version: &'static str,
    pub target: &'a TargetInfo,
    pub profile: &'a str,
    pub users: usize,
    pub concurrency: usize,
    /// Wall time of the whole load run, in milliseconds (microsecond precision).
    pub duration_ms: f64,
    /// No Okta request failed and every verification held.
    pub passed: bool,
    /// Why the target went away part-way, if it did.
    pub fatal: Option<&'a str>,
    /// The run was stopped by a signal before it finished (exit 130/143).
    pub stopped: bool,
    pub operations: Vec<OperationEntry<'a>>,
    pub verifications: Vec<VerificationEntry<'a>>,
}

/// One operation's request count, errors and latency percentiles (milliseconds).
#[derive(Debug, Serialize)]
pub struct OperationEntry<'a> {
    pub name: &'a str,
    pub requests: usize,
    pub errors: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// One verified outcome.
#[derive(Debug, Serialize)]
pub struct VerificationEntry<'a> {
    pub passed: bool,
    pub detail: &'a str,
}

/// Builds the document written by `load --report-json`.
pub fn json_report<'a>(
    out: &'a LoadOutcome,
    target: &'a TargetInfo,
    profile: &'a str,
    opts: LoadOptions,
) -> LoadReport<'a> {
    let operations = out
        .ops
        .iter()
        .map(|(name, stats)| {
            let m = summarize(stats);
            OperationEntry {
                name,
                requests: m.requests,
                errors: m.errors,
                p50_ms: ms(m.p50),
                p95_ms: ms(m.p95),
                p99_ms: ms(m.p99),
                max_ms: ms(m.max),
            }
        })
        .collect();
    let verifications = out
        .verifications
        .iter()
        .map(|v| VerificationEntry {
            passed: v.passed,
            detail: &v.detail,
        })
        .collect();
    LoadReport {
        load_report_format: LOAD_REPORT_FORMAT,
        tool_version: env!("CARGO_PKG_VERSION"),
        target,
        profile,
        users: opts.users,
        concurrency: opts.concurrency,
        duration_ms: ms(out.duration),
        passed: out.passed(),
        fatal: out.fatal.as_deref(),
        stopped: out.stopped,
        operations,
        verifications,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Verification;

    fn d(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<Duration> = (1..=100).map(d).collect();
        assert_eq!(percentile(&v, 50), d(50));
        assert_eq!(percentile(&v, 95), d(95));
        assert_eq!(percentile(&v, 99), d(99));
        assert_eq!(percentile(&[d(7)], 99), d(7));
        assert_eq!(percentile(&[], 50), Duration::ZERO);
    }

    #[test]
    fn errors_and_failed_verifications_fail_but_clean_up_does_not() {
        let stats = |errors| OpStats {
            latencies: vec![d(1), d(2)],
            errors,
        };
        let mut out = LoadOutcome {
            ops: vec![("user create", stats(0)), (CLEAN_UP, stats(2))],
            verifications: vec![Verification {
                passed: true,
                detail: "2 of 2 users created".into(),
            }],
            duration: d(10),
            fatal: None,
            stopped: false,
        };
        assert!(out.passed(), "clean-up errors are the harness's own");
        out.ops[0].1.errors = 1;
        assert!(!out.passed());
        out.ops[0].1.errors = 0;
        out.verifications[0].passed = false;
        assert!(!out.passed());
        let info = TargetInfo {
            base_url: "http://127.0.0.1:1/scim/v2".into(),
            embedded: true,
            quirks: vec![],
        };
        let opts = LoadOptions {
            users: 2,
            concurrency: 1,
        };
        let text = render(&out, &info, "okta-aiw", opts);
        assert!(text.contains("FAIL 2 of 2 users created"), "{text}");
        assert!(text.ends_with("load: failed\n"), "{text}");
        let doc = serde_json::to_value(json_report(&out, &info, "okta-aiw", opts)).unwrap();
        assert_eq!(doc["operations"][0]["p50_ms"], serde_json::json!(1.0));
        assert_eq!(doc["passed"], serde_json::json!(false));
    }

    /// The document keeps its documented key order and its own format key (docs/load.md).
    #[test]
    fn the_json_document_has_its_own_format_key_and_documented_keys() {
        let out = LoadOutcome {
            ops: vec![("user create", OpStats::default())],
            verifications: Vec::new(),
            duration: d(3),
            fatal: Some("gone".into()),
            stopped: false,
        };
        let info = TargetInfo {
            base_url: "http://127.0.0.1:1/scim/v2".into(),
            embedded: false,
            quirks: vec![],
        };
        let opts = LoadOptions {
            users: 1,
            concurrency: 1,
        };
        let doc = serde_json::to_value(json_report(&out, &info, "okta-oin", opts)).unwrap();
        let keys: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "load_report_format",
                "tool_version",
                "target",
                "profile",
                "users",
                "concurrency",
                "duration_ms",
                "passed",
                "fatal",
                "stopped",
                "operations",
                "verifications"
            ]
        );
        assert_eq!(
            doc["load_report_format"],
            serde_json::json!(LOAD_REPORT_FORMAT)
        );
        assert_eq!(doc["fatal"], serde_json::json!("gone"));
        assert_eq!(
            doc["target"],
            serde_json::json!({"base_url": info.base_url, "embedded": false, "quirks": []})
        );
        assert_eq!(doc["duration_ms"], serde_json::json!(3.0));
    }
}
