//! Named Okta checks: the registry (stable id, severity, fix hint, protocol reference) and the
//! check functions that judge exchanges. A failed check is a result, never an `Err` or panic.
//! The types every check file shares (`CheckInput`, `RequestKind`, `Verdict`) live here, so the
//! dispatcher (`rules`) and the check bodies only ever depend on this file, never on each other.

pub mod drift;
mod filters;
pub mod matrix;
pub mod registry;
mod resources;
pub mod rules;
mod write_effects;

pub use registry::{CHECKS, CheckDef, CheckId, Evidence, Severity, find};

use crate::replay::exchange::Exchange;
use crate::scenario::Method;
use serde_json::Value;

/// What a check concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    NotApplicable,
    Pass,
    Fail(String),
}

/// Which resource endpoint a request addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Users,
    Groups,
    Other,
}

/// A request classified by method and path.
#[derive(Debug, Clone)]
pub struct RequestKind {
    /// `None` for a method no scenario sends.
    pub method: Option<Method>,
    pub resource: Resource,
    /// True for `/Users/{id}` and `/Groups/{id}`.
    pub by_id: bool,
    /// The decoded `filter` query parameter, if any.
    pub filter: Option<String>,
}

impl RequestKind {
    pub fn of(exchange: &Exchange, base_url: &str) -> RequestKind {
        let url = &exchange.request.url;
        let rest = url
            .strip_prefix(base_url.trim_end_matches('/'))
            .unwrap_or(url);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let resource = match segs.first().copied() {
            Some("Users") => Resource::Users,
            Some("Groups") => Resource::Groups,
            _ => Resource::Other,
        };
        let filter = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "filter")
            .map(|(_, v)| decode_query_value(v));
        RequestKind {
            method: Some(exchange.request.method),
            resource,
            by_id: segs.len() == 2,
            filter,
        }
    }

    fn is_collection_get(&self) -> bool {
        self.is(Method::Get) && self.resource != Resource::Other && !self.by_id
    }

    /// Whether the request used `method`.
    pub fn is(&self, method: Method) -> bool {
        self.method == Some(method)
    }
}

/// Form-urlencoded decoding: `+` is a space, `%XX` a byte.
pub fn decode_query_value(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Everything a check may look at.
pub struct CheckInput<'a> {
    /// The judged exchange (the step's last).
    pub exchange: &'a Exchange,
    /// Every exchange of the step (several for pages, repeats, retries).
    pub exchanges: &'a [Exchange],
    pub kind: RequestKind,
    /// The last exchange of the write step this read verifies (`verifies:`).
    pub verified: Option<&'a Exchange>,
}

/// How a JSON value's type reads in a message: `a string`, `null`.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
