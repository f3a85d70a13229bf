//! The leftover sweep that ends every scenario instance with a teardown: a resource one of its
//! POSTs created and its teardown did not delete (a duplicate the server should have refused with 409, a
//! create answered without an id) is deleted here, so no later scenario meets it. Only
//! resources this instance created are touched: by the id its own POST returned, or, when the
//! POST returned none, by an exact match of the unique name the POST sent.

use super::client::{Credentials, OutgoingRequest};
use super::exchange::Exchange;
use super::step::{StepSettings, send_with_rate_limit};
use crate::scenario::Method;
use crate::scenario::template::percent_encode;
use serde_json::Value;
use std::collections::HashSet;

/// A resource a successful POST of the instance created.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Created {
    /// `/Users` or `/Groups` (the POST's path under the base URL).
    pub(super) collection: String,
    /// The id the response carried, if any.
    pub(super) id: Option<String>,
    /// The unique name the POST sent (`userName` or `displayName`), to find a resource whose
    /// create answered without an id.
    pub(super) name: Option<(&'static str, String)>,
}

impl Created {
    /// What a 2xx POST to `collection` created, from its request body and response.
    pub(super) fn of(collection: &str, exchange: &Exchange) -> Option<Created> {
        let ok = exchange.status().is_some_and(|s| (200..300).contains(&s));
        if exchange.request.method != Method::Post || !ok {
            return None;
        }
        let attribute = match collection {
            "/Users" => "userName",
            "/Groups" => "displayName",
            _ => return None,
        };
        let sent: Option<Value> = exchange
            .request
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok());
        let name = sent
            .as_ref()
            .and_then(|b| b.get(attribute))
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .map(|n| (attribute, n.to_string()));
        let id = exchange
            .json()
            .and_then(|b| b.get("id"))
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(str::to_string);
        Some(Created {
            collection: collection.to_string(),
            id,
            name,
        })
    }
}

/// Where the sweep sends its requests.
pub(super) struct Sweep<'a> {
    pub(super) settings: &'a StepSettings<'a>,
    pub(super) credentials: Option<&'a Credentials>,
}

impl Sweep<'_> {
    /// Deletes every created resource no DELETE was sent for (`deleted` holds resource paths,
    /// `/Users/<id>`); returns the exchanges it made (none when there was nothing to do).
    pub(super) async fn run(
        &self,
        created: &[Created],
        deleted: &HashSet<String>,
    ) -> Vec<Exchange> {
        let mut done = deleted.clone();
        let mut exchanges = Vec::new();
        for resource in created {
            let ids = match (&resource.id, &resource.name) {
                (Some(id), _) => vec![id.clone()],
                (None, Some((attribute, name))) => {
                    self.find(&resource.collection, attribute, name, &mut exchanges)
                        .await
                }
                (None, None) => Vec::new(),
            };
            for id in ids {
                if crate::scenario::template::unusable_segment(&id).is_some() {
                    continue; // never a request: it would address the collection or another path
                }
                let path = format!("{}/{}", resource.collection, percent_encode(&id));
                if done.insert(path.clone()) {
                    self.send(Method::Delete, &path, &mut exchanges).await;
                }
            }
        }
        exchanges
    }

    /// Ids of the resources whose `attribute` equals `name` (case-insensitively, as SCIM
    /// compares userName and displayName): Okta's existence filter, checked resource by
    /// resource so a server that ignores filters cannot point the sweep at anything else.
    async fn find(
        &self,
        collection: &str,
        attribute: &str,
        name: &str,
        exchanges: &mut Vec<Exchange>,
    ) -> Vec<String> {
        let query = format!(
            "{collection}?filter={attribute}%20eq%20%22{}%22&startIndex=1&count=100",
            percent_encode(name)
        );
        let Some(answer) = self.send(Method::Get, &query, exchanges).await else {
            return Vec::new();
        };
        answer
            .get("Resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| {
                r.get(attribute)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case(name))
            })
            .filter_map(|r| r.get("id").and_then(Value::as_str))
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Sends one request (with Okta's 429 handling); returns the JSON answer, if any.
    async fn send(
        &self,
        method: Method,
        path: &str,
        exchanges: &mut Vec<Exchange>,
    ) -> Option<Value> {
        let base_url = self.settings.base_url;
        let request = OutgoingRequest::okta(method, base_url, path, self.credentials, None);
        let (got, _, _) = send_with_rate_limit(&request, self.settings).await;
        let answer = got.last().and_then(Exchange::json).cloned();
        exchanges.extend(got);
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::exchange::{RecordedRequest, RecordedResponse};
    use serde_json::json;
    use std::time::Duration;

    fn post(path: &str, sent: Value, status: u16, answer: Option<Value>) -> Exchange {
        Exchange {
            request: RecordedRequest {
                method: Method::Post,
                url: format!("http://h/scim/v2{path}"),
                headers: Vec::new(),
                body: Some(sent.to_string()),
            },
            response: Some(RecordedResponse {
                status,
                headers: Vec::new(),
                body: answer.as_ref().map(Value::to_string).unwrap_or_default(),
                json: answer,
                truncated: false,
            }),
            error: None,
            duration: Duration::ZERO,
        }
    }

    #[test]
    fn a_successful_post_records_what_it_created() {
        let ex = post(
            "/Users",
            json!({"userName": "a.b.x1@okta.example"}),
            201,
            Some(json!({"id": "u1"})),
        );
        assert_eq!(
            Created::of("/Users", &ex),
            Some(Created {
                collection: "/Users".into(),
                id: Some("u1".into()),
                name: Some(("userName", "a.b.x1@okta.example".into())),
            })
        );
        let empty = post("/Groups", json!({"displayName": "Eng x1"}), 201, None);
        let created = Created::of("/Groups", &empty).unwrap();
        assert_eq!(created.id, None);
        assert_eq!(created.name, Some(("displayName", "Eng x1".into())));
    }

    #[test]
    fn refused_posts_and_other_paths_create_nothing() {
        let refused = post(
            "/Users",
            json!({"userName": "a"}),
            409,
            Some(json!({"status": "409"})),
        );
        assert_eq!(Created::of("/Users", &refused), None);
        let other = post("/Bulk", json!({}), 200, Some(json!({"id": "x"})));
        assert_eq!(Created::of("/Bulk", &other), None);
    }
}
