//! The `usb` source (to be written).

use super::{Context, Discovered, Source};

/// NFD's `usb` source.
pub(crate) struct Usb;

impl Source for Usb {
    fn name(&self) -> &'static str {
        "usb"
    }

    fn discover(&self, _ctx: &Context, _out: &mut Discovered) {}
}
