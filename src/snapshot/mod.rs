//! Snapshot files: the normalized status, selected headers and body of a step, kept under
//! `snapshots/<baseline>/`, compared on every run; mismatches leave a pending `.snap.new`.
//! (Contract only; filled in by the snapshot work.)

use serde::Serialize;

/// What comparing one step's normalized response with its snapshot found.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum SnapshotOutcome {
    /// Identical to the committed snapshot.
    Matched { file: String },
    /// No committed snapshot existed; `written` says where the new one went (if anywhere).
    New {
        file: String,
        written: Option<String>,
    },
    /// Differs from the committed snapshot.
    Mismatch {
        file: String,
        /// Unified diff (no colour codes), committed → actual.
        diff: String,
        /// JSON paths whose value changed, e.g. `body.name.givenName`.
        changed_paths: Vec<String>,
        /// Pending file written, if the update mode allowed it.
        written: Option<String>,
    },
}
