//! The command layer's one error type and the one place a command error becomes its message on
//! standard error and its exit code (`crate::exit`). Helpers return `CommandError`; commands
//! hand it to [`report`] at their edge.

use crate::exit;
use crate::fsutil::WriteError;
use crate::profile::ProfileError;
use crate::replay::client::TransportFailure;
use crate::replay::engine::RunAbort;
use crate::report::ReportError;
use crate::scenario::LoadError;
use crate::scenario::rerun::RerunError;
use crate::scenario::select::InvalidGlob;
use crate::snapshot::SnapshotError;

/// Why a command stopped before (or instead of) producing its outcome.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// A usage, scenario, profile or configuration error: nothing was (fully) run.
    #[error("{0}")]
    Usage(String),
    /// Scenario files that do not load; each message is complete (file, line, what to fix).
    #[error("{}", .0.join("\n\n"))]
    InvalidScenarios(Vec<String>),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Rerun(#[from] RerunError),
    #[error(transparent)]
    Selection(#[from] InvalidGlob),
    #[error(transparent)]
    Output(#[from] WriteError),
    /// A recording that does not convert into a valid scenario (nothing was written to `out`).
    #[error(
        "{error}\nthe recording does not convert into a valid scenario; nothing was written to {}",
        out.display()
    )]
    Unconvertible {
        error: LoadError,
        out: std::path::PathBuf,
    },
    /// The filters (or a rerun list) left nothing to run; the message says why.
    #[error("{0}")]
    NothingSelected(String),
    /// The target or the run's outputs stopped the run (connection test, transport, reports).
    #[error("{abort}")]
    Aborted { abort: RunAbort, base_url: String },
}

impl CommandError {
    /// A usage error with this message.
    pub fn usage(message: impl std::fmt::Display) -> CommandError {
        CommandError::Usage(message.to_string())
    }

    /// The documented exit code of this error (see `exit::TABLE`).
    pub fn exit_code(&self) -> u8 {
        match self {
            CommandError::Usage(_)
            | CommandError::InvalidScenarios(_)
            | CommandError::Profile(_)
            | CommandError::Snapshot(_)
            | CommandError::Rerun(_)
            | CommandError::Selection(_)
            | CommandError::Output(_)
            | CommandError::Unconvertible { .. } => exit::USAGE,
            CommandError::NothingSelected(_) => exit::NOTHING_SELECTED,
            CommandError::Aborted { abort, .. } => match abort {
                RunAbort::Target(_) | RunAbort::AuthRejected(_) | RunAbort::ConnectionTest(_) => {
                    exit::TARGET
                }
                RunAbort::BadToken(_) | RunAbort::Report(_) => exit::USAGE,
            },
        }
    }
}

/// Prints `err` for the user and returns its exit code; a report that hit a closed standard
/// output ends the command quietly instead (see `exit::stdout_closed`).
pub fn report(err: CommandError) -> u8 {
    match &err {
        CommandError::InvalidScenarios(errors) => {
            for e in errors {
                eprintln!("{e}\n");
            }
        }
        CommandError::NothingSelected(message) => eprintln!("{message}"),
        CommandError::Unconvertible { error, out } => {
            eprintln!("{error}");
            eprintln!(
                "error: the recording does not convert into a valid scenario; nothing was written to {}",
                out.display()
            );
        }
        CommandError::Aborted { abort, base_url } => report_abort(abort, base_url),
        _ => eprintln!("error: {err}"),
    }
    err.exit_code()
}

fn report_abort(abort: &RunAbort, base_url: &str) {
    match abort {
        RunAbort::Target(f) => {
            let hint = match f {
                TransportFailure::Timeout(_) => {
                    "the server accepted the connection but did not answer Okta's connection test within --timeout (Okta waits 60 s); check its logs or raise --timeout"
                }
                _ => {
                    "check the URL, that the server is running, and TLS settings (--ca-cert, --insecure)"
                }
            };
            eprintln!("error: {f}\n  target: {base_url}\n  hint: {hint}");
        }
        RunAbort::AuthRejected(m) => eprintln!("error: authentication rejected by {base_url}: {m}"),
        RunAbort::ConnectionTest(paragraph) => {
            eprintln!("error: {paragraph}\n  target: {base_url}")
        }
        RunAbort::BadToken(m) => eprintln!("error: {m}"),
        RunAbort::Report(ReportError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            exit::stdout_closed()
        }
        RunAbort::Report(e) => eprintln!("error: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_maps_to_its_documented_exit_code() {
        let aborted = |abort| CommandError::Aborted {
            abort,
            base_url: "http://127.0.0.1:1".into(),
        };
        let cases = [
            (CommandError::usage("bad flag"), exit::USAGE),
            (
                CommandError::InvalidScenarios(vec!["a.yaml:3: x".into()]),
                exit::USAGE,
            ),
            (
                CommandError::NothingSelected("nothing".into()),
                exit::NOTHING_SELECTED,
            ),
            (
                aborted(RunAbort::Target(TransportFailure::Unreachable(
                    "refused".into(),
                ))),
                exit::TARGET,
            ),
            (aborted(RunAbort::AuthRejected("401".into())), exit::TARGET),
            (
                aborted(RunAbort::ConnectionTest("404".into())),
                exit::TARGET,
            ),
            (aborted(RunAbort::BadToken("newline".into())), exit::USAGE),
        ];
        for (err, code) in cases {
            assert_eq!(err.exit_code(), code, "{err:?}");
        }
    }
}
