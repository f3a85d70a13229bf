//! Normalization: turns a response into a canonical, run-independent JSON document (sorted
//! keys, set-like arrays ordered, server ids replaced by capture names, timestamps/versions
//! validated then replaced, base URL replaced, secrets scrubbed).

mod canonical;
mod paths;
mod redact;

pub use paths::json_changed_paths;

use crate::replay::exchange::RecordedResponse;
use crate::secrets::Secret;
use canonical::{Canonicalizer, placeholder};
use redact::Replacer;
use serde_json::{Map, Value};

/// Response headers kept in a normalized document (lower-cased names), in this order.
pub const SELECTED_HEADERS: &[&str] = &[
    "content-type",
    "location",
    "etag",
    "www-authenticate",
    "retry-after",
];

/// What normalization needs to know about the run.
#[derive(Debug, Clone, Copy)]
pub struct NormalizeContext<'a> {
    /// The target's base URL, e.g. `http://127.0.0.1:41234/scim/v2`; becomes `{{base}}`.
    pub base_url: &'a str,
    /// `(value, name)`: server-issued ids captured so far, in the order first captured. A string
    /// equal to a value (or a URL path segment equal to it) becomes `{{name}}`.
    pub ids: &'a [(String, String)],
    /// `(value, name)`: per-run generated values; every occurrence becomes `{{name}}`.
    pub run_values: &'a [(String, String)],
    /// Every occurrence of a secret's value, in any form, becomes `[secret:NAME]`.
    pub secrets: &'a [Secret],
}

/// A canonical document plus what could not be normalized (e.g. an invalid timestamp).
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// `{"status": …, "headers": {…}, "body": …}`.
    pub document: Value,
    /// One line per problem, e.g. `body.meta.created: "yesterday" is not an RFC 3339 date-time`.
    pub problems: Vec<String>,
}

/// Normalizes status, selected headers and body of `resp`. Never panics.
pub fn normalize_response(resp: &RecordedResponse, ctx: &NormalizeContext) -> Normalized {
    let mut canon = canonicalizer(ctx);
    let headers = headers(resp, &mut canon);
    let body = body(resp, &mut canon);
    let mut document = Map::new();
    document.insert("status".into(), Value::from(resp.status));
    document.insert("headers".into(), Value::Object(headers));
    document.insert("body".into(), body);
    document.sort_keys();
    Normalized {
        document: Value::Object(document),
        problems: canon.problems,
    }
}

/// Ids at least this long are replaced wherever they occur.
const MIN_ANYWHERE_ID: usize = 8;

fn canonicalizer<'a>(ctx: &NormalizeContext<'a>) -> Canonicalizer<'a> {
    let mut strings = Replacer::default();
    let base = ctx.base_url.trim_end_matches('/');
    strings.anywhere(base, "{{base}}".into());
    for (value, name) in ctx.ids {
        // Long ids (UUIDs, Okta-style ids) are unambiguous anywhere, e.g. inside an error
        // `detail`; short ones (`1`, `42`) only as whole URL path segments.
        if value.chars().count() >= MIN_ANYWHERE_ID {
            strings.anywhere(value, placeholder(name));
        } else {
            strings.segment(value, placeholder(name));
        }
    }
    for (value, name) in ctx.run_values {
        strings.anywhere(value, placeholder(name));
    }
    Canonicalizer {
        secrets: ctx.secrets,
        strings,
        ids: ctx.ids,
        problems: Vec::new(),
    }
}

fn headers(resp: &RecordedResponse, canon: &mut Canonicalizer) -> Map<String, Value> {
    let mut out = Map::new();
    for &name in SELECTED_HEADERS {
        let values: Vec<&str> = resp
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            continue;
        }
        let joined = Value::String(values.join(", "));
        let value = if name == "etag" {
            canon.version(&joined, &format!("headers.{name}"))
        } else {
            canon.value(&joined, &format!("headers.{name}"))
        };
        out.insert(name.to_string(), value);
    }
    out.sort_keys();
    out
}

fn body(resp: &RecordedResponse, canon: &mut Canonicalizer) -> Value {
    if resp.truncated {
        canon
            .problems
            .push("body: truncated at the response size limit".into());
    }
    match &resp.json {
        Some(json) => canon.value(json, "body"),
        None if resp.body.is_empty() => Value::Null,
        None => Value::String(canon.string(&resp.body)),
    }
}

#[cfg(test)]
mod tests;
