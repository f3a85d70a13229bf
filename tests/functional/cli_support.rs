//! Helpers for driving the scimreplay binary in tests: run it, filter volatile output for insta,
//! and start a reference server in-process on a loopback port.

use std::path::Path;
use std::process::{Command, Output};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with `args` in `dir` (or the crate root), with `CI` unset unless given.
pub fn scimreplay(args: &[&str], dir: Option<&Path>, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scimreplay"));
    cmd.args(args)
        .env_remove("CI")
        .env_remove("SCIM_TOKEN")
        .env_remove("SCIM_BASE_URL")
        .env("NO_COLOR", "1");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("binary runs");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Replaces durations, ports, uuids and run ids with stable placeholders.
pub fn stable(text: &str) -> String {
    let rules = [
        (r"\[\s*[0-9.]+(ms|s)\]", "[<duration>]"),
        (r"took [0-9.]+(ms|s|µs)", "took <duration>"),
        (r"127\.0\.0\.1:[0-9]+", "127.0.0.1:<port>"),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "<uuid>",
        ),
        (r"\.[a-z0-9]{8}(%40|@)", ".<run_id>$1"),
        (r"00u[a-z0-9]{17}", "<okta_user_id>"),
    ];
    rules.iter().fold(text.to_string(), |acc, (re, with)| {
        regex::Regex::new(re)
            .unwrap()
            .replace_all(&acc, *with)
            .into_owned()
    })
}

/// A reference server on a loopback port, running on its own runtime thread.
pub struct TestServer {
    pub base_url: String,
    runtime: Option<tokio::runtime::Runtime>,
    server: Option<scimreplay::server::RunningServer>,
}

impl TestServer {
    pub fn start(token: &str, quirks: &[&str]) -> TestServer {
        scimreplay::tls::init();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let config = scimreplay::server::ServerConfig {
            token: Some(token.to_string()),
            quirks: quirks.iter().map(|q| q.to_string()).collect(),
            ..Default::default()
        };
        let server = runtime.block_on(scimreplay::server::start(config)).unwrap();
        TestServer {
            base_url: server.base_url().to_string(),
            runtime: Some(runtime),
            server: Some(server),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let (Some(rt), Some(server)) = (self.runtime.take(), self.server.take()) {
            rt.block_on(server.shutdown());
            rt.shutdown_background();
        }
    }
}

/// Copies scenario files from the crate's `scenarios/` into `dir/scenarios/`.
pub fn copy_scenarios(dir: &Path, names: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in names {
        let from = root.join("scenarios").join(name);
        let to = dir.join("scenarios").join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
