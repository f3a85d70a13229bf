//! The detection matrix: the whole Okta suite runs against the embedded reference server once
//! per quirk and profile. Each quirk Okta cannot work with must make `okta-oin` or `okta-aiw`
//! exit 1, reported by every check `scimreplay checks --matrix` names; each quirk Okta tolerates
//! (`[okta-ok]` in `serve --list-quirks`) must leave both profiles at exit 0 with no fail-level
//! finding. The clean server must pass every profile with zero failures and zero warnings.

use scimreplay::check::matrix::{Catch, Row, rows};
use scimreplay::check::{Severity, find};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

/// Runs the suite with extra arguments; returns (exit code, JSON report).
fn run_suite(extra: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_scimreplay"))
        .args([
            "run",
            "--no-snapshots",
            "--color",
            "never",
            "--max-retry-wait",
            "10ms",
        ])
        .arg("--report-json")
        .arg(&report)
        .args(extra)
        .env_remove("CI")
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let text = std::fs::read_to_string(&report).unwrap_or_else(|_| {
        panic!(
            "no report (exit {code}); stderr: {}\nstdout tail: {}",
            String::from_utf8_lossy(&out.stderr),
            tail(&String::from_utf8_lossy(&out.stdout))
        )
    });
    (code, serde_json::from_str(&text).unwrap())
}

fn tail(s: &str) -> String {
    s.lines()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n")
}

/// Ids of every check (or check-attributed assertion) that failed, with its severity.
fn failed_checks(report: &Value) -> BTreeSet<(String, Severity)> {
    let mut out = BTreeSet::new();
    for scenario in report["scenarios"].as_array().unwrap() {
        for step in scenario["steps"].as_array().unwrap() {
            for check in step["checks"].as_array().unwrap() {
                if check["passed"] == false {
                    let id = check["id"].as_str().unwrap().to_string();
                    let sev = find(&id).unwrap().severity;
                    out.insert((id, sev));
                }
            }
            for a in step["assertions"].as_array().unwrap() {
                if a["passed"] == false {
                    let plain = if scenario["name"]
                        .as_str()
                        .unwrap_or("")
                        .starts_with("okta-spec/")
                    {
                        Catch::SpecAssertion.label()
                    } else {
                        "assertion"
                    };
                    let id = a["check"].as_str().unwrap_or(plain).to_string();
                    let sev = find(&id).map_or(Severity::Fail, |c| c.severity);
                    out.insert((id, sev));
                }
            }
        }
    }
    out
}

fn quirk_args(quirk: &str, profile: &str) -> Vec<String> {
    let (quirk, settle) = match quirk {
        "stale-reads" => ("stale-reads=150ms".to_string(), "3s"),
        "slow" => ("slow=1ms".to_string(), "0s"),
        other => (other.to_string(), "0s"),
    };
    [
        "scenarios",
        "--profile",
        profile,
        "--dialect",
        "both",
        "--quirk",
        &quirk,
        "--read-settle",
        settle,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Runs the suite against `quirk` with `profile`: (exit code, failed ids with severity).
fn run_quirk(quirk: &str, profile: &str) -> (i32, BTreeSet<(String, Severity)>) {
    let args = quirk_args(quirk, profile);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report) = run_suite(&args);
    (code, failed_checks(&report))
}

/// Judges one quirk; `Err` says what is wrong.
fn judge(row: &Row) -> Result<(), String> {
    let quirk = row.quirk.name;
    let (oin_code, oin) = run_quirk(quirk, "okta-oin");
    let fails = |f: &BTreeSet<(String, Severity)>| -> Vec<String> {
        f.iter()
            .filter(|(_, s)| *s == Severity::Fail)
            .map(|(id, _)| id.clone())
            .collect()
    };
    if row.tolerated().is_some() {
        let (aiw_code, aiw) = run_quirk(quirk, "okta-aiw");
        for (profile, code, failed) in [("okta-oin", oin_code, &oin), ("okta-aiw", aiw_code, &aiw)]
        {
            if code != 0 || !fails(failed).is_empty() {
                return Err(format!(
                    "{quirk} is tolerated by Okta, but {profile} exits {code} with fail findings {:?}",
                    fails(failed)
                ));
            }
        }
        let seen: BTreeSet<&str> = oin.iter().chain(&aiw).map(|(id, _)| id.as_str()).collect();
        return expect_caught(row, &seen);
    }
    let (code, failed) = if oin_code == 1 {
        (oin_code, oin)
    } else {
        run_quirk(quirk, "okta-aiw")
    };
    if code != 1 || fails(&failed).is_empty() {
        return Err(format!(
            "{quirk} breaks Okta, but neither okta-oin nor okta-aiw exits 1 (last: {code}, {failed:?})"
        ));
    }
    let seen: BTreeSet<&str> = failed.iter().map(|(id, _)| id.as_str()).collect();
    expect_caught(row, &seen)
}

fn expect_caught(row: &Row, seen: &BTreeSet<&str>) -> Result<(), String> {
    match row.caught_by.iter().find(|c| !seen.contains(c.label())) {
        Some(missing) => Err(format!(
            "{}: the matrix says {} catches it, but it did not report; reported: {seen:?}",
            row.quirk.name,
            missing.label()
        )),
        None => Ok(()),
    }
}

/// Every quirk of `serve --list-quirks`, judged by a few worker threads (each run mostly waits on
/// the loopback server, so more workers than cores keep the test short).
#[test]
fn every_quirk_is_judged_as_the_matrix_says() {
    let queue = std::sync::Mutex::new(rows().collect::<Vec<_>>());
    let problems = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let Some(row) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    if let Err(e) = judge(&row) {
                        problems.lock().unwrap().push(e);
                    }
                }
            });
        }
    });
    let problems = problems.into_inner().unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_clean_server_passes_every_profile_without_warnings() {
    for profile in scimreplay::profile::BUILTIN.iter().map(|(n, _)| *n) {
        let (code, report) = run_suite(&[
            "scenarios",
            "--profile",
            profile,
            "--dialect",
            "both",
            "--strict",
        ]);
        let failed = failed_checks(&report);
        assert!(failed.is_empty(), "profile {profile}: {failed:?}");
        assert_eq!(report["summary"]["warnings"], 0, "profile {profile}");
        assert_eq!(report["summary"]["failed"], 0, "profile {profile}");
        assert_eq!(code, 0, "profile {profile}");
    }
}
