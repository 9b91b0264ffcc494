//! The `memory` source (to be written).

use super::{Context, Discovered, Source};

/// NFD's `memory` source.
pub(crate) struct Memory;

impl Source for Memory {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn discover(&self, _ctx: &Context, _out: &mut Discovered) {}
}
