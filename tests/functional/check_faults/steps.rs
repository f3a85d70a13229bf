//! The scenario steps of the fault cases (YAML list items, two-space indented): the Okta
//! requests each fault and its compliant twin answer.

pub const READ_USER: &str = r#"
  - name: read-user
    request: {method: GET, path: /Users/u1}
    expect: {status: 200}
"#;

pub const READ_GROUP: &str = r#"
  - name: read-group
    request: {method: GET, path: /Groups/g1}
    expect: {status: 200}
"#;

pub const LIST_USERS: &str = r#"
  - name: list-users
    request: {method: GET, path: /Users, query: "startIndex=1&count=100"}
    expect: {status: 200}
"#;

pub const WRONG_TOKEN_PROBE: &str = r#"
  - name: probe-with-wrong-token
    request: {method: GET, path: /Users, query: "startIndex=1&count=100", auth: invalid}
    expect: {checks: [auth.rejects-bad-credential]}
"#;

pub const READ_MISSING: &str = r#"
  - name: read-missing-user
    request: {method: GET, path: /Users/missing}
    expect: {status: 404}
"#;

pub const CREATE_USER: &str = r#"
  - name: create-user
    request:
      method: POST
      path: /Users
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"]
        userName: ada@example.com
        name: {givenName: Ada, familyName: Lovelace}
        emails: [{primary: true, value: ada@example.com, type: work}]
        displayName: Ada Lovelace
        groups: []
        password: "Okta-Placeholder-1"
        active: true
    expect: {status: [200, 201]}
"#;

/// Okta's create body, with the `groups: []` and placeholder password it always carries.
pub const CREATE_OKTA_BODY: &str = r#"
  - name: create-user
    request:
      method: POST
      path: /Users
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"]
        userName: ada@example.com
        name: {givenName: Ada, familyName: Lovelace}
        emails: [{primary: true, value: ada@example.com, type: work}]
        displayName: Ada Lovelace
        groups: []
        password: "Okta-Placeholder-1"
        active: true
    expect: {status: [200, 201], checks: [create.okta-body]}
"#;

pub const DUPLICATE_USER: &str = r#"
  - name: create-existing-user
    request:
      method: POST
      path: /Users
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"]
        userName: ada@example.com
        name: {givenName: Ada, familyName: Lovelace}
        emails: [{primary: true, value: ada@example.com, type: work}]
        active: true
    expect: {checks: [duplicate.conflict]}
"#;

pub const DUPLICATE_USER_UPPER: &str = r#"
  - name: create-existing-user-upper-case
    request:
      method: POST
      path: /Users
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"]
        userName: ADA@EXAMPLE.COM
        name: {givenName: Ada, familyName: Lovelace}
        emails: [{primary: true, value: ada@example.com, type: work}]
        active: true
    expect: {checks: [duplicate.case-variant]}
"#;

pub const FIND_ADA: &str = r#"
  - name: find-ada
    request:
      method: GET
      path: /Users
      query: "filter=userName%20eq%20%22ada%40example.com%22&startIndex=1&count=100"
    expect: {status: 200, checks: [filter.exact-match]}
"#;

pub const FIND_ADA_UPPER: &str = r#"
  - name: find-ada-upper-case
    request:
      method: GET
      path: /Users
      query: "filter=userName%20eq%20%22ADA%40EXAMPLE.COM%22&startIndex=1&count=100"
    expect: {status: 200, checks: [filter.case-insensitive]}
"#;

pub const FIND_NOBODY: &str = r#"
  - name: find-nobody
    request:
      method: GET
      path: /Users
      query: "filter=userName%20eq%20%22nobody%40example.com%22&startIndex=1&count=100"
    expect: {status: [200, 404], checks: [filter.miss]}
"#;

pub const IMPORT_USERS: &str = r#"
  - name: import-users
    pages: true
    request: {method: GET, path: /Users, query: "startIndex={{start_index}}&count=100"}
    expect: {status: 200, checks: [paging.complete]}
"#;

pub const REMOVE_MEMBER_VERIFIED: &str = r#"
  - name: remove-bob
    request:
      method: PATCH
      path: /Groups/g1
      body:
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
        Operations: [{op: remove, path: "members[value eq \"u2\"]"}]
    expect: {status: [200, 204]}
  - name: read-group
    verifies: remove-bob
    request: {method: GET, path: /Groups/g1}
    expect: {status: 200}
"#;

pub const PUT_USER_VERIFIED: &str = r#"
  - name: update-user
    request:
      method: PUT
      path: /Users/u1
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"]
        userName: ada@example.com
        name: {givenName: Ada, familyName: Lovelace}
        emails: [{primary: true, value: Ada.Lovelace@Example.com, type: work}]
        active: true
    expect: {status: 200}
  - name: read-user
    verifies: update-user
    request: {method: GET, path: /Users/u1}
    expect: {status: 200}
"#;

pub const DEACTIVATE_NO_PATH: &str = r#"
  - name: deactivate-user
    request:
      method: PATCH
      path: /Users/u1
      body:
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
        Operations: [{op: replace, value: {active: false}}]
    expect: {checks: [patch.no-path-replace]}
"#;

pub const REMOVE_MEMBER: &str = r#"
  - name: remove-member
    request:
      method: PATCH
      path: /Groups/g1
      body:
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
        Operations: [{op: remove, path: "members[value eq \"u2\"]"}]
    expect: {checks: [patch.member-filter-remove]}
"#;

pub const RENAME_WITH_ID: &str = r#"
  - name: rename-group
    request:
      method: PATCH
      path: /Groups/g1
      body:
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
        Operations: [{op: replace, value: {id: g1, displayName: Engineering}}]
    expect: {checks: [patch.rename-with-id]}
"#;

pub const ADD_MEMBER: &str = r#"
  - name: add-member
    request:
      method: PATCH
      path: /Groups/g1
      body:
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
        Operations: [{op: add, path: members, value: [{value: u2, display: Bob Roe}]}]
    expect: {checks: [patch.members-display-only]}
"#;

pub const EMPTY_MEMBERS: &str = r#"
  - name: push-now-empty
    request:
      method: PATCH
      path: /Groups/g1
      body:
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
        Operations: [{op: replace, path: members, value: []}]
    expect: {checks: [patch.empty-members-replace]}
"#;

pub const PUT_ECHO: &str = r#"
  - name: put-echo
    request:
      method: PUT
      path: /Users/u1
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"]
        id: u1
        userName: ada@example.com
        name: {givenName: Ada, familyName: Lovelace}
        emails: [{primary: true, value: ada@example.com, type: work}]
        active: true
        groups: []
        meta: {resourceType: User}
    expect: {checks: [put.readonly-echo]}
"#;

pub const DEACTIVATE_THEN_READ: &str = r#"
  - name: deactivate-user
    request:
      method: PATCH
      path: /Users/u1
      body:
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
        Operations: [{op: replace, value: {active: false}}]
    expect: {status: [200, 204]}
  - name: read-deactivated-user
    request: {method: GET, path: /Users/u1}
    expect: {checks: [deactivate.keeps-user]}
"#;

pub const PUT_USER_ECHO_META_VERIFIED: &str = r#"
  - name: update-user
    request:
      method: PUT
      path: /Users/u1
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"]
        id: u1
        userName: ada@example.com
        name: {givenName: Ada, familyName: Lovelace}
        emails: [{primary: true, value: ada@example.com, type: work}]
        displayName: Ada Lovelace
        active: true
        title: Countess
        meta: {resourceType: User, version: 'W/"1"', lastModified: "2026-01-01T00:00:00.000Z"}
    expect: {status: 200}
  - name: read-user
    verifies: update-user
    request: {method: GET, path: /Users/u1}
    expect: {status: 200}
"#;

pub const PUT_GROUP: &str = r#"
  - name: put-group
    request:
      method: PUT
      path: /Groups/g1
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"]
        displayName: Engineering
        members: []
    expect: {status: [200, 204]}
"#;

pub const FIND_NO_GROUP: &str = r#"
  - name: find-no-group
    request: {method: GET, path: /Groups, query: "filter=displayName%20eq%20%22Nobody%22&startIndex=1&count=100"}
    expect: {status: [200, 404], checks: [filter.miss]}
"#;

pub const DUPLICATE_GROUP: &str = r#"
  - name: create-existing-group
    request:
      method: POST
      path: /Groups
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"]
        displayName: Engineering
        members: []
    expect: {checks: [duplicate.conflict]}
"#;

pub const PUT_USER_WITHOUT_TITLE: &str = r#"
  - name: update-user
    request:
      method: PUT
      path: /Users/u1
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"]
        userName: ada@example.com
        name: {givenName: Ada, familyName: Lovelace}
        emails: [{primary: true, value: ada@example.com, type: work}]
        displayName: Ada Lovelace
        active: true
    expect: {status: 200}
  - name: read-user
    verifies: update-user
    request: {method: GET, path: /Users/u1}
    expect:
      status: 200
      body:
        - {path: "$.title", exists: false, check: profile.emptied-cleared}
"#;
