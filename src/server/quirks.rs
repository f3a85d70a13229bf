//! The catalogue of quirk modes (each a real-world SCIM server bug class Okta exposes), whether
//! Okta tolerates each one (the single source of that verdict), and the parsing of
//! `--quirk NAME[=VALUE]` into the set of active deviations.

use std::time::Duration;

/// Whether Okta provisioning works against a server with a quirk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OktaVerdict {
    /// Okta's provisioning (or, for OIN submissions, Okta's SPEC certification test) breaks.
    Breaks,
    /// Okta copes; the harness must not fail it (at most a warning). The text says why.
    Tolerates(&'static str),
}

/// One quirk mode as listed by `serve --list-quirks`.
#[derive(Debug, Clone, Copy)]
pub struct QuirkInfo {
    pub quirk: Quirk,
    pub name: &'static str,
    pub description: &'static str,
    pub okta: OktaVerdict,
}

impl QuirkInfo {
    /// Okta copes with this deviation; the harness must not fail it.
    pub fn tolerated_by_okta(&self) -> bool {
        matches!(self.okta, OktaVerdict::Tolerates(_))
    }
}

/// Defines [`Quirk`] and [`QUIRKS`] from one list, in documentation order.
macro_rules! quirks {
    ($($variant:ident => $name:literal, $okta:expr, $description:literal;)*) => {
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
        },)*];
    };
}

use OktaVerdict::{Breaks, Tolerates};

quirks! {
    PatchRequiresPath => "patch-requires-path", Breaks,
        "rejects PATCH operations without a path (Okta's path-less replace) with 400";
    StringBooleans => "string-booleans", Breaks,
        "returns \"active\" as the string \"true\"/\"false\" instead of a JSON boolean";
    ListCountsAsStrings => "list-counts-as-strings", Breaks,
        "returns totalResults/startIndex/itemsPerPage as JSON strings";
    FilterCaseSensitive => "filter-case-sensitive", Breaks,
        "compares userName/displayName case-sensitively in filters";
    FilterIgnored => "filter-ignored", Breaks,
        "ignores the filter parameter and returns every resource";
    NoDuplicate409 => "no-duplicate-409", Breaks,
        "a second POST /Users with an existing userName creates another user";
    PlainTextErrors => "plain-text-errors", Breaks,
        "answers errors with text/plain bodies";
    ErrorStatusNumberOnly => "error-status-number-only", Breaks,
        "error bodies carry status as a JSON number and no schemas";
    MissingErrorSchema => "missing-error-schema", Breaks,
        "error bodies lack the SCIM Error schema URN";
    IgnoreMemberRemoveFilter => "ignore-member-remove-filter", Breaks,
        "PATCH remove members[value eq \"…\"] answers 200 but changes nothing";
    RemoveFilterWipesMembers => "remove-filter-wipes-members", Breaks,
        "PATCH remove members[value eq \"…\"] empties the whole member list";
    MembersRequireType => "members-require-type", Breaks,
        "rejects group members without a \"type\" with 400";
    EmptyMembersReplaceFails => "empty-members-replace-fails", Breaks,
        "PATCH replace of members with [] answers 400";
    RejectsReadonlyInPut => "rejects-readonly-in-put", Breaks,
        "PUT carrying id/meta/groups answers 400 mutability";
    RejectsReadonlyInCreate => "rejects-readonly-in-create", Breaks,
        "POST /Users carrying groups answers 400 mutability";
    RenameRejectsIdInValue => "rename-rejects-id-in-value", Breaks,
        "path-less group replace whose value carries id answers 400";
    LowercaseEmails => "lowercase-emails", Tolerates("profile attribute drift: a warning (steady-state.fidelity); Okta re-pushes its own value and its state stays right (docs/steady-state.md)"),
        "stores email addresses lower-cased";
    DropsLocale => "drops-locale", Tolerates("profile attribute drift: a warning (steady-state.fidelity); Okta re-pushes its own value and its state stays right (docs/steady-state.md)"),
        "silently drops the locale attribute";
    ReordersEmails => "reorders-emails", Tolerates("profile attribute drift: a warning (steady-state.fidelity); Okta re-pushes its own value and its state stays right (docs/steady-state.md)"),
        "returns emails in reverse order, moving the primary one";
    RecomputesDisplayName => "recomputes-display-name", Tolerates("profile attribute drift: a warning (steady-state.fidelity); Okta re-pushes its own value and its state stays right (docs/steady-state.md)"),
        "recomputes displayName as \"givenName familyName\"";
    StaleReads => "stale-reads", Tolerates("verifying reads are retried for --read-settle (2 s) and the lag shows as extra attempts; the steady-state sync loop converges and reports the lag"),
        "writes become visible to reads only after a delay (=DURATION, default 300ms)";
    DeactivateDeletes => "deactivate-deletes", Breaks,
        "setting active:false deletes the user (later GET answers 404)";
    CreateReturns200 => "create-returns-200", Breaks,
        "POST answers 200 instead of 201";
    CreateEmptyBody => "create-empty-body", Breaks,
        "POST answers 201 with an empty body";
    GetReturnsList => "get-returns-list", Breaks,
        "GET /Users/{id} answers a ListResponse instead of the User";
    PagingIgnoresStartindex => "paging-ignores-startindex", Breaks,
        "always returns the first page whatever startIndex says";
    ShortPages => "short-pages", Breaks,
        "returns at most 10 resources per page even when count is larger";
    RateLimit => "rate-limit", Tolerates("Okta waits Retry-After seconds and retries; the harness does the same"),
        "every Nth request (=N, default 5) answers 429 with Retry-After: 1";
    RateLimitNoRetryAfter => "rate-limit-no-retry-after", Tolerates("Okta still retries, after 5 minutes (warn)"),
        "every Nth request (=N, default 5) answers 429 without Retry-After";
    Slow => "slow", Tolerates("Okta waits up to 60 s per request"),
        "adds latency to every response (=DURATION, default 200ms)";
    ReturnsPassword => "returns-password", Breaks,
        "echoes the stored password in responses";
    MissingLocation => "missing-location", Tolerates("Okta reads the id from the body, not Location (warn)"),
        "no Location header and no meta.location on create";
    IgnoresActivePatch => "ignores-active-patch", Breaks,
        "PATCH of active answers 200 but changes nothing";
    PutIgnoresChanges => "put-ignores-changes", Breaks,
        "PUT answers 200 with the old resource and stores nothing";
    HtmlErrors => "html-errors", Breaks,
        "404 and 401 bodies are an HTML page served as text/html";
    FilterMiss404 => "filter-miss-404", Breaks,
        "a filter matching nothing answers 404 with a SCIM error";
    PatchReturns204 => "patch-returns-204", Tolerates("Okta accepts 204 for PATCH (docs/okta-reference.md#s4-6)"),
        "PATCH answers 204 No Content";
    GroupPutReturns204 => "group-put-returns-204", Tolerates("a 204 for a group PUT passes; that Okta accepts it is inferred only, so tolerance.inferred warns"),
        "PUT /Groups/{id} answers 204 No Content";
    CreateExtraAttributes => "create-extra-attributes", Tolerates("Okta judges a create by status and id"),
        "create responses carry extra server-side attributes";
    NumericErrorStatus => "numeric-error-status", Tolerates("Okta's samples use a number (warn: the RFC wants a string)"),
        "error status is a JSON number (Error schema kept)";
    NoDuplicateGroup409 => "no-duplicate-group-409", Tolerates("a Group displayName is not unique (RFC 7643 §4.2, uniqueness none): a second group with the same name is a valid answer, and the run deletes it"),
        "a second POST /Groups with an existing displayName creates another group (201)";
    GroupOmitsEmptyMembers => "group-omits-empty-members", Tolerates("RFC 7643 §2.5: an empty and an unassigned multi-valued attribute are the same state; Okta reads an absent members as no members"),
        "Group resources with no members carry no members attribute (GET, list, PUT and PATCH answers)";
    HtmlConflictErrors => "html-conflict-errors", Tolerates("Okta reads only the status of a 409; error.scim-schema warns. Okta's SPEC test asserts only the status of its 409 step"),
        "409 bodies are an HTML page served as text/html";
    GroupFilterMiss404 => "group-filter-miss-404", Tolerates("a 404 for a group filter miss passes; that Okta accepts it is inferred only, so tolerance.inferred warns"),
        "a displayName filter matching no group answers 404 with a SCIM error";
    RelativeMetaLocation => "relative-meta-location", Tolerates("Okta reads the id from the body, never Location or meta.location (warn)"),
        "Location and meta.location are relative paths (/Users/{id})";
    LastModifiedFrozen => "last-modified-frozen", Tolerates("Okta does not read meta.lastModified to decide what to push (warn)"),
        "meta.lastModified stays at one fixed past instant (2020-01-01) after every write";
    DuplicateMemberAdd => "duplicate-member-add", Tolerates("the member set Okta reads is the same; the duplicate entry is data quality (warn)"),
        "a PATCH add of a member who is already in the group lists the member twice";
    UserDeleteDeactivates => "user-delete-deactivates", Tolerates("Okta never DELETEs users (it deactivates them), so the soft delete is never reached by Okta"),
        "DELETE /Users/{id} answers 204 but only sets active=false; the user stays readable and listed";
    UserDeleteReservesUsername => "user-delete-reserves-username", Tolerates("Okta never DELETEs users, so a reserved userName of a deleted user never blocks Okta"),
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

/// The parsed set of active quirks.
#[derive(Debug, Clone, Default)]
pub struct Quirks {
    pub patch_requires_path: bool,
    pub string_booleans: bool,
    pub list_counts_as_strings: bool,
    pub filter_case_sensitive: bool,
    pub filter_ignored: bool,
    pub no_duplicate_409: bool,
    pub plain_text_errors: bool,
    pub error_status_number_only: bool,
    pub missing_error_schema: bool,
    pub ignore_member_remove_filter: bool,
    pub remove_filter_wipes_members: bool,
    pub members_require_type: bool,
    pub empty_members_replace_fails: bool,
    pub rejects_readonly_in_put: bool,
    pub rejects_readonly_in_create: bool,
    pub rename_rejects_id_in_value: bool,
    pub lowercase_emails: bool,
    pub drops_locale: bool,
    pub reorders_emails: bool,
    pub recomputes_display_name: bool,
    pub stale_reads: Option<Duration>,
    pub deactivate_deletes: bool,
    pub create_returns_200: bool,
    pub create_empty_body: bool,
    pub get_returns_list: bool,
    pub paging_ignores_startindex: bool,
    pub short_pages: bool,
    pub rate_limit: Option<u64>,
    pub rate_limit_no_retry_after: Option<u64>,
    pub slow: Option<Duration>,
    pub returns_password: bool,
    pub missing_location: bool,
    pub ignores_active_patch: bool,
    pub put_ignores_changes: bool,
    pub html_errors: bool,
    pub filter_miss_404: bool,
    pub patch_returns_204: bool,
    pub group_put_returns_204: bool,
    pub create_extra_attributes: bool,
    pub numeric_error_status: bool,
    pub no_duplicate_group_409: bool,
    pub group_omits_empty_members: bool,
    pub html_conflict_errors: bool,
    pub group_filter_miss_404: bool,
    pub relative_meta_location: bool,
    pub last_modified_frozen: bool,
    pub duplicate_member_add: bool,
    pub user_delete_deactivates: bool,
    pub user_delete_reserves_username: bool,
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
            match quirk {
                Quirk::PatchRequiresPath => q.patch_requires_path = true,
                Quirk::StringBooleans => q.string_booleans = true,
                Quirk::ListCountsAsStrings => q.list_counts_as_strings = true,
                Quirk::FilterCaseSensitive => q.filter_case_sensitive = true,
                Quirk::FilterIgnored => q.filter_ignored = true,
                Quirk::NoDuplicate409 => q.no_duplicate_409 = true,
                Quirk::PlainTextErrors => q.plain_text_errors = true,
                Quirk::ErrorStatusNumberOnly => q.error_status_number_only = true,
                Quirk::MissingErrorSchema => q.missing_error_schema = true,
                Quirk::IgnoreMemberRemoveFilter => q.ignore_member_remove_filter = true,
                Quirk::RemoveFilterWipesMembers => q.remove_filter_wipes_members = true,
                Quirk::MembersRequireType => q.members_require_type = true,
                Quirk::EmptyMembersReplaceFails => q.empty_members_replace_fails = true,
                Quirk::RejectsReadonlyInPut => q.rejects_readonly_in_put = true,
                Quirk::RejectsReadonlyInCreate => q.rejects_readonly_in_create = true,
                Quirk::RenameRejectsIdInValue => q.rename_rejects_id_in_value = true,
                Quirk::LowercaseEmails => q.lowercase_emails = true,
                Quirk::DropsLocale => q.drops_locale = true,
                Quirk::ReordersEmails => q.reorders_emails = true,
                Quirk::RecomputesDisplayName => q.recomputes_display_name = true,
                Quirk::StaleReads => {
                    q.stale_reads = Some(duration(name, value, Duration::from_millis(300))?)
                }
                Quirk::DeactivateDeletes => q.deactivate_deletes = true,
                Quirk::CreateReturns200 => q.create_returns_200 = true,
                Quirk::CreateEmptyBody => q.create_empty_body = true,
                Quirk::GetReturnsList => q.get_returns_list = true,
                Quirk::PagingIgnoresStartindex => q.paging_ignores_startindex = true,
                Quirk::ShortPages => q.short_pages = true,
                Quirk::RateLimit => q.rate_limit = Some(count(name, value)?),
                Quirk::RateLimitNoRetryAfter => {
                    q.rate_limit_no_retry_after = Some(count(name, value)?)
                }
                Quirk::Slow => q.slow = Some(duration(name, value, Duration::from_millis(200))?),
                Quirk::ReturnsPassword => q.returns_password = true,
                Quirk::MissingLocation => q.missing_location = true,
                Quirk::IgnoresActivePatch => q.ignores_active_patch = true,
                Quirk::PutIgnoresChanges => q.put_ignores_changes = true,
                Quirk::HtmlErrors => q.html_errors = true,
                Quirk::FilterMiss404 => q.filter_miss_404 = true,
                Quirk::PatchReturns204 => q.patch_returns_204 = true,
                Quirk::GroupPutReturns204 => q.group_put_returns_204 = true,
                Quirk::CreateExtraAttributes => q.create_extra_attributes = true,
                Quirk::NumericErrorStatus => q.numeric_error_status = true,
                Quirk::NoDuplicateGroup409 => q.no_duplicate_group_409 = true,
                Quirk::GroupOmitsEmptyMembers => q.group_omits_empty_members = true,
                Quirk::HtmlConflictErrors => q.html_conflict_errors = true,
                Quirk::GroupFilterMiss404 => q.group_filter_miss_404 = true,
                Quirk::RelativeMetaLocation => q.relative_meta_location = true,
                Quirk::LastModifiedFrozen => q.last_modified_frozen = true,
                Quirk::DuplicateMemberAdd => q.duplicate_member_add = true,
                Quirk::UserDeleteDeactivates => q.user_delete_deactivates = true,
                Quirk::UserDeleteReservesUsername => q.user_delete_reserves_username = true,
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
