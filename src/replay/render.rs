//! Rendering: builds a scenario instance's variables (built-ins, Okta users and groups, declared
//! variables) and turns a step's request template into a concrete request.

use super::client::{Credentials, OutgoingRequest, okta_headers};
use crate::okta::body_path::{PathError, remove_path};
use crate::okta::requests;
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
    #[error(transparent)]
    Path(#[from] PathError),
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
    let read = (ctx.echo)(&from.step).ok_or_else(|| RenderError::NoEchoBody(from.step.clone()))?;
    let mut changes = serde_json::Map::new();
    for (path, value) in &from.set {
        changes.insert(path.clone(), vars.render_value(value)?);
    }
    // Okta merges its whole app-user profile over what it read (requests::user_push).
    let mut body = match spec.shape {
        Some(BodyShape::User) => requests::user_push(ctx.profile, read, changes)?,
        None => requests::echo_with(read, changes)?,
    };
    for path in &from.remove {
        remove_path(&mut body, &vars.render_str(path)?);
    }
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;

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
