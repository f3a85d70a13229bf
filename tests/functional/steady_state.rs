//! `scimreplay steady` and the steady-state part of `run`, driven through the binary against
//! the embedded reference server: every profile is stable on the clean server, each storage
//! quirk produces its verdict (warn for profile attribute drift, fail for wrong Okta state or a
//! loop on an attribute that flows back into Okta) with the exact attribute path, stale reads
//! converge with the lag reported, and `run --no-steady-state` skips the checks.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_scimreplay");

fn temp_json(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "scimreplay-steady-{tag}-{}-{}.json",
        std::process::id(),
        uuid_like()
    ))
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Runs `steady` with `args`; returns (exit code, stdout, JSON report).
fn steady(profile: &str, args: &[&str]) -> (i32, String, Value) {
    let report = temp_json(profile);
    let out = Command::new(BIN)
        .args([
            "steady",
            "--profile",
            profile,
            "--color",
            "never",
            "--report-json",
        ])
        .arg(&report)
        .args(args)
        .env_remove("SCIM_BASE_URL")
        .env_remove("SCIM_TOKEN")
        .output()
        .expect("binary runs");
    let text = std::fs::read_to_string(&report).unwrap_or_else(|e| {
        panic!(
            "no report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let _ = std::fs::remove_file(&report);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        serde_json::from_str(&text).expect("valid JSON report"),
    )
}

fn verdict<'a>(report: &'a Value, resource: &str) -> &'a str {
    report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == resource)
        .and_then(|r| r["verdict"].as_str())
        .unwrap_or_else(|| panic!("no verdict for {resource}: {report:#}"))
}

fn row<'a>(report: &'a Value, resource: &str, attribute: &str) -> &'a Value {
    report["drift"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == resource && r["attribute"] == attribute)
        .unwrap_or_else(|| panic!("no drift row {resource} {attribute}: {:#}", report["drift"]))
}

fn attributes(report: &Value) -> Vec<String> {
    report["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["resource"].as_str().unwrap(),
                r["attribute"].as_str().unwrap()
            )
        })
        .collect()
}

/// Whether check `id` passed on `step` (`fidelity`, `idempotency`, `sync-loop`).
fn check_passed(report: &Value, step: &str, id: &str) -> bool {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id && c["step"] == step)
        .map(|c| c["passed"] == true)
        .unwrap_or_else(|| panic!("no check {id} on {step}: {:#}", report["checks"]))
}

/// The drift row of `resource` whose attribute starts with `prefix` and ends with `suffix`.
fn row_like<'a>(report: &'a Value, resource: &str, prefix: &str, suffix: &str) -> &'a Value {
    report["drift"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            let a = r["attribute"].as_str().unwrap();
            r["resource"] == resource && a.starts_with(prefix) && a.ends_with(suffix)
        })
        .unwrap_or_else(|| {
            panic!(
                "no drift row {resource} {prefix}…{suffix}: {:#}",
                report["drift"]
            )
        })
}

/// okta-aiw with imports that update Okta profiles (`import-updates-profile`), as a profile file.
fn profile_with_imports_updating_okta() -> PathBuf {
    let path = temp_json("imports-update").with_extension("yaml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/profiles/okta-aiw.yaml"
    ))
    .unwrap()
    .replace("name: okta-aiw", "name: okta-aiw-imports")
    .replace(
        "username-updates]",
        "username-updates, import-updates-profile]",
    );
    assert!(text.contains("import-updates-profile"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_profile_is_stable_on_the_clean_server() {
    for profile in [
        "okta-aiw",
        "okta-oin",
        "unleash",
        "configcat",
        "github-emu",
        "pulumi",
    ] {
        let (code, stdout, r) = steady(profile, &["--strict"]);
        assert_eq!(code, 0, "{profile}: {stdout}");
        assert_eq!(r["passed"], true, "{profile}");
        assert_eq!(r["warnings"], 0, "{profile}");
        assert_eq!(r["drift"], Value::Array(vec![]), "{profile}");
        for res in ["user1", "user2", "group1"] {
            assert_eq!(verdict(&r, res), "stable", "{profile} {res}");
        }
        assert!(
            r["idempotency"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["passed"] == true)
        );
        assert!(stdout.contains("Drift table"), "{stdout}");
        assert!(
            r["requests"].as_u64().unwrap() < 200,
            "bounded request count"
        );
    }
}

#[test]
fn steady_json_has_its_own_format_key() {
    let (_, _, r) = steady("okta-aiw", &[]);
    assert_eq!(r["steady_report_format"], 1);
    assert!(r.get("report_format").is_none(), "{r:#}");
    assert_eq!(r["strict"], false);
    let steps: Vec<&str> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "fidelity",
            "fidelity",
            "fidelity",
            "idempotency",
            "sync-loop",
            "sync-loop"
        ]
    );
}

#[test]
fn lowercase_emails_are_warned_drift_not_a_failure() {
    let (code, stdout, r) = steady("okta-aiw", &["--quirk", "lowercase-emails"]);
    assert_eq!(code, 0, "{stdout}");
    let work = row_like(
        &r,
        "user1",
        "emails[value eq \"Robert.Smith.",
        "@Example.com\"].value",
    );
    assert_eq!(work["verdict"], "loops");
    assert_eq!(work["severity"], "warn");
    assert_eq!(work["kind"], "case-only");
    assert!(work["sent"].as_str().unwrap().starts_with("Robert.Smith."));
    assert!(
        work["stored"]
            .as_str()
            .unwrap()
            .starts_with("robert.smith.")
    );
    assert!(
        work["consequence"]
            .as_str()
            .unwrap()
            .contains("re-push on every update")
    );
    assert_eq!(
        row_like(
            &r,
            "user1",
            "emails[value eq \"bob.",
            "@Home.example\"].value"
        )["verdict"],
        "loops"
    );
    assert_eq!(verdict(&r, "user1"), "loops");
    assert_eq!(verdict(&r, "group1"), "stable");
    assert!(!check_passed(&r, "fidelity", "steady-state.fidelity"));
    assert!(check_passed(&r, "fidelity", "read-after-write"));
    assert!(!check_passed(&r, "sync-loop", "steady-state.fidelity"));
    assert!(check_passed(&r, "sync-loop", "steady-state.sync-loop"));
    assert!(check_passed(&r, "idempotency", "steady-state.idempotent"));
    assert_eq!(
        (r["passed"].clone(), r["warnings"].clone()),
        (Value::Bool(true), 2.into())
    );
    assert!(stdout.contains("WARN steady-state.fidelity"), "{stdout}");
    assert!(stdout.contains("loops (warn)"), "{stdout}");
    let (code, _, r) = steady("okta-aiw", &["--quirk", "lowercase-emails", "--strict"]);
    assert_eq!((code, r["passed"].clone()), (1, Value::Bool(false)));
}

#[test]
fn drift_that_flows_back_into_okta_is_a_failing_sync_loop() {
    let profile = profile_with_imports_updating_okta();
    let (code, stdout, r) = steady(profile.to_str().unwrap(), &["--quirk", "lowercase-emails"]);
    let _ = std::fs::remove_file(&profile);
    assert_eq!(code, 1, "{stdout}");
    let work = row_like(
        &r,
        "user1",
        "emails[value eq \"Robert.Smith.",
        "@Example.com\"].value",
    );
    assert_eq!(
        (work["verdict"].as_str(), work["severity"].as_str()),
        (Some("loops"), Some("fail"))
    );
    assert!(
        work["consequence"].as_str().unwrap().contains("sync loop"),
        "{work:#}"
    );
    assert!(!check_passed(&r, "sync-loop", "steady-state.sync-loop"));
    assert!(check_passed(&r, "sync-loop", "steady-state.fidelity"));
    // A single write's drift stays a warning: only the loop escalates.
    assert!(!check_passed(&r, "fidelity", "steady-state.fidelity"));
    assert!(check_passed(&r, "fidelity", "read-after-write"));
}

#[test]
fn lowercase_emails_without_email_types_key_by_value() {
    let (_, _, r) = steady("pulumi", &["--quirk", "lowercase-emails"]);
    let attrs = attributes(&r);
    assert!(
        attrs
            .iter()
            .any(|a| a.starts_with("user1 emails[value eq \"Robert.Smith.")
                && a.ends_with("@Example.com\"].value")),
        "{attrs:?}"
    );
}

#[test]
fn dropped_locale_is_a_lost_value_and_a_warning() {
    let (code, _, r) = steady("okta-aiw", &["--quirk", "drops-locale"]);
    assert_eq!(code, 0);
    let locale = row(&r, "user1", "locale");
    assert_eq!(locale["sent"], "en-US");
    assert_eq!(locale["stored"], Value::Null);
    assert_eq!(locale["kind"], "lost");
    assert_eq!(locale["verdict"], "loops");
    assert_eq!(locale["severity"], "warn");
    assert!(
        locale["consequence"]
            .as_str()
            .unwrap()
            .starts_with("value lost")
    );
    // A profile that does not map locale never notices.
    let (code, _, r) = steady("unleash", &["--quirk", "drops-locale", "--strict"]);
    assert_eq!((code, r["passed"].clone()), (0, Value::Bool(true)));
}

#[test]
fn reordered_emails_move_the_primary_flag() {
    for profile in ["okta-aiw", "okta-oin"] {
        let (code, _, r) = steady(profile, &["--quirk", "reorders-emails"]);
        assert_eq!(code, 0, "{profile}");
        let work = row_like(
            &r,
            "user1",
            "emails[value eq \"Robert.Smith.",
            "\"].primary",
        );
        assert_eq!(
            (work["sent"].clone(), work["stored"].clone()),
            (Value::Bool(true), Value::Bool(false))
        );
        assert_eq!(work["verdict"], "loops");
        assert_eq!(
            row_like(&r, "user1", "emails[value eq \"bob.", "\"].primary")["verdict"],
            "loops"
        );
        // user2 has a single email: re-ordering is invisible.
        assert_eq!(verdict(&r, "user2"), "stable", "{profile}");
        assert!(
            r["notes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n.as_str().unwrap().contains("inferred"))
        );
        let (code, _, _) = steady(profile, &["--quirk", "reorders-emails", "--strict"]);
        assert_eq!(code, 1, "{profile} --strict");
    }
    // Pulumi sends no secondary emails: nothing to re-order.
    let (code, _, r) = steady("pulumi", &["--quirk", "reorders-emails", "--strict"]);
    assert_eq!(code, 0, "{r:#}");
}

#[test]
fn recomputed_display_name_is_warned_for_nicknames_and_name_changes() {
    let (code, _, r) = steady("okta-aiw", &["--quirk", "recomputes-display-name"]);
    assert_eq!(code, 0);
    let nick = row(&r, "user1", "displayName");
    assert_eq!(nick["sent"], "Bob Smith");
    assert_eq!(nick["stored"], "Robert Smythe");
    assert_eq!(nick["verdict"], "loops");
    assert_eq!(nick["severity"], "warn");
    let renamed = row(&r, "user2", "displayName");
    assert_eq!(renamed["sent"], "Alice Jones");
    assert_eq!(renamed["stored"], "Ali Jones");
    assert_eq!(renamed["verdict"], "loops");
}

#[test]
fn string_booleans_are_wrong_state_on_active() {
    let (code, _, r) = steady("okta-aiw", &["--quirk", "string-booleans"]);
    assert_eq!(code, 1);
    let active = row(&r, "user1", "active");
    assert_eq!(active["sent"], true);
    assert_eq!(active["stored"], "true");
    assert_eq!(active["kind"], "type-changed");
    assert_eq!(active["verdict"], "loops");
    assert_eq!(active["severity"], "fail");
    assert!(!check_passed(&r, "fidelity", "read-after-write"));
    assert!(!check_passed(&r, "sync-loop", "steady-state.sync-loop"));
}

#[test]
fn stale_reads_converge_with_the_lag_reported() {
    let (code, stdout, r) = steady(
        "okta-aiw",
        &[
            "--quirk",
            "stale-reads=500ms",
            "--read-settle",
            "3s",
            "--strict",
        ],
    );
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(r["passed"], true);
    assert_eq!(verdict(&r, "user1"), "stable");
    assert_eq!(verdict(&r, "user2"), "converges");
    let after = r["resources"][1]["after"].as_u64().unwrap();
    assert_eq!(after, 1);
    let lag = r["max_lag_ms"].as_u64().expect("lag reported");
    assert!((400..3000).contains(&lag), "lag {lag}");
    assert!(stdout.contains("Read lag"), "{stdout}");
    assert!(stdout.contains("converges after 1 cycle"), "{stdout}");
}

/// A retried user POST that creates a second account fails; a second group with the same
/// displayName (what no-duplicate-409 does to groups, where it still does) is allowed.
#[test]
fn duplicate_user_posts_fail_idempotency_duplicate_groups_do_not() {
    let (code, _, r) = steady("okta-oin", &["--quirk", "no-duplicate-409"]);
    assert_eq!(code, 1);
    assert!(!check_passed(&r, "idempotency", "steady-state.idempotent"));
    assert!(check_passed(&r, "fidelity", "steady-state.fidelity"));
    let probes = r["idempotency"].as_array().unwrap();
    let failed: Vec<&str> = probes
        .iter()
        .filter(|f| f["passed"] == false)
        .map(|f| f["probe"].as_str().unwrap())
        .collect();
    assert_eq!(
        failed,
        vec![
            "retried POST /Users of {user1}",
            "retried POST /Users of {user2}",
        ]
    );
    let group = probes
        .iter()
        .find(|f| f["probe"] == "retried POST /Groups of {group1}")
        .unwrap();
    let note = group["message"].as_str().unwrap();
    assert!(
        note.is_empty() || note.contains("uniqueness none"),
        "{note}"
    );
}

#[test]
fn cycles_flag_bounds_the_simulation() {
    let (_, _, r) = steady("okta-aiw", &["--quirk", "drops-locale", "--cycles", "1"]);
    assert_eq!(r["cycles"], 1);
    let res = &r["resources"][0];
    assert_eq!(res["flips"][0]["values"].as_array().unwrap().len(), 1);
}

fn run_report(extra: &[&str]) -> Value {
    let (code, report) = run_with_code(extra);
    assert_eq!(code, 0, "{report:#}");
    report
}

/// `run -s okta/connection-test` plus the steady-state pass; (exit code, JSON report).
fn run_with_code(extra: &[&str]) -> (i32, Value) {
    let report = temp_json("run");
    let out = Command::new(BIN)
        .args([
            "run",
            "-s",
            "okta/connection-test",
            "--steady-state",
            "--no-snapshots",
            "--color",
            "never",
            "--report-json",
        ])
        .arg(&report)
        .args(extra)
        .env_remove("SCIM_BASE_URL")
        .env_remove("SCIM_TOKEN")
        .output()
        .expect("binary runs");
    let text = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("no report ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    let _ = std::fs::remove_file(&report);
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&text).unwrap(),
    )
}

#[test]
fn run_includes_the_steady_state_scenario_unless_skipped() {
    let with = run_report(&[]);
    let names: Vec<&str> = with["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["okta/connection-test", "steady-state/okta-aiw"]);
    let steady = &with["scenarios"][1];
    assert_eq!(steady["status"], "passed");
    let steps: Vec<&str> = steady["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        vec!["fidelity", "idempotency", "sync-loop", "cleanup"]
    );
    let text = steady.to_string();
    assert!(text.contains("steady-state.sync-loop") && text.contains("steady-state.idempotent"));
    assert!(!text.contains("srt-"), "the token is scrubbed");
    let without = run_report(&["--no-steady-state"]);
    assert_eq!(without["scenarios"].as_array().unwrap().len(), 1);
}

/// In `run`, profile attribute drift from the steady pass is a warning: exit 0, exit 1 with
/// `--strict`; wrong state (`active` as a string) fails.
#[test]
fn run_reports_steady_state_drift_by_severity() {
    for profile in ["okta-aiw", "okta-oin"] {
        let (code, r) =
            run_with_code(&["--profile", profile, "--quirk", "recomputes-display-name"]);
        assert_eq!(code, 0, "{profile}: {r:#}");
        assert!(r["summary"]["warnings"].as_u64().unwrap() > 0, "{profile}");
        let (code, _) = run_with_code(&[
            "--profile",
            profile,
            "--quirk",
            "recomputes-display-name",
            "--strict",
        ]);
        assert_eq!(code, 1, "{profile} --strict");
    }
    let (code, _) = run_with_code(&["--quirk", "string-booleans"]);
    assert_eq!(code, 1);
}
