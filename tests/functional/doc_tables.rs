//! The docs tables that are pure renderings of the code (the check registry, the quirk catalogue
//! and its detection matrix) are generated, never hand-edited: each lives between
//! `<!-- generated:NAME -->` and `<!-- end generated:NAME -->` markers, and this test fails when
//! one differs from what the code renders. `UPDATE_DOCS=1 cargo test --test functional
//! doc_tables` rewrites the blocks instead (as insta does with snapshots).

use scimreplay::check::{CHECKS, matrix};
use scimreplay::server::quirks as all_quirks;
use std::path::Path;

/// Sections of `docs/okta-reference.md` whose anchor is a name, not a number.
const NAMED_SECTIONS: &[(&str, &str)] = &[("7-steady", "§7 (steady state)")];

/// `docs/okta-reference.md#s4-1` as `§4.1`.
fn section(reference: &str) -> String {
    let anchor = reference
        .strip_prefix("docs/okta-reference.md#s")
        .unwrap_or(reference);
    match NAMED_SECTIONS.iter().find(|(a, _)| *a == anchor) {
        Some((_, shown)) => shown.to_string(),
        None => format!("§{}", anchor.replace('-', ".")),
    }
}

/// A table cell: `<` and `>` escaped so markdown shows them.
fn cell(text: &str) -> String {
    text.replace('<', "&lt;").replace('>', "&gt;")
}

/// `docs/checks.md`'s table of every check, from the registry.
fn checks_table() -> String {
    let mut out = String::from(
        "| Id | Severity | Evidence | What Okta needs | Fix hint | Reference (`docs/okta-reference.md`) |\n|---|---|---|---|---|---|\n",
    );
    for c in CHECKS {
        let sections: Vec<String> = c.reference.split(", ").map(section).collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            c.id,
            c.severity,
            c.evidence,
            cell(c.title),
            cell(c.hint),
            sections.join(", ")
        ));
    }
    out
}

/// `docs/checks.md`'s detection matrix, as `scimreplay checks --matrix` prints it.
fn matrix_block() -> String {
    format!("```text\n{}```\n", matrix::render())
}

/// `docs/server.md`'s table of quirk modes, from the quirk catalogue.
fn quirks_table() -> String {
    let mut out = String::from("| Quirk | Deviation | Okta tolerates |\n|---|---|---|\n");
    for q in all_quirks() {
        let tolerated = if q.tolerated_by_okta() { "yes" } else { "no" };
        out.push_str(&format!(
            "| `{}` | {} | {tolerated} |\n",
            q.name,
            cell(q.description)
        ));
    }
    out
}

/// `doc` with the block `name` replaced by `content`; `None` when the markers are missing.
fn with_block(doc: &str, name: &str, content: &str) -> Option<String> {
    let begin = format!("<!-- generated:{name} -->\n");
    let end = format!("<!-- end generated:{name} -->");
    let start = doc.find(&begin)? + begin.len();
    let stop = start + doc[start..].find(&end)?;
    Some(format!("{}{content}{}", &doc[..start], &doc[stop..]))
}

#[test]
fn generated_docs_tables_match_the_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1");
    let blocks: [(&str, &str, String); 3] = [
        ("docs/checks.md", "checks", checks_table()),
        ("docs/checks.md", "matrix", matrix_block()),
        ("docs/server.md", "quirks", quirks_table()),
    ];
    let mut stale = Vec::new();
    for (file, name, content) in &blocks {
        let path = root.join(file);
        let doc = std::fs::read_to_string(&path).unwrap();
        let expected = with_block(&doc, name, content)
            .unwrap_or_else(|| panic!("{file} lacks the <!-- generated:{name} --> block"));
        if expected == doc {
            continue;
        }
        if update {
            std::fs::write(&path, expected).unwrap();
        } else {
            stale.push(format!("{file} ({name})"));
        }
    }
    assert!(
        stale.is_empty(),
        "generated docs tables are out of date: {}; run `UPDATE_DOCS=1 cargo test --test functional doc_tables` and commit the result",
        stale.join(", ")
    );
}

#[test]
fn a_block_is_replaced_between_its_markers_only() {
    let doc = "a\n<!-- generated:x -->\nold\n<!-- end generated:x -->\nb\n";
    assert_eq!(
        with_block(doc, "x", "new\n").as_deref(),
        Some("a\n<!-- generated:x -->\nnew\n<!-- end generated:x -->\nb\n")
    );
    assert_eq!(with_block(doc, "y", "new\n"), None);
}
