//! Reads a HAR capture (HTTP Archive 1.2, as browsers' and proxies' "Save all as HAR" write
//! it) into recorded SCIM exchanges: the entries under the SCIM base URL, in order. Headers
//! are not read, so credentials in the capture never reach the scenario.

use super::convert::Recorded;
use serde_json::Value;

/// Why a HAR file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HarError {
    #[error("not a HAR file: {0}")]
    NotJson(#[from] serde_json::Error),
    #[error("not a HAR file: it has no log.entries array")]
    NoEntries,
    #[error(
        "no entry of the capture is under the SCIM base URL{0}; give it with --base-url (e.g. https://scim.example.com/scim/v2)"
    )]
    NothingUnderBase(String),
}

/// The SCIM exchanges of `har` under `base_url` (or, without one, under the first URL that
/// addresses `/Users` or `/Groups`).
pub fn read(har: &str, base_url: Option<&str>) -> Result<(String, Vec<Recorded>), HarError> {
    let doc: Value = serde_json::from_str(har)?;
    let entries = doc
        .pointer("/log/entries")
        .and_then(Value::as_array)
        .ok_or(HarError::NoEntries)?;
    let base = match base_url {
        Some(b) => b.trim_end_matches('/').to_string(),
        None => entries
            .iter()
            .filter_map(|e| e.pointer("/request/url").and_then(Value::as_str))
            .find_map(infer_base)
            .ok_or_else(|| HarError::NothingUnderBase(String::new()))?,
    };
    let recorded: Vec<Recorded> = entries.iter().filter_map(|e| entry(e, &base)).collect();
    if recorded.is_empty() {
        return Err(HarError::NothingUnderBase(format!(" {base}")));
    }
    Ok((base, recorded))
}

/// `https://h/scim/v2/Users?x` → `https://h/scim/v2`.
fn infer_base(url: &str) -> Option<String> {
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    ["/Users", "/Groups"].iter().find_map(|seg| {
        without_query
            .find(seg)
            .map(|i| without_query[..i].to_string())
    })
}

fn entry(e: &Value, base: &str) -> Option<Recorded> {
    let url = e.pointer("/request/url")?.as_str()?;
    let rest = url.strip_prefix(base)?;
    if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')) {
        return None;
    }
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (rest, None),
    };
    let text = |pointer: &str| {
        e.pointer(pointer)
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let base64 = e
        .pointer("/response/content/encoding")
        .and_then(Value::as_str)
        == Some("base64");
    Some(Recorded {
        method: e.pointer("/request/method")?.as_str()?.to_ascii_uppercase(),
        path: if path.is_empty() {
            "/".into()
        } else {
            path.to_string()
        },
        query,
        request_body: text("/request/postData/text"),
        // Status 0: the browser got no answer (blocked, aborted); nothing to replay.
        status: u16::try_from(e.pointer("/response/status")?.as_u64()?)
            .ok()
            .filter(|s| *s >= 100)?,
        response_body: if base64 {
            None
        } else {
            text("/response/content/text")
        },
        // HAR exports usually strip or mask the Authorization header: replay with the run's.
        credential: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn har(entries: Value) -> String {
        json!({"log": {"version": "1.2", "entries": entries}}).to_string()
    }

    #[test]
    fn entries_under_the_base_url_in_order() {
        let text = har(json!([
            {"request": {"method": "get", "url": "https://idp.example/login", "headers": []},
             "response": {"status": 200, "content": {"text": "<html>"}}},
            {"request": {"method": "GET", "url": "https://scim.example/scim/v2/Users?filter=userName%20eq%20%22a%40b%22",
                         "headers": [{"name": "Authorization", "value": "Bearer secret"}]},
             "response": {"status": 200, "content": {"text": "{\"Resources\":[]}"}}},
            {"request": {"method": "GET", "url": "https://scim.example/scim/v2/Groups"},
             "response": {"status": 0, "content": {}}},
            {"request": {"method": "POST", "url": "https://scim.example/scim/v2/Users",
                         "postData": {"text": "{\"userName\":\"a@b\"}"}},
             "response": {"status": 201, "content": {"text": "eyJ9", "encoding": "base64"}}}
        ]));
        let (base, rec) = read(&text, None).unwrap();
        assert_eq!(base, "https://scim.example/scim/v2");
        assert_eq!(rec.len(), 2);
        assert_eq!(rec[0].method, "GET");
        assert_eq!(rec[0].path, "/Users");
        assert_eq!(
            rec[0].query.as_deref(),
            Some("filter=userName%20eq%20%22a%40b%22")
        );
        assert_eq!(
            rec[1].request_body.as_deref(),
            Some("{\"userName\":\"a@b\"}")
        );
        assert!(
            rec[1].response_body.is_none(),
            "base64 bodies are not guessed at"
        );
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert!(matches!(read("nope", None), Err(HarError::NotJson(_))));
        assert!(matches!(read("{}", None), Err(HarError::NoEntries)));
        let text = har(
            json!([{"request": {"method": "GET", "url": "https://x/other"},
                               "response": {"status": 200, "content": {}}}]),
        );
        assert!(matches!(
            read(&text, None),
            Err(HarError::NothingUnderBase(_))
        ));
        assert!(matches!(
            read(&text, Some("https://y/scim/v2")),
            Err(HarError::NothingUnderBase(_))
        ));
    }
}
