//! End-to-end tests of `scimreplay run` through the binary: output (insta), exit codes, YAML
//! errors, the snapshot workflow, CI behaviour and secret hygiene.

use crate::cli_support;

use cli_support::{TestServer, copy_scenarios, files_under, scimreplay, stable};

const SCENARIOS: &[&str] = &[
    "okta/connection-test.yaml",
    "okta/push-new-user.yaml",
    "okta/deactivate.yaml",
];

#[test]
fn run_output_against_the_embedded_server() {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), SCENARIOS);
    let run = scimreplay(
        &["run", "--no-snapshots", "--color", "never"],
        Some(dir.path()),
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    insta::assert_snapshot!("run_embedded", stable(&run.stdout));
    assert!(
        run.stdout.trim_end().ends_with("4 passed, 0 failed"),
        "{}",
        run.stdout
    );
}

#[test]
fn yaml_errors_are_located_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir_all(&scenarios).unwrap();
    std::fs::write(
        scenarios.join("broken.yaml"),
        "format: 1\nname: broken\nstepz: []\n",
    )
    .unwrap();
    let run = scimreplay(&["run"], Some(dir.path()), &[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("yaml_error", run.stderr);
    let validate = scimreplay(&["validate"], Some(dir.path()), &[]);
    assert_eq!(validate.code, 2);
    assert!(
        validate.stderr.contains("scenarios/broken.yaml:3:1"),
        "{}",
        validate.stderr
    );
}

#[test]
fn an_unreachable_target_exits_3_with_one_clear_sentence() {
    let run = scimreplay(
        &[
            "run",
            "--target",
            "http://127.0.0.1:9/scim/v2",
            "--token-env",
            "T",
            "--timeout",
            "5s",
        ],
        None,
        &[("T", "tok-for-tests")],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: target unreachable"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_refused_token_exits_3() {
    let server = TestServer::start("the-right-token", &[]);
    let run = scimreplay(
        &["run", "--target", &server.base_url, "--token-env", "T"],
        None,
        &[("T", "a-wrong-token")],
    );
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("authentication rejected"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("a-wrong-token"),
        "the token must not be printed"
    );
}

#[test]
fn usage_errors_exit_2_and_empty_selections_exit_4() {
    let missing = scimreplay(
        &[
            "run",
            "--target",
            "http://127.0.0.1:9/scim/v2",
            "--token-env",
            "NOPE_UNSET",
        ],
        None,
        &[],
    );
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("NOPE_UNSET"), "{}", missing.stderr);
    let profile = scimreplay(&["run", "--profile", "no-such-profile"], None, &[]);
    assert_eq!(profile.code, 2);
    assert!(
        profile.stderr.contains("unknown profile `no-such-profile`"),
        "{}",
        profile.stderr
    );
    let nothing = scimreplay(&["run", "--scenario", "does-not-exist/*"], None, &[]);
    assert_eq!(nothing.code, 4, "{}", nothing.stderr);
}

#[test]
fn snapshot_changes_fail_leave_a_pending_file_and_accept_fixes_them() {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), &["okta/push-new-user.yaml"]);
    let d = Some(dir.path());
    let first = scimreplay(&["run", "--update", "always"], d, &[]);
    assert_eq!(first.code, 0, "{}", first.stdout);
    let snap = files_under(&dir.path().join("snapshots"))
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with("create-alice.snap"))
        .expect("create snapshot written");
    assert_eq!(scimreplay(&["run"], d, &[]).code, 0, "a second run matches");

    let original = std::fs::read_to_string(&snap).unwrap();
    std::fs::write(
        &snap,
        original.replace("\"active\": true", "\"active\": false"),
    )
    .unwrap();

    let under_ci = scimreplay(&["run"], d, &[("CI", "true")]);
    assert_eq!(under_ci.code, 1);
    let pending: Vec<_> = files_under(dir.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".snap.new"))
        .collect();
    assert!(pending.is_empty(), "CI writes nothing: {pending:?}");

    let changed = scimreplay(&["run"], d, &[]);
    assert_eq!(changed.code, 1);
    assert!(changed.stdout.contains("body.active"), "{}", changed.stdout);
    assert!(
        changed.stdout.contains("-    \"active\": false")
            || changed.stdout.contains("-  \"active\": false")
            || changed.stdout.contains("\"active\": false"),
        "{}",
        changed.stdout
    );
    let pending = snap.with_file_name(format!(
        "{}.new",
        snap.file_name().unwrap().to_string_lossy()
    ));
    assert!(pending.exists(), "pending file written");

    let accept = scimreplay(&["accept"], d, &[]);
    assert_eq!(accept.code, 0, "{}", accept.stdout);
    assert!(!pending.exists());
    assert_eq!(scimreplay(&["run"], d, &[]).code, 0, "green after accept");
}

#[test]
fn secrets_never_reach_any_artefact() {
    let token = "tok-UNIQUE-7f3c9a2e41";
    let server = TestServer::start(token, &["returns-password"]);
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), SCENARIOS);
    let run = scimreplay(
        &[
            "run",
            "-v",
            "--target",
            &server.base_url,
            "--token-env",
            "MY_TOKEN",
            "--update",
            "always",
            "--report-json",
            "r.json",
            "--report-junit",
            "r.xml",
            "--evidence",
            "evidence",
        ],
        Some(dir.path()),
        &[("MY_TOKEN", token)],
    );
    assert_eq!(run.code, 1, "returns-password is a failure: {}", run.stdout);
    let evidence = std::fs::read_to_string(dir.path().join("evidence/evidence.md")).unwrap();
    assert!(evidence.contains("**FAIL**"), "{evidence}");
    assert!(
        evidence.contains("`user.password-not-returned`"),
        "{evidence}"
    );
    assert!(dir.path().join("evidence/report.json").is_file());
    let mut texts = vec![
        ("stdout".to_string(), run.stdout.clone()),
        ("stderr".to_string(), run.stderr.clone()),
    ];
    for file in files_under(dir.path()) {
        if !file.to_string_lossy().ends_with(".yaml") {
            texts.push((
                file.display().to_string(),
                std::fs::read_to_string(&file).unwrap_or_default(),
            ));
        }
    }
    assert!(texts.len() > 4, "reports and snapshots were written");
    for (name, text) in &texts {
        assert!(!text.contains(token), "the token leaked into {name}");
    }
    // Passwords Okta sends are random per run: every password value on record is a placeholder.
    let re = regex::Regex::new(r#"\\?"password\\?"\s*:\s*\\?"([^"\\]*)"#).unwrap();
    for (name, text) in &texts {
        for cap in re.captures_iter(text) {
            assert!(
                cap[1].starts_with("[secret:"),
                "a password leaked into {name}: {}",
                &cap[1]
            );
        }
    }
    assert!(
        run.stdout.contains("[secret:alice.password]"),
        "transcripts show the placeholder"
    );
}

#[test]
fn a_first_run_records_a_baseline_without_failing_and_later_new_steps_fail() {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), &["okta/push-new-user.yaml"]);
    let d = Some(dir.path());
    let first = scimreplay(&["run", "--color", "never"], d, &[]);
    assert_eq!(
        first.code, 0,
        "no baseline yet: new snapshots are not differences\n{}",
        first.stdout
    );
    assert!(
        first
            .stdout
            .contains("new snapshots, no baseline for this target and profile yet — written as pending files under"),
        "{}",
        first.stdout
    );
    let pending = files_under(dir.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".snap.new"))
        .count();
    assert!(pending > 0);
    assert_eq!(scimreplay(&["accept"], d, &[]).code, 0);
    assert_eq!(
        scimreplay(&["run"], d, &[]).code,
        0,
        "the accepted baseline matches"
    );

    // A scenario the baseline does not cover yet (a partially accepted baseline, or a user's
    // own scenario) is only new: recorded as pending, not a failure.
    copy_scenarios(dir.path(), &["okta/deactivate.yaml"]);
    let later = scimreplay(&["run", "--color", "never"], d, &[]);
    assert_eq!(later.code, 0, "{}", later.stdout);
    assert!(later.stdout.contains("new snapshot"), "{}", later.stdout);
    assert!(
        later.stdout.contains("0 snapshot differences"),
        "{}",
        later.stdout
    );

    // A step renamed in an accepted scenario: its snapshot was expected (a difference to
    // review) and the old file is reported as orphaned.
    let file = dir.path().join("scenarios/okta/push-new-user.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("name: read-alice\n", "name: read-alice-by-id\n"),
    )
    .unwrap();
    let renamed = scimreplay(&["run", "--color", "never", "push-new-user"], d, &[]);
    assert_eq!(renamed.code, 1, "{}", renamed.stdout);
    assert!(
        renamed
            .stdout
            .contains("[snapshot] new snapshot, not in the baseline yet"),
        "the closing summary names the reason\n{}",
        renamed.stdout
    );
    assert!(
        renamed.stdout.contains("1 snapshot difference;"),
        "{}",
        renamed.stdout
    );
    assert!(
        renamed.stderr.contains("1 orphaned snapshot")
            && renamed.stderr.contains("03-read-alice.snap"),
        "{}",
        renamed.stderr
    );
}

#[test]
fn accept_takes_a_baseline_and_refuses_snapshots_of_failed_steps() {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), &["okta/push-new-user.yaml"]);
    let d = Some(dir.path());
    let run = scimreplay(
        &[
            "run",
            "--quirk",
            "rejects-readonly-in-create",
            "--baseline",
            "quirky",
            "--no-steady-state",
            "--read-settle",
            "0s",
            "--color",
            "never",
        ],
        d,
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("0 snapshot differences"),
        "first run: {}",
        run.stdout
    );
    let wrong = scimreplay(&["accept", "--baseline", "nope"], d, &[]);
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    let accept = scimreplay(&["accept", "--baseline", "quirky"], d, &[]);
    assert_eq!(accept.code, 1, "{}", accept.stdout);
    assert!(accept.stdout.contains("1 accepted"), "{}", accept.stdout);
    assert!(
        accept.stdout.contains("not accepted: the step failed")
            && accept
                .stdout
                .contains("02-create-alice.snap.new ([create.okta-body]"),
        "{}",
        accept.stdout
    );
    let all = scimreplay(
        &["accept", "--baseline", "quirky", "--include-failing"],
        d,
        &[],
    );
    assert_eq!(all.code, 0, "{}", all.stdout);
    assert!(all.stdout.contains("2 accepted"), "{}", all.stdout);
}

/// The shards of a partition hold every scenario instance of the suite exactly once, and only
/// shard 1 runs the steady-state pass.
#[test]
fn partitions_split_the_suite_without_overlap() {
    let listed = |partition: Option<&str>| -> Vec<String> {
        let mut args = vec!["list", "--dialect", "both"];
        if let Some(p) = partition {
            args.extend(["--partition", p]);
        }
        let run = scimreplay(&args, None, &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
            .lines()
            .filter(|l| l.contains(" step"))
            .map(str::to_string)
            .collect()
    };
    let all = listed(None);
    for kind in ["hash", "count"] {
        let mut union: Vec<String> = (1..=3)
            .flat_map(|m| listed(Some(&format!("{kind}:{m}/3"))))
            .collect();
        union.sort();
        let mut expected = all.clone();
        expected.sort();
        assert_eq!(
            union, expected,
            "{kind} shards must cover the suite exactly once"
        );
    }
    let shard = |m: u32| {
        let p = format!("count:{m}/2");
        scimreplay(&["run", "--partition", &p, "--update", "no"], None, &[])
    };
    let (first, second) = (shard(1), shard(2));
    assert_eq!(
        (first.code, second.code),
        (0, 0),
        "{}{}",
        first.stdout,
        second.stdout
    );
    assert!(first.stdout.contains("] steady-state/"));
    assert!(!second.stdout.contains("] steady-state/"));
}

/// A quirky embedded server is judged by the checks, not by the clean server's snapshots: a
/// tolerated quirk passes; naming the baseline compares (and differs) again.
#[test]
fn quirk_runs_are_judged_by_checks_not_by_the_reference_snapshots() {
    let args = [
        "run",
        "--profile",
        "okta-oin",
        "-s",
        "okta/deactivate",
        "--quirk",
        "patch-returns-204",
        "--update",
        "no",
        "--no-steady-state",
    ];
    let tolerated = scimreplay(&args, None, &[]);
    assert_eq!(tolerated.code, 0, "{}", tolerated.stdout);
    let mut with_baseline = args.to_vec();
    with_baseline.extend(["--baseline", "reference"]);
    let compared = scimreplay(&with_baseline, None, &[]);
    assert_eq!(compared.code, 1, "{}", compared.stdout);
    assert!(compared.stdout.contains("snapshot"), "{}", compared.stdout);
}

/// Okta's SPEC certification test runs only for OIN submissions: a wizard-app server that
/// answers a filter miss with 404 passes the default suite, and the same server fails the
/// certification test under `okta-oin`.
#[test]
fn only_oin_profiles_are_held_to_the_certification_test() {
    let quirk = [
        "--quirk",
        "filter-miss-404",
        "--update",
        "no",
        "--no-steady-state",
    ];
    let mut aiw = vec!["run"];
    aiw.extend(quirk);
    let wizard = scimreplay(&aiw, None, &[]);
    assert_eq!(wizard.code, 0, "{}", wizard.stdout);
    assert!(
        wizard
            .stdout
            .contains("SKIP scenario okta-spec/spec-test [put]: profile okta-aiw does not enable oin-submission"),
        "{}",
        wizard.stdout
    );
    let mut oin = vec!["run", "scenarios/okta-spec", "--profile", "okta-oin"];
    oin.extend(quirk);
    let certification = scimreplay(&oin, None, &[]);
    assert_eq!(certification.code, 1, "{}", certification.stdout);
    assert!(
        certification.stdout.contains("[status.expected]"),
        "{}",
        certification.stdout
    );
}

/// Shell completions and the man page come from the same clap definitions as `--help`.
#[test]
fn completions_and_man_page_cover_the_command_line() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = scimreplay(&["completions", shell], None, &[]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        // fish spells long options `-l name`, the others `--name`.
        for flag in ["partition", "evidence"] {
            assert!(
                run.stdout.contains(&format!("--{flag}"))
                    || run.stdout.contains(&format!("-l {flag}")),
                "{shell}: {flag}"
            );
        }
    }
    let man = scimreplay(&["man"], None, &[]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(man.stdout.contains(".TH scimreplay 1"), "{}", man.stdout);
    assert!(man.stdout.contains("serve"), "subcommands are listed");
    assert_eq!(scimreplay(&["completions", "tcsh"], None, &[]).code, 2);
}

/// `--jobs` replays scenarios concurrently (each with its own run id, so nothing collides and
/// the committed snapshots still match) and reports them in the sequential order.
#[test]
fn concurrent_runs_match_the_sequential_run() {
    let headers = |jobs: &str| {
        let run = scimreplay(
            &[
                "run",
                "--profile",
                "okta-oin",
                "--dialect",
                "both",
                "--update",
                "no",
                "--jobs",
                jobs,
            ],
            None,
            &[],
        );
        assert_eq!(run.code, 0, "--jobs {jobs}: {}", run.stdout);
        assert!(
            run.stdout.contains("0 snapshot differences"),
            "{}",
            run.stdout
        );
        // Scenario lines without their durations.
        let duration = regex::Regex::new(r"\[\s*[0-9.]+(ms|s)\] ").unwrap();
        let order: Vec<String> = run
            .stdout
            .lines()
            .filter(|l| l.contains(" [put]") || l.contains(" [patch]"))
            .map(|l| duration.replace(l, "").into_owned())
            .collect();
        (
            order,
            run.stdout.lines().last().unwrap_or_default().to_string(),
        )
    };
    let sequential = headers("1");
    let concurrent = headers("6");
    assert_eq!(concurrent, sequential);
}

/// A failing read is re-sent for `--read-settle` only once a write has succeeded: before that
/// there is nothing for an eventually consistent server to catch up with.
#[test]
fn failing_reads_are_re_sent_only_after_a_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scenarios")).unwrap();
    let scenario = r#"format: 1
name: settle/after-write
description: a read that can never pass, before and after a create
dialects: [put]
users:
  ada: {given_name: Ada, family_name: Lovelace}
steps:
  - name: early-read
    request: {method: GET, path: /Users, query: "startIndex=1&count=2"}
    expect: {status: 201}
    snapshot: false
  - name: create
    request:
      method: POST
      path: /Users
      body: {schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "{{ada.user_name}}", name: {givenName: Ada, familyName: Lovelace}, emails: [{primary: true, value: "{{ada.email}}", type: work}], active: true}
    expect: {status: 201}
    capture: {ada.id: {json: "$.id"}}
    snapshot: false
  - name: late-read
    request: {method: GET, path: /Users, query: "startIndex=1&count=2"}
    expect: {status: 201}
    snapshot: false
teardown:
  - name: delete
    request: {method: DELETE, path: "/Users/{{ada.id}}"}
    expect: {status: 204}
    snapshot: false
"#;
    std::fs::write(dir.path().join("scenarios/settle.yaml"), scenario).unwrap();
    let run = scimreplay(
        &[
            "run",
            "-v",
            "--read-settle",
            "300ms",
            "--no-steady-state",
            "--update",
            "no",
        ],
        Some(dir.path()),
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let line = |name: &str| {
        run.stdout
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(!line("early-read").contains("attempts"), "{}", run.stdout);
    assert!(line("late-read").contains("attempts)"), "{}", run.stdout);
}

/// A user's own scenarios in their own folder get their own snapshots; running them never
/// makes the built-in suite's run fail, before or after they are accepted.
#[test]
fn a_users_own_scenario_folder_never_breaks_the_built_in_run() {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), &["okta/push-new-user.yaml"]);
    let d = Some(dir.path());
    assert_eq!(scimreplay(&["run", "--no-steady-state"], d, &[]).code, 0);
    assert_eq!(scimreplay(&["accept"], d, &[]).code, 0);
    let mine = dir.path().join("my-scenarios");
    std::fs::create_dir_all(&mine).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/okta/deactivate.yaml")).unwrap();
    std::fs::write(
        mine.join("deactivate.yaml"),
        text.replace("name: okta/deactivate", "name: mine/deactivate"),
    )
    .unwrap();
    let own = scimreplay(&["run", "my-scenarios", "--no-steady-state"], d, &[]);
    assert_eq!(own.code, 0, "{}", own.stdout);
    let builtin = scimreplay(&["run", "--no-steady-state"], d, &[]);
    assert_eq!(builtin.code, 0, "{}{}", builtin.stdout, builtin.stderr);
    assert_eq!(scimreplay(&["accept"], d, &[]).code, 0);
    let again = scimreplay(&["run", "--no-steady-state"], d, &[]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(!again.stderr.contains("orphaned"), "{}", again.stderr);
}
