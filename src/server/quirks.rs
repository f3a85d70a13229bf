//! The catalogue of quirk modes (each a real-world SCIM server bug class Okta exposes) and the
//! parsing of `--quirk NAME[=VALUE]` into the set of active deviations.

use std::time::Duration;

/// One quirk mode as listed by `serve --list-quirks`.
#[derive(Debug, Clone, Copy)]
pub struct QuirkInfo {
    pub name: &'static str,
    pub description: &'static str,
    /// Okta copes with this deviation; the harness must not fail it.
    pub tolerated_by_okta: bool,
}

const fn q(name: &'static str, description: &'static str) -> QuirkInfo {
    QuirkInfo {
        name,
        description,
        tolerated_by_okta: false,
    }
}

const fn tolerated(name: &'static str, description: &'static str) -> QuirkInfo {
    QuirkInfo {
        name,
        description,
        tolerated_by_okta: true,
    }
}

/// Every quirk, in documentation order.
pub static QUIRKS: &[QuirkInfo] = &[
    q(
        "patch-requires-path",
        "rejects PATCH operations without a path (Okta's path-less replace) with 400",
    ),
    q(
        "string-booleans",
        "returns \"active\" as the string \"true\"/\"false\" instead of a JSON boolean",
    ),
    q(
        "list-counts-as-strings",
        "returns totalResults/startIndex/itemsPerPage as JSON strings",
    ),
    q(
        "filter-case-sensitive",
        "compares userName/displayName case-sensitively in filters",
    ),
    q(
        "filter-ignored",
        "ignores the filter parameter and returns every resource",
    ),
    q(
        "no-duplicate-409",
        "a second POST with an existing userName/displayName creates another resource",
    ),
    q("plain-text-errors", "answers errors with text/plain bodies"),
    q(
        "error-status-number-only",
        "error bodies carry status as a JSON number and no schemas",
    ),
    q(
        "missing-error-schema",
        "error bodies lack the SCIM Error schema URN",
    ),
    q(
        "ignore-member-remove-filter",
        "PATCH remove members[value eq \"…\"] answers 200 but changes nothing",
    ),
    q(
        "remove-filter-wipes-members",
        "PATCH remove members[value eq \"…\"] empties the whole member list",
    ),
    q(
        "members-require-type",
        "rejects group members without a \"type\" with 400",
    ),
    q(
        "empty-members-replace-fails",
        "PATCH replace of members with [] answers 400",
    ),
    q(
        "rejects-readonly-in-put",
        "PUT carrying id/meta/groups answers 400 mutability",
    ),
    q(
        "rejects-readonly-in-create",
        "POST /Users carrying groups answers 400 mutability",
    ),
    q(
        "rename-rejects-id-in-value",
        "path-less group replace whose value carries id answers 400",
    ),
    tolerated("lowercase-emails", "stores email addresses lower-cased"),
    tolerated("drops-locale", "silently drops the locale attribute"),
    tolerated(
        "reorders-emails",
        "returns emails in reverse order, moving the primary one",
    ),
    tolerated(
        "recomputes-display-name",
        "recomputes displayName as \"givenName familyName\"",
    ),
    tolerated(
        "stale-reads",
        "writes become visible to reads only after a delay (=DURATION, default 300ms)",
    ),
    q(
        "deactivate-deletes",
        "setting active:false deletes the user (later GET answers 404)",
    ),
    q("create-returns-200", "POST answers 200 instead of 201"),
    q("create-empty-body", "POST answers 201 with an empty body"),
    q(
        "get-returns-list",
        "GET /Users/{id} answers a ListResponse instead of the User",
    ),
    q(
        "paging-ignores-startindex",
        "always returns the first page whatever startIndex says",
    ),
    q(
        "short-pages",
        "returns at most 10 resources per page even when count is larger",
    ),
    tolerated(
        "rate-limit",
        "every Nth request (=N, default 5) answers 429 with Retry-After: 1",
    ),
    tolerated(
        "rate-limit-no-retry-after",
        "every Nth request (=N, default 5) answers 429 without Retry-After",
    ),
    tolerated(
        "slow",
        "adds latency to every response (=DURATION, default 200ms)",
    ),
    q(
        "returns-password",
        "echoes the stored password in responses",
    ),
    tolerated(
        "missing-location",
        "no Location header and no meta.location on create",
    ),
    q(
        "ignores-active-patch",
        "PATCH of active answers 200 but changes nothing",
    ),
    q(
        "put-ignores-changes",
        "PUT answers 200 with the old resource and stores nothing",
    ),
    q(
        "html-errors",
        "404 and 401 bodies are an HTML page served as text/html",
    ),
    tolerated(
        "filter-miss-404",
        "a filter matching nothing answers 404 with a SCIM error",
    ),
    tolerated("patch-returns-204", "PATCH answers 204 No Content"),
    tolerated(
        "group-put-returns-204",
        "PUT /Groups/{id} answers 204 No Content",
    ),
    tolerated(
        "create-extra-attributes",
        "create responses carry extra server-side attributes",
    ),
    tolerated(
        "numeric-error-status",
        "error status is a JSON number (Error schema kept)",
    ),
];

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
            let takes_value = matches!(
                name,
                "stale-reads" | "rate-limit" | "rate-limit-no-retry-after" | "slow"
            );
            if value.is_some() && !takes_value && QUIRKS.iter().any(|i| i.name == name) {
                return Err(format!("quirk '{name}' takes no value (got '{spec}')"));
            }
            match name {
                "patch-requires-path" => q.patch_requires_path = true,
                "string-booleans" => q.string_booleans = true,
                "list-counts-as-strings" => q.list_counts_as_strings = true,
                "filter-case-sensitive" => q.filter_case_sensitive = true,
                "filter-ignored" => q.filter_ignored = true,
                "no-duplicate-409" => q.no_duplicate_409 = true,
                "plain-text-errors" => q.plain_text_errors = true,
                "error-status-number-only" => q.error_status_number_only = true,
                "missing-error-schema" => q.missing_error_schema = true,
                "ignore-member-remove-filter" => q.ignore_member_remove_filter = true,
                "remove-filter-wipes-members" => q.remove_filter_wipes_members = true,
                "members-require-type" => q.members_require_type = true,
                "empty-members-replace-fails" => q.empty_members_replace_fails = true,
                "rejects-readonly-in-put" => q.rejects_readonly_in_put = true,
                "rejects-readonly-in-create" => q.rejects_readonly_in_create = true,
                "rename-rejects-id-in-value" => q.rename_rejects_id_in_value = true,
                "lowercase-emails" => q.lowercase_emails = true,
                "drops-locale" => q.drops_locale = true,
                "reorders-emails" => q.reorders_emails = true,
                "recomputes-display-name" => q.recomputes_display_name = true,
                "stale-reads" => {
                    q.stale_reads = Some(duration(name, value, Duration::from_millis(300))?)
                }
                "deactivate-deletes" => q.deactivate_deletes = true,
                "create-returns-200" => q.create_returns_200 = true,
                "create-empty-body" => q.create_empty_body = true,
                "get-returns-list" => q.get_returns_list = true,
                "paging-ignores-startindex" => q.paging_ignores_startindex = true,
                "short-pages" => q.short_pages = true,
                "rate-limit" => q.rate_limit = Some(count(name, value)?),
                "rate-limit-no-retry-after" => {
                    q.rate_limit_no_retry_after = Some(count(name, value)?)
                }
                "slow" => q.slow = Some(duration(name, value, Duration::from_millis(200))?),
                "returns-password" => q.returns_password = true,
                "missing-location" => q.missing_location = true,
                "ignores-active-patch" => q.ignores_active_patch = true,
                "put-ignores-changes" => q.put_ignores_changes = true,
                "html-errors" => q.html_errors = true,
                "filter-miss-404" => q.filter_miss_404 = true,
                "patch-returns-204" => q.patch_returns_204 = true,
                "group-put-returns-204" => q.group_put_returns_204 = true,
                "create-extra-attributes" => q.create_extra_attributes = true,
                "numeric-error-status" => q.numeric_error_status = true,
                other => {
                    let names: Vec<&str> = QUIRKS.iter().map(|i| i.name).collect();
                    return Err(format!(
                        "unknown quirk '{other}'; valid quirks: {} (see `scimreplay serve --list-quirks`)",
                        names.join(", ")
                    ));
                }
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
