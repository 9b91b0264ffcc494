//! The spec loader (YAML 1.2 or JSON, every check), then evaluation of what loads against a
//! fixed node: no input may panic, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod node;

fuzz_target!(|data: &[u8]| nfd_compat::fuzzing::run("spec", data, node::node()));
