//! Tests of the review, accept and reject commands on pending files in a temporary directory,
//! with scripted input instead of a terminal.

use super::store_tests::{doc, files, key, store};
use super::*;
use crate::scenario::Dialect;
use std::path::Path;

/// Three pending files: step 1 changed, steps 2 and 3 new; one in another scenario.
fn setup(root: &Path) {
    colored::control::set_override(false);
    let always = store(root, UpdateMode::Always, false);
    always
        .compare(&key("create user", 1), &doc("Alice"), &[])
        .unwrap();
    let new = store(root, UpdateMode::New, false);
    new.compare(&key("create user", 1), &doc("alice"), &[])
        .unwrap();
    new.compare(&key("get user", 2), &doc("Alice"), &[])
        .unwrap();
    let other = SnapshotKey {
        scenario: "okta/push-group",
        dialect: Dialect::Patch,
        ..key("create group", 1)
    };
    new.compare(&other, &doc("Team"), &[]).unwrap();
}

const USER: &str = "reference/generic-aiw/okta/push-user/put";
const GROUP: &str = "reference/generic-aiw/okta/push-group/patch/01-create-group.snap";

fn snapshots(root: &Path, scenario: Option<&str>) -> (std::path::PathBuf, Option<String>) {
    (root.to_path_buf(), scenario.map(str::to_string))
}

fn run_review(root: &Path, scenario: Option<&str>, script: &str) -> String {
    let (snapshots, scenario) = snapshots(root, scenario);
    let mut out = Vec::new();
    let code = review(
        &ReviewArgs {
            snapshots,
            baseline: None,
            scenario,
        },
        &mut out,
        &mut script.as_bytes(),
    )
    .unwrap();
    assert_eq!(code, 0);
    String::from_utf8(out).unwrap()
}

fn run_accept(root: &Path, scenario: Option<&str>) -> String {
    let (snapshots, scenario) = snapshots(root, scenario);
    let mut out = Vec::new();
    assert_eq!(
        accept(
            &AcceptArgs {
                snapshots,
                baseline: None,
                scenario,
                include_failing: false,
            },
            &mut out
        )
        .unwrap(),
        0
    );
    String::from_utf8(out).unwrap()
}

fn run_reject(root: &Path, scenario: Option<&str>) -> String {
    let (snapshots, scenario) = snapshots(root, scenario);
    let mut out = Vec::new();
    assert_eq!(
        reject(
            &RejectArgs {
                snapshots,
                baseline: None,
                scenario,
            },
            &mut out
        )
        .unwrap(),
        0
    );
    String::from_utf8(out).unwrap()
}

#[test]
fn nothing_pending_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    assert_eq!(run_accept(&missing, None), "no pending snapshots\n");
    assert_eq!(run_reject(dir.path(), None), "no pending snapshots\n");
    assert_eq!(run_review(dir.path(), None, ""), "no pending snapshots\n");
}

#[test]
fn accept_moves_pending_over_committed_and_strips_volatile_fields() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let out = run_accept(dir.path(), Some("okta/push-user"));
    assert!(out.ends_with("2 accepted\n"), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("accepted ")).count(),
        2
    );
    let listed = files(dir.path());
    assert_eq!(
        listed,
        [
            format!("{GROUP}.new"),
            format!("{USER}/01-create-user.snap"),
            format!("{USER}/02-get-user.snap"),
        ]
    );
    let accepted =
        std::fs::read_to_string(dir.path().join(USER).join("01-create-user.snap")).unwrap();
    assert!(accepted.contains("\"givenName\": \"alice\""), "{accepted}");
    assert!(!accepted.contains("target:") && !accepted.contains("recorded_at:"));
    let reparsed = SnapshotFile::parse(&accepted).unwrap();
    assert_eq!(reparsed.header.target, None);
}

#[test]
fn reject_deletes_pending_files_only() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let out = run_reject(dir.path(), None);
    assert!(out.ends_with("3 rejected\n"), "{out}");
    assert_eq!(files(dir.path()), [format!("{USER}/01-create-user.snap")]);
    let kept = std::fs::read_to_string(dir.path().join(USER).join("01-create-user.snap")).unwrap();
    assert!(kept.contains("\"givenName\": \"Alice\""));
}

#[test]
fn scenario_glob_filters_and_bad_globs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    assert_eq!(
        run_reject(dir.path(), Some("other/*")),
        "no pending snapshots\n"
    );
    let out = run_reject(dir.path(), Some("okta/*-group"));
    assert!(out.ends_with("1 rejected\n"), "{out}");
    let (snapshots, _) = snapshots(dir.path(), None);
    let args = AcceptArgs {
        snapshots,
        baseline: None,
        scenario: Some("[".into()),
        include_failing: false,
    };
    let err = accept(&args, &mut Vec::new()).unwrap_err();
    assert!(matches!(err, SnapshotError::Pattern { .. }), "{err}");
}

#[test]
fn review_accepts_rejects_and_skips_as_scripted() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    // Sorted order: push-group/01 (new), push-user/01 (changed), push-user/02 (new).
    let out = run_review(dir.path(), None, "a\nr\ns\n");
    assert!(
        out.ends_with("1 accepted, 1 rejected, 1 skipped\n"),
        "{out}"
    );
    assert!(out.contains("pending 1/3: "), "{out}");
    assert!(
        out.contains("  scenario: okta/push-user\n  step:     create user\n"),
        "{out}"
    );
    assert!(
        out.contains("  request:  POST /Users\n  target:   reference server\n"),
        "{out}"
    );
    assert!(out.contains("new snapshot\n"), "{out}");
    assert!(
        out.contains("-      \"givenName\": \"Alice\"\n+      \"givenName\": \"alice\"\n"),
        "{out}"
    );
    assert_eq!(out.matches("accept (a), reject (r)").count(), 3);
    assert_eq!(
        files(dir.path()),
        [
            GROUP.to_string(),
            format!("{USER}/01-create-user.snap"),
            format!("{USER}/02-get-user.snap.new"),
        ]
    );
}

#[test]
fn review_all_answers_apply_to_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let out = run_review(dir.path(), None, "x\ns\nA\n");
    assert!(out.contains("please answer a, r, s, A, R, S or q"), "{out}");
    assert!(
        out.ends_with("2 accepted, 0 rejected, 1 skipped\n"),
        "{out}"
    );
    assert_eq!(out.matches("accept (a), reject (r)").count(), 3);
}

#[test]
fn review_quit_and_end_of_input_skip_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let out = run_review(dir.path(), None, "r\nq\n");
    assert!(
        out.ends_with("0 accepted, 1 rejected, 2 skipped\n"),
        "{out}"
    );
    let out = run_review(dir.path(), None, "");
    assert!(
        out.ends_with("0 accepted, 0 rejected, 2 skipped\n"),
        "{out}"
    );
    assert_eq!(
        files(dir.path())
            .iter()
            .filter(|f| f.ends_with(".new"))
            .count(),
        2
    );
}

#[test]
fn corrupt_pending_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let bad = dir.path().join(GROUP).with_extension("snap.new");
    std::fs::write(&bad, "garbage").unwrap();
    let (snapshots, scenario) = snapshots(dir.path(), None);
    let err = reject(
        &RejectArgs {
            snapshots,
            baseline: None,
            scenario,
        },
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("01-create-group.snap.new"),
        "{err}"
    );
}

#[test]
fn accept_refuses_pending_files_of_failed_steps_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let failing = dir.path().join(USER).join("02-get-user.snap.new");
    mark_failing(&failing, "[status.expected] expected 200, got 500").unwrap();
    let mut out = Vec::new();
    let mut args = AcceptArgs {
        snapshots: dir.path().to_path_buf(),
        baseline: None,
        scenario: Some("okta/push-user".into()),
        include_failing: false,
    };
    assert_eq!(accept(&args, &mut out).unwrap(), 1);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("1 accepted\n1 not accepted"), "{text}");
    assert!(text.contains("expected 200, got 500"), "{text}");
    assert!(failing.exists(), "the failing step's file stays pending");
    args.include_failing = true;
    let mut out = Vec::new();
    assert_eq!(accept(&args, &mut out).unwrap(), 0);
    let accepted = std::fs::read_to_string(dir.path().join(USER).join("02-get-user.snap")).unwrap();
    assert!(
        !accepted.contains("failing:"),
        "volatile fields are stripped\n{accepted}"
    );
}

#[test]
fn baseline_limits_the_commands_to_one_folder() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let other = store_in(dir.path(), "acme.example");
    other
        .compare(&key("create user", 1), &doc("Alice"), &[])
        .unwrap();
    let mut out = Vec::new();
    let args = RejectArgs {
        snapshots: dir.path().to_path_buf(),
        baseline: Some("acme.example".into()),
        scenario: None,
    };
    assert_eq!(reject(&args, &mut out).unwrap(), 0);
    assert!(String::from_utf8(out).unwrap().ends_with("1 rejected\n"));
    assert_eq!(
        files(dir.path())
            .iter()
            .filter(|f| f.ends_with(".snap.new"))
            .count(),
        3,
        "the reference baseline's pending files are untouched"
    );
    let missing = RejectArgs {
        baseline: Some("nope".into()),
        ..args
    };
    let err = reject(&missing, &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("no baseline `nope`"), "{err}");
}

fn store_in(root: &Path, baseline: &str) -> SnapshotStore {
    SnapshotStore::new(
        root.to_path_buf(),
        baseline,
        UpdateMode::New,
        false,
        "https://acme.example/scim/v2",
    )
}
