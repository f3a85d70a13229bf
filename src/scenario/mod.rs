//! Scenarios: the file model, loading with source-located errors, templating and selection.

pub mod model;

pub use model::*;
