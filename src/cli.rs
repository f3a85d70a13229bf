//! Command-line surface: clap definitions of every subcommand and their arguments.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "scimreplay",
    version,
    about = "Replays Okta's SCIM provisioning traffic against a SCIM 2.0 server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the reference SCIM 2.0 server
    Serve(crate::server::ServeArgs),
}
