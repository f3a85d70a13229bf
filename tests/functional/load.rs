//! `scimreplay load`: the timed mass push passes against the reference server in both dialects,
//! and fails — with the verification that caught it — against servers that answer fast by
//! dropping work.

use crate::cli_support;

use cli_support::{TestServer, scimreplay};

fn load(extra: &[&str]) -> cli_support::Run {
    let mut args = vec!["load", "--users", "30", "--concurrency", "4"];
    args.extend_from_slice(extra);
    scimreplay(&args, None, &[])
}

#[test]
fn a_correct_server_passes_in_both_dialects_and_the_report_holds_no_secret() {
    let token = "tok-LOAD-5e1f0c77a9";
    let server = TestServer::start(token, &[]);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("load.json");
    for profile in ["okta-aiw", "okta-oin"] {
        let run = scimreplay(
            &[
                "load",
                "--users",
                "30",
                "--profile",
                profile,
                "--target",
                &server.base_url,
                "--token-env",
                "LOAD_TOKEN",
                "--report-json",
                report.to_str().unwrap(),
            ],
            None,
            &[("LOAD_TOKEN", token)],
        );
        assert_eq!(run.code, 0, "{profile}: {}{}", run.stdout, run.stderr);
        for line in [
            "ok   30 of 30 users created",
            "ok   the group holds 30 of 30 members",
            "ok   the import listed 30 of 30 created users",
            "ok   30 of 30 users deactivated",
            "load: passed",
        ] {
            assert!(
                run.stdout.contains(line),
                "{profile}: {line}\n{}",
                run.stdout
            );
        }
        let json = std::fs::read_to_string(&report).unwrap();
        assert!(!json.contains(token) && !run.stdout.contains(token));
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(doc["passed"], true);
        let create = doc["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "user create")
            .unwrap();
        assert_eq!(create["requests"], 30);
        assert_eq!(create["errors"], 0);
    }
}

#[test]
fn dropped_work_fails_the_verification_that_sees_it() {
    for (quirk, line) in [
        (
            "short-pages",
            "FAIL the import listed 10 of 30 created users",
        ),
        (
            "put-ignores-changes",
            "FAIL the group holds 0 of 30 members",
        ),
        ("rejects-readonly-in-create", "FAIL 0 of 30 users created"),
    ] {
        let run = load(&["--quirk", quirk]);
        assert_eq!(run.code, 1, "{quirk}: {}", run.stdout);
        assert!(run.stdout.contains(line), "{quirk}: {line}\n{}", run.stdout);
        assert!(run.stdout.ends_with("load: failed\n"), "{quirk}");
    }
}

#[test]
fn an_unreachable_target_exits_3() {
    let run = scimreplay(
        &[
            "load",
            "--target",
            "http://127.0.0.1:9/scim/v2",
            "--token",
            "x",
        ],
        None,
        &[],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("target unreachable"), "{}", run.stderr);
}
