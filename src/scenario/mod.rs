//! Scenarios: the file model, loading with source-located errors, templating and selection.

mod error;
pub mod load;
pub mod model;
pub mod rerun;
pub mod select;
pub mod template;
mod validate;

pub use load::{LoadError, Scenario, discover, load_file};
pub use model::*;
