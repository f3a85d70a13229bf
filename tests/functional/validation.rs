//! Broken inputs are exit 2 with a located, plain-words message — never a run that reports them
//! as conformance failures, never Debug text: fixtures outside `fixtures/`, unclosed templates,
//! symlink loops, oversized YAML, corrupt snapshots, zero timeouts, profiles that pass for a
//! built-in, and recordings that would convert into invalid scenarios.

use crate::cli_support::{self, copy_scenarios, scimreplay};
use serde_json::json;
use std::path::Path;

const HEAD: &str = "format: 1\nname: t\nsteps:\n";

fn validate(dir: &Path, file: &str) -> cli_support::Run {
    scimreplay(&["validate", file], Some(dir), &[])
}

fn output(run: &cli_support::Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

fn post_file(fixture: &str) -> String {
    format!(
        "{HEAD}  - name: create\n    request: {{method: POST, path: /Users, body_file: \"{fixture}\"}}\n    expect: {{status: 201}}\n"
    )
}

#[test]
fn body_file_is_confined_to_the_fixtures_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("scenarios/fixtures")).unwrap();
    std::fs::write(root.join("secret.json"), r#"{"aws": "key"}"#).unwrap();
    std::fs::write(
        root.join("scenarios/fixtures/user.json"),
        r#"{"userName": "u"}"#,
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        root.join("secret.json"),
        root.join("scenarios/fixtures/link.json"),
    )
    .unwrap();
    let absolute = root.join("secret.json").display().to_string();
    let mut refused = vec![
        absolute.as_str(),
        "fixtures/../../secret.json",
        "../secret.json",
        "secret.json",
    ];
    if cfg!(unix) {
        refused.push("fixtures/link.json");
    }
    for fixture in refused {
        std::fs::write(root.join("scenarios/t.yaml"), post_file(fixture)).unwrap();
        let run = validate(root, "scenarios/t.yaml");
        assert_eq!(run.code, 2, "{fixture}: {}", output(&run));
        let shown = output(&run);
        assert!(
            shown.contains("--> scenarios/t.yaml:5:"),
            "{fixture}: {shown}"
        );
        assert!(
            shown.contains("fixtures/") && !shown.contains("\"aws\""),
            "{fixture}: {shown}"
        );
    }
    std::fs::write(
        root.join("scenarios/t.yaml"),
        post_file("fixtures/user.json"),
    )
    .unwrap();
    let ok = validate(root, "scenarios/t.yaml");
    assert_eq!(ok.code, 0, "{}", output(&ok));
}

#[test]
fn an_unclosed_placeholder_is_a_validation_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEAD}  - name: read\n    request: {{method: GET, path: \"/Users/{{{{unknown_id\"}}\n    expect: {{status: 404}}\n"
    );
    std::fs::write(dir.path().join("t.yaml"), text).unwrap();
    let run = validate(dir.path(), "t.yaml");
    assert_eq!(run.code, 2, "{}", output(&run));
    assert!(output(&run).contains("never closed"), "{}", output(&run));
    assert!(output(&run).contains("--> t.yaml:5:"), "{}", output(&run));
    let filter = format!(
        "{HEAD}  - name: read\n    request: {{method: GET, path: \"/Users/{{{{unknown_id|shout}}}}\"}}\n    expect: {{status: 404}}\n"
    );
    std::fs::write(dir.path().join("t.yaml"), filter).unwrap();
    let run = validate(dir.path(), "t.yaml");
    assert_eq!(run.code, 2, "{}", output(&run));
    assert!(output(&run).contains("unknown template filter `shout`"));
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_one_error() {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), &["okta/push-new-user.yaml"]);
    std::os::unix::fs::symlink("..", dir.path().join("scenarios/okta/loop")).unwrap();
    let run = scimreplay(&["validate"], Some(dir.path()), &[]);
    assert_eq!(run.code, 2, "{}", output(&run));
    let shown = output(&run);
    assert_eq!(shown.matches("error:").count(), 1, "{shown}");
    assert!(shown.contains("symlink loop"), "{shown}");
}

#[test]
fn an_oversized_yaml_file_is_said_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let tags = vec!["a"; 260_000].join(",");
    std::fs::write(
        dir.path().join("t.yaml"),
        format!("format: 1\nname: t\ntags: [{tags}]\n"),
    )
    .unwrap();
    let run = validate(dir.path(), "t.yaml");
    assert_eq!(run.code, 2);
    let shown = output(&run);
    assert!(
        shown.contains("too large to read: more than 250000 values"),
        "{}",
        &shown[..300.min(shown.len())]
    );
    assert!(!shown.contains("Nodes {"));
    assert!(
        shown.len() < 2_000,
        "the long source line is cut: {} bytes",
        shown.len()
    );
}

#[test]
fn profile_errors_are_one_plain_sentence_and_built_ins_cannot_be_shadowed() {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), &["okta/push-new-user.yaml"]);
    std::fs::write(dir.path().join("broken.yaml"), "name: [\n").unwrap();
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/okta-aiw.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("same.yaml"), &builtin).unwrap();
    let changed = builtin.replace("dialect: put", "dialect: patch");
    assert_ne!(changed, builtin);
    std::fs::write(dir.path().join("impostor.yaml"), changed).unwrap();
    let run_with = |profile: &str| {
        scimreplay(
            &[
                "run",
                "--profile",
                profile,
                "--target",
                "http://127.0.0.1:9/scim/v2",
                "--token",
                "x",
            ],
            Some(dir.path()),
            &[],
        )
    };
    let broken = run_with("./broken.yaml");
    assert_eq!(broken.code, 2);
    assert_eq!(
        broken.stderr.matches("error").count(),
        1,
        "{}",
        broken.stderr
    );
    let impostor = run_with("./impostor.yaml");
    assert_eq!(impostor.code, 2, "{}", output(&impostor));
    assert!(
        impostor
            .stderr
            .contains("is named `okta-aiw`, like the built-in profile"),
        "{}",
        impostor.stderr
    );
    let same = run_with("./same.yaml");
    assert_eq!(
        same.code,
        3,
        "a verbatim copy is accepted: {}",
        output(&same)
    );
}

#[test]
fn a_zero_timeout_is_a_usage_error() {
    for command in ["run", "steady", "load"] {
        let run = scimreplay(
            &[
                command,
                "--timeout",
                "0s",
                "--target",
                "http://127.0.0.1:9/scim/v2",
                "--token",
                "x",
            ],
            None,
            &[],
        );
        assert_eq!(run.code, 2, "{command}: {}", output(&run));
        assert!(run.stderr.contains("more than zero"), "{}", run.stderr);
    }
}

#[test]
fn a_corrupt_committed_snapshot_is_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), &["okta/push-new-user.yaml"]);
    let args = [
        "run",
        "--no-steady-state",
        "--dialect",
        "put",
        "--update",
        "always",
    ];
    let first = scimreplay(&args, Some(dir.path()), &[]);
    assert_eq!(first.code, 0, "{}", output(&first));
    let snaps = cli_support::files_under(&dir.path().join("snapshots"));
    let snap = snaps
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "snap"))
        .expect("a snapshot was written");
    std::fs::write(snap, "this is not a snapshot\n").unwrap();
    let second = scimreplay(&args[..4], Some(dir.path()), &[]);
    assert_eq!(second.code, 2, "{}", output(&second));
    let name = snap.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        second.stderr.contains("is not a valid snapshot file") && second.stderr.contains(&name),
        "{}",
        second.stderr
    );
}

#[test]
fn import_never_writes_a_scenario_that_fails_validate() {
    let dir = tempfile::tempdir().unwrap();
    let base = "https://scim.example.com/scim/v2";
    let entry = |method: &str, url: String, status: u16| {
        json!({"request": {"method": method, "url": url},
               "response": {"status": status, "content": {"text": "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\"totalResults\":0,\"Resources\":[]}"}}})
    };
    let har = json!({"log": {"version": "1.2", "entries": [
        entry("TRACE", format!("{base}/Users"), 200),
        entry("GET", format!("{base}/Users?filter=userName%20eq%20%22{{{{x}}}}%22"), 200),
        entry("GET", format!("{base}/Users/{{{{id}}}}"), 404),
        entry("GET", format!("{base}/Users?startIndex=1&count=100"), 200),
    ]}});
    std::fs::write(dir.path().join("cap.har"), har.to_string()).unwrap();
    let run = scimreplay(
        &["import", "cap.har", "--out", "t.yaml"],
        Some(dir.path()),
        &[],
    );
    assert_eq!(run.code, 0, "{}", output(&run));
    assert!(run.stdout.contains("3 left out"), "{}", run.stdout);
    assert!(run.stdout.contains("not a SCIM method"), "{}", run.stdout);
    assert!(run.stdout.contains("literal `{{`"), "{}", run.stdout);
    let check = validate(dir.path(), "t.yaml");
    assert_eq!(check.code, 0, "{}", output(&check));
    let only_trace = json!({"log": {"version": "1.2", "entries": [
        entry("TRACE", format!("{base}/Users"), 200),
    ]}});
    std::fs::write(dir.path().join("trace.har"), only_trace.to_string()).unwrap();
    let run = scimreplay(
        &["import", "trace.har", "--out", "u.yaml"],
        Some(dir.path()),
        &[],
    );
    assert_eq!(run.code, 4, "{}", output(&run));
    assert!(!dir.path().join("u.yaml").exists());
}

#[test]
fn profiles_are_listed_in_their_file_words_not_debug_text() {
    let run = scimreplay(&["profiles"], None, &[]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("unique identifier userName"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("unique identifier email"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("unique identifier UserName"));
}

#[test]
fn needs_must_name_an_earlier_step() {
    let dir = tempfile::tempdir().unwrap();
    let step = |name: &str, needs: &str| {
        format!(
            "  - name: {name}\n    needs: [{needs}]\n    request: {{method: GET, path: /Users}}\n    expect: {{status: 200}}\n"
        )
    };
    let seed = "  - name: seed\n    request: {method: GET, path: /Users}\n";
    for (text, ok) in [
        (format!("{HEAD}{seed}{}", step("filter", "seed")), true),
        (format!("{HEAD}{}{seed}", step("filter", "seed")), false),
        (format!("{HEAD}{seed}{}", step("filter", "filter")), false),
        (format!("{HEAD}{seed}{}", step("filter", "sed")), false),
    ] {
        std::fs::write(dir.path().join("t.yaml"), &text).unwrap();
        let run = validate(dir.path(), "t.yaml");
        if ok {
            assert_eq!(run.code, 0, "{text}\n{}", output(&run));
        } else {
            assert_eq!(run.code, 2, "{text}\n{}", output(&run));
            assert!(
                output(&run).contains("which is not an earlier step"),
                "{}",
                output(&run)
            );
        }
    }
}
