//! The request pipeline: per request latency/rate-limit quirks, base-path routing, authentication, body limits, dispatch
//! to the endpoint handlers, response headers and the optional one-line access log.

use super::errors::ScimError;
use super::handlers;
use super::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::Response;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Largest request body accepted; larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

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
