//! What is settled before any request: report paths (writable, not a directory, no two the
//! same), quirk names (from `--quirk` and profile `server_quirks`), the CI rule; and how
//! reports reach symlinks, plus a closed standard output and the `--help` exit-code table.

use crate::cli_support::{copy_scenarios, files_under, scimreplay};
use std::path::Path;
use std::process::{Command, Stdio};

/// A loopback port nothing listens on: reaching the connection test would exit 3.
const DEAD_TARGET: &str = "http://127.0.0.1:9/scim/v2";

fn against_dead_target(args: &[&str], dir: &Path) -> crate::cli_support::Run {
    let mut args = args.to_vec();
    args.extend_from_slice(&["--target", DEAD_TARGET, "--token-env", "SECRETS_TEST_TOKEN"]);
    scimreplay(
        &args,
        Some(dir),
        &[("SECRETS_TEST_TOKEN", "a-long-test-token")],
    )
}

#[test]
fn bad_report_paths_fail_before_the_connection_test() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file"), "x").unwrap();
    let cases: &[&[&str]] = &[
        &["run", "--report-json", "."],
        &["run", "--report-junit", "file/junit.xml"],
        &["run", "--evidence", "file"],
        &[
            "run",
            "--report-json",
            "r.json",
            "--report-junit",
            "./r.json",
        ],
        &["run", "--report-json", "ev/report.json", "--evidence", "ev"],
        &["steady", "--report-json", "."],
        &["load", "--report-json", "file/load.json"],
    ];
    for case in cases {
        let (command, rest) = case.split_first().unwrap();
        let mut args = vec![*command];
        if *command == "run" {
            args.push(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"));
        }
        args.extend_from_slice(rest);
        let r = against_dead_target(&args, dir.path());
        assert_eq!(r.code, 2, "{case:?}\n{}{}", r.stdout, r.stderr);
        assert!(
            !r.stderr.contains("unreachable") && !r.stderr.contains("target:"),
            "{case:?}: no request was sent\n{}",
            r.stderr
        );
        let stderr = r.stderr.to_lowercase();
        assert!(
            stderr.contains("is a directory")
                || stderr.contains("not a directory")
                || stderr.contains("give each report its own path"),
            "{case:?}\n{}",
            r.stderr
        );
    }
    assert_eq!(files_under(dir.path()).len(), 1, "nothing was written");
}

#[test]
fn a_symlinked_report_is_written_to_its_target() {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), &["okta/connection-test.yaml"]);
    std::os::unix::fs::symlink("real.json", dir.path().join("link.json")).unwrap();
    let r = scimreplay(
        &["run", "--no-steady-state", "--report-json", "link.json"],
        Some(dir.path()),
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let link = std::fs::symlink_metadata(dir.path().join("link.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is kept");
    let report = std::fs::read_to_string(dir.path().join("real.json")).unwrap();
    assert!(report.contains("okta/connection-test"), "{report}");
}

#[test]
fn a_report_on_dev_stdout_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), &["okta/connection-test.yaml"]);
    let r = scimreplay(
        &["run", "--no-steady-state", "--report-json", "/dev/stdout"],
        Some(dir.path()),
        &[],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("\"report_format\""), "{}", r.stdout);
}

#[test]
fn misspelled_quirks_fail_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let r = scimreplay(&["run", "--quirk", "rate-limt"], Some(dir.path()), &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("unknown quirk 'rate-limt'"),
        "{}",
        r.stderr
    );

    let builtin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/profiles/okta-aiw.yaml"
    ))
    .unwrap();
    let profile = dir.path().join("mine.yaml");
    std::fs::write(
        &profile,
        format!("{builtin}\nserver_quirks: [lowercase-emial]\n"),
    )
    .unwrap();
    let profile = profile.to_string_lossy().into_owned();
    let scenarios = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
    let validate = scimreplay(&["validate", &scenarios, "--profile", &profile], None, &[]);
    assert_eq!(validate.code, 2, "{}{}", validate.stdout, validate.stderr);
    let shown = format!("{}{}", validate.stdout, validate.stderr);
    assert!(shown.contains("unknown quirk 'lowercase-emial'"), "{shown}");
    let run = scimreplay(&["run", &scenarios, "--profile", &profile], None, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn ci_false_is_not_ci() {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), &["okta/push-new-user.yaml"]);
    let pending = |dir: &Path| {
        files_under(dir)
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(".snap.new"))
            .count()
    };
    let under_ci = scimreplay(
        &["run", "--no-steady-state"],
        Some(dir.path()),
        &[("CI", "true")],
    );
    assert_eq!(under_ci.code, 0, "{}", under_ci.stdout);
    assert_eq!(pending(dir.path()), 0, "CI=true writes nothing");
    let not_ci = scimreplay(
        &["run", "--no-steady-state"],
        Some(dir.path()),
        &[("CI", "FALSE")],
    );
    assert_eq!(not_ci.code, 0, "{}", not_ci.stdout);
    assert!(
        pending(dir.path()) > 0,
        "CI=FALSE is not CI: new snapshots are pending"
    );
}

#[test]
fn help_shows_the_exit_code_table() {
    let r = scimreplay(&["--help"], None, &[]);
    assert_eq!(r.code, 0);
    for (code, meaning) in scimreplay::exit::TABLE {
        assert!(
            r.stdout.contains(&format!("  {code}  {meaning}")),
            "{}",
            r.stdout
        );
    }
}

/// Runs the binary with its standard output already closed by the reader.
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scimreplay"))
        .args(args)
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_quietly_with_success() {
    for args in [
        &["checks"][..],
        &["profiles"],
        &["steady", "--cycles", "1"],
        &["run", "-s", "okta/connection-test", "--no-steady-state"],
    ] {
        let mut full = args.to_vec();
        if args[0] == "run" {
            full.insert(1, concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"));
        }
        let (code, stderr) = with_closed_stdout(&full);
        assert_eq!(code, Some(0), "{args:?}\n{stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}\n{stderr}");
    }
}
