//! Sync-loop simulation: N cycles of Okta's import (paged `GET /Users` and `/Groups`,
//! `startIndex` + 100), comparison with Okta's app-user profiles, and the pushes Okta would
//! send for each difference; then a verdict per resource: stable, converges after k cycles,
//! or loops (with the attributes that flip and their values per cycle).

use super::http::{Session, id_of, resources, total_results};
use super::model::Model;
use super::push;
use crate::check::drift::{self as fidelity, Drift, DriftKind};
use crate::profile::Profile;
use crate::scenario::{Dialect, Method};
use crate::server::schema::ResourceKind;
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// Okta's import page size.
const PAGE: u64 = 100;
/// Pages read at most per import (bounds the request count on a runaway totalResults).
const MAX_PAGES: u64 = 10;

/// One attribute's values over the cycles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flip {
    pub path: String,
    pub values: Vec<CycleValue>,
}

/// What Okta had and what the import found in one cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleValue {
    pub cycle: u32,
    pub okta: Value,
    pub server: Option<Value>,
}

/// The sync-loop verdict of one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum LoopVerdict {
    Stable,
    Converges { after: u32 },
    Loops { flips: Vec<Flip> },
}

impl LoopVerdict {
    pub fn label(&self) -> String {
        match self {
            LoopVerdict::Stable => "stable".into(),
            LoopVerdict::Converges { after } => format!(
                "converges after {after} cycle{}",
                if *after == 1 { "" } else { "s" }
            ),
            LoopVerdict::Loops { .. } => "loops".into(),
        }
    }
}

/// Classifies one resource from the differences each cycle's import found.
pub fn classify(cycles: &[Vec<Drift>]) -> LoopVerdict {
    let Some(last) = cycles.last() else {
        return LoopVerdict::Stable;
    };
    if last.is_empty() {
        return match cycles.iter().rposition(|c| !c.is_empty()) {
            None => LoopVerdict::Stable,
            Some(i) => LoopVerdict::Converges {
                after: i as u32 + 1,
            },
        };
    }
    let flips = last
        .iter()
        .map(|d| Flip {
            path: d.path.clone(),
            values: cycles
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    c.iter().find(|x| x.path == d.path).map(|x| CycleValue {
                        cycle: i as u32 + 1,
                        okta: x.sent.clone(),
                        server: x.stored.clone(),
                    })
                })
                .collect(),
        })
        .collect();
    LoopVerdict::Loops { flips }
}

/// One resource's result.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceLoop {
    pub resource: String,
    pub kind: &'static str,
    pub id: Option<String>,
    #[serde(flatten)]
    pub verdict: LoopVerdict,
    /// Differences per cycle (index 0 = cycle 1).
    #[serde(skip)]
    pub cycles: Vec<Vec<Drift>>,
}

impl ResourceLoop {
    /// `User` or `Group`.
    pub fn resource_kind(&self) -> ResourceKind {
        if self.kind == "Group" {
            ResourceKind::Group
        } else {
            ResourceKind::User
        }
    }
}

/// Runs `cycles` import/compare/push cycles. Returns a verdict per resource and the longest
/// time a push took to show in reads.
pub async fn simulate(
    s: &mut Session,
    model: &Model,
    dialect: Dialect,
    cycles: u32,
) -> (Vec<ResourceLoop>, Option<Duration>) {
    let mut diffs: Vec<Vec<Vec<Drift>>> = vec![Vec::new(); model.users.len() + model.groups.len()];
    let mut lag: Option<Duration> = None;
    for _ in 0..cycles {
        let users = import(s, "Users").await;
        let groups = import(s, "Groups").await;
        let mut pushed = Vec::new();
        for (i, u) in model.users.iter().enumerate() {
            let okta = u.profile();
            let found = u.id.as_deref().and_then(|id| find(&users, id));
            let d = differences(ResourceKind::User, &okta, found);
            if !d.is_empty()
                && let Some(id) = &u.id
            {
                pushed.push(push_user(s, &model.profile, id, &okta, &d).await);
            }
            diffs[i].push(d);
        }
        for (j, g) in model.groups.iter().enumerate() {
            let members = model.member_ids(g);
            let ids: Vec<String> = members.iter().map(|m| m.0.clone()).collect();
            let okta = push::group_view(&g.display_name, &ids);
            let found = g.id.as_deref().and_then(|id| find(&groups, id));
            let d = differences(
                ResourceKind::Group,
                &okta,
                found.map(push::group_view_of).as_ref(),
            );
            if !d.is_empty()
                && let Some(id) = &g.id
            {
                let r = push::push_group(s, dialect, id, &g.display_name, &members).await;
                pushed.push((
                    format!("/Groups/{}", crate::scenario::template::percent_encode(id)),
                    ResourceKind::Group,
                    r.body.map(|b| push::group_view_of(&b)).unwrap_or(okta),
                ));
            }
            diffs[model.users.len() + j].push(d);
        }
        for (path, kind, expected) in pushed {
            if let (_, Some(l)) = push::settle(s, kind, &path, &expected).await {
                lag = lag.max(Some(l));
            }
        }
    }
    let labels = model
        .users
        .iter()
        .map(|u| (u.key.clone(), "User", u.id.clone()))
        .chain(
            model
                .groups
                .iter()
                .map(|g| (g.key.clone(), "Group", g.id.clone())),
        );
    let results = labels
        .zip(diffs)
        .map(|((resource, kind, id), cycles)| ResourceLoop {
            resource,
            kind,
            id,
            verdict: classify(&cycles),
            cycles,
        })
        .collect();
    (results, lag)
}

/// Okta's push for a user's differences: `active` alone is a PATCH in the PATCH dialect;
/// anything else is GET + PUT of the whole profile. Returns what the read should then show.
async fn push_user(
    s: &mut Session,
    profile: &Profile,
    id: &str,
    okta: &Value,
    d: &[Drift],
) -> (String, ResourceKind, Value) {
    let dialect = profile.dialect;
    let only_active = d.iter().all(|x| x.path.eq_ignore_ascii_case("active"));
    let reply = if dialect == Dialect::Patch && only_active {
        let active = okta.get("active").and_then(Value::as_bool).unwrap_or(true);
        push::set_active(s, profile, id, active).await
    } else {
        let r = push::profile_push(s, profile, id, okta, dialect == Dialect::Patch).await;
        if dialect == Dialect::Patch && d.iter().any(|x| x.path.eq_ignore_ascii_case("active")) {
            let active = okta.get("active").and_then(Value::as_bool).unwrap_or(true);
            push::set_active(s, profile, id, active).await
        } else {
            r
        }
    };
    let ok = reply.ok();
    let expected = reply
        .body
        .filter(|b| ok && b.is_object())
        .unwrap_or_else(|| okta.clone());
    (
        format!("/Users/{}", crate::scenario::template::percent_encode(id)),
        ResourceKind::User,
        expected,
    )
}

/// The differences an import shows for one resource; a resource missing from the import is
/// one `(not imported)` difference.
fn differences(kind: ResourceKind, okta: &Value, found: Option<&Value>) -> Vec<Drift> {
    match found {
        Some(body) => fidelity::compare(kind, okta, body),
        None => vec![Drift {
            path: "(not imported)".into(),
            sent: Value::Null,
            stored: None,
            kind: DriftKind::Lost,
        }],
    }
}

fn find<'a>(list: &'a [Value], id: &str) -> Option<&'a Value> {
    list.iter().find(|r| id_of(Some(r)).as_deref() == Some(id))
}

/// Okta's paged import: `startIndex=1&count=100`, then +100 while `totalResults` says there is
/// more (bounded). Inactive users are not imported.
async fn import(s: &mut Session, endpoint: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut start = 1;
    for _ in 0..MAX_PAGES {
        let reply = s
            .send(
                Method::Get,
                &format!("/{endpoint}?startIndex={start}&count={PAGE}"),
                None,
            )
            .await;
        out.extend(
            resources(reply.body.as_ref())
                .into_iter()
                .filter(|r| r.get("active") != Some(&Value::Bool(false))),
        );
        start += PAGE;
        if reply.status != 200 || start > total_results(reply.body.as_ref()) {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(path: &str, okta: &str, server: &str) -> Drift {
        Drift {
            path: path.into(),
            sent: json!(okta),
            stored: Some(json!(server)),
            kind: DriftKind::Changed,
        }
    }

    #[test]
    fn classifies_stable_converging_and_looping_resources() {
        assert_eq!(classify(&[vec![], vec![], vec![]]), LoopVerdict::Stable);
        assert_eq!(classify(&[]), LoopVerdict::Stable);
        assert_eq!(
            classify(&[vec![d("title", "a", "b")], vec![], vec![]]),
            LoopVerdict::Converges { after: 1 }
        );
        assert_eq!(
            classify(&[vec![d("x", "a", "b")], vec![d("x", "a", "c")], vec![]]).label(),
            "converges after 2 cycles"
        );
        let looping = classify(&[
            vec![d("displayName", "Bob", "Robert")],
            vec![d("displayName", "Bob", "Robert")],
        ]);
        let LoopVerdict::Loops { flips } = &looping else {
            panic!("{looping:?}")
        };
        assert_eq!(flips[0].path, "displayName");
        assert_eq!(flips[0].values.len(), 2);
        assert_eq!(flips[0].values[1].cycle, 2);
        assert_eq!(flips[0].values[1].server, Some(json!("Robert")));
        assert_eq!(looping.label(), "loops");
    }
}
