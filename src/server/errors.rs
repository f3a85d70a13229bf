//! SCIM error responses (RFC 7644 §3.12) and the server's startup error type, including the
//! error-shape quirks (plain text, HTML, numeric status, missing schema).

use super::quirks::{Quirk, Quirks};
use super::schema::ERROR_SCHEMA;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

/// The SCIM media type used on every response.
pub const SCIM_JSON: &str = "application/scim+json";

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A configuration problem (unknown quirk, missing token, bad base path).
    #[error("{0}")]
    Config(String),
    /// The listening socket could not be bound.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}

/// A SCIM error to be answered.
#[derive(Debug, Clone, PartialEq)]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: u16, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidValue"), detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidSyntax"), detail)
    }

    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidFilter"), detail)
    }

    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidPath"), detail)
    }

    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::new(400, Some("noTarget"), detail)
    }

    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::new(400, Some("mutability"), detail)
    }

    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(409, Some("uniqueness"), detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, None, detail)
    }

    /// The RFC 7644 JSON body (status as a string).
    pub fn body(&self) -> Value {
        let mut v = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            v["scimType"] = json!(t);
        }
        v
    }

    /// Renders the error, applying the error-shape quirks.
    pub fn into_response(self, quirks: &Quirks) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let html = (quirks.on(Quirk::HtmlErrors) && matches!(self.status, 401 | 404))
            || (quirks.on(Quirk::HtmlConflictErrors) && self.status == 409);
        let (content_type, body) = if html {
            let reason = status.canonical_reason().unwrap_or("Error");
            (
                "text/html; charset=utf-8",
                format!(
                    "<!DOCTYPE html>\n<html><head><title>{code} {reason}</title></head>\
                     <body><h1>{code} {reason}</h1><p>{detail}</p></body></html>\n",
                    code = self.status,
                    detail = html_escape(&self.detail)
                ),
            )
        } else if quirks.on(Quirk::PlainTextErrors) {
            (
                "text/plain; charset=utf-8",
                format!("Error {}: {}\n", self.status, self.detail),
            )
        } else {
            let mut v = self.body();
            if quirks.on(Quirk::ErrorStatusNumberOnly) {
                v = json!({"status": self.status, "detail": self.detail});
            } else {
                if quirks.on(Quirk::NumericErrorStatus) {
                    v["status"] = json!(self.status);
                }
                if quirks.on(Quirk::MissingErrorSchema)
                    && let Some(o) = v.as_object_mut()
                {
                    o.remove("schemas");
                }
            }
            (SCIM_JSON, v.to_string())
        };
        let mut resp = Response::new(axum::body::Body::from(body));
        *resp.status_mut() = status;
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        resp
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
