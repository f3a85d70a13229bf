//! Dotted attribute paths into JSON bodies (`name.givenName`, `emails[0].value`, an extension
//! schema's `<schema URN>:<attribute>`): how Okta's changes are written into a body it read
//! back before a PUT. Attribute names match case-insensitively, as SCIM's do.

use serde_json::{Value, json};

/// A path that cannot be set in a body (a parent is not an object or array, an index is past
/// the end).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot set `{path}` in the echoed body: {why}")]
pub struct PathError {
    pub path: String,
    pub why: String,
}

/// Splits `emails[0].value` into segments: key or index. A path into an extension schema is
/// written in SCIM's attribute notation, `<schema URN>:<attribute>[.<sub-attribute>]`
/// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`): the schema URN
/// (dots included) is one key. A path that is only a schema URN (its last `:` part starts
/// with an upper-case letter, as schema names do) is that one key.
fn segments(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut rest = path;
    if path.starts_with("urn:")
        && let Some((urn, attribute)) = path.rsplit_once(':')
    {
        if attribute.starts_with(|c: char| c.is_ascii_lowercase()) {
            out.push(Segment::Key(urn.to_string()));
            rest = attribute;
        } else {
            return vec![Segment::Key(path.to_string())];
        }
    }
    for part in rest.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            out.push(Segment::Key(key.to_string()));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Segment::Index(i));
            }
        }
    }
    out
}

enum Segment {
    Key(String),
    Index(usize),
}

/// Sets a dotted path, creating missing objects and arrays on the way (an index one past the
/// end appends); attribute names match case-insensitively.
pub fn set_path(root: &mut Value, path: &str, value: Value) -> Result<(), PathError> {
    let bad = |why: &str| PathError {
        path: path.to_string(),
        why: why.to_string(),
    };
    let segs = segments(path);
    let mut cur = root;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        let container = || match segs.get(i + 1) {
            Some(Segment::Index(_)) => json!([]),
            _ => json!({}),
        };
        cur = match seg {
            Segment::Key(k) => {
                let map = cur
                    .as_object_mut()
                    .ok_or_else(|| bad("a parent is not an object"))?;
                let key = map
                    .keys()
                    .find(|e| e.eq_ignore_ascii_case(k))
                    .cloned()
                    .unwrap_or_else(|| k.clone());
                let slot = map.entry(key).or_insert(Value::Null);
                if !last && slot.is_null() {
                    *slot = container();
                }
                slot
            }
            Segment::Index(n) => {
                let arr = cur
                    .as_array_mut()
                    .ok_or_else(|| bad("a parent is not an array"))?;
                if *n == arr.len() {
                    arr.push(if last { Value::Null } else { container() });
                }
                arr.get_mut(*n).ok_or_else(|| bad("index out of range"))?
            }
        };
    }
    *cur = value;
    Ok(())
}

/// Reads a dotted path (case-insensitive keys).
pub fn get_path<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    segments(path).iter().try_fold(root, |cur, seg| match seg {
        Segment::Key(k) => cur
            .as_object()?
            .iter()
            .find(|(e, _)| e.eq_ignore_ascii_case(k))
            .map(|(_, v)| v),
        Segment::Index(n) => cur.as_array()?.get(*n),
    })
}

pub fn remove_path(root: &mut Value, path: &str) {
    let segs = segments(path);
    let Some((last, parents)) = segs.split_last() else {
        return;
    };
    let mut cur = root;
    for seg in parents {
        let next = match seg {
            Segment::Key(k) => cur.as_object_mut().and_then(|m| {
                let key = m.keys().find(|e| e.eq_ignore_ascii_case(k)).cloned()?;
                m.get_mut(&key)
            }),
            Segment::Index(n) => cur.as_array_mut().and_then(|a| a.get_mut(*n)),
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    match last {
        Segment::Key(k) => {
            if let Some(m) = cur.as_object_mut()
                && let Some(key) = m.keys().find(|e| e.eq_ignore_ascii_case(k)).cloned()
            {
                m.remove(&key);
            }
        }
        Segment::Index(n) => {
            if let Some(a) = cur.as_array_mut()
                && *n < a.len()
            {
                a.remove(*n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_and_removes_dotted_paths() {
        let mut v = json!({"name": {"givenName": "A"}, "emails": [{"value": "a@x"}]});
        set_path(&mut v, "name.givenName", json!("B")).unwrap();
        set_path(&mut v, "emails[0].value", json!("b@x")).unwrap();
        set_path(&mut v, "active", json!(false)).unwrap();
        set_path(&mut v, "NAME.familyName", json!("C")).unwrap();
        assert_eq!(
            v,
            json!({"name": {"givenName": "B", "familyName": "C"}, "emails": [{"value": "b@x"}], "active": false})
        );
        remove_path(&mut v, "name.familyName");
        remove_path(&mut v, "emails[0]");
        assert_eq!(
            v,
            json!({"name": {"givenName": "B"}, "emails": [], "active": false})
        );
        assert!(set_path(&mut v, "emails[3].value", json!(1)).is_err());
        assert_eq!(get_path(&v, "Name.GivenName"), Some(&json!("B")));
        // A missing array is created, and an index one past the end appends.
        set_path(&mut v, "emails[0].value", json!("c@x")).unwrap();
        set_path(&mut v, "phoneNumbers[0].value", json!("+1")).unwrap();
        assert_eq!(v["emails"], json!([{"value": "c@x"}]));
        assert_eq!(v["phoneNumbers"], json!([{"value": "+1"}]));
    }

    #[test]
    fn extension_attribute_paths_keep_the_schema_urn_whole() {
        let urn = crate::profile::ENTERPRISE_USER;
        let mut v = json!({"userName": "a"});
        set_path(&mut v, &format!("{urn}:department"), json!("R&D")).unwrap();
        set_path(&mut v, &format!("{urn}:manager.value"), json!("m1")).unwrap();
        assert_eq!(
            v[urn],
            json!({"department": "R&D", "manager": {"value": "m1"}})
        );
        assert_eq!(get_path(&v, urn), Some(&v[urn]));
        remove_path(&mut v, &format!("{urn}:department"));
        assert_eq!(v[urn], json!({"manager": {"value": "m1"}}));
    }
}
