//! The resource model at the HTTP boundary: validation of incoming User/Group bodies against the
//! schema (types, unknown attributes, canonical names) and rendering of stored resources as SCIM
//! JSON (meta, groups, members, output quirks).

use super::errors::ScimError;
use super::quirks::{Quirk, Quirks};
use super::schema::{self, AttrDef, AttrType, Mutability, ResourceKind};
use super::store::{Resource, Store};
use serde_json::{Map, Value, json};

/// Formats a timestamp as RFC 3339 UTC with milliseconds.
pub fn timestamp(t: std::time::SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// The weak ETag of a version.
pub fn etag(version: u64) -> String {
    format!("W/\"{version}\"")
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check_scalar(def: &AttrDef, v: &Value, path: &str) -> Result<Value, ScimError> {
    let ok = match def.ty {
        AttrType::String | AttrType::Reference | AttrType::Binary => v.is_string(),
        AttrType::DateTime => v
            .as_str()
            .is_some_and(|s| humantime::parse_rfc3339_weak(s).is_ok()),
        AttrType::Boolean => v.is_boolean(),
        AttrType::Integer => v.is_i64() || v.is_u64(),
        AttrType::Decimal => v.is_number(),
        AttrType::Complex => {
            let Some(obj) = v.as_object() else {
                return Err(ScimError::invalid_value(format!(
                    "attribute '{path}' must be an object, got {}",
                    type_name(v)
                )));
            };
            let mut out = Map::new();
            for (k, sv) in obj {
                let Some(sub) = def.sub(k) else {
                    return Err(ScimError::invalid_value(format!(
                        "unknown attribute '{path}.{k}'"
                    )));
                };
                if sv.is_null() || sub.mutability == Mutability::ReadOnly && def.name != "members" {
                    continue;
                }
                let checked = check_scalar(sub, sv, &format!("{path}.{}", sub.name))?;
                out.insert(sub.name.to_string(), checked);
            }
            return Ok(Value::Object(out));
        }
    };
    if ok {
        Ok(v.clone())
    } else {
        let want = match def.ty {
            AttrType::DateTime => "an RFC 3339 dateTime string",
            AttrType::Boolean => "a boolean",
            AttrType::Integer => "an integer",
            AttrType::Decimal => "a number",
            _ => "a string",
        };
        Err(ScimError::invalid_value(format!(
            "attribute '{path}' must be {want}, got {}",
            type_name(v)
        )))
    }
}

/// Checks one attribute value against its definition, returning it with canonical sub-names.
pub fn check_value(def: &AttrDef, v: &Value, path: &str) -> Result<Value, ScimError> {
    if def.multi_valued {
        let Some(items) = v.as_array() else {
            return Err(ScimError::invalid_value(format!(
                "attribute '{path}' is multi-valued and must be an array, got {}",
                type_name(v)
            )));
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if item.is_null() {
                continue;
            }
            out.push(check_scalar(def, item, path)?);
        }
        Ok(Value::Array(out))
    } else {
        check_scalar(def, v, path)
    }
}

/// Validates a User/Group body and returns its writable attributes under canonical names.
/// Read-only attributes (`id`, `meta`, `groups`) are ignored; `null` means unassigned.
pub fn validate(
    kind: ResourceKind,
    body: &Value,
    quirks: &Quirks,
) -> Result<Map<String, Value>, ScimError> {
    let Some(obj) = body.as_object() else {
        return Err(ScimError::invalid_syntax(format!(
            "the request body must be a JSON object, got {}",
            type_name(body)
        )));
    };
    let mut declared: Vec<&str> = Vec::new();
    if let Some(s) = obj
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("schemas"))
        .map(|(_, v)| v)
    {
        let Some(list) = s.as_array() else {
            return Err(ScimError::invalid_value(
                "attribute 'schemas' must be an array of URNs",
            ));
        };
        for u in list {
            match u.as_str() {
                Some(u) => declared.push(u),
                None => {
                    return Err(ScimError::invalid_value(
                        "attribute 'schemas' must be an array of URNs",
                    ));
                }
            }
        }
    }
    let mut out = Map::new();
    for (k, v) in obj {
        if k.eq_ignore_ascii_case("schemas") || v.is_null() {
            continue;
        }
        if let Some(def) = schema::core_attr(kind, k) {
            if def.mutability == Mutability::ReadOnly {
                continue;
            }
            out.insert(def.name.to_string(), check_value(def, v, def.name)?);
        } else if let Some((urn, attrs)) = schema::extension(kind, k) {
            let Some(ext) = v.as_object() else {
                return Err(ScimError::invalid_value(format!(
                    "extension '{urn}' must be an object"
                )));
            };
            let mut eout = Map::new();
            for (ek, ev) in ext {
                let Some(def) = attrs.iter().find(|a| a.name.eq_ignore_ascii_case(ek)) else {
                    return Err(ScimError::invalid_value(format!(
                        "unknown attribute '{urn}:{ek}'"
                    )));
                };
                if ev.is_null() || def.mutability == Mutability::ReadOnly {
                    continue;
                }
                eout.insert(
                    def.name.to_string(),
                    check_value(def, ev, &format!("{urn}:{}", def.name))?,
                );
            }
            if !eout.is_empty() {
                out.insert(urn.to_string(), Value::Object(eout));
            }
        } else if k.len() > 4
            && k.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
            && declared.iter().any(|d| d == k)
        {
            if k == schema::EXTRA_SCHEMA {
                continue;
            }
            out.insert(k.clone(), v.clone());
        } else {
            return Err(ScimError::invalid_value(format!(
                "unknown attribute '{k}' (not in the {} schema{})",
                kind.name(),
                if k.starts_with("urn:") {
                    " and not listed in 'schemas'"
                } else {
                    ""
                }
            )));
        }
    }
    if let Some(members) = out.get("members").and_then(Value::as_array) {
        check_members(members, quirks)?;
    }
    Ok(out)
}

/// Rejects a resource missing its required attribute (userName / displayName).
pub fn check_required(kind: ResourceKind, attrs: &Map<String, Value>) -> Result<(), ScimError> {
    let name = super::store::name_attr(kind);
    match attrs.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(()),
        _ => Err(ScimError::invalid_value(format!(
            "attribute '{name}' is required"
        ))),
    }
}

/// Member objects need a string `value`; `members-require-type` also insists on `type`.
pub fn check_members(members: &[Value], quirks: &Quirks) -> Result<(), ScimError> {
    for m in members {
        if !m.get("value").is_some_and(Value::is_string) {
            return Err(ScimError::invalid_value(
                "every member needs a string 'value' (the member's id)",
            ));
        }
        if quirks.on(Quirk::MembersRequireType) && m.get("type").is_none() {
            return Err(ScimError::invalid_value(
                "attribute 'members.type' is required",
            ));
        }
    }
    Ok(())
}

/// Applies the storage quirks (lower-cased emails, dropped locale, recomputed displayName).
pub fn apply_store_quirks(kind: ResourceKind, attrs: &mut Map<String, Value>, quirks: &Quirks) {
    if kind != ResourceKind::User {
        return;
    }
    if quirks.on(Quirk::LowercaseEmails)
        && let Some(Value::Array(emails)) = attrs.get_mut("emails")
    {
        for e in emails {
            if let Some(Value::String(s)) = e.get_mut("value") {
                *s = s.to_lowercase();
            }
        }
    }
    if quirks.on(Quirk::DropsLocale) {
        attrs.remove("locale");
    }
    if quirks.on(Quirk::RecomputesDisplayName) {
        let name = attrs.get("name");
        let part = |k: &str| {
            name.and_then(|n| n.get(k))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let dn = format!("{} {}", part("givenName"), part("familyName"))
            .trim()
            .to_string();
        attrs.insert("displayName".into(), Value::String(dn));
    }
}

/// Rendering settings for one request.
pub struct RenderContext<'a> {
    /// Absolute base URL of this request, e.g. `http://127.0.0.1:8080/scim/v2`.
    pub base: &'a str,
    pub quirks: &'a Quirks,
    pub store: &'a Store,
}

/// The URL of a resource: absolute, or a relative path under `relative-meta-location`.
pub fn resource_location(base: &str, kind: ResourceKind, id: &str, quirks: &Quirks) -> String {
    if quirks.on(Quirk::RelativeMetaLocation) {
        format!("/{}/{id}", kind.endpoint())
    } else {
        format!("{base}/{}/{id}", kind.endpoint())
    }
}

/// Renders a stored resource as SCIM JSON.
pub fn render(kind: ResourceKind, r: &Resource, ctx: &RenderContext<'_>) -> Value {
    let mut out = Map::new();
    let mut schemas = vec![Value::String(kind.core_schema().to_string())];
    for (k, v) in &r.attrs {
        if k.starts_with("urn:") {
            schemas.push(Value::String(k.clone()));
        }
        if k == "password" && !ctx.quirks.on(Quirk::ReturnsPassword) {
            continue;
        }
        out.insert(k.clone(), v.clone());
    }
    out.insert("schemas".into(), Value::Array(schemas));
    out.insert("id".into(), Value::String(r.id.clone()));
    let location = resource_location(ctx.base, kind, &r.id, ctx.quirks);
    match kind {
        ResourceKind::User => {
            let groups: Vec<Value> = ctx
                .store
                .groups_of(&r.id)
                .map(|g| {
                    json!({
                        "value": g.id,
                        "display": g.str_attr("displayName").unwrap_or_default(),
                        "$ref": format!("{}/Groups/{}", ctx.base, g.id),
                        "type": "direct",
                    })
                })
                .collect();
            out.insert("groups".into(), Value::Array(groups));
            if ctx.quirks.on(Quirk::StringBooleans)
                && let Some(Value::Bool(b)) = out.get("active")
            {
                let s = b.to_string();
                out.insert("active".into(), Value::String(s));
            }
            if ctx.quirks.on(Quirk::ReordersEmails)
                && let Some(Value::Array(emails)) = out.get_mut("emails")
            {
                emails.reverse();
                if emails.len() > 1 {
                    for (i, e) in emails.iter_mut().enumerate() {
                        if let Some(o) = e.as_object_mut()
                            && o.contains_key("primary")
                        {
                            o.insert("primary".into(), Value::Bool(i == 0));
                        }
                    }
                }
            }
        }
        ResourceKind::Group => {
            let members: Vec<Value> = r
                .attrs
                .get("members")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|m| {
                    let value = m.get("value").and_then(Value::as_str).unwrap_or_default();
                    let user = ctx.store.get(ResourceKind::User, value);
                    let group = ctx.store.get(ResourceKind::Group, value);
                    let display = m
                        .get("display")
                        .cloned()
                        .or_else(|| user.and_then(|u| u.attrs.get("userName").cloned()))
                        .or_else(|| group.and_then(|g| g.attrs.get("displayName").cloned()));
                    let mut o = Map::new();
                    o.insert("value".into(), Value::String(value.to_string()));
                    if let Some(d) = display {
                        o.insert("display".into(), d);
                    }
                    let endpoint = match (user, group) {
                        (Some(_), _) => Some("Users"),
                        (None, Some(_)) => Some("Groups"),
                        (None, None) => None,
                    };
                    if let Some(endpoint) = endpoint {
                        o.insert(
                            "$ref".into(),
                            Value::String(format!("{}/{endpoint}/{value}", ctx.base)),
                        );
                    }
                    // The stored resource decides the type; a client's word only for unknown ids.
                    let ty = match endpoint {
                        Some("Groups") => json!("Group"),
                        Some(_) => json!("User"),
                        None => m.get("type").cloned().unwrap_or_else(|| json!("User")),
                    };
                    o.insert("type".into(), ty);
                    Value::Object(o)
                })
                .collect();
            if !(members.is_empty() && ctx.quirks.on(Quirk::GroupOmitsEmptyMembers)) {
                out.insert("members".into(), Value::Array(members));
            } else {
                out.remove("members");
            }
        }
    }
    out.insert(
        "meta".into(),
        json!({
            "resourceType": kind.name(),
            "created": timestamp(r.created),
            "lastModified": timestamp(if ctx.quirks.on(Quirk::LastModifiedFrozen) {
                super::quirks::frozen_clock()
            } else {
                r.modified
            }),
            "location": location,
            "version": etag(r.version),
        }),
    );
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_attribute() {
        let q = Quirks::default();
        let u = ResourceKind::User;
        let e = validate(u, &json!({"userName": "a", "active": "false"}), &q).unwrap_err();
        assert!(e.detail.contains("'active'"), "{}", e.detail);
        let e = validate(u, &json!({"userName": 5}), &q).unwrap_err();
        assert!(e.detail.contains("'userName'"));
        let e = validate(u, &json!({"userName": "a", "emails": {"value": "x"}}), &q).unwrap_err();
        assert!(e.detail.contains("'emails'"));
        let e = validate(u, &json!({"userName": "a", "shoeSize": 4}), &q).unwrap_err();
        assert!(e.detail.contains("'shoeSize'"));
        let ok = validate(
            u,
            &json!({"schemas": [schema::USER_SCHEMA, "urn:custom:1"], "USERNAME": "a", "id": "x",
                    "groups": [], "urn:custom:1": {"a": 1},
                    "emails": [{"Value": "a@b", "primary": true}]}),
            &q,
        )
        .unwrap();
        assert_eq!(ok["userName"], "a");
        assert!(!ok.contains_key("id") && !ok.contains_key("groups"));
        assert_eq!(ok["emails"][0]["value"], "a@b");
        assert!(ok.contains_key("urn:custom:1"));
        assert!(validate(u, &json!({"urn:custom:1": {}}), &q).is_err());
    }
}
