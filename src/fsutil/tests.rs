//! Tests of the write rules: atomic replace, write-through, refusals, the secret guard.

use super::*;
use std::os::unix::fs::FileTypeExt;

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
    let escaped = write_atomic(&path, br#"{"t":"s3cr3t\u002dvalue"}"#, &secrets).unwrap_err();
    assert!(
        matches!(escaped, WriteError::SecretLeak { .. }),
        "{escaped}"
    );
    assert!(!path.exists());
}

#[test]
fn a_symlink_is_followed_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.json");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("real.json", &link).unwrap();
    write_atomic(&link, b"new", &[]).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");

    let dangling = dir.path().join("dangling.json");
    std::os::unix::fs::symlink("sub/created.json", &dangling).unwrap();
    write_atomic(&dangling, b"made", &[]).unwrap();
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sub/created.json")).unwrap(),
        "made"
    );
}

#[test]
fn a_symlink_loop_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    std::os::unix::fs::symlink("b", &a).unwrap();
    std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
    let err = write_atomic(&a, b"x", &[]).unwrap_err();
    assert!(err.to_string().contains("symbolic links"), "{err}");
    assert!(
        std::fs::symlink_metadata(&a)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(check_output(&a).is_err());
}

#[test]
fn a_fifo_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // A reader process, bounded so that a broken write (replacing the FIFO) cannot hang.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let out = std::process::Command::new("timeout")
                .args(["10", "cat"])
                .arg(fifo)
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
    };
    check_output(&fifo).unwrap();
    write_atomic(&fifo, b"through the pipe", &[]).unwrap();
    assert_eq!(reader.join().unwrap(), "through the pipe");
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO is still a FIFO");
}

#[test]
fn a_proc_fd_magic_link_is_written_through() {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    let (mut reader, writer) = std::io::pipe().unwrap();
    let path = PathBuf::from(format!("/proc/self/fd/{}", writer.as_raw_fd()));
    check_output(&path).unwrap();
    write_atomic(&path, b"via the pipe", &[]).unwrap();
    drop(writer);
    let mut got = String::new();
    reader.read_to_string(&mut got).unwrap();
    assert_eq!(got, "via the pipe");
}

#[test]
fn a_device_is_accepted_as_an_output() {
    check_output(Path::new("/dev/null")).unwrap();
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = write_atomic(dir.path(), b"x", &[]).unwrap_err();
    assert!(matches!(err, WriteError::Directory { .. }), "{err}");
    let err = check_output(dir.path()).unwrap_err();
    assert!(err.to_string().contains("is a directory"), "{err}");
    assert!(dir.path().is_dir());
}

#[test]
fn check_output_writes_nothing_and_refuses_a_path_under_a_file() {
    let dir = tempfile::tempdir().unwrap();
    check_output(&dir.path().join("new/nested/report.json")).unwrap();
    assert!(!dir.path().join("new").exists(), "nothing created");
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let err = check_output(&file.join("report.json")).unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("not a directory"),
        "{err}"
    );
    check_output(&file).unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no probe left"
    );
}

#[test]
fn two_outputs_may_not_share_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let link = dir.path().join("link.xml");
    std::os::unix::fs::symlink("r.json", &link).unwrap();
    let err = check_distinct(&[("--report-json", json.clone()), ("--report-junit", link)])
        .unwrap_err()
        .to_string();
    assert!(err.contains("--report-json and --report-junit"), "{err}");
    let dotted = dir.path().join(".").join("r.json");
    assert!(check_distinct(&[("a", json.clone()), ("b", dotted)]).is_err());
    check_distinct(&[("a", json), ("b", dir.path().join("j.xml"))]).unwrap();
}
