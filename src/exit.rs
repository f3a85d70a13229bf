//! The one table of process exit codes. Every command maps its outcome through here.

/// Every scenario and check passed (warnings allowed unless `--strict`).
pub const SUCCESS: u8 = 0;
/// Conformance failures or snapshot differences: Okta would break or record the wrong state.
pub const FAILURES: u8 = 1;
/// Usage, scenario, profile or configuration error: nothing was (fully) run.
pub const USAGE: u8 = 2;
/// Target unreachable, TLS failure, or authentication rejected.
pub const TARGET: u8 = 3;
/// Nothing selected: the filters left no scenario to run.
pub const NOTHING_SELECTED: u8 = 4;

/// The table as shown in `--help` and the README.
pub const TABLE: &[(u8, &str)] = &[
    (SUCCESS, "all selected scenarios passed"),
    (FAILURES, "conformance failures or snapshot differences"),
    (USAGE, "usage, scenario, profile or configuration error"),
    (
        TARGET,
        "target unreachable, TLS failure or authentication rejected",
    ),
    (
        NOTHING_SELECTED,
        "nothing selected by the filters, or every selected scenario skipped",
    ),
];
