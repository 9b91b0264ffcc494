//! The spec loader (YAML 1.2 or JSON, every check), then evaluation of what loads against a
//! fixed node: no input may panic, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod node;
use node::node;

fuzz_target!(|data: &[u8]| {
    if let Ok(loaded) = nfd_compat::spec::load(data) {
        let evaluation =
            nfd_compat::rules::evaluate(&loaded.spec, node(), &nfd_compat::rules::Options::default());
        let _ = evaluation.sets.iter().any(|s| s.is_match());
    }
});
