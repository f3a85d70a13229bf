//! The check functions: each judges an exchange (with its step context) against one Okta
//! expectation and answers not-applicable, pass, or fail with what was found.

use super::registry::CheckId;
use super::{CheckInput, RequestKind, Resource, Verdict, kind_of};
use crate::scenario::Method;
use serde_json::Value;

pub const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

fn verdict(ok: bool, msg: impl FnOnce() -> String) -> Verdict {
    if ok {
        Verdict::Pass
    } else {
        Verdict::Fail(msg())
    }
}

/// The checks that apply automatically to this kind of exchange.
pub fn automatic(input: &CheckInput) -> Vec<CheckId> {
    use CheckId::*;
    let k = &input.kind;
    let Some(status) = input.exchange.status() else {
        return Vec::new();
    };
    let mut ids = vec![ResponseContentType];
    if input.exchanges.iter().any(|e| e.status() == Some(429)) {
        ids.push(RateLimitRetryAfter);
    }
    if status >= 400 {
        ids.extend([ErrorScimSchema, ErrorStatusString]);
        match k.method {
            Some(Method::Patch) => ids.extend([
                PatchNoPathReplace,
                PatchMemberFilterRemove,
                PatchRenameWithId,
                PatchMembersDisplayOnly,
                PatchEmptyMembersReplace,
            ]),
            Some(Method::Put) => ids.push(PutReadonlyEcho),
            Some(Method::Post) => ids.push(CreateOktaBody),
            _ => {}
        }
        if k.is_collection_get() && k.filter.is_some() && k.resource == Resource::Groups {
            ids.push(ToleranceInferred);
        }
        return ids;
    }
    ids.push(ResponseJson);
    if k.is_collection_get() {
        if k.filter.is_some() {
            ids.push(FilterExactMatch);
            if k.resource == Resource::Groups {
                ids.push(ToleranceInferred);
            }
        }
        ids.extend([
            ListResponseShape,
            ListResponseIntegers,
            ListResponseSchemaUrn,
        ]);
        if k.resource == Resource::Users {
            ids.extend([UserActiveBoolean, UserPasswordNotReturned]);
        }
        return ids;
    }
    if k.is(Method::Post) {
        ids.extend([
            ResourceId,
            CreateReturnsResource,
            CreateStatus201,
            LocationHeader,
        ]);
    }
    if k.is(Method::Get) && k.by_id {
        ids.push(GetSingleResource);
    }
    if k.is(Method::Put) && k.resource == Resource::Groups {
        ids.push(ToleranceInferred);
    }
    let has_body = input.exchange.json().is_some_and(Value::is_object);
    if !k.is(Method::Delete) && has_body {
        // Okta reads the whole resource from a GET (it merges its changes into it and PUTs it
        // back); a write's answer it judges by status and id, so the shape checks wait for a read.
        let read = k.is(Method::Get);
        match k.resource {
            Resource::Users => {
                ids.extend(read.then_some(UserShape));
                ids.extend([
                    UserActiveBoolean,
                    UserPasswordNotReturned,
                    MetaLocation,
                    MetaLastModified,
                ]);
            }
            Resource::Groups => {
                ids.extend(read.then_some(GroupShape));
                ids.extend([GroupMembersUnique, MetaLocation, MetaLastModified]);
            }
            Resource::Other => {}
        }
    }
    ids
}

/// Runs one check.
pub fn run(id: CheckId, input: &CheckInput) -> Verdict {
    use CheckId::*;
    let ex = input.exchange;
    let Some(resp) = &ex.response else {
        return Verdict::NotApplicable;
    };
    let body = resp.json.as_ref();
    match id {
        StatusExpected => Verdict::NotApplicable, // judged by the step's `status` expectation
        ListResponseShape => list_shape(body),
        ListResponseIntegers => list_integers(body),
        ListResponseSchemaUrn => verdict(has_urn(body, LIST_URN), || {
            format!("schemas does not contain {LIST_URN}")
        }),
        ErrorScimSchema => error_schema(resp.status, body, &resp.body),
        ErrorStatusString => error_status(resp.status, body),
        ResourceId => resource_id(body),
        CreateReturnsResource => verdict(
            body.is_some_and(|b| b.as_object().is_some_and(|o| !o.is_empty())),
            || {
                format!(
                    "the {} response has no resource body ({} bytes)",
                    resp.status,
                    resp.body.len()
                )
            },
        ),
        CreateStatus201 => verdict(resp.status == 201, || {
            format!("create answered {} instead of 201", resp.status)
        }),
        LocationHeader => location(resp.header("location"), body),
        ResponseContentType => content_type(resp.header("content-type"), &resp.body),
        ResponseJson => verdict(resp.body.trim().is_empty() || resp.json.is_some(), || {
            format!("the body is not JSON: {}", preview(&resp.body))
        }),
        UserShape => super::resources::user_shape(body),
        UserActiveBoolean => super::resources::active_boolean(body),
        UserPasswordNotReturned => super::resources::no_password(body),
        GroupShape => super::resources::group_shape(body),
        GroupMembersUnique => super::resources::members_unique(body),
        MetaLocation => super::resources::meta_location(body),
        MetaLastModified => super::resources::last_modified_moves(input),
        GetSingleResource => verdict(
            !(has_urn(body, LIST_URN) || body.is_some_and(|b| b.get("Resources").is_some())),
            || "GET by id answered a ListResponse instead of the resource".into(),
        ),
        RateLimitRetryAfter => super::resources::retry_after(input.exchanges),
        AuthRejectsBadCredential => match resp.status {
            401 => Verdict::Pass,
            st @ 200..=299 => Verdict::Fail(format!(
                "a wrong or missing credential was accepted ({st}): Okta works, but the endpoint is open to anyone"
            )),
            st => Verdict::Fail(format!(
                "a wrong or missing credential answered {st} instead of 401"
            )),
        },
        FilterExactMatch => super::filters::exact_match(input),
        FilterCaseInsensitive => super::filters::case_insensitive(input),
        FilterMiss => super::filters::miss(resp.status, body),
        DuplicateConflict => duplicate_conflict(input.kind.resource, resp.status),
        DuplicateCaseVariant => verdict(resp.status == 409, || {
            format!(
                "a create whose userName differs only in case from an existing user answered {} instead of 409",
                resp.status
            )
        }),
        PagingComplete => super::filters::paging_complete(input.exchanges),
        DeactivateKeepsUser => verdict(
            resp.status == 200 && body.and_then(|b| b.get("active")) == Some(&Value::Bool(false)),
            || {
                format!(
                    "after deactivation the user read answered {} with active = {}",
                    resp.status,
                    body.and_then(|b| b.get("active"))
                        .map_or("(absent)".into(), |v| v.to_string())
                )
            },
        ),
        ReadAfterWrite => super::write_effects::read_after_write(input),
        SteadyStateFidelity => super::write_effects::fidelity(input),
        SteadyStateIdempotent | SteadyStateSyncLoop => Verdict::NotApplicable, // the steady pass judges these
        ProfileEmptiedCleared => Verdict::NotApplicable, // judged by the assertion it is attributed to
        PatchNoPathReplace
        | PatchMemberFilterRemove
        | PatchRenameWithId
        | PatchMembersDisplayOnly
        | PatchEmptyMembersReplace => {
            super::write_effects::rejected_patch_shape(id.as_str(), ex, input.kind.resource)
        }
        PutReadonlyEcho => super::write_effects::rejected_echo(ex, &["id", "meta", "groups"]),
        CreateOktaBody => super::write_effects::rejected_echo(ex, &["groups", "password"]),
        ToleranceInferred => inferred_tolerance(&input.kind, resp.status),
    }
}

/// A duplicate create must be refused for Users; a Group `displayName` is not unique
/// (`uniqueness: none` in RFC 7643 §4.2), so a second group may be created.
fn duplicate_conflict(resource: Resource, status: u16) -> Verdict {
    match (resource, status) {
        (_, 409) => Verdict::Pass,
        (Resource::Groups, 200 | 201) => Verdict::Pass,
        _ => Verdict::Fail(format!(
            "a duplicate create answered {status} instead of 409"
        )),
    }
}

/// Answers Okta is only inferred to accept: a 404 for a group filter miss, a 204 for a group PUT.
fn inferred_tolerance(kind: &RequestKind, status: u16) -> Verdict {
    let note = match (kind.method, status) {
        (Some(Method::Get), 404) => {
            "a group filter miss answered 404: that Okta accepts this for groups is inferred from its documented handling of user filter misses, not documented or observed"
        }
        (Some(Method::Put), 204) => {
            "the group PUT answered 204 without a body: that Okta accepts this for a group PUT is inferred, not documented or observed"
        }
        _ => return Verdict::Pass,
    };
    Verdict::Fail(note.into())
}

pub(super) fn has_urn(body: Option<&Value>, urn: &str) -> bool {
    body.and_then(|b| b.get("schemas"))
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|s| s.as_str() == Some(urn)))
}

pub(super) fn preview(text: &str) -> String {
    let t: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        format!("{t:?}…")
    } else {
        format!("{t:?}")
    }
}

fn list_shape(body: Option<&Value>) -> Verdict {
    let Some(obj) = body.and_then(Value::as_object) else {
        return Verdict::Fail(match body {
            Some(Value::Array(_)) => {
                "the list response is a bare JSON array, not a ListResponse object".into()
            }
            _ => "the list response is not a JSON object".into(),
        });
    };
    let total = obj.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
    match obj.get("Resources") {
        Some(Value::Array(_)) => Verdict::Pass,
        None if total == 0 && obj.contains_key("totalResults") => Verdict::Pass,
        None if obj.contains_key("resources") => {
            Verdict::Fail("`resources` is lower-case; Okta reads `Resources`".into())
        }
        None => Verdict::Fail("the ListResponse has no `Resources` array".into()),
        Some(other) => Verdict::Fail(format!(
            "`Resources` is {} instead of an array",
            kind_of(other)
        )),
    }
}

fn list_integers(body: Option<&Value>) -> Verdict {
    let Some(obj) = body.and_then(Value::as_object) else {
        return Verdict::NotApplicable;
    };
    let mut bad = Vec::new();
    for key in ["totalResults", "startIndex", "itemsPerPage"] {
        match obj.get(key) {
            Some(v) if v.is_u64() => {}
            None if key != "totalResults" => {}
            None => bad.push(format!("{key} is missing")),
            Some(v) => bad.push(format!("{key} is {} {v}", kind_of(v))),
        }
    }
    verdict(bad.is_empty(), || bad.join("; "))
}

fn error_schema(status: u16, body: Option<&Value>, raw: &str) -> Verdict {
    let Some(obj) = body.and_then(Value::as_object) else {
        return Verdict::Fail(format!(
            "the {status} error body is not a JSON object: {}",
            preview(raw)
        ));
    };
    let mut bad = Vec::new();
    if !has_urn(body, ERROR_URN) {
        bad.push(format!("schemas does not contain {ERROR_URN}"));
    }
    if obj
        .get("detail")
        .and_then(Value::as_str)
        .is_none_or(|d| d.trim().is_empty())
    {
        bad.push("`detail` is missing or empty (Okta shows it to the admin)".into());
    }
    verdict(bad.is_empty(), || bad.join("; "))
}

fn error_status(status: u16, body: Option<&Value>) -> Verdict {
    let Some(v) = body.and_then(|b| b.get("status")) else {
        return Verdict::NotApplicable;
    };
    verdict(v.as_str() == Some(status.to_string().as_str()), || {
        format!("`status` is {v}, expected the string \"{status}\"")
    })
}

fn resource_id(body: Option<&Value>) -> Verdict {
    match body.and_then(|b| b.get("id")) {
        Some(Value::String(s)) if !s.trim().is_empty() && s != "bulkId" => Verdict::Pass,
        Some(v) => Verdict::Fail(format!("`id` is {v}, not a usable server-issued string")),
        None => Verdict::Fail("the created resource has no `id`".into()),
    }
}

fn location(header: Option<&str>, body: Option<&Value>) -> Verdict {
    let meta = body
        .and_then(|b| b.pointer("/meta/location"))
        .and_then(Value::as_str);
    match (header, meta) {
        (None, _) => Verdict::Fail("no Location header".into()),
        (Some(h), _) if !(h.starts_with("http://") || h.starts_with("https://")) => {
            Verdict::Fail(format!("Location {h:?} is not an absolute URL"))
        }
        (Some(h), Some(m)) if h != m => {
            Verdict::Fail(format!("Location {h:?} differs from meta.location {m:?}"))
        }
        _ => Verdict::Pass,
    }
}

fn content_type(header: Option<&str>, body: &str) -> Verdict {
    if body.trim().is_empty() {
        return Verdict::NotApplicable;
    }
    let ok = header.is_some_and(|h| {
        let h = h.to_ascii_lowercase();
        h.starts_with("application/scim+json") || h.starts_with("application/json")
    });
    verdict(ok, || {
        format!(
            "Content-Type is {}",
            header.map_or("absent".into(), |h| format!("{h:?}"))
        )
    })
}
