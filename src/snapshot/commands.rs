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
    /// Only pending snapshots of this baseline (a folder of the snapshots directory, e.g.
    /// `reference` or a target's host) [default: every baseline]
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
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
    /// Only pending snapshots of this baseline (a folder of the snapshots directory, e.g.
    /// `reference` or a target's host) [default: every baseline]
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Only pending snapshots whose scenario name matches this glob (e.g. `okta/*`)
    #[arg(long, value_name = "GLOB")]
    pub scenario: Option<String>,
    /// Also accept pending snapshots of steps that failed (left out by default, so a server
    /// bug is not baked into the baseline)
    #[arg(long)]
    pub include_failing: bool,
}

/// `scimreplay reject`: delete every (matching) pending snapshot.
#[derive(Debug, Clone, clap::Args)]
pub struct RejectArgs {
    /// Snapshots directory
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// Only pending snapshots of this baseline (a folder of the snapshots directory, e.g.
    /// `reference` or a target's host) [default: every baseline]
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
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
    let root = baseline_root(&args.snapshots, args.baseline.as_deref())?;
    let Some(pending) = select(&root, args.scenario.as_deref(), out)? else {
        return Ok(exit::SUCCESS);
    };
    let counts = review_pending(&pending, out, input)?;
    writeln!(out, "{counts}")?;
    Ok(exit::SUCCESS)
}

/// Accepts every matching pending snapshot; one line per file, then a count. Pending files of
/// failed steps are refused (listed, exit 1) unless `--include-failing`.
pub fn accept(args: &AcceptArgs, out: &mut dyn Write) -> Result<u8, SnapshotError> {
    let root = baseline_root(&args.snapshots, args.baseline.as_deref())?;
    let Some(pending) = select(&root, args.scenario.as_deref(), out)? else {
        return Ok(exit::SUCCESS);
    };
    let (failing, accepted): (Vec<&Pending>, Vec<&Pending>) = pending
        .iter()
        .partition(|p| p.file.header.failing.is_some() && !args.include_failing);
    for item in &accepted {
        item.accept()?;
        writeln!(out, "accepted {}", item.snap.display())?;
    }
    writeln!(out, "{} accepted", accepted.len())?;
    if failing.is_empty() {
        return Ok(exit::SUCCESS);
    }
    writeln!(
        out,
        "{} not accepted: the step failed when it was recorded (fix the server, or pass --include-failing to accept anyway)",
        failing.len()
    )?;
    for item in failing {
        let why = item.file.header.failing.as_deref().unwrap_or_default();
        writeln!(out, "    {} ({why})", item.path.display())?;
    }
    Ok(exit::FAILURES)
}

/// Rejects (deletes) every matching pending snapshot; one line per file, then a count.
pub fn reject(args: &RejectArgs, out: &mut dyn Write) -> Result<u8, SnapshotError> {
    let root = baseline_root(&args.snapshots, args.baseline.as_deref())?;
    let Some(pending) = select(&root, args.scenario.as_deref(), out)? else {
        return Ok(exit::SUCCESS);
    };
    for item in &pending {
        item.reject()?;
        writeln!(out, "rejected {}", item.path.display())?;
    }
    writeln!(out, "{} rejected", pending.len())?;
    Ok(exit::SUCCESS)
}

/// The folder to search: the whole snapshots directory, or one baseline's folder in it.
fn baseline_root(root: &Path, baseline: Option<&str>) -> Result<PathBuf, SnapshotError> {
    let Some(name) = baseline else {
        return Ok(root.to_path_buf());
    };
    let dir = root.join(name);
    let plain = !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != "..";
    if !plain || !dir.is_dir() {
        return Err(SnapshotError::Baseline {
            name: name.to_string(),
            root: root.display().to_string(),
        });
    }
    Ok(dir)
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
