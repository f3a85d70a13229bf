//! The registry of named Okta checks: the typed check id ([`CheckId`]) with its stable string
//! form, and per check its severity, evidence, one-line fix hint and the section of
//! `docs/okta-reference.md` that documents the expectation. One `checks!` entry defines a check's id and
//! its metadata together, so a check cannot exist without them.

use serde::Serialize;
use std::fmt;

/// How bad a failed check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Okta copes, but the server deviates from what Okta or the RFC expects.
    Warn,
    /// Okta provisioning breaks or records the wrong state.
    Fail,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warn => "warn",
            Severity::Fail => "fail",
        })
    }
}

/// What a check's expectation rests on (the [D]/[O]/[I] tags of the protocol reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// Okta's documentation (or the RFC plus Okta's documented use of it) says so.
    Documented,
    /// Seen in captures of real Okta traffic or Okta's own error messages.
    Observed,
    /// Inferred only: never enough for a `fail`.
    Inferred,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Evidence::Documented => "documented",
            Evidence::Observed => "observed",
            Evidence::Inferred => "inferred",
        })
    }
}

/// A documented Okta expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckDef {
    pub check: CheckId,
    /// The stable id used in scenarios, reports and docs.
    pub id: &'static str,
    pub severity: Severity,
    pub evidence: Evidence,
    /// What Okta needs, in one line.
    pub title: &'static str,
    /// How to fix a server that fails it.
    pub hint: &'static str,
    /// Section of docs/okta-reference.md.
    pub reference: &'static str,
}

struct Meta {
    id: &'static str,
    severity: Severity,
    evidence: Evidence,
    title: &'static str,
    hint: &'static str,
    reference: &'static str,
}

const fn fail(
    id: &'static str,
    evidence: Evidence,
    title: &'static str,
    hint: &'static str,
    reference: &'static str,
) -> Meta {
    Meta {
        id,
        severity: Severity::Fail,
        evidence,
        title,
        hint,
        reference,
    }
}

const fn warn(
    id: &'static str,
    evidence: Evidence,
    title: &'static str,
    hint: &'static str,
    reference: &'static str,
) -> Meta {
    Meta {
        id,
        severity: Severity::Warn,
        evidence,
        title,
        hint,
        reference,
    }
}

/// Defines [`CheckId`], [`CheckId::ALL`] and [`CHECKS`] from one list: each variant with its
/// metadata, in display order.
macro_rules! checks {
    ($($variant:ident => $meta:expr,)*) => {
        /// A named Okta check. Its string form ([`CheckId::as_str`]) is stable.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CheckId {
            $($variant,)*
        }

        impl CheckId {
            /// Every check, in display order.
            pub const ALL: &'static [CheckId] = &[$(CheckId::$variant,)*];
        }

        /// Every check's definition, in display order (indexed by `CheckId as usize`).
        pub const CHECKS: &[CheckDef] = &[$(def(CheckId::$variant, $meta),)*];
    };
}

const fn def(check: CheckId, m: Meta) -> CheckDef {
    CheckDef {
        check,
        id: m.id,
        severity: m.severity,
        evidence: m.evidence,
        title: m.title,
        hint: m.hint,
        reference: m.reference,
    }
}

use Evidence::{Documented, Inferred, Observed};

checks! {
    StatusExpected => fail("status.expected", Documented,
        "the response status is one Okta accepts for this request",
        "answer with a status Okta accepts for this operation (see the reference); other codes make Okta fail the task, and in okta-spec steps Okta's SPEC certification test asserts exactly this status",
        "docs/okta-reference.md#s6"),
    ListResponseShape => fail("list-response.shape", Documented,
        "list/filter responses are a ListResponse object with a Resources array",
        "answer GET /Users and /Groups queries with {\"schemas\":[ListResponse URN],\"totalResults\":N,\"Resources\":[...]}, never a bare array",
        "docs/okta-reference.md#s6, docs/okta-reference.md#s4-1"),
    ListResponseIntegers => fail("list-response.integers", Documented,
        "totalResults, startIndex and itemsPerPage are JSON integers",
        "serialize totalResults/startIndex/itemsPerPage as numbers (100), not strings (\"100\"); Okta's import and connection test reject strings",
        "docs/okta-reference.md#s4-1, docs/okta-reference.md#s6"),
    ListResponseSchemaUrn => warn("list-response.schema-urn", Documented,
        "ListResponse bodies carry the ListResponse schema URN",
        "add \"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"] to list responses (Okta's SPEC test asserts it)",
        "docs/okta-reference.md#s6, docs/okta-reference.md#s8-1"),
    ErrorScimSchema => warn("error.scim-schema", Documented,
        "error responses are JSON SCIM Error objects with the Error schema and a detail",
        "answer errors with {\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"404\",\"detail\":\"...\"}; Okta reads only the status of a 401/403/404/409 and copes with another body, but Okta's SPEC certification test (okta-spec/spec-test, asserted there step by step) requires this shape",
        "docs/okta-reference.md#s6, docs/okta-reference.md#s8-1"),
    ErrorStatusString => warn("error.status-string", Documented,
        "the Error `status` is the HTTP status as a JSON string",
        "send the HTTP status as a JSON string, e.g. \"status\": \"409\" (RFC 7644 §3.12); Okta copes with a number but the RFC requires a string",
        "docs/okta-reference.md#s6"),
    ResourceId => fail("resource.id", Documented,
        "created resources carry a non-empty string `id`",
        "return the created resource with its server-issued, stable `id` (never empty, never \"bulkId\"); Okta stores it to address the user later",
        "docs/okta-reference.md#s4-3, docs/okta-reference.md#s6"),
    CreateReturnsResource => fail("create.returns-resource", Documented,
        "create answers with the full resource, not an empty body",
        "return the created User/Group in the POST response body; Okta fails with \"Create new user returned empty user\"",
        "docs/okta-reference.md#s4-3"),
    CreateStatus201 => warn("create.status-201", Documented,
        "create answers 201 Created",
        "answer a successful POST with 201 Created (RFC 7644 §3.3); Okta's SPEC certification test requires it",
        "docs/okta-reference.md#s4-3, docs/okta-reference.md#s8-1"),
    LocationHeader => warn("location.header", Documented,
        "create responses carry Location equal to meta.location",
        "set the Location header and meta.location to the absolute URL of the new resource (RFC 7644 §3.3); Okta reads the id from the body, other SCIM clients follow Location",
        "docs/okta-reference.md#s4-3, docs/okta-reference.md#s4-5 (meta.location is echoed in PUTs)"),
    ResponseContentType => warn("response.content-type", Observed,
        "responses are served as application/scim+json (or application/json)",
        "send Content-Type: application/scim+json; Okta does not check it but other clients do",
        "docs/okta-reference.md#s6"),
    ResponseJson => fail("response.json", Observed,
        "success bodies Okta reads are valid JSON",
        "return a JSON body; Okta fails with \"Invalid JSON: Unrecognized token\" on HTML or text",
        "docs/okta-reference.md#s6"),
    UserShape => fail("user.shape", Documented,
        "User resources have id, userName, name.givenName, name.familyName, emails[] and active",
        "return every required User attribute Okta reads: id, userName, name.givenName, name.familyName, emails (array), active",
        "docs/okta-reference.md#s6"),
    UserActiveBoolean => fail("user.active-boolean", Observed,
        "`active` is a JSON boolean",
        "serialize active as true/false, not \"true\"/\"false\"; Okta reads a string as a changed value",
        "docs/okta-reference.md#s6, docs/okta-reference.md#s7-12"),
    UserPasswordNotReturned => fail("user.password-not-returned", Documented,
        "`password` is never returned",
        "never return password (RFC 7643 returned: never); Okta echoes it back in every PUT",
        "docs/okta-reference.md#s4-8"),
    GroupShape => fail("group.shape", Documented,
        "Group resources have id, displayName and members (when it has any) as {value, display} objects",
        "return id, displayName and members [{\"value\": <user id>, \"display\": ...}] on GET /Groups/{id}; a group without members may omit the attribute (RFC 7643 §2.5)",
        "docs/okta-reference.md#s5-3"),
    GetSingleResource => fail("get.single-resource", Documented,
        "GET /Users/{id} answers one resource, not a ListResponse",
        "answer GET by id with the resource itself; Okta merges its changes into whatever you return and PUTs it back",
        "docs/okta-reference.md#s4-4"),
    FilterExactMatch => fail("filter.exact-match", Documented,
        "an `eq` filter returns only the matching resources",
        "implement `userName eq` / `displayName eq` filters; ignoring the filter makes Okta link the wrong account",
        "docs/okta-reference.md#s4-2, docs/okta-reference.md#s5-1"),
    FilterCaseInsensitive => fail("filter.case-insensitive", Documented,
        "userName and displayName filters match case-insensitively",
        "compare userName/displayName case-insensitively (caseExact false, RFC 7643 §4.1.1); otherwise Okta re-creates users whose case differs",
        "docs/okta-reference.md#s6, docs/okta-reference.md#s8-1"),
    FilterMiss => fail("filter.miss", Documented,
        "a filter with no match answers 200 with totalResults 0 (or 404, which Okta accepts)",
        "answer a filter miss with an empty ListResponse",
        "docs/okta-reference.md#s4-2, docs/okta-reference.md#s7-8"),
    DuplicateConflict => fail("duplicate.conflict", Documented,
        "creating an existing userName answers 409 (a Group displayName may repeat)",
        "reject a duplicate userName with 409 and scimType uniqueness; Okta relies on it to stop, instead of creating a second account. A second Group with an existing displayName may be created (uniqueness: none, RFC 7643 §4.2)",
        "docs/okta-reference.md#s4-3"),
    DuplicateCaseVariant => warn("duplicate.case-variant", Inferred,
        "creating a userName that differs only in case from an existing one answers 409",
        "treat userName as case-insensitive for uniqueness too (RFC 7643 caseExact false) and answer 409; Okta only sends such a create when its case-insensitive existence filter missed the user (filter.case-insensitive), so this alone does not break Okta, but other clients can create look-alike accounts",
        "docs/okta-reference.md#s6, docs/okta-reference.md#s4-3"),
    PagingComplete => fail("paging.complete", Documented,
        "walking pages as Okta does (startIndex + 100) returns every resource exactly once",
        "honour startIndex and count, return full pages and a stable order; Okta advances startIndex by 100, not by itemsPerPage",
        "docs/okta-reference.md#s4-1"),
    ReadAfterWrite => fail("read-after-write", Documented,
        "a read after a write shows Okta's state: active, userName, group displayName and members",
        "persist what the request changed before answering 2xx; a success that changed nothing leaves Okta with the wrong state (lost lifecycle change, lost rename or membership)",
        "docs/okta-reference.md#s7-steady"),
    SteadyStateFidelity => warn("steady-state.fidelity", Documented,
        "a read after a write returns the profile attributes exactly as Okta sent them",
        "store attribute values exactly as sent (no lower-casing, no moving of primary values, no recomputed or dropped attributes); otherwise Okta re-pushes them on every update and an import reports them as changed",
        "docs/okta-reference.md#s7-steady"),
    SteadyStateIdempotent => fail("steady-state.idempotent", Observed,
        "repeating a write changes nothing; a retried POST /Users answers 409",
        "make PUT/PATCH idempotent (a replay changes nothing but meta.lastModified/version), accept repeated deactivation and member adds, and answer a POST of an existing userName with 409 instead of creating a second account",
        "docs/okta-reference.md#s7-steady"),
    SteadyStateSyncLoop => fail("steady-state.sync-loop", Documented,
        "Okta's import → compare → push cycle reaches a steady state on Okta's state and on attributes that flow back into Okta",
        "store what Okta pushes exactly as sent so an import finds Okta's values; otherwise every import reports a change and every push re-sends it, forever (see docs/steady-state.md)",
        "docs/okta-reference.md#s7-steady"),
    PatchNoPathReplace => fail("patch.no-path-replace", Documented,
        "PATCH replace without a path and with an object value is applied",
        "support {\"op\":\"replace\",\"value\":{\"active\":false}} (RFC 7644 §3.5.2.3); Okta deactivates users this way",
        "docs/okta-reference.md#s4-6, docs/okta-reference.md#s7-1"),
    PatchMemberFilterRemove => fail("patch.member-filter-remove", Documented,
        "PATCH remove with path members[value eq \"id\"] removes exactly that member",
        "implement value-filter paths in PATCH remove; Okta removes group members one op at a time this way",
        "docs/okta-reference.md#s5-5, docs/okta-reference.md#s7-4"),
    PatchRenameWithId => fail("patch.rename-with-id", Observed,
        "a group rename whose value carries the readOnly id is applied",
        "ignore readOnly `id` in a path-less replace value instead of rejecting it; Okta sends it with every membership change",
        "docs/okta-reference.md#s5-4, docs/okta-reference.md#s7-2"),
    PatchMembersDisplayOnly => fail("patch.members-display-only", Observed,
        "member objects with only value and display are accepted",
        "do not require `type` or `$ref` on members; Okta sends {value, display}",
        "docs/okta-reference.md#s5-5, docs/okta-reference.md#s7-5"),
    PatchEmptyMembersReplace => fail("patch.empty-members-replace", Observed,
        "replacing members with an empty list empties the group",
        "accept {\"op\":\"replace\",\"path\":\"members\",\"value\":[]}; Okta's Push Now sends it for empty groups",
        "docs/okta-reference.md#s5-6"),
    CreateOktaBody => fail("create.okta-body", Observed,
        "create bodies carrying Okta's `groups: []` and placeholder `password` are accepted",
        "accept a POST /Users that carries \"groups\": [] (readOnly: ignore it, RFC 7644 §3.5.1) and a \"password\" (store or ignore it); Okta sends both on every create",
        "docs/okta-reference.md#s4-3, docs/okta-reference.md#s7-7"),
    PutReadonlyEcho => fail("put.readonly-echo", Observed,
        "PUT bodies echoing id, meta and groups are accepted",
        "ignore readOnly attributes in PUT (RFC 7644 §3.5.1); Okta echoes the GET body back",
        "docs/okta-reference.md#s4-5, docs/okta-reference.md#s7-6"),
    DeactivateKeepsUser => fail("deactivate.keeps-user", Documented,
        "a deactivated user stays readable with active false",
        "deactivate by setting active false, never delete; Okta's CRUD test and re-activation read the same id",
        "docs/okta-reference.md#s4-6"),
    ProfileEmptiedCleared => warn("profile.emptied-cleared", Documented,
        "a profile push that leaves out an attribute emptied in Okta clears it",
        "clear an attribute a full PUT leaves out (RFC 7644 §3.5.1 lets you clear or keep it); Okta pushes the whole profile and an emptied value is meant to overwrite the old one, so a kept value stays stale on the app",
        "docs/okta-reference.md#s4-5, docs/okta-reference.md#s7-steady, docs/okta-reference.md#s8-3"),
    AuthRejectsBadCredential => warn("auth.rejects-bad-credential", Observed,
        "a request with a wrong or missing credential answers 401",
        "answer a wrong or missing token with 401 and a SCIM Error (RFC 7644 §3.12); Okta's connection test then reports an authorization failure instead of enabling provisioning. A server that accepts any token works with Okta but lets anyone provision; a 403 fails Okta's test too, but Okta's SPEC certification test asserts 401",
        "docs/okta-reference.md#s3, docs/okta-reference.md#s8-1"),
    RateLimitRetryAfter => warn("rate-limit.retry-after", Documented,
        "429 responses carry an integer Retry-After",
        "send Retry-After: <seconds> with 429; without it Okta waits 5 minutes and doubles",
        "docs/okta-reference.md#s6"),
    MetaLocation => warn("meta.location", Documented,
        "a returned User or Group carries meta.location as the absolute URL of the resource",
        "set meta.location to the absolute URL of the resource (RFC 7643 §3.1, e.g. https://host/scim/v2/Users/{id}); Okta reads the id from the body and copes, other SCIM clients follow meta.location",
        "docs/okta-reference.md#s4-3, docs/okta-reference.md#s4-5 (meta is echoed in PUTs)"),
    MetaLastModified => warn("meta.last-modified", Documented,
        "meta.lastModified moves when a write changes the resource",
        "update meta.lastModified on every successful write (RFC 7643 §3.1); Okta copes, but incremental imports and other clients use it to find changed resources",
        "docs/okta-reference.md#s4-5, docs/okta-reference.md#s7-steady"),
    GroupMembersUnique => warn("group.members-unique", Documented,
        "a Group lists each member once, also after a repeated PATCH add",
        "treat a PATCH add of an existing member as a no-op (RFC 7644 §3.5.2.1: values already present are not added again); Okta retries member adds and copes with a duplicate entry, other clients count members twice",
        "docs/okta-reference.md#s5-5, docs/okta-reference.md#s7-steady"),
    ToleranceInferred => warn("tolerance.inferred", Inferred,
        "the server relies on an answer Okta is only inferred to accept",
        "prefer the answer Okta documents: 200 with an empty ListResponse for a filter miss, 200 with the resource for a Group PUT; that Okta accepts this one rests on inference, not on Okta's documentation or a capture",
        "docs/okta-reference.md#s4-2, docs/okta-reference.md#s6"),
}

impl CheckId {
    /// The check's registry entry.
    pub fn def(self) -> &'static CheckDef {
        &CHECKS[self as usize]
    }

    /// The stable string form (`status.expected`).
    pub fn as_str(self) -> &'static str {
        self.def().id
    }

    /// Parses the stable string form.
    pub fn parse(id: &str) -> Option<CheckId> {
        CHECKS.iter().find(|c| c.id == id).map(|c| c.check)
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CheckId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CheckId::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown check `{s}` (see `scimreplay checks`)"))
        })
    }
}

/// Looks a check up by its string id.
pub fn find(id: &str) -> Option<&'static CheckDef> {
    CheckId::parse(id).map(CheckId::def)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_documented_and_in_enum_order() {
        let mut ids: Vec<_> = CHECKS.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CHECKS.len());
        for (i, c) in CHECKS.iter().enumerate() {
            assert_eq!(c.check as usize, i);
            assert_eq!(CheckId::parse(c.id), Some(c.check));
            assert!(
                c.reference.starts_with("docs/okta-reference.md#s"),
                "{}",
                c.id
            );
            assert!(!c.hint.is_empty() && !c.title.is_empty(), "{}", c.id);
        }
        assert_eq!(CheckId::ALL.len(), CHECKS.len());
    }

    #[test]
    fn no_fail_rests_on_inference_only() {
        for c in CHECKS {
            assert!(
                !(c.severity == Severity::Fail && c.evidence == Inferred),
                "check {} is fail-severity but its evidence is inferred only: make it warn or cite documented/observed Okta behaviour",
                c.id
            );
        }
    }
}
