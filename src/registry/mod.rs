//! Registry access: finding and fetching an image's compatibility artifact, in a registry or
//! an OCI image layout, and writing artifacts there.

pub mod auth;
pub mod authoring;
pub mod client;
pub(crate) mod error;
pub mod fetch;
pub mod layout;
pub mod oci;
mod pages;
pub mod platform;
pub mod proxy;
pub mod reference;
mod referrers;
pub(crate) mod repo;
pub(crate) mod store;
mod subject;
mod tag_schema;
pub mod transfer;

pub use error::RegistryError;
pub use fetch::{FetchedSpec, Lookup, LookupPath, fetch_spec};
pub use platform::{Platform, PlatformError};
pub use reference::{Reference, ReferenceError};
pub use store::ImageRef;
