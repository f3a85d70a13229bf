//! No leftovers: against the reference server in every quirk mode, a default run (profile
//! `okta-aiw`; `okta-oin` for the quirks that matter to creates) leaves the target's `/Users` and `/Groups` listings as they were before it,
//! a user and a group that existed before included (untouched, byte for byte). A server whose
//! `DELETE /Users` only deactivates keeps the run's users, but none of them active.

use crate::cli_support::{TestServer, scimreplay};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const TOKEN: &str = "no-leftovers-T0ken";

/// Quirks whose `DELETE /Users/{id}` deactivates instead of deleting.
const SOFT_DELETE: &[&str] = &["user-delete-deactivates"];

/// Quirks (and `""`, the clean server) also run with the PATCH-dialect profile `okta-oin`.
const PATCH_DIALECT_QUIRKS: &[&str] = &[
    "",
    "no-duplicate-409",
    "filter-case-sensitive",
    "create-empty-body",
    "deactivate-deletes",
];

/// A quirk spec that keeps the run short (the value-taking quirks get small values).
fn spec(quirk: &str) -> String {
    match quirk {
        "stale-reads" => "stale-reads=30ms".into(),
        "slow" => "slow=1ms".into(),
        other => other.to_string(),
    }
}

struct Lister {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    base: String,
}

impl Lister {
    fn new(base: &str) -> Lister {
        Lister {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: reqwest::Client::new(),
            base: base.to_string(),
        }
    }

    /// One request, retried on 429 (the rate-limit quirks).
    fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        self.runtime.block_on(async {
            for _ in 0..20 {
                let mut rb = self
                    .client
                    .request(method.clone(), format!("{}{path}", self.base))
                    .header("Authorization", format!("Bearer {TOKEN}"))
                    .header("Accept", "application/scim+json");
                if let Some(b) = body {
                    rb = rb
                        .header("Content-Type", "application/scim+json")
                        .body(b.to_string());
                }
                let resp = rb.send().await.expect("loopback request");
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                if status != 429 {
                    return (status, serde_json::from_str(&text).unwrap_or(Value::Null));
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            panic!("{path}: still 429 after 20 attempts");
        })
    }

    /// Every resource of a collection, by id. Walks pages until one adds nothing new, so a
    /// server that ignores startIndex, pages short or counts in strings is listed completely.
    fn list(&self, collection: &str) -> BTreeMap<String, Value> {
        let mut all = BTreeMap::new();
        let mut start = 1;
        loop {
            let path = format!("/{collection}?startIndex={start}&count=200");
            let (status, page) = self.send(reqwest::Method::GET, &path, None);
            assert_eq!(status, 200, "GET {path}: {page}");
            let resources = page["Resources"].as_array().cloned().unwrap_or_default();
            let before = all.len();
            for r in &resources {
                let id = r["id"]
                    .as_str()
                    .expect("listed resources have ids")
                    .to_string();
                all.insert(id, r.clone());
            }
            if resources.is_empty() || all.len() == before {
                return all;
            }
            start += resources.len();
        }
    }

    /// The listing once writes have become visible (the stale-reads quirk delays them).
    fn settled_list(&self, collection: &str) -> BTreeMap<String, Value> {
        std::thread::sleep(std::time::Duration::from_millis(100));
        self.list(collection)
    }

    /// A user and a group (with that user as member) that exist before the run.
    fn seed(&self) {
        let user = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "pre.existing@customer.example",
            "name": {"givenName": "Pre", "familyName": "Existing"},
            "emails": [{"primary": true, "value": "pre.existing@customer.example", "type": "work"}],
            "active": true
        });
        let (status, created) = self.send(reqwest::Method::POST, "/Users", Some(&user));
        assert!(matches!(status, 200 | 201), "seed user: {status} {created}");
        // A server that answers the create without a body (a quirk) still lists the user.
        let id = match created["id"].as_str() {
            Some(id) => id.to_string(),
            None => self
                .settled_list("Users")
                .into_keys()
                .next()
                .expect("the seeded user is listed"),
        };
        let group = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Pre-existing Group",
            "members": [{"value": id, "display": "pre.existing@customer.example", "type": "User"}]
        });
        let (status, created) = self.send(reqwest::Method::POST, "/Groups", Some(&group));
        assert!(
            matches!(status, 200 | 201),
            "seed group: {status} {created}"
        );
    }
}

fn is_active(user: &Value) -> bool {
    user["active"] == json!(true) || user["active"] == json!("true")
}

/// Runs one profile's default run against a fresh server in `quirk` mode and compares.
fn check(quirk: &str, profile: &str) -> Result<(), String> {
    let quirk_spec = spec(quirk);
    let quirks: Vec<&str> = [quirk_spec.as_str()]
        .into_iter()
        .filter(|q| !q.is_empty())
        .collect();
    let server = TestServer::start(TOKEN, &quirks);
    let lister = Lister::new(&server.base_url);
    lister.seed();
    let users_before = lister.settled_list("Users");
    let groups_before = lister.list("Groups");
    let run = scimreplay(
        &[
            "run",
            "--target",
            &server.base_url,
            "--token-env",
            "NO_LEFTOVERS_TOKEN",
            "--profile",
            profile,
            "--no-snapshots",
            "--max-retry-wait",
            "10ms",
            "--read-settle",
            if quirk == "stale-reads" { "2s" } else { "0s" },
        ],
        None,
        &[("NO_LEFTOVERS_TOKEN", TOKEN)],
    );
    if !matches!(run.code, 0 | 1) {
        return Err(format!(
            "{quirk} / {profile}: run exited {}\n{}",
            run.code, run.stderr
        ));
    }
    let mut users_after = lister.settled_list("Users");
    if SOFT_DELETE.contains(&quirk) {
        users_after.retain(|id, u| users_before.contains_key(id) || is_active(u));
    }
    let groups_after = lister.list("Groups");
    let describe =
        |label: &str, before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>| {
            let left: Vec<String> = after
                .iter()
                .filter(|(id, v)| before.get(*id) != Some(*v))
                .map(|(_, v)| {
                    format!(
                        "{}",
                        v.get("userName").or(v.get("displayName")).unwrap_or(v)
                    )
                })
                .collect();
            let gone: Vec<&String> = before
                .keys()
                .filter(|id| !after.contains_key(*id))
                .collect();
            format!("{label}: left or changed {left:?}, gone {gone:?}")
        };
    if users_after != users_before || groups_after != groups_before {
        return Err(format!(
            "{quirk} / {profile}: {}; {}",
            describe("users", &users_before, &users_after),
            describe("groups", &groups_before, &groups_after)
        ));
    }
    Ok(())
}

#[test]
fn a_default_run_leaves_nothing_behind_in_any_quirk_mode() {
    // The default profile against every quirk; the PATCH dialect against the clean server and
    // the quirks that make refused creates succeed or answer them without an id.
    let mut jobs: Vec<(&str, &str)> = scimreplay::server::quirks()
        .iter()
        .map(|q| (q.name, "okta-aiw"))
        .collect();
    for quirk in PATCH_DIALECT_QUIRKS {
        jobs.push((quirk, "okta-oin"));
    }
    let jobs = std::sync::Mutex::new(jobs);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                loop {
                    let Some((quirk, profile)) = jobs.lock().unwrap().pop() else {
                        return;
                    };
                    if let Err(e) = check(quirk, profile) {
                        failures.lock().unwrap().push(e);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
