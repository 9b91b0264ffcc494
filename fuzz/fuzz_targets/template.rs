//! `varsTemplate`: the checker (at load) and the evaluator (the rule engine runs it over the
//! matched elements of a fixed node). Whatever the template, the run ends with vars or an
//! error on the rule: no panic, no hang, no exhausted memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod node;

fuzz_target!(|data: &[u8]| nfd_compat::fuzzing::run("template", data, node::node()));
