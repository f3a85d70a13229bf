//! Pending snapshots: finding the `.snap.new` files under a snapshots root, and accepting
//! (move over `.snap`, volatile header fields stripped) or rejecting (delete) one of them.

use super::SnapshotError;
use super::format::SnapshotFile;
use super::store::{parse_bytes, remove_if_present};
use crate::fsutil::write_atomic;
use std::path::{Path, PathBuf};

const PENDING_SUFFIX: &str = ".snap.new";

/// One pending `.snap.new` file, parsed.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The `.snap.new` file.
    pub path: PathBuf,
    /// The committed `.snap` it would replace.
    pub snap: PathBuf,
    pub file: SnapshotFile,
}

impl Pending {
    /// Writes the pending document over the committed snapshot (volatile fields stripped,
    /// atomically), then deletes the pending file.
    pub fn accept(&self) -> Result<(), SnapshotError> {
        let mut file = self.file.clone();
        file.header.strip_volatile();
        write_atomic(&self.snap, file.render().as_bytes(), &[])?;
        remove_if_present(&self.path)
    }

    /// Deletes the pending file; the committed snapshot stays as it was.
    pub fn reject(&self) -> Result<(), SnapshotError> {
        remove_if_present(&self.path)
    }
}

/// Records in a pending file that the step producing it failed (`why`), so `accept` leaves it
/// alone unless `--include-failing`.
pub fn mark_failing(path: &Path, why: &str) -> Result<(), SnapshotError> {
    let mut pending = load(path.to_path_buf())?;
    pending.file.header.failing = Some(why.to_string());
    write_atomic(path, pending.file.render().as_bytes(), &[])?;
    Ok(())
}

/// Every pending file under `root`, sorted by path, whose header's scenario matches `scenario`
/// (all when `None`). A missing root means nothing is pending. Symlinks are not followed.
pub fn find_pending(
    root: &Path,
    scenario: Option<&glob::Pattern>,
) -> Result<Vec<Pending>, SnapshotError> {
    let mut paths = Vec::new();
    walk(root, &mut paths)?;
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let pending = load(path)?;
        if scenario.is_none_or(|p| p.matches(&pending.file.header.scenario)) {
            out.push(pending);
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SnapshotError> {
    let read_err = |source| SnapshotError::Read {
        path: dir.display().to_string(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(read_err(e)),
    };
    for entry in entries {
        let entry = entry.map_err(read_err)?;
        let kind = entry.file_type().map_err(read_err)?;
        let path = entry.path();
        if kind.is_dir() {
            walk(&path, out)?;
        } else if kind.is_file() && is_pending_name(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn is_pending_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(PENDING_SUFFIX) && !n.starts_with('.'))
}

fn load(path: PathBuf) -> Result<Pending, SnapshotError> {
    let bytes = std::fs::read(&path).map_err(|source| SnapshotError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let file = parse_bytes(&path, &bytes)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let snap = path.with_file_name(name.strip_suffix(".new").unwrap_or(name));
    Ok(Pending { path, snap, file })
}

/// Compiles a `--scenario` glob.
pub(crate) fn scenario_pattern(glob: Option<&str>) -> Result<Option<glob::Pattern>, SnapshotError> {
    glob.map(|g| {
        glob::Pattern::new(g).map_err(|e| SnapshotError::Pattern {
            pattern: g.to_string(),
            reason: e.to_string(),
        })
    })
    .transpose()
}
