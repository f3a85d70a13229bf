//! Rendering: builds a scenario instance's variables (built-ins, Okta users and groups, declared
//! variables) and turns a step's request template into a concrete request.

use super::client::{Credentials, OutgoingRequest, okta_headers};
use crate::profile::{Profile, UniqueIdentifier};
use crate::scenario::template::{TemplateError, Vars};
use crate::scenario::{BodyShape, RequestSpec, Scenario, StepAuth};
use serde_json::{Value, json};

/// The SPEC test's id that does not exist (docs/okta-reference.md#s8-1).
pub const UNKNOWN_ID: &str = "010101001010101011001010101011";

/// A credential that is never valid, for 401 probes.
pub const INVALID_CREDENTIAL: &str = "scimreplay-invalid-credential";

/// A random lowercase alphanumeric string.
pub fn random_alnum(len: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in uuid::Uuid::new_v4().as_bytes() {
            if out.len() < len {
                out.push(CHARS[*b as usize % CHARS.len()] as char);
            }
        }
    }
    out
}

/// Variables for one scenario instance.
pub fn scenario_vars(
    scenario: &Scenario,
    profile: &Profile,
    run_id: &str,
) -> Result<Vars, TemplateError> {
    let mut vars = Vars::default();
    vars.set("run_id", json!(run_id));
    vars.set("unknown_id", json!(UNKNOWN_ID));
    vars.set_secret("random_password", json!(random_alnum(8)));
    for (name, user) in &scenario.def.users {
        let base = format!("{}.{}.{run_id}", user.given_name, user.family_name)
            .to_lowercase()
            .replace(' ', "-");
        let login = format!("{base}@okta.example");
        let email = format!("{base}@example.com");
        let user_name = match profile.unique_identifier {
            UniqueIdentifier::UserName => login.clone(),
            UniqueIdentifier::Email => email.clone(),
        };
        let fields = [
            ("login", login),
            ("email", email),
            ("user_name", user_name),
            ("given_name", user.given_name.clone()),
            ("family_name", user.family_name.clone()),
            ("middle_name", user.middle_name.clone().unwrap_or_default()),
            (
                "display_name",
                user.display_name
                    .clone()
                    .unwrap_or_else(|| format!("{} {}", user.given_name, user.family_name)),
            ),
            (
                "locale",
                user.locale.clone().unwrap_or_else(|| "en-US".into()),
            ),
            ("title", user.title.clone().unwrap_or_default()),
            ("external_id", format!("00u{}", random_alnum(17))),
        ];
        for (field, value) in fields {
            vars.set(format!("{name}.{field}"), json!(value));
        }
        vars.set_secret(format!("{name}.password"), json!(random_alnum(8)));
    }
    for (name, group) in &scenario.def.groups {
        vars.set(
            format!("{name}.display_name"),
            json!(format!("{} {run_id}", group.name)),
        );
    }
    let defined: std::collections::BTreeSet<String> = vars.names().map(str::to_string).collect();
    let order = crate::scenario::template::resolution_order(
        &scenario.def.variables,
        &scenario.def.secrets,
        &defined,
    )
    .map_err(|(_, missing)| TemplateError::Missing(missing))?;
    for declared in order {
        let value = json!(vars.render_str(declared.template)?);
        if declared.secret {
            vars.set_secret(declared.name, value);
        } else {
            vars.set(declared.name, value);
        }
    }
    Ok(vars)
}

/// A request could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("body_from step `{0}` has no JSON response body to echo")]
    NoEchoBody(String),
    #[error("cannot set `{path}` in the echoed body: {why}")]
    BadPath { path: String, why: String },
}

/// Everything rendering needs besides the variables.
pub struct RenderContext<'a> {
    pub base_url: &'a str,
    pub credentials: Option<&'a Credentials>,
    pub profile: &'a Profile,
    pub scenario: &'a Scenario,
    /// JSON response bodies of earlier steps, by step name (for `body_from`).
    pub echo: &'a dyn Fn(&str) -> Option<Value>,
}

/// Renders a step's request.
pub fn render_request(
    step_name: &str,
    spec: &RequestSpec,
    vars: &Vars,
    ctx: &RenderContext,
) -> Result<OutgoingRequest, RenderError> {
    let path = vars.render_path(&spec.path)?;
    let mut url = format!("{}{}", ctx.base_url.trim_end_matches('/'), path);
    if let Some(q) = &spec.query {
        url.push('?');
        url.push_str(&vars.render_str(q)?);
    }
    let body = render_body(step_name, spec, vars, ctx)?;
    let mut headers = okta_headers(body.is_some());
    match (spec.auth, ctx.credentials) {
        (StepAuth::Default, Some(c)) => headers.push(("Authorization".into(), c.header_value())),
        (StepAuth::Invalid, Some(c)) => {
            let wrong = Credentials {
                auth: c.auth,
                token: INVALID_CREDENTIAL.into(),
            };
            headers.push(("Authorization".into(), wrong.header_value()));
        }
        (StepAuth::Invalid, None) => headers.push((
            "Authorization".into(),
            format!("Bearer {INVALID_CREDENTIAL}"),
        )),
        _ => {}
    }
    for (name, value) in &spec.headers {
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        let value = vars.render_str(value)?;
        if !value.is_empty() {
            headers.push((name.clone(), value));
        }
    }
    let body = body.map(|b| serde_json::to_string(&b).expect("JSON values serialize"));
    Ok(OutgoingRequest {
        method: spec.method,
        url,
        headers,
        body,
    })
}

fn render_body(
    step: &str,
    spec: &RequestSpec,
    vars: &Vars,
    ctx: &RenderContext,
) -> Result<Option<Value>, RenderError> {
    let shape = |v: Value| match spec.shape {
        Some(BodyShape::User) => ctx.profile.shape_user(&v),
        None => v,
    };
    if let Some(body) = &spec.body {
        return Ok(Some(shape(vars.render_value(body)?)));
    }
    if spec.body_file.is_some() {
        let fixture = ctx.scenario.fixture(step).cloned().unwrap_or(Value::Null);
        return Ok(Some(shape(vars.render_value(&fixture)?)));
    }
    let Some(from) = &spec.body_from else {
        return Ok(None);
    };
    let mut body =
        (ctx.echo)(&from.step).ok_or_else(|| RenderError::NoEchoBody(from.step.clone()))?;
    let mut changes = serde_json::Map::new();
    for (path, value) in &from.set {
        changes.insert(path.clone(), vars.render_value(value)?);
    }
    let changes = match spec.shape {
        Some(BodyShape::User) => shape_dotted(ctx.profile, &body, changes),
        None => changes,
    };
    for (path, value) in changes {
        set_path(&mut body, &path, value)?;
    }
    if spec.shape == Some(BodyShape::User) {
        // Okta merges its whole app-user profile over what it read, extra attributes included,
        // and lists the extension schemas whose attributes it sends.
        for (key, value) in &ctx.profile.extra_user_attributes {
            set_path(&mut body, key, value.clone())?;
        }
        if let Value::Object(map) = &mut body {
            crate::profile::list_extension_schemas(map);
        }
    }
    for path in &from.remove {
        remove_path(&mut body, &vars.render_str(path)?);
    }
    Ok(Some(body))
}

/// Keeps the dotted-path changes the profile maps, shaped as Okta sends them: each is applied
/// to a copy of the echoed `body` (so indexed paths such as `emails[0].value` find their
/// array), the copy is shaped, and the shaped value at the path is kept when there is one (a
/// whole `emails` array loses the sub-attributes the profile does not map).
fn shape_dotted(
    profile: &Profile,
    body: &Value,
    changes: serde_json::Map<String, Value>,
) -> serde_json::Map<String, Value> {
    changes
        .into_iter()
        .filter_map(|(path, value)| {
            let mut probe = body.clone();
            set_path(&mut probe, &path, value).ok()?;
            let shaped = profile.shape_user(&probe);
            let kept = get_path(&shaped, &path)?.clone();
            Some((path, kept))
        })
        .collect()
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
pub fn set_path(root: &mut Value, path: &str, value: Value) -> Result<(), RenderError> {
    let bad = |why: &str| RenderError::BadPath {
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

fn remove_path(root: &mut Value, path: &str) {
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

    /// The profile keeps a mapped indexed change such as `emails[0].value` and drops unmapped
    /// ones; the change lands in the echoed body instead of being lost.
    #[test]
    fn shaped_changes_keep_indexed_paths_into_the_echoed_body() {
        let profile = Profile::resolve("unleash").unwrap();
        let echoed = json!({"userName": "a@x", "emails": [{"value": "old@x", "type": "work", "primary": true}]});
        let mut changes = serde_json::Map::new();
        changes.insert("emails[0].value".into(), json!("new@x"));
        changes.insert("name.givenName".into(), json!("Al"));
        changes.insert("title".into(), json!("CTO"));
        let kept = shape_dotted(&profile, &echoed, changes);
        assert_eq!(kept.get("emails[0].value"), Some(&json!("new@x")));
        assert_eq!(kept.get("name.givenName"), Some(&json!("Al")));
        assert!(!kept.contains_key("title"), "unleash does not map title");
    }

    /// A profile push carries what the profile maps even when the GET omitted it: a whole
    /// `emails` array shaped to the mapped sub-attributes, `externalId`, `groups: []`.
    #[test]
    fn shaped_changes_carry_the_profile_over_what_the_get_returned() {
        let pulumi = Profile::resolve("pulumi").unwrap();
        let echoed = json!({"id": "1", "userName": "a@x", "emails": [{"value": "a@x"}]});
        let mut changes = serde_json::Map::new();
        changes.insert(
            "emails".into(),
            json!([{"primary": true, "value": "a@x", "type": "work"}]),
        );
        changes.insert("externalId".into(), json!("00uabc"));
        changes.insert("groups".into(), json!([]));
        changes.insert("name.middleName".into(), json!(""));
        let kept = shape_dotted(&pulumi, &echoed, changes);
        assert_eq!(
            kept.get("emails"),
            Some(&json!([{"primary": true, "value": "a@x"}])),
            "pulumi does not map emails.type"
        );
        assert_eq!(kept.get("externalId"), Some(&json!("00uabc")));
        assert_eq!(kept.get("groups"), Some(&json!([])));
        assert!(
            !kept.contains_key("name.middleName"),
            "empty values are not sent"
        );
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

    #[test]
    fn random_strings_have_the_requested_shape() {
        let s = random_alnum(17);
        assert_eq!(s.len(), 17);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
    }
}
