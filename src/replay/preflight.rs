//! Okta's connection test (`GET /Users?startIndex=1&count=2`), sent before any scenario: what
//! Okta would stop at (unreachable, refused credentials, 404, a web page, an error status, a
//! dropped connection, a token that cannot be sent) stops the run with one clear paragraph.

use super::client::{OutgoingRequest, TransportFailure};
use super::engine::{Engine, RunAbort};
use super::exchange::Exchange;
use crate::scenario::Method;

impl Engine<'_> {
    /// Okta's connection test, sent before anything else: a target that cannot be reached,
    /// refuses the credentials or answers what Okta would stop at (404, a non-SCIM page, a
    /// dropped connection) stops the run (exit 3) instead of failing every step;
    /// `--keep-going` replays anyway past an answer. A token that cannot be sent is exit 2.
    pub async fn preflight(&self) -> Result<(), RunAbort> {
        const PROBE: &str = "/Users?startIndex=1&count=2";
        let request = OutgoingRequest::okta(
            Method::Get,
            &self.base_url,
            PROBE,
            self.credentials.as_ref(),
            None,
        );
        if let Some((name, _)) = request
            .headers
            .iter()
            .find(|(_, v)| reqwest::header::HeaderValue::from_str(v).is_err())
        {
            return Err(RunAbort::BadToken(format!(
                "the token cannot be sent: it makes the {name} header invalid (a line break or control character?); check the value of the token variable"
            )));
        }
        let (exchange, failure) = self.client.send(&request).await;
        let stop = match (failure, exchange.status()) {
            (
                Some(
                    f @ (TransportFailure::Unreachable(_)
                    | TransportFailure::Tls(_)
                    | TransportFailure::Timeout(_)),
                ),
                _,
            ) => return Err(RunAbort::Target(f)),
            (_, Some(s @ (401 | 403))) => {
                return Err(RunAbort::AuthRejected(format!(
                    "Okta's connection test (GET {PROBE}) answered {s}; check the token and --auth mode"
                )));
            }
            (Some(f), _) => Some(format!(
                "the connection was dropped before an answer came back ({f}); check the port and the scheme (http:// or https://)"
            )),
            (None, _) => connection_test_verdict(&exchange),
        };
        match stop {
            Some(what) if !self.controls.keep_going => Err(RunAbort::ConnectionTest(format!(
                "Okta's connection test (GET {PROBE}) failed: {what}. Okta stops at this test, so nothing else can work; scimreplay stops too (--keep-going replays every scenario anyway)."
            ))),
            _ => Ok(()),
        }
    }
}

/// Why Okta would stop at this answer to its connection test, if it would: anything but a
/// 2xx JSON answer (a 404 usually means the base URL lacks its SCIM path).
fn connection_test_verdict(exchange: &Exchange) -> Option<String> {
    let response = exchange.response.as_ref()?;
    let status = response.status;
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default();
    if status == 404 {
        return Some(format!(
            "it answered 404{reason}. The base URL is probably wrong: it must be the URL under which /Users and /Groups are served, which usually ends in /scim/v2 (e.g. https://scim.example.com/scim/v2)"
        ));
    }
    if !(200..300).contains(&status) {
        return Some(format!("it answered {status}{reason} instead of 200"));
    }
    if response.json.is_none() {
        let kind = response
            .header("content-type")
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        return Some(format!(
            "it answered {status} with a body that is not JSON{kind}, so it is not a SCIM ListResponse: the base URL probably points at a web page rather than the SCIM API"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::connection_test_verdict;
    use crate::report::fixtures::exchange;
    use crate::scenario::Method;

    #[test]
    fn okta_stops_at_a_404_a_web_page_or_an_error_status_but_not_at_a_scim_list() {
        let list = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#;
        let probe = "/Users?startIndex=1&count=2";
        assert_eq!(
            connection_test_verdict(&exchange(Method::Get, probe, None, 200, list)),
            None
        );
        let missing = connection_test_verdict(&exchange(Method::Get, probe, None, 404, ""));
        assert!(missing.unwrap().contains("/scim/v2"));
        let page =
            connection_test_verdict(&exchange(Method::Get, probe, None, 200, "<html></html>"));
        assert!(page.unwrap().contains("not JSON"));
        let broken = connection_test_verdict(&exchange(Method::Get, probe, None, 500, "{}"));
        assert!(broken.unwrap().contains("500"));
    }
}
