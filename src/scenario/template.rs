//! `{{var}}` templating: renders strings and JSON values from a variable set whose entries are
//! tagged public or secret. Filters: `url` (percent-encode as Okta does), `upper`, `lower`.

use serde_json::Value;
use std::collections::BTreeMap;

/// A variable's value and whether it must be redacted everywhere.
#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    pub value: Value,
    pub secret: bool,
}

/// A template referenced a variable that is not set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("variable `{0}` is not set")]
    Missing(String),
    #[error("unknown template filter `{0}` (known: url, upper, lower)")]
    UnknownFilter(String),
    #[error("unclosed `{{{{` in `{0}`")]
    Unclosed(String),
    #[error("`{{{{{name}}}}}` is {why}; it cannot be put into a request path")]
    BadPathSegment { name: String, why: &'static str },
}

/// Variables visible to templates. A public value never overwrites a secret one.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, Var>,
}

impl Vars {
    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        let name = name.into();
        let secret = self.values.get(&name).is_some_and(|v| v.secret);
        self.values.insert(name, Var { value, secret });
    }

    pub fn set_secret(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(
            name.into(),
            Var {
                value,
                secret: true,
            },
        );
    }

    pub fn get(&self, name: &str) -> Option<&Var> {
        self.values.get(name)
    }

    /// Every variable name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Every secret with a non-empty textual value.
    pub fn secrets(&self) -> Vec<crate::secrets::Secret> {
        self.values
            .iter()
            .filter(|(_, v)| v.secret)
            .map(|(k, v)| crate::secrets::Secret::new(k.clone(), as_text(&v.value)))
            .filter(|s| !s.value.is_empty())
            .collect()
    }

    /// Renders every `{{…}}` in `text`.
    pub fn render_str(&self, text: &str) -> Result<String, TemplateError> {
        self.render_each(text, |_, value| Ok(value))
    }

    /// Renders a request path: every placeholder's value becomes exactly one path segment
    /// (percent-encoded, so `/`, `?`, `#` and `%` in an id cannot steer the request elsewhere).
    /// An empty value or one that is `.` or `..` is an error: URL parsers resolve `.`/`..` and
    /// their `%2E` forms, and an empty segment would address the collection.
    pub fn render_path(&self, text: &str) -> Result<String, TemplateError> {
        self.render_each(text, |expr, value| {
            if let Some(why) = unusable_segment(&value) {
                let name = expr.split('|').next().unwrap_or_default().trim();
                return Err(TemplateError::BadPathSegment {
                    name: name.to_string(),
                    why,
                });
            }
            let already_encoded = expr.split('|').next_back().map(str::trim) == Some("url");
            Ok(if already_encoded {
                value
            } else {
                percent_encode(&value)
            })
        })
    }

    /// Replaces every `{{expr}}` in `text` by `place(expr, value)`, where `value` is the
    /// expression's rendered value.
    fn render_each(
        &self,
        text: &str,
        place: impl Fn(&str, String) -> Result<String, TemplateError>,
    ) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .ok_or_else(|| TemplateError::Unclosed(text.to_string()))?;
            let expr = &after[..end];
            out.push_str(&place(expr, self.expand(expr)?)?);
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Renders a JSON value: strings are rendered; a string that is exactly one placeholder
    /// without filters takes the variable's JSON type (so `"{{flag}}"` can yield `true`).
    pub fn render_value(&self, value: &Value) -> Result<Value, TemplateError> {
        Ok(match value {
            Value::String(s) => match sole_placeholder(s) {
                Some(name) => self.lookup(name)?.value.clone(),
                None => Value::String(self.render_str(s)?),
            },
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.render_value(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    out.insert(self.render_str(k)?, self.render_value(v)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    fn lookup(&self, name: &str) -> Result<&Var, TemplateError> {
        self.values
            .get(name)
            .ok_or_else(|| TemplateError::Missing(name.to_string()))
    }

    fn expand(&self, expr: &str) -> Result<String, TemplateError> {
        let mut parts = expr.split('|').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let mut text = as_text(&self.lookup(name)?.value);
        for filter in parts {
            text = match filter {
                "url" => percent_encode(&text),
                "upper" => text.to_uppercase(),
                "lower" => text.to_lowercase(),
                other => return Err(TemplateError::UnknownFilter(other.to_string())),
            };
        }
        Ok(text)
    }
}

/// A declared variable or secret template, in the order it can be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared<'a> {
    pub name: &'a str,
    pub template: &'a str,
    pub secret: bool,
}

/// Orders declared variables so each comes after the variables it uses (declaration order is
/// not kept by the map). `known` holds what exists before them (built-ins, users, groups).
/// Fails with the first variable that uses an unknown variable or takes part in a cycle.
pub fn resolution_order<'a>(
    variables: &'a BTreeMap<String, String>,
    secrets: &'a BTreeMap<String, String>,
    known: &std::collections::BTreeSet<String>,
) -> Result<Vec<Declared<'a>>, (String, String)> {
    let mut pending: Vec<Declared<'a>> = variables
        .iter()
        .map(|(n, t)| Declared {
            name: n,
            template: t,
            secret: false,
        })
        .chain(secrets.iter().map(|(n, t)| Declared {
            name: n,
            template: t,
            secret: true,
        }))
        .collect();
    let mut known = known.clone();
    let mut ordered = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending.iter().position(|d| {
            referenced_names(d.template)
                .iter()
                .all(|r| known.contains(r))
        });
        let Some(i) = ready else {
            let d = &pending[0];
            let missing = referenced_names(d.template)
                .into_iter()
                .find(|r| !known.contains(r))
                .unwrap_or_default();
            return Err((d.name.to_string(), missing));
        };
        let d = pending.remove(i);
        known.insert(d.name.to_string());
        ordered.push(d);
    }
    Ok(ordered)
}

/// What `render_str` would reject in `text` whatever the variables hold: a `{{` without its
/// `}}`, or an unknown filter (for validation).
pub fn lint(text: &str) -> Result<(), TemplateError> {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| TemplateError::Unclosed(text.to_string()))?;
        for filter in after[..end].split('|').skip(1).map(str::trim) {
            if !matches!(filter, "url" | "upper" | "lower") {
                return Err(TemplateError::UnknownFilter(filter.to_string()));
            }
        }
        rest = &after[end + 2..];
    }
    Ok(())
}

/// Names of every variable a template text references (for linting).
pub fn referenced_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        if let Some(name) = after[..end].split('|').next() {
            names.push(name.trim().to_string());
        }
        rest = &after[end + 2..];
    }
    names
}

fn sole_placeholder(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains('|')).then(|| inner.trim())
}

/// A JSON value as plain text: strings without quotes, everything else as JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Why a value cannot stand as one path segment (empty, `.` or `..`, which a URL resolves away
/// to another resource or the collection), or `None` when it can once percent-encoded.
pub fn unusable_segment(value: &str) -> Option<&'static str> {
    match value {
        "" => Some("empty"),
        "." | ".." => Some("a dot segment"),
        _ => None,
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters: `@` → `%40`, `"` → `%22`,
/// space → `%20`, as Okta writes filter values.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        let mut v = Vars::default();
        v.set("user", json!("jane.doe@example.test"));
        v.set("flag", json!(false));
        v.set_secret("pw", json!("hunter22"));
        v
    }

    #[test]
    fn renders_strings_with_filters() {
        let v = vars();
        assert_eq!(
            v.render_str("filter=userName%20eq%20%22{{user|url}}%22")
                .unwrap(),
            "filter=userName%20eq%20%22jane.doe%40example.test%22"
        );
        assert_eq!(
            v.render_str("{{ user | upper }}").unwrap(),
            "JANE.DOE@EXAMPLE.TEST"
        );
        assert_eq!(v.render_str("no placeholders").unwrap(), "no placeholders");
    }

    #[test]
    fn sole_placeholder_keeps_json_type() {
        let v = vars();
        let out = v
            .render_value(&json!({"active": "{{flag}}", "n": "x{{flag}}"}))
            .unwrap();
        assert_eq!(out, json!({"active": false, "n": "xfalse"}));
    }

    #[test]
    fn errors_are_reported() {
        let v = vars();
        assert_eq!(
            v.render_str("{{nope}}"),
            Err(TemplateError::Missing("nope".into()))
        );
        assert_eq!(
            v.render_str("{{user|shout}}"),
            Err(TemplateError::UnknownFilter("shout".into()))
        );
        assert!(matches!(
            v.render_str("{{user"),
            Err(TemplateError::Unclosed(_))
        ));
    }

    #[test]
    fn path_placeholders_become_one_encoded_segment() {
        let mut v = Vars::default();
        for (name, id) in [
            ("up", "../Groups/VICTIM123"),
            ("query", "a?b#c"),
            ("pct", "50%"),
            ("plain", "2819c223-7f76-453a-919d-413861904646"),
        ] {
            v.set(name, json!(id));
        }
        assert_eq!(
            v.render_path("/Users/{{up}}").unwrap(),
            "/Users/..%2FGroups%2FVICTIM123"
        );
        assert_eq!(
            v.render_path("/Users/{{query}}").unwrap(),
            "/Users/a%3Fb%23c"
        );
        assert_eq!(v.render_path("/Users/{{pct}}").unwrap(), "/Users/50%25");
        assert_eq!(
            v.render_path("/Users/{{plain}}").unwrap(),
            "/Users/2819c223-7f76-453a-919d-413861904646"
        );
    }

    #[test]
    fn empty_and_dot_ids_never_become_a_path() {
        let mut v = Vars::default();
        for (name, id) in [("empty", ""), ("dot", "."), ("dots", "..")] {
            v.set(name, json!(id));
            let err = v
                .render_path(&format!("/Users/{{{{{name}}}}}"))
                .unwrap_err();
            assert!(matches!(err, TemplateError::BadPathSegment { .. }), "{err}");
        }
        // Why `..` is refused rather than encoded: URL parsers resolve `%2E%2E` too.
        let resolved = reqwest::Url::parse("http://h/scim/Users/%2E%2E").unwrap();
        assert_eq!(resolved.path(), "/scim/");
        assert_eq!(
            v.render_path("/Users/{{dots}}").unwrap_err().to_string(),
            "`{{dots}}` is a dot segment; it cannot be put into a request path"
        );
    }

    #[test]
    fn secrets_cannot_be_overwritten_as_public() {
        let mut v = vars();
        v.set("pw", json!("other"));
        assert!(v.get("pw").unwrap().secret);
        assert_eq!(
            v.secrets(),
            vec![crate::secrets::Secret::new("pw", "other")]
        );
    }

    #[test]
    fn orders_variables_by_dependency() {
        let vars: BTreeMap<String, String> = [
            ("a".to_string(), "{{z}}-x".to_string()),
            ("z".to_string(), "{{run_id}}".to_string()),
        ]
        .into();
        let known = ["run_id".to_string()].into();
        let none = BTreeMap::new();
        let order = resolution_order(&vars, &none, &known).unwrap();
        assert_eq!(
            order.iter().map(|d| d.name).collect::<Vec<_>>(),
            vec!["z", "a"]
        );
        let cyclic: BTreeMap<String, String> = [
            ("a".to_string(), "{{b}}".to_string()),
            ("b".to_string(), "{{a}}".to_string()),
        ]
        .into();
        assert!(resolution_order(&cyclic, &none, &known).is_err());
    }

    #[test]
    fn lint_finds_what_rendering_would_reject() {
        assert_eq!(lint("/Users/{{a.id}}?x={{ q | url }}"), Ok(()));
        assert!(matches!(
            lint("/Users/{{a.id"),
            Err(TemplateError::Unclosed(_))
        ));
        assert!(matches!(
            lint("{{a}} then {{b"),
            Err(TemplateError::Unclosed(_))
        ));
        assert_eq!(
            lint("{{a|shout}}"),
            Err(TemplateError::UnknownFilter("shout".into()))
        );
    }

    #[test]
    fn lists_referenced_names() {
        assert_eq!(
            referenced_names("/Users/{{alice.id}}?x={{ q | url }}"),
            vec!["alice.id", "q"]
        );
    }
}
