//! The registry of named Okta checks: stable id, severity, one-line fix hint and the section of
//! `okta-protocol.md` that documents the expectation.

use super::Severity;

/// A documented Okta expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckDef {
    pub id: &'static str,
    pub severity: Severity,
    /// What Okta needs, in one line.
    pub title: &'static str,
    /// How to fix a server that fails it.
    pub hint: &'static str,
    /// Section of okta-protocol.md.
    pub reference: &'static str,
}

const fn fail(
    id: &'static str,
    title: &'static str,
    hint: &'static str,
    reference: &'static str,
) -> CheckDef {
    CheckDef {
        id,
        severity: Severity::Fail,
        title,
        hint,
        reference,
    }
}

const fn warn(
    id: &'static str,
    title: &'static str,
    hint: &'static str,
    reference: &'static str,
) -> CheckDef {
    CheckDef {
        id,
        severity: Severity::Warn,
        title,
        hint,
        reference,
    }
}

/// Every check, in display order.
pub const CHECKS: &[CheckDef] = &[
    fail(
        "status.expected",
        "the response status is one Okta accepts for this request",
        "answer with a status Okta accepts for this operation (see the reference); other codes make Okta fail the task, and in okta-spec steps Okta's SPEC certification test asserts exactly this status",
        "okta-protocol.md §6",
    ),
    fail(
        "list-response.shape",
        "list/filter responses are a ListResponse object with a Resources array",
        "answer GET /Users and /Groups queries with {\"schemas\":[ListResponse URN],\"totalResults\":N,\"Resources\":[...]}, never a bare array",
        "okta-protocol.md §6, §4.1",
    ),
    fail(
        "list-response.integers",
        "totalResults, startIndex and itemsPerPage are JSON integers",
        "serialize totalResults/startIndex/itemsPerPage as numbers (100), not strings (\"100\"); Okta's import and connection test reject strings",
        "okta-protocol.md §4.1, §6",
    ),
    warn(
        "list-response.schema-urn",
        "ListResponse bodies carry the ListResponse schema URN",
        "add \"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"] to list responses (Okta's SPEC test asserts it)",
        "okta-protocol.md §6, §8.1",
    ),
    fail(
        "error.scim-schema",
        "error responses are JSON SCIM Error objects with the Error schema and a detail",
        "answer errors with {\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"404\",\"detail\":\"...\"}; a non-JSON body makes Okta report \"Invalid JSON\"",
        "okta-protocol.md §6, §8.1",
    ),
    warn(
        "error.status-string",
        "the Error `status` is the HTTP status as a JSON string",
        "send the HTTP status as a JSON string, e.g. \"status\": \"409\" (RFC 7644 §3.12); Okta copes with a number but the RFC requires a string",
        "okta-protocol.md §6",
    ),
    fail(
        "resource.id",
        "created resources carry a non-empty string `id`",
        "return the created resource with its server-issued, stable `id` (never empty, never \"bulkId\"); Okta stores it to address the user later",
        "okta-protocol.md §4.3, §6",
    ),
    fail(
        "create.returns-resource",
        "create answers with the full resource, not an empty body",
        "return the created User/Group in the POST response body; Okta fails with \"Create new user returned empty user\"",
        "okta-protocol.md §4.3",
    ),
    warn(
        "create.status-201",
        "create answers 201 Created",
        "answer a successful POST with 201 Created (RFC 7644 §3.3); Okta's SPEC certification test requires it",
        "okta-protocol.md §4.3, §8.1",
    ),
    warn(
        "location.header",
        "create responses carry Location equal to meta.location",
        "set the Location header and meta.location to the absolute URL of the new resource (RFC 7644 §3.3); Okta reads the id from the body, other SCIM clients follow Location",
        "okta-protocol.md §4.3, §4.5 (meta.location is echoed in PUTs)",
    ),
    warn(
        "response.content-type",
        "responses are served as application/scim+json (or application/json)",
        "send Content-Type: application/scim+json; Okta does not check it but other clients do",
        "okta-protocol.md §6",
    ),
    fail(
        "response.json",
        "success bodies Okta reads are valid JSON",
        "return a JSON body; Okta fails with \"Invalid JSON: Unrecognized token\" on HTML or text",
        "okta-protocol.md §6",
    ),
    fail(
        "user.shape",
        "User resources have id, userName, name.givenName, name.familyName, emails[] and active",
        "return every required User attribute Okta reads: id, userName, name.givenName, name.familyName, emails (array), active",
        "okta-protocol.md §6",
    ),
    fail(
        "user.active-boolean",
        "`active` is a JSON boolean",
        "serialize active as true/false, not \"true\"/\"false\"; Okta reads a string as a changed value",
        "okta-protocol.md §6, §7.12",
    ),
    fail(
        "user.password-not-returned",
        "`password` is never returned",
        "never return password (RFC 7643 returned: never); Okta echoes it back in every PUT",
        "okta-protocol.md §4.8",
    ),
    fail(
        "group.shape",
        "Group resources have id, displayName and members as {value, display} objects",
        "return id, displayName and members [{\"value\": <user id>, \"display\": ...}] on GET /Groups/{id}",
        "okta-protocol.md §5.3",
    ),
    fail(
        "get.single-resource",
        "GET /Users/{id} answers one resource, not a ListResponse",
        "answer GET by id with the resource itself; Okta merges its changes into whatever you return and PUTs it back",
        "okta-protocol.md §4.4",
    ),
    fail(
        "filter.exact-match",
        "an `eq` filter returns only the matching resources",
        "implement `userName eq` / `displayName eq` filters; ignoring the filter makes Okta link the wrong account",
        "okta-protocol.md §4.2, §5.1",
    ),
    fail(
        "filter.case-insensitive",
        "userName and displayName filters match case-insensitively",
        "compare userName/displayName case-insensitively (caseExact false, RFC 7643 §4.1.1); otherwise Okta re-creates users whose case differs",
        "okta-protocol.md §6, §8.1",
    ),
    fail(
        "filter.miss",
        "a filter with no match answers 200 with totalResults 0 (or 404, which Okta accepts)",
        "answer a filter miss with an empty ListResponse",
        "okta-protocol.md §4.2, §7.8",
    ),
    fail(
        "duplicate.conflict",
        "creating an existing userName or group displayName answers 409",
        "reject duplicates with 409 and scimType uniqueness; Okta relies on it to stop, instead of creating a second account",
        "okta-protocol.md §4.3",
    ),
    fail(
        "paging.complete",
        "walking pages as Okta does (startIndex + 100) returns every resource exactly once",
        "honour startIndex and count, return full pages and a stable order; Okta advances startIndex by 100, not by itemsPerPage",
        "okta-protocol.md §4.1",
    ),
    fail(
        "read-after-write",
        "a read after a write shows the write took effect",
        "persist what the request changed before answering 2xx; a success that changed nothing leaves Okta with the wrong state",
        "okta-protocol.md §7 (steady state)",
    ),
    fail(
        "steady-state.fidelity",
        "a read after a write returns exactly what Okta sent",
        "store attribute values exactly as sent (no lower-casing, no moving of primary values, no recomputed or dropped attributes); otherwise Okta re-pushes them on every update and an import reports them as changed",
        "okta-protocol.md §7 (steady state)",
    ),
    fail(
        "steady-state.idempotent",
        "repeating a write changes nothing; a retried POST answers 409",
        "make PUT/PATCH idempotent (a replay changes nothing but meta.lastModified/version), accept repeated deactivation and member adds, and answer a POST of an existing userName or displayName with 409 instead of creating a second resource",
        "okta-protocol.md §7 (steady state)",
    ),
    fail(
        "steady-state.sync-loop",
        "Okta's import → compare → push cycle reaches a steady state",
        "store what Okta pushes exactly as sent so an import finds Okta's values; otherwise every import reports a change and every push re-sends it, forever (see docs/steady-state.md)",
        "okta-protocol.md §7 (steady state)",
    ),
    fail(
        "patch.no-path-replace",
        "PATCH replace without a path and with an object value is applied",
        "support {\"op\":\"replace\",\"value\":{\"active\":false}} (RFC 7644 §3.5.2.3); Okta deactivates users this way",
        "okta-protocol.md §4.6, §7.1",
    ),
    fail(
        "patch.member-filter-remove",
        "PATCH remove with path members[value eq \"id\"] removes exactly that member",
        "implement value-filter paths in PATCH remove; Okta removes group members one op at a time this way",
        "okta-protocol.md §5.5, §7.4",
    ),
    fail(
        "patch.rename-with-id",
        "a group rename whose value carries the readOnly id is applied",
        "ignore readOnly `id` in a path-less replace value instead of rejecting it; Okta sends it with every membership change",
        "okta-protocol.md §5.4, §7.2",
    ),
    fail(
        "patch.members-display-only",
        "member objects with only value and display are accepted",
        "do not require `type` or `$ref` on members; Okta sends {value, display}",
        "okta-protocol.md §5.5, §7.5",
    ),
    fail(
        "patch.empty-members-replace",
        "replacing members with an empty list empties the group",
        "accept {\"op\":\"replace\",\"path\":\"members\",\"value\":[]}; Okta's Push Now sends it for empty groups",
        "okta-protocol.md §5.6",
    ),
    fail(
        "create.okta-body",
        "create bodies carrying Okta's `groups: []` and placeholder `password` are accepted",
        "accept a POST /Users that carries \"groups\": [] (readOnly: ignore it, RFC 7644 §3.5.1) and a \"password\" (store or ignore it); Okta sends both on every create",
        "okta-protocol.md §4.3, §7.7",
    ),
    fail(
        "put.readonly-echo",
        "PUT bodies echoing id, meta and groups are accepted",
        "ignore readOnly attributes in PUT (RFC 7644 §3.5.1); Okta echoes the GET body back",
        "okta-protocol.md §4.5, §7.6",
    ),
    fail(
        "deactivate.keeps-user",
        "a deactivated user stays readable with active false",
        "deactivate by setting active false, never delete; Okta's CRUD test and re-activation read the same id",
        "okta-protocol.md §4.6",
    ),
    warn(
        "profile.emptied-cleared",
        "a profile push that leaves out an attribute emptied in Okta clears it",
        "clear an attribute a full PUT leaves out (RFC 7644 §3.5.1 lets you clear or keep it); Okta pushes the whole profile and an emptied value is meant to overwrite the old one, so a kept value stays stale on the app",
        "okta-protocol.md §4.5, §7 (steady state), §8.3 C9337",
    ),
    warn(
        "rate-limit.retry-after",
        "429 responses carry an integer Retry-After",
        "send Retry-After: <seconds> with 429; without it Okta waits 5 minutes and doubles",
        "okta-protocol.md §6",
    ),
];

/// Looks a check up by id.
pub fn find(id: &str) -> Option<&'static CheckDef> {
    CHECKS.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_documented() {
        let mut ids: Vec<_> = CHECKS.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CHECKS.len());
        for c in CHECKS {
            assert!(c.reference.starts_with("okta-protocol.md §"), "{}", c.id);
            assert!(!c.hint.is_empty() && !c.title.is_empty(), "{}", c.id);
        }
    }
}
