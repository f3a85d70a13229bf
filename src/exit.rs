//! The one table of process exit codes, the `--help` text rendered from it, and the one rule
//! for a closed standard output (`scimreplay … | head`): `main` ends the process quietly with
//! success, wherever the write failed. Every command maps its outcome through here.

use std::any::Any;

/// Every scenario and check passed (warnings allowed unless `--strict`).
pub const SUCCESS: u8 = 0;
/// Conformance failures or snapshot differences: Okta would break or record the wrong state.
pub const FAILURES: u8 = 1;
/// Usage, scenario, profile or configuration error: nothing was (fully) run.
pub const USAGE: u8 = 2;
/// Target unreachable, TLS failure, or authentication rejected.
pub const TARGET: u8 = 3;
/// Nothing selected: the filters left no scenario to run.
pub const NOTHING_SELECTED: u8 = 4;
/// Stopped by Ctrl-C (SIGINT) after cleaning up and writing the reports (128 + 2).
pub const INTERRUPTED: u8 = 130;
/// Stopped by SIGTERM after cleaning up and writing the reports (128 + 15).
pub const TERMINATED: u8 = 143;

/// The table as shown in `--help` and the README.
pub const TABLE: &[(u8, &str)] = &[
    (SUCCESS, "all selected scenarios passed"),
    (FAILURES, "conformance failures or snapshot differences"),
    (USAGE, "usage, scenario, profile or configuration error"),
    (
        TARGET,
        "target unreachable, TLS failure, authentication rejected, or --deadline passed",
    ),
    (
        NOTHING_SELECTED,
        "nothing selected by the filters, or every selected scenario skipped",
    ),
    (
        INTERRUPTED,
        "stopped by Ctrl-C: what the run created was deleted, the reports written",
    ),
    (
        TERMINATED,
        "stopped by SIGTERM: what the run created was deleted, the reports written",
    ),
];

/// [`TABLE`] as the `Exit codes:` section of `--help`.
pub fn help_table() -> String {
    let rows: Vec<String> = TABLE
        .iter()
        .map(|(code, meaning)| format!("  {code}  {meaning}"))
        .collect();
    format!("Exit codes:\n{}", rows.join("\n"))
}

/// Prints `error: MESSAGE` and returns [`USAGE`]: the exit code of every usage, scenario,
/// profile or configuration error.
pub fn usage_error(message: impl std::fmt::Display) -> u8 {
    eprintln!("error: {message}");
    USAGE
}

/// The unwind payload that carries "standard output was closed" up to `main`.
#[derive(Debug)]
pub struct StdoutClosed;

/// Stops the command because standard output was closed; `main` turns this into a quiet
/// [`SUCCESS`] (see [`is_stdout_closed`]). Destructors run on the way (servers stop).
pub fn stdout_closed() -> ! {
    std::panic::resume_unwind(Box::new(StdoutClosed))
}

/// True for an unwind caused by a closed standard output: [`stdout_closed`], or a `print!`
/// that hit a broken pipe.
pub fn is_stdout_closed(payload: &(dyn Any + Send)) -> bool {
    payload.is::<StdoutClosed>() || panic_text(payload).is_some_and(is_broken_pipe_message)
}

/// Makes the panic hook silent for a `print!` into a closed pipe (`main` ends the process
/// quietly then); every other panic is reported as before.
pub fn quiet_broken_pipe_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !panic_text(info.payload()).is_some_and(is_broken_pipe_message) {
            default(info);
        }
    }));
}

fn panic_text(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
}

fn is_broken_pipe_message(text: &str) -> bool {
    text.starts_with("failed printing to stdout") && text.contains("Broken pipe")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_table_lists_every_code() {
        let help = help_table();
        for (code, meaning) in TABLE {
            assert!(help.contains(&format!("  {code}  {meaning}")), "{help}");
        }
    }

    #[test]
    fn closed_stdout_unwinds_are_recognised() {
        let typed: Box<dyn Any + Send> = Box::new(StdoutClosed);
        assert!(is_stdout_closed(&*typed));
        let printed: Box<dyn Any + Send> =
            Box::new("failed printing to stdout: Broken pipe (os error 32)".to_string());
        assert!(is_stdout_closed(&*printed));
        let other: Box<dyn Any + Send> = Box::new("index out of bounds");
        assert!(!is_stdout_closed(&*other));
    }
}
