//! The `local` source (to be written).

use super::{Context, Discovered, Source};

/// NFD's `local` source.
pub(crate) struct Local;

impl Source for Local {
    fn name(&self) -> &'static str {
        "local"
    }

    fn discover(&self, _ctx: &Context, _out: &mut Discovered) {}
}
