//! The `kernel` source (to be written).

use super::{Context, Discovered, Source};

/// NFD's `kernel` source.
pub(crate) struct Kernel;

impl Source for Kernel {
    fn name(&self) -> &'static str {
        "kernel"
    }

    fn discover(&self, _ctx: &Context, _out: &mut Discovered) {}
}
