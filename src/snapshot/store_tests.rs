//! Tests of the snapshot store in a temporary directory: layout, and new / match / mismatch
//! under each update mode, CI, secret refusal and corrupt files.

use super::*;
use crate::fsutil::WriteError;
use crate::scenario::Dialect;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub(super) fn key(step: &'static str, index: usize) -> SnapshotKey<'static> {
    SnapshotKey {
        scenario: "okta/push-user",
        source: "scenarios/okta/push-user.yaml",
        profile: "generic-aiw",
        dialect: Dialect::Put,
        index,
        step,
        request_line: "POST /Users",
    }
}

pub(super) fn doc(given: &str) -> Value {
    json!({
        "status": 201,
        "headers": {"content-type": "application/scim+json"},
        "body": {"id": "{{alice.id}}", "name": {"familyName": "Doe", "givenName": given}}
    })
}

pub(super) fn store(root: &Path, mode: UpdateMode, ci: bool) -> SnapshotStore {
    SnapshotStore::new(
        root.to_path_buf(),
        "reference",
        mode,
        ci,
        "reference server",
    )
}

/// Every file under `dir`, relative, sorted.
pub(super) fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap_or(&path);
                out.push(rel.display().to_string().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

const SNAP: &str = "reference/generic-aiw/okta/push-user/put/01-create-user.snap";
const NEW: &str = "reference/generic-aiw/okta/push-user/put/01-create-user.snap.new";

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

fn commit(root: &Path, document: &Value) -> PathBuf {
    let outcome = store(root, UpdateMode::Always, false)
        .compare(&key("create user", 1), document, &[])
        .unwrap();
    assert!(matches!(outcome, SnapshotOutcome::New { .. }));
    root.join(SNAP)
}

#[test]
fn layout() {
    let s = store(Path::new("snapshots"), UpdateMode::No, false);
    assert_eq!(
        s.path_for(&key("create user", 1)),
        PathBuf::from("snapshots").join(SNAP)
    );
    let odd = SnapshotKey {
        scenario: "../evil//a b/.hidden",
        profile: "..",
        step: "Create: Alice & Bob!",
        index: 12,
        dialect: Dialect::Patch,
        ..key("x", 1)
    };
    assert_eq!(
        s.path_for(&odd),
        PathBuf::from("snapshots/reference/_/_/evil/a-b/_hidden/patch/12-Create-Alice-Bob.snap")
    );
}

#[test]
fn new_snapshot_under_each_mode() {
    for (mode, ci, expected) in [
        (UpdateMode::New, false, vec![NEW]),
        (UpdateMode::Auto, false, vec![NEW]),
        (UpdateMode::Always, false, vec![SNAP]),
        (UpdateMode::No, false, vec![]),
        (UpdateMode::Auto, true, vec![]),
        (UpdateMode::Always, true, vec![]),
        (UpdateMode::New, true, vec![]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let outcome = store(dir.path(), mode, ci)
            .compare(&key("create user", 1), &doc("Alice"), &[])
            .unwrap();
        let SnapshotOutcome::New {
            file,
            written,
            expected: false,
        } = outcome
        else {
            panic!("{mode:?}: {outcome:?}");
        };
        let in_place = expected.first().is_some_and(|e| !e.ends_with(".new"));
        assert_eq!(
            written.as_ref().map(|w| w.kind),
            expected.first().map(|_| if in_place {
                WriteKind::InPlace
            } else {
                WriteKind::Pending
            }),
            "the outcome says where it wrote, typed"
        );
        assert_eq!(file, dir.path().join(SNAP).display().to_string());
        let written_rel = written.map(|w| {
            Path::new(&w.path)
                .strip_prefix(dir.path())
                .unwrap()
                .display()
                .to_string()
        });
        assert_eq!(
            written_rel.as_deref(),
            expected.first().copied(),
            "{mode:?} ci={ci}"
        );
        assert_eq!(files(dir.path()), expected, "{mode:?} ci={ci}");
    }
}

#[test]
fn pending_files_carry_volatile_fields_committed_ones_do_not() {
    let dir = tempfile::tempdir().unwrap();
    store(dir.path(), UpdateMode::New, false)
        .compare(&key("create user", 1), &doc("Alice"), &[])
        .unwrap();
    let pending = read(dir.path(), NEW);
    assert!(
        pending.contains("target: \"reference server\"\n"),
        "{pending}"
    );
    assert!(pending.contains("recorded_at: \""), "{pending}");
    commit(dir.path(), &doc("Alice"));
    let committed = read(dir.path(), SNAP);
    assert!(!committed.contains("target:") && !committed.contains("recorded_at:"));
    assert!(committed.starts_with("---\nformat: 1\nscenario: \"okta/push-user\"\n"));
    assert!(committed.ends_with("}\n") && !committed.contains('\r'));
}

#[test]
fn match_removes_a_stale_pending_file_when_writing_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &doc("Alice"));
    std::fs::write(dir.path().join(NEW), "stale").unwrap();
    for (mode, ci, stale_kept) in [
        (UpdateMode::No, false, true),
        (UpdateMode::Always, true, true),
        (UpdateMode::New, false, false),
    ] {
        let outcome = store(dir.path(), mode, ci)
            .compare(&key("create user", 1), &doc("Alice"), &[])
            .unwrap();
        assert!(
            matches!(outcome, SnapshotOutcome::Matched { .. }),
            "{outcome:?}"
        );
        assert_eq!(dir.path().join(NEW).exists(), stale_kept, "{mode:?}");
    }
}

#[test]
fn mismatch_reports_diff_and_changed_paths() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &doc("Alice"));
    let outcome = store(dir.path(), UpdateMode::No, false)
        .compare(&key("create user", 1), &doc("alice"), &[])
        .unwrap();
    let SnapshotOutcome::Mismatch {
        diff,
        changed_paths,
        written,
        ..
    } = outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(changed_paths, ["body.name.givenName"]);
    assert_eq!(written, None);
    assert_eq!(files(dir.path()), [SNAP]);
    insta::assert_snapshot!(diff);
}

#[test]
fn mismatch_under_new_writes_pending_and_keeps_committed() {
    let dir = tempfile::tempdir().unwrap();
    let snap = commit(dir.path(), &doc("Alice"));
    let before = std::fs::read_to_string(&snap).unwrap();
    let outcome = store(dir.path(), UpdateMode::New, false)
        .compare(&key("create user", 1), &doc("alice"), &[])
        .unwrap();
    let SnapshotOutcome::Mismatch { written, .. } = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(
        written,
        Some(Written {
            path: dir.path().join(NEW).display().to_string(),
            kind: WriteKind::Pending
        })
    );
    assert_eq!(std::fs::read_to_string(&snap).unwrap(), before);
    assert!(read(dir.path(), NEW).contains("\"givenName\": \"alice\""));
}

#[test]
fn mismatch_under_always_overwrites_and_clears_pending() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &doc("Alice"));
    std::fs::write(dir.path().join(NEW), "stale").unwrap();
    let outcome = store(dir.path(), UpdateMode::Always, false)
        .compare(&key("create user", 1), &doc("alice"), &[])
        .unwrap();
    assert!(matches!(
        outcome,
        SnapshotOutcome::Mismatch {
            written: Some(_),
            ..
        }
    ));
    assert_eq!(files(dir.path()), [SNAP]);
    assert!(read(dir.path(), SNAP).contains("\"givenName\": \"alice\""));
}

#[test]
fn mismatch_under_ci_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &doc("Alice"));
    for mode in [UpdateMode::Auto, UpdateMode::New, UpdateMode::Always] {
        let outcome = store(dir.path(), mode, true)
            .compare(&key("create user", 1), &doc("alice"), &[])
            .unwrap();
        assert!(matches!(
            outcome,
            SnapshotOutcome::Mismatch { written: None, .. }
        ));
        assert_eq!(files(dir.path()), [SNAP]);
    }
}

#[test]
fn refuses_to_write_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = vec![crate::secrets::Secret::new("token", "Alice-Secret-9")];
    let err = store(dir.path(), UpdateMode::New, false)
        .compare(&key("create user", 1), &doc("Alice-Secret-9"), &secrets)
        .unwrap_err();
    assert!(
        matches!(err, SnapshotError::Write(WriteError::SecretLeak { .. })),
        "{err}"
    );
    assert!(files(dir.path()).is_empty());
}

#[test]
fn corrupt_snapshot_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let snap = commit(dir.path(), &doc("Alice"));
    std::fs::write(&snap, "---\nformat: 1\nscenario: \"x\"\n---\n{").unwrap();
    let err = store(dir.path(), UpdateMode::New, false)
        .compare(&key("create user", 1), &doc("Alice"), &[])
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, SnapshotError::Corrupt { .. }), "{message}");
    assert!(message.contains("01-create-user.snap"), "{message}");
    assert!(message.contains("`step` is missing"), "{message}");
    std::fs::write(&snap, [0xff, 0xfe]).unwrap();
    let err = store(dir.path(), UpdateMode::New, false)
        .compare(&key("create user", 1), &doc("Alice"), &[])
        .unwrap_err();
    assert!(err.to_string().contains("not UTF-8"), "{err}");
}

#[test]
fn a_new_snapshot_is_expected_only_where_its_instance_already_has_some() {
    let dir = tempfile::tempdir().unwrap();
    let always = store(dir.path(), UpdateMode::Always, false);
    always
        .compare(&key("create user", 1), &doc("Alice"), &[])
        .unwrap();
    let ci = store(dir.path(), UpdateMode::No, true);
    let added = ci.compare(&key("get user", 2), &doc("Alice"), &[]).unwrap();
    assert!(
        matches!(added, SnapshotOutcome::New { expected: true, .. }),
        "{added:?}"
    );
    assert!(added.fails_step(), "a step added to an accepted scenario");
    let other = SnapshotKey {
        scenario: "mine/extra",
        ..key("create user", 1)
    };
    let fresh = ci.compare(&other, &doc("Alice"), &[]).unwrap();
    assert!(
        matches!(
            fresh,
            SnapshotOutcome::New {
                expected: false,
                ..
            }
        ),
        "{fresh:?}"
    );
    assert!(
        !fresh.fails_step(),
        "a scenario the baseline does not cover is only new"
    );
}

#[test]
fn snapshots_no_step_produced_are_orphans() {
    let dir = tempfile::tempdir().unwrap();
    let always = store(dir.path(), UpdateMode::Always, false);
    for (step, n) in [("create user", 1), ("get user", 2)] {
        always.compare(&key(step, n), &doc("Alice"), &[]).unwrap();
    }
    let next = store(dir.path(), UpdateMode::No, true);
    next.compare(&key("create user", 1), &doc("Alice"), &[])
        .unwrap();
    next.compare(&key("read user", 2), &doc("Alice"), &[])
        .unwrap();
    let orphans = next.orphans(&[("okta/push-user", "generic-aiw", Dialect::Put)]);
    let names: Vec<String> = orphans
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["02-get-user.snap"]);
    assert!(
        next.orphans(&[("okta/other", "generic-aiw", Dialect::Put)])
            .is_empty()
    );
}
