//! Targets that misbehave at the HTTP level — dropping connections, truncating or flooding
//! bodies, answering too slowly — get clear messages and documented exit codes, never a panic.

use crate::cli_support;

use cli_support::{copy_scenarios, scimreplay};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy)]
enum Misbehaviour {
    /// Answers Okta's connection probe, then closes every other connection without a response.
    DropsConnections,
    /// Promises a body (Content-Length) and closes half-way through it.
    TruncatesBodies,
    /// Answers 200 with a 12 MiB body that is not JSON.
    GiantBodies,
    /// Waits longer than the run's timeout before answering.
    Slow,
    /// Answers plain HTTP as soon as a connection opens (a TLS client gets no handshake).
    PlainHttpAtOnce,
}

/// Okta's connection probe, under any base path.
const PROBE: &str = "/Users?startIndex=1&count=2 ";
const EMPTY_LIST: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}"#;

/// A raw HTTP/1.1 server on loopback; stops when the runtime is dropped.
fn start(kind: Misbehaviour) -> (tokio::runtime::Runtime, String) {
    start_at(kind, "/scim/v2")
}

/// As `start`, with the SCIM base under `base_path`.
fn start_at(kind: Misbehaviour, base_path: &str) -> (tokio::runtime::Runtime, String) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}{base_path}", listener.local_addr().unwrap());
    rt.spawn(async move {
        // Bounded: a run sends well under this many requests.
        for _ in 0..200 {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(serve(socket, kind));
        }
    });
    (rt, base)
}

async fn serve(mut socket: TcpStream, kind: Misbehaviour) {
    if matches!(kind, Misbehaviour::PlainHttpAtOnce) {
        let _ = socket.write_all(&ok(EMPTY_LIST.as_bytes())).await;
        return;
    }
    loop {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match socket.read(&mut byte).await {
                Ok(1) => head.push(byte[0]),
                _ => return,
            }
        }
        let head = String::from_utf8_lossy(&head).to_string();
        let length = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
            })
            .unwrap_or(0);
        let mut body = vec![0u8; length];
        if socket.read_exact(&mut body).await.is_err() {
            return;
        }
        let probe = head.starts_with("GET ") && head.lines().next().unwrap_or("").contains(PROBE);
        let reply = match kind {
            _ if probe && !matches!(kind, Misbehaviour::Slow) => ok(EMPTY_LIST.as_bytes()),
            Misbehaviour::DropsConnections => return,
            Misbehaviour::TruncatesBodies => {
                let full = ok(EMPTY_LIST.as_bytes());
                let _ = socket.write_all(&full[..full.len() - 40]).await;
                return;
            }
            Misbehaviour::PlainHttpAtOnce => return,
            Misbehaviour::GiantBodies => ok(&vec![b'x'; 12 * 1024 * 1024]),
            Misbehaviour::Slow => {
                tokio::time::sleep(Duration::from_secs(3)).await;
                ok(EMPTY_LIST.as_bytes())
            }
        };
        if socket.write_all(&reply).await.is_err() {
            return;
        }
    }
}

fn ok(body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn run_against(kind: Misbehaviour) -> cli_support::Run {
    run_with(kind, &[])
}

fn run_with(kind: Misbehaviour, extra: &[&str]) -> cli_support::Run {
    let (rt, base) = start(kind);
    run_at(rt, &base, extra)
}

fn run_at(rt: tokio::runtime::Runtime, base: &str, extra: &[&str]) -> cli_support::Run {
    let dir = tempfile::tempdir().unwrap();
    copy_scenarios(dir.path(), &["okta/push-new-user.yaml"]);
    let mut args = vec![
        "run",
        "--target",
        base,
        "--token-env",
        "T",
        "--no-snapshots",
        "--no-steady-state",
        "--timeout",
        "1s",
        "--read-settle",
        "0",
        "--color",
        "never",
    ];
    args.extend_from_slice(extra);
    let run = scimreplay(&args, Some(dir.path()), &[("T", "tok-for-tests")]);
    rt.shutdown_timeout(Duration::from_secs(1));
    assert!(
        !run.stderr.contains("panicked") && !run.stdout.contains("panicked"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    run
}

#[test]
fn dropped_connections_fail_the_steps_with_a_clear_message() {
    let run = run_against(Misbehaviour::DropsConnections);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("[error] connection failed"),
        "{}",
        run.stdout
    );
}

#[test]
fn tls_words_in_the_url_do_not_make_a_dropped_connection_a_tls_failure() {
    let (rt, base) = start_at(
        Misbehaviour::DropsConnections,
        "/tls/handshake/certificate/scim/v2",
    );
    let run = run_at(rt, &base, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("[error] connection failed"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("TLS failure"), "{}", run.stdout);
}

#[test]
fn a_plain_http_server_behind_an_https_url_is_a_tls_failure() {
    let (rt, base) = start(Misbehaviour::PlainHttpAtOnce);
    let https = base.replacen("http://", "https://", 1);
    let run = run_at(rt, &https, &[]);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("TLS failure"), "{}", run.stderr);
}

#[test]
fn truncated_bodies_fail_the_steps_with_a_clear_message() {
    let run = run_against(Misbehaviour::TruncatesBodies);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("[error] connection failed"),
        "{}",
        run.stdout
    );
}

#[test]
fn giant_non_json_bodies_are_cut_and_judged() {
    let run = run_against(Misbehaviour::GiantBodies);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("[response.json]"), "{}", run.stdout);
    assert!(run.stdout.len() < 64 * 1024, "the giant body is not echoed");
    let verbose = run_with(Misbehaviour::GiantBodies, &["-v"]);
    assert!(
        verbose.stdout.len() < 64 * 1024,
        "even -v does not echo a giant body in full"
    );
    assert!(
        verbose
            .stdout
            .contains("(body truncated at the response size limit)"),
        "{}",
        &verbose.stdout[..2000.min(verbose.stdout.len())]
    );
}

#[test]
fn a_target_slower_than_the_timeout_exits_3() {
    let run = run_against(Misbehaviour::Slow);
    assert_eq!(run.code, 3, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.starts_with("error: timed out"), "{}", run.stderr);
}
