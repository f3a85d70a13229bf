//! A step's declared dependencies (`needs:`): when a step it needs failed (or was itself not
//! run because of a failure), the step is not sent and is reported as a consequence of that
//! failure, so a step whose precondition does not hold is never reported as passed.

use super::result::{Status, StepReport};
use crate::scenario::Step;

/// Why `step` must not run, and the failed step (its root) it is a consequence of, when a step
/// it `needs` did not pass. A needed step that was skipped without a failure behind it (not
/// selected for the profile) leaves no root; one absent from `earlier` (another dialect's)
/// does not hold the step back.
pub fn unmet(step: &Step, earlier: &[StepReport]) -> Option<(String, Option<usize>)> {
    step.needs.iter().find_map(|name| {
        let needed = earlier.iter().rev().find(|r| &r.name == name)?;
        let root = match needed.status {
            Status::Passed => return None,
            Status::Failed => needed.consequence_of.or(Some(needed.index)),
            Status::Skipped => needed.consequence_of,
        };
        let what = if needed.status == Status::Failed {
            "failed"
        } else {
            "was not run"
        };
        let reason = format!(
            "not run: it needs step {:02} `{name}`, which {what}; its verdict would mean nothing",
            needed.index
        );
        Some((reason, root))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn report(index: usize, name: &str, status: Status, root: Option<usize>) -> StepReport {
        StepReport {
            index,
            name: name.into(),
            teardown: false,
            status,
            request_line: "POST /Users".into(),
            duration: Duration::ZERO,
            attempts: 1,
            exchanges: Vec::new(),
            assertions: Vec::new(),
            checks: Vec::new(),
            snapshot: None,
            error: None,
            consequence_of: root,
        }
    }

    fn step(needs: &[&str]) -> Step {
        let yaml = format!(
            "name: filter\nrequest: {{method: GET, path: /Users}}\nneeds: [{}]",
            needs.join(", ")
        );
        serde_saphyr::from_str(&yaml).unwrap()
    }

    #[test]
    fn a_failed_need_holds_the_step_back_as_its_consequence() {
        let seed = report(1, "seed", Status::Failed, None);
        let (why, root) = unmet(&step(&["seed"]), &[seed]).unwrap();
        assert_eq!(root, Some(1));
        assert!(why.contains("needs step 01 `seed`, which failed"), "{why}");
    }

    #[test]
    fn a_need_that_passed_or_did_not_run_in_this_dialect_holds_nothing_back() {
        let seed = report(1, "seed", Status::Passed, None);
        assert_eq!(unmet(&step(&["seed"]), &[seed]), None);
        assert_eq!(unmet(&step(&["seed"]), &[]), None);
    }

    #[test]
    fn a_need_skipped_because_of_a_failure_points_at_that_failure() {
        let create = report(1, "create", Status::Failed, None);
        let read = report(2, "read", Status::Skipped, Some(1));
        let (_, root) = unmet(&step(&["read"]), &[create, read.clone()]).unwrap();
        assert_eq!(root, Some(1));
        let unselected = report(2, "read", Status::Skipped, None);
        assert_eq!(unmet(&step(&["read"]), &[unselected]).unwrap().1, None);
    }
}
