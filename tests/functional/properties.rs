//! Property tests of what reads untrusted text: the scenario loader, the template renderer and
//! the response normalizer never panic or recurse without bound; what `validate` accepts renders;
//! and an id placed in a path is always exactly one segment. Bounded case counts keep them to
//! seconds inside `cargo test`.

use proptest::prelude::*;
use scimreplay::normalize::{NormalizeContext, normalize_response};
use scimreplay::replay::exchange::RecordedResponse;
use scimreplay::scenario::load::load_str;
use scimreplay::scenario::template::{Vars, lint, referenced_names};
use serde_json::{Value, json};
use std::path::Path;

const VALID: &str = "format: 1\nname: t\nusers:\n  alice: {given_name: Alice, family_name: Doe}\nsteps:\n  - name: probe\n    request: {method: GET, path: /Users, query: \"filter=userName%20eq%20%22{{alice.user_name|url}}%22\"}\n    expect: {status: 200}\n    capture: {alice.id: {json: \"$.Resources[0].id\"}}\n  - name: read\n    request: {method: GET, path: \"/Users/{{alice.id}}\"}\nteardown:\n  - name: delete\n    request: {method: DELETE, path: \"/Users/{{alice.id}}\"}\n";

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn load(text: &str) {
    let _ = load_str(Path::new("scenarios/p.yaml"), text, &|_| true);
}

/// Template text made of placeholders, filters and stray braces.
fn template_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{{".to_string()),
        Just("}}".to_string()),
        Just("{{a}}".to_string()),
        Just("{{ a | url }}".to_string()),
        Just("{{b|upper|lower}}".to_string()),
        Just("|".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        "[a-z/?#%.]{0,4}",
        "\\PC{0,4}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

fn vars() -> Vars {
    let mut v = Vars::default();
    v.set("a", json!("x/y?z#%"));
    v.set("b", json!(7));
    v
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(|n| json!(n)),
        "\\PC{0,12}".prop_map(Value::String),
        Just(json!("2024-01-01T00:00:00Z")),
        Just(json!("u-1")),
        Just(json!("http://127.0.0.1:1/scim/v2/Users/u-1")),
    ];
    leaf.prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("meta".to_string()),
                    Just("created".to_string()),
                    Just("lastModified".to_string()),
                    Just("location".to_string()),
                    Just("$ref".to_string()),
                    Just("members".to_string()),
                    "\\PC{1,8}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_loader_never_panics_on_mutated_scenarios(
        edits in prop::collection::vec((0usize..400, "\\PC{0,3}", 0usize..4), 1..6)
    ) {
        let mut text: Vec<char> = VALID.chars().collect();
        for (at, insert, remove) in edits {
            let at = at % (text.len() + 1);
            let end = (at + remove).min(text.len());
            text.splice(at..end, insert.chars());
        }
        load(&text.into_iter().collect::<String>());
    }

    #[test]
    fn the_loader_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        load(&text);
    }

    #[test]
    fn templates_never_panic_and_what_lint_accepts_renders(text in template_text()) {
        let v = vars();
        let rendered = v.render_str(&text);
        let _ = v.render_path(&text);
        let _ = v.render_value(&json!({"k": text.clone(), text.clone(): [text.clone()]}));
        let known = referenced_names(&text).iter().all(|n| v.contains(n));
        if lint(&text).is_ok() && known {
            prop_assert!(rendered.is_ok(), "lint accepted {text:?} but rendering failed: {rendered:?}");
        }
    }

    #[test]
    fn an_id_in_a_path_is_exactly_one_segment(id in "\\PC{1,24}") {
        let mut v = Vars::default();
        v.set("x", json!(id.clone()));
        match v.render_path("/Users/{{x}}") {
            Ok(path) => {
                let segments: Vec<&str> = path.split('/').collect();
                prop_assert_eq!(segments.len(), 3, "{}", path);
                prop_assert!(!path.contains(['?', '#']), "{}", path);
                let url = reqwest::Url::parse(&format!("http://h{path}")).unwrap();
                prop_assert_eq!(url.path(), path.as_str());
            }
            Err(_) => prop_assert!(matches!(id.as_str(), "." | "..")),
        }
    }

    #[test]
    fn the_normalizer_never_panics(
        body in json_value(),
        headers in prop::collection::vec(("[a-z-]{1,12}", "\\PC{0,20}"), 0..5),
        ids in prop::collection::vec(("\\PC{0,6}", "[a-z]{1,5}"), 0..3),
        status in 100u16..600,
    ) {
        let response = RecordedResponse {
            status,
            headers,
            body: body.to_string(),
            json: Some(body),
            truncated: false,
        };
        let secrets = vec![scimreplay::secrets::Secret::new("token", "s3cr3t")];
        let ctx = NormalizeContext {
            base_url: "http://127.0.0.1:1/scim/v2",
            ids: &ids,
            run_values: &[],
            secrets: &secrets,
        };
        let _ = normalize_response(&response, &ctx);
    }
}

#[test]
fn deep_yaml_and_deep_bodies_are_bounded() {
    load(&format!(
        "format: 1\nname: t\ntags: {}{}\n",
        "[".repeat(5_000),
        "]".repeat(5_000)
    ));
    load(&format!(
        "format: 1\nname: t\nsteps:\n  - name: a\n    request: {{method: POST, path: /Users, body: {}1{}}}\n",
        "{a: ".repeat(3_000),
        "}".repeat(3_000)
    ));
    // The deepest body serde_json parses (its recursion limit is 128).
    let deep = format!("{}1{}", "[".repeat(127), "]".repeat(127));
    let body: Value = serde_json::from_str(&deep).unwrap();
    let response = RecordedResponse {
        status: 200,
        headers: vec![],
        body: deep,
        json: Some(body),
        truncated: false,
    };
    let ctx = NormalizeContext {
        base_url: "http://127.0.0.1:1/scim/v2",
        ids: &[],
        run_values: &[],
        secrets: &[],
    };
    let _ = normalize_response(&response, &ctx);
}
