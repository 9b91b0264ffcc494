//! Copying an image's compatibility artifacts between stores (registry to layout, layout to
//! registry, either to either): what carries them into an air gap next to the image that
//! `skopeo copy` carried (skopeo does not copy referrers).
//!
//! The manifests and blobs are copied byte for byte, so digests are preserved; an artifact the
//! destination already finds on the subject is not copied again.

use crate::spec::ARTIFACT_TYPE;
use crate::warning::Warning;

use super::error::RegistryError;
use super::fetch::{LookupPath, find_attached};
use super::oci::{self, Descriptor};
use super::platform::Platform;
use super::store::{ImageRef, Sink, Store, artifact_manifest};
use super::subject::attachments;

/// What a copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopyOutcome {
    /// The manifest the artifacts are attached to (on both sides).
    pub subject: String,
    /// The artifacts copied.
    pub copied: Vec<String>,
    /// The artifacts the destination already had.
    pub present: Vec<String>,
    /// How the destination finds them (when something was copied).
    pub lookup: Option<LookupPath>,
    /// Things worth knowing (an artifact copied but not listed everywhere it should be).
    pub warnings: Vec<Warning>,
}

/// Copies the compatibility artifacts of `image` in `from` (all, or `artifact`) to `to`,
/// where `to_image` must already be the same image.
pub(crate) fn copy_artifacts(
    from: &dyn Store,
    image: &ImageRef,
    to: &dyn Sink,
    to_image: &ImageRef,
    platform: Option<&Platform>,
    artifact: Option<&str>,
) -> Result<CopyOutcome, RegistryError> {
    let attached = attachments(from, image, platform)?;
    if attached.found.is_empty() {
        return Err(RegistryError::NoArtifact {
            subject: format!("`{image}`"),
        });
    }
    let chosen = match artifact {
        Some(digest) => vec![find_attached(&attached.found, digest)?],
        None => attached.found,
    };
    let subject = attached.subject;
    let missing = || RegistryError::ImageNotFound {
        message: Some(format!(
            "`{to_image}` has no manifest {subject}, which the artifacts are attached to: copy the image there first (`skopeo copy --all` keeps its digests)"
        )),
    };
    // A tag or digest given for the destination must be this image (or its platform manifest).
    if !to_image.target().is_empty() {
        let resolved = to.manifest(to_image.target(), "the destination image manifest")?;
        if resolved.digest != attached.image_digest && resolved.digest != subject {
            return Err(RegistryError::ImageNotFound {
                message: Some(format!(
                    "`{to_image}` is {}, not the image {} of `{image}`: copy the image there first (`skopeo copy --all` keeps its digests)",
                    resolved.digest, attached.image_digest
                )),
            });
        }
    }
    if !to.has_manifest(&subject)? {
        return Err(missing());
    }
    let (there, _) = to.referrers(&subject)?;
    let mut done = CopyOutcome {
        subject: subject.clone(),
        copied: Vec::new(),
        present: Vec::new(),
        lookup: None,
        warnings: Vec::new(),
    };
    for d in chosen {
        if there.iter().any(|t| t.digest == d.digest) {
            done.present.push(d.digest);
            continue;
        }
        let (manifest, body) = artifact_manifest(from, &d)?;
        for blob in std::iter::once(&manifest.config).chain(&manifest.layers) {
            let what = format!("blob {} of artifact {}", blob.digest, d.digest);
            let bytes = from.blob(blob, &what)?;
            to.put_blob(&bytes, &blob.digest)?;
        }
        let entry = Descriptor {
            media_type: manifest
                .media_type
                .clone()
                .unwrap_or_else(|| oci::OCI_MANIFEST.to_owned()),
            digest: d.digest.clone(),
            size: d.size,
            artifact_type: Some(ARTIFACT_TYPE.to_owned()),
            annotations: manifest.annotations,
            platform: None,
        };
        let (lookup, warnings) = to.put_artifact(&subject, &entry, &body)?;
        done.lookup = Some(lookup);
        done.warnings.extend(warnings);
        done.copied.push(d.digest);
    }
    Ok(done)
}
