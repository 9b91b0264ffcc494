//! The streaming fleet splitter. Besides not panicking, what it hands over must be the input:
//! for a valid list, each item parses as JSON on its own and the items re-joined into the
//! rest give back the same document.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| nfd_compat::fuzzing::run("fleet_split", data, &nfd_compat::features::Features::default()));
