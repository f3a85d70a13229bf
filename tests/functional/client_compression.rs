//! Okta asks for compressed answers (`Accept-Encoding: gzip,deflate`, docs/okta-reference.md#s2), so
//! the harness does too and reads gzip and deflate bodies as Okta would.

use flate2::Compression;
use flate2::write::{GzEncoder, ZlibEncoder};
use scimreplay::replay::client::{Client, ClientConfig, OutgoingRequest, okta_headers};
use std::io::Write;
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const LIST: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}"#;

async fn answered_with(encoding: &str, body: Vec<u8>) -> serde_json::Value {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        // Okta's exact spelling, without a space.
        .and(|req: &Request| {
            req.headers
                .get("accept-encoding")
                .is_some_and(|v| v.as_bytes() == b"gzip,deflate")
        })
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Content-Encoding", encoding)
                .insert_header("Content-Type", "application/scim+json")
                .set_body_bytes(body),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::new(&ClientConfig {
        timeout: Duration::from_secs(5),
        insecure: false,
        ca_cert: None,
    })
    .unwrap();
    let request = OutgoingRequest {
        method: scimreplay::scenario::Method::Get,
        url: format!("{}/scim/v2/Users?startIndex=1&count=2", server.uri()),
        headers: okta_headers(false),
        body: None,
    };
    let (exchange, failure) = client.send(&request).await;
    assert!(failure.is_none(), "{failure:?}");
    server.verify().await;
    exchange.json().cloned().expect("the decoded body is JSON")
}

#[tokio::test]
async fn gzip_answers_are_decoded() {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(LIST.as_bytes()).unwrap();
    let json = answered_with("gzip", gz.finish().unwrap()).await;
    assert_eq!(json["totalResults"], 0);
}

#[tokio::test]
async fn deflate_answers_are_decoded() {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(LIST.as_bytes()).unwrap();
    let json = answered_with("deflate", z.finish().unwrap()).await;
    assert_eq!(json["itemsPerPage"], 0);
}
