//! Interactive review of pending snapshots: shows each one's header and coloured diff, asks
//! accept / reject / skip (or the same for all remaining, or quit), and acts on the answer.

use super::SnapshotError;
use super::diff::{colorize_diff, unified_diff};
use super::format::render_document;
use super::pending::Pending;
use super::store::read_snapshot;
use colored::Colorize;
use std::fmt;
use std::io::{BufRead, Write};

const PROMPT: &str =
    "accept (a), reject (r), skip (s), accept all (A), reject all (R), skip all (S), quit (q)? ";

/// What the reviewer chose for one pending file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Accept,
    Reject,
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    One(Action),
    All(Action),
    Quit,
}

/// How many pending files were accepted, rejected and skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub accepted: usize,
    pub rejected: usize,
    pub skipped: usize,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} accepted, {} rejected, {} skipped",
            self.accepted, self.rejected, self.skipped
        )
    }
}

/// Reviews `pending` in order; end of input counts as quit. Quitting skips the rest.
pub(crate) fn review_pending(
    pending: &[Pending],
    out: &mut dyn Write,
    input: &mut dyn BufRead,
) -> Result<Counts, SnapshotError> {
    let mut counts = Counts::default();
    let mut for_all: Option<Action> = None;
    for (i, item) in pending.iter().enumerate() {
        let action = match for_all {
            Some(action) => action,
            None => {
                show(item, i + 1, pending.len(), out)?;
                match ask(out, input)? {
                    Answer::One(action) => action,
                    Answer::All(action) => *for_all.insert(action),
                    Answer::Quit => {
                        counts.skipped += pending.len() - i;
                        break;
                    }
                }
            }
        };
        apply(item, action, &mut counts, out)?;
    }
    Ok(counts)
}

fn apply(
    item: &Pending,
    action: Action,
    counts: &mut Counts,
    out: &mut dyn Write,
) -> Result<(), SnapshotError> {
    let shown = item.snap.display();
    match action {
        Action::Accept => {
            item.accept()?;
            counts.accepted += 1;
            writeln!(out, "{} {shown}", "accepted".green())?;
        }
        Action::Reject => {
            item.reject()?;
            counts.rejected += 1;
            writeln!(out, "{} {shown}", "rejected".red())?;
        }
        Action::Skip => {
            counts.skipped += 1;
            writeln!(out, "{} {shown}", "skipped".yellow())?;
        }
    }
    Ok(())
}

/// Header lines, then the diff against the committed snapshot (or the whole new content).
fn show(item: &Pending, n: usize, total: usize, out: &mut dyn Write) -> Result<(), SnapshotError> {
    let h = &item.file.header;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        format!("pending {n}/{total}: {}", item.snap.display()).bold()
    )?;
    writeln!(out, "  scenario: {}", h.scenario)?;
    writeln!(out, "  step:     {}", h.step)?;
    writeln!(out, "  dialect:  {}", h.dialect)?;
    writeln!(out, "  request:  {}", h.request)?;
    if let Some(target) = &h.target {
        writeln!(out, "  target:   {target}")?;
    }
    let actual = render_document(&item.file.document);
    let committed = match read_snapshot(&item.snap) {
        Ok(Some(committed)) => Some(render_document(&committed.document)),
        Ok(None) => None,
        Err(e) => {
            writeln!(out, "  (committed snapshot unreadable: {e})")?;
            None
        }
    };
    match committed {
        Some(committed) if committed == actual => {
            writeln!(out, "  (document unchanged; only the header differs)")?;
        }
        Some(committed) => write!(out, "{}", colorize_diff(&unified_diff(&committed, &actual)))?,
        None => {
            writeln!(out, "{}", "new snapshot".bold())?;
            write!(out, "{}", colorize_diff(&unified_diff("", &actual)))?;
        }
    }
    Ok(())
}

fn ask(out: &mut dyn Write, input: &mut dyn BufRead) -> Result<Answer, SnapshotError> {
    loop {
        write!(out, "{PROMPT}")?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(out)?;
            return Ok(Answer::Quit);
        }
        match parse_answer(line.trim()) {
            Some(answer) => return Ok(answer),
            None => writeln!(out, "please answer a, r, s, A, R, S or q")?,
        }
    }
}

fn parse_answer(text: &str) -> Option<Answer> {
    Some(match text {
        "a" => Answer::One(Action::Accept),
        "r" => Answer::One(Action::Reject),
        "s" => Answer::One(Action::Skip),
        "A" => Answer::All(Action::Accept),
        "R" => Answer::All(Action::Reject),
        "S" => Answer::All(Action::Skip),
        "q" | "Q" => Answer::Quit,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        assert_eq!(parse_answer("a"), Some(Answer::One(Action::Accept)));
        assert_eq!(parse_answer("R"), Some(Answer::All(Action::Reject)));
        assert_eq!(parse_answer("q"), Some(Answer::Quit));
        assert_eq!(parse_answer(""), None);
        assert_eq!(parse_answer("yes"), None);
    }

    #[test]
    fn counts_line() {
        let counts = Counts {
            accepted: 2,
            rejected: 1,
            skipped: 0,
        };
        assert_eq!(counts.to_string(), "2 accepted, 1 rejected, 0 skipped");
    }
}
