//! Registry access: finding and fetching an image's compatibility artifact, in a registry or
//! an OCI image layout.

pub mod artifact;
pub mod auth;
pub mod authoring;
pub mod client;
pub mod layout;
pub mod oci;
pub mod platform;
pub mod proxy;
pub mod reference;
pub(crate) mod store;
mod subject;
pub mod transfer;

pub use artifact::{Fetched, Lookup, LookupPath, RegistryError, fetch_spec};
pub use platform::{Platform, PlatformError};
pub use reference::{Reference, ReferenceError};
pub use store::ImageRef;
