//! Root causes first: folds the failed and warned steps of a run into a ranked list of distinct
//! [`Problem`]s, one per (check, normalised cause), and recognises the steps that only fail
//! because an earlier step of their scenario failed (consequences, never problems of their own).
//!
//! Grouping keys on the check id's string form. A specific check (e.g.
//! `filter.case-insensitive`) is one problem however many steps show it; the generic ones
//! (`status.expected`, `assertion`, `error`, `snapshot`) are split by request kind
//! (`POST /Users`) and by what came back, so "every create answers 400" is one problem.
//! Order: fails before warns, then Okta's lifecycle (connection test, lookup, create, read,
//! update, deactivate, groups, clean-up, steady state), then first seen.

use super::Verdict;
use crate::check::Severity;
use crate::replay::result::{Problem, ProblemExample, ScenarioReport, Status, StepReport};
use crate::scenario::Method;
use crate::snapshot::SnapshotOutcome;
use regex::Regex;
use std::sync::LazyLock;

/// Check ids that only say "something was wrong" and yield to a more specific one.
const GENERIC: [&str; 2] = ["status.expected", "assertion"];

/// The one failure a step is reported by: the most specific check that fired.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Primary {
    pub check: String,
    pub severity: Severity,
    pub message: String,
    pub hint: String,
    pub reference: String,
}

/// A failed check as a [`Primary`], keeping its own hint and reference when it has them.
fn from_check(c: &crate::replay::result::CheckOutcome) -> Primary {
    let mut p = primary(&c.id, c.severity, c.message.clone());
    if !c.hint.is_empty() {
        p.hint = c.hint.clone();
    }
    if !c.reference.is_empty() {
        p.reference = c.reference.clone();
    }
    p
}

fn primary(check: &str, severity: Severity, message: String) -> Primary {
    let def = crate::check::find(check);
    Primary {
        check: check.to_string(),
        severity,
        message,
        hint: def.map(|d| d.hint.to_string()).unwrap_or_default(),
        reference: def.map(|d| d.reference.to_string()).unwrap_or_default(),
    }
}

/// Why a step failed, most specific first: a named check other than `status.expected`, an
/// assertion standing for such a check, `status.expected`, a plain assertion, a runtime error,
/// a snapshot difference. `None` when the step did not fail.
pub(crate) fn primary_failure(step: &StepReport, strict: bool) -> Option<Primary> {
    if Verdict::of(step, strict) != Verdict::Fail {
        return None;
    }
    let failing: Vec<_> = step.failing_checks(strict).collect();
    let assertions: Vec<_> = step.assertions.iter().filter(|a| !a.passed).collect();
    let specific_check = failing.iter().find(|c| !GENERIC.contains(&c.id.as_str()));
    if let Some(c) = specific_check {
        return Some(from_check(c));
    }
    let assertion_for = |generic: bool| {
        assertions.iter().find(|a| {
            a.check
                .as_deref()
                .is_some_and(|id| GENERIC.contains(&id) == generic)
        })
    };
    let severity_of = |id: &str| crate::check::find(id).map_or(Severity::Fail, |d| d.severity);
    if let Some(a) = assertion_for(false) {
        let id = a.check.as_deref().unwrap_or_default();
        let message = format!("expected {}, got {}", a.expected, a.actual);
        return Some(primary(id, severity_of(id), message));
    }
    if let Some(c) = failing.first() {
        return Some(from_check(c));
    }
    if let Some(a) = assertion_for(true) {
        let id = a.check.as_deref().unwrap_or_default();
        let message = format!("expected {}, got {}", a.expected, a.actual);
        return Some(primary(id, severity_of(id), message));
    }
    if let Some(a) = assertions.first() {
        let message = format!(
            "{}: expected {}, got {}",
            a.description, a.expected, a.actual
        );
        return Some(primary("assertion", Severity::Fail, message));
    }
    if let Some(error) = &step.error {
        return Some(primary("error", Severity::Fail, error.clone()));
    }
    match &step.snapshot {
        Some(SnapshotOutcome::Mismatch { changed_paths, .. }) => {
            let message = if changed_paths.is_empty() {
                "snapshot differs".to_string()
            } else {
                format!("snapshot differs: {}", changed_paths.join(", "))
            };
            Some(primary("snapshot", Severity::Fail, message))
        }
        Some(SnapshotOutcome::New { file, .. }) => Some(primary(
            "snapshot",
            Severity::Fail,
            format!(
                "new snapshot, not in the baseline yet: {file} (review, then `scimreplay accept`)"
            ),
        )),
        Some(SnapshotOutcome::Error { message, .. }) => Some(primary(
            "snapshot",
            Severity::Fail,
            format!("not compared: {message}"),
        )),
        _ => Some(primary("step", Severity::Fail, "failed".to_string())),
    }
}

/// The method word and the path (without the query) of a `METHOD /path?query` request line.
fn split_request_line(request_line: &str) -> (&str, &str) {
    let (method, rest) = request_line.split_once(' ').unwrap_or((request_line, ""));
    let path = rest.split(['?', ' ']).next().unwrap_or(rest);
    (method, path.trim_end_matches('/'))
}

/// The method (`None` for none a scenario sends) and path of a request line.
fn method_and_path(request_line: &str) -> (Option<Method>, &str) {
    let (method, path) = split_request_line(request_line);
    (Method::parse(method), path)
}

/// The step an earlier failure of the scenario explains `step`'s failure or skip by, if any:
/// a step skipped because a variable is unset follows the latest failed create (else the
/// latest failed step); a failing read of
/// a resource (or its collection) follows the failed write to it. Chains resolve to the root.
pub fn consequence_of(earlier: &[StepReport], step: &StepReport) -> Option<usize> {
    let failed = || earlier.iter().filter(|s| s.status == Status::Failed);
    let root = |s: &StepReport| s.consequence_of.unwrap_or(s.index);
    match step.status {
        Status::Passed => None,
        Status::Skipped => {
            let unset = step
                .error
                .as_deref()
                .is_some_and(|e| e.contains("is not set"));
            // The variable is most likely a create's capture: the latest failed create, else
            // the latest failed step.
            let roots: Vec<&StepReport> = failed().filter(|s| s.consequence_of.is_none()).collect();
            let create = roots
                .iter()
                .rev()
                .find(|s| method_and_path(&s.request_line).0 == Some(Method::Post));
            match (unset, create, roots.last()) {
                (false, _, _) => None,
                (true, Some(c), _) => Some(c.index),
                (true, None, last) => last.map(|s| s.index),
            }
        }
        Status::Failed => {
            let (method, path) = method_and_path(&step.request_line);
            if method != Some(Method::Get) || step.error.is_some() && step.exchanges.is_empty() {
                return None;
            }
            earlier
                .iter()
                .rev()
                .filter(|s| s.status == Status::Failed)
                .find(|s| {
                    let (m, p) = method_and_path(&s.request_line);
                    let collection = p.rsplit_once('/').map_or(p, |(c, _)| c);
                    m.is_some_and(Method::is_write) && (path == p || path == collection)
                })
                .map(root)
        }
    }
}

static URLS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"https?://[^\s)]+").unwrap());
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""[^"]*""#).unwrap());
static IDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9A-Za-z_-]*[0-9][0-9A-Za-z_-]{5,}|[0-9]{4,}").unwrap());

/// A message with its run-specific values (quoted strings, ids, long numbers) masked, so the
/// same server behaviour on different resources reads the same.
fn normalise(message: &str) -> String {
    let urls = URLS.replace_all(message, "<url>");
    let quoted = QUOTED.replace_all(&urls, "\"…\"");
    IDS.replace_all(&quoted, "<id>").into_owned()
}

/// The collection a request goes to: `POST /Users`, `GET /Groups/{id}`.
fn request_kind(request_line: &str) -> String {
    let (method, path) = split_request_line(request_line);
    let mut segments = path.trim_start_matches('/').split('/');
    let collection = segments.next().unwrap_or_default();
    let item = if segments.next().is_some() {
        "/{id}"
    } else {
        ""
    };
    let query = if request_line.contains("filter=") {
        "?filter"
    } else {
        ""
    };
    format!("{method} /{collection}{item}{query}")
}

fn status_of(step: &StepReport) -> Option<u16> {
    step.exchanges.last().and_then(|e| e.status())
}

/// What came back, on one line: `400 {"detail":"…"}` (cut to 100 characters) or the
/// transport error.
fn response_line(step: &StepReport) -> String {
    let Some(last) = step.exchanges.last() else {
        return step.error.clone().unwrap_or_else(|| "nothing sent".into());
    };
    match &last.response {
        Some(r) => {
            let body: String = r.body.split_whitespace().collect::<Vec<_>>().join(" ");
            let mut cut: String = body.chars().take(100).collect();
            if cut.len() < body.len() {
                cut.push('…');
            }
            if cut.is_empty() {
                format!("{} (empty body)", r.status)
            } else {
                format!("{} {cut}", r.status)
            }
        }
        None => last.error.clone().unwrap_or_else(|| "no response".into()),
    }
}

/// The cause a failure is grouped by.
fn cause(p: &Primary, step: &StepReport) -> String {
    if p.check == "error" {
        // A transport failure is the same behaviour whatever the request.
        return format!("error: {}", normalise(&p.message));
    }
    if GENERIC.contains(&p.check.as_str()) || matches!(p.check.as_str(), "error" | "snapshot") {
        let status = status_of(step).map_or("no response".to_string(), |s| s.to_string());
        format!(
            "{} {} -> {status}: {}",
            p.check,
            request_kind(&step.request_line),
            normalise(&p.message)
        )
    } else {
        p.check.clone()
    }
}

/// Okta's lifecycle position of a problem, from where it was first seen.
fn phase(scenario: &str, step: &StepReport) -> u8 {
    let (method, path) = method_and_path(&step.request_line);
    let body = step
        .exchanges
        .last()
        .and_then(|e| e.request.body.as_deref())
        .unwrap_or_default()
        .replace(' ', "");
    if scenario.contains("connection-test") {
        0
    } else if scenario.starts_with("steady-state") {
        9
    } else if step.teardown {
        8
    } else if path.starts_with("/Groups") {
        7
    } else if method == Some(Method::Get) && step.request_line.contains("filter=") {
        1
    } else if method == Some(Method::Post) {
        2
    } else if method == Some(Method::Get) {
        3
    } else if body.contains("\"active\":false") {
        5
    } else if method == Some(Method::Delete) {
        6
    } else {
        4
    }
}

struct Entry {
    problem: Problem,
    phase: u8,
    scenario_keys: Vec<String>,
}

fn example(scenario: &ScenarioReport, step: &StepReport) -> ProblemExample {
    ProblemExample {
        scenario: scenario.name.clone(),
        dialect: scenario.dialect,
        step_index: step.index,
        step: step.name.clone(),
        request_line: step.request_line.clone(),
        status: status_of(step),
        response: response_line(step),
    }
}

fn add(
    entries: &mut Vec<Entry>,
    key: &str,
    p: Primary,
    scenario: &ScenarioReport,
    step: &StepReport,
) -> usize {
    let scenario_key = format!("{} [{}]", scenario.name, scenario.dialect);
    let at = match entries.iter().position(|e| e.problem.cause == key) {
        Some(i) => i,
        None => {
            entries.push(Entry {
                problem: Problem {
                    check: p.check,
                    severity: p.severity,
                    message: p.message,
                    cause: key.to_string(),
                    steps: 0,
                    scenarios: 0,
                    consequences: 0,
                    hint: p.hint,
                    reference: p.reference,
                    example: example(scenario, step),
                },
                phase: phase(&scenario.name, step),
                scenario_keys: Vec::new(),
            });
            entries.len() - 1
        }
    };
    let entry = &mut entries[at];
    entry.problem.steps += 1;
    if !entry.scenario_keys.contains(&scenario_key) {
        entry.scenario_keys.push(scenario_key);
        entry.problem.scenarios += 1;
    }
    at
}

/// The distinct problems of a run, ranked.
pub fn rank(scenarios: &[ScenarioReport], strict: bool) -> Vec<Problem> {
    let mut entries: Vec<Entry> = Vec::new();
    for scenario in scenarios {
        let mut roots: Vec<(usize, usize)> = Vec::new();
        for step in &scenario.steps {
            if let Some(root) = step.consequence_of {
                if let Some((_, at)) = roots.iter().find(|(i, _)| *i == root) {
                    entries[*at].problem.consequences += 1;
                }
                continue;
            }
            if let Some(mut p) = primary_failure(step, strict) {
                // Under --strict a warning fails its step: it ranks as a failure.
                p.severity = Severity::Fail;
                let key = format!("{:?}:{}", p.severity, cause(&p, step));
                let at = add(&mut entries, &key, p, scenario, step);
                roots.push((step.index, at));
            }
            if strict {
                continue;
            }
            for w in step.warnings() {
                let p = from_check(w);
                let key = format!("Warn:{}", w.id);
                add(&mut entries, &key, p, scenario, step);
            }
        }
    }
    let severity_rank = |s: Severity| u8::from(s != Severity::Fail);
    entries.sort_by_key(|e| (severity_rank(e.problem.severity), e.phase));
    entries
        .into_iter()
        .map(|mut e| {
            e.problem.cause = e
                .problem
                .cause
                .split_once(':')
                .map_or(e.problem.cause.clone(), |(_, c)| c.to_string());
            e.problem
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::result::{AssertionOutcome, CheckOutcome};
    use crate::report::fixtures;

    fn failed(index: usize, request_line: &str) -> StepReport {
        let mut s = fixtures::step(index, "s", request_line, Vec::new());
        s.status = Status::Failed;
        s.assertions.push(AssertionOutcome {
            description: "status".into(),
            passed: false,
            expected: "201".into(),
            actual: "400".into(),
            check: Some("status.expected".into()),
        });
        s
    }

    #[test]
    fn reads_after_a_failed_write_and_unset_variables_are_consequences() {
        let create = failed(1, "PUT /Users/abc");
        let read = failed(2, "GET /Users/abc");
        let lookup = failed(3, "GET /Users?filter=x");
        let mut skipped = fixtures::step(4, "s", "DELETE /Users/{{id}}", Vec::new());
        skipped.status = Status::Skipped;
        skipped.error = Some("variable `id` is not set (an earlier step failed)".into());
        let earlier = vec![create];
        assert_eq!(consequence_of(&earlier, &read), Some(1));
        assert_eq!(consequence_of(&earlier, &lookup), Some(1));
        assert_eq!(consequence_of(&earlier, &skipped), Some(1));
        assert_eq!(consequence_of(&[], &read), None);
        let other_write = failed(5, "PATCH /Groups/g");
        assert_eq!(consequence_of(&earlier, &other_write), None);
    }

    #[test]
    fn the_specific_check_wins_over_the_status() {
        let mut s = failed(1, "PATCH /Users/abc");
        s.checks.push(CheckOutcome {
            id: "patch.no-path-replace".into(),
            severity: Severity::Fail,
            passed: false,
            message: "a path-less replace answered 400".into(),
            hint: String::new(),
            reference: String::new(),
        });
        let p = primary_failure(&s, false).unwrap();
        assert_eq!(p.check, "patch.no-path-replace");
    }

    #[test]
    fn the_same_answer_on_many_steps_is_one_problem() {
        let mut scenarios = Vec::new();
        for name in ["a", "b"] {
            let mut report = fixtures::run_report(false).scenarios.remove(1);
            report.name = format!("okta/{name}");
            report.steps = vec![failed(1, "POST /Users"), failed(2, "POST /Users")];
            scenarios.push(report);
        }
        let problems = rank(&scenarios, false);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!((problems[0].steps, problems[0].scenarios), (4, 2));
        assert_eq!(
            problems[0].cause,
            "status.expected POST /Users -> no response: expected 201, got 400"
        );
    }

    #[test]
    fn masks_run_specific_values() {
        assert_eq!(
            normalise(r#"user "alice.x7k2@example" id 2bf49773-da56-4455 count 12345 status 404"#),
            r#"user "…" id <id> count <id> status 404"#
        );
    }
}
