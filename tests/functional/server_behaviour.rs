//! RFC 7643/7644 behaviour of the reference server over HTTP: CRUD, filters, paging,
//! discovery, errors, bad input, authentication modes and the base path.

use crate::server_support;

use scimreplay::server::{AuthMode, ServerConfig};
use serde_json::{Value, json};
use server_support::*;

#[tokio::test]
async fn create_read_update_delete_users() {
    let s = start(&[]).await;
    let u = s.create_user("alice@example.com").await;
    let id = u["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok_and(|x| x.get_version_num() == 4));
    let meta = &u["meta"];
    assert_eq!(meta["resourceType"], "User");
    assert_eq!(meta["version"], "W/\"1\"");
    let created = meta["created"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");
    assert!(
        meta["location"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    // Duplicate userName, any case.
    s.okta("POST", "/Users", Some(&okta_user("ALICE@example.com")))
        .await
        .assert_scim_error(409, Some("uniqueness"));
    // Missing userName.
    s.req("POST", "/Users", Some(&json!({"name": {"givenName": "x"}})))
        .await
        .assert_scim_error(400, Some("invalidValue"));
    // PUT renaming into another user's userName.
    let b = s.create_user("bob@example.com").await;
    let mut body = b.clone();
    body["userName"] = json!("Alice@Example.com");
    s.req(
        "PUT",
        &format!("/Users/{}", b["id"].as_str().unwrap()),
        Some(&body),
    )
    .await
    .assert_scim_error(409, Some("uniqueness"));
    // PUT keeps the password but never returns it; readOnly attrs ignored.
    let mut body = u.clone();
    body["id"] = json!("something-else");
    body["meta"] = json!({"resourceType": "Nope"});
    body["groups"] = json!([{"value": "x"}]);
    body["title"] = json!("Engineer");
    let r = s.req("PUT", &format!("/Users/{id}"), Some(&body)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["id"], id);
    assert_eq!(v["title"], "Engineer");
    assert_eq!(v["meta"]["version"], "W/\"2\"");
    assert!(v.get("password").is_none());
    // Unknown ids.
    s.req("GET", "/Users/00919288221112222", None)
        .await
        .assert_scim_error(404, None);
    s.req("PUT", "/Users/nope", Some(&body))
        .await
        .assert_scim_error(404, None);
    s.req("PATCH", "/Users/nope", Some(&json!({"Operations": []})))
        .await
        .assert_scim_error(404, None);
    s.req("DELETE", "/Users/nope", None)
        .await
        .assert_scim_error(404, None);
    // Delete a user in a group: membership goes too.
    let g = s.create_group("Team", &[id]).await;
    let gid = g["id"].as_str().unwrap();
    assert_eq!(
        s.req("DELETE", &format!("/Users/{id}"), None).await.status,
        204
    );
    s.req("GET", &format!("/Users/{id}"), None)
        .await
        .assert_scim_error(404, None);
    assert_eq!(
        s.req("GET", &format!("/Groups/{gid}"), None).await.json()["members"],
        json!([])
    );
    // Duplicate group name; unknown member id.
    s.req("POST", "/Groups", Some(&json!({"displayName": "team"})))
        .await
        .assert_scim_error(409, Some("uniqueness"));
    s.req(
        "POST",
        "/Groups",
        Some(&json!({"displayName": "Other", "members": [{"value": "ghost"}]})),
    )
    .await
    .assert_scim_error(400, Some("invalidValue"));
    s.stop().await;
}

#[tokio::test]
async fn filters_over_http() {
    let s = start(&[]).await;
    let a = s.create_user("test.user@okta.local").await;
    let mut other = okta_user("other@okta.local");
    other["externalId"] = json!("00uOTHER");
    other["emails"] = json!([{"value": "o@work.example", "type": "work", "primary": true}, {"value": "o@home.example", "type": "home"}]);
    s.req("POST", "/Users", Some(&other)).await;
    let g = s
        .create_group("Test SCIMv2", &[a["id"].as_str().unwrap()])
        .await;
    let count = |f: &'static str| {
        let s = &s;
        async move {
            let r = s.req("GET", &format!("/Users?filter={f}"), None).await;
            assert_eq!(r.status, 200, "{f}: {}", r.text);
            r.json()["totalResults"].as_u64().unwrap()
        }
    };
    assert_eq!(
        count("userName%20eq%20%22TEST.USER%40okta.local%22").await,
        1
    );
    assert_eq!(count("userName+eq+%22test.user%40okta.local%22").await, 1);
    assert_eq!(count("externalId+eq+%2200uother%22").await, 0);
    assert_eq!(count("externalId+eq+%2200uOTHER%22").await, 1);
    assert_eq!(
        count("userName+sw+%22TEST%22+or+userName+co+%22other%22").await,
        2
    );
    assert_eq!(
        count("emails%5Btype+eq+%22work%22%5D.value+eq+%22O%40WORK.example%22").await,
        1
    );
    assert_eq!(
        count("emails[type eq \"work\" and value co \"@\"]").await,
        2
    );
    assert_eq!(
        count("emails[type eq \"home\" and value co \"@\"]").await,
        1
    );
    assert_eq!(count("not+(active+eq+true)").await, 0);
    assert_eq!(
        count("name.givenName+eq+%22test%22+and+(externalId+pr)").await,
        2
    );
    assert_eq!(
        count("urn:ietf:params:scim:schemas:core:2.0:User:userName+ew+%22okta.local%22").await,
        2
    );
    assert_eq!(count("meta.created+gt+%222000-01-01T00:00:00Z%22").await, 2);
    assert_eq!(count("groups.value+eq+%22nothing%22").await, 0);
    let gid = g["id"].as_str().unwrap();
    let r = s
        .req(
            "GET",
            "/Groups?filter=displayName%20eq%20%22test%20scimv2%22&startIndex=1&count=100",
            None,
        )
        .await;
    assert_eq!(r.json()["totalResults"], 1);
    let r = s
        .req(
            "GET",
            &format!(
                "/Groups?filter=members.value+eq+%22{}%22",
                a["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(r.json()["Resources"][0]["id"], gid);
    // Invalid filters.
    for bad in [
        "userName+eq",
        "userName+xx+%22a%22",
        "(userName+eq+%22a%22",
        "%22a%22",
        "userName+eq+%22a%22+zz",
    ] {
        let r = s.req("GET", &format!("/Users?filter={bad}"), None).await;
        let v = r.assert_scim_error(400, Some("invalidFilter"));
        assert!(
            v["detail"].as_str().unwrap().contains("at character"),
            "{v}"
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn paging_rules() {
    let s = start(&[]).await;
    for i in 0..5 {
        s.create_user(&format!("u{i}@x.test")).await;
    }
    let page = |q: &'static str| {
        let s = &s;
        async move { s.req("GET", &format!("/Users?{q}"), None).await }
    };
    let v = page("startIndex=2&count=2").await.json();
    assert_eq!(
        (
            v["totalResults"].clone(),
            v["startIndex"].clone(),
            v["itemsPerPage"].clone()
        ),
        (json!(5), json!(2), json!(2))
    );
    assert_eq!(v["Resources"][0]["userName"], "u1@x.test");
    let v = page("startIndex=0&count=1").await.json();
    assert_eq!(v["startIndex"], 1);
    assert_eq!(v["Resources"][0]["userName"], "u0@x.test");
    let v = page("count=0").await.json();
    assert_eq!(v["totalResults"], 5);
    assert_eq!(v["Resources"], json!([]));
    let v = page("startIndex=4&count=100").await.json();
    assert_eq!(v["itemsPerPage"], 2);
    let v = page("startIndex=99").await.json();
    assert_eq!(v["Resources"], json!([]));
    page("count=ten")
        .await
        .assert_scim_error(400, Some("invalidValue"));
    page("startIndex=1.5")
        .await
        .assert_scim_error(400, Some("invalidValue"));
    let v = page("attributes=userName&count=1").await.json();
    assert_eq!(v["Resources"][0].as_object().unwrap().len(), 3, "{v}");
    let v = s
        .req("GET", "/Groups?excludedAttributes=members", None)
        .await
        .json();
    assert_eq!(v["totalResults"], 0);
    s.stop().await;
}

#[tokio::test]
async fn discovery_documents() {
    let s = start(&[]).await;
    let spc = s.req("GET", "/ServiceProviderConfig", None).await.json();
    assert_eq!(spc["patch"]["supported"], true);
    assert_eq!(spc["bulk"]["supported"], false);
    assert_eq!(spc["filter"]["maxResults"], 200);
    assert_eq!(spc["etag"]["supported"], true);
    assert_eq!(spc["authenticationSchemes"][0]["type"], "oauthbearertoken");
    let rt = s.req("GET", "/ResourceTypes", None).await.json();
    assert_eq!(rt["totalResults"], 2);
    assert_eq!(
        s.req("GET", "/ResourceTypes/User", None).await.json()["endpoint"],
        "/Users"
    );
    let sc = s.req("GET", "/Schemas", None).await.json();
    assert_eq!(sc["totalResults"], 3);
    let user = s
        .req(
            "GET",
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
            None,
        )
        .await
        .json();
    let un = user["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "userName")
        .unwrap()
        .clone();
    assert_eq!(un["caseExact"], false);
    assert_eq!(un["uniqueness"], "server");
    s.req("GET", "/Schemas/urn:nope", None)
        .await
        .assert_scim_error(404, None);
    s.req("GET", "/ResourceTypes/Nope", None)
        .await
        .assert_scim_error(404, None);
    for (m, p) in [
        ("POST", "/ServiceProviderConfig"),
        ("DELETE", "/Schemas"),
        ("PUT", "/ResourceTypes/User"),
        ("DELETE", "/Users"),
        ("POST", "/Users/x"),
    ] {
        s.req(m, p, Some(&json!({})))
            .await
            .assert_scim_error(405, None);
    }
    s.req("GET", "/Nope", None)
        .await
        .assert_scim_error(404, None);
    s.req("GET", "/Users/a/b", None)
        .await
        .assert_scim_error(404, None);
    s.stop().await;
}

#[tokio::test]
async fn bad_input_is_a_scim_error() {
    let s = start(&[]).await;
    s.raw("POST", "/Users", b"{\"userName\": ".to_vec(), &[])
        .await
        .assert_scim_error(400, Some("invalidSyntax"));
    s.raw("POST", "/Users", b"".to_vec(), &[])
        .await
        .assert_scim_error(400, Some("invalidSyntax"));
    s.raw("POST", "/Users", b"[1,2]".to_vec(), &[])
        .await
        .assert_scim_error(400, Some("invalidSyntax"));
    s.raw("POST", "/Users", "[".repeat(10_000).into_bytes(), &[])
        .await
        .assert_scim_error(400, Some("invalidSyntax"));
    let mut deep = "{\"userName\":\"x\",\"name\":".to_string();
    deep.push_str(&"{\"a\":".repeat(5000));
    s.raw("POST", "/Users", deep.into_bytes(), &[])
        .await
        .assert_scim_error(400, Some("invalidSyntax"));
    for (body, attr) in [
        (json!({"userName": "a", "active": "false"}), "active"),
        (json!({"userName": 5}), "userName"),
        (json!({"userName": "a", "emails": {"value": "x"}}), "emails"),
        (json!({"userName": "a", "shoeSize": 44}), "shoeSize"),
        (json!({"userName": "a", "name": {"nick": "x"}}), "name.nick"),
        (
            json!({"userName": "a", "urn:custom:ext:1.0:User": {"a": 1}}),
            "urn:custom:ext:1.0:User",
        ),
    ] {
        let v = s
            .req("POST", "/Users", Some(&body))
            .await
            .assert_scim_error(400, Some("invalidValue"));
        assert!(v["detail"].as_str().unwrap().contains(attr), "{v}");
    }
    // Non-ASCII names never panic.
    for body in [
        json!({"userName": "a", "éééé": 1}),
        json!({"userName": "a", "uéé:x": 1}),
    ] {
        s.req("POST", "/Users", Some(&body))
            .await
            .assert_scim_error(400, Some("invalidValue"));
    }
    let id = s.create_user("nonascii@x").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        "éééé",
        "uéé:x",
        "emails[ü eq \"x\"].value",
        "emails[type eq \"work\"].ü",
        "name.ü",
    ] {
        let body = json!({"Operations": [{"op": "replace", "path": path, "value": "x"}]});
        let r = s.req("PATCH", &format!("/Users/{id}"), Some(&body)).await;
        assert_eq!(r.status, 400, "{path}: {}", r.text);
    }
    let r = s
        .req(
            "GET",
            "/Users?attributes=%C3%A9%C3%A9%C3%A9%C3%A9&excludedAttributes=%C3%BCrn:x",
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    // An extension listed in schemas is accepted and returned.
    let r = s.req("POST", "/Users", Some(&json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:custom:ext:1.0:User"],
        "userName": "ext@x", "urn:custom:ext:1.0:User": {"a": 1},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D", "manager": {"value": "m"}}}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let v = r.json();
    assert_eq!(v["urn:custom:ext:1.0:User"]["a"], 1);
    assert_eq!(
        v["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "R&D"
    );
    assert!(v["schemas"].as_array().unwrap().len() == 3);
    // Huge body.
    let huge = format!(
        "{{\"userName\":\"{}\"}}",
        "x".repeat(scimreplay::server::MAX_BODY_BYTES + 10)
    );
    let r = s.raw("POST", "/Users", huge.into_bytes(), &[]).await;
    r.assert_scim_error(413, None);
    // Content types accepted.
    let r = s
        .raw(
            "POST",
            "/Users",
            okta_user("ct@x").to_string().into_bytes(),
            &[("Content-Type", "application/scim+json; charset=utf-8")],
        )
        .await;
    assert_eq!(r.status, 201);
    s.stop().await;
}

async fn auth_case(auth: AuthMode, token: Option<&str>, good: &str, bad: &[&str], challenge: &str) {
    let s = start_with(ServerConfig {
        auth,
        token: token.map(str::to_string),
        ..Default::default()
    })
    .await;
    let ok = s
        .raw(
            "GET",
            "/Users?startIndex=1&count=2",
            vec![],
            &[("Authorization", good)],
        )
        .await;
    assert_eq!(ok.status, 200, "{auth:?} {}", ok.text);
    for b in bad {
        let r = s
            .raw("GET", "/Users", vec![], &[("Authorization", b)])
            .await;
        r.assert_scim_error(401, None);
        assert_eq!(r.header("www-authenticate"), Some(challenge));
    }
    s.stop().await;
}

#[tokio::test]
async fn authentication_modes() {
    auth_case(
        AuthMode::Bearer,
        Some("T"),
        "Bearer T",
        &["Bearer U", "T", "Basic VDpU", "non-token", ""],
        "Bearer realm=\"scimreplay\"",
    )
    .await;
    auth_case(
        AuthMode::Header,
        Some("T"),
        "T",
        &["Bearer T", "U"],
        "Bearer realm=\"scimreplay\"",
    )
    .await;
    auth_case(
        AuthMode::Basic,
        Some("u:p"),
        "Basic dTpw",
        &["Basic dTpx", "Bearer u:p"],
        "Basic realm=\"scimreplay\"",
    )
    .await;
    auth_case(AuthMode::None, None, "anything", &[], "").await;
    let s = start(&[]).await;
    let r = s
        .client
        .get(format!("{}/Users", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    s.stop().await;
}

#[tokio::test]
async fn base_path_and_unknown_quirks() {
    let s = start_with(ServerConfig {
        token: Some("T".into()),
        base_path: "/scim/v2/acme/".into(),
        ..Default::default()
    })
    .await;
    assert!(s.base.ends_with("/scim/v2/acme"), "{}", s.base);
    assert_eq!(s.req("GET", "/Users", None).await.status, 200);
    let outside = s
        .client
        .get(s.base.replace("/acme", "/other") + "/Users")
        .header("Authorization", "Bearer T")
        .send()
        .await
        .unwrap();
    assert_eq!(outside.status(), 404);
    assert!(
        outside.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/scim+json")
    );
    s.stop().await;
    let e = scimreplay::server::start(ServerConfig {
        token: Some("T".into()),
        quirks: vec!["nope".into()],
        ..Default::default()
    })
    .await
    .err()
    .unwrap();
    assert!(e.to_string().contains("string-booleans"), "{e}");
    let e = scimreplay::server::start(ServerConfig::default())
        .await
        .err()
        .unwrap();
    assert!(e.to_string().contains("token"), "{e}");
}

#[tokio::test]
async fn etags_and_if_match() {
    let s = start(&[]).await;
    let u = s.create_user("etag@x").await;
    let id = u["id"].as_str().unwrap();
    let r = s.req("GET", &format!("/Users/{id}"), None).await;
    assert_eq!(r.header("etag"), Some("W/\"1\""));
    let body: Value = r.json();
    let stale = s
        .raw(
            "PUT",
            &format!("/Users/{id}"),
            body.to_string().into_bytes(),
            &[("If-Match", "W/\"7\"")],
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let fine = s
        .raw(
            "PUT",
            &format!("/Users/{id}"),
            body.to_string().into_bytes(),
            &[("If-Match", "W/\"1\"")],
        )
        .await;
    assert_eq!(fine.status, 200);
    s.stop().await;
}
