//! The Authorization header never follows a redirect to another host; same-host redirects are
//! followed with it.

use scimreplay::replay::client::{Client, ClientConfig, OutgoingRequest};
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client() -> Client {
    Client::new(&ClientConfig {
        timeout: Duration::from_secs(5),
        insecure: false,
        ca_cert: None,
    })
    .unwrap()
}

fn get(url: String) -> OutgoingRequest {
    OutgoingRequest {
        method: scimreplay::scenario::Method::Get,
        url,
        headers: vec![("Authorization".into(), "Bearer secret-token".into())],
        body: None,
    }
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed() {
    let other = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&other)
        .await;
    let target = MockServer::builder().start().await;
    // `localhost` is another host name than the `127.0.0.1` the request went to.
    let elsewhere = format!("http://localhost:{}/Users", other.address().port());
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", elsewhere.as_str()))
        .mount(&target)
        .await;
    let (exchange, failure) = client()
        .send(&get(format!("{}/scim/v2/Users", target.uri())))
        .await;
    assert!(failure.is_none());
    assert_eq!(
        exchange.status(),
        Some(307),
        "the redirect is reported, not followed"
    );
    other.verify().await;
}

#[tokio::test]
async fn a_same_host_redirect_keeps_the_credentials() {
    let target = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/old/Users"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "/new/Users"))
        .mount(&target)
        .await;
    Mock::given(method("GET"))
        .and(path("/new/Users"))
        .and(header("authorization", "Bearer secret-token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(1)
        .mount(&target)
        .await;
    let (exchange, _) = client()
        .send(&get(format!("{}/old/Users", target.uri())))
        .await;
    assert_eq!(exchange.status(), Some(200));
    let recorded = &exchange.request.headers;
    assert!(
        recorded
            .iter()
            .any(|(k, v)| k == "Authorization" && v == "Bearer [redacted]"),
        "{recorded:?}"
    );
}
