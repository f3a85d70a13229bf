//! The request pipeline: shared state (store, delayed visibility for `stale-reads`), then per
//! request latency/rate-limit quirks, base-path routing, authentication, body limits, dispatch
//! to the endpoint handlers, response headers and the optional one-line access log.

use super::AuthMode;
use super::errors::{SCIM_JSON, ScimError};
use super::handlers;
use super::quirks::Quirks;
use super::schema::ResourceKind;
use super::store::{Resource, Store};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

/// Largest request body accepted; larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// One resource-level change, replayed into the delayed view under `stale-reads`.
pub type Change = (ResourceKind, String, Option<Resource>);

/// What reads see under `stale-reads`: the store as it was `delay` ago.
#[derive(Default)]
pub struct DelayedView {
    store: Store,
    pending: VecDeque<(Instant, Change)>,
}

/// State shared by every request.
pub struct AppState {
    pub auth: AuthMode,
    pub token: Option<String>,
    pub base_path: String,
    pub quirks: Quirks,
    pub verbose: bool,
    /// Stored users and groups past which a create is refused (507).
    pub max_resources: usize,
    store: RwLock<Store>,
    delayed: Option<Mutex<DelayedView>>,
    requests: AtomicU64,
}

impl AppState {
    pub fn new(
        auth: AuthMode,
        token: Option<String>,
        base_path: String,
        quirks: Quirks,
        verbose: bool,
    ) -> Self {
        let delayed = quirks
            .stale_reads
            .map(|_| Mutex::new(DelayedView::default()));
        AppState {
            auth,
            token,
            base_path,
            quirks,
            verbose,
            max_resources: super::DEFAULT_MAX_RESOURCES,
            store: RwLock::new(Store::default()),
            delayed,
            requests: AtomicU64::new(0),
        }
    }

    /// Runs `f` against what reads currently see.
    pub fn read<R>(&self, f: impl FnOnce(&Store) -> R) -> R {
        if let Some(d) = &self.delayed {
            let mut d = d.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            while d.pending.front().is_some_and(|(t, _)| *t <= now) {
                if let Some((_, (kind, id, res))) = d.pending.pop_front() {
                    d.store.apply(kind, &id, res);
                }
            }
            return f(&d.store);
        }
        f(&self.store.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Runs a write against the authoritative store. `f` records the resources it changed.
    pub fn write<R>(&self, f: impl FnOnce(&mut Store, &mut Vec<Change>) -> R) -> R {
        let mut store = self.store.write().unwrap_or_else(|e| e.into_inner());
        let mut changes = Vec::new();
        let out = f(&mut store, &mut changes);
        if let (Some(d), Some(delay)) = (&self.delayed, self.quirks.stale_reads) {
            let mut d = d.lock().unwrap_or_else(|e| e.into_inner());
            let at = Instant::now() + delay;
            d.pending.extend(changes.into_iter().map(|c| (at, c)));
        }
        out
    }
}

/// Adds the SCIM content type to a JSON response.
pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut resp = Response::new(Body::from(body.to_string()));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    resp
}

/// The absolute base URL of this request, from its Host header.
fn request_base(headers: &HeaderMap, base_path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && !h.contains(['/', ' ', '"']))
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}{base_path}")
}

/// The single axum handler: everything goes through here.
pub async fn handle(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string());
    let resp = pipeline(&state, req).await;
    if state.verbose {
        eprintln!(
            "{method} {target} {} {:.1}ms",
            resp.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    resp
}

async fn pipeline(state: &AppState, req: Request) -> Response {
    let q = &state.quirks;
    if let Some(d) = q.slow {
        tokio::time::sleep(d).await;
    }
    let n = state.requests.fetch_add(1, Ordering::Relaxed) + 1;
    for (every, retry_after) in [(q.rate_limit, true), (q.rate_limit_no_retry_after, false)] {
        if let Some(every) = every
            && n.is_multiple_of(every)
        {
            let mut resp = ScimError::new(429, Some("tooMany"), "rate limit exceeded, retry later")
                .into_response(q);
            if retry_after {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            return resp;
        }
    }
    let path = req.uri().path().to_string();
    let Some(rest) = path
        .strip_prefix(state.base_path.as_str())
        .filter(|r| r.is_empty() || r.starts_with('/'))
    else {
        return ScimError::not_found(format!(
            "no SCIM endpoint at '{path}'; the base path is '{}'",
            state.base_path
        ))
        .into_response(q);
    };
    let segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(super::query::form_decode_path)
        .collect();
    if !super::auth::authorized(state.auth, state.token.as_deref(), req.headers()) {
        let mut resp = ScimError::new(
            401,
            None,
            "authentication failed: missing or invalid Authorization header",
        )
        .into_response(q);
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(super::auth::challenge(state.auth)),
        );
        return resp;
    }
    let (parts, body) = req.into_parts();
    let too_large = || {
        ScimError::new(
            413,
            None,
            format!("request body larger than {MAX_BODY_BYTES} bytes"),
        )
        .into_response(q)
    };
    if parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return too_large();
    }
    let bytes = if matches!(parts.method, Method::POST | Method::PUT | Method::PATCH) {
        match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(b) => b,
            Err(_) => return too_large(),
        }
    } else {
        Default::default()
    };
    let ctx = handlers::RequestContext {
        state,
        base: request_base(&parts.headers, &state.base_path),
        method: parts.method.clone(),
        headers: &parts.headers,
        params: super::query::parse_query(parts.uri.query()),
        body: &bytes,
    };
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    match handlers::dispatch(&ctx, &segs) {
        Ok(resp) => resp,
        Err(e) => e.into_response(q),
    }
}
