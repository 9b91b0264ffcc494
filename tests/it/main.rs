//! Integration tests: run the real `nfd-compat` binary on fixture specs, snapshots and host
//! trees.

mod attach_details;
mod authoring;
mod ci;
mod common;
mod completions;
mod connection;
mod credentials;
mod dockerhub;
mod errors;
mod faults;
mod fleet;
mod help;
mod init;
mod lint;
mod namespace;
mod perf;
mod proxy;
mod registries;
mod reports;
mod schema;

#[path = "../support/mod.rs"]
mod support;
