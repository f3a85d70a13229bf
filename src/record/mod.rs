//! Recording: turns real traffic into replayable scenarios. `scimreplay record` runs a reverse
//! proxy in front of a SCIM server (point Okta, or any client, at it) and `scimreplay import`
//! reads a HAR capture; both convert the exchanges with [`convert::to_scenario`] — ids
//! captured, created names per run, passwords random, no header kept, writes to resources the
//! recording did not create left out — and write the scenario through the secret guard.

pub mod convert;
pub mod har;
pub mod proxy;

pub use convert::{Conversion, Recorded, to_scenario};
