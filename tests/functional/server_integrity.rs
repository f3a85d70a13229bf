//! The reference server keeps its data bounded and consistent: a create past
//! `--max-resources` is a SCIM 507, a group never contains itself, nested groups are typed
//! `Group`, and a deleted user or group leaves no member reference behind.

use crate::server_support::{Srv, TOKEN, start, start_with};
use scimreplay::server::ServerConfig;
use serde_json::{Value, json};

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

fn add_member(id: &str) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": id}]}
    ]})
}

async fn members(s: &Srv, group: &str) -> Vec<Value> {
    let r = s.okta("GET", &format!("/Groups/{group}"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["members"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn creates_past_max_resources_are_a_scim_507() {
    let s = start_with(ServerConfig {
        token: Some(TOKEN.into()),
        max_resources: 3,
        ..Default::default()
    })
    .await;
    let a = s.create_user("a@example.com").await;
    s.create_user("b@example.com").await;
    s.create_group("G", &[]).await;
    let full = s
        .okta(
            "POST",
            "/Users",
            Some(&crate::server_support::okta_user("c@example.com")),
        )
        .await;
    let err = full.assert_scim_error(507, None);
    assert!(
        err["detail"].as_str().unwrap().contains("--max-resources"),
        "{err}"
    );
    let group =
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "H"});
    s.okta("POST", "/Groups", Some(&group))
        .await
        .assert_scim_error(507, None);
    // Room again once something is deleted.
    let gone = s
        .okta(
            "DELETE",
            &format!("/Users/{}", a["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(gone.status, 204);
    s.create_user("c@example.com").await;
    s.stop().await;
}

#[tokio::test]
async fn a_group_never_contains_itself() {
    let s = start(&[]).await;
    let outer = s.create_group("Outer", &[]).await;
    let outer_id = outer["id"].as_str().unwrap();
    let inner = s.create_group("Inner", &[outer_id]).await;
    let inner_id = inner["id"].as_str().unwrap();
    let own = s
        .okta(
            "PATCH",
            &format!("/Groups/{outer_id}"),
            Some(&add_member(outer_id)),
        )
        .await;
    own.assert_scim_error(400, Some("invalidValue"));
    // Outer is inside Inner: Inner inside Outer would be a cycle.
    let cycle = s
        .okta(
            "PATCH",
            &format!("/Groups/{outer_id}"),
            Some(&add_member(inner_id)),
        )
        .await;
    cycle.assert_scim_error(400, Some("invalidValue"));
    let mut put = outer.clone();
    put["members"] = json!([{"value": outer_id}]);
    s.okta("PUT", &format!("/Groups/{outer_id}"), Some(&put))
        .await
        .assert_scim_error(400, Some("invalidValue"));
    assert!(members(&s, outer_id).await.is_empty());
    s.stop().await;
}

#[tokio::test]
async fn nested_groups_are_typed_group() {
    let s = start(&[]).await;
    let user = s.create_user("a@example.com").await;
    let uid = user["id"].as_str().unwrap();
    let inner = s.create_group("Inner", &[]).await;
    let gid = inner["id"].as_str().unwrap();
    let outer = s.create_group("Outer", &[uid, gid]).await;
    let listed = members(&s, outer["id"].as_str().unwrap()).await;
    let by_id = |id: &str| listed.iter().find(|m| m["value"] == id).cloned().unwrap();
    assert_eq!(by_id(uid)["type"], "User");
    assert_eq!(by_id(gid)["type"], "Group");
    assert!(
        by_id(gid)["$ref"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/Groups/{gid}")),
        "{listed:?}"
    );
    assert_eq!(by_id(gid)["display"], "Inner");
    s.stop().await;
}

#[tokio::test]
async fn deleting_a_user_or_group_removes_every_reference_to_it() {
    let s = start(&[]).await;
    let user = s.create_user("a@example.com").await;
    let uid = user["id"].as_str().unwrap();
    let inner = s.create_group("Inner", &[uid]).await;
    let gid = inner["id"].as_str().unwrap();
    let outer = s.create_group("Outer", &[uid, gid]).await;
    let oid = outer["id"].as_str().unwrap();
    assert_eq!(members(&s, oid).await.len(), 2);
    let r = s.okta("DELETE", &format!("/Groups/{gid}"), None).await;
    assert_eq!(r.status, 204);
    let left: Vec<Value> = members(&s, oid).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["value"], uid);
    let r = s.okta("DELETE", &format!("/Users/{uid}"), None).await;
    assert_eq!(r.status, 204);
    assert!(members(&s, oid).await.is_empty());
    // The group is still writable: no dangling id makes a later PUT fail validation.
    let mut put = s.okta("GET", &format!("/Groups/{oid}"), None).await.json();
    put["displayName"] = json!("Outer renamed");
    let r = s.okta("PUT", &format!("/Groups/{oid}"), Some(&put)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    s.stop().await;
}
