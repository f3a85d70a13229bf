//! `scimreplay load`: an Okta-like mass push, timed. Many users are pushed at once the way Okta
//! pushes a large assignment (existence filter, then create, several in flight), all of them
//! into one group with a Push Now (docs/okta-reference.md#s5-6), then imported page by page (docs/okta-reference.md#s4-1) and
//! deactivated (§4.6) — in the profile's dialect. Each operation's latency percentiles and
//! errors are reported, and the results are verified (every user created, the group holds every
//! member, the import lists every user, every user deactivated), because a server that answers
//! fast by dropping work is not fast. Only what the run created is touched; clean-up deletes it.

mod report;

pub use report::{json_report, render};

use crate::okta::requests;
use crate::profile::Profile;
use crate::replay::client::{Client, Credentials, OutgoingRequest, TransportFailure};
use crate::replay::controls::Stop;
use crate::replay::step::{StepSettings, send_with_rate_limit};
use crate::scenario::template::percent_encode;
use crate::scenario::{Dialect, Method};
use crate::steady::http::{id_of, resources, total_results};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The operation name of the harness's own clean-up requests.
pub const CLEAN_UP: &str = "clean-up delete";

/// How big the push is.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    pub users: usize,
    pub concurrency: usize,
}

/// Where the requests go.
#[derive(Clone)]
pub struct LoadTarget {
    pub client: Client,
    pub base_url: String,
    pub credentials: Option<Credentials>,
    pub max_retry_wait: Duration,
    /// The run's stop request (Ctrl-C, SIGTERM): no Okta request is sent after it, only the
    /// clean-up, within the stop's teardown budget.
    pub stop: Arc<Stop>,
}

/// Latencies and errors of one kind of request.
#[derive(Debug, Clone, Default)]
pub struct OpStats {
    pub latencies: Vec<Duration>,
    pub errors: usize,
}

/// One verified outcome, e.g. "the group holds 200 of 200 members".
#[derive(Debug, Clone)]
pub struct Verification {
    pub passed: bool,
    pub detail: String,
}

/// Everything a load run measured.
#[derive(Debug, Clone, Default)]
pub struct LoadOutcome {
    /// Per operation, in the order operations first ran.
    pub ops: Vec<(&'static str, OpStats)>,
    pub verifications: Vec<Verification>,
    pub duration: Duration,
    /// The target went away (unreachable, TLS) part-way.
    pub fatal: Option<String>,
    /// The run was stopped (Ctrl-C, SIGTERM) part-way: the phase cut short and the ones after
    /// it were not verified, and clean-up deleted what had been created.
    pub stopped: bool,
}

impl LoadOutcome {
    /// No transport loss, every verification held, and no Okta request failed (clean-up
    /// deletes are the harness's own and never count).
    pub fn passed(&self) -> bool {
        self.fatal.is_none()
            && !self.stopped
            && self.verifications.iter().all(|v| v.passed)
            && self
                .ops
                .iter()
                .all(|(name, s)| *name == CLEAN_UP || s.errors == 0)
    }
}

/// Shared, thread-safe recorder of per-operation timings.
#[derive(Default)]
struct Recorder {
    ops: Mutex<BTreeMap<&'static str, (usize, OpStats)>>,
    fatal: Mutex<Option<String>>,
}

impl Recorder {
    fn record(&self, op: &'static str, latency: Duration, error: bool) {
        let mut ops = self.ops.lock().unwrap_or_else(|e| e.into_inner());
        let order = ops.len();
        let entry = ops.entry(op).or_insert((order, OpStats::default()));
        entry.1.latencies.push(latency);
        entry.1.errors += usize::from(error);
    }

    fn gone(&self) -> bool {
        self.fatal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    fn into_ops(self) -> (Vec<(&'static str, OpStats)>, Option<String>) {
        let mut ops: Vec<_> = self
            .ops
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .map(|(name, (order, stats))| (order, name, stats))
            .collect();
        ops.sort_by_key(|(order, _, _)| *order);
        let fatal = self.fatal.into_inner().unwrap_or_else(|e| e.into_inner());
        (ops.into_iter().map(|(_, n, s)| (n, s)).collect(), fatal)
    }
}

/// What a request got back.
struct Answer {
    status: u16,
    body: Option<Value>,
}

impl Answer {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Sends one Okta-shaped request and records it under `op`; `tolerated` statuses (e.g. 404 for
/// a filter miss) are not errors.
async fn send(
    t: &LoadTarget,
    rec: &Recorder,
    op: &'static str,
    (method, path): (Method, &str),
    body: Option<&Value>,
    tolerated: &[u16],
) -> Answer {
    if rec.gone() || held_back(t, op) {
        return Answer {
            status: 0,
            body: None,
        };
    }
    let request = OutgoingRequest::okta(method, &t.base_url, path, t.credentials.as_ref(), body);
    let settings = StepSettings::without_settle(&t.client, &t.base_url, t.max_retry_wait);
    let (exchanges, _, failure) = send_with_rate_limit(&request, &settings).await;
    let last = exchanges.last();
    let status = last.and_then(|e| e.status()).unwrap_or(0);
    let latency = last.map_or(Duration::ZERO, |e| e.duration);
    let error = failure.is_some() || !((200..300).contains(&status) || tolerated.contains(&status));
    rec.record(op, latency, error);
    if let Some(f @ (TransportFailure::Unreachable(_) | TransportFailure::Tls(_))) = failure {
        rec.fatal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(f.to_string());
    }
    Answer {
        status,
        body: last.and_then(|e| e.json().cloned()),
    }
}

/// Whether a stopped run must not send this request: no Okta request after the stop, no
/// clean-up once the teardown budget is spent.
fn held_back(t: &LoadTarget, op: &str) -> bool {
    match t.stop.teardown_left() {
        None => false,
        Some(left) => op != CLEAN_UP || left.is_zero(),
    }
}

/// Runs `work(i)` for `0..n`, at most `concurrency` at a time, and collects the results in
/// index order. A panicking job is a bug: its panic is re-raised here, never dropped (a dropped
/// result would shift every later result onto the wrong index).
async fn fan_out<T, F, Fut>(n: usize, concurrency: usize, work: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let gate = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let gate = gate.clone();
        let job = work(i);
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await;
            (i, job.await)
        });
    }
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, value)) => out[i] = Some(value),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => unreachable!("load jobs are never cancelled: {e}"),
        }
    }
    out.into_iter()
        .map(|v| v.expect("every job reported"))
        .collect()
}

/// The whole load run.
pub async fn execute(
    target: LoadTarget,
    profile: &Profile,
    run_id: &str,
    opts: LoadOptions,
) -> LoadOutcome {
    let started = Instant::now();
    let rec = Arc::new(Recorder::default());
    let t = Arc::new(target);
    let (verifications, users, group) = push_and_verify(&t, &rec, profile, run_id, opts).await;
    clean_up(&t, &rec, group.as_deref(), &users, opts).await;
    let rec = Arc::try_unwrap(rec).unwrap_or_default();
    let (ops, fatal) = rec.into_ops();
    LoadOutcome {
        ops,
        verifications,
        duration: started.elapsed(),
        fatal,
        stopped: t.stop.reason().is_some(),
    }
}

/// The pushes, the import and the deactivation, each verified. A phase the stop cut short is
/// not verified and no later phase starts. Returns the verifications and what was created
/// (the users' `(id, userName)`, the group's id).
async fn push_and_verify(
    t: &Arc<LoadTarget>,
    rec: &Arc<Recorder>,
    profile: &Profile,
    run_id: &str,
    opts: LoadOptions,
) -> (Vec<Verification>, Vec<(String, String)>, Option<String>) {
    let stopped = || t.stop.reason().is_some();
    let mut verifications = Vec::new();
    let users = push_users(t, rec, profile, run_id, opts).await;
    if stopped() {
        return (verifications, users, None);
    }
    verifications.push(verify(
        users.len() == opts.users,
        format!("{} of {} users created", users.len(), opts.users),
    ));
    let (group, verified) = push_group(t, rec, profile.dialect, run_id, &users).await;
    if stopped() {
        return (verifications, users, group);
    }
    verifications.extend(verified);
    let listed = import(t, rec, &users).await;
    if stopped() {
        return (verifications, users, group);
    }
    verifications.push(listed);
    let deactivated = deactivate(t, rec, profile, &users, opts).await;
    if !stopped() {
        verifications.push(deactivated);
    }
    (verifications, users, group)
}

fn verify(passed: bool, detail: String) -> Verification {
    Verification { passed, detail }
}

/// Okta's push of a new user, for every user: existence filter, then create. Returns the
/// created `(id, userName)` pairs.
async fn push_users(
    t: &Arc<LoadTarget>,
    rec: &Arc<Recorder>,
    profile: &Profile,
    run_id: &str,
    opts: LoadOptions,
) -> Vec<(String, String)> {
    let bodies: Vec<Value> = (0..opts.users)
        .map(|i| crate::steady::model::load_user(profile, run_id, i))
        .collect();
    let bodies = Arc::new(bodies);
    let results = fan_out(opts.users, opts.concurrency, |i| {
        let (t, rec, bodies) = (t.clone(), rec.clone(), bodies.clone());
        async move {
            let body = &bodies[i];
            let user_name = body["userName"].as_str().unwrap_or_default().to_string();
            let query = requests::user_filter(&user_name);
            send(&t, &rec, "user filter", (Method::Get, &query), None, &[404]).await;
            let created = send(
                &t,
                &rec,
                "user create",
                (Method::Post, "/Users"),
                Some(body),
                &[],
            )
            .await;
            id_of(created.body.as_ref()).map(|id| (id, user_name))
        }
    })
    .await;
    results.into_iter().flatten().collect()
}

/// Okta's group push of one group holding every user: filter, create, then Push Now with the
/// full member list (PATCH replace, or GET + PUT), and a read that verifies the member count.
async fn push_group(
    t: &LoadTarget,
    rec: &Recorder,
    dialect: Dialect,
    run_id: &str,
    users: &[(String, String)],
) -> (Option<String>, Option<Verification>) {
    let name = format!("Load Group {run_id}");
    let query = requests::group_filter(&name);
    send(t, rec, "group filter", (Method::Get, &query), None, &[404]).await;
    let body = requests::group_create(&name, &[]);
    let created = send(
        t,
        rec,
        "group create",
        (Method::Post, "/Groups"),
        Some(&body),
        &[],
    )
    .await;
    let Some(id) = id_of(created.body.as_ref()) else {
        return (
            None,
            Some(verify(false, "the group was not created".into())),
        );
    };
    let path = format!("/Groups/{}", percent_encode(&id));
    match dialect {
        Dialect::Patch => {
            let ops = requests::patch(vec![requests::replace_members_op(users)]);
            send(
                t,
                rec,
                "group push now",
                (Method::Patch, &path),
                Some(&ops),
                &[],
            )
            .await;
        }
        Dialect::Put => {
            let read = send(t, rec, "group read", (Method::Get, &path), None, &[]).await;
            let ok = read.ok();
            let read = read.body.filter(|b| ok && b.is_object()).unwrap_or(body);
            let body = requests::group_push(read, &name, users);
            send(
                t,
                rec,
                "group push now",
                (Method::Put, &path),
                Some(&body),
                &[],
            )
            .await;
        }
    }
    let read = send(t, rec, "group read", (Method::Get, &path), None, &[]).await;
    let expected: HashSet<&str> = users.iter().map(|(id, _)| id.as_str()).collect();
    let held = read
        .body
        .as_ref()
        .and_then(|b| b.get("members"))
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .filter_map(|x| x.get("value").and_then(Value::as_str))
                .filter(|v| expected.contains(v))
                .collect::<HashSet<_>>()
                .len()
        })
        .unwrap_or(0);
    let detail = format!("the group holds {held} of {} members", expected.len());
    (Some(id), Some(verify(held == expected.len(), detail)))
}

/// Okta's import: pages of 100 until totalResults; every created user must be listed. Paging
/// also stops, and says so, when a page is empty or adds no new id before totalResults is
/// reached: a `totalResults` that lies must not turn the import into endless requests.
async fn import(t: &LoadTarget, rec: &Recorder, users: &[(String, String)]) -> Verification {
    let mut seen = HashSet::new();
    let mut start = 1u64;
    let mut stopped = None;
    loop {
        let path = format!("/Users?startIndex={start}&count=100");
        let page = send(t, rec, "import page", (Method::Get, &path), None, &[]).await;
        let before = seen.len();
        let listed = resources(page.body.as_ref());
        for r in &listed {
            if let Some(id) = r.get("id").and_then(Value::as_str) {
                seen.insert(id.to_string());
            }
        }
        let total = total_results(page.body.as_ref());
        let next = start + 100;
        if !page.ok() || next > total || next > 1_000_000 {
            break;
        }
        if listed.is_empty() || seen.len() == before {
            let why = if listed.is_empty() {
                "was empty"
            } else {
                "listed no new user"
            };
            stopped = Some(format!(
                "; paging stopped at startIndex={start}: the page {why} although totalResults is {total}"
            ));
            break;
        }
        start = next;
    }
    let listed = users.iter().filter(|(id, _)| seen.contains(id)).count();
    verify(
        listed == users.len(),
        format!(
            "the import listed {listed} of {} created users{}",
            users.len(),
            stopped.unwrap_or_default()
        ),
    )
}

/// Okta's deactivation of every user (PATCH active:false, or GET + PUT of the read user with
/// active:false, merged as a profile push).
async fn deactivate(
    t: &Arc<LoadTarget>,
    rec: &Arc<Recorder>,
    profile: &Profile,
    users: &[(String, String)],
    opts: LoadOptions,
) -> Verification {
    let ids: Arc<Vec<String>> = Arc::new(users.iter().map(|(id, _)| id.clone()).collect());
    let profile = Arc::new(profile.clone());
    let done = fan_out(ids.len(), opts.concurrency, |i| {
        let (t, rec, ids, profile) = (t.clone(), rec.clone(), ids.clone(), profile.clone());
        async move {
            let path = format!("/Users/{}", percent_encode(&ids[i]));
            let answer = match profile.dialect {
                Dialect::Patch => {
                    let ops = requests::set_active(false);
                    send(
                        &t,
                        &rec,
                        "deactivate",
                        (Method::Patch, &path),
                        Some(&ops),
                        &[],
                    )
                    .await
                }
                Dialect::Put => {
                    let read = send(&t, &rec, "user read", (Method::Get, &path), None, &[]).await;
                    let read = read
                        .body
                        .filter(Value::is_object)
                        .unwrap_or_else(|| json!({}));
                    let mut changes = serde_json::Map::new();
                    changes.insert("active".into(), json!(false));
                    let fallback = read.clone();
                    let body = requests::user_push(&profile, read, changes).unwrap_or(fallback);
                    send(
                        &t,
                        &rec,
                        "deactivate",
                        (Method::Put, &path),
                        Some(&body),
                        &[],
                    )
                    .await
                }
            };
            answer.ok()
        }
    })
    .await;
    let n = done.iter().filter(|ok| **ok).count();
    verify(
        n == ids.len(),
        format!("{n} of {} users deactivated", ids.len()),
    )
}

/// Harness clean-up, not Okta traffic (Okta never deletes users): deletes what the run made.
/// Servers without DELETE /Users (405, 501) are fine; nothing here counts as an error.
async fn clean_up(
    t: &Arc<LoadTarget>,
    rec: &Arc<Recorder>,
    group: Option<&str>,
    users: &[(String, String)],
    opts: LoadOptions,
) {
    if let Some(id) = group {
        let path = format!("/Groups/{}", percent_encode(id));
        send(t, rec, CLEAN_UP, (Method::Delete, &path), None, &[]).await;
    }
    let ids: Arc<Vec<String>> = Arc::new(users.iter().map(|(id, _)| id.clone()).collect());
    fan_out(ids.len(), opts.concurrency, |i| {
        let (t, rec, ids) = (t.clone(), rec.clone(), ids.clone());
        async move {
            let path = format!("/Users/{}", percent_encode(&ids[i]));
            send(&t, &rec, CLEAN_UP, (Method::Delete, &path), None, &[]).await;
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::fan_out;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn results_keep_their_index() {
        let out = runtime().block_on(fan_out(5, 2, |i| async move { i * 10 }));
        assert_eq!(out, vec![0, 10, 20, 30, 40]);
    }

    #[test]
    fn a_panicking_job_is_re_raised_never_dropped() {
        let rt = runtime();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(fan_out(3, 2, |i| async move {
                assert_ne!(i, 1, "job 1 fails");
                i
            }))
        }));
        assert!(
            outcome.is_err(),
            "the panic reached the caller: {outcome:?}"
        );
    }
}
