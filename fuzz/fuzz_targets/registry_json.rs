//! The registry's JSON answers: an index (referrers list, tag-schema index, image index), a
//! manifest, an image config, an OCI error body, and the media-type sniffing. What decodes
//! re-encodes and decodes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| nfd_compat::fuzzing::run("registry_json", data, &nfd_compat::features::Features::default()));
