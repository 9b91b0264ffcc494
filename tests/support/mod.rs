//! Helpers shared by the integration tests and the benchmarks.

pub(crate) mod generate;
pub(crate) mod registry;
