//! Secrets never reach an artefact: a wiremock target that echoes the token JSON-escaped,
//! `\u`-escaped, percent-encoded and nested leaves no form of it in report.json, JUnit, the
//! evidence bundle or `-v` output; short tokens (`secret`, `test`, …) still get honest reports.

use crate::cli_support::{TestServer, copy_scenarios, files_under};
use std::path::Path;
use std::process::Command;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const BIN: &str = env!("CARGO_BIN_EXE_scimreplay");
const TOKEN_VAR: &str = "SCIMREPLAY_SECRETS_TOKEN";

/// Tokens with every character JSON and URLs treat specially.
const TOKENS: &[&str] = &[
    r#"tok/en+va=lue"x\y"#,
    r#"a+b/c=d/e+f==\"g"#,
    "//++==SCIM token with spaces",
];

fn json_inner(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap();
    quoted[1..quoted.len() - 1].to_string()
}

fn unicode_escaped(text: &str, upper: bool) -> String {
    text.chars()
        .map(|c| match (c.is_ascii_alphanumeric(), upper) {
            (true, _) => c.to_string(),
            (false, true) => format!("\\u{:04X}", c as u32),
            (false, false) => format!("\\u{:04x}", c as u32),
        })
        .collect()
}

fn percent(text: &str, upper: bool) -> String {
    text.bytes()
        .map(|b| match (b.is_ascii_alphanumeric(), upper) {
            (true, _) => (b as char).to_string(),
            (false, true) => format!("%{b:02X}"),
            (false, false) => format!("%{b:02x}"),
        })
        .collect()
}

/// Every form of `token` an artefact could carry it in.
fn forms(token: &str) -> Vec<String> {
    let json = json_inner(token);
    let xml = token
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    vec![
        token.to_string(),
        json.clone(),
        json.replace('/', "\\/"),
        json_inner(&json),
        unicode_escaped(token, true),
        unicode_escaped(token, false),
        percent(token, true),
        percent(token, false),
        token.replace('+', "%2B").replace(' ', "+"),
        xml,
    ]
}

/// A body echoing the token in several encodings at once, around a valid empty ListResponse.
fn echoing_body(token: &str) -> String {
    let json = json_inner(token);
    format!(
        concat!(
            r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"#,
            r#""totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[],"#,
            r#""plain":"{}","slashes":"{}","unicode":"{}","percent":"{}","nested":"{}"}}"#
        ),
        json,
        json.replace('/', "\\/"),
        unicode_escaped(token, false),
        percent(token, true),
        json_inner(&format!("{{\"t\":\"{}\"}}", json.replace('/', "\\/"))),
    )
}

const SCENARIO: &str = r#"format: 1
name: echo/token
dialects: [put]
steps:
  - name: list-users
    request: {method: GET, path: /Users, query: "startIndex=1&count=2"}
    expect:
      status: 200
      body:
        - {path: "$.plain", equals: "not the echo"}
"#;

async fn echoing_target(token: &str) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/scim+json")
                .insert_header("x-echo", percent(token, false).as_str())
                .set_body_string(echoing_body(token)),
        )
        .up_to_n_times(20)
        .mount(&server)
        .await;
    server
}

fn run_binary(dir: &Path, args: &[&str], token: &str) -> (i32, String, String) {
    let out = Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env(TOKEN_VAR, token)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .env_remove("SCIM_TOKEN")
        .env_remove("SCIM_BASE_URL")
        .output()
        .expect("scimreplay runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `echo.yaml` against a target echoing `token`, with every artefact written; asserts no
/// artefact holds any form of it. `runtime` serves the wiremock target meanwhile.
fn assert_no_form_reaches_an_artefact(runtime: &tokio::runtime::Runtime, token: &str) {
    let server = runtime.block_on(echoing_target(token));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("echo.yaml"), SCENARIO).unwrap();
    let base = server.uri();
    let (code, stdout, stderr) = run_binary(
        dir.path(),
        &[
            "run",
            "echo.yaml",
            "--target",
            &base,
            "--token-env",
            TOKEN_VAR,
            "--no-snapshots",
            "--no-steady-state",
            "--read-settle",
            "0",
            "-v",
            "--report-json",
            "report.json",
            "--report-junit",
            "junit.xml",
            "--evidence",
            "evidence",
        ],
        token,
    );
    drop(server);
    assert_eq!(
        code, 1,
        "the assertion fails, nothing else\n{stdout}\n{stderr}"
    );
    let report = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    assert!(
        report.contains("[secret:token]"),
        "the echo reached the report, scrubbed: {report}"
    );
    let mut artefacts = vec![
        ("stdout (-v)".to_string(), stdout),
        ("stderr".to_string(), stderr),
    ];
    for file in files_under(dir.path()) {
        let text = std::fs::read_to_string(&file).unwrap();
        artefacts.push((file.display().to_string(), text));
    }
    assert!(
        artefacts.len() >= 5,
        "report, JUnit, evidence files written"
    );
    for (name, text) in &artefacts {
        for form in forms(token) {
            assert!(
                !text.contains(&form),
                "token {token:?}: {name} holds it as {form:?}:\n{text}"
            );
        }
    }
}

#[test]
fn no_form_of_an_echoed_token_reaches_any_artefact() {
    use proptest::strategy::{Strategy, ValueTree};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    for token in TOKENS {
        assert_no_form_reaches_an_artefact(&runtime, token);
    }
    // Random tokens over the characters JSON and URLs escape (the binary trims a token's
    // surrounding spaces, so none start or end with one).
    let strategy = r#"[A-Za-z0-9/+="\\][A-Za-z0-9/+="\\ ]{6,22}[A-Za-z0-9/+="\\]"#;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..6 {
        let token = strategy.new_tree(&mut runner).unwrap().current();
        assert_no_form_reaches_an_artefact(&runtime, &token);
    }
    runtime.shutdown_background();
}

/// Runs the reference suite's connection test and one push against a reference server whose
/// token is `token`, with every report written.
fn run_with_short_token(token: &str) -> (i32, String, String, tempfile::TempDir) {
    let server = TestServer::start(token, &[]);
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(
        dir.path(),
        &["okta/connection-test.yaml", "okta/push-new-user.yaml"],
    );
    let (code, stdout, stderr) = run_binary(
        dir.path(),
        &[
            "run",
            "scenarios",
            "--target",
            &server.base_url,
            "--token-env",
            TOKEN_VAR,
            "--no-snapshots",
            "--no-steady-state",
            "-v",
            "--report-json",
            "report.json",
            "--report-junit",
            "junit.xml",
            "--evidence",
            "evidence",
        ],
        token,
    );
    drop(server);
    (code, stdout, stderr, dir)
}

#[test]
fn short_tokens_get_honest_reports_and_one_warning() {
    for token in ["secret", "test", "token", "okta", "Users"] {
        let (code, stdout, stderr, dir) = run_with_short_token(token);
        assert_eq!(code, 0, "token {token}\n{stdout}\n{stderr}");
        for file in ["report.json", "junit.xml", "evidence/evidence.md"] {
            assert!(dir.path().join(file).is_file(), "token {token}: no {file}");
        }
        assert_eq!(
            stderr.matches("cannot be fully redacted").count(),
            1,
            "token {token}: one warning\n{stderr}"
        );
        assert!(
            !stdout.contains(&format!("Bearer {token}")),
            "token {token}: the Authorization header is redacted\n{stdout}"
        );
    }
}
