//! Steady state (issue 5): does Okta's view of the users and groups it provisions stay equal to
//! the server's, or do imports and pushes go round forever?
//!
//! Three phases run against one small, bounded set of resources (two users, one group) that
//! the run creates and deletes again:
//! * fidelity: every write's response and a fresh (settled) read are compared with what Okta
//!   sent ([`crate::check::drift`]): wrong Okta state is `read-after-write` (fail), other drift
//!   `steady-state.fidelity` (warn);
//! * `steady-state.idempotent` ([`idempotency`]): repeated PUT/PATCH, deactivation and member
//!   adds change nothing, a retried user POST gets 409 (a second group is allowed);
//! * `steady-state.sync-loop` ([`sync_loop`]): N cycles of Okta import → compare → push, with a
//!   verdict per resource; a loop fails only on Okta state or on an attribute that flows back
//!   into Okta (profile feature `import-updates-profile`), else it is a fidelity warning.
//!
//! [`execute`] runs them and returns an [`Outcome`]; [`report`] turns it into a
//! [`ScenarioReport`](crate::replay::result::ScenarioReport) for `run`'s reporters, [`table`]
//! renders the drift table and [`json`](mod@json) the `steady --report-json` document.

pub mod http;
pub mod idempotency;
pub mod json;
pub mod model;
pub mod push;
pub mod report;
#[cfg(test)]
mod scenario_parity;
pub mod sync_loop;
pub mod table;

use crate::check::Severity;
use crate::check::drift::{self as fidelity, Drift, DriftKind};
use crate::profile::Profile;
use crate::replay::exchange::Exchange;
use crate::scenario::{Dialect, Feature, Method};
use crate::server::schema::ResourceKind;
use http::{Reply, Session, id_of};
use model::{Model, group_body};
use serde::Serialize;
use serde_json::json;
use std::time::{Duration, Instant};

/// Default number of sync-loop cycles.
pub const DEFAULT_CYCLES: u32 = 3;

/// One drift of a stored value from what Okta sent, as shown in the drift table.
#[derive(Debug, Clone, Serialize)]
pub struct DriftRow {
    /// `user1`, `user2`, `group1`.
    pub resource: String,
    #[serde(skip)]
    pub resource_kind: ResourceKind,
    /// Attribute path, e.g. `emails[value eq "a@x.example"].type`.
    pub attribute: String,
    pub sent: serde_json::Value,
    pub stored: Option<serde_json::Value>,
    pub kind: DriftKind,
    /// Where it showed: `POST /Users response`, `read after PUT /Users/{id}`, `import`.
    pub seen_in: Vec<String>,
    /// What it does to Okta.
    pub consequence: String,
    /// The resource's sync-loop verdict for this attribute (`loops`, `converges after 1 cycle`,
    /// `stable`, or `drift` when the import did not show it).
    pub verdict: String,
    /// `fail` for wrong Okta state (`active`, `userName`, group name, membership) and for a
    /// loop on an attribute that flows back into Okta (`import-updates-profile`); else `warn`.
    pub severity: Severity,
}

/// A write that took a while to show in reads (eventually consistent server).
#[derive(Debug, Clone, Serialize)]
pub struct Lag {
    pub resource: String,
    pub write: String,
    pub millis: u64,
}

/// The exchanges and time of one phase.
#[derive(Debug, Clone, Default)]
pub struct Phase {
    pub exchanges: Vec<Exchange>,
    pub duration: Duration,
}

/// Everything a steady-state run found.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub profile: String,
    pub dialect: Dialect,
    /// The profile's attributes that flow back into Okta on import (its mapped attributes when
    /// it enables `import-updates-profile`, else none).
    pub flows_back: Vec<String>,
    pub cycles: u32,
    pub users: Vec<(String, Option<String>, String)>,
    pub rows: Vec<DriftRow>,
    pub resources: Vec<sync_loop::ResourceLoop>,
    pub idempotency: Vec<idempotency::Finding>,
    pub lags: Vec<Lag>,
    /// Shapes the harness inferred (secondary email).
    pub notes: Vec<String>,
    /// Setup problems (a create failed, the target went away).
    pub errors: Vec<String>,
    /// Okta writes the server refused (e.g. a PUT echoing `"active": "true"`).
    pub rejected: Vec<String>,
    /// Values scrubbed from every record (the users' placeholder passwords).
    pub secrets: Vec<crate::secrets::Secret>,
    pub fidelity: Phase,
    pub idempotency_phase: Phase,
    pub sync_loop: Phase,
    pub cleanup: Phase,
    pub duration: Duration,
    /// The run was asked to stop (Ctrl-C, SIGTERM, `--deadline`) before the checks were over:
    /// the outcome holds what ran.
    pub stopped: bool,
}

impl Outcome {
    pub fn max_lag(&self) -> Option<u64> {
        self.lags.iter().map(|l| l.millis).max()
    }

    /// Whether imports write `path`'s attribute back into Okta (the escalation rule).
    pub fn flows_back(&self, path: &str) -> bool {
        let top = fidelity::top_attribute(path);
        self.flows_back.iter().any(|m| {
            m.eq_ignore_ascii_case(top)
                || m.get(..top.len() + 1)
                    .is_some_and(|p| p.eq_ignore_ascii_case(&format!("{top}.")))
        })
    }
}

/// Runs the three checks for `profile` through `session`; `run_id` keeps names unique.
pub async fn execute(s: &mut Session, profile: &Profile, run_id: &str, cycles: u32) -> Outcome {
    let started = Instant::now();
    let mut model = Model::new(profile, run_id);
    let dialect = profile.dialect;
    let mut out = Outcome {
        profile: profile.name.clone(),
        dialect,
        flows_back: if profile.enables(Feature::ImportUpdatesProfile) {
            profile.mapped_attributes.clone()
        } else {
            Vec::new()
        },
        cycles,
        users: Vec::new(),
        rows: Vec::new(),
        resources: Vec::new(),
        idempotency: Vec::new(),
        lags: Vec::new(),
        notes: model.inferred(),
        errors: Vec::new(),
        rejected: Vec::new(),
        secrets: model
            .users
            .iter()
            .filter_map(|u| {
                let p = u.create_body.get("password")?.as_str()?;
                Some(crate::secrets::Secret::new(
                    format!("{}.password", u.key),
                    p,
                ))
            })
            .collect(),
        fidelity: Phase::default(),
        idempotency_phase: Phase::default(),
        sync_loop: Phase::default(),
        cleanup: Phase::default(),
        duration: Duration::ZERO,
        stopped: false,
    };
    let t = Instant::now();
    let mut whole = s
        .halt
        .guard()
        .run(fidelity_phase(s, &mut model, &mut out))
        .await;
    out.fidelity = phase(s, t);
    let mut strays = Vec::new();
    if whole && out.errors.is_empty() {
        let t = Instant::now();
        whole = s
            .halt
            .guard()
            .run(async {
                let (findings, created) = idempotency::probe(s, &model, dialect).await;
                out.idempotency = findings;
                strays = created;
            })
            .await;
        out.idempotency_phase = phase(s, t);
    }
    if whole && out.errors.is_empty() {
        let t = Instant::now();
        whole = s
            .halt
            .guard()
            .run(sync_phase(s, &mut model, &mut out))
            .await;
        out.sync_loop = phase(s, t);
    }
    let t = Instant::now();
    s.halt.start_cleaning();
    s.halt
        .guard()
        .run(cleanup(s, &model, &strays, !whole))
        .await;
    out.cleanup = phase(s, t);
    out.stopped = !whole;
    if let Some(f) = &s.fatal {
        out.errors.push(f.to_string());
    }
    out.users = model
        .users
        .iter()
        .map(|u| (u.key.clone(), u.id.clone(), u.user_name().to_string()))
        .collect();
    out.duration = started.elapsed();
    out
}

fn phase(s: &mut Session, started: Instant) -> Phase {
    Phase {
        exchanges: s.take_exchanges(),
        duration: started.elapsed(),
    }
}

/// Creates the users and the group, pushes one profile update, and compares every write's
/// response and settled read with what Okta sent.
async fn fidelity_phase(s: &mut Session, model: &mut Model, out: &mut Outcome) {
    for i in 0..model.users.len() {
        let body = model.users[i].create_body.clone();
        let key = model.users[i].key.clone();
        let reply = s.send(Method::Post, "/Users", Some(&body)).await;
        let Some(id) = id_of(reply.body.as_ref()).filter(|_| reply.ok()) else {
            out.errors.push(format!(
                "POST /Users for {key} answered {} without an id",
                reply.status
            ));
            return;
        };
        model.users[i].id = Some(id.clone());
        let okta = model.users[i].profile();
        judge_write(
            s,
            out,
            (&key, "POST /Users"),
            ResourceKind::User,
            &okta,
            &reply,
            &format!("/Users/{}", crate::scenario::template::percent_encode(&id)),
        )
        .await;
    }
    for i in 0..model.groups.len() {
        let body = group_body(model, &model.groups[i]);
        let key = model.groups[i].key.clone();
        let reply = s.send(Method::Post, "/Groups", Some(&body)).await;
        let Some(id) = id_of(reply.body.as_ref()).filter(|_| reply.ok()) else {
            out.errors.push(format!(
                "POST /Groups for {key} answered {} without an id",
                reply.status
            ));
            return;
        };
        model.groups[i].id = Some(id.clone());
        let ids: Vec<String> = model
            .member_ids(&model.groups[i])
            .into_iter()
            .map(|m| m.0)
            .collect();
        let okta = push::group_view(&model.groups[i].display_name, &ids);
        let view = Reply {
            status: reply.status,
            body: reply.body.as_ref().map(push::group_view_of),
        };
        judge_write(
            s,
            out,
            (&key, "POST /Groups"),
            ResourceKind::Group,
            &okta,
            &view,
            &format!("/Groups/{}", crate::scenario::template::percent_encode(&id)),
        )
        .await;
    }
    // An Okta-side profile change (the user's family name) pushed as Okta does.
    let Some(user) = model.user_mut("user1") else {
        return;
    };
    user.change("name.familyName", json!("Smythe"));
    let (okta, id) = (user.profile(), user.id.clone().unwrap_or_default());
    let reply =
        push::profile_push(s, &model.profile, &id, &okta, out.dialect == Dialect::Patch).await;
    judge_write(
        s,
        out,
        ("user1", "PUT /Users/{id}"),
        ResourceKind::User,
        &okta,
        &reply,
        &format!("/Users/{}", crate::scenario::template::percent_encode(&id)),
    )
    .await;
}

/// Compares one write's response and its settled read with what Okta sent.
async fn judge_write(
    s: &mut Session,
    out: &mut Outcome,
    (key, write): (&str, &str),
    kind: ResourceKind,
    okta: &serde_json::Value,
    reply: &Reply,
    path: &str,
) {
    if !reply.ok() {
        let detail = reply
            .body
            .as_ref()
            .and_then(|b| b.get("detail"))
            .and_then(|d| d.as_str())
            .unwrap_or_default();
        out.rejected
            .push(format!("{key}: {write} answered {} {detail}", reply.status));
    } else if let Some(body) = reply.body.as_ref().filter(|b| b.is_object()) {
        add_rows(
            out,
            (key, kind),
            &format!("{write} response"),
            fidelity::compare(kind, okta, body),
        );
    }
    let expected = reply
        .body
        .clone()
        .filter(|b| reply.ok() && b.is_object())
        .unwrap_or_else(|| okta.clone());
    let (read, settled) = push::settle(s, kind, path, &expected).await;
    if let Some(waited) = settled.filter(|w| *w >= Duration::from_millis(40)) {
        out.lags.push(Lag {
            resource: key.into(),
            write: write.into(),
            millis: waited.as_millis() as u64,
        });
    }
    let read_body = match kind {
        ResourceKind::Group => read.body.as_ref().map(push::group_view_of),
        ResourceKind::User => read.body.clone(),
    };
    match read_body.filter(|_| read.status == 200) {
        Some(body) => add_rows(
            out,
            (key, kind),
            &format!("read after {write}"),
            fidelity::compare(kind, okta, &body),
        ),
        None => add_rows(
            out,
            (key, kind),
            &format!("read after {write}"),
            vec![Drift {
                path: "(resource)".into(),
                sent: okta.clone(),
                stored: None,
                kind: DriftKind::Lost,
            }],
        ),
    }
}

fn add_rows(
    out: &mut Outcome,
    (resource, kind): (&str, ResourceKind),
    seen: &str,
    drifts: Vec<Drift>,
) {
    for d in drifts {
        if let Some(row) = out
            .rows
            .iter_mut()
            .find(|r| r.resource == resource && r.attribute == d.path)
        {
            if !row.seen_in.iter().any(|x| x == seen) {
                row.seen_in.push(seen.to_string());
            }
            row.sent = d.sent;
            row.stored = d.stored;
            continue;
        }
        out.rows.push(DriftRow {
            resource: resource.to_string(),
            resource_kind: kind,
            attribute: d.path.clone(),
            sent: d.sent.clone(),
            stored: d.stored.clone(),
            kind: d.kind,
            seen_in: vec![seen.to_string()],
            consequence: String::new(),
            verdict: "drift".into(),
            severity: d.severity(kind),
        });
    }
}

/// An Okta-side change (user2's given name) pushed without waiting, then N import cycles.
async fn sync_phase(s: &mut Session, model: &mut Model, out: &mut Outcome) {
    if let Some(user) = model.user_mut("user2") {
        user.change("name.givenName", json!("Ali"));
        let (okta, id) = (user.profile(), user.id.clone().unwrap_or_default());
        push::profile_push(s, &model.profile, &id, &okta, out.dialect == Dialect::Patch).await;
    }
    let (resources, lag) = sync_loop::simulate(s, model, out.dialect, out.cycles).await;
    if let Some(l) = lag.filter(|l| *l >= Duration::from_millis(40)) {
        out.lags.push(Lag {
            resource: "sync-loop".into(),
            write: "push".into(),
            millis: l.as_millis() as u64,
        });
    }
    out.resources = resources;
    report::merge_verdicts(out);
}

/// A user whose create answered without an id may still exist: found by the unique userName
/// the run sent (exact match, so a server that ignores filters points at nothing else).
async fn delete_by_user_name(s: &mut Session, user_name: &str) {
    if user_name.is_empty() {
        return;
    }
    let query = crate::okta::requests::user_filter(user_name);
    let found = s.send(Method::Get, &query, None).await;
    for r in http::resources(found.body.as_ref()) {
        let same = r.get("userName").and_then(serde_json::Value::as_str);
        if same.is_some_and(|n| n.eq_ignore_ascii_case(user_name))
            && let Some(id) = http::id_of(Some(&r)).filter(|id| !id.is_empty())
        {
            s.send(Method::Delete, &format!("/Users/{id}"), None).await;
        }
    }
}

/// A group of the run whose id a stopped run may not have seen: found by its unique
/// displayName (exact match).
async fn delete_by_display_name(s: &mut Session, name: &str) {
    let query = format!(
        "/Groups?filter=displayName%20eq%20%22{}%22&startIndex=1&count=100",
        crate::scenario::template::percent_encode(name)
    );
    let found = s.send(Method::Get, &query, None).await;
    for r in http::resources(found.body.as_ref()) {
        let same = r.get("displayName").and_then(serde_json::Value::as_str);
        if same == Some(name)
            && let Some(id) = http::id_of(Some(&r))
        {
            let path = format!("/Groups/{}", crate::scenario::template::percent_encode(&id));
            s.send(Method::Delete, &path, None).await;
        }
    }
}

/// Deletes what the run created (harness hygiene; Okta itself never deletes users). After a
/// stop (`swept`), the run's names are also looked up: a phase cut short may have created a
/// resource (a retried POST's duplicate) whose id it never kept.
async fn cleanup(s: &mut Session, model: &Model, strays: &[String], swept: bool) {
    let fatal = s.fatal.take();
    if fatal.as_ref().is_some_and(|f| {
        !matches!(
            f,
            crate::replay::client::TransportFailure::Timeout(_)
                | crate::replay::client::TransportFailure::Broken(_)
        )
    }) {
        s.fatal = fatal;
        return;
    }
    for g in model.groups.iter().filter_map(|g| g.id.as_ref()) {
        s.send(
            Method::Delete,
            &format!("/Groups/{}", crate::scenario::template::percent_encode(g)),
            None,
        )
        .await;
    }
    for u in model.users.iter().filter_map(|u| u.id.as_ref()) {
        s.send(
            Method::Delete,
            &format!("/Users/{}", crate::scenario::template::percent_encode(u)),
            None,
        )
        .await;
    }
    for u in model.users.iter().filter(|u| u.id.is_none()) {
        delete_by_user_name(s, u.user_name()).await;
    }
    for path in strays {
        s.send(Method::Delete, path, None).await;
    }
    if swept {
        for u in model.users.iter().filter(|u| u.id.is_some()) {
            delete_by_user_name(s, u.user_name()).await;
        }
        for g in &model.groups {
            delete_by_display_name(s, &g.display_name).await;
        }
    }
    s.fatal = fatal.or(s.fatal.take());
}
