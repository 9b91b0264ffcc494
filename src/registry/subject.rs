//! One platform rule for every command that reads an image's artifacts (`validate-node`,
//! `fetch`, `export`, `list`, `detach`, `copy`), in a registry or an OCI layout: with
//! `--platform`, the artifacts of that platform's manifest of an index; without it, those of
//! the manifest the reference resolves to, and, when nothing is attached to an index, those of
//! this host's platform manifest in it.

use super::error::{RegistryError, check_digest, decode};
use super::fetch::LookupPath;
use super::oci::{self, Descriptor, Index, Manifest, PlatformSpec};
use super::platform::Platform;
use super::repo::ManifestBytes;
use super::store::{ImageRef, Store};

/// The manifest an image's compatibility artifacts are attached to, and the artifacts.
pub(crate) struct Attachments {
    /// The digest the reference resolves to.
    pub(crate) image_digest: String,
    /// The manifest the artifacts are attached to.
    pub(crate) subject: String,
    /// The platform of `subject`, when it was chosen from an index.
    pub(crate) platform: Option<String>,
    /// The compatibility artifacts attached to `subject`.
    pub(crate) found: Vec<Descriptor>,
    /// How they were found.
    pub(crate) path: LookupPath,
}

/// The artifacts attached to `image` in `store` under the platform rule above.
pub(crate) fn attachments(
    store: &dyn Store,
    image: &ImageRef,
    platform: Option<&Platform>,
) -> Result<Attachments, RegistryError> {
    // A digest reference without --platform needs no resolve: look for referrers first and
    // fetch the manifest only if nothing is attached (to try the host's platform).
    let mut subject_platform = None;
    let (image_digest, resolved, subject) = match (image.digest(), platform) {
        (Some(d), None) => (d.to_owned(), None, d.to_owned()),
        (_, platform) => {
            let r = store.manifest(image.target(), "the image manifest")?;
            let subject = match platform {
                Some(platform) => {
                    let (digest, label) = select_platform(store, &r, platform)?;
                    subject_platform = label;
                    digest
                }
                None => r.digest.clone(),
            };
            (r.digest.clone(), Some(r), subject)
        }
    };
    let (found, path) = store.referrers(&subject)?;
    let here = Attachments {
        image_digest,
        subject,
        platform: subject_platform,
        found,
        path,
    };
    if !here.found.is_empty() || platform.is_some() {
        return Ok(here);
    }
    // Attached to the index? No: maybe to this host's manifest of it.
    let resolved = match resolved {
        Some(r) => r,
        None => store.manifest(&here.image_digest, "the image manifest")?,
    };
    if oci::is_index(&resolved.media_type)
        && let Ok((digest, label)) = select_platform(store, &resolved, &Platform::host())
    {
        let (found, path) = store.referrers(&digest)?;
        if !found.is_empty() {
            return Ok(Attachments {
                subject: digest,
                platform: label,
                found,
                path,
                ..here
            });
        }
    }
    Ok(here)
}

/// The manifest of `platform` in an index, or the image itself when its config matches.
pub(crate) fn select_platform(
    store: &dyn Store,
    resolved: &ManifestBytes,
    platform: &Platform,
) -> Result<(String, Option<String>), RegistryError> {
    let fits = |p: &PlatformSpec| {
        platform.matches(
            &p.os,
            &p.architecture,
            p.variant.as_deref(),
            p.os_version.as_deref(),
        )
    };
    if oci::is_index(&resolved.media_type) {
        let index: Index = decode(&resolved.body, "the image index", "OCI index")?;
        let found = index
            .manifests
            .iter()
            .find(|m| m.platform.as_ref().is_some_and(fits));
        return match found {
            Some(m) => check_digest(&m.digest, "the image index").map(|()| {
                (
                    m.digest.clone(),
                    m.platform.as_ref().map(PlatformSpec::label),
                )
            }),
            None => Err(RegistryError::NoPlatform {
                platform: platform.to_string(),
                available: index
                    .manifests
                    .iter()
                    .filter_map(|m| m.platform.as_ref().map(PlatformSpec::label))
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        };
    }
    let manifest: Manifest = decode(&resolved.body, "the image manifest", "OCI manifest")?;
    let config = store.blob(&manifest.config, "the image config")?;
    // The image config names its platform with the same fields as an index entry.
    let config: PlatformSpec = decode(&config, "the image config", "image config")?;
    if fits(&config) {
        Ok((resolved.digest.clone(), None))
    } else {
        Err(RegistryError::PlatformMismatch {
            platform: platform.to_string(),
            found: config.label(),
        })
    }
}
