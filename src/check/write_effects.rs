//! Checks that a write took effect (read-after-write), that the server stores what Okta sent
//! (fidelity), and that a rejected PATCH or PUT is attributed to the Okta request shape the
//! server refused.
//!
//! Both read checks use the one comparison of [`super::drift`] and split its findings by the
//! severity model: `read-after-write` (fail) judges Okta's state — `active`, `userName`, a
//! group's `displayName` and its members — and `steady-state.fidelity` (warn) every other
//! attribute Okta sent (profile attributes: `locale`, `emails[].type`, a user's `displayName`…).

use super::Severity;
use super::drift::{self, Drift};
use super::{CheckInput, Resource, Verdict};
use crate::replay::exchange::Exchange;
use crate::scenario::Method;
use crate::server::schema::ResourceKind;
use serde_json::{Map, Value};

/// Attributes a read is not expected to echo.
const NOT_ECHOED: &[&str] = &["schemas", "id", "meta", "groups", "password"];

/// A membership or removal a write asked for (compared by member id, not by the drift rules).
#[derive(Debug)]
enum Effect {
    MemberPresent(String),
    MemberAbsent(String),
    MembersExactly(Vec<String>),
    Absent(String),
}

/// What a write asked the server to store: the attributes it set (compared with
/// [`drift::compare`]) and its membership and removal effects.
#[derive(Debug, Default)]
struct Expected {
    set: Map<String, Value>,
    effects: Vec<Effect>,
}

pub fn read_after_write(input: &CheckInput) -> Verdict {
    judge(input, Severity::Fail)
}

pub fn fidelity(input: &CheckInput) -> Verdict {
    judge(input, Severity::Warn)
}

/// Judges the findings of class `class` on a read that verifies an earlier write.
fn judge(input: &CheckInput, class: Severity) -> Verdict {
    let Some(write) = input.verified else {
        return Verdict::NotApplicable;
    };
    let Some(sent) = write
        .request
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
    else {
        return Verdict::NotApplicable;
    };
    if !write.status().is_some_and(|s| (200..300).contains(&s)) {
        return Verdict::NotApplicable; // the write itself failed; other checks report that
    }
    let Some(resp) = &input.exchange.response else {
        return Verdict::NotApplicable;
    };
    let method = write.request.method;
    let read = match (resp.status, resp.json.as_ref(), class) {
        (_, _, Severity::Warn) if resp.status == 404 => return Verdict::NotApplicable,
        (404, _, _) => return Verdict::Fail("the resource is gone (404) after the write".into()),
        (_, Some(read), _) => read,
        (_, None, Severity::Warn) => return Verdict::NotApplicable,
        (status, None, _) => {
            return Verdict::Fail(format!("the read answered {status} without a JSON body"));
        }
    };
    let kind = resource_kind(input, write);
    let expected = if method == Method::Patch {
        patch_expected(&sent)
    } else {
        replace_expected(&sent)
    };
    let mut problems: Vec<String> = drift::compare(kind, &Value::Object(expected.set), read)
        .iter()
        .filter(|d| d.severity(kind) == class)
        .map(reads_back)
        .collect();
    problems.extend(
        expected
            .effects
            .iter()
            .filter(|e| effect_class(kind, e) == class)
            .filter_map(|e| unmet(e, read)),
    );
    if problems.is_empty() {
        return Verdict::Pass;
    }
    let status = write.status().unwrap_or(0);
    Verdict::Fail(match class {
        Severity::Fail => format!("the {method} answered {status} but {}", problems.join("; ")),
        Severity::Warn => format!(
            "the server stores something other than what Okta sent: {}; Okta will push it again on every update and an import reports it as changed",
            problems.join("; ")
        ),
    })
}

/// `locale reads back as (absent) instead of "en-US"`.
fn reads_back(d: &Drift) -> String {
    let stored = d
        .stored
        .as_ref()
        .map_or("(absent)".into(), Value::to_string);
    if d.kind == drift::DriftKind::Added {
        return format!("{} reads back although Okta never sent it", d.path);
    }
    format!("{} reads back as {stored} instead of {}", d.path, d.sent)
}

/// The resource the write addressed (`/Users` or `/Groups`).
fn resource_kind(input: &CheckInput, write: &Exchange) -> ResourceKind {
    let groups = match input.kind.resource {
        Resource::Groups => true,
        Resource::Users => false,
        Resource::Other => write.request.url.contains("/Groups"),
    };
    if groups {
        ResourceKind::Group
    } else {
        ResourceKind::User
    }
}

/// Membership effects are Okta state (fail); a removal is as severe as the attribute removed.
fn effect_class(kind: ResourceKind, effect: &Effect) -> Severity {
    match effect {
        Effect::Absent(path) if !drift::okta_state(kind, path) => Severity::Warn,
        _ => Severity::Fail,
    }
}

fn echoed(key: &str) -> bool {
    !NOT_ECHOED.iter().any(|n| n.eq_ignore_ascii_case(key))
}

fn replace_expected(sent: &Value) -> Expected {
    let mut out = Expected::default();
    let Some(obj) = sent.as_object() else {
        return out;
    };
    for (k, v) in obj.iter().filter(|(k, _)| echoed(k)) {
        match (k.as_str(), v) {
            ("members", Value::Array(m)) => out.effects.push(Effect::MembersExactly(member_ids(m))),
            _ => {
                out.set.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

fn patch_expected(sent: &Value) -> Expected {
    let mut out = Expected::default();
    let ops = sent
        .get("Operations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for op in &ops {
        let kind = op
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let path = op.get("path").and_then(Value::as_str);
        let value = op.get("value");
        match (kind.as_str(), path, value) {
            ("replace" | "add", None, Some(Value::Object(map))) => {
                for (k, v) in map.iter().filter(|(k, _)| echoed(k)) {
                    out.set.insert(k.clone(), v.clone());
                }
            }
            ("add", Some(p), Some(Value::Array(m))) if p.eq_ignore_ascii_case("members") => {
                out.effects
                    .extend(member_ids(m).into_iter().map(Effect::MemberPresent));
            }
            ("replace", Some(p), Some(Value::Array(m))) if p.eq_ignore_ascii_case("members") => {
                out.effects.push(Effect::MembersExactly(member_ids(m)));
            }
            ("remove", Some(p), _) if p.to_ascii_lowercase().starts_with("members[") => {
                if let Some(id) = filter_value(p) {
                    out.effects.push(Effect::MemberAbsent(id));
                }
            }
            ("remove", Some(p), None) if !p.contains('[') => {
                out.effects.push(Effect::Absent(p.to_string()))
            }
            ("replace" | "add", Some(p), Some(v))
                if !p.contains('[') && !p.contains(':') && echoed(p) =>
            {
                set_dotted(&mut out.set, p, v.clone());
            }
            _ => {}
        }
    }
    out
}

/// Sets `name.familyName` in a nested object.
fn set_dotted(obj: &mut Map<String, Value>, dotted: &str, value: Value) {
    match dotted.split_once('.') {
        None => {
            obj.insert(dotted.to_string(), value);
        }
        Some((top, rest)) => {
            let entry = obj
                .entry(top.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(inner) = entry {
                set_dotted(inner, rest, value);
            }
        }
    }
}

fn member_ids(members: &[Value]) -> Vec<String> {
    members
        .iter()
        .filter_map(|m| m.get("value").and_then(Value::as_str))
        .map(str::to_string)
        .collect()
}

/// `members[value eq "abc"]` → `abc`.
fn filter_value(path: &str) -> Option<String> {
    let start = path.find('"')? + 1;
    let end = path[start..].find('"')? + start;
    Some(path[start..end].to_string())
}

fn get<'v>(root: &'v Value, dotted: &str) -> Option<&'v Value> {
    // A top-level key with dots in it: an extension schema URN (`...:enterprise:2.0:User`).
    let whole = root
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(dotted)));
    if let Some((_, v)) = whole {
        return Some(v);
    }
    dotted
        .split('.')
        .try_fold(root, |cur, part| drift::field(cur, part))
}

/// `<id> (<display>)` when the read names the member.
fn member_label(read: &Value, id: &str) -> String {
    let display = read
        .get("members")
        .and_then(Value::as_array)
        .and_then(|m| {
            m.iter()
                .find(|x| x.get("value").and_then(Value::as_str) == Some(id))
        })
        .and_then(|m| m.get("display"))
        .and_then(Value::as_str);
    match display {
        Some(d) => format!("{id} ({d})"),
        None => id.to_string(),
    }
}

fn read_members(read: &Value) -> Vec<String> {
    read.get("members")
        .and_then(Value::as_array)
        .map(|m| member_ids(m))
        .unwrap_or_default()
}

fn unmet(effect: &Effect, read: &Value) -> Option<String> {
    match effect {
        Effect::MemberPresent(id) => {
            (!read_members(read).contains(id)).then(|| format!("member {id} was not added"))
        }
        Effect::MemberAbsent(id) => read_members(read)
            .contains(id)
            .then(|| format!("member {} is still in the group", member_label(read, id))),
        Effect::MembersExactly(ids) => {
            let mut got = read_members(read);
            let mut want = ids.clone();
            got.sort();
            want.sort();
            (got != want).then(|| format!("members read back as {got:?} instead of {want:?}"))
        }
        Effect::Absent(path) => get(read, path)
            .filter(|v| !v.is_null())
            .map(|v| format!("{path} is still {v}")),
    }
}

/// Attributes a rejected PATCH to the Okta shape named by `id`.
pub fn rejected_patch_shape(id: &str, ex: &Exchange, resource: Resource) -> Verdict {
    let Some(body) = ex
        .request
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
    else {
        return Verdict::NotApplicable;
    };
    let ops = body
        .get("Operations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let status = ex.status().unwrap_or(0);
    let found = ops.iter().any(|op| {
        let kind = op
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let path = op.get("path").and_then(Value::as_str);
        let value = op.get("value");
        let has_id = value.and_then(|v| v.get("id")).is_some();
        match id {
            "patch.no-path-replace" => {
                kind == "replace"
                    && path.is_none()
                    && value.is_some_and(Value::is_object)
                    && !has_id
            }
            "patch.rename-with-id" => path.is_none() && has_id && resource == Resource::Groups,
            "patch.member-filter-remove" => {
                kind == "remove"
                    && path.is_some_and(|p| p.to_ascii_lowercase().starts_with("members["))
            }
            "patch.members-display-only" => {
                path.is_some_and(|p| p.eq_ignore_ascii_case("members"))
                    && value
                        .and_then(Value::as_array)
                        .is_some_and(|m| !m.is_empty() && m.iter().all(|x| x.get("type").is_none()))
            }
            "patch.empty-members-replace" => {
                kind == "replace"
                    && path.is_some_and(|p| p.eq_ignore_ascii_case("members"))
                    && value.and_then(Value::as_array).is_some_and(Vec::is_empty)
            }
            _ => false,
        }
    });
    match (found, status) {
        (false, _) => Verdict::NotApplicable,
        // Listed in a scenario's `expect.checks`, the check also judges an accepted PATCH.
        (true, 200..=299) => Verdict::Pass,
        (true, _) => Verdict::Fail(format!(
            "the server answered {status} to Okta's PATCH of this shape"
        )),
    }
}

/// A write whose body carries any of `keys` (attributes Okta always sends and a server must
/// accept or ignore: readOnly echoes in a PUT, `groups: []` and `password` in a create) passes
/// when answered 2xx and fails when refused (400 or 422). Not applicable when the body has none
/// of them, or for other answers.
pub fn rejected_echo(ex: &Exchange, keys: &[&str]) -> Verdict {
    let Some(body) = ex
        .request
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
    else {
        return Verdict::NotApplicable;
    };
    let echoed: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| body.get(*k).is_some())
        .collect();
    if echoed.is_empty() {
        return Verdict::NotApplicable;
    }
    match ex.status() {
        Some(200..=299) => return Verdict::Pass, // listed in `expect.checks`: accepted
        // Only a refusal of the body counts: a 409 duplicate or a 404 unknown id is another
        // answer, judged by other checks.
        Some(400 | 422) => {}
        _ => return Verdict::NotApplicable,
    }
    Verdict::Fail(format!(
        "the server answered {} to a {} carrying {}",
        ex.status().unwrap_or(0),
        ex.request.method,
        echoed.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{BASE, exchange};
    use serde_json::json;

    /// A verifying read of `read` after `method path` sent `sent` (answered 200).
    fn verdicts(method: Method, path: &str, sent: Value, read: Value) -> (Verdict, Verdict) {
        let write = exchange(method, path, Some(&sent.to_string()), 200, "{}");
        let get = exchange(Method::Get, path, None, 200, &read.to_string());
        let input = CheckInput {
            exchange: &get,
            exchanges: std::slice::from_ref(&get),
            kind: super::super::RequestKind::of(&get, BASE),
            verified: Some(&write),
        };
        (read_after_write(&input), fidelity(&input))
    }

    fn fail_text(v: &Verdict) -> &str {
        match v {
            Verdict::Fail(m) => m,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn patch_effects_cover_okta_shapes() {
        let sent = json!({"Operations": [
            {"op": "remove", "path": "members[value eq \"u1\"]"},
            {"op": "add", "path": "members", "value": [{"value": "u2", "display": "b"}]},
            {"op": "replace", "value": {"id": "g", "displayName": "New"}}
        ]});
        let ok = json!({"displayName": "New", "members": [{"value": "u2"}]});
        let (raw, fid) = verdicts(Method::Patch, "/Groups/g", sent.clone(), ok);
        assert_eq!((raw, fid), (Verdict::Pass, Verdict::Pass));
        let bad = json!({"displayName": "Old", "members": [{"value": "u1"}, {"value": "u2"}]});
        let (raw, _) = verdicts(Method::Patch, "/Groups/g", sent, bad);
        let msg = fail_text(&raw);
        assert!(
            msg.contains("displayName reads back as \"Old\" instead of \"New\""),
            "{msg}"
        );
        assert!(msg.contains("member u1 is still in the group"), "{msg}");
    }

    #[test]
    fn lost_lifecycle_and_username_fail_profile_drift_warns() {
        let sent = json!({"userName": "a@x", "active": false, "locale": "en-US",
            "displayName": "Bob", "name": {"givenName": "A", "formatted": "A B"},
            "emails": [{"value": "A@x", "type": "work", "primary": true}]});
        let read = json!({"userName": "b@x", "active": true, "displayName": "A B",
            "name": {"givenName": "A"}, "emails": [{"value": "a@x", "primary": true}]});
        let (raw, fid) = verdicts(Method::Put, "/Users/1", sent, read);
        let raw = fail_text(&raw);
        assert!(
            raw.contains("active reads back as true instead of false"),
            "{raw}"
        );
        assert!(raw.contains("userName reads back as \"b@x\""), "{raw}");
        assert!(!raw.contains("locale"), "{raw}");
        let fid = fail_text(&fid);
        for part in [
            "locale reads back as (absent) instead of \"en-US\"",
            "displayName reads back as \"A B\" instead of \"Bob\"",
            "name.formatted reads back as (absent)",
            "emails[value eq \"A@x\"].type reads back as (absent) instead of \"work\"",
            "emails[value eq \"A@x\"].value reads back as \"a@x\"",
        ] {
            assert!(fid.contains(part), "{part} not in {fid}");
        }
        assert!(!fid.contains("active"), "{fid}");
    }

    #[test]
    fn a_group_rename_or_membership_lost_fails() {
        let sent = json!({"displayName": "New", "members": [{"value": "u1", "display": "A"}]});
        let read = json!({"displayName": "Old", "members": []});
        let (raw, fid) = verdicts(Method::Put, "/Groups/g", sent, read);
        let raw = fail_text(&raw);
        assert!(
            raw.contains("displayName") && raw.contains("members read back as []"),
            "{raw}"
        );
        assert_eq!(fid, Verdict::Pass);
    }

    #[test]
    fn a_patch_path_replace_is_compared_nested() {
        let sent = json!({"Operations": [
            {"op": "replace", "path": "name.familyName", "value": "Smythe"},
            {"op": "replace", "path": "active", "value": false}
        ]});
        let read = json!({"name": {"familyName": "smythe"}, "active": false});
        let (raw, fid) = verdicts(Method::Patch, "/Users/1", sent, read);
        assert_eq!(raw, Verdict::Pass);
        assert!(fail_text(&fid).contains("name.familyName reads back as \"smythe\""));
    }
}
