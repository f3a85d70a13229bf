//! The real `scimreplay serve` binary: startup line, provisioning over HTTP, SIGTERM exit code,
//! usage errors, bind failures, --list-quirks and --help.

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_scimreplay");

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (Guard, String) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("startup line");
    let base = line
        .trim()
        .strip_prefix("SCIM base URL: ")
        .unwrap_or_else(|| panic!("unexpected startup line {line:?}"))
        .to_string();
    (Guard(child), base)
}

fn terminate(mut g: Guard) -> Option<i32> {
    let pid = g.0.id().to_string();
    let st = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(st.success());
    let status = g.0.wait().expect("wait");
    status.code()
}

#[tokio::test]
async fn serve_provisions_and_stops_on_sigterm() {
    scimreplay::tls::init();
    let (guard, base) = spawn(&["--port", "0", "--token", "T", "-v"]);
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/scim/v2"),
        "{base}"
    );
    let c = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        c.post(format!("{base}{path}"))
            .header("Authorization", "Bearer T")
            .header("Content-Type", "application/scim+json; charset=utf-8")
            .body(body.to_string())
            .send()
    };
    let u = post("/Users", json!({"userName": "cli@x.test", "active": true}))
        .await
        .unwrap();
    assert_eq!(u.status(), 201);
    let uid = u.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let g = post("/Groups", json!({"displayName": "CLI", "members": []}))
        .await
        .unwrap();
    assert_eq!(g.status(), 201);
    let gid = g.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = c
        .patch(format!("{base}/Groups/{gid}"))
        .header("Authorization", "Bearer T")
        .body(
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                     "Operations": [{"op": "add", "path": "members", "value": [{"value": uid}]}]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(m.status(), 200);
    let user: serde_json::Value = c
        .get(format!("{base}/Users/{uid}"))
        .header("Authorization", "Bearer T")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(user["groups"][0]["value"], gid.as_str());
    let unauth = c.get(format!("{base}/Users")).send().await.unwrap();
    assert_eq!(unauth.status(), 401);
    let mut child = guard;
    let stderr = child.0.stderr.take();
    assert_eq!(terminate(child), Some(0));
    let mut log = String::new();
    if let Some(mut e) = stderr {
        use std::io::Read;
        e.read_to_string(&mut log).unwrap();
    }
    assert!(log.contains("POST /scim/v2/Users 201"), "{log}");
    assert!(
        !log.contains("Bearer") && !log.contains("cli@x.test\""),
        "{log}"
    );
}

fn run(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .arg("serve")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, err) = run(&["--port", "0"], &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--token"), "{err}");
    let (code, _, err) = run(&["--port", "0", "--token", "T", "--quirk", "bogus"], &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("unknown quirk 'bogus'") && err.contains("string-booleans"),
        "{err}"
    );
    let (code, _, err) = run(
        &["--port", "0", "--token-env", "SCIMREPLAY_TEST_UNSET_VAR"],
        &[],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("SCIMREPLAY_TEST_UNSET_VAR"), "{err}");
    let (code, _, _) = run(
        &["--port", "0", "--auth", "basic", "--token", "nocolon"],
        &[],
    );
    assert_eq!(code, Some(2));
}

#[test]
fn token_from_env_and_bind_failure_exit_3() {
    let (guard, base) = spawn(&["--port", "0", "--token-env", "PATH"]);
    let port = base
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let (code, _, err) = run(&["--port", &port, "--auth", "none"], &[]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("cannot bind"), "{err}");
    assert_eq!(terminate(guard), Some(0));
}

#[test]
fn list_quirks_and_help() {
    let (code, out, _) = run(&["--list-quirks"], &[]);
    assert_eq!(code, Some(0));
    for q in scimreplay::server::quirks() {
        assert!(out.contains(q.name), "{}", q.name);
    }
    assert!(
        out.lines()
            .any(|l| l.contains("filter-miss-404") && l.contains("[okta-ok]"))
    );
    let (code, out, _) = run(&["--help"], &[]);
    assert_eq!(code, Some(0));
    for flag in [
        "--host",
        "--port",
        "--token",
        "--token-env",
        "--auth",
        "--base-path",
        "--quirk",
        "--list-quirks",
        "--verbose",
        "Examples:",
    ] {
        assert!(out.contains(flag), "help lacks {flag}:\n{out}");
    }
    let (_, out, err) = run(
        &[
            "--port",
            "0",
            "--token",
            "SECRET-VALUE-123",
            "--quirk",
            "nope",
        ],
        &[],
    );
    assert!(!out.contains("SECRET-VALUE-123") && !err.contains("SECRET-VALUE-123"));
}
