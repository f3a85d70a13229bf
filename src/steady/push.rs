//! The writes Okta sends, per dialect (docs/okta-coverage.md), with the bodies of
//! `crate::okta::requests` (the scenarios' own): profile pushes are GET + PUT merging Okta's
//! values over the GET body in both dialects; activation is a path-less PATCH replace in the
//! PATCH dialect and part of the PUT in the PUT dialect; group pushes are GET + PUT (PUT
//! dialect) or a rename plus a members replace PATCH (PATCH dialect).

use super::http::{Reply, Session};
use crate::check::drift as fidelity;
use crate::okta::requests::{self, GROUP_SCHEMA, USER_SCHEMA};
use crate::profile::Profile;
use crate::scenario::template::percent_encode;
use crate::scenario::{Dialect, Method};
use crate::server::schema::ResourceKind;
use serde_json::{Map, Value, json};
use std::time::Duration;

/// GET + PUT: the GET body with every attribute of `okta` (Okta's app-user profile) merged
/// over it as the scenarios' profile pushes do (`crate::okta::requests::user_push`).
/// `keep_active` leaves the server's `active` alone (PATCH dialect).
pub async fn profile_push(
    s: &mut Session,
    profile: &Profile,
    id: &str,
    okta: &Value,
    keep_active: bool,
) -> Reply {
    let path = format!("/Users/{}", percent_encode(id));
    let read = s.send(Method::Get, &path, None).await;
    let read = read
        .body
        .filter(|b| b.is_object() && read.status == 200)
        .unwrap_or_else(|| json!({"schemas": [USER_SCHEMA], "id": id}));
    let changes: Map<String, Value> = okta
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !(keep_active && k.eq_ignore_ascii_case("active")))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Top-level attributes of an object always have a place in it.
    let body = requests::user_push(profile, read.clone(), changes).unwrap_or(read);
    s.send(Method::Put, &path, Some(&body)).await
}

/// Activation or deactivation as Okta sends it in the profile's dialect.
pub async fn set_active(s: &mut Session, profile: &Profile, id: &str, active: bool) -> Reply {
    match profile.dialect {
        Dialect::Patch => {
            let body = requests::set_active(active);
            s.send(
                Method::Patch,
                &format!("/Users/{}", percent_encode(id)),
                Some(&body),
            )
            .await
        }
        Dialect::Put => profile_push(s, profile, id, &json!({"active": active}), false).await,
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
    let path = format!("/Groups/{}", percent_encode(id));
    match dialect {
        Dialect::Patch => {
            let body = requests::patch(vec![
                requests::rename_op(id, display_name),
                requests::replace_members_op(members),
            ]);
            s.send(Method::Patch, &path, Some(&body)).await
        }
        Dialect::Put => {
            let read = s.send(Method::Get, &path, None).await;
            let read = read
                .body
                .filter(|b| b.is_object() && read.status == 200)
                .unwrap_or_else(|| json!({"schemas": [GROUP_SCHEMA], "id": id}));
            let body = requests::group_push(read, display_name, members);
            s.send(Method::Put, &path, Some(&body)).await
        }
    }
}

/// Okta's PATCH dialect member add.
pub async fn add_members(s: &mut Session, id: &str, members: &[(String, String)]) -> Reply {
    let body = requests::patch(vec![requests::add_members_op(members)]);
    s.send(
        Method::Patch,
        &format!("/Groups/{}", percent_encode(id)),
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
    fn group_views_compare_member_ids_only() {
        let read =
            json!({"displayName": "G", "members": [{"value": "a", "display": "x", "$ref": "r"}]});
        assert_eq!(group_view_of(&read), group_view("G", &["a".into()]));
    }
}
