//! Integration tests: run the real `nfd-compat` binary on fixture specs, snapshots and host
//! trees.

mod attach_details;
mod authoring;
mod cannot_tell;
mod ci;
mod common;
mod completions;
mod connection;
mod credentials;
mod deploy;
mod dockerhub;
mod errors;
mod export;
mod faults;
mod fleet;
mod fleet_colour;
mod fuzz_regressions;
mod help;
mod hostile;
mod hostile_text;
mod init;
mod layout;
mod lint;
mod namespace;
mod node_pick;
mod perf;
mod proxy;
mod registries;
mod registry_hardening;
mod report_data;
mod reports;
mod schema;
mod terminal;
mod usage;

#[path = "../support/mod.rs"]
mod support;
