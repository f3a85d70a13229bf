//! scimreplay: replays Okta's SCIM 2.0 provisioning traffic against a SCIM server, checks every
//! response against what Okta needs, and diffs normalized responses against committed snapshots.
//!
//! The binary (`src/main.rs`) is a thin shell over this library: it parses arguments with
//! [`cli`], runs the chosen command, and maps the outcome to an [`exit`] code.

pub mod check;
pub mod cli;
pub mod commands;
pub mod exit;
pub mod fsutil;
pub mod load;
pub mod normalize;
pub mod okta;
pub mod profile;
pub mod record;
pub mod replay;
pub mod report;
pub mod scenario;
pub mod secrets;
pub mod server;
pub mod snapshot;
pub mod steady;
pub mod tls;
