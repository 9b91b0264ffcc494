//! What the fuzz targets need beyond the public API (`fuzz/`, run by `scripts/fuzz.sh`): the
//! parsers that are private to their modules, each behind a function that takes what an
//! attacker controls. Hidden from the documentation and not a stable API.

/// The `rel="next"` target the referrers pagination would follow, from `Link` header values.
pub fn link_next(values: &[&str]) -> Option<String> {
    crate::registry::artifact::parse_next_link(values.iter().copied())
}
