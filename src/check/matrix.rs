//! The detection matrix: for every reference-server quirk, what catches it when the whole Okta
//! suite runs against a server with that quirk (verified by
//! `tests/functional/detection_matrix.rs`). Whether Okta tolerates a quirk is recorded once, in
//! the quirk catalogue (`server::quirks`); this module only names the checks that see it.

use super::registry::{CheckId, Severity};
use crate::server::{OktaVerdict, Quirk, QuirkInfo};

/// What reports a quirk.
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

/// One quirk's row.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub quirk: &'static QuirkInfo,
    /// What must report the quirk (all of them) when it is on.
    pub caught_by: &'static [Catch],
}

impl Row {
    /// Why Okta copes, for tolerated quirks.
    pub fn tolerated(&self) -> Option<&'static str> {
        match self.quirk.okta {
            OktaVerdict::Tolerates(why) => Some(why),
            OktaVerdict::Breaks => None,
        }
    }
}

/// What catches each quirk. Exhaustive: a new quirk does not compile without its row.
pub fn caught_by(quirk: Quirk) -> &'static [Catch] {
    use Catch::{Check as c, SpecAssertion as SPEC};
    use CheckId::*;
    use Quirk as Q;
    match quirk {
        Q::PatchRequiresPath => &[c(PatchNoPathReplace), c(PatchRenameWithId)],
        Q::StringBooleans => &[
            c(UserActiveBoolean),
            c(SteadyStateFidelity),
            c(SteadyStateSyncLoop),
        ],
        Q::ListCountsAsStrings => &[c(ListResponseIntegers)],
        Q::FilterCaseSensitive => &[c(FilterCaseInsensitive)],
        Q::FilterIgnored => &[c(FilterExactMatch), c(FilterMiss)],
        Q::NoDuplicate409 => &[c(DuplicateConflict), c(SteadyStateIdempotent)],
        Q::PlainTextErrors => &[c(ErrorScimSchema), SPEC],
        Q::ErrorStatusNumberOnly => &[c(ErrorScimSchema), SPEC],
        Q::MissingErrorSchema => &[c(ErrorScimSchema), SPEC],
        Q::IgnoreMemberRemoveFilter => &[c(ReadAfterWrite)],
        Q::RemoveFilterWipesMembers => &[c(ReadAfterWrite)],
        Q::MembersRequireType => &[c(PatchMembersDisplayOnly)],
        Q::EmptyMembersReplaceFails => &[c(PatchEmptyMembersReplace)],
        Q::RejectsReadonlyInPut => &[c(PutReadonlyEcho)],
        Q::RejectsReadonlyInCreate => &[c(CreateOktaBody)],
        Q::RenameRejectsIdInValue => &[c(PatchRenameWithId)],
        Q::LowercaseEmails => &[c(SteadyStateFidelity)],
        Q::DropsLocale => &[c(SteadyStateFidelity)],
        Q::ReordersEmails => &[c(SteadyStateFidelity)],
        Q::RecomputesDisplayName => &[c(SteadyStateFidelity)],
        Q::StaleReads => &[],
        Q::DeactivateDeletes => &[c(DeactivateKeepsUser)],
        Q::CreateReturns200 => &[c(StatusExpected), c(CreateStatus201)],
        Q::CreateEmptyBody => &[c(CreateReturnsResource), c(ResourceId)],
        Q::GetReturnsList => &[c(GetSingleResource)],
        Q::PagingIgnoresStartindex => &[c(PagingComplete)],
        Q::ShortPages => &[c(PagingComplete)],
        Q::RateLimit => &[],
        Q::RateLimitNoRetryAfter => &[c(RateLimitRetryAfter)],
        Q::Slow => &[],
        Q::ReturnsPassword => &[c(UserPasswordNotReturned)],
        Q::MissingLocation => &[c(LocationHeader), c(MetaLocation)],
        Q::IgnoresActivePatch => &[c(ReadAfterWrite), c(DeactivateKeepsUser)],
        Q::PutIgnoresChanges => &[c(ReadAfterWrite)],
        Q::HtmlErrors => &[c(ErrorScimSchema), SPEC],
        Q::FilterMiss404 => &[c(StatusExpected)],
        Q::PatchReturns204 => &[],
        Q::GroupPutReturns204 => &[c(ToleranceInferred)],
        Q::CreateExtraAttributes => &[],
        Q::NumericErrorStatus => &[c(ErrorStatusString)],
        Q::NoDuplicateGroup409 => &[],
        Q::GroupOmitsEmptyMembers => &[],
        Q::HtmlConflictErrors => &[c(ErrorScimSchema)],
        Q::GroupFilterMiss404 => &[c(ToleranceInferred)],
        Q::RelativeMetaLocation => &[c(LocationHeader), c(MetaLocation)],
        Q::LastModifiedFrozen => &[c(MetaLastModified)],
        Q::DuplicateMemberAdd => &[c(GroupMembersUnique)],
        Q::UserDeleteDeactivates => &[],
        Q::UserDeleteReservesUsername => &[],
    }
}

/// Every quirk's row, in `serve --list-quirks` order.
pub fn rows() -> impl Iterator<Item = Row> {
    crate::server::quirks().iter().map(|quirk| Row {
        quirk,
        caught_by: caught_by(quirk.quirk),
    })
}

/// The row of a quirk by name.
pub fn row(name: &str) -> Option<Row> {
    rows().find(|r| r.quirk.name == name)
}

/// The matrix as a text table (for `scimreplay checks --matrix` and docs/checks.md).
pub fn render() -> String {
    let mut out = format!(
        "{:<30} {:<8} {:<50} {}\n",
        "QUIRK", "OKTA", "CAUGHT BY", "NOTE"
    );
    for row in rows() {
        let checks = if row.caught_by.is_empty() {
            "-".to_string()
        } else {
            row.caught_by
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let okta = if row.tolerated().is_some() {
            "okta-ok"
        } else {
            "breaks"
        };
        out.push_str(
            format!(
                "{:<30} {:<8} {:<50} {}",
                row.quirk.name,
                okta,
                checks,
                row.tolerated().unwrap_or("")
            )
            .trim_end(),
        );
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaking_quirks_are_caught_by_a_failing_check_and_tolerated_ones_by_none() {
        for row in rows() {
            let fails = row.caught_by.iter().any(|c| c.fails());
            match row.tolerated() {
                None => assert!(
                    fails,
                    "{} breaks Okta but no fail check catches it",
                    row.quirk.name
                ),
                Some(_) => assert!(
                    !fails,
                    "{} is tolerated by Okta but a fail check is said to catch it",
                    row.quirk.name
                ),
            }
        }
    }
}
