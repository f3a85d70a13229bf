//! Okta's complete provisioning sequences (docs/okta-reference.md#s10-a and B) replayed over HTTP with
//! Okta's exact headers, encodings and bodies against the reference server.

use crate::server_support;

use serde_json::{Value, json};
use server_support::*;

fn list_ok(r: &Resp, total: u64) -> Value {
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.content_type().starts_with("application/scim+json"));
    let v = r.json();
    assert_eq!(
        v["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    assert_eq!(v["totalResults"], json!(total), "{v}");
    assert!(v["startIndex"].is_u64() && v["itemsPerPage"].is_u64());
    assert!(v["Resources"].is_array());
    v
}

#[tokio::test]
async fn put_dialect_sequence_a() {
    let s = start(&[]).await;
    // 1-2. Test connector + save To App.
    for _ in 0..2 {
        list_ok(&s.okta("GET", "/Users?startIndex=1&count=2", None).await, 0);
    }
    // 3. Assign U: filter miss then POST.
    let u = "test.user@okta.local";
    list_ok(
        &s.okta(
            "GET",
            &format!("/Users?{}", okta_filter("userName", u)),
            None,
        )
        .await,
        0,
    );
    let created = s.okta("POST", "/Users", Some(&okta_user(u))).await;
    assert_eq!(created.status, 201);
    let user = created.json();
    let id = user["id"].as_str().unwrap().to_string();
    assert_eq!(
        created.header("location").unwrap(),
        user["meta"]["location"].as_str().unwrap()
    );
    assert_eq!(
        created.header("etag").unwrap(),
        user["meta"]["version"].as_str().unwrap()
    );
    assert!(user.get("password").is_none());
    assert_eq!(user["groups"], json!([]));
    assert_eq!(user["externalId"], "00ujl29u0le5T6Aj10h7");
    assert_eq!(user["locale"], "en-US");
    // 4. Change givenName: GET then PUT echoing the GET body.
    let got = s.okta("GET", &format!("/Users/{id}"), None).await;
    assert_eq!(got.status, 200);
    let mut body = got.json();
    body["name"]["givenName"] = json!("Another");
    body["name"]["middleName"] = json!("Excited");
    let put = s.okta("PUT", &format!("/Users/{id}"), Some(&body)).await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.json()["name"]["givenName"], "Another");
    // Repeating the same PUT changes nothing.
    let again = s.okta("PUT", &format!("/Users/{id}"), Some(&body)).await;
    assert_eq!(
        again.json()["meta"]["version"],
        put.json()["meta"]["version"]
    );
    // 5. Push group G with U as member; GET + PUT.
    let g = "Test SCIMv2";
    list_ok(
        &s.okta(
            "GET",
            "/Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100",
            None,
        )
        .await,
        0,
    );
    let gbody = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": g,
                       "members": [{"value": id, "display": u}]});
    let gc = s.okta("POST", "/Groups", Some(&gbody)).await;
    assert_eq!(gc.status, 201, "{}", gc.text);
    let gid = gc.json()["id"].as_str().unwrap().to_string();
    let gget = s.okta("GET", &format!("/Groups/{gid}"), None).await.json();
    assert_eq!(gget["members"][0]["value"], id.as_str());
    assert_eq!(gget["members"][0]["display"], u);
    assert_eq!(
        s.okta("PUT", &format!("/Groups/{gid}"), Some(&gget))
            .await
            .status,
        200
    );
    // 6. Add V to G (twice, as observed).
    let v = "second.user@okta.local";
    list_ok(
        &s.okta(
            "GET",
            &format!("/Users?{}", okta_filter("userName", v)),
            None,
        )
        .await,
        0,
    );
    let vid = s.create_user(v).await["id"].as_str().unwrap().to_string();
    for _ in 0..2 {
        let mut gb = s.okta("GET", &format!("/Groups/{gid}"), None).await.json();
        gb["members"] = json!([{"value": id, "display": u}, {"value": vid, "display": v}]);
        let r = s.okta("PUT", &format!("/Groups/{gid}"), Some(&gb)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["members"].as_array().unwrap().len(), 2);
    }
    let ug = s.okta("GET", &format!("/Users/{id}"), None).await.json();
    assert_eq!(ug["groups"][0]["value"], gid.as_str());
    assert_eq!(ug["groups"][0]["display"], g);
    // 7. Unassign U: GET + PUT active:false; user stays readable.
    let mut ub = s.okta("GET", &format!("/Users/{id}"), None).await.json();
    ub["active"] = json!(false);
    let r = s.okta("PUT", &format!("/Users/{id}"), Some(&ub)).await;
    assert_eq!(r.json()["active"], false);
    assert_eq!(
        s.okta("GET", &format!("/Users/{id}"), None).await.json()["active"],
        false
    );
    // 8. Push Now without inactive U.
    let mut gb = s.okta("GET", &format!("/Groups/{gid}"), None).await.json();
    gb["members"] = json!([{"value": vid, "display": v}]);
    let r = s.okta("PUT", &format!("/Groups/{gid}"), Some(&gb)).await;
    assert_eq!(r.json()["members"].as_array().unwrap().len(), 1);
    // 9. Re-assign U: filter finds it (inactive), GET, PUT active:true, group PUT with U back.
    let found = list_ok(
        &s.okta(
            "GET",
            &format!("/Users?{}", okta_filter("userName", u)),
            None,
        )
        .await,
        1,
    );
    assert_eq!(found["Resources"][0]["active"], false);
    let mut ub = s.okta("GET", &format!("/Users/{id}"), None).await.json();
    ub["active"] = json!(true);
    assert_eq!(
        s.okta("PUT", &format!("/Users/{id}"), Some(&ub))
            .await
            .json()["active"],
        true
    );
    let mut gb = s.okta("GET", &format!("/Groups/{gid}"), None).await.json();
    gb["members"] = json!([{"value": vid, "display": v}, {"value": id, "display": u}]);
    assert_eq!(
        s.okta("PUT", &format!("/Groups/{gid}"), Some(&gb))
            .await
            .status,
        200
    );
    // 10. Import.
    let imp = list_ok(
        &s.okta("GET", "/Users?startIndex=1&count=100", None).await,
        2,
    );
    assert_eq!(imp["Resources"][0]["id"], id.as_str());
    // 11. Delete G.
    let d = s.okta("DELETE", &format!("/Groups/{gid}"), None).await;
    assert_eq!(d.status, 204);
    s.okta("GET", &format!("/Groups/{gid}"), None)
        .await
        .assert_scim_error(404, None);
    assert_eq!(
        s.okta("GET", &format!("/Users/{id}"), None).await.json()["groups"],
        json!([])
    );
    s.stop().await;
}

#[tokio::test]
async fn patch_dialect_sequence_b() {
    let s = start(&[]).await;
    list_ok(&s.okta("GET", "/Users?startIndex=1&count=2", None).await, 0);
    list_ok(
        &s.okta("GET", "/Groups?startIndex=1&count=100", None).await,
        0,
    );
    let u = "jane.doe@example.com";
    // The 2019 `+` encoding and a different parameter order.
    list_ok(
        &s.okta(
            "GET",
            "/Users?startIndex=1&count=100&filter=userName+eq+%22jane.doe%40example.com%22",
            None,
        )
        .await,
        0,
    );
    let id = s.create_user(u).await["id"].as_str().unwrap().to_string();
    list_ok(
        &s.okta(
            "GET",
            "/Users?filter=userName+eq+%22JANE.DOE%40EXAMPLE.COM%22&startIndex=1&count=100",
            None,
        )
        .await,
        1,
    );
    // 4. Profile change via GET + PUT.
    let mut b = s.okta("GET", &format!("/Users/{id}"), None).await.json();
    b["name"]["familyName"] = json!("Doe-Smith");
    assert_eq!(
        s.okta("PUT", &format!("/Users/{id}"), Some(&b))
            .await
            .status,
        200
    );
    // 5. Deactivate.
    let deact = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "replace", "value": {"active": false}}]});
    let r = s.okta("PATCH", &format!("/Users/{id}"), Some(&deact)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["active"], false);
    assert_eq!(r.json()["name"]["familyName"], "Doe-Smith");
    // 6. Reactivate.
    list_ok(
        &s.okta(
            "GET",
            &format!("/Users?{}", okta_filter("userName", u)),
            None,
        )
        .await,
        1,
    );
    let react = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                       "Operations": [{"op": "replace", "value": {"active": true}}]});
    assert_eq!(
        s.okta("PATCH", &format!("/Users/{id}"), Some(&react))
            .await
            .json()["active"],
        true
    );
    // 7. Password sync: stored, never returned.
    let pw = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "replace", "value": {"password": "n3w-Secret"}}]});
    let r = s.okta("PATCH", &format!("/Users/{id}"), Some(&pw)).await;
    assert_eq!(r.status, 200);
    assert!(!r.text.contains("n3w-Secret"));
    // 8. Push group with members: [].
    list_ok(
        &s.okta(
            "GET",
            "/Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100",
            None,
        )
        .await,
        0,
    );
    let g = s
        .okta(
            "POST",
            "/Groups",
            Some(
                &json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Test SCIMv2", "members": []}),
            ),
        )
        .await;
    assert_eq!(g.status, 201);
    let gid = g.json()["id"].as_str().unwrap().to_string();
    let id2 = s.create_user("second@example.com").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // 9. Rename (with the readOnly id in the value) + membership ops.
    let rename = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"id": gid, "displayName": "Test SCIMv2"}}]});
    assert_eq!(
        s.okta("PATCH", &format!("/Groups/{gid}"), Some(&rename))
            .await
            .status,
        200
    );
    let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": [
            {"value": id, "display": u}, {"value": id2, "display": "second@example.com"}]}]});
    let r = s.okta("PATCH", &format!("/Groups/{gid}"), Some(&add)).await;
    assert_eq!(r.json()["members"].as_array().unwrap().len(), 2);
    let mixed = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "remove", "path": format!("members[value eq \"{id2}\"]")},
            {"op": "remove", "path": "members[value eq \"removeUser2\"]"},
            {"op": "add", "path": "members", "value": [{"value": id, "display": u}]}]});
    let r = s
        .okta("PATCH", &format!("/Groups/{gid}"), Some(&mixed))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["members"],
        json!([{"value": id, "display": u, "type": "User",
        "$ref": format!("{}/Users/{id}", s.base)}])
    );
    let rn = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"id": gid, "displayName": "Renamed"}}]});
    assert_eq!(
        s.okta("PATCH", &format!("/Groups/{gid}"), Some(&rn))
            .await
            .json()["displayName"],
        "Renamed"
    );
    // 10. Push Now: full replace, then the empty group.
    let push = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "members", "value": [{"value": id2, "display": "second@example.com"}]}]});
    let r = s
        .okta("PATCH", &format!("/Groups/{gid}"), Some(&push))
        .await;
    assert_eq!(r.json()["members"][0]["value"], id2.as_str());
    let empty = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "members", "value": []}]});
    assert_eq!(
        s.okta("PATCH", &format!("/Groups/{gid}"), Some(&empty))
            .await
            .json()["members"],
        json!([])
    );
    // 11. Delete.
    assert_eq!(
        s.okta("DELETE", &format!("/Groups/{gid}"), None)
            .await
            .status,
        204
    );
    s.stop().await;
}
