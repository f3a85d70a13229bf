use clap::Parser;
use scimreplay::exit;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::process::ExitCode;

fn main() -> ExitCode {
    scimreplay::tls::init();
    exit::quiet_broken_pipe_panics();
    let cli = scimreplay::cli::Cli::parse();
    // The one place a closed standard output (`| head`) is handled: quietly, with success.
    let code = match catch_unwind(AssertUnwindSafe(|| scimreplay::commands::dispatch(cli))) {
        Ok(code) => code,
        Err(payload) if exit::is_stdout_closed(&*payload) => exit::SUCCESS,
        Err(payload) => resume_unwind(payload),
    };
    ExitCode::from(code)
}
