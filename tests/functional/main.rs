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
mod doc_examples;
mod doc_links;
mod doc_tables;
mod hostile_ids;
mod hostile_targets;
mod html_report;
mod load;
mod no_leftovers;
mod properties;
mod record;
mod reference_snapshots;
mod run_plan;
mod secrets;
mod selection;
mod server_behaviour;
mod server_cli;
mod server_integrity;
mod server_okta;
mod server_patch;
mod server_quirks;
mod steady_state;
mod stopping;
mod validation;
