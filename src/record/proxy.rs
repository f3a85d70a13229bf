//! The recording reverse proxy: listens on a loopback (or given) address, forwards every
//! request to the target SCIM base URL unchanged (credentials included, as the client sent
//! them), answers with the target's response, and keeps each exchange — without any header —
//! for conversion into a scenario.

use super::convert::{CredentialSeen, Recorded};
use crate::replay::client::Client;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Headers passed back to the client from the target's response.
const PASSED_BACK: &[&str] = &[
    "content-type",
    "location",
    "etag",
    "retry-after",
    "www-authenticate",
];

/// What the proxy has seen so far.
#[derive(Default)]
pub struct Tape {
    pub exchanges: Vec<Recorded>,
    /// Authorization values that went through: never written anywhere.
    pub credentials: Vec<String>,
}

struct Proxy {
    client: Client,
    target: String,
    tape: Arc<Mutex<Tape>>,
    limit: Option<usize>,
    done: tokio::sync::Notify,
}

/// A running proxy. `finished` resolves once `limit` exchanges were recorded.
pub struct RunningProxy {
    pub addr: SocketAddr,
    pub tape: Arc<Mutex<Tape>>,
    proxy: Arc<Proxy>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningProxy {
    /// Waits until the recording limit is reached (forever without a limit).
    pub async fn limit_reached(&self) {
        self.proxy.done.notified().await;
    }

    /// Stops listening and returns what was recorded.
    pub async fn stop(self) -> Tape {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), self.task).await;
        std::mem::take(&mut *self.tape.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Binds `addr` and starts forwarding to `target` (a SCIM base URL).
pub async fn start(
    addr: SocketAddr,
    target: String,
    client: Client,
    limit: Option<usize>,
) -> std::io::Result<RunningProxy> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let tape = Arc::new(Mutex::new(Tape::default()));
    let proxy = Arc::new(Proxy {
        client,
        target: target.trim_end_matches('/').to_string(),
        tape: tape.clone(),
        limit,
        done: tokio::sync::Notify::new(),
    });
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(proxy.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(RunningProxy {
        addr,
        tape,
        proxy,
        stop,
        task,
    })
}

async fn forward(
    State(proxy): State<Arc<Proxy>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let query = uri.query().map(str::to_string);
    let mut url = format!("{}{path}", proxy.target);
    if let Some(q) = &query {
        url.push('?');
        url.push_str(q);
    }
    let forwarded: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "host" | "content-length" | "connection"))
        .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let request_body = (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned());
    let relayed = proxy
        .client
        .relay(method.clone(), &url, &forwarded, request_body.as_deref())
        .await;
    let resp = match relayed {
        Ok(resp) => resp,
        Err(failure) => {
            let mut r = Response::new(Body::from(format!("scimreplay record: {failure}\n")));
            *r.status_mut() = StatusCode::BAD_GATEWAY;
            return r;
        }
    };
    if resp.truncated {
        // Passing on the kept part as the target's answer would hand the client a wrong body
        // under the target's status; nothing of it is recorded either.
        let why = format!(
            "scimreplay record: the target's {} response to {method} {path} is larger than the \
             {} bytes the recorder relays; it was not forwarded or recorded\n",
            resp.status,
            proxy.client.response_limit()
        );
        let mut r = Response::new(Body::from(why));
        *r.status_mut() = StatusCode::BAD_GATEWAY;
        return r;
    }
    {
        let mut tape = proxy.tape.lock().unwrap_or_else(|e| e.into_inner());
        let mut credential = CredentialSeen::Missing;
        for (k, v) in &forwarded {
            if k.eq_ignore_ascii_case("authorization") {
                let n = match tape.credentials.iter().position(|c| c == v) {
                    Some(n) => n,
                    None => {
                        tape.credentials.push(v.clone());
                        tape.credentials.len() - 1
                    }
                };
                credential = CredentialSeen::Value(n);
            }
        }
        tape.exchanges.push(Recorded {
            method: method.to_string(),
            path,
            query,
            request_body,
            status: resp.status,
            response_body: (!resp.body.is_empty()).then(|| resp.body.clone()),
            credential,
        });
        if proxy.limit.is_some_and(|n| tape.exchanges.len() >= n) {
            proxy.done.notify_one();
        }
    }
    let mut out = Response::new(Body::from(resp.body));
    *out.status_mut() = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (k, v) in &resp.headers {
        if PASSED_BACK.contains(&k.to_ascii_lowercase().as_str())
            && let (Ok(name), Ok(value)) = (
                axum::http::HeaderName::try_from(k.as_str()),
                axum::http::HeaderValue::try_from(v.as_str()),
            )
        {
            out.headers_mut().append(name, value);
        }
    }
    out
}
