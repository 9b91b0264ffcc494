//! nfd-compat: validate nodes against NFD image-compatibility specs.
//!
//! The binary is a thin layer over this library: `cli` parses arguments, `app` resolves them
//! and runs the command, which uses `spec` (load and check a spec), `sources` (discover a
//! host), `snapshot` (read saved features), `rules` (evaluate, pure) and `report` (one model,
//! rendered as a table, rich JSON/YAML or NFD's JSON).

pub mod app;
pub mod cli;
pub mod features;
pub mod fleet;
#[doc(hidden)]
pub mod fuzzing;
pub mod help;
pub(crate) mod input;
pub mod lint;
pub mod registry;
pub mod report;
pub mod rules;
pub mod snapshot;
pub mod sources;
pub mod spec;
pub(crate) mod timestamp;
pub mod warning;
