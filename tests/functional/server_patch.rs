//! The PATCH engine over HTTP: path and path-less forms, value filters, atomicity, members.

use crate::server_support;

use serde_json::{Value, json};
use server_support::*;

fn ops(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

#[tokio::test]
async fn user_patch_forms() {
    let s = start(&[]).await;
    let u = s.create_user("p@x.test").await;
    let p = format!("/Users/{}", u["id"].as_str().unwrap());
    let patch = |body: Value| {
        let s = &s;
        let p = p.clone();
        async move { s.okta("PATCH", &p, Some(&body)).await }
    };
    let v = patch(ops(json!([{"op": "Replace", "path": "name.givenName", "value": "Jo"},
                             {"op": "ADD", "path": "title", "value": "CTO"},
                             {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Ops"}])))
        .await
        .json();
    assert_eq!(v["name"], json!({"givenName": "Jo", "familyName": "User"}));
    assert_eq!(v["title"], "CTO");
    assert_eq!(
        v["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Ops"
    );
    assert!(v["schemas"].as_array().unwrap().contains(&json!(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    )));
    let v = patch(ops(
        json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@x.test"}]),
    ))
    .await
    .json();
    assert_eq!(v["emails"][0]["value"], "new@x.test");
    assert_eq!(v["emails"][0]["primary"], true);
    let v = patch(ops(
        json!([{"op": "add", "path": "emails[type eq \"home\"].value", "value": "home@x.test"}]),
    ))
    .await
    .json();
    assert_eq!(v["emails"].as_array().unwrap().len(), 2);
    let v = patch(ops(
        json!([{"op": "remove", "path": "emails[type eq \"home\"]"}]),
    ))
    .await
    .json();
    assert_eq!(v["emails"].as_array().unwrap().len(), 1);
    let v = patch(ops(
        json!([{"op": "replace", "value": {"name.familyName": "Dotted", "active": false}}]),
    ))
    .await
    .json();
    assert_eq!(v["name"]["familyName"], "Dotted");
    assert_eq!(v["active"], false);
    let v = patch(ops(json!([{"op": "remove", "path": "title"}])))
        .await
        .json();
    assert!(v.get("title").is_none());
    // Errors, and atomicity: nothing of a failing request is applied.
    let before = s.okta("GET", &p, None).await.json();
    for (body, ty) in [
        (
            ops(
                json!([{"op": "replace", "path": "title", "value": "X"}, {"op": "replace", "path": "active", "value": "false"}]),
            ),
            "invalidValue",
        ),
        (
            ops(
                json!([{"op": "replace", "path": "title", "value": "X"}, {"op": "remove", "path": "userName"}]),
            ),
            "invalidValue",
        ),
        (
            ops(json!([{"op": "replace", "path": "nope", "value": 1}])),
            "invalidPath",
        ),
        (
            ops(
                json!([{"op": "replace", "path": "emails[type eq \"fax\"]", "value": {"value": "f"}}]),
            ),
            "noTarget",
        ),
        (ops(json!([{"op": "remove"}])), "noTarget"),
        (
            ops(json!([{"op": "move", "path": "title"}])),
            "invalidSyntax",
        ),
        (
            ops(json!([{"op": "replace", "path": "id", "value": "x"}])),
            "mutability",
        ),
        (
            ops(json!([{"op": "replace", "value": {"shoeSize": 4}}])),
            "invalidValue",
        ),
        (json!({"nothing": true}), "invalidSyntax"),
    ] {
        patch(body).await.assert_scim_error(400, Some(ty));
    }
    let after = s.okta("GET", &p, None).await.json();
    assert_eq!(before, after);
    s.stop().await;
}

#[tokio::test]
async fn group_membership_patches() {
    let s = start(&[]).await;
    let a = s.create_user("a@x.test").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = s.create_user("b@x.test").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let g = s.create_group("G", &[]).await;
    let p = format!("/Groups/{}", g["id"].as_str().unwrap());
    let members = |v: &Value| -> Vec<String> {
        v["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["value"].as_str().unwrap().to_string())
            .collect()
    };
    let add = ops(
        json!([{"op": "add", "path": "members", "value": [{"value": a, "display": "a@x.test"}]}]),
    );
    let v = s.okta("PATCH", &p, Some(&add)).await.json();
    assert_eq!(members(&v), [a.as_str()]);
    assert_eq!(v["members"][0]["display"], "a@x.test");
    // Adding again is a no-op.
    let v = s.okta("PATCH", &p, Some(&add)).await.json();
    assert_eq!(members(&v), [a.as_str()]);
    // Removing an absent member succeeds.
    let r = s
        .okta(
            "PATCH",
            &p,
            Some(&ops(
                json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}]),
            )),
        )
        .await;
    assert_eq!(r.status, 200);
    // Entra's remove-with-value form.
    s.okta(
        "PATCH",
        &p,
        Some(&ops(
            json!([{"op": "add", "path": "members", "value": [{"value": b}]}]),
        )),
    )
    .await;
    let v = s
        .okta(
            "PATCH",
            &p,
            Some(&ops(
                json!([{"op": "remove", "path": "members", "value": [{"value": a}]}]),
            )),
        )
        .await
        .json();
    assert_eq!(members(&v), [b.as_str()]);
    assert_eq!(v["members"][0]["display"], "b@x.test");
    // Unknown member ids are refused.
    s.okta(
        "PATCH",
        &p,
        Some(&ops(
            json!([{"op": "add", "path": "members", "value": [{"value": "ghost"}]}]),
        )),
    )
    .await
    .assert_scim_error(400, Some("invalidValue"));
    // Path-less add of members; remove all members.
    let v = s
        .okta(
            "PATCH",
            &p,
            Some(&ops(
                json!([{"op": "add", "value": {"members": [{"value": a}]}}]),
            )),
        )
        .await
        .json();
    assert_eq!(members(&v).len(), 2);
    let v = s
        .okta(
            "PATCH",
            &p,
            Some(&ops(json!([{"op": "remove", "path": "members"}]))),
        )
        .await
        .json();
    assert_eq!(v["members"], json!([]));
    // The user's groups reflect memberships.
    s.okta(
        "PATCH",
        &p,
        Some(&ops(
            json!([{"op": "add", "path": "members", "value": [{"value": a}]}]),
        )),
    )
    .await;
    let u = s.okta("GET", &format!("/Users/{a}"), None).await.json();
    assert_eq!(
        u["groups"],
        json!([{"value": g["id"], "display": "G", "type": "direct", "$ref": format!("{}/Groups/{}", s.base, g["id"].as_str().unwrap())}])
    );
    // Rename to a taken name.
    s.create_group("Other", &[]).await;
    s.okta(
        "PATCH",
        &p,
        Some(&ops(
            json!([{"op": "replace", "value": {"displayName": "other"}}]),
        )),
    )
    .await
    .assert_scim_error(409, Some("uniqueness"));
    s.stop().await;
}
