//! One test per quirk mode: the deviation shows with the quirk on and not by default. The
//! `quirk_tests!` table at the end maps every quirk to its test, and a meta-test proves that every
//! quirk of `serve --list-quirks` has one.

use crate::server_support;

use serde_json::{Value, json};
use server_support::*;
use std::time::{Duration, Instant};

fn ops(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

/// Runs `f` against a default server and one with `quirk`, returning both results.
macro_rules! both {
    ($quirk:expr, |$s:ident| $body:expr) => {{
        let $s = start(&[]).await;
        let normal = $body;
        $s.stop().await;
        let $s = start(&[$quirk]).await;
        let quirky = $body;
        $s.stop().await;
        (normal, quirky)
    }};
}

async fn user_id(s: &Srv, name: &str) -> String {
    s.create_user(name).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn patch_requires_path() {
    let (n, q) = both!("patch-requires-path", |s| {
        let id = user_id(&s, "a@x").await;
        s.okta(
            "PATCH",
            &format!("/Users/{id}"),
            Some(&ops(json!([{"op": "replace", "value": {"active": false}}]))),
        )
        .await
        .status
    });
    assert_eq!((n, q), (200, 400));
}

async fn string_booleans() {
    let (n, q) = both!("string-booleans", |s| s.create_user("a@x").await["active"]
        .clone());
    assert_eq!((n, q), (json!(true), json!("true")));
}

async fn list_counts_as_strings() {
    let (n, q) = both!("list-counts-as-strings", |s| s
        .okta("GET", "/Users?startIndex=1&count=2", None)
        .await
        .json()["totalResults"]
        .clone());
    assert_eq!((n, q), (json!(0), json!("0")));
}

async fn filter_case_sensitive() {
    let (n, q) = both!("filter-case-sensitive", |s| {
        s.create_user("Mixed.Case@x").await;
        s.okta(
            "GET",
            &format!("/Users?{}", okta_filter("userName", "mixed.case@x")),
            None,
        )
        .await
        .json()["totalResults"]
            .clone()
    });
    assert_eq!((n, q), (json!(1), json!(0)));
}

async fn filter_ignored() {
    let (n, q) = both!("filter-ignored", |s| {
        s.create_user("a@x").await;
        s.create_user("b@x").await;
        s.okta(
            "GET",
            &format!("/Users?{}", okta_filter("userName", "a@x")),
            None,
        )
        .await
        .json()["totalResults"]
            .clone()
    });
    assert_eq!((n, q), (json!(1), json!(2)));
}

async fn no_duplicate_409() {
    // Users only: a Group displayName is not unique (see no_duplicate_group_409).
    let (n, q) = both!("no-duplicate-409", |s| {
        s.create_user("a@x").await;
        let u = s
            .okta("POST", "/Users", Some(&okta_user("a@x")))
            .await
            .status;
        s.create_group("G", &[]).await;
        let g = s
            .okta("POST", "/Groups", Some(&json!({"displayName": "G"})))
            .await
            .status;
        (u, g)
    });
    assert_eq!((n, q), ((409, 409), (201, 409)));
}

async fn plain_text_errors() {
    let (n, q) = both!("plain-text-errors", |s| s
        .okta("GET", "/Users/nope", None)
        .await);
    n.assert_scim_error(404, None);
    assert_eq!(q.status, 404);
    assert!(q.content_type().starts_with("text/plain"));
    assert!(serde_json::from_str::<Value>(&q.text).is_err());
}

async fn error_status_number_only() {
    let (n, q) = both!("error-status-number-only", |s| s
        .okta("GET", "/Users/nope", None)
        .await);
    n.assert_scim_error(404, None);
    let v = q.json();
    assert_eq!(v["status"], json!(404));
    assert!(v.get("schemas").is_none());
}

async fn missing_error_schema() {
    let (n, q) = both!("missing-error-schema", |s| s
        .okta("GET", "/Users/nope", None)
        .await);
    n.assert_scim_error(404, None);
    let v = q.json();
    assert!(v.get("schemas").is_none());
    assert_eq!(v["status"], "404");
}

async fn remove_member(s: &Srv) -> usize {
    let a = user_id(s, "a@x").await;
    let b = user_id(s, "b@x").await;
    let g = s.create_group("G", &[&a, &b]).await;
    let body = ops(json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")}]));
    let r = s
        .okta(
            "PATCH",
            &format!("/Groups/{}", g["id"].as_str().unwrap()),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 200);
    r.json()["members"].as_array().unwrap().len()
}

async fn ignore_member_remove_filter() {
    let (n, q) = both!("ignore-member-remove-filter", |s| remove_member(&s).await);
    assert_eq!((n, q), (1, 2));
}

async fn remove_filter_wipes_members() {
    let (n, q) = both!("remove-filter-wipes-members", |s| remove_member(&s).await);
    assert_eq!((n, q), (1, 0));
}

async fn members_require_type() {
    let (n, q) = both!("members-require-type", |s| {
        let a = user_id(&s, "a@x").await;
        s.okta(
            "POST",
            "/Groups",
            Some(&json!({"displayName": "G", "members": [{"value": a, "display": "a@x"}]})),
        )
        .await
        .status
    });
    assert_eq!((n, q), (201, 400));
}

async fn empty_members_replace_fails() {
    let (n, q) = both!("empty-members-replace-fails", |s| {
        let a = user_id(&s, "a@x").await;
        let g = s.create_group("G", &[&a]).await;
        let body = ops(json!([{"op": "replace", "path": "members", "value": []}]));
        s.okta(
            "PATCH",
            &format!("/Groups/{}", g["id"].as_str().unwrap()),
            Some(&body),
        )
        .await
        .status
    });
    assert_eq!((n, q), (200, 400));
}

async fn rejects_readonly_in_put() {
    let (n, q) = both!("rejects-readonly-in-put", |s| {
        let u = s.create_user("a@x").await;
        s.okta(
            "PUT",
            &format!("/Users/{}", u["id"].as_str().unwrap()),
            Some(&u),
        )
        .await
    });
    assert_eq!(n.status, 200);
    q.assert_scim_error(400, Some("mutability"));
}

async fn rejects_readonly_in_create() {
    let (n, q) = both!("rejects-readonly-in-create", |s| {
        // Okta's create body carries `groups: []` and a password (docs/okta-reference.md#s7-7).
        let with_groups = s.okta("POST", "/Users", Some(&okta_user("a@x"))).await;
        let mut bare = okta_user("b@x");
        bare.as_object_mut().unwrap().remove("groups");
        let without = s.okta("POST", "/Users", Some(&bare)).await.status;
        (with_groups, without)
    });
    assert_eq!((n.0.status, n.1), (201, 201));
    q.0.assert_scim_error(400, Some("mutability"));
    assert_eq!(q.1, 201, "only the readOnly groups attribute is refused");
}

async fn rename_rejects_id_in_value() {
    let (n, q) = both!("rename-rejects-id-in-value", |s| {
        let g = s.create_group("G", &[]).await;
        let body = ops(json!([{"op": "replace", "value": {"id": g["id"], "displayName": "G2"}}]));
        s.okta(
            "PATCH",
            &format!("/Groups/{}", g["id"].as_str().unwrap()),
            Some(&body),
        )
        .await
        .status
    });
    assert_eq!((n, q), (200, 400));
}

async fn lowercase_emails() {
    let (n, q) = both!("lowercase-emails", |s| s.create_user("Mixed@X.test").await
        ["emails"][0]["value"]
        .clone());
    assert_eq!((n, q), (json!("Mixed@X.test"), json!("mixed@x.test")));
}

async fn drops_locale() {
    let (n, q) = both!("drops-locale", |s| s
        .create_user("a@x")
        .await
        .get("locale")
        .cloned());
    assert_eq!((n, q), (Some(json!("en-US")), None));
}

async fn reorders_emails() {
    let (n, q) = both!("reorders-emails", |s| {
        let mut body = okta_user("a@x");
        body["emails"] = json!([{"value": "w@x", "type": "work", "primary": true}, {"value": "h@x", "type": "home", "primary": false}]);
        let v = s.okta("POST", "/Users", Some(&body)).await.json();
        (
            v["emails"][0]["value"].clone(),
            v["emails"][0]["primary"].clone(),
        )
    });
    assert_eq!(n, (json!("w@x"), json!(true)));
    assert_eq!(q, (json!("h@x"), json!(true)));
}

async fn recomputes_display_name() {
    let (n, q) = both!("recomputes-display-name", |s| {
        let mut body = okta_user("a@x");
        body["displayName"] = json!("Custom Display");
        s.okta("POST", "/Users", Some(&body)).await.json()["displayName"].clone()
    });
    assert_eq!((n, q), (json!("Custom Display"), json!("Test User")));
}

async fn stale_reads() {
    let (n, q) = both!("stale-reads=400ms", |s| {
        let u = s.create_user("a@x").await;
        assert!(u["id"].is_string(), "the write response itself is correct");
        let p = format!("/Users/{}", u["id"].as_str().unwrap());
        let first = s.okta("GET", &p, None).await.status;
        // Poll (bounded) until the write becomes visible.
        let mut later = first;
        for _ in 0..40 {
            if later == 200 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            later = s.okta("GET", &p, None).await.status;
        }
        (first, later)
    });
    assert_eq!(n, (200, 200));
    assert_eq!(q, (404, 200));
}

async fn deactivate_deletes() {
    let (n, q) = both!("deactivate-deletes", |s| {
        let id = user_id(&s, "a@x").await;
        let r = s
            .okta(
                "PATCH",
                &format!("/Users/{id}"),
                Some(&ops(json!([{"op": "replace", "value": {"active": false}}]))),
            )
            .await;
        assert_eq!(r.status, 200);
        s.okta("GET", &format!("/Users/{id}"), None).await.status
    });
    assert_eq!((n, q), (200, 404));
}

async fn create_returns_200() {
    let (n, q) = both!("create-returns-200", |s| s
        .okta("POST", "/Users", Some(&okta_user("a@x")))
        .await
        .status);
    assert_eq!((n, q), (201, 200));
}

async fn create_empty_body() {
    let (n, q) = both!("create-empty-body", |s| s
        .okta("POST", "/Users", Some(&okta_user("a@x")))
        .await);
    assert!(n.json()["id"].is_string());
    assert_eq!(q.status, 201);
    assert!(q.text.is_empty());
}

async fn get_returns_list() {
    let (n, q) = both!("get-returns-list", |s| {
        let id = user_id(&s, "a@x").await;
        s.okta("GET", &format!("/Users/{id}"), None).await.json()
    });
    assert!(n["id"].is_string());
    assert_eq!(
        q["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    assert!(q["Resources"][0]["id"].is_string());
}

async fn paging_ignores_startindex() {
    let (n, q) = both!("paging-ignores-startindex", |s| {
        user_id(&s, "a@x").await;
        user_id(&s, "b@x").await;
        s.okta("GET", "/Users?startIndex=2&count=1", None)
            .await
            .json()["Resources"][0]["userName"]
            .clone()
    });
    assert_eq!((n, q), (json!("b@x"), json!("a@x")));
}

async fn short_pages() {
    let (n, q) = both!("short-pages", |s| {
        for i in 0..12 {
            user_id(&s, &format!("u{i}@x")).await;
        }
        let v = s
            .okta("GET", "/Users?startIndex=1&count=100", None)
            .await
            .json();
        (
            v["totalResults"].clone(),
            v["Resources"].as_array().unwrap().len(),
        )
    });
    assert_eq!(n, (json!(12), 12));
    assert_eq!(q, (json!(12), 10));
}

async fn statuses(s: &Srv, n: usize) -> Vec<(u16, Option<String>)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let r = s.okta("GET", "/Users?startIndex=1&count=2", None).await;
        out.push((r.status, r.header("retry-after").map(str::to_string)));
    }
    out
}

async fn rate_limit() {
    let (n, q) = both!("rate-limit", |s| statuses(&s, 10).await);
    assert!(n.iter().all(|(st, _)| *st == 200));
    let limited: Vec<usize> = q
        .iter()
        .enumerate()
        .filter(|(_, (st, _))| *st == 429)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(limited, [4, 9]);
    assert_eq!(q[4].1.as_deref(), Some("1"));
    let s = start(&["rate-limit=2"]).await;
    assert_eq!(statuses(&s, 2).await[1].0, 429);
    s.stop().await;
}

async fn rate_limit_no_retry_after() {
    let (n, q) = both!("rate-limit-no-retry-after", |s| statuses(&s, 5).await);
    assert!(n.iter().all(|(st, _)| *st == 200));
    assert_eq!(q[4], (429, None));
}

async fn slow() {
    let (n, q) = both!("slow=150ms", |s| {
        let t = Instant::now();
        s.okta("GET", "/Users?startIndex=1&count=2", None).await;
        t.elapsed()
    });
    // Not a timing assertion on performance: the quirk's contract is a minimum added delay.
    assert!(q >= Duration::from_millis(150), "{q:?}");
    let _ = n;
}

async fn returns_password() {
    let (n, q) = both!("returns-password", |s| s
        .create_user("a@x")
        .await
        .get("password")
        .cloned());
    assert_eq!((n, q), (None, Some(json!("1mz050nq"))));
}

async fn missing_location() {
    let (n, q) = both!("missing-location", |s| {
        let r = s.okta("POST", "/Users", Some(&okta_user("a@x"))).await;
        (
            r.header("location").is_some(),
            r.json()["meta"].get("location").is_some(),
        )
    });
    assert_eq!((n, q), ((true, true), (false, false)));
}

async fn ignores_active_patch() {
    let (n, q) = both!("ignores-active-patch", |s| {
        let id = user_id(&s, "a@x").await;
        let r = s
            .okta(
                "PATCH",
                &format!("/Users/{id}"),
                Some(&ops(json!([{"op": "replace", "value": {"active": false}}]))),
            )
            .await;
        assert_eq!(r.status, 200);
        s.okta("GET", &format!("/Users/{id}"), None).await.json()["active"].clone()
    });
    assert_eq!((n, q), (json!(false), json!(true)));
}

async fn put_ignores_changes() {
    let (n, q) = both!("put-ignores-changes", |s| {
        let mut u = s.create_user("a@x").await;
        u["title"] = json!("Boss");
        let p = format!("/Users/{}", u["id"].as_str().unwrap());
        assert_eq!(s.okta("PUT", &p, Some(&u)).await.status, 200);
        s.okta("GET", &p, None).await.json().get("title").cloned()
    });
    assert_eq!((n, q), (Some(json!("Boss")), None));
}

async fn html_errors() {
    let (n, q) = both!("html-errors", |s| s.okta("GET", "/Users/nope", None).await);
    n.assert_scim_error(404, None);
    assert_eq!(q.status, 404);
    assert!(q.content_type().starts_with("text/html"));
    assert!(q.text.contains("<html>"));
}

async fn filter_miss_404() {
    let (n, q) = both!("filter-miss-404", |s| s
        .okta(
            "GET",
            &format!("/Users?{}", okta_filter("userName", "none@x")),
            None
        )
        .await);
    assert_eq!(n.status, 200);
    q.assert_scim_error(404, None);
}

async fn patch_returns_204() {
    let (n, q) = both!("patch-returns-204", |s| {
        let id = user_id(&s, "a@x").await;
        let r = s
            .okta(
                "PATCH",
                &format!("/Users/{id}"),
                Some(&ops(json!([{"op": "replace", "value": {"active": false}}]))),
            )
            .await;
        let after = s.okta("GET", &format!("/Users/{id}"), None).await.json()["active"].clone();
        (r.status, r.text.is_empty(), after)
    });
    assert_eq!(n, (200, false, json!(false)));
    assert_eq!(q, (204, true, json!(false)));
}

async fn group_put_returns_204() {
    let (n, q) = both!("group-put-returns-204", |s| {
        let g = s.create_group("Eng", &[]).await;
        let id = g["id"].as_str().unwrap().to_string();
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": id, "displayName": "Platform", "members": []});
        let r = s.okta("PUT", &format!("/Groups/{id}"), Some(&body)).await;
        let after =
            s.okta("GET", &format!("/Groups/{id}"), None).await.json()["displayName"].clone();
        // User PUTs keep answering 200 with the user.
        let u = s.create_user("a@x").await;
        let uid = u["id"].as_str().unwrap().to_string();
        let user_put = s
            .okta("PUT", &format!("/Users/{uid}"), Some(&u))
            .await
            .status;
        (r.status, r.text.is_empty(), after, user_put)
    });
    assert_eq!(n, (200, false, json!("Platform"), 200));
    assert_eq!(q, (204, true, json!("Platform"), 200));
}

async fn create_extra_attributes() {
    let (n, q) = both!("create-extra-attributes", |s| {
        let u = s.create_user("a@x").await;
        // Okta echoes it back in a PUT: still accepted.
        let st = s
            .okta(
                "PUT",
                &format!("/Users/{}", u["id"].as_str().unwrap()),
                Some(&u),
            )
            .await
            .status;
        (u.as_object().unwrap().len(), st)
    });
    assert_eq!(n.1, 200);
    assert_eq!(q.1, 200);
    assert_eq!(q.0, n.0 + 1);
}

async fn numeric_error_status() {
    let (n, q) = both!("numeric-error-status", |s| s
        .okta("GET", "/Users/nope", None)
        .await);
    n.assert_scim_error(404, None);
    let v = q.json();
    assert_eq!(v["status"], json!(404));
    assert_eq!(
        v["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
}

async fn no_duplicate_group_409() {
    let (n, q) = both!("no-duplicate-group-409", |s| {
        s.create_group("G", &[]).await;
        let g = s
            .okta("POST", "/Groups", Some(&json!({"displayName": "G"})))
            .await
            .status;
        s.create_user("a@x").await;
        let u = s
            .okta("POST", "/Users", Some(&okta_user("a@x")))
            .await
            .status;
        (g, u)
    });
    assert_eq!((n, q), ((409, 409), (201, 409)));
}

async fn group_omits_empty_members() {
    let (n, q) = both!("group-omits-empty-members", |s| {
        let g = s.create_group("G", &[]).await;
        let read = s
            .okta(
                "GET",
                &format!("/Groups/{}", g["id"].as_str().unwrap()),
                None,
            )
            .await
            .json();
        let a = user_id(&s, "a@x").await;
        let full = s.create_group("H", &[&a]).await;
        (
            g.get("members").cloned(),
            read.get("members").cloned(),
            full["members"].as_array().map(Vec::len),
        )
    });
    assert_eq!((n.0, n.1, n.2), (Some(json!([])), Some(json!([])), Some(1)));
    assert_eq!((q.0, q.1, q.2), (None, None, Some(1)));
}

async fn html_conflict_errors() {
    let (n, q) = both!("html-conflict-errors", |s| {
        s.create_user("a@x").await;
        let dup = s.okta("POST", "/Users", Some(&okta_user("a@x"))).await;
        let missing = s.okta("GET", "/Users/nope", None).await;
        (dup, missing)
    });
    n.0.assert_scim_error(409, Some("uniqueness"));
    assert_eq!(q.0.status, 409);
    assert!(q.0.content_type().starts_with("text/html"));
    q.1.assert_scim_error(404, None);
}

async fn group_filter_miss_404() {
    let (n, q) = both!("group-filter-miss-404", |s| {
        let g = s
            .okta(
                "GET",
                &format!("/Groups?{}", okta_filter("displayName", "none")),
                None,
            )
            .await;
        let u = s
            .okta(
                "GET",
                &format!("/Users?{}", okta_filter("userName", "none@x")),
                None,
            )
            .await
            .status;
        (g, u)
    });
    assert_eq!((n.0.status, n.1), (200, 200));
    q.0.assert_scim_error(404, None);
    assert_eq!(q.1, 200, "user filter misses keep answering 200");
}

async fn relative_meta_location() {
    let (n, q) = both!("relative-meta-location", |s| {
        let r = s.okta("POST", "/Users", Some(&okta_user("a@x"))).await;
        let id = r.json()["id"].as_str().unwrap().to_string();
        (
            r.header("location").map(str::to_string),
            r.json()["meta"]["location"].clone(),
            id,
        )
    });
    assert!(n.0.unwrap().starts_with("http://"));
    assert!(n.1.as_str().unwrap().starts_with("http://"));
    assert_eq!(q.0, Some(format!("/Users/{}", q.2)));
    assert_eq!(q.1, json!(format!("/Users/{}", q.2)));
}

async fn last_modified_frozen() {
    let (n, q) = both!("last-modified-frozen", |s| {
        let mut u = s.create_user("a@x").await;
        let p = format!("/Users/{}", u["id"].as_str().unwrap());
        tokio::time::sleep(Duration::from_millis(5)).await;
        u["title"] = json!("Boss");
        let put = s.okta("PUT", &p, Some(&u)).await.json();
        (
            u["meta"]["lastModified"].clone(),
            put["meta"]["lastModified"].clone(),
            put["meta"]["version"] != u["meta"]["version"],
        )
    });
    assert_ne!(n.0, n.1);
    assert!(n.2);
    assert_eq!(q.0, q.1);
    assert_eq!(q.1, "2020-01-01T00:00:00.000Z");
    assert!(q.2, "the version still moves");
}

async fn duplicate_member_add() {
    let (n, q) = both!("duplicate-member-add", |s| {
        let a = user_id(&s, "a@x").await;
        let g = s.create_group("G", &[&a]).await;
        let body = ops(
            json!([{"op": "add", "path": "members", "value": [{"value": a, "display": "a@x"}]}]),
        );
        let r = s
            .okta(
                "PATCH",
                &format!("/Groups/{}", g["id"].as_str().unwrap()),
                Some(&body),
            )
            .await;
        assert_eq!(r.status, 200);
        r.json()["members"].as_array().unwrap().len()
    });
    assert_eq!((n, q), (1, 2));
}

async fn user_delete_deactivates() {
    let (n, q) = both!("user-delete-deactivates", |s| {
        let id = user_id(&s, "a@x").await;
        let del = s.okta("DELETE", &format!("/Users/{id}"), None).await.status;
        let read = s.okta("GET", &format!("/Users/{id}"), None).await;
        let listed = s.okta("GET", "/Users", None).await.json()["totalResults"].clone();
        let active = if read.status == 200 {
            read.json()["active"].clone()
        } else {
            Value::Null
        };
        (del, read.status, active, listed)
    });
    assert_eq!(n, (204, 404, Value::Null, json!(0)));
    assert_eq!(q, (204, 200, json!(false), json!(1)));
}

async fn user_delete_reserves_username() {
    let (n, q) = both!("user-delete-reserves-username", |s| {
        let id = user_id(&s, "a@x").await;
        let del = s.okta("DELETE", &format!("/Users/{id}"), None).await.status;
        let read = s.okta("GET", &format!("/Users/{id}"), None).await.status;
        let again = s.okta("POST", "/Users", Some(&okta_user("A@x"))).await;
        (del, read, again.status)
    });
    assert_eq!(n, (204, 404, 201));
    assert_eq!(q, (204, 404, 409));
}

/// Every quirk's test.
macro_rules! quirk_tests {
    ($($test:ident => $quirk:literal,)*) => {
        /// Quirk names with a test in this file.
        const TESTED: &[&str] = &[$($quirk),*];
        mod run {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test().await;
                }
            )*
        }
    };
}

quirk_tests! {
    patch_requires_path => "patch-requires-path",
    string_booleans => "string-booleans",
    list_counts_as_strings => "list-counts-as-strings",
    filter_case_sensitive => "filter-case-sensitive",
    filter_ignored => "filter-ignored",
    no_duplicate_409 => "no-duplicate-409",
    plain_text_errors => "plain-text-errors",
    error_status_number_only => "error-status-number-only",
    missing_error_schema => "missing-error-schema",
    ignore_member_remove_filter => "ignore-member-remove-filter",
    remove_filter_wipes_members => "remove-filter-wipes-members",
    members_require_type => "members-require-type",
    empty_members_replace_fails => "empty-members-replace-fails",
    rejects_readonly_in_put => "rejects-readonly-in-put",
    rejects_readonly_in_create => "rejects-readonly-in-create",
    rename_rejects_id_in_value => "rename-rejects-id-in-value",
    lowercase_emails => "lowercase-emails",
    drops_locale => "drops-locale",
    reorders_emails => "reorders-emails",
    recomputes_display_name => "recomputes-display-name",
    stale_reads => "stale-reads",
    deactivate_deletes => "deactivate-deletes",
    create_returns_200 => "create-returns-200",
    create_empty_body => "create-empty-body",
    get_returns_list => "get-returns-list",
    paging_ignores_startindex => "paging-ignores-startindex",
    short_pages => "short-pages",
    rate_limit => "rate-limit",
    rate_limit_no_retry_after => "rate-limit-no-retry-after",
    slow => "slow",
    returns_password => "returns-password",
    missing_location => "missing-location",
    ignores_active_patch => "ignores-active-patch",
    put_ignores_changes => "put-ignores-changes",
    html_errors => "html-errors",
    filter_miss_404 => "filter-miss-404",
    patch_returns_204 => "patch-returns-204",
    group_put_returns_204 => "group-put-returns-204",
    create_extra_attributes => "create-extra-attributes",
    numeric_error_status => "numeric-error-status",
    no_duplicate_group_409 => "no-duplicate-group-409",
    group_omits_empty_members => "group-omits-empty-members",
    html_conflict_errors => "html-conflict-errors",
    group_filter_miss_404 => "group-filter-miss-404",
    relative_meta_location => "relative-meta-location",
    last_modified_frozen => "last-modified-frozen",
    duplicate_member_add => "duplicate-member-add",
    user_delete_deactivates => "user-delete-deactivates",
    user_delete_reserves_username => "user-delete-reserves-username",
}

#[tokio::test]
async fn quirks_combine() {
    let s = start(&[
        "string-booleans",
        "list-counts-as-strings",
        "lowercase-emails",
    ])
    .await;
    let u = s.create_user("A@X").await;
    assert_eq!(u["active"], "true");
    assert_eq!(u["emails"][0]["value"], "a@x");
    assert_eq!(
        s.okta("GET", "/Users", None).await.json()["totalResults"],
        "1"
    );
    s.stop().await;
}

#[test]
fn every_quirk_has_a_test() {
    for q in scimreplay::server::quirks() {
        assert!(
            TESTED.contains(&q.name),
            "quirk {} has no test: add one to quirk_tests! in tests/functional/server_quirks.rs",
            q.name
        );
    }
    for name in TESTED {
        assert!(
            scimreplay::server::quirks().iter().any(|q| q.name == *name),
            "test for unknown quirk {name}"
        );
    }
}
