//! Okta's requests, built from the app profile (docs/okta-reference.md): the headers of every
//! request, the user create body and the profile push (PUT) shaped by the profile's mapped
//! attributes, the path-less activation PATCH, the group create, the group push and the
//! member PATCH operations, and the existence filters. The YAML scenarios write the same shapes
//! out; the renderer shapes them through this module, and a test holds the steady-state and
//! load builders to what the scenarios render.

use super::body_path::{PathError, get_path, set_path};
use crate::profile::{Profile, list_extension_schemas};
use crate::scenario::template::percent_encode;
use serde_json::{Map, Value, json};

/// Okta's request headers (docs/okta-reference.md#s2).
pub const OKTA_USER_AGENT: &str = "Okta SCIM Client 1.0.0";
pub const SCIM_JSON: &str = "application/scim+json";
pub const SCIM_JSON_UTF8: &str = "application/scim+json; charset=utf-8";

/// The schema URNs Okta's bodies carry (the reference server's own).
pub use crate::server::schema::{GROUP_SCHEMA, PATCH_OP, USER_SCHEMA};

/// The headers Okta sends on every SCIM request (docs/okta-reference.md#s2), with `Content-Type`
/// only when there is a body; reqwest decodes the gzip/deflate answers they invite.
pub fn okta_headers(with_body: bool) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = [
        ("User-Agent", OKTA_USER_AGENT),
        ("Accept", SCIM_JSON),
        ("Accept-Charset", "utf-8"),
        ("Accept-Encoding", "gzip,deflate"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if with_body {
        headers.push(("Content-Type".into(), SCIM_JSON_UTF8.into()));
    }
    headers
}

/// A user as Okta knows it before the app profile decides what goes on the wire.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub user_name: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub middle_name: &'a str,
    /// The primary (work) email.
    pub email: &'a str,
    pub display_name: &'a str,
    pub locale: &'a str,
    pub title: &'a str,
    pub external_id: &'a str,
    /// Okta's placeholder password.
    pub password: &'a str,
    /// Enterprise extension attributes (`department`...); empty when there are none.
    pub enterprise: Map<String, Value>,
}

/// Okta's create body for `user` (docs/okta-reference.md#s4-3): the whole app-user profile,
/// `groups: []` and the placeholder password, shaped by the profile (mapped, non-empty
/// attributes, its extra attributes, listed extension schemas).
pub fn user_create(profile: &Profile, user: &NewUser) -> Value {
    let mut full = json!({
        "schemas": [USER_SCHEMA],
        "userName": user.user_name,
        "name": {
            "givenName": user.given_name,
            "familyName": user.family_name,
            "middleName": user.middle_name,
        },
        "emails": [{"primary": true, "value": user.email, "type": "work"}],
        "displayName": user.display_name,
        "locale": user.locale,
        "title": user.title,
        "externalId": user.external_id,
        "groups": [],
        "password": user.password,
        "active": true,
    });
    if !user.enterprise.is_empty() {
        full[crate::profile::ENTERPRISE_USER] = Value::Object(user.enterprise.clone());
    }
    profile.shape_user(&full)
}

/// Okta's profile push (docs/okta-reference.md#s4-5): the user it read back, with Okta's
/// `changes` (dotted paths) written over it as the profile shapes them, the profile's extra
/// attributes, and every extension schema listed. Okta merges its whole app-user profile, so
/// a change the profile does not map is dropped.
pub fn user_push(
    profile: &Profile,
    mut read: Value,
    changes: Map<String, Value>,
) -> Result<Value, PathError> {
    for (path, value) in shape_dotted(profile, &read, changes) {
        set_path(&mut read, &path, value)?;
    }
    for (key, value) in &profile.extra_user_attributes {
        set_path(&mut read, key, value.clone())?;
    }
    if let Value::Object(map) = &mut read {
        list_extension_schemas(map);
    }
    Ok(read)
}

/// A body read back with `changes` (dotted paths) written over it, unshaped (a group push).
pub fn echo_with(mut read: Value, changes: Map<String, Value>) -> Result<Value, PathError> {
    for (path, value) in changes {
        set_path(&mut read, &path, value)?;
    }
    Ok(read)
}

/// Keeps the dotted-path changes the profile maps, shaped as Okta sends them: each is applied
/// to a copy of the echoed `body` (so indexed paths such as `emails[0].value` find their
/// array), the copy is shaped, and the shaped value at the path is kept when there is one (a
/// whole `emails` array loses the sub-attributes the profile does not map).
fn shape_dotted(
    profile: &Profile,
    body: &Value,
    changes: serde_json::Map<String, Value>,
) -> serde_json::Map<String, Value> {
    changes
        .into_iter()
        .filter_map(|(path, value)| {
            let mut probe = body.clone();
            set_path(&mut probe, &path, value).ok()?;
            let shaped = profile.shape_user(&probe);
            let kept = get_path(&shaped, &path)?.clone();
            Some((path, kept))
        })
        .collect()
}

/// `[{value, display}]` as Okta sends members; `members` are `(id, display)` pairs.
pub fn members(members: &[(String, String)]) -> Value {
    Value::Array(
        members
            .iter()
            .map(|(id, name)| json!({"value": id, "display": name}))
            .collect(),
    )
}

/// Okta's group create (docs/okta-reference.md#s5-2): the name and its app-assigned members
/// (`members: []` for an empty group).
pub fn group_create(display_name: &str, member_list: &[(String, String)]) -> Value {
    json!({
        "schemas": [GROUP_SCHEMA],
        "displayName": display_name,
        "members": members(member_list),
    })
}

/// Okta's group push in the PUT dialect (docs/okta-reference.md#s5-4): the group it read
/// back with its name and the complete member list.
pub fn group_push(read: Value, display_name: &str, member_list: &[(String, String)]) -> Value {
    let mut changes = Map::new();
    changes.insert("displayName".into(), json!(display_name));
    changes.insert("members".into(), members(member_list));
    let fallback = read.clone();
    echo_with(read, changes).unwrap_or(fallback)
}

/// A PATCH request with `operations`, in order.
pub fn patch(operations: Vec<Value>) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": operations})
}

/// Okta's path-less activation or deactivation (docs/okta-reference.md#s4-6).
pub fn set_active(active: bool) -> Value {
    patch(vec![json!({"op": "replace", "value": {"active": active}})])
}

/// The rename Okta sends before a membership update, carrying the group's id
/// (docs/okta-reference.md#s5-4).
pub fn rename_op(id: &str, display_name: &str) -> Value {
    json!({"op": "replace", "value": {"id": id, "displayName": display_name}})
}

/// One `add` of members (docs/okta-reference.md#s5-5).
pub fn add_members_op(member_list: &[(String, String)]) -> Value {
    json!({"op": "add", "path": "members", "value": members(member_list)})
}

/// Push Now's full member list (docs/okta-reference.md#s5-6).
pub fn replace_members_op(member_list: &[(String, String)]) -> Value {
    json!({"op": "replace", "path": "members", "value": members(member_list)})
}

/// One member's removal: a value-filter path and no value (docs/okta-reference.md#s5-5).
pub fn remove_member_op(id: &str) -> Value {
    json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")})
}

/// Okta's existence check for a user (docs/okta-reference.md#s4-2): path and query.
pub fn user_filter(user_name: &str) -> String {
    format!(
        "/Users?filter=userName%20eq%20%22{}%22&startIndex=1&count=100",
        percent_encode(user_name)
    )
}

/// Okta's existence check for a group (docs/okta-reference.md#s5-1): path and query.
pub fn group_filter(display_name: &str) -> String {
    format!(
        "/Groups?filter=displayName%20eq%20%22{}%22&startIndex=1&count=100",
        percent_encode(display_name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The profile keeps a mapped indexed change such as `emails[0].value` and drops unmapped
    /// ones; the change lands in the echoed body instead of being lost.
    #[test]
    fn shaped_changes_keep_indexed_paths_into_the_echoed_body() {
        let profile = Profile::resolve("unleash").unwrap();
        let echoed = json!({"userName": "a@x", "emails": [{"value": "old@x", "type": "work", "primary": true}]});
        let mut changes = serde_json::Map::new();
        changes.insert("emails[0].value".into(), json!("new@x"));
        changes.insert("name.givenName".into(), json!("Al"));
        changes.insert("title".into(), json!("CTO"));
        let kept = shape_dotted(&profile, &echoed, changes);
        assert_eq!(kept.get("emails[0].value"), Some(&json!("new@x")));
        assert_eq!(kept.get("name.givenName"), Some(&json!("Al")));
        assert!(!kept.contains_key("title"), "unleash does not map title");
    }

    /// A profile push carries what the profile maps even when the GET omitted it: a whole
    /// `emails` array shaped to the mapped sub-attributes, `externalId`, `groups: []`.
    #[test]
    fn shaped_changes_carry_the_profile_over_what_the_get_returned() {
        let pulumi = Profile::resolve("pulumi").unwrap();
        let echoed = json!({"id": "1", "userName": "a@x", "emails": [{"value": "a@x"}]});
        let mut changes = serde_json::Map::new();
        changes.insert(
            "emails".into(),
            json!([{"primary": true, "value": "a@x", "type": "work"}]),
        );
        changes.insert("externalId".into(), json!("00uabc"));
        changes.insert("groups".into(), json!([]));
        changes.insert("name.middleName".into(), json!(""));
        let kept = shape_dotted(&pulumi, &echoed, changes);
        assert_eq!(
            kept.get("emails"),
            Some(&json!([{"primary": true, "value": "a@x"}])),
            "pulumi does not map emails.type"
        );
        assert_eq!(kept.get("externalId"), Some(&json!("00uabc")));
        assert_eq!(kept.get("groups"), Some(&json!([])));
        assert!(
            !kept.contains_key("name.middleName"),
            "empty values are not sent"
        );
    }

    /// A profile push writes Okta's value over the attribute the server spelled differently
    /// (one key, Okta's value) and keeps what the server added.
    #[test]
    fn a_profile_push_overwrites_case_variants_and_keeps_server_attributes() {
        let aiw = Profile::resolve("okta-aiw").unwrap();
        let read = json!({"id": "1", "DisplayName": "old", "active": false, "meta": {}});
        let mut changes = Map::new();
        changes.insert("displayName".into(), json!("new"));
        changes.insert("active".into(), json!(true));
        let pushed = user_push(&aiw, read, changes).unwrap();
        assert_eq!(
            pushed,
            json!({"id": "1", "DisplayName": "new", "active": true, "meta": {}})
        );
    }
}
