//! Atomic file writes with a last-line secret guard: every file scimreplay writes (snapshots,
//! pending files, reports) goes through [`write_atomic`].

use crate::secrets::{Secret, find_leak};
use std::io::Write;
use std::path::Path;

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
}

/// Writes `bytes` to `path` atomically (temporary file in the same directory, then rename),
/// creating parent directories. Refuses content in which [`find_leak`] finds a secret.
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
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
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
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/c.txt");
        write_atomic(&path, b"one", &[]).unwrap();
        write_atomic(&path, b"two", &[]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn refuses_secret_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        let secrets = vec![Secret::new("token", "s3cr3t-value")];
        let err = write_atomic(&path, b"{\"t\":\"xx s3cr3t-value\"}", &secrets).unwrap_err();
        assert!(matches!(err, WriteError::SecretLeak { .. }), "{err}");
        assert!(!path.exists());
    }
}
