//! Command implementations: each resolves its arguments into validated settings, does the work
//! through the library, and returns an exit code from `crate::exit`.

mod catalog;
mod compose;
mod error;
mod load;
mod record;
mod run;
mod signals;
mod steady;
mod target;

use crate::cli::{Cli, ColorChoice, Command};
use crate::exit;
use std::io::IsTerminal;

/// Runs a parsed command line and returns the process exit code.
pub fn dispatch(cli: Cli) -> u8 {
    match cli.command {
        Command::Run(args) => run::run(*args),
        Command::Steady(args) => steady::steady(*args),
        Command::Load(args) => load::load(*args),
        Command::Record(args) => record::record(args),
        Command::Import(args) => record::import(args),
        Command::List(args) => catalog::list(&args),
        Command::Validate(args) => catalog::validate(&args),
        Command::Checks(args) => catalog::checks(&args),
        Command::Profiles => catalog::profiles(),
        Command::Completions(args) => catalog::completions(args.shell),
        Command::Man => catalog::man_page(),
        Command::Serve(args) => crate::server::run_serve(args),
        Command::Review(args) => snapshot_command(crate::snapshot::review(
            &args,
            &mut std::io::stdout(),
            &mut std::io::stdin().lock(),
        )),
        Command::Accept(args) => {
            snapshot_command(crate::snapshot::accept(&args, &mut std::io::stdout()))
        }
        Command::Reject(args) => {
            snapshot_command(crate::snapshot::reject(&args, &mut std::io::stdout()))
        }
    }
}

fn snapshot_command(result: Result<u8, crate::snapshot::SnapshotError>) -> u8 {
    result.unwrap_or_else(|e| error::report(e.into()))
}

/// Applies `--color` (and `NO_COLOR`) to every later styled output.
pub fn apply_color(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    colored::control::set_override(on);
}

/// Writes to stdout; when the reader has gone away (a closed pipe) the command stops and
/// `main` ends the process quietly with success, as `head` and `less` users expect.
pub(crate) fn write_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        exit::stdout_closed();
    }
}

/// Vets report paths before anything is sent: each one writable (not a directory, its
/// directory accepts files) and no two the same file. `outputs` are `(option, path)`.
fn check_outputs(outputs: &[(&str, std::path::PathBuf)]) -> Result<(), error::CommandError> {
    for (option, path) in outputs {
        crate::fsutil::check_output(path)
            .map_err(|e| error::CommandError::Usage(format!("{option}: {e}")))?;
    }
    Ok(crate::fsutil::check_distinct(outputs)?)
}

use exit::usage_error;
