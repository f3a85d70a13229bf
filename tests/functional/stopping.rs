//! Stopping and bounded waits. Ctrl-C and SIGTERM for `steady` and `load` (`run`'s are in
//! cli_problems.rs): sent to the binary once it has created something on a slow in-process
//! target, the command stops sending Okta requests, deletes what it created (the target's
//! `/Users` and `/Groups` are back to what they were, a resource that was there before
//! included), writes its JSON report of what ran and exits 130 (SIGINT) or 143 (SIGTERM).
//! A target answering 429 with `Retry-After: 99999` for ever gets a bounded number of retries,
//! each wait capped at `--max-retry-wait`.

use crate::server_support::{self, Srv};
use std::time::Duration;

/// The ids listed by `collection` (one page is enough for these runs).
fn listing(rt: &tokio::runtime::Runtime, srv: &Srv, collection: &str) -> Vec<String> {
    let page = rt
        .block_on(srv.okta(
            "GET",
            &format!("{collection}?startIndex=1&count=1000"),
            None,
        ))
        .json();
    let mut ids: Vec<String> = page["Resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

/// Runs `scimreplay <args> --report-json FILE` against a slow target holding one user and one
/// group of its own, sends `signal` once the command has created `created` resources in
/// `(collection, created)`, and checks the exit code, the clean-up and the report. Returns the
/// report.
fn stopped_by(
    args: &[&str],
    (collection, created): (&str, usize),
    signal: &str,
    code: i32,
) -> serde_json::Value {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let srv = rt.block_on(server_support::start(&["slow=100ms"]));
    let seed = rt.block_on(srv.create_user("already.there@example.com"));
    let seed_id = seed["id"].as_str().unwrap();
    rt.block_on(srv.create_group("Already There", &[seed_id]));
    let before = (listing(&rt, &srv, "/Users"), listing(&rt, &srv, "/Groups"));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_scimreplay"))
        .args(args)
        .args(["--target", &srv.base, "--token-env", "T", "--report-json"])
        .arg(&report)
        .env("T", server_support::TOKEN)
        .env_remove("CI")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // under way: the command has created something that must be cleaned up
    let mut polls = 0;
    while listing(&rt, &srv, collection).len() < 1 + created {
        polls += 1;
        assert!(
            polls < 300,
            "the command never created {created} in {collection}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains("the run stopped early"), "{stderr}");
    let after = (listing(&rt, &srv, "/Users"), listing(&rt, &srv, "/Groups"));
    assert_eq!(after, before, "the target is not back to what it was");
    rt.block_on(srv.stop());
    serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap()
}

#[test]
fn ctrl_c_stops_steady_which_cleans_up_and_reports_with_exit_130() {
    let report = stopped_by(&["steady"], ("/Groups", 1), "-INT", 130);
    assert_eq!(report["stopped"], true, "{report}");
}

#[test]
fn sigterm_stops_steady_which_cleans_up_and_reports_with_exit_143() {
    let report = stopped_by(&["steady"], ("/Groups", 1), "-TERM", 143);
    assert_eq!(report["stopped"], true, "{report}");
}

#[test]
fn ctrl_c_stops_load_which_deletes_every_user_and_group_it_created_with_exit_130() {
    let report = stopped_by(&["load", "--users", "50"], ("/Users", 10), "-INT", 130);
    assert_eq!(report["stopped"], true, "{report}");
    assert_eq!(report["passed"], false, "{report}");
}

#[test]
fn sigterm_stops_load_which_deletes_every_user_and_group_it_created_with_exit_143() {
    let report = stopped_by(&["load", "--users", "50"], ("/Users", 10), "-TERM", 143);
    assert_eq!(report["stopped"], true, "{report}");
}

#[test]
fn a_429_with_retry_after_99999_is_retried_a_bounded_number_of_times_with_capped_waits() {
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mock = rt.block_on(async {
        let mock = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "99999"))
            .mount(&mock)
            .await;
        mock
    });
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let run = crate::cli_support::scimreplay(
        &[
            "run",
            "--target",
            &mock.uri(),
            "--token-env",
            "T",
            "--max-retry-wait",
            "20ms",
            "--keep-going",
            "--no-steady-state",
            "-s",
            "okta/push-new-user",
            "--report-json",
            report.to_str().unwrap(),
        ],
        None,
        &[("T", "a-token-for-the-429-test")],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let steps: Vec<&serde_json::Value> = json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["steps"].as_array().unwrap())
        .filter(|s| s["exchanges"].as_array().is_some_and(|e| !e.is_empty()))
        .collect();
    assert!(!steps.is_empty(), "{json}");
    for step in steps {
        // at most 10 attempts per request (docs/reports.md), each answered 429: the last 429
        // is the step's answer, after waits capped at --max-retry-wait instead of 99999 s
        assert_eq!(step["attempts"], 10, "{step}");
        let last = step["exchanges"].as_array().unwrap().last().unwrap();
        assert_eq!(last["response"]["status"], 429, "{step}");
    }
    drop(mock);
}
