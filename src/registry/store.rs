//! Where images and their compatibility artifacts live: a registry repository ([`Repo`]) or
//! an OCI image layout directory ([`Layout`]). The lookup (the platform rule, referrers,
//! newest `created`, fetching the spec) and the authoring (attach, detach, copy) are written
//! once against these traits; each store only says how to read a manifest or blob, how to
//! list what refers to a manifest, and how to store an artifact.

use std::fmt;

use crate::warning::Warning;

use super::error::{RegistryError, decode};
use super::fetch::LookupPath;
use super::layout::{Layout, LayoutRef};
use super::oci::{Descriptor, Manifest};
use super::reference::{Reference, ReferenceError};
use super::repo::{ManifestBytes, Repo};

/// The largest manifest or blob fetched (oras' `FetchBytes` default).
pub(crate) const MAX_FETCH_BYTES: u64 = 4 << 20;

/// Read access to the images and artifacts of one repository or layout.
pub(crate) trait Store {
    /// A manifest by tag or digest, verified against its digest.
    fn manifest(&self, target: &str, what: &str) -> Result<ManifestBytes, RegistryError>;
    /// A blob, verified against the descriptor's digest and size.
    fn blob(&self, d: &Descriptor, what: &str) -> Result<Vec<u8>, RegistryError>;
    /// The compatibility artifacts that refer to the manifest `digest`, and how they were found.
    fn referrers(&self, digest: &str) -> Result<(Vec<Descriptor>, LookupPath), RegistryError>;
    /// How many requests were made (0 for a layout).
    fn requests(&self) -> u32 {
        0
    }
}

/// Write access: what attach, detach and copy need.
pub(crate) trait Sink: Store {
    /// Whether the manifest `digest` is stored.
    fn has_manifest(&self, digest: &str) -> Result<bool, RegistryError>;
    /// Stores a blob (nothing is written when it is already there).
    fn put_blob(&self, bytes: &[u8], digest: &str) -> Result<(), RegistryError>;
    /// Stores the artifact manifest `body` (described by `entry`) and makes it findable from
    /// `subject`; its blobs are already stored. Returns how it can be found, and warnings
    /// (attached, but not everywhere it should be listed).
    fn put_artifact(
        &self,
        subject: &str,
        entry: &Descriptor,
        body: &[u8],
    ) -> Result<(LookupPath, Vec<Warning>), RegistryError>;
}

/// GETs and parses an artifact manifest, verifying digest and size.
pub(crate) fn artifact_manifest(
    store: &dyn Store,
    d: &Descriptor,
) -> Result<(Manifest, Vec<u8>), RegistryError> {
    let what = format!("artifact manifest {}", d.digest);
    if d.size > MAX_FETCH_BYTES {
        return Err(RegistryError::TooLarge { what, size: d.size });
    }
    let fetched = store.manifest(&d.digest, &what)?;
    if fetched.body.len() as u64 != d.size {
        return Err(RegistryError::Corrupt {
            what,
            expected: format!("size {}", d.size),
        });
    }
    let manifest = decode(&fetched.body, what, "OCI manifest")?;
    Ok((manifest, fetched.body))
}

impl Store for Repo<'_> {
    fn manifest(&self, target: &str, what: &str) -> Result<ManifestBytes, RegistryError> {
        Repo::manifest(self, target, what)
    }
    fn blob(&self, d: &Descriptor, what: &str) -> Result<Vec<u8>, RegistryError> {
        Repo::blob(self, d, what)
    }
    fn referrers(&self, digest: &str) -> Result<(Vec<Descriptor>, LookupPath), RegistryError> {
        super::referrers::artifacts_of(self, digest)
    }
    fn requests(&self) -> u32 {
        Repo::requests(self)
    }
}

/// An image given on the command line: in a registry, or in an OCI image layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ImageRef {
    /// `host/repo:tag`, `host/repo@sha256:...`.
    Registry(Reference),
    /// `oci:DIR[:TAG|@DIGEST]`, or `DIR[:TAG|@DIGEST]` with `--oci-layout`.
    Layout(LayoutRef),
}

impl ImageRef {
    /// Parses an image: `oci:DIR[:TAG|@DIGEST]` (the containers transport syntax) is a layout;
    /// with `oci_layout` (oras's `--oci-layout`), so is `DIR[:TAG|@DIGEST]`; anything else is a
    /// registry reference.
    pub(crate) fn parse(input: &str, oci_layout: bool) -> Result<ImageRef, ReferenceError> {
        if let Some(rest) = input.strip_prefix("oci:") {
            return LayoutRef::parse_transport(rest, input).map(ImageRef::Layout);
        }
        if oci_layout {
            return LayoutRef::parse_oras(input).map(ImageRef::Layout);
        }
        if input.starts_with("oci-archive:") || input.starts_with("docker-archive:") {
            return Err(ReferenceError {
                reference: input.to_owned(),
                reason: "archives are not read; unpack it into a layout directory (`skopeo copy oci-archive:FILE oci:DIR:TAG`) and give `oci:DIR:TAG`".to_owned(),
            });
        }
        let input = input.strip_prefix("docker://").unwrap_or(input);
        Reference::parse(input).map(ImageRef::Registry)
    }

    /// The digest the image was given by, if any.
    pub(crate) fn digest(&self) -> Option<&str> {
        match self {
            ImageRef::Registry(r) => r.digest.as_deref(),
            ImageRef::Layout(l) => l.digest.as_deref(),
        }
    }

    /// What to resolve: the digest when known, else the tag (empty: a layout's only image).
    pub(crate) fn target(&self) -> &str {
        match self {
            ImageRef::Registry(r) => r.target(),
            ImageRef::Layout(l) => l.target(),
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRef::Registry(r) => r.fmt(f),
            ImageRef::Layout(l) => l.fmt(f),
        }
    }
}

/// An opened store, owning what the store borrows.
pub(crate) enum Opened {
    /// A registry client and the image's reference.
    Registry(Box<super::client::Client>, Reference),
    /// A layout.
    Layout(Layout),
}

impl Opened {
    /// The store, for these registry `actions` (`pull`, `pull,push`...).
    pub(crate) fn sink(&self, actions: &str) -> Box<dyn Sink + '_> {
        match self {
            Opened::Registry(client, reference) => Box::new(Repo::new(client, reference, actions)),
            Opened::Layout(layout) => Box::new(layout.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_and_registries_are_told_apart() {
        let layout = ImageRef::parse("oci:./app:v1", false).unwrap();
        assert!(matches!(&layout, ImageRef::Layout(l) if l.tag.as_deref() == Some("v1")));
        assert_eq!(layout.to_string(), "oci:./app:v1");
        let oras = ImageRef::parse("./app:v1", true).unwrap();
        assert!(matches!(&oras, ImageRef::Layout(l) if l.dir == std::path::Path::new("./app")));
        let registry = ImageRef::parse("docker://127.0.0.1:5000/app:v1", false).unwrap();
        assert_eq!(registry.to_string(), "127.0.0.1:5000/app:v1");
        assert_eq!(registry.target(), "v1");
        let e = ImageRef::parse("oci-archive:./app.tar", false).unwrap_err();
        assert!(e.reason.contains("oci:DIR:TAG"), "{e}");
    }
}
