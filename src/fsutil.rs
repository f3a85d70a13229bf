//! Every file scimreplay writes (snapshots, pending files, reports, evidence) goes through
//! [`write_atomic`]: a last-line secret guard, then an atomic replace of a regular file (or a
//! new path), a write-through to a device, FIFO or socket-like target, a refusal for a
//! directory. Symlinks are resolved first, so the link stays and its target is written.
//! [`check_output`] and [`check_distinct`] vet report paths before a run sends anything.

use crate::secrets::{Secret, find_leak};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("could not write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("refused to write {path}: it contains the value of a secret ({what})")]
    SecretLeak { path: String, what: String },
    #[error("refused to write {path}: it is a directory (give a file path)")]
    Directory { path: String },
    #[error("refused to write {path}: {reason}")]
    Unusable { path: String, reason: String },
    /// Two outputs (named by their options) that resolve to the same file.
    #[error("{first} and {second} both write {path}: give each report its own path")]
    SameFile {
        first: String,
        second: String,
        path: String,
    },
}

/// Symlinks followed at most this many times (as the kernel does).
const MAX_LINKS: usize = 40;

/// Writes `bytes` to `path` after refusing content in which [`find_leak`] finds a secret.
/// Symlinks are followed to their final target. A regular file or a new path is written
/// atomically (temporary file in the same directory, then rename; parent directories are
/// created); a device, FIFO or other special file is written through in place; a directory
/// is refused.
pub fn write_atomic(path: &Path, bytes: &[u8], secrets: &[Secret]) -> Result<(), WriteError> {
    let shown = path.display().to_string();
    let text = String::from_utf8_lossy(bytes);
    if let Some(secret) = find_leak(&text, secrets) {
        return Err(WriteError::SecretLeak {
            path: shown,
            what: secret.name.clone(),
        });
    }
    let io = |source| WriteError::Io {
        path: shown.clone(),
        source,
    };
    // `metadata` follows symlinks in the kernel, `/proc/self/fd/N` magic links included.
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(WriteError::Directory { path: shown }),
        Ok(meta) if !meta.is_file() => write_through(path, bytes).map_err(io),
        Ok(_) => replace(&std::fs::canonicalize(path).map_err(io)?, bytes).map_err(io),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            replace(&resolve_links(path).map_err(io)?, bytes).map_err(io)
        }
        Err(e) => Err(io(e)),
    }
}

/// Checks, without writing anything, that a report could be written at `path`: not a
/// directory, not under a regular file, and its directory (or the nearest existing ancestor,
/// when directories are still to be created) accepts new files.
pub fn check_output(path: &Path) -> Result<(), WriteError> {
    let shown = path.display().to_string();
    let unusable = |reason: String| WriteError::Unusable {
        path: shown.clone(),
        reason,
    };
    let target = match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => return Err(WriteError::Directory { path: shown }),
        Ok(meta) if !meta.is_file() => return Ok(()), // written through
        Ok(_) => std::fs::canonicalize(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => resolve_links(path),
        Err(e) => Err(e),
    }
    .map_err(|e| unusable(e.to_string()))?;
    let mut dir = parent_dir(&target);
    while std::fs::symlink_metadata(&dir).is_err() {
        match dir.parent() {
            Some(up) if !up.as_os_str().is_empty() => dir = up.to_path_buf(),
            _ => dir = PathBuf::from("."),
        }
    }
    if !dir.is_dir() {
        return Err(unusable(format!("{} is not a directory", dir.display())));
    }
    probe(&dir).map_err(|e| unusable(format!("cannot create files in {}: {e}", dir.display())))
}

/// Refuses two outputs that would land in the same file. `outputs` are `(option, path)`,
/// e.g. `("--report-json", "r.json")`; symlinks and relative paths are resolved first.
pub fn check_distinct(outputs: &[(&str, PathBuf)]) -> Result<(), WriteError> {
    let resolved: Vec<(&str, PathBuf)> = outputs
        .iter()
        .map(|(what, p)| (*what, absolute(p)))
        .collect();
    for (i, (first, a)) in resolved.iter().enumerate() {
        if let Some((second, _)) = resolved[i + 1..].iter().find(|(_, b)| a == b) {
            return Err(WriteError::SameFile {
                first: first.to_string(),
                second: second.to_string(),
                path: outputs[i].1.display().to_string(),
            });
        }
    }
    Ok(())
}

/// `path` with symlinks in its last component followed textually, for a path that does not
/// exist yet (a dangling link: its target is created).
fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = parent_dir(&current).join(link);
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other(format!(
        "too many levels of symbolic links at {}",
        path.display()
    )))
}

/// `path` resolved to an absolute, symlink-free form as far as it exists.
fn absolute(path: &Path) -> PathBuf {
    let target = resolve_links(path).unwrap_or_else(|_| path.to_path_buf());
    if let Ok(full) = std::fs::canonicalize(&target) {
        return full;
    }
    let dir = std::fs::canonicalize(parent_dir(&target)).unwrap_or_else(|_| parent_dir(&target));
    match target.file_name() {
        Some(name) => dir.join(name),
        None => dir,
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// Creates and removes an empty file in `dir`.
fn probe(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".scimreplay-probe.{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)?;
    std::fs::remove_file(&probe)
}

/// Writes into an existing special file (device, FIFO) without replacing or truncating it.
fn write_through(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
    f.write_all(bytes)?;
    f.flush()
}

/// Temporary file in the same directory, then rename over `path`.
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(&dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests;
