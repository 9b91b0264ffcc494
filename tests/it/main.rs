//! Integration tests: run the real `nfd-compat` binary on fixture specs, snapshots and host
//! trees.

mod authoring;
mod cannot_tell;
mod common;
mod completions;
mod errors;
mod faults;
mod fleet;
mod hostile_text;
mod init;
mod lint;
mod node_pick;
mod registries;
mod reports;
mod schema;
mod terminal;

#[path = "../support/mod.rs"]
mod support;
