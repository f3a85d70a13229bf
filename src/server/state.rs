//! The state every request shares: the store, the delayed view that `stale-reads` serves reads
//! from, the request counter, and the SCIM JSON response every handler answers with.

use super::AuthMode;
use super::errors::SCIM_JSON;
use super::quirks::Quirks;
use super::schema::ResourceKind;
use super::store::{Resource, Store};
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use std::collections::VecDeque;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, RwLock};
use std::time::Instant;

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
    pub(super) requests: AtomicU64,
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
