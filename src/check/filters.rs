//! Checks on filter semantics and paging, judged from the request's filter and the responses.

use super::{CheckInput, Verdict};
use crate::replay::exchange::Exchange;
use serde_json::Value;
use std::collections::HashSet;

/// `attr eq "value"` parsed from a simple Okta filter.
fn simple_eq(filter: &str) -> Option<(String, String)> {
    let re =
        regex::Regex::new(r#"(?i)^\s*([A-Za-z][\w.:]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$"#).ok()?;
    let c = re.captures(filter)?;
    Some((
        c[1].to_string(),
        c[2].replace("\\\"", "\"").replace("\\\\", "\\"),
    ))
}

fn attribute<'v>(resource: &'v Value, name: &str) -> Option<&'v Value> {
    name.split('.').try_fold(resource, |cur, part| {
        cur.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(part))
            .map(|(_, v)| v)
    })
}

fn listed(body: Option<&Value>) -> Vec<&Value> {
    body.and_then(|b| b.get("Resources"))
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn matches_ci(resource: &Value, attr: &str, value: &str) -> bool {
    attribute(resource, attr)
        .and_then(Value::as_str)
        .is_some_and(|s| s.to_lowercase() == value.to_lowercase())
}

pub fn exact_match(input: &CheckInput) -> Verdict {
    let Some((attr, value)) = input.kind.filter.as_deref().and_then(simple_eq) else {
        return Verdict::NotApplicable;
    };
    let Some(resp) = &input.exchange.response else {
        return Verdict::NotApplicable;
    };
    if resp.status == 404 {
        return Verdict::Pass;
    }
    let body = resp.json.as_ref();
    let items = listed(body);
    let strangers: Vec<String> = items
        .iter()
        .filter(|r| !matches_ci(r, &attr, &value))
        .map(|r| attribute(r, &attr).map_or("(no value)".into(), |v| v.to_string()))
        .collect();
    if !strangers.is_empty() {
        return Verdict::Fail(format!(
            "the filter {attr} eq {value:?} returned {} resource(s) that do not match, e.g. {attr} = {} — the filter was ignored or misapplied",
            strangers.len(),
            strangers[0]
        ));
    }
    let total = body
        .and_then(|b| b.get("totalResults"))
        .and_then(Value::as_u64);
    match total {
        Some(t) if t as usize != items.len() && t > 1 => Verdict::Fail(format!(
            "totalResults is {t} but the filter {attr} eq {value:?} can match at most one resource"
        )),
        _ => Verdict::Pass,
    }
}

pub fn case_insensitive(input: &CheckInput) -> Verdict {
    let Some((attr, value)) = input.kind.filter.as_deref().and_then(simple_eq) else {
        return Verdict::NotApplicable;
    };
    let Some(resp) = &input.exchange.response else {
        return Verdict::NotApplicable;
    };
    let found = listed(resp.json.as_ref())
        .iter()
        .filter(|r| matches_ci(r, &attr, &value))
        .count();
    if found == 1 {
        Verdict::Pass
    } else {
        Verdict::Fail(format!(
            "the case-variant filter {attr} eq {value:?} found {found} resource(s) (status {}); the existing one should match",
            resp.status
        ))
    }
}

pub fn miss(status: u16, body: Option<&Value>) -> Verdict {
    if status == 404 {
        return Verdict::Pass; // Okta accepts a 404 Error for a filter miss (docs/okta-reference.md#s4-2)
    }
    let total = body.and_then(|b| b.get("totalResults"));
    let empty = listed(body).is_empty();
    match (status, total) {
        (200, Some(t)) if (t.as_u64() == Some(0) || t.as_str() == Some("0")) && empty => {
            Verdict::Pass
        }
        (200, t) => Verdict::Fail(format!(
            "a filter that matches nothing answered totalResults {} with {} resource(s)",
            t.map_or("(absent)".into(), Value::to_string),
            listed(body).len()
        )),
        _ => Verdict::Fail(format!(
            "a filter miss answered {status}; Okta expects 200 with totalResults 0 (or 404)"
        )),
    }
}

pub fn paging_complete(exchanges: &[Exchange]) -> Verdict {
    // Each page's answer; 429s that were retried are not pages.
    let pages: Vec<&Value> = exchanges
        .iter()
        .filter(|e| e.status().is_some_and(|s| (200..300).contains(&s)))
        .filter_map(Exchange::json)
        .collect();
    let Some(first) = pages.first() else {
        return Verdict::NotApplicable;
    };
    let Some(total) = first.get("totalResults").and_then(Value::as_u64) else {
        return Verdict::Fail("the first page has no integer totalResults".into());
    };
    let mut seen = HashSet::new();
    let mut duplicates = 0;
    for page in &pages {
        for r in listed(Some(page)) {
            let id = r.get("id").map(Value::to_string).unwrap_or_default();
            if !seen.insert(id) {
                duplicates += 1;
            }
        }
    }
    if duplicates > 0 {
        return Verdict::Fail(format!(
            "reading {} pages the way Okta does (startIndex + 100) returned {duplicates} resource(s) twice; startIndex is ignored or the order is unstable",
            pages.len()
        ));
    }
    if seen.len() as u64 != total {
        return Verdict::Fail(format!(
            "reading {} pages the way Okta does (startIndex + 100) returned {} of {total} resources; Okta would never import the rest",
            pages.len(),
            seen.len()
        ));
    }
    Verdict::Pass
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_okta_filters() {
        assert_eq!(
            simple_eq(r#"userName eq "a@b""#),
            Some(("userName".into(), "a@b".into()))
        );
        assert_eq!(
            simple_eq(r#"displayName EQ "x \"y\"""#),
            Some(("displayName".into(), "x \"y\"".into()))
        );
        assert_eq!(simple_eq(r#"userName sw "a""#), None);
    }

    #[test]
    fn a_miss_may_be_a_404() {
        assert_eq!(miss(404, None), Verdict::Pass);
        let empty = serde_json::json!({"totalResults": 0, "Resources": []});
        assert_eq!(miss(200, Some(&empty)), Verdict::Pass);
        assert!(matches!(miss(500, None), Verdict::Fail(_)));
    }
}
