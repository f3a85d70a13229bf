//! Query-string handling: form-urlencoded decoding of the raw query (`+` and `%20` are spaces),
//! list parameters (filter, startIndex, count) and `attributes`/`excludedAttributes` projection.

use super::errors::ScimError;
use super::filter::{AttrPath, get_ci};
use serde_json::{Map, Value};

/// Largest page the server returns (advertised as `filter.maxResults`).
pub const MAX_PAGE_SIZE: usize = 200;

/// Decodes one form-urlencoded component (`+` is a space).
pub fn form_decode(s: &str) -> String {
    percent_decode(s, true)
}

/// Decodes one path segment (`+` stays a plus).
pub fn form_decode_path(s: &str) -> String {
    percent_decode(s, false)
}

fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decoded query parameters, in order.
pub fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    raw.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (form_decode(k), form_decode(v)),
            None => (form_decode(p), String::new()),
        })
        .collect()
}

/// The first parameter named `name` (case-insensitively).
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Paging parameters after validation: 1-based start and the page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub start_index: usize,
    pub count: usize,
}

fn integer(params: &[(String, String)], name: &str) -> Result<Option<i64>, ScimError> {
    match param(params, name) {
        None => Ok(None),
        Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
            ScimError::invalid_value(format!(
                "query parameter '{name}' must be an integer, got '{v}'"
            ))
        }),
    }
}

/// Reads `startIndex` (values < 1 mean 1) and `count` (negative means 0, capped at the maximum).
pub fn paging(params: &[(String, String)]) -> Result<Paging, ScimError> {
    let start = integer(params, "startIndex")?.unwrap_or(1).max(1);
    let count = integer(params, "count")?
        .map_or(MAX_PAGE_SIZE as i64, |c| c.clamp(0, MAX_PAGE_SIZE as i64));
    Ok(Paging {
        start_index: usize::try_from(start).unwrap_or(usize::MAX),
        count: count as usize,
    })
}

fn paths(list: &str) -> Vec<AttrPath> {
    list.split(',')
        .filter_map(|p| AttrPath::parse(p.trim()))
        .collect()
}

fn key_ci(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()
}

/// Applies `attributes` / `excludedAttributes` to a rendered resource. `id` and `schemas` are
/// always kept.
pub fn project(resource: Value, attributes: Option<&str>, excluded: Option<&str>) -> Value {
    let Value::Object(mut obj) = resource else {
        return resource;
    };
    if let Some(list) = attributes.filter(|l| !l.trim().is_empty()) {
        let mut out = Map::new();
        for keep in ["schemas", "id"] {
            if let Some(v) = obj.get(keep) {
                out.insert(keep.into(), v.clone());
            }
        }
        for p in paths(list) {
            let scope = match &p.urn {
                Some(u) if !u.contains(":core:") => {
                    key_ci(&obj, u).and_then(|k| obj.get(&k).cloned())
                }
                _ => Some(Value::Object(obj.clone())),
            };
            let Some(scope) = scope else { continue };
            let Some(key) = scope.as_object().and_then(|o| key_ci(o, &p.attr)) else {
                continue;
            };
            let Some(v) = get_ci(&scope, &key).cloned() else {
                continue;
            };
            let picked = match (&p.sub, v) {
                (Some(sub), Value::Object(o)) => {
                    let mut m = Map::new();
                    if let Some(k) = key_ci(&o, sub) {
                        m.insert(k.clone(), o[&k].clone());
                    }
                    let existing = match p.urn.as_deref() {
                        Some(u) if !u.contains(":core:") => {
                            out.get(u).and_then(|e| e.get(&key)).cloned()
                        }
                        _ => out.get(&key).cloned(),
                    };
                    if let Some(Value::Object(mut e)) = existing {
                        e.extend(m);
                        Value::Object(e)
                    } else {
                        Value::Object(m)
                    }
                }
                (_, v) => v,
            };
            match &p.urn {
                Some(u) if !u.contains(":core:") => {
                    let Some(uk) = key_ci(&obj, u) else { continue };
                    let slot = out.entry(uk).or_insert_with(|| Value::Object(Map::new()));
                    if let Some(o) = slot.as_object_mut() {
                        o.insert(key, picked);
                    }
                }
                _ => {
                    out.insert(key, picked);
                }
            }
        }
        return Value::Object(out);
    }
    if let Some(list) = excluded {
        for p in paths(list) {
            let target = match &p.urn {
                Some(u) if !u.contains(":core:") => key_ci(&obj, u)
                    .and_then(|k| obj.get_mut(&k))
                    .and_then(Value::as_object_mut),
                _ => Some(&mut obj),
            };
            let Some(target) = target else { continue };
            let Some(key) = key_ci(target, &p.attr) else {
                continue;
            };
            if key == "id" || key == "schemas" {
                continue;
            }
            match &p.sub {
                None => {
                    target.remove(&key);
                }
                Some(sub) => {
                    if let Some(Value::Object(o)) = target.get_mut(&key)
                        && let Some(k) = key_ci(o, sub)
                    {
                        o.remove(&k);
                    }
                }
            }
        }
    }
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decoding() {
        assert_eq!(
            form_decode("userName+eq+%22a%40b%22"),
            "userName eq \"a@b\""
        );
        assert_eq!(form_decode("userName%20eq%20%22a%22"), "userName eq \"a\"");
        assert_eq!(form_decode("100%"), "100%");
        assert_eq!(form_decode("%zz%4"), "%zz%4");
        assert_eq!(form_decode("%C3%A9"), "é");
        let q = parse_query(Some("startIndex=1&count=100&filter=a+eq+%22b%22&x"));
        assert_eq!(param(&q, "FILTER"), Some("a eq \"b\""));
        assert_eq!(param(&q, "x"), Some(""));
    }

    #[test]
    fn paging_rules() {
        let p = |s: &str| paging(&parse_query(Some(s)));
        assert_eq!(
            p("startIndex=0&count=5").unwrap(),
            Paging {
                start_index: 1,
                count: 5
            }
        );
        assert_eq!(p("count=1000").unwrap().count, MAX_PAGE_SIZE);
        assert_eq!(p("count=-3").unwrap().count, 0);
        assert!(p("count=abc").is_err());
        assert!(p("startIndex=1.5").is_err());
    }

    #[test]
    fn projection() {
        let r = json!({"schemas": ["x"], "id": "1", "userName": "a", "name": {"givenName": "G", "familyName": "F"}, "emails": []});
        let p = project(r.clone(), Some("userName,name.givenName"), None);
        assert_eq!(
            p,
            json!({"schemas": ["x"], "id": "1", "userName": "a", "name": {"givenName": "G"}})
        );
        let p = project(r, None, Some("emails,name.familyName,id"));
        assert_eq!(
            p,
            json!({"schemas": ["x"], "id": "1", "userName": "a", "name": {"givenName": "G"}})
        );
    }
}
