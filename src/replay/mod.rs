//! Replay: renders scenario steps, sends them, captures values, judges responses.

pub mod assert;
mod cleanup;
pub mod client;
pub mod controls;
pub mod engine;
pub mod exchange;
mod instance;
mod needs;
mod parallel;
mod preflight;
pub mod render;
pub mod result;
pub mod step;
