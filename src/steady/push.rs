//! The writes Okta sends, per dialect (docs/okta-coverage.md): profile pushes
//! are GET + PUT echoing the GET body with Okta's values in both dialects; activation is a
//! path-less PATCH replace in the PATCH dialect and part of the PUT in the PUT dialect; group
//! pushes are GET + PUT (PUT dialect) or a rename plus a members replace PATCH (PATCH dialect).

use super::http::{Reply, Session};
use super::model::members_json;
use crate::check::drift as fidelity;
use crate::scenario::{Dialect, Method};
use crate::server::schema::ResourceKind;
use serde_json::{Value, json};
use std::time::Duration;

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// GET + PUT: the GET body with every attribute of `okta` overwritten (Okta pushes the whole
/// app-user profile). `keep_active` leaves the server's `active` alone (PATCH dialect).
pub async fn profile_push(s: &mut Session, id: &str, okta: &Value, keep_active: bool) -> Reply {
    let path = format!("/Users/{}", crate::scenario::template::percent_encode(id));
    let read = s.send(Method::Get, &path, None).await;
    let mut body = read
        .body
        .filter(|b| b.is_object() && read.status == 200)
        .unwrap_or_else(|| json!({"schemas": [super::model::USER_SCHEMA], "id": id}));
    overwrite(&mut body, okta, keep_active);
    s.send(Method::Put, &path, Some(&body)).await
}

/// Puts Okta's values into a body read from the server (keys matched case-insensitively).
pub fn overwrite(body: &mut Value, okta: &Value, keep_active: bool) {
    let (Some(target), Some(src)) = (body.as_object_mut(), okta.as_object()) else {
        return;
    };
    for (k, v) in src {
        if keep_active && k.eq_ignore_ascii_case("active") {
            continue;
        }
        target.retain(|tk, _| !tk.eq_ignore_ascii_case(k) || tk == k);
        target.insert(k.clone(), v.clone());
    }
}

/// Activation or deactivation as Okta sends it in `dialect`.
pub async fn set_active(s: &mut Session, dialect: Dialect, id: &str, active: bool) -> Reply {
    match dialect {
        Dialect::Patch => {
            let body = json!({"schemas": [PATCH_OP],
                "Operations": [{"op": "replace", "value": {"active": active}}]});
            s.send(
                Method::Patch,
                &format!("/Users/{}", crate::scenario::template::percent_encode(id)),
                Some(&body),
            )
            .await
        }
        Dialect::Put => profile_push(s, id, &json!({"active": active}), false).await,
    }
}

/// Okta's group push of the full state (rename + member list).
pub async fn push_group(
    s: &mut Session,
    dialect: Dialect,
    id: &str,
    display_name: &str,
    members: &[(String, String)],
) -> Reply {
    let path = format!("/Groups/{}", crate::scenario::template::percent_encode(id));
    match dialect {
        Dialect::Patch => {
            let body = json!({"schemas": [PATCH_OP], "Operations": [
                {"op": "replace", "value": {"id": id, "displayName": display_name}},
                {"op": "replace", "path": "members", "value": members_json(members)}
            ]});
            s.send(Method::Patch, &path, Some(&body)).await
        }
        Dialect::Put => {
            let read = s.send(Method::Get, &path, None).await;
            let mut body = read
                .body
                .filter(|b| b.is_object() && read.status == 200)
                .unwrap_or_else(|| json!({"schemas": [super::model::GROUP_SCHEMA], "id": id}));
            let okta = json!({"displayName": display_name, "members": members_json(members)});
            overwrite(&mut body, &okta, false);
            s.send(Method::Put, &path, Some(&body)).await
        }
    }
}

/// Okta's PATCH dialect member add.
pub async fn add_members(s: &mut Session, id: &str, members: &[(String, String)]) -> Reply {
    let body = json!({"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": members_json(members)}
    ]});
    s.send(
        Method::Patch,
        &format!("/Groups/{}", crate::scenario::template::percent_encode(id)),
        Some(&body),
    )
    .await
}

/// Reads `path` until it shows `expected` (compared over `expected`'s attributes), bounded by
/// the session's settle time. Returns the read and the lag (`None`: never shown in time).
pub async fn settle(
    s: &mut Session,
    kind: ResourceKind,
    path: &str,
    expected: &Value,
) -> (Reply, Option<Duration>) {
    s.read_until(path, |r| {
        r.status == 200
            && r.body
                .as_ref()
                .is_some_and(|b| fidelity::compare(kind, expected, b).is_empty())
    })
    .await
}

/// The group attributes Okta compares: displayName and member ids.
pub fn group_view(display_name: &str, member_ids: &[String]) -> Value {
    let members: Vec<Value> = member_ids.iter().map(|m| json!({"value": m})).collect();
    json!({"displayName": display_name, "members": members})
}

/// A group body reduced to what Okta compares (`members` absent counts as empty).
pub fn group_view_of(body: &Value) -> Value {
    let name = fidelity::field(body, "displayName")
        .cloned()
        .unwrap_or(Value::Null);
    let members: Vec<Value> = fidelity::field(body, "members")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("value").cloned())
        .map(|v| json!({"value": v}))
        .collect();
    json!({"displayName": name, "members": members})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overwrite_replaces_case_variants_and_can_keep_active() {
        let mut body = json!({"id": "1", "DisplayName": "old", "active": false, "meta": {}});
        overwrite(
            &mut body,
            &json!({"displayName": "new", "active": true}),
            true,
        );
        assert_eq!(
            body,
            json!({"id": "1", "displayName": "new", "active": false, "meta": {}})
        );
    }

    #[test]
    fn group_views_compare_member_ids_only() {
        let read =
            json!({"displayName": "G", "members": [{"value": "a", "display": "x", "$ref": "r"}]});
        assert_eq!(group_view_of(&read), group_view("G", &["a".into()]));
    }
}
