//! The detection matrix: the whole Okta suite runs against the embedded reference server once
//! per quirk, and each quirk must be caught by exactly the checks `scimreplay checks --matrix`
//! promises (tolerated quirks must fail nothing). The clean server must pass every profile with
//! zero failures and zero warnings.

use scimreplay::check::matrix::MATRIX;
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
                    let id = a["check"].as_str().unwrap_or("assertion").to_string();
                    let sev = find(&id).map_or(Severity::Fail, |c| c.severity);
                    out.insert((id, sev));
                }
            }
        }
    }
    out
}

fn quirk_args(quirk: &str) -> Vec<String> {
    let (quirk, settle) = match quirk {
        "stale-reads" => ("stale-reads=150ms".to_string(), "3s"),
        "slow" => ("slow=1ms".to_string(), "0s"),
        other => (other.to_string(), "0s"),
    };
    [
        "--profile",
        "okta-oin",
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

/// Scenarios a quirk is judged on. Okta's SPEC certification test is stricter than Okta's
/// provisioning engine (it asserts 200 for a filter miss), so a quirk that only it rejects is
/// judged as tolerated on the provisioning scenarios.
fn scope(quirk: &str) -> &'static str {
    if quirk == "filter-miss-404" {
        "scenarios/okta"
    } else {
        "scenarios"
    }
}

fn check_quirk(quirk: &str) {
    let row = MATRIX
        .iter()
        .find(|r| r.quirk == quirk)
        .unwrap_or_else(|| panic!("no matrix row for {quirk}"));
    let mut args = quirk_args(quirk);
    args.push(scope(quirk).to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report) = run_suite(&args);
    let failed = failed_checks(&report);
    let ids: BTreeSet<&str> = failed.iter().map(|(id, _)| id.as_str()).collect();
    for expected in row.caught_by {
        assert!(
            ids.contains(expected),
            "quirk {quirk}: expected {expected} to fail; failed: {ids:?}"
        );
    }
    let fails: Vec<&str> = failed
        .iter()
        .filter(|(_, s)| *s == Severity::Fail)
        .map(|(id, _)| id.as_str())
        .collect();
    if row.tolerated.is_some() {
        assert!(
            fails.is_empty(),
            "quirk {quirk} is tolerated by Okta, but fail checks fired: {fails:?}"
        );
        assert_eq!(code, 0, "quirk {quirk}: a tolerated quirk must exit 0");
    } else {
        assert!(
            !fails.is_empty(),
            "quirk {quirk} must be caught by at least one fail check"
        );
        assert_eq!(code, 1, "quirk {quirk}: exit code");
    }
}

macro_rules! quirk_tests {
    ($($name:ident => $quirk:literal),* $(,)?) => {
        $( #[test] fn $name() { check_quirk($quirk); } )*
        const TESTED: &[&str] = &[$($quirk),*];
    };
}

quirk_tests! {
    patch_requires_path => "patch-requires-path",
    string_booleans => "string-booleans",
    list_counts_as_strings => "list-counts-as-strings",
    filter_case_sensitive => "filter-case-sensitive",
    filter_ignored => "filter-ignored",
    no_duplicate_409 => "no-duplicate-409",
    plain_text_errors => "plain-text-errors",
    error_status_number_only => "error-status-number-only",
    missing_error_schema => "missing-error-schema",
    ignore_member_remove_filter => "ignore-member-remove-filter",
    remove_filter_wipes_members => "remove-filter-wipes-members",
    members_require_type => "members-require-type",
    empty_members_replace_fails => "empty-members-replace-fails",
    rejects_readonly_in_put => "rejects-readonly-in-put",
    rejects_readonly_in_create => "rejects-readonly-in-create",
    rename_rejects_id_in_value => "rename-rejects-id-in-value",
    lowercase_emails => "lowercase-emails",
    drops_locale => "drops-locale",
    reorders_emails => "reorders-emails",
    recomputes_display_name => "recomputes-display-name",
    stale_reads => "stale-reads",
    deactivate_deletes => "deactivate-deletes",
    create_returns_200 => "create-returns-200",
    create_empty_body => "create-empty-body",
    get_returns_list => "get-returns-list",
    paging_ignores_startindex => "paging-ignores-startindex",
    short_pages => "short-pages",
    rate_limit => "rate-limit",
    rate_limit_no_retry_after => "rate-limit-no-retry-after",
    slow => "slow",
    returns_password => "returns-password",
    missing_location => "missing-location",
    ignores_active_patch => "ignores-active-patch",
    put_ignores_changes => "put-ignores-changes",
    html_errors => "html-errors",
    filter_miss_404 => "filter-miss-404",
    patch_returns_204 => "patch-returns-204",
    group_put_returns_204 => "group-put-returns-204",
    create_extra_attributes => "create-extra-attributes",
    numeric_error_status => "numeric-error-status",
}

#[test]
fn every_quirk_is_in_this_test() {
    for q in scimreplay::server::quirks() {
        assert!(
            TESTED.contains(&q.name),
            "quirk {} has no detection-matrix test",
            q.name
        );
    }
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
