//! The detection matrix: for every reference-server quirk, what catches it when the whole Okta
//! suite runs against a server with that quirk (verified by
//! `tests/functional/detection_matrix.rs`). Each row is recorded once, in the quirk's own entry of
//! the quirk catalogue (`server::quirks`: Okta's verdict and what catches it); this module
//! renders the rows.

pub use crate::server::Catch;
use crate::server::{OktaVerdict, QuirkInfo};

/// One quirk's row.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub quirk: &'static QuirkInfo,
    /// What must report the quirk (all of them) when it is on.
    pub caught_by: &'static [Catch],
}

impl Row {
    /// Why Okta copes, for tolerated quirks.
    pub fn tolerated(&self) -> Option<&'static str> {
        match self.quirk.okta {
            OktaVerdict::Tolerates(why) => Some(why),
            OktaVerdict::Breaks => None,
        }
    }
}

/// Every quirk's row, in `serve --list-quirks` order.
pub fn rows() -> impl Iterator<Item = Row> {
    crate::server::quirks().iter().map(|quirk| Row {
        quirk,
        caught_by: quirk.caught_by,
    })
}

/// The row of a quirk by name.
pub fn row(name: &str) -> Option<Row> {
    rows().find(|r| r.quirk.name == name)
}

/// The matrix as a text table (for `scimreplay checks --matrix` and docs/checks.md).
pub fn render() -> String {
    let mut out = format!(
        "{:<30} {:<8} {:<50} {}\n",
        "QUIRK", "OKTA", "CAUGHT BY", "NOTE"
    );
    for row in rows() {
        let checks = if row.caught_by.is_empty() {
            "-".to_string()
        } else {
            row.caught_by
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let okta = if row.tolerated().is_some() {
            "okta-ok"
        } else {
            "breaks"
        };
        out.push_str(
            format!(
                "{:<30} {:<8} {:<50} {}",
                row.quirk.name,
                okta,
                checks,
                row.tolerated().unwrap_or("")
            )
            .trim_end(),
        );
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaking_quirks_are_caught_by_a_failing_check_and_tolerated_ones_by_none() {
        for row in rows() {
            let fails = row.caught_by.iter().any(|c| c.fails());
            match row.tolerated() {
                None => assert!(
                    fails,
                    "{} breaks Okta but no fail check catches it",
                    row.quirk.name
                ),
                Some(_) => assert!(
                    !fails,
                    "{} is tolerated by Okta but a fail check is said to catch it",
                    row.quirk.name
                ),
            }
        }
    }
}
