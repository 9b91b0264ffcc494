//! The image reference parser (and the digest check): a reference that parses prints as a
//! reference that parses back to the same thing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| nfd_compat::fuzzing::run("reference", data, &nfd_compat::features::Features::default()));
