//! Property tests of the reference server's parsers: the filter parser and the PATCH engine
//! (its path parser included) never panic and never recurse without bound, whatever the input.
//! Case counts are small so they run in seconds inside `cargo test`.

use super::filter;
use super::patch;
use super::quirks::Quirks;
use super::schema::ResourceKind;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Text made of the filter grammar's own pieces, so most cases get past the tokenizer.
fn filter_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("userName".to_string()),
        Just("emails[type eq \"work\"].value".to_string()),
        Just("members.value".to_string()),
        Just("urn:ietf:params:scim:schemas:core:2.0:User:userName".to_string()),
        Just(" eq ".to_string()),
        Just(" co ".to_string()),
        Just(" pr".to_string()),
        Just(" and ".to_string()),
        Just(" or ".to_string()),
        Just("not ".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("\"a\\\"b\\u00e9\"".to_string()),
        Just("12.5e3".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        "\\PC{0,6}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

fn patch_path() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("members".to_string()),
        Just("emails".to_string()),
        Just("name.givenName".to_string()),
        Just("[value eq \"x\"]".to_string()),
        Just("[type eq \"work\" and primary eq true]".to_string()),
        Just(".value".to_string()),
        Just("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:".to_string()),
        Just("manager.value".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(".".to_string()),
        "\\PC{0,5}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

/// JSON values of bounded depth and size.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "\\PC{0,8}".prop_map(Value::String),
        Just(json!("x")),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("value".to_string()),
                    Just("type".to_string()),
                    Just("primary".to_string()),
                    Just("givenName".to_string()),
                    "[a-zA-Z]{1,8}",
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn stored_user() -> Map<String, Value> {
    json!({
        "userName": "a@example.com",
        "name": {"givenName": "A", "familyName": "B"},
        "emails": [{"value": "a@example.com", "type": "work", "primary": true}],
        "active": true
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_filter_parser_never_panics(text in filter_text()) {
        let _ = filter::parse(&text);
    }

    #[test]
    fn patch_operations_never_panic(
        op in prop_oneof![
            Just("add".to_string()),
            Just("remove".to_string()),
            Just("replace".to_string()),
            Just("Replace".to_string()),
            "\\PC{0,6}",
        ],
        path in proptest::option::of(patch_path()),
        value in proptest::option::of(json_value()),
        group in any::<bool>(),
    ) {
        let mut operation = Map::new();
        operation.insert("op".into(), json!(op));
        if let Some(p) = path {
            operation.insert("path".into(), json!(p));
        }
        if let Some(v) = value {
            operation.insert("value".into(), v);
        }
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [Value::Object(operation)],
        });
        let (kind, current) = if group {
            (ResourceKind::Group, json!({"displayName": "G", "members": [{"value": "x"}]}).as_object().cloned().unwrap_or_default())
        } else {
            (ResourceKind::User, stored_user())
        };
        let _ = patch::apply(kind, &current, &body, &Quirks::default());
    }
}

#[test]
fn deeply_nested_filters_are_refused_not_overflowed() {
    for depth in [60, 10_000] {
        let nested = format!("{}userName pr{}", "(".repeat(depth), ")".repeat(depth));
        assert!(filter::parse(&nested).is_err(), "depth {depth}");
        let negated = format!("{}userName pr", "not (".repeat(depth)) + &")".repeat(depth);
        assert!(filter::parse(&negated).is_err(), "depth {depth}");
    }
    let brackets = format!("emails{}", "[value eq \"x\"]".repeat(5_000));
    let _ = filter::parse(&brackets);
}

#[test]
fn long_patch_paths_are_answered() {
    let path = "name.".repeat(20_000) + "givenName";
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": path, "value": "x"}]});
    assert!(
        patch::apply(
            ResourceKind::User,
            &stored_user(),
            &body,
            &Quirks::default()
        )
        .is_err()
    );
    let bracket = format!("emails{}.value", "[type eq \"work\"]".repeat(5_000));
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": bracket, "value": "x"}]});
    let _ = patch::apply(
        ResourceKind::User,
        &stored_user(),
        &body,
        &Quirks::default(),
    );
}
