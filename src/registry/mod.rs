//! Registry access: finding and fetching an image's compatibility artifact.

pub mod artifact;
pub mod auth;
pub mod authoring;
pub mod client;
pub mod oci;
pub mod platform;
pub mod proxy;
pub mod reference;
mod subject;

pub use artifact::{Fetched, Lookup, LookupPath, RegistryError, fetch_spec};
pub use platform::{Platform, PlatformError};
pub use reference::{Reference, ReferenceError};
