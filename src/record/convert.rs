//! Turns recorded exchanges into a replayable scenario (format 1). Server ids become captures
//! (`{{user1_id}}`), created userNames and group names become per-run variables, passwords
//! become `{{random_password}}`, and writes to resources the recording did not create are left
//! out, so a replay only ever touches what it created. Every created resource gets a teardown.

use crate::scenario::Method;
use crate::scenario::template::percent_encode;
use serde_json::Value;
use std::collections::HashSet;
use std::fmt::Write as _;

/// One request/response pair as recorded (no headers: credentials are never kept).
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path relative to the SCIM base URL, e.g. `/Users/2819c223`.
    pub path: String,
    /// The query exactly as sent, without `?`.
    pub query: Option<String>,
    pub request_body: Option<String>,
    pub status: u16,
    pub response_body: Option<String>,
    /// Which credential the request carried (never the value itself).
    pub credential: CredentialSeen,
}

impl Recorded {
    /// The method as a scenario would send it; `None` for any other method the proxy relayed
    /// (the recording keeps whatever word the client sent).
    pub fn scim_method(&self) -> Option<Method> {
        Method::parse(&self.method)
    }
}

/// The Authorization header of a recorded request, as far as a replay needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialSeen {
    /// Not known (e.g. a HAR capture whose headers were stripped): replay with the run's own.
    #[default]
    Unknown,
    /// No Authorization header at all.
    Missing,
    /// The n-th distinct Authorization value the recorder saw.
    Value(usize),
}

/// The credential most requests carried: the session's. Others are probes (a wrong or
/// expired token) and replay with a wrong credential, requests without one with none.
fn session_credential(exchanges: &[Recorded]) -> Option<usize> {
    let mut counts = std::collections::BTreeMap::new();
    for e in exchanges {
        if let CredentialSeen::Value(n) = e.credential {
            *counts.entry(n).or_insert(0usize) += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(n, count)| (*count, std::cmp::Reverse(*n)))
        .map(|(n, _)| n)
}

/// The step's `auth:` override when its request did not carry the session's credential.
fn auth_override(seen: CredentialSeen, session: Option<usize>) -> Option<&'static str> {
    match (seen, session) {
        (CredentialSeen::Missing, Some(_)) => Some("none"),
        (CredentialSeen::Value(n), Some(s)) if n != s => Some("invalid"),
        _ => None,
    }
}

/// The scenario text and the exchanges that were left out, with why.
#[derive(Debug, Clone)]
pub struct Conversion {
    pub yaml: String,
    pub steps: usize,
    pub left_out: Vec<String>,
}

/// A literal seen in the recording and the variable that stands for it.
struct Template {
    literal: String,
    var: String,
}

#[derive(Default)]
struct State {
    ids: Vec<Template>,
    names: Vec<Template>,
    variables: Vec<(String, String)>,
    created: Vec<(String, String)>,
    /// Names registered so far, per kind (numbering `user1_name`, `group1_name`, ...).
    users: usize,
    groups: usize,
}

impl State {
    /// Replaces known ids and names in `text` (longest first); `url` uses the encoded forms.
    fn substitute(&self, text: &str, url: bool) -> String {
        let mut all: Vec<(String, String)> = Vec::new();
        for t in &self.names {
            if url {
                all.push((percent_encode(&t.literal), format!("{{{{{}|url}}}}", t.var)));
            }
            all.push((t.literal.clone(), format!("{{{{{}}}}}", t.var)));
        }
        for t in &self.ids {
            all.push((t.literal.clone(), format!("{{{{{}}}}}", t.var)));
        }
        all.sort_by_key(|(lit, _)| std::cmp::Reverse(lit.len()));
        let mut out = text.to_string();
        for (lit, var) in all {
            if !lit.is_empty() {
                out = out.replace(&lit, &var);
            }
        }
        out
    }

    fn substitute_value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.substitute(s, false)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.substitute_value(x)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| {
                        let x = if k.eq_ignore_ascii_case("password") && x.is_string() {
                            Value::String("{{random_password}}".into())
                        } else {
                            self.substitute_value(x)
                        };
                        (k.clone(), x)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// The resource collection a path addresses (`Users`, `Groups`, ...) and whether it names one
/// resource by id.
fn resource_of(path: &str) -> (String, Option<String>) {
    let mut parts = path.trim_matches('/').split('/');
    let collection = parts.next().unwrap_or_default().to_string();
    (collection, parts.next().map(str::to_string))
}

/// Why an exchange cannot become a valid step: a method a scenario cannot send, or a literal
/// `{{` that the replay would read as a template.
fn unreplayable(ex: &Recorded) -> Option<&'static str> {
    if ex.scim_method().is_none() {
        return Some("not a SCIM method (a scenario sends GET, POST, PUT, PATCH or DELETE)");
    }
    let texts = [Some(&ex.path), ex.query.as_ref(), ex.request_body.as_ref()];
    if texts.into_iter().flatten().any(|t| t.contains("{{")) {
        return Some("holds a literal `{{`, which a scenario would read as a template");
    }
    None
}

/// Ids that later requests use: only those are worth a capture.
fn referenced_later(exchanges: &[Recorded], from: usize, id: &str) -> bool {
    exchanges[from..].iter().any(|e| {
        e.path.contains(id)
            || e.query.as_deref().is_some_and(|q| q.contains(id))
            || e.request_body.as_deref().is_some_and(|b| b.contains(id))
    })
}

/// Converts `exchanges` into a scenario named `name`; `source` is said in the header comment.
pub fn to_scenario(name: &str, source: &str, exchanges: &[Recorded]) -> Conversion {
    let mut st = State::default();
    let mut steps = String::new();
    let mut left_out = Vec::new();
    let mut count = 0;
    let session = session_credential(exchanges);
    // Names first: Okta's existence filter for a user comes before the create that names her.
    for ex in exchanges
        .iter()
        .filter(|e| e.scim_method() == Some(Method::Post))
    {
        let body = ex
            .request_body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Value>(b).ok());
        register_names(&mut st, &resource_of(&ex.path).0, body.as_ref());
    }
    for (i, ex) in exchanges.iter().enumerate() {
        if let Some(why) = unreplayable(ex) {
            left_out.push(format!("{} {}: {why}", ex.method, ex.path));
            continue;
        }
        let (collection, id) = resource_of(&ex.path);
        let request_json: Option<Value> = ex
            .request_body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok());
        let path = st.substitute(&ex.path, false);
        let writes = ex
            .scim_method()
            .is_some_and(|m| m != Method::Post && m.is_write());
        if writes && id.is_some() && !path.contains("{{") {
            left_out.push(format!(
                "{} {}: writes to a resource the recording did not create",
                ex.method, ex.path
            ));
            continue;
        }
        count += 1;
        let step_name = step_name(count, &ex.method, &collection, id.is_some());
        let _ = writeln!(steps, "\n  - name: {step_name}\n    request:");
        let _ = writeln!(
            steps,
            "      method: {}\n      path: {}",
            ex.method,
            quote(&path)
        );
        if let Some(q) = &ex.query {
            let _ = writeln!(steps, "      query: {}", quote(&st.substitute(q, true)));
        }
        if let Some(auth) = auth_override(ex.credential, session) {
            let _ = writeln!(steps, "      auth: {auth}");
        }
        if let Some(body) = &request_json {
            let body = st.substitute_value(body);
            let _ = writeln!(steps, "      body: {}", body);
        }
        let _ = writeln!(steps, "    expect: {{status: {}}}", ex.status);
        let captures = captures(&mut st, exchanges, i, ex, &collection);
        if !captures.is_empty() {
            steps.push_str("    capture:\n");
            for (var, path) in captures {
                let _ = writeln!(steps, "      {var}: {{json: {}}}", quote(&path));
            }
        }
    }
    let yaml = assemble(name, source, exchanges, &st, &steps, &left_out);
    Conversion {
        yaml,
        steps: count,
        left_out,
    }
}

/// A created user's userName or a group's displayName becomes a per-run variable, so a replay
/// never collides with the recording or an earlier replay.
fn register_names(st: &mut State, collection: &str, body: Option<&Value>) {
    let Some(body) = body else { return };
    let users = collection.eq_ignore_ascii_case("Users");
    let key = if users { "userName" } else { "displayName" };
    if !users && !collection.eq_ignore_ascii_case("Groups") {
        return;
    }
    let Some(literal) = body.get(key).and_then(Value::as_str) else {
        return;
    };
    if st.names.iter().any(|t| t.literal == literal) {
        return;
    }
    let (var, template) = if users {
        st.users += 1;
        let template = match literal.split_once('@') {
            Some((local, domain)) => format!("{local}.{{{{run_id}}}}@{domain}"),
            None => format!("{literal}.{{{{run_id}}}}"),
        };
        (format!("user{}_name", st.users), template)
    } else {
        st.groups += 1;
        (
            format!("group{}_name", st.groups),
            format!("{literal} {{{{run_id}}}}"),
        )
    };
    st.names.push(Template {
        literal: literal.to_string(),
        var: var.clone(),
    });
    st.variables.push((var, template));
}

/// Captures for the ids this response reveals: a created resource's `id` always (teardown
/// deletes it), ids found in a list only when a later request uses them.
fn captures(
    st: &mut State,
    all: &[Recorded],
    i: usize,
    ex: &Recorded,
    collection: &str,
) -> Vec<(String, String)> {
    let Some(body) = ex
        .response_body
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
    else {
        return Vec::new();
    };
    let singular = if collection.eq_ignore_ascii_case("Groups") {
        "group"
    } else {
        "user"
    };
    let mut found: Vec<(String, String)> = Vec::new();
    if ex.scim_method() == Some(Method::Post) && (200..300).contains(&ex.status) {
        if let Some(id) = body.get("id").and_then(Value::as_str) {
            found.push((id.to_string(), "$.id".into()));
            st.created.push((collection.to_string(), id.to_string()));
        }
    } else if let Some(list) = body.get("Resources").and_then(Value::as_array) {
        for (k, r) in list.iter().enumerate() {
            if let Some(id) = r.get("id").and_then(Value::as_str)
                && referenced_later(all, i + 1, id)
            {
                found.push((id.to_string(), format!("$.Resources[{k}].id")));
            }
        }
    }
    let known: HashSet<String> = st.ids.iter().map(|t| t.literal.clone()).collect();
    let mut out = Vec::new();
    for (id, path) in found {
        if known.contains(&id) {
            continue;
        }
        let n = 1 + st
            .ids
            .iter()
            .filter(|t| t.var.starts_with(singular))
            .count();
        let var = format!("{singular}{n}_id");
        st.ids.push(Template {
            literal: id,
            var: var.clone(),
        });
        out.push((var, path));
    }
    out
}

fn step_name(n: usize, method: &str, collection: &str, by_id: bool) -> String {
    let mut name = format!(
        "{n:02}-{}-{}",
        method.to_lowercase(),
        collection.to_lowercase()
    );
    if by_id {
        name.push_str("-by-id");
    }
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

fn assemble(
    name: &str,
    source: &str,
    exchanges: &[Recorded],
    st: &State,
    steps: &str,
    left_out: &[String],
) -> String {
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Recorded by scimreplay from {source}: {} exchanges. Server ids are captured, created\n\
         # userNames and group names carry {{{{run_id}}}}, passwords are random per run; no header\n\
         # (and so no credential) was kept. Review the expectations before committing.",
        exchanges.len()
    );
    for l in left_out {
        let _ = writeln!(y, "# left out: {l}");
    }
    let _ = writeln!(y, "format: 1\nname: {}", quote(name));
    let _ = writeln!(
        y,
        "description: {}",
        quote(&format!("Replay of traffic recorded from {source}."))
    );
    // The steps are literal requests, the same under either dialect: the replay runs under
    // whatever profile it is given.
    let _ = writeln!(y, "dialects: [put, patch]\ntags: [recorded]");
    if !st.variables.is_empty() {
        y.push_str("variables:\n");
        for (var, template) in &st.variables {
            let _ = writeln!(y, "  {var}: {}", quote(template));
        }
    }
    y.push_str("steps:");
    y.push_str(steps);
    if !st.created.is_empty() {
        y.push_str("\nteardown:\n  # Harness clean-up: deletes what the replay created.\n");
        for (n, (collection, id)) in st.created.iter().enumerate() {
            let var = st
                .ids
                .iter()
                .find(|t| &t.literal == id)
                .map_or(id.clone(), |t| format!("{{{{{}}}}}", t.var));
            let _ = writeln!(
                y,
                "  - name: delete-created-{:02}\n    request: {{method: DELETE, path: {}}}\n    expect: {{status: [200, 204, 404, 405, 501]}}\n    snapshot: false",
                n + 1,
                quote(&format!("/{collection}/{var}"))
            );
        }
    }
    y
}
