//! The `network` source (to be written).

use super::{Context, Discovered, Source};

/// NFD's `network` source.
pub(crate) struct Network;

impl Source for Network {
    fn name(&self) -> &'static str {
        "network"
    }

    fn discover(&self, _ctx: &Context, _out: &mut Discovered) {}
}
