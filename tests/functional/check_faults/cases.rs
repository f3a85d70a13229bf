//! The fault table: for every check, a tiny scenario, a server that breaks exactly that Okta
//! expectation, and a compliant twin that answers the same traffic correctly.

use super::harness::{
    Case, created, error, group, list, on, on_query, page, raw, scim, set, user, without,
};
use super::steps::*;
use serde_json::{Value, json};
use wiremock::ResponseTemplate;

fn ada(base: &str) -> Value {
    user(base, "u1", "ada@example.com")
}

fn bob(base: &str) -> Value {
    let b = user(base, "u2", "bob@example.com");
    set(b, "/name/givenName", json!("Bob"))
}

fn get_user(body: Value) -> Vec<wiremock::Mock> {
    vec![on("GET", "/Users/u1", scim(200, body))]
}

fn list_users(body: Value) -> Vec<wiremock::Mock> {
    vec![on_query("GET", "/Users", ("count", "100"), scim(200, body))]
}

fn rejected(verb: &str, at: &str, detail: &str) -> Vec<wiremock::Mock> {
    vec![on(verb, at, scim(400, error(400, detail)))]
}

fn no_content(verb: &str, at: &str) -> Vec<wiremock::Mock> {
    vec![on(verb, at, ResponseTemplate::new(204))]
}

/// Users u1..=n for paging.
fn users(base: &str, from: usize, to: usize) -> Vec<Value> {
    (from..=to)
        .map(|i| user(base, &format!("u{i}"), &format!("user{i}@example.com")))
        .collect()
}

/// Every fault, in registry order.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            check: "status.expected",
            fault_is: "GET of an existing user answers 404",
            steps: READ_USER,
            fault: |_| {
                vec![on(
                    "GET",
                    "/Users/u1",
                    scim(404, error(404, "User not found")),
                )]
            },
            compliant: |b| get_user(ada(b)),
            also_fails: &[],
        },
        Case {
            check: "list-response.shape",
            fault_is: "the list is a bare JSON array",
            steps: LIST_USERS,
            fault: |b| list_users(json!([ada(b)])),
            compliant: |b| list_users(list(vec![ada(b)])),
            // A bare array has no `schemas` either.
            also_fails: &["list-response.schema-urn"],
        },
        Case {
            check: "list-response.shape",
            fault_is: "the ListResponse spells `resources` in lower case",
            steps: LIST_USERS,
            fault: |b| {
                let l = list(vec![ada(b)]);
                let resources = l["Resources"].clone();
                list_users(set(without(l, "/Resources"), "/resources", resources))
            },
            compliant: |b| list_users(list(vec![ada(b)])),
            also_fails: &[],
        },
        Case {
            check: "list-response.integers",
            fault_is: "totalResults is the string \"1\"",
            steps: LIST_USERS,
            fault: |b| list_users(set(list(vec![ada(b)]), "/totalResults", json!("1"))),
            compliant: |b| list_users(list(vec![ada(b)])),
            also_fails: &[],
        },
        Case {
            check: "list-response.schema-urn",
            fault_is: "the ListResponse has no schemas",
            steps: LIST_USERS,
            fault: |b| list_users(without(list(vec![ada(b)]), "/schemas")),
            compliant: |b| list_users(list(vec![ada(b)])),
            also_fails: &[],
        },
        Case {
            check: "error.scim-schema",
            fault_is: "a 404 whose JSON body lacks the Error schema",
            steps: READ_MISSING,
            fault: |_| {
                let body = without(error(404, "User not found"), "/schemas");
                vec![on("GET", "/Users/missing", scim(404, body))]
            },
            compliant: |_| {
                vec![on(
                    "GET",
                    "/Users/missing",
                    scim(404, error(404, "User not found")),
                )]
            },
            also_fails: &[],
        },
        Case {
            check: "error.scim-schema",
            fault_is: "a plain-text 404",
            steps: READ_MISSING,
            fault: |_| {
                vec![on(
                    "GET",
                    "/Users/missing",
                    raw(404, "text/plain", "Not Found"),
                )]
            },
            compliant: |_| {
                vec![on(
                    "GET",
                    "/Users/missing",
                    scim(404, error(404, "User not found")),
                )]
            },
            also_fails: &["response.content-type"],
        },
        Case {
            check: "error.status-string",
            fault_is: "the Error status is the number 404",
            steps: READ_MISSING,
            fault: |_| {
                let body = set(error(404, "User not found"), "/status", json!(404));
                vec![on("GET", "/Users/missing", scim(404, body))]
            },
            compliant: |_| {
                vec![on(
                    "GET",
                    "/Users/missing",
                    scim(404, error(404, "User not found")),
                )]
            },
            also_fails: &[],
        },
        Case {
            check: "resource.id",
            fault_is: "the created user has an empty id",
            steps: CREATE_USER,
            fault: |b| {
                let body = set(ada(b), "/id", json!(""));
                let body = set(body, "/meta/location", json!(format!("{b}/Users/")));
                vec![on("POST", "/Users", created(201, b, body, ""))]
            },
            compliant: |b| vec![on("POST", "/Users", created(201, b, ada(b), "u1"))],
            also_fails: &[],
        },
        Case {
            check: "create.returns-resource",
            fault_is: "create answers 201 with an empty body (twin: a minimal resource, id and userName only)",
            steps: CREATE_USER,
            fault: |b| {
                let r = ResponseTemplate::new(201)
                    .insert_header("location", format!("{b}/Users/u1").as_str());
                vec![on("POST", "/Users", r)]
            },
            // Okta judges a create by its status and `id`: a minimal answer is no user.shape
            // failure (the shape is judged on reads), so the twin passes under --strict.
            compliant: |b| {
                let minimal = json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "id": "u1",
                    "userName": "ada@example.com",
                    "meta": {"resourceType": "User", "location": format!("{b}/Users/u1")},
                });
                vec![on("POST", "/Users", created(201, b, minimal, "u1"))]
            },
            also_fails: &["resource.id"],
        },
        Case {
            check: "create.returns-resource",
            fault_is: "create answers 201 with an empty body",
            steps: CREATE_USER,
            fault: |b| {
                let r = ResponseTemplate::new(201)
                    .insert_header("location", format!("{b}/Users/u1").as_str());
                vec![on("POST", "/Users", r)]
            },
            compliant: |b| vec![on("POST", "/Users", created(201, b, ada(b), "u1"))],
            // Without a body there is no id either.
            also_fails: &["resource.id"],
        },
        Case {
            check: "create.status-201",
            fault_is: "create answers 200",
            steps: CREATE_USER,
            fault: |b| vec![on("POST", "/Users", created(200, b, ada(b), "u1"))],
            compliant: |b| vec![on("POST", "/Users", created(201, b, ada(b), "u1"))],
            also_fails: &[],
        },
        Case {
            check: "create.okta-body",
            fault_is: "a create carrying groups: [] and a password answers 400",
            steps: CREATE_OKTA_BODY,
            fault: |_| rejected("POST", "/Users", "attribute 'groups' is readOnly"),
            compliant: |b| vec![on("POST", "/Users", created(201, b, ada(b), "u1"))],
            also_fails: &["status.expected"],
        },
        Case {
            check: "location.header",
            fault_is: "create answers without a Location header",
            steps: CREATE_USER,
            fault: |b| vec![on("POST", "/Users", scim(201, ada(b)))],
            compliant: |b| vec![on("POST", "/Users", created(201, b, ada(b), "u1"))],
            also_fails: &[],
        },
        Case {
            check: "response.content-type",
            fault_is: "a JSON user served as text/plain",
            steps: READ_USER,
            fault: |b| {
                let r = raw(200, "text/plain", &ada(b).to_string());
                vec![on("GET", "/Users/u1", r)]
            },
            compliant: |b| get_user(ada(b)),
            also_fails: &[],
        },
        Case {
            check: "response.json",
            fault_is: "a 200 whose body is an HTML page",
            steps: READ_USER,
            fault: |_| {
                let page = "<html><body>Service Unavailable</body></html>";
                vec![on("GET", "/Users/u1", raw(200, "application/json", page))]
            },
            compliant: |b| get_user(ada(b)),
            also_fails: &[],
        },
        Case {
            check: "user.shape",
            fault_is: "the user has no name.familyName",
            steps: READ_USER,
            fault: |b| get_user(without(ada(b), "/name/familyName")),
            compliant: |b| get_user(ada(b)),
            also_fails: &[],
        },
        Case {
            check: "user.shape",
            fault_is: "emails is a string",
            steps: READ_USER,
            fault: |b| get_user(set(ada(b), "/emails", json!("ada@example.com"))),
            compliant: |b| get_user(ada(b)),
            also_fails: &[],
        },
        Case {
            check: "user.active-boolean",
            fault_is: "active is the string \"true\"",
            steps: READ_USER,
            fault: |b| get_user(set(ada(b), "/active", json!("true"))),
            compliant: |b| get_user(ada(b)),
            also_fails: &[],
        },
        Case {
            check: "user.active-boolean",
            fault_is: "a listed user's active is the string \"false\"",
            steps: LIST_USERS,
            fault: |b| list_users(list(vec![set(ada(b), "/active", json!("false"))])),
            compliant: |b| list_users(list(vec![ada(b)])),
            also_fails: &[],
        },
        Case {
            check: "user.password-not-returned",
            fault_is: "the user read returns its password",
            steps: READ_USER,
            fault: |b| get_user(set(ada(b), "/password", json!("Okta-Placeholder-1"))),
            compliant: |b| get_user(ada(b)),
            also_fails: &[],
        },
        Case {
            check: "group.shape",
            fault_is: "GET /Groups/{id} lists a member without a value",
            steps: READ_GROUP,
            fault: |b| {
                let g = set(
                    group(b, "g1", &["u1"]),
                    "/members",
                    json!([{"display": "Ada"}]),
                );
                vec![on("GET", "/Groups/g1", scim(200, g))]
            },
            compliant: |b| vec![on("GET", "/Groups/g1", scim(200, group(b, "g1", &["u1"])))],
            also_fails: &[],
        },
        Case {
            check: "get.single-resource",
            fault_is: "GET /Users/{id} answers a ListResponse",
            steps: READ_USER,
            fault: |b| get_user(list(vec![ada(b)])),
            compliant: |b| get_user(ada(b)),
            // A ListResponse is not a User.
            also_fails: &["user.shape"],
        },
        Case {
            check: "filter.exact-match",
            fault_is: "the filter answers an unrelated user",
            steps: FIND_ADA,
            fault: |b| list_users(list(vec![bob(b)])),
            compliant: |b| list_users(list(vec![ada(b)])),
            also_fails: &[],
        },
        Case {
            check: "filter.case-insensitive",
            fault_is: "an upper-case userName filter finds nothing",
            steps: FIND_ADA_UPPER,
            fault: |_| list_users(list(vec![])),
            compliant: |b| list_users(list(vec![ada(b)])),
            also_fails: &[],
        },
        Case {
            check: "filter.miss",
            fault_is: "a filter miss answers every user (filter ignored)",
            steps: FIND_NOBODY,
            fault: |b| list_users(list(vec![ada(b), bob(b)])),
            compliant: |_| list_users(list(vec![])),
            // Ignoring the filter also returns users that do not match it.
            also_fails: &["filter.exact-match"],
        },
        Case {
            check: "filter.miss",
            fault_is: "a filter miss answers 500",
            steps: FIND_NOBODY,
            fault: |_| {
                let body = error(500, "filter not supported");
                vec![on_query("GET", "/Users", ("count", "100"), scim(500, body))]
            },
            compliant: |_| list_users(list(vec![])),
            // The scenario accepts 200 or 404 only.
            also_fails: &["status.expected"],
        },
        Case {
            check: "duplicate.case-variant",
            fault_is: "creating an upper-cased existing userName answers 201",
            steps: DUPLICATE_USER_UPPER,
            fault: |b| vec![on("POST", "/Users", created(201, b, ada(b), "u1"))],
            compliant: |_| {
                let body = error(409, "userName already exists");
                vec![on("POST", "/Users", scim(409, body))]
            },
            also_fails: &[],
        },
        Case {
            check: "duplicate.conflict",
            fault_is: "creating an existing userName answers 201",
            steps: DUPLICATE_USER,
            fault: |b| vec![on("POST", "/Users", created(201, b, ada(b), "u1"))],
            compliant: |_| {
                let body = set(
                    error(409, "userName already exists"),
                    "/scimType",
                    json!("uniqueness"),
                );
                vec![on("POST", "/Users", scim(409, body))]
            },
            also_fails: &[],
        },
        Case {
            check: "paging.complete",
            fault_is: "page 2 (startIndex=101) repeats page 1",
            steps: IMPORT_USERS,
            fault: |b| list_users(page(users(b, 1, 100), 101, 1)),
            compliant: |b| {
                vec![
                    on_query(
                        "GET",
                        "/Users",
                        ("startIndex", "1"),
                        scim(200, page(users(b, 1, 100), 101, 1)),
                    ),
                    on_query(
                        "GET",
                        "/Users",
                        ("startIndex", "101"),
                        scim(200, page(users(b, 101, 101), 101, 101)),
                    ),
                ]
            },
            also_fails: &[],
        },
        Case {
            check: "paging.complete",
            fault_is: "short pages: page 1 holds 50 of 101 users",
            steps: IMPORT_USERS,
            fault: |b| {
                vec![
                    on_query(
                        "GET",
                        "/Users",
                        ("startIndex", "1"),
                        scim(200, page(users(b, 1, 50), 101, 1)),
                    ),
                    on_query(
                        "GET",
                        "/Users",
                        ("startIndex", "101"),
                        scim(200, page(users(b, 51, 100), 101, 101)),
                    ),
                ]
            },
            compliant: |b| {
                vec![
                    on_query(
                        "GET",
                        "/Users",
                        ("startIndex", "1"),
                        scim(200, page(users(b, 1, 100), 101, 1)),
                    ),
                    on_query(
                        "GET",
                        "/Users",
                        ("startIndex", "101"),
                        scim(200, page(users(b, 101, 101), 101, 101)),
                    ),
                ]
            },
            also_fails: &[],
        },
        Case {
            check: "read-after-write",
            fault_is: "a member removal answers 200 but the group keeps the member",
            steps: REMOVE_MEMBER_VERIFIED,
            fault: |b| {
                vec![
                    on("PATCH", "/Groups/g1", scim(200, group(b, "g1", &["u1"]))),
                    on(
                        "GET",
                        "/Groups/g1",
                        scim(200, group(b, "g1", &["u1", "u2"])),
                    ),
                ]
            },
            compliant: |b| {
                vec![
                    on("PATCH", "/Groups/g1", scim(200, group(b, "g1", &["u1"]))),
                    on("GET", "/Groups/g1", scim(200, group(b, "g1", &["u1"]))),
                ]
            },
            // Membership is read-after-write's to judge; fidelity compares attribute values.
            also_fails: &[],
        },
        Case {
            check: "steady-state.fidelity",
            fault_is: "the server lower-cases the email Okta sent",
            steps: PUT_USER_VERIFIED,
            fault: |b| {
                let stored = set(
                    ada(b),
                    "/emails",
                    json!([{"primary": true, "value": "ada.lovelace@example.com", "type": "work"}]),
                );
                vec![
                    on("PUT", "/Users/u1", scim(200, stored.clone())),
                    on("GET", "/Users/u1", scim(200, stored)),
                ]
            },
            compliant: |b| {
                let stored = set(
                    ada(b),
                    "/emails",
                    json!([{"primary": true, "value": "Ada.Lovelace@Example.com", "type": "work"}]),
                );
                vec![
                    on("PUT", "/Users/u1", scim(200, stored.clone())),
                    on("GET", "/Users/u1", scim(200, stored)),
                ]
            },
            also_fails: &[],
        },
        Case {
            check: "patch.no-path-replace",
            fault_is: "a path-less replace {active:false} answers 400",
            steps: DEACTIVATE_NO_PATH,
            fault: |_| rejected("PATCH", "/Users/u1", "path is required"),
            compliant: |_| no_content("PATCH", "/Users/u1"),
            also_fails: &[],
        },
        Case {
            check: "patch.member-filter-remove",
            fault_is: "remove members[value eq \"u2\"] answers 400",
            steps: REMOVE_MEMBER,
            fault: |_| rejected("PATCH", "/Groups/g1", "filtered paths are not supported"),
            compliant: |_| no_content("PATCH", "/Groups/g1"),
            also_fails: &[],
        },
        Case {
            check: "patch.rename-with-id",
            fault_is: "a rename carrying the readOnly id answers 400",
            steps: RENAME_WITH_ID,
            fault: |_| rejected("PATCH", "/Groups/g1", "id is readOnly"),
            compliant: |b| {
                let g = group(b, "g1", &["u1"]);
                vec![on("PATCH", "/Groups/g1", scim(200, g))]
            },
            also_fails: &[],
        },
        Case {
            check: "patch.members-display-only",
            fault_is: "members without `type` answer 400",
            steps: ADD_MEMBER,
            fault: |_| rejected("PATCH", "/Groups/g1", "members[].type is required"),
            compliant: |_| no_content("PATCH", "/Groups/g1"),
            also_fails: &[],
        },
        Case {
            check: "patch.empty-members-replace",
            fault_is: "replacing members with [] answers 400",
            steps: EMPTY_MEMBERS,
            fault: |_| rejected("PATCH", "/Groups/g1", "value must not be empty"),
            compliant: |_| no_content("PATCH", "/Groups/g1"),
            also_fails: &[],
        },
        Case {
            check: "put.readonly-echo",
            fault_is: "a PUT echoing id, meta and groups answers 400",
            steps: PUT_ECHO,
            fault: |_| rejected("PUT", "/Users/u1", "meta is readOnly"),
            compliant: |b| vec![on("PUT", "/Users/u1", scim(200, ada(b)))],
            also_fails: &[],
        },
        Case {
            check: "deactivate.keeps-user",
            fault_is: "deactivation deletes the user",
            steps: DEACTIVATE_THEN_READ,
            fault: |_| {
                vec![
                    on("PATCH", "/Users/u1", ResponseTemplate::new(204)),
                    on("GET", "/Users/u1", scim(404, error(404, "User not found"))),
                ]
            },
            compliant: |b| {
                vec![
                    on("PATCH", "/Users/u1", ResponseTemplate::new(204)),
                    on(
                        "GET",
                        "/Users/u1",
                        scim(200, set(ada(b), "/active", json!(false))),
                    ),
                ]
            },
            also_fails: &["read-after-write"],
        },
        Case {
            check: "deactivate.keeps-user",
            fault_is: "deactivation answers 204 but the user stays active",
            steps: DEACTIVATE_THEN_READ,
            fault: |b| {
                vec![
                    on("PATCH", "/Users/u1", ResponseTemplate::new(204)),
                    on("GET", "/Users/u1", scim(200, ada(b))),
                ]
            },
            compliant: |b| {
                vec![
                    on("PATCH", "/Users/u1", ResponseTemplate::new(204)),
                    on(
                        "GET",
                        "/Users/u1",
                        scim(200, set(ada(b), "/active", json!(false))),
                    ),
                ]
            },
            also_fails: &["read-after-write"],
        },
        Case {
            check: "profile.emptied-cleared",
            fault_is: "a PUT without the emptied title keeps the old title",
            steps: PUT_USER_WITHOUT_TITLE,
            fault: |b| {
                let kept = set(ada(b), "/title", json!("Engineer"));
                vec![
                    on("PUT", "/Users/u1", scim(200, kept.clone())),
                    on("GET", "/Users/u1", scim(200, kept)),
                ]
            },
            compliant: |b| {
                vec![
                    on("PUT", "/Users/u1", scim(200, ada(b))),
                    on("GET", "/Users/u1", scim(200, ada(b))),
                ]
            },
            also_fails: &[],
        },
        Case {
            check: "auth.rejects-bad-credential",
            fault_is: "a wrong token gets the user list (the server checks no credential)",
            steps: WRONG_TOKEN_PROBE,
            fault: |b| list_users(list(vec![ada(b)])),
            compliant: |_| {
                let body = error(401, "Invalid token");
                vec![on_query("GET", "/Users", ("count", "100"), scim(401, body))]
            },
            also_fails: &[],
        },
        Case {
            check: "rate-limit.retry-after",
            fault_is: "429 without Retry-After, then 200",
            steps: READ_USER,
            fault: |b| {
                vec![
                    on(
                        "GET",
                        "/Users/u1",
                        scim(429, error(429, "Too many requests")),
                    )
                    .up_to_n_times(1)
                    .with_priority(2),
                    on("GET", "/Users/u1", scim(200, ada(b))),
                ]
            },
            compliant: |b| {
                vec![
                    on(
                        "GET",
                        "/Users/u1",
                        scim(429, error(429, "Too many requests"))
                            .insert_header("retry-after", "1"),
                    )
                    .up_to_n_times(1)
                    .with_priority(2),
                    on("GET", "/Users/u1", scim(200, ada(b))),
                ]
            },
            also_fails: &[],
        },
        Case {
            check: "meta.location",
            fault_is: "the User's meta.location is a relative path",
            steps: READ_USER,
            fault: |b| get_user(set(ada(b), "/meta/location", json!("/Users/u1"))),
            compliant: |b| get_user(ada(b)),
            also_fails: &[],
        },
        Case {
            check: "meta.location",
            fault_is: "the returned User has no meta.location",
            steps: READ_USER,
            fault: |b| get_user(without(ada(b), "/meta/location")),
            compliant: |b| get_user(ada(b)),
            also_fails: &[],
        },
        Case {
            check: "meta.last-modified",
            fault_is: "a PUT moves meta.version but not meta.lastModified",
            steps: PUT_USER_ECHO_META_VERIFIED,
            fault: |b| updated_ada(b, "2026-01-01T00:00:00.000Z"),
            compliant: |b| updated_ada(b, "2026-01-01T00:00:05.000Z"),
            also_fails: &[],
        },
        Case {
            check: "group.members-unique",
            fault_is: "the Group lists the same member twice",
            steps: READ_GROUP,
            fault: |b| {
                vec![on(
                    "GET",
                    "/Groups/g1",
                    scim(200, group(b, "g1", &["u1", "u1"])),
                )]
            },
            compliant: |b| vec![on("GET", "/Groups/g1", scim(200, group(b, "g1", &["u1"])))],
            also_fails: &[],
        },
        Case {
            check: "tolerance.inferred",
            fault_is: "a group PUT answers 204 without a body",
            steps: PUT_GROUP,
            fault: |_| no_content("PUT", "/Groups/g1"),
            compliant: |b| vec![on("PUT", "/Groups/g1", scim(200, group(b, "g1", &[])))],
            also_fails: &[],
        },
        Case {
            check: "tolerance.inferred",
            fault_is: "a group filter miss answers 404",
            steps: FIND_NO_GROUP,
            fault: |_| {
                let body = error(404, "Group not found");
                vec![on_query(
                    "GET",
                    "/Groups",
                    ("count", "100"),
                    scim(404, body),
                )]
            },
            compliant: |_| {
                vec![on_query(
                    "GET",
                    "/Groups",
                    ("count", "100"),
                    scim(200, list(vec![])),
                )]
            },
            also_fails: &[],
        },
    ]
}

/// Ada after a PUT that set her title: the PUT answer and the read carry `meta.version` 2 and
/// `last_modified`.
fn updated_ada(base: &str, last_modified: &str) -> Vec<wiremock::Mock> {
    let mut u = set(ada(base), "/title", json!("Countess"));
    u["meta"]["version"] = json!("W/\"2\"");
    u["meta"]["lastModified"] = json!(last_modified);
    vec![
        on("PUT", "/Users/u1", scim(200, u.clone())),
        on("GET", "/Users/u1", scim(200, u)),
    ]
}
