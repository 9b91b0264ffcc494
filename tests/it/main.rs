//! Integration tests: run the real `nfd-compat` binary on fixture specs, snapshots and host
//! trees.

mod authoring;
mod common;
mod completions;
mod errors;
mod faults;
mod fleet;
mod fuzz_regressions;
mod init;
mod lint;
mod registries;
mod registry_hardening;
mod reports;
mod schema;

#[path = "../support/mod.rs"]
mod support;
