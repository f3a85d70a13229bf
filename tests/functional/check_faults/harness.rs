//! Runs the real `scimreplay run` binary against a wiremock target and reads back which checks
//! passed and failed from its JSON report; plus builders for SCIM bodies and responses.

use scimreplay::check::{self, Severity};
use serde_json::{Value, json};
use std::process::Command;
use wiremock::matchers::{any, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BIN: &str = env!("CARGO_BIN_EXE_scimreplay");
const TOKEN_VAR: &str = "SCIMREPLAY_FAULTS_TOKEN";

pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Builds the mocks answering a scenario, given the mock's base URL (for Location headers).
pub type Mocks = fn(&str) -> Vec<Mock>;

/// One check's outcome on one step, from the JSON report (`checks[]`, or `assertions[]` for
/// `status.expected`, whose severity comes from the registry).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: String,
    pub severity: String,
    pub passed: bool,
    pub step: String,
    pub message: String,
}

/// What a run produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub outcomes: Vec<Outcome>,
    pub output: String,
}

impl Run {
    pub fn failed(&self) -> Vec<&Outcome> {
        self.outcomes.iter().filter(|o| !o.passed).collect()
    }

    pub fn failed_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.failed().iter().map(|o| o.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    pub fn of(&self, id: &str) -> Vec<&Outcome> {
        self.outcomes.iter().filter(|o| o.id == id).collect()
    }
}

/// A complete scenario file around `steps` (a YAML list, indented by two spaces).
pub fn scenario(name: &str, steps: &str) -> String {
    format!(
        "format: 1\nname: faults/{name}\ndescription: fault test scenario\ntags: [faults]\nsteps:\n{steps}"
    )
}

/// Replays `scenario_yaml` against a fresh mock answering with `mocks`. Every mock must be hit at
/// least once and no request may go unanswered by a mock, so a fault test cannot pass because
/// the scenario and the mock disagree about the traffic.
pub async fn replay(scenario_yaml: &str, mocks: Mocks, strict: bool) -> Run {
    let server = MockServer::builder().start().await;
    let base = server.uri();
    // Okta's connection test, sent by `run --target` before any scenario.
    Mock::given(method("GET"))
        .and(path("/Users"))
        .and(query_param("startIndex", "1"))
        .and(query_param("count", "2"))
        .respond_with(scim(200, list(vec![])))
        .with_priority(1)
        .named("preflight")
        .expect(1)
        .mount(&server)
        .await;
    for (i, mock) in mocks(&base).into_iter().enumerate() {
        mock.named(format!("mock #{i}"))
            .expect(1..)
            .mount(&server)
            .await;
    }
    Mock::given(any())
        .respond_with(ResponseTemplate::new(418).set_body_string("no mock answers this request"))
        .with_priority(u8::MAX)
        .named("unmatched request")
        .expect(0)
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("scenario.yaml"), scenario_yaml).expect("write scenario");
    let report = dir.path().join("r.json");
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir.path())
        .arg("run")
        .arg(dir.path())
        .args(["--target", &base, "--token-env", TOKEN_VAR])
        .args([
            "--dialect",
            "put",
            "--no-snapshots",
            "--no-steady-state",
            "--read-settle",
            "0",
        ])
        .args([
            "--max-retry-wait",
            "10ms",
            "--timeout",
            "10s",
            "--color",
            "never",
        ])
        .arg("--report-json")
        .arg(&report)
        .env(TOKEN_VAR, "fault-test-token")
        .env_remove("SCIM_TOKEN")
        .env_remove("SCIM_BASE_URL");
    if strict {
        cmd.arg("--strict");
    }
    // Off the async worker: the mock server must keep answering while the binary runs.
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("the run thread")
        .expect("scimreplay runs");
    let output = format!(
        "--- scenario ---\n{scenario_yaml}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let code = out.status.code().expect("exit code");
    let text = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("no JSON report ({e}); exit code {code}\n{output}"));
    let doc: Value = serde_json::from_str(&text).expect("the report is JSON");
    server.verify().await;
    Run {
        code,
        outcomes: outcomes(&doc),
        output,
    }
}

fn outcomes(doc: &Value) -> Vec<Outcome> {
    let mut out = Vec::new();
    let steps = doc["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["steps"].as_array().into_iter().flatten());
    for step in steps {
        let name = step["name"].as_str().unwrap_or("").to_string();
        for c in step["checks"].as_array().into_iter().flatten() {
            out.push(Outcome {
                id: c["id"].as_str().expect("check id").to_string(),
                severity: c["severity"].as_str().expect("severity").to_string(),
                passed: c["passed"].as_bool().expect("passed"),
                step: name.clone(),
                message: c["message"].as_str().unwrap_or("").to_string(),
            });
        }
        for a in step["assertions"].as_array().into_iter().flatten() {
            let Some(id) = a["check"].as_str() else {
                continue;
            };
            let def = check::find(id).unwrap_or_else(|| panic!("unknown check {id} in report"));
            out.push(Outcome {
                id: id.to_string(),
                severity: def.severity.to_string(),
                passed: a["passed"].as_bool().expect("passed"),
                step: name.clone(),
                message: format!("expected {}, got {}", a["expected"], a["actual"]),
            });
        }
    }
    out
}

/// A fault and its compliant twin for one check.
pub struct Case {
    /// The check the fault must trip.
    pub check: &'static str,
    /// What the faulty server does wrong.
    pub fault_is: &'static str,
    /// The scenario's steps (YAML list items).
    pub steps: &'static str,
    pub fault: Mocks,
    pub compliant: Mocks,
    /// Other checks the same fault necessarily trips (the failed set must be exactly these plus
    /// `check`).
    pub also_fails: &'static [&'static str],
}

/// Runs a case: the fault fails exactly the expected checks with the registry's severity and the
/// documented exit code (warn: 0, and 1 under `--strict`); the compliant twin judges the same
/// check, passes it and passes the whole run under `--strict`.
pub async fn verify_case(case: &Case) {
    let def = check::find(case.check).unwrap_or_else(|| panic!("unknown check {}", case.check));
    let yaml = scenario(case.check, case.steps);
    let ctx = format!("{} ({})", case.check, case.fault_is);

    let runs: &[bool] = match def.severity {
        Severity::Fail => &[false],
        Severity::Warn => &[false, true],
    };
    for &strict in runs {
        let run = replay(&yaml, case.fault, strict).await;
        let want_code = i32::from(def.severity == Severity::Fail || strict);
        assert_eq!(
            run.code, want_code,
            "{ctx}: faulty server, strict={strict}: exit code\n{run:#?}\n{}",
            run.output
        );
        let failed: Vec<&Outcome> = run
            .failed()
            .into_iter()
            .filter(|o| o.id == case.check)
            .collect();
        assert!(
            !failed.is_empty(),
            "{ctx}: the check did not fail against the faulty server\n{}",
            run.output
        );
        for o in failed {
            assert_eq!(
                o.severity,
                def.severity.to_string(),
                "{ctx}: severity on step {}",
                o.step
            );
            assert!(
                !o.message.is_empty(),
                "{ctx}: the failure on step {} says what it found",
                o.step
            );
        }
        let mut want: Vec<&str> = case.also_fails.to_vec();
        want.push(case.check);
        want.sort();
        assert_eq!(
            run.failed_ids(),
            want,
            "{ctx}: the fault must trip exactly these checks\n{:#?}\n{}",
            run.failed(),
            run.output
        );
    }

    let run = replay(&yaml, case.compliant, true).await;
    assert_eq!(
        run.code,
        0,
        "{ctx}: compliant twin, --strict: exit code\n{:#?}\n{}",
        run.failed(),
        run.output
    );
    let judged = run.of(case.check);
    assert!(
        !judged.is_empty(),
        "{ctx}: the compliant twin never judged the check (a vacuous pass)\n{}",
        run.output
    );
    assert!(
        judged.iter().all(|o| o.passed) && run.failed().is_empty(),
        "{ctx}: compliant twin: {:#?}\n{}",
        run.failed(),
        run.output
    );
}

// ---- SCIM bodies ------------------------------------------------------------------------------

/// A response with a SCIM JSON body.
pub fn scim(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw(body.to_string(), "application/scim+json; charset=utf-8")
}

/// A response with a raw body and content type.
pub fn raw(status: u16, content_type: &str, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string(), content_type)
}

/// A complete Okta-compatible User.
pub fn user(base: &str, id: &str, user_name: &str) -> Value {
    json!({
        "schemas": [USER_URN],
        "id": id,
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"primary": true, "value": user_name, "type": "work"}],
        "displayName": "Ada Lovelace",
        "active": true,
        "groups": [],
        "meta": {"resourceType": "User", "location": format!("{base}/Users/{id}")}
    })
}

/// A complete Group with `{value, display}` members.
pub fn group(base: &str, id: &str, members: &[&str]) -> Value {
    let members: Vec<Value> = members
        .iter()
        .map(|m| json!({"value": m, "display": format!("user {m}")}))
        .collect();
    json!({
        "schemas": [GROUP_URN],
        "id": id,
        "displayName": "Engineering",
        "members": members,
        "meta": {"resourceType": "Group", "location": format!("{base}/Groups/{id}")}
    })
}

/// A ListResponse of `resources` (one page holding all of them).
pub fn list(resources: Vec<Value>) -> Value {
    let n = resources.len();
    page(resources, n, 1)
}

/// One page of a ListResponse.
pub fn page(resources: Vec<Value>, total: usize, start: usize) -> Value {
    json!({
        "schemas": [LIST_URN],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources
    })
}

/// An RFC 7644 §3.12 Error.
pub fn error(status: u16, detail: &str) -> Value {
    json!({"schemas": [ERROR_URN], "status": status.to_string(), "detail": detail})
}

/// `v` with the value at JSON pointer `at` replaced (the parent must exist).
pub fn set(mut v: Value, at: &str, value: Value) -> Value {
    let (parent, key) = at.rsplit_once('/').expect("pointer");
    let obj = v
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {parent}"));
    obj.insert(key.to_string(), value);
    v
}

/// `v` without the value at JSON pointer `at`.
pub fn without(mut v: Value, at: &str) -> Value {
    let (parent, key) = at.rsplit_once('/').expect("pointer");
    if let Some(obj) = v.pointer_mut(parent).and_then(Value::as_object_mut) {
        obj.remove(key);
    }
    v
}

// ---- request matchers ---------------------------------------------------------------------------

/// A mock for `METHOD path`, answered with `response`.
pub fn on(verb: &str, at: &str, response: ResponseTemplate) -> Mock {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(response)
}

/// A mock for `METHOD path` with a query parameter, answered with `response`.
pub fn on_query(
    verb: &str,
    at: &str,
    (key, value): (&str, &str),
    response: ResponseTemplate,
) -> Mock {
    Mock::given(method(verb))
        .and(path(at))
        .and(query_param(key, value))
        .respond_with(response)
}

/// A Location-carrying 201 (or other) create answer.
pub fn created(status: u16, base: &str, body: Value, id: &str) -> ResponseTemplate {
    scim(status, body).insert_header("location", format!("{base}/Users/{id}").as_str())
}
