//! Registry access: finding and fetching a compatibility artifact for an image.

pub mod auth;
pub mod client;
pub mod reference;

pub use reference::{Reference, ReferenceError};
