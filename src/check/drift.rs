//! The one comparison of what Okta sent with what a server stores, used by the
//! `steady-state.fidelity` and `read-after-write` checks of scenario steps and by the
//! steady-state pass: attribute names case-insensitive, multi-valued attributes compared as sets
//! (each sent element found by its `value`, then by its `type`), `primary` absent means false,
//! readOnly and writeOnly attributes ignored. Each difference is a [`Drift`] with a path that
//! names exactly what changed, and a [`Severity`] from the severity model (docs/checks.md):
//! a lost or wrong `active`, `userName`, group `displayName` or membership is `fail`, drift of
//! any other (profile) attribute is `warn`.
//!
//! `caseExact`: SCIM calls `Robert@Example.com` and `robert@example.com` equal when the schema
//! says `caseExact: false` (emails, displayName, ...), but Okta compares its app-user profile
//! values exactly. A case-only difference is therefore reported as drift ([`DriftKind::CaseOnly`]),
//! always at `warn`: the server treats the values as equal, Okta re-pushes its own.

use super::Severity;
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
    /// Attribute path, e.g. `emails[value eq "a@x.example"].type`.
    pub path: String,
    pub sent: Value,
    /// `None` when the server returned nothing for it.
    pub stored: Option<Value>,
    pub kind: DriftKind,
}

/// Paths of a whole resource that a read or an import did not return.
pub const RESOURCE_GONE: &[&str] = &["(resource)", "(not imported)"];

impl Drift {
    /// `sent "work", stored (absent)`: the values, as the checks' messages show them.
    pub fn values(&self) -> String {
        format!(
            "sent {}, stored {}",
            self.sent,
            self.stored
                .as_ref()
                .map_or("(absent)".into(), Value::to_string)
        )
    }

    /// `path: sent …, stored …`.
    pub fn describe(&self) -> String {
        format!("{}: {}", self.path, self.values())
    }

    /// The severity-model class of this drift on a resource of `kind`.
    pub fn severity(&self, kind: ResourceKind) -> Severity {
        if okta_state(kind, &self.path) && self.kind != DriftKind::CaseOnly {
            Severity::Fail
        } else {
            Severity::Warn
        }
    }

    /// What the drift does to Okta. `imports_update`: imports write the server's values into
    /// Okta's profiles (the profile feature `import-updates-profile`).
    pub fn consequence(&self, kind: ResourceKind, imports_update: bool) -> String {
        if self.severity(kind) == Severity::Fail {
            return "wrong state: the lifecycle change, username, group name or membership Okta set is not what the app has".into();
        }
        let import = if imports_update {
            "; an import writes the server's value into Okta and the next push sends Okta's back (sync loop)"
        } else {
            "; an import reports a change"
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

/// The top-level attribute of a drift path: `emails[value eq "x"].type` → `emails`,
/// `name.givenName` → `name`.
pub fn top_attribute(path: &str) -> &str {
    if path.starts_with("urn:") {
        return path;
    }
    let end = path.find(['.', '[']).unwrap_or(path.len());
    &path[..end]
}

/// Whether a wrong value at `path` leaves Okta with wrong state (a lost lifecycle change, a
/// wrong username, a lost group rename or membership, a resource gone) rather than data drift.
pub fn okta_state(kind: ResourceKind, path: &str) -> bool {
    let top = top_attribute(path);
    let state: &[&str] = match kind {
        ResourceKind::User => &["active", "userName"],
        ResourceKind::Group => &["displayName", "members"],
    };
    RESOURCE_GONE.contains(&path) || state.iter().any(|s| s.eq_ignore_ascii_case(top))
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
        // RFC 7643 §2.5: an omitted multi-valued attribute and an empty one are the same state.
        (Value::Array(w), None | Some(Value::Null)) if w.is_empty() => {}
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

/// Multi-valued attributes as sets: each sent element is found by its `value`
/// (case-insensitively), else by its `type` (when the sent types are unique), and then compared
/// sub-attribute by sub-attribute; so a dropped or rewritten sub-attribute (even the `type` that
/// keys an email) is named as such instead of a lost element plus an unknown one. Elements the
/// server added are reported too.
fn compare_multi(path: &str, want: &[Value], got: &[Value], out: &mut Vec<Drift>) {
    let types_unique = unique(want.iter().filter_map(|w| w.get("type")?.as_str()));
    let mut used = vec![false; got.len()];
    for w in want {
        if !w.is_object() {
            match (0..got.len()).find(|&i| !used[i] && got[i] == *w) {
                Some(i) => used[i] = true,
                None => out.push(drift(path, w, None, DriftKind::Lost)),
            }
            continue;
        }
        let keys: &[&str] = if types_unique {
            &["value", "type"]
        } else {
            &["value"]
        };
        let hit = keys.iter().find_map(|key_attr| {
            let key = w.get(*key_attr).filter(|k| !k.is_null())?;
            let i =
                (0..got.len()).find(|&i| !used[i] && loosely_equal(got[i].get(*key_attr), key))?;
            Some((i, element_label(path, key_attr, key)))
        });
        match hit {
            None => out.push(drift(&lost_label(path, w), w, None, DriftKind::Lost)),
            Some((i, label)) => {
                used[i] = true;
                compare_element(&label, w, &got[i], out);
            }
        }
    }
    for g in got
        .iter()
        .enumerate()
        .filter(|(i, _)| !used[*i])
        .map(|x| x.1)
    {
        let key = g.get("value").unwrap_or(g);
        out.push(Drift {
            path: element_label(path, "value", key),
            sent: Value::Null,
            stored: Some(g.clone()),
            kind: DriftKind::Added,
        });
    }
}

/// `emails[value eq "a@x"]`.
fn element_label(path: &str, key_attr: &str, key: &Value) -> String {
    format!("{path}[{key_attr} eq {key}]")
}

/// The label of a sent element the server does not have: by `value`, else by `type`.
fn lost_label(path: &str, w: &Value) -> String {
    ["value", "type"]
        .iter()
        .find_map(|k| w.get(*k).map(|v| element_label(path, k, v)))
        .unwrap_or_else(|| path.to_string())
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
        (Some(Value::String(a)), Value::String(b)) => a.to_lowercase() == b.to_lowercase(),
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
                (
                    "emails[value eq \"Robert@Example.com\"].primary",
                    DriftKind::Changed
                ),
                (
                    "emails[value eq \"Robert@Example.com\"].value",
                    DriftKind::CaseOnly
                ),
                (
                    "emails[value eq \"bob@Home.example\"].primary",
                    DriftKind::Changed
                ),
                (
                    "emails[value eq \"bob@Home.example\"].value",
                    DriftKind::CaseOnly
                ),
                ("locale", DriftKind::Lost),
            ]
        );
        assert!(
            d[6].consequence(ResourceKind::User, false)
                .starts_with("value lost")
        );
        assert!(
            d[3].consequence(ResourceKind::User, false)
                .contains("caseExact")
        );
        assert!(
            d[6].consequence(ResourceKind::User, true)
                .contains("sync loop")
        );
    }

    #[test]
    fn a_dropped_type_is_named_on_the_email_it_keyed() {
        let sent = json!({"emails": [
            {"primary": true, "value": "Ann@X.example", "type": "work"},
            {"primary": false, "value": "ann@home.example", "type": "home"}
        ]});
        let stored = json!({"emails": [
            {"primary": true, "value": "Ann@X.example"},
            {"value": "ann@home.example", "type": "home"}
        ]});
        let d = compare(ResourceKind::User, &sent, &stored);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].describe(),
            "emails[value eq \"Ann@X.example\"].type: sent \"work\", stored (absent)"
        );
        assert_eq!(d[0].kind, DriftKind::Lost);
        assert_eq!(d[0].severity(ResourceKind::User), Severity::Warn);
    }

    #[test]
    fn a_rewritten_value_is_found_by_its_type() {
        let sent = json!({"emails": [{"primary": true, "value": "a@x.example", "type": "work"}]});
        let stored = json!({"emails": [{"primary": true, "value": "b@x.example", "type": "work"}]});
        let d = compare(ResourceKind::User, &sent, &stored);
        assert_eq!(
            paths(&d),
            vec![("emails[type eq \"work\"].value", DriftKind::Changed)]
        );
        let gone = compare(
            ResourceKind::User,
            &sent,
            &json!({"emails": [{"value": "c@y"}]}),
        );
        assert_eq!(
            paths(&gone),
            vec![
                ("emails[value eq \"a@x.example\"]", DriftKind::Lost),
                ("emails[value eq \"c@y\"]", DriftKind::Added),
            ]
        );
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

    #[test]
    fn lifecycle_username_group_name_and_membership_are_fail_the_rest_warn() {
        let user = |path: &str, kind| Drift {
            path: path.into(),
            sent: json!("a"),
            stored: None,
            kind,
        };
        let fail = Severity::Fail;
        let warn = Severity::Warn;
        let u = ResourceKind::User;
        let g = ResourceKind::Group;
        assert_eq!(user("active", DriftKind::TypeChanged).severity(u), fail);
        assert_eq!(user("userName", DriftKind::Changed).severity(u), fail);
        assert_eq!(user("userName", DriftKind::CaseOnly).severity(u), warn);
        assert_eq!(user("(not imported)", DriftKind::Lost).severity(u), fail);
        for p in [
            "displayName",
            "locale",
            "title",
            "name.formatted",
            "emails[value eq \"x\"].type",
        ] {
            assert_eq!(user(p, DriftKind::Lost).severity(u), warn, "{p}");
        }
        assert_eq!(user("displayName", DriftKind::Changed).severity(g), fail);
        assert_eq!(
            user("members[value eq \"u1\"]", DriftKind::Lost).severity(g),
            fail
        );
    }

    #[test]
    fn an_omitted_empty_multi_valued_attribute_is_no_drift() {
        let sent = json!({"displayName": "G", "members": []});
        assert_eq!(
            compare(ResourceKind::Group, &sent, &json!({"displayName": "G"})),
            vec![]
        );
    }
}
