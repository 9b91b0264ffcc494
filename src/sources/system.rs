//! The `system` source (to be written).

use super::{Context, Discovered, Source};

/// NFD's `system` source.
pub(crate) struct System;

impl Source for System {
    fn name(&self) -> &'static str {
        "system"
    }

    fn discover(&self, _ctx: &Context, _out: &mut Discovered) {}
}
