//! Loading a spec (stub; replaced by the real loader).

use super::Spec;

/// Largest spec accepted, in bytes.
pub const MAX_SPEC_BYTES: usize = 4 << 20;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;
/// Most expressions one rule may have.
pub const MAX_EXPRESSIONS_PER_RULE: usize = 1000;

/// A spec with its load warnings.
#[derive(Debug)]
pub struct Loaded {
    /// The spec.
    pub spec: Spec,
    /// Warnings.
    pub warnings: Vec<SpecWarning>,
}

/// A load warning.
#[derive(Debug, Clone)]
pub struct SpecWarning {
    /// Message.
    pub message: String,
}

/// A load error.
#[derive(Debug, thiserror::Error)]
#[error("load error")]
pub struct LoadError;

/// Loads a spec.
pub fn load(_text: &[u8]) -> Result<Loaded, LoadError> {
    Err(LoadError)
}
