//! The `pci` source (to be written).

use super::{Context, Discovered, Source};

/// NFD's `pci` source.
pub(crate) struct Pci;

impl Source for Pci {
    fn name(&self) -> &'static str {
        "pci"
    }

    fn discover(&self, _ctx: &Context, _out: &mut Discovered) {}
}
