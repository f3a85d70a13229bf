//! Attribute-level comparison of what Okta sent with what the server stored, with SCIM
//! semantics: attribute names case-insensitive, multi-valued attributes compared as sets keyed
//! by `type` (or `value`), `primary` absent means false, readOnly attributes ignored.
//!
//! `caseExact`: SCIM calls `Robert@Example.com` and `robert@example.com` equal when the schema
//! says `caseExact: false` (emails, displayName, ...), but Okta compares its app-user profile
//! values exactly. A case-only difference is therefore reported as drift ([`DriftKind::CaseOnly`]),
//! with a note that SCIM would call the values equal: the consequence for Okta is the same.

use crate::server::schema::{self, Mutability, ResourceKind};
use serde::Serialize;
use serde_json::Value;

/// How a stored value differs from the sent one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    /// The attribute (or multi-value element) is missing from what the server returns.
    Lost,
    /// Same text, other case (equal under SCIM `caseExact: false`, different for Okta).
    CaseOnly,
    /// Same value, other JSON type (`"true"` for `true`).
    TypeChanged,
    /// Another value.
    Changed,
    /// A multi-value element Okta never sent.
    Added,
}

/// One attribute whose stored value is not what Okta sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    /// Attribute path, e.g. `emails[type eq "work"].value`.
    pub path: String,
    pub sent: Value,
    /// `None` when the server returned nothing for it.
    pub stored: Option<Value>,
    pub kind: DriftKind,
}

impl Drift {
    /// What the drift does to Okta (docs/okta-reference.md#s7-steady).
    pub fn consequence(&self, imports: bool) -> String {
        let import = if imports {
            "; an import reports a change"
        } else {
            ""
        };
        match self.kind {
            DriftKind::Lost => format!("value lost: Okta re-pushes it on every update{import}"),
            DriftKind::Added => format!("Okta overwrites it on every update{import}"),
            DriftKind::CaseOnly => format!(
                "re-push on every update{import} (SCIM caseExact:false calls it equal; Okta compares exactly)"
            ),
            DriftKind::TypeChanged | DriftKind::Changed => {
                format!("re-push on every update{import}")
            }
        }
    }
}

/// Compares every attribute of `sent` (Okta's app-user profile or group) with `stored`.
pub fn compare(kind: ResourceKind, sent: &Value, stored: &Value) -> Vec<Drift> {
    let mut out = Vec::new();
    compare_object(kind, "", sent, stored, &mut out);
    out
}

fn compare_object(
    kind: ResourceKind,
    prefix: &str,
    sent: &Value,
    stored: &Value,
    out: &mut Vec<Drift>,
) {
    let Some(map) = sent.as_object() else { return };
    for (key, want) in sorted(map) {
        let path = if prefix.is_empty() {
            key.clone()
        } else if prefix.starts_with("urn:") && !prefix.contains('.') && !prefix.ends_with(':') {
            format!("{prefix}:{key}")
        } else {
            format!("{prefix}.{key}")
        };
        if ignored(kind, &path) || is_empty(want) {
            continue;
        }
        let got = field(stored, key);
        compare_value(kind, &path, want, got, out);
    }
}

fn compare_value(
    kind: ResourceKind,
    path: &str,
    want: &Value,
    got: Option<&Value>,
    out: &mut Vec<Drift>,
) {
    match (want, got) {
        (_, None) | (_, Some(Value::Null)) => out.push(drift(path, want, None, DriftKind::Lost)),
        (Value::Object(_), Some(g @ Value::Object(_))) => compare_object(kind, path, want, g, out),
        (Value::Array(w), Some(Value::Array(g))) => compare_multi(path, w, g, out),
        (w, Some(g)) => {
            if let Some(k) = scalar_difference(w, g) {
                out.push(drift(path, w, Some(g), k));
            }
        }
    }
}

/// `None` when equal; otherwise how they differ.
pub fn scalar_difference(want: &Value, got: &Value) -> Option<DriftKind> {
    if want == got {
        return None;
    }
    Some(match (want, got) {
        (Value::String(a), Value::String(b)) if a.to_lowercase() == b.to_lowercase() => {
            DriftKind::CaseOnly
        }
        (Value::Bool(a), Value::String(b)) if a.to_string().eq_ignore_ascii_case(b) => {
            DriftKind::TypeChanged
        }
        (Value::Number(a), Value::String(b)) if a.to_string() == *b => DriftKind::TypeChanged,
        _ => DriftKind::Changed,
    })
}

/// Multi-valued attributes as sets: each sent element is found by its key (`type` when the
/// sent types are unique, else `value`, case-insensitively) and compared sub-attribute by
/// sub-attribute; elements the server added are reported too.
fn compare_multi(path: &str, want: &[Value], got: &[Value], out: &mut Vec<Drift>) {
    let by_type = want
        .iter()
        .all(|w| w.get("type").is_some_and(Value::is_string))
        && unique(want.iter().filter_map(|w| w.get("type")?.as_str()));
    let mut used = vec![false; got.len()];
    for w in want {
        if !w.is_object() {
            if let Some(i) = got.iter().position(|g| g == w) {
                used[i] = true;
            } else {
                out.push(drift(path, w, None, DriftKind::Lost));
            }
            continue;
        }
        let key_attr = if by_type { "type" } else { "value" };
        let key = w.get(key_attr).cloned().unwrap_or(Value::Null);
        let label = format!("{path}[{key_attr} eq {key}]");
        let hit = (0..got.len()).find(|&i| !used[i] && loosely_equal(got[i].get(key_attr), &key));
        match hit {
            None => out.push(drift(&label, w, None, DriftKind::Lost)),
            Some(i) => {
                used[i] = true;
                compare_element(&label, w, &got[i], out);
            }
        }
    }
    for (i, g) in got.iter().enumerate().filter(|(i, _)| !used[*i]) {
        let _ = i;
        let key = g.get("value").cloned().unwrap_or_else(|| g.clone());
        out.push(Drift {
            path: format!("{path}[value eq {key}]"),
            sent: Value::Null,
            stored: Some(g.clone()),
            kind: DriftKind::Added,
        });
    }
}

/// Object entries by key, so drifts are reported in a stable order.
fn sorted(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn compare_element(label: &str, want: &Value, got: &Value, out: &mut Vec<Drift>) {
    let Some(map) = want.as_object() else { return };
    for (sub, w) in sorted(map) {
        let path = format!("{label}.{sub}");
        let g = field(got, sub);
        // `primary` absent means false (RFC 7643 §2.4).
        let g = match (sub.as_str(), g) {
            ("primary", None | Some(Value::Null)) => Some(&Value::Bool(false)),
            (_, g) => g,
        };
        match g {
            None | Some(Value::Null) => out.push(drift(&path, w, None, DriftKind::Lost)),
            Some(g) => {
                if let Some(k) = scalar_difference(w, g) {
                    out.push(drift(&path, w, Some(g), k));
                }
            }
        }
    }
}

fn loosely_equal(got: Option<&Value>, key: &Value) -> bool {
    match (got, key) {
        (Some(Value::String(a)), Value::String(b)) => {
            a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
        }
        (Some(a), b) => a == b,
        (None, _) => false,
    }
}

fn unique<'a>(items: impl Iterator<Item = &'a str>) -> bool {
    let mut seen: Vec<String> = Vec::new();
    for i in items {
        let l = i.to_lowercase();
        if seen.contains(&l) {
            return false;
        }
        seen.push(l);
    }
    true
}

fn drift(path: &str, sent: &Value, stored: Option<&Value>, kind: DriftKind) -> Drift {
    Drift {
        path: path.to_string(),
        sent: sent.clone(),
        stored: stored.cloned(),
        kind,
    }
}

/// A key of a JSON object, found case-insensitively.
pub fn field<'v>(obj: &'v Value, key: &str) -> Option<&'v Value> {
    obj.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// readOnly and writeOnly attributes are not compared (the server owns or hides them).
fn ignored(kind: ResourceKind, path: &str) -> bool {
    schema::lookup(kind, path)
        .is_some_and(|a| matches!(a.mutability, Mutability::ReadOnly | Mutability::WriteOnly))
        || path.eq_ignore_ascii_case("schemas")
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sent() -> Value {
        json!({
            "userName": "rs@okta.example",
            "name": {"givenName": "Robert", "familyName": "Smith"},
            "emails": [
                {"primary": true, "value": "Robert@Example.com", "type": "work"},
                {"primary": false, "value": "bob@Home.example", "type": "home"}
            ],
            "displayName": "Bob Smith", "locale": "en-US", "active": true, "id": "x"
        })
    }

    fn paths(d: &[Drift]) -> Vec<(&str, DriftKind)> {
        d.iter().map(|d| (d.path.as_str(), d.kind)).collect()
    }

    #[test]
    fn identical_modulo_order_case_of_names_and_readonly_is_clean() {
        let stored = json!({
            "USERNAME": "rs@okta.example", "id": "other",
            "name": {"givenName": "Robert", "familyName": "Smith", "formatted": "x"},
            "emails": [
                {"value": "bob@Home.example", "type": "home"},
                {"primary": true, "value": "Robert@Example.com", "type": "work", "display": "d"}
            ],
            "displayName": "Bob Smith", "locale": "en-US", "active": true, "meta": {}
        });
        assert_eq!(compare(ResourceKind::User, &sent(), &stored), vec![]);
    }

    #[test]
    fn each_quirk_shape_gets_its_path() {
        let stored = json!({
            "userName": "rs@okta.example",
            "name": {"givenName": "Robert", "familyName": "Smith"},
            "emails": [
                {"primary": true, "value": "bob@home.example", "type": "home"},
                {"primary": false, "value": "robert@example.com", "type": "work"}
            ],
            "displayName": "Robert Smith", "active": "true"
        });
        let d = compare(ResourceKind::User, &sent(), &stored);
        assert_eq!(
            paths(&d),
            vec![
                ("active", DriftKind::TypeChanged),
                ("displayName", DriftKind::Changed),
                ("emails[type eq \"work\"].primary", DriftKind::Changed),
                ("emails[type eq \"work\"].value", DriftKind::CaseOnly),
                ("emails[type eq \"home\"].primary", DriftKind::Changed),
                ("emails[type eq \"home\"].value", DriftKind::CaseOnly),
                ("locale", DriftKind::Lost),
            ]
        );
        assert!(d[6].consequence(true).starts_with("value lost"));
        assert!(d[3].consequence(false).contains("caseExact"));
    }

    #[test]
    fn untyped_emails_are_keyed_by_value_and_extras_reported() {
        let sent = json!({"emails": [{"primary": true, "value": "A@x.example"}]});
        let stored =
            json!({"emails": [{"value": "a@x.example", "primary": true}, {"value": "b@x"}]});
        let d = compare(ResourceKind::User, &sent, &stored);
        assert_eq!(
            paths(&d),
            vec![
                (
                    "emails[value eq \"A@x.example\"].value",
                    DriftKind::CaseOnly
                ),
                ("emails[value eq \"b@x\"]", DriftKind::Added),
            ]
        );
    }
}
