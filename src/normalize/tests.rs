//! Unit tests of the normalization rules, one test per rule.

use super::*;
use serde_json::json;

const BASE: &str = "http://127.0.0.1:41234/scim/v2";

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn response(status: u16, headers: &[(&str, &str)], json: Value) -> RecordedResponse {
    RecordedResponse {
        status,
        headers: pairs(headers),
        body: json.to_string(),
        json: Some(json),
        truncated: false,
    }
}

fn text_response(body: &str) -> RecordedResponse {
    RecordedResponse {
        status: 500,
        headers: pairs(&[("content-type", "text/html")]),
        body: body.into(),
        json: None,
        truncated: false,
    }
}

struct Fixture {
    ids: Vec<(String, String)>,
    run_values: Vec<(String, String)>,
    secrets: Vec<crate::secrets::Secret>,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            ids: pairs(&[
                ("u-1111", "alice.id"),
                ("g-2222", "team.id"),
                ("u-1111-dup", "bob.id"),
            ]),
            run_values: pairs(&[
                ("r7x9", "run_id"),
                ("alice-r7x9@example.com", "alice.login"),
            ]),
            secrets: vec![crate::secrets::Secret::new("token", "tok-SECRET-42")],
        }
    }

    fn ctx(&self) -> NormalizeContext<'_> {
        NormalizeContext {
            base_url: BASE,
            ids: &self.ids,
            run_values: &self.run_values,
            secrets: &self.secrets,
        }
    }

    fn run(&self, resp: &RecordedResponse) -> Normalized {
        normalize_response(resp, &self.ctx())
    }

    fn body(&self, json: Value) -> Value {
        let out = self.run(&response(200, &[], json));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        out.document["body"].clone()
    }
}

#[test]
fn document_has_status_selected_headers_and_body() {
    let resp = response(
        201,
        &[
            ("content-type", "application/scim+json"),
            ("date", "Mon, 01 Jan 2024 00:00:00 GMT"),
            ("x-request-id", "abc"),
            ("location", &format!("{BASE}/Users/u-1111")),
        ],
        json!({"active": true}),
    );
    let out = Fixture::new().run(&resp);
    assert_eq!(
        out.document,
        json!({
            "status": 201,
            "headers": {
                "content-type": "application/scim+json",
                "location": "{{base}}/Users/{{alice.id}}"
            },
            "body": {"active": true}
        })
    );
}

#[test]
fn all_selected_headers_are_kept() {
    let resp = response(
        429,
        &[
            ("Retry-After", "3"),
            ("www-authenticate", "Bearer realm=\"scim\""),
            ("etag", "W/\"7\""),
        ],
        json!(null),
    );
    let headers = Fixture::new().run(&resp).document["headers"].clone();
    assert_eq!(
        headers,
        json!({"retry-after": "3", "www-authenticate": "Bearer realm=\"scim\"", "etag": "{{version}}"})
    );
}

#[test]
fn base_url_is_replaced_in_every_string() {
    let body = Fixture::new().body(json!({"x": {"y": [format!("see {BASE}/Schemas")]}}));
    assert_eq!(body, json!({"x": {"y": ["see {{base}}/Schemas"]}}));
}

#[test]
fn base_url_with_trailing_slash_is_replaced() {
    let f = Fixture::new();
    let ctx = NormalizeContext {
        base_url: "http://h/scim/",
        ..f.ctx()
    };
    let out = normalize_response(
        &response(200, &[], json!({"u": "http://h/scim/Users"})),
        &ctx,
    );
    assert_eq!(out.document["body"], json!({"u": "{{base}}/Users"}));
}

#[test]
fn ids_become_capture_names() {
    let body = Fixture::new().body(json!({
        "id": "u-1111",
        "externalId": "g-2222",
        "note": "u-1111 inside text stays",
        "meta": {"location": format!("{BASE}/Users/u-1111")}
    }));
    assert_eq!(
        body,
        json!({
            "id": "{{alice.id}}",
            "externalId": "{{team.id}}",
            "note": "u-1111 inside text stays",
            "meta": {"location": "{{base}}/Users/{{alice.id}}"}
        })
    );
}

#[test]
fn first_captured_name_wins() {
    let f = Fixture {
        ids: pairs(&[("same", "first.id"), ("same", "second.id")]),
        ..Fixture::new()
    };
    assert_eq!(f.body(json!({"id": "same"})), json!({"id": "{{first.id}}"}));
}

#[test]
fn unknown_ids_at_any_depth() {
    let body = Fixture::new().body(json!({
        "id": "zzz",
        "Resources": [{"id": "u-1111"}, {"id": "other"}],
    }));
    assert_eq!(
        body,
        json!({
            "id": "{{unknown-id}}",
            "Resources": [{"id": "{{alice.id}}"}, {"id": "{{unknown-id}}"}]
        })
    );
}

#[test]
fn member_and_group_values_are_ids() {
    let body = Fixture::new().body(json!({
        "members": [
            {"value": "u-1111", "display": "Alice", "$ref": format!("{BASE}/Users/u-1111")},
            {"value": "nobody", "$ref": format!("{BASE}/Users/nobody")}
        ],
        "groups": [{"value": "g-2222", "$ref": "https://elsewhere/Groups/g-2222"}],
        "manager": {"value": "u-1111"},
        "emails": [{"value": "nobody"}]
    }));
    assert_eq!(
        body,
        json!({
            "members": [
                {"value": "{{alice.id}}", "display": "Alice", "$ref": "{{base}}/Users/{{alice.id}}"},
                {"value": "{{unknown-id}}", "$ref": "{{base}}/Users/{{unknown-id}}"}
            ],
            "groups": [{"value": "{{team.id}}", "$ref": "https://elsewhere/Groups/{{team.id}}"}],
            "manager": {"value": "{{alice.id}}"},
            "emails": [{"value": "nobody"}]
        })
    );
}

#[test]
fn refs_without_a_path_are_unknown_ids() {
    let body = Fixture::new().body(json!({
        "a": {"$ref": "garbage"},
        "b": {"$ref": "g-2222"},
        "c": {"$ref": format!("{BASE}/Groups/x/?attributes=id")},
        "d": {"$ref": format!("{BASE}/Groups/g-2222/")}
    }));
    assert_eq!(
        body,
        json!({
            "a": {"$ref": "{{unknown-id}}"},
            "b": {"$ref": "{{team.id}}"},
            "c": {"$ref": "{{base}}/Groups/{{unknown-id}}/?attributes=id"},
            "d": {"$ref": "{{base}}/Groups/{{team.id}}/"}
        })
    );
}

#[test]
fn run_values_are_replaced_as_substrings_longest_first() {
    let body = Fixture::new().body(json!({
        "userName": "alice-r7x9@example.com",
        "displayName": "Team r7x9 (r7x9)",
        "emails": [{"value": "alice-r7x9@example.com"}]
    }));
    assert_eq!(
        body,
        json!({
            "userName": "{{alice.login}}",
            "displayName": "Team {{run_id}} ({{run_id}})",
            "emails": [{"value": "{{alice.login}}"}]
        })
    );
}

#[test]
fn secrets_are_scrubbed_everywhere() {
    let resp = response(
        401,
        &[(
            "www-authenticate",
            "Bearer error=\"tok-SECRET-42 rejected\"",
        )],
        json!({"detail": "token tok-SECRET-42 is invalid", "id": "tok-SECRET-42"}),
    );
    let out = Fixture::new().run(&resp);
    let text = out.document.to_string();
    assert!(!text.contains("tok-SECRET-42"), "{text}");
    assert_eq!(
        out.document["body"]["detail"],
        "token [secret:token] is invalid"
    );
    assert_eq!(
        out.document["headers"]["www-authenticate"],
        "Bearer error=\"[secret:token] rejected\""
    );
}

#[test]
fn set_like_arrays_are_sorted_after_replacement() {
    let f = Fixture {
        ids: pairs(&[("zzz", "a.id"), ("aaa", "b.id")]),
        ..Fixture::new()
    };
    let body = f.body(json!({
        "schemas": ["urn:b", "urn:a"],
        "members": [{"value": "aaa"}, {"value": "zzz"}],
        "emails": [{"value": "b@x", "primary": true}, {"value": "a@x"}],
        "roles": ["z", "a"],
        "Resources": [{"id": "aaa"}, {"id": "zzz"}],
        "other": ["z", "a"]
    }));
    assert_eq!(
        body,
        json!({
            "schemas": ["urn:a", "urn:b"],
            "members": [{"value": "{{a.id}}"}, {"value": "{{b.id}}"}],
            "emails": [{"primary": true, "value": "b@x"}, {"value": "a@x"}],
            "roles": ["a", "z"],
            "Resources": [{"id": "{{b.id}}"}, {"id": "{{a.id}}"}],
            "other": ["z", "a"]
        })
    );
}

#[test]
fn valid_timestamps_become_placeholders_at_any_depth() {
    let body = Fixture::new().body(json!({
        "meta": {"created": "2024-05-01T10:00:00Z", "lastModified": "2024-05-01T10:00:00.5+02:00"},
        "Resources": [{"meta": {"created": "2024-05-01T10:00:00Z"}}],
        "created": "not meta, left alone"
    }));
    assert_eq!(
        body,
        json!({
            "meta": {"created": "{{timestamp}}", "lastModified": "{{timestamp}}"},
            "Resources": [{"meta": {"created": "{{timestamp}}"}}],
            "created": "not meta, left alone"
        })
    );
}

#[test]
fn invalid_timestamps_are_kept_and_reported() {
    let resp = response(
        200,
        &[],
        json!({"meta": {"created": "yesterday", "lastModified": 1714557600},
               "Resources": [{"meta": {"created": "2024-05-01"}}]}),
    );
    let out = Fixture::new().run(&resp);
    assert_eq!(out.document["body"]["meta"]["created"], "yesterday");
    assert_eq!(out.document["body"]["meta"]["lastModified"], 1714557600);
    assert_eq!(
        out.problems,
        [
            "body.Resources[0].meta.created: \"2024-05-01\" is not an RFC 3339 date-time",
            "body.meta.created: \"yesterday\" is not an RFC 3339 date-time",
            "body.meta.lastModified: 1714557600 is not an RFC 3339 date-time",
        ]
    );
}

#[test]
fn versions_and_etags_are_validated_then_replaced() {
    let resp = response(
        200,
        &[("etag", "W/\"abc\"")],
        json!({"meta": {"version": "\"xyz\""}}),
    );
    let out = Fixture::new().run(&resp);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(out.document["headers"]["etag"], "{{version}}");
    assert_eq!(out.document["body"]["meta"]["version"], "{{version}}");
}

#[test]
fn invalid_versions_and_etags_are_reported() {
    let resp = response(200, &[("etag", "abc")], json!({"meta": {"version": 3}}));
    let out = Fixture::new().run(&resp);
    assert_eq!(out.document["headers"]["etag"], "abc");
    assert_eq!(out.document["body"]["meta"]["version"], 3);
    assert_eq!(
        out.problems,
        [
            "headers.etag: \"abc\" is not a valid entity tag",
            "body.meta.version: 3 is not a valid entity tag",
        ]
    );
}

#[test]
fn problem_values_are_scrubbed() {
    let resp = response(200, &[], json!({"meta": {"created": "tok-SECRET-42"}}));
    let out = Fixture::new().run(&resp);
    assert_eq!(
        out.problems,
        ["body.meta.created: \"[secret:token]\" is not an RFC 3339 date-time"]
    );
}

#[test]
fn text_bodies_are_kept_as_normalized_text() {
    let f = Fixture::new();
    let out = f.run(&text_response(&format!(
        "<html>{BASE} r7x9 tok-SECRET-42</html>"
    )));
    assert_eq!(
        out.document["body"],
        "<html>{{base}} {{run_id}} [secret:token]</html>"
    );
    assert_eq!(out.document["status"], 500);
}

#[test]
fn empty_bodies_are_null() {
    let out = Fixture::new().run(&text_response(""));
    assert_eq!(out.document["body"], Value::Null);
}

#[test]
fn truncated_bodies_are_reported() {
    let mut resp = text_response("partial");
    resp.truncated = true;
    let out = Fixture::new().run(&resp);
    assert_eq!(out.problems, ["body: truncated at the response size limit"]);
}

#[test]
fn deep_nesting_does_not_panic() {
    let mut deep = json!("leaf");
    for _ in 0..300 {
        deep = json!({"a": [deep]});
    }
    let out = Fixture::new().run(&response(200, &[], deep));
    assert!(out.document.to_string().contains("{{too-deep}}"));
    assert_eq!(out.problems.len(), 1, "{:?}", out.problems);
}

#[test]
fn odd_text_and_huge_strings_do_not_panic() {
    let f = Fixture::new();
    let lossy = String::from_utf8_lossy(b"\xff\xfe abc \xc3").into_owned();
    let out = f.run(&text_response(&lossy));
    assert_eq!(out.document["body"], lossy);
    let huge = format!("{}tok-SECRET-42", "é".repeat(1 << 20));
    let out = f.run(&response(200, &[], json!({"x": huge})));
    assert!(
        out.document["body"]["x"]
            .as_str()
            .unwrap()
            .ends_with("[secret:token]")
    );
}

#[test]
fn realistic_user_document() {
    let resp = response(
        201,
        &[
            ("content-type", "application/scim+json;charset=UTF-8"),
            ("location", &format!("{BASE}/Users/u-1111")),
            ("etag", "W/\"1\""),
        ],
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "u-1111",
            "externalId": "00u1abcd",
            "userName": "alice-r7x9@example.com",
            "name": {"givenName": "Alice", "familyName": "Doe"},
            "emails": [
                {"value": "alice.work-r7x9@example.com", "type": "work"},
                {"value": "alice-r7x9@example.com", "type": "home", "primary": true}
            ],
            "groups": [{"value": "g-2222", "display": "Team r7x9"}],
            "active": true,
            "meta": {
                "resourceType": "User",
                "created": "2024-05-01T10:00:00.000Z",
                "lastModified": "2024-05-01T10:00:00.000Z",
                "version": "W/\"1\"",
                "location": format!("{BASE}/Users/u-1111")
            }
        }),
    );
    let out = Fixture::new().run(&resp);
    assert!(out.problems.is_empty());
    insta::assert_json_snapshot!(out.document);
}

#[test]
fn arbitrary_strings_do_not_panic() {
    // Deterministic pseudo-random strings built from pattern fragments and multibyte chars.
    let pieces = [
        "u-1111",
        "/",
        "?",
        "#",
        "r7x9",
        "tok-SECRET-42",
        BASE,
        "é",
        "€",
        "𝄞",
        "{{",
        "}}",
        "\"",
        "W/",
        "2024-05-01T10:00:00Z",
        "",
        " ",
    ];
    let f = Fixture::new();
    let mut seed: u64 = 0x5eed;
    for _ in 0..500 {
        let mut text = String::new();
        for _ in 0..(seed % 12) {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
        }
        let json = json!({
            "id": text, "$ref": text, "members": [{"value": text}],
            "meta": {"created": text, "version": text}, "x": [text]
        });
        let out = f.run(&response(
            200,
            &[("etag", &text), ("location", &text)],
            json,
        ));
        assert!(!out.document.to_string().contains("tok-SECRET-42"));
        let out = f.run(&text_response(&text));
        assert!(!out.document.to_string().contains("tok-SECRET-42"));
    }
}
