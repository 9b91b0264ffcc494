//! Integration tests: run the real `nfd-compat` binary on fixture specs, snapshots and host
//! trees.

mod common;
mod errors;
mod faults;
mod fleet;
mod registries;
mod reports;

#[path = "../support/mod.rs"]
mod support;
