//! The `review`, `accept` and `reject` commands: their arguments and entry points. Each takes
//! its output (and, for review, its input) as parameters so it runs without a terminal.

use super::SnapshotError;
use super::pending::{Pending, find_pending, scenario_pattern};
use super::review::review_pending;
use crate::exit;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

const NOTHING_PENDING: &str = "no pending snapshots";

/// `scimreplay review`: walk the pending snapshots one by one.
#[derive(Debug, Clone, clap::Args)]
pub struct ReviewArgs {
    /// Snapshots directory
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// Only pending snapshots whose scenario name matches this glob (e.g. `okta/*`)
    #[arg(long, value_name = "GLOB")]
    pub scenario: Option<String>,
}

/// `scimreplay accept`: accept every (matching) pending snapshot.
#[derive(Debug, Clone, clap::Args)]
pub struct AcceptArgs {
    /// Snapshots directory
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// Only pending snapshots whose scenario name matches this glob (e.g. `okta/*`)
    #[arg(long, value_name = "GLOB")]
    pub scenario: Option<String>,
}

/// `scimreplay reject`: delete every (matching) pending snapshot.
#[derive(Debug, Clone, clap::Args)]
pub struct RejectArgs {
    /// Snapshots directory
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// Only pending snapshots whose scenario name matches this glob (e.g. `okta/*`)
    #[arg(long, value_name = "GLOB")]
    pub scenario: Option<String>,
}

/// Interactive review; returns the exit code (0, also when nothing is pending).
pub fn review(
    args: &ReviewArgs,
    out: &mut dyn Write,
    input: &mut dyn BufRead,
) -> Result<u8, SnapshotError> {
    let Some(pending) = select(&args.snapshots, args.scenario.as_deref(), out)? else {
        return Ok(exit::SUCCESS);
    };
    let counts = review_pending(&pending, out, input)?;
    writeln!(out, "{counts}")?;
    Ok(exit::SUCCESS)
}

/// Accepts every matching pending snapshot; one line per file, then a count.
pub fn accept(args: &AcceptArgs, out: &mut dyn Write) -> Result<u8, SnapshotError> {
    let Some(pending) = select(&args.snapshots, args.scenario.as_deref(), out)? else {
        return Ok(exit::SUCCESS);
    };
    for item in &pending {
        item.accept()?;
        writeln!(out, "accepted {}", item.snap.display())?;
    }
    writeln!(out, "{} accepted", pending.len())?;
    Ok(exit::SUCCESS)
}

/// Rejects (deletes) every matching pending snapshot; one line per file, then a count.
pub fn reject(args: &RejectArgs, out: &mut dyn Write) -> Result<u8, SnapshotError> {
    let Some(pending) = select(&args.snapshots, args.scenario.as_deref(), out)? else {
        return Ok(exit::SUCCESS);
    };
    for item in &pending {
        item.reject()?;
        writeln!(out, "rejected {}", item.path.display())?;
    }
    writeln!(out, "{} rejected", pending.len())?;
    Ok(exit::SUCCESS)
}

/// The matching pending files, or `None` after printing "no pending snapshots".
fn select(
    root: &Path,
    scenario: Option<&str>,
    out: &mut dyn Write,
) -> Result<Option<Vec<Pending>>, SnapshotError> {
    let pattern = scenario_pattern(scenario)?;
    let pending = find_pending(root, pattern.as_ref())?;
    if pending.is_empty() {
        writeln!(out, "{NOTHING_PENDING}")?;
        return Ok(None);
    }
    Ok(Some(pending))
}
