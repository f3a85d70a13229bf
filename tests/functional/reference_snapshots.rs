//! The committed snapshots under `snapshots/reference/` are those of the embedded reference
//! server: every profile, both dialects, must match them exactly (under CI nothing is written).
//! After changing a scenario, regenerate them as docs/snapshots.md describes.

use crate::cli_support;

use cli_support::scimreplay;

#[test]
fn committed_reference_snapshots_match_every_profile_and_dialect() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for profile in scimreplay::profile::BUILTIN.iter().map(|(n, _)| *n) {
        let run = scimreplay(
            &[
                "run",
                "--profile",
                profile,
                "--dialect",
                "both",
                "--max-retry-wait",
                "10ms",
                "--color",
                "never",
            ],
            Some(root),
            &[("CI", "true")],
        );
        assert_eq!(
            run.code,
            0,
            "profile {profile}: the committed snapshots differ (regenerate them, see docs/snapshots.md)\n{}",
            run.stdout
                .lines()
                .filter(|l| l.contains("FAIL") || l.contains("snapshot"))
                .take(20)
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(
            !run.stdout.contains("snapshot differs"),
            "profile {profile}"
        );
    }
}
