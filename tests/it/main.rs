//! Integration tests: run the real `nfd-compat` binary on fixture specs, snapshots and host
//! trees.

mod authoring;
mod common;
mod completions;
mod connection;
mod credentials;
mod dockerhub;
mod errors;
mod faults;
mod fleet;
mod init;
mod layout;
mod lint;
mod namespace;
mod proxy;
mod registries;
mod reports;
mod schema;

#[path = "../support/mod.rs"]
mod support;
