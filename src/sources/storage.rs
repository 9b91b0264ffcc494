//! The `storage` source (to be written).

use super::{Context, Discovered, Source};

/// NFD's `storage` source.
pub(crate) struct Storage;

impl Source for Storage {
    fn name(&self) -> &'static str {
        "storage"
    }

    fn discover(&self, _ctx: &Context, _out: &mut Discovered) {}
}
