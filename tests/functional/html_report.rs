//! `run --report-html FILE` and the evidence bundle's `report.html`: one well-formed,
//! self-contained page with the problems first, every scenario and its steps collapsible, the
//! transcripts redacted.

use crate::cli_support::{TestServer, copy_scenarios, scimreplay};
use quick_xml::events::Event;

const TOKEN: &str = "tok-HTML-93f1c2aa70";

/// Parses `html` as XML and returns the element names in document order; panics on any
/// well-formedness error (unclosed or mismatched element, bad entity).
fn elements(html: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(html);
    reader.config_mut().check_end_names = true;
    let mut names = Vec::new();
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                names.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Ok(Event::Empty(e)) => {
                names.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    names
}

#[test]
fn the_html_report_is_well_formed_self_contained_and_redacted() {
    let server = TestServer::start(TOKEN, &["patch-requires-path"]);
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(
        dir.path(),
        &["okta/deactivate.yaml", "okta/push-new-user.yaml"],
    );
    let run = scimreplay(
        &[
            "run",
            "--target",
            &server.base_url,
            "--token-env",
            "T",
            "--profile",
            "okta-oin",
            "--no-snapshots",
            "--no-steady-state",
            "--read-settle",
            "0s",
            "--report-html",
            "out/report.html",
            "--evidence",
            "bundle",
        ],
        Some(dir.path()),
        &[("T", TOKEN)],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    let names = elements(&html);
    for needed in [
        "html", "head", "style", "body", "section", "details", "summary", "pre",
    ] {
        assert!(names.iter().any(|n| n == needed), "no <{needed}>");
    }
    for external in ["script", "link", "img", "iframe"] {
        assert!(!names.iter().any(|n| n == external), "<{external}> found");
    }
    assert!(!html.contains(TOKEN), "the token is redacted");
    assert!(
        html.contains("[redacted]"),
        "transcripts are there, redacted"
    );
    let problems = html.find("<h2>Problems</h2>").unwrap();
    let scenarios = html.find("<h2>Scenarios</h2>").unwrap();
    assert!(problems < scenarios);
    assert!(
        html[problems..scenarios].contains("<code class=\"id\">patch.no-path-replace</code>"),
        "the failed check is listed as a problem"
    );
    assert!(html.contains("okta-oin") && html.contains(&server.base_url));
    assert!(html.contains("class=\"verdict fail\">FAIL</span> Okta"));
    let bundled = std::fs::read_to_string(dir.path().join("bundle/report.html")).unwrap();
    elements(&bundled);
    assert!(bundled.contains("<h2>Problems</h2>"));
}
