//! The catalogue of quirk modes (each a real-world SCIM server bug class Okta exposes): per quirk,
//! whether Okta tolerates it and what catches it (its detection-matrix row) — the single source
//! of both — and the parsing of `--quirk NAME[=VALUE]` into the set of active deviations.

use crate::check::{CheckId, Severity};
use std::collections::HashSet;
use std::time::Duration;

/// Whether Okta provisioning works against a server with a quirk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OktaVerdict {
    /// Okta's provisioning (or, for OIN submissions, Okta's SPEC certification test) breaks.
    Breaks,
    /// Okta copes; the harness must not fail it (at most a warning). The text says why.
    Tolerates(&'static str),
}

/// What reports a quirk in the detection matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catch {
    /// A named check fails (or warns, by its severity).
    Check(CheckId),
    /// A body assertion of Okta's SPEC certification test (`okta-spec/spec-test`, run for
    /// profiles with `oin-submission`) fails.
    SpecAssertion,
}

impl Catch {
    pub fn label(self) -> &'static str {
        match self {
            Catch::Check(c) => c.as_str(),
            Catch::SpecAssertion => "okta-spec assertion",
        }
    }

    /// Whether this catch fails a run (exit 1) without `--strict`.
    pub fn fails(self) -> bool {
        match self {
            Catch::Check(c) => c.def().severity == Severity::Fail,
            Catch::SpecAssertion => true,
        }
    }
}

/// One quirk mode as listed by `serve --list-quirks`.
#[derive(Debug, Clone, Copy)]
pub struct QuirkInfo {
    pub quirk: Quirk,
    pub name: &'static str,
    pub description: &'static str,
    pub okta: OktaVerdict,
    /// What must report the quirk (all of them) when the whole suite runs against it.
    pub caught_by: &'static [Catch],
}

impl QuirkInfo {
    /// Okta copes with this deviation; the harness must not fail it.
    pub fn tolerated_by_okta(&self) -> bool {
        matches!(self.okta, OktaVerdict::Tolerates(_))
    }
}

/// Defines [`Quirk`] and [`QUIRKS`] from one list, in documentation order. An entry is the
/// quirk's variant, its `--quirk` name, Okta's verdict, what catches it when the whole suite
/// runs against a server with it (its detection-matrix row, proven by
/// `tests/functional/detection_matrix.rs`), and its description.
macro_rules! quirks {
    ($($variant:ident => $name:literal, $okta:expr, [$($catch:expr),*], $description:literal;)*) => {
        /// A quirk mode of the reference server.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Quirk {
            $($variant,)*
        }

        /// Every quirk, in documentation order (indexed by `Quirk as usize`).
        pub static QUIRKS: &[QuirkInfo] = &[$(QuirkInfo {
            quirk: Quirk::$variant,
            name: $name,
            description: $description,
            okta: $okta,
            caught_by: {
                #[allow(unused_imports)] // an entry with an empty row names nothing
                use {Catch::{Check, SpecAssertion}, crate::check::CheckId::*};
                &[$($catch),*]
            },
        },)*];
    };
}

use OktaVerdict::{Breaks, Tolerates};

quirks! {
    PatchRequiresPath => "patch-requires-path", Breaks, [Check(PatchNoPathReplace), Check(PatchRenameWithId)],
        "rejects PATCH operations without a path (Okta's path-less replace) with 400";
    StringBooleans => "string-booleans", Breaks, [Check(UserActiveBoolean), Check(SteadyStateFidelity), Check(SteadyStateSyncLoop)],
        "returns \"active\" as the string \"true\"/\"false\" instead of a JSON boolean";
    ListCountsAsStrings => "list-counts-as-strings", Breaks, [Check(ListResponseIntegers)],
        "returns totalResults/startIndex/itemsPerPage as JSON strings";
    FilterCaseSensitive => "filter-case-sensitive", Breaks, [Check(FilterCaseInsensitive)],
        "compares userName/displayName case-sensitively in filters";
    FilterIgnored => "filter-ignored", Breaks, [Check(FilterExactMatch), Check(FilterMiss)],
        "ignores the filter parameter and returns every resource";
    NoDuplicate409 => "no-duplicate-409", Breaks, [Check(DuplicateConflict), Check(SteadyStateIdempotent)],
        "a second POST /Users with an existing userName creates another user";
    PlainTextErrors => "plain-text-errors", Breaks, [Check(ErrorScimSchema), SpecAssertion],
        "answers errors with text/plain bodies";
    ErrorStatusNumberOnly => "error-status-number-only", Breaks, [Check(ErrorScimSchema), SpecAssertion],
        "error bodies carry status as a JSON number and no schemas";
    MissingErrorSchema => "missing-error-schema", Breaks, [Check(ErrorScimSchema), SpecAssertion],
        "error bodies lack the SCIM Error schema URN";
    IgnoreMemberRemoveFilter => "ignore-member-remove-filter", Breaks, [Check(ReadAfterWrite)],
        "PATCH remove members[value eq \"…\"] answers 200 but changes nothing";
    RemoveFilterWipesMembers => "remove-filter-wipes-members", Breaks, [Check(ReadAfterWrite)],
        "PATCH remove members[value eq \"…\"] empties the whole member list";
    MembersRequireType => "members-require-type", Breaks, [Check(PatchMembersDisplayOnly)],
        "rejects group members without a \"type\" with 400";
    EmptyMembersReplaceFails => "empty-members-replace-fails", Breaks, [Check(PatchEmptyMembersReplace)],
        "PATCH replace of members with [] answers 400";
    RejectsReadonlyInPut => "rejects-readonly-in-put", Breaks, [Check(PutReadonlyEcho)],
        "PUT carrying id/meta/groups answers 400 mutability";
    RejectsReadonlyInCreate => "rejects-readonly-in-create", Breaks, [Check(CreateOktaBody)],
        "POST /Users carrying groups answers 400 mutability";
    RenameRejectsIdInValue => "rename-rejects-id-in-value", Breaks, [Check(PatchRenameWithId)],
        "path-less group replace whose value carries id answers 400";
    LowercaseEmails => "lowercase-emails", Tolerates("profile attribute drift: a warning (steady-state.fidelity); Okta re-pushes its own value and its state stays right (docs/steady-state.md)"), [Check(SteadyStateFidelity)],
        "stores email addresses lower-cased";
    DropsLocale => "drops-locale", Tolerates("profile attribute drift: a warning (steady-state.fidelity); Okta re-pushes its own value and its state stays right (docs/steady-state.md)"), [Check(SteadyStateFidelity)],
        "silently drops the locale attribute";
    ReordersEmails => "reorders-emails", Tolerates("profile attribute drift: a warning (steady-state.fidelity); Okta re-pushes its own value and its state stays right (docs/steady-state.md)"), [Check(SteadyStateFidelity)],
        "returns emails in reverse order, moving the primary one";
    RecomputesDisplayName => "recomputes-display-name", Tolerates("profile attribute drift: a warning (steady-state.fidelity); Okta re-pushes its own value and its state stays right (docs/steady-state.md)"), [Check(SteadyStateFidelity)],
        "recomputes displayName as \"givenName familyName\"";
    StaleReads => "stale-reads", Tolerates("verifying reads are retried for --read-settle (2 s) and the lag shows as extra attempts; the steady-state sync loop converges and reports the lag"), [],
        "writes become visible to reads only after a delay (=DURATION, default 300ms)";
    DeactivateDeletes => "deactivate-deletes", Breaks, [Check(DeactivateKeepsUser)],
        "setting active:false deletes the user (later GET answers 404)";
    CreateReturns200 => "create-returns-200", Breaks, [Check(StatusExpected), Check(CreateStatus201)],
        "POST answers 200 instead of 201";
    CreateEmptyBody => "create-empty-body", Breaks, [Check(CreateReturnsResource), Check(ResourceId)],
        "POST answers 201 with an empty body";
    GetReturnsList => "get-returns-list", Breaks, [Check(GetSingleResource)],
        "GET /Users/{id} answers a ListResponse instead of the User";
    PagingIgnoresStartindex => "paging-ignores-startindex", Breaks, [Check(PagingComplete)],
        "always returns the first page whatever startIndex says";
    ShortPages => "short-pages", Breaks, [Check(PagingComplete)],
        "returns at most 10 resources per page even when count is larger";
    RateLimit => "rate-limit", Tolerates("Okta waits Retry-After seconds and retries; the harness does the same"), [],
        "every Nth request (=N, default 5) answers 429 with Retry-After: 1";
    RateLimitNoRetryAfter => "rate-limit-no-retry-after", Tolerates("Okta still retries, after 5 minutes (warn)"), [Check(RateLimitRetryAfter)],
        "every Nth request (=N, default 5) answers 429 without Retry-After";
    Slow => "slow", Tolerates("Okta waits up to 60 s per request"), [],
        "adds latency to every response (=DURATION, default 200ms)";
    ReturnsPassword => "returns-password", Breaks, [Check(UserPasswordNotReturned)],
        "echoes the stored password in responses";
    MissingLocation => "missing-location", Tolerates("Okta reads the id from the body, not Location (warn)"), [Check(LocationHeader), Check(MetaLocation)],
        "no Location header and no meta.location on create";
    IgnoresActivePatch => "ignores-active-patch", Breaks, [Check(ReadAfterWrite), Check(DeactivateKeepsUser)],
        "PATCH of active answers 200 but changes nothing";
    PutIgnoresChanges => "put-ignores-changes", Breaks, [Check(ReadAfterWrite)],
        "PUT answers 200 with the old resource and stores nothing";
    HtmlErrors => "html-errors", Breaks, [Check(ErrorScimSchema), SpecAssertion],
        "404 and 401 bodies are an HTML page served as text/html";
    FilterMiss404 => "filter-miss-404", Breaks, [Check(StatusExpected)],
        "a filter matching nothing answers 404 with a SCIM error";
    PatchReturns204 => "patch-returns-204", Tolerates("Okta accepts 204 for PATCH (docs/okta-reference.md#s4-6)"), [],
        "PATCH answers 204 No Content";
    GroupPutReturns204 => "group-put-returns-204", Tolerates("a 204 for a group PUT passes; that Okta accepts it is inferred only, so tolerance.inferred warns"), [Check(ToleranceInferred)],
        "PUT /Groups/{id} answers 204 No Content";
    CreateExtraAttributes => "create-extra-attributes", Tolerates("Okta judges a create by status and id"), [],
        "create responses carry extra server-side attributes";
    NumericErrorStatus => "numeric-error-status", Tolerates("Okta's samples use a number (warn: the RFC wants a string)"), [Check(ErrorStatusString)],
        "error status is a JSON number (Error schema kept)";
    NoDuplicateGroup409 => "no-duplicate-group-409", Tolerates("a Group displayName is not unique (RFC 7643 §4.2, uniqueness none): a second group with the same name is a valid answer, and the run deletes it"), [],
        "a second POST /Groups with an existing displayName creates another group (201)";
    GroupOmitsEmptyMembers => "group-omits-empty-members", Tolerates("RFC 7643 §2.5: an empty and an unassigned multi-valued attribute are the same state; Okta reads an absent members as no members"), [],
        "Group resources with no members carry no members attribute (GET, list, PUT and PATCH answers)";
    HtmlConflictErrors => "html-conflict-errors", Tolerates("Okta reads only the status of a 409; error.scim-schema warns. Okta's SPEC test asserts only the status of its 409 step"), [Check(ErrorScimSchema)],
        "409 bodies are an HTML page served as text/html";
    GroupFilterMiss404 => "group-filter-miss-404", Tolerates("a 404 for a group filter miss passes; that Okta accepts it is inferred only, so tolerance.inferred warns"), [Check(ToleranceInferred)],
        "a displayName filter matching no group answers 404 with a SCIM error";
    RelativeMetaLocation => "relative-meta-location", Tolerates("Okta reads the id from the body, never Location or meta.location (warn)"), [Check(LocationHeader), Check(MetaLocation)],
        "Location and meta.location are relative paths (/Users/{id})";
    LastModifiedFrozen => "last-modified-frozen", Tolerates("Okta does not read meta.lastModified to decide what to push (warn)"), [Check(MetaLastModified)],
        "meta.lastModified stays at one fixed past instant (2020-01-01) after every write";
    DuplicateMemberAdd => "duplicate-member-add", Tolerates("the member set Okta reads is the same; the duplicate entry is data quality (warn)"), [Check(GroupMembersUnique)],
        "a PATCH add of a member who is already in the group lists the member twice";
    UserDeleteDeactivates => "user-delete-deactivates", Tolerates("Okta never DELETEs users (it deactivates them), so the soft delete is never reached by Okta"), [],
        "DELETE /Users/{id} answers 204 but only sets active=false; the user stays readable and listed";
    UserDeleteReservesUsername => "user-delete-reserves-username", Tolerates("Okta never DELETEs users, so a reserved userName of a deleted user never blocks Okta"), [],
        "DELETE /Users/{id} removes the user, but its userName stays reserved: a later POST with it answers 409";
}

impl Quirk {
    pub fn info(self) -> &'static QuirkInfo {
        &QUIRKS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn parse(name: &str) -> Option<Quirk> {
        QUIRKS.iter().find(|q| q.name == name).map(|q| q.quirk)
    }

    /// Quirks that take `=VALUE`.
    fn takes_value(self) -> bool {
        matches!(
            self,
            Quirk::StaleReads | Quirk::RateLimit | Quirk::RateLimitNoRetryAfter | Quirk::Slow
        )
    }
}

/// The instant the `last-modified-frozen` quirk stamps as every resource's `meta.lastModified`
/// (2020-01-01T00:00:00Z), whatever is written.
pub fn frozen_clock() -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800)
}

/// The parsed set of active quirks: [`Quirks::on`] for each, plus the values of the quirks
/// that take one.
#[derive(Debug, Clone, Default)]
pub struct Quirks {
    active: HashSet<Quirk>,
    pub stale_reads: Option<Duration>,
    pub rate_limit: Option<u64>,
    pub rate_limit_no_retry_after: Option<u64>,
    pub slow: Option<Duration>,
}

fn duration(name: &str, value: Option<&str>, default: Duration) -> Result<Duration, String> {
    match value {
        None => Ok(default),
        Some(v) => humantime::parse_duration(v).map_err(|e| {
            format!("quirk '{name}': invalid duration '{v}' ({e}); use e.g. {name}=300ms")
        }),
    }
}

fn count(name: &str, value: Option<&str>) -> Result<u64, String> {
    match value {
        None => Ok(5),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("quirk '{name}': expected a positive integer, got '{v}'")),
    }
}

impl Quirks {
    /// Whether `quirk` is switched on.
    pub fn on(&self, quirk: Quirk) -> bool {
        self.active.contains(&quirk)
    }

    /// Parses quirk specs (`name` or `name=value`). Errors name the valid quirks.
    pub fn parse(specs: &[String]) -> Result<Quirks, String> {
        let mut q = Quirks::default();
        for spec in specs {
            let (name, value) = match spec.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (spec.trim(), None),
            };
            let Some(quirk) = Quirk::parse(name) else {
                let names: Vec<&str> = QUIRKS.iter().map(|i| i.name).collect();
                return Err(format!(
                    "unknown quirk '{name}'; valid quirks: {} (see `scimreplay serve --list-quirks`)",
                    names.join(", ")
                ));
            };
            if value.is_some() && !quirk.takes_value() {
                return Err(format!("quirk '{name}' takes no value (got '{spec}')"));
            }
            q.active.insert(quirk);
            match quirk {
                Quirk::StaleReads => {
                    q.stale_reads = Some(duration(name, value, Duration::from_millis(300))?)
                }
                Quirk::RateLimit => q.rate_limit = Some(count(name, value)?),
                Quirk::RateLimitNoRetryAfter => {
                    q.rate_limit_no_retry_after = Some(count(name, value)?)
                }
                Quirk::Slow => q.slow = Some(duration(name, value, Duration::from_millis(200))?),
                _ => {} // the others take no value: being on is all there is
            }
        }
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_quirk_parses() {
        for info in QUIRKS {
            Quirks::parse(&[info.name.to_string()]).unwrap();
        }
        let q = Quirks::parse(&["stale-reads=50ms".into(), "rate-limit=3".into()]).unwrap();
        assert_eq!(q.stale_reads, Some(Duration::from_millis(50)));
        assert_eq!(q.rate_limit, Some(3));
        let e = Quirks::parse(&["nope".into()]).unwrap_err();
        assert!(e.contains("patch-requires-path"));
        assert!(Quirks::parse(&["slow=abc".into()]).is_err());
        assert!(Quirks::parse(&["rate-limit=0".into()]).is_err());
        assert!(Quirks::parse(&["drops-locale=1".into()]).is_err());
    }
}
