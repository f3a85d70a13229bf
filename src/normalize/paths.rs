//! Changed-path listing: which dotted JSON paths differ between two documents, so a snapshot
//! mismatch can say `body.name.givenName` changed rather than only show a diff.

use super::canonical::key_segment;
use serde_json::Value;
use std::collections::BTreeSet;

/// Beyond this depth a differing subtree is reported as one path.
const MAX_DEPTH: usize = 200;

/// Dotted paths whose value differs between `old` and `new`, e.g. `body.name.givenName`,
/// `body.emails[0].value`, `headers.location`. Added and removed keys and array elements are
/// included; a value whose type changed is reported once, at its own path. The root is `.`.
pub fn json_changed_paths(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(old, new, "", 0, &mut out);
    out
}

fn collect(old: &Value, new: &Value, path: &str, depth: usize, out: &mut Vec<String>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) if depth < MAX_DEPTH => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let child = format!("{path}{}", key_segment(key));
                match (a.get(key.as_str()), b.get(key.as_str())) {
                    (Some(x), Some(y)) => collect(x, y, &child, depth + 1, out),
                    _ => out.push(shown(&child)),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if depth < MAX_DEPTH => {
            for i in 0..a.len().max(b.len()) {
                let child = format!("{path}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => collect(x, y, &child, depth + 1, out),
                    _ => out.push(shown(&child)),
                }
            }
        }
        _ => out.push(shown(path)),
    }
}

/// Drops the leading dot of a top-level key; the root itself is `.`.
fn shown(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    path.strip_prefix('.').unwrap_or(path).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_nested_changes() {
        let old = json!({"body": {"name": {"givenName": "A", "familyName": "B"}}, "status": 200});
        let new = json!({"body": {"name": {"givenName": "C", "familyName": "B"}}, "status": 200});
        assert_eq!(json_changed_paths(&old, &new), ["body.name.givenName"]);
    }

    #[test]
    fn lists_array_elements_and_added_removed_keys() {
        let old = json!({"body": {"emails": [{"value": "a@x"}], "locale": "en"}, "headers": {}});
        let new = json!({
            "body": {"emails": [{"value": "A@x"}, {"value": "b@x"}]},
            "headers": {"location": "{{base}}/Users/{{alice.id}}"}
        });
        assert_eq!(
            json_changed_paths(&old, &new),
            [
                "body.emails[0].value",
                "body.emails[1]",
                "body.locale",
                "headers.location"
            ]
        );
    }

    #[test]
    fn type_change_is_one_path() {
        let old = json!({"body": {"active": true}});
        let new = json!({"body": {"active": "true"}});
        assert_eq!(json_changed_paths(&old, &new), ["body.active"]);
        let new = json!({"body": [1]});
        assert_eq!(json_changed_paths(&old, &new), ["body"]);
    }

    #[test]
    fn quotes_awkward_keys_and_reports_root() {
        let old = json!({"urn:x:2.0:User": {"a": 1}});
        let new = json!({"urn:x:2.0:User": {"a": 2}});
        assert_eq!(json_changed_paths(&old, &new), [r#"["urn:x:2.0:User"].a"#]);
        assert_eq!(json_changed_paths(&json!(1), &json!(2)), ["."]);
        assert!(json_changed_paths(&old, &old).is_empty());
    }
}
