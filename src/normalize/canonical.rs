//! The JSON walk that makes a response body canonical: strings get their placeholders, server
//! ids become capture names (or `{{unknown-id}}`), `meta` timestamps and versions are validated
//! then replaced, and set-like arrays are sorted. Builds a new value; never panics.

use super::redact::Replacer;
use crate::secrets::Secret;
use regex::Regex;
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// Arrays whose order carries no meaning in SCIM; sorted by canonical serialization.
pub(crate) const SET_LIKE_ARRAYS: &[&str] = &[
    "schemas",
    "emails",
    "phoneNumbers",
    "addresses",
    "members",
    "groups",
    "roles",
    "entitlements",
    "photos",
    "ims",
    "x509Certificates",
];

/// Arrays whose elements' `value` is a server id.
const ID_VALUE_ARRAYS: &[&str] = &["members", "groups"];

/// Deeper than this, a subtree is replaced by `{{too-deep}}` (serde_json parses at most 128).
const MAX_DEPTH: usize = 200;

/// Problem values longer than this are shortened.
const MAX_SHOWN: usize = 80;

pub(crate) const UNKNOWN_ID: &str = "{{unknown-id}}";
pub(crate) const TIMESTAMP: &str = "{{timestamp}}";
pub(crate) const VERSION: &str = "{{version}}";
const TOO_DEEP: &str = "{{too-deep}}";

static RFC3339: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]",
        r"([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?",
        r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"
    ))
    .expect("valid regex")
});

static ENTITY_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^(W/)?"[^"\x00-\x20\x7F]*"$"#).expect("valid regex"));

/// True for an RFC 3339 date-time such as `2024-05-01T10:00:00.123Z`.
pub(crate) fn is_rfc3339(text: &str) -> bool {
    RFC3339.is_match(text)
}

/// True for an HTTP entity tag: `"xyz"` or `W/"xyz"`.
pub(crate) fn is_entity_tag(text: &str) -> bool {
    ENTITY_TAG.is_match(text)
}

/// Everything the walk needs; collects problems as it goes.
pub(crate) struct Canonicalizer<'a> {
    /// Secret values → `[secret:NAME]`; scrubbed first from every string.
    pub(crate) secrets: &'a [Secret],
    /// Base URL, run values and id path segments → placeholders.
    pub(crate) strings: Replacer,
    /// `(value, name)` of server ids, in capture order.
    pub(crate) ids: &'a [(String, String)],
    pub(crate) problems: Vec<String>,
}

impl Canonicalizer<'_> {
    /// Normalizes a free string: secrets, whole-id match, then base URL / run values / ids in URLs.
    pub(crate) fn string(&self, text: &str) -> String {
        let scrubbed = crate::secrets::scrub(text, self.secrets);
        match self.id_name(&scrubbed) {
            Some(name) => placeholder(name),
            None => self.strings.apply(&scrubbed),
        }
    }

    /// Canonical copy of `value` found at `path` (e.g. `body`).
    pub(crate) fn value(&mut self, value: &Value, path: &str) -> Value {
        self.walk(value, path, None, false, 0)
    }

    /// Validates an `etag` header or `meta.version` value.
    pub(crate) fn version(&mut self, value: &Value, path: &str) -> Value {
        match value.as_str() {
            Some(text) if is_entity_tag(text.trim()) => Value::String(VERSION.into()),
            _ => self.invalid(value, path, "is not a valid entity tag"),
        }
    }

    fn id_name(&self, text: &str) -> Option<&str> {
        self.ids
            .iter()
            .find(|(value, _)| !value.is_empty() && value == text)
            .map(|(_, name)| name.as_str())
    }

    fn walk(
        &mut self,
        value: &Value,
        path: &str,
        key: Option<&str>,
        ids: bool,
        depth: usize,
    ) -> Value {
        if depth > MAX_DEPTH {
            self.problems
                .push(format!("{path}: nested deeper than {MAX_DEPTH} levels"));
            return Value::String(TOO_DEEP.into());
        }
        match value {
            Value::Object(map) => Value::Object(self.object(map, path, key, ids, depth)),
            Value::Array(items) => Value::Array(self.array(items, path, key, depth)),
            Value::String(text) => Value::String(self.string(text)),
            scalar => scalar.clone(),
        }
    }

    /// `owner` is the key this object sits under; `ids` says its `value` is a server id.
    fn object(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        owner: Option<&str>,
        ids: bool,
        depth: usize,
    ) -> Map<String, Value> {
        let in_meta = owner == Some("meta");
        let mut out = Map::new();
        // Sorted: the canonical key order, and problems reported in a stable order.
        let mut entries: Vec<(&String, &Value)> = map.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        for (key, child) in entries {
            let child_path = format!("{path}{}", key_segment(key));
            let text = child.as_str();
            let normalized = match key.as_str() {
                "id" if text.is_some() => self.server_id(text.unwrap_or_default()),
                "value" if ids && text.is_some() => self.server_id(text.unwrap_or_default()),
                "$ref" if text.is_some() => self.reference(text.unwrap_or_default()),
                "created" | "lastModified" if in_meta => self.timestamp(child, &child_path),
                "version" if in_meta => self.version(child, &child_path),
                _ => {
                    let is_manager = key == "manager";
                    self.walk(child, &child_path, Some(key), is_manager, depth + 1)
                }
            };
            out.insert(key.clone(), normalized);
        }
        out
    }

    fn array(
        &mut self,
        items: &[Value],
        path: &str,
        key: Option<&str>,
        depth: usize,
    ) -> Vec<Value> {
        let ids = key.is_some_and(|k| ID_VALUE_ARRAYS.contains(&k));
        let mut out: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, item)| self.walk(item, &format!("{path}[{i}]"), None, ids, depth + 1))
            .collect();
        if key.is_some_and(|k| SET_LIKE_ARRAYS.contains(&k)) {
            out.sort_by_cached_key(|v| serde_json::to_string(v).unwrap_or_default());
        }
        out
    }

    /// An `id` or member `value`: its capture name, else `{{unknown-id}}`.
    fn server_id(&self, text: &str) -> Value {
        let scrubbed = crate::secrets::scrub(text, self.secrets);
        Value::String(match self.id_name(&scrubbed) {
            Some(name) => placeholder(name),
            None => UNKNOWN_ID.into(),
        })
    }

    /// A `$ref` URL: normalized when its last path segment is a known id; otherwise that
    /// segment becomes `{{unknown-id}}` (the rest of the URL is kept, so a wrong host shows).
    fn reference(&self, text: &str) -> Value {
        let scrubbed = crate::secrets::scrub(text, self.secrets);
        if let Some(name) = self.id_name(&scrubbed) {
            return Value::String(placeholder(name));
        }
        let end = scrubbed.find(['?', '#']).unwrap_or(scrubbed.len());
        let url = scrubbed[..end].trim_end_matches('/');
        let suffix = &scrubbed[url.len()..];
        let Some(slash) = url.rfind('/') else {
            return Value::String(UNKNOWN_ID.into());
        };
        let (prefix, last) = (&url[..slash], &url[slash + 1..]);
        if self.id_name(last).is_some() {
            return Value::String(self.strings.apply(&scrubbed));
        }
        let head = self.strings.apply(prefix);
        let tail = self.strings.apply(suffix);
        Value::String(format!("{head}/{UNKNOWN_ID}{tail}"))
    }

    fn timestamp(&mut self, value: &Value, path: &str) -> Value {
        match value.as_str() {
            Some(text) if is_rfc3339(text) => Value::String(TIMESTAMP.into()),
            _ => self.invalid(value, path, "is not an RFC 3339 date-time"),
        }
    }

    /// Keeps the (normalized) value and records why it could not be replaced.
    fn invalid(&mut self, value: &Value, path: &str, why: &str) -> Value {
        let kept = self.walk(value, path, None, false, 0);
        let shown = shorten(&serde_json::to_string(&kept).unwrap_or_default());
        self.problems.push(format!("{path}: {shown} {why}"));
        kept
    }
}

/// `{{name}}`.
pub(crate) fn placeholder(name: &str) -> String {
    format!("{{{{{name}}}}}")
}

/// `.key`, or `["key"]` when the key would be ambiguous in a dotted path.
pub(crate) fn key_segment(key: &str) -> String {
    let plain = !key.is_empty()
        && !key
            .chars()
            .any(|c| matches!(c, '.' | '[' | ']' | '"' | '\'') || c.is_whitespace());
    if plain {
        format!(".{key}")
    } else {
        format!("[{}]", serde_json::to_string(key).unwrap_or_default())
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_SHOWN {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX_SHOWN).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_rfc3339() {
        for ok in [
            "2024-05-01T10:00:00Z",
            "2024-05-01T10:00:00.123456Z",
            "2024-05-01t10:00:00+02:00",
            "2024-12-31T23:59:60-05:30",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "yesterday",
            "2024-05-01",
            "2024-05-01 10:00:00Z",
            "2024-13-01T10:00:00Z",
            "2024-05-01T10:00:00",
            "1714557600",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn recognizes_entity_tags() {
        for ok in [r#""abc""#, r#"W/"3""#, r#""""#] {
            assert!(is_entity_tag(ok), "{ok}");
        }
        for bad in ["abc", r#"w/"3""#, r#""a"b""#, r#""a b""#, "W/3"] {
            assert!(!is_entity_tag(bad), "{bad}");
        }
    }

    #[test]
    fn key_segments_quote_awkward_keys() {
        assert_eq!(key_segment("givenName"), ".givenName");
        assert_eq!(key_segment("$ref"), ".$ref");
        assert_eq!(
            key_segment("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
            r#"["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]"#
        );
        assert_eq!(key_segment(""), r#"[""]"#);
    }

    #[test]
    fn shortens_long_problem_values() {
        let long = "x".repeat(200);
        let shown = shorten(&long);
        assert_eq!(shown.chars().count(), MAX_SHOWN + 1);
        assert!(shown.ends_with('…'));
    }
}
