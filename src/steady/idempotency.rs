//! Idempotency: Okta repeats writes (duplicate GET+PUT pairs, retried tasks, docs/okta-reference.md
//! §7 "Steady state"). Replaying the same PUT or PATCH must change nothing observable except
//! `meta.lastModified`/`meta.version`; repeated deactivation and repeated member adds must
//! succeed; a retried POST must be answered 409 instead of creating a second resource.

use super::http::{Reply, Session, id_of};
use super::model::{Model, group_body};
use super::push;
use crate::scenario::Dialect;
use serde::Serialize;
use serde_json::Value;

/// One idempotency probe's result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// What was repeated, e.g. `repeated PUT /Users/{user1}`.
    pub probe: String,
    pub passed: bool,
    /// Why it failed (empty when passed).
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
        findings.push(repeated_put(s, id, &u.profile(), &u.key).await);
    }
    if let Some(u) = model.users.get(1)
        && let Some(id) = &u.id
    {
        findings.push(repeated_deactivation(s, dialect, id, &u.key).await);
    }
    if let Some(g) = model.groups.first()
        && let Some(id) = &g.id
    {
        findings.push(repeated_member_add(s, model, dialect, id, &g.key).await);
    }
    for u in &model.users {
        let (f, stray) = retried_post(s, "Users", &u.create_body, &u.key).await;
        findings.push(f);
        strays.extend(stray.map(|id| format!("/Users/{id}")));
    }
    for g in &model.groups {
        let (f, stray) = retried_post(s, "Groups", &group_body(model, g), &g.key).await;
        findings.push(f);
        strays.extend(stray.map(|id| format!("/Groups/{id}")));
    }
    (findings, strays)
}

async fn repeated_put(s: &mut Session, id: &str, okta: &Value, key: &str) -> Finding {
    let first = push::profile_push(s, id, okta, false).await;
    let path = format!("/Users/{id}");
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
    let second = s.send("PUT", &path, Some(&body)).await;
    let mut problems = both_succeed(&first, &second);
    problems.extend(same_outcome(&first, &second));
    finding(format!("repeated PUT /Users/{{{key}}}"), problems)
}

async fn repeated_deactivation(s: &mut Session, dialect: Dialect, id: &str, key: &str) -> Finding {
    let first = push::set_active(s, dialect, id, false).await;
    let second = push::set_active(s, dialect, id, false).await;
    let mut problems = both_succeed(&first, &second);
    problems.extend(same_outcome(&first, &second));
    let path = format!("/Users/{id}");
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
    let back = push::set_active(s, dialect, id, true).await;
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
    let read = s.send("GET", &format!("/Groups/{id}"), None).await;
    let ids: Vec<String> = read
        .body
        .as_ref()
        .and_then(|b| b.get("members"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("value").and_then(Value::as_str).map(str::to_string))
        .collect();
    for (m, _) in &members {
        let n = ids.iter().filter(|i| *i == m).count();
        if n > 1 {
            problems.push(format!(
                "member {m} is listed {n} times after the repeated add"
            ));
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
    let reply = s.send("POST", &format!("/{endpoint}"), Some(body)).await;
    let probe = format!("retried POST /{endpoint} of {{{key}}}");
    match reply.status {
        409 => (finding(probe, vec![]), None),
        st if (200..300).contains(&st) => {
            let stray = id_of(reply.body.as_ref());
            let msg = format!(
                "the retried POST answered {st} and created a second resource{} instead of 409",
                stray
                    .as_deref()
                    .map(|i| format!(" ({i})"))
                    .unwrap_or_default()
            );
            (finding(probe, vec![msg]), stray)
        }
        st => (
            finding(
                probe,
                vec![format!("the retried POST answered {st} instead of 409")],
            ),
            None,
        ),
    }
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
}
