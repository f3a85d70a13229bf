//! The HTTP client: sends one rendered request with Okta's headers and the run's credentials,
//! bounds time and response size, classifies transport failures, and records the exchange with
//! the Authorization value redacted.

use super::exchange::{Exchange, RecordedRequest, RecordedResponse};
use crate::profile::Auth;
use crate::scenario::Method;
use std::time::{Duration, Instant};

/// Okta's request headers live with Okta's other request shapes.
pub use crate::okta::requests::{OKTA_USER_AGENT, SCIM_JSON, SCIM_JSON_UTF8, okta_headers};

/// Responses larger than this are cut (and marked truncated).
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// How the client reaches the target.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub timeout: Duration,
    pub insecure: bool,
    /// PEM file with extra trusted roots.
    pub ca_cert: Option<std::path::PathBuf>,
}

/// Credentials for the run.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub auth: Auth,
    pub token: String,
}

impl Credentials {
    /// The Authorization header value Okta would send.
    pub fn header_value(&self) -> String {
        use base64::Engine;
        match self.auth {
            Auth::Bearer => format!("Bearer {}", self.token),
            Auth::Header => self.token.clone(),
            Auth::Basic => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(&self.token)
            ),
        }
    }
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    pub method: Method,
    pub url: String,
    /// Final header list (Okta defaults merged with the step's), Authorization included.
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl OutgoingRequest {
    /// A request as Okta sends it: `path` (with any query) under `base_url`, Okta's headers,
    /// the credentials, and `body` as compact JSON.
    pub fn okta(
        method: Method,
        base_url: &str,
        path: &str,
        credentials: Option<&Credentials>,
        body: Option<&serde_json::Value>,
    ) -> OutgoingRequest {
        let mut headers = okta_headers(body.is_some());
        if let Some(c) = credentials {
            headers.push(("Authorization".into(), c.header_value()));
        }
        OutgoingRequest {
            method,
            url: format!("{}{path}", base_url.trim_end_matches('/')),
            headers,
            body: body.map(serde_json::Value::to_string),
        }
    }
}

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportFailure {
    /// Connection refused, DNS failure, unreachable host.
    Unreachable(String),
    /// TLS handshake or certificate failure.
    Tls(String),
    /// No complete response within the timeout.
    Timeout(String),
    /// The connection dropped or the response was malformed.
    Broken(String),
}

impl std::fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportFailure::Unreachable(m) => write!(f, "target unreachable: {m}"),
            TransportFailure::Tls(m) => write!(f, "TLS failure: {m}"),
            TransportFailure::Timeout(m) => write!(f, "timed out: {m}"),
            TransportFailure::Broken(m) => write!(f, "connection failed: {m}"),
        }
    }
}

/// A client error that stops the run before anything is sent.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot read CA certificate {path}: {message}")]
    CaCert { path: String, message: String },
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

/// Sends requests; cheap to clone.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    /// Bytes of a response body kept; the rest is cut and the response marked truncated.
    max_response_bytes: usize,
}

impl Client {
    pub fn new(config: &ClientConfig) -> Result<Client, ClientError> {
        crate::tls::init();
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .no_proxy()
            .redirect(same_host_redirects())
            .danger_accept_invalid_certs(config.insecure);
        if let Some(path) = &config.ca_cert {
            let shown = path.display().to_string();
            let pem = std::fs::read(path).map_err(|e| ClientError::CaCert {
                path: shown.clone(),
                message: e.to_string(),
            })?;
            let certs =
                reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ClientError::CaCert {
                    path: shown.clone(),
                    message: e.to_string(),
                })?;
            if certs.is_empty() {
                return Err(ClientError::CaCert {
                    path: shown,
                    message: "no PEM certificate found".into(),
                });
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Build(e.to_string()))?;
        Ok(Client {
            http,
            max_response_bytes: MAX_RESPONSE_BYTES,
        })
    }

    /// The same client with another response size limit (tests use a small one).
    pub fn with_response_limit(mut self, bytes: usize) -> Client {
        self.max_response_bytes = bytes;
        self
    }

    /// Bytes of a response body kept before it is cut.
    pub fn response_limit(&self) -> usize {
        self.max_response_bytes
    }

    /// Sends one request; never fails: transport problems are recorded in the exchange.
    pub async fn send(&self, req: &OutgoingRequest) -> (Exchange, Option<TransportFailure>) {
        let started = Instant::now();
        let recorded = record_request(req);
        let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes())
            .expect("a SCIM method is a valid HTTP method");
        let result = self
            .send_inner(method, &req.url, &req.headers, req.body.as_deref())
            .await;
        let duration = started.elapsed();
        match result {
            Ok(response) => (
                Exchange {
                    request: recorded,
                    response: Some(response),
                    error: None,
                    duration,
                },
                None,
            ),
            Err(failure) => (
                Exchange {
                    request: recorded,
                    response: None,
                    error: Some(failure.to_string()),
                    duration,
                },
                Some(failure),
            ),
        }
    }

    /// Relays a request with any HTTP method, not only the SCIM ones a scenario sends (the
    /// record proxy forwards whatever its client sends). Nothing is recorded here.
    pub async fn relay(
        &self,
        method: reqwest::Method,
        url: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<RecordedResponse, TransportFailure> {
        self.send_inner(method, url, headers, body).await
    }

    async fn send_inner(
        &self,
        method: reqwest::Method,
        url: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<RecordedResponse, TransportFailure> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| TransportFailure::Broken(format!("invalid URL {url}: {e}")))?;
        let mut builder = self.http.request(method, parsed);
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = body {
            builder = builder.body(body.to_string());
        }
        let mut response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut bytes = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            let room = self.max_response_bytes - bytes.len();
            if chunk.len() > room {
                bytes.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        let json = if truncated || bytes.is_empty() {
            None
        } else {
            serde_json::from_slice(&bytes).ok()
        };
        Ok(RecordedResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            json,
            truncated,
        })
    }
}

/// Follows redirects only within the same host, so the Authorization header never reaches
/// another host.
fn same_host_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt.previous().first().is_some_and(|first| {
            first.host_str() == attempt.url().host_str() && first.port() == attempt.url().port()
        });
        if attempt.previous().len() >= 5 || !same {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

fn record_request(req: &OutgoingRequest) -> RecordedRequest {
    let headers = req
        .headers
        .iter()
        .map(|(k, v)| {
            let value = if k.eq_ignore_ascii_case("authorization") {
                redact_authorization(v)
            } else {
                v.clone()
            };
            (k.clone(), value)
        })
        .collect();
    RecordedRequest {
        method: req.method,
        url: req.url.clone(),
        headers,
        body: req.body.clone(),
    }
}

/// Keeps the scheme word, hides the credential: `Bearer [redacted]`.
fn redact_authorization(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _)) if matches!(scheme.to_ascii_lowercase().as_str(), "bearer" | "basic") => {
            format!("{scheme} [redacted]")
        }
        _ => "[redacted]".into(),
    }
}

/// Classifies by the error types in the source chain, never by the message text (a URL or run id
/// containing "tls" or "certificate" must not turn a dropped connection into a TLS failure).
fn classify(err: reqwest::Error) -> TransportFailure {
    let chain = error_chain(&err);
    let timed_out = err.is_timeout()
        || caused_by(&err, |e| {
            e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        });
    if timed_out {
        TransportFailure::Timeout(chain)
    } else if caused_by(&err, |e| e.is::<rustls::Error>()) {
        TransportFailure::Tls(chain)
    } else if err.is_connect() {
        TransportFailure::Unreachable(chain)
    } else {
        TransportFailure::Broken(chain)
    }
}

/// True when `err` or any error it wraps satisfies `test`. `io::Error` hides the error it wraps
/// from `source()`, so its inner error is visited explicitly.
fn caused_by(
    err: &(dyn std::error::Error + 'static),
    test: impl Fn(&(dyn std::error::Error + 'static)) -> bool,
) -> bool {
    let mut current = Some(err);
    // Bounded: a cyclic chain (a buggy Error impl) cannot loop forever.
    for _ in 0..32 {
        let Some(e) = current else { return false };
        if test(e) {
            return true;
        }
        current = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    false
}

/// The error and its sources on one line, without repeats.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_forms_match_okta() {
        let c = |auth| {
            Credentials {
                auth,
                token: "abc".into(),
            }
            .header_value()
        };
        assert_eq!(c(Auth::Bearer), "Bearer abc");
        assert_eq!(c(Auth::Header), "abc");
        assert_eq!(c(Auth::Basic), "Basic YWJj");
    }

    #[test]
    fn causes_are_found_by_type_through_io_errors() {
        let tls = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::General("bad record".into()),
        );
        assert!(caused_by(&tls, |e| e.is::<rustls::Error>()));
        let text_only = std::io::Error::other("tls handshake certificate failure");
        assert!(!caused_by(&text_only, |e| e.is::<rustls::Error>()));
    }

    #[test]
    fn authorization_is_redacted_in_records() {
        assert_eq!(redact_authorization("Bearer abc"), "Bearer [redacted]");
        assert_eq!(redact_authorization("abc"), "[redacted]");
        assert_eq!(redact_authorization("Basic Zm9v"), "Basic [redacted]");
    }
}
