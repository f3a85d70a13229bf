//! The PATCH engine (RFC 7644 §3.5.2): add / remove / replace with and without `path`,
//! value-filter paths, Okta's path-less object replace; all operations of a request apply
//! atomically to a copy of the resource's attributes.
//!
//! Decisions: `remove` whose value filter matches nothing succeeds without change (Okta repeats
//! membership removals; RFC 7644 §3.5.2.2 defines no error for it); `replace`/`add` with a value
//! filter matching nothing answers 400 `noTarget` (§3.5.2.3), except `add`/`replace` of
//! `attr[sub eq "x"].other` which creates the element (Entra's email form); `add` of a
//! multi-valued element already present (same `value`, and same `type` when given) is a no-op.

use super::errors::ScimError;
use super::filter::{self, CompareOp, EvalContext, Filter, Literal};
use super::quirks::{Quirk, Quirks};
use super::resource::{check_members, check_required, check_value, validate};
use super::schema::{self, AttrDef, AttrType, Mutability, ResourceKind};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Add,
    Remove,
    Replace,
}

struct Target {
    ext: Option<&'static str>,
    def: &'static AttrDef,
    filter: Option<Filter>,
    sub: Option<&'static AttrDef>,
}

fn parse_target(kind: ResourceKind, path: &str) -> Result<Target, ScimError> {
    let path = path.trim();
    let (head, filter_text, tail) = match path.find('[') {
        Some(i) => {
            let Some(j) = path.rfind(']').filter(|j| *j > i) else {
                return Err(ScimError::invalid_path(format!(
                    "path '{path}': missing ']'"
                )));
            };
            (&path[..i], Some(&path[i + 1..j]), &path[j + 1..])
        }
        None => (path, None, ""),
    };
    let (ext, rest) = match schema::split_urn(kind, head) {
        Some((urn, rest)) if urn == kind.core_schema() => (None, rest),
        Some((urn, rest)) => (Some(urn), rest),
        None if head.len() > 4
            && head
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("urn:")) =>
        {
            return Err(ScimError::invalid_path(format!(
                "path '{path}': unknown schema URN"
            )));
        }
        None => (None, head),
    };
    let (attr_name, head_sub) = match rest.split_once('.') {
        Some((a, s)) => (a, Some(s)),
        None => (rest, None),
    };
    let def = match ext {
        Some(urn) => schema::extension(kind, urn).and_then(|(_, attrs)| {
            attrs
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(attr_name))
        }),
        None => schema::core_attr(kind, attr_name),
    }
    .ok_or_else(|| {
        ScimError::invalid_path(format!("path '{path}': unknown attribute '{attr_name}'"))
    })?;
    let sub_name = match (head_sub, tail) {
        (Some(_), t) if !t.is_empty() => {
            return Err(ScimError::invalid_path(format!(
                "path '{path}' is malformed"
            )));
        }
        (Some(s), _) if filter_text.is_some() => {
            return Err(ScimError::invalid_path(format!(
                "path '{path}': '{s}' before a value filter"
            )));
        }
        (Some(s), _) => Some(s),
        (None, "") => None,
        (None, t) => match t.strip_prefix('.') {
            Some(s) => Some(s),
            None => {
                return Err(ScimError::invalid_path(format!(
                    "path '{path}' is malformed after ']'"
                )));
            }
        },
    };
    let sub = match sub_name {
        Some(s) => Some(def.sub(s).ok_or_else(|| {
            ScimError::invalid_path(format!(
                "path '{path}': unknown sub-attribute '{}.{s}'",
                def.name
            ))
        })?),
        None => None,
    };
    let filter = match filter_text {
        Some(f) => {
            if !def.multi_valued {
                return Err(ScimError::invalid_path(format!(
                    "path '{path}': a value filter needs a multi-valued attribute"
                )));
            }
            Some(
                filter::parse(f)
                    .map_err(|e| ScimError::invalid_path(format!("path '{path}': filter {e}")))?,
            )
        }
        None => None,
    };
    Ok(Target {
        ext,
        def,
        filter,
        sub,
    })
}

fn container<'a>(
    attrs: &'a mut Map<String, Value>,
    ext: Option<&str>,
) -> &'a mut Map<String, Value> {
    match ext {
        None => attrs,
        Some(urn) => {
            let slot = attrs
                .entry(urn.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            slot.as_object_mut().expect("just made an object")
        }
    }
}

fn same_element(a: &Value, b: &Value) -> bool {
    match (a.get("value"), b.get("value")) {
        (Some(x), Some(y)) => {
            x == y
                && match (a.get("type"), b.get("type")) {
                    (Some(s), Some(t)) => s == t,
                    _ => true,
                }
        }
        _ => a == b,
    }
}

struct Engine<'a> {
    kind: ResourceKind,
    quirks: &'a Quirks,
    ctx: EvalContext,
}

impl Engine<'_> {
    fn apply(
        &self,
        attrs: &mut Map<String, Value>,
        op: Op,
        t: &Target,
        value: Option<&Value>,
    ) -> Result<(), ScimError> {
        let name = t.def.name;
        if t.ext.is_none() && name == "active" && self.quirks.on(Quirk::IgnoresActivePatch) {
            return Ok(());
        }
        if t.def.mutability == Mutability::ReadOnly {
            return Err(ScimError::mutability(format!(
                "attribute '{name}' is readOnly"
            )));
        }
        let value = match (op, value) {
            (Op::Remove, v) => v,
            (_, None) => {
                return Err(ScimError::invalid_value(format!(
                    "operation on '{name}' needs a 'value'"
                )));
            }
            (_, Some(v)) => Some(v),
        };
        // Check incoming values against the schema up front (canonical names, types).
        let checked = match (op, value, t.sub) {
            (Op::Remove, _, _) | (_, None, _) => None,
            (_, Some(Value::Null), _) => Some(Value::Null),
            (_, Some(v), Some(sub)) => Some(check_value(sub, v, &format!("{name}.{}", sub.name))?),
            (_, Some(v), None) if t.def.multi_valued && t.filter.is_none() => {
                let arr = if v.is_array() {
                    v.clone()
                } else {
                    Value::Array(vec![v.clone()])
                };
                Some(check_value(t.def, &arr, name)?)
            }
            (_, Some(v), None) if t.def.ty == AttrType::Complex => {
                let single = AttrDef {
                    multi_valued: false,
                    ..clone_def(t.def)
                };
                Some(check_value(&single, v, name)?)
            }
            (_, Some(v), None) => Some(check_value(t.def, v, name)?),
        };
        if name == "members"
            && let Some(Value::Array(ms)) = &checked
        {
            check_members(ms, self.quirks)?;
            if op == Op::Replace
                && ms.is_empty()
                && t.filter.is_none()
                && self.quirks.on(Quirk::EmptyMembersReplaceFails)
            {
                return Err(ScimError::invalid_value(
                    "members cannot be replaced with an empty list",
                ));
            }
        }
        let c = container(attrs, t.ext);
        match &t.filter {
            Some(f) => self.apply_filtered(c, op, t, f, checked),
            None => {
                match (op, t.sub, checked) {
                    (Op::Remove, None, _) => {
                        let listed = value.filter(|v| !v.is_null());
                        match (listed, c.get_mut(name)) {
                            (Some(v), Some(Value::Array(items))) if t.def.multi_valued => {
                                // Remove the listed elements (Entra's `remove members` with a value).
                                let gone: Vec<Value> = match v {
                                    Value::Array(a) => a.clone(),
                                    v => vec![v.clone()],
                                };
                                items.retain(|i| !gone.iter().any(|g| same_element(i, g)));
                            }
                            _ => {
                                c.remove(name);
                            }
                        }
                    }
                    (Op::Remove, Some(sub), _) => match c.get_mut(name) {
                        Some(Value::Object(o)) => {
                            o.remove(sub.name);
                        }
                        Some(Value::Array(items)) => items.iter_mut().for_each(|i| {
                            if let Some(o) = i.as_object_mut() {
                                o.remove(sub.name);
                            }
                        }),
                        _ => {}
                    },
                    (_, _, Some(Value::Null)) => {
                        c.remove(name);
                    }
                    (_, Some(sub), Some(v)) => match c.get_mut(name) {
                        Some(Value::Array(items)) => items.iter_mut().for_each(|i| {
                            if let Some(o) = i.as_object_mut() {
                                o.insert(sub.name.to_string(), v.clone());
                            }
                        }),
                        Some(Value::Object(o)) => {
                            o.insert(sub.name.to_string(), v);
                        }
                        _ if t.def.multi_valued => {
                            return Err(ScimError::no_target(format!(
                                "'{name}' has no values to update"
                            )));
                        }
                        _ => {
                            let mut o = Map::new();
                            o.insert(sub.name.to_string(), v);
                            c.insert(name.to_string(), Value::Object(o));
                        }
                    },
                    (op, None, Some(Value::Array(new))) if t.def.multi_valued => {
                        let items = if op == Op::Replace {
                            Vec::new()
                        } else {
                            c.get(name)
                                .and_then(Value::as_array)
                                .cloned()
                                .unwrap_or_default()
                        };
                        let mut items = items;
                        let duplicates = op == Op::Add
                            && name == "members"
                            && self.quirks.on(Quirk::DuplicateMemberAdd);
                        for n in new {
                            match items.iter_mut().find(|i| same_element(i, &n)) {
                                Some(existing) if !duplicates => merge(existing, &n),
                                _ => items.push(n),
                            }
                        }
                        c.insert(name.to_string(), Value::Array(items));
                    }
                    (_, None, Some(v @ Value::Object(_))) if t.def.ty == AttrType::Complex => {
                        let slot = c
                            .entry(name.to_string())
                            .or_insert_with(|| Value::Object(Map::new()));
                        if !slot.is_object() {
                            *slot = Value::Object(Map::new());
                        }
                        merge(slot, &v);
                    }
                    (_, None, Some(v)) => {
                        c.insert(name.to_string(), v);
                    }
                    (_, _, None) => {}
                }
                Ok(())
            }
        }
    }

    fn apply_filtered(
        &self,
        c: &mut Map<String, Value>,
        op: Op,
        t: &Target,
        f: &Filter,
        checked: Option<Value>,
    ) -> Result<(), ScimError> {
        let name = t.def.name;
        let is_members = self.kind == ResourceKind::Group && name == "members";
        if op == Op::Remove && is_members && t.sub.is_none() {
            if self.quirks.on(Quirk::IgnoreMemberRemoveFilter) {
                return Ok(());
            }
            if self.quirks.on(Quirk::RemoveFilterWipesMembers) {
                c.insert(name.to_string(), Value::Array(Vec::new()));
                return Ok(());
            }
        }
        let mut items = c
            .get(name)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let hits: Vec<usize> = (0..items.len())
            .filter(|i| f.matches_element(&items[*i], name, &self.ctx))
            .collect();
        match op {
            Op::Remove => match t.sub {
                None => {
                    let mut i = 0;
                    items.retain(|_| {
                        i += 1;
                        !hits.contains(&(i - 1))
                    });
                }
                Some(sub) => hits.iter().for_each(|i| {
                    if let Some(o) = items[*i].as_object_mut() {
                        o.remove(sub.name);
                    }
                }),
            },
            Op::Add | Op::Replace => {
                let v = checked.unwrap_or(Value::Null);
                if hits.is_empty() {
                    // `emails[type eq "work"].value` on a user without a work email: create it.
                    match (t.sub, f) {
                        (Some(sub), Filter::Compare(p, CompareOp::Eq, Literal::Str(s)))
                            if p.sub.is_none() && p.urn.is_none() =>
                        {
                            let mut o = Map::new();
                            let key = t
                                .def
                                .sub(&p.attr)
                                .map_or(p.attr.clone(), |d| d.name.to_string());
                            o.insert(key, Value::String(s.clone()));
                            o.insert(sub.name.to_string(), v);
                            items.push(Value::Object(o));
                        }
                        _ => {
                            return Err(ScimError::no_target(format!(
                                "no value of '{name}' matches the path filter"
                            )));
                        }
                    }
                } else {
                    for i in hits {
                        match t.sub {
                            Some(sub) => {
                                if let Some(o) = items[i].as_object_mut() {
                                    o.insert(sub.name.to_string(), v.clone());
                                }
                            }
                            None if op == Op::Add => merge(&mut items[i], &v),
                            None => items[i] = v.clone(),
                        }
                    }
                }
            }
        }
        if items.is_empty() && !is_members {
            c.remove(name);
        } else {
            c.insert(name.to_string(), Value::Array(items));
        }
        Ok(())
    }

    /// Path-less operation: `value` is an object of attribute → value.
    fn apply_pathless(
        &self,
        attrs: &mut Map<String, Value>,
        op: Op,
        value: Option<&Value>,
    ) -> Result<(), ScimError> {
        if op == Op::Remove {
            return Err(ScimError::no_target("a 'remove' operation needs a 'path'"));
        }
        let Some(Value::Object(obj)) = value else {
            return Err(ScimError::invalid_value(
                "an operation without 'path' needs an object 'value' of attributes",
            ));
        };
        for (k, v) in obj {
            if k.eq_ignore_ascii_case("schemas") {
                continue;
            }
            if let Some((urn, _)) = schema::extension(self.kind, k) {
                let Some(ext) = v.as_object() else {
                    return Err(ScimError::invalid_value(format!(
                        "extension '{urn}' must be an object"
                    )));
                };
                for (ek, ev) in ext {
                    let t = parse_target(self.kind, &format!("{urn}:{ek}")).map_err(|_| {
                        ScimError::invalid_value(format!("unknown attribute '{urn}:{ek}'"))
                    })?;
                    self.apply(attrs, op, &t, Some(ev))?;
                }
                continue;
            }
            if let Some(def) = schema::core_attr(self.kind, k)
                && def.mutability == Mutability::ReadOnly
            {
                if self.quirks.on(Quirk::RenameRejectsIdInValue)
                    && self.kind == ResourceKind::Group
                    && def.name == "id"
                {
                    return Err(ScimError::mutability(
                        "attribute 'id' is readOnly and cannot be replaced",
                    ));
                }
                continue;
            }
            let t = parse_target(self.kind, k)
                .map_err(|_| ScimError::invalid_value(format!("unknown attribute '{k}'")))?;
            self.apply(attrs, op, &t, Some(v))?;
        }
        Ok(())
    }
}

fn clone_def(d: &'static AttrDef) -> AttrDef {
    AttrDef {
        name: d.name,
        ty: d.ty,
        multi_valued: d.multi_valued,
        mutability: d.mutability,
        case_exact: d.case_exact,
        returned: d.returned,
        required: d.required,
        uniqueness: d.uniqueness,
        description: d.description,
        sub_attributes: d.sub_attributes,
    }
}

fn merge(target: &mut Value, patch: &Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(t), Some(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    t.insert(k.clone(), v.clone());
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

fn field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Applies a PatchOp body to a copy of `current` and returns the new, validated attributes.
pub fn apply(
    kind: ResourceKind,
    current: &Map<String, Value>,
    body: &Value,
    quirks: &Quirks,
) -> Result<Map<String, Value>, ScimError> {
    let Some(obj) = body.as_object() else {
        return Err(ScimError::invalid_syntax(
            "the PATCH body must be a JSON object",
        ));
    };
    let Some(ops) = field(obj, "Operations") else {
        return Err(ScimError::invalid_syntax(
            "the PATCH body needs an 'Operations' array",
        ));
    };
    let Some(ops) = ops.as_array() else {
        return Err(ScimError::invalid_syntax("'Operations' must be an array"));
    };
    let engine = Engine {
        kind,
        quirks,
        ctx: EvalContext {
            kind,
            force_case_exact: false,
        },
    };
    let mut attrs = current.clone();
    for (n, raw) in ops.iter().enumerate() {
        let Some(o) = raw.as_object() else {
            return Err(ScimError::invalid_syntax(format!(
                "operation {n} must be an object"
            )));
        };
        let op = match field(o, "op")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("add") => Op::Add,
            Some("remove") => Op::Remove,
            Some("replace") => Op::Replace,
            Some(other) => {
                return Err(ScimError::invalid_syntax(format!(
                    "operation {n}: unknown op '{other}' (expected add, remove or replace)"
                )));
            }
            None => {
                return Err(ScimError::invalid_syntax(format!(
                    "operation {n} needs an 'op'"
                )));
            }
        };
        let value = field(o, "value");
        match field(o, "path") {
            None | Some(Value::Null) => {
                if quirks.on(Quirk::PatchRequiresPath) {
                    return Err(ScimError::invalid_path(format!(
                        "operation {n}: 'path' is required"
                    )));
                }
                engine.apply_pathless(&mut attrs, op, value)?;
            }
            Some(Value::String(p)) if p.trim().is_empty() => {
                engine.apply_pathless(&mut attrs, op, value)?
            }
            Some(Value::String(p)) => {
                if let Some((urn, _)) = schema::extension(kind, p.trim()) {
                    let wrapped = value
                        .map(|v| Value::Object(Map::from_iter([(urn.to_string(), v.clone())])));
                    if op == Op::Remove {
                        attrs.remove(urn);
                    } else {
                        engine.apply_pathless(&mut attrs, op, wrapped.as_ref())?;
                    }
                    continue;
                }
                let t = parse_target(kind, p)?;
                engine.apply(&mut attrs, op, &t, value)?;
            }
            Some(_) => {
                return Err(ScimError::invalid_path(format!(
                    "operation {n}: 'path' must be a string"
                )));
            }
        }
    }
    attrs.retain(|k, v| !(k.starts_with("urn:") && v.as_object().is_some_and(Map::is_empty)));
    // Re-validate the whole result: types, canonical names, required attributes.
    let mut as_body = attrs.clone();
    let urns: Vec<Value> = attrs
        .keys()
        .filter(|k| k.starts_with("urn:"))
        .map(|k| Value::String(k.clone()))
        .collect();
    as_body.insert("schemas".into(), Value::Array(urns));
    let out = validate(kind, &Value::Object(as_body), &Quirks::default())?;
    check_required(kind, &out)?;
    Ok(out)
}
