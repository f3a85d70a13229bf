//! Hand-made result trees for the reporters' snapshot tests: fixed durations, no clock.

use crate::check::Severity;
use crate::replay::result::{
    AssertionOutcome, CheckOutcome, Exchange, RecordedRequest, RecordedResponse, RunReport,
    ScenarioReport, Status, StepReport, Summary, TargetInfo,
};
use crate::scenario::{Dialect, Method};
use crate::snapshot::SnapshotOutcome;
use std::time::Duration;

pub const BASE: &str = "http://127.0.0.1:40123/scim/v2";

fn ms(micros: u64) -> Duration {
    Duration::from_micros(micros)
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn exchange(
    method: Method,
    path: &str,
    body: Option<&str>,
    status: u16,
    resp: &str,
) -> Exchange {
    Exchange {
        request: RecordedRequest {
            method,
            url: format!("{BASE}{path}"),
            headers: h(&[
                ("accept", "application/scim+json"),
                ("authorization", "Bearer [REDACTED]"),
            ]),
            body: body.map(str::to_string),
        },
        response: Some(RecordedResponse {
            status,
            headers: h(&[("content-type", "application/scim+json")]),
            body: resp.to_string(),
            json: serde_json::from_str(resp).ok(),
            truncated: false,
        }),
        error: None,
        duration: ms(4_200),
    }
}

pub fn check(id: &str, severity: Severity, passed: bool, message: &str) -> CheckOutcome {
    CheckOutcome {
        id: id.to_string(),
        severity,
        passed,
        message: if passed {
            String::new()
        } else {
            message.to_string()
        },
        hint: if passed {
            String::new()
        } else {
            format!("fix the server so that {id} holds")
        },
        reference: "docs/okta-reference.md#s6".to_string(),
    }
}

pub fn step(index: usize, name: &str, request_line: &str, ex: Vec<Exchange>) -> StepReport {
    StepReport {
        index,
        name: name.to_string(),
        teardown: false,
        status: Status::Passed,
        request_line: request_line.to_string(),
        duration: ms(12_300 * index as u64),
        attempts: ex.len().max(1) as u32,
        exchanges: ex,
        assertions: Vec::new(),
        checks: Vec::new(),
        snapshot: None,
        error: None,
        consequence_of: None,
    }
}

fn scenario(
    name: &str,
    dialect: Dialect,
    status: Status,
    steps: Vec<StepReport>,
) -> ScenarioReport {
    ScenarioReport {
        name: name.to_string(),
        file: format!("scenarios/{name}.yaml"),
        dialect,
        status,
        skip_reason: None,
        duration: steps.iter().map(|s| s.duration).sum(),
        steps,
    }
}

const USER: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u-1","userName":"ada@example.com","active":true}"#;
const EMPTY_LIST: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#;

/// A scenario that passes cleanly.
pub fn passing_scenario() -> ScenarioReport {
    let find = {
        let mut s = step(
            1,
            "look up user",
            "GET /Users?filter=userName%20eq%20%22ada%40example.com%22",
            vec![exchange(
                Method::Get,
                "/Users?filter=userName%20eq%20%22ada%40example.com%22",
                None,
                200,
                EMPTY_LIST,
            )],
        );
        s.checks = vec![check("list-response.integers", Severity::Fail, true, "")];
        s.snapshot = Some(SnapshotOutcome::Matched {
            file: "snapshots/reference/okta/import-users.put.01.snap".to_string(),
        });
        s
    };
    scenario(
        "okta/import-users",
        Dialect::Put,
        Status::Passed,
        vec![find],
    )
}

/// A failing scenario: status assertion, failed check, warning, snapshot mismatch; teardown.
pub fn failing_scenario() -> ScenarioReport {
    let find = step(
        1,
        "look up user",
        "GET /Users?filter=userName%20eq%20%22ada%40example.com%22",
        vec![exchange(
            Method::Get,
            "/Users?filter=userName%20eq%20%22ada%40example.com%22",
            None,
            200,
            EMPTY_LIST,
        )],
    );
    let mut create = step(
        2,
        "create user",
        "POST /Users",
        vec![exchange(
            Method::Post,
            "/Users",
            Some(r#"{"userName":"ada@example.com","active":true}"#),
            200,
            USER,
        )],
    );
    create.status = Status::Failed;
    create.assertions = vec![AssertionOutcome {
        description: "status is 201".to_string(),
        passed: false,
        expected: "201".to_string(),
        actual: "200".to_string(),
        check: Some("status.expected".to_string()),
    }];
    create.checks = vec![
        check("user.active-boolean", Severity::Fail, true, ""),
        check(
            "create.location-header",
            Severity::Warn,
            false,
            "the 201 response has no Location header",
        ),
    ];
    create.snapshot = Some(SnapshotOutcome::Mismatch {
        file: "snapshots/reference/okta/push-new-user.put.02.snap".to_string(),
        diff: "--- committed\n+++ actual\n@@ -1,3 +1,3 @@\n {\n-  \"status\": 201,\n+  \"status\": 200,\n }\n"
            .to_string(),
        changed_paths: vec!["status".to_string()],
        written: Some(crate::snapshot::Written {
            path: "snapshots/reference/okta/push-new-user.put.02.snap.new".to_string(),
            kind: crate::snapshot::WriteKind::Pending,
        }),
    });
    let mut delete = step(
        3,
        "delete user",
        "DELETE /Users/u-1",
        vec![exchange(Method::Delete, "/Users/u-1", None, 204, "")],
    );
    delete.teardown = true;
    scenario(
        "okta/push-new-user",
        Dialect::Put,
        Status::Failed,
        vec![find, create, delete],
    )
}

/// A scenario whose only step passes with a warning after two 429 retries.
pub fn warning_scenario(strict: bool) -> ScenarioReport {
    let retry = |status| {
        exchange(
            Method::Get,
            "/Groups?startIndex=1&count=100",
            None,
            status,
            "",
        )
    };
    let mut list = step(
        1,
        "import groups",
        "GET /Groups?startIndex=1&count=100",
        vec![retry(429), retry(429), {
            let mut ok = retry(200);
            ok.response.as_mut().unwrap().body = EMPTY_LIST.to_string();
            ok.response.as_mut().unwrap().json = serde_json::from_str(EMPTY_LIST).ok();
            ok
        }],
    );
    list.checks = vec![check(
        "list-response.schema-urn",
        Severity::Warn,
        false,
        "the ListResponse has no schemas member",
    )];
    let status = if strict {
        Status::Failed
    } else {
        Status::Passed
    };
    list.status = status;
    scenario("okta/import-groups", Dialect::Patch, status, vec![list])
}

/// A scenario that could not reach the target; the following step is skipped.
pub fn transport_error_scenario() -> ScenarioReport {
    let mut connect = step(1, "test connection", "GET /Users?count=1", Vec::new());
    let mut ex = exchange(Method::Get, "/Users?count=1", None, 0, "");
    ex.response = None;
    ex.error = Some("connection refused (os error 111)".to_string());
    connect.exchanges = vec![ex];
    connect.status = Status::Failed;
    connect.error = Some("connection refused (os error 111)".to_string());
    let mut next = step(2, "list groups", "GET /Groups?count=1", Vec::new());
    next.status = Status::Skipped;
    next.error = Some("an earlier step failed".to_string());
    next.duration = Duration::ZERO;
    scenario(
        "okta/test-connection",
        Dialect::Patch,
        Status::Failed,
        vec![connect, next],
    )
}

pub fn skipped_scenario() -> ScenarioReport {
    let mut s = scenario(
        "okta/sync-password",
        Dialect::Put,
        Status::Skipped,
        Vec::new(),
    );
    s.skip_reason = Some("feature sync-password is not enabled in profile okta-aiw".to_string());
    s
}

pub fn target() -> TargetInfo {
    TargetInfo {
        base_url: BASE.to_string(),
        embedded: true,
        quirks: Vec::new(),
    }
}

/// The whole run: one passing, one failing, one warning, one transport error, one skipped.
pub fn run_report(strict: bool) -> RunReport {
    report_of(
        vec![
            passing_scenario(),
            failing_scenario(),
            warning_scenario(strict),
            transport_error_scenario(),
            skipped_scenario(),
        ],
        strict,
    )
}

/// A run made of these scenarios, with the summary the engine would compute.
pub fn report_of(scenarios: Vec<ScenarioReport>, strict: bool) -> RunReport {
    let count = |st: Status| scenarios.iter().filter(|s| s.status == st).count();
    let steps = || scenarios.iter().flat_map(|s| &s.steps);
    let summary = Summary {
        passed: count(Status::Passed),
        failed: count(Status::Failed),
        skipped: count(Status::Skipped),
        warnings: steps().map(|s| s.warnings().count()).sum(),
        snapshot_differences: steps()
            .filter(|s| matches!(s.snapshot, Some(SnapshotOutcome::Mismatch { .. })))
            .count(),
    };
    RunReport {
        report_format: 1,
        tool_version: "0.1.0".to_string(),
        started_at: "2026-11-22T08:00:00Z".to_string(),
        duration: Duration::from_millis(1234),
        target: target(),
        profile: "okta-aiw".to_string(),
        strict,
        problems: crate::report::problems::rank(&scenarios, strict),
        scenarios,
        summary,
        interrupted: None,
    }
}

/// Sends the events the engine would send for `report`, in order.
pub fn drive(report: &RunReport, reporter: &mut dyn super::Reporter) {
    use crate::replay::result::Event;
    let started = Event::RunStarted {
        target: &report.target,
        profile: &report.profile,
        scenario_count: report.scenarios.len(),
    };
    reporter.handle(&started).unwrap();
    for scenario in &report.scenarios {
        if scenario.status != Status::Skipped {
            let event = Event::ScenarioStarted {
                name: &scenario.name,
                dialect: scenario.dialect,
            };
            reporter.handle(&event).unwrap();
            for step in &scenario.steps {
                let event = Event::StepFinished {
                    scenario: &scenario.name,
                    dialect: scenario.dialect,
                    step,
                };
                reporter.handle(&event).unwrap();
            }
        }
        reporter
            .handle(&Event::ScenarioFinished { scenario })
            .unwrap();
    }
    reporter.handle(&Event::RunFinished { report }).unwrap();
}
