//! Executes one step: renders each iteration (repeat / for_each / pages), sends it with Okta's
//! 429 handling and optional `eventually` polling, then captures values and judges the result.

use super::assert;
use super::client::{Client, OutgoingRequest, TransportFailure};
use super::controls::SettleObservation;
use super::exchange::Exchange;
use super::render::{RenderContext, RenderError, render_request};
use super::result::{AssertionOutcome, CheckOutcome};
use crate::check::{self, CheckId, CheckInput, RequestKind, Verdict};
use crate::scenario::Step;
use crate::scenario::template::{TemplateError, Vars};
use serde_json::{Value, json};
use serde_json_path::JsonPath;
use std::time::{Duration, Instant};

/// Okta retries a 429 at most this many times (docs/okta-reference.md#s6).
const MAX_429_ATTEMPTS: u32 = 10;
/// The longest a request may spend waiting out 429s in total, whatever `Retry-After` says:
/// past it the last 429 is the answer (documented in docs/reports.md).
pub const MAX_429_TOTAL_WAIT: Duration = Duration::from_secs(120);
/// Pages Okta would read at most before the harness gives up on a runaway `totalResults`.
const MAX_PAGES: u32 = 200;

/// Run-wide settings a step needs.
pub struct StepSettings<'a> {
    pub client: &'a Client,
    pub base_url: &'a str,
    /// Longest wait honoured for a 429 (Okta waits Retry-After seconds, or 5 minutes).
    pub max_retry_wait: Duration,
    /// How long a verifying read (`verifies:`) is re-sent until the write shows (eventual consistency).
    pub read_settle: Duration,
    /// The lag the run has learned for this target so far (see [`super::controls::Settle`]).
    pub lag: Option<Duration>,
}

impl<'a> StepSettings<'a> {
    /// Settings for requests that are sent once and never re-read for consistency (the
    /// leftover sweep, the steady pass's own session, `load`).
    pub fn without_settle(client: &'a Client, base_url: &'a str, max_retry_wait: Duration) -> Self {
        StepSettings {
            client,
            base_url,
            max_retry_wait,
            read_settle: Duration::ZERO,
            lag: None,
        }
    }
}

/// Checks every verifying read gets, whether listed or not.
const VERIFY_CHECKS: [CheckId; 2] = [CheckId::ReadAfterWrite, CheckId::SteadyStateFidelity];

/// The named checks of a step: those listed, plus the verify checks on a read that verifies a write.
fn named_checks(step: &Step, verifying: bool) -> Vec<CheckId> {
    let mut ids: Vec<CheckId> = step.expect.checks.clone();
    if verifying {
        ids.extend(
            VERIFY_CHECKS
                .iter()
                .filter(|c| !ids.contains(c))
                .collect::<Vec<_>>(),
        );
    }
    ids
}

/// What running a step produced, before snapshots.
pub struct StepRun {
    pub exchanges: Vec<Exchange>,
    pub attempts: u32,
    pub assertions: Vec<AssertionOutcome>,
    pub checks: Vec<CheckOutcome>,
    pub error: Option<String>,
    /// The step could not run because a variable it needs is missing.
    pub skipped: bool,
    /// A transport failure that means the target is gone (unreachable or TLS).
    pub fatal: Option<TransportFailure>,
    /// What re-sending a failing read showed about the target's consistency.
    pub settle: Option<SettleObservation>,
}

/// Runs a step. `verified` is the last exchange of the step named by `verifies:`.
pub async fn run_step(
    step: &Step,
    vars: &mut Vars,
    ctx: &RenderContext<'_>,
    settings: &StepSettings<'_>,
    verified: Option<&Exchange>,
) -> StepRun {
    let resettles = step.pages
        && step.request.method == crate::scenario::model::Method::Get
        && !settings.read_settle.is_zero();
    if !resettles {
        return run_step_once(step, vars, ctx, settings, verified).await;
    }
    // A page walk is judged as a whole (e.g. `paging.complete`); on an eventually consistent
    // server the whole walk is re-read until it passes or `--read-settle` runs out, and the
    // lag shows as attempts.
    let deadline = Instant::now() + settings.read_settle;
    let mut earlier_attempts = 0;
    loop {
        let before = vars.clone();
        let mut run = run_step_once(step, vars, ctx, settings, verified).await;
        let failed =
            run.assertions.iter().any(|a| !a.passed) || run.checks.iter().any(|c| !c.passed);
        let settled = !failed || run.error.is_some() || run.skipped;
        if settled || Instant::now() + WALK_RETRY_INTERVAL >= deadline {
            if !settled {
                run.settle = Some(SettleObservation::Exhausted);
            }
            run.attempts += earlier_attempts;
            return run;
        }
        earlier_attempts += run.attempts;
        *vars = before;
        tokio::time::sleep(WALK_RETRY_INTERVAL).await;
    }
}

/// Pause between two walks of a paged read that has not settled yet.
const WALK_RETRY_INTERVAL: Duration = Duration::from_millis(100);

async fn run_step_once(
    step: &Step,
    vars: &mut Vars,
    ctx: &RenderContext<'_>,
    settings: &StepSettings<'_>,
    verified: Option<&Exchange>,
) -> StepRun {
    let mut run = StepRun {
        exchanges: Vec::new(),
        attempts: 0,
        assertions: Vec::new(),
        checks: Vec::new(),
        error: None,
        skipped: false,
        fatal: None,
        settle: None,
    };
    let iterations = match iteration_values(step, vars) {
        Ok(i) => i,
        Err(e) => return skipped(run, e),
    };
    let mut collected: Vec<(String, Vec<Value>)> = step
        .capture
        .keys()
        .map(|k| (k.clone(), Vec::new()))
        .collect();
    let mut index = 0usize;
    let mut start_index: u64 = 1;
    loop {
        let mut iter_vars = vars.clone();
        match &iterations {
            Iterations::Once => {}
            Iterations::Values(name, values) => match values.get(index) {
                Some(v) => iter_vars.set(name.clone(), v.clone()),
                None => break,
            },
            Iterations::Pages => iter_vars.set("start_index", json!(start_index)),
        }
        let request = match render_request(&step.name, &step.request, &iter_vars, ctx) {
            Ok(r) => r,
            Err(RenderError::Template(TemplateError::Missing(name))) => {
                return skipped(
                    run,
                    format!("variable `{name}` is not set (an earlier step failed or was skipped)"),
                );
            }
            Err(e) => {
                run.error = Some(e.to_string());
                return run;
            }
        };
        let (exchanges, attempts, fatal, observed) =
            send_judged(step, &request, &iter_vars, settings, verified).await;
        run.attempts += attempts;
        run.settle = run.settle.or(observed);
        let first_new = run.exchanges.len();
        run.exchanges.extend(exchanges);
        if let Some(f) = fatal {
            run.error = Some(f.to_string());
            if matches!(
                f,
                TransportFailure::Unreachable(_) | TransportFailure::Tls(_)
            ) {
                run.fatal = Some(f);
            }
            break;
        }
        let Some(last) = run.exchanges.last().cloned() else {
            break;
        };
        let iteration = run.exchanges[first_new..].to_vec();
        judge_iteration(
            step,
            &iteration,
            &iter_vars,
            settings.base_url,
            verified,
            &mut run,
        );
        for (name, values) in &mut collected {
            if let Some(v) = capture(&step.capture[name.as_str()], &last) {
                values.push(v);
            }
        }
        index += 1;
        match &iterations {
            Iterations::Once => break,
            Iterations::Values(..) => {}
            Iterations::Pages => {
                let total = last
                    .json()
                    .and_then(|b| b.get("totalResults"))
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                start_index += 100;
                if start_index > total || index as u32 >= MAX_PAGES {
                    break;
                }
            }
        }
    }
    store_captures(
        step,
        collected,
        matches!(iterations, Iterations::Once),
        vars,
        &mut run,
    );
    run_named_checks(step, settings.base_url, verified, &mut run);
    run
}

fn skipped(mut run: StepRun, why: String) -> StepRun {
    run.skipped = true;
    run.error = Some(why);
    run
}

enum Iterations {
    Once,
    Values(String, Vec<Value>),
    Pages,
}

fn iteration_values(step: &Step, vars: &Vars) -> Result<Iterations, String> {
    if let Some(n) = step.repeat {
        return Ok(Iterations::Values(
            "i".into(),
            (1..=n).map(|i| json!(i)).collect(),
        ));
    }
    if let Some(name) = &step.for_each {
        let var = vars.get(name).ok_or_else(|| {
            format!("variable `{name}` is not set (an earlier step failed or was skipped)")
        })?;
        return match &var.value {
            Value::Array(items) => Ok(Iterations::Values("item".into(), items.clone())),
            other => Ok(Iterations::Values("item".into(), vec![other.clone()])),
        };
    }
    Ok(if step.pages {
        Iterations::Pages
    } else {
        Iterations::Once
    })
}

fn is_loop(step: &Step) -> bool {
    step.repeat.is_some() || step.for_each.is_some() || step.pages
}

/// Sends a request, honouring 429 + Retry-After as Okta does and `eventually` polling; also
/// says what a settled read showed about the target's consistency.
async fn send_judged(
    step: &Step,
    request: &OutgoingRequest,
    vars: &Vars,
    settings: &StepSettings<'_>,
    verified: Option<&Exchange>,
) -> (
    Vec<Exchange>,
    u32,
    Option<TransportFailure>,
    Option<SettleObservation>,
) {
    let settles = (step.eventually.is_some()
        || verified.is_some()
        || step.request.method == crate::scenario::Method::Get)
        && !is_loop(step);
    let deadline = match &step.eventually {
        // `eventually:` polls for consistency too: bounded by the same adaptive settle.
        Some(e) if !settings.read_settle.is_zero() => {
            let timeout = humantime::parse_duration(&e.timeout).unwrap_or(Duration::from_secs(5));
            let interval =
                humantime::parse_duration(&e.interval).unwrap_or(Duration::from_millis(250));
            Some((Instant::now() + timeout.min(settings.read_settle), interval))
        }
        Some(_) => None,
        // A read (GET) is side-effect free: re-sent until it passes, for eventually consistent
        // servers; the lag shows as extra attempts.
        None if settles && !settings.read_settle.is_zero() => Some((
            Instant::now() + settings.read_settle,
            Duration::from_millis(100),
        )),
        None => None,
    };
    let mut exchanges = Vec::new();
    let mut attempts = 0;
    let mut sends = 0;
    let first_sent = Instant::now();
    // when the latest failing send and the current one started: the write showed in between
    let mut sent_at = Duration::ZERO;
    loop {
        let failed_at = std::mem::replace(&mut sent_at, first_sent.elapsed());
        let (mut got, n, fatal) = send_with_rate_limit(request, settings).await;
        attempts += n;
        sends += 1;
        let passed = fatal.is_none()
            && got.last().is_some_and(|last| {
                iteration_passes(step, last, vars, settings.base_url, verified)
            });
        exchanges.append(&mut got);
        let exhausted = !passed && fatal.is_none() && deadline.is_some() && settles;
        let observed = if exhausted {
            Some(SettleObservation::Exhausted)
        } else if passed && sends > 1 && settles {
            // the write showed after the last failing send, and (polling in steps) less than
            // a step before the passing one: the middle of that window is the lag
            let step = deadline.map_or(Duration::ZERO, |(_, interval)| {
                super::controls::resend_pause(settings.lag, interval, sent_at, 2)
            });
            let shown_after = failed_at.max(sent_at.saturating_sub(step));
            Some(SettleObservation::Converged((shown_after + sent_at) / 2))
        } else {
            None
        };
        let pause = deadline.map(|(_, interval)| {
            super::controls::resend_pause(settings.lag, interval, first_sent.elapsed(), sends)
        });
        match deadline {
            Some((until, _))
                if !passed
                    && fatal.is_none()
                    && Instant::now() + pause.unwrap_or_default() < until =>
            {
                if settles && sends == 1 && settings.read_settle > Duration::from_secs(1) {
                    super::controls::announce(
                        "settle",
                        &format!(
                            "a read after a write does not show it yet: re-sending it for up to {} (--read-settle) in case the target is eventually consistent",
                            humantime::format_duration(settings.read_settle)
                        ),
                    );
                }
                tokio::time::sleep(pause.unwrap_or_default()).await;
            }
            _ => return (exchanges, attempts, fatal, observed),
        }
    }
}

pub(crate) async fn send_with_rate_limit(
    request: &OutgoingRequest,
    settings: &StepSettings<'_>,
) -> (Vec<Exchange>, u32, Option<TransportFailure>) {
    let mut exchanges = Vec::new();
    let mut waited = Duration::ZERO;
    for attempt in 1..=MAX_429_ATTEMPTS {
        let (exchange, failure) = settings.client.send(request).await;
        let retry = exchange.status() == Some(429)
            && attempt < MAX_429_ATTEMPTS
            && waited < MAX_429_TOTAL_WAIT;
        let wait = exchange
            .response
            .as_ref()
            .and_then(|r| r.header("retry-after"))
            .and_then(|h| h.trim().parse::<u64>().ok());
        exchanges.push(exchange);
        if failure.is_some() || !retry {
            return (exchanges, attempt, failure);
        }
        // Okta waits Retry-After seconds (5 minutes without a usable header), doubling on each
        // further 429; the harness caps each wait and their total.
        let doubling = 1u64 << (attempt - 1).min(16);
        let wait = Duration::from_secs(wait.unwrap_or(300).saturating_mul(doubling))
            .min(settings.max_retry_wait)
            .min(MAX_429_TOTAL_WAIT - waited);
        if wait > Duration::from_secs(1) {
            super::controls::announce(
                "429",
                &format!(
                    "the target answered 429 Too Many Requests: waiting {} before retrying, as Okta does (capped by --max-retry-wait)",
                    humantime::format_duration(wait)
                ),
            );
        }
        waited += wait;
        tokio::time::sleep(wait).await;
    }
    let n = exchanges.len() as u32;
    (exchanges, n, None)
}

/// Whether an attempt satisfies the step's assertions and named checks (for `eventually`).
fn iteration_passes(
    step: &Step,
    last: &Exchange,
    vars: &Vars,
    base_url: &str,
    verified: Option<&Exchange>,
) -> bool {
    if !assert::evaluate(&step.expect, last, vars)
        .iter()
        .all(|a| a.passed)
    {
        return false;
    }
    let input = CheckInput {
        exchange: last,
        exchanges: std::slice::from_ref(last),
        kind: RequestKind::of(last, base_url),
        verified,
    };
    named_checks(step, verified.is_some())
        .iter()
        .all(|id| !matches!(check::rules::run(*id, &input), Verdict::Fail(_)))
}

/// Judges one iteration (its exchanges: retried 429s, then the answer): the step's assertions
/// and the automatic checks. One outcome is kept per assertion and check; a failure wins.
fn judge_iteration(
    step: &Step,
    iteration: &[Exchange],
    vars: &Vars,
    base_url: &str,
    verified: Option<&Exchange>,
    run: &mut StepRun,
) {
    let Some(last) = iteration.last() else { return };
    for a in assert::evaluate(&step.expect, last, vars) {
        match run
            .assertions
            .iter_mut()
            .find(|b| b.description == a.description)
        {
            Some(existing) if existing.passed && !a.passed => *existing = a,
            Some(_) => {}
            None => run.assertions.push(a),
        }
    }
    let input = CheckInput {
        exchange: last,
        exchanges: iteration,
        kind: RequestKind::of(last, base_url),
        verified,
    };
    let named = named_checks(step, verified.is_some());
    for id in check::rules::automatic(&input) {
        if !named.contains(&id) {
            record_check(id, check::rules::run(id, &input), &mut run.checks);
        }
    }
}

fn run_named_checks(step: &Step, base_url: &str, verified: Option<&Exchange>, run: &mut StepRun) {
    let Some(last) = run.exchanges.last() else {
        return;
    };
    let input = CheckInput {
        exchange: last,
        exchanges: &run.exchanges,
        kind: RequestKind::of(last, base_url),
        verified,
    };
    let mut outcomes = Vec::new();
    for id in named_checks(step, verified.is_some()) {
        record_check(id, check::rules::run(id, &input), &mut outcomes);
    }
    run.checks.extend(outcomes);
}

/// Adds a check outcome; a failure replaces an earlier pass of the same id, the first failure wins.
fn record_check(check: CheckId, verdict: Verdict, checks: &mut Vec<CheckOutcome>) {
    let def = check.def();
    let id = def.id;
    let (passed, message) = match verdict {
        Verdict::NotApplicable => return,
        Verdict::Pass => (true, String::new()),
        Verdict::Fail(m) => (false, m),
    };
    if let Some(existing) = checks.iter_mut().find(|c| c.id == id) {
        if existing.passed && !passed {
            existing.passed = false;
            existing.message = message;
        }
        return;
    }
    checks.push(CheckOutcome {
        id: id.to_string(),
        severity: def.severity,
        passed,
        message,
        hint: def.hint.to_string(),
        reference: def.reference.to_string(),
    });
}

fn capture(spec: &crate::scenario::CaptureSpec, exchange: &Exchange) -> Option<Value> {
    if let Some(header) = &spec.header {
        return exchange.response.as_ref()?.header(header).map(|h| json!(h));
    }
    let path = JsonPath::parse(spec.json.as_deref()?).ok()?;
    path.query(exchange.json()?).first().cloned()
}

fn store_captures(
    step: &Step,
    collected: Vec<(String, Vec<Value>)>,
    single: bool,
    vars: &mut Vars,
    run: &mut StepRun,
) {
    for (name, mut values) in collected {
        let secret = step.capture[name.as_str()].secret;
        let value = if single {
            match values.pop() {
                Some(v) => v,
                None => {
                    if !spec_optional(step, &name)
                        && run.exchanges.iter().any(|e| e.response.is_some())
                    {
                        run.error.get_or_insert_with(|| {
                            format!("capture `{name}` found nothing in the response")
                        });
                    }
                    continue;
                }
            }
        } else {
            Value::Array(values)
        };
        if secret {
            vars.set_secret(name, value)
        } else {
            vars.set(name, value)
        }
    }
}

fn spec_optional(step: &Step, name: &str) -> bool {
    step.capture.get(name).is_some_and(|c| c.optional)
}
