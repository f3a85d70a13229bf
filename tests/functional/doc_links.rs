//! Every reference the product prints or ships resolves: each `docs/okta-reference.md#anchor`
//! named in the sources, scenarios, profiles, docs and tests exists, every relative Markdown link
//! in `docs/*.md` and `README.md` points to an existing file and anchor, and nothing names the
//! research notes the reference was written from.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("rs" | "md" | "yaml" | "yml" | "snap" | "json" | "sh" | "py")
        ) {
            out.push(path);
        }
    }
}

/// The files the product ships or prints from.
fn shipped_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    for dir in ["src", "scenarios", "profiles", "docs", "tests", "scripts"] {
        walk(&root().join(dir), &mut files);
    }
    files
}

/// GitHub's heading slug: lower-case, punctuation dropped, spaces to hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Explicit `<a id="…">` anchors and heading slugs of a Markdown file.
fn anchors(markdown: &str) -> BTreeSet<String> {
    let explicit = regex::Regex::new(r#"<a id="([^"]+)"></a>"#).unwrap();
    let mut set: BTreeSet<String> = explicit
        .captures_iter(markdown)
        .map(|c| c[1].to_string())
        .collect();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            set.insert(slug(line.trim_start_matches('#')));
        }
    }
    set
}

#[test]
fn every_reference_anchor_exists() {
    let reference = fs::read_to_string(root().join("docs/okta-reference.md")).unwrap();
    let known = anchors(&reference);
    let link = regex::Regex::new(r"docs/okta-reference\.md#([A-Za-z0-9_-]+)").unwrap();
    let mut missing = Vec::new();
    let mut seen = 0;
    for file in shipped_files() {
        if file.ends_with("doc_links.rs") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            for cap in link.captures_iter(line) {
                seen += 1;
                // `"docs/okta-reference.md#s"` alone is a prefix test in code, not a link
                if &cap[1] != "s" && !known.contains(&cap[1]) {
                    missing.push(format!("{}:{}: #{}", file.display(), n + 1, &cap[1]));
                }
            }
        }
    }
    assert!(seen > 100, "only {seen} references found");
    assert!(
        missing.is_empty(),
        "missing anchors:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_check_and_scenario_reference_points_into_the_reference() {
    for check in scimreplay::check::registry::CHECKS {
        assert!(
            check.reference.starts_with("docs/okta-reference.md#s"),
            "{}: {}",
            check.id,
            check.reference
        );
    }
    let mut files = Vec::new();
    walk(&root().join("scenarios"), &mut files);
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for line in text.lines().filter(|l| l.starts_with("reference:")) {
            assert!(
                line.contains("docs/okta-reference.md#s"),
                "{}: {line}",
                file.display()
            );
        }
    }
}

#[test]
fn relative_doc_links_resolve() {
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let mut docs = vec![root().join("README.md")];
    for entry in fs::read_dir(root().join("docs")).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "md") {
            docs.push(entry.path());
        }
    }
    let mut broken = Vec::new();
    for doc in &docs {
        let text = fs::read_to_string(doc).unwrap();
        for cap in link.captures_iter(&text) {
            let target = &cap[1];
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
            let file = if path.is_empty() {
                doc.clone()
            } else {
                doc.parent().unwrap().join(path)
            };
            if !file.exists() {
                broken.push(format!("{}: {target} (no such file)", doc.display()));
            } else if !fragment.is_empty() && file.extension().is_some_and(|e| e == "md") {
                let text = fs::read_to_string(&file).unwrap();
                if !anchors(&text).contains(fragment) {
                    broken.push(format!("{}: {target} (no such anchor)", doc.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn nothing_names_the_research_notes() {
    let names = [
        ["okta-", "protocol.md"].concat(),
        ["vendors", ".md"].concat(),
        ["../", "shared"].concat(),
    ];
    let mut hits = Vec::new();
    for file in shipped_files() {
        let text = fs::read_to_string(&file).unwrap_or_default();
        for name in &names {
            if text.contains(name.as_str()) {
                hits.push(format!("{}: {name}", file.display()));
            }
        }
    }
    assert!(hits.is_empty(), "{}", hits.join("\n"));
}
