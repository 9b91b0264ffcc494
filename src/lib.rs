//! nfd-compat: validate nodes against NFD image-compatibility specs.
//!
//! The binary is a thin layer over this library: `cli` parses arguments, `app` resolves them
//! and runs the command, which uses `spec` (load and check a spec), `sources` (discover a
//! host), `snapshot` (read saved features), `rules` (evaluate, pure) and `report` (one model,
//! rendered as a table, rich JSON/YAML or NFD's JSON).
//!
//! # Library surface
//!
//! Public is what the binary, the integration tests, the benchmarks and the fuzz targets use
//! (docs/ARCHITECTURE.md, "Library surface"); everything else is `pub(crate)`, so that the
//! compiler reports what nothing uses.
//!
//! - [`features`]: the `Features` model and its constructors.
//! - [`spec::load`]: a checked [`spec::Spec`] (its rule tree is public for the benchmarks).
//! - [`rules::evaluate`] with [`rules::Options`]: an [`rules::Evaluation`].
//! - [`snapshot::parse`]: the nodes of a saved snapshot.
//! - [`sources::discover_all`] with a [`sources::Context`] ([`sources::HostRoot`],
//!   [`sources::Machine`]).
//! - [`report::build_with`], [`report::nfd::render`] and [`report::text::escape`].
//! - [`cli::Cli`], [`help::command_for`] and `app::run`: the binary.
//! - `fuzzing` (hidden): the fuzz targets' bodies.

pub mod app;
pub mod cli;
pub mod features;
pub(crate) mod fleet;
#[doc(hidden)]
pub mod fuzzing;
pub mod help;
pub(crate) mod input;
pub(crate) mod lint;
pub(crate) mod registry;
pub mod report;
pub mod rules;
pub mod snapshot;
pub mod sources;
pub mod spec;
pub(crate) mod timestamp;
pub(crate) mod warning;
