//! One integration-test binary for the whole crate (insta's `tests/functional` layout): each
//! module below was its own binary before, and each linked the whole crate again.

#![allow(dead_code)]

mod cli_support;
mod server_support;

mod check_faults;
mod cli_problems;
mod cli_run;
mod client_compression;
mod client_redirects;
mod detection_matrix;
mod hostile_targets;
mod load;
mod record;
mod reference_snapshots;
mod server_behaviour;
mod server_cli;
mod server_okta;
mod server_patch;
mod server_quirks;
mod steady_state;
