//! The `cpu` source (to be written).

use super::{Context, Discovered, Source};

/// What the CPU reports about itself: CPUID leaves on x86, HWCAP and MIDR on arm64.
#[derive(Debug, Clone, Default)]
pub struct Machine {}

impl Machine {
    /// The CPU this process runs on.
    pub fn native() -> Self {
        Machine {}
    }

    /// Loads a capture file (stub until the cpu source lands).
    pub fn load(_path: &std::path::Path) -> Result<Self, std::io::Error> {
        Ok(Machine {})
    }
}

/// NFD's `cpu` source.
pub(crate) struct Cpu;

impl Source for Cpu {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn discover(&self, _ctx: &Context, _out: &mut Discovered) {}
}
