//! Snapshot files: the normalized status, selected headers and body of a step, kept under
//! `snapshots/<baseline>/`, compared on every run; mismatches leave a pending `.snap.new`.
//! This module holds the shared types (outcome, error, update mode); the submodules hold the
//! file format, the store, diffs, pending files and the review/accept/reject commands.

#[cfg(test)]
mod command_tests;
mod commands;
mod diff;
mod format;
mod pending;
mod review;
mod store;
#[cfg(test)]
mod store_tests;

pub use commands::{AcceptArgs, RejectArgs, ReviewArgs, accept, reject, review};
pub use diff::{colorize_diff, unified_diff};
pub use format::{FORMAT_VERSION, SnapshotFile, SnapshotHeader, render_document};
pub use pending::mark_failing;
pub use pending::{Pending, find_pending};
pub use store::{SnapshotKey, SnapshotStore, pending_path};

use crate::fsutil::WriteError;
use serde::Serialize;

/// Which file a snapshot write went to: the committed `.snap` itself (`--update always`) or a
/// pending `.snap.new` next to it, for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    InPlace,
    Pending,
}

/// A snapshot file written during a run. Serialized as its path (report format 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    pub kind: WriteKind,
}

impl Written {
    pub fn is_pending(&self) -> bool {
        self.kind == WriteKind::Pending
    }
}

impl std::fmt::Display for Written {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path)
    }
}

impl Serialize for Written {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.path)
    }
}

/// What comparing one step's normalized response with its snapshot found.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum SnapshotOutcome {
    /// Identical to the committed snapshot.
    Matched { file: String },
    /// No committed snapshot existed; `written` says where the new one went (if anywhere).
    New {
        file: String,
        written: Option<Written>,
        /// The baseline already holds other snapshots of this scenario instance, so this one
        /// was expected (a step was added or renamed). A scenario the baseline does not cover
        /// at all (never accepted, or a user's own) is merely new.
        expected: bool,
    },
    /// Differs from the committed snapshot.
    Mismatch {
        file: String,
        /// Unified diff (no colour codes), committed → actual.
        diff: String,
        /// JSON paths whose value changed, e.g. `body.name.givenName`.
        changed_paths: Vec<String>,
        /// Pending file written, if the update mode allowed it.
        written: Option<Written>,
    },
    /// The comparison itself failed (unreadable or corrupt snapshot, refused write).
    Error { file: String, message: String },
}

impl SnapshotOutcome {
    /// The pending file this outcome left for review, if any.
    pub fn pending_file(&self) -> Option<&Written> {
        match self {
            SnapshotOutcome::New { written, .. } | SnapshotOutcome::Mismatch { written, .. } => {
                written.as_ref().filter(|w| w.is_pending())
            }
            _ => None,
        }
    }

    /// True when this outcome alone fails its step: a difference, an expected snapshot that is
    /// missing (and was not written in place), or an error.
    pub fn fails_step(&self) -> bool {
        match self {
            SnapshotOutcome::Mismatch { .. } | SnapshotOutcome::Error { .. } => true,
            SnapshotOutcome::New {
                expected, written, ..
            } => *expected && written.as_ref().is_none_or(|w| w.is_pending()),
            SnapshotOutcome::Matched { .. } => false,
        }
    }
}

/// Why a snapshot operation could not complete.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{path} is not a valid snapshot file: {reason}")]
    Corrupt { path: String, reason: String },
    #[error("could not read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("could not delete {path}: {source}")]
    Remove {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("invalid --scenario pattern {pattern:?}: {reason}")]
    Pattern { pattern: String, reason: String },
    #[error("no baseline `{name}` in {root} (a baseline is a folder there, e.g. `reference`)")]
    Baseline { name: String, root: String },
    #[error("terminal input/output failed: {0}")]
    Terminal(#[from] std::io::Error),
}

/// When snapshot files may be written (`--update`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UpdateMode {
    /// `no` under CI, `new` otherwise.
    #[default]
    Auto,
    /// Write new and changed snapshots as pending `.snap.new` files for review.
    New,
    /// Write new and changed snapshots straight to `.snap`.
    Always,
    /// Write nothing.
    No,
}

impl UpdateMode {
    /// The mode actually used. Under CI nothing is ever written, whatever was asked.
    pub fn effective(self, ci: bool) -> UpdateMode {
        match self {
            _ if ci => UpdateMode::No,
            UpdateMode::Auto => UpdateMode::New,
            other => other,
        }
    }

    /// True when this (effective) mode may write files.
    pub fn writes(self) -> bool {
        matches!(self, UpdateMode::New | UpdateMode::Always)
    }
}

/// True when the `CI` variable is set to anything but empty, `0` or `false`.
pub fn ci_from_env() -> bool {
    is_ci_value(std::env::var("CI").ok().as_deref())
}

/// The `CI` rule on a given value (`None` = unset).
pub fn is_ci_value(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        let v = v.trim();
        !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_values() {
        for (value, ci) in [
            (None, false),
            (Some(""), false),
            (Some("0"), false),
            (Some("false"), false),
            (Some("FALSE"), false),
            (Some("true"), true),
            (Some("1"), true),
            (Some("yes"), true),
        ] {
            assert_eq!(is_ci_value(value), ci, "{value:?}");
        }
    }

    #[test]
    fn effective_modes() {
        use UpdateMode::*;
        assert_eq!(Auto.effective(false), New);
        assert_eq!(Auto.effective(true), No);
        assert_eq!(Always.effective(false), Always);
        assert_eq!(New.effective(false), New);
        for mode in [Auto, New, Always, No] {
            assert_eq!(mode.effective(true), No, "CI never writes");
        }
        assert!(!No.writes() && New.writes() && Always.writes());
    }
}
