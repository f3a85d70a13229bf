//! Replay: renders scenario steps, sends them, captures values, judges responses.

pub mod exchange;
pub mod result;
