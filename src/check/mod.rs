//! Named Okta checks: the registry (stable id, severity, fix hint, protocol reference) and the
//! check functions that judge exchanges. A failed check is a result, never an `Err` or panic.

pub mod drift;
mod filters;
pub mod matrix;
pub mod registry;
mod resources;
pub mod rules;
mod write_effects;

pub use registry::{CHECKS, CheckDef, CheckId, Evidence, Severity, find};
pub use rules::{CheckInput, RequestKind, Verdict};
