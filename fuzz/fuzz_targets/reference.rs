//! The image reference parser (and the digest check): a reference that parses prints as a
//! reference that parses back to the same thing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfd_compat::registry::Reference;
use nfd_compat::registry::reference::parse_digest;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_digest(text);
    if let Ok(r) = Reference::parse(text) {
        let printed = r.to_string();
        let again = Reference::parse(&printed).expect("a printed reference parses");
        assert_eq!(r, again, "`{text}` printed as `{printed}`");
        let _ = r.api_host();
        let _ = r.target();
        if let Some(d) = &r.digest {
            assert!(parse_digest(d).is_ok(), "a parsed reference holds a valid digest");
        }
    }
});
