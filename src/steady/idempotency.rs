//! Idempotency: Okta repeats writes (duplicate GET+PUT pairs, retried tasks;
//! docs/steady-state.md). Replaying the same PUT or PATCH must change nothing observable except
//! `meta.lastModified`/`meta.version`; repeated deactivation and repeated member adds must
//! succeed; a retried POST of a user must be answered 409 instead of creating a second account
//! (a second group with the same `displayName` is allowed: `uniqueness: none`).

use super::http::{Reply, Session, id_of};
use super::model::{Model, group_body};
use super::push;
use crate::profile::Profile;
use crate::scenario::{Dialect, Method};
use serde::Serialize;
use serde_json::Value;

/// One idempotency probe's result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// What was repeated, e.g. `repeated PUT /Users/{user1}`.
    pub probe: String,
    pub passed: bool,
    /// Why it failed; for a passed probe, a note on an allowed deviation (else empty).
    pub message: String,
}

fn finding(probe: impl Into<String>, problems: Vec<String>) -> Finding {
    Finding {
        probe: probe.into(),
        passed: problems.is_empty(),
        message: problems.join("; "),
    }
}

/// Runs every probe. Resources a failed probe created by mistake are returned for clean-up.
pub async fn probe(
    s: &mut Session,
    model: &Model,
    dialect: Dialect,
) -> (Vec<Finding>, Vec<String>) {
    let mut findings = Vec::new();
    let mut strays = Vec::new();
    if let Some(u) = model.users.first()
        && let Some(id) = &u.id
    {
        findings.push(repeated_put(s, &model.profile, id, &u.profile(), &u.key).await);
    }
    if let Some(u) = model.users.get(1)
        && let Some(id) = &u.id
    {
        findings.push(repeated_deactivation(s, &model.profile, id, &u.key).await);
    }
    if let Some(g) = model.groups.first()
        && let Some(id) = &g.id
    {
        findings.push(repeated_member_add(s, model, dialect, id, &g.key).await);
    }
    for u in &model.users {
        let (f, stray) = retried_post(s, "Users", &u.create_body, &u.key).await;
        findings.push(f);
        strays.extend(
            stray.map(|id| format!("/Users/{}", crate::scenario::template::percent_encode(&id))),
        );
    }
    for g in &model.groups {
        let (f, stray) = retried_post(s, "Groups", &group_body(model, g), &g.key).await;
        findings.push(f);
        strays.extend(
            stray.map(|id| format!("/Groups/{}", crate::scenario::template::percent_encode(&id))),
        );
    }
    (findings, strays)
}

async fn repeated_put(
    s: &mut Session,
    profile: &Profile,
    id: &str,
    okta: &Value,
    key: &str,
) -> Finding {
    let first = push::profile_push(s, profile, id, okta, false).await;
    let path = format!("/Users/{}", crate::scenario::template::percent_encode(id));
    let Some(body) = s
        .exchanges
        .last()
        .and_then(|e| e.request.body.as_deref())
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
    else {
        return finding(
            format!("repeated PUT /Users/{{{key}}}"),
            vec!["no PUT was sent".into()],
        );
    };
    let second = s.send(Method::Put, &path, Some(&body)).await;
    let mut problems = both_succeed(&first, &second);
    problems.extend(same_outcome(&first, &second));
    finding(format!("repeated PUT /Users/{{{key}}}"), problems)
}

async fn repeated_deactivation(s: &mut Session, profile: &Profile, id: &str, key: &str) -> Finding {
    let first = push::set_active(s, profile, id, false).await;
    let second = push::set_active(s, profile, id, false).await;
    let mut problems = both_succeed(&first, &second);
    problems.extend(same_outcome(&first, &second));
    let path = format!("/Users/{}", crate::scenario::template::percent_encode(id));
    let read = settle_active(s, &path, &second, false).await;
    if read.status != 200 {
        problems.push(format!(
            "the user reads {} after the repeated deactivation",
            read.status
        ));
    } else if !read
        .body
        .as_ref()
        .and_then(|b| b.get("active"))
        .is_some_and(|a| is_bool(a, false))
    {
        problems.push("the user is not inactive after the repeated deactivation".into());
    }
    // Okta re-activates the user (re-assignment) so the sync loop sees it active again.
    let back = push::set_active(s, profile, id, true).await;
    if !back.ok() {
        problems.push(format!("re-activation answered {}", back.status));
    }
    settle_active(s, &path, &back, true).await;
    finding(format!("repeated deactivation of {{{key}}}"), problems)
}

/// `active` as a boolean or its string spelling (string-booleans are the fidelity check's job).
fn is_bool(v: &Value, want: bool) -> bool {
    v == &Value::Bool(want)
        || v.as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case(&want.to_string()))
}

/// Reads the user until its `active` shows `want` (bounded), accepting the string spelling.
async fn settle_active(s: &mut Session, path: &str, _write: &Reply, want: bool) -> Reply {
    let (read, _) = s
        .read_until(path, |r| {
            r.status == 200
                && r.body
                    .as_ref()
                    .and_then(|b| b.get("active"))
                    .is_some_and(|a| is_bool(a, want))
        })
        .await;
    read
}

async fn repeated_member_add(
    s: &mut Session,
    model: &Model,
    dialect: Dialect,
    id: &str,
    key: &str,
) -> Finding {
    let members = model.member_ids(&model.groups[0]);
    let (first, second) = match dialect {
        Dialect::Patch => {
            let one = members.first().cloned().into_iter().collect::<Vec<_>>();
            (
                push::add_members(s, id, &one).await,
                push::add_members(s, id, &one).await,
            )
        }
        Dialect::Put => {
            let name = &model.groups[0].display_name;
            (
                push::push_group(s, dialect, id, name, &members).await,
                push::push_group(s, dialect, id, name, &members).await,
            )
        }
    };
    let mut problems = both_succeed(&first, &second);
    let read = s
        .send(
            Method::Get,
            &format!("/Groups/{}", crate::scenario::template::percent_encode(id)),
            None,
        )
        .await;
    let ids: Vec<String> = read
        .body
        .as_ref()
        .and_then(|b| b.get("members"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("value").and_then(Value::as_str).map(str::to_string))
        .collect();
    // A member listed twice is data quality Okta copes with (`group.members-unique` warns in the
    // scenarios); a member lost by the repeated add is a lost membership.
    for (m, _) in &members {
        if !ids.contains(m) {
            problems.push(format!("member {m} is missing after the repeated add"));
        }
    }
    finding(format!("repeated member add to {{{key}}}"), problems)
}

async fn retried_post(
    s: &mut Session,
    endpoint: &str,
    body: &Value,
    key: &str,
) -> (Finding, Option<String>) {
    let reply = s
        .send(Method::Post, &format!("/{endpoint}"), Some(body))
        .await;
    judge_retried_post(endpoint, key, &reply)
}

/// A retried POST of an existing user must answer 409: a second account is a duplicate Okta
/// cannot link. A second group with the same `displayName` is allowed (the Group schema says
/// `uniqueness: none`, RFC 7643 §4.2): it passes with a note. Returns the id of a resource the
/// retry created, for clean-up.
fn judge_retried_post(endpoint: &str, key: &str, reply: &Reply) -> (Finding, Option<String>) {
    let probe = format!("retried POST /{endpoint} of {{{key}}}");
    let st = reply.status;
    if st == 409 {
        return (finding(probe, vec![]), None);
    }
    if !reply.ok() {
        let msg = format!("the retried POST answered {st} instead of 409");
        return (finding(probe, vec![msg]), None);
    }
    let stray = id_of(reply.body.as_ref());
    let id = stray
        .as_deref()
        .map(|i| format!(" ({i})"))
        .unwrap_or_default();
    if endpoint == "Groups" {
        let note = format!(
            "answered {st} and created a second group{id}: allowed, Group displayName has uniqueness none (RFC 7643 §4.2); deleted at the end"
        );
        let mut f = finding(probe, vec![]);
        f.message = note;
        return (f, stray);
    }
    let msg =
        format!("the retried POST answered {st} and created a second resource{id} instead of 409");
    (finding(probe, vec![msg]), stray)
}

fn both_succeed(first: &Reply, second: &Reply) -> Vec<String> {
    [("first", first), ("second", second)]
        .iter()
        .filter(|(_, r)| !r.ok())
        .map(|(n, r)| format!("the {n} request answered {}", r.status))
        .collect()
}

/// The two responses must be equal apart from `meta.lastModified` and `meta.version`.
fn same_outcome(first: &Reply, second: &Reply) -> Option<String> {
    let (Some(a), Some(b)) = (&first.body, &second.body) else {
        return None; // 204 answers carry nothing to compare
    };
    let (a, b) = (strip_meta(a), strip_meta(b));
    (a != b).then(|| {
        let changed = changed_keys(&a, &b);
        format!("repeating it changed {}", changed.join(", "))
    })
}

/// A body without `meta.lastModified` / `meta.version` (the values a repeat may change).
pub fn strip_meta(body: &Value) -> Value {
    let mut out = body.clone();
    if let Some(meta) = out.get_mut("meta").and_then(Value::as_object_mut) {
        meta.remove("lastModified");
        meta.remove("version");
    }
    out
}

fn changed_keys(a: &Value, b: &Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return vec!["the body".into()];
    };
    let mut keys: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reply(body: Value) -> Reply {
        Reply {
            status: 200,
            body: Some(body),
        }
    }

    #[test]
    fn repeats_may_only_change_last_modified_and_version() {
        let a = reply(
            json!({"id": "1", "title": "x", "meta": {"lastModified": "1", "version": "W/\"1\"", "created": "0"}}),
        );
        let b = reply(
            json!({"id": "1", "title": "x", "meta": {"lastModified": "2", "version": "W/\"2\"", "created": "0"}}),
        );
        assert_eq!(same_outcome(&a, &b), None);
        let c = reply(json!({"id": "1", "title": "y", "meta": {"created": "0"}}));
        assert_eq!(same_outcome(&a, &c).unwrap(), "repeating it changed title");
        assert_eq!(
            both_succeed(
                &a,
                &Reply {
                    status: 500,
                    body: None
                }
            ),
            vec!["the second request answered 500"]
        );
    }

    fn created(id: &str) -> Reply {
        Reply {
            status: 201,
            body: Some(json!({"id": id})),
        }
    }

    #[test]
    fn a_second_group_with_the_same_name_is_allowed_a_second_user_is_not() {
        let (group, stray) = judge_retried_post("Groups", "group1", &created("g2"));
        assert!(group.passed, "{group:?}");
        assert!(group.message.contains("uniqueness none"), "{group:?}");
        assert_eq!(stray.as_deref(), Some("g2"));
        let (user, stray) = judge_retried_post("Users", "user1", &created("u2"));
        assert!(!user.passed);
        assert!(user.message.contains("created a second resource (u2)"));
        assert_eq!(stray.as_deref(), Some("u2"));
        let conflict = Reply {
            status: 409,
            body: None,
        };
        assert!(judge_retried_post("Users", "user1", &conflict).0.passed);
        let refused = Reply {
            status: 400,
            body: None,
        };
        let (f, _) = judge_retried_post("Groups", "group1", &refused);
        assert!(!f.passed && f.message.contains("400 instead of 409"));
    }
}
