//! Scenario selection as users of nextest and hurl expect it: short names, positional names,
//! exclusions, `list` with tags and descriptions, `--rerun-failed`, and the steady-state pass
//! staying out of narrowed runs.

use crate::cli_support::{copy_scenarios, scimreplay};

const SCENARIOS: &[&str] = &[
    "okta/push-new-user.yaml",
    "okta/deactivate.yaml",
    "okta/username-case.yaml",
];

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), SCENARIOS);
    dir
}

fn listed(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.starts_with("okta/"))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn short_names_full_names_globs_and_positional_names_select() {
    let dir = workdir();
    let d = Some(dir.path());
    for args in [
        vec!["list", "-s", "push-new-user"],
        vec!["list", "-s", "okta/push-new-user"],
        vec!["list", "-s", "push-*"],
        vec!["list", "push-new-user"],
        vec!["list", "okta/push-new-user"],
    ] {
        let out = scimreplay(&args, d, &[]);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert_eq!(listed(&out.stdout), ["okta/push-new-user"], "{args:?}");
    }
    let typo = scimreplay(&["run", "my-scenarois/"], d, &[]);
    assert_eq!(
        typo.code, 2,
        "a mistyped folder is an error: {}",
        typo.stderr
    );
    assert!(
        typo.stderr.contains(
            "`my-scenarois/` is neither a scenario file or folder nor the name of a scenario"
        ),
        "{}",
        typo.stderr
    );
    let none = scimreplay(&["list", "-s", "no-such-scenario"], d, &[]);
    assert_eq!(none.code, 4, "{}", none.stderr);
}

#[test]
fn exclusions_leave_tagged_or_named_scenarios_out() {
    let dir = workdir();
    let d = Some(dir.path());
    for args in [
        vec!["list", "-t", "!inferred"],
        vec!["list", "--skip-tag", "inferred"],
    ] {
        let out = scimreplay(&args, d, &[]);
        assert_eq!(
            listed(&out.stdout),
            ["okta/deactivate", "okta/push-new-user"],
            "{args:?}"
        );
    }
    let out = scimreplay(&["list", "-s", "!deactivate"], d, &[]);
    assert_eq!(
        listed(&out.stdout),
        ["okta/push-new-user", "okta/username-case"]
    );
}

#[test]
fn list_shows_tags_and_long_shows_descriptions() {
    let dir = workdir();
    let out = scimreplay(&["list", "push-new-user"], Some(dir.path()), &[]);
    assert!(
        out.stdout.contains("tags: users, lifecycle, create"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("Assignment of a user"));
    let long = scimreplay(&["list", "--long", "push-new-user"], Some(dir.path()), &[]);
    assert!(
        long.stdout.contains("    Assignment of a user"),
        "{}",
        long.stdout
    );
}

#[test]
fn rerun_failed_replays_only_what_failed_and_a_narrow_run_has_no_steady_pass() {
    let dir = workdir();
    let d = Some(dir.path());
    let first = scimreplay(
        &[
            "run",
            "--no-snapshots",
            "--dialect",
            "both",
            "--quirk",
            "patch-requires-path",
            "--read-settle",
            "0s",
            "-s",
            "deactivate",
            "-s",
            "push-new-user",
            "--report-json",
            "first.json",
        ],
        d,
        &[],
    );
    assert_eq!(first.code, 1, "{}{}", first.stdout, first.stderr);
    assert!(!first.stdout.contains("steady-state/"), "{}", first.stdout);
    assert!(
        first.stdout.contains("3 passed, 1 failed"),
        "{}",
        first.stdout
    );

    for extra in [vec![], vec!["first.json"]] {
        let mut args = vec![
            "run",
            "--no-snapshots",
            "--read-settle",
            "0s",
            "--rerun-failed",
        ];
        args.extend(extra.iter());
        let again = scimreplay(&args, d, &[]);
        assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
        assert!(
            again.stdout.contains("okta/deactivate [patch]"),
            "{}",
            again.stdout
        );
        assert!(
            again.stdout.contains("1 passed, 0 failed"),
            "{}",
            again.stdout
        );
    }
    let nothing = scimreplay(&["run", "--no-snapshots", "--rerun-failed"], d, &[]);
    assert_eq!(nothing.code, 4, "{}", nothing.stderr);
    assert!(
        nothing.stderr.contains("nothing to rerun"),
        "{}",
        nothing.stderr
    );

    let with_steady = scimreplay(
        &[
            "run",
            "--no-snapshots",
            "--steady-state",
            "--cycles",
            "1",
            "push-new-user",
        ],
        d,
        &[],
    );
    assert!(
        with_steady.stdout.contains("steady-state/okta-aiw"),
        "{}",
        with_steady.stdout
    );
}
