//! Named Okta checks: the registry (stable id, severity, fix hint, protocol reference) and the
//! check functions that judge exchanges. A failed check is a result, never an `Err` or panic.

pub mod drift;
mod filters;
pub mod matrix;
pub mod registry;
mod resources;
pub mod rules;
mod write_effects;

pub use registry::{CHECKS, CheckDef, find};
pub use rules::{CheckInput, RequestKind, Verdict};

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
