//! Checks that a write took effect (read-after-write) and that a rejected PATCH or PUT is
//! attributed to the Okta request shape the server refused.

use super::rules::{CheckInput, Resource, Verdict};
use crate::replay::exchange::Exchange;
use serde_json::Value;

/// Attributes a read is not expected to echo.
const NOT_ECHOED: &[&str] = &["schemas", "id", "meta", "groups", "password"];

/// One expectation derived from a write: the attribute at `path` should equal / contain /
/// lack something after the write.
#[derive(Debug)]
enum Effect {
    Equals(String, Value),
    MemberPresent(String),
    MemberAbsent(String),
    MembersExactly(Vec<String>),
    Absent(String),
}

/// How strictly a read is compared with what the write sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// The write took effect: strings case-insensitively, multi-valued attributes as sets.
    Effect,
    /// The server stores exactly what Okta sent (steady state): strings exactly.
    Fidelity,
}

pub fn read_after_write(input: &CheckInput) -> Verdict {
    compare_read(input, Comparison::Effect)
}

pub fn fidelity(input: &CheckInput) -> Verdict {
    compare_read(input, Comparison::Fidelity)
}

fn compare_read(input: &CheckInput, how: Comparison) -> Verdict {
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
    if resp.status == 404 {
        return Verdict::Fail("the resource is gone (404) after the write".into());
    }
    let Some(read) = resp.json.as_ref() else {
        return Verdict::Fail(format!(
            "the read answered {} without a JSON body",
            resp.status
        ));
    };
    let effects = if write.request.method == "PATCH" {
        patch_effects(&sent)
    } else {
        replace_effects(&sent)
    };
    let problems: Vec<String> = effects.iter().filter_map(|e| unmet(e, read, how)).collect();
    match (problems.is_empty(), how) {
        (true, _) => Verdict::Pass,
        (false, Comparison::Effect) => Verdict::Fail(format!(
            "the {} answered {} but {}",
            write.request.method,
            write.status().unwrap_or(0),
            problems.join("; ")
        )),
        (false, Comparison::Fidelity) => Verdict::Fail(format!(
            "the server stores something other than what Okta sent: {}; Okta will push it again on every update and an import reports it as changed",
            problems.join("; ")
        )),
    }
}

fn replace_effects(sent: &Value) -> Vec<Effect> {
    let Some(obj) = sent.as_object() else {
        return Vec::new();
    };
    obj.iter()
        .filter(|(k, _)| !NOT_ECHOED.iter().any(|n| n.eq_ignore_ascii_case(k)))
        .map(|(k, v)| match (k.as_str(), v) {
            ("members", Value::Array(m)) => Effect::MembersExactly(member_ids(m)),
            _ => Effect::Equals(k.clone(), v.clone()),
        })
        .collect()
}

fn patch_effects(sent: &Value) -> Vec<Effect> {
    let mut effects = Vec::new();
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
                for (k, v) in map
                    .iter()
                    .filter(|(k, _)| !NOT_ECHOED.iter().any(|n| n.eq_ignore_ascii_case(k)))
                {
                    effects.push(Effect::Equals(k.clone(), v.clone()));
                }
            }
            ("add", Some(p), Some(Value::Array(m))) if p.eq_ignore_ascii_case("members") => {
                effects.extend(member_ids(m).into_iter().map(Effect::MemberPresent));
            }
            ("replace", Some(p), Some(Value::Array(m))) if p.eq_ignore_ascii_case("members") => {
                effects.push(Effect::MembersExactly(member_ids(m)));
            }
            ("remove", Some(p), _) if p.to_ascii_lowercase().starts_with("members[") => {
                if let Some(id) = filter_value(p) {
                    effects.push(Effect::MemberAbsent(id));
                }
            }
            ("remove", Some(p), None) if !p.contains('[') => {
                effects.push(Effect::Absent(p.to_string()))
            }
            ("replace" | "add", Some(p), Some(v))
                if !p.contains('[') && !NOT_ECHOED.iter().any(|n| n.eq_ignore_ascii_case(p)) =>
            {
                effects.push(Effect::Equals(p.to_string(), v.clone()));
            }
            _ => {}
        }
    }
    effects
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
    dotted.split('.').try_fold(root, |cur, part| {
        cur.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(part))
            .map(|(_, v)| v)
    })
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

fn unmet(effect: &Effect, read: &Value, how: Comparison) -> Option<String> {
    let equal = |want: &Value, got: &Value| match how {
        Comparison::Effect => same(want, got),
        Comparison::Fidelity => exact(want, got),
    };
    if how == Comparison::Fidelity && !matches!(effect, Effect::Equals(..)) {
        return None; // membership and removals are read-after-write's to judge
    }
    match effect {
        Effect::Equals(path, want) => {
            let got = get(read, path);
            (!got.is_some_and(|g| equal(want, g))).then(|| {
                format!(
                    "{path} reads back as {} instead of {}",
                    got.map_or("(absent)".into(), Value::to_string),
                    want
                )
            })
        }
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

/// Lenient SCIM equality: strings case-insensitively, objects over the keys that were sent,
/// multi-valued attributes as sets (order ignored).
pub fn same(sent: &Value, got: &Value) -> bool {
    match (sent, got) {
        (Value::String(a), Value::String(b)) => a.to_lowercase() == b.to_lowercase(),
        (Value::Object(a), Value::Object(b)) => a.iter().all(|(k, v)| {
            b.iter()
                .find(|(bk, _)| bk.eq_ignore_ascii_case(k))
                .is_some_and(|(_, bv)| same(v, bv))
                || v.is_null()
        }),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| same(x, y)))
        }
        _ => sent == got,
    }
}

/// Strict equality for steady state: strings exactly, objects over the keys that were sent,
/// multi-valued attributes as sets of exactly equal elements (order ignored).
pub fn exact(sent: &Value, got: &Value) -> bool {
    match (sent, got) {
        (Value::Object(a), Value::Object(b)) => a.iter().all(|(k, v)| {
            b.iter()
                .find(|(bk, _)| bk.eq_ignore_ascii_case(k))
                .is_some_and(|(_, bv)| exact(v, bv))
                || v.is_null()
        }),
        (Value::Array(a), Value::Array(b)) => {
            let mut used = vec![false; b.len()];
            a.len() == b.len()
                && a.iter().all(|x| {
                    let hit = b
                        .iter()
                        .enumerate()
                        .position(|(i, y)| !used[i] && exact(x, y));
                    hit.map(|i| used[i] = true).is_some()
                })
        }
        _ => sent == got,
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
    use serde_json::json;

    #[test]
    fn patch_effects_cover_okta_shapes() {
        let sent = json!({"Operations": [
            {"op": "remove", "path": "members[value eq \"u1\"]"},
            {"op": "add", "path": "members", "value": [{"value": "u2", "display": "b"}]},
            {"op": "replace", "value": {"id": "g", "displayName": "New"}}
        ]});
        let effects = patch_effects(&sent);
        let read_ok = json!({"displayName": "new", "members": [{"value": "u2"}]});
        assert!(
            effects
                .iter()
                .all(|e| unmet(e, &read_ok, Comparison::Effect).is_none()),
            "{effects:?}"
        );
        let read_bad = json!({"displayName": "Old", "members": [{"value": "u1"}, {"value": "u2"}]});
        let problems: Vec<_> = effects
            .iter()
            .filter_map(|e| unmet(e, &read_bad, Comparison::Effect))
            .collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn lenient_equality_ignores_order_and_case() {
        assert!(same(
            &json!([{"value": "A@x", "primary": true}]),
            &json!([{"value": "a@x", "primary": true, "type": "work"}])
        ));
        assert!(!same(
            &json!({"active": false}),
            &json!({"active": "false"})
        ));
    }
}
