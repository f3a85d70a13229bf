//! Targets that answer with hostile data — ids that look like paths, bodies that are not
//! objects, list counts that lie — can never steer a request onto another resource, panic the
//! tool or make it page forever. Each target is a wiremock server that records every request.

use crate::cli_support::{self, copy_scenarios, scimreplay};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// A wiremock target on its own runtime; `requests()` lists what reached it.
struct Target {
    rt: tokio::runtime::Runtime,
    server: MockServer,
}

impl Target {
    fn start() -> Target {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(MockServer::start());
        let target = Target { rt, server };
        // Okta's connection test.
        target.mount(
            Mock::given(method("GET"))
                .and(path("/scim/v2/Users"))
                .and(query_param("count", "2")),
            ResponseTemplate::new(200).set_body_json(empty_list()),
            10,
        );
        target
    }

    fn base(&self) -> String {
        format!("{}/scim/v2", self.server.uri())
    }

    fn mount(&self, given: wiremock::MockBuilder, answer: ResponseTemplate, priority: u8) {
        self.rt.block_on(
            given
                .respond_with(answer)
                .with_priority(priority)
                .mount(&self.server),
        );
    }

    fn requests(&self) -> Vec<Request> {
        self.rt
            .block_on(self.server.received_requests())
            .unwrap_or_default()
    }
}

fn empty_list() -> Value {
    json!({"schemas": [LIST], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []})
}

fn no_panic(run: &cli_support::Run) {
    assert!(
        !run.stderr.contains("panicked") && !run.stdout.contains("panicked") && run.code != 101,
        "{}{}",
        run.stdout,
        run.stderr
    );
}

/// Every request went to the collection or to exactly one resource below it.
fn only_collection_or_one_segment(requests: &[Request], collection: &str) {
    assert!(!requests.is_empty());
    for r in requests {
        let p = r.url.path();
        let ok = p == collection
            || p.strip_prefix(collection)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|seg| {
                    !seg.is_empty() && !seg.contains('/') && seg != ".." && seg != "."
                });
        assert!(
            ok,
            "{} {} left the collection {collection}",
            r.method, r.url
        );
    }
}

#[test]
fn ids_from_the_target_never_steer_a_request_elsewhere() {
    for id in [
        "../Groups/VICTIM123",
        "..",
        ".",
        "",
        "x?y#z",
        "%2E%2E",
        "a/../../b",
    ] {
        let target = Target::start();
        target.mount(
            Mock::given(method("GET")).and(path("/scim/v2/Users")),
            ResponseTemplate::new(200).set_body_json(empty_list()),
            20,
        );
        target.mount(
            Mock::given(method("POST")).and(path("/scim/v2/Users")),
            ResponseTemplate::new(201).set_body_json(json!({"id": id, "userName": "x"})),
            20,
        );
        let dir = tempfile::tempdir().unwrap();
        copy_scenarios(dir.path(), &["okta/push-new-user.yaml"]);
        let base = target.base();
        let run = scimreplay(
            &[
                "run",
                "--target",
                &base,
                "--token-env",
                "T",
                "--no-snapshots",
                "--no-steady-state",
                "--read-settle",
                "0",
                "--max-retry-wait",
                "0s",
            ],
            Some(dir.path()),
            &[("T", "tok")],
        );
        no_panic(&run);
        assert_eq!(run.code, 1, "{id:?}: {}", run.stdout);
        let requests = target.requests();
        only_collection_or_one_segment(&requests, "/scim/v2/Users");
        let by_id: Vec<_> = requests
            .iter()
            .filter(|r| r.url.path() != "/scim/v2/Users")
            .collect();
        if matches!(id, "" | "." | "..") {
            assert!(
                by_id.is_empty(),
                "{id:?}: {:?}",
                by_id.iter().map(|r| r.url.as_str()).collect::<Vec<_>>()
            );
            assert!(
                run.stdout.contains("cannot be put into a request path"),
                "{}",
                run.stdout
            );
        } else {
            // The read and the teardown DELETE address the one resource, the id encoded whole.
            assert!(
                by_id.iter().any(|r| r.method.as_str() == "DELETE"),
                "{id:?}"
            );
            for r in by_id {
                let seg = r.url.path().rsplit('/').next().unwrap();
                let decoded = percent_decode(seg);
                assert_eq!(decoded, id, "{}", r.url);
            }
        }
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn load(target: &Target, users: &str) -> cli_support::Run {
    let base = target.base();
    scimreplay(
        &[
            "load",
            "--users",
            users,
            "--concurrency",
            "2",
            "--target",
            &base,
            "--token",
            "tok",
            "--max-retry-wait",
            "0s",
        ],
        None,
        &[],
    )
}

#[test]
fn load_never_sends_a_request_to_a_hostile_id() {
    for id in ["..", "", "../Groups/VICTIM123"] {
        let target = Target::start();
        target.mount(
            Mock::given(method("GET")).and(path("/scim/v2/Users")),
            ResponseTemplate::new(200).set_body_json(empty_list()),
            20,
        );
        for collection in ["Users", "Groups"] {
            target.mount(
                Mock::given(method("POST")).and(path(format!("/scim/v2/{collection}"))),
                ResponseTemplate::new(201).set_body_json(json!({"id": id})),
                20,
            );
        }
        let run = load(&target, "2");
        no_panic(&run);
        assert_eq!(run.code, 1, "{id:?}: {}", run.stdout);
        for r in target.requests() {
            let p = r.url.path();
            let rest = p
                .strip_prefix("/scim/v2/Users")
                .or_else(|| p.strip_prefix("/scim/v2/Groups"));
            let ok = rest.is_some_and(|rest| {
                rest.is_empty() || (rest == "/..%2FGroups%2FVICTIM123" && id.len() > 2)
            });
            assert!(ok, "{id:?}: {} {}", r.method, r.url);
        }
    }
}

#[test]
fn load_judges_non_object_bodies_without_panicking() {
    for (dialect_profile, junk) in [
        ("okta-aiw", json!([])),
        ("okta-aiw", json!("x")),
        ("okta-oin", json!(5)),
    ] {
        let target = Target::start();
        target.mount(
            Mock::given(method("POST")).and(path("/scim/v2/Users")),
            ResponseTemplate::new(201).set_body_json(json!({"id": "u1"})),
            20,
        );
        target.mount(
            Mock::given(method("POST")).and(path("/scim/v2/Groups")),
            ResponseTemplate::new(201).set_body_json(json!({"id": "g1"})),
            20,
        );
        target.mount(
            Mock::given(path_regex("^/scim/v2/")),
            ResponseTemplate::new(200).set_body_json(junk.clone()),
            30,
        );
        let base = target.base();
        let run = scimreplay(
            &[
                "load",
                "--users",
                "3",
                "--concurrency",
                "2",
                "--target",
                &base,
                "--token",
                "tok",
                "--profile",
                dialect_profile,
                "--max-retry-wait",
                "0s",
            ],
            None,
            &[],
        );
        no_panic(&run);
        assert_eq!(run.code, 1, "{junk}: {}{}", run.stdout, run.stderr);
        for line in [
            "ok   3 of 3 users created",
            "FAIL the group holds 0 of 1 members",
            "FAIL the import listed 0 of 3 created users",
            "load: failed",
        ] {
            assert!(run.stdout.contains(line), "{junk}: {line}\n{}", run.stdout);
        }
    }
}

#[test]
fn an_import_whose_total_lies_stops_at_the_first_page_that_adds_nothing() {
    for page in [
        // Empty pages forever.
        json!({"schemas": [LIST], "totalResults": 1_000_000, "startIndex": 1, "itemsPerPage": 0, "Resources": []}),
        // The same page forever.
        json!({"schemas": [LIST], "totalResults": 1_000_000, "startIndex": 1, "itemsPerPage": 1, "Resources": [{"id": "u1"}]}),
    ] {
        let target = Target::start();
        target.mount(
            Mock::given(method("GET")).and(path("/scim/v2/Users")),
            ResponseTemplate::new(200).set_body_json(page.clone()),
            20,
        );
        target.mount(
            Mock::given(method("POST")).and(path("/scim/v2/Users")),
            ResponseTemplate::new(201).set_body_json(json!({"id": "u1"})),
            20,
        );
        let run = load(&target, "1");
        no_panic(&run);
        let pages = target
            .requests()
            .iter()
            .filter(|r| {
                r.method.as_str() == "GET"
                    && r.url
                        .query()
                        .is_some_and(|q| q.contains("count=100") && q.starts_with("startIndex"))
            })
            .count();
        assert!(pages <= 2, "{pages} import pages\n{}", run.stdout);
        assert!(
            run.stdout.contains("paging stopped at startIndex="),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn steady_never_sends_a_request_to_a_hostile_id() {
    for id in ["..", "", "../Groups/VICTIM123"] {
        let target = Target::start();
        target.mount(
            Mock::given(method("GET")).and(path("/scim/v2/Users")),
            ResponseTemplate::new(200).set_body_json(empty_list()),
            20,
        );
        target.mount(
            Mock::given(method("GET")).and(path("/scim/v2/Groups")),
            ResponseTemplate::new(200).set_body_json(empty_list()),
            20,
        );
        for collection in ["Users", "Groups"] {
            target.mount(
                Mock::given(method("POST")).and(path(format!("/scim/v2/{collection}"))),
                ResponseTemplate::new(201).set_body_json(json!({"id": id})),
                20,
            );
        }
        let base = target.base();
        let run = scimreplay(
            &[
                "steady",
                "--cycles",
                "1",
                "--target",
                &base,
                "--token",
                "tok",
                "--max-retry-wait",
                "0s",
                "--read-settle",
                "0",
            ],
            None,
            &[],
        );
        no_panic(&run);
        assert_ne!(run.code, 0, "{id:?}: {}", run.stdout);
        for r in target.requests() {
            let p = r.url.path();
            let rest = p
                .strip_prefix("/scim/v2/Users")
                .or_else(|| p.strip_prefix("/scim/v2/Groups"));
            let ok = rest.is_some_and(|rest| {
                rest.is_empty() || (rest == "/..%2FGroups%2FVICTIM123" && id.len() > 2)
            });
            assert!(ok, "{id:?}: {} {}", r.method, r.url);
        }
    }
}
