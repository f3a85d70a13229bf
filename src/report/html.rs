//! The HTML report (`run --report-html FILE`): one self-contained page (inline CSS, no script,
//! no external asset, works offline) for certification reviewers. It opens with the verdict,
//! profile and target, then the distinct problems (each failed check once, with its hint,
//! reference and where it happened), then every scenario instance with collapsible steps and
//! their redacted HTTP transcripts. The markup is well-formed XML (every element closed) so
//! it parses with an XML parser as well as in a browser. Written atomically through the secret
//! guard on `RunFinished`; exchanges arrive already redacted.

use super::{
    ReportError, Reporter, Verdict, first_failure, format_duration, plain_text, plural,
    step_details, summary_line, transcript,
};
use crate::fsutil::write_atomic;
use crate::replay::result::{Event, RunReport, ScenarioReport, Status, StepReport};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Writes the HTML report when the run finishes.
pub struct HtmlReporter {
    path: PathBuf,
    profile_description: String,
    secrets: Vec<crate::secrets::Secret>,
}

impl HtmlReporter {
    /// `secrets` are `(name, value)` pairs; the file is refused if it contains any value.
    pub fn new(
        path: PathBuf,
        profile_description: String,
        secrets: Vec<crate::secrets::Secret>,
    ) -> Self {
        HtmlReporter {
            path,
            profile_description,
            secrets,
        }
    }
}

impl Reporter for HtmlReporter {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        if let Event::RunFinished { report } = event {
            let html = render_html(report, &self.profile_description);
            write_atomic(&self.path, html.as_bytes(), &self.secrets)?;
        }
        Ok(())
    }
}

/// One distinct problem: a check (or assertion, snapshot, error kind) that failed, with every
/// place it failed. Built from the failed steps; when the report model carries a ranked
/// root-cause list, [`problems`] is the one function to switch over to it.
struct Problem {
    id: String,
    hint: String,
    reference: String,
    /// `scenario [dialect] › NN step: message`
    places: Vec<String>,
}

/// Failed checks grouped by check id (then assertions, snapshots and errors by kind), in
/// order of how many steps they broke.
fn problems(report: &RunReport) -> Vec<Problem> {
    let mut by_id: BTreeMap<String, Problem> = BTreeMap::new();
    for scenario in &report.scenarios {
        for step in &scenario.steps {
            for (id, hint, reference, message) in step_problems(step, report.strict) {
                let place = format!(
                    "{} [{}] › {:02} {}: {message}",
                    scenario.name, scenario.dialect, step.index, step.name
                );
                by_id
                    .entry(id.clone())
                    .or_insert_with(|| Problem {
                        id,
                        hint,
                        reference,
                        places: Vec::new(),
                    })
                    .places
                    .push(place);
            }
        }
    }
    let mut list: Vec<Problem> = by_id.into_values().collect();
    list.sort_by(|a, b| b.places.len().cmp(&a.places.len()).then(a.id.cmp(&b.id)));
    list
}

/// (id, hint, reference, message) of everything that failed a step.
fn step_problems(step: &StepReport, strict: bool) -> Vec<(String, String, String, String)> {
    if Verdict::of(step, strict) != Verdict::Fail {
        return Vec::new();
    }
    let mut out: Vec<_> = step
        .failing_checks(strict)
        .map(|c| {
            (
                c.id.clone(),
                c.hint.clone(),
                c.reference.clone(),
                c.message.clone(),
            )
        })
        .collect();
    for a in step.assertions.iter().filter(|a| !a.passed) {
        let id = a.check.clone().unwrap_or_else(|| "assertion".into());
        let (hint, reference) = a
            .check
            .as_deref()
            .and_then(crate::check::find)
            .map(|d| (d.hint.to_string(), d.reference.to_string()))
            .unwrap_or_default();
        let message = format!(
            "{}: expected {}, got {}",
            a.description, a.expected, a.actual
        );
        out.push((id, hint, reference, message));
    }
    if out.is_empty()
        && let Some(reason) = first_failure(step, strict)
    {
        let (id, message) = reason
            .strip_prefix('[')
            .and_then(|r| r.split_once("] "))
            .map_or(("step".to_string(), reason.clone()), |(id, m)| {
                (id.to_string(), m.to_string())
            });
        out.push((id, String::new(), String::new(), message));
    }
    out
}

/// The whole page.
pub fn render_html(report: &RunReport, profile_description: &str) -> String {
    let mut h = String::new();
    let passed = run_passed(report);
    let verdict = if passed { "PASS" } else { "FAIL" };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n\
         <title>scimreplay {verdict}: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&report.target.base_url)
    );
    header(&mut h, report, profile_description, passed);
    problems_section(&mut h, report);
    scenarios_section(&mut h, report);
    let _ = write!(
        h,
        "<footer>scimreplay {} · report format {}</footer>\n</body>\n</html>\n",
        esc(&report.tool_version),
        report.report_format
    );
    h
}

fn run_passed(report: &RunReport) -> bool {
    let s = &report.summary;
    s.failed == 0 && s.snapshot_differences == 0 && !(report.strict && s.warnings > 0)
}

fn header(h: &mut String, report: &RunReport, profile_description: &str, passed: bool) {
    let s = &report.summary;
    let (class, verdict) = if passed {
        ("pass", "PASS")
    } else {
        ("fail", "FAIL")
    };
    let target = &report.target;
    let kind = if target.embedded {
        " (embedded reference server)"
    } else {
        ""
    };
    let quirks = if target.quirks.is_empty() {
        String::new()
    } else {
        format!(", quirks: {}", target.quirks.join(", "))
    };
    let _ = write!(
        h,
        "<header>\n<h1><span class=\"verdict {class}\">{verdict}</span> Okta SCIM replay</h1>\n<dl>\n\
         <dt>Target</dt><dd><code>{}</code>{}{}</dd>\n\
         <dt>Profile</dt><dd><strong>{}</strong> — {}</dd>\n\
         <dt>Started</dt><dd>{} (took {})</dd>\n\
         <dt>Result</dt><dd>{}; {}; {}{}</dd>\n</dl>\n</header>\n",
        esc(&target.base_url),
        esc(kind),
        esc(&quirks),
        esc(&report.profile),
        esc(profile_description),
        esc(&report.started_at),
        esc(format_duration(report.duration).trim()),
        esc(&summary_line(s)),
        esc(&plural(s.warnings, "warning")),
        esc(&plural(s.snapshot_differences, "snapshot difference")),
        if report.strict { " (strict)" } else { "" },
    );
}

fn problems_section(h: &mut String, report: &RunReport) {
    let list = problems(report);
    h.push_str("<section id=\"problems\">\n<h2>Problems</h2>\n");
    if list.is_empty() {
        h.push_str("<p class=\"none\">No step failed.</p>\n</section>\n");
        return;
    }
    h.push_str("<ol class=\"problems\">\n");
    for p in &list {
        let _ = writeln!(
            h,
            "<li><p><code class=\"id\">{}</code> — {}</p>",
            esc(&p.id),
            esc(&plural(p.places.len(), "failed step"))
        );
        if !p.hint.is_empty() {
            let _ = writeln!(h, "<p class=\"hint\">Fix: {}</p>", esc(&p.hint));
        }
        if !p.reference.is_empty() {
            let _ = writeln!(h, "<p class=\"see\">See: {}</p>", references(&p.reference));
        }
        h.push_str("<ul>\n");
        for place in &p.places {
            let _ = writeln!(h, "<li>{}</li>", esc(place));
        }
        h.push_str("</ul>\n</li>\n");
    }
    h.push_str("</ol>\n</section>\n");
}

/// `docs/okta-reference.md#s4-3, …` as text with each reference as a link to the repository
/// file (relative to the repository root; the page works offline without them).
fn references(reference: &str) -> String {
    reference
        .split(", ")
        .map(|r| {
            let (target, rest) = r.split_once(' ').unwrap_or((r, ""));
            let rest = if rest.is_empty() {
                String::new()
            } else {
                format!(" {}", esc(rest))
            };
            if target.starts_with("docs/") {
                format!("<a href=\"{0}\">{0}</a>{rest}", esc(target))
            } else {
                format!("{}{rest}", esc(target))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn scenarios_section(h: &mut String, report: &RunReport) {
    h.push_str("<section id=\"scenarios\">\n<h2>Scenarios</h2>\n");
    for scenario in &report.scenarios {
        scenario_block(h, scenario, report);
    }
    h.push_str("</section>\n");
}

fn scenario_block(h: &mut String, scenario: &ScenarioReport, report: &RunReport) {
    let (class, label) = match scenario.status {
        Status::Passed => ("pass", "PASS"),
        Status::Failed => ("fail", "FAIL"),
        Status::Skipped => ("skip", "SKIP"),
    };
    let open = if scenario.status == Status::Failed {
        " open=\"open\""
    } else {
        ""
    };
    let _ = write!(
        h,
        "<details class=\"scenario\"{open}>\n<summary><span class=\"verdict {class}\">{label}</span> \
         <strong>{}</strong> [{}] <span class=\"dim\">{} · {}</span></summary>\n",
        esc(&scenario.name),
        scenario.dialect,
        esc(&scenario.file),
        esc(format_duration(scenario.duration).trim())
    );
    if let Some(reason) = &scenario.skip_reason {
        let _ = writeln!(h, "<p class=\"dim\">Skipped: {}</p>", esc(reason));
    }
    for step in &scenario.steps {
        step_block(h, step, report);
    }
    h.push_str("</details>\n");
}

fn step_block(h: &mut String, step: &StepReport, report: &RunReport) {
    let verdict = Verdict::of(step, report.strict);
    let (class, label) = match verdict {
        Verdict::Pass => ("pass", "PASS"),
        Verdict::Warn => ("warn", "WARN"),
        Verdict::Fail => ("fail", "FAIL"),
        Verdict::Skip => ("skip", "SKIP"),
    };
    let teardown = if step.teardown { " (teardown)" } else { "" };
    let attempts = if step.attempts > 1 {
        format!(" · {} attempts", step.attempts)
    } else {
        String::new()
    };
    let _ = write!(
        h,
        "<details class=\"step\">\n<summary><span class=\"verdict {class}\">{label}</span> \
         {:02} {}{teardown} <code>{}</code> <span class=\"dim\">{}{attempts}</span></summary>\n",
        step.index,
        esc(&step.name),
        esc(&step.request_line),
        esc(format_duration(step.duration).trim()),
    );
    let details = plain_text(&step_details(step), 0);
    if !details.trim().is_empty() {
        let _ = writeln!(
            h,
            "<pre class=\"details\">{}</pre>",
            esc(details.trim_end())
        );
    }
    let exchanges = plain_text(&transcript(step, &report.target.base_url), 0);
    if !exchanges.trim().is_empty() {
        let _ = writeln!(
            h,
            "<pre class=\"transcript\">{}</pre>",
            esc(exchanges.trim_end())
        );
    }
    h.push_str("</details>\n");
}

/// Escapes text for HTML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#1d1d1f;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre{background:#f6f8fa;border:1px solid #e1e4e8;border-radius:4px;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
.verdict{display:inline-block;min-width:3.2em;text-align:center;border-radius:3px;font-weight:700;font-size:.8rem;padding:0 .3em;color:#fff}
.pass{background:#1a7f37}.fail{background:#cf222e}.warn{background:#9a6700}.skip{background:#6e7781}
details{margin:.3rem 0}details.scenario{border:1px solid #ddd;border-radius:4px;padding:.3rem .6rem}
details.step{margin-left:1.2rem}summary{cursor:pointer}.dim{color:#57606a}.hint{margin:.2rem 0}.see{margin:.2rem 0;color:#57606a}
ol.problems>li{margin-bottom:.8rem}.id{font-weight:700}footer{margin-top:2rem;color:#57606a;font-size:.8rem}
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures;

    #[test]
    fn problems_come_first_grouped_by_check_and_steps_are_collapsible() {
        let html = render_html(&fixtures::run_report(false), "A <test> profile");
        assert!(html.starts_with("<!DOCTYPE html>"));
        let problems = html.find("id=\"problems\"").unwrap();
        let scenarios = html.find("id=\"scenarios\"").unwrap();
        assert!(problems < scenarios, "problems before scenarios");
        assert!(html.contains("A &lt;test&gt; profile"), "text is escaped");
        assert!(html.contains("<details class=\"step\">"));
        assert!(
            !html.contains("<script") && !html.contains("<link") && !html.contains("src=\""),
            "self-contained: no script, stylesheet or image to fetch"
        );
        let list = problems_of(&fixtures::run_report(false));
        let mut sorted = list.clone();
        sorted.sort_by_key(|p| std::cmp::Reverse(p.1));
        assert_eq!(list, sorted, "most frequent problem first");
        assert!(!list.is_empty());
    }

    fn problems_of(report: &RunReport) -> Vec<(String, usize)> {
        problems(report)
            .into_iter()
            .map(|p| (p.id, p.places.len()))
            .collect()
    }

    #[test]
    fn a_passing_run_has_no_problems() {
        let report = fixtures::report_of(vec![fixtures::passing_scenario()], false);
        let html = render_html(&report, "");
        assert!(html.contains("No step failed."));
        assert!(html.contains("class=\"verdict pass\">PASS</span> Okta"));
    }

    #[test]
    fn escaping_covers_markup_and_control_characters() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("a\u{1b}b\nc"), "a\u{fffd}b\nc");
    }
}
