//! The node the spec and template targets evaluate against: the NFD fake source's features.

use std::sync::OnceLock;

use nfd_compat::features::Features;

pub fn node() -> &'static Features {
    static NODE: OnceLock<Features> = OnceLock::new();
    NODE.get_or_init(|| {
        let bytes = include_bytes!("../../testdata/nfd-fake/features.json");
        let mut nodes = nfd_compat::snapshot::parse(bytes).expect("the fixture loads");
        nodes.remove(0).features
    })
}
