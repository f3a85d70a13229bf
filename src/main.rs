use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    scimreplay::tls::init();
    let cli = scimreplay::cli::Cli::parse();
    ExitCode::from(scimreplay::commands::dispatch(cli))
}
