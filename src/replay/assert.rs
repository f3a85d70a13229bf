//! Evaluates a scenario's explicit expectations (status, JSONPath and header assertions) on an
//! exchange, producing `AssertionOutcome`s.

use super::exchange::Exchange;
use super::result::AssertionOutcome;
use crate::scenario::template::Vars;
use crate::scenario::{Expect, HeaderAssertion, JsonAssertion, JsonType};
use serde_json::Value;
use serde_json_path::JsonPath;

/// Evaluates every expectation of a step. Template errors in expected values become failures.
pub fn evaluate(expect: &Expect, exchange: &Exchange, vars: &Vars) -> Vec<AssertionOutcome> {
    let mut out = Vec::new();
    if let (Some(spec), Some(status)) = (&expect.status, exchange.status()) {
        let codes: Vec<String> = spec.0.iter().map(u16::to_string).collect();
        out.push(AssertionOutcome {
            description: "status".into(),
            passed: spec.0.contains(&status),
            expected: codes.join(" or "),
            actual: status.to_string(),
            check: Some("status.expected".into()),
        });
    }
    let json = exchange.json();
    for a in &expect.body {
        out.push(json_assertion(a, json, vars));
    }
    for h in &expect.headers {
        out.push(header_assertion(h, exchange, vars));
    }
    out
}

fn outcome(
    description: String,
    passed: bool,
    expected: String,
    actual: String,
    check: &Option<String>,
) -> AssertionOutcome {
    AssertionOutcome {
        description,
        passed,
        expected,
        actual,
        check: check.clone(),
    }
}

fn json_assertion(a: &JsonAssertion, body: Option<&Value>, vars: &Vars) -> AssertionOutcome {
    let path = match vars.render_str(&a.path) {
        Ok(p) => p,
        Err(e) => {
            return outcome(
                a.path.clone(),
                false,
                "a path whose variables are set".into(),
                e.to_string(),
                &a.check,
            );
        }
    };
    let nodes: Vec<&Value> = match (JsonPath::parse(&path), body) {
        (Ok(parsed), Some(body)) => parsed.query(body).all(),
        (Err(e), _) => {
            return outcome(
                path.clone(),
                false,
                "a valid JSONPath".into(),
                e.to_string(),
                &a.check,
            );
        }
        _ => Vec::new(),
    };
    let actual = describe_nodes(&nodes, body.is_some());
    let first = nodes.first().copied();
    let render = |v: &Value| {
        vars.render_value(v)
            .unwrap_or_else(|e| Value::String(format!("<{e}>")))
    };
    let (what, passed, expected) = if let Some(expected) = &a.equals {
        let expected = render(expected);
        (
            "equals",
            first == Some(&expected) && nodes.len() == 1,
            compact(&expected),
        )
    } else if let Some(exists) = a.exists {
        (
            "exists",
            nodes.is_empty() != exists,
            if exists {
                "present".into()
            } else {
                "absent".into()
            },
        )
    } else if let Some(t) = a.is_type {
        (
            "type",
            first.is_some_and(|v| has_type(v, t)),
            format!("{t:?}").to_lowercase(),
        )
    } else if let Some(needle) = &a.contains {
        let needle = render(needle);
        (
            "contains",
            first.is_some_and(|v| contains(v, &needle)),
            format!("contains {}", compact(&needle)),
        )
    } else if let Some(re) = &a.matches {
        let ok = regex::Regex::new(re)
            .ok()
            .zip(first.and_then(scalar_text))
            .is_some_and(|(r, s)| r.is_match(&s));
        ("matches", ok, format!("matches /{re}/"))
    } else if let Some(text) = &a.equals_ignore_case {
        let expected = vars.render_str(text).unwrap_or_else(|e| format!("<{e}>"));
        let ok = first
            .and_then(Value::as_str)
            .is_some_and(|s| s.to_lowercase() == expected.to_lowercase());
        ("equals_ignore_case", ok, format!("{expected:?} (any case)"))
    } else if let Some(min) = a.at_least {
        let ok = nodes.len() == 1 && first.and_then(Value::as_f64).is_some_and(|n| n >= min);
        ("at_least", ok, format!("a number >= {min}"))
    } else {
        ("(no predicate)", false, String::new())
    };
    outcome(
        format!("{} {what}", a.path),
        passed,
        expected,
        actual,
        &a.check,
    )
}

/// The text a `matches` pattern is applied to: a string as is, a number or boolean as its JSON
/// text (Okta's SPEC test compares values as text: `"status": 401` equals "401").
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    }
}

fn header_assertion(h: &HeaderAssertion, exchange: &Exchange, vars: &Vars) -> AssertionOutcome {
    let value = exchange.response.as_ref().and_then(|r| r.header(&h.name));
    let actual = value.map_or_else(|| "(absent)".to_string(), |v| format!("{v:?}"));
    let (what, passed, expected) = if let Some(exists) = h.exists {
        (
            "exists",
            value.is_some() == exists,
            if exists {
                "present".into()
            } else {
                "absent".into()
            },
        )
    } else if let Some(eq) = &h.equals {
        let eq = vars.render_str(eq).unwrap_or_else(|e| format!("<{e}>"));
        ("equals", value == Some(eq.as_str()), format!("{eq:?}"))
    } else if let Some(re) = &h.matches {
        let ok = regex::Regex::new(re)
            .ok()
            .zip(value)
            .is_some_and(|(r, v)| r.is_match(v));
        ("matches", ok, format!("matches /{re}/"))
    } else {
        ("(no predicate)", false, String::new())
    };
    outcome(
        format!("header {} {what}", h.name),
        passed,
        expected,
        actual,
        &h.check,
    )
}

fn describe_nodes(nodes: &[&Value], has_body: bool) -> String {
    match nodes {
        [] if !has_body => "(no JSON body)".into(),
        [] => "(nothing at this path)".into(),
        [one] => compact(one),
        many => format!(
            "{} matches: {}",
            many.len(),
            compact(&Value::Array(many.iter().map(|v| (*v).clone()).collect()))
        ),
    }
}

/// A JSON value on one line, cut to a readable length.
pub fn compact(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 300 {
        format!("{}…", text.chars().take(300).collect::<String>())
    } else {
        text
    }
}

fn has_type(v: &Value, t: JsonType) -> bool {
    match t {
        JsonType::String => v.is_string(),
        JsonType::Number => v.is_number(),
        JsonType::Integer => v.is_i64() || v.is_u64(),
        JsonType::Boolean => v.is_boolean(),
        JsonType::Array => v.is_array(),
        JsonType::Object => v.is_object(),
        JsonType::Null => v.is_null(),
    }
}

/// Array containment (an object needle matches an element having all its members) or substring.
fn contains(haystack: &Value, needle: &Value) -> bool {
    match (haystack, needle) {
        (Value::String(s), Value::String(n)) => s.contains(n.as_str()),
        (Value::Array(items), _) => items.iter().any(|item| subset(needle, item)),
        _ => false,
    }
}

fn subset(needle: &Value, item: &Value) -> bool {
    match (needle, item) {
        (Value::Object(n), Value::Object(i)) => n
            .iter()
            .all(|(k, v)| i.get(k).is_some_and(|iv| subset(v, iv))),
        _ => needle == item,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::exchange::{RecordedRequest, RecordedResponse};
    use crate::scenario::Method;
    use serde_json::json;
    use std::time::Duration;

    fn exchange(status: u16, body: Value) -> Exchange {
        Exchange {
            request: RecordedRequest {
                method: Method::Get,
                url: "http://x/Users".into(),
                headers: vec![],
                body: None,
            },
            response: Some(RecordedResponse {
                status,
                headers: vec![("location".into(), "http://x/Users/1".into())],
                body: body.to_string(),
                json: Some(body),
                truncated: false,
            }),
            error: None,
            duration: Duration::ZERO,
        }
    }

    fn expect(yaml: &str) -> Expect {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn evaluates_each_predicate() {
        let mut vars = Vars::default();
        vars.set("u", json!("Jane@X"));
        let ex = exchange(
            201,
            json!({"userName": "jane@x", "active": true, "n": 3, "emails": [{"value": "a", "type": "work"}], "members": []}),
        );
        let e = expect(
            "status: [200, 201]\nbody:\n  - {path: $.userName, equals_ignore_case: \"{{u}}\"}\n  - {path: $.active, type: boolean}\n  - {path: $.n, type: integer}\n  - {path: $.emails, contains: {type: work}}\n  - {path: $.userName, matches: \"^jane\"}\n  - {path: $.missing, exists: false}\n  - {path: \"$.members[?@.value == 'x']\", exists: false}\n  - {path: $.n, at_least: 3}\nheaders:\n  - {name: Location, exists: true}\n",
        );
        let out = evaluate(&e, &ex, &vars);
        assert!(out.iter().all(|o| o.passed), "{out:#?}");
    }

    #[test]
    fn at_least_needs_one_large_enough_number() {
        let ex = exchange(200, json!({"n": 100, "s": "101"}));
        let vars = Vars::default();
        let results: Vec<bool> = [
            "{path: $.n, at_least: 101}",
            "{path: $.s, at_least: 1}",
            "{path: $.n, at_least: 100}",
        ]
        .iter()
        .map(|a| evaluate(&expect(&format!("body:\n  - {a}\n")), &ex, &vars)[0].passed)
        .collect();
        assert_eq!(results, [false, false, true]);
    }

    /// Okta's SPEC test compares `status` as text: "401" and 401 both equal "401".
    #[test]
    fn matches_applies_to_the_text_of_numbers_and_booleans() {
        let vars = Vars::default();
        let passes = |body: Value| {
            let e = expect("body:\n  - {path: $.status, matches: \"^401$\"}\n");
            evaluate(&e, &exchange(401, body), &vars)[0].passed
        };
        assert!(passes(json!({"status": "401"})));
        assert!(passes(json!({"status": 401})));
        assert!(!passes(json!({"status": "4010"})));
        assert!(!passes(json!({"status": [401]})));
        assert!(!passes(json!({})));
    }

    #[test]
    fn reports_failures_with_actual_values() {
        let ex = exchange(200, json!({"active": "false"}));
        let e = expect(
            "status: 201\nbody:\n  - {path: $.active, equals: false, check: read-after-write}\n",
        );
        let out = evaluate(&e, &ex, &Vars::default());
        assert!(
            !out[0].passed
                && out[0].actual == "200"
                && out[0].check.as_deref() == Some("status.expected")
        );
        assert!(
            !out[1].passed
                && out[1].actual == "\"false\""
                && out[1].check.as_deref() == Some("read-after-write")
        );
    }
}
