//! The runnable examples of the documentation: every fenced block whose info string is
//! `sh run` in `README.md` and `docs/*.md` is run with bash (`-euo pipefail`, bounded by
//! `timeout`) in a scratch directory holding a copy of `scenarios/`, with the built
//! `scimreplay` first on `PATH`. Blocks start their own `serve` on a loopback port and stop it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (file, first line number, script) of every `sh run` block.
fn runnable_blocks() -> Vec<(String, usize, String)> {
    let mut docs = vec![root().join("README.md")];
    let mut more: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    more.sort();
    docs.extend(more);
    let mut blocks = Vec::new();
    for doc in docs {
        let text = std::fs::read_to_string(&doc).unwrap();
        let mut current: Option<(usize, String)> = None;
        for (n, line) in text.lines().enumerate() {
            match &mut current {
                None if line.trim_end() == "```sh run" => current = Some((n + 2, String::new())),
                Some((start, script)) if line.trim_end() == "```" => {
                    let name = doc.strip_prefix(root()).unwrap().display().to_string();
                    blocks.push((name, *start, std::mem::take(script)));
                    current = None;
                }
                Some((_, script)) => {
                    script.push_str(line);
                    script.push('\n');
                }
                None => {}
            }
        }
    }
    blocks
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn every_runnable_doc_example_succeeds() {
    let blocks = runnable_blocks();
    assert!(blocks.len() >= 3, "only {} runnable blocks", blocks.len());
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_scimreplay"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (file, line, script) in blocks {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&root().join("scenarios"), &dir.path().join("scenarios"));
        copy_dir(&root().join("scripts"), &dir.path().join("scripts"));
        copy_dir(&root().join("docs"), &dir.path().join("docs"));
        std::fs::write(dir.path().join("example.sh"), &script).unwrap();
        let out = Command::new("timeout")
            .args(["120", "bash", "-euo", "pipefail", "example.sh"])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env_remove("CI")
            .env_remove("SCIM_TOKEN")
            .env_remove("SCIM_BASE_URL")
            .output()
            .expect("bash and timeout exist");
        assert!(
            out.status.success(),
            "{file}:{line}: the example failed ({:?})\n--- stdout\n{}\n--- stderr\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The examples under `--help` are whole commands: none is wrapped mid-command on an
/// 80-column terminal.
#[test]
fn help_examples_fit_an_80_column_terminal() {
    for command in ["run", "steady", "load", "record"] {
        let out = Command::new(env!("CARGO_BIN_EXE_scimreplay"))
            .args([command, "--help"])
            .env("COLUMNS", "80")
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        let examples = help
            .split_once("Example")
            .unwrap_or_else(|| panic!("{command} --help has no examples"))
            .1;
        for line in examples.lines() {
            assert!(
                line.chars().count() <= 80,
                "{command} --help: {line:?} is wider than 80 columns"
            );
        }
        assert!(
            examples.contains("SCIM_BASE_URL") || command == "record",
            "{command} --help names SCIM_BASE_URL"
        );
    }
}
