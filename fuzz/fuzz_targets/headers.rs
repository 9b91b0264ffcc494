//! The `WWW-Authenticate` challenge parser and the `Link` (rel="next") parser, fed the same
//! header text; a `Link` target never keeps its angle brackets.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| nfd_compat::fuzzing::run("headers", data, &nfd_compat::features::Features::default()));
