//! Fault tests for every named Okta check: "a check that says a server is Okta-compatible must be
//! one that would fail for a server that is not".
//!
//! For each check id in `scimreplay::check::CHECKS`, a wiremock target breaks exactly that Okta
//! expectation and the real `scimreplay run` binary must fail the check (with its severity and
//! exit code); a compliant twin answering the same scenario correctly must judge the same check
//! and pass. The fault table lives in `check_faults/cases.rs`, its scenario steps in
//! `check_faults/steps.rs`, the runner in `check_faults/harness.rs`.

mod cases;
mod harness;
mod steps;

use cases::cases;
use harness::{error, group, list, on, on_query, replay, scenario, scim, set, user, without};
use scimreplay::check::CHECKS;
use serde_json::json;
use wiremock::ResponseTemplate;

/// Every fault case of `check_faults/cases.rs`, a few at a time (each mostly waits on its
/// wiremock target and the binary). A panic names the check and the fault.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_check_fails_for_its_fault_and_passes_for_its_compliant_twin() {
    use futures_util::StreamExt;
    let all = cases();
    futures_util::stream::iter(all.iter().map(harness::verify_case))
        .buffer_unordered(4)
        .collect::<Vec<()>>()
        .await;
}

/// Checks whose fault targets are multi-request simulations (the steady pass): the detection
/// matrix proves them instead, failing against a reference-server quirk and passing against the
/// clean server (`tests/functional/detection_matrix.rs`).
const PROVEN_IN_STEADY_STATE_TESTS: &[&str] =
    &["steady-state.idempotent", "steady-state.sync-loop"];

#[test]
fn steady_state_checks_are_proven_by_the_detection_matrix() {
    use scimreplay::check::matrix::{Catch, rows};
    for id in PROVEN_IN_STEADY_STATE_TESTS {
        assert!(
            rows().any(|r| r
                .caught_by
                .iter()
                .any(|c| matches!(c, Catch::Check(k) if k.as_str() == *id))),
            "no quirk of the detection matrix is caught by {id}: nothing proves it can fail"
        );
    }
}

#[test]
fn every_check_has_a_fault_test() {
    let cases = cases();
    for def in CHECKS
        .iter()
        .filter(|d| !PROVEN_IN_STEADY_STATE_TESTS.contains(&d.id))
    {
        assert!(
            cases.iter().any(|c| c.check == def.id),
            "check {} has no fault case in tests/check_faults/cases.rs",
            def.id
        );
    }
    for c in &cases {
        assert!(
            CHECKS.iter().any(|d| d.id == c.check),
            "fault case for unknown check {}",
            c.check
        );
        for other in c.also_fails {
            assert!(
                CHECKS.iter().any(|d| d.id == *other),
                "{}: also_fails names unknown check {other}",
                c.check
            );
        }
    }
}

#[test]
fn docs_mention_every_check() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/checks.md"))
        .expect("docs/checks.md exists");
    for def in CHECKS {
        assert!(
            doc.contains(&format!("`{}`", def.id)),
            "docs/checks.md does not document check `{}`",
            def.id
        );
    }
}

/// A rejected Okta PATCH/PUT shape is attributed to its check even when the scenario does not
/// list it (the automatic path judges every 4xx answer to a PATCH or PUT).
#[tokio::test]
async fn rejected_shapes_are_attributed_without_listing() {
    let all = cases();
    let shaped = all.iter().filter(|c| {
        c.check.starts_with("patch.")
            || ["put.readonly-echo", "create.okta-body"].contains(&c.check)
    });
    let mut n = 0;
    for case in shaped {
        n += 1;
        let listed = format!("checks: [{}]", case.check);
        assert!(case.steps.contains(&listed), "{}", case.check);
        let steps = case.steps.replace(&listed, "checks: []");
        let run = replay(&scenario(case.check, &steps), case.fault, false).await;
        assert_eq!(run.code, 1, "{}\n{}", case.check, run.output);
        let mut expected = vec![case.check];
        expected.extend(case.also_fails);
        expected.sort();
        assert_eq!(run.failed_ids(), expected, "{}", run.output);
    }
    assert_eq!(n, 7);
}

// ---- behaviour Okta tolerates is not failed -----------------------------------------------------

/// Runs under `--strict`: not even a warning may fail.
async fn assert_tolerated(steps: &str, mocks: harness::Mocks, judged: &[&str]) {
    let run = replay(&scenario("tolerated", steps), mocks, true).await;
    assert_eq!(run.code, 0, "{:#?}\n{}", run.failed(), run.output);
    assert!(run.failed().is_empty(), "{}", run.output);
    for id in judged {
        assert!(
            run.of(id).iter().any(|o| o.passed),
            "{id} was not judged\n{}",
            run.output
        );
    }
}

#[tokio::test]
async fn patch_answered_204_is_tolerated() {
    let steps = r#"
  - name: deactivate-user
    request:
      method: PATCH
      path: /Users/u1
      body:
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
        Operations: [{op: replace, value: {active: false}}]
    expect: {status: [200, 204], checks: [patch.no-path-replace]}
  - name: read-user
    verifies: deactivate-user
    request: {method: GET, path: /Users/u1}
    expect: {status: 200, checks: [deactivate.keeps-user]}
"#;
    assert_tolerated(
        steps,
        |b| {
            let inactive = set(user(b, "u1", "ada@example.com"), "/active", json!(false));
            vec![
                on("PATCH", "/Users/u1", ResponseTemplate::new(204)),
                on("GET", "/Users/u1", scim(200, inactive)),
            ]
        },
        &[
            "patch.no-path-replace",
            "read-after-write",
            "deactivate.keeps-user",
        ],
    )
    .await;
}

#[tokio::test]
async fn group_without_members_is_tolerated() {
    // RFC 7643 §2.5: an empty and an unassigned multi-valued attribute are the same state.
    assert_tolerated(
        steps::READ_GROUP,
        |b| {
            let g = without(group(b, "g1", &[]), "/members");
            vec![on("GET", "/Groups/g1", scim(200, g))]
        },
        &["group.shape"],
    )
    .await;
}

#[tokio::test]
async fn second_group_with_the_same_display_name_is_tolerated() {
    // A Group displayName has `uniqueness: none` (RFC 7643 §4.2).
    assert_tolerated(
        steps::DUPLICATE_GROUP,
        |b| {
            let second = scim(201, group(b, "g2", &[]))
                .insert_header("location", format!("{b}/Groups/g2").as_str());
            vec![on("POST", "/Groups", second)]
        },
        &["duplicate.conflict"],
    )
    .await;
}

#[tokio::test]
async fn user_filter_miss_answered_404_is_tolerated() {
    assert_tolerated(
        steps::FIND_NOBODY,
        |_| {
            let body = error(404, "User not found");
            vec![on_query("GET", "/Users", ("count", "100"), scim(404, body))]
        },
        &["filter.miss", "error.scim-schema", "error.status-string"],
    )
    .await;
}

#[tokio::test]
async fn create_with_extra_attributes_is_tolerated() {
    let steps = r#"
  - name: create-user
    request:
      method: POST
      path: /Users
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"]
        userName: ada@example.com
        name: {givenName: Ada, familyName: Lovelace}
        emails: [{primary: true, value: ada@example.com, type: work}]
        active: true
    expect: {status: 201}
"#;
    assert_tolerated(
        steps,
        |b| {
            let mut body = user(b, "u1", "ada@example.com");
            let extra = json!({
                "nickName": "Ada",
                "timezone": "Europe/London",
                "phoneNumbers": [{"value": "+44 20 7946 0000", "type": "work"}],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                    "employeeNumber": "1815", "department": "Analytical Engines"
                },
                "urn:example:params:scim:schemas:extension:acme:2.0:User": {"badge": 42}
            });
            for (k, v) in extra.as_object().expect("object") {
                body[k] = v.clone();
            }
            let location = format!("{b}/Users/u1");
            vec![on(
                "POST",
                "/Users",
                scim(201, body).insert_header("location", location.as_str()),
            )]
        },
        &[
            "resource.id",
            "create.returns-resource",
            "create.status-201",
            "user.active-boolean",
        ],
    )
    .await;
}

/// A filter miss answered with a ListResponse that omits `Resources` (totalResults 0) is accepted.
#[tokio::test]
async fn empty_list_without_resources_is_tolerated() {
    assert_tolerated(
        steps::FIND_NOBODY,
        |_| {
            let mut body = list(vec![]);
            body.as_object_mut().expect("object").remove("Resources");
            vec![on_query("GET", "/Users", ("count", "100"), scim(200, body))]
        },
        &["filter.miss", "list-response.shape"],
    )
    .await;
}

/// Teardown is harness clean-up, not Okta traffic: a plain-text 405 to the clean-up DELETE
/// (Okta never deletes users) is accepted by the step's statuses and judged by no Okta check.
#[tokio::test]
async fn teardown_answers_are_not_judged_as_okta_traffic() {
    let steps = r#"
  - name: read-user
    request: {method: GET, path: /Users/u1}
    expect: {status: 200}
teardown:
  - name: delete-user
    request: {method: DELETE, path: /Users/u1}
    expect: {status: [200, 204, 404, 405, 501]}
"#;
    assert_tolerated(
        steps,
        |b| {
            vec![
                on(
                    "GET",
                    "/Users/u1",
                    scim(200, user(b, "u1", "ada@example.com")),
                ),
                on(
                    "DELETE",
                    "/Users/u1",
                    ResponseTemplate::new(405).set_body_string("Method Not Allowed"),
                ),
            ]
        },
        &[],
    )
    .await;
}

/// `scimreplay checks` shows every check with its severity and its evidence.
#[test]
fn checks_listing_shows_severity_and_evidence() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scimreplay"))
        .arg("checks")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    for def in CHECKS {
        let at = lines
            .iter()
            .position(|l| l.split_whitespace().next() == Some(def.id))
            .unwrap_or_else(|| panic!("`checks` does not list {}", def.id));
        assert_eq!(
            lines[at].split_whitespace().nth(1),
            Some(def.severity.to_string().as_str()),
            "{}",
            def.id
        );
        assert_eq!(
            lines[at + 1].trim(),
            format!("evidence: {}", def.evidence),
            "{}",
            def.id
        );
    }
}
