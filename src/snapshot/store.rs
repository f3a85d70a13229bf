//! The snapshot store: where each step's snapshot lives, and comparing a normalized document
//! with it — writing `.snap` or pending `.snap.new` files as the update mode allows.

use super::diff::unified_diff;
use super::format::{SnapshotFile, SnapshotHeader, render_document};
use super::{SnapshotError, SnapshotOutcome, UpdateMode, WriteKind, Written};
use crate::fsutil::write_atomic;
use crate::normalize::json_changed_paths;
use crate::scenario::Dialect;
use crate::secrets::Secret;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Identifies one step's snapshot and carries the header's provenance.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotKey<'a> {
    /// Scenario name; `/` separates folders, e.g. `okta/push-user`.
    pub scenario: &'a str,
    /// The scenario file path, for the header.
    pub source: &'a str,
    /// Okta app profile name.
    pub profile: &'a str,
    pub dialect: Dialect,
    /// 1-based step index.
    pub index: usize,
    /// Step name.
    pub step: &'a str,
    /// `METHOD /path?query`, e.g. `POST /Users`.
    pub request_line: &'a str,
}

/// Snapshot files of one baseline, with the effective update mode.
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    root: PathBuf,
    baseline: String,
    mode: UpdateMode,
    target: String,
    /// Every snapshot path a step of this run compared with (shared by clones), to find the
    /// orphaned ones afterwards.
    produced: Arc<Mutex<BTreeSet<PathBuf>>>,
}

/// The pending file next to a snapshot: `<file>.snap.new`.
pub fn pending_path(snap: &Path) -> PathBuf {
    let mut name = snap.as_os_str().to_os_string();
    name.push(".new");
    PathBuf::from(name)
}

impl SnapshotStore {
    /// `root` is the snapshots directory; `mode` is resolved against `ci` (CI never writes);
    /// `target` describes the target in pending files' reviewer-only header.
    pub fn new(root: PathBuf, baseline: &str, mode: UpdateMode, ci: bool, target: &str) -> Self {
        SnapshotStore {
            root,
            baseline: baseline.to_string(),
            mode: mode.effective(ci),
            target: target.to_string(),
            produced: Arc::default(),
        }
    }

    /// The effective update mode.
    pub fn mode(&self) -> UpdateMode {
        self.mode
    }

    /// `<root>/<baseline>/<profile>/<scenario folders>/<dialect>/<NN>-<step>.snap`.
    pub fn path_for(&self, key: &SnapshotKey) -> PathBuf {
        let mut path = self.instance_dir(key.scenario, key.profile, key.dialect);
        path.push(format!("{:02}-{}.snap", key.index, component(key.step)));
        path
    }

    /// The folder holding the snapshots of one scenario instance.
    pub fn instance_dir(&self, scenario: &str, profile: &str, dialect: Dialect) -> PathBuf {
        let mut path = self.root.join(component(&self.baseline));
        path.push(component(profile));
        for part in scenario.split('/').filter(|p| !p.is_empty()) {
            path.push(component(part));
        }
        path.push(dialect.as_str());
        path
    }

    /// Committed snapshots of these fully run scenario instances that no step of this run
    /// compared with: left over after a step was renamed, inserted or removed.
    pub fn orphans(&self, instances: &[(&str, &str, Dialect)]) -> Vec<PathBuf> {
        let produced = self.produced.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        for (scenario, profile, dialect) in instances {
            let dir = self.instance_dir(scenario, profile, *dialect);
            out.extend(
                snap_files(&dir)
                    .into_iter()
                    .filter(|p| !produced.contains(p)),
            );
        }
        out.sort();
        out.dedup();
        out
    }

    /// Whether any committed snapshot exists for `profile` in this baseline. Without one, the
    /// run is recording a first baseline and new snapshots are not differences.
    pub fn has_baseline(&self, profile: &str) -> bool {
        fn any_snap(dir: &Path) -> bool {
            std::fs::read_dir(dir).is_ok_and(|entries| {
                entries.flatten().any(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        any_snap(&p)
                    } else {
                        p.extension().is_some_and(|x| x == "snap")
                    }
                })
            })
        }
        any_snap(
            &self
                .root
                .join(component(&self.baseline))
                .join(component(profile)),
        )
    }

    /// Compares `document` with the committed snapshot, writing files as the mode allows
    /// (see the module docs and `docs/snapshots.md`). `secrets` guard every write.
    pub fn compare(
        &self,
        key: &SnapshotKey,
        document: &Value,
        secrets: &[Secret],
    ) -> Result<SnapshotOutcome, SnapshotError> {
        let snap = self.path_for(key);
        let file = snap.display().to_string();
        self.produced
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(snap.clone());
        let Some(committed) = read_snapshot(&snap)? else {
            let expected = snap.parent().is_some_and(|dir| !snap_files(dir).is_empty());
            let written = self.write_changed(key, document, &snap, secrets)?;
            return Ok(SnapshotOutcome::New {
                file,
                written,
                expected,
            });
        };
        if committed.document == *document {
            if self.mode.writes() {
                remove_if_present(&pending_path(&snap))?;
            }
            return Ok(SnapshotOutcome::Matched { file });
        }
        let diff = unified_diff(
            &render_document(&committed.document),
            &render_document(document),
        );
        let changed_paths = json_changed_paths(&committed.document, document);
        let written = self.write_changed(key, document, &snap, secrets)?;
        Ok(SnapshotOutcome::Mismatch {
            file,
            diff,
            changed_paths,
            written,
        })
    }

    /// Writes a new or changed document: `.snap` under Always, `.snap.new` under New.
    fn write_changed(
        &self,
        key: &SnapshotKey,
        document: &Value,
        snap: &Path,
        secrets: &[Secret],
    ) -> Result<Option<Written>, SnapshotError> {
        let pending = pending_path(snap);
        let (kind, path, file) = match self.mode {
            UpdateMode::Always => (
                WriteKind::InPlace,
                snap.to_path_buf(),
                self.file(key, document, false),
            ),
            UpdateMode::New => (
                WriteKind::Pending,
                pending.clone(),
                self.file(key, document, true),
            ),
            UpdateMode::No | UpdateMode::Auto => return Ok(None),
        };
        write_atomic(&path, file.render().as_bytes(), secrets)?;
        if kind == WriteKind::InPlace {
            remove_if_present(&pending)?;
        }
        Ok(Some(Written {
            path: path.display().to_string(),
            kind,
        }))
    }

    fn file(&self, key: &SnapshotKey, document: &Value, volatile: bool) -> SnapshotFile {
        let header = SnapshotHeader {
            scenario: key.scenario.to_string(),
            step: key.step.to_string(),
            dialect: key.dialect.as_str().to_string(),
            request: key.request_line.to_string(),
            source: key.source.to_string(),
            target: volatile.then(|| self.target.clone()),
            recorded_at: volatile.then(|| {
                humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
            }),
            failing: None,
        };
        SnapshotFile {
            header,
            document: document.clone(),
        }
    }
}

/// The committed `.snap` files directly in `dir` (none when it does not exist).
fn snap_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "snap"))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads and parses a snapshot file; `None` when it does not exist.
pub(crate) fn read_snapshot(path: &Path) -> Result<Option<SnapshotFile>, SnapshotError> {
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SnapshotError::Read {
                path: path.display().to_string(),
                source,
            });
        }
    };
    parse_bytes(path, &text).map(Some)
}

pub(crate) fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<SnapshotFile, SnapshotError> {
    let corrupt = |reason: String| SnapshotError::Corrupt {
        path: path.display().to_string(),
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| corrupt(format!("not UTF-8: {e}")))?;
    SnapshotFile::parse(text).map_err(corrupt)
}

pub(crate) fn remove_if_present(path: &Path) -> Result<(), SnapshotError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(SnapshotError::Remove {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// A safe single path component: letters, digits, `-`, `_`, `.`; anything else becomes `-`;
/// never empty, never hidden, never `.`/`..`.
fn component(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let keep = c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        let c = if keep { c } else { '-' };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.chars().all(|c| c == '.') {
        return "_".into();
    }
    match trimmed.strip_prefix('.') {
        Some(rest) => format!("_{rest}"),
        None => trimmed.to_string(),
    }
}
