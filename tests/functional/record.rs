//! Recording: traffic through the recording proxy, or in a HAR capture, becomes a scenario
//! that replays green against a fresh server, twice in a row (names are per run), keeps no
//! credential and leaves out writes to resources the recording did not create.

use crate::cli_support;

use cli_support::{TestServer, scimreplay};
use scimreplay::record::{proxy, to_scenario};
use scimreplay::replay::client::{Client, ClientConfig, OutgoingRequest, okta_headers};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const TOKEN: &str = "tok-RECORD-6b0e51d2c3";

fn client() -> Client {
    Client::new(&ClientConfig {
        timeout: Duration::from_secs(10),
        insecure: false,
        ca_cert: None,
    })
    .unwrap()
}

/// Sends Okta's request through `base` and returns the JSON answer.
async fn okta(c: &Client, base: &str, method: &str, path: &str, body: Option<Value>) -> Value {
    let mut headers = okta_headers(body.is_some());
    headers.push(("Authorization".into(), format!("Bearer {TOKEN}")));
    let req = OutgoingRequest {
        method: scimreplay::scenario::Method::parse(method).expect("a SCIM method"),
        url: format!("{base}{path}"),
        headers,
        body: body.map(|b| b.to_string()),
    };
    let (ex, failure) = c.send(&req).await;
    assert!(failure.is_none(), "{failure:?}");
    ex.json().cloned().unwrap_or(Value::Null)
}

/// Okta's connection probe with a wrong token (`Some`) or none; returns the status.
async fn probe(c: &Client, base: &str, authorization: Option<&str>) -> u16 {
    let mut headers = okta_headers(false);
    if let Some(value) = authorization {
        headers.push(("Authorization".into(), value.to_string()));
    }
    let req = OutgoingRequest {
        method: scimreplay::scenario::Method::Get,
        url: format!("{base}/Users?startIndex=1&count=2"),
        headers,
        body: None,
    };
    let (ex, _) = c.send(&req).await;
    ex.response.map_or(0, |r| r.status)
}

/// Okta's push of a user and a group with her in it, plus a write to a user the recording did
/// not create, and two probes with a wrong and with no credential.
async fn okta_traffic(base: &str, stranger: &str) {
    let c = client();
    assert_eq!(probe(&c, base, Some("Bearer not-the-token")).await, 401);
    assert_eq!(probe(&c, base, None).await, 401);
    let filter = "/Users?filter=userName%20eq%20%22ada%40example.com%22&startIndex=1&count=100";
    okta(&c, base, "GET", filter, None).await;
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "ada@example.com", "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"primary": true, "value": "ada@example.com", "type": "work"}],
        "groups": [], "password": "Sup3r-Secret-Pw", "active": true});
    let created = okta(&c, base, "POST", "/Users", Some(user)).await;
    let id = created["id"].as_str().unwrap().to_string();
    okta(&c, base, "GET", filter, None).await;
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Analysts", "members": []});
    let g = okta(&c, base, "POST", "/Groups", Some(group)).await;
    let gid = g["id"].as_str().unwrap().to_string();
    let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": id, "display": "ada@example.com"}]}]});
    okta(&c, base, "PATCH", &format!("/Groups/{gid}"), Some(add)).await;
    okta(&c, base, "GET", &format!("/Groups/{gid}"), None).await;
    let off = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": false}}]});
    okta(&c, base, "PATCH", &format!("/Users/{stranger}"), Some(off)).await;
}

/// Replays `scenario` against a fresh reference server, twice.
fn replays_green_twice(dir: &std::path::Path, file: &str) {
    let fresh = TestServer::start(TOKEN, &[]);
    for attempt in 1..=2 {
        let run = scimreplay(
            &[
                "run",
                file,
                "--target",
                &fresh.base_url,
                "--token-env",
                "T",
                "--update",
                "no",
                "--no-steady-state",
            ],
            Some(dir),
            &[("T", TOKEN)],
        );
        assert_eq!(
            run.code, 0,
            "replay {attempt}: {}{}",
            run.stdout, run.stderr
        );
        assert!(run.stdout.contains("1 passed, 0 failed"), "{}", run.stdout);
    }
}

#[test]
fn proxied_okta_traffic_becomes_a_scenario_that_replays_green() {
    let target = TestServer::start(TOKEN, &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tape = rt.block_on(async {
        // A user that existed before the recording.
        let stranger = okta(
            &client(),
            &target.base_url,
            "POST",
            "/Users",
            Some(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "old@example.com", "name": {"givenName": "O", "familyName": "Ld"},
                "emails": [{"primary": true, "value": "old@example.com"}], "active": true}),
            ),
        )
        .await;
        let p = proxy::start(
            "127.0.0.1:0".parse().unwrap(),
            target.base_url.clone(),
            client(),
            None,
        )
        .await
        .unwrap();
        okta_traffic(
            &format!("http://{}", p.addr),
            stranger["id"].as_str().unwrap(),
        )
        .await;
        p.stop().await
    });
    assert_eq!(tape.exchanges.len(), 9);
    assert!(tape.credentials.iter().any(|c| c.contains(TOKEN)));
    let conversion = to_scenario("recorded/ada", "a test", &tape.exchanges);
    let yaml = &conversion.yaml;
    assert_eq!(conversion.steps, 8);
    assert!(
        yaml.contains("auth: invalid") && yaml.contains("auth: none"),
        "the probes replay with a wrong and with no credential\n{yaml}"
    );
    assert!(
        !yaml.contains("not-the-token"),
        "no credential is kept\n{yaml}"
    );
    assert!(
        yaml.contains("dialects: [put, patch]"),
        "a recording with PATCH requests replays under any profile\n{yaml}"
    );
    assert_eq!(conversion.left_out.len(), 1, "{:?}", conversion.left_out);
    assert!(
        !yaml.contains(TOKEN) && !yaml.contains("Sup3r-Secret-Pw"),
        "{yaml}"
    );
    assert!(
        yaml.contains("{{user1_name|url}}"),
        "the filter before the create is templated\n{yaml}"
    );
    assert!(yaml.contains("path: \"/Groups/{{group1_id}}\""), "{yaml}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ada.yaml"), yaml).unwrap();
    assert_eq!(
        scimreplay(&["validate", "ada.yaml"], Some(dir.path()), &[]).code,
        0
    );
    replays_green_twice(dir.path(), "ada.yaml");
}

#[test]
fn the_record_command_writes_the_scenario_when_its_limit_is_reached() {
    let target = TestServer::start(TOKEN, &[]);
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_scimreplay"))
        .args([
            "record",
            "--target",
            &target.base_url,
            "--limit",
            "2",
            "--out",
            "rec/two.yaml",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .expect("the listening address is printed")
        .to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = client();
        okta(&c, &base, "GET", "/Users?startIndex=1&count=2", None).await;
        okta(&c, &base, "GET", "/Groups?startIndex=1&count=100", None).await;
    });
    let status = child.wait().unwrap();
    assert!(status.success());
    let yaml = std::fs::read_to_string(dir.path().join("rec/two.yaml")).unwrap();
    assert!(yaml.contains("name: \"recorded/two\""), "{yaml}");
    assert!(!yaml.contains(TOKEN));
    replays_green_twice(dir.path(), "rec/two.yaml");
}

#[test]
fn a_har_capture_is_imported_and_bad_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let base = "https://scim.example.com/scim/v2";
    let har = json!({"log": {"version": "1.2", "entries": [
        {"request": {"method": "GET", "url": format!("{base}/Users?filter=userName%20eq%20%22bo%40example.com%22&startIndex=1&count=100"),
                     "headers": [{"name": "Authorization", "value": format!("Bearer {TOKEN}")}]},
         "response": {"status": 200, "content": {"text": "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"],\"totalResults\":0,\"startIndex\":1,\"itemsPerPage\":0,\"Resources\":[]}"}}},
        {"request": {"method": "POST", "url": format!("{base}/Users"),
                     "postData": {"text": "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"bo@example.com\",\"name\":{\"givenName\":\"Bo\",\"familyName\":\"Li\"},\"emails\":[{\"primary\":true,\"value\":\"bo@example.com\",\"type\":\"work\"}],\"active\":true}"}},
         "response": {"status": 201, "content": {"text": "{\"id\":\"u-77\",\"userName\":\"bo@example.com\"}"}}},
        {"request": {"method": "GET", "url": format!("{base}/Users/u-77")},
         "response": {"status": 200, "content": {"text": "{\"id\":\"u-77\"}"}}}
    ]}});
    std::fs::write(dir.path().join("cap.har"), har.to_string()).unwrap();
    let run = scimreplay(
        &["import", "cap.har", "--out", "scenarios/bo.yaml"],
        Some(dir.path()),
        &[],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let yaml = std::fs::read_to_string(dir.path().join("scenarios/bo.yaml")).unwrap();
    assert!(yaml.contains("path: \"/Users/{{user1_id}}\""), "{yaml}");
    assert!(!yaml.contains(TOKEN));
    let replay = scimreplay(
        &["run", "--update", "no", "--no-steady-state"],
        Some(dir.path()),
        &[],
    );
    assert_eq!(replay.code, 0, "{}", replay.stdout);
    std::fs::write(dir.path().join("bad.har"), "{\"log\": {}}").unwrap();
    let bad = scimreplay(
        &["import", "bad.har", "--out", "x.yaml"],
        Some(dir.path()),
        &[],
    );
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("no log.entries"), "{}", bad.stderr);
}

#[test]
fn a_response_over_the_relay_limit_is_a_502_never_a_truncated_200() {
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let upstream = MockServer::start().await;
        Mock::given(path("/scim/v2/Users/big"))
            .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(4096)))
            .mount(&upstream)
            .await;
        Mock::given(path("/scim/v2/Users/small"))
            .respond_with(ResponseTemplate::new(200).set_body_string("y".repeat(1000)))
            .mount(&upstream)
            .await;
        let p = proxy::start(
            "127.0.0.1:0".parse().unwrap(),
            format!("{}/scim/v2", upstream.uri()),
            client().with_response_limit(1024),
            None,
        )
        .await
        .unwrap();
        let get = |path: &str| OutgoingRequest {
            method: scimreplay::scenario::Method::Get,
            url: format!("http://{}{path}", p.addr),
            headers: okta_headers(false),
            body: None,
        };
        let (big, _) = client().send(&get("/Users/big")).await;
        let big = big.response.unwrap();
        assert_eq!(big.status, 502);
        assert!(
            big.body
                .contains("response to GET /Users/big is larger than the 1024 bytes"),
            "{}",
            big.body
        );
        let (small, _) = client().send(&get("/Users/small")).await;
        let small = small.response.unwrap();
        assert_eq!((small.status, small.body.len()), (200, 1000));
        let tape = p.stop().await;
        assert_eq!(
            tape.exchanges.len(),
            1,
            "only the relayed exchange is recorded"
        );
        assert_eq!(tape.exchanges[0].path, "/Users/small");
    });
}
