//! The snapshot reader (Features, NodeFeature, NodeFeatureList; JSON or YAML).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| nfd_compat::fuzzing::run("snapshot", data, &nfd_compat::features::Features::default()));
