//! The `WWW-Authenticate` challenge parser and the `Link` (rel="next") parser, fed the same
//! header text; a `Link` target never keeps its angle brackets.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfd_compat::registry::auth::Challenge;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Challenge::parse(text);
    // Several header lines, as a registry may send several `Link` headers.
    let values: Vec<&str> = text.split('\n').collect();
    if let Some(next) = nfd_compat::fuzzing::link_next(&values) {
        assert!(!next.starts_with('<') && !next.ends_with('>'), "{next}");
        assert!(text.contains(&next));
    }
});
