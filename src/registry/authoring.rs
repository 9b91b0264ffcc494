//! Writing compatibility artifacts: attach, list, detach.
//!
//! An artifact is what `oras attach` writes and docs/DECISIONS.md (*Same snapshots, flags and artifact*) fixes: an OCI image
//! manifest with `artifactType` [`ARTIFACT_TYPE`], the empty config, one layer of media type
//! [`SPEC_MEDIA_TYPE`], `subject` = the image manifest, and an
//! `org.opencontainers.image.created` annotation. On a registry with the referrers API, pushing
//! the manifest is enough.
//!
//! Without it, the artifact also gets a tag of its own and an entry in the `sha256-<hex>`
//! tag-schema index (`tag_schema`). Entries are added only for manifests already pushed, and a
//! manifest (with its tag) is deleted only after its entry is gone, and the entry taken out
//! again should a concurrent writer have merged it back in, so no entry points at a missing
//! manifest. README.md "Registries without the referrers API" says what is guaranteed.

use std::collections::BTreeMap;

use crate::spec::{ARTIFACT_TYPE, SPEC_MEDIA_TYPE};
use crate::timestamp::Timestamp;
use crate::warning::{Topic, Warning};

use super::client::Client;
use super::error::RegistryError;
use super::fetch::{LookupPath, find_attached, newest_first, spec_layer};
use super::oci::{self, Descriptor, Index, Manifest};
use super::platform::Platform;
use super::reference::Reference;
use super::referrers;
use super::repo::Repo;
use super::store::{ImageRef, Sink, Store};
use super::subject::{attachments, select_platform};
use super::tag_schema::{Change, artifact_tag, schema_tag, sync_tag_schema};

/// What to attach.
#[derive(Debug, Clone)]
pub(crate) struct AttachRequest<'a> {
    /// The spec's bytes (already checked).
    pub spec: &'a [u8],
    /// The layer's title (`org.opencontainers.image.title`), usually the file name.
    pub title: Option<String>,
    /// Extra manifest annotations.
    pub annotations: BTreeMap<String, String>,
    /// Attach to this platform's manifest of an index.
    pub platform: Option<Platform>,
}

/// An attached artifact.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AttachedArtifact {
    /// The artifact manifest's digest.
    pub digest: String,
    /// The manifest it is attached to.
    pub subject: String,
    /// How it can be found.
    pub lookup: LookupPath,
    /// Its creation time.
    pub created: String,
    /// Things worth knowing (the tag-schema index could not be updated).
    #[serde(skip)]
    pub warnings: Vec<Warning>,
}

/// One attached artifact, as `list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListedArtifact {
    /// The artifact manifest's digest.
    pub digest: String,
    /// Its `org.opencontainers.image.created`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The spec layer's size in bytes.
    pub size: u64,
    /// The spec itself (for the caller to summarise), when it could be fetched.
    #[serde(skip)]
    pub spec: Option<Vec<u8>>,
}

/// The manifest the artifacts of `image` are attached to: the image's own, or that of
/// `platform` in its index.
fn subject_of(
    repo: &dyn Store,
    image: &ImageRef,
    platform: Option<&Platform>,
) -> Result<Descriptor, RegistryError> {
    let resolved = repo.manifest(image.target(), "the image manifest")?;
    let subject = match platform {
        Some(platform) => {
            let (digest, _) = select_platform(repo, &resolved, platform)?;
            if digest == resolved.digest {
                resolved
            } else {
                repo.manifest(&digest, "the platform manifest")?
            }
        }
        None => resolved,
    };
    Ok(Descriptor {
        media_type: subject.media_type,
        digest: subject.digest,
        size: subject.body.len() as u64,
        artifact_type: None,
        annotations: BTreeMap::new(),
        platform: None,
    })
}

/// Attaches a spec to an image in `repo` (a registry repository or a layout).
pub(crate) fn attach(
    repo: &dyn Sink,
    image: &ImageRef,
    request: &AttachRequest<'_>,
) -> Result<AttachedArtifact, RegistryError> {
    let subject = subject_of(repo, image, request.platform.as_ref())?;
    let created = request
        .annotations
        .get(oci::CREATED)
        .cloned()
        .unwrap_or_else(|| Timestamp::now().to_rfc3339_nanos());

    let empty = b"{}";
    let config = Descriptor {
        media_type: oci::OCI_EMPTY.to_owned(),
        digest: oci::EMPTY_DIGEST.to_owned(),
        size: 2,
        artifact_type: None,
        annotations: BTreeMap::new(),
        platform: None,
    };
    let mut layer_annotations = BTreeMap::new();
    if let Some(title) = &request.title {
        layer_annotations.insert("org.opencontainers.image.title".to_owned(), title.clone());
    }
    let layer = Descriptor {
        media_type: SPEC_MEDIA_TYPE.to_owned(),
        digest: oci::sha256_digest(request.spec),
        size: request.spec.len() as u64,
        artifact_type: None,
        annotations: layer_annotations,
        platform: None,
    };
    let mut annotations = request.annotations.clone();
    annotations.insert(oci::CREATED.to_owned(), created.clone());
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(oci::OCI_MANIFEST.to_owned()),
        artifact_type: Some(ARTIFACT_TYPE.to_owned()),
        config: config.clone(),
        layers: vec![layer.clone()],
        subject: Some(subject.clone()),
        annotations: annotations.clone(),
    };
    let body = serde_json::to_vec(&manifest).map_err(|e| RegistryError::Invalid {
        what: "the artifact manifest".into(),
        expected: "JSON",
        reason: e.to_string(),
    })?;
    let digest = oci::sha256_digest(&body);

    repo.put_blob(empty, &config.digest)?;
    repo.put_blob(request.spec, &layer.digest)?;
    let entry = Descriptor {
        media_type: oci::OCI_MANIFEST.to_owned(),
        digest: digest.clone(),
        size: body.len() as u64,
        artifact_type: Some(ARTIFACT_TYPE.to_owned()),
        annotations,
        platform: None,
    };
    let (lookup, warnings) = repo.put_artifact(&subject.digest, &entry, &body)?;
    Ok(AttachedArtifact {
        digest,
        subject: subject.digest,
        lookup,
        created,
        warnings,
    })
}

/// The compatibility artifacts attached to an image in `repo`, newest first.
pub(crate) fn list(
    repo: &dyn Store,
    image: &ImageRef,
    platform: Option<&Platform>,
) -> Result<(String, Vec<ListedArtifact>, LookupPath), RegistryError> {
    let attached = attachments(repo, image, platform)?;
    let (subject, path) = (attached.subject, attached.path);
    let found = newest_first(attached.found);
    let mut out = Vec::with_capacity(found.len());
    for d in found {
        // A broken artifact is listed without its spec; a transport failure or the deadline
        // (--timeout) ends the listing.
        let manifest: Option<Manifest> =
            lenient(repo.manifest(&d.digest, &format!("artifact manifest {}", d.digest)))?
                .and_then(|m| serde_json::from_slice(&m.body).ok());
        let layer = manifest.as_ref().and_then(spec_layer).cloned();
        let spec = match &layer {
            Some(l) => lenient(repo.blob(l, "the spec layer"))?,
            None => None,
        };
        out.push(ListedArtifact {
            created: d.annotations.get(oci::CREATED).cloned().or_else(|| {
                manifest
                    .as_ref()
                    .and_then(|m| m.annotations.get(oci::CREATED).cloned())
            }),
            size: layer.map_or(0, |l| l.size),
            digest: d.digest,
            spec,
        });
    }
    Ok((subject, out, path))
}

/// What [`detach`] did besides removing the artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IndexLeft {
    /// The artifacts are found another way (the referrers API), or others are still listed.
    Kept,
    /// The artifact was the last one: the now empty tag-schema index was deleted too (as oras
    /// does).
    Deleted,
    /// The artifact was the last one, and the registry would not delete the empty index (the
    /// reason); an empty index lists nothing, so nothing is wrong.
    Empty(String),
}

/// `None` for content the registry has but that is unusable (missing, corrupt, too large),
/// the error for a failure to talk to the registry at all (transport, deadline).
fn lenient<T>(result: Result<T, RegistryError>) -> Result<Option<T>, RegistryError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e @ RegistryError::Http(_)) => Err(e),
        Err(_) => Ok(None),
    }
}

/// Removes an artifact: its entry in the tag-schema index first (so that no index points at a
/// missing manifest), then the manifest; the entry is restored when the registry refuses the
/// delete. An index left empty is deleted when the registry allows it.
pub(crate) fn detach(
    client: &Client,
    image: &Reference,
    artifact: &str,
    platform: Option<&Platform>,
) -> Result<(LookupPath, IndexLeft), RegistryError> {
    let repo = Repo::new(client, image, "pull,push,delete");
    let attached = attachments(&repo, &ImageRef::Registry(image.clone()), platform)?;
    let (subject, path) = (attached.subject, attached.path);
    let entry = find_attached(&attached.found, artifact)?;
    if path == LookupPath::TagSchema {
        sync_tag_schema(&repo, &subject, Change::Remove(artifact))?;
    }
    match repo.delete_manifest(artifact, &format!("deleting artifact {artifact}")) {
        Ok(()) => {}
        Err(e @ (RegistryError::Status { .. } | RegistryError::Denied { .. })) => {
            if path == LookupPath::TagSchema {
                let _ = sync_tag_schema(&repo, &subject, Change::Add(&entry));
            }
            return Err(match e {
                RegistryError::Status {
                    what,
                    status: 405,
                    message: None,
                } => RegistryError::Status {
                    what,
                    status: 405,
                    message: Some("the registry does not allow deletes".to_owned()),
                },
                e => e,
            });
        }
        Err(e) => return Err(e),
    }
    let left = if path == LookupPath::TagSchema {
        // Deleting the manifest removed its tag; a writer that merged the tag in before that
        // may have put the entry back: take it out again.
        sync_tag_schema(&repo, &subject, Change::Remove(artifact))?;
        delete_empty_index(&repo, &subject)
    } else {
        IndexLeft::Kept
    };
    Ok((path, left))
}

/// Deletes the tag-schema index of `subject` when it lists nothing. It is deleted by the
/// digest of the empty index read, so that an index a concurrent attach has just rewritten
/// (another digest) is left alone.
fn delete_empty_index(repo: &Repo<'_>, subject: &str) -> IndexLeft {
    let tag = schema_tag(subject);
    let what = format!("the tag-schema index `{tag}`");
    let index = match repo.manifest(&tag, &what) {
        Ok(index) => index,
        Err(e) => return IndexLeft::Empty(e.to_string()),
    };
    let empty = serde_json::from_slice::<Index>(&index.body).is_ok_and(|i| i.manifests.is_empty());
    if !empty {
        return IndexLeft::Kept;
    }
    match repo.delete_manifest(&index.digest, &format!("deleting {what}")) {
        Ok(()) => IndexLeft::Deleted,
        Err(e) => IndexLeft::Empty(e.to_string()),
    }
}

impl Sink for Repo<'_> {
    fn has_manifest(&self, digest: &str) -> Result<bool, RegistryError> {
        Repo::has_manifest(self, digest)
    }

    fn put_blob(&self, bytes: &[u8], digest: &str) -> Result<(), RegistryError> {
        if self.has_blob(digest)? {
            return Ok(());
        }
        self.upload_blob(bytes, digest)
    }

    fn put_artifact(
        &self,
        subject: &str,
        entry: &Descriptor,
        body: &[u8],
    ) -> Result<(LookupPath, Vec<Warning>), RegistryError> {
        let (repo, digest) = (self, &entry.digest);
        let subject_processed = repo.put_manifest(digest, body, oci::OCI_MANIFEST)?;

        // A registry that processed `subject` says so; otherwise ask the referrers API.
        let mut warnings = Vec::new();
        let lookup = if subject_processed {
            LookupPath::ReferrersApi
        } else {
            referrers::lookup_path(repo, subject)?
        };
        if lookup == LookupPath::TagSchema {
            // The artifact's own tag first: from then on every lookup finds it.
            let tag = artifact_tag(subject, digest);
            if let Err(e) = repo.put_manifest(&tag, body, oci::OCI_MANIFEST) {
                // Leave nothing half-written: untagged, the artifact is in no index and
                // unreachable.
                let _ = repo.delete_manifest(digest, "");
                return Err(e);
            }
            if let Err(e) = sync_tag_schema(repo, subject, Change::Add(entry)) {
                // Attached all the same: its tag makes every nfd-compat lookup find it.
                warnings.push(Warning::new(Topic::Registry, format!(
                    "artifact {digest} is attached and tagged `{tag}`, but the tag-schema index `{}` could not be updated ({e}): NFD and oras, which read only the index, will see it after the next attach or detach on this image updates the index",
                    schema_tag(subject)
                )));
            }
        }
        Ok((lookup, warnings))
    }
}
