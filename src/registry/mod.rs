//! Registry access: finding and fetching an image's compatibility artifact, in a registry or
//! an OCI image layout, and writing artifacts there.

pub(crate) mod auth;
pub(crate) mod authoring;
pub(crate) mod client;
mod error;
pub(crate) mod fetch;
pub(crate) mod layout;
pub(crate) mod oci;
mod pages;
pub(crate) mod platform;
pub(crate) mod proxy;
pub(crate) mod reference;
mod referrers;
pub(crate) mod repo;
pub(crate) mod store;
mod subject;
mod tag_schema;
pub(crate) mod transfer;

pub(crate) use fetch::LookupPath;
pub(crate) use fetch::{FetchedSpec, Lookup};
pub(crate) use platform::Platform;
pub(crate) use reference::Reference;
pub(crate) use store::ImageRef;
