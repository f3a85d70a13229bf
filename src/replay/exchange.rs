//! One request/response pair with timing: the only thing later stages (checks, snapshots,
//! reports) consume. Secrets are already redacted when an `Exchange` is built.

use crate::scenario::Method;
use crate::secrets::{Secret, scrub as scrub_text};
use serde::Serialize;
use std::time::Duration;

/// A request as it went on the wire (Authorization value redacted, secrets scrubbed).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecordedRequest {
    pub method: Method,
    /// Absolute URL, query included, byte for byte as sent.
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body text as sent, if any.
    pub body: Option<String>,
}

/// A response as received (secrets scrubbed).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecordedResponse {
    pub status: u16,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body decoded as UTF-8 (lossy), truncated at the response size limit.
    pub body: String,
    /// The body parsed as JSON, when it is JSON.
    #[serde(skip)]
    pub json: Option<serde_json::Value>,
    /// True when the body was cut at the size limit.
    pub truncated: bool,
}

impl RecordedResponse {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request/response pair. `response` is `None` when the transport failed (`error` says why).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Exchange {
    pub request: RecordedRequest,
    pub response: Option<RecordedResponse>,
    pub error: Option<String>,
    #[serde(serialize_with = "serialize_millis")]
    pub duration: Duration,
}

impl Exchange {
    /// `METHOD /path?query` relative to the base URL, for one-line displays.
    pub fn request_line(&self, base_url: &str) -> String {
        let rest = self
            .request
            .url
            .strip_prefix(base_url)
            .unwrap_or(&self.request.url);
        format!("{} {}", self.request.method, rest)
    }

    pub fn status(&self) -> Option<u16> {
        self.response.as_ref().map(|r| r.status)
    }

    pub fn json(&self) -> Option<&serde_json::Value> {
        self.response.as_ref().and_then(|r| r.json.as_ref())
    }

    /// Replaces every secret value (in any form, see `crate::secrets`) in the recorded
    /// request, response and error by `[secret:NAME]`; the parsed JSON is re-derived when the
    /// body changed.
    pub fn scrub(&mut self, secrets: &[Secret]) {
        self.request.url = scrub_text(&self.request.url, secrets);
        if let Some(b) = &mut self.request.body {
            *b = scrub_text(b, secrets);
        }
        for (_, v) in &mut self.request.headers {
            *v = scrub_text(v, secrets);
        }
        if let Some(r) = &mut self.response {
            let scrubbed = scrub_text(&r.body, secrets);
            if scrubbed != r.body {
                r.json = serde_json::from_str(&scrubbed).ok();
                r.body = scrubbed;
            }
            for (_, v) in &mut r.headers {
                *v = scrub_text(v, secrets);
            }
        }
        if let Some(e) = &mut self.error {
            *e = scrub_text(e, secrets);
        }
    }
}

pub(crate) fn serialize_millis<S: serde::Serializer>(
    d: &Duration,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0)
}
