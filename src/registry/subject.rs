//! One platform rule for every command that reads an image's artifacts (`validate-node`,
//! `fetch`, `export`, `list`, `detach`): with `--platform`, the artifacts of that platform's
//! manifest of an index; without it, those of the manifest the reference resolves to, and,
//! when nothing is attached to an index, those of this host's platform manifest in it.

use super::artifact::{LookupPath, RegistryError, Repo};
use super::oci::{self, Descriptor};
use super::platform::Platform;
use super::reference::Reference;

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

impl Repo<'_> {
    /// The artifacts attached to `image` under the platform rule above.
    pub(crate) fn attachments(
        &self,
        image: &Reference,
        platform: Option<&Platform>,
    ) -> Result<Attachments, RegistryError> {
        // A digest reference without --platform needs no resolve: look for referrers first and
        // fetch the manifest only if nothing is attached (to try the host's platform).
        let mut subject_platform = None;
        let (image_digest, resolved, subject) = match (&image.digest, platform) {
            (Some(d), None) => (d.clone(), None, d.clone()),
            (_, platform) => {
                let r = self.manifest(image.target(), "the image manifest")?;
                let subject = match platform {
                    Some(platform) => {
                        let (digest, label) = self.select_platform(&r, platform)?;
                        subject_platform = label;
                        digest
                    }
                    None => r.digest.clone(),
                };
                (r.digest.clone(), Some(r), subject)
            }
        };
        let (found, path) = self.referrers(&subject)?;
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
            None => self.manifest(&here.image_digest, "the image manifest")?,
        };
        if oci::is_index(&resolved.media_type)
            && let Ok((digest, label)) = self.select_platform(&resolved, &Platform::host())
        {
            let (found, path) = self.referrers(&digest)?;
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
}
