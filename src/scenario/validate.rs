//! Semantic validation of a parsed scenario: step names, body sources, loops, variables defined
//! before use, known check ids, valid JSONPaths and regular expressions, and fixture files —
//! each problem located in the source as `file:line:col`.

use super::error::LoadError;
use super::model::{ScenarioFile, Step};
use super::template::{TemplateError, referenced_names};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Component, Path};

/// Variables every scenario can use without declaring them.
pub const BUILTIN_VARIABLES: &[&str] = &["run_id", "random_password", "unknown_id"];

/// Per-user variables derived from a `users:` entry (`alice.user_name`, ...).
pub const USER_FIELDS: &[&str] = &[
    "login",
    "email",
    "user_name",
    "given_name",
    "family_name",
    "middle_name",
    "display_name",
    "locale",
    "title",
    "external_id",
    "password",
];

/// Per-group variables derived from a `groups:` entry.
pub const GROUP_FIELDS: &[&str] = &["display_name"];

/// Validates a parsed scenario; returns the fixture bodies its steps load.
pub(super) fn validate(
    path: &Path,
    source: &str,
    def: &ScenarioFile,
    is_check: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, Value)>, LoadError> {
    let fail_at = |needle: &str, message: String| {
        let (line, col) = locate(source, needle);
        LoadError::at(path, source, line, col, message)
    };
    if def.format != 1 {
        return Err(fail_at(
            "format:",
            format!(
                "unsupported scenario format {} (this scimreplay reads format 1)",
                def.format
            ),
        ));
    }
    if def.steps.is_empty() {
        return Err(fail_at(
            "steps:",
            "a scenario needs at least one step".into(),
        ));
    }
    if def.dialects.is_empty() {
        return Err(fail_at(
            "dialects:",
            "`dialects` is empty: list put, patch or both".into(),
        ));
    }
    let mut known: BTreeSet<String> = BUILTIN_VARIABLES.iter().map(|s| s.to_string()).collect();
    for user in def.users.keys() {
        known.extend(USER_FIELDS.iter().map(|f| format!("{user}.{f}")));
    }
    for group in def.groups.keys() {
        known.extend(GROUP_FIELDS.iter().map(|f| format!("{group}.{f}")));
    }
    let order = super::template::resolution_order(&def.variables, &def.secrets, &known).map_err(|(name, missing)| {
        fail_at(
            &format!("{name}:"),
            format!("variable `{name}` uses `{{{{{missing}}}}}`, which is not defined (or the variables form a cycle)"),
        )
    })?;
    for d in &order {
        lint_template(d.template).map_err(|m| fail_at(&format!("{}:", d.name), m))?;
    }
    known.extend(order.iter().map(|d| d.name.to_string()));
    let mut names = BTreeSet::new();
    let mut fixtures = Vec::new();
    let all_captures: BTreeSet<String> = def
        .steps
        .iter()
        .flat_map(|s| s.capture.keys().cloned())
        .collect();
    for (i, step) in def.steps.iter().chain(def.teardown.iter()).enumerate() {
        let teardown = i >= def.steps.len();
        let here = format!("name: {}", step.name);
        if !names.insert(step.name.clone()) {
            return Err(fail_at(
                &here,
                format!("step name `{}` is used twice", step.name),
            ));
        }
        // Teardown may use any capture; a failed step leaves it unset and the teardown step is skipped.
        let mut visible: BTreeSet<String> = if teardown {
            known.union(&all_captures).cloned().collect()
        } else {
            known.clone()
        };
        visible.extend(loop_variables(step).iter().map(|s| s.to_string()));
        validate_step(step, &visible, &names, is_check).map_err(|m| {
            let (line, col) = locate_in_step(source, &here, &m);
            LoadError::at(
                path,
                source,
                line,
                col,
                format!("step `{}`: {m}", step.name),
            )
        })?;
        if let Some(file) = &step.request.body_file {
            let body = read_fixture(path, file).map_err(|m| fail_at(file, m))?;
            fixtures.push((step.name.clone(), body));
        }
        known.extend(step.capture.keys().cloned());
    }
    Ok(fixtures)
}

/// Variables a looping step defines for its own request.
fn loop_variables(step: &Step) -> Vec<&'static str> {
    let mut vars = Vec::new();
    if step.repeat.is_some() {
        vars.push("i");
    }
    if step.for_each.is_some() {
        vars.push("item");
    }
    if step.pages {
        vars.push("start_index");
    }
    vars
}

fn validate_step(
    step: &Step,
    known: &BTreeSet<String>,
    earlier: &BTreeSet<String>,
    is_check: &dyn Fn(&str) -> bool,
) -> Result<(), String> {
    let req = &step.request;
    let loops = [step.repeat.is_some(), step.for_each.is_some(), step.pages];
    if loops.iter().filter(|b| **b).count() > 1 {
        return Err("give only one of repeat, for_each and pages".into());
    }
    if let Some(var) = &step.for_each
        && !known.contains(var)
    {
        return Err(format!(
            "for_each names `{var}`, which is not defined before this point"
        ));
    }
    if step.pages
        && !req
            .query
            .as_deref()
            .unwrap_or("")
            .contains("{{start_index}}")
    {
        return Err("a `pages` step needs `{{start_index}}` in its query".into());
    }
    if step.repeat == Some(0) || step.repeat.is_some_and(|n| n > 10_000) {
        return Err("repeat must be between 1 and 10000".into());
    }
    let bodies = [
        req.body.is_some(),
        req.body_file.is_some(),
        req.body_from.is_some(),
    ];
    if bodies.iter().filter(|b| **b).count() > 1 {
        return Err("give only one of body, body_file and body_from".into());
    }
    if !req.path.starts_with('/') {
        return Err(format!(
            "path `{}` must start with `/` (it is relative to the SCIM base URL)",
            req.path
        ));
    }
    if let Some(q) = &req.query
        && (q.starts_with('?') || q.contains(' '))
    {
        return Err("query is sent byte for byte: write it without `?` and percent-encode spaces as Okta does (%20)".into());
    }
    let mut texts: Vec<String> = vec![req.path.clone()];
    texts.extend(req.query.clone());
    texts.extend(req.headers.values().cloned());
    if let Some(body) = &req.body {
        collect_strings(body, &mut texts);
    }
    if let Some(from) = &req.body_from {
        if !earlier.contains(&from.step) || from.step == step.name {
            return Err(format!(
                "body_from names `{}`, which is not an earlier step",
                from.step
            ));
        }
        for v in from.set.values() {
            collect_strings(v, &mut texts);
        }
    }
    for a in &step.expect.body {
        texts.push(a.path.clone());
        for v in [&a.equals, &a.contains].into_iter().flatten() {
            collect_strings(v, &mut texts);
        }
        texts.extend(a.equals_ignore_case.clone());
    }
    texts.extend(step.expect.headers.iter().filter_map(|h| h.equals.clone()));
    for text in &texts {
        check_refs(text, known)?;
    }
    if let Some(v) = &step.verifies
        && (!earlier.contains(v) || v == &step.name)
    {
        return Err(format!(
            "verifies names `{v}`, which is not an earlier step"
        ));
    }
    if let Some(n) = step
        .needs
        .iter()
        .find(|n| !earlier.contains(*n) || *n == &step.name)
    {
        return Err(format!("needs names `{n}`, which is not an earlier step"));
    }
    for id in step.expect.body.iter().filter_map(|a| a.check.as_ref()) {
        if !is_check(id) {
            return Err(format!("unknown check `{id}` (see `scimreplay checks`)"));
        }
    }
    for a in &step.expect.body {
        validate_assertion(a)?;
    }
    for h in &step.expect.headers {
        let n = [h.exists.is_some(), h.equals.is_some(), h.matches.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        if n != 1 {
            return Err(format!(
                "header assertion on `{}` needs exactly one of exists, equals, matches",
                h.name
            ));
        }
        if let Some(re) = &h.matches {
            regex::Regex::new(re).map_err(|e| format!("invalid regular expression `{re}`: {e}"))?;
        }
    }
    for (name, cap) in &step.capture {
        match (&cap.json, &cap.header) {
            (Some(p), None) => {
                serde_json_path::JsonPath::parse(p)
                    .map_err(|e| format!("capture `{name}`: invalid JSONPath `{p}`: {e}"))?;
            }
            (None, Some(_)) => {}
            _ => {
                return Err(format!(
                    "capture `{name}` needs exactly one of json, header"
                ));
            }
        }
    }
    if let Some(ev) = &step.eventually {
        humantime::parse_duration(&ev.timeout)
            .map_err(|e| format!("eventually.timeout `{}`: {e}", ev.timeout))?;
        humantime::parse_duration(&ev.interval)
            .map_err(|e| format!("eventually.interval `{}`: {e}", ev.interval))?;
    }
    Ok(())
}

fn validate_assertion(a: &super::model::JsonAssertion) -> Result<(), String> {
    let n = [
        a.equals.is_some(),
        a.exists.is_some(),
        a.is_type.is_some(),
        a.contains.is_some(),
        a.matches.is_some(),
        a.equals_ignore_case.is_some(),
        a.at_least.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if n != 1 {
        return Err(format!(
            "assertion on `{}` needs exactly one of equals, exists, type, contains, matches, equals_ignore_case, at_least",
            a.path
        ));
    }
    serde_json_path::JsonPath::parse(&a.path)
        .map_err(|e| format!("invalid JSONPath `{}`: {e}", a.path))?;
    if let Some(re) = &a.matches {
        regex::Regex::new(re).map_err(|e| format!("invalid regular expression `{re}`: {e}"))?;
    }
    Ok(())
}

fn check_refs(text: &str, known: &BTreeSet<String>) -> Result<(), String> {
    lint_template(text)?;
    for name in referenced_names(text) {
        if !known.contains(&name) {
            return Err(format!(
                "`{{{{{name}}}}}` refers to a variable that is not defined before this point"
            ));
        }
    }
    Ok(())
}

/// A template `run` could not render, whatever the variables: said here, not at run time.
fn lint_template(text: &str) -> Result<(), String> {
    super::template::lint(text).map_err(|e| match e {
        TemplateError::Unclosed(_) => {
            format!("`{text}` opens a `{{{{` placeholder that is never closed with `}}}}`")
        }
        other => other.to_string(),
    })
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            collect_strings(v, out);
        }),
        _ => {}
    }
}

/// Resolves `fixtures/...` relative to the scenario's folder or the nearest folder above it that
/// holds it. A fixture is confined to that `fixtures/` folder: an absolute path, a `..`, or a
/// symlink leading out of the folder is refused, so a scenario cannot send any local file.
fn read_fixture(scenario: &Path, file: &str) -> Result<Value, String> {
    let relative = Path::new(file);
    let confined = relative.starts_with("fixtures")
        && relative.components().count() >= 2
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if !confined {
        return Err(format!(
            "body_file `{file}` must name a file inside a `fixtures/` folder, e.g. `fixtures/user.json` \
             (no absolute path, no `..`)"
        ));
    }
    let start = scenario.parent().unwrap_or(Path::new("."));
    let (dir, candidate) = start
        .ancestors()
        .map(|dir| (dir, dir.join(relative)))
        .find(|(_, p)| p.is_file())
        .ok_or_else(|| {
            format!("fixture `{file}` not found next to the scenario or in any folder above it")
        })?;
    let folder = dir.join("fixtures");
    let real = candidate
        .canonicalize()
        .map_err(|e| format!("cannot resolve fixture {}: {e}", candidate.display()))?;
    let real_folder = folder
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", folder.display()))?;
    if !real.starts_with(&real_folder) {
        return Err(format!(
            "body_file `{file}` leads out of {} (through a symlink): fixtures must stay inside it",
            folder.display()
        ));
    }
    let text = std::fs::read_to_string(&real)
        .map_err(|e| format!("cannot read fixture {}: {e}", candidate.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("fixture {} is not valid JSON: {e}", candidate.display()))
}

/// Where a step's problem is: the first backticked token of `message` (an unknown check id, an
/// undefined `{{variable}}`, a JSONPath) searched within the step that starts at `step_line`,
/// or the step's `name:` line when the token is not found there.
fn locate_in_step(source: &str, step_line: &str, message: &str) -> (usize, usize) {
    let start = locate(source, step_line);
    let token = message.split('`').nth(1).unwrap_or_default();
    // `{{name}}` may be written with a filter (`{{name|url}}`): search for its opening.
    let needle = token.strip_suffix("}}").unwrap_or(token);
    if needle.is_empty() {
        return start;
    }
    source
        .lines()
        .enumerate()
        .skip(start.0 - 1)
        .take_while(|(i, l)| *i + 1 == start.0 || !l.trim_start().starts_with("- name:"))
        .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, c + 1)))
        .unwrap_or(start)
}

/// 1-based line and column of the first occurrence of `needle`, or the file start.
fn locate(source: &str, needle: &str) -> (usize, usize) {
    source
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find(needle).map(|c| (i + 1, c + 1)))
        .unwrap_or((1, 1))
}
