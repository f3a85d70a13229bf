//! The load run's results as a terminal table and as a JSON document (`docs/load.md`).

use super::{CLEAN_UP, LoadOptions, LoadOutcome, OpStats};
use crate::replay::result::TargetInfo;
use serde_json::{Value, json};
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

/// The JSON document written by `load --report-json`.
pub fn json_report(
    out: &LoadOutcome,
    target: &TargetInfo,
    profile: &str,
    opts: LoadOptions,
) -> Value {
    let ops: Vec<Value> = out
        .ops
        .iter()
        .map(|(name, stats)| {
            let m = summarize(stats);
            json!({
                "name": name,
                "requests": m.requests,
                "errors": m.errors,
                "p50_ms": ms(m.p50),
                "p95_ms": ms(m.p95),
                "p99_ms": ms(m.p99),
                "max_ms": ms(m.max),
            })
        })
        .collect();
    let verifications: Vec<Value> = out
        .verifications
        .iter()
        .map(|v| json!({"passed": v.passed, "detail": v.detail}))
        .collect();
    json!({
        "load_report_format": 1,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "target": {"base_url": target.base_url, "embedded": target.embedded, "quirks": target.quirks},
        "profile": profile,
        "users": opts.users,
        "concurrency": opts.concurrency,
        "duration_ms": ms(out.duration),
        "passed": out.passed(),
        "fatal": out.fatal,
        "stopped": out.stopped,
        "operations": ops,
        "verifications": verifications,
    })
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
        let doc = json_report(&out, &info, "okta-aiw", opts);
        assert_eq!(doc["operations"][0]["p50_ms"], json!(1.0));
        assert_eq!(doc["passed"], json!(false));
    }
}
