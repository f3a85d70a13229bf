//! The detection matrix: for every reference-server quirk, the checks that catch it when the
//! whole Okta suite runs against a server with that quirk (verified by `tests/functional/detection_matrix.rs`),
//! or why Okta tolerates it.

/// One quirk's row.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub quirk: &'static str,
    /// Check ids that must fail (all of them) when the quirk is on.
    pub caught_by: &'static [&'static str],
    /// Why nothing fails (or only a warning), for quirks Okta copes with.
    pub tolerated: Option<&'static str>,
}

const fn caught(quirk: &'static str, caught_by: &'static [&'static str]) -> Row {
    Row {
        quirk,
        caught_by,
        tolerated: None,
    }
}

const fn tolerated(
    quirk: &'static str,
    caught_by: &'static [&'static str],
    why: &'static str,
) -> Row {
    Row {
        quirk,
        caught_by,
        tolerated: Some(why),
    }
}

/// Every quirk of the reference server, in `serve --list-quirks` order.
pub const MATRIX: &[Row] = &[
    caught(
        "patch-requires-path",
        &["patch.no-path-replace", "patch.rename-with-id"],
    ),
    caught(
        "string-booleans",
        &[
            "user.active-boolean",
            "steady-state.fidelity",
            "steady-state.sync-loop",
        ],
    ),
    caught("list-counts-as-strings", &["list-response.integers"]),
    caught("filter-case-sensitive", &["filter.case-insensitive"]),
    caught("filter-ignored", &["filter.exact-match", "filter.miss"]),
    caught(
        "no-duplicate-409",
        &["duplicate.conflict", "steady-state.idempotent"],
    ),
    caught("plain-text-errors", &["error.scim-schema"]),
    caught("error-status-number-only", &["error.scim-schema"]),
    caught("missing-error-schema", &["error.scim-schema"]),
    caught("ignore-member-remove-filter", &["read-after-write"]),
    caught("remove-filter-wipes-members", &["read-after-write"]),
    caught("members-require-type", &["patch.members-display-only"]),
    caught(
        "empty-members-replace-fails",
        &["patch.empty-members-replace"],
    ),
    caught("rejects-readonly-in-put", &["put.readonly-echo"]),
    caught("rejects-readonly-in-create", &["create.okta-body"]),
    caught("rename-rejects-id-in-value", &["patch.rename-with-id"]),
    caught(
        "lowercase-emails",
        &["steady-state.fidelity", "steady-state.sync-loop"],
    ),
    caught(
        "drops-locale",
        &[
            "read-after-write",
            "steady-state.fidelity",
            "steady-state.sync-loop",
        ],
    ),
    caught(
        "reorders-emails",
        &["steady-state.fidelity", "steady-state.sync-loop"],
    ),
    caught(
        "recomputes-display-name",
        &["steady-state.fidelity", "steady-state.sync-loop"],
    ),
    tolerated(
        "stale-reads",
        &[],
        "verifying reads are retried for --read-settle (2 s) and the lag shows as extra attempts; the steady-state sync loop converges and reports the lag",
    ),
    caught("deactivate-deletes", &["deactivate.keeps-user"]),
    caught(
        "create-returns-200",
        &["status.expected", "create.status-201"],
    ),
    caught(
        "create-empty-body",
        &["create.returns-resource", "resource.id"],
    ),
    caught("get-returns-list", &["get.single-resource"]),
    caught("paging-ignores-startindex", &["paging.complete"]),
    caught("short-pages", &["paging.complete"]),
    tolerated(
        "rate-limit",
        &[],
        "Okta waits Retry-After seconds and retries; the harness does the same",
    ),
    tolerated(
        "rate-limit-no-retry-after",
        &["rate-limit.retry-after"],
        "Okta still retries, after 5 minutes (warn)",
    ),
    tolerated("slow", &[], "Okta waits up to 60 s per request"),
    caught("returns-password", &["user.password-not-returned"]),
    tolerated(
        "missing-location",
        &["location.header"],
        "Okta reads the id from the body, not Location (warn)",
    ),
    caught(
        "ignores-active-patch",
        &["read-after-write", "deactivate.keeps-user"],
    ),
    caught("put-ignores-changes", &["read-after-write"]),
    caught("html-errors", &["error.scim-schema"]),
    tolerated(
        "filter-miss-404",
        &[],
        "Okta provisioning accepts a 404 for a filter miss (docs/okta-reference.md#s4-2); Okta's SPEC certification test (scenarios/okta-spec) asserts 200 and fails it",
    ),
    tolerated(
        "patch-returns-204",
        &[],
        "Okta accepts 204 for PATCH (docs/okta-reference.md#s4-6)",
    ),
    tolerated(
        "group-put-returns-204",
        &[],
        "Okta accepts 204 for a group PUT (docs/okta-reference.md#s6)",
    ),
    tolerated(
        "create-extra-attributes",
        &[],
        "Okta judges a create by status and id",
    ),
    tolerated(
        "numeric-error-status",
        &["error.status-string"],
        "Okta's samples use a number (warn: the RFC wants a string)",
    ),
];

/// The matrix as a text table (for `scimreplay checks --matrix` and docs/checks.md).
pub fn render() -> String {
    let mut out = format!("{:<30} {:<50} {}\n", "QUIRK", "CAUGHT BY", "NOTE");
    for row in MATRIX {
        let checks = if row.caught_by.is_empty() {
            "-".to_string()
        } else {
            row.caught_by.join(", ")
        };
        out.push_str(&format!(
            "{:<30} {:<50} {}\n",
            row.quirk,
            checks,
            row.tolerated.map_or("", |t| t)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quirk_has_a_row_and_every_check_exists() {
        for q in crate::server::quirks() {
            assert!(
                MATRIX.iter().any(|r| r.quirk == q.name),
                "no matrix row for quirk {}",
                q.name
            );
        }
        for row in MATRIX {
            assert!(
                crate::server::quirks().iter().any(|q| q.name == row.quirk),
                "unknown quirk {}",
                row.quirk
            );
            for id in row.caught_by {
                assert!(crate::check::find(id).is_some(), "unknown check {id}");
            }
            let fails = row.caught_by.iter().any(|id| {
                crate::check::find(id).is_some_and(|c| c.severity == crate::check::Severity::Fail)
            });
            assert!(
                fails || row.tolerated.is_some(),
                "{} is neither caught by a fail check nor tolerated",
                row.quirk
            );
        }
    }
}
