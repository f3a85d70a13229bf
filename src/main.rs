use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    scimreplay::tls::init();
    let cli = scimreplay::cli::Cli::parse();
    match cli.command {
        scimreplay::cli::Command::Serve(args) => {
            ExitCode::from(scimreplay::server::run_serve(args))
        }
    }
}
