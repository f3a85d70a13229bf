//! What one scenario instance remembers while it runs: bodies to echo in read-modify-write
//! steps, each step's last exchange, the last write per resource (so the next read verifies
//! it), captured ids and per-run values (for snapshot normalization), and what its POSTs
//! created and its DELETEs removed (for the leftover sweep).

use crate::replay::cleanup::Created;
use crate::replay::exchange::Exchange;
use crate::scenario::template::Vars;
use crate::scenario::{Method, Step};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Per-instance memory: echoable bodies, last exchanges, captured ids, per-run values.
#[derive(Default)]
pub(super) struct InstanceState {
    pub(super) bodies: HashMap<String, Value>,
    pub(super) last_exchange: HashMap<String, Exchange>,
    /// The last successful write (POST/PUT/PATCH) per resource path, e.g. `/Users/<id>`.
    pub(super) writes: HashMap<String, Exchange>,
    pub(super) ids: Vec<(String, String)>,
    pub(super) run_values: Vec<(String, String)>,
    /// Every resource a successful POST created, in order.
    pub(super) created: Vec<Created>,
    /// Resource paths (`/Users/<id>`) a DELETE was sent to, whatever it answered.
    pub(super) deleted: HashSet<String>,
    /// The name of the step run last (for reads that directly follow a create).
    pub(super) previous: Option<String>,
}

/// `/Users/<id>` of a URL under the base URL (query dropped).
fn resource_path(url: &str, base_url: &str) -> String {
    let rest = url
        .strip_prefix(base_url.trim_end_matches('/'))
        .unwrap_or(url);
    rest.split('?')
        .next()
        .unwrap_or(rest)
        .trim_end_matches('/')
        .to_string()
}

impl InstanceState {
    /// Notes what each exchange of a step created (a 2xx POST) or deleted (any DELETE).
    pub(super) fn note_created(&mut self, exchanges: &[Exchange], base_url: &str) {
        for ex in exchanges {
            let path = resource_path(&ex.request.url, base_url);
            match ex.request.method {
                Method::Delete => {
                    self.deleted.insert(path);
                }
                Method::Post => self.created.extend(Created::of(&path, ex)),
                _ => {}
            }
        }
    }

    /// Remembers a write so the next read of the same resource verifies it; a failed write
    /// forgets what was known (the server's state is then unknown).
    pub(super) fn note_write(&mut self, ex: &Exchange, base_url: &str) {
        let method = ex.request.method;
        if method == Method::Delete {
            self.writes
                .remove(&resource_path(&ex.request.url, base_url));
            return;
        }
        if !method.is_write() {
            return;
        }
        let mut path = resource_path(&ex.request.url, base_url);
        if method == Method::Post {
            match ex.json().and_then(|b| b.get("id")).and_then(Value::as_str) {
                Some(id) => {
                    path = format!("{path}/{}", crate::scenario::template::percent_encode(id))
                }
                None => return,
            }
        }
        if ex.status().is_some_and(|s| (200..300).contains(&s)) {
            self.writes.insert(path, ex.clone());
        } else {
            self.writes.remove(&path);
        }
    }

    /// Whether `verified` is the successful create sent by the step just before.
    pub(super) fn just_created(&self, verified: Option<&Exchange>) -> bool {
        let previous = self
            .previous
            .as_ref()
            .and_then(|n| self.last_exchange.get(n));
        match (verified, previous) {
            (Some(v), Some(p)) => {
                p.request.method == Method::Post
                    && p.status().is_some_and(|s| (200..300).contains(&s))
                    && v.request.url == p.request.url
                    && v.duration == p.duration
            }
            _ => false,
        }
    }

    /// Captured string values become id placeholders for snapshots, in first-seen order.
    pub(super) fn note_ids(&mut self, step: &Step, vars: &Vars) {
        for name in step.capture.keys() {
            let values: Vec<String> = match vars.get(name).map(|v| &v.value) {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                _ => Vec::new(),
            };
            for v in values {
                if !v.is_empty() && !self.ids.iter().any(|(known, _)| known == &v) {
                    self.ids.push((v, name.clone()));
                }
            }
        }
    }
}
