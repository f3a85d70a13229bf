//! Shared helpers of the reference-server integration tests: start a server on a loopback
//! ephemeral port, send requests (plain or with Okta's exact headers), read responses.

use reqwest::Method;
use scimreplay::server::{AuthMode, RunningServer, ServerConfig};
use serde_json::Value;

pub const TOKEN: &str = "T0ken-for-tests";

pub struct Srv {
    pub server: RunningServer,
    pub client: reqwest::Client,
    pub base: String,
    pub auth: String,
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }
    /// Asserts an RFC 7644 SCIM error with this status (and scimType when given).
    pub fn assert_scim_error(&self, status: u16, scim_type: Option<&str>) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert!(
            self.content_type().starts_with("application/scim+json"),
            "{}",
            self.content_type()
        );
        let v = self.json();
        assert_eq!(
            v["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
            "{v}"
        );
        assert_eq!(v["status"], status.to_string(), "{v}");
        assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty()), "{v}");
        if let Some(t) = scim_type {
            assert_eq!(v["scimType"], t, "{v}");
        }
        v
    }
}

pub async fn start_with(config: ServerConfig) -> Srv {
    scimreplay::tls::init();
    let auth = match config.auth {
        AuthMode::Bearer => format!("Bearer {}", config.token.clone().unwrap_or_default()),
        AuthMode::Header => config.token.clone().unwrap_or_default(),
        AuthMode::Basic => {
            use base64::Engine;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(config.token.clone().unwrap_or_default())
            )
        }
        AuthMode::None => String::new(),
    };
    let server = scimreplay::server::start(config)
        .await
        .expect("server starts");
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .expect("client");
    let base = server.base_url().to_string();
    Srv {
        server,
        client,
        base,
        auth,
    }
}

pub async fn start(quirks: &[&str]) -> Srv {
    start_with(ServerConfig {
        token: Some(TOKEN.into()),
        quirks: quirks.iter().map(|q| q.to_string()).collect(),
        ..Default::default()
    })
    .await
}

impl Srv {
    /// A request with Okta's exact headers; `path_and_query` is appended to the base URL as is.
    pub async fn okta(&self, method: &str, path_and_query: &str, body: Option<&Value>) -> Resp {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self
            .client
            .request(m, format!("{}{}", self.base, path_and_query))
            .header("User-Agent", "Okta SCIM Client 1.0.0")
            .header("Accept", "application/scim+json")
            .header("Accept-Charset", "utf-8")
            .header("Accept-Encoding", "gzip,deflate");
        if !self.auth.is_empty() {
            rb = rb.header("Authorization", &self.auth);
        }
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/scim+json; charset=utf-8")
                .body(b.to_string());
        }
        send(rb).await
    }

    /// A plain request with `application/json` bodies.
    pub async fn req(&self, method: &str, path_and_query: &str, body: Option<&Value>) -> Resp {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self
            .client
            .request(m, format!("{}{}", self.base, path_and_query));
        if !self.auth.is_empty() {
            rb = rb.header("Authorization", &self.auth);
        }
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        send(rb).await
    }

    /// A request with a raw body and optional extra headers.
    pub async fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self
            .client
            .request(m, format!("{}{}", self.base, path_and_query))
            .header("Content-Type", "application/scim+json")
            .body(body);
        let mut has_auth = false;
        for (k, v) in headers {
            has_auth |= k.eq_ignore_ascii_case("authorization");
            rb = rb.header(*k, *v);
        }
        if !has_auth && !self.auth.is_empty() {
            rb = rb.header("Authorization", &self.auth);
        }
        send(rb).await
    }

    pub async fn create_user(&self, user_name: &str) -> Value {
        let r = self
            .okta("POST", "/Users", Some(&okta_user(user_name)))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()
    }

    pub async fn create_group(&self, name: &str, members: &[&str]) -> Value {
        let members: Vec<Value> = members
            .iter()
            .map(|m| serde_json::json!({"value": m}))
            .collect();
        let body = serde_json::json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": name,
            "members": members,
        });
        let r = self.okta("POST", "/Groups", Some(&body)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()
    }

    pub async fn stop(self) {
        self.server.shutdown().await;
    }
}

async fn send(rb: reqwest::RequestBuilder) -> Resp {
    let resp = rb.send().await.expect("request sent");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    Resp {
        status,
        headers,
        text,
    }
}

/// Okta's create-user body (docs/okta-reference.md#s4-3).
pub fn okta_user(user_name: &str) -> Value {
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": { "givenName": "Test", "familyName": "User" },
        "emails": [{ "primary": true, "value": user_name, "type": "work" }],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": true
    })
}

/// The encoded filter query Okta sends (`%20` form).
pub fn okta_filter(attr: &str, value: &str) -> String {
    let enc: String = value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect();
    format!("filter={attr}%20eq%20%22{enc}%22&startIndex=1&count=100")
}
